/* main.c — the poolboot command line: one binary, subcommands.
 *
 * Exit codes: 0 success; 1 the configuration is invalid, or the server
 * refused or failed the request; 2 usage error; 3 poolboot serve cannot be
 * reached (for commands that go through it).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "arm.h"
#include "client.h"
#include "config.h"
#include "coord.h"
#include "dnsmasq.h"
#include "http.h"
#include "job.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "tftp.h"

#ifndef POOLBOOT_VERSION
#define POOLBOOT_VERSION "0.1.0"
#endif

#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_NOSERVER	3

struct cmdopts {
	const char *conf;
	const char *skeleton;	/* init-tftp --skeleton DIR */
	int	 verbose;
	int	 wipe;
	int	 json;
	int	 what;		/* render: 0 all, 1 pxelinux, 2 answerfile, 3 script */
	int	 help;
	int	 dry_run;
	int	 disable_ha;
	int	 follow;
	int	 syslog;	/* serve --syslog */
};

static void
usage_main(FILE *f)
{
	fprintf(f,
	    "usage: poolboot COMMAND [-c FILE] [options]\n"
	    "\n"
	    "Network installs and upgrades of XenServer / XCP-ng hosts.\n"
	    "\n"
	    "commands:\n"
	    "  check     check configuration, inventory, repos and tftp-root\n"
	    "  render    print what a host would receive (changes nothing)\n"
	    "  serve     run the server (HTTP, callbacks, admin API, dnsmasq)\n"
	    "  init-tftp fill tftp-root with the syslinux boot files\n"
	    "  arm       arm a host for one network install (through the server)\n"
	    "  disarm    put an armed host back to local boot (through the server)\n"
	    "  hosts     list inventory hosts with their state\n"
	    "  precheck  check whether a pool can be upgraded (changes nothing)\n"
	    "  upgrade   start a rolling upgrade of a pool (through the server)\n"
	    "  status    show the rolling-upgrade runs of the pools\n"
	    "  retry     resume a halted rolling upgrade at its failed step\n"
	    "  abort     stop a rolling upgrade: disarm, re-enable hosts\n"
	    "  rebuild   forget a dead pool member, fresh-install it, join it back\n"
	    "  install   fresh-install a new host (and join its pool)\n"
	    "  jobs      list rebuild/install jobs; jobs retry|abort ID\n"
	    "  version   print the version\n"
	    "\n"
	    "  -c FILE   configuration file (default: $POOLBOOT_CONF, else\n"
	    "            ./poolboot.conf if it exists, else\n"
	    "            /etc/poolboot/poolboot.conf)\n"
	    "  -v        debug log lines too (any command; -vv is the same)\n"
	    "  --json    JSON output (check, render, hosts, precheck, status,\n"
	    "            jobs, version, arm, disarm, upgrade, retry, abort,\n"
	    "            rebuild, install)\n"
	    "  --help    help for a command: poolboot COMMAND --help\n"
	    "\n"
	    "exit codes: 0 ok, 1 invalid configuration or request refused/failed,\n"
	    "            2 usage error, 3 poolboot serve not reachable\n");
}

