/* recover.c — see recover.h. XenServer's procedure for a dead master
 * (XenServer 8 docs, "Recover from failures": xe
 * pool-emergency-transition-to-master on a member, then xe
 * pool-recover-slaves; the old master is then forgotten and reinstalled).
 * The XAPI calls: ocaml/idl/datamodel.ml session
 * slave_local_login_with_password ("Authenticate locally against a slave
 * in emergency mode"), pool emergency_transition_to_master, pool
 * recover_slaves (returns the hosts whose master address was reset). */
#include "recover.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "pool.h"
#include "pool_addr.h"
#include "util.h"
#include "xapi.h"
#include "xmlrpc.h"

struct recover_ctx {
	const struct config *cfg;
	const struct pool *p;
	const struct host *nm;
	recover_say_fn say;
	void	*arg;
	struct recover_result *out;
	char	*err;
	size_t	 errlen;
};

static void
recover_say(struct recover_ctx *c, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_ctx(PB_LOG_INFO, "recover", c->p->name, c->nm->name, "%s", line);
	if (c->say != NULL)
		c->say(c->arg, line);
}

/* What the operator reads after a XAPI that did not answer in time
 * (slow != 0), else "". */
static const char *
recover_slow_hint(struct recover_ctx *c, int slow, char *buf, size_t len)
{
	buf[0] = '\0';
	if (slow)
		snprintf(buf, len, " (is xapi running there? a slow pool may "
		    "need a larger xapi_timeout in [pool %s], now %d s)",
		    c->p->name, c->p->xapi_timeout);
	return buf;
}

/* check: 0 the master is dead (promote), 1 the new master already is
 * the master (resume), -1 refused (c->err). */
static int
recover_check(struct recover_ctx *c)
{
	struct pool_master_verdict v;
	size_t i;
	int ret = -1, member = 0;

	recover_say(c, "check: is the master of pool %s dead?", c->p->name);
	switch (pool_addr_master_dead(c->p, &v)) {
	case POOL_MASTER_UP:
		if (strcasecmp(v.master_url, c->out->new_master_url) == 0) {
			recover_say(c, "check: %s already answers as the master "
			    "(promoted before): resuming", c->nm->name);
			ret = 1;
		} else
			snprintf(c->err, c->errlen, "refused: the master of "
			    "pool %s answers at %s, so it is not dead and "
			    "nothing was changed (recover promotes a member "
			    "only when the master is dead; to move the master "
			    "role of a live pool use xe pool-designate-new-"
			    "master)", c->p->name, v.master_url);
		break;
	case POOL_MASTER_DEAD:
		for (i = 0; i < v.members.n; i++)
			if (strcasecmp(v.members.v[i],
			    c->out->new_master_url) == 0)
				member = 1;
		util_strlcpy(c->out->old_master_addr,
		    sizeof(c->out->old_master_addr), v.master_addr);
		if (!member) {
			snprintf(c->err, c->errlen, "refused: %s (%s) does not "
			    "answer as a live member of pool %s (%s); choose a "
			    "member that answers: %s", c->nm->name,
			    c->out->new_master_url, c->p->name, v.why,
			    v.members.n ? v.members.v[0] : "none");
			break;
		}
		recover_say(c, "check: %s", v.why);
		ret = 0;
		break;
	default:
		if (v.timed_out)
			/* name XAPI, as the server's 504 does */
			snprintf(c->err, c->errlen, "refused: pool \"%s\": %s, "
			    "and none of the pool's addresses answers; nothing was "
			    "changed (is xapi running on the pool's hosts? a "
			    "slow pool may need a larger xapi_timeout in [pool "
			    "%s], now %d s; then run recover again)",
			    c->p->name, v.down_why, c->p->name,
			    c->p->xapi_timeout);
		else
			snprintf(c->err, c->errlen, "refused: %s; nothing was "
			    "changed (check the network to the pool and "
			    "poolboot's login, then run recover again)", v.why);
		break;
	}
	pool_addr_verdict_free(&v);
	return ret;
}

