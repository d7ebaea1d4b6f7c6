/* cli_follow.c — see cli_follow.h. */
#include "cli_follow.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static volatile sig_atomic_t cli_follow_interrupted;

int
cli_follow_fancy(void)
{
	const char *term = getenv("TERM");

	/* NO_COLOR: any value, https://no-color.org */
	return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	    term != NULL && term[0] != '\0' && strcmp(term, "dumb") != 0;
}

static void
cli_follow_on_sigint(int sig)
{
	(void)sig;
	cli_follow_interrupted = 1;
}

void
cli_follow_begin(struct cli_follow *f)
{
	struct sigaction sa;

	memset(f, 0, sizeof(*f));
	f->tty = cli_follow_fancy();
	/* no SA_RESTART: the poll's usleep returns at once */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cli_follow_on_sigint;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
}

int
cli_follow_stopped(void)
{
	return cli_follow_interrupted != 0;
}

/* The terminal rows a line of len bytes takes on a screen cols wide (0:
 * unknown): its ANSI escapes (ESC [ ... letter) take no column; longer
 * lines wrap. */
static int
cli_follow_rows(const char *line, size_t len, int cols)
{
	size_t i, width = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == '\033' && i + 1 < len && line[i + 1] == '[') {
			for (i += 2; i < len && !(line[i] >= '@' &&
			    line[i] <= '~'); i++)
				;
			continue;
		}
		if (((unsigned char)line[i] & 0xc0) != 0x80)	/* UTF-8 */
			width++;
	}
	if (cols <= 0 || width == 0)
		return 1;
	return (int)((width - 1) / (size_t)cols) + 1;
}

/* 1 when the line of len bytes at line is one of the lines of text. */
static int
cli_follow_has_line(const char *text, const char *line, size_t len)
{
	while (text != NULL && *text != '\0') {
		size_t l = strcspn(text, "\n");

		if (l == len && memcmp(text, line, len) == 0)
			return 1;
		text += l + (text[l] == '\n');
	}
	return 0;
}

void
cli_follow_show(struct cli_follow *f, char *text, char *keys)
{
	const char *t = text, *k = keys;
	struct winsize ws;
	int n = 0, cols = 0;

	if (text == NULL || keys == NULL || (f->tty && f->text != NULL &&
	    strcmp(f->text, text) == 0)) {
		free(text);
		free(keys);
		return;
	}
	/* back to the first line of the previous text, then over it: each
	 * line's rest erased (ESC [ K), and what is left below (ESC [ J) */
	if (f->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		cols = ws.ws_col;
	if (f->tty && f->lines > 0)
		printf("\033[%dA\r", f->lines);
	while (*t != '\0') {
		size_t tl = strcspn(t, "\n"), kl = strcspn(k, "\n");

		if (f->tty)
			printf("%.*s\033[K\n", (int)tl, t);
		else if (!cli_follow_has_line(f->keys, k, kl))
			printf("%.*s\n", (int)tl, t);
		n += cli_follow_rows(t, tl, cols);
		t += tl + (t[tl] == '\n');
		k += kl + (k[kl] == '\n');
	}
	if (f->tty)
		printf("\033[J");
	fflush(stdout);
	f->lines = n;
	free(f->text);
	free(f->keys);
	f->text = text;
	f->keys = keys;
}

int
cli_follow_end(struct cli_follow *f, int ret, const char *what,
    const char *cmd)
{
	if (cli_follow_interrupted) {
		/* on a terminal the echoed ^C is erased first */
		printf("%sstopped following; the %s goes on in poolboot serve "
		    "(%s)\n", f->tty ? "\r\033[K" : "", what, cmd);
		ret = 0;
	}
	fflush(stdout);
	free(f->text);
	free(f->keys);
	f->text = f->keys = NULL;
	(void)signal(SIGINT, SIG_DFL);
	return ret;
}
