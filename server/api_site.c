/* api_site.c — another site's pools and hosts asked to act; see
 * api_site.h. */
#include "api_site.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_json.h"
#include "api_types.h"
#include "config.h"
#include "site.h"
#include "site_queue.h"
#include "store_lease.h"
#include "store_site_action.h"

/* A warning into doc when no instance of site is active now (its lease
 * not held): the action waits in the queue until one starts, and the
 * asker should know that it is not a matter of seconds. */
static void
api_site_warn_idle(const struct api_deps *deps, const char *site, json_t *doc)
{
	struct store_lease l;
	char name[96];
	int64_t ago;
	int rc;

	snprintf(name, sizeof(name), "site:%s", site);
	if ((rc = store_lease_live(deps->st, name, &l, &ago)) != 0)
		return;		/* held, or unknown (logged) */
	if (l.owner[0] == '\0')
		json_object_set_new(doc, "warning", json_sprintf("no instance "
		    "of site %s has ever run on this database: the action "
		    "waits in the queue until one starts (poolboot serve with "
		    "[server] site = %s)", site, site));
	else if (l.expires_ms == 0)
		json_object_set_new(doc, "warning", json_sprintf("no instance "
		    "of site %s is active: its last one (%s) stopped; the "
		    "action waits in the queue until one starts", site,
		    l.owner));
	else
		json_object_set_new(doc, "warning", json_sprintf("no instance "
		    "of site %s is active: its lease expired %lld s ago (last "
		    "held by %s); the action waits in the queue until one "
		    "starts", site, (long long)(ago / 1000), l.owner));
}

/* Queues action on target (what: "host" or "pool") for site, answered
 * 202; job > 0 names the job of a job's action. */
static void
api_site_queue(const struct api_deps *deps, const char *what,
    const char *target, const char *site, const char *action,
    const char *args, int64_t job, struct api_response *rs)
{
	json_t *doc;
	int64_t id;

	if (site_queue_submit(deps->st, site, action, target, args, &id) ==
	    -1) {
		api_json_error(rs, 500, "cannot queue the %s of %s for site %s "
		    "(see the server log)", action, target, site);
		return;
	}
	doc = json_pack("{s:o}", what, api_json_str(target));
	if (job > 0)
		json_object_set_new(doc, "job", json_integer((json_int_t)job));
	json_object_set_new(doc, "site", api_json_str(site));
	json_object_set_new(doc, "queued", json_integer((json_int_t)id));
	json_object_set_new(doc, "message", json_sprintf("%s queued for site "
	    "%s's instance (action %lld): GET /api/v1/site-actions/%lld or "
	    "the %s's events say how it went", action, site, (long long)id,
	    (long long)id, what));
	api_site_warn_idle(deps, site, doc);
	api_json_set(rs, 202, doc);
}

int
api_site_forward(const struct api_deps *deps, const struct host *h,
    const char *action, int wipe, struct api_response *rs)
{
	const char *site = site_of_host(deps->cfg, h);
	char err[512];

	if (!site_refuse_host(deps->cfg, h->name, err, sizeof(err)))
		return 0;
	if (site[0] == '\0')	/* nobody's: nobody would take it */
		api_json_error(rs, 409, "%s", err);
	else
		api_site_queue(deps, "host", h->name, site, action,
		    wipe ? "wipe" : "", 0, rs);
	return 1;
}

int
api_site_forward_pool(const struct api_deps *deps, const char *pool,
    const char *action, const char *body, size_t len,
    struct api_response *rs)
{
	const struct pool *p = config_pool(deps->cfg, pool);
	const char *site;
	char err[512], args[1024];

	if (p == NULL || !site_refuse_pool(deps->cfg, pool, err, sizeof(err)))
		return 0;
	site = site_of_pool(deps->cfg, p);
	if (site[0] == '\0') {
		api_json_error(rs, 409, "%s", err);
		return 1;
	}
	if (body == NULL)
		len = 0;
	if (len >= sizeof(args)) {
		api_json_error(rs, 413, "the request body is too long to queue "
		    "for site %s (at most %zu bytes)", site, sizeof(args) - 1);
		return 1;
	}
	if (len > 0)
		memcpy(args, body, len);
	args[len] = '\0';
	api_site_queue(deps, "pool", pool, site, action, args, 0, rs);
	return 1;
}

