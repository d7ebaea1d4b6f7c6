/* test_store.c — the SQLite store: what is armed, fetched and finished
 * survives a restart; events can be filtered and paged. */
#include "unit.h"
#include "unit_store.h"

#include <sys/stat.h>

#include <sqlite3.h>

#include "config.h"
#include "log.h"
#include "store.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct fix {
	char		*tmp;		/* scratch root */
	char		*dir;		/* state_dir, below tmp */
	struct store	*st;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char *tmp = unit_tmpdir();

	assert_non_null(f);
	assert_non_null(tmp);
	/* a state_dir that does not exist yet: store_open creates it */
	assert_true(asprintf(&f->dir, "%s/state/sub", tmp) > 0);
	f->tmp = tmp;
	assert_int_equal(unit_store_open(f->dir, 0, &f->st), 0);
	assert_non_null(f->st);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd;

	store_close(f->st);
	if (asprintf(&cmd, "rm -rf '%s'", f->tmp) > 0) {
		if (system(cmd) != 0) {
			/* leave it */
		}
		free(cmd);
	}
	free(f->dir);
	free(f->tmp);
	free(f);
	return 0;
}

static void
reopen(struct fix *f)
{
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(unit_store_open(f->dir, 0, &f->st), 0);
}

static sqlite3 *
raw_open(const char *dir)
{
	char *path;
	sqlite3 *db = NULL;

	assert_true(asprintf(&path, "%s/poolboot.db", dir) > 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	free(path);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	char *r = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		r = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return r;
}

static void
open_creates_state_dir_and_wal_database(void **state)
{
	struct fix *f = *state;
	struct stat sb;
	sqlite3 *db;
	char *v;

	if (unit_store_pg()) {
		/* on PostgreSQL: the version table and the tables */
		v = unit_store_text(f->dir, "SELECT version FROM "
		    "poolboot_schema");
		assert_non_null(v);
		assert_string_equal(v, "8");
		free(v);
		v = unit_store_text(f->dir, "SELECT count(*) FROM "
		    "information_schema.tables WHERE table_name IN "
		    "('hosts', 'armings', 'events')");
		assert_non_null(v);
		assert_string_equal(v, "3");
		free(v);
		reopen(f);
		return;
	}
	assert_int_equal(stat(f->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	db = raw_open(f->dir);
	v = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(v, "wal");
	free(v);
	v = raw_text(db, "PRAGMA user_version");
	assert_string_equal(v, "8");
	free(v);
	v = raw_text(db, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'table' AND name IN ('hosts', 'armings', 'events')");
	assert_string_equal(v, "3");
	free(v);
	sqlite3_close(db);
	/* opening again does not recreate or fail */
	reopen(f);
}

static void
arm_makes_one_active_arming(void **state)
{
	struct fix *f = *state;
	struct host_status hs;
	struct arming a;
	int64_t id = 0;

	assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE, 1000,
	    &id), 0);
	assert_true(id > 0);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.id, id);
	assert_string_equal(a.host, "h1");
	assert_string_equal(a.token_hash, HASH_A);
	assert_int_equal(a.mode, MODE_UPGRADE);
	assert_int_equal(a.armed_at, 1000);
	assert_int_equal(a.attempts, 0);
	assert_int_equal(a.first_fetch_at, 0);
	assert_int_equal(a.active, 1);
	assert_int_equal(a.finished_at, 0);
	assert_string_equal(a.result, "");
	assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_ARMED);
	assert_string_equal(hs.mode, "upgrade");
	assert_int_equal(hs.updated_at, 1000);
	/* another host is untouched */
	assert_int_equal(store_active_arming(f->st, "h2", &a), 1);
	/* the token itself is never stored, only the hash handed in */
	assert_int_equal(store_arming_by_hash(f->st, "h1", HASH_B, &a), 1);
	assert_int_equal(store_arming_by_hash(f->st, "h2", HASH_A, &a), 1);
}

