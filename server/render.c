/* render.c — pxelinux configs, answerfiles and installation-complete
 * scripts from the templates in cfg->template_dir; see render.h and
 * templates/README.md for the template language.
 *
 * Two template flavours:
 *  - XML (answerfiles): parsed with libxml2 (no network, no DTD, no entity
 *    substitution); a placeholder may only be the whole text of an element
 *    or the whole value of an attribute, and is replaced through the tree
 *    API (xmlNewDocText / xmlSetNsProp), so a value is always text and can
 *    never become markup.
 *  - plain text (pxelinux, script): {{name}} is substituted, but only with
 *    values that were checked first (argument words, URL characters, host
 *    names); anything else refuses the render.
 * Every render_* function checks its own output with the matching
 * render_validate_* before returning it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "config.h"
#include "log.h"
#include "render.h"
#include "util.h"

#define RENDER_TPL_MAX		(256 * 1024)	/* a template file */
#define RENDER_AF_MAX		(1024 * 1024)	/* an answerfile to validate */
#define RENDER_TEXT_MAX		(64 * 1024)	/* pxelinux config, script */
#define RENDER_VALUE_MAX	4096		/* one inventory value in XML */
#define RENDER_TOKEN_MAX	64

/* libxml2 takes const xmlChar * almost everywhere; BAD_CAST drops const. */
#define XC(s)	((const xmlChar *)(s))
#define RENDER_NAME_MAX		32		/* placeholder name */

/* One placeholder value: a scalar (value, NULL = unset) or a list. */
struct tvar {
	const char		*name;
	const char		*value;
	const struct strlist	*list;
	int			 is_list;
};

#define RENDER_MAXVARS	32
struct tvars {
	struct tvar	v[RENDER_MAXVARS];
	size_t		n;
};

static void rfail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Formats the failure into err and logs it under "render". */
static void
rfail(char *err, size_t errlen, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", buf);
	log_error("render", "%s", buf);
}

/* A printable, bounded copy of a (possibly hostile) value for messages:
 * control and non-ASCII bytes become '?', long values are cut. */
