/* inventory.c — see inventory.h. */
#include "inventory.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_ini.h"
#include "config_secret.h"
#include "config_site.h"
#include "xapi_pin.h"

#ifndef INVENTORY_ZONEINFO
#define INVENTORY_ZONEINFO	"/usr/share/zoneinfo"	/* the tz database */
#endif

/* ---- host values --------------------------------------------------------- */

/* sda, nvme0n1, /dev/disk/by-id/scsi-3600...:0, cciss/c0d0 */
static int
inventory_disk_ok(const char *s)
{
	size_t i;

	if (*s == '\0' || strlen(s) > 255 || strstr(s, "..") != NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr("/_.:+-", c) == NULL)
			return 0;
	}
	return 1;
}

static int
inventory_hostname_ok(const char *s)
{
	size_t i, label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[i - 1] != '-';
}

static int
inventory_ip_ok(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

/* "10.0.0.21/24" -> ip, prefix, dotted netmask */
static int
inventory_parse_cidr(const char *s, struct host *h)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	uint32_t mask;
	size_t al;

	if (slash == NULL)
		return -1;
	al = (size_t)(slash - s);
	if (al >= sizeof(addr))
		return -1;
	memcpy(addr, s, al);
	addr[al] = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1 ||
	    config_ini_int(slash + 1, 1, 32, &h->prefix) == -1)
		return -1;
	mask = h->prefix == 32 ? 0xffffffffu :
	    ~(0xffffffffu >> (unsigned)h->prefix);
	in.s_addr = htonl(mask);
	inet_ntop(AF_INET, &in, h->netmask, sizeof(h->netmask));
	free(h->ip);
	h->ip = strdup(addr);
	return h->ip == NULL ? -1 : 0;
}

static int
inventory_same_subnet(const char *a, const char *b, int prefix)
{
	struct in_addr ia, ib;
	uint32_t mask;

	if (inet_pton(AF_INET, a, &ia) != 1 || inet_pton(AF_INET, b, &ib) != 1)
		return 0;
	mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> (unsigned)prefix);
	return (ntohl(ia.s_addr) & mask) == (ntohl(ib.s_addr) & mask);
}

/* "com1,115200", "ttyS0,115200", "com2", "none" */
static int
inventory_parse_serial(const char *s, int *port, int *baud)
{
	static const int bauds[] = { 9600, 19200, 38400, 57600, 115200 };
	char dev[16];
	const char *comma = strchr(s, ',');
	size_t dl = comma ? (size_t)(comma - s) : strlen(s);
	size_t i;
	int n;

	if (strcmp(s, "none") == 0 || strcmp(s, "no") == 0) {
		*port = 0;
		return 0;
	}
	if (dl >= sizeof(dev))
		return -1;
	memcpy(dev, s, dl);
	dev[dl] = '\0';
	if (strncmp(dev, "com", 3) == 0 &&
	    config_ini_int(dev + 3, 1, 4, &n) == 0)
		*port = n;
	else if (strncmp(dev, "ttyS", 4) == 0 &&
	    config_ini_int(dev + 4, 0, 3, &n) == 0)
		*port = n + 1;
	else
		return -1;
	*baud = 115200;
	if (comma != NULL) {
		if (config_ini_int(comma + 1, 1, 1000000, baud) == -1)
			return -1;
		for (i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
			if (bauds[i] == *baud)
				return 0;
		return -1;
	}
	return 0;
}

/* ---- [defaults] and [host NAME] ------------------------------------------ */

/* Host keys; allowed in [defaults] unless per_host. */
static const struct {
	const char *key;
	int	    per_host;
} inventory_keys[] = {
	{ "pool", 0 }, { "repo", 0 }, { "mac", 1 }, { "disk", 0 },
	{ "mode", 0 }, { "ip", 1 }, { "gateway", 0 }, { "dns", 0 },
	{ "hostname", 1 }, { "ntp", 0 }, { "timezone", 0 }, { "keymap", 0 },
	{ "root_password_file", 0 }, { "kernel_args", 0 },
	{ "serial_console", 0 }, { "interface", 0 }, { "sr_type", 0 },
	{ "power", 0 }, { "ipmi_address", 1 }, { "ipmi_port", 0 },
	{ "ipmi_user", 0 }, { "ipmi_password_file", 0 }, { "join", 0 },
	{ "ipmi_cipher", 0 }, { "redfish_address", 1 }, { "redfish_user", 0 },
	{ "redfish_password_file", 0 }, { "redfish_system", 0 },
	{ "redfish_tls_ca", 0 }, { "redfish_tls_fingerprint", 0 },
	{ "redfish_tls_verify", 0 }, { "redfish_boot", 0 }, { "firmware", 0 },
	{ "site", 0 },
};
#define INVENTORY_NKEYS	(sizeof(inventory_keys) / sizeof(inventory_keys[0]))

static struct config_ini_kv *
inventory_get(struct config_ini_section *sec, struct config_ini_section *defs,
    const char *key)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, key)) != NULL)
		return kv;
	return config_ini_get(defs, key);
}


