/* serve.c — see serve.h. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "api_site_exec.h"
#include "arm.h"
#include "audit.h"
#include "client.h"
#include "config_live.h"
#include "coord.h"
#include "dnsmasq.h"
#include "http.h"
#include "job.h"
#include "lease.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "reload.h"
#include "repo_mirror.h"
#include "site_queue.h"
#include "store.h"
#include "tokens.h"

/* The parts of a running server; serve_stop stops what is there. */
struct serve_parts {
	struct config	*cfg;		/* the start-up one; freed by live */
	struct config_live *live;	/* the current one (config_live.h) */
	struct reload	*rl;
	struct store	*st;
	struct arm	*arm;
	char		*token;		/* the admin token */
	struct tokens	*tokens;	/* named tokens and the local one */
	struct coord	*co;
	struct jobs	*jb;
	struct notify	*nt;
	struct dnsmasq_sup *dns;
	struct http_deps deps;		/* must outlive srv */
	struct http_server *srv;
	int	 lock_fd;		/* state_dir/serve.lock, held; or -1 */
	struct lease	*lease;		/* the site's; NULL: SQLite, no site */
	struct site_queue *sq;		/* its queued actions; NULL: none */
	const sigset_t	*sigs;		/* end a standby's wait */
	int	 stopped;		/* a signal ended the standby's wait */
};

/* The heartbeat found the site's lease taken over by another instance:
 * serve ends as after SIGTERM (serve_run then exits with a failure, so
 * that a supervisor starts it again, as a standby). */
static void
serve_lease_lost(void *arg)
{
	(void)arg;
	kill(getpid(), SIGTERM);
}

/* [server] site set, or a shared (PostgreSQL) store: opens the store and
 * waits as a standby until this instance holds the site's lease
 * (lease.h; the instances without a site share the unnamed site's),
 * before it binds a port, writes a file or serves a request (so that the
 * standby of a site can take over the active one's address:
 * docs/scale-out.md), then keeps it with the heartbeat. SQLite without a
 * site (one machine's file, one serve per state_dir): nothing. -1 when
 * it cannot, or when a signal ended the wait (p->stopped). */
static int
serve_site_lease(struct serve_parts *p)
{
	char err[512], *idf;
	int sig = 0, rc;

	if (p->cfg->site[0] == '\0' && p->cfg->store.backend != STORE_POSTGRES)
		return 0;
	if (store_open_config(p->cfg, 0, &p->st) == -1) {
		log_error("serve", "cannot open %s", store_name_config(p->cfg,
		    err, sizeof(err)));
		return -1;
	}
	/* [store] lease_seconds (config_store.h) */
	if (lease_new(p->st, p->cfg->site, p->cfg->store.lease_seconds * 1000,
	    &p->lease) == -1 ||
	    (idf = util_path_join(p->cfg->state_dir, "lease.id")) == NULL) {
		log_error("serve", "out of memory");
		return -1;
	}
	rc = lease_set_id_file(p->lease, idf);
	free(idf);
	if (rc == -1) {
		log_error("serve", "out of memory");
		return -1;
	}
	switch (lease_wait(p->lease, p->sigs, &sig)) {
	case 0:
		break;
	case 1:
		log_info("serve", "signal %d while standing by: stopping", sig);
		p->stopped = 1;
		return -1;
	default:
		return -1;
	}
	return lease_start(p->lease, serve_lease_lost, NULL);
}

/* Makes state_dir private (created, or its mode tightened: nothing is
 * written in it before) and takes state_dir/serve.lock: an exclusive
 * flock(2) held while this process lives (the kernel drops it when the
 * process dies, kill -9 too), the file holding our pid. The file is
 * written only once the lock is ours, so a refused second serve changes
 * nothing (the mode is already what the same config asks for). -1: logged
 * in one line, naming the holder's pid. */
