/* inventory.h — the hosts poolboot installs: struct host, and how the
 * [defaults] and [host NAME] sections of the config become one.
 *
 * Every host key is allowed in [defaults] too, except the per-host ones
 * (mac, ip, hostname, ipmi_address,
 * redfish_address); a host's own value wins. Each value is
 * checked here against a narrow form, because it reaches answerfiles,
 * kernel command lines and ipmitool. config_load (config.c) calls these
 * functions in this order: inventory_check_defaults, inventory_load_host
 * for every [host], then (after resolving pools and repos)
 * inventory_check_duplicates. Problems are reported through config_ini_err
 * as "file:line: message"; loading goes on so that all are shown.
 */
#ifndef POOLBOOT_INVENTORY_H
#define POOLBOOT_INVENTORY_H

#include <stddef.h>

#include "config_mode.h"
#include "util.h"

struct config_ini;
struct config_ini_section;
struct config_secret_cache;
struct pool;
struct repo;

enum power_kind {
	POWER_KIND_XAPI = 0,	/* host.reboot through the pool (default) */
	POWER_KIND_IPMI,	/* ipmitool lanplus against the host's BMC */
	POWER_KIND_MANUAL,	/* the operator powers it on when asked */
	POWER_KIND_REDFISH	/* the host's BMC through its Redfish API */
};

/* Which network boot the host's firmware does (key firmware): what its
 * per-MAC files say while it is armed (arm.h), and with power = redfish
 * the boot override's BootSourceOverrideMode (power_redfish.h). */
enum host_firmware {
	HOST_FIRMWARE_AUTO = 0,	/* both: pxelinux and GRUB install entries */
	HOST_FIRMWARE_BIOS,	/* legacy PXE: pxelinux */
	HOST_FIRMWARE_UEFI	/* UEFI PXE or HTTP boot: GRUB */
};

struct host {
	char	*name;
	int	 line;
	char	*pool_name;		/* NULL for standalone / new hosts */
	struct pool *pool;
	char	 site[64];		/* site = NAME; "": its pool's, else
					 * none (site.h) */
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
	/* power = redfish (power_redfish.h) */
	char	*redfish_address;	/* BMC authority "host[:port]", https */
	char	*redfish_user;
	char	*redfish_password_file;	/* absolute */
	char	*redfish_system;	/* ComputerSystem @odata.id; NULL: the
					   only member of Systems */
	char	*redfish_tls_ca;	/* absolute; NULL: the system CAs */
	char	*redfish_tls_fingerprint; /* SHA-256 pin of the BMC's certificate */
	int	 redfish_tls_noverify;	/* 1 only with redfish_tls_verify = no
					   (zeroed: the certificate is checked) */
	int	 redfish_boot_http;	/* redfish_boot = http: UefiHttp, not Pxe */
	enum host_firmware firmware;	/* default auto */
	/* a new host that joins a pool after its fresh install (install) */
	char	*join_pool;
	struct pool *join;
	int	 serial_port;		/* 1..4, 0 = none */
	int	 serial_baud;
};

/* Reports the keys of [defaults] that are no host key, or that are per
 * host and so cannot be defaults. */
void  inventory_check_defaults(struct config_ini *ini,
	    struct config_ini_section *defs);

/* Fills the zeroed h from the [host NAME] section sec, taking what sec
 * lacks from defs ([defaults], may be NULL). Relative paths are taken
 * relative to dir (the config file's folder). root_password_file is
 * hashed through secrets. Leaves pool, repo and join to the caller (they
 * name other sections); h->*_name say which. h is filled as far as its
 * values are good, also when problems were reported; free it with
 * inventory_free_host. */
void  inventory_load_host(struct config_ini *ini,
	    struct config_secret_cache *secrets, const char *dir,
	    struct config_ini_section *sec, struct config_ini_section *defs,
	    struct host *h);

/* Reports hosts that share a name or a MAC, at the later one's line.
 * -1 when out of memory (nothing reported), else 0. */
int   inventory_check_duplicates(struct config_ini *ini,
	    const struct host *hosts, size_t nhosts);

/* "auto", "bios" or "uefi". */
const char *inventory_firmware_name(enum host_firmware f);

/* Frees what h holds (the password hash wiped first), not h itself. */
void  inventory_free_host(struct host *h);

#endif
