/* cli_recover.h — poolboot recover POOL --new-master HOST [--wipe]
 * [--follow]: recover.h's steps run from the command line (they talk to
 * the pool's hosts, not to the server, so they work whatever state the
 * pool's master left the server in), each printed; then, with --wipe, the
 * old master's rebuild as a member through the running server (cli.h's
 * rebuild). Run it again after any failure: it resumes. */
#ifndef POOLBOOT_CLI_RECOVER_H
#define POOLBOOT_CLI_RECOVER_H

#include "cli.h"

/* 0 recovered (and the rebuild started with --wipe), CLI_EXIT_FAIL
 * refused or failed (the reason on stderr), CLI_EXIT_USAGE. */
int   cli_recover_run(const struct cli_opts *o, const char *pool);

#endif
