/* main.c — the poolboot command line: one binary, subcommands. main()
 * parses argv (the command, then the options every command shares), prints
 * the usage and --help texts, sets up the libraries and hands the command
 * to serve.c (serve), cli.c (the commands that go through the server, and
 * hosts) or cli_local.c (check, render, init-tftp, version).
 *
 * Exit codes: 0 success; 1 the configuration is invalid, or the server
 * refused or failed the request; 2 usage error; 3 poolboot serve cannot be
 * reached (for commands that go through it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_audit.h"
#include "cli_local.h"
#include "cli_recover.h"
#include "cli_reload.h"
#include "cli_token.h"
#include "cli_usage.h"
#include "client.h"
#include "log.h"
#include "serve.h"

static void
main_usage(FILE *f)
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
	    "  init-tftp fill tftp-root with the syslinux and GRUB boot files\n"
	    "  arm       arm a host for one network install (through the server)\n"
	    "  disarm    put an armed host back to local boot (through the server)\n"
	    "  hosts     list inventory hosts with their state\n"
	    "  sites     list the sites, their active instances and queues\n"
	    "  precheck  check whether a pool can be upgraded (changes nothing)\n"
	    "  upgrade   start a rolling upgrade of a pool (through the server)\n"
	    "  status    show the rolling-upgrade runs of the pools\n"
	    "  retry     resume a halted rolling upgrade at its failed step\n"
	    "  abort     stop a rolling upgrade: disarm, re-enable hosts\n"
	    "  rebuild   forget a dead pool member, fresh-install it, join it back\n"
	    "  install   fresh-install a new host (and join its pool)\n"
	    "  jobs      list rebuild/install jobs; jobs retry|abort ID\n"
	    "  recover   promote a live member when the pool's master is dead\n"
	    "  token     named admin tokens: token add NAME [--read-only],\n"
	    "            token list, token remove NAME\n"
	    "  audit     who did what through the admin API (newest first)\n"
	    "  reload    have the running server re-read its configuration\n"
	    "  version   print the version\n"
	    "\n"
	    "  -c FILE   configuration file (default: $POOLBOOT_CONF, else\n"
	    "            ./poolboot.conf if it exists, else\n"
	    "            /etc/poolboot/poolboot.conf)\n"
	    "  -v        debug log lines too (any command; -vv is the same)\n"
	    "  --json    JSON output (check, render, hosts, precheck, status,\n"
	    "            jobs, version, arm, disarm, upgrade, retry, abort,\n"
	    "            rebuild, install, recover, reload, audit, token list)\n"
	    "  --token-file FILE  send the token in FILE (a named token)\n"
	    "            instead of admin_token_file's; or $POOLBOOT_TOKEN\n"
	    "  --help    help for a command: poolboot COMMAND --help\n"
	    "\n"
	    "exit codes: 0 ok, 1 invalid configuration or request refused/failed,\n"
	    "            2 usage error, 3 poolboot serve not reachable\n");
}

static const char *main_cmd_help[][2] = {
	{ "check", "usage: poolboot check [-c FILE] [--json]\n\n"
	    "Loads the configuration and inventory, inspects every repo (its\n"
	    ".treeinfo and boot files), renders the pxelinux config, GRUB entry,\n"
	    "answerfile and script of every host and validates them, and checks\n"
	    "tftp-root. With [dnsmasq]: the boot files in tftp-root are required\n"
	    "(pxelinux's for hosts with firmware bios or auto, grub/grubx64.efi\n"
	    "and grub/grub.cfg for firmware uefi; else only notes), and the\n"
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
	    "every repo. Builds grub/grubx64.efi for UEFI clients with\n"
	    "grub-mkimage (packages grub-common, grub-efi-amd64-bin; modules\n"
	    "built in, prefix /grub: GRUB reads grub/grub.cfg from the server it\n"
	    "was loaded from) and, for [dnsmasq] dhcp = proxy with an address,\n"
	    "grub/grubx64-proxy.efi (prefix (tftp,ADDRESS)/grub); writes\n"
	    "grub/grub.cfg if it is missing.\n"
	    "Prints each file and where it came from.\n"
	    "  --skeleton DIR  fill DIR without a configuration (make install)\n" },
	{ "render", "usage: poolboot render [-c FILE] HOST [--pxelinux | "
	    "--answerfile | --script] [--json]\n\n"
	    "Prints what HOST would receive when armed: its pxelinux.cfg/01-<mac>\n"
	    "file, its grub/hosts/<mac>.cfg (firmware uefi or auto; not with\n"
	    "--pxelinux), its answerfile and/or its installation-complete\n"
	    "script. The secret token is shown as TOKEN (a real one is made by\n"
	    "'arm'). Changes nothing.\n"
	    "  --json  {host, mode, pool, mac, firmware, pxelinux_file, pxelinux,\n"
	    "          grub_file, grub, answerfile, script} instead of the texts\n"
	    "          one by one\n" },
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
	    "secret token and an install entry in tftp-root/pxelinux.cfg/01-<mac>\n"
	    "(firmware bios or auto) and grub/hosts/<mac>.cfg (uefi or auto).\n"
	    "After the installer reports done or failed, both go back to\n"
	    "local boot. Modes fresh, reinstall and restore destroy data on the\n"
	    "host and need --wipe. Goes through the running server.\n" },
	{ "disarm", "usage: poolboot disarm [-c FILE] HOST\n\n"
	    "Puts an armed HOST back to local boot and retires its token.\n"
	    "Goes through the running server.\n" },
	{ "hosts", "usage: poolboot hosts [-c FILE] [--pool NAME] [--json]\n\n"
	    "Lists the inventory hosts: pool, mode, MAC, state and last event.\n"
	    "A host its pool's current run has not finished with shows where\n"
	    "it is in that run (pending (run 2), failed: install (run 2,\n"
	    "halted)). Asks the running server, else reads the state database.\n"
	    "  --pool NAME  only the hosts of pool NAME\n"
	    "  --json       last_event_at in ms since the epoch (0: none);\n"
	    "               run: {id, state, step, error} of such a host\n" },
	{ "sites", "usage: poolboot sites [-c FILE] [--json]\n\n"
	    "Lists every site (several instances on one database): its pools\n"
	    "and hosts, the instance active for it (the holder of its lease),\n"
	    "when that lease was renewed or expired, and the admin actions\n"
	    "queued for it by other sites' instances and not done yet. Asks\n"
	    "the running server, else reads the database (a standby serves\n"
	    "nothing).\n"
	    "  --json  the API's GET /api/v1/sites document\n" },
	{ "precheck", "usage: poolboot precheck [-c FILE] POOL [--json]\n\n"
	    "Runs every precheck of a rolling upgrade of POOL against XAPI and\n"
	    "prints the plan (master first, then members): hosts live and\n"
	    "enabled, HA/WLB off, no CD inserted, no VM preventing evacuation,\n"
	    "memory for N-1 hosts, one version everywhere, the repo newer, the\n"
	    "upgrade path allowed, inventory and boot files complete. Changes\n"
	    "nothing. Exit 0 when every check passed, 1 otherwise.\n" },
	{ "upgrade", "usage: poolboot upgrade [-c FILE] POOL [--dry-run] "
	    "[--disable-ha] [--placement return|leave] [--follow] [--json]\n\n"
	    "Starts a rolling upgrade of POOL to its repo's version: prechecks,\n"
	    "a pool database dump, then host by host (master first): disable,\n"
	    "evacuate, arm, reboot into the installer, wait for its callback\n"
	    "and for XAPI to show the host back on the new version, enable,\n"
	    "then move the VMs it ran back to it. The pool's auto_poweron is\n"
	    "off for the run. Any failure halts the run (see status, retry,\n"
	    "abort).\n"
	    "  --dry-run     print the prechecks and the plan; change nothing\n"
	    "  --disable-ha  turn HA/WLB off now and back on at the end\n"
	    "  --placement   return (default: the pool's placement key, else\n"
	    "                return): each host's VMs go back to it once it is\n"
	    "                upgraded; leave: they stay where evacuation put them\n"
	    "  --follow      show progress until the run ends (as status\n"
	    "                --follow)\n" },
	{ "status", "usage: poolboot status [-c FILE] [POOL] [--follow] "
	    "[--json]\n\n"
	    "Shows the latest rolling-upgrade run of each pool (or of POOL):\n"
	    "state, each host's step, versions, times and errors.\n"
	    "  --follow  keep showing progress until the runs end: on a\n"
	    "            terminal the table is redrawn in place, in colour\n"
	    "            (green done, yellow running, red halted or failed);\n"
	    "            with NO_COLOR set, TERM=dumb or stdout not a terminal,\n"
	    "            plain lines, each change once. Ctrl-C stops following\n"
	    "            only (exit 0): the run goes on in poolboot serve.\n"
	    "            Also for upgrade, retry, abort, rebuild, install.\n" },
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
	{ "recover", "usage: poolboot recover [-c FILE] POOL --new-master HOST "
	    "[--wipe] [--follow] [--json]\n\n"
	    "For a pool whose master is dead: checks that no address of the\n"
	    "pool answers as master (refused while one does, or when nothing\n"
	    "of the pool answers), then on HOST, a live member, logs in locally\n"
	    "(session.slave_local_login_with_password) and calls\n"
	    "pool.emergency_transition_to_master, waits until HOST answers as\n"
	    "master, calls pool.recover_slaves, and names the old master. With\n"
	    "--wipe it then rebuilds the old master as a member through the\n"
	    "server (poolboot rebuild: forget, fresh install, join HOST).\n"
	    "Each step is printed; run it again after a failure: it resumes.\n" },
	{ "token", "usage: poolboot token add NAME [--read-only] [-c FILE] "
	    "[--json]\n"
	    "       poolboot token list [-c FILE] [--json]\n"
	    "       poolboot token remove NAME [-c FILE]\n\n"
	    "Named admin tokens, one per operator, in the tokens file ([server]\n"
	    "admin_tokens, default STATE_DIR/tokens): a line NAME ROLE SHA256,\n"
	    "the token itself kept nowhere. add makes a random token, adds its\n"
	    "line (mode 600) and prints the token once: give it to the CLI as\n"
	    "POOLBOOT_TOKEN=TOKEN or --token-file FILE, to the API as\n"
	    "Authorization: Bearer TOKEN. A running server takes a change at\n"
	    "once. The admin token file's token is the token named local.\n"
	    "  --read-only  may read everything (GET), change nothing (403)\n" },
	{ "audit", "usage: poolboot audit [-c FILE] [--limit N] [--json]\n\n"
	    "The newest entries of the audit log (through the server): every\n"
	    "change asked of the admin API (arm, disarm, upgrade, retry, abort,\n"
	    "rebuild, install, precheck, reload), refused ones too, with its\n"
	    "time, client address, token name, target and answer.\n"
	    "  --limit N  at most N entries (1 to 1000, default 20)\n" },
	{ "reload", "usage: poolboot reload [-c FILE] [--json]\n\n"
	    "Has the running server re-read the configuration file it was\n"
	    "started with and apply what changed (hosts, pools, repos, [dnsmasq]\n"
	    "and the [server] keys that can change live) without dropping a\n"
	    "connection, a run or a job; the same as SIGHUP to poolboot serve\n"
	    "(systemctl reload poolboot). Prints what changed, e.g. 'reload: 1\n"
	    "host added (xen21), 0 removed, 0 changed; dnsmasq not restarted'.\n"
	    "Nothing is applied, and each reason is printed (exit 1), when the\n"
	    "file has problems (file:line: message), when a host to change or\n"
	    "remove is armed, in a running or halted run or job, or when a key\n"
	    "that needs a restart changed (listen, admin_listen, state_dir,\n"
	    "tftp_root, ...). Goes through the running server.\n"
	    "  --json  the server's answer: {result, summary, hosts, pools,\n"
	    "          repos, server, dnsmasq, warnings} or {error, errors}\n" },
	{ "version", "usage: poolboot version [--json]\n\n"
	    "Prints the version (--json: with the library versions).\n" },
};

static void
main_usage_cmd(const char *cmd, FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(main_cmd_help) / sizeof(main_cmd_help[0]); i++)
		if (strcmp(main_cmd_help[i][0], cmd) == 0) {
			fputs(main_cmd_help[i][1], f);
			fputs("\nexit status: 0 success; 1 invalid configuration, "
			    "or the request was\nrefused or failed; 2 usage error; "
			    "3 poolboot serve not reachable\n(commands that go "
			    "through it)\n", f);
			return;
		}
	main_usage(f);
}

/* The first line of cmd's help (its "usage: ..." line). */
static void
main_synopsis(const char *cmd, FILE *f)
{
	size_t i;
	const char *t;

	for (i = 0; i < sizeof(main_cmd_help) / sizeof(main_cmd_help[0]); i++)
		if (strcmp(main_cmd_help[i][0], cmd) == 0) {
			t = main_cmd_help[i][1];
			fprintf(f, "%.*s\n", (int)strcspn(t, "\n"), t);
		}
}

