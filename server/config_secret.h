/* config_secret.h — the secret files a config names: the XAPI and BMC
 * password files and root_password_file.
 *
 * Secrets are never kept in the config: only their paths, checked here at
 * load time (a regular, readable file, with a warning when other users can
 * read it), and for root_password_file the crypt(3) hash of its first
 * line. Plaintext read for hashing is wiped as soon as it is hashed.
 */
#ifndef POOLBOOT_CONFIG_SECRET_H
#define POOLBOOT_CONFIG_SECRET_H

#include "config_ini.h"
#include "util.h"

/* The hashes of one load, one per root_password_file, so that a file
 * shared by many hosts is hashed (with one salt) once. Zero it before
 * use; config_secret_cache_free wipes and frees it. */
struct config_secret_cache {
	struct strlist files;
	struct strlist hashes;
};

/* Reports (as what 'path', on line) a path that is not a readable regular
 * file or whose first line is empty (an empty file too), and warns when
 * its mode lets other users read it. 0 when usable, -1 when reported.
 * With ini->no_passwords set: checks nothing and returns 0. */
int   config_secret_check(struct config_ini *ini, int line, const char *what,
	    const char *path);

/* The SHA-512 crypt(3) hash ($6$) of the first line of the
 * root_password_file path, or that line itself when it already is a $6$
 * or $5$ hash. Checks the file like config_secret_check. Returns a copy
 * (caller wipes and frees it), or NULL with the problem reported on
 * line. With ini->no_root_hash set: reads nothing and returns NULL. */
char *config_secret_hash(struct config_ini *ini,
	    struct config_secret_cache *cache, int line, const char *path);

/* 1 when the first line of the root_password_file path still holds the
 * password hash was made from (crypt(3) with hash as its salt gives hash),
 * or is hash itself; else 0 (changed, unreadable, empty). A reload
 * (config_diff.h) keeps a host's old hash then: a new load hashes with a
 * new salt, which is no change. The plaintext is wiped. */
int   config_secret_same_hash(const char *path, const char *hash);

/* Wipes the cached hashes and frees them; the cache can be used again. */
void  config_secret_cache_free(struct config_secret_cache *cache);

#endif
