/* api_pool.c — the rolling-upgrade endpoints of the admin API (/pools); see
 * api.h. The coordinator's typed results (coord.h) become JSON documents
 * and HTTP statuses here, and only here. */
#include "api_pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_json.h"
#include "api_site.h"
#include "api_types.h"
#include "coord.h"
#include "precheck.h"
#include "state.h"
#include "util.h"

/* The body's "placement": "return" or "leave" into o. 0, or -1 (answered
 * 400). */
static int
api_pool_parse_placement(json_t *v, struct coord_opts *o,
    struct api_response *rs)
{
	if (json_is_string(v) && coord_place_parse(json_string_value(v),
	    &o->placement) == 0)
		return 0;
	api_json_error(rs, 400, "\"placement\" must be \"return\" (each "
	    "host's VMs go back to it after its upgrade) or \"leave\"");
	return -1;
}

/* {"dry_run": bool, "disable_ha": bool, "placement": "return"|"leave"};
 * missing body = all false, the pool's placement. */
static int
api_pool_parse_upgrade_body(const struct api_request *rq, struct coord_opts *o,
    struct api_response *rs)
{
	json_error_t jerr;
	json_t *j, *v;
	const char *key;

	memset(o, 0, sizeof(*o));
	if (rq->body == NULL || rq->body_len == 0)
		return 0;
	if ((j = json_loadb(rq->body, rq->body_len, 0, &jerr)) == NULL) {
		api_json_error(rs, 400, "request body is not JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_json_error(rs, 400, "request body must be a JSON object");
		return -1;
	}
	json_object_foreach(j, key, v) {
		int *dst = strcmp(key, "dry_run") == 0 ? &o->dry_run :
		    strcmp(key, "disable_ha") == 0 ? &o->disable_ha : NULL;

		if (strcmp(key, "placement") == 0) {
			if (api_pool_parse_placement(v, o, rs) == -1) {
				json_decref(j);
				return -1;
			}
			continue;
		}
		if (dst == NULL || !json_is_boolean(v)) {
			api_json_error(rs, 400, "unknown or non-boolean field \"%.32s\" "
			    "(allowed: dry_run, disable_ha, placement)", key);
			json_decref(j);
			return -1;
		}
		*dst = json_is_true(v);
	}
	json_decref(j);
	return 0;
}

/* The HTTP status of a coordinator's result. */
static int
api_pool_http_status(enum coord_result res)
{
	switch (res) {
	case COORD_OK:			return 200;
	case COORD_STARTED:		return 202;
	case COORD_NOT_FOUND:		return 404;
	case COORD_CONFLICT:		return 409;
	case COORD_PRECHECK_FAILED:	return 409;
	case COORD_XAPI_FAILED:		return 502;
	case COORD_XAPI_TIMEOUT:	return 504;
	case COORD_ERROR:		return 500;
	default:			return 500;
	}
}

/* {"pool", "ok", "target_version" (absent without a repo), "checks":
 * [{"check", "ok", "message"}], "plan": [{"host", "role", "version",
 * "target", "action"}]} */
static json_t *
api_pool_precheck_json(const char *pool, const struct precheck_report *rep)
{
	json_t *checks = json_array(), *plan = json_array();
	size_t i;

	for (i = 0; i < rep->nchecks; i++)
		json_array_append_new(checks, json_pack("{s:s, s:b, s:s}",
		    "check", rep->checks[i].name, "ok", rep->checks[i].ok,
		    "message", rep->checks[i].message));
	for (i = 0; i < rep->nplan; i++) {
		const struct precheck_plan_item *it = &rep->plan[i];

		json_array_append_new(plan, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "host", it->host, "role", it->is_master ? "master" :
		    "member", "version", it->version, "target", it->target,
		    "action", it->skip ? "skip (already on the target version)" :
		    "upgrade"));
	}
	return json_pack("{s:s, s:b, s:s?, s:o, s:o}", "pool", pool, "ok",
	    rep->failed == 0, "target_version", rep->target_version, "checks",
	    checks, "plan", plan);
}

