/* cli_reload.h — poolboot reload: has the running server re-read its
 * configuration file (POST /api/v1/reload, reload.h) and prints what
 * changed, or every problem and refusal. */
#ifndef POOLBOOT_CLI_RELOAD_H
#define POOLBOOT_CLI_RELOAD_H

#include "cli.h"

/* reload [--json]: 0 when the server applied the file (or found nothing
 * changed); CLI_EXIT_FAIL when it kept its old configuration (problems in
 * the file, a change it cannot make now: each printed, "file:line:
 * message" or the host and what to do); CLI_EXIT_NOSERVER when serve
 * cannot be reached. With --json the server's answer, with "exit" set on
 * a failure. */
int   cli_reload_run(const struct cli_opts *o);

#endif
