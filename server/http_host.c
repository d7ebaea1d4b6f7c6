/* http_host.c — see http_host.h. */
#include "http_host.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_live.h"
#include "strmap.h"
#include "util.h"

#define HTTP_HOST_IP_SLOTS	256	/* installer addresses remembered */

/* An installer's address and the host whose answerfile it fetched (by
 * name: a reload may change the inventory). */
struct http_host_ipslot {
	char	 ip[INET6_ADDRSTRLEN];
	char	 host[64];
	uint64_t used;			/* ipseq when set: oldest goes first */
};

/* A host's repo bytes since its latest answerfile fetch; kept when its
 * address goes to another host. */
struct http_host_count {
	char	 host[64];
	uint64_t bytes;
};

struct http_host {
	struct config_live *live;
	struct arm	*arm;
	/* repo bytes per host (http_host_bytes), under mu */
	pthread_mutex_t mu;
	int	 mu_init;
	struct http_host_ipslot ips[HTTP_HOST_IP_SLOTS];
	size_t	 nips;
	uint64_t ipseq;
	struct http_host_count *counts;	/* one per host that fetched one */
	size_t	 ncounts, capcounts;
	struct strmap countidx;		/* host -> its count, rebuilt as
					   counts grows (GET /hosts asks
					   for every host's) */
	/* answerfile connections suspended until their count is on disk
	 * (http_host_drain waits for none), under wmu */
	pthread_mutex_t wmu;
	pthread_cond_t	wcv;
	unsigned	 waiting;
};

/* An answerfile whose count is on its way to the disk: its connection
 * is suspended until arm says it landed (http_host_landed), then the
 * access handler is called again and answers (arm_fetch_end). */
enum { HTTP_HOST_W_BEGUN, HTTP_HOST_W_SUSPENDED, HTTP_HOST_W_LANDED };
struct http_host_wait {
	struct http_host *hh;
	struct MHD_Connection *con;
	struct arm_fetch *f;
	atomic_int	 state;
};

int
http_host_new(struct config_live *live, struct arm *arm,
    struct http_host **out)
{
	struct http_host *hh;
	int ret = -1;

	*out = NULL;
	if ((hh = calloc(1, sizeof(*hh))) == NULL)
		goto out;
	hh->live = live;
	hh->arm = arm;
	if (pthread_mutex_init(&hh->mu, NULL) != 0)
		goto out;
	pthread_mutex_init(&hh->wmu, NULL);
	pthread_cond_init(&hh->wcv, NULL);
	hh->mu_init = 1;
	*out = hh;
	hh = NULL;
	ret = 0;
out:
	http_host_free(hh);
	return ret;
}

void
http_host_free(struct http_host *hh)
{
	if (hh == NULL)
		return;
	if (hh->mu_init) {
		http_host_drain(hh);
		pthread_mutex_destroy(&hh->mu);
		pthread_cond_destroy(&hh->wcv);
		pthread_mutex_destroy(&hh->wmu);
	}
	free(hh->counts);
	strmap_free(&hh->countidx);
	free(hh);
}

/* ---- repo bytes per host --------------------------------------------- */

/* host's count, added (at 0) when create is set and it has none; NULL
 * when it has none or out of memory. Caller holds mu. */
static struct http_host_count *
http_host_count(struct http_host *hh, const char *host, int create)
{
	struct http_host_count *c;
	size_t i, cap;

	if (strmap_get(&hh->countidx, host, &i) == 0)
		return &hh->counts[i];
	if (hh->countidx.cap == 0)	/* the index could not be built */
		for (i = 0; i < hh->ncounts; i++)
			if (strcmp(hh->counts[i].host, host) == 0)
				return &hh->counts[i];
	if (!create)
		return NULL;
	if (hh->ncounts == hh->capcounts) {
		cap = hh->capcounts ? hh->capcounts * 2 : 64;
		if ((c = realloc(hh->counts, cap * sizeof(*c))) == NULL)
			return NULL;
		hh->counts = c;
		hh->capcounts = cap;
		/* the keys moved: index them again, sized for cap */
		strmap_free(&hh->countidx);
		if (strmap_init(&hh->countidx, cap) == 0)
			for (i = 0; i < hh->ncounts; i++)
				(void)strmap_put(&hh->countidx,
				    hh->counts[i].host, i);
	}
	c = &hh->counts[hh->ncounts];
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->bytes = 0;
	if (hh->countidx.cap > 0 &&
	    strmap_put(&hh->countidx, c->host, hh->ncounts) == -1) {
		/* cannot happen (sized for capcounts); scan from now on */
		strmap_free(&hh->countidx);
	}
	hh->ncounts++;
	return c;
}

