/* xmlrpc_parse.c — XML-RPC replies parsed into xr_value trees
 * (xr_parse_response, xmlrpc.h). Replies are parsed without network
 * access, without entity substitution and without a DOCTYPE (refused as
 * soon as the parser meets one, before any internal subset is read), and
 * values nest at most XR_MAX_DEPTH deep, so a hostile peer can neither
 * expand entities nor exhaust the stack or the memory. */
#include "xmlrpc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* ---- parsing ----
 *
 * libxml2 reads the reply (well-formedness, encodings, character and
 * predefined entity references) and hands each element and text to the
 * SAX callbacks below, which build the xr_value tree directly: no
 * document tree is built, walked and freed in between (that was most of
 * a reply's cost). A stack of frames, one per open element, checks the
 * XML-RPC structure as it comes. */

/* What an open element is to the decoder. */
enum xr_kind {
	XK_DOC,		/* before the root element */
	XK_RESPONSE,	/* <methodResponse> */
	XK_PARAMS,
	XK_PARAM,
	XK_FAULT,
	XK_VALUE,	/* its text, or its one element's value */
	XK_ARRAY,
	XK_DATA,
	XK_STRUCT,
	XK_MEMBER,
	XK_NAME,	/* a <member>'s <name>: its text */
	XK_SCALAR,	/* <string>, <int>, ...: its text */
	XK_SKIP		/* ignored: what follows a <fault>'s <value> */
};

/* Elements open at once: XR_MAX_DEPTH values, each with up to two
 * elements between it and the next (<array><data>, <struct><member>). */
#define XR_MAX_FRAMES	(3 * XR_MAX_DEPTH + 8)

struct xr_frame {
	enum xr_kind	 kind;
	int		 depth;		/* the <value> nesting it is in */
	int		 nelem;		/* element children so far */
	int		 mixed;		/* VALUE: non-blank text seen */
	char		 tag[24];	/* SCALAR: its element's name */
	char		*text;		/* VALUE, NAME, SCALAR */
	size_t		 len, cap;
	struct xr_value	*v;		/* VALUE: its element's value; DATA,
					 * STRUCT: the container; ARRAY,
					 * MEMBER, PARAM, FAULT: the value */
	char		*key;		/* MEMBER: its name */
};

struct xr_parse {
	int		 doctype;
	int		 failed;	/* the reason is in err (sub in a fault) */
	int		 fault;		/* the reply is a <fault> */
	char		*err;
	size_t		 errlen;
	char		 sub[128];	/* what is wrong inside a fault */
	struct xr_value	*out;		/* the param's value */
	struct xr_value	*faultv;	/* the fault's value */
	int		 top;		/* the current frame */
	struct xr_frame	 f[XR_MAX_FRAMES];
};

static void
xr_sax_fail(xmlParserCtxtPtr c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first structural error: recorded, and the parser stopped. */
static void
xr_sax_fail(xmlParserCtxtPtr c, const char *fmt, ...)
{
	struct xr_parse *st = c->_private;
	char *err = st->fault ? st->sub : st->err;
	size_t errlen = st->fault ? sizeof(st->sub) : st->errlen;
	va_list ap;

	if (st->failed)
		return;
	st->failed = 1;
	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	xmlStopParser(c);
}

/* SAX hook run when the parser has read "<!DOCTYPE name ...", before any
 * internal subset: no entity declaration is ever looked at. */
static void
xr_sax_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr c = ctx;
	struct xr_parse *st = c->_private;

	(void)name;
	(void)eid;
	(void)sid;
	st->doctype = 1;
	xmlStopParser(c);
}

static int
xr_blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static void
xr_frame_free(struct xr_frame *f)
{
	free(f->text);
	free(f->key);
	xr_free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Opens a frame of kind above the current one. */
static void
xr_sax_push(xmlParserCtxtPtr c, enum xr_kind kind, int depth)
{
	struct xr_parse *st = c->_private;
	struct xr_frame *f;

	if (st->top + 1 >= XR_MAX_FRAMES || depth > XR_MAX_DEPTH) {
		xr_sax_fail(c, "values nested deeper than %d levels",
		    XR_MAX_DEPTH);
		return;
	}
	f = &st->f[++st->top];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->depth = depth;
	if (kind == XK_DATA && (f->v = xr_array()) == NULL)
		xr_sax_fail(c, "out of memory");
	if (kind == XK_STRUCT && (f->v = xr_struct()) == NULL)
		xr_sax_fail(c, "out of memory");
}

static int
xr_scalar_known(const char *name)
{
	static const char *const names[] = { "string", "dateTime.iso8601",
	    "base64", "i4", "int", "i8", "boolean", "double", "nil", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* An element inside a <value> (f): its one typed child. */
static void
xr_sax_start_value(xmlParserCtxtPtr c, struct xr_frame *f, const char *name)
{
	struct xr_parse *st = c->_private;

	if (f->nelem > 1) {
		xr_sax_fail(c, "<value> with more than one element");
		return;
	}
	if (f->mixed) {
		xr_sax_fail(c, "<value> mixes text and <%.40s>", name);
		return;
	}
	if (strcmp(name, "array") == 0)
		xr_sax_push(c, XK_ARRAY, f->depth);
	else if (strcmp(name, "struct") == 0)
		xr_sax_push(c, XK_STRUCT, f->depth);
	else if (!xr_scalar_known(name))
		xr_sax_fail(c, "unknown value type <%.40s>", name);
	else {
		xr_sax_push(c, XK_SCALAR, f->depth);
		if (!st->failed)
			snprintf(st->f[st->top].tag, sizeof(st->f[0].tag), "%s",
			    name);
	}
}

static void
xr_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nss, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr c = ctx;
	struct xr_parse *st = c->_private;
	const char *name = (const char *)localname;
	struct xr_frame *f;
	int first;

	(void)prefix;
	(void)uri;
	(void)nns;
	(void)nss;
	(void)nattrs;
	(void)ndefaulted;
	(void)attrs;
	if (st->failed)
		return;
	f = &st->f[st->top];
	first = ++f->nelem == 1;
	switch (f->kind) {
	case XK_DOC:
		if (strcmp(name, "methodResponse") != 0)
			xr_sax_fail(c, "not an XML-RPC methodResponse");
		else
			xr_sax_push(c, XK_RESPONSE, 0);
		break;
	case XK_RESPONSE:
		if (first && strcmp(name, "fault") == 0) {
			st->fault = 1;
			xr_sax_push(c, XK_FAULT, 0);
		} else if (first && strcmp(name, "params") == 0)
			xr_sax_push(c, XK_PARAMS, 0);
		else if (!first && st->fault)
			xr_sax_push(c, XK_SKIP, 0);
		else
			xr_sax_fail(c, "methodResponse without <params>");
		break;
	case XK_FAULT:
		if (first && strcmp(name, "value") == 0)
			xr_sax_push(c, XK_VALUE, 1);
		else
			xr_sax_push(c, XK_SKIP, 0);
		break;
	case XK_PARAMS:
	case XK_PARAM:
		if (first && strcmp(name, f->kind == XK_PARAMS ? "param" :
		    "value") == 0)
			xr_sax_push(c, f->kind == XK_PARAMS ? XK_PARAM :
			    XK_VALUE, 1);
		else
			xr_sax_fail(c, "methodResponse without exactly one "
			    "<param><value>");
		break;
	case XK_VALUE:
		xr_sax_start_value(c, f, name);
		break;
	case XK_ARRAY:
		if (first && strcmp(name, "data") == 0)
			xr_sax_push(c, XK_DATA, f->depth);
		else
			xr_sax_fail(c, "<array> without one <data>");
		break;
	case XK_DATA:
	case XK_STRUCT:
		if (strcmp(name, f->kind == XK_DATA ? "value" : "member") == 0)
			xr_sax_push(c, f->kind == XK_DATA ? XK_VALUE :
			    XK_MEMBER, f->depth + (f->kind == XK_DATA));
		else
			xr_sax_fail(c, "unexpected <%.40s> in <%s>", name,
			    f->kind == XK_DATA ? "data" : "struct");
		break;
	case XK_MEMBER:
		if (strcmp(name, "name") == 0 && !(f->mixed & 1)) {
			f->mixed |= 1;
			xr_sax_push(c, XK_NAME, f->depth);
		} else if (strcmp(name, "value") == 0 && !(f->mixed & 2)) {
			f->mixed |= 2;
			xr_sax_push(c, XK_VALUE, f->depth + 1);
		} else
			xr_sax_fail(c, "unexpected <%.40s> in <member>", name);
		break;
	case XK_NAME:
	case XK_SCALAR:
		xr_sax_fail(c, "unexpected <%.40s> inside <%s>", name,
		    f->kind == XK_NAME ? "name" : f->tag);
		break;
	case XK_SKIP:
		xr_sax_push(c, XK_SKIP, 0);
		break;
	}
}

static void
xr_sax_chars(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr c = ctx;
	struct xr_parse *st = c->_private;
	struct xr_frame *f = &st->f[st->top];
	size_t n = len > 0 ? (size_t)len : 0, cap;
	char *p;
	int i;

	if (st->failed || (f->kind != XK_VALUE && f->kind != XK_NAME &&
	    f->kind != XK_SCALAR))
		return;
	if (f->kind == XK_VALUE) {
		for (i = 0; i < len && !f->mixed; i++)
			if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\n' &&
			    ch[i] != '\r')
				f->mixed = 1;
		if (f->nelem > 0) {
			if (f->mixed)
				xr_sax_fail(c, "<value> mixes text and an "
				    "element");
			return;	/* blanks around the element */
		}
	}
	if (f->len + n + 1 > f->cap) {
		cap = f->cap ? f->cap : 32;
		while (cap < f->len + n + 1)
			cap *= 2;
		if ((p = realloc(f->text, cap)) == NULL) {
			xr_sax_fail(c, "out of memory");
			return;
		}
		f->text = p;
		f->cap = cap;
	}
	memcpy(f->text + f->len, ch, n);
	f->len += n;
	f->text[f->len] = '\0';
}

/* f's text, taken (the empty string when there was none); NULL when out
 * of memory. */
static char *
xr_frame_text(struct xr_frame *f)
{
	char *t = f->text;

	f->text = NULL;
	return t != NULL ? t : strdup("");
}

/* A closed <value> (f) hands its value to the frame p it is in. */
static void
xr_sax_end_value(xmlParserCtxtPtr c, struct xr_frame *f, struct xr_frame *p)
{
	struct xr_parse *st = c->_private;
	struct xr_value *v;

	if (f->nelem == 0)
		v = xr_new_str(XR_STRING, xr_frame_text(f));
	else {
		v = f->v;
		f->v = NULL;
	}
	if (v == NULL) {
		xr_sax_fail(c, "out of memory");
		return;
	}
	if (p->kind == XK_DATA) {
		if (xr_array_add(p->v, v) == -1)
			xr_sax_fail(c, "out of memory");
	} else if (p->kind == XK_PARAM)
		st->out = v;
	else if (p->kind == XK_FAULT)
		st->faultv = v;
	else
		p->v = v;	/* XK_MEMBER */
}

/* The value of scalar element name with text (owned: freed or kept). */
static struct xr_value *
xr_decode_scalar(const char *name, char *text, char *err, size_t errlen)
{
	struct xr_value *v = NULL;
	char *end;
	int64_t i;
	double d;

	if (strcmp(name, "string") == 0)
		return xr_new_str(XR_STRING, text);
	if (strcmp(name, "dateTime.iso8601") == 0)
		return xr_new_str(XR_DATETIME, text);
	if (strcmp(name, "base64") == 0)
		return xr_new_str(XR_BASE64, text);
	if (strcmp(name, "i4") == 0 || strcmp(name, "int") == 0 ||
	    strcmp(name, "i8") == 0) {
		if (xr_parse_int(text, &i) == -1)
			xr_seterr(err, errlen, "bad <%s> \"%.40s\"", name, text);
		else
			v = xr_int(i);
	} else if (strcmp(name, "boolean") == 0) {
		if (xr_parse_int(text, &i) == 0 && (i == 0 || i == 1))
			v = xr_bool((int)i);
		else if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			v = xr_bool(text[0] == 't');
		else
			xr_seterr(err, errlen, "bad <boolean> \"%.40s\"", text);
	} else if (strcmp(name, "double") == 0) {
		errno = 0;
		d = strtod(text, &end);
		while (end != text && (*end == ' ' || *end == '\t' ||
		    *end == '\n' || *end == '\r'))
			end++;
		if (end == text || *end != '\0' || errno != 0 || !isfinite(d))
			xr_seterr(err, errlen, "bad <double> \"%.40s\"", text);
		else
			v = xr_double(d);
	} else if (strcmp(name, "nil") == 0) {
		if (!xr_blank(text))
			xr_seterr(err, errlen, "<nil> with content");
		else
			v = xr_new(XR_NIL);
	} else {
		xr_seterr(err, errlen, "unknown value type <%.40s>", name);
		free(text);
		return NULL;
	}
	if (v == NULL && err != NULL && errlen > 0 && err[0] == '\0')
		xr_seterr(err, errlen, "out of memory");
	free(text);
	return v;
}

/* A closed scalar (f) into its <value> (p). */
static void
xr_sax_end_scalar(xmlParserCtxtPtr c, struct xr_frame *f, struct xr_frame *p)
{
	struct xr_parse *st = c->_private;
	char *err = st->fault ? st->sub : st->err;
	size_t errlen = st->fault ? sizeof(st->sub) : st->errlen;
	char *text = xr_frame_text(f);

	if (text == NULL) {
		xr_sax_fail(c, "out of memory");
		return;
	}
	if ((p->v = xr_decode_scalar(f->tag, text, err, errlen)) != NULL)
		return;
	if (err == NULL || errlen == 0 || err[0] == '\0') {
		xr_sax_fail(c, "out of memory");
		return;
	}
	st->failed = 1;		/* xr_decode_scalar said why */
	xmlStopParser(c);
}

static void
xr_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr c = ctx;
	struct xr_parse *st = c->_private;
	struct xr_frame *f, *p;

	(void)localname;
	(void)prefix;
	(void)uri;
	if (st->failed || st->top == 0)
		return;
	f = &st->f[st->top];
	p = &st->f[st->top - 1];
	switch (f->kind) {
	case XK_VALUE:
		xr_sax_end_value(c, f, p);
		break;
	case XK_SCALAR:
		xr_sax_end_scalar(c, f, p);
		break;
	case XK_NAME:
		if ((p->key = xr_frame_text(f)) == NULL)
			xr_sax_fail(c, "out of memory");
		break;
	case XK_MEMBER:
		if (f->key == NULL || f->v == NULL)
			xr_sax_fail(c, "<member> without <name> and <value>");
		else if (xr_struct_set(p->v, f->key, f->v) == -1) {
			f->v = NULL;	/* freed by xr_struct_set */
			xr_sax_fail(c, "out of memory");
		} else
			f->v = NULL;
		break;
	case XK_DATA:
	case XK_STRUCT:
		p->v = f->v;	/* DATA into its ARRAY, STRUCT its VALUE */
		f->v = NULL;
		break;
	case XK_ARRAY:
		if (f->v == NULL) {
			xr_sax_fail(c, "<array> without one <data>");
			break;
		}
		p->v = f->v;
		f->v = NULL;
		break;
	case XK_PARAMS:
	case XK_PARAM:
		if (f->nelem == 0)
			xr_sax_fail(c, "methodResponse without exactly one "
			    "<param><value>");
		break;
	case XK_RESPONSE:
		if (f->nelem == 0)
			xr_sax_fail(c, "methodResponse without <params>");
		break;
	default:
		break;
	}
	if (!st->failed) {
		xr_frame_free(f);
		st->top--;
	}
}

/* The error of a reply that is a fault (st->faultv, or st->sub). */
static void
xr_fault(const struct xr_parse *st, char *err, size_t errlen)
{
	const struct xr_value *v = st->faultv;
	const char *fs;
	int64_t code = 0;

	if (st->failed || v == NULL) {
		xr_seterr(err, errlen, "XML-RPC fault (unreadable: %s)",
		    st->failed && st->sub[0] ? st->sub : "no value");
		return;
	}
	fs = xr_get_str(v, "faultString");
	(void)xr_get_int(v, "faultCode", &code);
	xr_seterr(err, errlen, "XML-RPC fault %lld: %s", (long long)code,
	    fs != NULL ? fs : "(no faultString)");
}

/* Has c call the decoder (and build no document tree). */
static void
xr_sax_setup(xmlParserCtxtPtr c, struct xr_parse *st)
{
	xmlSAXHandlerPtr h = c->sax;

	c->_private = st;
	h->internalSubset = xr_sax_doctype;
	h->externalSubset = NULL;
	h->startElementNs = xr_sax_start;
	h->endElementNs = xr_sax_end;
	h->startElement = NULL;
	h->endElement = NULL;
	h->characters = xr_sax_chars;
	h->ignorableWhitespace = xr_sax_chars;
	h->cdataBlock = xr_sax_chars;
	h->comment = NULL;
	h->processingInstruction = NULL;
	h->reference = NULL;
}

int
xr_parse_response(const char *body, size_t len, struct xr_value **out,
    char *err, size_t errlen)
{
	struct xr_parse *st;
	xmlParserCtxtPtr ctxt = NULL;
	const xmlError *xe;
	int ret = -1, i;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (body == NULL || len == 0) {
		xr_seterr(err, errlen, "empty reply");
		return -1;
	}
	if (len > INT_MAX) {
		xr_seterr(err, errlen, "reply too large");
		return -1;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (ctxt = xmlCreateMemoryParserCtxt(body, (int)len)) == NULL) {
		free(st);
		xr_seterr(err, errlen, "out of memory");
		return -1;
	}
	st->err = err;
	st->errlen = errlen;
	/* no network, no entity substitution (no XML_PARSE_NOENT), no DTD
	 * loading, no error printing: we report errors ourselves */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	xr_sax_setup(ctxt, st);
	(void)xmlParseDocument(ctxt);
	if (st->doctype)
		xr_seterr(err, errlen, "reply has a DOCTYPE (refused)");
	else if (st->failed && st->fault)
		xr_fault(st, err, errlen);
	else if (st->failed)
		;	/* err says why */
	else if (!ctxt->wellFormed) {
		xe = xmlCtxtGetLastError(ctxt);
		xr_seterr(err, errlen, "malformed XML: %s",
		    xe != NULL && xe->message != NULL ? xe->message :
		    "not well-formed\n");
		if (err != NULL && errlen > 0)	/* libxml2 ends it with \n */
			err[strcspn(err, "\n")] = '\0';
	} else if (st->fault)
		xr_fault(st, err, errlen);
	else if (st->out == NULL)
		xr_seterr(err, errlen, "methodResponse without <params>");
	else {
		*out = st->out;
		st->out = NULL;
		ret = 0;
	}
	for (i = st->top; i >= 0; i--)
		xr_frame_free(&st->f[i]);
	xr_free(st->out);
	xr_free(st->faultv);
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	free(st);
	return ret;
}
