/* config_listen.h — [server]'s listeners and their limits:
 *   listen               the install network's listener (host routes and
 *                        the repo), ADDRESS:PORT, default 0.0.0.0:8080
 *   admin_listen         the admin listener (/api/v1, the dashboard,
 *                        /metrics), default 127.0.0.1:8081; an address that
 *                        is not loopback needs admin_tls_cert and
 *                        admin_tls_key (HTTPS)
 *   admin_tls_cert, admin_tls_key
 *                        PEM files (relative to the config file's folder);
 *                        both or neither
 *   max_connections      open connections of the install listener, all
 *                        addresses together (default 4096)
 *   per_ip_connections   open connections of one address to the install
 *                        listener (default 32; 0: no limit)
 *   header_timeout       seconds a connection may take to send a whole
 *                        request (line, headers, body) from its opening or
 *                        the end of the previous answer (default 10)
 * config.c copies the result into struct config's fields of the same
 * names; every problem is reported through config_ini_err as
 * "file:line: message" naming the key.
 */
#ifndef POOLBOOT_CONFIG_LISTEN_H
#define POOLBOOT_CONFIG_LISTEN_H

struct config_ini;
struct config_ini_section;

#define CONFIG_LISTEN_PORT		8080
#define CONFIG_ADMIN_PORT		8081
#define CONFIG_MAX_CONNECTIONS		1024
#define CONFIG_PER_IP_CONNECTIONS	32
#define CONFIG_HEADER_TIMEOUT		10

/* The listeners' keys as loaded; see struct config for each. */
struct config_listen {
	char	*listen_addr;
	int	 listen_port;
	char	*admin_listen_addr;
	int	 admin_listen_port;
	char	*admin_tls_cert;	/* absolute, or NULL */
	char	*admin_tls_key;		/* absolute, or NULL */
	int	 max_connections;
	int	 per_ip_connections;
	int	 header_timeout;
};

/* Sets the defaults in *l, then reads the keys above from sec (NULL:
 * defaults only; paths relative to dir) and checks them together (the
 * admin listener's address against TLS, the two listeners against each
 * other). The strings in *l are the caller's to free. */
void  config_listen_load(struct config_ini *ini, const char *dir,
	    struct config_ini_section *sec, struct config_listen *l);

#endif