static const char *
shown(const char *s, char *buf, size_t n)
{
	size_t i, o = 0;

	if (s == NULL)
		return "(unset)";
	for (i = 0; s[i] != '\0' && o + 4 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (s[i] != '\0' && n >= 4) {
		while (o + 4 > n)
			o--;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static void
tvars_set(struct tvars *t, const char *name, const char *value)
{
	if (t->n >= RENDER_MAXVARS)
		return;
	t->v[t->n].name = name;
	t->v[t->n].value = value;
	t->v[t->n].list = NULL;
	t->v[t->n].is_list = 0;
	t->n++;
}

static void
tvars_set_list(struct tvars *t, const char *name, const struct strlist *l)
{
	if (t->n >= RENDER_MAXVARS)
		return;
	t->v[t->n].name = name;
	t->v[t->n].value = NULL;
	t->v[t->n].list = l;
	t->v[t->n].is_list = 1;
	t->n++;
}

/* name[0..len) is "foo" or "foo*"; returns the entry or NULL. */
static const struct tvar *
tvars_get(const struct tvars *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (strlen(t->v[i].name) == len &&
		    memcmp(t->v[i].name, name, len) == 0)
			return &t->v[i];
	}
	return NULL;
}

static int
valid_token(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= RENDER_TOKEN_MAX || !isalnum((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* URLs we build ourselves and paste into pxelinux lines and shell
 * scripts: only [A-Za-z0-9:/._~%-], nothing that a shell or a kernel
 * command line would interpret. */
static int
url_chars_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr(":/._~%-", c) == NULL)
			return 0;
	}
	return i <= 1024;
}

static int
public_url_ok(const char *s)
{
	return url_chars_ok(s) && (strncmp(s, "http://", 7) == 0 ||
	    strncmp(s, "https://", 8) == 0);
}

static const char *
host_repo_name(const struct host *h)
{
	if (h->repo != NULL && h->repo->name != NULL)
		return h->repo->name;
	return h->repo_name;
}

static int
mode_ok(enum host_mode m)
{
	return (int)m >= 0 && m < MODE_COUNT;
}

/* Reads template name from cfg->template_dir. */
static char *
read_template(const struct config *cfg, const char *name, size_t *len,
    char *err, size_t errlen)
{
	char *path = NULL, *buf = NULL;

	if (cfg->template_dir == NULL) {
		rfail(err, errlen, "template %s: no template_dir configured",
		    name);
		goto out;
	}
	if ((path = util_path_join(cfg->template_dir, name)) == NULL) {
		rfail(err, errlen, "template %s: out of memory", name);
		goto out;
	}
	if ((buf = util_read_file(path, RENDER_TPL_MAX, len)) == NULL)
		rfail(err, errlen, "template %s: %s", path, strerror(errno));
out:
	free(path);
	return buf;
}

/* ---------------------------------------------------------------- URLs */

char *
render_host_url(const struct config *cfg, const struct host *h,
    const char *token, const char *what)
{
	char *url = NULL;

	if (cfg == NULL || h == NULL || what == NULL ||
	    !public_url_ok(cfg->public_url) || !util_valid_name(h->name) ||
	    !valid_token(token) ||
	    (strcmp(what, "answerfile") != 0 && strcmp(what, "script") != 0 &&
	    strcmp(what, "callback") != 0)) {
		log_error("render", "cannot build a host URL: bad public_url, "
		    "host name, token or kind");
		return NULL;
	}
	if (asprintf(&url, "%s/hosts/%s/%s/%s", cfg->public_url, h->name,
	    token, what) < 0)
		return NULL;
	return url;
}

/* {public_url}/repo/{repo}/{rest} or, for TFTP, repo/{repo}/{rest}. */
static char *
repo_file_url(const struct config *cfg, const char *repo, const char *rest,
    int http)
{
	char *url = NULL;
	int n;

	if (http)
		n = asprintf(&url, "%s/repo/%s/%s", cfg->public_url, repo, rest);
	else
		n = asprintf(&url, "repo/%s/%s", repo, rest);
	if (n < 0)
		return NULL;
	if (!url_chars_ok(url)) {
		free(url);
		return NULL;
	}
	return url;
}

/* Common checks for every per-host render; fills the repo name. */
static int
check_host(const struct config *cfg, const struct host *h, const char *token,
    const char **repo, char *err, size_t errlen)
{
	char b[80];

	if (cfg == NULL || h == NULL) {
		rfail(err, errlen, "render: no config or host");
		return -1;
	}
	if (!util_valid_name(h->name)) {
		rfail(err, errlen, "host name \"%s\" is not a valid name",
		    shown(h->name, b, sizeof(b)));
		return -1;
	}
	if (!public_url_ok(cfg->public_url)) {
		rfail(err, errlen, "host %s: public_url \"%s\" must be http(s):// "
		    "and use only [A-Za-z0-9:/._~%%-]", h->name,
		    shown(cfg->public_url, b, sizeof(b)));
		return -1;
	}
	if (!valid_token(token)) {
		rfail(err, errlen, "host %s: token must be 1-64 letters or "
		    "digits", h->name);
		return -1;
	}
	if (repo != NULL) {
		*repo = host_repo_name(h);
		if (*repo == NULL || !util_valid_name(*repo)) {
			rfail(err, errlen, "host %s: no valid repo (set repo in "
			    "[host %s] or in its pool)", h->name, h->name);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------- plain templates */

/* Expands {{name}} in a plain-text template. Every value in vars must have
 * been validated for its context by the caller. Unknown names, list names
 * and unterminated placeholders are errors. */
static char *
expand_text(const char *tpl, const char *tplname, const struct tvars *vars,
    char *err, size_t errlen)
{
	struct sbuf b = { .max = RENDER_TEXT_MAX };
	const char *p = tpl, *open, *close;
	const struct tvar *v;
	char nb[RENDER_NAME_MAX + 8];
	char *out = NULL;
	int bad = 0;

	while ((open = strstr(p, "{{")) != NULL) {
		bad |= sbuf_append(&b, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (close == NULL || close - open - 2 > RENDER_NAME_MAX ||
		    memchr(open + 2, '\n', (size_t)(close - open - 2)) != NULL) {
			rfail(err, errlen, "template %s: unterminated {{ "
			    "placeholder", tplname);
			goto out;
		}
		v = tvars_get(vars, open + 2, (size_t)(close - open - 2));
		if (v == NULL || v->is_list) {
			snprintf(nb, sizeof(nb), "%.*s", (int)(close - open - 2),
			    open + 2);
			rfail(err, errlen, "template %s: unknown placeholder "
			    "{{%s}}", tplname, shown(nb, nb, sizeof(nb)));
			goto out;
		}
		if (v->value != NULL)
			bad |= sbuf_puts(&b, v->value);
		p = close + 2;
	}
	bad |= sbuf_puts(&b, p);
	if (bad) {
		rfail(err, errlen, "template %s: output too large or out of "
		    "memory", tplname);
		goto out;
	}
	out = sbuf_take(&b);
out:
	sbuf_free(&b);
	return out;
}

/* Appends the words of a space-separated list to b after checking each
 * with util_valid_arg_word. */
static int
add_arg(struct sbuf *b, const char *word)
{
	if (b->len > 0 && sbuf_puts(b, " ") == -1)
		return -1;
	return sbuf_puts(b, word);
}

char *
render_pxelinux_install(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	struct sbuf xen = { .max = 4096 }, dom0 = { .max = 8192 };
	struct tvars vars = { .n = 0 };
	char *tpl = NULL, *text = NULL, *out = NULL;
	char *xen_gz = NULL, *vmlinuz = NULL, *install_img = NULL;
	char *answerfile = NULL, *afarg = NULL;
	char mac[18], b[80], tmp[64];
	const char *repo, *why;
	size_t i;
	int http, bad = 0;

	if (check_host(cfg, h, token, &repo, err, errlen) == -1)
		goto out;
	if (util_mac_parse(h->mac, mac, &why) == -1 ||
	    strcmp(mac, h->mac) != 0) {
		rfail(err, errlen, "host %s: MAC address \"%s\" is not canonical",
		    h->name, shown(h->mac, b, sizeof(b)));
		goto out;
	}
	/* Defence in depth: config.c refuses these at load time already. A
	 * disk or host name that is not one plain word can never be right,
	 * and must not get near a kernel command line. */
	if (h->disk != NULL && !util_valid_arg_word(h->disk)) {
		rfail(err, errlen, "host %s: disk value \"%s\" refused (spaces, "
		    "quotes, control characters and \"---\" are not allowed)",
		    h->name, shown(h->disk, b, sizeof(b)));
		goto out;
	}
	if (h->hostname != NULL && !util_valid_arg_word(h->hostname)) {
		rfail(err, errlen, "host %s: hostname value \"%s\" refused "
		    "(spaces, quotes, control characters and \"---\" are not "
		    "allowed)", h->name, shown(h->hostname, b, sizeof(b)));
		goto out;
	}
	for (i = 0; i < h->kernel_args.n; i++) {
		const char *a = h->kernel_args.v[i];

		if (!util_valid_arg_word(a)) {
			rfail(err, errlen, "host %s: kernel_args value \"%s\" "
			    "refused (spaces, quotes, control characters and "
			    "\"---\" are not allowed)", h->name,
			    shown(a, b, sizeof(b)));
			goto out;
		}
		if (strncmp(a, "answerfile", 10) == 0 ||
		    strcmp(a, "install") == 0) {
			rfail(err, errlen, "host %s: kernel_args value \"%s\" "
			    "refused: poolboot sets answerfile= and install "
			    "itself", h->name, shown(a, b, sizeof(b)));
			goto out;
		}
	}

	http = cfg->boot_files == BOOT_FILES_HTTP;
	xen_gz = repo_file_url(cfg, repo, "boot/xen.gz", http);
	vmlinuz = repo_file_url(cfg, repo, "boot/vmlinuz", http);
	install_img = repo_file_url(cfg, repo, "install.img", http);
	answerfile = render_host_url(cfg, h, token, "answerfile");
	if (xen_gz == NULL || vmlinuz == NULL || install_img == NULL ||
	    answerfile == NULL) {
		rfail(err, errlen, "host %s: cannot build the boot file or "
		    "answerfile URLs", h->name);
		goto out;
	}
	if (asprintf(&afarg, "answerfile=%s", answerfile) < 0) {
		afarg = NULL;
		rfail(err, errlen, "host %s: out of memory", h->name);
		goto out;
	}

	/* Serial console: Xen owns the UART, dom0 talks through hvc0. */
	if (h->serial_port > 0) {
		int baud = h->serial_baud > 0 ? h->serial_baud : 115200;

		if (h->serial_port > 4 || baud > 4000000) {
			rfail(err, errlen, "host %s: serial console com%d,%d "
			    "refused", h->name, h->serial_port, baud);
			goto out;
		}
		snprintf(tmp, sizeof(tmp), "com%d=%d,8n1", h->serial_port, baud);
		bad |= add_arg(&xen, tmp);
		snprintf(tmp, sizeof(tmp), "console=com%d,vga", h->serial_port);
		bad |= add_arg(&xen, tmp);
		bad |= add_arg(&dom0, "console=tty0");
		bad |= add_arg(&dom0, "console=hvc0");
	} else {
		bad |= add_arg(&xen, "console=vga");
		bad |= add_arg(&dom0, "console=tty0");
	}
	for (i = 0; i < h->kernel_args.n; i++)
		bad |= add_arg(&dom0, h->kernel_args.v[i]);
	bad |= add_arg(&dom0, afarg);
	bad |= add_arg(&dom0, "install");
	if (bad) {
		rfail(err, errlen, "host %s: kernel command line too long",
		    h->name);
		goto out;
	}

	tvars_set(&vars, "host", h->name);
	tvars_set(&vars, "mac", mac);
	tvars_set(&vars, "xen_gz", xen_gz);
	tvars_set(&vars, "vmlinuz", vmlinuz);
	tvars_set(&vars, "install_img", install_img);
	tvars_set(&vars, "xen_args", xen.p);
	tvars_set(&vars, "dom0_args", dom0.p);
	tvars_set(&vars, "answerfile_url", answerfile);

	if ((tpl = read_template(cfg, RENDER_TPL_PXE_INSTALL, NULL, err,
	    errlen)) == NULL)
		goto out;
	if ((text = expand_text(tpl, RENDER_TPL_PXE_INSTALL, &vars, err,
	    errlen)) == NULL)
		goto out;
	if (render_validate_pxelinux(text, answerfile, err, errlen) == -1)
		goto out;
	out = text;
	text = NULL;
out:
	free(tpl);
	free(text);
	free(xen_gz);
	free(vmlinuz);
	free(install_img);
	free(answerfile);
	free(afarg);
	sbuf_free(&xen);
	sbuf_free(&dom0);
	return out;
}

char *
render_pxelinux_local(const struct config *cfg, char *err, size_t errlen)
{
	struct tvars vars = { .n = 0 };
	char *tpl = NULL, *text = NULL, *out = NULL;

	if (cfg == NULL) {
		rfail(err, errlen, "render: no config");
		goto out;
	}
	if ((tpl = read_template(cfg, RENDER_TPL_PXE_LOCAL, NULL, err,
	    errlen)) == NULL)
		goto out;
	if ((text = expand_text(tpl, RENDER_TPL_PXE_LOCAL, &vars, err,
	    errlen)) == NULL)
		goto out;
	if (render_validate_pxelinux(text, NULL, err, errlen) == -1)
		goto out;
	out = text;
	text = NULL;
out:
	free(tpl);
	free(text);
	return out;
}

char *
render_script(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	struct tvars vars = { .n = 0 };
	char *tpl = NULL, *text = NULL, *out = NULL, *base = NULL;
	char mac[18];
	const char *why;
	size_t i;

	if (check_host(cfg, h, token, NULL, err, errlen) == -1)
		goto out;
	if (util_mac_parse(h->mac, mac, &why) == -1) {
		rfail(err, errlen, "host %s: bad MAC address", h->name);
		goto out;
	}
	if ((base = render_host_url(cfg, h, token, "callback")) == NULL ||
	    !url_chars_ok(base)) {
		rfail(err, errlen, "host %s: cannot build the callback URL",
		    h->name);
		goto out;
	}
	tvars_set(&vars, "host", h->name);
	tvars_set(&vars, "mac", mac);
	tvars_set(&vars, "callback_url_base", base);
	if ((tpl = read_template(cfg, RENDER_TPL_SCRIPT, NULL, err,
	    errlen)) == NULL)
		goto out;
	if ((text = expand_text(tpl, RENDER_TPL_SCRIPT, &vars, err,
	    errlen)) == NULL)
		goto out;
	/* The installer runs the file it downloads: it needs a shebang, and
	 * it is useless unless it reports to this host's callback. */
	if (strncmp(text, "#!/", 3) != 0) {
		rfail(err, errlen, "host %s: template %s must start with #!/bin/sh",
		    h->name, RENDER_TPL_SCRIPT);
		goto out;
	}
	if (strstr(text, base) == NULL) {
		rfail(err, errlen, "host %s: template %s does not use "
		    "{{callback_url_base}}", h->name, RENDER_TPL_SCRIPT);
		goto out;
	}
	for (i = 0; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 && c != '\n' && c != '\t') {
			rfail(err, errlen, "host %s: template %s contains a "
			    "control character", h->name, RENDER_TPL_SCRIPT);
			goto out;
		}
	}
	out = text;
	text = NULL;
out:
	free(tpl);
	free(text);
	free(base);
	return out;
}

/* ------------------------------------------------- pxelinux validation */

static int
all_digits(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Next space-separated word of *p (modified in place), or NULL. */
static char *
next_word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ')
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	w = s;
	while (*s != '\0' && *s != ' ')
		s++;
	if (*s == ' ')
		*s++ = '\0';
	*p = s;
	return w;
}

/* Checks the append line of an install entry (modified in place). */
static int
check_append(char *line, int lineno, const char *expect, char *err,
    size_t errlen)
{
	char *w, *p = line;
	int seg = 0, segwords[3] = { 0, 0, 0 }, naf = 0, ninstall = 0;
	size_t elen = strlen(expect);

	while ((w = next_word(&p)) != NULL) {
		if (strcmp(w, "---") == 0) {
			if (++seg > 2) {
				rfail(err, errlen, "pxelinux line %d: more than "
				    "two \"---\" in append", lineno);
				return -1;
			}
			continue;
		}
		segwords[seg]++;
		if (strncmp(w, "answerfile", 10) == 0) {
			naf++;
			if (seg != 1 || strncmp(w, "answerfile=", 11) != 0 ||
			    strlen(w + 11) != elen ||
			    memcmp(w + 11, expect, elen) != 0) {
				rfail(err, errlen, "pxelinux line %d: answerfile "
				    "argument is not the expected URL", lineno);
				return -1;
			}
		}
		if (seg == 1 && strcmp(w, "install") == 0)
			ninstall++;
	}
	if (seg != 2) {
		rfail(err, errlen, "pxelinux line %d: append needs exactly two "
		    "\"---\" (xen.gz ... --- vmlinuz ... --- install.img), found "
		    "%d", lineno, seg);
		return -1;
	}
	if (segwords[0] == 0 || segwords[1] == 0 || segwords[2] != 1) {
		rfail(err, errlen, "pxelinux line %d: append needs xen.gz, "
		    "vmlinuz and install.img, one per segment", lineno);
		return -1;
	}
	if (naf != 1) {
		rfail(err, errlen, "pxelinux line %d: expected exactly one "
		    "answerfile= argument, found %d", lineno, naf);
		return -1;
	}
	if (ninstall != 1) {
		rfail(err, errlen, "pxelinux line %d: dom0 arguments lack "
		    "\"install\"", lineno);
		return -1;
	}
	return 0;
}

int
render_validate_pxelinux(const char *text, const char *expect_answerfile_url,
    char *err, size_t errlen)
{
	char *copy = NULL, *line, *next, *p, *kw, *arg, *extra;
	char *def = NULL, *label = NULL;
	int ndefault = 0, nlabel = 0, nkernel = 0, nappend = 0, nlocal = 0;
	int lineno = 0, ret = -1;
	size_t i, len;

	if (text == NULL) {
		rfail(err, errlen, "pxelinux: no text");
		goto out;
	}
	len = strlen(text);
	if (len > RENDER_TEXT_MAX) {
		rfail(err, errlen, "pxelinux: config too large");
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			lineno++;
		else if (c < 0x20 || c >= 0x7f) {
			rfail(err, errlen, "pxelinux line %d: control or "
			    "non-ASCII character (0x%02x)", lineno + 1, c);
			goto out;
		}
	}
	if ((copy = strdup(text)) == NULL) {
		rfail(err, errlen, "pxelinux: out of memory");
		goto out;
	}
	lineno = 0;
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		p = line;
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		kw = next_word(&p);
		while (*p == ' ')
			p++;
		arg = p;
		if (strcasecmp(kw, "append") == 0) {
			nappend++;
			if (expect_answerfile_url == NULL) {
				rfail(err, errlen, "pxelinux line %d: append in a "
				    "local boot config", lineno);
				goto out;
			}
			if (check_append(arg, lineno, expect_answerfile_url,
			    err, errlen) == -1)
				goto out;
			continue;
		}
		/* every other directive takes exactly one word */
		arg = next_word(&p);
		extra = next_word(&p);
		if (arg == NULL || extra != NULL) {
			rfail(err, errlen, "pxelinux line %d: %s takes exactly "
			    "one value", lineno, kw);
			goto out;
		}
		if (strcasecmp(kw, "default") == 0) {
			ndefault++;
			def = arg;
		} else if (strcasecmp(kw, "label") == 0) {
			nlabel++;
			label = arg;
		} else if (strcasecmp(kw, "kernel") == 0) {
			nkernel++;
			if (strcmp(arg, "mboot.c32") != 0) {
				rfail(err, errlen, "pxelinux line %d: kernel must "
				    "be mboot.c32", lineno);
				goto out;
			}
		} else if (strcasecmp(kw, "localboot") == 0) {
			nlocal++;
			if (!all_digits(arg)) {
				rfail(err, errlen, "pxelinux line %d: localboot "
				    "takes a number", lineno);
				goto out;
			}
		} else if (strcasecmp(kw, "prompt") == 0 ||
		    strcasecmp(kw, "timeout") == 0) {
			if (!all_digits(arg)) {
				rfail(err, errlen, "pxelinux line %d: %s takes a "
				    "number", lineno, kw);
				goto out;
			}
		} else {
			char b[40];

			rfail(err, errlen, "pxelinux line %d: unexpected "
			    "directive \"%s\"", lineno, shown(kw, b, sizeof(b)));
			goto out;
		}
	}
	if (ndefault != 1 || nlabel != 1 || strcmp(def, label) != 0) {
		rfail(err, errlen, "pxelinux: need exactly one label and a "
		    "default naming it");
		goto out;
	}
	if (expect_answerfile_url == NULL) {
		if (nlocal != 1 || nkernel != 0 || nappend != 0) {
			rfail(err, errlen, "pxelinux: a local boot config needs "
			    "exactly one localboot and no kernel/append");
			goto out;
		}
		if (strstr(text, "answerfile=") != NULL) {
			rfail(err, errlen, "pxelinux: a local boot config must not "
			    "mention answerfile=");
			goto out;
		}
	} else if (nkernel != 1 || nappend != 1 || nlocal != 0) {
		rfail(err, errlen, "pxelinux: an install config needs exactly one "
		    "kernel mboot.c32 and one append, and no localboot");
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

int
render_pxelinux_token(const char *text, char out[UTIL_TOKEN_LEN + 1])
{
	char *copy = NULL, *line, *next, *p, *kw, *w, *url, *end, *tok;
	size_t ulen, tlen;
	int ret = -1;

	if (text == NULL || strlen(text) > RENDER_TEXT_MAX ||
	    (copy = strdup(text)) == NULL)
		return -1;
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		p = line;
		kw = next_word(&p);
		if (kw == NULL || strcasecmp(kw, "append") != 0)
			continue;
		while ((w = next_word(&p)) != NULL) {
			if (strncmp(w, "answerfile=", 11) != 0)
				continue;
			/* .../hosts/<host>/<token>/answerfile */
			url = w + 11;
			ulen = strlen(url);
			if (ulen < 11 ||
			    strcmp(url + ulen - 11, "/answerfile") != 0)
				goto out;
			url[ulen - 11] = '\0';
			if ((tok = strrchr(url, '/')) == NULL)
				goto out;
			*tok++ = '\0';
			tlen = strlen(tok);
			if (tlen == 0 || tlen > UTIL_TOKEN_LEN ||
			    !valid_token(tok))
				goto out;
			if ((end = strrchr(url, '/')) == NULL ||
			    !util_valid_name(end + 1))
				goto out;
			*end = '\0';
			ulen = strlen(url);
			if (ulen < 6 || strcmp(url + ulen - 6, "/hosts") != 0)
				goto out;
			memcpy(out, tok, tlen + 1);
			ret = 0;
			goto out;
		}
	}
out:
	free(copy);
	return ret;
}

/* ------------------------------------------------------- XML handling */

/* Parses untrusted or operator XML: no network, no DTD loading, no entity
 * substitution, and any DOCTYPE refused (with it, entities). */
static xmlDocPtr
xml_parse(const char *buf, size_t len, const char *what, int noblanks,
    char *err, size_t errlen)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	const xmlError *e;
	char msg[256];
	size_t i;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

	if (noblanks)
		opts |= XML_PARSE_NOBLANKS;
	if (len > (size_t)RENDER_AF_MAX || len > (size_t)0x7fffffff) {
		rfail(err, errlen, "%s: too large", what);
		return NULL;
	}
	/* Cheap refusal before the parser sees a DTD at all. */
	for (i = 0; i + 2 <= len; i++) {
		if (buf[i] != '<' || buf[i + 1] != '!')
			continue;
		if ((i + 9 <= len && memcmp(buf + i, "<!DOCTYPE", 9) == 0) ||
		    (i + 8 <= len && memcmp(buf + i, "<!ENTITY", 8) == 0)) {
			rfail(err, errlen, "%s: a DOCTYPE or ENTITY declaration "
			    "is not allowed", what);
			return NULL;
		}
	}
	xmlInitParser();
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		rfail(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "noname.xml", NULL, opts);
	if (doc == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(msg, sizeof(msg), "%s",
		    e != NULL && e->message != NULL ? e->message : "parse error");
		msg[strcspn(msg, "\n")] = '\0';
		rfail(err, errlen, "%s: not well-formed XML (line %d: %s)", what,
		    e != NULL ? e->line : 0, msg);
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rfail(err, errlen, "%s: a DOCTYPE is not allowed", what);
		xmlFreeDoc(doc);
		doc = NULL;
		goto out;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		rfail(err, errlen, "%s: no root element", what);
		xmlFreeDoc(doc);
		doc = NULL;
	}
out:
	xmlFreeParserCtxt(ctxt);
	return doc;
}

static int
is_el(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    xmlStrEqual(n->name, XC(name));
}

/* Text of s without leading/trailing white space is "{{name}}" or
 * "{{name*}}": copies the name (with '*') into out and returns 1. */
static int
placeholder_name(const xmlChar *s, char out[RENDER_NAME_MAX + 2])
{
	const char *p = (const char *)s, *e;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (e - p < 5 || strncmp(p, "{{", 2) != 0 || strncmp(e - 2, "}}", 2) != 0)
		return 0;
	p += 2;
	e -= 2;
	n = (size_t)(e - p);
	if (n == 0 || n > RENDER_NAME_MAX)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* A value headed into XML text: valid UTF-8 with no control character an
 * XML 1.0 document cannot carry. Markup characters are fine: they end up
 * as escaped text. */
static int
xml_value_ok(const char *v)
{
	size_t i, len = strlen(v);

	if (len > RENDER_VALUE_MAX || !xmlCheckUTF8(XC(v)))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return 0;
	}
	return 1;
}

struct xctx {
	const struct tvars	*vars;
	const char		*tpl;
	char			*err;
	size_t			 errlen;
};

static const struct tvar *
xml_lookup(struct xctx *x, const char *name, const char *where)
{
	const struct tvar *v;
	size_t n = strlen(name);
	int star = n > 0 && name[n - 1] == '*';
	char b[80];
	size_t i;

	v = tvars_get(x->vars, name, star ? n - 1 : n);
	if (v == NULL || v->is_list != star) {
		rfail(x->err, x->errlen, "template %s: unknown placeholder {{%s}} "
		    "in %s", x->tpl, shown(name, b, sizeof(b)), where);
		return NULL;
	}
	if (v->is_list) {
		for (i = 0; v->list != NULL && i < v->list->n; i++) {
			if (!xml_value_ok(v->list->v[i]))
				goto bad;
		}
	} else if (v->value != NULL && !xml_value_ok(v->value))
		goto bad;
	return v;
bad:
	rfail(x->err, x->errlen, "template %s: value for {{%s}} is not valid "
	    "UTF-8 text or contains a control character", x->tpl,
	    shown(name, b, sizeof(b)));
	return NULL;
}

/* Replaces every child of node with one text node holding value. The text
 * node is made with xmlNewDocText: value is stored as-is and escaped when
 * serialised, never parsed as markup or entity references. */
static int
set_text(xmlNodePtr node, const char *value)
{
	xmlNodePtr c, t;

	while ((c = node->children) != NULL) {
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	if ((t = xmlNewDocText(node->doc, XC(value))) == NULL)
		return -1;
	if (xmlAddChild(node, t) == NULL) {
		xmlFreeNode(t);
		return -1;
	}
	return 0;
}

static int
contains_open(const xmlChar *s)
{
	return s != NULL && strstr((const char *)s, "{{") != NULL;
}

/* Substitutes in node's attributes, then in its text or children. node may
 * be freed (optional element left empty) or replaced by copies (list). */
static int
xml_subst(struct xctx *x, xmlNodePtr node, int is_root)
{
	xmlAttrPtr a, anext;
	xmlNodePtr c, cnext, only, copy;
	xmlChar *val;
	char name[RENDER_NAME_MAX + 2], where[160];
	const struct tvar *v;
	size_t i;
	int ph;

	for (a = node->properties; a != NULL; a = anext) {
		anext = a->next;
		if ((val = xmlNodeGetContent((xmlNodePtr)a)) == NULL)
			continue;
		ph = placeholder_name(val, name);
		if (!ph && contains_open(val)) {
			xmlFree(val);
			rfail(x->err, x->errlen, "template %s: <%s %s=\"...\">: a "
			    "placeholder must be the whole attribute value",
			    x->tpl, (const char *)node->name,
			    (const char *)a->name);
			return -1;
		}
		xmlFree(val);
		if (!ph)
			continue;
		snprintf(where, sizeof(where), "attribute %s of <%s>",
		    (const char *)a->name, (const char *)node->name);
		if ((v = xml_lookup(x, name, where)) == NULL)
			return -1;
		if (v->is_list) {
			rfail(x->err, x->errlen, "template %s: list placeholder "
			    "{{%s}} is not allowed in an attribute", x->tpl, name);
			return -1;
		}
		if (v->value == NULL || v->value[0] == '\0') {
			xmlRemoveProp(a);	/* optional attribute */
			continue;
		}
		/* xmlSetNsProp stores the value as a text node (no entity
		 * parsing); the serialiser escapes it. */
		if (xmlSetNsProp(node, a->ns, a->name, XC(v->value)) ==
		    NULL) {
			rfail(x->err, x->errlen, "template %s: out of memory",
			    x->tpl);
			return -1;
		}
	}

	only = node->children;
	if (only != NULL && only->next == NULL &&
	    (only->type == XML_TEXT_NODE ||
	    only->type == XML_CDATA_SECTION_NODE) &&
	    placeholder_name(only->content, name)) {
		snprintf(where, sizeof(where), "<%s>", (const char *)node->name);
		if (is_root) {
			rfail(x->err, x->errlen, "template %s: the root element "
			    "cannot be a placeholder", x->tpl);
			return -1;
		}
		if ((v = xml_lookup(x, name, where)) == NULL)
			return -1;
		if (!v->is_list) {
			if (v->value == NULL || v->value[0] == '\0') {
				xmlUnlinkNode(node);	/* optional element */
				xmlFreeNode(node);
				return 0;
			}
			if (set_text(node, v->value) == -1)
				goto oom;
			return 0;
		}
		/* one copy of the element per list item, in order */
		for (i = 0; v->list != NULL && i < v->list->n; i++) {
			if ((copy = xmlCopyNode(node, 1)) == NULL)
				goto oom;
			if (xmlAddPrevSibling(node, copy) == NULL) {
				xmlFreeNode(copy);
				goto oom;
			}
			if (set_text(copy, v->list->v[i]) == -1)
				goto oom;
		}
		xmlUnlinkNode(node);
		xmlFreeNode(node);
		return 0;
	}

	for (c = node->children; c != NULL; c = cnext) {
		cnext = c->next;
		if (c->type == XML_ELEMENT_NODE) {
			if (xml_subst(x, c, 0) == -1)
				return -1;
		} else if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) &&
		    contains_open(c->content)) {
			rfail(x->err, x->errlen, "template %s: in <%s>, a "
			    "placeholder must be the element's entire text",
			    x->tpl, (const char *)node->name);
			return -1;
		} else if (c->type == XML_ENTITY_REF_NODE) {
			rfail(x->err, x->errlen, "template %s: entity references "
			    "are not allowed", x->tpl);
			return -1;
		}
	}
	return 0;
oom:
	rfail(x->err, x->errlen, "template %s: out of memory", x->tpl);
	return -1;
}

char *
render_answerfile(const struct config *cfg, const struct host *h,
    enum host_mode mode, const char *token, size_t *len,
    char *err, size_t errlen)
{
	struct tvars vars = { .n = 0 };
	struct xctx x;
	xmlDocPtr doc = NULL;
	xmlChar *dump = NULL;
	int dumplen = 0;
	char tplname[64], mac[18];
	char *tpl = NULL, *source_url = NULL, *script_url = NULL, *out = NULL;
	const char *repo, *why, *product = NULL;
	size_t tlen = 0;
	int is_static;

	if (len != NULL)
		*len = 0;
	if (check_host(cfg, h, token, &repo, err, errlen) == -1)
		goto out;
	if (!mode_ok(mode)) {
		rfail(err, errlen, "host %s: bad mode", h->name);
		goto out;
	}
	if (util_mac_parse(h->mac, mac, &why) == -1) {
		rfail(err, errlen, "host %s: bad MAC address", h->name);
		goto out;
	}
	if (asprintf(&source_url, "%s/repo/%s/", cfg->public_url, repo) < 0) {
		source_url = NULL;
		rfail(err, errlen, "host %s: out of memory", h->name);
		goto out;
	}
	if ((script_url = render_host_url(cfg, h, token, "script")) == NULL) {
		rfail(err, errlen, "host %s: cannot build the script URL",
		    h->name);
		goto out;
	}
	if (h->repo != NULL)
		product = h->repo->product_version;

	is_static = h->ip != NULL && h->ip[0] != '\0';
	tvars_set(&vars, "host", h->name);
	tvars_set(&vars, "mac", mac);
	tvars_set(&vars, "disk", h->disk);
	tvars_set(&vars, "mode", config_mode_name(mode));
	tvars_set(&vars, "proto", is_static ? "static" : "dhcp");
	tvars_set(&vars, "ip", is_static ? h->ip : NULL);
	tvars_set(&vars, "netmask", is_static ? h->netmask : NULL);
	tvars_set(&vars, "gateway", is_static ? h->gateway : NULL);
	tvars_set_list(&vars, "dns", &h->dns);
	tvars_set_list(&vars, "ntp", &h->ntp);
	tvars_set(&vars, "hostname", h->hostname);
	tvars_set(&vars, "timezone", h->timezone);
	tvars_set(&vars, "keymap", h->keymap);
	tvars_set(&vars, "interface_name", h->interface);
	tvars_set(&vars, "interface_hwaddr", h->interface != NULL &&
	    h->interface[0] != '\0' ? NULL : mac);
	tvars_set(&vars, "root_password_hash", h->root_password_hash);
	tvars_set(&vars, "sr_type", h->sr_type);
	tvars_set(&vars, "source_url", source_url);
	tvars_set(&vars, "script_url", script_url);
	tvars_set(&vars, "repo", repo);
	tvars_set(&vars, "product_version", product);

	snprintf(tplname, sizeof(tplname), "answerfile-%s.xml",
	    config_mode_name(mode));
	if ((tpl = read_template(cfg, tplname, &tlen, err, errlen)) == NULL)
		goto out;
	{
		char what[96];

		snprintf(what, sizeof(what), "template %s", tplname);
		if ((doc = xml_parse(tpl, tlen, what, 1, err, errlen)) == NULL)
			goto out;
	}
	x.vars = &vars;
	x.tpl = tplname;
	x.err = err;
	x.errlen = errlen;
	if (xml_subst(&x, xmlDocGetRootElement(doc), 1) == -1)
		goto out;

	xmlDocDumpFormatMemoryEnc(doc, &dump, &dumplen, "UTF-8", 1);
	if (dump == NULL || dumplen <= 0) {
		rfail(err, errlen, "host %s: cannot serialise the answerfile",
		    h->name);
		goto out;
	}
	if ((out = malloc((size_t)dumplen + 1)) == NULL) {
		rfail(err, errlen, "host %s: out of memory", h->name);
		goto out;
	}
	memcpy(out, dump, (size_t)dumplen);
	out[dumplen] = '\0';
	if (render_validate_answerfile(out, (size_t)dumplen, mode,
	    h->pool_name != NULL || h->pool != NULL, err, errlen) == -1) {
		free(out);
		out = NULL;
		goto out;
	}
	if (len != NULL)
		*len = (size_t)dumplen;
out:
	if (dump != NULL)
		xmlFree(dump);
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(tpl);
	free(source_url);
	free(script_url);
	return out;
}

/* ------------------------------------------------ answerfile validation */

/* The installer looks elements up with getElementsByTagName, i.e. among
 * all descendants; so do we. */
static size_t
count_desc(xmlNodePtr n, const char *name, xmlNodePtr *first)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, name)) {
			if (k == 0 && first != NULL && *first == NULL)
				*first = c;
			k++;
		}
		k += count_desc(c, name, first);
	}
	return k;
}

