/* cli.c — see cli.h. The commands that go through poolboot serve's admin
 * API (client.h) and print its JSON replies (hosts: cli_hosts.c;
 * following: cli_follow.c). */
#include "cli.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli_follow.h"
#include "cli_queued.h"
#include "cli_usage.h"
#include "client.h"
#include "render_xml.h"
#include "state.h"
#include "store.h"
#include "util.h"

/* ---- shared by every command --------------------------------------------- */

void
cli_init(void)
{
	render_xml_init();	/* once, before any thread */
	client_global_init();
}

void
cli_cleanup(void)
{
	client_global_cleanup();
	render_xml_cleanup();
}

void
cli_json_error(int code, const char *msg)
{
	json_t *doc = json_pack("{s:s, s:i}", "error", msg, "exit", code);

	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

int
cli_fail(const struct cli_opts *o, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "poolboot: %s\n", msg);
	if (o->json)
		cli_json_error(code, msg);
	return code;
}

/* A refusal from the server: msg (the reply's "error" when it has one)
 * to stderr and, with --json, the reply with "error" and "exit" set (or
 * only those when there is no JSON reply) to stdout. Returns code. */
static int
cli_refused(const struct cli_opts *o, int code, json_t *reply,
    const char *what, long status)
{
	json_t *e = json_object_get(reply, "error"), *doc;
	char msg[1024];

	/* 5xx: the server (or XAPI behind it) failed; it refused nothing */
	snprintf(msg, sizeof(msg), "%s%s%s (HTTP %ld): %s", what ? what :
	    "", what ? " " : "", status >= 500 ? "failed" : "refused", status,
	    json_is_string(e) ?
	    json_string_value(e) : "request failed");
	fprintf(stderr, "poolboot: %s\n", msg);
	if (!o->json)
		return code;
	doc = json_is_object(reply) ? json_deep_copy(reply) : json_object();
	if (!json_is_string(e))
		json_object_set_new(doc, "error", json_string(msg));
	json_object_set_new(doc, "exit", json_integer(code));
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	return code;
}

static struct config *cli_load_config_opt(const char *path, int warn,
    int flags);

struct config *
cli_config_flags(const struct cli_opts *o, int flags)
{
	struct config *cfg = cli_load_config_opt(o->conf, 0, flags);
	char msg[512];

	if (cfg == NULL && o->json) {
		snprintf(msg, sizeof(msg), "invalid configuration %s (its "
		    "problems are on stderr)", o->conf);
		cli_json_error(CLI_EXIT_FAIL, msg);
	}
	return cfg;
}

/* The commands that come here only read the config or talk to the
 * server, which reads the pools' passwords itself: they need none. */
struct config *
cli_config(const struct cli_opts *o)
{
	return cli_config_flags(o, CONFIG_LOAD_NO_PASSWORDS);
}

