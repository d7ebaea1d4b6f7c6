/* cli_hosts.c — poolboot hosts (cli.h): every inventory host with its
 * state, read from the running server's API, else from the state database
 * directly; never made up when neither can be read. A host's state is
 * that of its last network install; when its pool's current run (running
 * or halted) has not finished with it, the row says where it is in that
 * run too, as the dashboard's hosts table does ("done" from an earlier
 * run says nothing about the run going on). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "state.h"
#include "store.h"
#include "util.h"

/* ---- hosts -------------------------------------------------------------- */

/* The string at key of o, or "" (absent, or not a string). */
static const char *
cli_hosts_jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* One row of hosts, as hosts --json prints it (last_event_at in ms, 0:
 * no event yet). */
static json_t *
cli_hosts_row(const struct host *h, const char *state, const char *event,
    json_int_t event_ms)
{
	return json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s?, s:I}", "name",
	    h->name, "pool", h->pool_name, "mode", config_mode_name(h->mode),
	    "mac", h->mac, "state", state, "last_event",
	    event != NULL && event[0] != '\0' ? event : NULL,
	    "last_event_at", event_ms);
}

/* ---- the pools' current runs ---------------------------------------- */

/* A run's host as the row's "run": {"id", "state", "step", "error"}; the
 * run's hosts are {host: {"step", "error"}}. */
static void
cli_hosts_run_add(json_t *runs, const char *pool, json_int_t id,
    const char *state, const char *host, const char *step, const char *error)
{
	json_t *r = json_object_get(runs, pool);

	if (r == NULL) {
		r = json_pack("{s:I, s:s, s:{}}", "id", id, "state", state,
		    "hosts");
		json_object_set_new(runs, pool, r);
	}
	json_object_set_new(json_object_get(r, "hosts"), host, json_pack(
	    "{s:s, s:s}", "step", step, "error", error ? error : ""));
}

/* 1 when a run in state is not over. */
static int
cli_hosts_run_open(const char *state)
{
	return strcmp(state, "running") == 0 || strcmp(state, "halted") == 0;
}

/* The current runs from a running server's GET /api/v1/pools: {pool:
 * run}, only running or halted ones; an empty object when it cannot be
 * read (the rows keep their install state). */
static json_t *
cli_hosts_runs_api(const struct config *cfg)
{
	json_t *runs = json_object(), *reply = NULL, *p, *h;
	char err[512];
	char *resp = NULL;
	long status = 0;
	size_t i, k;

	if (client_request(cfg, "GET", "/api/v1/pools", NULL, &status, &resp,
	    err, sizeof(err)) == -1 || status != 200 ||
	    (reply = json_loads(resp, 0, NULL)) == NULL)
		goto out;
	json_array_foreach(json_object_get(reply, "pools"), i, p) {
		if (!json_is_integer(json_object_get(p, "run")) ||
		    !cli_hosts_run_open(cli_hosts_jstr(p, "state")))
			continue;
		json_array_foreach(json_object_get(p, "hosts"), k, h)
			cli_hosts_run_add(runs, cli_hosts_jstr(p, "pool"),
			    json_integer_value(json_object_get(p, "run")),
			    cli_hosts_jstr(p, "state"), cli_hosts_jstr(h, "host"),
			    cli_hosts_jstr(h, "step"), cli_hosts_jstr(h, "error"));
	}
out:
	json_decref(reply);
	free(resp);
	return runs;
}

/* The same from the state database st (NULL: none yet, no runs). -1 on
 * a read error. */
static int
cli_hosts_runs_store(struct store *st, const struct config *cfg,
    json_t *runs)
{
	struct run r;
	struct run_host *rh = NULL;
	size_t i, k, n = 0;
	int rc;

	for (i = 0; st != NULL && i < cfg->npools; i++) {
		if ((rc = store_run_latest(st, cfg->pools[i].name, &r)) == -1)
			return -1;
		if (rc == 1 || !cli_hosts_run_open(r.state))
			continue;
		if (store_run_hosts(st, r.id, &rh, &n) == -1)
			return -1;
		for (k = 0; k < n; k++)
			cli_hosts_run_add(runs, r.pool, (json_int_t)r.id, r.state,
			    rh[k].host, rh[k].step, rh[k].error);
		free(rh);
		rh = NULL;
	}
	return 0;
}

/* Adds "run": {"id", "state", "step", "error"?} to each row whose pool's
 * current run has not finished with its host. */
