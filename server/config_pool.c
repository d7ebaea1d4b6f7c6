/* config_pool.c — see config_pool.h. */
#include "config_pool.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "config_ini.h"
#include "config_secret.h"
#include "config_site.h"

/* Characters a URL we hand to hosts may contain: no spaces, quotes,
 * query strings or anything a shell or a kernel command line treats
 * specially. */
int
config_pool_url_ok(const char *s, int allow_https)
{
	size_t i;

	if (strncmp(s, "http://", 7) != 0 &&
	    !(allow_https && strncmp(s, "https://", 8) == 0))
		return 0;
	if (strlen(s) > 200)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr(":/._~%-[]", c) == NULL)
			return 0;
	}
	return s[strlen(allow_https && s[4] == 's' ? "https://" : "http://")] !=
	    '\0';
}

/* A 64-hex-digit SHA-256 fingerprint, colons allowed between bytes. */
static int
config_pool_fingerprint_ok(const char *s)
{
	size_t nhex = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		if (isxdigit((unsigned char)s[i]))
			nhex++;
		else if (s[i] != ':')
			return 0;
	}
	return nhex == 64;
}

int
config_pool_request_s(const struct pool *p)
{
	return CONFIG_POOL_REQUEST_CALLS * p->xapi_timeout;
}

/* The rolling upgrade's step timeouts and XAPI poll interval of a pool. */
static void
config_pool_load_timeouts(struct config_ini *ini,
    struct config_ini_section *sec, struct pool *p)
{
	static const struct {
		const char *key;
		size_t	    off;
		long	    lo, hi;
	} nums[] = {
#define CONFIG_POOL_NUM(key, field, lo, hi) \
	{ key, offsetof(struct pool, field), lo, hi }
		CONFIG_POOL_NUM("evacuate_timeout", evacuate_timeout, 1, 86400),
		CONFIG_POOL_NUM("install_timeout", install_timeout, 1, 86400),
		CONFIG_POOL_NUM("rejoin_timeout", rejoin_timeout, 1, 86400),
		CONFIG_POOL_NUM("step_timeout", step_timeout, 1, 86400),
		CONFIG_POOL_NUM("poll_interval_ms", poll_ms, 10, 60000),
		CONFIG_POOL_NUM("xapi_timeout", xapi_timeout, 1, 600),
#undef CONFIG_POOL_NUM
	};
	struct config_ini_kv *kv;
	size_t i;

	p->evacuate_timeout = 1800;
	p->install_timeout = 5400;
	p->rejoin_timeout = 1200;
	p->step_timeout = 600;
	p->poll_ms = 1000;
	p->xapi_timeout = 30;
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if ((kv = config_ini_get(sec, nums[i].key)) == NULL)
			continue;
		if (config_ini_int(kv->value, nums[i].lo, nums[i].hi,
		    (int *)(void *)((char *)p + nums[i].off)) == -1)
			config_ini_err(ini, kv->line, "%s: '%s' is not a "
			    "number from %ld to %ld", nums[i].key, kv->value,
			    nums[i].lo, nums[i].hi);
	}
}

/* xapi = URL[, URL...]: every URL checked as one was before (an
 * http(s):// URL, http:// warned about), in order; p->xapi is the first. */
static void
config_pool_load_xapi(struct config_ini *ini, struct config_ini_section *sec,
    struct config_ini_kv *kv, struct pool *p)
{
	struct strlist l = { 0 };
	size_t i;

	if (strlist_split(&l, kv->value) == -1 || l.n == 0) {
		config_ini_err(ini, kv->line, "xapi: '%s' is not a list of "
		    "http(s):// URLs", kv->value);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (!config_pool_url_ok(l.v[i], 1)) {
			config_ini_err(ini, kv->line, "xapi: '%s' is not an "
			    "http(s):// URL", l.v[i]);
			continue;
		}
		if (strncasecmp(l.v[i], "http://", 7) == 0)
			config_ini_warn(ini, kv->line, "[pool %s]: xapi = "
			    "%s: the pool's password and every session "
			    "cross the network in clear, and anyone on the path "
			    "can answer as the pool master. Use https:// (with "
			    "tls_ca or tls_fingerprint)", sec->name, l.v[i]);
		if (strncasecmp(l.v[i], l.v[0], 5) != 0)
			config_ini_err(ini, kv->line, "xapi: '%s' and '%s' mix "
			    "http:// and https://; use https:// for every "
			    "address", l.v[0], l.v[i]);
		(void)strlist_add(&p->xapi_urls, l.v[i]);
	}
	if (p->xapi_urls.n > 0)
		p->xapi = strdup(p->xapi_urls.v[0]);
out:
	strlist_free(&l);
}