void
inventory_check_defaults(struct config_ini *ini,
    struct config_ini_section *defs)
{
	size_t i, k;
	int known;

	for (i = 0; i < defs->nkv; i++) {
		known = 0;
		for (k = 0; k < INVENTORY_NKEYS; k++)
			if (strcmp(defs->kv[i].key,
			    inventory_keys[k].key) == 0) {
				known = 1;
				if (inventory_keys[k].per_host)
					config_ini_err(ini, defs->kv[i].line,
					    "'%s' is per host and cannot go in "
					    "[defaults]", defs->kv[i].key);
			}
		if (!known)
			config_ini_err(ini, defs->kv[i].line, "unknown key "
			    "'%s' in [defaults]", defs->kv[i].key);
	}
}

/* Where it comes from: pool, repo, mac, mode, disk. */
static void
inventory_load_target(struct config_ini *ini, struct config_ini_section *sec,
    struct config_ini_section *defs, struct host *h)
{
	struct config_ini_kv *kv;
	const char *why;

	if ((kv = inventory_get(sec, defs, "pool")) != NULL)
		h->pool_name = strdup(kv->value);
	if ((kv = inventory_get(sec, defs, "repo")) != NULL)
		h->repo_name = strdup(kv->value);
	if ((kv = inventory_get(sec, defs, "site")) != NULL)
		config_site_set(ini, kv, h->site, sizeof(h->site));
	if ((kv = config_ini_get(sec, "mac")) == NULL)
		config_ini_err(ini, sec->line, "[host %s]: 'mac' is required "
		    "(the MAC address the host PXE-boots from)", sec->name);
	else if (util_mac_parse(kv->value, h->mac, &why) == -1)
		config_ini_err(ini, kv->line, "mac: '%s': %s", kv->value, why);
	if ((kv = inventory_get(sec, defs, "mode")) != NULL &&
	    config_mode_parse(kv->value, &h->mode) == -1)
		config_ini_err(ini, kv->line, "mode: '%s' must be upgrade, "
		    "fresh, reinstall or restore", kv->value);
	if ((kv = inventory_get(sec, defs, "disk")) != NULL) {
		if (!inventory_disk_ok(kv->value))
			config_ini_err(ini, kv->line, "disk: '%s' is not a "
			    "device name (e.g. sda, nvme0n1 or "
			    "/dev/disk/by-id/...)", kv->value);
		else
			h->disk = strdup(kv->value);
	}
}

/* Its network identity: ip, gateway, dns, ntp, hostname. */
static void
inventory_load_network(struct config_ini *ini, struct config_ini_section *sec,
    struct config_ini_section *defs, struct host *h)
{
	struct config_ini_kv *kv;
	struct in_addr in;
	size_t i;