static void
cli_hosts_overlay(json_t *rows, json_t *runs)
{
	json_t *row, *run, *h;
	const char *step;
	size_t i;

	json_array_foreach(rows, i, row) {
		run = json_object_get(runs, cli_hosts_jstr(row, "pool"));
		h = json_object_get(json_object_get(run, "hosts"),
		    cli_hosts_jstr(row, "name"));
		step = cli_hosts_jstr(h, "step");
		if (h == NULL || strcmp(step, "done") == 0 ||
		    strcmp(step, "skipped") == 0)
			continue;
		json_object_set_new(row, "run", json_pack("{s:O, s:O, s:s, "
		    "s:s?}", "id", json_object_get(run, "id"), "state",
		    json_object_get(run, "state"), "step", step, "error",
		    cli_hosts_jstr(h, "error")[0] ? cli_hosts_jstr(h, "error") :
		    NULL));
	}
}

/* The STATE column of row: its install state, or where its pool's run is
 * with it: "pending (run 2)", "upgrading: evacuate (run 2)", "failed:
 * install (run 2, halted)". */
static void
cli_hosts_state_text(json_t *row, char *buf, size_t len)
{
	json_t *run = json_object_get(row, "run");
	const char *step = cli_hosts_jstr(run, "step");
	int halted = strcmp(cli_hosts_jstr(run, "state"), "halted") == 0;
	long long id = (long long)json_integer_value(json_object_get(run,
	    "id"));

	if (run == NULL)
		snprintf(buf, len, "%s", cli_hosts_jstr(row, "state"));
	else if (strcmp(step, "pending") == 0)
		snprintf(buf, len, "pending (run %lld%s)", id, halted ?
		    ", halted" : "");
	else if (halted && json_object_get(run, "error") != NULL)
		snprintf(buf, len, "failed: %s (run %lld, halted)", step, id);
	else
		snprintf(buf, len, "upgrading: %s (run %lld%s)", step, id,
		    halted ? ", halted" : "");
}

/* The rows of every inventory host from a running server's GET
 * /api/v1/hosts (its times are in ms): NULL when no server answers. */
static json_t *
cli_hosts_from_api(const struct config *cfg)
{
	json_t *reply = NULL, *arr = NULL, *it, *st;
	char err[512];
	char *resp = NULL;
	long status = 0;
	size_t i, k;

	if (client_request(cfg, "GET", "/api/v1/hosts", NULL, &status, &resp,
	    err, sizeof(err)) == -1 || status != 200)
		goto out;
	if ((reply = json_loads(resp, 0, NULL)) == NULL ||
	    !json_is_array(reply) || (arr = json_array()) == NULL)
		goto out;
	for (i = 0; i < cfg->nhosts; i++) {
		/* the server's inventory may be older than the file's */
		for (k = 0; (it = json_array_get(reply, k)) != NULL; k++)
			if (strcmp(cli_hosts_jstr(it, "name"), cfg->hosts[i].name) == 0)
				break;
		st = json_object_get(it, "state");
		json_array_append_new(arr, cli_hosts_row(&cfg->hosts[i],
		    json_is_string(st) ? json_string_value(st) : "unknown",
		    cli_hosts_jstr(it, "last_event"), json_integer_value(
		    json_object_get(it, "last_event_at"))));
	}
	if (arr != NULL) {
		json_t *runs = cli_hosts_runs_api(cfg);

		cli_hosts_overlay(arr, runs);
		json_decref(runs);
	}
out:
	json_decref(reply);
	free(resp);
	return arr;
}

/* The same rows from the state database: all idle when there is none yet
 * (serve never ran), an error naming it when it cannot be read. */
