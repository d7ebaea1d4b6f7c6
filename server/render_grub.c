/* render_grub.c — the GRUB files of UEFI network boot: a host's install
 * entry and local boot file (grub/hosts/<mac>.cfg) and the fixed entry
 * point grub/grub.cfg, from templates/grub-install.cfg, grub-local.cfg and
 * grub.cfg; see render.h and templates/README.md.
 *
 * The values are those of the pxelinux entry (render_boot.c checks and
 * builds them); what differs is the language. GRUB's script lexer treats
 * { } | & $ ; < > and blanks as metacharacters, expands $name and ${name},
 * starts a comment at a word beginning with #, and removes '...', "..."
 * and \ quoting. So every value is handed to the template as GRUB words:
 * plain words as they are, anything else in single quotes, and the result
 * is checked by render_grub_script_check before it is returned. GRUB hands
 * each word to Xen or dom0 as one argument (grub_create_loader_cmdline
 * re-quotes words with spaces), so a word stays one kernel argument.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "render.h"
#include "render_boot.h"
#include "render_grub_script.h"
#include "render_text.h"
#include "sbuf.h"
#include "util.h"

/* Characters a GRUB word may hold unquoted: none is special to GRUB's
 * lexer or to its file name pattern expansion. */
#define RENDER_GRUB_PLAIN	"_./:=,+()-"

static int
render_grub_plain(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++)
		if (!isalnum((unsigned char)*w) &&
		    strchr(RENDER_GRUB_PLAIN, *w) == NULL)
			return 0;
	return 1;
}

/* Appends w as one GRUB word: as it is when plain, else '...' with each
 * ' written as '\'' (close, an escaped quote, reopen). */
static int
render_grub_quote(struct sbuf *b, const char *w)
{
	int bad = 0;

	if (render_grub_plain(w))
		return sbuf_puts(b, w);
	bad |= sbuf_puts(b, "'");
	for (; *w != '\0'; w++)
		bad |= *w == '\'' ? sbuf_puts(b, "'\\''") :
		    sbuf_append(b, w, 1);
	bad |= sbuf_puts(b, "'");
	return bad;
}

/* The space-separated words of list, each quoted, into a new string. */
static char *
render_grub_words(const char *list)
{
	struct sbuf b = { .max = RENDER_TEXT_MAX };
	char *copy, *p, *w;
	int bad = 0;

	if ((copy = strdup(list != NULL ? list : "")) == NULL)
		return NULL;
	p = copy;
	while ((w = render_text_next_word(&p)) != NULL) {
		if (b.len > 0)
			bad |= sbuf_puts(&b, " ");
		bad |= render_grub_quote(&b, w);
	}
	free(copy);
	if (bad) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_take(&b);
}

/* "(http,HOST[:PORT])PATH/" from public_url, for boot_files = http.
 * GRUB's http module: plain HTTP only; the server an IPv4 address or a
 * host name (resolved with GRUB's DNS); Debian's 2.06 reads a :PORT (and
 * [IPv6]:PORT, which poolboot's IPv4 boot does not use). Caller frees;
 * NULL with err. */
