/* config_store.c — the [store] section (config_store.h). */
#include "config_store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_ini.h"
#include "config_secret.h"
#include "util.h"

#define CONFIG_STORE_CONNINFO_MAX	8192

void
config_store_load(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct config_store *cs)
{
	struct config_ini_kv *kv;

	cs->backend = STORE_SQLITE;
	cs->lease_seconds = 15;
	if (sec == NULL)
		return;
	if ((kv = config_ini_get(sec, "backend")) != NULL) {
		if (strcmp(kv->value, "sqlite") == 0)
			cs->backend = STORE_SQLITE;
		else if (strcmp(kv->value, "postgres") == 0 ||
		    strcmp(kv->value, "postgresql") == 0)
			cs->backend = STORE_POSTGRES;
		else
			config_ini_err(ini, kv->line, "[store] backend: '%s' "
			    "is not sqlite or postgres", kv->value);
	}
	if ((kv = config_ini_get(sec, "conninfo_file")) != NULL) {
		cs->conninfo_file = util_path_join(dir, kv->value);
		if (cs->backend != STORE_POSTGRES)
			config_ini_warn(ini, kv->line, "[store] conninfo_file "
			    "is only used with backend = postgres");
		else
			config_secret_check(ini, kv->line, "conninfo_file",
			    cs->conninfo_file);
	} else if (cs->backend == STORE_POSTGRES)
		config_ini_err(ini, sec->line, "[store] backend = postgres "
		    "needs conninfo_file: a file holding the libpq connection "
		    "string, e.g. host=db1 dbname=poolboot user=poolboot "
		    "sslmode=verify-full");
	if ((kv = config_ini_get(sec, "lease_seconds")) != NULL &&
	    config_ini_int(kv->value, 3, 300, &cs->lease_seconds) == -1)
		config_ini_err(ini, kv->line, "[store] lease_seconds: '%s' is "
		    "not a number from 3 to 300", kv->value);
	config_ini_unknown_keys(ini, sec, "[store]");
}

char *
config_store_conninfo(const struct config_store *cs, char *err, size_t errlen)
{
	char *s;
	size_t len = 0;

	if (cs->conninfo_file == NULL) {
		snprintf(err, errlen, "[store] backend = postgres needs "
		    "conninfo_file");
		return NULL;
	}
	if ((s = util_read_file(cs->conninfo_file,
	    CONFIG_STORE_CONNINFO_MAX, &len)) == NULL) {
		snprintf(err, errlen, "%s: cannot read the database's "
		    "connection string: %s", cs->conninfo_file,
		    strerror(errno));
		return NULL;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	if (len == 0) {
		snprintf(err, errlen, "%s: empty; it must hold the libpq "
		    "connection string of the database", cs->conninfo_file);
		free(s);
		return NULL;
	}
	return s;
}
