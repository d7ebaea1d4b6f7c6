/* xapi.h — a XAPI client over XML-RPC (libcurl for the transport): login
 * with the 4- then 3-argument session.login_with_password, re-login on
 * SESSION_INVALID, HOST_IS_SLAVE followed to the master, bounded replies,
 * timeouts, TLS verified with a CA file or a SHA-256 certificate pin, task
 * following, event.from, and the pool database dump.
 *
 * The public face of the client is this one header; behind it are xapi.c
 * (the libcurl transport, TLS pinning, sessions, calls, event.from, the
 * database dump), xapi_task.c (xapi_task_wait), xapi_pin.c (the pin's
 * parsing and hashing) and xapi_error.c (struct xapi_error, included
 * from here).
 *
 * A struct xapi is used by one thread at a time (each coordinator has its
 * own). Every call fills a struct xapi_error on failure: either a XAPI
 * error (code + params, e.g. HOST_OFFLINE [ref]) or a transport failure
 * (transport = 1: connection refused, timeout, TLS, malformed reply), which
 * callers treat as "the master may be down: back off and retry".
 */
#ifndef POOLBOOT_XAPI_H
#define POOLBOOT_XAPI_H

#include <stddef.h>
#include <stdint.h>

#include "xapi_error.h"
#include "xmlrpc.h"

struct xapi_conf {
	const char *url;		/* https://master[:port] */
	const char *username;
	const char *password;
	const char *tls_ca;		/* NULL: system CAs */
	const char *tls_fingerprint;	/* SHA-256 of the DER cert, hex, ':' ok */
	int	    tls_verify;		/* 0: no verification (warned at config) */
	long	    connect_timeout_ms;	/* default 5000 */
	long	    timeout_ms;		/* per call, default 60000 */
	size_t	    max_reply;		/* default 64 MiB */
	const char *originator;		/* default "poolboot" */
	int	    stay;		/* 1: talk to this host only; its
					 * HOST_IS_SLAVE is the caller's
					 * answer, never followed */
	int	    local;		/* 1: log in with
					 * session.slave_local_login_with_password
					 * (a member's own emergency-mode
					 * session, good on this host only;
					 * implies stay) */
};

/* The code of the transport failure (transport = 1) whose peer showed a
 * TLS certificate other than tls_fingerprint; params[0] is the SHA-256 it
 * showed ("AB:CD:..."). No byte of the request was sent. */
#define XAPI_PIN_MISMATCH	"TLS_CERTIFICATE_MISMATCH"


struct xapi;

/* Copies conf (strings too). No network traffic yet. 0, or -1 on a bad
 * URL or fingerprint (logged) or out of memory. Caller frees with
 * xapi_free. */
int   xapi_new(const struct xapi_conf *conf, struct xapi **out);
void  xapi_free(struct xapi *x);	/* logs out if logged in; NULL ok */

/* Logs in (if not already). Follows HOST_IS_SLAVE to the named master
 * (xapi_url() then says where the master is), unless conf.stay. 0/-1. */
int   xapi_login(struct xapi *x, struct xapi_error *err);
/* The URL currently used (the master's after HOST_IS_SLAVE). */
const char *xapi_url(const struct xapi *x);
/* Forgets the session (e.g. after the master rebooted). */
void  xapi_reset(struct xapi *x);

/* Calls method with the session as first argument followed by args
 * (ownership of args stays with the caller). Logs in first if needed; on
 * SESSION_INVALID logs in again and retries once; on HOST_IS_SLAVE moves
 * to the master and retries once (not with conf.stay). On success *result is the Value (caller
 * xr_free()s), which may be NULL when result == NULL is passed. */
int   xapi_call(struct xapi *x, const char *method,
	    struct xr_value *const *args, size_t nargs,
	    struct xr_value **result, struct xapi_error *err);
/* Convenience: up to three string arguments (NULL ends the list). */
int   xapi_call_s(struct xapi *x, const char *method, struct xr_value **result,
	    struct xapi_error *err, const char *a1, const char *a2,
	    const char *a3);

/* Follows a task until it is no longer pending (polling task.get_status
 * every poll_ms, at most timeout_s seconds), then fetches the result or
 * the error info and destroys the task. 0 success (*result = the task's
 * result string, may be NULL if result == NULL), -1 failure/timeout
 * (err->code "TASK_TIMEOUT" on timeout, else the task's error code). */
int   xapi_task_wait(struct xapi *x, const char *task, int timeout_s,
	    int poll_ms, char **result, struct xapi_error *err);

/* event.from(classes, token, timeout): waits up to timeout_s for changes.
 * *token is updated (caller frees the old and new with free()). 0/-1;
 * EVENTS_LOST / SESSION_INVALID come back as errors for the caller to
 * restart with an empty token. */
int   xapi_event_from(struct xapi *x, const char *const *classes,
	    char **token, double timeout_s, struct xr_value **events,
	    struct xapi_error *err);

/* HTTP GET /pool/xmldbdump?session_id=... from the master into path
 * (atomically). 0/-1. */
int   xapi_dump_db(struct xapi *x, const char *path, struct xapi_error *err);

/* Time limits. A call that gets no answer within its timeout (conf's
 * timeout_ms, or a deadline's rest) fails as a transport error "XAPI at
 * URL did not answer METHOD within N s". xapi_deadline_ms: the
 * monotonic time budget_ms from now. xapi_set_deadline: no later call of
 * x ends after at (0: no deadline); one that would start after it fails
 * at once. xapi_timed_out: 1 when x's last call failed for want of time
 * (then callers say XAPI is slow, HTTP 504), else 0. */
int64_t xapi_deadline_ms(long budget_ms);
void  xapi_set_deadline(struct xapi *x, int64_t at);
int   xapi_timed_out(const struct xapi *x);

/* Formats err for the operator: "HOST_OFFLINE [OpaqueRef:...]". */
const char *xapi_strerror(const struct xapi_error *err);

#endif