static int
text_nonempty(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const xmlChar *p;
	int r = 0;

	for (p = t; p != NULL && *p != '\0'; p++) {
		if (!isspace(*p)) {
			r = 1;
			break;
		}
	}
	xmlFree(t);
	return r;
}

static int
attr_is(xmlNodePtr n, const char *attr, const char *want)
{
	xmlChar *v = xmlGetProp(n, XC(attr));
	int r;

	if (want == NULL)
		r = v != NULL && v[0] != '\0';
	else
		r = v != NULL && xmlStrEqual(v, XC(want));
	xmlFree(v);
	return r;
}

static int
has_entity_refs(xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ENTITY_REF_NODE ||
		    c->type == XML_ENTITY_NODE || c->type == XML_DTD_NODE)
			return 1;
		if (c->type == XML_ELEMENT_NODE && has_entity_refs(c))
			return 1;
	}
	return 0;
}

/* An element name must occur exactly once (descendants) with text. */
static int
require_one(xmlNodePtr root, const char *name, const char *m, char *err,
    size_t errlen, xmlNodePtr *found)
{
	xmlNodePtr first = NULL;
	size_t k = count_desc(root, name, &first);

	if (k == 0) {
		rfail(err, errlen, "answerfile (%s): required element <%s> is "
		    "missing", m, name);
		return -1;
	}
	if (k > 1) {
		rfail(err, errlen, "answerfile (%s): element <%s> occurs %zu "
		    "times, expected once", m, name, k);
		return -1;
	}
	if (found != NULL)
		*found = first;
	return 0;
}

