/* pool_addr.c — see pool_addr.h. */
#include "pool_addr.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "xapi_pin.h"
#include "xmlrpc.h"

#define POOL_ADDR_POOLS		32	/* pools whose addresses are kept */
#define POOL_ADDR_RELEARN_MS	30000	/* at most one host read per pool */

/* What the pools told us: host.address of every host, per pool name. */
static struct pool_addr_known {
	char	 pool[64];
	char	 addr[POOL_ADDR_MAX][64];
	size_t	 n;
	int64_t	 at_ms;
} pool_addr_known[POOL_ADDR_POOLS];
static pthread_mutex_t pool_addr_lock = PTHREAD_MUTEX_INITIALIZER;

void
pool_addr_host(const char *url, char *out, size_t len)
{
	const char *h = strstr(url, "://"), *end;

	h = h != NULL ? h + 3 : url;
	if (*h == '[') {
		h++;
		end = strchr(h, ']');
	} else {
		end = h + strcspn(h, ":/");
	}
	if (end == NULL)
		end = h + strlen(h);
	snprintf(out, len, "%.*s", (int)(end - h), h);
}

int
pool_addr_url(const char *url, const char *addr, char *out, size_t len)
{
	const char *rest = strstr(url, "://"), *port = "", *p, *end;
	int v6 = 0;

	if (rest == NULL || addr[0] == '\0' || strlen(addr) > 255)
		return -1;
	for (p = addr; *p != '\0'; p++) {
		if (*p == ':')
			v6 = 1;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return -1;
	}
	rest += 3;
	end = rest[0] == '[' ? strchr(rest, ']') : rest;
	if (end == NULL)
		return -1;
	end += strcspn(end, ":/");
	if (*end == ':')
		port = end;	/* ":443" and what follows (a path) */
	snprintf(out, len, v6 ? "%.*s[%s]%s" : "%.*s%s%s",
	    (int)(rest - url), url, addr, port);
	return 0;
}

/* Adds url to l unless it is there already (or l is full). */
static void
pool_addr_add(struct strlist *l, const char *url)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], url) == 0)
			return;
	if (l->n < POOL_ADDR_MAX)
		(void)strlist_add(l, url);
}

/* The learned slot of pool (create: take a free or the oldest one), or
 * NULL. Under the lock. */
static struct pool_addr_known *
pool_addr_slot(const char *pool, int create)
{
	struct pool_addr_known *k, *old = &pool_addr_known[0];
	size_t i;

	for (i = 0; i < POOL_ADDR_POOLS; i++) {
		k = &pool_addr_known[i];
		if (strcmp(k->pool, pool) == 0)
			return k;
		if (k->at_ms < old->at_ms)
			old = k;
	}
	if (!create)
		return NULL;
	memset(old, 0, sizeof(*old));
	util_strlcpy(old->pool, sizeof(old->pool), pool);
	return old;
}

void
pool_addr_learn(const char *pool, const char *const *addrs, size_t n)
{
	struct pool_addr_known *k;
	size_t i;

	pthread_mutex_lock(&pool_addr_lock);
	if ((k = pool_addr_slot(pool, 1)) != NULL) {
		k->n = 0;
		for (i = 0; i < n && k->n < POOL_ADDR_MAX; i++)
			if (addrs[i] != NULL && addrs[i][0] != '\0')
				util_strlcpy(k->addr[k->n++], sizeof(k->addr[0]),
				    addrs[i]);
		k->at_ms = util_now_ms();
	}
	pthread_mutex_unlock(&pool_addr_lock);
}

void
pool_addr_forget(void)
{
	pthread_mutex_lock(&pool_addr_lock);
	memset(pool_addr_known, 0, sizeof(pool_addr_known));
	pthread_mutex_unlock(&pool_addr_lock);
}

int
pool_addr_candidates(const struct pool *p, struct strlist *out)
{
	struct pool_addr_known *k;
	char url[300];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (p->xapi == NULL)
		return 0;
	for (i = 0; i < p->xapi_urls.n; i++)
		pool_addr_add(out, p->xapi_urls.v[i]);
	if (p->xapi_urls.n == 0)
		pool_addr_add(out, p->xapi);
	pthread_mutex_lock(&pool_addr_lock);
	if ((k = pool_addr_slot(p->name, 0)) != NULL)
		for (i = 0; i < k->n; i++)
			if (pool_addr_url(p->xapi, k->addr[i], url,
			    sizeof(url)) == 0)
				pool_addr_add(out, url);
	pthread_mutex_unlock(&pool_addr_lock);
	for (i = 0; i < p->member_addrs.n; i++)
		if (pool_addr_url(p->xapi, p->member_addrs.v[i], url,
		    sizeof(url)) == 0)
			pool_addr_add(out, url);
	return out->n > 0 || p->xapi == NULL ? 0 : -1;
}

