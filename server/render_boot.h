/* render_boot.h — internal to the render modules: what every network-boot
 * entry of a host is made of, whichever boot loader reads it (pxelinux in
 * render.c, GRUB in render_grub.c): the checks of the host's values, the
 * URLs of its boot files and answerfile, Xen's and dom0's arguments, and
 * the token in an answerfile URL read back from a written entry.
 *
 * Not for other modules: render.h is the contract. Every argument word
 * these functions produce is one plain word (util_valid_arg_word: no
 * space, quote, backslash or control character), so a boot loader's
 * renderer can split the lists at spaces and quote each word for its own
 * syntax.
 */
#ifndef POOLBOOT_RENDER_BOOT_H
#define POOLBOOT_RENDER_BOOT_H

#include <stddef.h>

#include "config.h"
#include "sbuf.h"
#include "util.h"

/* 1 when s is an http:// or https:// URL of [A-Za-z0-9:/._~%-] only. */
int   render_boot_public_url_ok(const char *s);

/* {public_url}/hosts/{host}/{token}/{what} for what in "answerfile",
 * "script", "callback", "hostcert", "hostcert-script"; malloc'd, NULL
 * (logged) on a bad public_url, host name, token or kind. */
char *render_boot_host_url(const struct config *cfg, const struct host *h,
	    const char *token, const char *what);

/* The checks every per-host render starts with: config and host given,
 * a valid host name, public_url and token; when repo is not NULL, the
 * host's repo name into *repo (borrowed). 0, or -1 with err. */
int   render_boot_check_host(const struct config *cfg, const struct host *h,
	    const char *token, const char **repo, char *err, size_t errlen);

/* The host values that reach a kernel command line (disk, hostname,
 * kernel_args: each one plain word, kernel_args neither answerfile… nor
 * install) and its MAC, which must be canonical (copied into mac). 0, or
 * -1 with err naming the field. */
int   render_boot_check_values(const struct host *h, char mac[18],
	    char *err, size_t errlen);

/* Xen's arguments into xen and dom0's into dom0, space-separated: the
 * console, the host's kernel_args, afarg ("answerfile=URL") and
 * "install". 0, or -1 with err. */
int   render_boot_args(const struct host *h, const char *afarg,
	    struct sbuf *xen, struct sbuf *dom0, char *err, size_t errlen);

/* The URLs an install entry names; zero it before render_boot_urls and
 * free it with render_boot_urls_free, also on failure. */
struct render_boot_urls {
	char	*xen_gz;
	char	*vmlinuz;
	char	*install_img;
	char	*answerfile;
	char	*afarg;		/* "answerfile=URL" */
};

/* The boot files as base + "repo/{repo}/boot/xen.gz" (and boot/vmlinuz,
 * install.img), base being the caller's (checked) prefix: "" for
 * pxelinux over TFTP, "{public_url}/" over HTTP, "/" or "(http,…)/" for
 * GRUB; and the host's answerfile URL. 0, or -1 with err. */
int   render_boot_urls(const struct config *cfg, const struct host *h,
	    const char *token, const char *repo, const char *base,
	    struct render_boot_urls *u, char *err, size_t errlen);
void  render_boot_urls_free(struct render_boot_urls *u);

/* The token of an answerfile URL of ours, ".../hosts/<host>/<token>/
 * answerfile" (url is modified), into out: 0, or -1 when url is not one. */
int   render_boot_url_token(char *url, char out[UTIL_TOKEN_LEN + 1]);

#endif
