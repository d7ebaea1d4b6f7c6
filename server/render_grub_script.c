/* render_grub_script.c — see render_grub_script.h. */
#include "render_grub_script.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_text.h"

/* ---- the lexer ------------------------------------------------------------ */

/* Where render_grub_script_split is in its line. */
struct render_grub_script_lex {
	const char		*p;	/* next input character */
	char			*o;	/* next output character */
	const char *const	*vars;
	struct render_grub_script_line *l;
	int			 inword;
	char			*why;
	size_t			 whylen;
};

static int
render_grub_script_fail(struct render_grub_script_lex *x, const char *fmt,
    const char *what)
{
	snprintf(x->why, x->whylen, fmt, what);
	return -1;
}

/* Starts a word at the output position unless one is open. */
static int
render_grub_script_begin(struct render_grub_script_lex *x)
{
	if (x->inword)
		return 0;
	if (x->l->n >= RENDER_GRUB_SCRIPT_WORDS)
		return render_grub_script_fail(x, "more than %s words",
		    "128");
	x->l->word[x->l->n] = x->o;
	x->l->brace[x->l->n] = 0;
	x->l->n++;
	x->inword = 1;
	return 0;
}

/* Ends the open word, if any. */
static void
render_grub_script_end(struct render_grub_script_lex *x)
{
	if (x->inword)
		*x->o++ = '\0';
	x->inword = 0;
}

/* $name or ${name} at x->p: allowed when vars names it; written to the
 * word as ${name}. */
static int
render_grub_script_var(struct render_grub_script_lex *x)
{
	const char *s = x->p + 1, *name;
	char shown[40];
	size_t len = 0, i;
	int braced = *s == '{';

	if (braced)
		s++;
	name = s;
	if (isalpha((unsigned char)*s) || *s == '_')
		while (isalnum((unsigned char)s[len]) || s[len] == '_')
			len++;
	if (len == 0 || (braced && s[len] != '}')) {
		snprintf(shown, sizeof(shown), "%.12s", x->p);
		return render_grub_script_fail(x, "\"%s\": a $ outside single "
		    "quotes that is not a plain $name or ${name}",
		    render_text_shown(shown, shown, sizeof(shown)));
	}
	for (i = 0; x->vars != NULL && x->vars[i] != NULL; i++)
		if (strlen(x->vars[i]) == len &&
		    memcmp(x->vars[i], name, len) == 0)
			break;
	if (x->vars == NULL || x->vars[i] == NULL) {
		snprintf(shown, sizeof(shown), "%.*s", (int)(len > 24 ? 24 :
		    len), name);
		return render_grub_script_fail(x, "expansion of $%s is not "
		    "allowed here (quote a literal $ in single quotes)", shown);
	}
	*x->o++ = '$';
	*x->o++ = '{';
	memcpy(x->o, name, len);
	x->o += len;
	*x->o++ = '}';
	x->p = s + len + (braced ? 1 : 0);
	return 0;
}

/* '...': everything literal up to the next '. */
static int
render_grub_script_squote(struct render_grub_script_lex *x)
{
	const char *end = strchr(x->p + 1, '\'');

	if (end == NULL)
		return render_grub_script_fail(x, "%s quote not closed on "
		    "this line", "single");
	memcpy(x->o, x->p + 1, (size_t)(end - x->p - 1));
	x->o += end - x->p - 1;
	x->p = end + 1;
	return 0;
}

/* "...": literal but for $ expansions and \ before $ " \ (GRUB's rule). */
static int
render_grub_script_dquote(struct render_grub_script_lex *x)
{
	x->p++;
	while (*x->p != '"') {
		if (*x->p == '\0')
			return render_grub_script_fail(x, "%s quote not "
			    "closed on this line", "double");
		if (*x->p == '$') {
			if (render_grub_script_var(x) == -1)
				return -1;
			continue;
		}
		if (*x->p == '\\' && x->p[1] != '\0' &&
		    strchr("$\"\\", x->p[1]) != NULL)
			x->p++;
		else if (*x->p == '\\')
			return render_grub_script_fail(x, "%s at the end of a "
			    "line or before another character in \"...\"",
			    "backslash");
		*x->o++ = *x->p++;
	}
	x->p++;
	return 0;
}