static const char *cmd_help[][2] = {
	{ "check", "usage: poolboot check [-c FILE] [--json]\n\n"
	    "Loads the configuration and inventory, inspects every repo (its\n"
	    ".treeinfo and boot files), renders the pxelinux config, answerfile\n"
	    "and script of every host and validates them, and checks tftp-root.\n"
	    "With [dnsmasq]: the boot files in tftp-root are required, and the\n"
	    "generated dnsmasq config is run through dnsmasq --test.\n"
	    "Prints 'configuration OK' or every problem as file:line: message\n"
	    "(exit 1).\n"
	    "  --json  one JSON document: {ok, problems, notes, warnings, repos}\n" },
	{ "init-tftp", "usage: poolboot init-tftp -c FILE\n"
	    "       poolboot init-tftp --skeleton DIR\n\n"
	    "Fills tftp_root from the installed syslinux packages: pxelinux.0,\n"
	    "lpxelinux.0 (package pxelinux), ldlinux.c32, mboot.c32 and\n"
	    "libcom32.c32 (package syslinux-common). Files already identical are\n"
	    "kept; copies are atomic. Writes pxelinux.cfg/default (local boot)\n"
	    "if it is missing and, with boot_files = tftp, links repo/<repo> to\n"
	    "every repo. Prints each file and where it came from.\n"
	    "  --skeleton DIR  fill DIR without a configuration (make install)\n" },
	{ "render", "usage: poolboot render [-c FILE] HOST [--pxelinux | "
	    "--answerfile | --script] [--json]\n\n"
	    "Prints what HOST would receive when armed: its pxelinux.cfg/01-<mac>\n"
	    "file, its answerfile and/or its installation-complete script. The\n"
	    "secret token is shown as TOKEN (a real one is made by 'arm').\n"
	    "Changes nothing.\n"
	    "  --json  {host, mode, pool, mac, pxelinux_file, pxelinux,\n"
	    "          answerfile, script} instead of the texts one by one\n" },
	{ "serve", "usage: poolboot serve [-c FILE] [-v] [--syslog]\n\n"
	    "Runs the server in the foreground: serves repos, answerfiles,\n"
	    "scripts and callbacks over HTTP and the admin API under /api/v1.\n"
	    "With [dnsmasq]: writes dnsmasq's config under state_dir/dnsmasq,\n"
	    "checks it with dnsmasq --test (refusing to start if dnsmasq does)\n"
	    "and, with mode = managed, runs dnsmasq as a child, restarting it\n"
	    "if it dies.\n"
	    "Creates the admin token file if missing. Stops on SIGINT/SIGTERM.\n"
	    "GET /metrics serves Prometheus metrics ([server] metrics).\n"
	    "  -v        debug log lines too (e.g. libmicrohttpd's complaints\n"
	    "            about malformed requests, XAPI calls)\n"
	    "  --syslog  log to syslog/journald (facility daemon) instead of\n"
	    "            stderr; also [server] log = syslog\n" },
	{ "arm", "usage: poolboot arm [-c FILE] HOST [--wipe]\n\n"
	    "Arms HOST for one network install in its inventory mode: a new\n"
	    "secret token and an install entry in tftp-root/pxelinux.cfg/01-<mac>.\n"
	    "After the installer reports done or failed, the entry goes back to\n"
	    "local boot. Modes fresh, reinstall and restore destroy data on the\n"
	    "host and need --wipe. Goes through the running server.\n" },
	{ "disarm", "usage: poolboot disarm [-c FILE] HOST\n\n"
	    "Puts an armed HOST back to local boot and retires its token.\n"
	    "Goes through the running server.\n" },
	{ "hosts", "usage: poolboot hosts [-c FILE] [--json]\n\n"
	    "Lists the inventory hosts: pool, mode, MAC, state and last event.\n"
	    "Reads the state database directly; works with or without a running\n"
	    "server.\n" },
	{ "precheck", "usage: poolboot precheck [-c FILE] POOL [--json]\n\n"
	    "Runs every precheck of a rolling upgrade of POOL against XAPI and\n"
	    "prints the plan (master first, then members): hosts live and\n"
	    "enabled, HA/WLB off, no CD inserted, no VM preventing evacuation,\n"
	    "memory for N-1 hosts, one version everywhere, the repo newer, the\n"
	    "upgrade path allowed, inventory and boot files complete. Changes\n"
	    "nothing. Exit 0 when every check passed, 1 otherwise.\n" },
	{ "upgrade", "usage: poolboot upgrade [-c FILE] POOL [--dry-run] "
	    "[--disable-ha] [--follow] [--json]\n\n"
	    "Starts a rolling upgrade of POOL to its repo's version: prechecks,\n"
	    "a pool database dump, then host by host (master first): disable,\n"
	    "evacuate, arm, reboot into the installer, wait for its callback\n"
	    "and for XAPI to show the host back on the new version, enable.\n"
	    "Any failure halts the run (see status, retry, abort).\n"
	    "  --dry-run     print the prechecks and the plan; change nothing\n"
	    "  --disable-ha  turn HA/WLB off now and back on at the end\n"
	    "  --follow      show progress until the run ends\n" },
	{ "status", "usage: poolboot status [-c FILE] [POOL] [--follow] "
	    "[--json]\n\n"
	    "Shows the latest rolling-upgrade run of each pool (or of POOL):\n"
	    "state, each host's step, versions, times and errors.\n"
	    "  --follow  keep showing progress until the runs end\n" },
	{ "retry", "usage: poolboot retry [-c FILE] POOL\n\n"
	    "Resumes a halted run at the step that failed (a failed install\n"
	    "restarts at arming). Fix the cause first.\n" },
	{ "abort", "usage: poolboot abort [-c FILE] POOL\n\n"
	    "Stops POOL's run: armed hosts go back to local boot, disabled\n"
	    "hosts that are live are enabled again, HA/WLB restored.\n" },
	{ "rebuild", "usage: poolboot rebuild [-c FILE] HOST --wipe [--follow] "
	    "[--json]\n\n"
	    "Rebuilds a dead or failed pool member: checks it is not live in\n"
	    "its pool (a live host is never forgotten), forgets it (host.destroy,\n"
	    "what xe host-forget does), arms a fresh install (reinstall when the\n"
	    "inventory says so) with the inventory's network identity, powers it\n"
	    "into PXE (power = ipmi or manual), waits for the installer, logs in\n"
	    "to the new install at its inventory ip, calls pool.join, and waits\n"
	    "until it is live and enabled in the pool. --wipe is required: the\n"
	    "host's local storage is wiped. Goes through the running server.\n" },
	{ "install", "usage: poolboot install [-c FILE] HOST --wipe [--follow] "
	    "[--json]\n\n"
	    "Fresh-installs a new host (mode = fresh in its [host] section) and,\n"
	    "with join = POOL there, joins it to that pool afterwards. --wipe is\n"
	    "required. Goes through the running server.\n" },
	{ "jobs", "usage: poolboot jobs [-c FILE] [--json]\n"
	    "       poolboot jobs retry|abort ID [-c FILE]\n\n"
	    "Lists rebuild and install jobs (newest first) with their step and\n"
	    "errors; retry resumes a halted job at its failed step (a failed\n"
	    "install starts again at arming); abort stops it and disarms.\n" },
	{ "version", "usage: poolboot version [--json]\n\n"
	    "Prints the version (--json: with the library versions).\n" },
};

static void
usage_cmd(const char *cmd, FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_help) / sizeof(cmd_help[0]); i++)
		if (strcmp(cmd_help[i][0], cmd) == 0) {
			fputs(cmd_help[i][1], f);
			fputs("\nexit status: 0 success; 1 invalid configuration, "
			    "or the request was\nrefused or failed; 2 usage error; "
			    "3 poolboot serve not reachable\n(commands that go "
			    "through it)\n", f);
			return;
		}
	usage_main(f);
}

