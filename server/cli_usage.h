/* cli_usage.h — the one shape of every usage mistake on the command line
 * (exit 2), whoever finds it (main.c's argument and option checks, or a
 * command checking its own arguments' values):
 *
 *   poolboot CMD: WHAT
 *   usage: poolboot CMD ...          (the command's synopsis)
 *   Run 'poolboot CMD --help' for more.
 *
 * or, when there is no command (an unknown one):
 *
 *   poolboot: WHAT
 *   Run 'poolboot --help' for the commands.
 *
 * on stderr; with --json also {"error": "CMD: WHAT", "exit": 2} on stdout.
 */
#ifndef POOLBOOT_CLI_USAGE_H
#define POOLBOOT_CLI_USAGE_H

#include <stdio.h>

/* Prints cmd's synopsis line (its "usage: ..." line) to f. */
typedef void (*cli_usage_synopsis_fn)(const char *cmd, FILE *f);

/* Who prints the synopsis (main.c holds the help texts); NULL: none. */
void  cli_usage_set_synopsis(cli_usage_synopsis_fn fn);

/* The exit code of a usage mistake (cli.h's CLI_EXIT_USAGE). */
#define CLI_USAGE_EXIT	2

/* The usage mistake fmt's (one line, no newline) of command cmd (NULL:
 * no command; callers pass cli_opts' cmd and json), in the shape above;
 * json != 0: the JSON error too. Returns CLI_USAGE_EXIT. */
int   cli_usage_error(const char *cmd, int json, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