/* One character (or quoted part) outside quotes. */
static int
render_grub_script_char(struct render_grub_script_lex *x)
{
	char c = *x->p, s[2] = { c, '\0' };

	if (c == '{' || c == '}') {
		render_grub_script_end(x);
		if (render_grub_script_begin(x) == -1)
			return -1;
		x->l->brace[x->l->n - 1] = 1;
		*x->o++ = c;
		render_grub_script_end(x);
		x->p++;
		return 0;
	}
	if (strchr("|&;<>", c) != NULL)
		return render_grub_script_fail(x, "unquoted '%s' (GRUB would "
		    "read it as a command separator or redirection)", s);
	if (c == '*' || c == '?')
		return render_grub_script_fail(x, "unquoted '%s' (GRUB "
		    "expands it as a file name pattern)", s);
	if (render_grub_script_begin(x) == -1)
		return -1;
	switch (c) {
	case '\'':
		return render_grub_script_squote(x);
	case '"':
		return render_grub_script_dquote(x);
	case '$':
		return render_grub_script_var(x);
	case '\\':
		if (x->p[1] == '\0')
			return render_grub_script_fail(x, "%s at the end of "
			    "a line (line continuation)", "backslash");
		*x->o++ = x->p[1];
		x->p += 2;
		return 0;
	default:
		*x->o++ = c;
		x->p++;
		return 0;
	}
}

int
render_grub_script_split(const char *line, const char *const *vars,
    struct render_grub_script_line *l, char *why, size_t whylen)
{
	struct render_grub_script_lex x;
	size_t len = strlen(line);

	memset(l, 0, sizeof(*l));
	/* ${name} for $name adds 2 bytes per 2 input bytes at most */
	if ((l->buf = malloc(2 * len + 2)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.p = line;
	x.o = l->buf;
	x.vars = vars;
	x.l = l;
	x.why = why;
	x.whylen = whylen;
	while (*x.p != '\0') {
		if (*x.p == ' ' || *x.p == '\t') {
			render_grub_script_end(&x);
			x.p++;
			continue;
		}
		if (*x.p == '#' && !x.inword)
			break;		/* a comment to the end of the line */
		if (render_grub_script_char(&x) == -1)
			return -1;
	}
	render_grub_script_end(&x);
	return 0;
}

void
render_grub_script_line_free(struct render_grub_script_line *l)
{
	if (l == NULL)
		return;
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

/* ---- the checks ------------------------------------------------------------ */

/* What render_grub_script_check has seen so far. */
struct render_grub_script_state {
	enum render_grub_script_kind kind;
	const char	*expect;
	const char	*label;
	int		 lineno;
	int		 in_entry;
	int		 nentry, nmb, nmod, naf, ninstall, nconfig, nexit;
	int		 exit_after_config;
	char		*err;
	size_t		 errlen;
};

static int
render_grub_script_bad(struct render_grub_script_state *s, const char *msg,
    const char *arg)
{
	char buf[256], shown[64];

	snprintf(buf, sizeof(buf), msg, arg == NULL ? "" :
	    render_text_shown(arg, shown, sizeof(shown)));
	render_text_fail(s->err, s->errlen, "%s, line %d: %s", s->label,
	    s->lineno, buf);
	return -1;
}

static int
render_grub_script_ident(const char *s, size_t len, const char *extra)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) ==
		    NULL)
			return 0;
	return 1;
}

/* The words of a multiboot2 or module2 line: answerfile= and install are
 * the dom0 kernel's (the first module2) only. */
static int
render_grub_script_boot(struct render_grub_script_state *s,
    const struct render_grub_script_line *l, int dom0)
{
	size_t i;

	if (l->n < 2)
		return render_grub_script_bad(s, "%s needs a file",
		    l->word[0]);
	for (i = 2; i < l->n; i++) {
		if (strncmp(l->word[i], "answerfile", 10) == 0) {
			if (!dom0 || s->expect == NULL ||
			    strncmp(l->word[i], "answerfile=", 11) != 0 ||
			    strcmp(l->word[i] + 11, s->expect) != 0)
				return render_grub_script_bad(s, "answerfile "
				    "argument \"%s\" is not this host's URL on "
				    "the installer's module2 line",
				    l->word[i]);
			s->naf++;
		}
		if (strcmp(l->word[i], "install") == 0) {
			if (!dom0)
				return render_grub_script_bad(s, "\"install\" "
				    "belongs on the installer's module2 line%s",
				    NULL);
			s->ninstall++;
		}
	}
	return 0;
}

