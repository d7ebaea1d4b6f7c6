/* strlist.h — a growable, NULL-terminated list of malloc'd strings (lists
 * of names, of problems found, of arguments). Owns the strings it holds.
 * util.h includes this header. */
#ifndef POOLBOOT_STRLIST_H
#define POOLBOOT_STRLIST_H

#include <stddef.h>

/* Zero-initialise; free with strlist_free. v[n] is NULL once anything was
 * added. */
struct strlist {
	char	**v;
	size_t	  n;
};

/* Appends a copy of s: 0, or -1 when out of memory (l unchanged). */
int   strlist_add(struct strlist *l, const char *s);
/* Appends the formatted string: 0/-1. */
int   strlist_addf(struct strlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Frees every string and the array; leaves l empty. NULL ok. */
void  strlist_free(struct strlist *l);
/* Splits s at commas and/or whitespace into l (empty items dropped).
 * 0, or -1 when out of memory or an item is 1024 bytes or longer (the
 * items before it stay in l). */
int   strlist_split(struct strlist *l, const char *s);
/* Splits s at whitespace only (commas stay inside items); as above. */
int   strlist_split_blank(struct strlist *l, const char *s);

#endif
