/* config.h — the INI configuration and host inventory (libinih).
 *
 * One file holds [server], [defaults], [repo NAME], [pool NAME] and
 * [host NAME] sections; see docs/config.md. Every problem is reported as
 * "file:line: message" and loading goes on so that all problems are shown
 * at once. Relative paths are taken relative to the config file's folder.
 */
#ifndef POOLBOOT_CONFIG_H
#define POOLBOOT_CONFIG_H

#include "util.h"

enum boot_files { BOOT_FILES_TFTP = 0, BOOT_FILES_HTTP = 1 };

/* [server] metrics: GET /metrics open to anyone who can reach the port
 * (on), not served (off), or only with the admin bearer token (auth). */
enum metrics_access { METRICS_ON = 0, METRICS_OFF = 1, METRICS_AUTH = 2 };

enum power_kind {
	POWER_KIND_XAPI = 0,	/* host.reboot through the pool (default) */
	POWER_KIND_IPMI,	/* ipmitool lanplus against the host's BMC */
	POWER_KIND_MANUAL	/* the operator powers it on when asked */
};

enum host_mode {
	MODE_UPGRADE = 0,	/* <installation mode="upgrade">: keeps dom0 config and VMs */
	MODE_FRESH,		/* <installation mode="fresh">: wipes the disk */
	MODE_REINSTALL,		/* <installation mode="reinstall">: backup, config not kept */
	MODE_RESTORE,		/* <restore>: restores the backup partition */
	MODE_COUNT
};

/* [dnsmasq]: DHCP/TFTP for network boot (see docs/network.md). The
 * section's presence turns it on; every value is checked at load so that
 * nothing reaches dnsmasq's config unchecked. */
enum dnsmasq_mode { DNSMASQ_MANAGED = 0, DNSMASQ_EXTERNAL = 1 };
enum dnsmasq_dhcp { DNSMASQ_PROXY = 0, DNSMASQ_FULL = 1 };

struct dnsmasq_cfg {
	int	 enabled;		/* [dnsmasq] present */
	int	 line;			/* of the section header */
	enum dnsmasq_mode mode;		/* default managed */
	enum dnsmasq_dhcp dhcp;		/* default proxy */
	char	*interface;		/* required for managed */
	char	*address;		/* IPv4; explicit, or from public_url; may be NULL */
	/* range: full: first,last,netmask (all set); proxy: first = the
	 * subnet, netmask optional; all NULL when absent (external only) */
	char	*range_first;
	char	*range_last;		/* full only */
	char	*range_netmask;
	char	*lease_time;		/* full only; default "1h" */
	int	 tftp;			/* default 1 */
	int	 ping_check;		/* default 1 */
	char	*ipv6_ra;		/* IPv6 /64 prefix or NULL */
	char	*binary;		/* default "dnsmasq" */
};

struct repo {
	char	*name;
	char	*path;			/* absolute path of the unpacked ISO */
	char	*product_brand;		/* from .treeinfo, may be NULL */
	char	*product_version;	/* from .treeinfo, e.g. "8.2.1" */
	char	*build_number;		/* from .treeinfo, may be NULL */
	int	 line;
};

struct pool {
	char	*name;
	char	*xapi;			/* URL of the pool master */
	char	*username;
	char	*password_file;		/* absolute */
	char	*tls_ca;		/* absolute, may be NULL */
	char	*tls_fingerprint;	/* sha256 pin "AA:BB:.." or hex, may be NULL */
	int	 tls_verify;		/* 0 only with tls_verify = no */
	char	*repo_name;
	struct repo *repo;
	/* rolling upgrade: step timeouts (seconds) and XAPI poll interval */
	int	 evacuate_timeout;	/* default 1800 */
	int	 install_timeout;	/* default 5400 */
	int	 rejoin_timeout;	/* default 1200 */
	int	 step_timeout;		/* other steps, XAPI retries; default 600 */
	int	 poll_ms;		/* default 1000 */
	int	 line;
};

