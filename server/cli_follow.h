/* cli_follow.h — how the CLI follows a run or a job (status --follow,
 * upgrade/retry/abort --follow, rebuild/install/job --follow): each poll's
 * text is shown as the output allows (cli_follow.c).
 *
 * On a terminal (stdout a tty, NO_COLOR unset, TERM set and not "dumb")
 * the text is redrawn in place over the previous one (ANSI cursor-up and
 * erase) and callers colour it (the CLI_FOLLOW_* codes). Otherwise only
 * the lines not in the previous text are printed, so a log of the output
 * has each change once. Ctrl-C (SIGINT) while following stops following,
 * not the CLI's caller: cli_follow_stopped turns 1 and cli_follow_end says
 * that the work goes on in the server.
 */
#ifndef POOLBOOT_CLI_FOLLOW_H
#define POOLBOOT_CLI_FOLLOW_H

#define CLI_FOLLOW_GREEN	"\033[32m"	/* done */
#define CLI_FOLLOW_RED		"\033[31m"	/* failed, halted, aborted */
#define CLI_FOLLOW_YELLOW	"\033[33m"	/* running */
#define CLI_FOLLOW_PLAIN	"\033[0m"

struct cli_follow {
	int	 tty;		/* redraw in place, with colour */
	int	 lines;		/* terminal rows of the text shown last (tty;
				   long lines wrap) */
	char	*text;		/* the text shown last */
	char	*keys;		/* its lines without clock or colour */
};

/* 1 when stdout takes colour and cursor moves (see above). */
int   cli_follow_fancy(void);
/* Starts following with f (zeroed; f->tty set): catches SIGINT, which
 * also cuts the caller's sleep between polls short. */
void  cli_follow_begin(struct cli_follow *f);
/* 1 once Ctrl-C was pressed: the caller stops polling. */
int   cli_follow_stopped(void);
/* Shows text: on a tty over the previous text (when it differs); else
 * the lines of text whose line in keys (the same lines without clock or
 * colour) was not a line of the previous keys. Takes both malloc'd
 * strings (either NULL: nothing shown). */
void  cli_follow_show(struct cli_follow *f, char *text, char *keys);
/* Ends following (frees f's strings, SIGINT back to its default). After
 * Ctrl-C prints "stopped following; the WHAT goes on in poolboot serve
 * (CMD)" and returns 0, else ret. */
int   cli_follow_end(struct cli_follow *f, int ret, const char *what,
	    const char *cmd);

#endif