static struct config *
cli_load_config_opt(const char *path, int warn, int flags)
{
	struct strlist errors = { 0 }, warnings = { 0 };
	struct config *cfg = NULL;
	size_t i;

	if (config_load_flags(path, flags, &cfg, &errors, &warnings) == -1) {
		for (i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		fprintf(stderr, "%zu problem%s in %s\n", errors.n,
		    errors.n == 1 ? "" : "s", path);
	}
	/* the warnings are check's and serve's to show (at start-up): not
	 * repeated by every other command; with errors they help */
	if (warn || cfg == NULL)
		for (i = 0; i < warnings.n; i++)
			fprintf(stderr, "warning: %s\n", warnings.v[i]);
	strlist_free(&errors);
	strlist_free(&warnings);
	return cfg;
}

struct config *
cli_load_config(const char *path)
{
	return cli_load_config_opt(path, 0, 0);
}

struct config *
cli_load_config_warn(const char *path)
{
	return cli_load_config_opt(path, 1, 0);
}

/* ---- the admin API ------------------------------------------------------ */

/* Sends a request; *reply gets the JSON body whatever the status (NULL if
 * not JSON), *status the HTTP status. Returns CLI_EXIT_NOSERVER when the
 * server cannot be reached, CLI_EXIT_FAIL on a config problem, else 0. */
static int
cli_api_send(const struct cli_opts *o, const char *method, const char *path,
    const char *body, long *status, json_t **reply)
{
	struct config *cfg;
	json_error_t jerr;
	char err[512];
	char *resp = NULL;
	int ret = CLI_EXIT_FAIL;

	*reply = NULL;
	*status = 0;
	if ((cfg = cli_config(o)) == NULL)
		return CLI_EXIT_FAIL;
	if (client_request(cfg, method, path, body, status, &resp, err,
	    sizeof(err)) == -1) {
		ret = cli_fail(o, CLI_EXIT_NOSERVER, "%s", err);
		goto out;
	}
	*reply = json_loads(resp ? resp : "", 0, &jerr);
	ret = 0;
out:
	free(resp);
	config_free(cfg);
	return ret;
}

/* Like cli_api_send, but a status other than 2xx or a reply that is not
 * JSON is printed and makes CLI_EXIT_FAIL; on 0 *reply is the JSON reply
 * (caller frees with json_decref). */
static int
cli_api_call(const struct cli_opts *o, const char *method, const char *path,
    const char *body, json_t **reply)
{
	struct config *cfg;
	json_error_t jerr;
	char err[512];
	char *resp = NULL;
	long status = 0;
	int ret = CLI_EXIT_FAIL;

	*reply = NULL;
	if ((cfg = cli_config(o)) == NULL)
		return CLI_EXIT_FAIL;
	if (client_request(cfg, method, path, body, &status, &resp, err,
	    sizeof(err)) == -1) {
		ret = cli_fail(o, CLI_EXIT_NOSERVER, "%s", err);
		goto out;
	}
	*reply = json_loads(resp ? resp : "", 0, &jerr);
	if (status < 200 || status > 299) {
		cli_refused(o, CLI_EXIT_FAIL, *reply, NULL, status);
		json_decref(*reply);
		*reply = NULL;
		goto out;
	}
	if (*reply == NULL) {
		cli_fail(o, CLI_EXIT_FAIL, "the server sent a reply that is "
		    "not JSON: %s", jerr.text);
		goto out;
	}
	ret = 0;
out:
	free(resp);
	config_free(cfg);
	return ret;
}

/* An action the server queued for another site's instance (reply, a
 * 202's): said, and how it went once that instance has it. The exit
 * code. */
static int
cli_site_queued(const struct cli_opts *o, const char *action, json_t *reply)
{
	struct config *cfg;
	char err[512];
	int rc;

	if ((cfg = cli_config(o)) == NULL)
		return CLI_EXIT_FAIL;
	rc = cli_queued_show(cfg, o->json, action, reply, err, sizeof(err));
	config_free(cfg);
	if (rc == -1)
		return cli_fail(o, CLI_EXIT_NOSERVER, "%s", err);
	return rc == 1 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- arm / disarm ------------------------------------------------------- */

int
cli_arm(const struct cli_opts *o, const char *host, int disarm)
{
	char path[256];
	json_t *reply = NULL;
	int ret;

	if (!util_valid_name(host))
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a host name",
		    host);
	snprintf(path, sizeof(path), "/api/v1/hosts/%s/%s", host,
	    disarm ? "disarm" : "arm");
	ret = cli_api_call(o, "POST", path, disarm ? "{}" : (o->wipe ?
	    "{\"wipe\": true}" : "{\"wipe\": false}"), &reply);
	if (ret == 0 && cli_queued_is(reply))	/* another site's host */
		ret = cli_site_queued(o, disarm ? "disarm" : "arm", reply);
	else if (ret == 0) {
		if (o->json) {
			json_dumpf(reply, stdout, JSON_INDENT(2));
			putchar('\n');
		} else if (disarm)
			printf("%s disarmed: back to local boot\n", host);
		else {
			json_t *m = json_object_get(reply, "mode");
			json_t *f = json_object_get(reply, "pxelinux_file");

			printf("%s armed for a network install (mode %s); "
			    "wrote %s\n", host, json_is_string(m) ?
			    json_string_value(m) : "?", json_is_string(f) ?
			    json_string_value(f) : "its per-MAC file");
			printf("power-cycle or reboot %s into PXE; it returns to "
			    "local boot once its installer reports back\n", host);
		}
	}
	json_decref(reply);
	return ret;
}

/* ---- rolling upgrades --------------------------------------------------- */

/* The string at key of o, or "" (absent, or not a string). */
static const char *
cli_jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* The checks and the plan of a precheck or dry-run reply. */
static void
cli_print_checks(json_t *reply)
{
	json_t *checks = json_object_get(reply, "checks");
	json_t *plan = json_object_get(reply, "plan");
	json_t *it;
	size_t i;

	json_array_foreach(checks, i, it)
		printf("  [%s] %-24s %s\n", json_is_true(json_object_get(it,
		    "ok")) ? " OK " : "FAIL", cli_jstr(it, "check"),
		    cli_jstr(it, "message"));
	if (json_array_size(plan) > 0) {
		printf("plan (one host at a time, master first):\n");
		json_array_foreach(plan, i, it)
			printf("  %zu. %-20s %-7s %s -> %s: %s\n", i + 1,
			    cli_jstr(it, "host"), cli_jstr(it, "role"),
			    cli_jstr(it, "version"), cli_jstr(it, "target"),
			    cli_jstr(it, "action"));
	}
}

/* /api/v1/pools/POOL, or /api/v1/pools/POOL/WHAT. */
static void
cli_pool_path(char *buf, size_t len, const char *pool, const char *what)
{
	snprintf(buf, len, "/api/v1/pools/%s%s%s", pool, what ? "/" : "",
	    what ? what : "");
}

int
cli_precheck(const struct cli_opts *o, const char *pool)
{
	char path[256];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(pool))
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a pool name",
		    pool);
	cli_pool_path(path, sizeof(path), pool, "precheck");
	if ((ret = cli_api_send(o, "POST", path, "{}", &status, &reply)) != 0)
		return ret;
	if (status != 200) {
		ret = cli_refused(o, CLI_EXIT_FAIL, reply, "precheck", status);
		json_decref(reply);
		return ret;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("prechecks for pool %s (target %s):\n", pool,
		    cli_jstr(reply, "target_version"));
		cli_print_checks(reply);
	}
	ret = (status == 200 && json_is_true(json_object_get(reply, "ok"))) ?
	    0 : CLI_EXIT_FAIL;
	if (!o->json && status == 200)
		printf("%s\n", ret == 0 ? "all prechecks passed" :
		    "prechecks FAILED: fix the items marked FAIL; nothing was "
		    "changed");
	json_decref(reply);
	return ret;
}