/* Loads the configuration, printing every problem. NULL on failure. */
static struct config *
load_config(const char *path, int quiet_ok)
{
	struct strlist errors = { 0 }, warnings = { 0 };
	struct config *cfg = NULL;
	size_t i;

	(void)quiet_ok;
	if (config_load(path, &cfg, &errors, &warnings) == -1) {
		for (i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		fprintf(stderr, "%zu problem%s in %s\n", errors.n,
		    errors.n == 1 ? "" : "s", path);
	}
	for (i = 0; i < warnings.n; i++)
		fprintf(stderr, "warning: %s\n", warnings.v[i]);
	strlist_free(&errors);
	strlist_free(&warnings);
	return cfg;
}

/* ---- check -------------------------------------------------------------- */

static json_t *
strlist_json(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

/* check --json: one document whatever the outcome. */
static void
check_print_json(const char *path, const struct config *cfg,
    const struct strlist *problems, const struct strlist *notes,
    const struct strlist *warnings)
{
	json_t *doc, *repos = json_array();
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->nrepos; i++) {
		const struct repo *r = &cfg->repos[i];

		json_array_append_new(repos, json_pack("{s:s, s:s?, s:s?, s:s?, "
		    "s:s?}", "name", r->name, "path", r->path, "product_brand",
		    r->product_brand, "product_version", r->product_version,
		    "build_number", r->build_number));
	}
	doc = json_pack("{s:b, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:s?}",
	    "ok", problems->n == 0 && cfg != NULL, "config", path, "problems", strlist_json(problems), "notes",
	    strlist_json(notes), "warnings", strlist_json(warnings), "repos",
	    repos, "pools", (json_int_t)(cfg ? cfg->npools : 0), "hosts",
	    (json_int_t)(cfg ? cfg->nhosts : 0), "repo_count",
	    (json_int_t)(cfg ? cfg->nrepos : 0), "template_dir",
	    cfg ? cfg->template_dir : NULL);
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

static int
cmd_check(struct cmdopts *o)
{
	struct strlist problems = { 0 }, notes = { 0 }, warnings = { 0 };
	struct config *cfg = NULL;
	char err[1024];
	size_t i, len;
	int ret = EXIT_FAIL;

	if (config_load(o->conf, &cfg, &problems, &warnings) == -1) {
		if (o->json) {
			check_print_json(o->conf, NULL, &problems, &notes,
			    &warnings);
			goto out;
		}
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		for (i = 0; i < warnings.n; i++)
			fprintf(stderr, "warning: %s\n", warnings.v[i]);
		fprintf(stderr, "%zu problem%s in %s\n", problems.n,
		    problems.n == 1 ? "" : "s", o->conf);
		goto out;
	}
	if (!o->json)
		for (i = 0; i < warnings.n; i++)
			fprintf(stderr, "warning: %s\n", warnings.v[i]);
	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		char *s;

		if (h->repo == NULL)
			continue;
		if ((s = render_pxelinux_install(cfg, h, "TOKEN", err,
		    sizeof(err))) == NULL)
			strlist_addf(&problems, "%s:%d: [host %s]: pxelinux: %s",
			    cfg->path, h->line, h->name, err);
		free(s);
		if ((s = render_answerfile(cfg, h, h->mode, "TOKEN", &len, err,
		    sizeof(err))) == NULL)
			strlist_addf(&problems, "%s:%d: [host %s]: answerfile: %s",
			    cfg->path, h->line, h->name, err);
		free(s);
		if ((s = render_script(cfg, h, "TOKEN", err, sizeof(err))) == NULL)
			strlist_addf(&problems, "%s:%d: [host %s]: script: %s",
			    cfg->path, h->line, h->name, err);
		free(s);
	}
	{
		char *s = render_pxelinux_local(cfg, err, sizeof(err));

		if (s == NULL)
			strlist_addf(&problems, "local-boot template: %s", err);
		free(s);
	}
	tftp_check_layout(cfg, &problems, &notes);
	dnsmasq_check(cfg, &problems, &notes);
	if (o->json) {
		check_print_json(o->conf, cfg, &problems, &notes, &warnings);
		ret = problems.n == 0 ? 0 : EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < notes.n; i++)
		fprintf(stderr, "note: %s\n", notes.v[i]);
	if (problems.n > 0) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		fprintf(stderr, "%zu problem%s\n", problems.n,
		    problems.n == 1 ? "" : "s");
		goto out;
	}
	printf("configuration OK: %zu repo%s, %zu pool%s, %zu host%s; "
	    "templates from %s\n", cfg->nrepos, cfg->nrepos == 1 ? "" : "s",
	    cfg->npools, cfg->npools == 1 ? "" : "s", cfg->nhosts,
	    cfg->nhosts == 1 ? "" : "s", cfg->template_dir);
	for (i = 0; i < cfg->nrepos; i++)
		printf("  repo %s: %s %s%s%s at %s\n", cfg->repos[i].name,
		    cfg->repos[i].product_brand ? cfg->repos[i].product_brand :
		    "product", cfg->repos[i].product_version,
		    cfg->repos[i].build_number ? " build " : "",
		    cfg->repos[i].build_number ? cfg->repos[i].build_number : "",
		    cfg->repos[i].path);
	ret = 0;
out:
	strlist_free(&problems);
	strlist_free(&notes);
	strlist_free(&warnings);
	config_free(cfg);
	return ret;
}

/* ---- render ------------------------------------------------------------- */

/* render --json: {host, mode, pxelinux_file, pxelinux, answerfile,
 * script}, each text present when asked for (all by default). */