static int
serve_lock(const struct config *cfg, int *lock_fd)
{
	const char *state_dir = cfg->state_dir;
	char *path = NULL, buf[512];
	ssize_t n;
	int fd = -1, len, ret = -1;

	if (util_private_dir(state_dir, dnsmasq_state_dir_mode(cfg), buf,
	    sizeof(buf)) == -1) {
		log_error("serve", "state_dir: %s", buf);
		goto out;
	}
	if ((path = util_path_join(state_dir, "serve.lock")) == NULL)
		goto out;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		log_error("serve", "cannot open the lock file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			log_error("serve", "cannot lock %s: %s", path,
			    strerror(errno));
			goto out;
		}
		n = pread(fd, buf, 32, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_error("serve", "state_dir %s is in use by another poolboot "
		    "serve (pid %s, lock %s): stop it first, or give this one "
		    "its own state_dir, tftp_root and ports", state_dir,
		    buf[0] != '\0' ? buf : "unknown", path);
		goto out;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)len, 0) != len) {
		log_error("serve", "cannot write the lock file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	*lock_fd = fd;
	fd = -1;
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	free(path);
	return ret;
}

/* [dnsmasq]: writes the files, has dnsmasq --test them and, in mode
 * managed, starts dnsmasq under its supervisor. -1: serve must not run
 * (the reason, dnsmasq's own message included, is logged). */
static int
serve_dnsmasq(const struct config *cfg, struct dnsmasq_sup **sup)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	char msg[4096];
	char *dir = NULL;
	int changed = 0, rc, ret = -1;

	*sup = NULL;
	if (!d->enabled)
		return 0;
	if ((dir = dnsmasq_dir(cfg)) == NULL)
		goto out;
	if (dnsmasq_write_files(cfg, NULL, &changed, msg, sizeof(msg)) == -1) {
		log_error("dnsmasq", "%s", msg);
		goto out;
	}
	log_info("dnsmasq", "%s/dnsmasq.conf%s: %d file%s changed", dir,
	    d->dhcp == DNSMASQ_FULL ? " and hosts.d" : "", changed,
	    changed == 1 ? "" : "s");
	rc = dnsmasq_test(cfg, NULL, msg, sizeof(msg));
	if (rc == DNSMASQ_TEST_FAILED) {
		log_error("dnsmasq", "dnsmasq refuses %s/dnsmasq.conf: %s", dir,
		    msg);
		goto out;
	}
	if (rc == DNSMASQ_TEST_NOBINARY && d->mode == DNSMASQ_MANAGED) {
		log_error("dnsmasq", "%s", msg);
		goto out;
	}
	if (rc == DNSMASQ_TEST_OK)
		log_info("dnsmasq", "%s --test: %s", d->binary, msg);
	if (d->mode == DNSMASQ_EXTERNAL) {
		log_info("dnsmasq", "mode external: poolboot runs no dnsmasq; add "
		    "conf-file=%s/dnsmasq.conf to the site's dnsmasq%s%s%s (%s)",
		    dir, d->dhcp == DNSMASQ_FULL ? " (it sets dhcp-hostsdir=" :
		    "", d->dhcp == DNSMASQ_FULL ? dir : "",
		    d->dhcp == DNSMASQ_FULL ? "/hosts.d)" : "",
		    rc == DNSMASQ_TEST_OK ? "dnsmasq --test: OK" : msg);
		ret = 0;
		goto out;
	}
	if (dnsmasq_start(cfg, sup, msg, sizeof(msg)) == -1) {
		log_error("dnsmasq", "dnsmasq did not start: %s", msg);
		goto out;
	}
	log_info("dnsmasq", "%s on %s (pid %ld), boot file %s, log %s/"
	    "dnsmasq.log", d->dhcp == DNSMASQ_FULL ? "DHCP server" :
	    "proxy-DHCP", d->interface, (long)dnsmasq_pid(*sup),
	    dnsmasq_boot_file(cfg), dir);
	ret = 0;
out:
	free(dir);
	return ret;
}

/* notify.h listeners of poolboot serve */
static void
serve_notify_metrics(void *arg, const char *host, int result)
{
	(void)arg;
	(void)host;
	metrics_callback(result == 0 ? 0 : 1);
}

static void
serve_notify_coord(void *arg, const char *host, int result)
{
	(void)host;
	(void)result;
	coord_notify(arg);
}

static void
serve_notify_jobs(void *arg, const char *host, int result)
{
	(void)host;
	(void)result;
	jobs_notify(arg);
}


/* Opens the state database and makes arming, the coordinators and the
 * job runner (which resume their runs and jobs only once HTTP is served:
 * serve_run), with the notify listeners between them. -1: logged. */