/* ---- progress: status tables, following ---------------------------------- */

/* How a table is drawn: colour (ANSI), clock (the live "s in step" times;
 * without them a table only changes when the run does), now (ms since the
 * epoch). */
struct cli_draw {
	int		 colour;
	int		 clock;
	json_int_t	 now;
};

static const char *
cli_col(const struct cli_draw *d, const char *code)
{
	return d->colour ? code : "";
}

/* Seconds from the time at key of h (ms) to now (ms); 0 when unset. */
static double
cli_secs(json_t *h, const char *key, json_int_t now)
{
	json_int_t t = json_integer_value(json_object_get(h, key));

	return t > 0 && now > t ? (double)(now - t) / 1000.0 : 0.0;
}

/* The VMs of host h's run line (its "moves"): one line of the VMs back or
 * on their way, a warning line for each that did not come back. */
static void
cli_print_run_moves(FILE *f, json_t *h)
{
	json_t *moves = json_object_get(h, "moves"), *m;
	const char *sep = "      VMs: ";
	size_t i;

	json_array_foreach(moves, i, m) {
		const char *res = cli_jstr(m, "result");

		if (strcmp(res, "moved") == 0)
			fprintf(f, "%s%s back from %s", sep, cli_jstr(m, "vm"),
			    cli_jstr(m, "from"));
		else if (strcmp(res, "home") == 0)
			fprintf(f, "%s%s already there", sep, cli_jstr(m,
			    "vm"));
		else if (strcmp(res, "pending") == 0)
			fprintf(f, "%s%s to come back", sep, cli_jstr(m, "vm"));
		else if (strcmp(res, "gone") == 0 || strcmp(res, "halted") == 0)
			fprintf(f, "%s%s left alone (%s)", sep, cli_jstr(m,
			    "vm"), cli_jstr(m, "message"));
		else
			continue;
		sep = ", ";
	}
	if (sep[0] == ',')
		fprintf(f, "\n");
	json_array_foreach(moves, i, m)
		if (strcmp(cli_jstr(m, "result"), "failed") == 0 ||
		    strcmp(cli_jstr(m, "result"), "refused") == 0)
			fprintf(f, "      WARNING: VM %s did not come back "
			    "from %s: %s\n", cli_jstr(m, "vm"), cli_jstr(m,
			    "from")[0] ? cli_jstr(m, "from") : "another host",
			    cli_jstr(m, "message"));
}