/* tls_fingerprint = PIN[, PIN...]: each host of a pool shows its own
 * certificate, so a pool reached at several addresses needs the pin of
 * each (or tls_ca). p->tls_fingerprint is the first. */
static void
config_pool_load_pins(struct config_ini *ini, struct config_ini_kv *kv,
    struct pool *p)
{
	struct strlist l = { 0 };
	size_t i;

	if (strlist_split(&l, kv->value) == -1 || l.n == 0)
		config_ini_err(ini, kv->line, "tls_fingerprint: expected the "
		    "certificate's SHA-256 fingerprint as 64 hex digits "
		    "(colons allowed), or several separated by commas");
	for (i = 0; i < l.n; i++) {
		if (!config_pool_fingerprint_ok(l.v[i])) {
			config_ini_err(ini, kv->line, "tls_fingerprint: '%.80s' "
			    "is not a certificate's SHA-256 fingerprint (64 hex "
			    "digits, colons allowed)", l.v[i]);
			continue;
		}
		(void)strlist_add(&p->tls_pins, l.v[i]);
	}
	if (p->tls_pins.n > 0)
		p->tls_fingerprint = strdup(p->tls_pins.v[0]);
	strlist_free(&l);
}

/* Each pool's member_addrs: the static ip of every inventory host of it
 * (pool_addr.h tries them when the xapi URLs do not answer). */
void
config_pool_members(struct host *hosts, size_t nhosts)
{
	size_t i;

	for (i = 0; i < nhosts; i++) {
		struct host *h = &hosts[i];

		if (h->pool != NULL && h->ip != NULL && h->ip[0] != '\0')
			(void)strlist_add(&h->pool->member_addrs, h->ip);
	}
}

void
config_pool_load(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct pool *p)
{
	struct config_ini_kv *kv;

	p->name = strdup(sec->name);
	p->line = sec->line;
	p->tls_verify = 1;
	if ((kv = config_ini_get(sec, "xapi")) == NULL)
		config_ini_err(ini, sec->line, "[pool %s]: 'xapi' is required "
		    "(URL of the pool master, e.g. https://10.0.0.10; several "
		    "separated by commas, tried in order)", sec->name);
	else
		config_pool_load_xapi(ini, sec, kv, p);
	if ((kv = config_ini_get(sec, "username")) == NULL)
		config_ini_err(ini, sec->line, "[pool %s]: 'username' is "
		    "required (e.g. root)", sec->name);
	else
		p->username = strdup(kv->value);
	if ((kv = config_ini_get(sec, "password_file")) == NULL)
		config_ini_err(ini, sec->line, "[pool %s]: 'password_file' is "
		    "required (a file holding the XAPI password, mode 600)",
		    sec->name);
	else {
		p->password_file = util_path_join(dir, kv->value);
		config_secret_check(ini, kv->line, "password_file",
		    p->password_file);
	}
	if ((kv = config_ini_get(sec, "tls_ca")) != NULL) {
		p->tls_ca = util_path_join(dir, kv->value);
		if (access(p->tls_ca, R_OK) == -1)
			config_ini_err(ini, kv->line, "tls_ca '%s': %s",
			    p->tls_ca, strerror(errno));
	}
	if ((kv = config_ini_get(sec, "tls_fingerprint")) != NULL)
		config_pool_load_pins(ini, kv, p);
	if ((kv = config_ini_get(sec, "tls_verify")) != NULL) {
		if (config_ini_bool(kv->value, &p->tls_verify) == -1)
			config_ini_err(ini, kv->line, "tls_verify: '%s' must "
			    "be yes or no", kv->value);
		else if (!p->tls_verify)
			config_ini_warn(ini, kv->line, "[pool %s]: tls_verify "
			    "= no: the XAPI certificate is NOT checked; anyone "
			    "on the path can impersonate the pool master and "
			    "read its password. Use tls_ca or tls_fingerprint "
			    "instead", sec->name);
	}
	if ((kv = config_ini_get(sec, "repo")) != NULL)
		p->repo_name = strdup(kv->value);
	config_pool_load_timeouts(ini, sec, p);
	if ((kv = config_ini_get(sec, "placement")) != NULL) {
		if (strcmp(kv->value, "leave") == 0)
			p->placement_leave = 1;
		else if (strcmp(kv->value, "return") != 0)
			config_ini_err(ini, kv->line, "placement: '%s' must be "
			    "'return' (each host's VMs go back to it after its "
			    "upgrade) or 'leave' (they stay where the "
			    "evacuation put them)", kv->value);
	}
	if ((kv = config_ini_get(sec, "site")) != NULL)
		config_site_set(ini, kv, p->site, sizeof(p->site));
	config_ini_unknown_keys(ini, sec, "[pool]");
}

