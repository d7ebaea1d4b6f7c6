/* xmlrpc.c — see xmlrpc.h. Requests are built with the libxml2 tree API and
 * serialised by libxml2, so no value is ever pasted into XML text, and
 * their value trees are walked with a depth bound. Replies are parsed in
 * xmlrpc_parse.c. */
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

/* libxml2 takes const xmlChar * almost everywhere; BAD_CAST drops const. */
#define XC(s)	((const xmlChar *)(s))

void
xr_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct xr_value *
xr_new(enum xr_type type)
{
	struct xr_value *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->type = type;
	return v;
}

struct xr_value *
xr_new_str(enum xr_type type, char *s)
{
	struct xr_value *v;

	if (s == NULL)
		return NULL;
	if ((v = xr_new(type)) == NULL) {
		free(s);
		return NULL;
	}
	v->s = s;
	return v;
}

struct xr_value *
xr_string(const char *s)
{
	return xr_new_str(XR_STRING, strdup(s != NULL ? s : ""));
}

struct xr_value *
xr_int(int64_t i)
{
	struct xr_value *v;

	if ((v = xr_new(XR_INT)) != NULL)
		v->i = i;
	return v;
}

struct xr_value *
xr_bool(int b)
{
	struct xr_value *v;

	if ((v = xr_new(XR_BOOL)) != NULL)
		v->i = b != 0;
	return v;
}

struct xr_value *
xr_double(double d)
{
	struct xr_value *v;

	if ((v = xr_new(XR_DOUBLE)) != NULL)
		v->d = d;
	return v;
}

struct xr_value *
xr_array(void)
{
	return xr_new(XR_ARRAY);
}

struct xr_value *
xr_struct(void)
{
	return xr_new(XR_STRUCT);
}

/* Room for one more item (and key for a struct). The capacity is not
 * stored: it is 4, 8, 16, ... so growing is due when n is 0 or a power of
 * two of at least 4. */
static int
xr_grow(struct xr_value *c)
{
	struct xr_value **ni;
	char **nk;
	size_t ncap;

	if (c->n != 0 && (c->n < 4 || (c->n & (c->n - 1)) != 0))
		return 0;
	ncap = c->n == 0 ? 4 : c->n * 2;
	if (ncap > SIZE_MAX / sizeof(*ni))
		return -1;
	if ((ni = realloc(c->items, ncap * sizeof(*ni))) == NULL)
		return -1;
	c->items = ni;
	if (c->type == XR_STRUCT) {
		if ((nk = realloc(c->keys, ncap * sizeof(*nk))) == NULL)
			return -1;
		c->keys = nk;
	}
	return 0;
}

int
xr_array_add(struct xr_value *arr, struct xr_value *v)
{
	if (arr == NULL || arr->type != XR_ARRAY || v == NULL ||
	    xr_grow(arr) == -1) {
		xr_free(v);
		return -1;
	}
	arr->items[arr->n++] = v;
	return 0;
}

/* Structs up to this size are searched linearly; bigger ones get a hash
 * index of their keys (xr_value.slots). */
#define XR_INDEX_MIN	16

/* FNV-1a of a key. */
static size_t
xr_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The member number of key in st, or st->n when absent. */
static size_t
xr_find(const struct xr_value *st, const char *key)
{
	size_t i, mask;

	if (st->slots == NULL) {
		for (i = 0; i < st->n; i++)
			if (strcmp(st->keys[i], key) == 0)
				return i;
		return st->n;
	}
	mask = st->nslots - 1;
	for (i = xr_hash(key) & mask; st->slots[i] != 0; i = (i + 1) & mask)
		if (strcmp(st->keys[st->slots[i] - 1], key) == 0)
			return st->slots[i] - 1;
	return st->n;
}

/* Puts member number m (its key not yet in the index) into the index. */
static void
xr_index_put(struct xr_value *st, size_t m)
{
	size_t i, mask = st->nslots - 1;

	for (i = xr_hash(st->keys[m]) & mask; st->slots[i] != 0;
	    i = (i + 1) & mask)
		;
	st->slots[i] = m + 1;
}

/* Keeps the index at most half full once the struct has XR_INDEX_MIN
 * members, rebuilding it twice as large when needed (amortised O(1) per
 * member). Called before a member is added. 0/-1 (out of memory). */