static int
require_text(xmlNodePtr root, const char *name, const char *m, char *err,
    size_t errlen, xmlNodePtr *found)
{
	xmlNodePtr n = NULL;

	if (require_one(root, name, m, err, errlen, &n) == -1)
		return -1;
	if (!text_nonempty(n)) {
		rfail(err, errlen, "answerfile (%s): required element <%s> is "
		    "empty", m, name);
		return -1;
	}
	if (found != NULL)
		*found = n;
	return 0;
}

static int
url_text_ok(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	int r = t != NULL && (xmlStrncmp(t, XC("http://"), 7) == 0 ||
	    xmlStrncmp(t, XC("https://"), 8) == 0) && xmlStrlen(t) > 8;

	xmlFree(t);
	return r;
}

/* Elements only a fresh install or reinstall may carry. */
static const char *const fresh_only[] = {
	"primary-disk", "guest-disks", "guest-disk", "admin-interface",
	"root-password", "name-server", "nameserver", "hostname", "timezone",
	"ntp-server", "ntp-servers", "ntp", "keymap", NULL
};
/* What a pool member's upgrade answerfile may contain, and nothing else. */
static const char *const upgrade_member_allowed[] = {
	"existing-installation", "source", "driver-source", "script", NULL
};

static int
in_list(const xmlChar *name, const char *const *l)
{
	for (; *l != NULL; l++)
		if (xmlStrEqual(name, XC(*l)))
			return 1;
	return 0;
}

