/* config_listen.c — see config_listen.h. */
#include "config_listen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "config_ini.h"
#include "config_secret.h"
#include "util.h"

/* ADDRESS:PORT, [V6]:PORT, :PORT or PORT (the address then 0.0.0.0) into
 * *addr (replaced, caller frees) and *port. -1: not that form. */
static int
config_listen_parse(const char *s, char **addr, int *port)
{
	char host[128];
	const char *colon;
	unsigned char buf[16];
	size_t hl;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (host[0] == '\0')
			snprintf(host, sizeof(host), "0.0.0.0");
	} else {
		snprintf(host, sizeof(host), "0.0.0.0");
		colon = s - 1;
	}
	if (config_ini_int(colon + 1, 1, 65535, port) == -1)
		return -1;
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1)
		return -1;
	free(*addr);
	*addr = strdup(host);
	return *addr == NULL ? -1 : 0;
}

/* 1 when addr (an IPv4 or IPv6 literal, brackets allowed) is a loopback
 * address: 127.0.0.0/8, ::1 or ::ffff:127.x.y.z. */
static int
config_listen_is_loopback(const char *addr)
{
	unsigned char a[16];
	char host[128];
	size_t n;

	if (addr == NULL)
		return 0;
	n = strlen(addr);
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']' &&
	    n - 2 < sizeof(host)) {
		memcpy(host, addr + 1, n - 2);
		host[n - 2] = '\0';
		addr = host;
	}
	if (inet_pton(AF_INET, addr, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, addr, a) != 1)
		return 0;
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0)
		return 1;
	return memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
	    a[12] == 127;
}

/* The unspecified address of either family (listens on every address). */
static int
config_listen_is_any(const char *addr)
{
	return strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0;
}