static void
rearm_retires_previous_arming(void **state)
{
	struct fix *f = *state;
	struct arming a;
	int64_t id1, id2;
	char *v;

	assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE, 1000,
	    &id1), 0);
	assert_int_equal(store_arm(f->st, "h1", HASH_B, MODE_FRESH, 2000,
	    &id2), 0);
	assert_true(id2 != id1);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.id, id2);
	assert_int_equal(a.mode, MODE_FRESH);
	assert_int_equal(store_arming_by_hash(f->st, "h1", HASH_A, &a), 0);
	assert_int_equal(a.id, id1);
	assert_int_equal(a.active, 0);
	assert_string_equal(a.result, "disarmed");
	assert_int_equal(a.finished_at, 2000);
	/* the database itself refuses a second active arming */
	v = unit_store_text(f->dir, "SELECT count(*) FROM armings WHERE "
	    "host = 'h1' AND active = 1");
	assert_non_null(v);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(unit_store_exec(f->dir, "INSERT INTO armings(host, "
	    "token_hash, mode, armed_at) VALUES ('h1', 'x', 'upgrade', 1)"),
	    -1);
}

static void
fetches_are_counted(void **state)
{
	struct fix *f = *state;
	struct host_status hs;
	struct arming a;
	int64_t id;
	int n = 0;

	assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE, 1000,
	    &id), 0);
	assert_int_equal(store_arming_fetched(f->st, id, 1100, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_INSTALLING);
	assert_int_equal(store_arming_fetched(f->st, id, 1200, &n), 0);
	assert_int_equal(store_arming_fetched(f->st, id, 1300, NULL), 0);
	assert_int_equal(store_arming_fetched(f->st, id, 1400, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.attempts, 4);
	assert_int_equal(a.first_fetch_at, 1100);
	assert_int_equal(a.last_fetch_at, 1400);
	/* a retired arming counts nothing more */
	assert_int_equal(store_arming_finish(f->st, id, "failed", "x", 1500), 0);
	assert_int_equal(store_arming_fetched(f->st, id, 1600, &n), -1);
	assert_int_equal(store_arming_by_hash(f->st, "h1", HASH_A, &a), 0);
	assert_int_equal(a.attempts, 4);
	/* and a nonexistent one neither */
	assert_int_equal(store_arming_fetched(f->st, 9999, 1600, &n), -1);
}

static void
finish_sets_result_and_host_state(void **state)
{
	static const struct {
		const char *result;
		enum host_state state;
	} cases[] = {
		{ "done", HOST_DONE },
		{ "failed", HOST_FAILED },
		{ "disarmed", HOST_IDLE },
	};
	struct fix *f = *state;
	struct host_status hs;
	struct arming a;
	int64_t id;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE,
		    1000, &id), 0);
		assert_int_equal(store_arming_finish(f->st, id,
		    cases[i].result, "the reason", 2000 + (int64_t)i), 0);
		assert_int_equal(store_active_arming(f->st, "h1", &a), 1);
		assert_int_equal(store_arming_by_hash(f->st, "h1", HASH_A, &a),
		    0);
		assert_int_equal(a.id, id);
		assert_int_equal(a.active, 0);
		assert_string_equal(a.result, cases[i].result);
		assert_string_equal(a.reason, "the reason");
		assert_int_equal(a.finished_at, 2000 + (int64_t)i);
		assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
		assert_int_equal(hs.state, cases[i].state);
		assert_int_equal(hs.updated_at, 2000 + (int64_t)i);
		/* one-shot: a finished arming cannot be finished again */
		assert_int_equal(store_arming_finish(f->st, id, "done", "",
		    3000), -1);
		assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
		assert_int_equal(hs.state, cases[i].state);
	}
	assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE, 1000,
	    &id), 0);
	assert_int_equal(store_arming_finish(f->st, id, "bogus", "", 3000), -1);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_ARMED);
}

static void
host_status_of_unknown_host_is_idle(void **state)
{
	struct fix *f = *state;
	struct host_status hs;

	assert_int_equal(store_host_status(f->st, "never", &hs), 0);
	assert_string_equal(hs.host, "never");
	assert_int_equal(hs.state, HOST_IDLE);
	assert_string_equal(hs.mode, "");
	assert_int_equal(hs.updated_at, 0);
	assert_string_equal(hs.last_event, "");
	assert_string_equal(state_host_name(HOST_IDLE), "idle");
	assert_string_equal(state_host_name(HOST_ARMED), "armed");
	assert_string_equal(state_host_name(HOST_INSTALLING), "installing");
	assert_string_equal(state_host_name(HOST_DONE), "done");
	assert_string_equal(state_host_name(HOST_FAILED), "failed");
}

