/* config_site.c — [server] site; see config_site.h. */
#include "config_site.h"

#include "config_ini.h"
#include "util.h"

void
config_site_load_server(struct config_ini *ini,
    struct config_ini_section *sec, char *site, size_t size)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "site")) == NULL)
		return;
	if (kv->value[0] != '\0' && !config_ini_chars(kv->value,
	    CONFIG_SITE_CHARS, CONFIG_SITE_MAX)) {
		config_ini_err(ini, kv->line, "site: '%s' is not a site name "
		    "(letters, digits and '%s', at most %d characters); every "
		    "instance of one site names it alike", kv->value,
		    CONFIG_SITE_CHARS, CONFIG_SITE_MAX);
		return;
	}
	util_strlcpy(site, size, kv->value);
}
