/* config_dnsmasq.c — see config_dnsmasq.h. */
#include "config_dnsmasq.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_ini.h"
#include "inventory.h"
#include "util.h"

/* ---- value forms --------------------------------------------------------- */

/* Paths that go into dnsmasq's config: no blanks, commas, quotes or '#'. */
static int
config_dnsmasq_path_ok(const char *s)
{
	return s[0] == '/' && config_ini_chars(s, "/._+-@~", 1024);
}

static int
config_dnsmasq_ipv4(const char *s, uint32_t *out)
{
	struct in_addr in;

	if (strlen(s) > 15 || inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*out = ntohl(in.s_addr);
	return 0;
}

static int
config_dnsmasq_netmask_ok(uint32_t m)
{
	uint32_t inv = ~m;

	return m != 0 && (inv & (inv + 1)) == 0;
}

/* dnsmasq lease times: N, Ns, Nm, Nh, Nd, Nw or "infinite"; at least 2
 * minutes (dnsmasq's own minimum). */
static int
config_dnsmasq_lease_ok(const char *s)
{
	static const struct { char unit; long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	char num[16];
	size_t len = strlen(s), i;
	long mult = 1;
	int v;

	if (strcmp(s, "infinite") == 0)
		return 1;
	if (len == 0 || len >= sizeof(num))
		return 0;
	/* at most one unit letter, and digits before it */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s[len - 1] == units[i].unit) {
			mult = units[i].mult;
			len--;
			break;
		}
	if (len == 0)
		return 0;
	memcpy(num, s, len);
	num[len] = '\0';
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)num[i]))
			return 0;
	if (config_ini_int(num, 1, 100000000, &v) == -1)
		return 0;
	return (long)v * mult >= 120;
}

/* The IPv4 literal host of public_url, unless it is a loopback or
 * wildcard address (useless to a booting host). NULL otherwise. */
static char *
config_dnsmasq_address_from_url(const char *url)
{
	char host[64];
	const char *p;
	size_t n;
	uint32_t a;

	if (url == NULL)
		return NULL;
	if ((p = strstr(url, "://")) == NULL)
		return NULL;
	p += 3;
	n = strcspn(p, ":/");
	if (n == 0 || n >= sizeof(host))
		return NULL;
	memcpy(host, p, n);
	host[n] = '\0';
	if (config_dnsmasq_ipv4(host, &a) == -1 || (a >> 24) == 127 || a == 0)
		return NULL;
	return strdup(host);
}

static void
config_dnsmasq_set_ipv4(struct config_ini *ini, struct config_ini_kv *kv,
    char **dst, const char *what)
{
	uint32_t a;

	if (config_dnsmasq_ipv4(kv->value, &a) == -1)
		config_ini_err(ini, kv->line, "%s: '%s' is not an IPv4 address",
		    what, kv->value);
	else
		config_ini_set_str(dst, kv->value);
}

/* ---- the section --------------------------------------------------------- */

/* dhcp = full: range = FIRST,LAST,NETMASK inside one subnet, without its
 * network and broadcast addresses. */
static void
config_dnsmasq_range_full(struct config_ini *ini, struct dnsmasq_cfg *d,
    struct config_ini_kv *kv, const struct strlist *parts)
{
	uint32_t first = 0, last = 0, mask = 0;

	if (parts->n != 3) {
		config_ini_err(ini, kv->line, "range: '%s': with dhcp = full "
		    "write FIRST,LAST,NETMASK (e.g. "
		    "10.200.0.100,10.200.0.150,255.255.255.0)", kv->value);
		return;
	}
	(void)config_dnsmasq_ipv4(parts->v[0], &first);
	(void)config_dnsmasq_ipv4(parts->v[1], &last);
	(void)config_dnsmasq_ipv4(parts->v[2], &mask);
	if (!config_dnsmasq_netmask_ok(mask)) {
		config_ini_err(ini, kv->line, "range: netmask %s is not a "
		    "netmask (e.g. 255.255.255.0)", parts->v[2]);
		return;
	}
	if ((first & mask) != (last & mask)) {
		config_ini_err(ini, kv->line, "range: %s and %s are not in one "
		    "subnet with netmask %s", parts->v[0], parts->v[1],
		    parts->v[2]);
		return;
	}
	if (first > last) {
		config_ini_err(ini, kv->line, "range: the first address %s "
		    "comes after the last %s", parts->v[0], parts->v[1]);
		return;
	}
	if ((first & ~mask) == 0 || (last & ~mask) == ~mask) {
		config_ini_err(ini, kv->line, "range: %s-%s includes the "
		    "subnet's network or broadcast address", parts->v[0],
		    parts->v[1]);
		return;
	}
	config_ini_set_str(&d->range_first, parts->v[0]);
	config_ini_set_str(&d->range_last, parts->v[1]);
	config_ini_set_str(&d->range_netmask, parts->v[2]);
}