/* promote: emergency_transition_to_master on the new master, through a
 * session local to it; then wait until it answers as master. */
static int
recover_promote(struct recover_ctx *c)
{
	struct xapi_error e;
	struct xapi *x;
	char m[256], why[512], hint[160];
	int64_t end;

	recover_say(c, "promote: %s: session.slave_local_login_with_password, "
	    "pool.emergency_transition_to_master", c->nm->name);
	if ((x = pool_addr_open(c->p, c->out->new_master_url, 1, &e)) == NULL) {
		snprintf(c->err, c->errlen, "promote: local login on %s "
		    "failed: pool \"%s\": %s%s", c->nm->name, c->p->name,
		    xapi_strerror(&e), recover_slow_hint(c, pool_addr_timed_out(
		    &e), hint, sizeof(hint)));
		return -1;
	}
	if (xapi_call(x, "pool.emergency_transition_to_master", NULL, 0, NULL,
	    &e) == -1 && !e.transport) {
		snprintf(c->err, c->errlen, "promote: %s refused "
		    "pool.emergency_transition_to_master: %s%s", c->nm->name,
		    xapi_strerror(&e), xapi_error_is(&e, "HA_IS_ENABLED") ?
		    " (HA is armed: with HA the pool elects a master itself)" :
		    "");
		xapi_free(x);
		return -1;
	}
	xapi_free(x);	/* its xapi restarts as master: a dropped call is ok */
	c->out->promoted = 1;
	end = util_now_ms() + (int64_t)c->p->step_timeout * 1000;
	while (pool_addr_probe(c->p, c->out->new_master_url, m, sizeof(m),
	    why, sizeof(why)) != POOL_ADDR_MASTER) {
		if (util_now_ms() > end) {
			snprintf(c->err, c->errlen, "promote: %s does not "
			    "answer as master within %d s (%s); run recover "
			    "again", c->nm->name, c->p->step_timeout, why);
			return -1;
		}
		nanosleep(&(struct timespec){ .tv_sec = c->p->poll_ms / 1000,
		    .tv_nsec = (c->p->poll_ms % 1000) * 1000000L }, NULL);
	}
	recover_say(c, "promote: %s is the master of pool %s", c->nm->name,
	    c->p->name);
	return 0;
}

/* The inventory host of c's pool that h is, or NULL. */
static const struct host *
recover_inventory(const struct recover_ctx *c, const struct pool_host *h)
{
	size_t i;

	for (i = 0; i < c->cfg->nhosts; i++) {
		const struct host *ih = &c->cfg->hosts[i];
		struct pool_ident id = { .name = ih->name, .mac = ih->mac,
		    .addr = ih->ip };

		if (ih->pool == c->p && pool_host_matches(h, &id) != 0)
			return ih;
	}
	return NULL;
}

/* old: the old master's inventory name when it is dead in the pool;
 * learns the pool's addresses. */
