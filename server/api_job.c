/* api_job.c — the rebuild and install endpoints of the admin API (/jobs,
 * /hosts/H/rebuild|install); see api.h. The jobs (job.h) answer with an
 * enum jobs_result, job records and a reason; this file alone turns them
 * into status codes and JSON: a job is
 *   {"id", "host", "kind", "pool", "state", "step", "created_at",
 *    "updated_at", "step_started_at", "finished_at", "error", "message",
 *    "step_ms", "attempts"}
 * in that order, a list is {"jobs": [job, ...]}, a refusal {"error": reason};
 * all indented by 2 and without a trailing newline.
 */
#include "api_job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_json.h"
#include "api_site.h"
#include "api_types.h"
#include "job.h"

/* The status code of each result. */
static int
api_job_status(enum jobs_result r)
{
	switch (r) {
	case JOBS_OK:		return 200;
	case JOBS_ACCEPTED:	return 202;
	case JOBS_NOT_FOUND:	return 404;
	case JOBS_CONFLICT:	return 409;
	case JOBS_ERROR:
	default:		return 500;
	}
}

static json_t *
api_job_json(const struct job *j)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
	    "s:s, s:s, s:s, s:i}", "id", (json_int_t)j->id, "host", j->host,
	    "kind", j->kind, "pool", j->pool, "state", j->state, "step", j->step,
	    "created_at", (json_int_t)j->created_at, "updated_at",
	    (json_int_t)j->updated_at, "step_started_at",
	    (json_int_t)j->step_started_at, "finished_at",
	    (json_int_t)j->finished_at, "error", j->error, "message", j->message,
	    "step_ms", j->step_ms, "attempts", j->attempts);
}

/* Sets rs to status and doc serialised (takes doc's reference). A doc
 * that cannot be built or serialised leaves rs->body NULL (the HTTP layer
 * answers 500). */
static void
api_job_dump(struct api_response *rs, int status, json_t *doc)
{
	rs->status = status;
	rs->body = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
}

/* Sets rs to the answer of r: the job on success, else {"error": err}. */
static void
api_job_answer(struct api_response *rs, enum jobs_result r,
    const struct job *j, const char *err)
{
	json_t *o;

	if (r == JOBS_OK || r == JOBS_ACCEPTED) {
		api_job_dump(rs, api_job_status(r), api_job_json(j));
		return;
	}
	o = json_pack("{s:s}", "error", err);
	rs->status = api_job_status(r);
	rs->body = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
}

static void
api_job_list(const struct api_deps *deps, struct api_response *rs)
{
	struct job *v = NULL;
	char err[1024];
	enum jobs_result r;
	json_t *arr;
	size_t n = 0, i;

	if ((r = jobs_list(deps->jobs, &v, &n, err, sizeof(err))) != JOBS_OK) {
		api_job_answer(rs, r, NULL, err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, api_job_json(&v[i]));
	free(v);
	api_job_dump(rs, 200, json_pack("{s:o}", "jobs", arr));
}

/* POST /hosts/H/rebuild|install {"wipe": true} */
void
api_job_start(const struct api_deps *deps, const struct api_request *rq,
    const struct host *h, const char *kind, struct api_response *rs)
{
	struct job j;
	char err[1024];
	enum jobs_result r;
	int wipe;

	if (deps->jobs == NULL) {
		api_json_error(rs, 503, "rebuild and install are not available");
		return;
	}
	if (api_json_wipe_body(rq, &wipe, rs) == -1 ||
	    api_site_forward(deps, h, kind, wipe, rs))
		return;
	r = jobs_start(deps->jobs, h->name, kind, wipe, &j, err, sizeof(err));
	api_job_answer(rs, r, &j, err);
}

/* /jobs, /jobs/ID, /jobs/ID/retry|abort */
void
api_job_handle(const struct api_deps *deps, const struct api_request *rq,
    char **segs, size_t n, struct api_response *rs)
{
	const char *m = rq->method ? rq->method : "";
	char err[1024], *end;
	enum jobs_result r;
	long long id = 0;
	struct job j;

	if (deps->jobs == NULL) {
		api_json_error(rs, 503, "rebuild and install are not available");
		return;
	}
	if (n >= 2) {
		errno = 0;
		id = strtoll(segs[1], &end, 10);
		if (errno != 0 || *end != '\0' || id <= 0) {
			api_json_error(rs, 404, "no job \"%.32s\"", segs[1]);
			return;
		}
	}
	if (n <= 2) {
		if (strcmp(m, "GET") != 0) {
			api_json_error(rs, 405, "method %.16s not allowed here (use "
			    "GET)", m);
			return;
		}
		if (n == 1) {
			api_job_list(deps, rs);
			return;
		}
		r = jobs_get(deps->jobs, (int64_t)id, &j, err, sizeof(err));
	} else if (n == 3 && (strcmp(segs[2], "retry") == 0 ||
	    strcmp(segs[2], "abort") == 0)) {
		if (strcmp(m, "POST") != 0) {
			api_json_error(rs, 405, "method %.16s not allowed here (use "
			    "POST)", m);
			return;
		}
		/* another site's job: its instance retries or aborts it */
		if (jobs_get(deps->jobs, (int64_t)id, &j, err, sizeof(err)) ==
		    JOBS_OK && api_site_forward_job(deps, j.host, (int64_t)id,
		    segs[2], rs))
			return;
		r = strcmp(segs[2], "retry") == 0 ?
		    jobs_retry(deps->jobs, (int64_t)id, &j, err, sizeof(err)) :
		    jobs_abort(deps->jobs, (int64_t)id, &j, err, sizeof(err));
	} else {
		api_json_error(rs, 404, "no such API endpoint");
		return;
	}
	api_job_answer(rs, r, &j, err);
}