static int
check_sources(xmlNodePtr root, const char *m, char *err, size_t errlen)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = root->children; c != NULL; c = c->next) {
		if (!is_el(c, "source"))
			continue;
		k++;
		if (!attr_is(c, "type", "url")) {
			rfail(err, errlen, "answerfile (%s): <source> must have "
			    "type=\"url\"", m);
			return -1;
		}
		if (!text_nonempty(c) || !url_text_ok(c)) {
			rfail(err, errlen, "answerfile (%s): <source> must hold an "
			    "http(s) URL", m);
			return -1;
		}
	}
	if (k == 0 || count_desc(root, "source", NULL) != k) {
		rfail(err, errlen, "answerfile (%s): required element <source "
		    "type=\"url\"> is missing", m);
		return -1;
	}
	return 0;
}

static int
check_script(xmlNodePtr root, const char *m, char *err, size_t errlen)
{
	xmlNodePtr c, found = NULL;
	size_t k = 0;

	for (c = root->children; c != NULL; c = c->next) {
		if (!is_el(c, "script") ||
		    !attr_is(c, "stage", "installation-complete"))
			continue;
		k++;
		found = c;
	}
	if (k == 0) {
		rfail(err, errlen, "answerfile (%s): required element <script "
		    "stage=\"installation-complete\" type=\"url\"> is missing", m);
		return -1;
	}
	if (k > 1) {
		rfail(err, errlen, "answerfile (%s): more than one <script "
		    "stage=\"installation-complete\">", m);
		return -1;
	}
	if (!attr_is(found, "type", "url")) {
		rfail(err, errlen, "answerfile (%s): <script "
		    "stage=\"installation-complete\"> must have type=\"url\"", m);
		return -1;
	}
	if (!text_nonempty(found) || !url_text_ok(found)) {
		rfail(err, errlen, "answerfile (%s): <script "
		    "stage=\"installation-complete\"> must hold an http(s) URL", m);
		return -1;
	}
	return 0;
}