/* 1 when cmd is a or b. */
static int
main_is(const char *cmd, const char *a, const char *b)
{
	return strcmp(cmd, a) == 0 || (b != NULL && strcmp(cmd, b) == 0);
}

/* The arguments each command takes: at least min, at most max, named
 * names (one word per argument). */
static const struct main_args {
	const char	*cmd;
	int		 min, max;
	const char	*names[2];
} main_args[] = {
	{ "check", 0, 0, { NULL, NULL } },
	{ "render", 1, 1, { "HOST", NULL } },
	{ "serve", 0, 0, { NULL, NULL } },
	{ "init-tftp", 0, 0, { NULL, NULL } },
	{ "arm", 1, 1, { "HOST", NULL } },
	{ "disarm", 1, 1, { "HOST", NULL } },
	{ "hosts", 0, 0, { NULL, NULL } },
	{ "sites", 0, 0, { NULL, NULL } },
	{ "precheck", 1, 1, { "POOL", NULL } },
	{ "upgrade", 1, 1, { "POOL", NULL } },
	{ "status", 0, 1, { "POOL", NULL } },
	{ "retry", 1, 1, { "POOL", NULL } },
	{ "abort", 1, 1, { "POOL", NULL } },
	{ "rebuild", 1, 1, { "HOST", NULL } },
	{ "install", 1, 1, { "HOST", NULL } },
	{ "jobs", 0, 2, { "retry|abort", "ID" } },
	{ "recover", 1, 1, { "POOL", NULL } },
	{ "reload", 0, 0, { NULL, NULL } },
	{ "version", 0, 0, { NULL, NULL } },
	{ "token", 1, 2, { "add|list|remove", "NAME" } },
	{ "audit", 0, 0, { NULL, NULL } },
};

