/* cli_usage.c — see cli_usage.h. */
#include "cli_usage.h"

#include <stdarg.h>
#include <stdio.h>

#include <jansson.h>

static cli_usage_synopsis_fn cli_usage_synopsis;

void
cli_usage_set_synopsis(cli_usage_synopsis_fn fn)
{
	cli_usage_synopsis = fn;
}

int
cli_usage_error(const char *cmd, int json, const char *fmt, ...)
{
	char what[512], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (cmd != NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", cmd, what);
		fprintf(stderr, "poolboot %s\n", msg);
		if (cli_usage_synopsis != NULL)
			cli_usage_synopsis(cmd, stderr);
		fprintf(stderr, "Run 'poolboot %s --help' for more.\n", cmd);
	} else {
		snprintf(msg, sizeof(msg), "%s", what);
		fprintf(stderr, "poolboot: %s\n", msg);
		fprintf(stderr, "Run 'poolboot --help' for the commands.\n");
	}
	if (json) {
		/* cli.h's {"error", "exit"} shape */
		json_t *doc = json_pack("{s:s, s:i}", "error", msg, "exit",
		    CLI_USAGE_EXIT);

		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	}
	return CLI_USAGE_EXIT;
}