/* One host's line of a run (and its error, and with moves its VMs). */
static void
cli_print_run_host(FILE *f, const struct cli_draw *d, json_t *h, int moves)
{
	char ver[64], step[32];
	enum coord_step cs;
	const char *col;
	int known = state_step_parse(cli_jstr(h, "step"), &cs) == 0;

	if (cli_jstr(h, "new_version")[0])
		snprintf(ver, sizeof(ver), "%s -> %s", cli_jstr(h,
		    "old_version"), cli_jstr(h, "new_version"));
	else
		snprintf(ver, sizeof(ver), "%s", cli_jstr(h, "old_version"));
	/* a pending host without a version yet: no trailing blanks */
	snprintf(step, sizeof(step), known && cs == STEP_PENDING && !ver[0] ?
	    "%s" : "%-9s", cli_jstr(h, "step"));
	if (cli_jstr(h, "error")[0])
		col = CLI_FOLLOW_RED;
	else if (known && (cs == STEP_DONE || cs == STEP_SKIPPED))
		col = CLI_FOLLOW_GREEN;
	else
		col = known && cs == STEP_PENDING ? "" : CLI_FOLLOW_YELLOW;
	fprintf(f, "  %-20s %-7s %s%s%s", cli_jstr(h, "host"),
	    cli_jstr(h, "role"), cli_col(d, col), step, col[0] ?
	    cli_col(d, CLI_FOLLOW_PLAIN) : "");
	if (!(known && cs == STEP_PENDING))
		fprintf(f, " %-19s", ver);
	else if (ver[0])
		fprintf(f, " %s", ver);
	if (known && (cs == STEP_DONE || cs == STEP_SKIPPED))
		fprintf(f, " %.1f s total", (double)(json_integer_value(
		    json_object_get(h, "finished_at")) - json_integer_value(
		    json_object_get(h, "started_at"))) / 1000.0);
	else if (!(known && cs == STEP_PENDING) && d->clock)
		fprintf(f, " %.1f s in step", cli_secs(h, "step_started_at",
		    d->now));
	fprintf(f, "\n");
	if (cli_jstr(h, "error")[0])
		fprintf(f, "      error: %s\n", cli_jstr(h, "error"));
	if (moves)
		cli_print_run_moves(f, h);
}

/* One screenful of a run pr. */
static void
cli_print_run(FILE *f, const struct cli_draw *dd, json_t *pr)
{
	json_t *hosts = json_object_get(pr, "hosts"), *h;
	const char *state = cli_jstr(pr, "state");
	const char *col = state_run_is(state, RUN_DONE) ? CLI_FOLLOW_GREEN :
	    state_run_is(state, RUN_RUNNING) ? CLI_FOLLOW_YELLOW :
	    CLI_FOLLOW_RED;
	struct cli_draw d = *dd;
	size_t i;

	if (json_is_null(json_object_get(pr, "run"))) {
		fprintf(f, "pool %s: no rolling upgrade yet\n", cli_jstr(pr,
		    "pool"));
		return;
	}
	/* a run that stopped (halted, aborted, done) stopped its clock: a
	 * halted one when it halted (updated_at), the others at finished_at */
	if (!state_run_is(state, RUN_RUNNING)) {
		json_int_t end = json_integer_value(json_object_get(pr,
		    "finished_at"));

		d.now = end > 0 ? end : json_integer_value(json_object_get(pr,
		    "updated_at"));
	}
	fprintf(f, "pool %s: run %lld %s%s%s, target %s, %lld/%lld hosts "
	    "done, placement %s\n", cli_jstr(pr, "pool"),
	    (long long)json_integer_value(json_object_get(pr, "run")),
	    cli_col(&d, col), state, cli_col(&d, CLI_FOLLOW_PLAIN),
	    cli_jstr(pr, "target_version"), (long long)json_integer_value(
	    json_object_get(pr, "hosts_done")), (long long)json_integer_value(
	    json_object_get(pr, "hosts_total")), cli_jstr(pr, "placement"));
	fprintf(f, "  %-20s %-7s %-9s %-19s %s\n", "HOST", "ROLE", "STEP",
	    "VERSION", "TIME");
	/* a finished run's report says where the VMs went */
	json_array_foreach(hosts, i, h)
		cli_print_run_host(f, &d, h, cli_jstr(pr, "report")[0] == '\0');
	if (cli_jstr(pr, "error")[0])
		fprintf(f, "  %shalted%s: %s\n  fix the cause, then: poolboot "
		    "retry %s (or poolboot abort %s)\n", cli_col(&d,
		    CLI_FOLLOW_RED), cli_col(&d, CLI_FOLLOW_PLAIN), cli_jstr(pr, "error"),
		    cli_jstr(pr, "pool"), cli_jstr(pr, "pool"));
	if (cli_jstr(pr, "report")[0])
		fprintf(f, "%s\n", cli_jstr(pr, "report"));
}

