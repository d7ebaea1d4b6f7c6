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
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>

#include "arm.h"
#include "client.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "render.h"
#include "store.h"

#ifndef POOLBOOT_VERSION
#define POOLBOOT_VERSION "0.1.0"
#endif

#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_NOSERVER	3

struct cmdopts {
	const char *conf;
	int	 verbose;
	int	 wipe;
	int	 json;
	int	 what;		/* render: 0 all, 1 pxelinux, 2 answerfile, 3 script */
	int	 help;
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
	    "  serve     run the server (HTTP, callbacks, admin API)\n"
	    "  arm       arm a host for one network install (through the server)\n"
	    "  disarm    put an armed host back to local boot (through the server)\n"
	    "  hosts     list inventory hosts with their state\n"
	    "  version   print the version\n"
	    "\n"
	    "  -c FILE   configuration file (default ./poolboot.conf)\n"
	    "  -v        more log output (repeat for debug)\n"
	    "  --help    help for a command: poolboot COMMAND --help\n"
	    "\n"
	    "exit codes: 0 ok, 1 invalid configuration or request refused/failed,\n"
	    "            2 usage error, 3 poolboot serve not reachable\n");
}

static const char *cmd_help[][2] = {
	{ "check", "usage: poolboot check [-c FILE]\n\n"
	    "Loads the configuration and inventory, inspects every repo (its\n"
	    ".treeinfo and boot files), renders the pxelinux config, answerfile\n"
	    "and script of every host and validates them, and checks tftp-root.\n"
	    "Prints 'configuration OK' or every problem as file:line: message\n"
	    "(exit 1).\n" },
	{ "render", "usage: poolboot render [-c FILE] HOST [--pxelinux | "
	    "--answerfile | --script]\n\n"
	    "Prints what HOST would receive when armed: its pxelinux.cfg/01-<mac>\n"
	    "file, its answerfile and/or its installation-complete script. The\n"
	    "secret token is shown as TOKEN (a real one is made by 'arm').\n"
	    "Changes nothing.\n" },
	{ "serve", "usage: poolboot serve [-c FILE] [-v]\n\n"
	    "Runs the server in the foreground: serves repos, answerfiles,\n"
	    "scripts and callbacks over HTTP and the admin API under /api/v1.\n"
	    "Creates the admin token file if missing. Stops on SIGINT/SIGTERM.\n" },
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
	{ "version", "usage: poolboot version\n" },
};

static void
usage_cmd(const char *cmd, FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_help) / sizeof(cmd_help[0]); i++)
		if (strcmp(cmd_help[i][0], cmd) == 0) {
			fputs(cmd_help[i][1], f);
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

static int
check_tftp_root(const struct config *cfg, struct strlist *problems,
    struct strlist *notes)
{
	static const char *loaders[] = { "ldlinux.c32", "mboot.c32",
	    "libcom32.c32" };
	char p[4096];
	struct stat sb;
	size_t i;

	if (stat(cfg->tftp_root, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		strlist_addf(problems, "tftp_root '%s' is not a folder (create it, "
		    "or point tftp_root at the TFTP server's root)",
		    cfg->tftp_root);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/pxelinux.cfg", cfg->tftp_root);
	if (stat(p, &sb) == -1 || !S_ISDIR(sb.st_mode))
		strlist_addf(problems, "'%s' is missing (poolboot writes per-MAC "
		    "files there; mkdir it)", p);
	else if (access(p, W_OK) == -1)
		strlist_addf(problems, "'%s' is not writable by this user: %s", p,
		    strerror(errno));
	snprintf(p, sizeof(p), "%s/pxelinux.cfg/default", cfg->tftp_root);
	if (access(p, R_OK) == -1)
		strlist_addf(notes, "'%s' is missing; poolboot serve writes a "
		    "local-boot default", p);
	snprintf(p, sizeof(p), "%s/%s", cfg->tftp_root,
	    cfg->boot_files == BOOT_FILES_HTTP ? "lpxelinux.0" : "pxelinux.0");
	if (access(p, R_OK) == -1)
		strlist_addf(notes, "'%s' is missing: copy it from the syslinux "
		    "packages (/usr/lib/PXELINUX/)", p);
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", cfg->tftp_root, loaders[i]);
		if (access(p, R_OK) == -1)
			strlist_addf(notes, "'%s' is missing: copy it from "
			    "/usr/lib/syslinux/modules/bios/", p);
	}
	return 0;
}

static int
cmd_check(struct cmdopts *o)
{
	struct strlist problems = { 0 }, notes = { 0 };
	struct config *cfg;
	char err[1024];
	size_t i, len;
	int ret = EXIT_FAIL;

	if ((cfg = load_config(o->conf, 0)) == NULL)
		return EXIT_FAIL;
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
	check_tftp_root(cfg, &problems, &notes);
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
	config_free(cfg);
	return ret;
}

/* ---- render ------------------------------------------------------------- */

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

/* ---- serve -------------------------------------------------------------- */

static int
cmd_serve(struct cmdopts *o)
{
	struct http_server *srv = NULL;
	struct http_deps deps = { 0 };
	struct config *cfg;
	struct store *st = NULL;
	struct arm *a = NULL;
	char *token = NULL;
	char err[512];
	sigset_t set;
	int sig, ret = EXIT_FAIL;

	if ((cfg = load_config(o->conf, 1)) == NULL)
		return EXIT_FAIL;
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
	deps.cfg = cfg;
	deps.st = st;
	deps.arm = a;
	deps.admin_token = token;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

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
	http_stop(srv);
	arm_free(a);
	store_close(st);
	if (token != NULL)
		util_wipe(token, strlen(token));
	free(token);
	config_free(cfg);
	return ret;
}

/* ---- arm / disarm ------------------------------------------------------- */

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

/* ---- main --------------------------------------------------------------- */

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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdopts o = { .conf = "poolboot.conf" };
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
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
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

	if (strcmp(cmd, "check") == 0 && optind == argc)
		ret = cmd_check(&o);
	else if (strcmp(cmd, "render") == 0 && optind == argc - 1)
		ret = cmd_render(&o, argv[optind]);
	else if (strcmp(cmd, "serve") == 0 && optind == argc)
		ret = cmd_serve(&o);
	else if (strcmp(cmd, "arm") == 0 && optind == argc - 1)
		ret = cmd_arm(&o, argv[optind], 0);
	else if (strcmp(cmd, "disarm") == 0 && optind == argc - 1)
		ret = cmd_arm(&o, argv[optind], 1);
	else if (strcmp(cmd, "hosts") == 0 && optind == argc)
		ret = cmd_hosts(&o);
	else {
		usage_cmd(cmd, stderr);
		ret = EXIT_USAGE;
	}
	xmlCleanupParser();
	return ret;
}
