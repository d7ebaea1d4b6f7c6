/* strlist.c — growable lists of malloc'd strings; see strlist.h. */
#include "strlist.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
strlist_add(struct strlist *l, const char *s)
{
	char **nv;
	char *c;

	if ((c = strdup(s)) == NULL)
		return -1;
	if ((nv = realloc(l->v, (l->n + 2) * sizeof(*nv))) == NULL) {
		free(c);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = c;
	l->v[l->n] = NULL;
	return 0;
}

int
strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -1;
	ret = strlist_add(l, s);
	free(s);
	return ret;
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
strlist_split_at(struct strlist *l, const char *s, int comma)
{
	const char *p = s, *start;
	char item[1024];
	size_t n;

	while (*p != '\0') {
		while ((comma && *p == ',') || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !(comma && *p == ',') &&
		    !isspace((unsigned char)*p))
			p++;
		n = (size_t)(p - start);
		if (n >= sizeof(item))
			return -1;
		memcpy(item, start, n);
		item[n] = '\0';
		if (strlist_add(l, item) == -1)
			return -1;
	}
	return 0;
}

int
strlist_split(struct strlist *l, const char *s)
{
	return strlist_split_at(l, s, 1);
}

int
strlist_split_blank(struct strlist *l, const char *s)
{
	return strlist_split_at(l, s, 0);
}