	if ((kv = config_ini_get(sec, "ip")) != NULL &&
	    inventory_parse_cidr(kv->value, h) == -1)
		config_ini_err(ini, kv->line, "ip: '%s' is not an IPv4 address "
		    "with a prefix length, e.g. 10.0.0.21/24", kv->value);
	if ((kv = inventory_get(sec, defs, "gateway")) != NULL) {
		if (inet_pton(AF_INET, kv->value, &in) != 1)
			config_ini_err(ini, kv->line, "gateway: '%s' is not an "
			    "IPv4 address", kv->value);
		else if (h->ip != NULL &&
		    !inventory_same_subnet(h->ip, kv->value, h->prefix))
			config_ini_err(ini, kv->line, "gateway %s is outside "
			    "the host's subnet %s/%d", kv->value, h->ip,
			    h->prefix);
		else
			h->gateway = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "dns")) != NULL) {
		if (strlist_split(&h->dns, kv->value) == -1)
			config_ini_err(ini, kv->line, "dns: value too long");
		for (i = 0; i < h->dns.n; i++)
			if (!inventory_ip_ok(h->dns.v[i]))
				config_ini_err(ini, kv->line, "dns: '%s' is "
				    "not an IP address", h->dns.v[i]);
	}
	if ((kv = inventory_get(sec, defs, "ntp")) != NULL) {
		if (strlist_split(&h->ntp, kv->value) == -1)
			config_ini_err(ini, kv->line, "ntp: value too long");
		for (i = 0; i < h->ntp.n; i++)
			if (!inventory_hostname_ok(h->ntp.v[i]) &&
			    !inventory_ip_ok(h->ntp.v[i]))
				config_ini_err(ini, kv->line, "ntp: '%s' is "
				    "not a host name or IP address",
				    h->ntp.v[i]);
	}
	if ((kv = config_ini_get(sec, "hostname")) != NULL) {
		if (!inventory_hostname_ok(kv->value))
			config_ini_err(ini, kv->line, "hostname: '%s' is not a "
			    "valid host name (letters, digits, '-' and '.')",
			    kv->value);
		else
			h->hostname = strdup(kv->value);
	}
}

/*
 * 1 when tz (letters, digits, "/_+-", no "..": checked by the caller)
 * names a zone of the tz database: INVENTORY_ZONEINFO/tz is a regular
 * TZif file (tzfile(5): it starts with the magic "TZif"). The installer
 * takes the same names. "UTC" is always one, even without tzdata here.
 */
static int
inventory_tz_exists(const char *tz)
{
	char path[256], magic[4];
	struct stat sb;
	FILE *fp;
	int ok;

	if (strcmp(tz, "UTC") == 0)
		return 1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", INVENTORY_ZONEINFO,
	    tz) >= sizeof(path))
		return 0;
	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (fp = fopen(path, "rb")) == NULL)
		return 0;
	ok = fread(magic, 1, sizeof(magic), fp) == sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0;
	fclose(fp);
	return ok;
}

/* The installed system's settings: timezone, keymap, interface, sr_type. */
static void
inventory_load_system(struct config_ini *ini, struct config_ini_section *sec,
    struct config_ini_section *defs, struct host *h)
{
	struct config_ini_kv *kv;

	if ((kv = inventory_get(sec, defs, "timezone")) != NULL) {
		if (!config_ini_chars(kv->value, "/_+-", 64) ||
		    strstr(kv->value, "..") != NULL || kv->value[0] == '/')
			config_ini_err(ini, kv->line, "timezone: '%s' is not a "
			    "tz name such as Europe/Berlin or UTC", kv->value);
		else if (!inventory_tz_exists(kv->value))
			config_ini_err(ini, kv->line, "timezone: '%s' is not in "
			    "the tz database (%s); use a name such as "
			    "Europe/Berlin or UTC", kv->value,
			    INVENTORY_ZONEINFO);
		else
			h->timezone = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "keymap")) != NULL) {
		if (!config_ini_chars(kv->value, "_.-", 32))
			config_ini_err(ini, kv->line, "keymap: '%s' is not a "
			    "keymap name such as us or de-latin1", kv->value);
		else
			h->keymap = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "interface")) != NULL) {
		if (!config_ini_chars(kv->value, "._-", 15))
			config_ini_err(ini, kv->line, "interface: '%s' is not "
			    "an interface name such as eth0", kv->value);
		else
			h->interface = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "sr_type")) != NULL) {
		if (strcmp(kv->value, "lvm") != 0 &&
		    strcmp(kv->value, "ext") != 0)
			config_ini_err(ini, kv->line, "sr_type: '%s' must be "
			    "lvm or ext", kv->value);
		else
			h->sr_type = strdup(kv->value);
	}
}

/* What the installer gets: the root password hash, kernel_args and the
 * serial console. */