/* dhcp = proxy: range = SUBNET[,NETMASK]. */
static void
config_dnsmasq_range_proxy(struct config_ini *ini, struct dnsmasq_cfg *d,
    struct config_ini_kv *kv, const struct strlist *parts)
{
	uint32_t first = 0, mask = 0;

	if (parts->n < 1 || parts->n > 2) {
		config_ini_err(ini, kv->line, "range: '%s': with dhcp = proxy "
		    "write the subnet, e.g. 10.200.0.0 (optionally ,NETMASK)",
		    kv->value);
		return;
	}
	(void)config_dnsmasq_ipv4(parts->v[0], &first);
	if (parts->n == 2) {
		(void)config_dnsmasq_ipv4(parts->v[1], &mask);
		if (!config_dnsmasq_netmask_ok(mask)) {
			config_ini_err(ini, kv->line, "range: netmask %s is "
			    "not a netmask (e.g. 255.255.255.0)", parts->v[1]);
			return;
		}
		if ((first & ~mask) != 0) {
			config_ini_err(ini, kv->line, "range: %s is not a "
			    "subnet address for netmask %s (its host part is "
			    "not zero)", parts->v[0], parts->v[1]);
			return;
		}
		config_ini_set_str(&d->range_netmask, parts->v[1]);
	}
	config_ini_set_str(&d->range_first, parts->v[0]);
}

/* range = FIRST,LAST,NETMASK (full) or SUBNET[,NETMASK] (proxy). */
static void
config_dnsmasq_load_range(struct config_ini *ini, struct dnsmasq_cfg *d,
    struct config_ini_kv *kv)
{
	struct strlist parts = { 0 };
	uint32_t a;
	size_t i;

	if (strlist_split(&parts, kv->value) == -1) {
		config_ini_err(ini, kv->line, "range: value too long");
		goto out;
	}
	for (i = 0; i < parts.n; i++)
		if (config_dnsmasq_ipv4(parts.v[i], &a) == -1) {
			config_ini_err(ini, kv->line, "range: '%s' is not an "
			    "IPv4 address", parts.v[i]);
			goto out;
		}
	if (d->dhcp == DNSMASQ_FULL)
		config_dnsmasq_range_full(ini, d, kv, &parts);
	else
		config_dnsmasq_range_proxy(ini, d, kv, &parts);
out:
	strlist_free(&parts);
}

/* mode = managed | external and dhcp = proxy | full. */
static void
config_dnsmasq_load_kind(struct config_ini *ini, struct config_ini_section *sec,
    struct dnsmasq_cfg *d)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "mode")) != NULL) {
		if (strcmp(kv->value, "managed") == 0)
			d->mode = DNSMASQ_MANAGED;
		else if (strcmp(kv->value, "external") == 0)
			d->mode = DNSMASQ_EXTERNAL;
		else
			config_ini_err(ini, kv->line, "mode: '%s' must be "
			    "'managed' (poolboot runs dnsmasq) or 'external' "
			    "(poolboot only writes the files for the site's "
			    "dnsmasq)", kv->value);
	}
	if ((kv = config_ini_get(sec, "dhcp")) != NULL) {
		if (strcmp(kv->value, "proxy") == 0)
			d->dhcp = DNSMASQ_PROXY;
		else if (strcmp(kv->value, "full") == 0)
			d->dhcp = DNSMASQ_FULL;
		else
			config_ini_err(ini, kv->line, "dhcp: '%s' must be "
			    "'proxy' (proxy-DHCP next to the site's DHCP "
			    "server) or 'full' (dnsmasq is the DHCP server)",
			    kv->value);
	}
}