static void
host_status_shows_last_event(void **state)
{
	struct fix *f = *state;
	struct host_status hs;

	assert_int_equal(store_event(f->st, "h1", "p1", "arm", "armed for %s",
	    "upgrade"), 0);
	assert_int_equal(store_event(f->st, "h2", "p1", "arm", "other"), 0);
	assert_int_equal(store_event(f->st, "h1", "p1", "fetch", "fetch %d",
	    1), 0);
	assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
	assert_non_null(strstr(hs.last_event, "fetch"));
	assert_non_null(strstr(hs.last_event, "fetch 1"));
	assert_true(hs.last_event_at > 0);
}

struct collect {
	int64_t	 ids[1100];
	char	 hosts[1100][64];
	char	 kinds[1100][32];
	int	 n;
	int	 stop_after;	/* 0 = never */
};

static int
collect_cb(const struct event *ev, void *arg)
{
	struct collect *c = arg;

	c->ids[c->n] = ev->id;
	snprintf(c->hosts[c->n], sizeof(c->hosts[0]), "%s", ev->host);
	snprintf(c->kinds[c->n], sizeof(c->kinds[0]), "%s", ev->kind);
	c->n++;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

static void
events_filter_and_page_newest_first(void **state)
{
	struct fix *f = *state;
	struct event_query q;
	struct collect *c = calloc(1, sizeof(*c));
	int64_t before;
	int i, total;

	assert_non_null(c);
	/* 150 events: h1/p1, h2/p2 alternate, plus 10 server-wide ones */
	for (i = 0; i < 150; i++)
		assert_int_equal(store_event(f->st, i % 2 ? "h2" : "h1",
		    i % 2 ? "p2" : "p1", "fetch", "n=%d", i), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(store_event(f->st, NULL, NULL, "start",
		    "server %d", i), 0);

	/* no filter: default limit 100, newest first */
	assert_int_equal(store_events(f->st, NULL, collect_cb, c), 0);
	assert_int_equal(c->n, 100);
	for (i = 1; i < c->n; i++)
		assert_true(c->ids[i] < c->ids[i - 1]);
	assert_string_equal(c->kinds[0], "start");
	assert_string_equal(c->hosts[0], "");

	/* host filter, walked page by page with before_id */
	memset(&q, 0, sizeof(q));
	q.host = "h1";
	q.limit = 30;
	total = 0;
	before = 0;
	for (;;) {
		c->n = 0;
		q.before_id = before;
		assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
		for (i = 0; i < c->n; i++) {
			assert_string_equal(c->hosts[i], "h1");
			if (before != 0)
				assert_true(c->ids[i] < before);
		}
		total += c->n;
		if (c->n < q.limit)
			break;
		before = c->ids[c->n - 1];
	}
	assert_int_equal(total, 75);

	/* pool filter */
	memset(&q, 0, sizeof(q));
	q.pool = "p2";
	q.limit = 1000;
	c->n = 0;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 75);
	for (i = 0; i < c->n; i++)
		assert_string_equal(c->hosts[i], "h2");

	/* host and pool that never met */
	q.host = "h1";
	c->n = 0;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 0);

	/* since: everything is from now, nothing from the future */
	memset(&q, 0, sizeof(q));
	q.since = util_now() + 3600;
	c->n = 0;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 0);
	q.since = util_now() - 3600;
	q.limit = 1000;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 160);

	/* the callback stops the walk */
	memset(&q, 0, sizeof(q));
	c->n = 0;
	c->stop_after = 5;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 5);
	free(c);
}