struct host {
	char	*name;
	int	 line;
	char	*pool_name;		/* NULL for standalone / new hosts */
	struct pool *pool;
	char	*repo_name;		/* own repo, else the pool's */
	struct repo *repo;
	char	 mac[18];		/* canonical aa:bb:cc:dd:ee:ff */
	char	*disk;			/* existing installation / primary disk */
	enum host_mode mode;
	/* network identity (fresh, reinstall); ip NULL means DHCP */
	char	*ip;			/* address without prefix */
	int	 prefix;		/* from the CIDR */
	char	 netmask[16];		/* dotted form of prefix */
	char	*gateway;
	struct strlist dns;
	struct strlist ntp;
	char	*hostname;
	char	*timezone;		/* default "UTC" */
	char	*keymap;		/* default "us" */
	char	*interface;		/* admin interface name; NULL: hwaddr = mac */
	char	*sr_type;		/* "lvm" | "ext" | NULL */
	char	*root_password_hash;	/* crypt(3) SHA-512; plaintext never kept */
	char	*root_password_file;	/* absolute; read again only to log in
					   to a host poolboot just installed */
	struct strlist kernel_args;	/* extra dom0 (installer) arguments, validated */
	char	*serial_console;	/* "com1,115200" style or NULL */
	/* power control (power.h) */
	enum power_kind power;
	char	*ipmi_address;		/* BMC host or IP */
	int	 ipmi_port;		/* default 623 */
	int	 ipmi_cipher;		/* lanplus cipher suite (-C), -1 = ipmitool's */
	char	*ipmi_user;
	char	*ipmi_password_file;	/* absolute */
	/* a new host that joins a pool after its fresh install (install) */
	char	*join_pool;
	struct pool *join;
	int	 serial_port;		/* 1..4, 0 = none */
	int	 serial_baud;
};

struct config {
	char	*path;			/* as given */
	char	*dir;			/* folder of the file, absolute */
	/* [server] */
	char	*listen_addr;		/* e.g. "0.0.0.0" */
	int	 listen_port;		/* e.g. 8080 */
	char	*public_url;		/* without trailing slash */
	char	*state_dir;
	char	*tftp_root;
	char	*admin_token_file;
	char	*template_dir;		/* resolved; see config_template_dir() */
	int	 template_dir_explicit;
	char	*web_dir;		/* dashboard files; resolved like template_dir,
					   NULL when none found (GET / is 404) */
	int	 web_dir_explicit;
	int	 boot_attempts;		/* boot-loop guard, default 3 */
	enum boot_files boot_files;
	int	 http_threads;		/* libmicrohttpd thread pool, default 2 */
	char	*upgrade_paths;		/* rules file; default template_dir/upgrade-paths.conf */
	enum metrics_access metrics;	/* [server] metrics, default METRICS_ON */
	int	 log_syslog;		/* [server] log = syslog (default stderr) */

	struct repo *repos;
	size_t	 nrepos;
	struct pool *pools;
	size_t	 npools;
	struct host *hosts;
	size_t	 nhosts;

	struct dnsmasq_cfg dnsmasq;
};

/* Loads and checks path. On success returns 0 and *out (free with
 * config_free). On any error returns -1, fills errors with
 * "file:line: message" lines (all of them) and sets *out to NULL.
 * warnings gets non-fatal remarks (e.g. tls_verify = no). Either list may
 * be NULL. check_files: also check repos' trees and password files (1 for
 * every real use; 0 only in unit tests of pure syntax). */
int   config_load(const char *path, struct config **out,
	    struct strlist *errors, struct strlist *warnings);
void  config_free(struct config *cfg);

struct host *config_host(const struct config *cfg, const char *name);
struct host *config_host_by_mac(const struct config *cfg, const char *mac);
struct pool *config_pool(const struct config *cfg, const char *name);
struct repo *config_repo(const struct config *cfg, const char *name);

const char *config_mode_name(enum host_mode m);	/* "upgrade", ... */
int   config_mode_parse(const char *s, enum host_mode *m);

/* Reads a repo's .treeinfo and checks boot/xen.gz, boot/vmlinuz and
 * install.img. Fills the version fields. On error writes a message naming
 * the missing file into err and returns -1. */
int   config_repo_inspect(struct repo *r, char *err, size_t errlen);

/* The templates folder found next to the running binary (templates/,
 * ../templates, ../share/poolboot/templates), as config_load does when
 * template_dir is not set. Caller frees; NULL if none. */
char *config_find_template_dir(void);

/* The dashboard folder (web/, ../web, ../share/poolboot/web next to the
 * running binary, holding index.html), as config_load does when web_dir is
 * not set. Caller frees; NULL if none. */
char *config_find_web_dir(void);

#endif
