/* render_boot.c — the parts every network-boot entry shares; see
 * render_boot.h. Moved out of render.c when the GRUB entries came. */
#include "render_boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render_text.h"

int
render_boot_public_url_ok(const char *s)
{
	return render_text_url_ok(s) && (strncmp(s, "http://", 7) == 0 ||
	    strncmp(s, "https://", 8) == 0);
}

static const char *
render_boot_repo(const struct host *h)
{
	if (h->repo != NULL && h->repo->name != NULL)
		return h->repo->name;
	return h->repo_name;
}

char *
render_boot_host_url(const struct config *cfg, const struct host *h,
    const char *token, const char *what)
{
	char *url = NULL;

	if (cfg == NULL || h == NULL || what == NULL ||
	    !render_boot_public_url_ok(cfg->public_url) ||
	    !util_valid_name(h->name) ||
	    !render_text_token_ok(token) ||
	    (strcmp(what, "answerfile") != 0 && strcmp(what, "script") != 0 &&
	    strcmp(what, "callback") != 0 && strcmp(what, "hostcert") != 0 &&
	    strcmp(what, "hostcert-script") != 0)) {
		log_error("render", "cannot build a host URL: bad public_url, "
		    "host name, token or kind");
		return NULL;
	}
	if (asprintf(&url, "%s/hosts/%s/%s/%s", cfg->public_url, h->name,
	    token, what) < 0)
		return NULL;
	return url;
}

/* Common checks for every per-host render; fills the repo name. */
int
render_boot_check_host(const struct config *cfg, const struct host *h,
    const char *token, const char **repo, char *err, size_t errlen)
{
	char b[80];

	if (cfg == NULL || h == NULL) {
		render_text_fail(err, errlen, "render: no config or host");
		return -1;
	}
	if (!util_valid_name(h->name)) {
		render_text_fail(err, errlen, "host name \"%s\" is not a valid "
		    "name", render_text_shown(h->name, b, sizeof(b)));
		return -1;
	}
	if (!render_boot_public_url_ok(cfg->public_url)) {
		render_text_fail(err, errlen, "host %s: public_url \"%s\" must "
		    "be http(s):// and use only [A-Za-z0-9:/._~%%-]", h->name,
		    render_text_shown(cfg->public_url, b, sizeof(b)));
		return -1;
	}
	if (!render_text_token_ok(token)) {
		render_text_fail(err, errlen, "host %s: token must be 1-64 "
		    "letters or digits", h->name);
		return -1;
	}
	if (repo != NULL) {
		*repo = render_boot_repo(h);
		if (*repo == NULL || !util_valid_name(*repo)) {
			render_text_fail(err, errlen, "host %s: no valid repo "
			    "(set repo in [host %s] or in its pool)", h->name,
			    h->name);
			return -1;
		}
	}
	return 0;
}

/* Appends word to b, after a space unless b is empty. */
static int
render_boot_add_arg(struct sbuf *b, const char *word)
{
	if (b->len > 0 && sbuf_puts(b, " ") == -1)
		return -1;
	return sbuf_puts(b, word);
}

/* The host values that reach the kernel command line, each one plain
 * word, and its MAC in canonical form (copied into mac). */
int
render_boot_check_values(const struct host *h, char mac[18], char *err,
    size_t errlen)
{
	const char *why, *a;
	char b[80];
	size_t i;

	if (util_mac_parse(h->mac, mac, &why) == -1 ||
	    strcmp(mac, h->mac) != 0) {
		render_text_fail(err, errlen, "host %s: MAC address \"%s\" is "
		    "not canonical", h->name,
		    render_text_shown(h->mac, b, sizeof(b)));
		return -1;
	}
	/* Defence in depth: inventory.c refuses these at load time already.
	 * A disk or host name that is not one plain word can never be right,
	 * and must not get near a kernel command line. */
	if (h->disk != NULL && !util_valid_arg_word(h->disk)) {
		render_text_fail(err, errlen, "host %s: disk value \"%s\" "
		    "refused (spaces, quotes, control characters and \"---\" "
		    "are not allowed)", h->name,
		    render_text_shown(h->disk, b, sizeof(b)));
		return -1;
	}
	if (h->hostname != NULL && !util_valid_arg_word(h->hostname)) {
		render_text_fail(err, errlen, "host %s: hostname value \"%s\" "
		    "refused (spaces, quotes, control characters and \"---\" "
		    "are not allowed)", h->name,
		    render_text_shown(h->hostname, b, sizeof(b)));
		return -1;
	}
	for (i = 0; i < h->kernel_args.n; i++) {
		a = h->kernel_args.v[i];
		if (!util_valid_arg_word(a)) {
			render_text_fail(err, errlen, "host %s: kernel_args "
			    "value \"%s\" refused (spaces, quotes, control "
			    "characters and \"---\" are not allowed)", h->name,
			    render_text_shown(a, b, sizeof(b)));
			return -1;
		}
		if (strncmp(a, "answerfile", 10) == 0 ||
		    strcmp(a, "install") == 0) {
			render_text_fail(err, errlen, "host %s: kernel_args "
			    "value \"%s\" refused: poolboot sets answerfile= "
			    "and install itself", h->name,
			    render_text_shown(a, b, sizeof(b)));
			return -1;
		}
	}
	return 0;
}

