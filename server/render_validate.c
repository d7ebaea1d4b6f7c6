/* render_validate.c — see render_validate.h. */
#include "render_validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render_grub_script.h"
#include "render_text.h"
#include "render_xml.h"

static int
render_validate_mode_ok(enum host_mode m)
{
	return (int)m >= 0 && m < MODE_COUNT;
}

/* ---- pxelinux ------------------------------------------------------------ */

static int
render_validate_digits(const char *s)
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

/* Checks the append line of an install entry (modified in place). */
static int
render_validate_append(char *line, int lineno, const char *expect, char *err,
    size_t errlen)
{
	char *w, *p = line;
	int seg = 0, segwords[3] = { 0, 0, 0 }, naf = 0, ninstall = 0;
	size_t elen = strlen(expect);

	while ((w = render_text_next_word(&p)) != NULL) {
		if (strcmp(w, "---") == 0) {
			if (++seg > 2) {
				render_text_fail(err, errlen, "pxelinux line "
				    "%d: more than two \"---\" in append",
				    lineno);
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
				render_text_fail(err, errlen, "pxelinux line "
				    "%d: answerfile argument is not the "
				    "expected URL", lineno);
				return -1;
			}
		}
		if (seg == 1 && strcmp(w, "install") == 0)
			ninstall++;
	}
	if (seg != 2) {
		render_text_fail(err, errlen, "pxelinux line %d: append needs "
		    "exactly two \"---\" (xen.gz ... --- vmlinuz ... --- "
		    "install.img), found %d", lineno, seg);
		return -1;
	}
	if (segwords[0] == 0 || segwords[1] == 0 || segwords[2] != 1) {
		render_text_fail(err, errlen, "pxelinux line %d: append needs "
		    "xen.gz, vmlinuz and install.img, one per segment", lineno);
		return -1;
	}
	if (naf != 1) {
		render_text_fail(err, errlen, "pxelinux line %d: expected "
		    "exactly one answerfile= argument, found %d", lineno, naf);
		return -1;
	}
	if (ninstall != 1) {
		render_text_fail(err, errlen, "pxelinux line %d: dom0 "
		    "arguments lack \"install\"", lineno);
		return -1;
	}
	return 0;
}


/* What render_validate_pxelinux has seen so far. */
struct render_validate_pxe {
	const char *expect;	/* the answerfile URL; NULL: local boot */
	char	*def;		/* the default's and the label's value */
	char	*label;
	int	 ndefault, nlabel, nkernel, nappend, nlocal;
};

/* The whole text: bounded, printable ASCII lines only. */
static int
render_validate_pxe_chars(const char *text, char *err, size_t errlen)
{
	size_t i, len;
	int lineno = 0;

	if (text == NULL) {
		render_text_fail(err, errlen, "pxelinux: no text");
		return -1;
	}
	len = strlen(text);
	if (len > RENDER_TEXT_MAX) {
		render_text_fail(err, errlen, "pxelinux: config too large");
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			lineno++;
		else if (c < 0x20 || c >= 0x7f) {
			render_text_fail(err, errlen, "pxelinux line %d: "
			    "control or non-ASCII character (0x%02x)",
			    lineno + 1, c);
			return -1;
		}
	}
	return 0;
}

/* A directive other than append, with its one value arg. */
static int
render_validate_pxe_word(struct render_validate_pxe *s, const char *kw,
    char *arg, int lineno, char *err, size_t errlen)
{
	char b[40];

	if (strcasecmp(kw, "default") == 0) {
		s->ndefault++;
		s->def = arg;
	} else if (strcasecmp(kw, "label") == 0) {
		s->nlabel++;
		s->label = arg;
	} else if (strcasecmp(kw, "kernel") == 0) {
		s->nkernel++;
		if (strcmp(arg, "mboot.c32") != 0) {
			render_text_fail(err, errlen, "pxelinux line %d: "
			    "kernel must be mboot.c32", lineno);
			return -1;
		}
	} else if (strcasecmp(kw, "localboot") == 0) {
		s->nlocal++;
		if (!render_validate_digits(arg)) {
			render_text_fail(err, errlen, "pxelinux line %d: "
			    "localboot takes a number", lineno);
			return -1;
		}
	} else if (strcasecmp(kw, "prompt") == 0 ||
	    strcasecmp(kw, "timeout") == 0) {
		if (!render_validate_digits(arg)) {
			render_text_fail(err, errlen, "pxelinux line %d: %s "
			    "takes a number", lineno, kw);
			return -1;
		}
	} else {
		render_text_fail(err, errlen, "pxelinux line %d: unexpected "
		    "directive \"%s\"", lineno,
		    render_text_shown(kw, b, sizeof(b)));
		return -1;
	}
	return 0;
}