static int
xr_index_grow(struct xr_value *st)
{
	size_t ns, m;
	size_t *slots;

	if (st->n + 1 < XR_INDEX_MIN || (st->n + 1) * 2 <= st->nslots)
		return 0;
	ns = st->nslots == 0 ? 4 * XR_INDEX_MIN : st->nslots * 2;
	if (ns > SIZE_MAX / 2 / sizeof(*slots) ||
	    (slots = calloc(ns, sizeof(*slots))) == NULL)
		return -1;
	free(st->slots);
	st->slots = slots;
	st->nslots = ns;
	for (m = 0; m < st->n; m++)
		xr_index_put(st, m);
	return 0;
}

int
xr_struct_set(struct xr_value *st, const char *key, struct xr_value *v)
{
	char *k;
	size_t i;

	if (st == NULL || st->type != XR_STRUCT || key == NULL || v == NULL) {
		xr_free(v);
		return -1;
	}
	if ((i = xr_find(st, key)) < st->n) {
		xr_free(st->items[i]);
		st->items[i] = v;
		return 0;
	}
	if ((k = strdup(key)) == NULL || xr_grow(st) == -1 ||
	    xr_index_grow(st) == -1) {
		free(k);
		xr_free(v);
		return -1;
	}
	st->keys[st->n] = k;
	st->items[st->n] = v;
	if (st->slots != NULL)
		xr_index_put(st, st->n);
	st->n++;
	return 0;
}

void
xr_free(struct xr_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		xr_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->slots);
	free(v->s);
	free(v);
}

const struct xr_value *
xr_get(const struct xr_value *st, const char *key)
{
	size_t i;

	if (st == NULL || st->type != XR_STRUCT || key == NULL)
		return NULL;
	i = xr_find(st, key);
	return i < st->n ? st->items[i] : NULL;
}

const char *
xr_str(const struct xr_value *v)
{
	return (v != NULL && v->type == XR_STRING) ? v->s : NULL;
}

const char *
xr_get_str(const struct xr_value *st, const char *key)
{
	return xr_str(xr_get(st, key));
}

int
xr_get_bool(const struct xr_value *st, const char *key, int dflt)
{
	const struct xr_value *v = xr_get(st, key);

	if (v == NULL || v->type != XR_BOOL)
		return dflt;
	return v->i != 0;
}

int
xr_parse_int(const char *s, int64_t *out)
{
	const char *p = s;
	char *end;
	long long ll;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	ll = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end != '\0')
		return -1;
	*out = (int64_t)ll;
	return 0;
}

int
xr_get_int(const struct xr_value *st, const char *key, int64_t *out)
{
	const struct xr_value *v = xr_get(st, key);

	if (v == NULL)
		return -1;
	if (v->type == XR_INT) {
		*out = v->i;
		return 0;
	}
	if (v->type == XR_STRING)
		return xr_parse_int(v->s, out);
	return -1;
}

/* ---- building ---- */

/* Text XML 1.0 can carry: valid UTF-8 without control characters other
 * than tab, newline and carriage return. */
static int
xr_text_ok(const char *s)
{
	const unsigned char *p;

	if (xmlCheckUTF8((const xmlChar *)s) == 0)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return 1;
}

/* Adds <name>text</name> under parent; libxml2 escapes text. */
static xmlNodePtr
xr_text_child(xmlNodePtr parent, const char *name, const char *text)
{
	if (!xr_text_ok(text))
		return NULL;
	return xmlNewTextChild(parent, NULL, XC(name), XC(text));
}

/* XML-RPC doubles have no exponent. */
static void
xr_fmt_double(double d, char *buf, size_t len)
{
	char *e;

	snprintf(buf, len, "%.17g", d);
	if (strchr(buf, 'e') == NULL && strchr(buf, 'E') == NULL)
		return;
	snprintf(buf, len, "%.20f", d);
	if (strchr(buf, '.') == NULL)
		return;
	e = buf + strlen(buf);
	while (e > buf && e[-1] == '0')
		*--e = '\0';
	if (e > buf && e[-1] == '.')
		*e++ = '0', *e = '\0';
}