/* The optimal-string-alignment distance of a and b (a swap of two
 * neighbours counts 1), capped at 9. */
static int
main_distance(const char *a, const char *b)
{
	int d[17][17];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 16 || lb > 16)
		return 9;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int c = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + c;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* The command nearest to cmd (at most 2 edits away), or NULL. */
static const char *
main_suggest(const char *cmd)
{
	const char *best = NULL;
	int bestd = 3, dist;
	size_t i;

	for (i = 0; i < sizeof(main_args) / sizeof(main_args[0]); i++) {
		dist = main_distance(cmd, main_args[i].cmd);
		if (dist < bestd) {
			bestd = dist;
			best = main_args[i].cmd;
		}
	}
	return best;
}

/* cmd's entry in main_args, or NULL for an unknown command. */
static const struct main_args *
main_args_of(const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(main_args) / sizeof(main_args[0]); i++)
		if (strcmp(main_args[i].cmd, cmd) == 0)
			return &main_args[i];
	return NULL;
}

/* A usage mistake of cmd (NULL: no command) in cli_usage.h's shape.
 * Returns CLI_EXIT_USAGE. */
static int
main_usage_error(const struct cli_opts *o, const char *cmd, const char *what)
{
	return cli_usage_error(cmd, o->json, "%s", what);
}

