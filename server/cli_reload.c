/* cli_reload.c — see cli_reload.h. */
#include "cli_reload.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "client.h"

/* The strings of the array at key of doc, one per line, indented. */
static void
cli_reload_lines(FILE *f, json_t *doc, const char *key, const char *lead)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(doc, key), i, v)
		if (json_is_string(v))
			fprintf(f, "%s%s\n", lead, json_string_value(v));
}

/* The server's answer (status, doc) printed; the exit code. */
static int
cli_reload_print(const struct cli_opts *o, long status, json_t *doc)
{
	json_t *sum = json_object_get(doc, "summary");
	const char *s = json_is_string(sum) ? json_string_value(sum) : "";
	int code = status == 200 ? CLI_EXIT_OK : CLI_EXIT_FAIL;

	if (o->json) {
		if (code != CLI_EXIT_OK)
			json_object_set_new(doc, "exit", json_integer(code));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	if (code == CLI_EXIT_OK) {
		if (!o->json) {
			printf("reload: %s\n", s);
			cli_reload_lines(stdout, doc, "warnings", "  warning: ");
		}
		return code;
	}
	fprintf(stderr, "poolboot: reload refused (HTTP %ld): %s\n", status,
	    s[0] ? s : "the server kept its configuration");
	cli_reload_lines(stderr, doc, "errors", "  ");
	return code;
}

int
cli_reload_run(const struct cli_opts *o)
{
	struct config *cfg;
	json_error_t jerr;
	json_t *doc;
	char err[512], *resp = NULL;
	long status = 0;
	int ret;

	if ((cfg = cli_config(o)) == NULL) {
		/* where the server listens comes from the same file */
		fprintf(stderr, "poolboot: reload not sent: %s has the problems "
		    "above; poolboot serve goes on with the configuration it "
		    "has\n", o->conf);
		return CLI_EXIT_FAIL;
	}
	if (client_request(cfg, "POST", "/api/v1/reload", "{}", &status, &resp,
	    err, sizeof(err)) == -1) {
		config_free(cfg);
		return cli_fail(o, CLI_EXIT_NOSERVER, "%s", err);
	}
	config_free(cfg);
	doc = json_loads(resp != NULL ? resp : "", 0, &jerr);
	free(resp);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return cli_fail(o, CLI_EXIT_FAIL, "reload: the server answered "
		    "HTTP %ld without a JSON document", status);
	}
	ret = cli_reload_print(o, status, doc);
	json_decref(doc);
	return ret;
}