/* The runs of pools (a status reply's "pools") drawn as d says, in a
 * malloc'd string (NULL when out of memory). */
static char *
cli_status_text(json_t *pools, const struct cli_draw *d)
{
	char *buf = NULL;
	size_t len = 0, i;
	json_t *pr;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	json_array_foreach(pools, i, pr)
		cli_print_run(f, d, pr);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The runs of pools on stdout: once, or as one step of following fw. */
static void
cli_status_show(json_t *pools, struct cli_follow *fw)
{
	struct cli_draw d = { fw != NULL ? fw->tty : cli_follow_fancy(), 1, 0 };
	struct cli_draw plain = { 0, 0, 0 };
	struct timespec ts;
	char *text;

	clock_gettime(CLOCK_REALTIME, &ts);
	d.now = (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	text = cli_status_text(pools, &d);
	if (fw != NULL)
		cli_follow_show(fw, text, cli_status_text(pools, &plain));
	else if (text != NULL) {
		fputs(text, stdout);
		free(text);
	}
}

int
cli_status(const struct cli_opts *o, const char *pool, int follow)
{
	char path[256], cmd[128];
	json_t *reply = NULL, *pools, *pr;
	struct cli_follow fw;
	long status;
	size_t i;
	int ret = 0, going, bad = 0;

	if (pool != NULL)
		cli_pool_path(path, sizeof(path), pool, NULL);
	else
		snprintf(path, sizeof(path), "/api/v1/pools");
	snprintf(cmd, sizeof(cmd), "poolboot status%s%s", pool ? " " : "",
	    pool ? pool : "");
	if (follow)
		cli_follow_begin(&fw);
	for (;;) {
		if (follow && cli_follow_stopped())
			break;
		if ((ret = cli_api_send(o, "GET", path, NULL, &status,
		    &reply)) != 0)
			break;
		if (status != 200) {
			ret = cli_refused(o, CLI_EXIT_FAIL, reply, "status",
			    status);
			break;
		}
		pools = json_object_get(reply, "pools");
		going = bad = 0;
		json_array_foreach(pools, i, pr) {
			const char *st = cli_jstr(pr, "state");

			if (state_run_is(st, RUN_RUNNING))
				going = 1;
			if (state_run_is(st, RUN_HALTED) ||
			    state_run_is(st, RUN_ABORTED))
				bad = 1;
		}
		if (o->json && !follow) {
			json_dumpf(reply, stdout, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER);
			putchar('\n');
		} else
			cli_status_show(pools, follow ? &fw : NULL);
		json_decref(reply);
		reply = NULL;
		if (!follow || !going)
			break;
		usleep(300 * 1000);
	}
	json_decref(reply);
	if (ret == 0 && bad)
		ret = CLI_EXIT_FAIL;
	return follow ? cli_follow_end(&fw, ret, "run", cmd) : ret;
}

int
cli_upgrade(const struct cli_opts *o, const char *pool)
{
	char path[256], body[160], place[40] = "";
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(pool))
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a pool name",
		    pool);
	if (o->placement != NULL) {
		if (strcmp(o->placement, "return") != 0 &&
		    strcmp(o->placement, "leave") != 0) {
			return cli_usage_error(o->cmd, o->json,
			    "--placement '%s': "
			    "want return or leave", o->placement);
		}
		snprintf(place, sizeof(place), ", \"placement\": \"%s\"",
		    o->placement);
	}
	cli_pool_path(path, sizeof(path), pool, "upgrade");
	snprintf(body, sizeof(body), "{\"dry_run\": %s, \"disable_ha\": %s%s}",
	    o->dry_run ? "true" : "false", o->disable_ha ? "true" : "false",
	    place);
	if ((ret = cli_api_send(o, "POST", path, body, &status, &reply)) != 0)
		return ret;
	if (status == 202 && cli_queued_is(reply)) {	/* another site's */
		ret = cli_site_queued(o, "upgrade", reply);
		json_decref(reply);
		return ret == 0 && o->follow ? cli_status(o, pool, 1) : ret;
	}
	if (o->json && (status == 202 || (status == 200 && o->dry_run))) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	if (status == 200 && o->dry_run) {
		if (!o->json) {
			printf("dry run for pool %s (target %s): nothing was "
			    "changed\n", pool, cli_jstr(reply, "target_version"));
			cli_print_checks(reply);
		}
		ret = json_is_true(json_object_get(reply, "ok")) ? 0 : CLI_EXIT_FAIL;
	} else if (status == 202) {
		if (!o->json)
			printf("rolling upgrade of pool %s to %s started (run %lld);"
			    " pool database saved to %s\n", pool,
			    cli_jstr(reply, "target_version"),
			    (long long)json_integer_value(json_object_get(reply,
			    "run")), cli_jstr(reply, "dump"));
		ret = o->follow ? cli_status(o, pool, 1) : 0;
	} else {
		ret = cli_refused(o, CLI_EXIT_FAIL, reply, "upgrade", status);
		if (!o->json && json_object_get(reply, "checks") != NULL)
			cli_print_checks(reply);
	}
	json_decref(reply);
	return ret;
}

