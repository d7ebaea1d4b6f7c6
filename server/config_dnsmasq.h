/* config_dnsmasq.h — the [dnsmasq] section of the config: DHCP/TFTP for
 * network boot (see docs/network.md). dnsmasq.c writes and runs dnsmasq
 * from what is checked here.
 *
 * The section's presence turns it on. Every value ends up in a dnsmasq
 * config file, one directive per line, so each is checked at load against
 * a narrow form (IPv4 literals through inet_pton, interface names, plain
 * paths): no value can end a line, start a comment or add a directive.
 * Problems are reported through config_ini_err as "file:line: message".
 */
#ifndef POOLBOOT_CONFIG_DNSMASQ_H
#define POOLBOOT_CONFIG_DNSMASQ_H

#include <stddef.h>

struct config_ini;
struct config_ini_section;
struct host;

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
	/* UEFI HTTP boot (DHCP option 93 = 16): answered when http_boot is
	 * yes (the default) and public_url is http://; then http_boot_url
	 * is the boot file, {public_url}/grub/grubx64.efi, else NULL */
	int	 http_boot;
	char	*http_boot_url;
};

/* The GRUB EFI image UEFI clients get, relative to tftp_root (TFTP) and
 * to public_url (HTTP boot). */
#define DNSMASQ_GRUB_EFI	"grub/grubx64.efi"
/* Proxy-DHCP's UEFI PXE image: the same GRUB built with the TFTP server
 * in its prefix, -p '(tftp,ADDR)/grub' (ADDR = [dnsmasq] address): behind
 * a proxy GRUB's efinet takes the server from the site's DHCP answer and
 * the plain image finds no grub.cfg (measured with Debian's GRUB 2.06). */
#define DNSMASQ_GRUB_EFI_PROXY	"grub/grubx64-proxy.efi"
/* The longest boot file a DHCP answer carries in its file field. */
#define DNSMASQ_BOOT_FILE_MAX	127

/* What the [dnsmasq] checks read from the rest of the config. */
struct config_dnsmasq_server {
	struct config_ini_section *sec;	/* [server] (its lines), or NULL */
	const char *dir;		/* the config file's folder */
	const char *public_url;		/* the default address; may be NULL */
	const char *state_dir;		/* these two go into dnsmasq's config */
	const char *tftp_root;
};

/* Fills the zeroed d from the [dnsmasq] section sec (d->enabled = 1), with
 * the defaults above for what sec lacks. d is filled as far as its values
 * are good, also when problems were reported; free it with
 * config_dnsmasq_free. */
void  config_dnsmasq_load(struct config_ini *ini,
	    struct config_ini_section *sec,
	    const struct config_dnsmasq_server *srv, struct dnsmasq_cfg *d);

/* Full DHCP only: warns about each host whose static ip lies outside the
 * range's subnet (dnsmasq would not hand it that address). */
void  config_dnsmasq_check_hosts(struct config_ini *ini,
	    const struct dnsmasq_cfg *d, const struct host *hosts,
	    size_t nhosts);

/* Frees what d holds, not d itself. */
void  config_dnsmasq_free(struct dnsmasq_cfg *d);

#endif