static void
events_since_filters_by_time_and_limit_is_capped(void **state)
{
	struct fix *f = *state;
	struct event_query q;
	struct collect *c = calloc(1, sizeof(*c));
	char *bulk;
	int i;

	assert_non_null(c);
	/* bulk rows written directly with chosen timestamps */
	assert_non_null(bulk = malloc(1050 * 100 + 32));
	strcpy(bulk, "BEGIN;");
	for (i = 0; i < 1050; i++)
		sprintf(bulk + strlen(bulk), "INSERT INTO events(ts, host, "
		    "pool, kind, message) VALUES (%d, 'h1', 'p1', 'fetch', "
		    "'m');", 1000 + i);
	strcat(bulk, "COMMIT;");
	assert_int_equal(unit_store_exec(f->dir, bulk), 0);
	free(bulk);

	memset(&q, 0, sizeof(q));
	q.limit = 5000;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 1000);
	memset(&q, 0, sizeof(q));
	q.since = 2000;		/* ts 2000..2049 */
	q.limit = 1000;
	c->n = 0;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 50);
	free(c);
}

static void
hostile_values_are_stored_verbatim(void **state)
{
	static const char *evil = "h1'); DROP TABLE armings; --";
	struct fix *f = *state;
	struct event_query q;
	struct collect *c = calloc(1, sizeof(*c));
	struct arming a;
	int64_t id;

	assert_non_null(c);
	assert_int_equal(store_arm(f->st, evil, HASH_A, MODE_UPGRADE, 1, &id),
	    0);
	assert_int_equal(store_event(f->st, evil, "p'1", "arm", "%s", evil), 0);
	assert_int_equal(store_active_arming(f->st, evil, &a), 0);
	assert_string_equal(a.host, evil);
	memset(&q, 0, sizeof(q));
	q.host = evil;
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->hosts[0], evil);
	/* the table is still there */
	assert_int_equal(store_arm(f->st, "h2", HASH_B, MODE_UPGRADE, 1, NULL),
	    0);
	free(c);
}

static void
everything_survives_a_restart(void **state)
{
	struct fix *f = *state;
	struct host_status hs;
	struct event_query q;
	struct collect *c = calloc(1, sizeof(*c));
	struct arming a;
	int64_t id1, id2;
	int n;

	assert_non_null(c);
	assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE, 1000,
	    &id1), 0);
	assert_int_equal(store_arming_fetched(f->st, id1, 1100, &n), 0);
	assert_int_equal(store_arm(f->st, "h2", HASH_B, MODE_FRESH, 1000,
	    &id2), 0);
	assert_int_equal(store_arming_finish(f->st, id2, "done",
	    "installer reported success", 1200), 0);
	assert_int_equal(store_event(f->st, "h1", "p1", "arm", "armed"), 0);

	reopen(f);

	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.id, id1);
	assert_string_equal(a.token_hash, HASH_A);
	assert_int_equal(a.attempts, 1);
	assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_INSTALLING);
	assert_int_equal(store_active_arming(f->st, "h2", &a), 1);
	assert_int_equal(store_host_status(f->st, "h2", &hs), 0);
	assert_int_equal(hs.state, HOST_DONE);
	assert_string_equal(hs.mode, "fresh");
	assert_int_equal(store_arming_by_hash(f->st, "h2", HASH_B, &a), 0);
	assert_string_equal(a.result, "done");
	memset(&q, 0, sizeof(q));
	assert_int_equal(store_events(f->st, &q, collect_cb, c), 0);
	assert_int_equal(c->n, 1);
	/* and new ids continue after the old ones */
	assert_int_equal(store_arm(f->st, "h3", HASH_A, MODE_UPGRADE, 1,
	    &id2), 0);
	assert_true(id2 > id1);
	free(c);
}

