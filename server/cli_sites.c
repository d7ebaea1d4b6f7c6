/* cli_sites.c — poolboot sites (cli.h): every site, which instance is
 * active for it and its queued actions (api_sites.h), from the running
 * server's API, else from the database itself (a standby serves
 * nothing, and a stopped server answers nothing). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "api_sites.h"
#include "client.h"
#include "store.h"
#include "util.h"

static const char *
cli_sites_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* The document from the database (answering 0); NULL with a message. */
static json_t *
cli_sites_from_store(const struct cli_opts *o, const struct config *cfg)
{
	struct store *st = NULL;
	struct stat sb;
	char db[4096], name[4200];
	json_t *doc;
	int found = 1;

	snprintf(db, sizeof(db), "%s/poolboot.db", cfg->state_dir);
	if (cfg->store.backend == STORE_POSTGRES)
		found = store_present_config(cfg);
	else
		found = stat(db, &sb) == 0;	/* none: serve never ran */
	if (found == -1 || (found && store_open_config(cfg, 1, &st) == -1)) {
		cli_fail(o, CLI_EXIT_FAIL, "cannot read %s (run sites as the "
		    "user serve runs as, or start serve)",
		    store_name_config(cfg, name, sizeof(name)));
		return NULL;
	}
	doc = api_sites_doc(cfg, st, 0);
	store_close(st);
	if (doc == NULL)
		cli_fail(o, CLI_EXIT_FAIL, "cannot read the sites from %s",
		    store_name_config(cfg, name, sizeof(name)));
	return doc;
}

/* One row's LEASE and QUEUED columns. */
static void
cli_sites_texts(json_t *s, int answering_own, char *lease, size_t llen,
    char *queue, size_t qlen)
{
	json_t *ago = json_object_get(s, "expired_ago_ms");
	json_int_t q = json_integer_value(json_object_get(s, "queued"));
	json_int_t t = json_integer_value(json_object_get(s, "taken"));

	if (json_is_true(json_object_get(s, "active")) &&
	    json_is_null(json_object_get(s, "instance")))
		snprintf(lease, llen, answering_own ? "none needed (one "
		    "instance)" : "-");
	else if (json_is_null(json_object_get(s, "instance")))
		snprintf(lease, llen, "never taken");
	else if (json_is_null(ago))
		snprintf(lease, llen, "renewed %lld s ago", (long long)
		    json_integer_value(json_object_get(s, "heartbeat_ago_ms")) /
		    1000);
	else if (json_integer_value(ago) > 315360000000LL)  /* 0: released */
		snprintf(lease, llen, "released (stopped)");
	else
		snprintf(lease, llen, "expired %lld s ago",
		    (long long)json_integer_value(ago) / 1000);
	if (q + t == 0)
		snprintf(queue, qlen, "0");
	else
		snprintf(queue, qlen, "%lld queued, %lld taken (oldest %lld s)",
		    (long long)q, (long long)t, (long long)json_integer_value(
		    json_object_get(s, "oldest_queued_ms")) / 1000);
}

int
cli_sites(const struct cli_opts *o)
{
	struct config *cfg;
	json_t *doc = NULL, *s;
	char err[512], lease[64], queue[96];
	char *resp = NULL;
	long status = 0;
	size_t i;
	int answering = 0, ret = CLI_EXIT_FAIL;

	if ((cfg = cli_config_flags(o, CONFIG_LOAD_NO_PASSWORDS |
	    CONFIG_LOAD_NO_ROOT_HASH)) == NULL)
		return CLI_EXIT_FAIL;
	if (client_request(cfg, "GET", "/api/v1/sites", NULL, &status, &resp,
	    err, sizeof(err)) == 0 && status == 200 &&
	    (doc = json_loads(resp, 0, NULL)) != NULL)
		answering = 1;
	free(resp);
	if (doc == NULL && (doc = cli_sites_from_store(o, cfg)) == NULL)
		goto out;
	if (o->json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		ret = 0;
		goto out;
	}
	printf("%-16s %5s %5s  %-6s %-40s %-20s %s\n", "SITE", "POOLS", "HOSTS",
	    "ACTIVE", "INSTANCE", "LEASE", "ACTIONS");
	json_array_foreach(json_object_get(doc, "sites"), i, s) {
		int own = answering && strcmp(cli_sites_str(s, "site"),
		    cli_sites_str(doc, "site")) == 0;

		cli_sites_texts(s, own, lease, sizeof(lease), queue,
		    sizeof(queue));
		printf("%-16s %5lld %5lld  %-6s %-40s %-20s %s\n",
		    cli_sites_str(s, "site")[0] ? cli_sites_str(s, "site") :
		    "(none)", (long long)json_integer_value(json_object_get(s,
		    "pools")), (long long)json_integer_value(json_object_get(s,
		    "hosts")), json_is_true(json_object_get(s, "active")) ?
		    "yes" : "no", cli_sites_str(s, "instance")[0] ?
		    cli_sites_str(s, "instance") : "-", lease, queue);
	}
	if (!answering)
		printf("(read from the database: no server answered at %s)\n",
		    cfg->admin_listen_addr);
	ret = 0;
out:
	json_decref(doc);
	config_free(cfg);
	return ret;
}