/* One line (modified in place): blank, a comment, or a directive. */
static int
render_validate_pxe_line(struct render_validate_pxe *s, char *line,
    int lineno, char *err, size_t errlen)
{
	char *p = line, *kw, *arg, *extra;

	while (*p == ' ')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	kw = render_text_next_word(&p);
	while (*p == ' ')
		p++;
	arg = p;
	if (strcasecmp(kw, "append") == 0) {
		s->nappend++;
		if (s->expect == NULL) {
			render_text_fail(err, errlen, "pxelinux line %d: "
			    "append in a local boot config", lineno);
			return -1;
		}
		return render_validate_append(arg, lineno, s->expect, err,
		    errlen);
	}
	/* every other directive takes exactly one word */
	arg = render_text_next_word(&p);
	extra = render_text_next_word(&p);
	if (arg == NULL || extra != NULL) {
		render_text_fail(err, errlen, "pxelinux line %d: %s takes "
		    "exactly one value", lineno, kw);
		return -1;
	}
	return render_validate_pxe_word(s, kw, arg, lineno, err, errlen);
}

/* What the whole config must have: one label that the default names, and
 * the entries of a local boot or of an install. */
static int
render_validate_pxe_totals(const struct render_validate_pxe *s,
    const char *text, char *err, size_t errlen)
{
	if (s->ndefault != 1 || s->nlabel != 1 ||
	    strcmp(s->def, s->label) != 0) {
		render_text_fail(err, errlen, "pxelinux: need exactly one "
		    "label and a default naming it");
		return -1;
	}
	if (s->expect == NULL) {
		if (s->nlocal != 1 || s->nkernel != 0 || s->nappend != 0) {
			render_text_fail(err, errlen, "pxelinux: a local boot "
			    "config needs exactly one localboot and no "
			    "kernel/append");
			return -1;
		}
		if (strstr(text, "answerfile=") != NULL) {
			render_text_fail(err, errlen, "pxelinux: a local boot "
			    "config must not mention answerfile=");
			return -1;
		}
	} else if (s->nkernel != 1 || s->nappend != 1 || s->nlocal != 0) {
		render_text_fail(err, errlen, "pxelinux: an install config "
		    "needs exactly one kernel mboot.c32 and one append, and no "
		    "localboot");
		return -1;
	}
	return 0;
}

int
render_validate_pxelinux(const char *text, const char *expect_answerfile_url,
    char *err, size_t errlen)
{
	struct render_validate_pxe s;
	char *copy = NULL, *line, *next;
	int lineno = 0, ret = -1;

	memset(&s, 0, sizeof(s));
	s.expect = expect_answerfile_url;
	if (render_validate_pxe_chars(text, err, errlen) == -1)
		goto out;
	if ((copy = strdup(text)) == NULL) {
		render_text_fail(err, errlen, "pxelinux: out of memory");
		goto out;
	}
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (render_validate_pxe_line(&s, line, lineno, err,
		    errlen) == -1)
			goto out;
	}
	if (render_validate_pxe_totals(&s, text, err, errlen) == -1)
		goto out;
	ret = 0;
out:
	free(copy);
	return ret;
}

/* ---- GRUB (the language: render_grub_script.c) --------------------------- */