static int
render_json(const struct config *cfg, const struct host *h, int what,
    char *err, size_t errlen)
{
	char pxe[21], *path = NULL, *s;
	json_t *doc;
	size_t len;
	int ret = -1;

	util_mac_pxe_name(h->mac, pxe);
	if ((path = util_path_join(cfg->tftp_root, "pxelinux.cfg")) == NULL ||
	    (doc = json_pack("{s:s, s:s, s:s?, s:s, s:s}", "host", h->name,
	    "mode", config_mode_name(h->mode), "pool", h->pool_name, "mac",
	    h->mac, "token", "TOKEN")) == NULL) {
		free(path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_set_new(doc, "pxelinux_file", json_sprintf("%s/%s", path,
	    pxe));
	if (what == 0 || what == 1) {
		if ((s = render_pxelinux_install(cfg, h, "TOKEN", err,
		    errlen)) == NULL)
			goto out;
		json_object_set_new(doc, "pxelinux", json_string(s));
		free(s);
	}
	if (what == 0 || what == 2) {
		if ((s = render_answerfile(cfg, h, h->mode, "TOKEN", &len, err,
		    errlen)) == NULL)
			goto out;
		json_object_set_new(doc, "answerfile", json_stringn(s, len));
		free(s);
	}
	if (what == 0 || what == 3) {
		if ((s = render_script(cfg, h, "TOKEN", err, errlen)) == NULL)
			goto out;
		json_object_set_new(doc, "script", json_string(s));
		free(s);
	}
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	ret = 0;
out:
	json_decref(doc);
	free(path);
	return ret;
}

static int
cmd_render(struct cmdopts *o, const char *hostname)
{
	struct config *cfg;
	const struct host *h;
	char err[1024], pxe[21];
	char *s = NULL;
	size_t len;
	int ret = EXIT_FAIL;

	if ((cfg = load_config(o->conf, 1)) == NULL)
		return EXIT_FAIL;
	if ((h = config_host(cfg, hostname)) == NULL) {
		fprintf(stderr, "poolboot: no host '%s' in %s\n", hostname,
		    o->conf);
		goto out;
	}
	if (o->json) {
		if (render_json(cfg, h, o->what, err, sizeof(err)) == -1)
			goto fail;
		ret = 0;
		goto out;
	}
	util_mac_pxe_name(h->mac, pxe);
	if (o->what == 0 || o->what == 1) {
		if ((s = render_pxelinux_install(cfg, h, "TOKEN", err,
		    sizeof(err))) == NULL)
			goto fail;
		if (o->what == 0)
			printf("# ==== %s/pxelinux.cfg/%s ====\n", cfg->tftp_root,
			    pxe);
		fputs(s, stdout);
		free(s);
		s = NULL;
	}
	if (o->what == 0 || o->what == 2) {
		if ((s = render_answerfile(cfg, h, h->mode, "TOKEN", &len, err,
		    sizeof(err))) == NULL)
			goto fail;
		if (o->what == 0)
			printf("# ==== answerfile (mode %s) ====\n",
			    config_mode_name(h->mode));
		fwrite(s, 1, len, stdout);
		free(s);
		s = NULL;
	}
	if (o->what == 3 || o->what == 0) {
		if ((s = render_script(cfg, h, "TOKEN", err, sizeof(err))) == NULL)
			goto fail;
		if (o->what == 0)
			printf("# ==== installation-complete script ====\n");
		fputs(s, stdout);
	}
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "poolboot: cannot render for host %s: %s\n", hostname,
	    err);
out:
	free(s);
	config_free(cfg);
	return ret;
}

/* ---- init-tftp ---------------------------------------------------------- */

static int
cmd_init_tftp(struct cmdopts *o)
{
	struct strlist report = { 0 }, errors = { 0 };
	struct config skel, *cfg = NULL;
	const char *root;
	size_t i;
	int rc;

	memset(&skel, 0, sizeof(skel));
	if (o->skeleton != NULL) {
		/* no configuration: boot files and the local-boot default */
		skel.path = (char *)(uintptr_t)"(skeleton)";
		skel.tftp_root = (char *)(uintptr_t)o->skeleton;
		skel.boot_files = BOOT_FILES_HTTP;	/* no repo links */
		if ((skel.template_dir = config_find_template_dir()) == NULL) {
			fprintf(stderr, "poolboot: no templates found next to the "
			    "poolboot binary\n");
			return EXIT_FAIL;
		}
		root = o->skeleton;
	} else {
		if ((cfg = load_config(o->conf, 1)) == NULL)
			return EXIT_FAIL;
		root = cfg->tftp_root;
	}
	rc = tftp_init_root(cfg != NULL ? cfg : &skel, root, NULL, NULL,
	    &report, &errors);
	for (i = 0; i < report.n; i++)
		printf("%s\n", report.v[i]);
	for (i = 0; i < errors.n; i++)
		fprintf(stderr, "poolboot: %s\n", errors.v[i]);
	if (rc == 0)
		printf("tftp-root %s is ready\n", root);
	else
		fprintf(stderr, "poolboot: tftp-root %s is incomplete (%zu "
		    "problem%s)\n", root, errors.n, errors.n == 1 ? "" : "s");
	strlist_free(&report);
	strlist_free(&errors);
	free(skel.template_dir);
	config_free(cfg);
	return rc == 0 ? 0 : EXIT_FAIL;
}

/* ---- serve -------------------------------------------------------------- */

/* [dnsmasq]: writes the files, has dnsmasq --test them and, in mode
 * managed, starts dnsmasq under its supervisor. -1: serve must not run
 * (the reason, dnsmasq's own message included, is logged). */
static int
serve_dnsmasq(const struct config *cfg, struct dnsmasq_sup **sup)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	char msg[4096];
	char *dir = NULL;
	int changed = 0, rc, ret = -1;

	*sup = NULL;
	if (!d->enabled)
		return 0;
	if ((dir = dnsmasq_dir(cfg)) == NULL)
		goto out;
	if (dnsmasq_write_files(cfg, NULL, &changed, msg, sizeof(msg)) == -1) {
		log_error("dnsmasq", "%s", msg);
		goto out;
	}
	log_info("dnsmasq", "%s/dnsmasq.conf%s: %d file%s changed", dir,
	    d->dhcp == DNSMASQ_FULL ? " and hosts.d" : "", changed,
	    changed == 1 ? "" : "s");
	rc = dnsmasq_test(cfg, NULL, msg, sizeof(msg));
	if (rc == DNSMASQ_TEST_FAILED) {
		log_error("dnsmasq", "dnsmasq refuses %s/dnsmasq.conf: %s", dir,
		    msg);
		goto out;
	}
	if (rc == DNSMASQ_TEST_NOBINARY && d->mode == DNSMASQ_MANAGED) {
		log_error("dnsmasq", "%s", msg);
		goto out;
	}
	if (rc == DNSMASQ_TEST_OK)
		log_info("dnsmasq", "%s --test: %s", d->binary, msg);
	if (d->mode == DNSMASQ_EXTERNAL) {
		log_info("dnsmasq", "mode external: poolboot runs no dnsmasq; add "
		    "conf-file=%s/dnsmasq.conf to the site's dnsmasq%s%s%s (%s)",
		    dir, d->dhcp == DNSMASQ_FULL ? " (it sets dhcp-hostsdir=" :
		    "", d->dhcp == DNSMASQ_FULL ? dir : "",
		    d->dhcp == DNSMASQ_FULL ? "/hosts.d)" : "",
		    rc == DNSMASQ_TEST_OK ? "dnsmasq --test: OK" : msg);
		ret = 0;
		goto out;
	}
	if (dnsmasq_start(cfg, sup, msg, sizeof(msg)) == -1) {
		log_error("dnsmasq", "dnsmasq did not start: %s", msg);
		goto out;
	}
	log_info("dnsmasq", "%s on %s (pid %ld), boot file %s, log %s/"
	    "dnsmasq.log", d->dhcp == DNSMASQ_FULL ? "DHCP server" :
	    "proxy-DHCP", d->interface, (long)dnsmasq_pid(*sup),
	    dnsmasq_boot_file(cfg), dir);
	ret = 0;
out:
	free(dir);
	return ret;
}

/* notify.h listeners of poolboot serve */
static void
main_notify_metrics(void *arg, const char *host, int result)
{
	(void)arg;
	(void)host;
	metrics_callback(result == 0 ? 0 : 1);
}

static void
main_notify_coord(void *arg, const char *host, int result)
{
	(void)host;
	(void)result;
	coord_notify(arg);
}

static void
main_notify_jobs(void *arg, const char *host, int result)
{
	(void)host;
	(void)result;
	jobs_notify(arg);
}