/* An unknown command: the error line with a suggestion. */
static int
main_unknown_command(const struct cli_opts *o, const char *cmd)
{
	const char *near = main_suggest(cmd);
	char what[300];

	snprintf(what, sizeof(what), "unknown command '%.100s'%s%s%s", cmd,
	    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return main_usage_error(o, NULL, what);
}

/* Checks the number of arguments n of a known command; 0, or prints the
 * mistake and returns CLI_EXIT_USAGE. */
static int
main_check_args(const struct cli_opts *o, const struct main_args *a, int n,
    char **args)
{
	char what[300];

	if (n < a->min) {
		snprintf(what, sizeof(what), "missing %s", a->names[n]);
		return main_usage_error(o, a->cmd, what);
	}
	if (n > a->max) {
		snprintf(what, sizeof(what), "unexpected argument '%.100s'",
		    args[a->max]);
		return main_usage_error(o, a->cmd, what);
	}
	if (strcmp(a->cmd, "jobs") == 0 && n >= 1 &&
	    !main_is(args[0], "retry", "abort")) {
		snprintf(what, sizeof(what), "unknown action '%.100s' (want "
		    "retry or abort)", args[0]);
		return main_usage_error(o, a->cmd, what);
	}
	if (strcmp(a->cmd, "jobs") == 0 && n == 1)
		return main_usage_error(o, a->cmd, "missing ID");
	return 0;
}

/* 1 when cmd is one of the words of list (separated by ", "). */
static int
main_takes(const char *list, const char *cmd)
{
	size_t len = strlen(cmd);
	const char *c;

	for (c = list; (c = strstr(c, cmd)) != NULL; c += len)
		if ((c == list || c[-1] == ' ') && (c[len] == ',' ||
		    c[len] == '\0'))
			return 1;
	return 0;
}

/* The options only some commands take (the others would ignore them):
 * 0, or the mistake printed and CLI_EXIT_USAGE. -c, -v and --help are
 * for every command. */
static int
main_check_opts(const struct cli_opts *o, const char *cmd)
{
	const struct {
		const char *opt;
		int	 set;
		const char *cmds;	/* the commands that take it */
	} t[] = {
		{ "--json", o->json, "check, render, hosts, sites, precheck, upgrade, "
		    "status, retry, abort, rebuild, install, jobs, recover, "
		    "reload, token, audit, version, arm, disarm" },
		{ "--token-file", o->token_file != NULL, "arm, disarm, hosts, sites, "
		    "precheck, upgrade, status, retry, abort, rebuild, "
		    "install, jobs, recover, reload, audit" },
		{ "--wipe", o->wipe, "arm, rebuild, install, recover" },
		{ "--follow", o->follow, "upgrade, status, retry, abort, "
		    "rebuild, install, jobs, recover" },
		{ o->what == 1 ? "--pxelinux" : o->what == 2 ? "--answerfile" :
		    "--script", o->what != 0, "render" },
		{ "--dry-run", o->dry_run, "upgrade" },
		{ "--disable-ha", o->disable_ha, "upgrade" },
		{ "--placement", o->placement != NULL, "upgrade" },
		{ "--skeleton", o->skeleton != NULL, "init-tftp" },
		{ "--syslog", o->syslog, "serve" },
		{ "--new-master", o->new_master != NULL, "recover" },
		{ "--pool", o->pool != NULL, "hosts" },
		{ "--read-only", o->read_only, "token" },
		{ "--limit", o->limit != NULL, "audit" },
	};
	char what[300];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].set && !main_takes(t[i].cmds, cmd)) {
			snprintf(what, sizeof(what), "option '%s' is only for "
			    "%s", t[i].opt, strcmp(t[i].cmds, "token") == 0 ?
			    "token add" : t[i].cmds);
			return main_usage_error(o, cmd, what);
		}
	return 0;
}

