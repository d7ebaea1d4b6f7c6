/* api.c — see api.h. JSON in and out with jansson; no HTTP library here.
 * Every answer is a JSON document; errors are {"error": "..."}. */
#include "api.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_audit.h"
#include "api_hosts.h"
#include "api_job.h"
#include "api_json.h"
#include "api_site.h"
#include "api_sites.h"
#include "api_pool.h"
#include "api_reload.h"
#include "api_whoami.h"
#include "arm.h"
#include "config_live.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "tftp.h"

#define API_MAX_SEGS	6

/* The JSON view of one inventory host with its state from the store.
 * NULL on a store error. */
static json_t *
api_host_json(const struct api_deps *deps, const struct host *h)
{
	struct host_status hs;
	struct arming a;
	int rc;

	if (store_host_status(deps->st, h->name, &hs) == -1)
		return NULL;
	if ((rc = store_active_arming(deps->st, h->name, &a)) == -1)
		return NULL;
	return api_hosts_one(deps, h, &hs, rc == 0 ? &a : NULL);
}

static void
api_host(const struct api_deps *deps, const struct host *h,
    struct api_response *rs)
{
	json_t *o;

	if ((o = api_host_json(deps, h)) == NULL) {
		api_json_error(rs, 500, "state database error (see the server log)");
		return;
	}
	api_json_set(rs, 200, o);
}

static int
api_arm_http_status(enum arm_status as)
{
	switch (as) {
	case ARM_OK:
		return 200;
	case ARM_NOT_FOUND:
		return 404;
	case ARM_CONFLICT:
		return 409;
	case ARM_FORBIDDEN:
		return 403;
	case ARM_GONE:
	case ARM_LOOP_GUARD:
		return 410;
	case ARM_UNAVAILABLE:
		return 503;
	case ARM_ERROR:
	default:
		return 500;
	}
}

static void
api_arm(const struct api_deps *deps, const struct api_request *rq,
    const struct host *h, struct api_response *rs)
{
	char token[UTIL_TOKEN_LEN + 1], msg[512];
	char *pxe = NULL, *grub = NULL, *url = NULL;
	enum arm_status as;
	int wipe;

	if (api_json_wipe_body(rq, &wipe, rs) == -1 ||
	    api_site_forward(deps, h, "arm", wipe, rs))
		return;
	msg[0] = '\0';
	token[0] = '\0';
	as = arm_host(deps->arm, h->name, wipe, token, msg, sizeof(msg));
	if (as != ARM_OK) {
		api_json_error(rs, api_arm_http_status(as), "%s",
		    msg[0] ? msg : "arming failed (see the server log)");
		goto out;
	}
	pxe = tftp_pxe_path(deps->cfg, h);
	grub = tftp_grub_path(deps->cfg, h);
	url = render_host_url(deps->cfg, h, token, "answerfile");
	api_json_set(rs, 200, json_pack("{s:o,s:s,s:s,s:o,s:o,s:s,s:o}",
	    "host", api_json_str(h->name),
	    "state", "armed",
	    "mode", config_mode_name(h->mode),
	    "pxelinux_file", api_json_str_or_null(pxe),
	    "grub_file", api_json_str_or_null(grub),
	    "firmware", inventory_firmware_name(h->firmware),
	    "answerfile_url", api_json_str_or_null(url)));
out:
	util_wipe(token, sizeof(token));
	if (url != NULL) {
		util_wipe(url, strlen(url));
		free(url);
	}
	free(pxe);
	free(grub);
}

static void
api_disarm(const struct api_deps *deps, const struct host *h,
    struct api_response *rs)
{
	char msg[512];
	enum arm_status as;

	if (api_site_forward(deps, h, "disarm", 0, rs))
		return;
	msg[0] = '\0';
	as = arm_disarm(deps->arm, h->name, msg, sizeof(msg));
	if (as != ARM_OK) {
		api_json_error(rs, api_arm_http_status(as), "%s",
		    msg[0] ? msg : "disarming failed (see the server log)");
		return;
	}
	api_host(deps, h, rs);
}

