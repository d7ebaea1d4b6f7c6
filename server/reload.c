/* reload.c — see reload.h. */
#include "reload.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"
#include "config_live.h"
#include "dnsmasq.h"
#include "log.h"
#include "repo_mirror.h"
#include "state.h"
#include "store.h"
#include "store_job.h"
#include "store_run.h"

struct reload {
	pthread_mutex_t	 mu;		/* one reload at a time */
	char		*path;
	struct config_live *live;
	struct store	*st;
	struct arm	*arm;
	struct dnsmasq_sup *dns;
};

int
reload_new(const char *path, struct config_live *live, struct store *st,
    struct arm *arm, struct dnsmasq_sup *dns, struct reload **out)
{
	struct reload *r;
	char abs[PATH_MAX];

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	/* the file as it was found at start-up, whatever the cwd is later */
	if ((r->path = strdup(realpath(path, abs) != NULL ? abs : path)) ==
	    NULL) {
		free(r);
		return -1;
	}
	pthread_mutex_init(&r->mu, NULL);
	r->live = live;
	r->st = st;
	r->arm = arm;
	r->dns = dns;
	*out = r;
	return 0;
}

void
reload_free(struct reload *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->mu);
	free(r->path);
	free(r);
}

const char *
reload_result_name(enum reload_result res)
{
	switch (res) {
	case RELOAD_OK:		return "OK";
	case RELOAD_INVALID:	return "invalid";
	case RELOAD_REFUSED:	return "refused";
	default:		return "error";
	}
}

void
reload_report_free(struct reload_report *rep)
{
	if (rep == NULL)
		return;
	strlist_free(&rep->errors);
	strlist_free(&rep->warnings);
	config_diff_free(&rep->diff);
}

static int
reload_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* A host the reload removes or changes. */
static int
reload_touches(const struct config_diff *d, const char *host)
{
	return reload_has(&d->hosts_removed, host) ||
	    reload_has(&d->hosts_changed, host);
}

/* The keys that cannot change live: one error each. */
static void
reload_check_fixed(struct reload_report *rep)
{
	size_t i;

	for (i = 0; i < rep->diff.fixed.n; i++)
		strlist_addf(&rep->errors, "%s: cannot change while poolboot "
		    "serve runs; restart poolboot serve to apply it (or put "
		    "the old value back)", rep->diff.fixed.v[i]);
}

/* Touched hosts in a running or halted run of a pool of old. -1 when the
 * store cannot be read. */
static int
reload_check_runs(struct reload *r, const struct config *old,
    struct reload_report *rep)
{
	struct run_host *rh;
	struct run run;
	size_t i, j, n;
	int rc;

	for (i = 0; i < old->npools; i++) {
		const char *pool = old->pools[i].name;

		if ((rc = store_run_latest(r->st, pool, &run)) == -1)
			return -1;
		if (rc == 1 || (!state_run_is(run.state, RUN_RUNNING) &&
		    !state_run_is(run.state, RUN_HALTED)))
			continue;
		rh = NULL;
		n = 0;
		if (store_run_hosts(r->st, run.id, &rh, &n) == -1)
			return -1;
		for (j = 0; j < n; j++)
			if (reload_touches(&rep->diff, rh[j].host))
				strlist_addf(&rep->errors, "host %s is in run %lld "
				    "of pool %s (%s, step %s): a run keeps its "
				    "configuration; wait for the run to finish "
				    "or abort it (poolboot abort %s), then "
				    "reload", rh[j].host, (long long)run.id, pool,
				    run.state, rh[j].step, pool);
		free(rh);
	}
	return 0;
}

/* Touched hosts that are armed or have an unfinished job. -1 when the
 * store cannot be read. */
static int
reload_check_hosts(struct reload *r, const struct config *old,
    struct reload_report *rep)
{
	struct arming ar;
	struct job job;
	size_t i;
	int rc;

	for (i = 0; i < old->nhosts; i++) {
		const char *h = old->hosts[i].name;

		if (!reload_touches(&rep->diff, h))
			continue;
		if ((rc = store_active_arming(r->st, h, &ar)) == -1)
			return -1;
		if (rc == 0)
			strlist_addf(&rep->errors, "host %s is armed (%s install, "
			    "%d answerfile fetch%s): disarm it (poolboot disarm "
			    "%s) or let its install report back, then reload", h,
			    config_mode_name(ar.mode), ar.attempts,
			    ar.attempts == 1 ? "" : "es", h);
		if ((rc = store_job_latest(r->st, h, &job)) == -1)
			return -1;
		if (rc == 0 && (state_run_is(job.state, RUN_RUNNING) ||
		    state_run_is(job.state, RUN_HALTED)))
			strlist_addf(&rep->errors, "host %s has a %s %s job "
			    "(%lld, step %s): wait for it to finish or abort it "
			    "(poolboot jobs abort %lld), then reload", h,
			    job.state, job.kind, (long long)job.id, job.step,
			    (long long)job.id);
	}
	return 0;
}

