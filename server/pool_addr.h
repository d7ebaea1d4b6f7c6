/* pool_addr.h — where a pool's master is: the addresses poolboot tries,
 * in order, to reach a pool, and whether a master that does not answer
 * is dead.
 *
 * A pool's candidates are, in this order and without repeats: the
 * configured xapi URLs (xapi = https://a, https://b), the addresses the
 * pool itself told poolboot (host.address of every host, learned at each
 * connection and kept in this process's memory per pool), and the static
 * ip of every inventory host of the pool. An address is built into a URL
 * with the scheme and port of the first configured URL. Each candidate
 * gets connect_timeout (5 s) to answer; a member's HOST_IS_SLAVE is
 * followed to the master it names (xapi.h).
 *
 * TLS: tls_ca checks every host alike. A tls_fingerprint pins one
 * certificate, and each XenServer host has its own, so a pool reached at
 * several addresses lists one pin per host (tls_fingerprint = PIN, PIN);
 * a host whose certificate is one of them is talked to with that pin,
 * any other gets nothing (the check happens before a byte is sent).
 *
 * The learned addresses are shared by every thread of the process
 * (a mutex inside).
 */
#ifndef POOLBOOT_POOL_ADDR_H
#define POOLBOOT_POOL_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "util.h"
#include "xapi.h"

#define POOL_ADDR_MAX	64	/* candidates per pool */

/* The candidate URLs of p, in the order above, into out (strings owned
 * by out). 0, or -1 out of memory. */
int   pool_addr_candidates(const struct pool *p, struct strlist *out);

/* A client for p at url (NULL: p's first URL) with p's credentials and
 * the pin of pin_idx (-1: none beyond what p's configuration sets; the
 * first pin). stay: never follow HOST_IS_SLAVE; local: log in with
 * session.slave_local_login_with_password. NULL with err. No traffic. */
struct xapi *pool_addr_client(const struct pool *p, const char *url,
	    int pin_idx, int stay, int local, char *err, size_t errlen);

/* A client for p logged in to its master, reached through the first
 * candidate that answers (HOST_IS_SLAVE followed; a certificate among
 * tls_pins accepted with its own pin). answered (may be NULL) gets the
 * candidate that answered; xapi_url() of the client is the master's.
 * The pool's hosts' addresses are learned from it. When no candidate
 * answers, a client of the first URL, not logged in, is returned all
 * the same (its first call reports why), with answered "". NULL only
 * with err (out of memory, password file, bad URL or pin). */
struct xapi *pool_addr_connect(const struct pool *p, char *answered,
	    size_t alen, char *err, size_t errlen);
/* pool_addr_connect for an admin API request: each call (the logins
 * too) gets p's xapi_timeout, and none ends after deadline
 * (xapi_deadline_ms). */
struct xapi *pool_addr_connect_until(const struct pool *p, int64_t deadline,
	    char *answered, size_t alen, char *err, size_t errlen);

/* Remembers addrs (host.address values) as pool name's hosts; they
 * replace what was learned before. */
void  pool_addr_learn(const char *pool, const char *const *addrs, size_t n);
/* Forgets everything learned (tests, a new configuration). */
void  pool_addr_forget(void);

/* A client logged in at url itself (HOST_IS_SLAVE not followed; a
 * certificate among tls_pins accepted with its pin); local: with
 * session.slave_local_login_with_password. Each of its calls (the login
 * too) gets p's xapi_timeout. NULL with e (the login's error; its code
 * POOL_ADDR_TIMEOUT when XAPI did not answer in time) or err (no client
 * could be made: e->message says so too). */
#define POOL_ADDR_TIMEOUT	"POOLBOOT_XAPI_TIMEOUT"
/* 1 when e is pool_addr_open's "did not answer in time", else 0. */
int   pool_addr_timed_out(const struct xapi_error *e);
struct xapi *pool_addr_open(const struct pool *p, const char *url, int local,
	    struct xapi_error *e);

/* What one address said to a login that does not follow HOST_IS_SLAVE. */
enum pool_addr_answer {
	POOL_ADDR_MASTER = 0,	/* login worked: this host is a master */
	POOL_ADDR_MEMBER,	/* HOST_IS_SLAVE [master]: a live member */
	POOL_ADDR_DOWN,		/* nothing answered (transport failure) */
	POOL_ADDR_DOWN_SLOW,	/* the same: no answer within xapi_timeout */
	POOL_ADDR_REFUSED	/* another XAPI error (password, ...) */
};
/* Logs in at url without following; *master gets HOST_IS_SLAVE's
 * address, why the error. Logs out again. */
enum pool_addr_answer pool_addr_probe(const struct pool *p, const char *url,
	    char *master, size_t mlen, char *why, size_t wlen);

/* Whether p's master is dead, from every candidate and extra (may be
 * NULL) address: */
enum pool_master_state {
	POOL_MASTER_UP = 0,	/* a host answers as master (master_url) */
	POOL_MASTER_DEAD,	/* no master answers, but members do: they
				 * name master_addr, which does not answer */
	POOL_MASTER_UNREACHABLE,/* nothing of the pool answers: the network
				 * (or poolboot's side of it) is down, not
				 * necessarily the master */
	POOL_MASTER_REFUSED	/* a host refused the login (why) */
};
struct pool_master_verdict {
	enum pool_master_state state;
	char	 master_url[256];	/* UP: the URL that answered as master */
	char	 master_addr[128];	/* DEAD: the address the members name */
	struct strlist members;		/* DEAD/UP: URLs of live members */
	char	 why[512];		/* for the operator */
	char	 down_why[512];		/* the first address that did not
					 * answer: why ("XAPI at URL did not
					 * answer ... within N s"), or "" */
	int	 timed_out;		/* 1: one did not answer in time */
};
/* Fills v (free with pool_addr_verdict_free) and returns v->state. */
enum pool_master_state pool_addr_master_dead(const struct pool *p,
	    struct pool_master_verdict *v);
void  pool_addr_verdict_free(struct pool_master_verdict *v);

/* For a rolling upgrade that halts on a XAPI failure: 1 when p's master
 * is dead (pool_addr_master_dead), with buf the operator's way out ("the
 * master ... is dead ...: poolboot recover P --new-master HOST --wipe,
 * then poolboot retry P"); 0 otherwise, buf the verdict's why. */
int   pool_addr_halt_advice(const struct pool *p, char *buf, size_t len);

/* url with its host replaced by addr (scheme and port kept) into out. 0,
 * or -1 when addr is not a plain host name or IP address. */
int   pool_addr_url(const char *url, const char *addr, char *out,
	    size_t len);
/* The host part of url ("10.0.0.1", "[fd00::1]" without brackets). */
void  pool_addr_host(const char *url, char *out, size_t len);

#endif
