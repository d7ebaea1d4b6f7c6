/* cli_recover.c — see cli_recover.h. */
#include "cli_recover.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "recover.h"
#include "util.h"

static void
cli_recover_say(void *arg, const char *line)
{
	(void)arg;
	printf("recover: %s\n", line);
	fflush(stdout);
}

int
cli_recover_run(const struct cli_opts *o, const char *pool)
{
	struct recover_result r;
	struct config *cfg;
	const struct pool *p;
	const struct host *nm;
	char err[1024];
	int ret = CLI_EXIT_FAIL;

	if (o->new_master == NULL || !util_valid_name(o->new_master) ||
	    !util_valid_name(pool)) {
		fprintf(stderr, "poolboot: recover needs a pool and --new-master "
		    "HOST (an inventory host of that pool)\n");
		return CLI_EXIT_USAGE;
	}
	if ((cfg = cli_load_config(o->conf)) == NULL)
		return CLI_EXIT_FAIL;
	if ((p = config_pool(cfg, pool)) == NULL) {
		fprintf(stderr, "poolboot: no pool named '%s' in %s\n", pool,
		    cfg->path);
		goto out;
	}
	if ((nm = config_host(cfg, o->new_master)) == NULL) {
		fprintf(stderr, "poolboot: no host named '%s' in the inventory\n",
		    o->new_master);
		goto out;
	}
	switch (recover_run(cfg, p, nm, cli_recover_say, NULL, &r, err,
	    sizeof(err))) {
	case RECOVER_DONE:
		break;
	case RECOVER_REFUSED:
		fprintf(stderr, "poolboot: recover %s: %s\n", pool, err);
		goto out;
	case RECOVER_FAILED:
		fprintf(stderr, "poolboot: recover %s: %s (run recover again once "
		    "fixed: it resumes)\n", pool, err);
		goto out;
	}
	printf("recover: %s is the master of pool %s\n", nm->name, pool);
	if (r.old_master[0] == '\0') {
		ret = CLI_EXIT_OK;
		goto out;
	}
	if (!o->wipe) {
		printf("recover: next: poolboot rebuild %s --wipe (fresh install, "
		    "then it joins %s as a member), or recover again with "
		    "--wipe\n", r.old_master, nm->name);
		ret = CLI_EXIT_OK;
		goto out;
	}
	printf("recover: rebuild %s as a member (through the server)\n",
	    r.old_master);
	fflush(stdout);
	ret = cli_job_start(o, r.old_master, "rebuild");
out:
	config_free(cfg);
	return ret;
}