static int
recover_old(struct recover_ctx *c, struct xapi *x)
{
	struct pool_snapshot s;
	struct xapi_error e;
	const struct host *ih;
	const char *addrs[POOL_ADDR_MAX];
	size_t i, n = 0, dead = 0;

	if (pool_snapshot_take(x, &s, POOL_SNAP_PIFS, &e) == -1) {
		snprintf(c->err, c->errlen, "old master: cannot read pool %s: "
		    "%s", c->p->name, xapi_strerror(&e));
		return -1;
	}
	for (i = 0; i < s.nhosts; i++) {
		const struct pool_host *h = &s.hosts[i];

		if (n < POOL_ADDR_MAX)
			addrs[n++] = h->address;
		if (h->live || h->is_master ||
		    (c->out->old_master_addr[0] != '\0' &&
		    strcmp(h->address, c->out->old_master_addr) != 0) ||
		    (ih = recover_inventory(c, h)) == NULL)
			continue;
		util_strlcpy(c->out->old_master, sizeof(c->out->old_master),
		    ih->name);
		dead++;
	}
	pool_addr_learn(c->p->name, addrs, n);
	pool_snapshot_free(&s);
	if (dead > 1) {
		snprintf(c->err, c->errlen, "old master: %zu inventory hosts "
		    "of pool %s are dead and the old master's address is not "
		    "known any more: rebuild the right one with poolboot "
		    "rebuild HOST --wipe", dead, c->p->name);
		c->out->old_master[0] = '\0';
		return -1;
	}
	if (dead == 1)
		recover_say(c, "old master: %s is dead in pool %s: rebuild it as "
		    "a member (forget, fresh install, join %s)",
		    c->out->old_master, c->p->name, c->nm->name);
	else
		recover_say(c, "old master: no dead inventory host left in pool "
		    "%s (rebuilt or being rebuilt: see poolboot jobs)",
		    c->p->name);
	return 0;
}

/* slaves: pool.recover_slaves on the new master, then old. */
static int
recover_slaves(struct recover_ctx *c)
{
	struct xr_value *v = NULL, *name = NULL;
	struct xapi_error e;
	struct xapi *x;
	struct sbuf b = { .max = 512 };
	char hint[160];
	size_t i;
	int ret = -1;

	if ((x = pool_addr_open(c->p, c->out->new_master_url, 0, &e)) == NULL) {
		snprintf(c->err, c->errlen, "recover slaves: cannot log in to "
		    "%s: pool \"%s\": %s%s", c->nm->name, c->p->name,
		    xapi_strerror(&e), recover_slow_hint(c, pool_addr_timed_out(
		    &e), hint, sizeof(hint)));
		return -1;
	}
	if (xapi_call(x, "pool.recover_slaves", NULL, 0, &v, &e) == -1) {
		snprintf(c->err, c->errlen, "pool.recover_slaves on %s: pool "
		    "\"%s\": %s%s", c->nm->name, c->p->name, xapi_strerror(&e),
		    recover_slow_hint(c, xapi_timed_out(x), hint,
		    sizeof(hint)));
		goto out;
	}
	for (i = 0; v != NULL && v->type == XR_ARRAY && i < v->n; i++) {
		const char *ref = xr_str(v->items[i]);

		if (ref != NULL && xapi_call_s(x, "host.get_name_label", &name,
		    &e, ref, NULL, NULL) == 0 && xr_str(name) != NULL)
			sbuf_printf(&b, "%s%s", b.len ? ", " : "", xr_str(name));
		xr_free(name);
		name = NULL;
	}
	recover_say(c, "recover slaves: pool.recover_slaves: %s",
	    b.len ? b.p : "no member needed it");
	ret = recover_old(c, x);
out:
	sbuf_free(&b);
	xr_free(v);
	xapi_free(x);
	return ret;
}

enum recover_status
recover_run(const struct config *cfg, const struct pool *p,
    const struct host *nm, recover_say_fn say, void *arg,
    struct recover_result *out, char *err, size_t errlen)
{
	struct recover_ctx c = { cfg, p, nm, say, arg, out, err, errlen };
	int rc;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (nm->pool != p || nm->ip == NULL || p->xapi == NULL ||
	    pool_addr_url(p->xapi, nm->ip, out->new_master_url,
	    sizeof(out->new_master_url)) == -1) {
		snprintf(err, errlen, "refused: %s is not a member of pool %s "
		    "with a static ip in the inventory (set pool = %s and ip = "
		    "in its [host] section)", nm->name, p->name, p->name);
		return RECOVER_REFUSED;
	}
	if ((rc = recover_check(&c)) == -1)
		return RECOVER_REFUSED;
	if (rc == 0 && recover_promote(&c) == -1)
		return RECOVER_FAILED;
	if (recover_slaves(&c) == -1)
		return RECOVER_FAILED;
	return RECOVER_DONE;
}