/* Where it serves: interface, address (default: public_url's host) and
 * range. */
static void
config_dnsmasq_load_where(struct config_ini *ini,
    struct config_ini_section *sec, const struct config_dnsmasq_server *srv,
    struct dnsmasq_cfg *d)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "interface")) != NULL) {
		if (!config_ini_chars(kv->value, "._-", 15) ||
		    strspn(kv->value, ".") == strlen(kv->value))
			config_ini_err(ini, kv->line, "interface: '%s' is not "
			    "a network interface name such as br0 or eth1 "
			    "(letters, digits, '.', '_', '-'; at most 15)",
			    kv->value);
		else
			config_ini_set_str(&d->interface, kv->value);
	} else if (d->mode == DNSMASQ_MANAGED)
		config_ini_err(ini, sec->line, "[dnsmasq]: 'interface' is "
		    "required with mode = managed: the interface dnsmasq "
		    "serves DHCP and TFTP on, e.g. br0");
	if ((kv = config_ini_get(sec, "address")) != NULL)
		config_dnsmasq_set_ipv4(ini, kv, &d->address, "address");
	else
		d->address = config_dnsmasq_address_from_url(srv->public_url);
	if ((kv = config_ini_get(sec, "range")) != NULL)
		config_dnsmasq_load_range(ini, d, kv);
	else if (d->mode == DNSMASQ_MANAGED)
		config_ini_err(ini, sec->line, "[dnsmasq]: 'range' is required "
		    "with mode = managed: %s", d->dhcp == DNSMASQ_FULL ?
		    "FIRST,LAST,NETMASK of the addresses to hand out, e.g. "
		    "10.200.0.100,10.200.0.150,255.255.255.0" :
		    "the subnet to answer PXE requests on, e.g. 10.200.0.0");
}

/* lease_time (full DHCP only), tftp and ping_check. */
static void
config_dnsmasq_load_options(struct config_ini *ini,
    struct config_ini_section *sec, struct dnsmasq_cfg *d)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "lease_time")) != NULL) {
		if (!config_dnsmasq_lease_ok(kv->value))
			config_ini_err(ini, kv->line, "lease_time: '%s' is not "
			    "a lease time of at least 2 minutes (e.g. 1h, 30m, "
			    "86400 or infinite)", kv->value);
		else if (d->dhcp != DNSMASQ_FULL)
			config_ini_warn(ini, kv->line, "lease_time has no "
			    "effect with dhcp = proxy (the site's DHCP server "
			    "leases the addresses)");
		else
			config_ini_set_str(&d->lease_time, kv->value);
	}
	if (d->lease_time == NULL)
		d->lease_time = strdup("1h");
	if ((kv = config_ini_get(sec, "tftp")) != NULL &&
	    config_ini_bool(kv->value, &d->tftp) == -1)
		config_ini_err(ini, kv->line, "tftp: '%s' must be yes or no",
		    kv->value);
	if ((kv = config_ini_get(sec, "ping_check")) != NULL &&
	    config_ini_bool(kv->value, &d->ping_check) == -1)
		config_ini_err(ini, kv->line, "ping_check: '%s' must be yes or "
		    "no", kv->value);
}

/* ipv6_ra = "fd00:200::" or "fd00:200::/64" */
static void
config_dnsmasq_load_ipv6_ra(struct config_ini *ini, struct config_ini_kv *kv,
    struct dnsmasq_cfg *d)
{
	unsigned char in6[16];
	char v6[64];
	size_t l;

