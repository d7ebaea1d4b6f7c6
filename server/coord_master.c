/* coord_master.c — a run whose pool changes master; see coord_master.h. */
#include "coord_master.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pool.h"
#include "pool_addr.h"
#include "sbuf.h"
#include "util.h"

static int
coord_master_step_is(const struct run_host *h, enum coord_step want)
{
	enum coord_step s;

	return state_step_parse(h->step, &s) == 0 && s == want;
}

size_t
coord_master_apply(struct run_host *hosts, size_t n, const char *master,
    int *changed)
{
	struct run_host tmp;
	size_t i, first = n, m = n, nchanged = 0;
	int ord;

	for (i = 0; i < n; i++) {
		int is = master != NULL && strcmp(hosts[i].host, master) == 0;

		if (changed != NULL)
			changed[i] = hosts[i].is_master != is;
		hosts[i].is_master = is;
		if (is)
			m = i;
		if (first == n && coord_master_step_is(&hosts[i], STEP_PENDING))
			first = i;
	}
	/* a master not started yet goes first among those not started:
	 * hosts[first..m] rotate by one, each place keeping its ord */
	if (m < n && first < m && coord_master_step_is(&hosts[m],
	    STEP_PENDING)) {
		tmp = hosts[m];
		for (i = m; i > first; i--) {
			ord = hosts[i].ord;
			hosts[i] = hosts[i - 1];
			hosts[i].ord = ord;
			if (changed != NULL)
				changed[i] = 1;
		}
		ord = hosts[first].ord;
		hosts[first] = tmp;
		hosts[first].ord = ord;
		if (changed != NULL)
			changed[first] = 1;
	}
	for (i = 0; changed != NULL && i < n; i++)
		nchanged += changed[i] != 0;
	return nchanged;
}

/* Writes the hosts that changed, with an event naming the master. */
static enum coord_step_result
coord_master_write(struct coord_stepctx *sc, const struct run_host *hosts,
    size_t n, const int *changed, const char *was, const char *now)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (changed[i] && store_run_host_update(sc->st, &hosts[i]) == -1) {
			snprintf(sc->err, sizeof(sc->err), "cannot write the "
			    "store (run %lld, host %s)", (long long)sc->run->id,
			    hosts[i].host);
			return COORD_STEP_FAIL;
		}
	if (strcmp(was, now) == 0)
		return COORD_STEP_OK;
	store_event(sc->st, now, sc->p->name, "upgrade", "the pool's master is "
	    "now %s (was %s): %s", now, was[0] ? was : "none",
	    "hosts already upgraded stay done; a master not upgraded yet goes "
	    "next");
	log_ctx(PB_LOG_INFO, "coord", sc->p->name, now, "the pool's master is "
	    "now %s (was %s)", now, was[0] ? was : "none");
	return COORD_STEP_OK;
}

/* The name (name_label) of the pool's master, in two small calls: the
 * pool's record (its master field) and that host's name_label, instead of
 * every host's and every host_metrics' record. -1 when either fails (the
 * caller falls back to the whole pool's read, whose errors it reports). */
static int
coord_master_name(struct xapi *x, char *name, size_t len)
{
	struct xr_value *pools = NULL, *nl = NULL;
	struct xapi_error e;
	const char *mref;
	int ret = -1;

	if (xapi_call(x, "pool.get_all_records", NULL, 0, &pools, &e) == -1 ||
	    pools == NULL || pools->type != XR_STRUCT || pools->n != 1 ||
	    (mref = xr_get_str(pools->items[0], "master")) == NULL)
		goto out;
	if (xapi_call_s(x, "host.get_name_label", &nl, &e, mref, NULL,
	    NULL) == -1 || xr_str(nl) == NULL)
		goto out;
	util_strlcpy(name, len, xr_str(nl));
	ret = 0;
out:
	xr_free(pools);
	xr_free(nl);
	return ret;
}

/* The pool could not be read (e). While sc->h is in its installer its
 * step needs no XAPI, and the pool may be out of reach until the host is
 * back (its address the only one poolboot knows after a restart): the
 * install step goes on, as it would have without the restart, and the
 * master is read again before the next host starts. Elsewhere the read
 * is retried until the step's timeout. */
static enum coord_step_result
coord_master_unread(struct coord_stepctx *sc, const struct xapi_error *e)
{
	if (!coord_master_step_is(sc->h, STEP_INSTALL))
		return coord_step_xapi_retry(sc, "reading the pool's master", e);
	log_ctx(PB_LOG_INFO, "coord", sc->p->name, sc->h->host, "cannot read "
	    "the pool's master while %s is in its installer (%s): read again "
	    "before the next host starts", sc->h->host, xapi_strerror(e));
	sc->cache->master_synced = 1;
	return COORD_STEP_OK;
}