static int
cmd_serve(struct cmdopts *o)
{
	struct http_server *srv = NULL;
	struct http_deps deps = { 0 };
	struct config *cfg;
	struct store *st = NULL;
	struct arm *a = NULL;
	struct coord *co = NULL;
	struct jobs *jb = NULL;
	struct dnsmasq_sup *dns = NULL;
	struct notify *nt = NULL;
	char *token = NULL;
	char err[512];
	sigset_t set;
	int sig, ret = EXIT_FAIL;

	if ((cfg = load_config(o->conf, 1)) == NULL)
		return EXIT_FAIL;
	/* from here on every line goes to syslog when asked to (the
	 * configuration's own problems went to stderr above) */
	if (o->syslog || cfg->log_syslog)
		log_init("poolboot", PB_LOG_INFO + o->verbose, 1);
	if (store_open(cfg->state_dir, 0, &st) == -1) {
		log_error("serve", "cannot open the state database in %s",
		    cfg->state_dir);
		goto out;
	}
	if (arm_new(cfg, st, &a) == -1 || arm_reconcile(a) == -1) {
		log_error("serve", "cannot prepare tftp-root %s", cfg->tftp_root);
		goto out;
	}
	if ((token = client_admin_token(cfg, 1, err, sizeof(err))) == NULL) {
		log_error("serve", "%s", err);
		goto out;
	}
	if (coord_new(cfg, st, a, &co) == -1) {
		log_error("serve", "cannot start the coordinators");
		goto out;
	}
	if (jobs_new(cfg, st, a, &jb) == -1) {
		log_error("serve", "cannot start the job runner");
		goto out;
	}
	/* an installer's callback wakes a waiting coordinator or job at
	 * once and is counted for /metrics */
	if (notify_new(&nt) == -1 ||
	    notify_listen(nt, main_notify_metrics, NULL) == -1 ||
	    notify_listen(nt, main_notify_coord, co) == -1 ||
	    notify_listen(nt, main_notify_jobs, jb) == -1) {
		log_error("serve", "out of memory");
		goto out;
	}
	arm_set_notify(a, nt);
	deps.api.cfg = cfg;
	deps.api.st = st;
	deps.api.arm = a;
	deps.api.coord = co;
	deps.api.jobs = jb;
	deps.admin_token = token;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (serve_dnsmasq(cfg, &dns) == -1)
		goto out;
	deps.dnsmasq = dns;
	if (http_start(&deps, &srv) == -1)
		goto out;
	log_info("serve", "poolboot %s serving %zu host%s on %s:%d (public URL "
	    "%s), tftp-root %s, state %s", POOLBOOT_VERSION, cfg->nhosts,
	    cfg->nhosts == 1 ? "" : "s", cfg->listen_addr, cfg->listen_port,
	    cfg->public_url, cfg->tftp_root, cfg->state_dir);
	store_event(st, NULL, NULL, "serve", "server started (pid %ld)",
	    (long)getpid());
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("serve", "SIGHUP: configuration reload is not "
			    "supported yet; restart poolboot serve to apply "
			    "inventory changes");
			continue;
		}
		break;
	}
	log_info("serve", "signal %d: shutting down", sig);
	store_event(st, NULL, NULL, "serve", "server stopped");
	ret = 0;
out:
	http_stop(srv);		/* first: /metrics reads dns */
	dnsmasq_stop(dns);
	jobs_free(jb);
	coord_free(co);
	arm_free(a);
	notify_free(nt);
	store_close(st);
	if (token != NULL)
		util_wipe(token, strlen(token));
	free(token);
	config_free(cfg);
	return ret;
}

/* ---- arm / disarm ------------------------------------------------------- */

/* Sends a request; *reply gets the JSON body whatever the status (NULL if
 * not JSON), *status the HTTP status. Returns EXIT_NOSERVER when the
 * server cannot be reached, EXIT_FAIL on a config problem, else 0. */
static int
api_send(struct cmdopts *o, const char *method, const char *path,
    const char *body, long *status, json_t **reply)
{
	struct config *cfg;
	json_error_t jerr;
	char err[512];
	char *resp = NULL;
	int ret = EXIT_FAIL;

	*reply = NULL;
	*status = 0;
	if ((cfg = load_config(o->conf, 1)) == NULL)
		return EXIT_FAIL;
	if (client_request(cfg, method, path, body, status, &resp, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "poolboot: %s\n", err);
		ret = EXIT_NOSERVER;
		goto out;
	}
	*reply = json_loads(resp ? resp : "", 0, &jerr);
	ret = 0;
out:
	free(resp);
	config_free(cfg);
	return ret;
}

static int
api_call(struct cmdopts *o, const char *method, const char *path,
    const char *body, json_t **reply)
{
	struct config *cfg;
	json_error_t jerr;
	char err[512];
	char *resp = NULL;
	long status = 0;
	int ret = EXIT_FAIL;

	*reply = NULL;
	if ((cfg = load_config(o->conf, 1)) == NULL)
		return EXIT_FAIL;
	if (client_request(cfg, method, path, body, &status, &resp, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "poolboot: %s\n", err);
		ret = EXIT_NOSERVER;
		goto out;
	}
	*reply = json_loads(resp ? resp : "", 0, &jerr);
	if (status < 200 || status > 299) {
		json_t *e = *reply ? json_object_get(*reply, "error") : NULL;

		fprintf(stderr, "poolboot: refused (HTTP %ld): %s\n", status,
		    json_is_string(e) ? json_string_value(e) :
		    (resp ? resp : ""));
		goto out;
	}
	if (*reply == NULL) {
		fprintf(stderr, "poolboot: the server sent a reply that is not "
		    "JSON: %s\n", jerr.text);
		goto out;
	}
	ret = 0;
out:
	free(resp);
	config_free(cfg);
	return ret;
}

static int
cmd_arm(struct cmdopts *o, const char *host, int disarm)
{
	char path[256];
	json_t *reply = NULL;
	int ret;

	if (!util_valid_name(host)) {
		fprintf(stderr, "poolboot: '%s' is not a host name\n", host);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/api/v1/hosts/%s/%s", host,
	    disarm ? "disarm" : "arm");
	ret = api_call(o, "POST", path, disarm ? "{}" : (o->wipe ?
	    "{\"wipe\": true}" : "{\"wipe\": false}"), &reply);
	if (ret == 0) {
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

/* ---- hosts -------------------------------------------------------------- */

static int
cmd_hosts(struct cmdopts *o)
{
	struct config *cfg;
	struct store *st = NULL;
	json_t *arr = NULL;
	char dbpath[4096], when[32];
	size_t i;
	int ret = EXIT_FAIL;

	if ((cfg = load_config(o->conf, 1)) == NULL)
		return EXIT_FAIL;
	snprintf(dbpath, sizeof(dbpath), "%s/poolboot.db", cfg->state_dir);
	if (access(dbpath, R_OK) == 0 && store_open(cfg->state_dir, 1, &st) == -1) {
		fprintf(stderr, "poolboot: cannot read %s\n", dbpath);
		goto out;
	}
	if (o->json)
		arr = json_array();
	else
		printf("%-20s %-12s %-10s %-18s %-11s %s\n", "HOST", "POOL", "MODE",
		    "MAC", "STATE", "LAST EVENT");
	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		struct host_status hs;

		memset(&hs, 0, sizeof(hs));
		hs.state = HOST_IDLE;
		if (st != NULL && store_host_status(st, h->name, &hs) == -1)
			goto out;
		if (o->json) {
			json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s, "
			    "s:s, s:s?, s:I}", "name", h->name, "pool", h->pool_name,
			    "mode", config_mode_name(h->mode), "mac", h->mac,
			    "state", store_state_name(hs.state), "last_event",
			    hs.last_event[0] ? hs.last_event : NULL,
			    "last_event_at", (json_int_t)hs.last_event_at));
			continue;
		}
		when[0] = '\0';
		if (hs.last_event_at)
			util_iso8601(hs.last_event_at, when);
		printf("%-20s %-12s %-10s %-18s %-11s %s%s%s\n", h->name,
		    h->pool_name ? h->pool_name : "-", config_mode_name(h->mode),
		    h->mac, store_state_name(hs.state), when, when[0] ? " " : "",
		    hs.last_event[0] ? hs.last_event : "-");
	}
	if (o->json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	ret = 0;
out:
	json_decref(arr);
	store_close(st);
	config_free(cfg);
	return ret;
}