	l = strcspn(kv->value, "/");
	if (l >= sizeof(v6) || (kv->value[l] == '/' &&
	    strcmp(kv->value + l, "/64") != 0)) {
		config_ini_err(ini, kv->line, "ipv6_ra: '%s' is not an IPv6 "
		    "/64 prefix such as fd00:200::", kv->value);
		return;
	}
	memcpy(v6, kv->value, l);
	v6[l] = '\0';
	if (inet_pton(AF_INET6, v6, in6) != 1)
		config_ini_err(ini, kv->line, "ipv6_ra: '%s' is not an IPv6 "
		    "/64 prefix such as fd00:200::", kv->value);
	else
		config_ini_set_str(&d->ipv6_ra, v6);
}

/* binary: a program name (looked up in PATH) or a path (relative to the
 * config file's folder); default "dnsmasq". */
static void
config_dnsmasq_load_binary(struct config_ini *ini,
    struct config_ini_section *sec, const struct config_dnsmasq_server *srv,
    struct dnsmasq_cfg *d)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "binary")) != NULL) {
		if (!config_ini_chars(kv->value, "/._+-@~", 1024))
			config_ini_err(ini, kv->line, "binary: '%s' is not a "
			    "program name or path (letters, digits and "
			    "/._+-@~)", kv->value);
		else if (strchr(kv->value, '/') != NULL)
			d->binary = util_path_join(srv->dir, kv->value);
		else
			config_ini_set_str(&d->binary, kv->value);
	}
	if (d->binary == NULL)
		d->binary = strdup("dnsmasq");
}

/* The URL UEFI HTTP-boot clients get as their boot file: the file field
 * of a DHCP answer holds at most DNSMASQ_BOOT_FILE_MAX characters, and
 * the URL goes into dnsmasq's config, so only plain URL characters (no
 * blanks, commas, quotes or '#'). NULL when it does not fit. */
static char *
config_dnsmasq_http_boot_url(const char *public_url)
{
	char *url = NULL;
	size_t i;

	if (asprintf(&url, "%s/%s", public_url, DNSMASQ_GRUB_EFI) < 0)
		return NULL;
	if (strlen(url) > DNSMASQ_BOOT_FILE_MAX)
		goto bad;
	for (i = 0; url[i] != '\0'; i++)
		if (!isalnum((unsigned char)url[i]) &&
		    strchr(":/._~%-[]", url[i]) == NULL)
			goto bad;
	return url;
bad:
	free(url);
	return NULL;
}

/* http_boot = yes | no (default yes). UEFI HTTP boot needs an http://
 * public_url: the firmware fetches grubx64.efi from it and GRUB then
 * loads its config and the boot files from the same server over plain
 * HTTP (GRUB's http module has no TLS). With an https:// public_url an
 * explicit yes is an error, the default a warning, and HTTP boot is left
 * out of the config. */
static void
config_dnsmasq_load_http_boot(struct config_ini *ini,
    struct config_ini_section *sec, const struct config_dnsmasq_server *srv,
    struct dnsmasq_cfg *d)
{
	struct config_ini_kv *kv;
	int explicit_yes = 0;

	d->http_boot = 1;
	if ((kv = config_ini_get(sec, "http_boot")) != NULL) {
		if (config_ini_bool(kv->value, &d->http_boot) == -1) {
			config_ini_err(ini, kv->line, "http_boot: '%s' must be "
			    "yes (answer UEFI HTTP-boot clients with "
			    "public_url/%s) or no", kv->value,
			    DNSMASQ_GRUB_EFI);
			d->http_boot = 0;
			return;
		}
		explicit_yes = d->http_boot;
	}
	if (!d->http_boot || srv->public_url == NULL)
		goto off;
	if (strncmp(srv->public_url, "http://", 7) != 0) {
		if (explicit_yes)
			config_ini_err(ini, kv->line, "http_boot = yes needs an "
			    "http:// public_url, not '%s': GRUB loads its "
			    "config and the boot files from public_url and has "
			    "no HTTPS; use http://, or http_boot = no",
			    srv->public_url);
		else
			config_ini_warn(ini, sec->line, "[dnsmasq]: UEFI HTTP "
			    "boot is left out: public_url '%s' is not http:// "
			    "(GRUB has no HTTPS); UEFI PXE over TFTP still "
			    "works. Set http_boot = no to silence this",
			    srv->public_url);
		goto off;
	}
	if ((d->http_boot_url = config_dnsmasq_http_boot_url(
	    srv->public_url)) == NULL) {
		config_ini_err(ini, kv != NULL ? kv->line : sec->line,
		    "[dnsmasq]: the UEFI HTTP boot file %s/%s is longer than "
		    "the %d characters a DHCP answer carries, or not a plain "
		    "URL; shorten public_url or set http_boot = no",
		    srv->public_url, DNSMASQ_GRUB_EFI, DNSMASQ_BOOT_FILE_MAX);
		goto off;
	}
	return;
off:
	d->http_boot = 0;
}