static void
inventory_load_installer(struct config_ini *ini,
    struct config_secret_cache *secrets, const char *dir,
    struct config_ini_section *sec, struct config_ini_section *defs,
    struct host *h)
{
	struct config_ini_kv *kv;
	const char *w;
	char *p;
	size_t i;

	if ((kv = inventory_get(sec, defs, "root_password_file")) != NULL) {
		p = util_path_join(dir, kv->value);
		h->root_password_hash = config_secret_hash(ini, secrets,
		    kv->line, p);
		h->root_password_file = p;
	}
	if ((kv = inventory_get(sec, defs, "kernel_args")) != NULL) {
		if (strlist_split_blank(&h->kernel_args, kv->value) == -1)
			config_ini_err(ini, kv->line, "kernel_args: an "
			    "argument is too long");
		for (i = 0; i < h->kernel_args.n; i++) {
			w = h->kernel_args.v[i];
			if (!util_valid_arg_word(w))
				config_ini_err(ini, kv->line, "kernel_args: "
				    "'%s' is not allowed (printable characters "
				    "only; no quotes, backslashes or '---')",
				    w);
			else if (strncmp(w, "answerfile", 10) == 0 ||
			    strcmp(w, "install") == 0)
				config_ini_err(ini, kv->line, "kernel_args: "
				    "'%s' is set by poolboot itself", w);
		}
	}
	if ((kv = inventory_get(sec, defs, "serial_console")) != NULL) {
		if (inventory_parse_serial(kv->value, &h->serial_port,
		    &h->serial_baud) == -1)
			config_ini_err(ini, kv->line, "serial_console: '%s' "
			    "must be comN[,BAUD] or ttySN[,BAUD] (e.g. "
			    "com1,115200) or none", kv->value);
		else if (h->serial_port != 0)
			h->serial_console = strdup(kv->value);
	}
}

/* power = xapi | ipmi | redfish | manual; manual when the host has no
 * pool (no XAPI to ask). */
static void
inventory_load_power_kind(struct config_ini *ini,
    struct config_ini_section *sec, struct config_ini_section *defs,
    struct host *h)
{
	struct config_ini_kv *kv;

	if ((kv = inventory_get(sec, defs, "power")) != NULL) {
		if (strcmp(kv->value, "xapi") == 0)
			h->power = POWER_KIND_XAPI;
		else if (strcmp(kv->value, "ipmi") == 0)
			h->power = POWER_KIND_IPMI;
		else if (strcmp(kv->value, "manual") == 0)
			h->power = POWER_KIND_MANUAL;
		else if (strcmp(kv->value, "redfish") == 0)
			h->power = POWER_KIND_REDFISH;
		else
			config_ini_err(ini, kv->line, "power: '%s' must be "
			    "xapi (host.reboot through the pool), ipmi (the "
			    "host's BMC over IPMI), redfish (the host's BMC over "
			    "its Redfish API) or manual (the operator powers it "
			    "on)", kv->value);
	} else if (inventory_get(sec, defs, "pool") == NULL)
		h->power = POWER_KIND_MANUAL;	/* no pool: no XAPI to ask */
}

/* firmware = bios | uefi | auto (default auto). */
static void
inventory_load_firmware(struct config_ini *ini,
    struct config_ini_section *sec, struct config_ini_section *defs,
    struct host *h)
{
	struct config_ini_kv *kv;

	h->firmware = HOST_FIRMWARE_AUTO;
	if ((kv = inventory_get(sec, defs, "firmware")) == NULL)
		return;
	if (strcmp(kv->value, "bios") == 0)
		h->firmware = HOST_FIRMWARE_BIOS;
	else if (strcmp(kv->value, "uefi") == 0)
		h->firmware = HOST_FIRMWARE_UEFI;
	else if (strcmp(kv->value, "auto") != 0)
		config_ini_err(ini, kv->line, "firmware: '%s' must be bios "
		    "(legacy PXE: pxelinux), uefi (UEFI PXE or HTTP boot: "
		    "GRUB) or auto (both)", kv->value);
}

/* redfish_address: "https://host[:port]" or "host[:port]" (an IPv6
 * address in brackets), no path: https only. The authority (without the
 * scheme) in *out, or -1 with why. */
