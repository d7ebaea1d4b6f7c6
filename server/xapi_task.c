/* xapi_task.c — following a XAPI task to its end: xapi_task_wait, whose
 * contract is in xapi.h (the public face of the XAPI client stays one
 * header). Built on xapi_call_s; no transport of its own. */
#include "xapi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"
#include "xapi_error.h"

#define XAPI_TASK_BACKOFF_MAX_MS 5000	/* polling after transport errors */

static void
xapi_task_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
xapi_task_wait(struct xapi *x, const char *task, int timeout_s, int poll_ms,
    char **result, struct xapi_error *err)
{
	struct xr_value *v = NULL;
	struct xapi_error e2;
	int64_t deadline, now;
	const char *st;
	long backoff, left;
	int ret = -1, gone = 0;

	if (result != NULL)
		*result = NULL;
	memset(err, 0, sizeof(*err));
	if (poll_ms <= 0)
		poll_ms = 1000;
	backoff = poll_ms;
	deadline = util_now_ms() + (int64_t)(timeout_s > 0 ? timeout_s : 0) *
	    1000;
	for (;;) {
		xr_free(v);
		v = NULL;
		if (xapi_call_s(x, "task.get_status", &v, err, task, NULL,
		    NULL) == -1) {
			if (!err->transport) {
				gone = 1;	/* HANDLE_INVALID etc. */
				goto out;
			}
			/* the master may be briefly away: back off, retry */
			now = util_now_ms();
			if (now >= deadline)
				goto timeout;
			left = (long)(deadline - now);
			xapi_task_sleep_ms(backoff < left ? backoff : left);
			backoff = backoff * 2 > XAPI_TASK_BACKOFF_MAX_MS ?
			    XAPI_TASK_BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		backoff = poll_ms;
		if ((st = xr_str(v)) == NULL) {
			xapi_error_set(err, 1, "task.get_status of %s: not a "
			    "string", task);
			goto out;
		}
		if (strcmp(st, "pending") == 0 ||
		    strcmp(st, "cancelling") == 0) {
			now = util_now_ms();
			if (now >= deadline)
				goto timeout;
			left = (long)(deadline - now);
			xapi_task_sleep_ms(poll_ms < left ? poll_ms : left);
			continue;
		}
		break;
	}
	if (strcmp(st, "success") == 0) {
		xr_free(v);
		v = NULL;
		if (xapi_call_s(x, "task.get_result", &v, err, task, NULL,
		    NULL) == -1)
			goto out;
		if (result != NULL && (*result = strdup(xr_str(v) ? xr_str(v) :
		    "")) == NULL) {
			xapi_error_set(err, 1, "out of memory");
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (strcmp(st, "failure") == 0 || strcmp(st, "cancelled") == 0) {
		int cancelled = st[0] == 'c';

		xr_free(v);
		v = NULL;
		if (xapi_call_s(x, "task.get_error_info", &v, err, task, NULL,
		    NULL) == -1)
			goto out;
		if (cancelled && (v == NULL || v->type != XR_ARRAY ||
		    v->n == 0))
			xapi_error_set_code(err, "TASK_CANCELLED", task);
		else
			xapi_error_fill(err, v);
		goto out;
	}
	xapi_error_set(err, 1, "task %s has unknown status \"%.40s\"", task,
	    st);
	goto out;
timeout:
	xapi_error_set_code(err, "TASK_TIMEOUT", task);
	log_warn("xapi", "task %s still pending after %d s; cancelling it",
	    task, timeout_s);
	(void)xapi_call_s(x, "task.cancel", NULL, &e2, task, NULL, NULL);
out:
	if (!gone)
		(void)xapi_call_s(x, "task.destroy", NULL, &e2, task, NULL,
		    NULL);
	xr_free(v);
	return ret;
}
