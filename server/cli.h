/* cli.h — the poolboot command line's commands that go through the
 * running server's admin API (arm, disarm, precheck, upgrade, status,
 * retry, abort, rebuild, install, jobs) and hosts, which reads the state
 * database directly; their text and --json output. Also what every
 * command shares: the options main() parsed (struct cli_opts), the exit
 * codes, loading the configuration for a command, and the process-wide
 * set-up of the libraries.
 *
 * main.c parses argv and checks the number of arguments; each cli_*
 * command below prints its result (stdout) or its problems (stderr) and
 * returns the process's exit code. The JSON documents printed with --json
 * are the server's replies, as they came. cli_local.h has the commands
 * that never talk to the server; serve.h the server itself.
 */
#ifndef POOLBOOT_CLI_H
#define POOLBOOT_CLI_H

#include "config.h"

#ifndef POOLBOOT_VERSION
#define POOLBOOT_VERSION "0.1.0"
#endif

/* Exit codes of every command (main.c's usage texts list them). */
#define CLI_EXIT_OK		0
#define CLI_EXIT_FAIL		1	/* invalid configuration, or the server
					   refused or failed the request */
#define CLI_EXIT_USAGE		2
#define CLI_EXIT_NOSERVER	3	/* poolboot serve cannot be reached */

/* What main() parsed from the command line. Strings point into argv (or
 * the environment) and are never freed. */
struct cli_opts {
	const char *cmd;	/* the command ("arm"), NULL when unknown */
	const char *conf;	/* -c FILE, or its default */
	const char *skeleton;	/* init-tftp --skeleton DIR */
	int	 verbose;	/* -v, once per -v */
	int	 wipe;		/* --wipe */
	int	 json;		/* --json */
	int	 what;		/* render: 0 all, 1 pxelinux, 2 answerfile,
				   3 script */
	int	 help;		/* --help */
	int	 dry_run;	/* upgrade --dry-run */
	int	 disable_ha;	/* upgrade --disable-ha */
	const char *placement;	/* upgrade --placement return|leave, or NULL */
	int	 follow;	/* --follow */
	int	 syslog;	/* serve --syslog */
	const char *new_master;	/* recover --new-master HOST */
	const char *pool;	/* hosts --pool NAME, or NULL */
	int	 read_only;	/* token add --read-only */
	const char *limit;	/* audit --limit N, or NULL */
	const char *token_file;	/* --token-file FILE, or NULL */
};

/* Process-wide set-up of libxml2's parser and libcurl, once, before any
 * thread starts; cli_cleanup undoes it before exit. */
void  cli_init(void);
void  cli_cleanup(void);

/* With --json every failure prints {"error": MESSAGE, "exit": CODE} on
 * stdout (a refusal from the server: its reply with those two set), and
 * the message to stderr as text too. */

/* Prints "poolboot: MESSAGE" (fmt's) to stderr and, with o->json, the JSON
 * error to stdout. Returns code. */
int   cli_fail(const struct cli_opts *o, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Prints {"error": msg, "exit": code} to stdout. */
void  cli_json_error(int code, const char *msg);

/* Loads the configuration at path, printing every problem to stderr (and
 * its warnings only when it is invalid: check and serve show them, not
 * every command). Returns the configuration (caller frees with
 * config_free), or NULL when it is invalid. */
struct config *cli_load_config(const char *path);
/* The same, always printing the warnings (serve's start-up). */
struct config *cli_load_config_warn(const char *path);

/* cli_load_config(o->conf) for a command, without checking the password
 * files (CONFIG_LOAD_NO_PASSWORDS: read-only commands and the admin API's
 * clients need none): with --json a failure also prints the JSON error. */
struct config *cli_config(const struct cli_opts *o);
/* cli_config, loading with flags (CONFIG_LOAD_*, config.h). */
struct config *cli_config_flags(const struct cli_opts *o, int flags);

/* arm HOST [--wipe] (disarm == 0), or disarm HOST (disarm != 0). */
int   cli_arm(const struct cli_opts *o, const char *host, int disarm);

/* hosts [--pool NAME]: the inventory (only NAME's hosts with --pool; an
 * unknown pool is CLI_EXIT_FAIL, like other names not found) with each
 * host's state from the state database (idle when there is no database
 * yet), and where its pool's running or halted run is with it (--json:
 * "run": {id, state, step, error}). With --json last_event_at is in ms
 * since the epoch (0: none). */
int   cli_hosts(const struct cli_opts *o);
/* poolboot sites [--json]: every site, its active instance and its
 * queued actions (api_sites.h), from the server, else the database. */
int   cli_sites(const struct cli_opts *o);

/* precheck POOL: 0 when every check passed, CLI_EXIT_FAIL otherwise. */
int   cli_precheck(const struct cli_opts *o, const char *pool);

/* upgrade POOL [--dry-run] [--disable-ha] [--follow]. */
int   cli_upgrade(const struct cli_opts *o, const char *pool);

/* status [POOL]: the latest run of POOL (NULL: of every pool), once, or
 * with follow != 0 until every shown run has ended. 0 when the runs ended
 * done (or nothing runs), CLI_EXIT_FAIL when one halted or was aborted. */
int   cli_status(const struct cli_opts *o, const char *pool, int follow);

/* retry POOL or abort POOL (action "retry" or "abort"). */
int   cli_pool_action(const struct cli_opts *o, const char *pool,
	    const char *action);

/* rebuild HOST or install HOST (kind "rebuild" or "install"); refuses
 * without --wipe. */
int   cli_job_start(const struct cli_opts *o, const char *host,
	    const char *kind);

/* jobs: lists the rebuild and install jobs. */
int   cli_jobs_list(const struct cli_opts *o);

/* jobs retry ID or jobs abort ID (action "retry" or "abort"; id as the
 * user typed it, checked here). */
int   cli_job_action(const struct cli_opts *o, const char *action,
	    const char *id);

#endif
