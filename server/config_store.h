/* config_store.h — the [store] section of the config: where poolboot keeps
 * its state (store.h). Without the section: SQLite in
 * state_dir/poolboot.db, as always. With backend = postgres: a PostgreSQL
 * database that several instances share (docs/scale-out.md); its libpq
 * connection string is read from conninfo_file, never from the config, so
 * that a password in it stays out of the config.
 *
 *   [store]
 *   backend = sqlite | postgres        (default sqlite)
 *   conninfo_file = PATH               (postgres: required)
 *   lease_seconds = 15                 (3..300: a run's lease, scale-out)
 */
#ifndef POOLBOOT_CONFIG_STORE_H
#define POOLBOOT_CONFIG_STORE_H

#include <stddef.h>

struct config_ini;
struct config_ini_section;

enum store_backend { STORE_SQLITE = 0, STORE_POSTGRES = 1 };

struct config_store {
	enum store_backend backend;	/* default STORE_SQLITE */
	char	*conninfo_file;		/* absolute; postgres only */
	int	 lease_seconds;		/* default 15, 3..300 */
};

/* Sets *cs from sec (NULL: no [store] section, the defaults),
 * reporting problems as file:line through ini. dir resolves a relative
 * conninfo_file. */
void  config_store_load(struct config_ini *ini, const char *dir,
	    struct config_ini_section *sec, struct config_store *cs);

/* The connection string in cs's conninfo_file, malloc'd (the caller
 * wipes and frees it), its trailing white space removed; NULL with a
 * message naming the file in err when it cannot be read or is empty. */
char *config_store_conninfo(const struct config_store *cs, char *err,
	    size_t errlen);

#endif