static int
xr_encode(xmlNodePtr parent, const struct xr_value *v, int depth)
{
	xmlNodePtr val, c, m;
	char num[400];
	size_t i;

	if (v == NULL || depth > XR_MAX_DEPTH)
		return -1;
	if ((val = xmlNewChild(parent, NULL, XC("value"), NULL)) == NULL)
		return -1;
	switch (v->type) {
	case XR_NIL:
		return xmlNewChild(val, NULL, XC("nil"), NULL) ? 0 : -1;
	case XR_STRING:
		return xr_text_child(val, "string", v->s ? v->s : "") ? 0 : -1;
	case XR_DATETIME:
		return xr_text_child(val, "dateTime.iso8601", v->s ? v->s : "") ?
		    0 : -1;
	case XR_BASE64:
		return xr_text_child(val, "base64", v->s ? v->s : "") ? 0 : -1;
	case XR_INT:
		snprintf(num, sizeof(num), "%lld", (long long)v->i);
		/* XAPI carries int64 as strings; <int> only fits 32 bits */
		if (v->i < INT32_MIN || v->i > INT32_MAX)
			return xr_text_child(val, "string", num) ? 0 : -1;
		return xr_text_child(val, "int", num) ? 0 : -1;
	case XR_BOOL:
		return xr_text_child(val, "boolean", v->i ? "1" : "0") ? 0 : -1;
	case XR_DOUBLE:
		if (!isfinite(v->d))
			return -1;
		xr_fmt_double(v->d, num, sizeof(num));
		return xr_text_child(val, "double", num) ? 0 : -1;
	case XR_ARRAY:
		if ((c = xmlNewChild(val, NULL, XC("array"), NULL)) ==
		    NULL ||
		    (c = xmlNewChild(c, NULL, XC("data"), NULL)) == NULL)
			return -1;
		for (i = 0; i < v->n; i++)
			if (xr_encode(c, v->items[i], depth + 1) == -1)
				return -1;
		return 0;
	case XR_STRUCT:
		if ((c = xmlNewChild(val, NULL, XC("struct"), NULL)) ==
		    NULL)
			return -1;
		for (i = 0; i < v->n; i++) {
			if ((m = xmlNewChild(c, NULL, XC("member"),
			    NULL)) == NULL ||
			    xr_text_child(m, "name", v->keys[i]) == NULL ||
			    xr_encode(m, v->items[i], depth + 1) == -1)
				return -1;
		}
		return 0;
	}
	return -1;
}

/* Method names are dotted identifiers (session.login_with_password). */
static int
xr_method_ok(const char *m)
{
	const char *p;

	if (m == NULL || m[0] == '\0' || strlen(m) > 256)
		return 0;
	for (p = m; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_'))
			return 0;
	return 1;
}

/* Zeroes every text node before the tree is freed: requests carry the
 * password of session.login_with_password. */
static void
xr_wipe_tree(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content != NULL)
			explicit_bzero(n->content,
			    strlen((const char *)n->content));
		if (n->children != NULL)
			xr_wipe_tree(n->children);
	}
}

char *
xr_build_call(const char *method, struct xr_value *const *params, size_t n,
    size_t *len)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, ps, p;
	xmlChar *mem = NULL;
	char *out = NULL;
	int size = 0;
	size_t i;

	if (!xr_method_ok(method) || (n > 0 && params == NULL))
		return NULL;
	if ((doc = xmlNewDoc(XC("1.0"))) == NULL)
		return NULL;
	if ((root = xmlNewNode(NULL, XC("methodCall"))) == NULL)
		goto out;
	xmlDocSetRootElement(doc, root);
	if (xr_text_child(root, "methodName", method) == NULL ||
	    (ps = xmlNewChild(root, NULL, XC("params"), NULL)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((p = xmlNewChild(ps, NULL, XC("param"), NULL)) ==
		    NULL || xr_encode(p, params[i], 1) == -1)
			goto out;
	}
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (mem == NULL || size <= 0)
		goto out;
	if ((out = malloc((size_t)size + 1)) == NULL)
		goto out;
	memcpy(out, mem, (size_t)size);
	out[size] = '\0';
	if (len != NULL)
		*len = (size_t)size;
out:
	if (mem != NULL) {
		explicit_bzero(mem, (size_t)size);
		xmlFree(mem);
	}
	xr_wipe_tree(xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return out;
}