/* ---- rolling upgrades --------------------------------------------------- */

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void
print_checks(json_t *reply)
{
	json_t *checks = json_object_get(reply, "checks");
	json_t *plan = json_object_get(reply, "plan");
	json_t *it;
	size_t i;

	json_array_foreach(checks, i, it)
		printf("  [%s] %-24s %s\n", json_is_true(json_object_get(it,
		    "ok")) ? " OK " : "FAIL", jstr(it, "check"),
		    jstr(it, "message"));
	if (json_array_size(plan) > 0) {
		printf("plan (one host at a time, master first):\n");
		json_array_foreach(plan, i, it)
			printf("  %zu. %-20s %-7s %s -> %s: %s\n", i + 1,
			    jstr(it, "host"), jstr(it, "role"),
			    jstr(it, "version"), jstr(it, "target"),
			    jstr(it, "action"));
	}
}

static void
pool_path(char *buf, size_t len, const char *pool, const char *what)
{
	snprintf(buf, len, "/api/v1/pools/%s%s%s", pool, what ? "/" : "",
	    what ? what : "");
}

static int
cmd_precheck(struct cmdopts *o, const char *pool)
{
	char path[256];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(pool)) {
		fprintf(stderr, "poolboot: '%s' is not a pool name\n", pool);
		return EXIT_USAGE;
	}
	pool_path(path, sizeof(path), pool, "precheck");
	if ((ret = api_send(o, "POST", path, "{}", &status, &reply)) != 0)
		return ret;
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (status == 200) {
		printf("prechecks for pool %s (target %s):\n", pool,
		    jstr(reply, "target_version"));
		print_checks(reply);
	} else
		fprintf(stderr, "poolboot: precheck failed (HTTP %ld): %s\n",
		    status, reply ? jstr(reply, "error") : "");
	ret = (status == 200 && json_is_true(json_object_get(reply, "ok"))) ?
	    0 : EXIT_FAIL;
	if (!o->json && status == 200)
		printf("%s\n", ret == 0 ? "all prechecks passed" :
		    "prechecks FAILED: fix the items marked FAIL; nothing was "
		    "changed");
	json_decref(reply);
	return ret;
}

static double
secs(json_t *h, const char *key, json_int_t now)
{
	json_int_t t = json_integer_value(json_object_get(h, key));

	return t > 0 ? (double)(now - t) / 1000.0 : 0.0;
}

/* One screenful of a run; returns 1 while the run is still going. */
static int
print_run(json_t *pr)
{
	json_t *hosts = json_object_get(pr, "hosts"), *h;
	const char *state = jstr(pr, "state");
	json_int_t now;
	struct timespec ts;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (json_is_null(json_object_get(pr, "run"))) {
		printf("pool %s: no rolling upgrade yet\n", jstr(pr, "pool"));
		return 0;
	}
	printf("pool %s: run %lld %s, target %s, %lld/%lld hosts done\n",
	    jstr(pr, "pool"), (long long)json_integer_value(json_object_get(pr,
	    "run")), state, jstr(pr, "target_version"),
	    (long long)json_integer_value(json_object_get(pr, "hosts_done")),
	    (long long)json_integer_value(json_object_get(pr, "hosts_total")));
	printf("  %-20s %-7s %-9s %-19s %s\n", "HOST", "ROLE", "STEP",
	    "VERSION", "TIME");
	json_array_foreach(hosts, i, h) {
		char ver[64];
		const char *step = jstr(h, "step");

		if (jstr(h, "new_version")[0])
			snprintf(ver, sizeof(ver), "%s -> %s", jstr(h,
			    "old_version"), jstr(h, "new_version"));
		else
			snprintf(ver, sizeof(ver), "%s", jstr(h, "old_version"));
		if (strcmp(step, "done") == 0 || strcmp(step, "skipped") == 0)
			printf("  %-20s %-7s %-9s %-19s %.1f s total\n",
			    jstr(h, "host"), jstr(h, "role"), step, ver,
			    (double)(json_integer_value(json_object_get(h,
			    "finished_at")) - json_integer_value(
			    json_object_get(h, "started_at"))) / 1000.0);
		else if (strcmp(step, "pending") == 0)
			printf("  %-20s %-7s %-9s %s\n", jstr(h, "host"),
			    jstr(h, "role"), step, ver);
		else
			printf("  %-20s %-7s %-9s %-19s %.1f s in step\n",
			    jstr(h, "host"), jstr(h, "role"), step, ver,
			    secs(h, "step_started_at", now));
		if (jstr(h, "error")[0])
			printf("      error: %s\n", jstr(h, "error"));
	}
	if (jstr(pr, "error")[0])
		printf("  halted: %s\n  fix the cause, then: poolboot retry %s "
		    "(or poolboot abort %s)\n", jstr(pr, "error"),
		    jstr(pr, "pool"), jstr(pr, "pool"));
	if (jstr(pr, "report")[0])
		printf("%s\n", jstr(pr, "report"));
	return strcmp(state, "running") == 0;
}

/* status, once or until every shown run has ended (follow). Exit code:
 * 0 when the runs ended done (or nothing runs), 1 if one halted/aborted. */
