/* sbuf.h — a string buffer with a hard maximum size, for everything that
 * comes off the network (XML-RPC replies, request bodies) and for text
 * built piece by piece. util.h includes this header. */
#ifndef POOLBOOT_SBUF_H
#define POOLBOOT_SBUF_H

#include <stddef.h>

/* Appends past max fail (-1) and set ->overflow, so a hostile peer cannot
 * make the buffer grow without bound (max 0: no limit). Zero-initialise
 * and set max; free with sbuf_free. ->p is always NUL-terminated once
 * anything was appended. The buffer owns ->p. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
	int	 overflow;
};

/* Appends len bytes of data: 0, or -1 (over max: ->overflow set; or out
 * of memory). On -1 the contents are unchanged. */
int   sbuf_append(struct sbuf *b, const void *data, size_t len);
/* Appends the string s; as sbuf_append. */
int   sbuf_puts(struct sbuf *b, const char *s);
/* Appends the formatted string; as sbuf_append. */
int   sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the string to the caller, who frees it with free() ("" if nothing
 * was appended; NULL only when out of memory); b is left empty. */
char *sbuf_take(struct sbuf *b);
/* Frees the contents; b is left empty and may be used again. NULL ok. */
void  sbuf_free(struct sbuf *b);

#endif