int
render_validate_grub(const char *text, const char *expect_answerfile_url,
    char *err, size_t errlen)
{
	return render_grub_script_check(text, expect_answerfile_url != NULL ?
	    RENDER_GRUB_SCRIPT_INSTALL : RENDER_GRUB_SCRIPT_LOCAL,
	    expect_answerfile_url, "grub", err, errlen);
}

int
render_validate_grub_main(const char *text, char *err, size_t errlen)
{
	return render_grub_script_check(text, RENDER_GRUB_SCRIPT_MAIN, NULL,
	    "grub.cfg", err, errlen);
}

/* ---- answerfiles --------------------------------------------------------- */

/* The installer looks elements up with getElementsByTagName, i.e. among
 * all descendants; so do we. */
static size_t
render_validate_count(xmlNodePtr n, const char *name, xmlNodePtr *first)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (render_xml_is_el(c, name)) {
			if (k == 0 && first != NULL && *first == NULL)
				*first = c;
			k++;
		}
		k += render_validate_count(c, name, first);
	}
	return k;
}

static int
render_validate_has_text(xmlNodePtr n)
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
render_validate_attr_is(xmlNodePtr n, const char *attr, const char *want)
{
	xmlChar *v = xmlGetProp(n, RENDER_XC(attr));
	int r;

	if (want == NULL)
		r = v != NULL && v[0] != '\0';
	else
		r = v != NULL && xmlStrEqual(v, RENDER_XC(want));
	xmlFree(v);
	return r;
}

static int
render_validate_has_entities(xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ENTITY_REF_NODE ||
		    c->type == XML_ENTITY_NODE || c->type == XML_DTD_NODE)
			return 1;
		if (c->type == XML_ELEMENT_NODE &&
		    render_validate_has_entities(c))
			return 1;
	}
	return 0;
}

/* An element name must occur exactly once (descendants) with text. */
static int
render_validate_require_one(xmlNodePtr root, const char *name, const char *m,
    char *err, size_t errlen, xmlNodePtr *found)
{
	xmlNodePtr first = NULL;
	size_t k = render_validate_count(root, name, &first);

	if (k == 0) {
		render_text_fail(err, errlen, "answerfile (%s): required "
		    "element <%s> is missing", m, name);
		return -1;
	}
	if (k > 1) {
		render_text_fail(err, errlen, "answerfile (%s): element <%s> "
		    "occurs %zu times, expected once", m, name, k);
		return -1;
	}
	if (found != NULL)
		*found = first;
	return 0;
}

static int
render_validate_require_text(xmlNodePtr root, const char *name, const char *m,
    char *err, size_t errlen, xmlNodePtr *found)
{
	xmlNodePtr n = NULL;

	if (render_validate_require_one(root, name, m, err, errlen, &n) == -1)
		return -1;
	if (!render_validate_has_text(n)) {
		render_text_fail(err, errlen, "answerfile (%s): required "
		    "element <%s> is empty", m, name);
		return -1;
	}
	if (found != NULL)
		*found = n;
	return 0;
}

static int
render_validate_url_text(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	int r = t != NULL && (xmlStrncmp(t, RENDER_XC("http://"), 7) == 0 ||
	    xmlStrncmp(t, RENDER_XC("https://"), 8) == 0) && xmlStrlen(t) > 8;

	xmlFree(t);
	return r;
}

/* Elements only a fresh install or reinstall may carry. */
static const char *const render_validate_fresh_only[] = {
	"primary-disk", "guest-disks", "guest-disk", "admin-interface",
	"root-password", "name-server", "nameserver", "hostname", "timezone",
	"ntp-server", "ntp-servers", "ntp", "keymap", NULL
};
/* What a pool member's upgrade answerfile may contain, and nothing else. */
static const char *const render_validate_member_allowed[] = {
	"existing-installation", "source", "driver-source", "script", NULL
};

static int
render_validate_in_list(const xmlChar *name, const char *const *l)
{
	for (; *l != NULL; l++)
		if (xmlStrEqual(name, RENDER_XC(*l)))
			return 1;
	return 0;
}