static int
show_status(struct cmdopts *o, const char *pool, int follow)
{
	char path[256], last[8192] = "";
	json_t *reply = NULL, *pools, *pr;
	long status;
	size_t i;
	int ret, going, bad;

	if (pool != NULL)
		pool_path(path, sizeof(path), pool, NULL);
	else
		snprintf(path, sizeof(path), "/api/v1/pools");
	for (;;) {
		char *dump;

		if ((ret = api_send(o, "GET", path, NULL, &status, &reply)) != 0)
			return ret;
		if (status != 200) {
			fprintf(stderr, "poolboot: %s (HTTP %ld)\n", reply ?
			    jstr(reply, "error") : "request failed", status);
			json_decref(reply);
			return EXIT_FAIL;
		}
		pools = json_object_get(reply, "pools");
		going = bad = 0;
		json_array_foreach(pools, i, pr) {
			const char *st = jstr(pr, "state");

			if (strcmp(st, "running") == 0)
				going = 1;
			if (strcmp(st, "halted") == 0 ||
			    strcmp(st, "aborted") == 0)
				bad = 1;
		}
		if (o->json && !follow) {
			json_dumpf(reply, stdout, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			/* in follow mode print only when something changed
			 * (ignoring the clock) */
			json_t *copy = json_deep_copy(pools);
			json_t *h;
			size_t k;

			json_array_foreach(copy, i, pr) {
				json_object_del(pr, "updated_at");
				json_array_foreach(json_object_get(pr, "hosts"),
				    k, h)
					json_object_del(h, "attempts");
			}
			dump = json_dumps(copy, JSON_COMPACT);
			json_decref(copy);
			if (!follow || dump == NULL || strcmp(dump, last) != 0) {
				if (follow)
					printf("\n");
				json_array_foreach(pools, i, pr)
					print_run(pr);
				fflush(stdout);
				if (dump != NULL)
					snprintf(last, sizeof(last), "%s", dump);
			}
			free(dump);
		}
		json_decref(reply);
		reply = NULL;
		if (!follow || !going)
			break;
		usleep(300 * 1000);
	}
	return bad ? EXIT_FAIL : 0;
}

static int
cmd_upgrade(struct cmdopts *o, const char *pool)
{
	char path[256], body[128];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(pool)) {
		fprintf(stderr, "poolboot: '%s' is not a pool name\n", pool);
		return EXIT_USAGE;
	}
	pool_path(path, sizeof(path), pool, "upgrade");
	snprintf(body, sizeof(body), "{\"dry_run\": %s, \"disable_ha\": %s}",
	    o->dry_run ? "true" : "false", o->disable_ha ? "true" : "false");
	if ((ret = api_send(o, "POST", path, body, &status, &reply)) != 0)
		return ret;
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	if (status == 200 && o->dry_run) {
		if (!o->json) {
			printf("dry run for pool %s (target %s): nothing was "
			    "changed\n", pool, jstr(reply, "target_version"));
			print_checks(reply);
		}
		ret = json_is_true(json_object_get(reply, "ok")) ? 0 : EXIT_FAIL;
	} else if (status == 202) {
		if (!o->json)
			printf("rolling upgrade of pool %s to %s started (run %lld);"
			    " pool database saved to %s\n", pool,
			    jstr(reply, "target_version"),
			    (long long)json_integer_value(json_object_get(reply,
			    "run")), jstr(reply, "dump"));
		ret = o->follow ? show_status(o, pool, 1) : 0;
	} else {
		if (!o->json) {
			fprintf(stderr, "poolboot: upgrade refused (HTTP %ld): %s\n",
			    status, reply ? jstr(reply, "error") : "");
			if (json_object_get(reply, "checks") != NULL)
				print_checks(reply);
		}
		ret = EXIT_FAIL;
	}
	json_decref(reply);
	return ret;
}

static int
cmd_pool_action(struct cmdopts *o, const char *pool, const char *action)
{
	char path[256];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(pool)) {
		fprintf(stderr, "poolboot: '%s' is not a pool name\n", pool);
		return EXIT_USAGE;
	}
	pool_path(path, sizeof(path), pool, action);
	if ((ret = api_send(o, "POST", path, "{}", &status, &reply)) != 0)
		return ret;
	if (status / 100 == 2) {
		if (o->json) {
			json_dumpf(reply, stdout, JSON_INDENT(2));
			putchar('\n');
		} else
			printf("pool %s: %s (run %lld is %s)\n", pool, action,
			    (long long)json_integer_value(json_object_get(reply,
			    "run")), jstr(reply, "state"));
		ret = o->follow ? show_status(o, pool, 1) : 0;
	} else {
		fprintf(stderr, "poolboot: %s refused (HTTP %ld): %s\n", action,
		    status, reply ? jstr(reply, "error") : "");
		ret = EXIT_FAIL;
	}
	json_decref(reply);
	return ret;
}

/* ---- rebuild / install jobs ------------------------------------------------ */

static void
print_job(json_t *j)
{
	printf("job %lld: %s %s%s%s%s: %s, step %s%s%s\n",
	    (long long)json_integer_value(json_object_get(j, "id")),
	    jstr(j, "kind"), jstr(j, "host"), jstr(j, "pool")[0] ? " (pool " : "",
	    jstr(j, "pool")[0] ? jstr(j, "pool") : "", jstr(j, "pool")[0] ?
	    ")" : "", jstr(j, "state"), jstr(j, "step"), jstr(j, "step_ms")[0] ?
	    "; " : "", jstr(j, "step_ms"));
	if (jstr(j, "message")[0])
		printf("    >>> %s\n", jstr(j, "message"));
	if (jstr(j, "error")[0])
		printf("    error: %s\n", jstr(j, "error"));
}

/* Polls job id until it is no longer running; prints each change. */
static int
follow_job(struct cmdopts *o, long long id)
{
	char path[128], last[4096] = "";
	json_t *reply = NULL;
	long status;
	int ret;

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	for (;;) {
		char now[4096];

		if ((ret = api_send(o, "GET", path, NULL, &status, &reply)) != 0)
			return ret;
		if (status != 200 || reply == NULL) {
			fprintf(stderr, "poolboot: cannot read job %lld (HTTP %ld)\n",
			    id, status);
			json_decref(reply);
			return EXIT_FAIL;
		}
		snprintf(now, sizeof(now), "%s|%s|%s|%s", jstr(reply, "state"),
		    jstr(reply, "step"), jstr(reply, "message"),
		    jstr(reply, "error"));
		if (strcmp(now, last) != 0) {
			print_job(reply);
			fflush(stdout);
			snprintf(last, sizeof(last), "%s", now);
		}
		if (strcmp(jstr(reply, "state"), "running") != 0 &&
		    strcmp(jstr(reply, "state"), "aborting") != 0) {
			ret = strcmp(jstr(reply, "state"), "done") == 0 ? 0 :
			    EXIT_FAIL;
			json_decref(reply);
			return ret;
		}
		json_decref(reply);
		usleep(300 * 1000);
	}
}