static int
inventory_redfish_address(const char *s, char **out, const char **why)
{
	char host[256];
	const char *a = s, *end, *colon = NULL;
	size_t len;
	int port;

	if (strncmp(s, "http://", 7) == 0) {
		*why = "plain http is not allowed (the BMC gets a password): "
		    "use https:// or leave the scheme out";
		return -1;
	}
	if (strncmp(s, "https://", 8) == 0)
		a = s + 8;
	len = strlen(a);
	if (len > 0 && a[len - 1] == '/')
		len--;
	*why = "must be https://HOST[:PORT] or HOST[:PORT] (no path)";
	if (len == 0 || len >= sizeof(host) || memchr(a, '/', len) != NULL)
		return -1;
	end = a + len;
	if (a[0] == '[') {
		const char *rb = memchr(a, ']', len);

		if (rb == NULL || (size_t)(rb - a - 1) >= sizeof(host))
			return -1;
		memcpy(host, a + 1, (size_t)(rb - a - 1));
		host[rb - a - 1] = '\0';
		if (!inventory_ip_ok(host) || strchr(host, ':') == NULL)
			return -1;
		if (rb + 1 != end && rb[1] != ':')
			return -1;
		colon = rb + 1 != end ? rb + 1 : NULL;
	} else {
		colon = memchr(a, ':', len);
		memcpy(host, a, colon ? (size_t)(colon - a) : len);
		host[colon ? (size_t)(colon - a) : len] = '\0';
		if (!inventory_hostname_ok(host) && !inventory_ip_ok(host))
			return -1;
	}
	if (colon != NULL) {
		char pbuf[8];

		if ((size_t)(end - colon - 1) >= sizeof(pbuf))
			return -1;
		memcpy(pbuf, colon + 1, (size_t)(end - colon - 1));
		pbuf[end - colon - 1] = '\0';
		if (config_ini_int(pbuf, 1, 65535, &port) == -1)
			return -1;
	}
	*out = strndup(a, len);
	return *out == NULL ? -1 : 0;
}

/* power = redfish: the BMC, the account and the system. */
static void
inventory_load_redfish(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct config_ini_section *defs,
    struct host *h)
{
	struct config_ini_kv *kv;
	const char *why;

	if ((kv = config_ini_get(sec, "redfish_address")) != NULL &&
	    inventory_redfish_address(kv->value, &h->redfish_address,
	    &why) == -1)
		config_ini_err(ini, kv->line, "redfish_address: '%s' %s",
		    kv->value, why);
	if ((kv = inventory_get(sec, defs, "redfish_user")) != NULL) {
		if (!config_ini_chars(kv->value, "._-@\\", 64))
			config_ini_err(ini, kv->line, "redfish_user: '%s' is "
			    "not a BMC user name (letters, digits, . _ - @ \\)",
			    kv->value);
		else
			h->redfish_user = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "redfish_password_file")) != NULL) {
		h->redfish_password_file = util_path_join(dir, kv->value);
		config_secret_check(ini, kv->line, "redfish_password_file",
		    h->redfish_password_file);
	}
	if ((kv = inventory_get(sec, defs, "redfish_system")) != NULL) {
		if (strncmp(kv->value, "/redfish/v1/", 12) != 0 ||
		    strstr(kv->value, "..") != NULL ||
		    !config_ini_chars(kv->value + 1, "/_.-:", 255))
			config_ini_err(ini, kv->line, "redfish_system: '%s' is "
			    "not a ComputerSystem's @odata.id, e.g. "
			    "/redfish/v1/Systems/1", kv->value);
		else
			h->redfish_system = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "redfish_boot")) != NULL) {
		if (strcmp(kv->value, "http") == 0)
			h->redfish_boot_http = 1;
		else if (strcmp(kv->value, "pxe") != 0)
			config_ini_err(ini, kv->line, "redfish_boot: '%s' must "
			    "be pxe (PXE over TFTP, the default) or http (UEFI "
			    "HTTP boot)", kv->value);
		if (h->redfish_boot_http && h->firmware == HOST_FIRMWARE_BIOS)
			config_ini_err(ini, kv->line, "redfish_boot = http is "
			    "UEFI HTTP boot, but [host %s] has firmware = bios",
			    sec->name);
	}
	if (h->power == POWER_KIND_REDFISH && (h->redfish_address == NULL ||
	    h->redfish_user == NULL || h->redfish_password_file == NULL))
		config_ini_err(ini, sec->line, "[host %s]: power = redfish needs "
		    "redfish_address, redfish_user and redfish_password_file",
		    sec->name);
}