/* dnsmasq.conf as cfg makes it, in the server's dnsmasq folder (old's:
 * state_dir cannot change live). Caller frees; NULL without [dnsmasq]. */
static char *
reload_dnsmasq_conf(const struct config *cfg, const struct config *old)
{
	char err[256], *dir, *conf = NULL;

	if (!cfg->dnsmasq.enabled || (dir = dnsmasq_dir(old)) == NULL)
		return NULL;
	conf = dnsmasq_render_conf(cfg, dir, err, sizeof(err));
	free(dir);
	return conf;
}

/* 1 when new's dnsmasq.conf differs from old's; then it must pass
 * dnsmasq --test (its problems into rep->errors: *invalid set). */
static int
reload_check_dnsmasq(const struct config *old, const struct config *new,
    struct reload_report *rep, int *invalid)
{
	char *a = reload_dnsmasq_conf(old, old);
	char *b = reload_dnsmasq_conf(new, old);
	struct strlist notes = { NULL, 0 };
	int changed = (a == NULL) != (b == NULL) ||
	    (a != NULL && strcmp(a, b) != 0);

	free(a);
	free(b);
	if (changed && new->dnsmasq.enabled &&
	    dnsmasq_check(new, &rep->errors, &notes) == -1)
		*invalid = 1;
	strlist_free(&notes);
	return changed;
}

/* dnsmasq's files for cur, and what dnsmasq is told; rep->dnsmasq says
 * it. */
static void
reload_dnsmasq(struct reload *r, const struct config *cur, int conf_changed,
    struct reload_report *rep)
{
	const struct config_diff *d = &rep->diff;
	int managed = cur->dnsmasq.mode == DNSMASQ_MANAGED, gone;
	char err[512];

	if (!cur->dnsmasq.enabled) {
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "no [dnsmasq]");
		return;
	}
	if (dnsmasq_write_files(cur, NULL, NULL, err, sizeof(err)) == -1) {
		log_error("dnsmasq", "reload: %s", err);
		strlist_addf(&rep->warnings, "dnsmasq's files: %s", err);
	}
	/* a removed or changed hosts.d file is forgotten only on SIGHUP */
	gone = cur->dnsmasq.dhcp == DNSMASQ_FULL &&
	    d->hosts_removed.n + d->hosts_changed.n > 0;
	if (conf_changed && managed)
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "%s",
		    dnsmasq_restart(r->dns) == 0 ? "dnsmasq restarted (its "
		    "dnsmasq.conf changed)" : "dnsmasq.conf changed; dnsmasq "
		    "is not running (its supervisor starts it with the new one)");
	else if (conf_changed)
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "dnsmasq.conf "
		    "changed: restart the site's dnsmasq to apply it");
	else if (gone && managed)
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "dnsmasq not "
		    "restarted (%s)", dnsmasq_reread_hosts(r->dns) == 0 ?
		    "SIGHUP: it read hosts.d again" : "not running");
	else if (gone)
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "dnsmasq not "
		    "restarted; send the site's dnsmasq SIGHUP so that it "
		    "forgets removed or changed hosts");
	else
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "dnsmasq not "
		    "restarted");
}

/* Makes new current and brings the files in line. RELOAD_OK or
 * RELOAD_ERROR (new not taken: the caller frees it). */
static enum reload_result
reload_apply(struct reload *r, struct config *new, int conf_changed,
    struct reload_report *rep)
{
	struct strlist touched = { NULL, 0 };
	const struct config *cur;
	size_t i;

	for (i = 0; i < rep->diff.hosts_added.n; i++)
		strlist_add(&touched, rep->diff.hosts_added.v[i]);
	for (i = 0; i < rep->diff.hosts_changed.n; i++)
		strlist_add(&touched, rep->diff.hosts_changed.v[i]);
	if ((rep->generation = config_live_swap(r->live, new)) == -1) {
		strlist_free(&touched);
		strlist_add(&rep->errors, "out of memory: nothing applied");
		return RELOAD_ERROR;
	}
	/* arm takes this reference over */
	cur = config_live_get(r->live);
	if (arm_reload(r->arm, cur, &touched) == -1)
		strlist_add(&rep->warnings, "tftp-root: some per-MAC files could "
		    "not be written or removed (see the log); fixed at the next "
		    "start-up or reload");
	strlist_free(&touched);
	cur = config_live_get(r->live);
	reload_dnsmasq(r, cur, conf_changed, rep);
	config_live_put(r->live, cur);
	return RELOAD_OK;
}

/* The log lines and the event of a reload that is over. */
static void
reload_say(struct reload *r, const char *who, enum reload_result res,
    struct reload_report *rep)
{
	size_t i;