static json_t *
api_pool_precheck(const struct api_deps *deps, const char *pool,
    enum coord_result *res, char *err, size_t errlen)
{
	struct precheck_report rep;
	json_t *doc = NULL;

	*res = coord_precheck(deps->coord, deps->cfg, pool, &rep, err, errlen);
	if (*res == COORD_OK)
		doc = api_pool_precheck_json(pool, &rep);
	precheck_report_free(&rep);
	return doc;
}

/* The prechecks' document with what the upgrade did added. */
static json_t *
api_pool_upgrade(const struct api_deps *deps, const char *pool,
    const struct coord_opts *o, enum coord_result *res, char *err,
    size_t errlen)
{
	struct coord_upgrade_result u;
	json_t *doc = NULL;

	*res = coord_upgrade(deps->coord, deps->cfg, pool, o, &u, err, errlen);
	if (*res == COORD_OK || *res == COORD_STARTED ||
	    *res == COORD_PRECHECK_FAILED)
		doc = api_pool_precheck_json(pool, &u.report);
	if (doc != NULL && *res == COORD_PRECHECK_FAILED)
		json_object_set_new(doc, "error", json_string(err));
	if (doc != NULL && *res == COORD_OK && u.dry_run)
		json_object_set_new(doc, "dry_run", json_true());
	if (doc != NULL && *res == COORD_STARTED) {
		json_object_set_new(doc, "run", json_integer(u.run_id));
		json_object_set_new(doc, "started", json_true());
		json_object_set_new(doc, "dump", json_string(u.dump));
	}
	precheck_report_free(&u.report);
	return doc;
}

/* The VMs recorded for host: [{"vm", "uuid", "from", "to", "result",
 * "message"}], result "pending" until tried. */
static json_t *
api_pool_moves_json(const struct coord_run_view *v, const char *host)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < v->nvms; i++) {
		const struct run_vm *m = &v->vms[i];

		if (strcmp(m->host, host) != 0)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, "
		    "s:s}", "vm", m->vm_name, "uuid", m->vm_uuid, "from",
		    m->from_host, "to", m->host, "result", m->result[0] ?
		    m->result : "pending", "message", m->message));
	}
	return arr;
}

/* One pool's latest run with its hosts. */
static json_t *
api_pool_run_json(const struct coord_run_view *v)
{
	const struct run *run = &v->run;
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < v->nhosts; i++) {
		const struct run_host *h = &v->hosts[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:I, s:s, s:s, s:i, s:o}", "host", h->host, "role",
		    h->is_master ? "master" : "member", "step", h->step,
		    "old_version", h->old_version, "new_version",
		    h->new_version, "step_started_at",
		    (json_int_t)h->step_started_at, "started_at",
		    (json_int_t)h->started_at, "finished_at",
		    (json_int_t)h->finished_at, "error", h->error, "step_ms",
		    h->step_ms, "attempts", h->attempts, "moves",
		    api_pool_moves_json(v, h->host)));
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, "
	    "s:s, s:i, s:i, s:o}", "run", (json_int_t)run->id, "pool",
	    run->pool, "state", run->state, "target_version",
	    run->target_version, "placement", run->placement,
	    "created_at", (json_int_t)run->created_at, "updated_at",
	    (json_int_t)run->updated_at, "finished_at",
	    (json_int_t)run->finished_at, "error", run->error, "dump",
	    run->dump_path, "report", run->report, "hosts_done",
	    (int)v->hosts_done, "hosts_total", (int)v->nhosts, "hosts", arr);
}

/* {"pools": [run, or {"pool", "run": null} for a pool without one]} */
static json_t *
api_pool_status(const struct api_deps *deps, const char *pool,
    enum coord_result *res, char *err, size_t errlen)
{
	struct coord_status_report s;
	json_t *arr;
	size_t i;

