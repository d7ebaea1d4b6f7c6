/* cli_queued.c — see cli_queued.h. */
#include "cli_queued.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"

#define CLI_QUEUED_WAIT_MS	5000
#define CLI_QUEUED_POLL_MS	250

/* The string at key of o, or "". */
static const char *
cli_queued_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

int
cli_queued_is(json_t *reply)
{
	return json_is_integer(json_object_get(reply, "queued"));
}

/* Polls action id until it is done or the wait is over: 0 with *doc (the
 * last document read; NULL when none could be), or -1 with err. */
static int
cli_queued_wait(const struct config *cfg, long long id, json_t **doc,
    char *err, size_t errlen)
{
	char path[64], *resp;
	long status;
	int waited, ret = 0;

	*doc = NULL;
	snprintf(path, sizeof(path), "/api/v1/site-actions/%lld", id);
	for (waited = 0; waited <= CLI_QUEUED_WAIT_MS;
	    waited += CLI_QUEUED_POLL_MS) {
		resp = NULL;
		if (client_request(cfg, "GET", path, NULL, &status, &resp, err,
		    errlen) == -1) {
			ret = -1;
			break;
		}
		json_decref(*doc);
		*doc = status == 200 ? json_loads(resp ? resp : "", 0, NULL) :
		    NULL;
		free(resp);
		if (*doc == NULL || strcmp(cli_queued_str(*doc, "state"),
		    "done") == 0)
			break;
		usleep(CLI_QUEUED_POLL_MS * 1000);
	}
	return ret;
}

int
cli_queued_show(const struct config *cfg, int json, const char *action,
    json_t *reply, char *err, size_t errlen)
{
	long long id = json_integer_value(json_object_get(reply, "queued"));
	const char *site = cli_queued_str(reply, "site");
	const char *target = json_object_get(reply, "pool") != NULL ?
	    cli_queued_str(reply, "pool") : cli_queued_str(reply, "host");
	const char *msg;
	json_t *doc = NULL;
	int ret = 0, done, ok;

	if (!json)
		printf("%s of %s queued for site %s's instance (action %lld)\n",
		    action, target, site, id);
	fflush(stdout);
	if (!json && cli_queued_str(reply, "warning")[0] != '\0')
		fprintf(stderr, "poolboot: warning: %s\n",
		    cli_queued_str(reply, "warning"));
	if (cli_queued_wait(cfg, id, &doc, err, errlen) == -1) {
		json_decref(doc);
		return -1;
	}
	done = strcmp(cli_queued_str(doc, "state"), "done") == 0;
	ok = json_is_true(json_object_get(doc, "ok"));
	if (json) {
		json_dumpf(doc != NULL ? doc : reply, stdout, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (done && ok)
		printf("site %s: %s\n", site, cli_queued_str(doc, "result"));
	else if (!done)
		printf("site %s's instance has not done it yet: see GET "
		    "/api/v1/site-actions/%lld or the events of %s\n", site, id,
		    target);
	if (done && !ok) {
		msg = cli_queued_str(doc, "result");
		if (strncmp(msg, "refused: ", 9) == 0)
			msg += 9;
		fprintf(stderr, "poolboot: site %s's instance refused the %s "
		    "(HTTP %lld): %s\n", site, action, (long long)
		    json_integer_value(json_object_get(doc, "status")), msg);
		ret = 1;
	}
	json_decref(doc);
	return ret;
}