/* How the BMC's certificate is trusted: the system CAs, redfish_tls_ca,
 * a pin (redfish_tls_fingerprint), or nothing (redfish_tls_verify = no,
 * warned); one of them. */
static void
inventory_load_redfish_tls(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct config_ini_section *defs,
    struct host *h)
{
	struct config_ini_kv *kv, *ca, *fp;
	unsigned char pin[32];
	int verify = 1;

	if ((ca = inventory_get(sec, defs, "redfish_tls_ca")) != NULL) {
		h->redfish_tls_ca = util_path_join(dir, ca->value);
		if (h->redfish_tls_ca != NULL &&
		    access(h->redfish_tls_ca, R_OK) == -1)
			config_ini_err(ini, ca->line, "redfish_tls_ca '%s': %s",
			    h->redfish_tls_ca, strerror(errno));
	}
	if ((fp = inventory_get(sec, defs, "redfish_tls_fingerprint")) != NULL) {
		if (xapi_pin_parse(fp->value, pin) == -1)
			config_ini_err(ini, fp->line, "redfish_tls_fingerprint: "
			    "'%s' is not a SHA-256 fingerprint (64 hex digits, "
			    "':' allowed, as `openssl x509 -noout -fingerprint "
			    "-sha256` prints it)", fp->value);
		else
			h->redfish_tls_fingerprint = strdup(fp->value);
		util_wipe(pin, sizeof(pin));
	}
	if (ca != NULL && fp != NULL)
		config_ini_err(ini, fp->line, "redfish_tls_fingerprint and "
		    "redfish_tls_ca (line %d) contradict each other: pin the "
		    "certificate or trust a CA, not both", ca->line);
	if ((kv = inventory_get(sec, defs, "redfish_tls_verify")) == NULL)
		return;
	if (config_ini_bool(kv->value, &verify) == -1) {
		config_ini_err(ini, kv->line, "redfish_tls_verify: '%s' must be "
		    "yes or no", kv->value);
		return;
	}
	h->redfish_tls_noverify = !verify;
	if (h->redfish_tls_noverify && (ca != NULL || fp != NULL))
		config_ini_err(ini, kv->line, "redfish_tls_verify = no "
		    "contradicts %s (line %d)", ca != NULL ? "redfish_tls_ca" :
		    "redfish_tls_fingerprint", ca != NULL ? ca->line : fp->line);
	else if (h->redfish_tls_noverify && h->power == POWER_KIND_REDFISH)
		config_ini_warn(ini, kv->line, "[host %s]: redfish_tls_verify "
		    "= no: the BMC's certificate is not checked, so anyone on "
		    "the path can read its password. Use redfish_tls_ca or "
		    "redfish_tls_fingerprint instead", sec->name);
}

/* Power control: power, the ipmi_* keys (all three of address, user and
 * password file for power = ipmi), firmware and the redfish_* keys. */
static void
inventory_load_power(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct config_ini_section *defs,
    struct host *h)
{
	struct config_ini_kv *kv;

