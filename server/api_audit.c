/* api_audit.c — GET /api/v1/audit and the description of a request for
 * its audit entry; see api_audit.h. */
#include "api_audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_json.h"
#include "util.h"

#define API_AUDIT_SEGS	4

/* A text query parameter: NULL when absent or "". */
static const char *
api_audit_str(const struct api_request *rq, const char *key)
{
	const char *s = rq->query ? rq->query(rq->qctx, key) : NULL;

	return s != NULL && s[0] != '\0' ? s : NULL;
}

static json_t *
api_audit_json(const struct audit_entry *e)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:o}",
	    "id", (json_int_t)e->id,
	    "time", (json_int_t)e->time_ms,
	    "client", api_json_str(e->client),
	    "token", api_json_str(e->token),
	    "action", api_json_str(e->action),
	    "target", api_json_str(e->target),
	    "method", api_json_str(e->method),
	    "path", api_json_str(e->path),
	    "status", e->status,
	    "result", api_json_str(e->result));
}

void
api_audit_handle(const struct api_deps *deps, const struct api_request *rq,
    struct api_response *rs)
{
	struct audit_query q;
	struct audit_entry *v = NULL;
	int64_t since = 0, before = 0, limit = 100;
	json_t *arr, *o;
	size_t n = 0, i;

	if (rq->method == NULL || strcmp(rq->method, "GET") != 0) {
		api_json_error(rs, 405, "method %.16s not allowed here (use GET)",
		    rq->method ? rq->method : "");
		return;
	}
	if (api_json_query_int(rq, "since", 0, INT64_MAX, &since, rs) == -1 ||
	    api_json_query_int(rq, "before", 1, INT64_MAX, &before, rs) == -1 ||
	    api_json_query_int(rq, "limit", 1, 1000, &limit, rs) == -1)
		return;
	memset(&q, 0, sizeof(q));
	q.since_ms = since;
	q.before_id = before;
	q.limit = (int)limit;
	q.token = api_audit_str(rq, "token");
	q.host = api_audit_str(rq, "host");
	q.pool = api_audit_str(rq, "pool");
	if (store_audit_list(deps->st, &q, &v, &n) == -1) {
		api_json_error(rs, 500, "state database error (see the server "
		    "log)");
		return;
	}
	if ((arr = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if ((o = api_audit_json(&v[i])) == NULL ||
		    json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			goto oom;
		}
	/* a full page: there may be older entries, from next_before on */
	api_json_set(rs, 200, json_pack("{s:o, s:o}", "audit", arr,
	    "next_before", n == (size_t)q.limit && n > 0 ?
	    json_integer((json_int_t)v[n - 1].id) : json_null()));
	free(v);
	return;
oom:
	free(v);
	api_json_error(rs, 500, "out of memory");
}

/* ---- describing a request ------------------------------------------------ */

/* The action and target of path (after /api/v1). */
static void
api_audit_path(const char *path, struct audit_entry *e)
{
	char buf[256], *segs[API_AUDIT_SEGS], *save = NULL, *tok;
	size_t n = 0;

	util_strlcpy(buf, sizeof(buf), path);
	for (tok = strtok_r(buf, "/", &save); tok != NULL && n <
	    API_AUDIT_SEGS; tok = strtok_r(NULL, "/", &save))
		segs[n++] = tok;
	if (n == 3 && (strcmp(segs[0], "hosts") == 0 ||
	    strcmp(segs[0], "pools") == 0 || strcmp(segs[0], "jobs") == 0)) {
		/* host:NAME, pool:NAME, job:ID */
		snprintf(e->target, sizeof(e->target), "%.*s:%s",
		    (int)strlen(segs[0]) - 1, segs[0], segs[1]);
		util_strlcpy(e->action, sizeof(e->action), segs[2]);
	} else if (n > 0)
		util_strlcpy(e->action, sizeof(e->action), segs[n - 1]);
	else
		util_strlcpy(e->action, sizeof(e->action), "-");
}

/* What an answer without a body (or whose body says nothing) means. */
static const char *
api_audit_status_text(int status)
{
	switch (status) {
	case 0:
		return "no answer (the client went away)";
	case 401:
		return "missing or wrong admin token";
	case 403:
		return "forbidden";
	case 404:
		return "not found";
	case 405:
		return "method not allowed";
	case 413:
		return "request body too large";
	case 503:
		return "busy or shutting down; not done";
	default:
		return status >= 200 && status < 300 ? "ok" : "failed";
	}
}

/* The result of a JSON answer doc into e->result. */
static void
api_audit_result(json_t *doc, struct audit_entry *e)
{
	json_t *v;
	size_t len = 0;
	int n;

	e->result[0] = '\0';
	if (json_is_string(v = json_object_get(doc, "error"))) {
		util_strlcpy(e->result, sizeof(e->result), json_string_value(v));
		return;
	}
#define API_AUDIT_ADD(...) do {						\
	n = snprintf(e->result + len, sizeof(e->result) - len, "%s",	\
	    len > 0 ? ", " : "");					\
	if (n > 0 && (size_t)n < sizeof(e->result) - len)		\
		len += (size_t)n;					\
	n = snprintf(e->result + len, sizeof(e->result) - len, __VA_ARGS__); \
	if (n > 0 && (size_t)n < sizeof(e->result) - len)		\
		len += (size_t)n;					\
} while (0)
	if (json_is_integer(v = json_object_get(doc, "run")))
		API_AUDIT_ADD("run %" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_integer(v = json_object_get(doc, "id")) &&
	    json_is_string(json_object_get(doc, "kind")))
		API_AUDIT_ADD("job %" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_boolean(v = json_object_get(doc, "ok")))
		API_AUDIT_ADD("prechecks %s", json_is_true(v) ? "passed" :
		    "failed");
	if (json_is_string(v = json_object_get(doc, "state")))
		API_AUDIT_ADD("state %.32s", json_string_value(v));
	/* another site's: queued for its instance (api_site.h) */
	if (json_is_integer(v = json_object_get(doc, "queued")) &&
	    json_is_string(json_object_get(doc, "site")))
		API_AUDIT_ADD("queued for site %.63s (action %"
		    JSON_INTEGER_FORMAT ")", json_string_value(json_object_get(
		    doc, "site")), json_integer_value(v));
#undef API_AUDIT_ADD
}

void
api_audit_describe(const char *method, const char *path, int status,
    const char *body, struct audit_entry *e)
{
	json_t *doc = NULL;

	util_strlcpy(e->method, sizeof(e->method), method);
	util_strlcpy(e->path, sizeof(e->path), path);
	e->status = status;
	e->action[0] = e->target[0] = e->result[0] = '\0';
	api_audit_path(path != NULL ? path : "", e);
	if (body != NULL && (doc = json_loads(body, 0, NULL)) != NULL &&
	    json_is_object(doc))
		api_audit_result(doc, e);
	json_decref(doc);
	if (e->result[0] == '\0')
		util_strlcpy(e->result, sizeof(e->result),
		    api_audit_status_text(status));
}