int
api_site_forward_job(const struct api_deps *deps, const char *host,
    int64_t id, const char *action, struct api_response *rs)
{
	const struct host *h = config_host(deps->cfg, host);
	char err[512], args[32], act[16];

	if (h == NULL || !site_refuse_host(deps->cfg, host, err, sizeof(err)))
		return 0;
	if (site_of_host(deps->cfg, h)[0] == '\0') {
		api_json_error(rs, 409, "%s", err);
		return 1;
	}
	snprintf(args, sizeof(args), "%lld", (long long)id);
	snprintf(act, sizeof(act), "job-%s", action);
	api_site_queue(deps, "host", host, site_of_host(deps->cfg, h), act,
	    args, id, rs);
	return 1;
}

/* One action as GET /site-actions/ID and the list give it. */
static json_t *
api_site_action_json(const struct site_action *a)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
	    "id", (json_int_t)a->id, "site", a->site, "action", a->action,
	    "target", a->target, "args", a->args, "state", a->done_ms ?
	    "done" : a->taken_by[0] ? "taken" : "queued", "created_at",
	    api_json_time_or_null(a->created_ms), "taken_by",
	    api_json_str_or_null(a->taken_by), "done_at",
	    api_json_time_or_null(a->done_ms), "status", a->done_ms ?
	    json_integer(a->status) : json_null(), "ok", a->done_ms ?
	    json_boolean(a->status / 100 == 2) : json_null(), "result",
	    api_json_str_or_null(a->result));
}

/* GET /site-actions[?site=S][&state=queued|taken|done][&limit=N]. */
static void
api_site_actions_list(const struct api_deps *deps,
    const struct api_request *rq, struct api_response *rs)
{
	const char *site = rq->query ? rq->query(rq->qctx, "site") : NULL;
	const char *state = rq->query ? rq->query(rq->qctx, "state") : NULL;
	struct site_action *v = NULL;
	int64_t limit = 100;
	json_t *arr;
	size_t n = 0, i;

	if (api_json_query_int(rq, "limit", 1, 1000, &limit, rs) == -1)
		return;
	if (state != NULL && state[0] == '\0')
		state = NULL;
	if (state != NULL && strcmp(state, "queued") != 0 &&
	    strcmp(state, "taken") != 0 && strcmp(state, "done") != 0) {
		api_json_error(rs, 400, "state: '%.32s' is not queued, taken or "
		    "done", state);
		return;
	}
	if (store_site_action_list(deps->st, site != NULL && site[0] != '\0' ?
	    site : NULL, state, (int)limit, &v, &n) == -1) {
		api_json_error(rs, 500, "state database error (see the server "
		    "log)");
		return;
	}
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, api_site_action_json(&v[i]));
	free(v);
	if (arr == NULL) {
		api_json_error(rs, 500, "out of memory");
		return;
	}
	api_json_set(rs, 200, json_pack("{s:o}", "actions", arr));
}

void
api_site_actions_handle(const struct api_deps *deps,
    const struct api_request *rq, char **segs, size_t n,
    struct api_response *rs)
{
	struct site_action a;
	long long id = 0;
	char *end = NULL;
	int rc;

	if (strcmp(rq->method ? rq->method : "", "GET") != 0) {
		api_json_error(rs, 405, "method %.16s not allowed here (use GET)",
		    rq->method ? rq->method : "");
		return;
	}
	if (n == 1) {
		api_site_actions_list(deps, rq, rs);
		return;
	}
	if (n == 2) {
		errno = 0;
		id = strtoll(segs[1], &end, 10);
	}
	if (n != 2 || errno != 0 || *end != '\0' || id <= 0) {
		api_json_error(rs, 404, n == 2 ? "no site action \"%.32s\"" :
		    "no such API endpoint (GET /site-actions or "
		    "/site-actions/ID)", segs[n - 1]);
		return;
	}
	if ((rc = store_site_action_get(deps->st, (int64_t)id, &a)) != 0) {
		api_json_error(rs, rc == 1 ? 404 : 500, rc == 1 ? "no site "
		    "action %lld" : "state database error (see the server log)",
		    id);
		return;
	}
	api_json_set(rs, 200, api_site_action_json(&a));
}
