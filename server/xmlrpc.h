/* xmlrpc.h — XML-RPC values, request building and response parsing
 * (libxml2), as XAPI speaks it: every reply is a struct {Status, Value} or
 * {Status: "Failure", ErrorDescription: [code, params...]}; strings may be
 * untyped <value>text</value>; the empty string may be <value/>; 64-bit
 * integers travel as strings; event.from's timeout is a <double>.
 *
 * Values form a tree owned by its root: xr_free(root) frees everything.
 */
#ifndef POOLBOOT_XMLRPC_H
#define POOLBOOT_XMLRPC_H

#include <stddef.h>
#include <stdint.h>

enum xr_type {
	XR_NIL, XR_STRING, XR_INT, XR_BOOL, XR_DOUBLE, XR_DATETIME,
	XR_BASE64, XR_ARRAY, XR_STRUCT
};

struct xr_value {
	enum xr_type	  type;
	char		 *s;		/* STRING, DATETIME, BASE64 (as sent) */
	int64_t		  i;		/* INT, BOOL */
	double		  d;		/* DOUBLE */
	size_t		  n;		/* ARRAY items / STRUCT members */
	struct xr_value **items;	/* ARRAY items, STRUCT member values */
	char		**keys;		/* STRUCT member names */
	/* STRUCT: hash index of keys (slot = member number + 1, 0 empty;
	 * nslots a power of two), NULL while the struct is small. Private
	 * to xmlrpc.c: it keeps setting and looking up a key O(1), so that
	 * decoding a hostile 100,000-member struct is not quadratic. */
	size_t		 *slots;
	size_t		  nslots;
};

/* Constructors: a new value (caller frees with xr_free, or hands it to a
 * container), NULL when out of memory. */
struct xr_value *xr_string(const char *s);	/* NULL s -> "" */
struct xr_value *xr_int(int64_t i);
struct xr_value *xr_bool(int b);
struct xr_value *xr_double(double d);
struct xr_value *xr_array(void);
struct xr_value *xr_struct(void);
/* Appends/sets v (ownership passes to the container, also on failure:
 * v is freed then). 0/-1; -1 also for a container of another type or a
 * NULL v, so that xr_array_add(a, xr_string(s)) needs one check. Setting
 * an existing key replaces (and frees) its value. */
int   xr_array_add(struct xr_value *arr, struct xr_value *v);
int   xr_struct_set(struct xr_value *st, const char *key, struct xr_value *v);
/* Frees v and everything below it; NULL ok. */
void  xr_free(struct xr_value *v);

/* Lookups; NULL/defaults when absent or of another type. Pointers point
 * into the tree (valid until it is freed). */
const struct xr_value *xr_get(const struct xr_value *st, const char *key);
const char *xr_str(const struct xr_value *v);		/* STRING or NULL */
const char *xr_get_str(const struct xr_value *st, const char *key);
int   xr_get_bool(const struct xr_value *st, const char *key, int dflt);
/* INT, or a STRING holding a decimal integer (XAPI's int64): 0 and *out
 * set, or -1. */
int   xr_get_int(const struct xr_value *st, const char *key, int64_t *out);

/* <?xml?><methodCall>... as a NUL-terminated string (caller frees with
 * free(); *len = its length if len != NULL), or NULL for a bad method name,
 * a value that cannot be encoded, or out of memory. params may be NULL
 * when n == 0; they stay the caller's. */
char *xr_build_call(const char *method, struct xr_value *const *params,
	    size_t n, size_t *len);

/* Parses a methodResponse. Returns 0 and *out = the param (the XAPI
 * {Status, Value|ErrorDescription} struct; caller frees with xr_free); -1
 * with the reason in err (errlen bytes, may be NULL) on malformed XML or a
 * <fault>. */
int   xr_parse_response(const char *body, size_t len, struct xr_value **out,
	    char *err, size_t errlen);

/* ---- between xmlrpc.c and xmlrpc_parse.c only ---- */

/* Nesting of <value>s (arrays, structs) we accept or build. XAPI's deepest
 * replies (records holding maps of maps) stay well below. */
#define XR_MAX_DEPTH	64

/* printf into err (errlen bytes; nothing when err is NULL or errlen 0). */
void  xr_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A value of type, zeroed; NULL when out of memory. */
struct xr_value *xr_new(enum xr_type type);
/* A value of type (STRING, DATETIME, BASE64) that owns s, a malloc'd
 * string (freed on failure); NULL when s is NULL or out of memory. */
struct xr_value *xr_new_str(enum xr_type type, char *s);
/* Strict decimal int64: optional sign, digits, nothing else (surrounding
 * blanks tolerated). 0 and *out set, or -1. */
int   xr_parse_int(const char *s, int64_t *out);

#endif