static int
render_validate_sources(xmlNodePtr root, const char *m, char *err,
    size_t errlen)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = root->children; c != NULL; c = c->next) {
		if (!render_xml_is_el(c, "source"))
			continue;
		k++;
		if (!render_validate_attr_is(c, "type", "url")) {
			render_text_fail(err, errlen, "answerfile (%s): "
			    "<source> must have type=\"url\"", m);
			return -1;
		}
		if (!render_validate_has_text(c) ||
		    !render_validate_url_text(c)) {
			render_text_fail(err, errlen, "answerfile (%s): "
			    "<source> must hold an http(s) URL", m);
			return -1;
		}
	}
	if (k == 0 || render_validate_count(root, "source", NULL) != k) {
		render_text_fail(err, errlen, "answerfile (%s): required "
		    "element <source type=\"url\"> is missing", m);
		return -1;
	}
	return 0;
}

static int
render_validate_script(xmlNodePtr root, const char *m, char *err, size_t errlen)
{
	xmlNodePtr c, found = NULL;
	size_t k = 0;

	for (c = root->children; c != NULL; c = c->next) {
		if (!render_xml_is_el(c, "script") ||
		    !render_validate_attr_is(c, "stage",
		    "installation-complete"))
			continue;
		k++;
		found = c;
	}
	if (k == 0) {
		render_text_fail(err, errlen, "answerfile (%s): required "
		    "element <script stage=\"installation-complete\" "
		    "type=\"url\"> is missing", m);
		return -1;
	}
	if (k > 1) {
		render_text_fail(err, errlen, "answerfile (%s): more than one "
		    "<script stage=\"installation-complete\">", m);
		return -1;
	}
	if (!render_validate_attr_is(found, "type", "url")) {
		render_text_fail(err, errlen, "answerfile (%s): <script "
		    "stage=\"installation-complete\"> must have type=\"url\"",
		    m);
		return -1;
	}
	if (!render_validate_has_text(found) ||
	    !render_validate_url_text(found)) {
		render_text_fail(err, errlen, "answerfile (%s): <script "
		    "stage=\"installation-complete\"> must hold an http(s) URL",
		    m);
		return -1;
	}
	return 0;
}

static int
render_validate_interface(xmlNodePtr root, const char *m, char *err,
    size_t errlen)
{
	static const char *const need[] = { "ipaddr", "subnet", "gateway" };
	xmlNodePtr ai = NULL, n;
	size_t i;

	if (render_validate_require_one(root, "admin-interface", m, err, errlen,
	    &ai) == -1)
		return -1;
	if (!render_validate_attr_is(ai, "name", NULL) &&
	    !render_validate_attr_is(ai, "hwaddr", NULL)) {
		render_text_fail(err, errlen, "answerfile (%s): "
		    "<admin-interface> needs a name= or hwaddr= attribute", m);
		return -1;
	}
	if (render_validate_attr_is(ai, "proto", "dhcp"))
		return 0;
	if (!render_validate_attr_is(ai, "proto", "static")) {
		render_text_fail(err, errlen, "answerfile (%s): "
		    "<admin-interface> needs proto=\"static\" or proto=\"dhcp\""
		    , m);
		return -1;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		n = NULL;
		if (render_validate_count(ai, need[i], &n) != 1 ||
		    !render_validate_has_text(n)) {
			render_text_fail(err, errlen, "answerfile (%s): "
			    "required element <%s> of a static "
			    "<admin-interface> is missing", m, need[i]);
			return -1;
		}
	}
	return 0;
}


/* <restore>: the backup disk and the installation-complete script. */
static int
render_validate_restore(xmlNodePtr root, const char *m, char *err,
    size_t errlen)
{
	if (!render_xml_is_el(root, "restore")) {
		render_text_fail(err, errlen, "answerfile (restore): root "
		    "element is <%s>, expected <restore>",
		    (const char *)root->name);
		return -1;
	}
	if (render_validate_require_text(root, "backup-disk", m, err, errlen,
	    NULL) == -1)
		return -1;
	return render_validate_script(root, m, err, errlen);
}

