/* cli_audit.h — `poolboot audit [--limit N] [--json]`: the newest entries
 * of the audit log, from the running server (GET /api/v1/audit).
 */
#ifndef POOLBOOT_CLI_AUDIT_H
#define POOLBOOT_CLI_AUDIT_H

#include "cli.h"

/* Prints the newest o->limit (default 20, 1 to 1000) entries, newest
 * first: time, client, token name, action, target, status, result; with
 * --json the server's reply. 0, CLI_EXIT_USAGE (a bad --limit),
 * CLI_EXIT_FAIL (refused: the reply's error) or CLI_EXIT_NOSERVER. */
int   cli_audit(const struct cli_opts *o);

#endif