struct api_events_ctx {
	json_t	*arr;
	int64_t	 last_id;
	int	 n;
	int	 failed;
};

static int
api_event_cb(const struct event *ev, void *arg)
{
	struct api_events_ctx *c = arg;
	char iso[32];
	json_t *o;

	util_iso8601(ev->ts, iso);
	o = json_pack("{s:I,s:I,s:s,s:o,s:o,s:o,s:o}",
	    "id", (json_int_t)ev->id,
	    "ts", (json_int_t)ev->ts * 1000,	/* ms, like every time */
	    "time", iso,
	    "host", api_json_str_or_null(ev->host),
	    "pool", api_json_str_or_null(ev->pool),
	    "kind", api_json_str(ev->kind),
	    "message", api_json_str(ev->message));
	if (o == NULL || json_array_append_new(c->arr, o) == -1) {
		c->failed = 1;
		return 1;
	}
	c->last_id = ev->id;
	c->n++;
	return 0;
}

static void
api_events(const struct api_deps *deps, const struct api_request *rq,
    struct api_response *rs)
{
	struct api_events_ctx c = { NULL, 0, 0, 0 };
	struct event_query q;
	int64_t since = 0, before = 0, limit = 100;
	const char *host, *pool;

	if (api_json_query_int(rq, "since", 0, INT64_MAX, &since, rs) == -1 ||
	    api_json_query_int(rq, "before", 1, INT64_MAX, &before, rs) == -1 ||
	    api_json_query_int(rq, "limit", 1, 1000, &limit, rs) == -1)
		return;
	host = rq->query ? rq->query(rq->qctx, "host") : NULL;
	pool = rq->query ? rq->query(rq->qctx, "pool") : NULL;
	memset(&q, 0, sizeof(q));
	q.host = (host != NULL && host[0] != '\0') ? host : NULL;
	q.pool = (pool != NULL && pool[0] != '\0') ? pool : NULL;
	q.since = since / 1000;		/* ms, like ts; the store has s */
	q.before_id = before;
	q.limit = (int)limit;
	if ((c.arr = json_array()) == NULL) {
		api_json_error(rs, 500, "out of memory");
		return;
	}
	if (store_events(deps->st, &q, api_event_cb, &c) == -1 || c.failed) {
		json_decref(c.arr);
		api_json_error(rs, 500, "state database error (see the server log)");
		return;
	}
	/* a full page means there may be older events: say where to go on */
	api_json_set(rs, 200, json_pack("{s:o,s:o}", "events", c.arr,
	    "next_before", c.n == q.limit && c.n > 0 ?
	    json_integer((json_int_t)c.last_id) : json_null()));
}

/* Splits path into non-empty segments in buf. -1 when there are too many
 * or it is too long. */