/* pool_addr_client; deadline != 0: an admin request's client, each call
 * given xapi_timeout and none ending after deadline; deadline
 * POOL_ADDR_SHORT: each call given xapi_timeout, no deadline. */
#define POOL_ADDR_SHORT	(-1)
static struct xapi *
pool_addr_client_until(const struct pool *p, const char *url, int pin_idx,
    int stay, int local, int64_t deadline, char *err, size_t errlen)
{
	struct xapi_conf xc = { 0 };
	struct xapi *x = NULL;
	char *pw;
	size_t len;

	if ((pw = util_read_file(p->password_file, 4096, &len)) == NULL) {
		snprintf(err, errlen, "cannot read password_file %s: %s",
		    p->password_file, strerror(errno));
		return NULL;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	xc.url = url != NULL ? url : p->xapi;
	xc.username = p->username;
	xc.password = pw;
	xc.tls_ca = p->tls_ca;
	xc.tls_fingerprint = pin_idx >= 0 && (size_t)pin_idx <
	    p->tls_pins.n ? p->tls_pins.v[pin_idx] : p->tls_fingerprint;
	xc.tls_verify = p->tls_verify;
	xc.stay = stay;
	xc.local = local;
	xc.connect_timeout_ms = 5000;
	/* the coordinator's own calls may be long (pool.enable_ha) */
	xc.timeout_ms = deadline != 0 ? (long)p->xapi_timeout * 1000 : 120000;
	xc.originator = "poolboot";
	if (xapi_new(&xc, &x) == -1)
		snprintf(err, errlen, "cannot create a XAPI client for %s",
		    xc.url ? xc.url : "(no URL)");
	else if (deadline > 0)
		xapi_set_deadline(x, deadline);
	util_wipe(pw, len);
	free(pw);
	return x;
}

struct xapi *
pool_addr_client(const struct pool *p, const char *url, int pin_idx, int stay,
    int local, char *err, size_t errlen)
{
	return pool_addr_client_until(p, url, pin_idx, stay, local, 0, err,
	    errlen);
}

/* The index in p's tls_pins of the fingerprint a peer showed, or -1. */
static int
pool_addr_pin_index(const struct pool *p, const char *seen)
{
	unsigned char a[32], b[32];
	size_t i;

	if (xapi_pin_parse(seen, a) == -1)
		return -1;
	for (i = 0; i < p->tls_pins.n; i++)
		if (xapi_pin_parse(p->tls_pins.v[i], b) == 0 &&
		    memcmp(a, b, sizeof(a)) == 0)
			return (int)i;
	return -1;
}

/* Learns the pool's hosts' addresses through x (at most every 30 s). */
static void
pool_addr_discover(const struct pool *p, struct xapi *x)
{
	struct pool_addr_known *k;
	struct xr_value *hosts = NULL;
	struct xapi_error e;
	const char *addrs[POOL_ADDR_MAX];
	size_t i, n = 0;
	int fresh;

	pthread_mutex_lock(&pool_addr_lock);
	k = pool_addr_slot(p->name, 0);
	fresh = k != NULL && util_now_ms() - k->at_ms < POOL_ADDR_RELEARN_MS;
	pthread_mutex_unlock(&pool_addr_lock);
	if (fresh)
		return;
	if (xapi_call(x, "host.get_all_records", NULL, 0, &hosts, &e) == -1) {
		log_debug("xapi", "pool %s: cannot read its hosts' addresses: "
		    "%s", p->name, e.message);
		return;
	}
	if (hosts != NULL && hosts->type == XR_STRUCT)
		for (i = 0; i < hosts->n && n < POOL_ADDR_MAX; i++)
			if ((addrs[n] = xr_get_str(hosts->items[i],
			    "address")) != NULL)
				n++;
	pool_addr_learn(p->name, addrs, n);
	xr_free(hosts);
}

/* Logs x in; a certificate among p's pins gets its own client (at the
 * URL that showed it) once. 0 with *xp logged in, or -1 with e (*xp is
 * then the last client tried, or NULL). */
static int
pool_addr_login(const struct pool *p, const char *url, int64_t deadline,
    struct xapi **xp, struct xapi_error *e, char *err, size_t errlen)
{
	char at[300];
	int k, pin = p->tls_pins.n > 0 ? 0 : -1, attempt;

	util_strlcpy(at, sizeof(at), url);
	for (attempt = 0; attempt < 2; attempt++) {
		xapi_free(*xp);
		if ((*xp = pool_addr_client_until(p, at, pin, 0, 0, deadline,
		    err, errlen)) == NULL)
			return -1;
		if (xapi_login(*xp, e) == 0)
			return 0;
		if (strcmp(e->code, XAPI_PIN_MISMATCH) != 0 || e->nparams < 1 ||
		    (k = pool_addr_pin_index(p, e->params[0])) == -1 ||
		    k == pin)
			return -1;
		/* another host of the pool, with its own pinned certificate */
		util_strlcpy(at, sizeof(at), xapi_url(*xp));
		pin = k;
	}
	return -1;
}

struct xapi *
pool_addr_connect(const struct pool *p, char *answered, size_t alen,
    char *err, size_t errlen)
{
	return pool_addr_connect_until(p, 0, answered, alen, err, errlen);
}

struct xapi *
pool_addr_connect_until(const struct pool *p, int64_t deadline,
    char *answered, size_t alen, char *err, size_t errlen)
{
	struct strlist c;
	struct xapi_error e;
	struct xapi *x = NULL;
	size_t i;

	if (answered != NULL && alen > 0)
		answered[0] = '\0';
	if (pool_addr_candidates(p, &c) == -1) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (c.n <= 1) {
		/* one address: no probing, as before (the first call logs in) */
		x = pool_addr_client_until(p, NULL, p->tls_pins.n > 0 ? 0 : -1,
		    0, 0, deadline, err, errlen);
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		memset(&e, 0, sizeof(e));
		if (pool_addr_login(p, c.v[i], deadline, &x, &e, err,
		    errlen) == 0) {
			if (answered != NULL)
				util_strlcpy(answered, alen, c.v[i]);
			log_info("xapi", "pool %s: %s answered (master %s)",
			    p->name, c.v[i], xapi_url(x));
			pool_addr_discover(p, x);
			goto out;
		}
		if (x == NULL)
			goto out;	/* err set: no client at all */
		if (!e.transport && !xapi_error_is(&e, "HOST_IS_SLAVE")) {
			/* e.g. the password: every address would say so */
			log_warn("xapi", "pool %s: %s: %s", p->name, c.v[i],
			    e.message);
			goto out;
		}
		log_info("xapi", "pool %s: %s does not answer (%s); trying the "
		    "next address", p->name, c.v[i], e.message);
	}
	log_warn("xapi", "pool %s: none of its %zu addresses answers", p->name,
	    c.n);
	xapi_free(x);
	x = pool_addr_client_until(p, NULL, p->tls_pins.n > 0 ? 0 : -1, 0, 0,
	    deadline, err, errlen);
out:
	strlist_free(&c);
	return x;
}

struct xapi *
pool_addr_open(const struct pool *p, const char *url, int local,
    struct xapi_error *e)
{
	struct xapi *x = NULL;
	char err[256];
	int k, pin = p->tls_pins.n > 0 ? 0 : -1, attempt;

	memset(e, 0, sizeof(*e));
	for (attempt = 0; attempt < 2; attempt++) {
		xapi_free(x);
		/* recover's and the dead-master checks' calls: the pool's
		 * xapi_timeout each, as an admin request's */
		if ((x = pool_addr_client_until(p, url, pin, 1, local,
		    POOL_ADDR_SHORT, err, sizeof(err))) == NULL) {
			snprintf(e->message, sizeof(e->message), "%s", err);
			return NULL;
		}
		memset(e, 0, sizeof(*e));
		if (xapi_login(x, e) == 0)
			return x;
		if (xapi_timed_out(x) && e->code[0] == '\0')
			snprintf(e->code, sizeof(e->code), "%s",
			    POOL_ADDR_TIMEOUT);
		if (strcmp(e->code, XAPI_PIN_MISMATCH) != 0 || e->nparams < 1 ||
		    (k = pool_addr_pin_index(p, e->params[0])) == -1 ||
		    k == pin)
			break;
		pin = k;
	}
	xapi_free(x);
	return NULL;
}

int
pool_addr_timed_out(const struct xapi_error *e)
{
	return e->transport && strcmp(e->code, POOL_ADDR_TIMEOUT) == 0;
}

enum pool_addr_answer
pool_addr_probe(const struct pool *p, const char *url, char *master,
    size_t mlen, char *why, size_t wlen)
{
	struct xapi_error e;
	struct xapi *x;

	master[0] = '\0';
	if ((x = pool_addr_open(p, url, 0, &e)) != NULL) {
		xapi_free(x);
		return POOL_ADDR_MASTER;
	}
	snprintf(why, wlen, "%s", e.message);
	if (pool_addr_timed_out(&e))
		return POOL_ADDR_DOWN_SLOW;
	if (xapi_error_is(&e, "HOST_IS_SLAVE")) {
		util_strlcpy(master, mlen, e.nparams >= 1 ? e.params[0] : "");
		return POOL_ADDR_MEMBER;
	}
	return e.transport ? POOL_ADDR_DOWN : POOL_ADDR_REFUSED;
}

void
pool_addr_verdict_free(struct pool_master_verdict *v)
{
	strlist_free(&v->members);
}

/* Probes url for v; a member's master (not yet probed) goes on c. */
static void
pool_addr_judge(const struct pool *p, const char *url, struct strlist *c,
    struct pool_master_verdict *v, int *down)
{
	char master[256], why[512], murl[300];

	switch (pool_addr_probe(p, url, master, sizeof(master), why,
	    sizeof(why))) {
	case POOL_ADDR_MASTER:
		if (v->state != POOL_MASTER_UP)
			util_strlcpy(v->master_url, sizeof(v->master_url), url);
		v->state = POOL_MASTER_UP;
		break;
	case POOL_ADDR_MEMBER:
		(void)strlist_add(&v->members, url);
		if (v->master_addr[0] == '\0')
			util_strlcpy(v->master_addr, sizeof(v->master_addr),
			    master);
		if (pool_addr_url(url, master, murl, sizeof(murl)) == 0)
			pool_addr_add(c, murl);
		break;
	case POOL_ADDR_DOWN_SLOW:
		v->timed_out = 1;
		/* FALLTHROUGH */
	case POOL_ADDR_DOWN:
		(*down)++;
		if (v->down_why[0] == '\0')
			util_strlcpy(v->down_why, sizeof(v->down_why), why);
		break;
	case POOL_ADDR_REFUSED:
		if (v->why[0] == '\0')
			snprintf(v->why, sizeof(v->why), "%.200s refused poolboot's "
			    "login: %.280s", url, why);
		break;
	}
}

enum pool_master_state
pool_addr_master_dead(const struct pool *p, struct pool_master_verdict *v)
{
	struct strlist c;
	size_t i;
	int down = 0;

	memset(v, 0, sizeof(*v));
	v->state = POOL_MASTER_UNREACHABLE;
	if (pool_addr_candidates(p, &c) == -1) {
		snprintf(v->why, sizeof(v->why), "out of memory");
		return v->state;
	}
	/* c grows while it is walked: each member's master is probed too */
	for (i = 0; i < c.n && v->state != POOL_MASTER_UP; i++)
		pool_addr_judge(p, c.v[i], &c, v, &down);
	if (v->state == POOL_MASTER_UP)
		snprintf(v->why, sizeof(v->why), "the master at %s answers",
		    v->master_url);
	else if (v->members.n > 0) {
		v->state = POOL_MASTER_DEAD;
		snprintf(v->why, sizeof(v->why), "the master %s does not "
		    "answer; %zu member(s) answer and name it as their master",
		    v->master_addr, v->members.n);
	} else if (v->why[0] != '\0')
		v->state = POOL_MASTER_REFUSED;
	else
		snprintf(v->why, sizeof(v->why), "none of the %zu addresses of "
		    "pool %s answers%s%.300s%s: the network between poolboot "
		    "and the pool may be down, not the master", c.n, p->name,
		    v->down_why[0] ? " (" : "", v->down_why,
		    v->down_why[0] ? ")" : "");
	strlist_free(&c);
	return v->state;
}

int
pool_addr_halt_advice(const struct pool *p, char *buf, size_t len)
{
	struct pool_master_verdict v;
	char host[128];
	int dead;

	dead = pool_addr_master_dead(p, &v) == POOL_MASTER_DEAD;
	if (dead) {
		pool_addr_host(v.members.v[0], host, sizeof(host));
		snprintf(buf, len, "the master %s of pool %s is dead (%zu "
		    "member(s) answer, e.g. %s): recover the pool with "
		    "'poolboot recover %s --new-master HOST --wipe' (HOST: a "
		    "live member already on the target version; the old master "
		    "is rebuilt as its member), then 'poolboot retry %s'", v.master_addr, p->name, v.members.n,
		    host, p->name, p->name);
	} else
		snprintf(buf, len, "%s", v.why);
	pool_addr_verdict_free(&v);
	return dead;
}