/* ---- main --------------------------------------------------------------- */

/* -c's default: $POOLBOOT_CONF, ./poolboot.conf when there is one (a
 * working copy), else the file the systemd unit reads. */
static const char *
main_default_conf(void)
{
	const char *env = getenv("POOLBOOT_CONF");

	if (env != NULL && env[0] != '\0')
		return env;
	if (access("poolboot.conf", F_OK) == 0)
		return "poolboot.conf";
	return "/etc/poolboot/poolboot.conf";
}

/* Parses the options after the command into o. 0, or -1 on an unknown
 * option or one without its value, with the mistake in what. */
static int
main_parse_opts(int argc, char **argv, struct cli_opts *o, char *what,
    size_t whatlen)
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
		{ "new-master", required_argument, NULL, 'M' },
		{ "placement", required_argument, NULL, 'E' },
		{ "pool", required_argument, NULL, 'O' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "limit", required_argument, NULL, 'N' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->conf = optarg; break;
		case 'v': o->verbose++; break;
		case 'W': o->wipe = 1; break;
		case 'J': o->json = 1; break;
		case 'P': o->what = 1; break;
		case 'A': o->what = 2; break;
		case 'S': o->what = 3; break;
		case 'D': o->dry_run = 1; break;
		case 'H': o->disable_ha = 1; break;
		case 'F': o->follow = 1; break;
		case 'K': o->skeleton = optarg; break;
		case 'L': o->syslog = 1; break;
		case 'M': o->new_master = optarg; break;
		case 'E': o->placement = optarg; break;
		case 'O': o->pool = optarg; break;
		case 'R': o->read_only = 1; break;
		case 'N': o->limit = optarg; break;
		case 'T': o->token_file = optarg; break;
		case 'h': o->help = 1; break;
		case ':':
			snprintf(what, whatlen, "option '%.100s' needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			if (optopt != 0 && optopt != '?')
				snprintf(what, whatlen, "unknown option '-%c'",
				    optopt);
			else
				snprintf(what, whatlen, "unknown option '%.100s'",
				    argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

/* Runs cmd with its n arguments args (main_check_args has checked them). */
static int
main_dispatch(const struct cli_opts *o, const char *cmd, int n, char **args)
{
	if (main_is(cmd, "version", NULL) && n == 0)
		return cli_local_version(o);
	if (main_is(cmd, "check", NULL) && n == 0)
		return cli_local_check(o);
	if (main_is(cmd, "render", NULL) && n == 1)
		return cli_local_render(o, args[0]);
	if (main_is(cmd, "serve", NULL) && n == 0)
		return serve_run(o);
	if (main_is(cmd, "init-tftp", NULL) && n == 0)
		return cli_local_init_tftp(o);
	if (main_is(cmd, "arm", "disarm") && n == 1)
		return cli_arm(o, args[0], strcmp(cmd, "disarm") == 0);
	if (main_is(cmd, "hosts", NULL) && n == 0)
		return cli_hosts(o);
	if (main_is(cmd, "sites", NULL) && n == 0)
		return cli_sites(o);
	if (main_is(cmd, "precheck", NULL) && n == 1)
		return cli_precheck(o, args[0]);
	if (main_is(cmd, "upgrade", NULL) && n == 1)
		return cli_upgrade(o, args[0]);
	if (main_is(cmd, "status", NULL) && n <= 1)
		return cli_status(o, n == 1 ? args[0] : NULL, o->follow);
	if (main_is(cmd, "retry", "abort") && n == 1)
		return cli_pool_action(o, args[0], cmd);
	if (main_is(cmd, "rebuild", "install") && n == 1)
		return cli_job_start(o, args[0], cmd);
	if (main_is(cmd, "recover", NULL) && n == 1)
		return cli_recover_run(o, args[0]);
	if (main_is(cmd, "token", NULL))
		return cli_token(o, n, args);
	if (main_is(cmd, "audit", NULL) && n == 0)
		return cli_audit(o);
	if (main_is(cmd, "reload", NULL) && n == 0)
		return cli_reload_run(o);
	if (main_is(cmd, "jobs", NULL) && n == 0)
		return cli_jobs_list(o);
	if (main_is(cmd, "jobs", NULL) && n == 2 &&
	    main_is(args[0], "retry", "abort"))
		return cli_job_action(o, args[0], args[1]);
	return main_unknown_command(o, cmd);
}

int
main(int argc, char **argv)
{
	struct cli_opts o = { .conf = main_default_conf() };
	const struct main_args *a;
	const char *cmd;
	char what[300];
	int ret, i;

	if (argc < 2) {
		main_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2)
			main_usage_cmd(argv[2], stdout);
		else
			main_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("poolboot %s\n", POOLBOOT_VERSION);
		return 0;
	}
	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			o.json = 1;	/* for the JSON error of a usage mistake */
	if ((a = main_args_of(cmd)) == NULL)
		return main_unknown_command(&o, cmd);
	o.cmd = a->cmd;
	cli_usage_set_synopsis(main_synopsis);
	if (main_parse_opts(argc, argv, &o, what, sizeof(what)) == -1)
		return main_usage_error(&o, cmd, what);
	if (o.help) {
		main_usage_cmd(cmd, stdout);
		return 0;
	}
	if ((ret = main_check_args(&o, a, argc - optind, argv + optind)) != 0)
		return ret;
	if ((ret = main_check_opts(&o, cmd)) != 0)
		return ret;
	log_init("poolboot", PB_LOG_INFO + o.verbose, 0);
	cli_init();
	client_set_token_file(o.token_file);	/* NULL: admin_token_file */
	ret = main_dispatch(&o, cmd, argc - optind, argv + optind);
	cli_cleanup();
	return ret;
}