static int
serve_start_parts(struct serve_parts *p)
{
	struct config *cfg = p->cfg;
	char err[512];

	if (config_live_new(cfg, 1, &p->live) == -1) {
		log_error("serve", "out of memory");
		return -1;
	}
	/* already open when [server] site made this instance wait for its
	 * site's lease (serve_site_lease) */
	if (p->st == NULL && store_open_config(cfg, 0, &p->st) == -1) {
		log_error("serve", "cannot open %s", store_name_config(cfg,
		    err, sizeof(err)));
		return -1;
	}
	if (arm_new(p->live, p->st, &p->arm) == -1 ||
	    arm_reconcile(p->arm) == -1) {
		log_error("serve", "cannot prepare tftp-root %s", cfg->tftp_root);
		return -1;
	}
	if ((p->token = client_admin_token(cfg, 1, err, sizeof(err))) == NULL) {
		log_error("serve", "%s", err);
		return -1;
	}
	/* the tokens file's problems are logged as file:line */
	if (tokens_new(cfg->admin_tokens_file, p->token, &p->tokens) == -1)
		return -1;
	if (coord_new(p->live, p->st, p->arm, &p->co) == -1) {
		log_error("serve", "cannot start the coordinators");
		return -1;
	}
	if (jobs_new(p->live, p->st, p->arm, &p->jb) == -1) {
		log_error("serve", "cannot start the job runner");
		return -1;
	}
	coord_set_lease(p->co, p->lease);
	jobs_set_lease(p->jb, p->lease);
	/* an installer's callback wakes a waiting coordinator or job at
	 * once and is counted for /metrics */
	if (notify_new(&p->nt) == -1 ||
	    notify_listen(p->nt, serve_notify_metrics, NULL) == -1 ||
	    notify_listen(p->nt, serve_notify_coord, p->co) == -1 ||
	    notify_listen(p->nt, serve_notify_jobs, p->jb) == -1) {
		log_error("serve", "out of memory");
		return -1;
	}
	arm_set_notify(p->arm, p->nt);
	p->deps.api.live = p->live;
	p->deps.api.st = p->st;
	p->deps.api.arm = p->arm;
	p->deps.api.coord = p->co;
	p->deps.api.jobs = p->jb;
	p->deps.admin_token = p->token;
	p->deps.tokens = p->tokens;
	/* the site's admin actions asked of another site's instance,
	 * carried out through this instance's API */
	if (p->lease == NULL || cfg->site[0] == '\0')
		return 0;	/* nothing is queued for the unnamed site */
	if (site_queue_new(p->live, p->st, p->arm, p->lease, cfg->site,
	    &p->sq) == -1) {
		log_error("serve", "cannot start the site's action queue");
		return -1;
	}
	site_queue_set_exec(p->sq, api_site_exec_run, &p->deps.api);
	if (site_queue_start(p->sq) == -1)
		return -1;
	return 0;
}

/* Stops what serve_start_parts, serve_dnsmasq, http_bind and http_start
 * started, in the reverse order, frees the configuration and lets the
 * state_dir lock go. */
static void
serve_stop_parts(struct serve_parts *p)
{
	http_stop(p->srv);	/* first: /metrics reads dns */
	reload_free(p->rl);
	dnsmasq_stop(p->dns);
	site_queue_free(p->sq);
	jobs_free(p->jb);
	coord_free(p->co);
	arm_free(p->arm);
	notify_free(p->nt);
	lease_free(p->lease);	/* once nothing acts: a standby may take it */
	store_close(p->st);
	tokens_free(p->tokens);
	if (p->token != NULL)
		util_wipe(p->token, strlen(p->token));
	free(p->token);
	if (p->live != NULL)
		config_live_free(p->live);	/* every reader has stopped */
	else
		config_free(p->cfg);
	if (p->lock_fd != -1)
		close(p->lock_fd);	/* the lock goes with it */
}

/* The caches of the repos served from mirrors (repo_mirror.h), before
 * tftp-root's links and HTTP serve them. -1: logged. */
static int
serve_mirrors(struct config *cfg)
{
	struct strlist errors = { 0 }, warnings = { 0 };
	size_t i;
	int ret;

	ret = repo_mirror_sync_all(cfg->repos, cfg->nrepos, 1, &errors,
	    &warnings);
	for (i = 0; i < warnings.n; i++)
		log_warn("serve", "%s", warnings.v[i]);
	for (i = 0; i < errors.n; i++)
		log_error("serve", "%s", errors.v[i]);
	strlist_free(&errors);
	strlist_free(&warnings);
	return ret;
}

/* SIGHUP: the same reload as POST /api/v1/reload (reload.h), which logs
 * and records its outcome. */
