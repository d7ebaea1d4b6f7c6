/* render.h — what a host receives: its pxelinux config, its GRUB file
 * (UEFI), its answerfile and its installation-complete script, rendered
 * from the operator-editable templates in cfg->template_dir and validated
 * before anyone sees them.
 *
 * Inventory values reach XML only through the libxml2 tree API and reach
 * pxelinux lines only after validation (util_valid_arg_word etc.). Every
 * render_* function validates its own output with render_validate_*
 * (render_validate.h, included here) and returns NULL (with a message in
 * err) rather than return something invalid. The template language lives
 * in render_text.h (text) and render_xml.h (XML).
 *
 * URLs (token = the host's current secret, 40 hex chars):
 *   {public_url}/hosts/{host}/{token}/answerfile
 *   {public_url}/hosts/{host}/{token}/script
 *   {public_url}/hosts/{host}/{token}/callback/{0|1}   (POST)
 *   {public_url}/hosts/{host}/{token}/hostcert-script  (filesystem-populated)
 *   {public_url}/hosts/{host}/{token}/hostcert         (once: hostcert.h)
 *   {public_url}/repo/{repo}/                             (<source>)
 *
 * GRUB files (UEFI network boot, render_grub.c). A UEFI host runs GRUB
 * (tftp_root/grub/grubx64.efi, over TFTP for UEFI PXE or by URL for UEFI
 * HTTP boot), which reads the fixed grub/grub.cfg (render_grub_main); that
 * loads grub/hosts/<mac>.cfg — render_grub_install while the host is
 * armed, render_grub_local otherwise — and boots locally when there is no
 * such file. GRUB has its own script language (quotes, $ expansion, ;, {},
 * #): every value the renderer puts into a GRUB file goes in as one GRUB
 * word, as it is when it is plain ([A-Za-z0-9_./:=,+()-]), else in single
 * quotes (a ' inside as '\''), and render_validate_grub checks the result
 * (no expansion, only known commands). GRUB passes each word to Xen or
 * dom0 as one argument. Boot files: boot_files = tftp names them
 * /repo/{repo}/boot/xen.gz etc., on the device GRUB was loaded from
 * (TFTP, or HTTP for HTTP boot: the same paths); boot_files = http names
 * them (http,HOST[:PORT])/{path}/repo/... from public_url, which must then
 * be http:// (GRUB speaks no TLS) with a host name or IPv4 address (no
 * IPv6 literal); a port needs Debian's GRUB 2.06 (patched) or GRUB 2.12, a
 * host name needs GRUB's DNS, i.e. a DNS server from DHCP.
 */
#ifndef POOLBOOT_RENDER_H
#define POOLBOOT_RENDER_H

#include <stddef.h>

#include "config.h"
#include "render_validate.h"

/* Template file names inside cfg->template_dir. */
#define RENDER_TPL_PXE_INSTALL	"pxelinux-install.cfg"
#define RENDER_TPL_PXE_LOCAL	"pxelinux-local.cfg"
#define RENDER_TPL_SCRIPT	"installation-complete.sh"
#define RENDER_TPL_HOSTCERT	"install-hostcert.sh"
#define RENDER_TPL_GRUB_INSTALL	"grub-install.cfg"
#define RENDER_TPL_GRUB_LOCAL	"grub-local.cfg"
#define RENDER_TPL_GRUB_MAIN	"grub.cfg"
/* answerfile-<mode>.xml for mode in upgrade, fresh, reinstall, restore */

/* Per-host URL for what ("answerfile", "script", "callback", "hostcert",
 * "hostcert-script"); malloc'd. */
char *render_host_url(const struct config *cfg, const struct host *h,
	    const char *token, const char *what);

/* pxelinux.cfg/01-<mac> content that boots the installer for h. */
char *render_pxelinux_install(const struct config *cfg, const struct host *h,
	    const char *token, char *err, size_t errlen);
/* pxelinux.cfg content that boots from local disk (also the default). */
char *render_pxelinux_local(const struct config *cfg, char *err, size_t errlen);

/* grub/hosts/<mac>.cfg content that boots the installer for h on a UEFI
 * machine: multiboot2 Xen, module2 dom0 (with answerfile=URL install),
 * module2 install.img, the same arguments as render_pxelinux_install.
 * Checked with render_validate_grub. Caller frees; NULL with err. */
char *render_grub_install(const struct config *cfg, const struct host *h,
	    const char *token, char *err, size_t errlen);
/* grub/hosts/<mac>.cfg content that boots from local disk: exit, back to
 * the firmware's boot order. Caller frees; NULL with err. */
char *render_grub_local(const struct config *cfg, char *err, size_t errlen);
/* grub/grub.cfg, the fixed entry point: names ${net_default_mac} on the
 * console, loads $prefix/hosts/${net_default_mac}.cfg, and exits (local
 * boot) when that file is missing or returns. Checked with
 * render_validate_grub_main. Caller frees; NULL with err. */
char *render_grub_main(const struct config *cfg, char *err, size_t errlen);

/* The XML answerfile for h in mode (normally h->mode). *len gets its
 * length. Validated with render_validate_answerfile before returning. */
char *render_answerfile(const struct config *cfg, const struct host *h,
	    enum host_mode mode, const char *token, size_t *len,
	    char *err, size_t errlen);
/* The path of the template render_answerfile reads for mode (the file a
 * cache of rendered answerfiles watches), into path: 0, or -1 when it
 * does not fit or no template_dir is configured. */
int   render_answerfile_template(const struct config *cfg,
	    enum host_mode mode, char *path, size_t size);
/* The same; hostcert != 0 (a host poolboot joins to a pool, mode fresh or
 * reinstall only) adds the filesystem-populated script that installs the
 * certificate poolboot made for it: {{hostcert_script_url}}, which is
 * unset otherwise. The validator then demands exactly that script. */
char *render_answerfile_for(const struct config *cfg, const struct host *h,
	    enum host_mode mode, const char *token, int hostcert,
	    size_t *len, char *err, size_t errlen);

/* The #!/bin/sh installation-complete script that reports $1 (0/1) to the
 * callback URL with the host's token. */
char *render_script(const struct config *cfg, const struct host *h,
	    const char *token, char *err, size_t errlen);
/* The #!/bin/sh filesystem-populated script that fetches the key and
 * certificate poolboot made for h's new install (the one-shot hostcert
 * URL) and installs them as $1/etc/xensource/xapi-ssl.pem. */
char *render_hostcert_script(const struct config *cfg, const struct host *h,
	    const char *token, char *err, size_t errlen);

/* Extracts the token from a per-MAC install config written earlier (used
 * at start-up to check that tftp-root agrees with the store). Writes it
 * into out; -1 when the file holds no install entry of ours. */
int   render_pxelinux_token(const char *text, char out[UTIL_TOKEN_LEN + 1]);
/* The same for a GRUB file: the token of the answerfile= argument on a
 * module2 line of an install entry of ours; -1 when there is none. */
int   render_grub_token(const char *text, char out[UTIL_TOKEN_LEN + 1]);

#endif