	h->ipmi_port = 623;
	h->ipmi_cipher = -1;
	if ((kv = inventory_get(sec, defs, "ipmi_cipher")) != NULL &&
	    config_ini_int(kv->value, 0, 17, &h->ipmi_cipher) == -1)
		config_ini_err(ini, kv->line, "ipmi_cipher: '%s' is not a "
		    "lanplus cipher suite number from 0 to 17 (3 is the usual "
		    "one)", kv->value);
	inventory_load_power_kind(ini, sec, defs, h);
	if ((kv = config_ini_get(sec, "ipmi_address")) != NULL) {
		if (!inventory_hostname_ok(kv->value) &&
		    !inventory_ip_ok(kv->value))
			config_ini_err(ini, kv->line, "ipmi_address: '%s' is "
			    "not a host name or IP address", kv->value);
		else
			h->ipmi_address = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "ipmi_port")) != NULL &&
	    config_ini_int(kv->value, 1, 65535, &h->ipmi_port) == -1)
		config_ini_err(ini, kv->line, "ipmi_port: '%s' is not a port "
		    "number", kv->value);
	if ((kv = inventory_get(sec, defs, "ipmi_user")) != NULL) {
		if (!config_ini_chars(kv->value, "._-@", 32))
			config_ini_err(ini, kv->line, "ipmi_user: '%s' is not "
			    "a BMC user name (letters, digits, . _ - @)",
			    kv->value);
		else
			h->ipmi_user = strdup(kv->value);
	}
	if ((kv = inventory_get(sec, defs, "ipmi_password_file")) != NULL) {
		h->ipmi_password_file = util_path_join(dir, kv->value);
		config_secret_check(ini, kv->line, "ipmi_password_file",
		    h->ipmi_password_file);
	}
	if (h->power == POWER_KIND_IPMI && (h->ipmi_address == NULL ||
	    h->ipmi_user == NULL || h->ipmi_password_file == NULL))
		config_ini_err(ini, sec->line, "[host %s]: power = ipmi needs "
		    "ipmi_address, ipmi_user and ipmi_password_file",
		    sec->name);
	inventory_load_firmware(ini, sec, defs, h);
	inventory_load_redfish(ini, dir, sec, defs, h);
	inventory_load_redfish_tls(ini, dir, sec, defs, h);
}

const char *
inventory_firmware_name(enum host_firmware f)
{
	switch (f) {
	case HOST_FIRMWARE_BIOS:
		return "bios";
	case HOST_FIRMWARE_UEFI:
		return "uefi";
	case HOST_FIRMWARE_AUTO:
		break;
	}
	return "auto";
}

/* A [host] key that is no host key at all (the table, not the used flag:
 * [defaults] keys are looked up for every host). */
static void
inventory_unknown_keys(struct config_ini *ini, struct config_ini_section *sec)
{
	size_t i, k;
	int known;

	for (i = 0; i < sec->nkv; i++) {
		known = 0;
		for (k = 0; k < INVENTORY_NKEYS; k++)
			if (strcmp(sec->kv[i].key, inventory_keys[k].key) == 0)
				known = 1;
		if (!known)
			config_ini_err(ini, sec->kv[i].line, "unknown key '%s' "
			    "in [host %s]", sec->kv[i].key, sec->name);
	}
}

/* What each mode needs: a disk always; a new system also a root password,
 * a host name and, with a static ip, its gateway and name servers. */
static void
inventory_check_mode_needs(struct config_ini *ini,
    struct config_ini_section *sec, struct config_ini_section *defs,
    const struct host *h)
{
	const char *m;

	if (h->disk == NULL && inventory_get(sec, defs, "disk") == NULL)
		config_ini_err(ini, sec->line, "[host %s]: 'disk' is required "
		    "(%s)", sec->name, h->mode == MODE_UPGRADE ?
		    "the disk holding the existing installation, e.g. sda" :
		    h->mode == MODE_RESTORE ? "the disk holding the backup" :
		    "the disk to install on, e.g. sda");
	if (h->mode != MODE_FRESH && h->mode != MODE_REINSTALL)
		return;
	m = config_mode_name(h->mode);
	if (inventory_get(sec, defs, "root_password_file") == NULL)
		config_ini_err(ini, sec->line, "[host %s]: mode %s needs "
		    "'root_password_file' (the new root password; it is hashed "
		    "before it reaches the answerfile)", sec->name, m);
	if (config_ini_get(sec, "hostname") == NULL)
		config_ini_err(ini, sec->line, "[host %s]: mode %s needs "
		    "'hostname'", sec->name, m);
	if (h->ip != NULL) {
		if (inventory_get(sec, defs, "gateway") == NULL)
			config_ini_err(ini, sec->line, "[host %s]: a static "
			    "'ip' needs 'gateway'", sec->name);
		if (inventory_get(sec, defs, "dns") == NULL)
			config_ini_err(ini, sec->line, "[host %s]: a static "
			    "'ip' needs 'dns' (one or more name servers)",
			    sec->name);
	}
}