static void
serve_reload(struct serve_parts *p)
{
	struct reload_report rep;
	enum reload_result res;

	res = reload_run(p->rl, "SIGHUP", &rep);
	/* in the audit log like POST /reload (http_audit records that one),
	 * with the status the API would have answered; the client is the
	 * signal, there is no token */
	audit_record(p->st, 0, "signal", "-", "reload", "", res == RELOAD_OK ?
	    200 : res == RELOAD_INVALID ? 422 : res == RELOAD_REFUSED ? 409 :
	    500, rep.errors.n > 0 ? rep.errors.v[0] : rep.summary);
	if (res != RELOAD_OK)
		log_info("serve", "SIGHUP: the reload was %s; poolboot serve "
		    "goes on with its configuration as it was",
		    reload_result_name(res));
	reload_report_free(&rep);
}

/* Waits for SIGINT or SIGTERM (blocked in set); SIGHUP reloads the
 * configuration. Returns the signal. */
static int
serve_wait(struct serve_parts *p, const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			serve_reload(p);
			continue;
		}
		return sig;
	}
}

int
serve_run(const struct cli_opts *o)
{
	struct serve_parts p;
	struct config *cfg;
	sigset_t set;
	int sig, ret = CLI_EXIT_FAIL;

	memset(&p, 0, sizeof(p));
	p.lock_fd = -1;
	/* blocked before the first thread starts (the log writer, the
	 * reaper, libmicrohttpd's, the coordinators'): every thread
	 * inherits the mask, so that SIGHUP and SIGTERM only ever reach
	 * serve_wait's sigwait; a thread with SIGHUP unblocked would take
	 * it with the default action, which ends the process */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((cfg = p.cfg = cli_load_config_warn(o->conf)) == NULL)
		return CLI_EXIT_FAIL;
	/* from here on every line goes to syslog when asked to (the
	 * configuration's own problems went to stderr above) */
	if (o->syslog || cfg->log_syslog)
		log_init("poolboot", PB_LOG_INFO + o->verbose, 1);
	/* a stalled log reader must not stop a request (log.h) */
	if (log_queue_start() == -1)
		log_warn("serve", "log lines are written synchronously: cannot "
		    "start the log writer: %s", strerror(errno));
	/* before any file is touched (the tftp-root reconcile, dnsmasq's
	 * files, the store): one serve per state_dir, and our ports, so
	 * that a second serve that cannot run changes nothing */
	p.sigs = &set;
	if (serve_lock(cfg, &p.lock_fd) == -1 ||
	    serve_site_lease(&p) == -1) {
		if (p.stopped)
			ret = 0;
		goto out;
	}
	if (http_bind(cfg, &p.srv) == -1 || serve_mirrors(cfg) == -1 ||
	    serve_start_parts(&p) == -1)
		goto out;

	if (serve_dnsmasq(cfg, &p.dns) == -1)
		goto out;
	p.deps.dnsmasq = p.dns;
	if (reload_new(o->conf, p.live, p.st, p.arm, p.dns, &p.rl) == -1) {
		log_error("serve", "out of memory");
		goto out;
	}
	p.deps.api.reload = p.rl;
	if (http_start(p.srv, &p.deps) == -1)
		goto out;
	log_info("serve", "poolboot %s serving %zu host%s on %s:%d (public URL "
	    "%s), admin on %s:%d, tftp-root %s, state %s", POOLBOOT_VERSION,
	    cfg->nhosts, cfg->nhosts == 1 ? "" : "s", cfg->listen_addr,
	    cfg->listen_port, cfg->public_url, cfg->admin_listen_addr,
	    cfg->admin_listen_port, cfg->tftp_root, cfg->state_dir);
	store_event(p.st, NULL, NULL, "serve", "server started (pid %ld)",
	    (long)getpid());
	/* only now, with HTTP served: resuming never waits on a thread or
	 * XAPI, and installers can report back while the runs resume */
	coord_resume(p.co);
	jobs_resume(p.jb);
	sig = serve_wait(&p, &set);
	log_info("serve", "signal %d: shutting down", sig);
	store_event(p.st, NULL, NULL, "serve", "server stopped");
	ret = lease_lost(p.lease) ? CLI_EXIT_FAIL : 0;
out:
	serve_stop_parts(&p);
	log_queue_stop();	/* every queued line out */
	return ret;
}
