/* store_hosts.c — many hosts' status and active arming at once; see
 * store_hosts.h. SQL through store_db.h, the same statements as
 * store.c's S_HOST_GET, S_EVENT_LAST and S_ARMING_ACTIVE. */
#include "store_hosts.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store_db.h"

enum store_hosts_stmt { SH_HOST, SH_EVENT, SH_ARMING, SH_COUNT };

static const char *const store_hosts_sql[SH_COUNT] = {
	[SH_HOST] = "SELECT state, mode, updated_at FROM hosts WHERE name = ?1",
	[SH_EVENT] = "SELECT kind, message, ts FROM events WHERE host = ?1"
	    " ORDER BY id DESC LIMIT 1",
	[SH_ARMING] = "SELECT " STORE_ARMING_COLS " FROM armings"
	    " WHERE host = ?1 AND active = 1",
};

/* hs for host as store_host_status fills it: 0/-1. */
static int
store_hosts_one(struct store *st, struct store_stmt **s, const char *host,
    struct host_status *hs)
{
	char state[32], kind[64], msg[512];
	enum store_db_step rc;

	memset(hs, 0, sizeof(*hs));
	snprintf(hs->host, sizeof(hs->host), "%s", host);
	hs->state = HOST_IDLE;
	store_db_reset(s[SH_HOST]);
	store_db_bind_text(s[SH_HOST], 1, host);
	if ((rc = store_db_step(s[SH_HOST])) == STORE_DB_ROW) {
		store_db_col_text(s[SH_HOST], 0, state, sizeof(state));
		store_db_col_text(s[SH_HOST], 1, hs->mode, sizeof(hs->mode));
		hs->updated_at = store_db_col_int64(s[SH_HOST], 2);
		if (state_host_parse(state, &hs->state) == -1) {
			log_error("store", "host %s has an unknown state "
			    "\"%s\"", host, state);
			return -1;
		}
	} else if (rc != STORE_DB_DONE) {
		store_db_err(st, "host status");
		return -1;
	}
	store_db_reset(s[SH_EVENT]);
	store_db_bind_text(s[SH_EVENT], 1, host);
	if ((rc = store_db_step(s[SH_EVENT])) == STORE_DB_ROW) {
		store_db_col_text(s[SH_EVENT], 0, kind, sizeof(kind));
		store_db_col_text(s[SH_EVENT], 1, msg, sizeof(msg));
		/* cut to fit, as store_host_status does */
		if (snprintf(hs->last_event, sizeof(hs->last_event), "%s: %s",
		    kind, msg) < 0)
			hs->last_event[0] = '\0';
		hs->last_event_at = store_db_col_int64(s[SH_EVENT], 2);
	} else if (rc != STORE_DB_DONE) {
		store_db_err(st, "host last event");
		return -1;
	}
	return 0;
}

/* a for host as store_active_arming fills it: 0 found, 1 none, -1. */
static int
store_hosts_arming(struct store *st, struct store_stmt *s, const char *host,
    struct arming *a)
{
	enum store_db_step rc;

	memset(a, 0, sizeof(*a));
	store_db_reset(s);
	store_db_bind_text(s, 1, host);
	if ((rc = store_db_step(s)) == STORE_DB_DONE)
		return 1;
	if (rc != STORE_DB_ROW) {
		store_db_err(st, "active arming");
		return -1;
	}
	return store_arming_read(s, a);
}

int
store_hosts_status(struct store *st, const char *const *names, size_t n,
    struct host_status *hs, struct arming *a, int *armed)
{
	struct store_stmt *s[SH_COUNT] = { NULL }, *begin = NULL;
	int rc, in_txn = 0, ret = -1;
	size_t i;

	if (n > STORE_HOSTS_CHUNK)
		return -1;
	store_db_lock(st);
	for (i = 0; i < SH_COUNT; i++)
		if ((s[i] = store_db_prep(st, store_hosts_sql[i])) == NULL)
			goto out;
	/* one read transaction rather than one per statement; when one is
	 * already open on the connection, the statements join it */
	if ((begin = store_db_prep(st, "BEGIN")) != NULL &&
	    store_db_step(begin) == STORE_DB_DONE)
		in_txn = 1;
	for (i = 0; i < n; i++) {
		if (hs != NULL && store_hosts_one(st, s, names[i], &hs[i]) ==
		    -1)
			goto out;
		if (a == NULL)
			continue;
		if ((rc = store_hosts_arming(st, s[SH_ARMING], names[i],
		    &a[i])) == -1)
			goto out;
		armed[i] = rc == 0;
	}
	ret = 0;
out:
	for (i = 0; i < SH_COUNT; i++)
		store_db_finalize(s[i]);
	store_db_finalize(begin);
	if (in_txn && store_db_exec(st, "COMMIT", "end of the hosts read") ==
	    -1)
		ret = -1;
	store_db_unlock(st);
	return ret;
}