static int
check_interface(xmlNodePtr root, const char *m, char *err, size_t errlen)
{
	static const char *const need[] = { "ipaddr", "subnet", "gateway" };
	xmlNodePtr ai = NULL, n;
	size_t i;

	if (require_one(root, "admin-interface", m, err, errlen, &ai) == -1)
		return -1;
	if (!attr_is(ai, "name", NULL) && !attr_is(ai, "hwaddr", NULL)) {
		rfail(err, errlen, "answerfile (%s): <admin-interface> needs a "
		    "name= or hwaddr= attribute", m);
		return -1;
	}
	if (attr_is(ai, "proto", "dhcp"))
		return 0;
	if (!attr_is(ai, "proto", "static")) {
		rfail(err, errlen, "answerfile (%s): <admin-interface> needs "
		    "proto=\"static\" or proto=\"dhcp\"", m);
		return -1;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		n = NULL;
		if (count_desc(ai, need[i], &n) != 1 || !text_nonempty(n)) {
			rfail(err, errlen, "answerfile (%s): required element <%s> "
			    "of a static <admin-interface> is missing", m, need[i]);
			return -1;
		}
	}
	return 0;
}

int
render_validate_answerfile(const char *xml, size_t len, enum host_mode mode,
    int pool_member, char *err, size_t errlen)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n;
	xmlAttrPtr a;
	const char *m;
	char what[64];
	size_t i;
	int ret = -1;

	if (!mode_ok(mode)) {
		rfail(err, errlen, "answerfile: unknown mode %d", (int)mode);
		goto out;
	}
	m = config_mode_name(mode);
	if (xml == NULL) {
		rfail(err, errlen, "answerfile (%s): empty", m);
		goto out;
	}
	snprintf(what, sizeof(what), "answerfile (%s)", m);
	if ((doc = xml_parse(xml, len, what, 0, err, errlen)) == NULL)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (has_entity_refs((xmlNodePtr)doc)) {
		rfail(err, errlen, "answerfile (%s): entity references are not "
		    "allowed", m);
		goto out;
	}
	if (root->ns != NULL) {
		rfail(err, errlen, "answerfile (%s): namespaced root element", m);
		goto out;
	}

	if (mode == MODE_RESTORE) {
		if (!is_el(root, "restore")) {
			rfail(err, errlen, "answerfile (restore): root element is "
			    "<%s>, expected <restore>", (const char *)root->name);
			goto out;
		}
		if (require_text(root, "backup-disk", m, err, errlen, NULL) == -1)
			goto out;
		if (check_script(root, m, err, errlen) == -1)
			goto out;
		ret = 0;
		goto out;
	}

	if (!is_el(root, "installation")) {
		rfail(err, errlen, "answerfile (%s): root element is <%s>, expected "
		    "<installation mode=\"%s\">", m, (const char *)root->name, m);
		goto out;
	}
	if (!attr_is(root, "mode", m)) {
		xmlChar *got = xmlGetProp(root, XC("mode"));
		char b[40];

		rfail(err, errlen, "answerfile (%s): root element must say "
		    "mode=\"%s\" (found %s%s%s)", m, m, got ? "mode=\"" : "",
		    got ? shown((const char *)got, b, sizeof(b)) : "no mode",
		    got ? "\"" : "");
		xmlFree(got);
		goto out;
	}
	if (check_sources(root, m, err, errlen) == -1)
		goto out;
	if (check_script(root, m, err, errlen) == -1)
		goto out;

	if (mode == MODE_UPGRADE) {
		if (require_text(root, "existing-installation", m, err, errlen,
		    NULL) == -1)
			goto out;
		for (i = 0; fresh_only[i] != NULL; i++) {
			if (count_desc(root, fresh_only[i], NULL) != 0) {
				rfail(err, errlen, "answerfile (upgrade): element "
				    "<%s> belongs to a fresh install and is not "
				    "allowed in an upgrade", fresh_only[i]);
				goto out;
			}
		}
		if (pool_member) {
			/* a pool member's upgrade: mode="upgrade" and nothing
			 * else that could change the host */
			for (a = root->properties; a != NULL; a = a->next) {
				if (!xmlStrEqual(a->name, XC("mode"))) {
					rfail(err, errlen, "answerfile (upgrade): "
					    "attribute %s= on <installation> is not "
					    "allowed for a pool member",
					    (const char *)a->name);
					goto out;
				}
			}
			for (n = root->children; n != NULL; n = n->next) {
				if (n->type == XML_ELEMENT_NODE &&
				    !in_list(n->name, upgrade_member_allowed)) {
					rfail(err, errlen, "answerfile (upgrade): "
					    "element <%s> is not allowed for a pool "
					    "member", (const char *)n->name);
					goto out;
				}
			}
		}
		ret = 0;
		goto out;
	}

	/* fresh, reinstall */
	if (count_desc(root, "existing-installation", NULL) != 0) {
		rfail(err, errlen, "answerfile (%s): element "
		    "<existing-installation> belongs to an upgrade", m);
		goto out;
	}
	if (require_text(root, "primary-disk", m, err, errlen, NULL) == -1 ||
	    check_interface(root, m, err, errlen) == -1)
		goto out;
	n = NULL;
	if (require_text(root, "root-password", m, err, errlen, &n) == -1)
		goto out;
	if (!attr_is(n, "type", "hash")) {
		rfail(err, errlen, "answerfile (%s): <root-password> must have "
		    "type=\"hash\" (plaintext passwords are never served)", m);
		goto out;
	}
	if (require_text(root, "hostname", m, err, errlen, NULL) == -1 ||
	    require_text(root, "timezone", m, err, errlen, NULL) == -1 ||
	    require_text(root, "keymap", m, err, errlen, NULL) == -1)
		goto out;
	ret = 0;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	return ret;
}