void
inventory_load_host(struct config_ini *ini, struct config_secret_cache *secrets,
    const char *dir, struct config_ini_section *sec,
    struct config_ini_section *defs, struct host *h)
{
	struct config_ini_kv *kv;

	h->name = strdup(sec->name);
	h->line = sec->line;
	h->mode = MODE_UPGRADE;
	h->serial_baud = 115200;

	inventory_load_target(ini, sec, defs, h);
	inventory_load_network(ini, sec, defs, h);
	inventory_load_system(ini, sec, defs, h);
	inventory_load_installer(ini, secrets, dir, sec, defs, h);
	inventory_load_power(ini, dir, sec, defs, h);
	if ((kv = inventory_get(sec, defs, "join")) != NULL)
		h->join_pool = strdup(kv->value);
	inventory_unknown_keys(ini, sec);
	if (h->timezone == NULL)
		h->timezone = strdup("UTC");
	if (h->keymap == NULL)
		h->keymap = strdup("us");
	inventory_check_mode_needs(ini, sec, defs, h);
}

/* ---- across hosts -------------------------------------------------------- */

static int
inventory_cmp_mac(const void *a, const void *b)
{
	const struct host *const *ha = a, *const *hb = b;

	return strcmp((*ha)->mac, (*hb)->mac);
}

static int
inventory_cmp_name(const void *a, const void *b)
{
	const struct host *const *ha = a, *const *hb = b;

	return strcmp((*ha)->name, (*hb)->name);
}

/* Of two hosts that clash, the one defined first and the other. */
static void
inventory_order(const struct host **a, const struct host **b)
{
	const struct host *t;

	if ((*a)->line > (*b)->line) {
		t = *a;
		*a = *b;
		*b = t;
	}
}

/* Sorted, so that big inventories stay fast. */
int
inventory_check_duplicates(struct config_ini *ini, const struct host *hosts,
    size_t nhosts)
{
	const struct host **sorted, *a, *b;
	size_t i;

	if (nhosts < 2)
		return 0;
	if ((sorted = calloc(nhosts, sizeof(*sorted))) == NULL)
		return -1;
	for (i = 0; i < nhosts; i++)
		sorted[i] = &hosts[i];
	qsort(sorted, nhosts, sizeof(*sorted), inventory_cmp_name);
	for (i = 1; i < nhosts; i++) {
		a = sorted[i - 1];
		b = sorted[i];
		if (strcmp(a->name, b->name) != 0)
			continue;
		inventory_order(&a, &b);
		config_ini_err(ini, b->line, "duplicate section [host %s] "
		    "(first defined on line %d)", b->name, a->line);
	}
	qsort(sorted, nhosts, sizeof(*sorted), inventory_cmp_mac);
	for (i = 1; i < nhosts; i++) {
		a = sorted[i - 1];
		b = sorted[i];
		if (b->mac[0] == '\0' || strcmp(b->mac, a->mac) != 0)
			continue;
		inventory_order(&a, &b);
		config_ini_err(ini, b->line, "[host %s]: MAC %s is already "
		    "used by [host %s] on line %d", b->name, b->mac, a->name,
		    a->line);
	}
	free(sorted);
	return 0;
}

void
inventory_free_host(struct host *h)
{
	free(h->name);
	free(h->pool_name);
	free(h->repo_name);
	free(h->disk);
	free(h->ip);
	free(h->gateway);
	strlist_free(&h->dns);
	strlist_free(&h->ntp);
	free(h->hostname);
	free(h->timezone);
	free(h->keymap);
	free(h->interface);
	free(h->sr_type);
	if (h->root_password_hash != NULL)
		util_wipe(h->root_password_hash, strlen(h->root_password_hash));
	free(h->root_password_hash);
	free(h->root_password_file);
	strlist_free(&h->kernel_args);
	free(h->serial_console);
	free(h->ipmi_address);
	free(h->ipmi_user);
	free(h->ipmi_password_file);
	free(h->redfish_address);
	free(h->redfish_user);
	free(h->redfish_password_file);
	free(h->redfish_system);
	free(h->redfish_tls_ca);
	free(h->redfish_tls_fingerprint);
	free(h->join_pool);
}
