/* store_audit.h — the audit log in the store (store_audit.c): one row per
 * admin action (every POST of the admin API, refused ones too, and what
 * audit_record is told of from elsewhere, e.g. a reload by SIGHUP). Rows
 * are only ever added; audit.h is the module that writes them (and the
 * log line). store.h includes this header. Every function returns 0 on
 * success and -1 on a database error (logged with the "store" tag).
 */
#ifndef POOLBOOT_STORE_AUDIT_H
#define POOLBOOT_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* One entry. Text fields are truncated to their size; none ever holds a
 * token or a password (audit.c scrubs them before they are stored). */
struct audit_entry {
	int64_t	 id;
	int64_t	 time_ms;		/* when it was answered, ms since epoch */
	char	 client[64];		/* the client's address, "signal", "-" */
	char	 token[64];		/* the token's name; "-" none or wrong */
	char	 action[32];		/* "arm", "upgrade", "reload", ... */
	char	 target[96];		/* "host:NAME", "pool:NAME", "job:ID", "" */
	char	 method[16];		/* "POST", ...; "" when not over HTTP */
	char	 path[256];		/* after /api/v1; "" when not over HTTP */
	int	 status;		/* the HTTP status answered */
	char	 result[512];		/* short result or error text */
};

/* Which entries store_audit_list reads; 0 or NULL: no filter. */
struct audit_query {
	int64_t	 since_ms;		/* time_ms >= since_ms */
	int64_t	 before_id;		/* id < before_id (paging) */
	const char *token;		/* this token name */
	const char *host;		/* target host:NAME */
	const char *pool;		/* target pool:NAME */
	int	 limit;			/* at most (1..1000; 0: 100) */
};

/* Appends e (e->id ignored); *id_out (may be NULL) gets its id. */
int   store_audit_add(struct store *st, const struct audit_entry *e,
	    int64_t *id_out);
/* The entries q selects, newest first, in *out (caller frees; NULL when
 * none) and *n. */
int   store_audit_list(struct store *st, const struct audit_query *q,
	    struct audit_entry **out, size_t *n);

#endif
