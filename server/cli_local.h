/* cli_local.h — the poolboot commands that never talk to the server and
 * change nothing but tftp-root: check, render, init-tftp and version, and
 * their --json documents. Each prints its result (stdout) or its problems
 * (stderr) and returns the process's exit code (cli.h's CLI_EXIT_*).
 */
#ifndef POOLBOOT_CLI_LOCAL_H
#define POOLBOOT_CLI_LOCAL_H

#include "cli.h"

/* check: loads the configuration and inventory, renders and validates
 * every host's files and checks tftp-root and [dnsmasq]. 0 when there is
 * no problem, else CLI_EXIT_FAIL. --json prints one document
 * ({ok, config, problems, notes, warnings, repos, pools, hosts,
 * repo_count, template_dir}) whatever the outcome. */
int   cli_local_check(const struct cli_opts *o);

/* render HOST: what HOST would receive when armed (o->what: 0 all three,
 * 1 its pxelinux file, 2 its answerfile, 3 its script), with the token
 * shown as TOKEN. Changes nothing. */
int   cli_local_render(const struct cli_opts *o, const char *host);

/* init-tftp: fills the configuration's tftp_root, or o->skeleton without
 * a configuration, with the boot files; prints each file. */
int   cli_local_init_tftp(const struct cli_opts *o);

/* version: the version, with --json also the library versions. */
int   cli_local_version(const struct cli_opts *o);

#endif