static void
readonly_open_reads_while_writer_is_open(void **state)
{
	struct fix *f = *state;
	struct store *ro = NULL;
	struct host_status hs;
	struct collect *c = calloc(1, sizeof(*c));
	struct arming a;
	int64_t id;

	assert_non_null(c);
	assert_int_equal(store_arm(f->st, "h1", HASH_A, MODE_UPGRADE, 1000,
	    &id), 0);
	assert_int_equal(store_event(f->st, "h1", "p1", "arm", "armed"), 0);
	assert_int_equal(unit_store_open(f->dir, 1, &ro), 0);
	assert_int_equal(store_active_arming(ro, "h1", &a), 0);
	assert_int_equal(a.id, id);
	assert_int_equal(store_host_status(ro, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_ARMED);
	assert_int_equal(store_events(ro, NULL, collect_cb, c), 0);
	assert_int_equal(c->n, 1);
	/* a reader cannot change anything */
	assert_int_equal(store_event(ro, "h1", "p1", "x", "y"), -1);
	assert_int_equal(store_arm(ro, "h1", HASH_B, MODE_UPGRADE, 1, NULL), -1);
	/* and sees what the writer commits afterwards */
	assert_int_equal(store_arming_finish(f->st, id, "done", "", 2000), 0);
	assert_int_equal(store_host_status(ro, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_DONE);
	store_close(ro);
	free(c);
}

static void
readonly_open_of_missing_database_fails(void **state)
{
	struct store *ro = NULL;
	char *tmp = unit_tmpdir();

	(void)state;
	assert_non_null(tmp);
	assert_int_equal(unit_store_open(tmp, 1, &ro), -1);
	assert_null(ro);
	rmdir(tmp);
	free(tmp);
}

/* A rolling-upgrade run and its hosts survive a restart field by field,
 * and only running runs are offered for resuming. */
static void
runs_are_durable(void **state)
{
	struct fix *f = *state;
	struct run r, got;
	struct run_host hs[2], *rh = NULL;
	int64_t id = 0, *ids = NULL;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	memset(hs, 0, sizeof(hs));
	snprintf(r.pool, sizeof(r.pool), "poolA");
	snprintf(r.state, sizeof(r.state), "running");
	snprintf(r.target_version, sizeof(r.target_version), "8.2.1");
	r.created_at = r.updated_at = 1000;
	snprintf(hs[0].host, sizeof(hs[0].host), "m");
	hs[0].is_master = 1;
	snprintf(hs[0].step, sizeof(hs[0].step), "pending");
	snprintf(hs[1].host, sizeof(hs[1].host), "b");
	hs[1].ord = 1;
	snprintf(hs[1].step, sizeof(hs[1].step), "skipped");
	assert_int_equal(store_run_create(f->st, &r, hs, 2, &id), 0);
	assert_true(id > 0);
	assert_int_equal(store_run_hosts(f->st, id, &rh, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rh[0].host, "m");		/* plan order */
	assert_true(rh[0].is_master);
	snprintf(rh[0].step, sizeof(rh[0].step), "install");
	snprintf(rh[0].boot_time_before, sizeof(rh[0].boot_time_before),
	    "1732237323.");
	rh[0].step_started_at = 123456789;
	assert_int_equal(store_run_host_update(f->st, &rh[0]), 0);
	free(rh);

	reopen(f);
	assert_int_equal(store_runs_running(f->st, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);
	free(ids);
	assert_int_equal(store_run_latest(f->st, "poolA", &got), 0);
	assert_string_equal(got.target_version, "8.2.1");
	assert_int_equal(store_run_hosts(f->st, id, &rh, &n), 0);
	assert_string_equal(rh[0].step, "install");
	assert_string_equal(rh[0].boot_time_before, "1732237323.");
	assert_int_equal(rh[0].step_started_at, 123456789);
	free(rh);

	snprintf(got.state, sizeof(got.state), "halted");
	assert_int_equal(store_run_update(f->st, &got), 0);
	assert_int_equal(store_runs_running(f->st, &ids, &n), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(store_run_latest(f->st, "nopool", &got), 1);
}

/* One running or halted run per pool and one such job per host: the
 * store refuses a second (1), whoever asks; a conditional update moves a
 * run or job on only from the state it was read in. */
static void
one_unfinished_run_per_pool_and_job_per_host(void **state)
{
	struct fix *f = *state;
	struct run r, got;
	struct job j, j2;
	int64_t id = 0, id2 = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "poolA");
	snprintf(r.state, sizeof(r.state), "running");
	assert_int_equal(store_run_create(f->st, &r, NULL, 0, &id), 0);
	assert_int_equal(store_run_create(f->st, &r, NULL, 0, &id2), 1);
	snprintf(r.state, sizeof(r.state), "halted");
	assert_int_equal(store_run_create(f->st, &r, NULL, 0, &id2), 1);
	snprintf(r.pool, sizeof(r.pool), "poolB");	/* another pool: fine */
	assert_int_equal(store_run_create(f->st, &r, NULL, 0, &id2), 0);
	snprintf(r.pool, sizeof(r.pool), "poolA");	/* finished ones: fine */
	snprintf(r.state, sizeof(r.state), "done");
	assert_int_equal(store_run_create(f->st, &r, NULL, 0, &id2), 0);
	/* the current run is the unfinished one, not the newest */
	assert_int_equal(store_run_latest(f->st, "poolA", &got), 0);
	assert_int_equal(got.id, id);
	/* halted -> running only once */
	snprintf(got.state, sizeof(got.state), "halted");
	assert_int_equal(store_run_update(f->st, &got), 0);
	snprintf(got.state, sizeof(got.state), "running");
	assert_int_equal(store_run_update_if(f->st, &got, "halted"), 0);
	assert_int_equal(store_run_update_if(f->st, &got, "halted"), 1);
	/* a finished run cannot become a second unfinished one */
	assert_int_equal(store_run_get(f->st, id2, &got), 0);
	snprintf(got.state, sizeof(got.state), "running");
	assert_int_equal(store_run_update_if(f->st, &got, "done"), 1);
	assert_int_equal(store_run_update(f->st, &got), -1);

	memset(&j, 0, sizeof(j));
	snprintf(j.host, sizeof(j.host), "h1");
	snprintf(j.kind, sizeof(j.kind), "install");
	snprintf(j.state, sizeof(j.state), "running");
	snprintf(j.step, sizeof(j.step), "arm");
	j2 = j;
	assert_int_equal(store_job_create(f->st, &j), 0);
	assert_int_equal(store_job_create(f->st, &j2), 1);
	snprintf(j.state, sizeof(j.state), "halted");
	assert_int_equal(store_job_update(f->st, &j), 0);
	assert_int_equal(store_job_create(f->st, &j2), 1);
	snprintf(j.state, sizeof(j.state), "running");
	assert_int_equal(store_job_update_if(f->st, &j, "halted"), 0);
	assert_int_equal(store_job_update_if(f->st, &j, "halted"), 1);
	snprintf(j.state, sizeof(j.state), "done");
	assert_int_equal(store_job_update(f->st, &j), 0);
	assert_int_equal(store_job_create(f->st, &j2), 0);
}

/* The VMs of a run's hosts survive a reopen; recording again never
 * duplicates a VM nor forgets its result; a run's placement is stored. */
static void
run_vms_are_durable_and_recorded_once(void **state)
{
	struct fix *f = *state;
	struct run r, got;
	struct run_vm v, *vs = NULL;
	int64_t id = 0;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "poolA");
	snprintf(r.state, sizeof(r.state), "running");
	assert_int_equal(store_run_create(f->st, &r, NULL, 0, &id), 0);
	assert_int_equal(store_run_get(f->st, id, &got), 0);
	assert_string_equal(got.placement, "return");	/* "" is the default */
	snprintf(got.placement, sizeof(got.placement), "leave");
	assert_int_equal(store_run_update(f->st, &got), 0);

	memset(&v, 0, sizeof(v));
	v.run_id = id;
	snprintf(v.host, sizeof(v.host), "h1");
	snprintf(v.vm_uuid, sizeof(v.vm_uuid), "uuid-b");
	snprintf(v.vm_name, sizeof(v.vm_name), "web");
	v.ord = 2;
	assert_int_equal(store_run_vm_add(f->st, &v), 0);
	snprintf(v.vm_uuid, sizeof(v.vm_uuid), "uuid-a");
	snprintf(v.vm_name, sizeof(v.vm_name), "db");
	v.ord = 1;
	assert_int_equal(store_run_vm_add(f->st, &v), 0);
	snprintf(v.host, sizeof(v.host), "h2");
	assert_int_equal(store_run_vm_add(f->st, &v), 0);
	/* tried: moved from h3 */
	snprintf(v.host, sizeof(v.host), "h1");
	snprintf(v.result, sizeof(v.result), "moved");
	snprintf(v.from_host, sizeof(v.from_host), "h3");
	assert_int_equal(store_run_vm_update(f->st, &v), 0);
	/* recorded again (a restart during the evacuation): no change */
	memset(v.result, 0, sizeof(v.result));
	memset(v.from_host, 0, sizeof(v.from_host));
	assert_int_equal(store_run_vm_add(f->st, &v), 0);
	/* no such VM: the update says so */
	snprintf(v.vm_uuid, sizeof(v.vm_uuid), "uuid-z");
	assert_int_equal(store_run_vm_update(f->st, &v), -1);

	reopen(f);
	assert_int_equal(store_run_get(f->st, id, &got), 0);
	assert_string_equal(got.placement, "leave");
	assert_int_equal(store_run_vm_list(f->st, id, "h1", &vs, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(vs[0].vm_name, "db");	/* recording order */
	assert_string_equal(vs[0].result, "moved");
	assert_string_equal(vs[0].from_host, "h3");
	assert_string_equal(vs[1].vm_name, "web");
	assert_string_equal(vs[1].result, "");
	free(vs);
	assert_int_equal(store_run_vm_list(f->st, id, NULL, &vs, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(vs[2].host, "h2");
	free(vs);
	assert_int_equal(store_run_vm_list(f->st, id + 1, NULL, &vs, &n), 0);
	assert_int_equal(n, 0);
	assert_null(vs);
}

/* The audit log: entries newest first, filtered, paged, the texts as
 * given (audit.c scrubs before it stores). */
static void
audit_entries_filter_and_page(void **state)
{
	struct fix *f = *state;
	struct audit_entry e, *v;
	struct audit_query q;
	size_t n;
	int i;

	for (i = 0; i < 5; i++) {
		memset(&e, 0, sizeof(e));
		e.time_ms = 1000 + i;
		snprintf(e.client, sizeof(e.client), "10.0.0.%d", i);
		snprintf(e.token, sizeof(e.token), "%s", i % 2 ? "bob" : "alice");
		snprintf(e.action, sizeof(e.action), "arm");
		snprintf(e.target, sizeof(e.target), "%s", i < 3 ? "host:h1" :
		    "pool:p1");
		e.status = 200 + i;
		assert_int_equal(store_audit_add(f->st, &e, NULL), 0);
	}
	assert_int_equal(store_audit_list(f->st, NULL, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].status, 204);	/* newest first */
	assert_string_equal(v[4].client, "10.0.0.0");
	assert_int_equal(v[4].time_ms, 1000);
	free(v);
	memset(&q, 0, sizeof(q));
	q.token = "bob";
	assert_int_equal(store_audit_list(f->st, &q, &v, &n), 0);
	assert_int_equal(n, 2);
	free(v);
	memset(&q, 0, sizeof(q));
	q.host = "h1";
	q.since_ms = 1001;
	q.limit = 1;
	assert_int_equal(store_audit_list(f->st, &q, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].status, 202);
	q.before_id = v[0].id;
	free(v);
	assert_int_equal(store_audit_list(f->st, &q, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].status, 201);
	free(v);
	memset(&q, 0, sizeof(q));
	q.pool = "nosuch";
	assert_int_equal(store_audit_list(f->st, &q, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(audit_entries_filter_and_page,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    open_creates_state_dir_and_wal_database, setup, teardown),
		cmocka_unit_test_setup_teardown(arm_makes_one_active_arming,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(rearm_retires_previous_arming,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(fetches_are_counted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    finish_sets_result_and_host_state, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    host_status_of_unknown_host_is_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(host_status_shows_last_event,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    events_filter_and_page_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    events_since_filters_by_time_and_limit_is_capped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    hostile_values_are_stored_verbatim, setup, teardown),
		cmocka_unit_test_setup_teardown(everything_survives_a_restart,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    readonly_open_reads_while_writer_is_open, setup, teardown),
		cmocka_unit_test(readonly_open_of_missing_database_fails),
		cmocka_unit_test_setup_teardown(
		    run_vms_are_durable_and_recorded_once, setup, teardown),
		cmocka_unit_test_setup_teardown(runs_are_durable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    one_unfinished_run_per_pool_and_job_per_host, setup,
		    teardown),
	};

	log_set_verbosity(PB_LOG_WARN);	/* store errors below are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