/* The [server] path what (state_dir or tftp_root) goes into dnsmasq's
 * config; reported on its line in [server], else on [dnsmasq]'s. */
static void
config_dnsmasq_check_path(struct config_ini *ini,
    struct config_ini_section *sec, const struct config_dnsmasq_server *srv,
    const char *what, const char *path)
{
	struct config_ini_kv *skv;

	skv = srv->sec != NULL ? config_ini_get(srv->sec, what) : NULL;
	if (!config_dnsmasq_path_ok(path))
		config_ini_err(ini, skv != NULL ? skv->line : sec->line, "%s "
		    "'%s' cannot go into dnsmasq's config: use a path of "
		    "letters, digits and /._+-@~ (no blanks or commas)", what,
		    path);
}

void
config_dnsmasq_load(struct config_ini *ini, struct config_ini_section *sec,
    const struct config_dnsmasq_server *srv, struct dnsmasq_cfg *d)
{
	struct config_ini_kv *kv;

	d->enabled = 1;
	d->line = sec->line;
	d->mode = DNSMASQ_MANAGED;
	d->dhcp = DNSMASQ_PROXY;
	d->tftp = 1;
	d->ping_check = 1;
	config_dnsmasq_load_kind(ini, sec, d);
	config_dnsmasq_load_where(ini, sec, srv, d);
	config_dnsmasq_load_options(ini, sec, d);
	if ((kv = config_ini_get(sec, "ipv6_ra")) != NULL)
		config_dnsmasq_load_ipv6_ra(ini, kv, d);
	config_dnsmasq_load_binary(ini, sec, srv, d);
	config_dnsmasq_load_http_boot(ini, sec, srv, d);
	if (!d->tftp && d->address == NULL)
		config_ini_err(ini, sec->line, "[dnsmasq]: with tftp = no set "
		    "'address' (the IPv4 address of the TFTP server that "
		    "serves tftp_root)");
	config_dnsmasq_check_path(ini, sec, srv, "state_dir", srv->state_dir);
	config_dnsmasq_check_path(ini, sec, srv, "tftp_root", srv->tftp_root);
	config_ini_unknown_keys(ini, sec, "[dnsmasq]");
}

void
config_dnsmasq_check_hosts(struct config_ini *ini, const struct dnsmasq_cfg *d,
    const struct host *hosts, size_t nhosts)
{
	uint32_t first, mask, ip;
	size_t i;

	if (!d->enabled || d->dhcp != DNSMASQ_FULL || d->range_first == NULL ||
	    config_dnsmasq_ipv4(d->range_first, &first) == -1 ||
	    config_dnsmasq_ipv4(d->range_netmask, &mask) == -1)
		return;
	for (i = 0; i < nhosts; i++) {
		const struct host *h = &hosts[i];

		if (h->ip == NULL || config_dnsmasq_ipv4(h->ip, &ip) == -1)
			continue;
		if ((ip & mask) != (first & mask))
			config_ini_warn(ini, h->line, "[host %s]: ip %s is "
			    "outside the [dnsmasq] range's subnet; dnsmasq "
			    "will not give it that address while it PXE-boots",
			    h->name, h->ip);
	}
}

void
config_dnsmasq_free(struct dnsmasq_cfg *d)
{
	free(d->interface);
	free(d->address);
	free(d->range_first);
	free(d->range_last);
	free(d->range_netmask);
	free(d->lease_time);
	free(d->ipv6_ra);
	free(d->binary);
	free(d->http_boot_url);
}
