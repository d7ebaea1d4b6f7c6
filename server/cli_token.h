/* cli_token.h — `poolboot token add|list|remove`: the named admin tokens
 * of the tokens file ([server] admin_tokens, default state_dir/tokens;
 * tokens.h has its format). Works on the file alone, with or without a
 * running server (which re-reads it when it changes).
 */
#ifndef POOLBOOT_CLI_TOKEN_H
#define POOLBOOT_CLI_TOKEN_H

#include "cli.h"

/* token add NAME [--read-only]: a new random token; its line (NAME ROLE
 * SHA256) appended to the file (an atomic rewrite, mode 0600, under a
 * lock beside it), the token printed once with how to use it.
 * token list: the names and roles (local: the admin token file).
 * token remove NAME: its line dropped.
 * args[0] is the action, args[1] the name (n: their count). 0, or
 * CLI_EXIT_USAGE (a wrong action, name or argument count) or
 * CLI_EXIT_FAIL (a problem of the file, a name taken or unknown). */
int   cli_token(const struct cli_opts *o, int n, char **args);

#endif
