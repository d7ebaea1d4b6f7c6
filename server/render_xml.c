/* render_xml.c — see render_xml.h. */
#include "render_xml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#define RENDER_XML_MAX		(1024 * 1024)	/* an XML document to parse */
#define RENDER_XML_VALUE_MAX	4096		/* one inventory value in XML */

/* Parses untrusted or operator XML: no network, no DTD loading, no entity
 * substitution, and any DOCTYPE refused (with it, entities). */
xmlDocPtr
render_xml_parse(const char *buf, size_t len, const char *what, int noblanks,
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
	if (len > (size_t)RENDER_XML_MAX || len > (size_t)0x7fffffff) {
		render_text_fail(err, errlen, "%s: too large", what);
		return NULL;
	}
	/* Cheap refusal before the parser sees a DTD at all. */
	for (i = 0; i + 2 <= len; i++) {
		if (buf[i] != '<' || buf[i + 1] != '!')
			continue;
		if ((i + 9 <= len && memcmp(buf + i, "<!DOCTYPE", 9) == 0) ||
		    (i + 8 <= len && memcmp(buf + i, "<!ENTITY", 8) == 0)) {
			render_text_fail(err, errlen, "%s: a DOCTYPE or ENTITY "
			    "declaration is not allowed", what);
			return NULL;
		}
	}
	xmlInitParser();
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		render_text_fail(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "noname.xml", NULL, opts);
	if (doc == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(msg, sizeof(msg), "%s",
		    e != NULL && e->message != NULL ? e->message :
		    "parse error");
		msg[strcspn(msg, "\n")] = '\0';
		render_text_fail(err, errlen, "%s: not well-formed XML (line "
		    "%d: %s)", what, e != NULL ? e->line : 0, msg);
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		render_text_fail(err, errlen, "%s: a DOCTYPE is not allowed",
		    what);
		xmlFreeDoc(doc);
		doc = NULL;
		goto out;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		render_text_fail(err, errlen, "%s: no root element", what);
		xmlFreeDoc(doc);
		doc = NULL;
	}
out:
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int
render_xml_is_el(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    xmlStrEqual(n->name, RENDER_XC(name));
}

/* Text of s without leading/trailing white space is "{{name}}" or
 * "{{name*}}": copies the name (with '*') into out and returns 1. */
static int
render_xml_placeholder(const xmlChar *s, char out[RENDER_TEXT_NAME_MAX + 2])
{
	const char *p = (const char *)s, *e;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (e - p < 5 || strncmp(p, "{{", 2) != 0 ||
	    strncmp(e - 2, "}}", 2) != 0)
		return 0;
	p += 2;
	e -= 2;
	n = (size_t)(e - p);
	if (n == 0 || n > RENDER_TEXT_NAME_MAX)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* A value headed into XML text: valid UTF-8 with no control character an
 * XML 1.0 document cannot carry. Markup characters are fine: they end up
 * as escaped text. */
static int
render_xml_value_ok(const char *v)
{
	size_t i, len = strlen(v);

	if (len > RENDER_XML_VALUE_MAX || !xmlCheckUTF8(RENDER_XC(v)))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return 0;
	}
	return 1;
}

struct render_xml_ctx {
	const struct render_text_vars	*vars;
	const char		*tpl;
	char			*err;
	size_t			 errlen;
};

static const struct render_text_var *
render_xml_lookup(struct render_xml_ctx *x, const char *name, const char *where)
{
	const struct render_text_var *v;
	size_t n = strlen(name);
	int star = n > 0 && name[n - 1] == '*';
	char b[80];
	size_t i;

	v = render_text_get(x->vars, name, star ? n - 1 : n);
	if (v == NULL || v->is_list != star) {
		render_text_fail(x->err, x->errlen, "template %s: unknown "
		    "placeholder {{%s}} in %s", x->tpl,
		    render_text_shown(name, b, sizeof(b)), where);
		return NULL;
	}
	if (v->is_list) {
		for (i = 0; v->list != NULL && i < v->list->n; i++) {
			if (!render_xml_value_ok(v->list->v[i]))
				goto bad;
		}
	} else if (v->value != NULL && !render_xml_value_ok(v->value))
		goto bad;
	return v;
bad:
	render_text_fail(x->err, x->errlen, "template %s: value for {{%s}} is "
	    "not valid UTF-8 text or contains a control character", x->tpl,
	    render_text_shown(name, b, sizeof(b)));
	return NULL;
}

/* Replaces every child of node with one text node holding value. The text
 * node is made with xmlNewDocText: value is stored as-is and escaped when
 * serialised, never parsed as markup or entity references. */
static int
render_xml_set_text(xmlNodePtr node, const char *value)
{
	xmlNodePtr c, t;

	while ((c = node->children) != NULL) {
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	if ((t = xmlNewDocText(node->doc, RENDER_XC(value))) == NULL)
		return -1;
	if (xmlAddChild(node, t) == NULL) {
		xmlFreeNode(t);
		return -1;
	}
	return 0;
}

static int
render_xml_has_open(const xmlChar *s)
{
	return s != NULL && strstr((const char *)s, "{{") != NULL;
}

/* Substitutes in node's attributes: a placeholder must be the whole value;
 * an unset or empty scalar removes the (optional) attribute. */
static int
render_xml_subst_attrs(struct render_xml_ctx *x, xmlNodePtr node)
{
	xmlAttrPtr a, anext;
	xmlChar *val;
	char name[RENDER_TEXT_NAME_MAX + 2], where[160];
	const struct render_text_var *v;
	int ph;

	for (a = node->properties; a != NULL; a = anext) {
		anext = a->next;
		if ((val = xmlNodeGetContent((xmlNodePtr)a)) == NULL)
			continue;
		ph = render_xml_placeholder(val, name);
		if (!ph && render_xml_has_open(val)) {
			xmlFree(val);
			render_text_fail(x->err, x->errlen, "template %s: <%s "
			    "%s=\"...\">: a placeholder must be the whole "
			    "attribute value", x->tpl, (const char *)node->name,
			    (const char *)a->name);
			return -1;
		}
		xmlFree(val);
		if (!ph)
			continue;
		snprintf(where, sizeof(where), "attribute %s of <%s>",
		    (const char *)a->name, (const char *)node->name);
		if ((v = render_xml_lookup(x, name, where)) == NULL)
			return -1;
		if (v->is_list) {
			render_text_fail(x->err, x->errlen, "template %s: list "
			    "placeholder {{%s}} is not allowed in an attribute",
			    x->tpl, name);
			return -1;
		}
		if (v->value == NULL || v->value[0] == '\0') {
			xmlRemoveProp(a);	/* optional attribute */
			continue;
		}
		/* xmlSetNsProp stores the value as a text node (no entity
		 * parsing); the serialiser escapes it. */
		if (xmlSetNsProp(node, a->ns, a->name, RENDER_XC(v->value)) ==
		    NULL) {
			render_text_fail(x->err, x->errlen, "template %s: out "
			    "of memory", x->tpl);
			return -1;
		}
	}
	return 0;
}

/* node's entire text is the placeholder name: a scalar replaces the text
 * (unset or empty: the optional element goes), a list makes one copy of
 * the element per item, in order. node is freed or kept. */
static int
render_xml_subst_element(struct render_xml_ctx *x, xmlNodePtr node,
    const char *name, int is_root)
{
	xmlNodePtr copy;
	char where[160];
	const struct render_text_var *v;
	size_t i;

	snprintf(where, sizeof(where), "<%s>", (const char *)node->name);
	if (is_root) {
		render_text_fail(x->err, x->errlen, "template %s: the root "
		    "element cannot be a placeholder", x->tpl);
		return -1;
	}
	if ((v = render_xml_lookup(x, name, where)) == NULL)
		return -1;
	if (!v->is_list) {
		if (v->value == NULL || v->value[0] == '\0') {
			xmlUnlinkNode(node);	/* optional element */
			xmlFreeNode(node);
			return 0;
		}
		if (render_xml_set_text(node, v->value) == -1)
			goto oom;
		return 0;
	}
	for (i = 0; v->list != NULL && i < v->list->n; i++) {
		if ((copy = xmlCopyNode(node, 1)) == NULL)
			goto oom;
		if (xmlAddPrevSibling(node, copy) == NULL) {
			xmlFreeNode(copy);
			goto oom;
		}
		if (render_xml_set_text(copy, v->list->v[i]) == -1)
			goto oom;
	}
	xmlUnlinkNode(node);
	xmlFreeNode(node);
	return 0;
oom:
	render_text_fail(x->err, x->errlen, "template %s: out of memory",
	    x->tpl);
	return -1;
}

/* Substitutes in node's attributes, then in its text or children. node may
 * be freed (optional element left empty) or replaced by copies (list). */
static int
render_xml_subst(struct render_xml_ctx *x, xmlNodePtr node, int is_root)
{
	xmlNodePtr c, cnext, only;
	char name[RENDER_TEXT_NAME_MAX + 2];

	if (render_xml_subst_attrs(x, node) == -1)
		return -1;
	only = node->children;
	if (only != NULL && only->next == NULL &&
	    (only->type == XML_TEXT_NODE ||
	    only->type == XML_CDATA_SECTION_NODE) &&
	    render_xml_placeholder(only->content, name))
		return render_xml_subst_element(x, node, name, is_root);
	for (c = node->children; c != NULL; c = cnext) {
		cnext = c->next;
		if (c->type == XML_ELEMENT_NODE) {
			if (render_xml_subst(x, c, 0) == -1)
				return -1;
		} else if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) &&
		    render_xml_has_open(c->content)) {
			render_text_fail(x->err, x->errlen, "template %s: in "
			    "<%s>, a placeholder must be the element's entire "
			    "text", x->tpl, (const char *)node->name);
			return -1;
		} else if (c->type == XML_ENTITY_REF_NODE) {
			render_text_fail(x->err, x->errlen, "template %s: "
			    "entity references are not allowed", x->tpl);
			return -1;
		}
	}
	return 0;
}

int
render_xml_expand(xmlDocPtr doc, const struct render_text_vars *vars,
    const char *tplname, char *err, size_t errlen)
{
	struct render_xml_ctx x;

	x.vars = vars;
	x.tpl = tplname;
	x.err = err;
	x.errlen = errlen;
	return render_xml_subst(&x, xmlDocGetRootElement(doc), 1);
}

void
render_xml_init(void)
{
	LIBXML_TEST_VERSION
	xmlInitParser();
}

void
render_xml_cleanup(void)
{
	xmlCleanupParser();
}

const char *
render_xml_version(void)
{
	return LIBXML_DOTTED_VERSION;
}