/* Xen's and dom0's arguments: the console, the host's kernel_args, the
 * answerfile argument afarg and "install". */
int
render_boot_args(const struct host *h, const char *afarg, struct sbuf *xen,
    struct sbuf *dom0, char *err, size_t errlen)
{
	char tmp[64];
	size_t i;
	int baud, bad = 0;

	/* Serial console: Xen owns the UART, dom0 talks through hvc0. */
	if (h->serial_port > 0) {
		baud = h->serial_baud > 0 ? h->serial_baud : 115200;
		if (h->serial_port > 4 || baud > 4000000) {
			render_text_fail(err, errlen, "host %s: serial console "
			    "com%d,%d refused", h->name, h->serial_port, baud);
			return -1;
		}
		snprintf(tmp, sizeof(tmp), "com%d=%d,8n1", h->serial_port,
		    baud);
		bad |= render_boot_add_arg(xen, tmp);
		snprintf(tmp, sizeof(tmp), "console=com%d,vga", h->serial_port);
		bad |= render_boot_add_arg(xen, tmp);
		bad |= render_boot_add_arg(dom0, "console=tty0");
		bad |= render_boot_add_arg(dom0, "console=hvc0");
	} else {
		bad |= render_boot_add_arg(xen, "console=vga");
		bad |= render_boot_add_arg(dom0, "console=tty0");
	}
	for (i = 0; i < h->kernel_args.n; i++)
		bad |= render_boot_add_arg(dom0, h->kernel_args.v[i]);
	bad |= render_boot_add_arg(dom0, afarg);
	bad |= render_boot_add_arg(dom0, "install");
	if (bad) {
		render_text_fail(err, errlen, "host %s: kernel command line "
		    "too long", h->name);
		return -1;
	}
	return 0;
}


/* base + "repo/{repo}/{rest}"; the part after base must be URL-safe. */
static char *
render_boot_file(const char *base, const char *repo, const char *rest)
{
	char *url = NULL;

	if (asprintf(&url, "%srepo/%s/%s", base, repo, rest) < 0)
		return NULL;
	if (!render_text_url_ok(url + strlen(base))) {
		free(url);
		return NULL;
	}
	return url;
}

int
render_boot_urls(const struct config *cfg, const struct host *h,
    const char *token, const char *repo, const char *base,
    struct render_boot_urls *u, char *err, size_t errlen)
{
	u->xen_gz = render_boot_file(base, repo, "boot/xen.gz");
	u->vmlinuz = render_boot_file(base, repo, "boot/vmlinuz");
	u->install_img = render_boot_file(base, repo, "install.img");
	u->answerfile = render_boot_host_url(cfg, h, token, "answerfile");
	if (u->xen_gz == NULL || u->vmlinuz == NULL || u->install_img == NULL ||
	    u->answerfile == NULL) {
		render_text_fail(err, errlen, "host %s: cannot build the boot "
		    "file or answerfile URLs", h->name);
		return -1;
	}
	if (asprintf(&u->afarg, "answerfile=%s", u->answerfile) < 0) {
		u->afarg = NULL;
		render_text_fail(err, errlen, "host %s: out of memory",
		    h->name);
		return -1;
	}
	return 0;
}

void
render_boot_urls_free(struct render_boot_urls *u)
{
	free(u->xen_gz);
	free(u->vmlinuz);
	free(u->install_img);
	free(u->answerfile);
	free(u->afarg);
	memset(u, 0, sizeof(*u));
}

/* .../hosts/<host>/<token>/answerfile */
int
render_boot_url_token(char *url, char out[UTIL_TOKEN_LEN + 1])
{
	char *end, *tok;
	size_t ulen = strlen(url), tlen;

	if (ulen < 11 || strcmp(url + ulen - 11, "/answerfile") != 0)
		return -1;
	url[ulen - 11] = '\0';
	if ((tok = strrchr(url, '/')) == NULL)
		return -1;
	*tok++ = '\0';
	tlen = strlen(tok);
	if (tlen == 0 || tlen > UTIL_TOKEN_LEN || !render_text_token_ok(tok))
		return -1;
	if ((end = strrchr(url, '/')) == NULL || !util_valid_name(end + 1))
		return -1;
	*end = '\0';
	ulen = strlen(url);
	if (ulen < 6 || strcmp(url + ulen - 6, "/hosts") != 0)
		return -1;
	memcpy(out, tok, tlen + 1);
	return 0;
}