/* multiboot2 and module2, inside the install entry's menuentry only. */
static int
render_grub_script_loader(struct render_grub_script_state *s,
    const struct render_grub_script_line *l)
{
	if (s->kind != RENDER_GRUB_SCRIPT_INSTALL || !s->in_entry)
		return render_grub_script_bad(s, "%s outside the install "
		    "entry's menuentry", l->word[0]);
	if (strcmp(l->word[0], "multiboot2") == 0) {
		if (s->nmb++ > 0 || s->nmod > 0)
			return render_grub_script_bad(s, "exactly one "
			    "multiboot2 (Xen), before the module2 lines%s",
			    NULL);
		return render_grub_script_boot(s, l, 0);
	}
	if (++s->nmod > 2 || s->nmb == 0)
		return render_grub_script_bad(s, "exactly two module2 lines "
		    "(dom0 kernel, install.img), after multiboot2%s", NULL);
	/* install.img: only GRUB's own --nounzip (a gzip install.img is
	 * handed over as it is; GRUB's gunzip over http fails on it) */
	if (s->nmod == 2 && !(l->n == 2 || (l->n == 3 &&
	    strcmp(l->word[1], "--nounzip") == 0)))
		return render_grub_script_bad(s, "the second module2 "
		    "(install.img) takes no arguments but --nounzip%s", NULL);
	return render_grub_script_boot(s, l, s->nmod == 1);
}

/* set NAME=VALUE, insmod MODULE, exit [N], configfile FILE. */
static int
render_grub_script_simple(struct render_grub_script_state *s,
    const struct render_grub_script_line *l)
{
	const char *c = l->word[0], *eq;

	if (strcmp(c, "set") == 0) {
		if (l->n != 2 || (eq = strchr(l->word[1], '=')) == NULL ||
		    !render_grub_script_ident(l->word[1],
		    (size_t)(eq - l->word[1]), "_"))
			return render_grub_script_bad(s, "set takes one "
			    "NAME=VALUE%s", NULL);
		return 0;
	}
	if (strcmp(c, "insmod") == 0) {
		if (l->n != 2 || !render_grub_script_ident(l->word[1],
		    strlen(l->word[1]), "_"))
			return render_grub_script_bad(s, "insmod takes one "
			    "module name%s", NULL);
		return 0;
	}
	if (s->in_entry)
		return render_grub_script_bad(s, "%s inside a menuentry", c);
	if (strcmp(c, "exit") == 0) {
		if (s->kind == RENDER_GRUB_SCRIPT_INSTALL)
			return render_grub_script_bad(s, "exit in an install "
			    "entry (it would skip the installer)%s", NULL);
		if (l->n > 2 || (l->n == 2 && (l->word[1][0] == '\0' ||
		    strspn(l->word[1], "0123456789") != strlen(l->word[1]))))
			return render_grub_script_bad(s, "exit takes at most "
			    "a number%s", NULL);
		s->nexit++;
		s->exit_after_config |= s->nconfig > 0;
		return 0;
	}
	/* configfile: the main file's one line that loads the host's file */
	if (s->kind != RENDER_GRUB_SCRIPT_MAIN || l->n != 2 || strcmp(
	    l->word[1], "${prefix}/hosts/${net_default_mac}.cfg") != 0)
		return render_grub_script_bad(s, "only grub.cfg may use "
		    "configfile, exactly as configfile "
		    "$prefix/hosts/${net_default_mac}.cfg%s", NULL);
	s->nconfig++;
	return 0;
}

/* One line of the text, split. */
static int
render_grub_script_line(struct render_grub_script_state *s,
    const struct render_grub_script_line *l)
{
	const char *c;
	size_t i;

	if (l->n == 0)
		return 0;
	c = l->word[0];
	if (l->brace[0]) {
		if (strcmp(c, "}") != 0 || l->n != 1 || !s->in_entry)
			return render_grub_script_bad(s, "a { or } that does "
			    "not close a menuentry on a line of its own%s",
			    NULL);
		s->in_entry = 0;
		return 0;
	}
	for (i = 1; i < l->n; i++)
		if (l->brace[i] && (strcmp(c, "menuentry") != 0 ||
		    i != l->n - 1 || strcmp(l->word[i], "{") != 0))
			return render_grub_script_bad(s, "unquoted %s (only "
			    "\"menuentry TITLE {\" opens a block)",
			    l->word[i]);
	for (i = 0; i < l->n; i++)
		if (strncmp(l->word[i], "answerfile", 10) == 0 &&
		    strcmp(c, "module2") != 0)
			return render_grub_script_bad(s, "answerfile "
			    "argument outside the installer's module2 line%s",
			    NULL);
	if (strcmp(c, "menuentry") == 0) {
		if (s->kind != RENDER_GRUB_SCRIPT_INSTALL || s->in_entry ||
		    s->nentry > 0 || l->n < 3 || !l->brace[l->n - 1])
			return render_grub_script_bad(s, "one \"menuentry "
			    "TITLE {\", in an install entry only%s", NULL);
		s->nentry++;
		s->in_entry = 1;
		return 0;
	}
	if (strcmp(c, "multiboot2") == 0 || strcmp(c, "module2") == 0)
		return render_grub_script_loader(s, l);
	if (strcmp(c, "echo") == 0)
		return 0;
	if (strcmp(c, "set") == 0 || strcmp(c, "insmod") == 0 ||
	    strcmp(c, "exit") == 0 || strcmp(c, "configfile") == 0)
		return render_grub_script_simple(s, l);
	return render_grub_script_bad(s, "unexpected command \"%s\" (allowed: "
	    "set, echo, insmod, menuentry, multiboot2, module2, configfile, "
	    "exit)", c);
}