	if (res == RELOAD_OK) {
		log_info("serve", "reload (%s): %s", who, rep->summary);
		store_event(r->st, NULL, NULL, "reload", "reload (%s): %s", who,
		    rep->summary);
	} else {
		log_error("serve", "reload (%s) %s: %s", who,
		    reload_result_name(res), rep->summary);
		for (i = 0; i < rep->errors.n; i++)
			log_error("serve", "reload: %s", rep->errors.v[i]);
		store_event(r->st, NULL, NULL, "reload", "reload (%s) %s: %s%s%s",
		    who, reload_result_name(res), rep->summary,
		    rep->errors.n > 0 ? ": " : "", rep->errors.n > 0 ?
		    rep->errors.v[0] : "");
	}
	for (i = 0; i < rep->warnings.n; i++)
		log_warn("serve", "reload: %s", rep->warnings.v[i]);
}

/* Steps 2-4 of reload.h with new loaded. Takes new. */
static enum reload_result
reload_with(struct reload *r, struct config *new, struct reload_report *rep)
{
	const struct config *old = config_live_get(r->live);
	enum reload_result res = RELOAD_ERROR;
	int invalid = 0, conf_changed;
	char *sum = NULL;

	if (config_diff_compare(old, new, &rep->diff) == -1) {
		strlist_add(&rep->errors, "out of memory: nothing applied");
		goto out;
	}
	reload_check_fixed(rep);
	if (reload_check_hosts(r, old, rep) == -1 ||
	    reload_check_runs(r, old, rep) == -1) {
		strlist_add(&rep->errors, "cannot read the state database: "
		    "nothing applied");
		goto out;
	}
	conf_changed = reload_check_dnsmasq(old, new, rep, &invalid);
	if (conf_changed && strlist_add(&rep->diff.live_keys, "[dnsmasq]") == -1)
		goto out;
	if ((sum = config_diff_summary(&rep->diff)) != NULL)
		snprintf(rep->summary, sizeof(rep->summary), "%s", sum);
	if (rep->errors.n > 0) {
		res = invalid ? RELOAD_INVALID : RELOAD_REFUSED;
		goto out;
	}
	if (config_diff_empty(&rep->diff)) {
		snprintf(rep->summary, sizeof(rep->summary), "configuration "
		    "unchanged");
		snprintf(rep->dnsmasq, sizeof(rep->dnsmasq), "dnsmasq not "
		    "restarted");
		rep->generation = config_live_generation(r->live);
		res = RELOAD_OK;
		goto out;
	}
	if ((res = reload_apply(r, new, conf_changed, rep)) == RELOAD_OK) {
		new = NULL;	/* live's now */
		snprintf(rep->summary + strlen(rep->summary),
		    sizeof(rep->summary) - strlen(rep->summary), "; %s",
		    rep->dnsmasq);
	}
out:
	free(sum);
	config_live_put(r->live, old);
	config_free(new);
	return res;
}

enum reload_result
reload_run(struct reload *r, const char *who, struct reload_report *rep)
{
	struct config *new = NULL;
	enum reload_result res;
	size_t len;

	memset(rep, 0, sizeof(*rep));
	pthread_mutex_lock(&r->mu);
	if (config_load(r->path, &new, &rep->errors, &rep->warnings) == -1) {
		snprintf(rep->summary, sizeof(rep->summary), "%s has %zu "
		    "problem%s; still running the old configuration", r->path,
		    rep->errors.n, rep->errors.n == 1 ? "" : "s");
		res = RELOAD_INVALID;
	} else if (repo_mirror_sync_all(new->repos, new->nrepos, 0,
	    &rep->errors, &rep->warnings) == -1) {
		/* the boot files of a mirror repo first (repo_mirror.h) */
		snprintf(rep->summary, sizeof(rep->summary), "a mirror repo's "
		    "boot files cannot be cached; still running the old "
		    "configuration");
		config_free(new);
		res = RELOAD_INVALID;
	} else if ((res = reload_with(r, new, rep)) == RELOAD_INVALID)
		snprintf(rep->summary, sizeof(rep->summary), "dnsmasq refuses "
		    "the new dnsmasq.conf; still running the old configuration");
	else if (res == RELOAD_REFUSED) {
		len = strlen(rep->summary);
		snprintf(rep->summary + len, sizeof(rep->summary) - len, "%s"
		    "nothing applied, still running the old configuration",
		    len > 0 ? ": " : "");
	} else if (res == RELOAD_ERROR)
		snprintf(rep->summary, sizeof(rep->summary), "%s",
		    rep->errors.n > 0 ? rep->errors.v[0] : "failed");
	reload_say(r, who, res, rep);
	pthread_mutex_unlock(&r->mu);
	return res;
}
