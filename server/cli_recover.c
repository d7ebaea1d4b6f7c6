/* cli_recover.c — see cli_recover.h. With --json the step lines go to
 * stderr and stdout gets one JSON document: the outcome, the rebuild's
 * job (--wipe), or {"error", "exit"} like every other command. */
#include "cli_recover.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli_usage.h"
#include "config.h"
#include "recover.h"
#include "util.h"

static void
cli_recover_say(void *arg, const char *line)
{
	FILE *f = arg;

	fprintf(f, "recover: %s\n", line);
	fflush(f);
}

/* --json: {"pool", "master", "old_master" (null: none left), "next"}. */
static void
cli_recover_json(const char *pool, const char *master, const char *old,
    const char *next)
{
	json_t *doc = json_pack("{s:s, s:s, s:s?, s:s?}", "pool", pool,
	    "master", master, "old_master", old[0] ? old : NULL, "next", next);

	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

int
cli_recover_run(const struct cli_opts *o, const char *pool)
{
	struct recover_result r;
	struct config *cfg;
	const struct pool *p;
	const struct host *nm;
	char err[1024], next[512];
	FILE *say = o->json ? stderr : stdout;
	int ret = CLI_EXIT_FAIL;

	if (!util_valid_name(pool))
		return cli_usage_error(o->cmd, o->json,
		    "'%s' is not a pool name", pool);
	if (o->new_master == NULL)
		return cli_usage_error(o->cmd, o->json,
		    "missing --new-master HOST (a live "
		    "member of pool %s to promote)", pool);
	if (!util_valid_name(o->new_master))
		return cli_usage_error(o->cmd, o->json,
		    "--new-master '%s' is not a host "
		    "name", o->new_master);
	if ((cfg = cli_config_flags(o, 0)) == NULL)
		return CLI_EXIT_FAIL;
	if ((p = config_pool(cfg, pool)) == NULL) {
		ret = cli_fail(o, CLI_EXIT_FAIL, "no pool named '%s' in %s",
		    pool, cfg->path);
		goto out;
	}
	if ((nm = config_host(cfg, o->new_master)) == NULL) {
		ret = cli_fail(o, CLI_EXIT_FAIL, "no host named '%s' in the "
		    "inventory", o->new_master);
		goto out;
	}
	switch (recover_run(cfg, p, nm, cli_recover_say, say, &r, err,
	    sizeof(err))) {
	case RECOVER_DONE:
		break;
	case RECOVER_REFUSED:
		ret = cli_fail(o, CLI_EXIT_FAIL, "recover %s: %s", pool, err);
		goto out;
	case RECOVER_FAILED:
		ret = cli_fail(o, CLI_EXIT_FAIL, "recover %s: %s (run recover "
		    "again once fixed: it resumes)", pool, err);
		goto out;
	}
	fprintf(say, "recover: %s is the master of pool %s\n", nm->name, pool);
	snprintf(next, sizeof(next), "poolboot rebuild %s --wipe (fresh "
	    "install, then it joins %s as a member), or recover again with "
	    "--wipe", r.old_master, nm->name);
	if (r.old_master[0] == '\0' || !o->wipe) {
		if (r.old_master[0] != '\0')
			fprintf(say, "recover: next: %s\n", next);
		if (o->json)
			cli_recover_json(pool, nm->name, r.old_master,
			    r.old_master[0] ? next : NULL);
		ret = CLI_EXIT_OK;
		goto out;
	}
	fprintf(say, "recover: rebuild %s as a member (through the server)\n",
	    r.old_master);
	fflush(say);
	ret = cli_job_start(o, r.old_master, "rebuild");
out:
	config_free(cfg);
	return ret;
}