int
cli_pool_action(const struct cli_opts *o, const char *pool, const char *action)
{
	char path[256];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(pool))
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a pool name",
		    pool);
	cli_pool_path(path, sizeof(path), pool, action);
	if ((ret = cli_api_send(o, "POST", path, "{}", &status, &reply)) != 0)
		return ret;
	if (status == 202 && cli_queued_is(reply))	/* another site's */
		ret = cli_site_queued(o, action, reply);
	else if (status / 100 == 2) {
		if (o->json) {
			json_dumpf(reply, stdout, JSON_INDENT(2));
			putchar('\n');
		} else
			printf("pool %s: %s (run %lld is %s)\n", pool, action,
			    (long long)json_integer_value(json_object_get(reply,
			    "run")), cli_jstr(reply, "state"));
		ret = o->follow ? cli_status(o, pool, 1) : 0;
	} else
		ret = cli_refused(o, CLI_EXIT_FAIL, reply, action, status);
	json_decref(reply);
	return ret;
}

/* ---- rebuild / install jobs --------------------------------------------- */

/* One job (an element of GET /api/v1/jobs, or a job's reply) on f, its
 * state coloured with colour. */
static void
cli_print_job_to(FILE *f, json_t *j, int colour)
{
	const char *pool = cli_jstr(j, "pool");
	const char *step_ms = cli_jstr(j, "step_ms");
	const char *st = cli_jstr(j, "state");
	const char *col = state_run_is(st, RUN_DONE) ? CLI_FOLLOW_GREEN :
	    state_run_is(st, RUN_RUNNING) || strcmp(st, "aborting") == 0 ?
	    CLI_FOLLOW_YELLOW : CLI_FOLLOW_RED;

	fprintf(f, "job %lld: %s %s%s%s%s: %s%s%s, step %s%s%s\n",
	    (long long)json_integer_value(json_object_get(j, "id")),
	    cli_jstr(j, "kind"), cli_jstr(j, "host"), pool[0] ? " (pool " : "",
	    pool, pool[0] ? ")" : "", colour ? col : "", st, colour ?
	    CLI_FOLLOW_PLAIN : "", cli_jstr(j, "step"), step_ms[0] ? "; " : "",
	    step_ms);
	if (cli_jstr(j, "message")[0])
		fprintf(f, "    >>> %s\n", cli_jstr(j, "message"));
	if (cli_jstr(j, "error")[0])
		fprintf(f, "    error: %s\n", cli_jstr(j, "error"));
}

static void
cli_print_job(json_t *j)
{
	cli_print_job_to(stdout, j, cli_follow_fancy());
}

