/* render_text.c — see render_text.h. */
#include "render_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render_cache.h"

#define RENDER_TEXT_TPL_MAX	(256 * 1024)	/* a template file */
#define RENDER_TEXT_TOKEN_MAX	64

/* Formats the failure into err and logs it under "render". */
void
render_text_fail(char *err, size_t errlen, const char *fmt, ...)
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
const char *
render_text_shown(const char *s, char *buf, size_t n)
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

void
render_text_set(struct render_text_vars *t, const char *name,
    const char *value)
{
	if (t->n >= RENDER_TEXT_MAXVARS)
		return;
	t->v[t->n].name = name;
	t->v[t->n].value = value;
	t->v[t->n].list = NULL;
	t->v[t->n].is_list = 0;
	t->n++;
}

void
render_text_set_list(struct render_text_vars *t, const char *name,
    const struct strlist *l)
{
	if (t->n >= RENDER_TEXT_MAXVARS)
		return;
	t->v[t->n].name = name;
	t->v[t->n].value = NULL;
	t->v[t->n].list = l;
	t->v[t->n].is_list = 1;
	t->n++;
}

/* name[0..len) is "foo" or "foo*"; returns the entry or NULL. */
const struct render_text_var *
render_text_get(const struct render_text_vars *t, const char *name,
    size_t len)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (strlen(t->v[i].name) == len &&
		    memcmp(t->v[i].name, name, len) == 0)
			return &t->v[i];
	}
	return NULL;
}

int
render_text_token_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= RENDER_TEXT_TOKEN_MAX || !isalnum((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* URLs we build ourselves and paste into pxelinux lines and shell
 * scripts: only [A-Za-z0-9:/._~%-], nothing that a shell or a kernel
 * command line would interpret. */
int
render_text_url_ok(const char *s)
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

/* Next space-separated word of *p (modified in place), or NULL. */
char *
render_text_next_word(char **p)
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

/* Reads template name from cfg->template_dir. */
char *
render_text_read_template(const struct config *cfg, const char *name,
    size_t *len,     char *err, size_t errlen)
{
	char *path = NULL, *buf = NULL;

	if (cfg->template_dir == NULL) {
		render_text_fail(err, errlen, "template %s: no template_dir "
		    "configured", name);
		goto out;
	}
	if ((path = util_path_join(cfg->template_dir, name)) == NULL) {
		render_text_fail(err, errlen, "template %s: out of memory",
		    name);
		goto out;
	}
	if ((buf = cfg->templates != NULL ?
	    render_cache_read(cfg->templates, path, RENDER_TEXT_TPL_MAX, len) :
	    util_read_file(path, RENDER_TEXT_TPL_MAX, len)) == NULL)
		render_text_fail(err, errlen, "template %s: %s", path,
		    strerror(errno));
out:
	free(path);
	return buf;
}

/* Expands {{name}} in a plain-text template. Every value in vars must have
 * been validated for its context by the caller. Unknown names, list names
 * and unterminated placeholders are errors. */
char *
render_text_expand(const char *tpl, const char *tplname,
    const struct render_text_vars *vars,     char *err, size_t errlen)
{
	struct sbuf b = { .max = RENDER_TEXT_MAX };
	const char *p = tpl, *open, *close;
	const struct render_text_var *v;
	char nb[RENDER_TEXT_NAME_MAX + 8];
	char *out = NULL;
	int bad = 0;

	while ((open = strstr(p, "{{")) != NULL) {
		bad |= sbuf_append(&b, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (close == NULL || close - open - 2 > RENDER_TEXT_NAME_MAX ||
		    memchr(open + 2, '\n', (size_t)(close - open - 2)) !=
		    NULL) {
			render_text_fail(err, errlen, "template %s: "
			    "unterminated {{ placeholder", tplname);
			goto out;
		}
		v = render_text_get(vars, open + 2, (size_t)(close - open - 2));
		if (v == NULL || v->is_list) {
			snprintf(nb, sizeof(nb), "%.*s",
			    (int)(close - open - 2), open + 2);
			render_text_fail(err, errlen, "template %s: unknown "
			    "placeholder {{%s}}", tplname,
			    render_text_shown(nb, nb, sizeof(nb)));
			goto out;
		}
		if (v->value != NULL)
			bad |= sbuf_puts(&b, v->value);
		p = close + 2;
	}
	bad |= sbuf_puts(&b, p);
	if (bad) {
		render_text_fail(err, errlen, "template %s: output too large "
		    "or out of memory", tplname);
		goto out;
	}
	out = sbuf_take(&b);
out:
	sbuf_free(&b);
	return out;
}
