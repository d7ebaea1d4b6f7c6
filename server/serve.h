/* serve.h — poolboot serve: the server's parts started in order (state
 * database, arming and the start-up reconcile of tftp-root, admin token,
 * coordinators, job runner, the notify listeners, dnsmasq, HTTP), run in
 * the foreground until SIGINT or SIGTERM, and stopped in the reverse
 * order. serve.c owns nothing beyond one call of serve_run; the parts own
 * their threads.
 */
#ifndef POOLBOOT_SERVE_H
#define POOLBOOT_SERVE_H

#include "cli.h"

/* Runs the server with the configuration o->conf (o->verbose, o->syslog:
 * where the log goes). Blocks until a stop signal. Returns the exit code:
 * 0 after a clean stop, CLI_EXIT_FAIL when the configuration is invalid or
 * a part did not start (logged). */
int   serve_run(const struct cli_opts *o);

#endif
