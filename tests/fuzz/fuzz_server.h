/* fuzz_server.h — the server-side fixture of fuzz_api and
 * fuzz_hostroute: a configuration loaded with config_load_text (a pool
 * member h1 in upgrade mode, a new host new1 for a fresh install, a
 * standalone h3 to reinstall), the store and the tftp-root in the scratch
 * folder, and arm after its start-up reconciliation, as serve has them.
 */
#ifndef POOLBOOT_FUZZ_SERVER_H
#define POOLBOOT_FUZZ_SERVER_H

#include "fuzz.h"

#include "arm.h"
#include "config.h"
#include "config_live.h"
#include "log.h"
#include "store.h"

struct fuzz_server {
	const char	*dir;
	struct config	*cfg;
	struct config_live *live;	/* owns cfg */
	struct store	*st;
	struct arm	*arm;
};

static __attribute__((unused)) void
fuzz_server_start(struct fuzz_server *fs)
{
	struct strlist errors = { 0 };
	char text[4096];
	size_t i;

	log_set_verbosity(-1);
	fs->dir = fuzz_tmpdir();
	fuzz_mkrepo(fs->dir, "isos/r");
	fuzz_write(fs->dir, "p.pw", "secret\n");
	fuzz_write(fs->dir, "root.pw", FUZZ_ROOT_HASH);
	snprintf(text, sizeof(text),
	    "[server]\npublic_url = http://10.0.0.1:8080\n"
	    "state_dir = state\ntftp_root = tftp\ntemplate_dir = %s\n"
	    "boot_attempts = 3\n"
	    "[repo r]\npath = isos/r\n"
	    "[pool p]\nxapi = https://10.0.0.2\nusername = root\n"
	    "password_file = p.pw\ntls_verify = no\nrepo = r\n"
	    "[host h1]\npool = p\nmac = 52:54:00:00:00:01\ndisk = sda\n"
	    "[host new1]\nmode = fresh\nrepo = r\njoin = p\n"
	    "mac = 52:54:00:00:00:02\ndisk = sda\nip = 10.0.0.21/24\n"
	    "gateway = 10.0.0.1\ndns = 10.0.0.2\nhostname = new1.example.org\n"
	    "root_password_file = root.pw\npower = manual\n"
	    "[host h3]\nmode = reinstall\nrepo = r\nmac = 52:54:00:00:00:03\n"
	    "disk = sda\nhostname = h3\nroot_password_file = root.pw\n", fuzz_templates());
	if (config_load_text("fuzz.conf", fs->dir, text, strlen(text),
	    &fs->cfg, &errors, NULL) == -1) {
		for (i = 0; i < errors.n; i++)
			fprintf(stderr, "fuzz: %s\n", errors.v[i]);
		exit(1);
	}
	strlist_free(&errors);
	if (store_open(fs->cfg->state_dir, 0, &fs->st) == -1 ||
	    config_live_new(fs->cfg, 1, &fs->live) == -1 ||
	    arm_new(fs->live, fs->st, &fs->arm) == -1 ||
	    arm_reconcile(fs->arm) == -1) {
		fprintf(stderr, "fuzz: cannot start the store and arm\n");
		exit(1);
	}
}

#endif