static char *
render_grub_http_base(const struct config *cfg, char *err, size_t errlen)
{
	const char *u = cfg->public_url, *host, *colon, *slash;
	char *out = NULL;
	size_t hlen, plen;

	if (strncmp(u, "http://", 7) != 0) {
		render_text_fail(err, errlen, "boot_files = http: UEFI GRUB fetches "
		    "the boot files over plain HTTP only, and public_url %s is "
		    "not http:// (use boot_files = tftp, or an http:// "
		    "public_url)", u);
		return NULL;
	}
	host = u + 7;
	if (*host == '[') {
		render_text_fail(err, errlen, "boot_files = http: public_url "
		    "%s names an IPv6 address; UEFI network boot here is IPv4 "
		    "(DHCPv4, TFTP): use an IPv4 address or a host name", u);
		return NULL;
	}
	slash = strchr(host, '/');
	hlen = slash != NULL ? (size_t)(slash - host) : strlen(host);
	colon = memchr(host, ':', hlen);
	plen = colon != NULL ? hlen - (size_t)(colon - host) - 1 : 0;
	if ((colon != NULL ? (size_t)(colon - host) : hlen) == 0 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-") != (colon != NULL ? (size_t)(colon - host) :
	    hlen) || (colon != NULL && (plen == 0 || plen > 5 ||
	    strspn(colon + 1, "0123456789") < plen ||
	    atoi(colon + 1) < 1 || atoi(colon + 1) > 65535))) {
		render_text_fail(err, errlen, "boot_files = http: GRUB cannot "
		    "use the server of public_url %s (want HOST or HOST:PORT, "
		    "HOST an IPv4 address or a host name)", u);
		return NULL;
	}
	if (asprintf(&out, "(http,%.*s)%s/", (int)hlen, host, slash != NULL ?
	    slash : "") < 0) {
		render_text_fail(err, errlen, "render: out of memory");
		return NULL;
	}
	return out;
}

/* The quoted values of an install entry; freed by
 * render_grub_values_free. */
struct render_grub_values {
	char	*host, *mac, *xen_gz, *vmlinuz, *install_img;
	char	*xen_args, *dom0_args, *answerfile;
};

static void
render_grub_values_free(struct render_grub_values *v)
{
	free(v->host);
	free(v->mac);
	free(v->xen_gz);
	free(v->vmlinuz);
	free(v->install_img);
	free(v->xen_args);
	free(v->dom0_args);
	free(v->answerfile);
}

/* Every value as GRUB words, and the template's placeholders set to them. */
static int
render_grub_values(struct render_grub_values *v, const struct host *h,
    const char *mac, const struct render_boot_urls *u, const struct sbuf *xen,
    const struct sbuf *dom0, struct render_text_vars *vars)
{
	v->host = render_grub_words(h->name);
	v->mac = render_grub_words(mac);
	v->xen_gz = render_grub_words(u->xen_gz);
	v->vmlinuz = render_grub_words(u->vmlinuz);
	v->install_img = render_grub_words(u->install_img);
	v->xen_args = render_grub_words(xen->p);
	v->dom0_args = render_grub_words(dom0->p);
	v->answerfile = render_grub_words(u->answerfile);
	if (v->host == NULL || v->mac == NULL || v->xen_gz == NULL ||
	    v->vmlinuz == NULL || v->install_img == NULL ||
	    v->xen_args == NULL || v->dom0_args == NULL ||
	    v->answerfile == NULL)
		return -1;
	render_text_set(vars, "host", v->host);
	render_text_set(vars, "mac", v->mac);
	render_text_set(vars, "xen_gz", v->xen_gz);
	render_text_set(vars, "vmlinuz", v->vmlinuz);
	render_text_set(vars, "install_img", v->install_img);
	render_text_set(vars, "xen_args", v->xen_args);
	render_text_set(vars, "dom0_args", v->dom0_args);
	render_text_set(vars, "answerfile_url", v->answerfile);
	return 0;
}

/* Template tplname expanded with vars and checked as a file of kind;
 * a failed check names the template. Caller frees; NULL with err. */
static char *
render_grub_text(const struct config *cfg, const char *tplname,
    const struct render_text_vars *vars, enum render_grub_script_kind kind,
    const char *expect, char *err, size_t errlen)
{
	char *tpl, *text = NULL, label[64];

	if ((tpl = render_text_read_template(cfg, tplname, NULL, err,
	    errlen)) == NULL)
		return NULL;
	text = render_text_expand(tpl, tplname, vars, err, errlen);
	free(tpl);
	if (text == NULL)
		return NULL;
	snprintf(label, sizeof(label), "template %s", tplname);
	if (render_grub_script_check(text, kind, expect, label, err,
	    errlen) == -1) {
		free(text);
		return NULL;
	}
	return text;
}