enum coord_step_result
coord_master_sync(struct coord_stepctx *sc, struct run_host *hosts, size_t n)
{
	struct pool_snapshot s;
	struct xapi_error e;
	char was[64] = "", now[64] = "";
	enum coord_step_result res;
	int *changed;
	size_t i;

	if (sc->h->step_started_at == 0) {
		/* a host not started has no step time yet: the retries of
		 * a failed read are bounded from now */
		sc->h->step_started_at = util_now_ms();
		sc->dirty = 1;
	}
	memset(&e, 0, sizeof(e));
	if (coord_master_name(sc->x, now, sizeof(now)) == -1) {
		now[0] = '\0';
		if (pool_snapshot_take(sc->x, &s, 0, &e) == -1)
			return coord_master_unread(sc, &e);
		for (i = 0; i < s.nhosts; i++)
			if (s.hosts[i].is_master)
				util_strlcpy(now, sizeof(now), s.hosts[i].name);
		pool_snapshot_free(&s);
	}
	for (i = 0; i < n; i++)
		if (hosts[i].is_master)
			util_strlcpy(was, sizeof(was), hosts[i].host);
	sc->cache->master_synced = 1;
	if (now[0] == '\0')
		return COORD_STEP_OK;	/* not one of the run's: as planned */
	if ((changed = calloc(n + 1, sizeof(*changed))) == NULL) {
		snprintf(sc->err, sizeof(sc->err), "out of memory");
		return COORD_STEP_FAIL;
	}
	for (i = 0; i < n && strcmp(hosts[i].host, now) != 0; i++)
		;
	res = COORD_STEP_OK;
	if (i < n && coord_master_apply(hosts, n, now, changed) > 0)
		res = coord_master_write(sc, hosts, n, changed, was, now);
	free(changed);
	sc->cache->master_synced = res == COORD_STEP_OK;
	return res;
}

/* The done hosts of the run other than its (old) master: good new
 * masters, into b ("h2, h3"). */
static void
coord_master_upgraded(const struct run_host *hosts, size_t n, struct sbuf *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!hosts[i].is_master && (coord_master_step_is(&hosts[i],
		    STEP_DONE) || coord_master_step_is(&hosts[i], STEP_SKIPPED)))
			sbuf_printf(b, "%s%s", b->len ? ", " : "", hosts[i].host);
}

int
coord_master_advice(const struct coord_stepctx *sc,
    const struct run_host *hosts, size_t n, char *buf, size_t len)
{
	struct sbuf b = { .max = 256 };
	char advice[512], extra[448] = "";
	enum coord_step s;
	size_t l;
	int dead = 0, room;

	if (sc->xapi_down)
		dead = pool_addr_halt_advice(sc->p, advice, sizeof(advice)) == 1;
	if (!dead) {
		snprintf(buf, len, "host %s, step %s: %.400s", sc->h->host,
		    sc->h->step, sc->err);
		return 0;
	}
	coord_master_upgraded(hosts, n, &b);
	if (b.len)
		snprintf(extra, sizeof(extra), ". Members on %.64s already "
		    "(good HOSTs): %.200s", sc->run->target_version, b.p);
	else
		/* pool.join wants the master's version: a fresh install of
		 * the target cannot join a member promoted on the old one */
		snprintf(extra, sizeof(extra), ". No member is on %.64s yet: "
		    "the old master, rebuilt on it, could not join; abort the "
		    "run instead of retrying it", sc->run->target_version);
	if (state_step_parse(sc->h->step, &s) == 0 && coord_step_offline(s)) {
		/* the rebuild refuses to power the old master on while a
		 * host is disabled: the run brings that one back first */
		l = strlen(extra);
		snprintf(extra + l, sizeof(extra) - l, ". %.64s is left "
		    "disabled: after recover, retry (it finishes it), retry "
		    "the rebuild job, retry again",
		    sc->h->host);
	}
	/* the advice whole, the step's reason cut to what is left */
	room = (int)len - 1 - (int)(strlen(sc->h->host) + strlen(sc->h->step) +
	    strlen("host , step : ; ") + strlen(advice) + strlen(extra));
	if (room < 40)
		room = 40;
	snprintf(buf, len, "host %s, step %s: %.*s; %s%s", sc->h->host,
	    sc->h->step, room, sc->err, advice, extra);
	sbuf_free(&b);
	return 1;
}