/* <installation mode="m"> with its sources and script. */
static int
render_validate_installation(xmlNodePtr root, const char *m, char *err,
    size_t errlen)
{
	xmlChar *got;
	char b[40];

	if (!render_xml_is_el(root, "installation")) {
		render_text_fail(err, errlen, "answerfile (%s): root element "
		    "is <%s>, expected <installation mode=\"%s\">", m,
		    (const char *)root->name, m);
		return -1;
	}
	if (!render_validate_attr_is(root, "mode", m)) {
		got = xmlGetProp(root, RENDER_XC("mode"));
		render_text_fail(err, errlen, "answerfile (%s): root element "
		    "must say mode=\"%s\" (found %s%s%s)", m, m,
		    got ? "mode=\"" : "",
		    got ? render_text_shown((const char *)got, b, sizeof(b)) :
		    "no mode", got ? "\"" : "");
		xmlFree(got);
		return -1;
	}
	if (render_validate_sources(root, m, err, errlen) == -1)
		return -1;
	return render_validate_script(root, m, err, errlen);
}

/* A pool member's upgrade: mode="upgrade" and nothing else that could
 * change the host. */
static int
render_validate_member(xmlNodePtr root, char *err, size_t errlen)
{
	xmlAttrPtr a;
	xmlNodePtr n;

	for (a = root->properties; a != NULL; a = a->next) {
		if (!xmlStrEqual(a->name, RENDER_XC("mode"))) {
			render_text_fail(err, errlen, "answerfile (upgrade): "
			    "attribute %s= on <installation> is not allowed "
			    "for a pool member", (const char *)a->name);
			return -1;
		}
	}
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    !render_validate_in_list(n->name,
		    render_validate_member_allowed)) {
			render_text_fail(err, errlen, "answerfile (upgrade): "
			    "element <%s> is not allowed for a pool member",
			    (const char *)n->name);
			return -1;
		}
	}
	return 0;
}

/* An upgrade: the existing installation, nothing of a fresh install. */
static int
render_validate_upgrade(xmlNodePtr root, const char *m, int pool_member,
    char *err, size_t errlen)
{
	size_t i;

	if (render_validate_require_text(root, "existing-installation", m, err,
	    errlen, NULL) == -1)
		return -1;
	for (i = 0; render_validate_fresh_only[i] != NULL; i++) {
		if (render_validate_count(root, render_validate_fresh_only[i],
		    NULL) != 0) {
			render_text_fail(err, errlen, "answerfile (upgrade): "
			    "element <%s> belongs to a fresh install and is "
			    "not allowed in an upgrade",
			    render_validate_fresh_only[i]);
			return -1;
		}
	}
	if (pool_member)
		return render_validate_member(root, err, errlen);
	return 0;
}

/* fresh, reinstall: a new system with its disk, network, hashed root
 * password, host name, time zone and keymap. */
static int
render_validate_fresh(xmlNodePtr root, const char *m, char *err,
    size_t errlen)
{
	xmlNodePtr n = NULL;

	if (render_validate_count(root, "existing-installation", NULL) != 0) {
		render_text_fail(err, errlen, "answerfile (%s): element "
		    "<existing-installation> belongs to an upgrade", m);
		return -1;
	}
	if (render_validate_require_text(root, "primary-disk", m, err, errlen,
	    NULL) == -1 ||
	    render_validate_interface(root, m, err, errlen) == -1)
		return -1;
	if (render_validate_require_text(root, "root-password", m, err, errlen,
	    &n) == -1)
		return -1;
	if (!render_validate_attr_is(n, "type", "hash")) {
		render_text_fail(err, errlen, "answerfile (%s): "
		    "<root-password> must have type=\"hash\" (plaintext "
		    "passwords are never served)", m);
		return -1;
	}
	if (render_validate_require_text(root, "hostname", m, err, errlen,
	    NULL) == -1 ||
	    render_validate_require_text(root, "timezone", m, err, errlen,
	    NULL) == -1 ||
	    render_validate_require_text(root, "keymap", m, err, errlen,
	    NULL) == -1)
		return -1;
	return 0;
}