char *
render_grub_install(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	struct sbuf xen = { .max = 4096 }, dom0 = { .max = 8192 };
	struct render_text_vars vars = { .n = 0 };
	struct render_boot_urls u;
	struct render_grub_values v;
	char *base = NULL, *out = NULL;
	char mac[18];
	const char *repo;

	memset(&u, 0, sizeof(u));
	memset(&v, 0, sizeof(v));
	/* http: poolboot's HTTP server, as GRUB names it (checked first: its
	 * reasons are clearer than the generic public_url check's); tftp:
	 * "/repo/..." on the device GRUB came from (TFTP, or HTTP for UEFI
	 * HTTP boot: the same paths) */
	if (cfg != NULL && h != NULL && cfg->public_url != NULL &&
	    cfg->boot_files == BOOT_FILES_HTTP) {
		if ((base = render_grub_http_base(cfg, err, errlen)) == NULL)
			goto out;
	} else if ((base = strdup("/")) == NULL) {
		render_text_fail(err, errlen, "render: out of memory");
		goto out;
	}
	if (render_boot_check_host(cfg, h, token, &repo, err, errlen) == -1 ||
	    render_boot_check_values(h, mac, err, errlen) == -1)
		goto out;
	if (render_boot_urls(cfg, h, token, repo, base, &u, err, errlen) == -1 ||
	    render_boot_args(h, u.afarg, &xen, &dom0, err, errlen) == -1)
		goto out;
	if (render_grub_values(&v, h, mac, &u, &xen, &dom0, &vars) == -1) {
		render_text_fail(err, errlen, "host %s: GRUB entry too large or "
		    "out of memory", h->name);
		goto out;
	}
	out = render_grub_text(cfg, RENDER_TPL_GRUB_INSTALL, &vars,
	    RENDER_GRUB_SCRIPT_INSTALL, u.answerfile, err, errlen);
out:
	render_grub_values_free(&v);
	render_boot_urls_free(&u);
	free(base);
	sbuf_free(&xen);
	sbuf_free(&dom0);
	return out;
}

char *
render_grub_local(const struct config *cfg, char *err, size_t errlen)
{
	struct render_text_vars vars = { .n = 0 };

	if (cfg == NULL) {
		render_text_fail(err, errlen, "render: no config");
		return NULL;
	}
	return render_grub_text(cfg, RENDER_TPL_GRUB_LOCAL, &vars,
	    RENDER_GRUB_SCRIPT_LOCAL, NULL, err, errlen);
}

char *
render_grub_main(const struct config *cfg, char *err, size_t errlen)
{
	struct render_text_vars vars = { .n = 0 };

	if (cfg == NULL) {
		render_text_fail(err, errlen, "render: no config");
		return NULL;
	}
	return render_grub_text(cfg, RENDER_TPL_GRUB_MAIN, &vars,
	    RENDER_GRUB_SCRIPT_MAIN, NULL, err, errlen);
}

int
render_grub_token(const char *text, char out[UTIL_TOKEN_LEN + 1])
{
	struct render_grub_script_line l;
	char *copy = NULL, *line, *next, why[192];
	size_t i;
	int ret = -1;

	memset(&l, 0, sizeof(l));
	if (text == NULL || strlen(text) > RENDER_TEXT_MAX ||
	    (copy = strdup(text)) == NULL)
		return -1;
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (render_grub_script_split(line, NULL, &l, why,
		    sizeof(why)) == -1 || l.n == 0 ||
		    strcmp(l.word[0], "module2") != 0) {
			render_grub_script_line_free(&l);
			continue;
		}
		for (i = 1; i < l.n; i++) {
			if (strncmp(l.word[i], "answerfile=", 11) != 0)
				continue;
			ret = render_boot_url_token(l.word[i] + 11, out);
			goto out;
		}
		render_grub_script_line_free(&l);
	}
out:
	render_grub_script_line_free(&l);
	free(copy);
	return ret;
}