/* A certificate file the server and the CLI must read. */
static void
config_listen_cert_check(struct config_ini *ini, int line, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		config_ini_err(ini, line, "admin_tls_cert '%s': %s", path,
		    strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		config_ini_err(ini, line, "admin_tls_cert '%s' is not a regular "
		    "file", path);
	else if (access(path, R_OK) == -1)
		config_ini_err(ini, line, "admin_tls_cert '%s' is not readable: "
		    "%s", path, strerror(errno));
}

/* admin_tls_cert and admin_tls_key: both or neither. */
static void
config_listen_tls(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct config_listen *cfg)
{
	struct config_ini_kv *cert, *key;

	cert = config_ini_get(sec, "admin_tls_cert");
	key = config_ini_get(sec, "admin_tls_key");
	if (cert != NULL) {
		cfg->admin_tls_cert = util_path_join(dir, cert->value);
		config_listen_cert_check(ini, cert->line, cfg->admin_tls_cert);
	}
	if (key != NULL) {
		cfg->admin_tls_key = util_path_join(dir, key->value);
		config_secret_check(ini, key->line, "admin_tls_key",
		    cfg->admin_tls_key);
	}
	if (cert != NULL && key == NULL)
		config_ini_err(ini, cert->line, "admin_tls_cert needs "
		    "admin_tls_key (the certificate's private key, PEM) in "
		    "[server] too");
	if (key != NULL && cert == NULL)
		config_ini_err(ini, key->line, "admin_tls_key needs "
		    "admin_tls_cert (the certificate, PEM) in [server] too");
}

/* max_connections, per_ip_connections, header_timeout. */
static void
config_listen_limits(struct config_ini *ini, struct config_ini_section *sec,
    struct config_listen *cfg)
{
	struct config_ini_kv *kv, *per_ip;

	if ((kv = config_ini_get(sec, "max_connections")) != NULL &&
	    config_ini_int(kv->value, 16, 1000000, &cfg->max_connections) == -1)
		config_ini_err(ini, kv->line, "max_connections: '%s' is not a "
		    "number from 16 to 1000000", kv->value);
	if ((per_ip = config_ini_get(sec, "per_ip_connections")) != NULL &&
	    config_ini_int(per_ip->value, 0, 1000000,
	    &cfg->per_ip_connections) == -1)
		config_ini_err(ini, per_ip->line, "per_ip_connections: '%s' is "
		    "not a number from 0 (no limit) to 1000000", per_ip->value);
	if ((kv = config_ini_get(sec, "header_timeout")) != NULL &&
	    config_ini_int(kv->value, 1, 3600, &cfg->header_timeout) == -1)
		config_ini_err(ini, kv->line, "header_timeout: '%s' is not a "
		    "number of seconds from 1 to 3600", kv->value);
	if (cfg->per_ip_connections > cfg->max_connections)
		config_ini_err(ini, per_ip != NULL ? per_ip->line : sec->line,
		    "per_ip_connections (%d) is larger than max_connections "
		    "(%d)", cfg->per_ip_connections, cfg->max_connections);
}

/* listen and admin_listen may not take the same port of one address. */
static void
config_listen_apart(struct config_ini *ini, const struct config_listen *cfg,
    int line)
{
	if (cfg->admin_listen_port != cfg->listen_port)
		return;
	if (strcmp(cfg->admin_listen_addr, cfg->listen_addr) == 0 ||
	    config_listen_is_any(cfg->admin_listen_addr) ||
	    config_listen_is_any(cfg->listen_addr))
		config_ini_err(ini, line, "admin_listen: %s port %d is also "
		    "listen's (%s port %d); the admin API and the install "
		    "network need separate listeners: give admin_listen "
		    "another port, e.g. 127.0.0.1:%d", cfg->admin_listen_addr,
		    cfg->admin_listen_port, cfg->listen_addr, cfg->listen_port,
		    cfg->listen_port == 65535 ? 8081 : cfg->listen_port + 1);
}

void
config_listen_load(struct config_ini *ini, const char *dir,
    struct config_ini_section *sec, struct config_listen *cfg)
{
	struct config_ini_kv *kv, *admin;
	int line = sec != NULL ? sec->line : 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->listen_addr = strdup("0.0.0.0");
	cfg->listen_port = CONFIG_LISTEN_PORT;
	cfg->admin_listen_addr = strdup("127.0.0.1");
	cfg->admin_listen_port = CONFIG_ADMIN_PORT;
	cfg->max_connections = CONFIG_MAX_CONNECTIONS;
	cfg->per_ip_connections = CONFIG_PER_IP_CONNECTIONS;
	cfg->header_timeout = CONFIG_HEADER_TIMEOUT;
	if (sec == NULL)
		return;
	if ((kv = config_ini_get(sec, "listen")) != NULL &&
	    config_listen_parse(kv->value, &cfg->listen_addr,
	    &cfg->listen_port) == -1)
		config_ini_err(ini, kv->line, "listen: '%s' is not "
		    "ADDRESS:PORT (e.g. 0.0.0.0:8080 or [::]:8080)", kv->value);
	if ((admin = config_ini_get(sec, "admin_listen")) != NULL) {
		line = admin->line;
		if (config_listen_parse(admin->value, &cfg->admin_listen_addr,
		    &cfg->admin_listen_port) == -1)
			config_ini_err(ini, line, "admin_listen: '%s' is not "
			    "ADDRESS:PORT (e.g. 127.0.0.1:8081 or [::1]:8081)",
			    admin->value);
	}
	config_listen_tls(ini, dir, sec, cfg);
	config_listen_limits(ini, sec, cfg);
	if (cfg->admin_listen_addr == NULL || cfg->listen_addr == NULL)
		return;
	if (!config_listen_is_loopback(cfg->admin_listen_addr) &&
	    cfg->admin_tls_cert == NULL)
		config_ini_err(ini, line, "admin_listen: %s is not a loopback "
		    "address, and the admin token must not cross a network in "
		    "clear: set admin_tls_cert and admin_tls_key (HTTPS), or "
		    "listen on 127.0.0.1 and reach it through ssh -L",
		    cfg->admin_listen_addr);
	config_listen_apart(ini, cfg, line);
}
