/* lease.c — this instance's hold on its site's lease; see lease.h.
 *
 * Locking: l->mu guards held, lost, deadline, stop and the logged flags.
 * It is never held across a store call: the heartbeat's renewal may block
 * for as long as the database takes to answer, and lease_may_act still
 * answers from the deadline meanwhile.
 */
#include "lease.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_lease.h"
#include "util.h"

struct lease {
	struct store	*st;
	char		 name[96];		/* "site:NAME" */
	char		 id[160];		/* this instance */
	char		*id_file;		/* lease_set_id_file's, or NULL */
	char		 prev[160];		/* the id found in it */
	int64_t		 ttl_ms;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 held;			/* lease_wait took it */
	int		 lost;			/* taken over: never again */
	int64_t		 deadline;		/* monotonic ms: act before */
	int		 failing;		/* the last renewal failed */
	int		 down_logged;		/* "lost the database" said */
	int		 stop;
	int		 thread;		/* the heartbeat runs */
	pthread_t	 th;
	void		(*on_lost)(void *);
	void		*arg;
};

static int64_t
lease_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long before the lease's expiry this instance stops acting: a fifth
 * of its time to live (3 s of 15), so that a step begun just before the
 * deadline has that long to be written before a standby may start. */
static int64_t
lease_guard_ms(const struct lease *l)
{
	return l->ttl_ms / 5;
}

/* The heartbeat's period: a third of the time to live, so that two
 * renewals may fail before the deadline. */
static int64_t
lease_period_ms(const struct lease *l)
{
	return l->ttl_ms / 3;
}

/* "SITE/HOSTNAME/PID/RANDOM": two instances never share one, not even
 * after a restart with the same pid. */
static void
lease_make_id(char *out, size_t size, const char *site)
{
	char host[64] = "";
	unsigned char rnd[6] = { 0 };
	int fd;

	if (gethostname(host, sizeof(host) - 1) == -1)
		util_strlcpy(host, sizeof(host), "unknown");
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1 ||
	    read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
		uint64_t t = (uint64_t)util_now_ms() ^ (uint64_t)getpid() << 20;

		memcpy(rnd, &t, sizeof(rnd));
	}
	if (fd != -1)
		close(fd);
	snprintf(out, size, "%s/%s/%ld/%02x%02x%02x%02x%02x%02x", site, host,
	    (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
}

int
lease_new(struct store *st, const char *site, int lease_ms,
    struct lease **out)
{
	struct lease *l;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -1;
	l->st = st;
	l->ttl_ms = lease_ms < 300 ? 300 : lease_ms;
	/* the unnamed site: a name no site key can have */
	if (site[0] == '\0')
		site = "(none)";
	snprintf(l->name, sizeof(l->name), "site:%s", site);
	lease_make_id(l->id, sizeof(l->id), site);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	log_info("lease", "instance %s of site %s (lease %lld ms)", l->id,
	    site, (long long)l->ttl_ms);
	*out = l;
	return 0;
}

int
lease_set_id_file(struct lease *l, const char *path)
{
	FILE *f;

	free(l->id_file);
	if ((l->id_file = strdup(path)) == NULL)
		return -1;
	l->prev[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return 0;	/* none yet: the first start on this state_dir */
	if (fgets(l->prev, sizeof(l->prev), f) == NULL)
		l->prev[0] = '\0';
	l->prev[strcspn(l->prev, "\n")] = '\0';
	fclose(f);
	return 0;
}

/* Writes this instance's id into the id file (a temporary file renamed
 * over it), once it holds the lease: the next instance on this state_dir
 * then knows the holder it may take the lease from. */
static void
lease_write_id(const struct lease *l)
{
	char tmp[4200];
	FILE *f;
	int ok;

	if (l->id_file == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", l->id_file);
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("lease", "cannot write %s: %s (a restart on this "
		    "state_dir will wait for the lease to expire)", tmp,
		    strerror(errno));
		return;
	}
	ok = fprintf(f, "%s\n", l->id) > 0 && fflush(f) == 0 &&
	    fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, l->id_file) == -1) {
		log_warn("lease", "cannot write %s: %s (a restart on this "
		    "state_dir will wait for the lease to expire)", l->id_file,
		    strerror(errno));
		(void)unlink(tmp);
	}
}

/* The holder h is the instance that last ran on this state_dir (lease.h:
 * it is gone): takes the lease from it at once. 0 taken, 1 not (h is
 * another's, or someone else took it meanwhile), -1 database error. */
static int
lease_take_from_prev(struct lease *l, const struct store_lease *h)
{
	int rc;

	if (l->prev[0] == '\0' || strcmp(h->owner, l->prev) != 0)
		return 1;
	rc = store_lease_take_from(l->st, l->name, l->prev, l->id, l->ttl_ms);
	if (rc == 0)
		log_info("lease", "%s taken over from %s, the instance that "
		    "ran before on this state_dir (gone: its state_dir lock is "
		    "this instance's)", l->name, l->prev);
	return rc;
}

const char *
lease_instance(const struct lease *l)
{
	return l->id;
}

const char *
lease_name(const struct lease *l)
{
	return l->name;
}

/* A renewal (or the taking) that began at t0 succeeded: act until the
 * deadline. Caller holds l->mu. */
