/* site.c — whose pools and hosts are these; see site.h. */
#include "site.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

const char *
site_of_pool(const struct config *cfg, const struct pool *p)
{
	(void)cfg;
	return p != NULL ? p->site : "";
}

const char *
site_of_host(const struct config *cfg, const struct host *h)
{
	if (h->site[0] != '\0')
		return h->site;
	return site_of_pool(cfg, h->pool);
}

int
site_owns_pool(const struct config *cfg, const struct pool *p)
{
	return strcmp(site_of_pool(cfg, p), cfg->site) == 0;
}

int
site_owns_host(const struct config *cfg, const struct host *h)
{
	return strcmp(site_of_host(cfg, h), cfg->site) == 0;
}

/* The sentence of a refusal: what is whose, and where to go instead. */
static void
site_say(const struct config *cfg, const char *what, const char *name,
    const char *site, char *err, size_t errlen)
{
	if (site[0] == '\0')
		snprintf(err, errlen, "%s %s names no site, and this poolboot "
		    "serves site '%s': set `site = %s` in its [%s %s] section "
		    "(or its pool's) for it to act on it", what, name,
		    cfg->site, cfg->site, what, name);
	else if (cfg->site[0] == '\0')
		snprintf(err, errlen, "%s %s is of site '%s', and this poolboot "
		    "serves no site: ask an instance of site '%s'", what, name,
		    site, site);
	else
		snprintf(err, errlen, "%s %s is of site '%s', and this poolboot "
		    "serves site '%s': ask an instance of site '%s' (it acts on "
		    "its own site's pools and hosts only)", what, name, site,
		    cfg->site, site);
}

int
site_refuse_pool(const struct config *cfg, const char *pool, char *err,
    size_t errlen)
{
	const struct pool *p = config_pool(cfg, pool);

	if (p == NULL || site_owns_pool(cfg, p))
		return 0;
	site_say(cfg, "pool", pool, site_of_pool(cfg, p), err, errlen);
	return 1;
}

int
site_refuse_host(const struct config *cfg, const char *host, char *err,
    size_t errlen)
{
	const struct host *h = config_host(cfg, host);

	if (h == NULL || site_owns_host(cfg, h))
		return 0;
	site_say(cfg, "host", host, site_of_host(cfg, h), err, errlen);
	return 1;
}