	*res = coord_status(deps->coord, deps->cfg, pool, &s, err, errlen);
	if (*res != COORD_OK)
		return NULL;
	arr = json_array();
	for (i = 0; i < s.npools; i++)
		json_array_append_new(arr, s.pools[i].has_run ?
		    api_pool_run_json(&s.pools[i]) : json_pack("{s:s, s:n}",
		    "pool", s.pools[i].pool, "run"));
	coord_status_report_free(&s);
	return json_pack("{s:o}", "pools", arr);
}

/* {"pool", "run", "state"} of a retry or an abort. */
static json_t *
api_pool_run_ref(const struct api_deps *deps, const char *pool, int abort,
    enum coord_result *res, char *err, size_t errlen)
{
	struct coord_run_ref ref;
	const char *state;

	*res = abort ? coord_abort(deps->coord, deps->cfg, pool, &ref, err, errlen) :
	    coord_retry(deps->coord, deps->cfg, pool, &ref, err, errlen);
	if (*res != COORD_OK && *res != COORD_STARTED)
		return NULL;
	if (abort && *res == COORD_STARTED)
		state = "aborting";
	else
		state = ref.has_run ? state_run_name(ref.state) : "none";
	return json_pack("{s:s, s:I, s:s}", "pool", pool, "run",
	    (json_int_t)ref.run_id, "state", state);
}

/* /pools[/NAME[/precheck|upgrade|retry|abort]] */
void
api_pool_handle(const struct api_deps *deps, const struct api_request *rq,
    char **segs, size_t n, struct api_response *rs)
{
	const char *m = rq->method ? rq->method : "";
	int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
	enum coord_result res;
	struct coord_opts o;
	char err[1024];
	json_t *doc;

	if (deps->coord == NULL) {
		api_json_error(rs, 503, "rolling upgrades are not available");
		return;
	}
	if (n > 3 || (n >= 2 && (!util_valid_name(segs[1]) ||
	    config_pool(deps->cfg, segs[1]) == NULL))) {
		if (n >= 2 && n <= 3)
			api_json_error(rs, 404, "no pool named \"%.64s\" in the "
			    "configuration", segs[1]);
		else
			api_json_error(rs, 404, "no such API endpoint");
		return;
	}
	err[0] = '\0';
	if (n <= 2) {
		if (!get) {
			api_json_error(rs, 405, "method %.16s not allowed here (use "
			    "GET)", m);
			return;
		}
		doc = api_pool_status(deps, n == 2 ? segs[1] : NULL, &res, err,
		    sizeof(err));
	} else {
		if (!post) {
			api_json_error(rs, 405, "method %.16s not allowed here (use "
			    "POST)", m);
			return;
		}
		if (strcmp(segs[2], "precheck") == 0)
			doc = api_pool_precheck(deps, segs[1], &res, err,
			    sizeof(err));
		else if (strcmp(segs[2], "upgrade") == 0) {
			if (api_pool_parse_upgrade_body(rq, &o, rs) == -1 ||
			    (!o.dry_run && api_site_forward_pool(deps, segs[1],
			    segs[2], rq->body, rq->body_len, rs)))
				return;
			doc = api_pool_upgrade(deps, segs[1], &o, &res, err,
			    sizeof(err));
		} else if ((strcmp(segs[2], "retry") == 0 ||
		    strcmp(segs[2], "abort") == 0) && api_site_forward_pool(deps,
		    segs[1], segs[2], NULL, 0, rs))
			return;
		else if (strcmp(segs[2], "retry") == 0 ||
		    strcmp(segs[2], "abort") == 0)
			doc = api_pool_run_ref(deps, segs[1],
			    strcmp(segs[2], "abort") == 0, &res, err,
			    sizeof(err));
		else {
			api_json_error(rs, 404, "no such API endpoint");
			return;
		}
	}
	/* the /pools answers: indented, in order, no trailing newline */
	if (doc == NULL && res != COORD_OK && res != COORD_STARTED)
		doc = json_pack("{s:s}", "error", err);
	api_json_set_plain(rs, api_pool_http_status(res), doc);
}