static json_t *
cli_hosts_from_store(const struct cli_opts *o, const struct config *cfg)
{
	struct store *st = NULL;
	struct host_status hs;
	struct stat sb;
	json_t *arr;
	char dbpath[4096];
	size_t i;
	int found;

	snprintf(dbpath, sizeof(dbpath), "%s/poolboot.db", cfg->state_dir);
	if (cfg->store.backend == STORE_POSTGRES) {
		/* a shared database: its errors are logged by the store;
		 * without poolboot's tables serve never ran: all idle */
		sb.st_mode = S_IFREG;
		if ((found = store_present_config(cfg)) == -1) {
			cli_fail(o, CLI_EXIT_FAIL, "cannot read %s: it cannot "
			    "be reached (the line above says why)",
			    store_name_config(cfg, dbpath, sizeof(dbpath)));
			return NULL;
		}
	/* none yet: serve never ran, every host is idle */
	} else if ((found = stat(dbpath, &sb) == 0) == 0 && errno != ENOENT) {
		cli_fail(o, CLI_EXIT_FAIL, "cannot read the state database "
		    "%s: %s (run hosts as the user serve runs as, or start "
		    "serve)", dbpath, strerror(errno));
		return NULL;
	}
	if (found && (!S_ISREG(sb.st_mode) ||
	    store_open_config(cfg, 1, &st) == -1)) {
		cli_fail(o, CLI_EXIT_FAIL, "cannot read %s (run hosts as the "
		    "user serve runs as, or start serve)",
		    store_name_config(cfg, dbpath, sizeof(dbpath)));
		return NULL;
	}
	arr = json_array();
	for (i = 0; arr != NULL && i < cfg->nhosts; i++) {
		memset(&hs, 0, sizeof(hs));
		hs.state = HOST_IDLE;
		if (st != NULL && store_host_status(st, cfg->hosts[i].name,
		    &hs) == -1) {
			cli_fail(o, CLI_EXIT_FAIL, "cannot read the state of %s "
			    "from %s", cfg->hosts[i].name, dbpath);
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_array_append_new(arr, cli_hosts_row(&cfg->hosts[i],
		    state_host_name(hs.state), hs.last_event,
		    (json_int_t)hs.last_event_at * 1000));
	}
	if (arr != NULL) {
		json_t *runs = json_object();

		if (cli_hosts_runs_store(st, cfg, runs) == -1) {
			cli_fail(o, CLI_EXIT_FAIL, "cannot read the rolling-"
			    "upgrade runs from %s", dbpath);
			json_decref(arr);
			arr = NULL;
		} else
			cli_hosts_overlay(arr, runs);
		json_decref(runs);
	}
	store_close(st);
	return arr;
}

int
cli_hosts(const struct cli_opts *o)
{
	struct config *cfg;
	json_t *rows = NULL, *out = NULL, *r;
	char when[32], state[160];
	json_int_t ms;
	size_t i;
	int ret = CLI_EXIT_FAIL, w = 11;

	/* no secret at all: hosts renders nothing */
	if ((cfg = cli_config_flags(o, CONFIG_LOAD_NO_PASSWORDS |
	    CONFIG_LOAD_NO_ROOT_HASH)) == NULL)
		return CLI_EXIT_FAIL;
	if (o->pool != NULL && config_pool(cfg, o->pool) == NULL) {
		ret = cli_fail(o, CLI_EXIT_FAIL, "no pool named '%s' in %s",
		    o->pool, o->conf);
		goto out;
	}
	/* the server's view when it runs, else the database's */
	if ((rows = cli_hosts_from_api(cfg)) == NULL &&
	    (rows = cli_hosts_from_store(o, cfg)) == NULL)
		goto out;
	json_array_foreach(rows, i, r) {
		cli_hosts_state_text(r, state, sizeof(state));
		if ((int)strlen(state) > w)
			w = (int)strlen(state);
	}
	if (o->json)
		out = json_array();
	else
		printf("%-20s %-12s %-10s %-18s %-*s %s\n", "HOST", "POOL", "MODE",
		    "MAC", w, "STATE", "LAST EVENT");
	json_array_foreach(rows, i, r) {
		if (o->pool != NULL && strcmp(cli_hosts_jstr(r, "pool"), o->pool) != 0)
			continue;
		if (o->json) {
			json_array_append(out, r);
			continue;
		}
		when[0] = '\0';
		ms = json_integer_value(json_object_get(r, "last_event_at"));
		if (ms > 0)
			util_iso8601(ms / 1000, when);
		cli_hosts_state_text(r, state, sizeof(state));
		printf("%-20s %-12s %-10s %-18s %-*s %s%s%s\n", cli_hosts_jstr(r,
		    "name"), cli_hosts_jstr(r, "pool")[0] ? cli_hosts_jstr(r, "pool") : "-",
		    cli_hosts_jstr(r, "mode"), cli_hosts_jstr(r, "mac"), w, state,
		    when, when[0] ? " " : "", cli_hosts_jstr(r, "last_event")[0] ?
		    cli_hosts_jstr(r, "last_event") : "-");
	}
	if (o->json) {
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	ret = 0;
out:
	json_decref(out);
	json_decref(rows);
	config_free(cfg);
	return ret;
}