/* The <script stage="filesystem-populated"> elements anywhere below n. */
static size_t
render_validate_count_fs(xmlNodePtr n, xmlNodePtr *first)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (render_xml_is_el(c, "script") &&
		    render_validate_attr_is(c, "stage", "filesystem-populated")) {
			if (k == 0 && *first == NULL)
				*first = c;
			k++;
		}
		k += render_validate_count_fs(c, first);
	}
	return k;
}

/* The filesystem-populated stage runs with the new system's root: only
 * poolboot's own script that installs the XAPI certificate of a host it
 * joins to a pool (hostcert_url), and only then. */
static int
render_validate_fs_script(xmlNodePtr root, enum host_mode mode,
    const char *m, const char *hostcert_url, char *err, size_t errlen)
{
	xmlNodePtr n = NULL;
	xmlChar *t;
	size_t k = render_validate_count_fs(root, &n);
	int same;

	if (hostcert_url == NULL) {
		if (k == 0)
			return 0;
		render_text_fail(err, errlen, "answerfile (%s): <script "
		    "stage=\"filesystem-populated\"> is poolboot's own, for "
		    "the certificate of a host it joins to a pool (a rebuild or "
		    "an install with join =); remove it from the template", m);
		return -1;
	}
	if (mode != MODE_FRESH && mode != MODE_REINSTALL) {
		render_text_fail(err, errlen, "answerfile (%s): no XAPI "
		    "certificate is installed in this mode", m);
		return -1;
	}
	if (k != 1) {
		render_text_fail(err, errlen, "answerfile (%s): %s; a host "
		    "poolboot joins to a pool needs exactly one <script stage="
		    "\"filesystem-populated\" type=\"url\">"
		    "{{hostcert_script_url}}</script> (templates/README.md)", m,
		    k == 0 ? "the template has no filesystem-populated script" :
		    "more than one filesystem-populated script");
		return -1;
	}
	t = xmlNodeGetContent(n);
	same = t != NULL && xmlStrEqual(t, RENDER_XC(hostcert_url));
	xmlFree(t);
	if (!render_validate_attr_is(n, "type", "url") || !same) {
		render_text_fail(err, errlen, "answerfile (%s): the "
		    "filesystem-populated script must be type=\"url\" with "
		    "{{hostcert_script_url}} and nothing else", m);
		return -1;
	}
	return 0;
}

int
render_validate_answerfile(const char *xml, size_t len, enum host_mode mode,
    int pool_member, char *err, size_t errlen)
{
	return render_validate_answerfile_for(xml, len, mode, pool_member,
	    NULL, err, errlen);
}

int
render_validate_answerfile_for(const char *xml, size_t len,
    enum host_mode mode, int pool_member, const char *hostcert_url,
    char *err, size_t errlen)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	const char *m;
	char what[64];
	int ret = -1;

	if (!render_validate_mode_ok(mode)) {
		render_text_fail(err, errlen, "answerfile: unknown mode %d",
		    (int)mode);
		goto out;
	}
	m = config_mode_name(mode);
	if (xml == NULL) {
		render_text_fail(err, errlen, "answerfile (%s): empty", m);
		goto out;
	}
	snprintf(what, sizeof(what), "answerfile (%s)", m);
	if ((doc = render_xml_parse(xml, len, what, 0, err, errlen)) == NULL)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (render_validate_has_entities((xmlNodePtr)doc)) {
		render_text_fail(err, errlen, "answerfile (%s): entity "
		    "references are not allowed", m);
		goto out;
	}
	if (root->ns != NULL) {
		render_text_fail(err, errlen, "answerfile (%s): namespaced "
		    "root element", m);
		goto out;
	}
	if (render_validate_fs_script(root, mode, m, hostcert_url, err,
	    errlen) == -1)
		ret = -1;
	else if (mode == MODE_RESTORE)
		ret = render_validate_restore(root, m, err, errlen);
	else if (render_validate_installation(root, m, err, errlen) == -1)
		ret = -1;
	else if (mode == MODE_UPGRADE)
		ret = render_validate_upgrade(root, m, pool_member, err,
		    errlen);
	else
		ret = render_validate_fresh(root, m, err, errlen);
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	return ret;
}