static int
api_split(const char *path, char *buf, size_t buflen, char **segs,
    size_t *nsegs)
{
	char *save = NULL, *tok;

	*nsegs = 0;
	if (snprintf(buf, buflen, "%s", path) >= (int)buflen)
		return -1;
	for (tok = strtok_r(buf, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if (*nsegs == API_MAX_SEGS)
			return -1;
		segs[(*nsegs)++] = tok;
	}
	return 0;
}

int
api_is_slow(const char *method, const char *path)
{
	char buf[512], *segs[API_MAX_SEGS];
	size_t n;

	if (method == NULL || path == NULL || strcmp(method, "POST") != 0 ||
	    api_split(path, buf, sizeof(buf), segs, &n) == -1)
		return 0;
	if (n == 1 && strcmp(segs[0], "reload") == 0)
		return 1;	/* files, repos, dnsmasq --test */
	return n == 3 && strcmp(segs[0], "pools") == 0 &&
	    (strcmp(segs[2], "precheck") == 0 ||
	    strcmp(segs[2], "upgrade") == 0 || strcmp(segs[2], "retry") == 0 ||
	    strcmp(segs[2], "abort") == 0);
}

/* api_handle in deps->cfg. */
static void
api_route(const struct api_deps *deps, const struct api_request *rq,
    struct api_response *rs)
{
	char buf[512], *segs[API_MAX_SEGS];
	const struct host *h = NULL;
	const char *m = rq->method ? rq->method : "";
	size_t n;
	int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;

	rs->status = 500;
	rs->body = NULL;
	if (rq->path == NULL ||
	    api_split(rq->path, buf, sizeof(buf), segs, &n) == -1) {
		api_json_error(rs, 404, "no such API endpoint");
		return;
	}
	if (n >= 1 && strcmp(segs[0], "hosts") == 0) {
		if (n >= 2) {
			if (n > 3 || (n == 3 && strcmp(segs[2], "arm") != 0 &&
			    strcmp(segs[2], "disarm") != 0 &&
			    strcmp(segs[2], "rebuild") != 0 &&
			    strcmp(segs[2], "install") != 0)) {
				api_json_error(rs, 404, "no such API endpoint");
				return;
			}
			if (!util_valid_name(segs[1]) ||
			    (h = config_host(deps->cfg, segs[1])) == NULL) {
				api_json_error(rs, 404, "no host named \"%.64s\" in "
				    "the inventory", segs[1]);
				return;
			}
		}
		if (n <= 2 && !get) {
			api_json_error(rs, 405, "method %.16s not allowed here "
			    "(use GET)", m);
			return;
		}
		if (n == 3 && !post) {
			api_json_error(rs, 405, "method %.16s not allowed here "
			    "(use POST)", m);
			return;
		}
		if (n == 1)
			api_hosts_list(deps, rs);
		else if (n == 2)
			api_host(deps, h, rs);
		else if (strcmp(segs[2], "arm") == 0)
			api_arm(deps, rq, h, rs);
		else if (strcmp(segs[2], "rebuild") == 0 ||
		    strcmp(segs[2], "install") == 0)
			api_job_start(deps, rq, h, segs[2], rs);
		else
			api_disarm(deps, h, rs);
		return;
	}
	if (n >= 1 && strcmp(segs[0], "pools") == 0) {
		api_pool_handle(deps, rq, segs, n, rs);
		return;
	}
	if (n >= 1 && strcmp(segs[0], "jobs") == 0) {
		api_job_handle(deps, rq, segs, n, rs);
		return;
	}
	if (n == 1 && strcmp(segs[0], "sites") == 0) {
		if (!get) {
			api_json_error(rs, 405, "method %.16s not allowed here "
			    "(use GET)", rq->method ? rq->method : "");
			return;
		}
		api_sites_get(deps, rs);
		return;
	}
	if (n >= 1 && strcmp(segs[0], "site-actions") == 0) {
		api_site_actions_handle(deps, rq, segs, n, rs);
		return;
	}
	if (n == 1 && strcmp(segs[0], "audit") == 0) {
		api_audit_handle(deps, rq, rs);
		return;
	}
	if (n == 1 && strcmp(segs[0], "reload") == 0) {
		api_reload_handle(deps, rq, rs);
		return;
	}
	if (n == 1 && strcmp(segs[0], "whoami") == 0) {
		api_whoami_handle(rq, rs);
		return;
	}
	if (n == 1 && strcmp(segs[0], "events") == 0) {
		if (!get) {
			api_json_error(rs, 405, "method %.16s not allowed here "
			    "(use GET)", m);
			return;
		}
		api_events(deps, rq, rs);
		return;
	}
	api_json_error(rs, 404, "no such API endpoint");
}

void
api_handle(const struct api_deps *deps, const struct api_request *rq,
    struct api_response *rs)
{
	struct api_deps d = *deps;

	if (deps->live != NULL)
		d.cfg = config_live_get(deps->live);
	api_route(&d, rq, rs);
	config_live_put(deps->live, d.cfg);
}
