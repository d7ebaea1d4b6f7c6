/* render_text.h — the text side of rendering, shared by the render
 * modules: failure messages, printable copies of hostile values, the
 * checks of tokens and URL characters, and the template language's
 * variables, template files and plain-text {{name}} expansion (pxelinux
 * configs, the installation-complete script). render_xml.h expands the
 * same variables in XML templates.
 *
 * Every failure goes through render_text_fail: the message lands in the
 * caller's err and in the log under "render".
 */
#ifndef POOLBOOT_RENDER_TEXT_H
#define POOLBOOT_RENDER_TEXT_H

#include <stddef.h>

#include "config.h"
#include "util.h"

#define RENDER_TEXT_MAX		(64 * 1024)	/* pxelinux config, script */
#define RENDER_TEXT_NAME_MAX	32		/* placeholder name */
#define RENDER_TEXT_MAXVARS	32

/* One placeholder value: a scalar (value, NULL = unset) or a list. The
 * strings are borrowed, not copied. */
struct render_text_var {
	const char		*name;
	const char		*value;
	const struct strlist	*list;
	int			 is_list;
};

/* The placeholders of one render; zero it ({ .n = 0 }) before use. */
struct render_text_vars {
	struct render_text_var	v[RENDER_TEXT_MAXVARS];
	size_t			n;
};

/* Formats the failure into err (when err is not NULL) and logs it under
 * "render". */
void  render_text_fail(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* A printable, bounded copy of s in buf (n bytes) for messages: control
 * and non-ASCII bytes become '?', long values are cut with "...". Returns
 * buf, or "(unset)" for NULL. */
const char *render_text_shown(const char *s, char *buf, size_t n);

/* Sets name to value (NULL = unset) or to the list l; both borrowed. More
 * than RENDER_TEXT_MAXVARS names are ignored. */
void  render_text_set(struct render_text_vars *t, const char *name,
	    const char *value);
void  render_text_set_list(struct render_text_vars *t, const char *name,
	    const struct strlist *l);
/* The variable named name[0..len), or NULL. */
const struct render_text_var *render_text_get(const struct render_text_vars *t,
	    const char *name, size_t len);

/* 1 when s is 1..64 letters and digits (a host token). */
int   render_text_token_ok(const char *s);
/* 1 when s is 1..1024 of [A-Za-z0-9:/._~%-]: nothing a shell or a
 * kernel command line would interpret. */
int   render_text_url_ok(const char *s);

/* The next space-separated word of *p, terminated in place (*p moves
 * past it), or NULL at the end. */
char *render_text_next_word(char **p);

/* The template file name in cfg->template_dir (at most 256 KiB), *len
 * its length when len is not NULL. Caller frees; NULL with err set. */
char *render_text_read_template(const struct config *cfg, const char *name,
	    size_t *len, char *err, size_t errlen);

/* Expands {{name}} in the plain-text template tpl (tplname for messages).
 * Every value in vars must have been validated for its context by the
 * caller. Unknown names, list names and unterminated placeholders are
 * errors. Caller frees; NULL with err set. */
char *render_text_expand(const char *tpl, const char *tplname,
	    const struct render_text_vars *vars, char *err, size_t errlen);

#endif
