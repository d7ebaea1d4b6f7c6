/* render_grub_script.h — internal to the render modules: GRUB's script
 * language as far as poolboot's GRUB files use it. A lexer for one line
 * (GRUB 2.06's grub-core/script/yylex.l rules: words separated by blanks,
 * the metacharacters { } | & $ ; < >, '...', "...", \ escapes, $name and
 * ${name} expansions, # comments at the start of a word) and the checks
 * behind render_validate_grub and render_validate_grub_main.
 *
 * The lexer is stricter than GRUB: it refuses what none of poolboot's
 * files needs and what could change a file's meaning — | & ; < >, a
 * backslash at the end of a line, quotes left open at the end of a line,
 * unquoted * and ? (GRUB's regexp module expands them as file names),
 * and every expansion not in the caller's list.
 */
#ifndef POOLBOOT_RENDER_GRUB_SCRIPT_H
#define POOLBOOT_RENDER_GRUB_SCRIPT_H

#include <stddef.h>

#define RENDER_GRUB_SCRIPT_WORDS	128	/* words on one line */

/* One line as GRUB splits it. word[i] is the value after quote removal,
 * each allowed expansion written as ${name}; brace[i] is 1 for an
 * unquoted { or } (GRUB's block delimiters), 0 for a word (a quoted "{"
 * included). */
struct render_grub_script_line {
	char	*word[RENDER_GRUB_SCRIPT_WORDS];
	int	 brace[RENDER_GRUB_SCRIPT_WORDS];
	size_t	 n;
	char	*buf;		/* owns the words */
};

/* What a GRUB file is for; the checks differ. */
enum render_grub_script_kind {
	RENDER_GRUB_SCRIPT_INSTALL,	/* grub/hosts/<mac>.cfg, armed */
	RENDER_GRUB_SCRIPT_LOCAL,	/* grub/hosts/<mac>.cfg, local boot */
	RENDER_GRUB_SCRIPT_MAIN		/* grub/grub.cfg */
};

/* Splits line (no newline in it) into l, allowing the expansions named in
 * vars (NULL-terminated; NULL = none). 0, or -1 with the reason in why
 * (no line number). Free l with render_grub_script_line_free, also after
 * a failure. */
int   render_grub_script_split(const char *line, const char *const *vars,
	    struct render_grub_script_line *l, char *why, size_t whylen);
void  render_grub_script_line_free(struct render_grub_script_line *l);

/* Checks the whole text as a file of kind; expect is the answerfile URL
 * an install entry must carry (NULL otherwise). Messages start with label
 * ("grub", "template grub-install.cfg") and name the line. 0, or -1 with
 * err (logged under "render"). */
int   render_grub_script_check(const char *text,
	    enum render_grub_script_kind kind, const char *expect,
	    const char *label, char *err, size_t errlen);

#endif