static int
cmd_job_start(struct cmdopts *o, const char *host, const char *kind)
{
	char path[256];
	json_t *reply = NULL;
	long status;
	int ret;

	if (!util_valid_name(host)) {
		fprintf(stderr, "poolboot: '%s' is not a host name\n", host);
		return EXIT_USAGE;
	}
	if (!o->wipe) {
		fprintf(stderr, "poolboot: %s installs %s fresh: its local storage "
		    "and every VM on it are wiped; pass --wipe to go ahead\n",
		    kind, host);
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "/api/v1/hosts/%s/%s", host, kind);
	if ((ret = api_send(o, "POST", path, "{\"wipe\": true}", &status,
	    &reply)) != 0)
		return ret;
	if (status != 202) {
		fprintf(stderr, "poolboot: %s refused (HTTP %ld): %s\n", kind,
		    status, reply ? jstr(reply, "error") : "");
		json_decref(reply);
		return EXIT_FAIL;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else
		print_job(reply);
	ret = o->follow ? follow_job(o, (long long)json_integer_value(
	    json_object_get(reply, "id"))) : 0;
	json_decref(reply);
	return ret;
}

static int
cmd_jobs(struct cmdopts *o, int argc, char **argv)
{
	char path[128];
	json_t *reply = NULL, *it;
	long status;
	size_t i;
	int ret;

	if (argc == 2 && (strcmp(argv[0], "retry") == 0 ||
	    strcmp(argv[0], "abort") == 0)) {
		char *end;
		long long id = strtoll(argv[1], &end, 10);

		if (*end != '\0' || id <= 0) {
			fprintf(stderr, "poolboot: '%s' is not a job id\n", argv[1]);
			return EXIT_USAGE;
		}
		snprintf(path, sizeof(path), "/api/v1/jobs/%lld/%s", id, argv[0]);
		if ((ret = api_send(o, "POST", path, "{}", &status, &reply)) != 0)
			return ret;
		if (status / 100 != 2) {
			fprintf(stderr, "poolboot: %s refused (HTTP %ld): %s\n",
			    argv[0], status, reply ? jstr(reply, "error") : "");
			json_decref(reply);
			return EXIT_FAIL;
		}
		if (o->json) {
			json_dumpf(reply, stdout, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER);
			putchar('\n');
		} else
			print_job(reply);
		json_decref(reply);
		return o->follow ? follow_job(o, id) : 0;
	}
	if (argc != 0) {
		usage_cmd("jobs", stderr);
		return EXIT_USAGE;
	}
	if ((ret = api_send(o, "GET", "/api/v1/jobs", NULL, &status, &reply)) != 0)
		return ret;
	if (status != 200) {
		fprintf(stderr, "poolboot: HTTP %ld\n", status);
		json_decref(reply);
		return EXIT_FAIL;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (json_array_size(json_object_get(reply, "jobs")) == 0)
		printf("no rebuild or install jobs\n");
	else
		json_array_foreach(json_object_get(reply, "jobs"), i, it)
			print_job(it);
	json_decref(reply);
	return 0;
}

/* ---- version ------------------------------------------------------------ */

static int
cmd_version(struct cmdopts *o)
{
	json_t *doc;

	if (!o->json) {
		printf("poolboot %s\n", POOLBOOT_VERSION);
		return 0;
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "poolboot",
	    "version", POOLBOOT_VERSION, "libcurl",
	    curl_version_info(CURLVERSION_NOW)->version, "libxml2",
	    LIBXML_DOTTED_VERSION, "jansson", JANSSON_VERSION);
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	return 0;
}

/* ---- main --------------------------------------------------------------- */

/* -c's default: $POOLBOOT_CONF, ./poolboot.conf when there is one (a
 * working copy), else the file the systemd unit reads. */
static const char *
default_conf(void)
{
	const char *env = getenv("POOLBOOT_CONF");

	if (env != NULL && env[0] != '\0')
		return env;
	if (access("poolboot.conf", F_OK) == 0)
		return "poolboot.conf";
	return "/etc/poolboot/poolboot.conf";
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "wipe", no_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'J' },
		{ "pxelinux", no_argument, NULL, 'P' },
		{ "answerfile", no_argument, NULL, 'A' },
		{ "script", no_argument, NULL, 'S' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "disable-ha", no_argument, NULL, 'H' },
		{ "follow", no_argument, NULL, 'F' },
		{ "skeleton", required_argument, NULL, 'K' },
		{ "syslog", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdopts o = { .conf = default_conf() };
	const char *cmd;
	int c, ret;

	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2)
			usage_cmd(argv[2], stdout);
		else
			usage_main(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("poolboot %s\n", POOLBOOT_VERSION);
		return 0;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.conf = optarg; break;
		case 'v': o.verbose++; break;
		case 'W': o.wipe = 1; break;
		case 'J': o.json = 1; break;
		case 'P': o.what = 1; break;
		case 'A': o.what = 2; break;
		case 'S': o.what = 3; break;
		case 'D': o.dry_run = 1; break;
		case 'H': o.disable_ha = 1; break;
		case 'F': o.follow = 1; break;
		case 'K': o.skeleton = optarg; break;
		case 'L': o.syslog = 1; break;
		case 'h': o.help = 1; break;
		default:
			usage_cmd(cmd, stderr);
			return EXIT_USAGE;
		}
	}
	if (o.help) {
		usage_cmd(cmd, stdout);
		return 0;
	}
	log_init("poolboot", PB_LOG_INFO + o.verbose, 0);
	LIBXML_TEST_VERSION
	xmlInitParser();	/* once, before any thread */
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if (strcmp(cmd, "version") == 0 && optind == argc)
		ret = cmd_version(&o);
	else if (strcmp(cmd, "check") == 0 && optind == argc)
		ret = cmd_check(&o);
	else if (strcmp(cmd, "render") == 0 && optind == argc - 1)
		ret = cmd_render(&o, argv[optind]);
	else if (strcmp(cmd, "serve") == 0 && optind == argc)
		ret = cmd_serve(&o);
	else if (strcmp(cmd, "init-tftp") == 0 && optind == argc)
		ret = cmd_init_tftp(&o);
	else if (strcmp(cmd, "arm") == 0 && optind == argc - 1)
		ret = cmd_arm(&o, argv[optind], 0);
	else if (strcmp(cmd, "disarm") == 0 && optind == argc - 1)
		ret = cmd_arm(&o, argv[optind], 1);
	else if (strcmp(cmd, "hosts") == 0 && optind == argc)
		ret = cmd_hosts(&o);
	else if (strcmp(cmd, "precheck") == 0 && optind == argc - 1)
		ret = cmd_precheck(&o, argv[optind]);
	else if (strcmp(cmd, "upgrade") == 0 && optind == argc - 1)
		ret = cmd_upgrade(&o, argv[optind]);
	else if (strcmp(cmd, "status") == 0 && optind >= argc - 1)
		ret = show_status(&o, optind == argc - 1 ? argv[optind] : NULL,
		    o.follow);
	else if ((strcmp(cmd, "retry") == 0 || strcmp(cmd, "abort") == 0) &&
	    optind == argc - 1)
		ret = cmd_pool_action(&o, argv[optind], cmd);
	else if ((strcmp(cmd, "rebuild") == 0 || strcmp(cmd, "install") == 0) &&
	    optind == argc - 1)
		ret = cmd_job_start(&o, argv[optind], cmd);
	else if (strcmp(cmd, "jobs") == 0)
		ret = cmd_jobs(&o, argc - optind, argv + optind);
	else {
		usage_cmd(cmd, stderr);
		ret = EXIT_USAGE;
	}
	curl_global_cleanup();
	xmlCleanupParser();
	return ret;
}