/* host (by name) fetched its answerfile from ip: from now on repo bytes
 * sent to ip are that host's, counted from 0 (a new install). One address
 * per host and one host per address: the latest fetch wins. */
static void
http_host_note_installer(struct http_host *hh, const char *ip,
    const char *host)
{
	struct http_host_count *c;
	size_t i, oldest = 0;

	if (strcmp(ip, "-") == 0)
		return;
	pthread_mutex_lock(&hh->mu);
	if ((c = http_host_count(hh, host, 1)) != NULL)
		c->bytes = 0;
	for (i = 0; i < hh->nips;) {
		if (strcmp(hh->ips[i].host, host) == 0 ||
		    strcmp(hh->ips[i].ip, ip) == 0)
			hh->ips[i] = hh->ips[--hh->nips];
		else
			i++;
	}
	if (hh->nips == HTTP_HOST_IP_SLOTS) {
		for (i = 1; i < hh->nips; i++)
			if (hh->ips[i].used < hh->ips[oldest].used)
				oldest = i;
		hh->ips[oldest] = hh->ips[--hh->nips];
	}
	i = hh->nips++;
	snprintf(hh->ips[i].ip, sizeof(hh->ips[i].ip), "%s", ip);
	snprintf(hh->ips[i].host, sizeof(hh->ips[i].host), "%s", host);
	hh->ips[i].used = ++hh->ipseq;
	pthread_mutex_unlock(&hh->mu);
}

void
http_host_sent(struct http_host *hh, const char *ip, uint64_t bytes)
{
	struct http_host_count *c;
	size_t i;

	if (hh == NULL || bytes == 0)
		return;
	pthread_mutex_lock(&hh->mu);
	for (i = 0; i < hh->nips; i++)
		if (strcmp(hh->ips[i].ip, ip) == 0) {
			if ((c = http_host_count(hh, hh->ips[i].host, 0)) != NULL)
				c->bytes += bytes;
			break;
		}
	pthread_mutex_unlock(&hh->mu);
}

uint64_t
http_host_bytes(struct http_host *hh, const char *host)
{
	struct http_host_count *c;
	uint64_t n = 0;

	if (hh == NULL || host == NULL)
		return 0;
	pthread_mutex_lock(&hh->mu);
	if ((c = http_host_count(hh, host, 0)) != NULL)
		n = c->bytes;
	pthread_mutex_unlock(&hh->mu);
	return n;
}

/* ---- answerfiles waiting for the disk --------------------------------- */

void
http_host_drain(struct http_host *hh)
{
	if (hh == NULL)
		return;
	pthread_mutex_lock(&hh->wmu);
	while (hh->waiting > 0)
		pthread_cond_wait(&hh->wcv, &hh->wmu);
	pthread_mutex_unlock(&hh->wmu);
}

/* One suspended answerfile fewer (landed). */
static void
http_host_unwait(struct http_host *hh)
{
	pthread_mutex_lock(&hh->wmu);
	if (--hh->waiting == 0)
		pthread_cond_broadcast(&hh->wcv);
	pthread_mutex_unlock(&hh->wmu);
}

/* arm: the fetch's count landed (the store's committer thread). The
 * connection is resumed by whoever comes second: this or the access
 * handler that suspends it; nothing of w is touched after that. */
static void
http_host_landed(void *arg)
{
	struct http_host_wait *w = arg;
	struct MHD_Connection *con = w->con;
	struct http_host *hh = w->hh;

	if (atomic_exchange(&w->state, HTTP_HOST_W_LANDED) ==
	    HTTP_HOST_W_SUSPENDED)
		MHD_resume_connection(con);
	http_host_unwait(hh);
}

/* rq freed (client gone) with its fetch not yet answered. */
static void
http_host_wait_free(void *arg)
{
	struct http_host_wait *w = arg;
	char *body = NULL;
	size_t len = 0;

	if (w->f != NULL) {
		(void)arm_fetch_end(w->hh->arm, w->f, &body, &len);
		if (body != NULL)
			util_wipe(body, len);
		free(body);
	}
	free(w);
}

/* The answerfile route: begins the fetch and suspends con until its
 * count is on disk (MHD_YES, nothing queued), or the final status in *as
 * with MHD_NO returned as "not suspended". */
static int
http_host_fetch(struct http_host *hh, struct MHD_Connection *con,
    struct http_req *rq, const char *host, const char *token,
    enum arm_status *as)
{
	struct http_host_wait *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		*as = ARM_ERROR;
		return 0;
	}
	w->hh = hh;
	w->con = con;
	atomic_init(&w->state, HTTP_HOST_W_BEGUN);
	pthread_mutex_lock(&hh->wmu);
	hh->waiting++;
	pthread_mutex_unlock(&hh->wmu);
	if ((*as = arm_fetch_begin(hh->arm, host, token, http_host_landed, w,
	    &w->f)) != ARM_OK) {
		http_host_unwait(hh);
		free(w);
		return 0;
	}
	rq->host_wait = w;
	rq->host_wait_free = http_host_wait_free;
	MHD_suspend_connection(con);
	/* landed already: resumed here (the next call answers) */
	if (atomic_exchange(&w->state, HTTP_HOST_W_SUSPENDED) ==
	    HTTP_HOST_W_LANDED)
		MHD_resume_connection(con);
	return 1;
}

