/* config_site.c — the `site` keys; see config_site.h. */
#include "config_site.h"

#include "config_ini.h"
#include "util.h"

void
config_site_set(struct config_ini *ini, const struct config_ini_kv *kv,
    char *site, size_t size)
{
	if (kv->value[0] != '\0' && !config_ini_chars(kv->value,
	    CONFIG_SITE_CHARS, CONFIG_SITE_MAX)) {
		config_ini_err(ini, kv->line, "site: '%s' is not a site name "
		    "(letters, digits and '%s', at most %d characters); every "
		    "instance and section of one site names it alike",
		    kv->value, CONFIG_SITE_CHARS, CONFIG_SITE_MAX);
		return;
	}
	util_strlcpy(site, size, kv->value);
}
