/* audit.h — the audit log: who did what, answered how. Every admin action
 * (each POST of the admin API, refused ones too: http_audit.c; and
 * actions that do not come over HTTP, e.g. a reload by SIGHUP) becomes
 * one row of the store's audit table (store_audit.h, read back by GET
 * /api/v1/audit) and one log line tagged "audit" (stderr, or syslog and
 * the journal under serve --syslog):
 *   audit: CLIENT token=NAME METHOD PATH ACTION TARGET -> STATUS RESULT
 * Neither ever holds a token or a password: the texts come from the
 * request line and the API's answers, never from a header or a body
 * sent, and every run of 32 or more hex digits in them is written "***"
 * (the tokens poolboot makes, an installer's token in a URL, a hash),
 * whatever the caller passed.
 */
#ifndef POOLBOOT_AUDIT_H
#define POOLBOOT_AUDIT_H

#include <stdint.h>

#include "store.h"

/* Records one action that did not come over HTTP (method and path
 * empty): time_ms (ms since the epoch; 0: now), client (e.g. "signal"),
 * token (a token's name, "-" for none), action (e.g. "reload"), target
 * ("host:NAME", "pool:NAME", "job:ID" or ""), status (an HTTP-like
 * status: 200 done, 4xx refused, 500 failed) and result (a short text).
 * NULL strings read as "". Logs the line even when the store fails
 * (st may be NULL: the log line only). 0, or -1 when the store failed
 * (logged). Thread-safe. */
int   audit_record(struct store *st, int64_t time_ms, const char *client,
	    const char *token, const char *action, const char *target,
	    int status, const char *result);

/* The same for a whole entry (e->id ignored; e->time_ms 0: now). The
 * texts are scrubbed (see above) in a copy before they are stored and
 * logged. */
int   audit_add(struct store *st, const struct audit_entry *e);

/* Writes "***" over every run of 32 or more hex digits in s (in place; s
 * stays NUL-terminated and only shrinks). */
void  audit_scrub(char *s);

#endif