/* Job j as a malloc'd string (NULL when out of memory). */
static char *
cli_job_text(json_t *j, int colour)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	cli_print_job_to(f, j, colour);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* 1 while a job in reply is still going: running, or "aborting" (what the
 * API answers while a job's thread stops; not a stored state, so not in
 * state.h). */
static int
cli_job_going(json_t *reply)
{
	const char *st = cli_jstr(reply, "state");

	return state_run_is(st, RUN_RUNNING) || strcmp(st, "aborting") == 0;
}

/* Polls job id until it is no longer running; shows each change as
 * following does (cli_follow_show); Ctrl-C stops following, not the job. */
static int
cli_follow_job(const struct cli_opts *o, long long id)
{
	char path[128];
	json_t *reply = NULL;
	struct cli_follow fw;
	long status;
	int ret = 0;

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	cli_follow_begin(&fw);
	for (;;) {
		if (cli_follow_stopped())
			break;
		if ((ret = cli_api_send(o, "GET", path, NULL, &status,
		    &reply)) != 0)
			break;
		if (status != 200 || reply == NULL) {
			ret = cli_refused(o, CLI_EXIT_FAIL, reply, "reading the "
			    "job", status);
			break;
		}
		cli_follow_show(&fw, cli_job_text(reply, fw.tty),
		    cli_job_text(reply, 0));
		if (!cli_job_going(reply)) {
			ret = state_run_is(cli_jstr(reply, "state"), RUN_DONE) ?
			    0 : CLI_EXIT_FAIL;
			break;
		}
		json_decref(reply);
		reply = NULL;
		usleep(300 * 1000);
	}
	json_decref(reply);
	return cli_follow_end(&fw, ret, "job", "poolboot jobs");
}

int
cli_job_start(const struct cli_opts *o, const char *host, const char *kind)
{
	char path[256];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(host))
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a host name",
		    host);
	if (!o->wipe)
		return cli_fail(o, CLI_EXIT_FAIL, "%s installs %s fresh: its "
		    "local storage and every VM on it are wiped; pass --wipe to "
		    "go ahead", kind, host);
	snprintf(path, sizeof(path), "/api/v1/hosts/%s/%s", host, kind);
	if ((ret = cli_api_send(o, "POST", path, "{\"wipe\": true}", &status,
	    &reply)) != 0)
		return ret;
	if (status != 202 || cli_queued_is(reply)) {	/* or another site's */
		ret = status != 202 ? cli_refused(o, CLI_EXIT_FAIL, reply,
		    kind, status) : cli_site_queued(o, kind, reply);
		json_decref(reply);
		return ret;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (!o->follow)	/* following shows it */
		cli_print_job(reply);
	ret = o->follow ? cli_follow_job(o, (long long)json_integer_value(
	    json_object_get(reply, "id"))) : 0;
	json_decref(reply);
	return ret;
}

int
cli_job_action(const struct cli_opts *o, const char *action, const char *idstr)
{
	char path[128], *end;
	json_t *reply = NULL;
	long long id = strtoll(idstr, &end, 10);
	long status;
	int ret;

	if (*end != '\0' || id <= 0)
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a job id",
		    idstr);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/%s", id, action);
	if ((ret = cli_api_send(o, "POST", path, "{}", &status, &reply)) != 0)
		return ret;
	if (status / 100 != 2 || cli_queued_is(reply)) { /* or another site's */
		ret = status / 100 != 2 ? cli_refused(o, CLI_EXIT_FAIL, reply,
		    action, status) : cli_site_queued(o, action, reply);
		json_decref(reply);
		return ret;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (!o->follow)	/* following shows it */
		cli_print_job(reply);
	json_decref(reply);
	return o->follow ? cli_follow_job(o, id) : 0;
}

int
cli_jobs_list(const struct cli_opts *o)
{
	json_t *reply = NULL, *it;
	long status;
	size_t i;
	int ret;

	if ((ret = cli_api_send(o, "GET", "/api/v1/jobs", NULL, &status,
	    &reply)) != 0)
		return ret;
	if (status != 200) {
		ret = cli_refused(o, CLI_EXIT_FAIL, reply, "jobs", status);
		json_decref(reply);
		return ret;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (json_array_size(json_object_get(reply, "jobs")) == 0)
		printf("no rebuild or install jobs\n");
	else
		json_array_foreach(json_object_get(reply, "jobs"), i, it)
			cli_print_job(it);
	json_decref(reply);
	return 0;
}
