/* api_site_exec.c — an action of another instance's queue carried out
 * through this instance's API; see api_site_exec.h. */
#include "api_site_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_types.h"
#include "site_queue.h"
#include "store_site_action.h"

/* What an accepted answer doc says, in a few words, into buf. */
static void
api_site_exec_summary(json_t *doc, char *buf, size_t size)
{
	json_t *run = json_object_get(doc, "run");
	const char *st = json_string_value(json_object_get(doc, "state"));

	if (json_is_true(json_object_get(doc, "started")))
		snprintf(buf, size, "run %lld started", (long long)
		    json_integer_value(run));
	else if (json_is_integer(run))
		snprintf(buf, size, "run %lld is %s",
		    (long long)json_integer_value(run), st ? st : "?");
	else if (json_is_string(json_object_get(doc, "kind")))
		snprintf(buf, size, "%s job %lld is %s", json_string_value(
		    json_object_get(doc, "kind")), (long long)json_integer_value(
		    json_object_get(doc, "id")), st ? st : "?");
	else
		snprintf(buf, size, "done");
}

/* The request a stands for: 0 with path and body, -1 unknown action. */
static int
api_site_exec_request(const struct site_action *a, char *path, size_t size,
    const char **body)
{
	*body = "{}";
	if (site_queue_is_pool_action(a->action)) {
		snprintf(path, size, "/pools/%s/%s", a->target, a->action);
		if (a->args[0] != '\0')
			*body = a->args;
	} else if (strcmp(a->action, "rebuild") == 0 ||
	    strcmp(a->action, "install") == 0) {
		snprintf(path, size, "/hosts/%s/%s", a->target, a->action);
		if (strcmp(a->args, "wipe") == 0)
			*body = "{\"wipe\": true}";
	} else if (strcmp(a->action, "job-retry") == 0 ||
	    strcmp(a->action, "job-abort") == 0)
		snprintf(path, size, "/jobs/%lld/%s", strtoll(a->args, NULL,
		    10), a->action + 4);
	else
		return -1;
	return 0;
}

int
api_site_exec_run(void *arg, const struct site_action *a, char *result,
    size_t size)
{
	const struct api_deps *deps = arg;
	struct api_request rq;
	struct api_response rs = { 500, NULL };
	char path[256], what[256];
	const char *err;
	json_t *doc = NULL;

	memset(&rq, 0, sizeof(rq));
	if (api_site_exec_request(a, path, sizeof(path), &rq.body) == -1) {
		snprintf(result, size, "refused: unknown action '%s'",
		    a->action);
		return 400;
	}
	rq.method = "POST";
	rq.path = path;
	rq.body_len = strlen(rq.body);
	rq.token = "site-queue";
	rq.role = "admin";
	api_handle(deps, &rq, &rs);
	if (rs.body != NULL)
		doc = json_loads(rs.body, 0, NULL);
	free(rs.body);
	if (rs.status / 100 == 2) {
		api_site_exec_summary(doc, what, sizeof(what));
		snprintf(result, size, "ok: %s", what);
	} else {
		err = json_string_value(json_object_get(doc, "error"));
		snprintf(result, size, "refused: %s", err ? err :
		    "see the log of the site's instance");
	}
	json_decref(doc);
	return rs.status;
}
