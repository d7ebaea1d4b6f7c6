/* cli_audit.c — poolboot audit; see cli_audit.h. */
#include "cli_audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli_usage.h"
#include "client.h"

static const char *
cli_audit_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* One entry as a line: local time, then the fields. */
static void
cli_audit_line(json_t *e)
{
	json_int_t ms = json_integer_value(json_object_get(e, "time"));
	time_t t = (time_t)(ms / 1000);
	const char *target = cli_audit_str(e, "target");
	struct tm tm;
	char when[32];

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	printf("%s.%03d  %-15s %-12s %-9s %-20s %3d  %s\n", when,
	    (int)(ms % 1000), cli_audit_str(e, "client"),
	    cli_audit_str(e, "token"), cli_audit_str(e, "action"),
	    target[0] ? target : "-",
	    (int)json_integer_value(json_object_get(e, "status")),
	    cli_audit_str(e, "result"));
}

/* The reply of a refusal: its error to stderr (and, with --json, the
 * reply with "exit"). */
static int
cli_audit_refused(const struct cli_opts *o, json_t *reply, long status)
{
	json_t *e = json_object_get(reply, "error");
	char msg[1024];

	snprintf(msg, sizeof(msg), "audit refused (HTTP %ld): %s", status,
	    json_is_string(e) ? json_string_value(e) : "request failed");
	return cli_fail(o, CLI_EXIT_FAIL, "%s", msg);
}

int
cli_audit(const struct cli_opts *o)
{
	struct config *cfg;
	json_t *reply = NULL, *arr;
	char path[64], err[1024], *resp = NULL, *end;
	long status = 0, limit = 20;
	size_t i;
	int ret = CLI_EXIT_FAIL;

	if (o->limit != NULL) {
		errno = 0;
		limit = strtol(o->limit, &end, 10);
		if (errno != 0 || end == o->limit || *end != '\0' || limit < 1 ||
		    limit > 1000)
			return cli_usage_error(o->cmd, o->json,
			    "--limit '%s' "
			    "must be a number from 1 to 1000", o->limit);
	}
	if ((cfg = cli_config(o)) == NULL)
		return CLI_EXIT_FAIL;
	snprintf(path, sizeof(path), "/api/v1/audit?limit=%ld", limit);
	if (client_request(cfg, "GET", path, NULL, &status, &resp, err,
	    sizeof(err)) == -1) {
		ret = cli_fail(o, CLI_EXIT_NOSERVER, "%s", err);
		goto out;
	}
	reply = json_loads(resp != NULL ? resp : "", 0, NULL);
	if (status != 200 || !json_is_object(reply)) {
		ret = cli_audit_refused(o, reply, status);
		goto out;
	}
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		arr = json_object_get(reply, "audit");
		printf("%-23s  %-15s %-12s %-9s %-20s %3s  %s\n", "TIME",
		    "CLIENT", "TOKEN", "ACTION", "TARGET", "ST", "RESULT");
		for (i = 0; i < json_array_size(arr); i++)
			cli_audit_line(json_array_get(arr, i));
	}
	ret = 0;
out:
	json_decref(reply);
	free(resp);
	config_free(cfg);
	return ret;
}