/* Bounded, printable ASCII lines only. */
static int
render_grub_script_chars(struct render_grub_script_state *s, const char *text)
{
	size_t i, len;

	if (text == NULL) {
		render_text_fail(s->err, s->errlen, "%s: no text", s->label);
		return -1;
	}
	if ((len = strlen(text)) > RENDER_TEXT_MAX) {
		render_text_fail(s->err, s->errlen, "%s: too large", s->label);
		return -1;
	}
	s->lineno = 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			s->lineno++;
		else if (c < 0x20 || c >= 0x7f) {
			char hex[8];

			snprintf(hex, sizeof(hex), "0x%02x", c);
			return render_grub_script_bad(s, "control or non-ASCII "
			    "character (%s)", hex);
		}
	}
	return 0;
}

/* What the whole file must have, by kind. */
static int
render_grub_script_totals(struct render_grub_script_state *s,
    const char *text)
{
	if (s->in_entry)
		return render_grub_script_bad(s, "menuentry not closed with "
		    "}%s", NULL);
	if (s->kind == RENDER_GRUB_SCRIPT_INSTALL) {
		if (s->nentry != 1 || s->nmb != 1 || s->nmod != 2)
			return render_grub_script_bad(s, "an install entry "
			    "needs one menuentry with one multiboot2 and two "
			    "module2 lines%s", NULL);
		if (s->naf != 1 || s->ninstall != 1)
			return render_grub_script_bad(s, "the installer's "
			    "module2 line needs answerfile=<URL> and install "
			    "exactly once each%s", NULL);
		return 0;
	}
	if (strstr(text, "answerfile=") != NULL)
		return render_grub_script_bad(s, "a local boot file must not "
		    "mention answerfile=%s", NULL);
	if (s->kind == RENDER_GRUB_SCRIPT_MAIN &&
	    (s->nconfig != 1 || !s->exit_after_config))
		return render_grub_script_bad(s, "grub.cfg needs configfile "
		    "$prefix/hosts/${net_default_mac}.cfg and then exit "
		    "(local boot when the host has no file)%s", NULL);
	if (s->kind == RENDER_GRUB_SCRIPT_LOCAL && s->nexit == 0)
		return render_grub_script_bad(s, "a local boot file needs exit "
		    "(back to the firmware's boot order)%s", NULL);
	return 0;
}

int
render_grub_script_check(const char *text, enum render_grub_script_kind kind,
    const char *expect, const char *label, char *err, size_t errlen)
{
	static const char *const main_vars[] = { "prefix", "net_default_mac",
	    NULL };
	struct render_grub_script_state s;
	struct render_grub_script_line l;
	char *copy = NULL, *line, *next, why[192];
	int ret = -1;

	memset(&s, 0, sizeof(s));
	memset(&l, 0, sizeof(l));
	s.kind = kind;
	s.expect = kind == RENDER_GRUB_SCRIPT_INSTALL ? expect : NULL;
	s.label = label;
	s.err = err;
	s.errlen = errlen;
	if (render_grub_script_chars(&s, text) == -1)
		goto out;
	if (kind == RENDER_GRUB_SCRIPT_INSTALL && (expect == NULL ||
	    !render_text_url_ok(expect))) {
		render_text_fail(err, errlen, "%s: no valid answerfile URL to "
		    "check against", label);
		goto out;
	}
	if ((copy = strdup(text)) == NULL) {
		render_text_fail(err, errlen, "%s: out of memory", label);
		goto out;
	}
	s.lineno = 0;
	for (line = copy; line != NULL; line = next) {
		s.lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (render_grub_script_split(line, kind ==
		    RENDER_GRUB_SCRIPT_MAIN ? main_vars : NULL, &l, why,
		    sizeof(why)) == -1) {
			render_text_fail(err, errlen, "%s, line %d: %s", label,
			    s.lineno, why);
			goto out;
		}
		if (render_grub_script_line(&s, &l) == -1)
			goto out;
		render_grub_script_line_free(&l);
	}
	if (render_grub_script_totals(&s, text) == -1)
		goto out;
	ret = 0;
out:
	render_grub_script_line_free(&l);
	free(copy);
	return ret;
}