static void
lease_extend(struct lease *l, int64_t t0)
{
	l->held = 1;
	l->deadline = t0 + l->ttl_ms - lease_guard_ms(l);
}

int
lease_wait(struct lease *l, const sigset_t *set, int *sig)
{
	struct store_lease h, said;
	struct timespec ts;
	int64_t t0, period = lease_period_ms(l);
	int rc, s, db_said = 0;

	memset(&said, 0, sizeof(said));
	if (period > 1000)
		period = 1000;	/* a standby takes over soon after expiry */
	for (;;) {
		t0 = lease_mono_ms();
		rc = store_lease_acquire(l->st, l->name, l->id, l->ttl_ms, &h);
		if (rc == 1 && lease_take_from_prev(l, &h) == 0)
			rc = 0;
		if (rc == 0) {
			pthread_mutex_lock(&l->mu);
			lease_extend(l, t0);
			pthread_mutex_unlock(&l->mu);
			log_info("lease", "%s taken by this instance (%s): "
			    "active", l->name, l->id);
			lease_write_id(l);
			return 0;
		}
		if (rc == 1 && strcmp(h.owner, said.owner) != 0) {
			log_info("lease", "standing by: %s is held by %s",
			    l->name, h.owner);
			said = h;
		} else if (rc == -1 && !db_said) {
			log_warn("lease", "standing by: cannot reach the "
			    "database to take %s; trying again", l->name);
			db_said = 1;
		}
		ts.tv_sec = period / 1000;
		ts.tv_nsec = (long)(period % 1000) * 1000000;
		if ((s = sigtimedwait(set, NULL, &ts)) > 0) {
			*sig = s;
			return 1;
		}
	}
}

int
lease_renew_now(struct lease *l)
{
	int64_t t0 = lease_mono_ms();
	int rc = store_lease_renew(l->st, l->name, l->id, l->ttl_ms);
	void (*cb)(void *) = NULL;

	pthread_mutex_lock(&l->mu);
	if (rc == 0) {
		lease_extend(l, t0);
		if (l->down_logged)
			log_info("lease", "the database is back and %s is still "
			    "this instance's: acting again", l->name);
		l->down_logged = 0;
	} else if (rc == 1 && !l->lost) {
		l->lost = 1;
		l->held = 0;
		cb = l->on_lost;
		log_error("lease", "%s was taken over by another instance: this "
		    "instance no longer acts on the site", l->name);
	}
	pthread_mutex_unlock(&l->mu);
	if (cb != NULL)
		cb(l->arg);
	return rc;
}

/* Says once that the deadline passed without a renewal. Caller holds
 * l->mu. */
static void
lease_check_down(struct lease *l)
{
	if (l->held && !l->lost && !l->down_logged &&
	    lease_mono_ms() >= l->deadline) {
		log_error("lease", "lost the database: not acting until it is "
		    "back (%s cannot be renewed)", l->name);
		l->down_logged = 1;
	}
}

static void *
lease_main(void *arg)
{
	struct lease *l = arg;
	struct timespec ts;
	int64_t wait;
	int rc;

	for (;;) {
		rc = lease_renew_now(l);
		pthread_mutex_lock(&l->mu);
		/* once per outage */
		if (rc == -1 && !l->failing && l->deadline > lease_mono_ms())
			log_warn("lease", "cannot renew %s (the database?); "
			    "acting for %lld ms more at most", l->name,
			    (long long)(l->deadline - lease_mono_ms()));
		l->failing = rc == -1;
		/* after a failure: try again soon, and wake at the
		 * deadline to say that acting stopped */
		wait = lease_period_ms(l);
		if (rc == -1 && wait > 1000)
			wait = 1000;
		while (!l->stop && !l->lost) {
			util_deadline_ms(&ts, (int)wait);
			if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) ==
			    ETIMEDOUT)
				break;
		}
		lease_check_down(l);
		if (l->stop || l->lost) {
			pthread_mutex_unlock(&l->mu);
			return NULL;
		}
		pthread_mutex_unlock(&l->mu);
	}
}

int
lease_start(struct lease *l, void (*on_lost)(void *), void *arg)
{
	l->on_lost = on_lost;
	l->arg = arg;
	if (pthread_create(&l->th, NULL, lease_main, l) != 0) {
		log_error("lease", "cannot start the heartbeat thread");
		return -1;
	}
	l->thread = 1;
	return 0;
}

int
lease_may_act(struct lease *l)
{
	int ok;

	if (l == NULL)
		return 1;
	pthread_mutex_lock(&l->mu);
	ok = l->held && !l->lost && lease_mono_ms() < l->deadline;
	pthread_mutex_unlock(&l->mu);
	return ok;
}

int
lease_lost(struct lease *l)
{
	int lost;

	if (l == NULL)
		return 0;
	pthread_mutex_lock(&l->mu);
	lost = l->lost;
	pthread_mutex_unlock(&l->mu);
	return lost;
}

void
lease_free(struct lease *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (l->thread)
		pthread_join(l->th, NULL);
	if (l->held && !l->lost &&
	    store_lease_release(l->st, l->name, l->id) == 0)
		log_info("lease", "%s released by %s", l->name, l->id);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l->id_file);
	free(l);
}