/* The answer of a fetch whose count landed. */
static enum arm_status
http_host_fetched(struct http_host *hh, struct http_req *rq, char **body,
    size_t *len)
{
	struct http_host_wait *w = rq->host_wait;
	struct arm_fetch *f = w->f;

	w->f = NULL;
	return arm_fetch_end(hh->arm, f, body, len);
}

/* ---- the routes --------------------------------------------------------- */

/* arm's result as the answer to the installer. */
static enum MHD_Result
http_host_status(struct MHD_Connection *con, struct http_req *rq,
    enum arm_status as)
{
	unsigned int status;
	const char *text;

	switch (as) {
	case ARM_OK:
		status = MHD_HTTP_OK;
		text = "ok\n";
		break;
	case ARM_NOT_FOUND:
		status = MHD_HTTP_NOT_FOUND;
		text = "unknown host\n";
		break;
	case ARM_FORBIDDEN:
		status = MHD_HTTP_FORBIDDEN;
		text = "forbidden: wrong or missing token\n";
		break;
	case ARM_GONE:
		status = MHD_HTTP_GONE;
		text = "gone: this install link is no longer valid\n";
		break;
	case ARM_LOOP_GUARD:
		status = MHD_HTTP_GONE;
		text = "gone: boot loop guard tripped; host set to local "
		    "boot\n";
		break;
	case ARM_CONFLICT:
		status = MHD_HTTP_CONFLICT;
		text = "conflict: request refused (see the server log)\n";
		break;
	case ARM_UNAVAILABLE:
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		text = "unavailable: the state database cannot be reached; "
		    "try again\n";
		break;
	case ARM_ERROR:
	default:
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		text = "internal error (see the server log)\n";
		break;
	}
	return http_req_text(con, rq, status, HTTP_REQ_TEXT_PLAIN, text, NULL);
}

enum MHD_Result
http_host_serve(struct http_host *hh, struct MHD_Connection *con,
    struct http_req *rq, const char *host, const char *token, int result)
{
	const struct config *cfg;
	enum arm_status as;
	char *body = NULL;
	size_t len = 0;
	int known;

	if (!util_valid_name(host))
		return http_host_status(con, rq, ARM_NOT_FOUND);
	cfg = config_live_get(hh->live);
	known = config_host(cfg, host) != NULL;
	config_live_put(hh->live, cfg);
	if (!known)
		return http_host_status(con, rq, ARM_NOT_FOUND);
	if (token == NULL)
		return http_host_status(con, rq, ARM_FORBIDDEN);
	switch (rq->route) {
	case HTTP_REQ_ANSWERFILE:
		/* counted on disk before it is answered: suspended until
		 * then, called again after */
		if (rq->host_wait != NULL)
			as = http_host_fetched(hh, rq, &body, &len);
		else if (http_host_fetch(hh, con, rq, host, token, &as))
			return MHD_YES;
		if (as == ARM_OK) {
			http_host_note_installer(hh, rq->ip, host);
			return http_req_owned(con, rq, MHD_HTTP_OK,
			    "application/xml", body, len);
		}
		break;
	case HTTP_REQ_SCRIPT:
		as = arm_get_script(hh->arm, host, token, &body, &len);
		if (as == ARM_OK)
			return http_req_owned(con, rq, MHD_HTTP_OK,
			    "text/x-shellscript", body, len);
		break;
	case HTTP_REQ_CALLBACK:
		as = arm_callback(hh->arm, host, token, result);
		break;
	case HTTP_REQ_HOSTCERT_SCRIPT:
		as = arm_get_hostcert_script(hh->arm, host, token, &body, &len);
		if (as == ARM_OK)
			return http_req_owned(con, rq, MHD_HTTP_OK,
			    "text/x-shellscript", body, len);
		break;
	case HTTP_REQ_HOSTCERT:
		/* once per arming; the key is wiped when it has been sent */
		as = arm_get_hostcert(hh->arm, host, token, &body, &len);
		if (as == ARM_OK)
			return http_req_secret(con, rq, MHD_HTTP_OK,
			    "application/x-pem-file", body, len);
		break;
	default:
		as = ARM_NOT_FOUND;
		break;
	}
	free(body);
	return http_host_status(con, rq, as);
}
