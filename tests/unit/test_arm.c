/* test_arm.c — a host's install lifecycle as a host and an operator see it:
 * arm writes the per-MAC install entry, the token opens the answerfile
 * and the script, the callback sends the host back to local boot for
 * good, the loop guard stops a boot loop, and a restart keeps all of it;
 * the firmware key decides which per-MAC file (pxelinux's, GRUB's, both)
 * carries the install entry, and the start-up check follows it.
 * Real store (SQLite in a scratch dir), real render and templates. */
#include "unit.h"
#include "unit_store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>

#include "arm.h"
#include "arm_int.h"
#include "config.h"
#include "config_live.h"
#include "hostcert.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "tftp.h"

#define PUBLIC_URL	"http://10.0.0.1:8080"
#define ROOT_HASH	"$6$poolboot$y0Kq3fNnEoaWdHq5q2Nf8F1A9t.3y4PU0l8bJ2f7mQ" \
			"kq9B1mQm3o4D8yGqY8tR6yV2ePp9Xk0wz7uV5L4cS1."

enum { H1, H2, H3, H4, NHOSTS };

struct fix {
	char		*tmp;
	char		*tftp;
	char		*state;
	char		*repodir;
	char		 tpldir[PATH_MAX];
	struct repo	 repo;
	struct pool	 pool;
	struct host	 hosts[NHOSTS];
	struct config	 cfg;
	struct config_live *live;	/* borrows cfg */
	struct store	*st;
	struct arm	*arm;
};

static char *
path2(const char *a, const char *b)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static void
mkrepo(const char *dir)
{
	char *boot = path2(dir, "boot");

	assert_int_equal(util_mkdirs(boot, 0755), 0);
	free(boot);
	free(unit_write(dir, ".treeinfo", "[platform]\nversion = 3.2.1\n"
	    "[system-v1]\nproduct_brand = XCP-ng\nproduct_version = 8.2.1\n"
	    "build_number = release/yangtze/master/58\n"));
	free(unit_write(dir, "boot/xen.gz", "xen"));
	free(unit_write(dir, "boot/vmlinuz", "vmlinuz"));
	free(unit_write(dir, "install.img", "install.img"));
}

static void
init_host(struct host *h, const char *name, const char *mac,
    enum host_mode mode, struct fix *f, int pool_member)
{
	memset(h, 0, sizeof(*h));
	h->name = (char *)(uintptr_t)name;
	snprintf(h->mac, sizeof(h->mac), "%s", mac);
	h->mode = mode;
	h->disk = "sda";
	h->repo_name = "xs82";
	h->repo = &f->repo;
	h->timezone = "UTC";
	h->keymap = "us";
	if (pool_member) {
		h->pool_name = "p1";
		h->pool = &f->pool;
	}
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->tmp = unit_tmpdir());
	/* tftp-root and state_dir do not exist yet */
	f->tftp = path2(f->tmp, "tftp-root");
	f->state = path2(f->tmp, "state");
	f->repodir = path2(f->tmp, "xcp-ng-8.2.1");
	mkrepo(f->repodir);
	unit_templates(f->tpldir, sizeof(f->tpldir));
	assert_int_equal(access(f->tpldir, R_OK), 0);

	f->repo.name = "xs82";
	f->repo.path = f->repodir;
	f->repo.product_version = "8.2.1";
	f->pool.name = "p1";
	f->pool.repo_name = "xs82";
	f->pool.repo = &f->repo;

	/* h1, h4: pool members to upgrade; h2: a new host, fresh install;
	 * h3: an entry render refuses (a kernel argument with a space) */
	init_host(&f->hosts[H1], "h1", "52:54:00:00:00:01", MODE_UPGRADE, f, 1);
	init_host(&f->hosts[H2], "h2", "52:54:00:00:00:02", MODE_FRESH, f, 0);
	f->hosts[H2].hostname = "h2.example.org";
	f->hosts[H2].root_password_hash = ROOT_HASH;
	assert_int_equal(strlist_add(&f->hosts[H2].dns, "10.0.0.53"), 0);
	assert_int_equal(strlist_add(&f->hosts[H2].ntp, "pool.ntp.org"), 0);
	init_host(&f->hosts[H3], "h3", "52:54:00:00:00:03", MODE_UPGRADE, f, 1);
	assert_int_equal(strlist_add(&f->hosts[H3].kernel_args,
	    "quiet rd.break"), 0);
	init_host(&f->hosts[H4], "h4", "52:54:00:00:00:04", MODE_UPGRADE, f, 1);

	f->cfg.public_url = PUBLIC_URL;
	f->cfg.state_dir = f->state;
	f->cfg.tftp_root = f->tftp;
	f->cfg.template_dir = f->tpldir;
	f->cfg.boot_attempts = 3;
	f->cfg.boot_files = BOOT_FILES_TFTP;
	f->cfg.repos = &f->repo;
	f->cfg.nrepos = 1;
	f->cfg.pools = &f->pool;
	f->cfg.npools = 1;
	f->cfg.hosts = f->hosts;
	f->cfg.nhosts = NHOSTS;

	/* what serve does at start-up */
	assert_int_equal(unit_store_open(f->state, 0, &f->st), 0);
	assert_int_equal(config_live_new(&f->cfg, 0, &f->live), 0);
	assert_int_equal(arm_new(f->live, f->st, &f->arm), 0);
	assert_int_equal(arm_reconcile(f->arm), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd;
	int i;

	arm_free(f->arm);
	config_live_free(f->live);
	store_close(f->st);
	for (i = 0; i < NHOSTS; i++) {
		strlist_free(&f->hosts[i].dns);
		strlist_free(&f->hosts[i].ntp);
		strlist_free(&f->hosts[i].kernel_args);
	}
	if (asprintf(&cmd, "rm -rf '%s'", f->tmp) > 0) {
		if (system(cmd) != 0) {
			/* leave it */
		}
		free(cmd);
	}
	free(f->tftp);
	free(f->state);
	free(f->repodir);
	free(f->tmp);
	free(f);
	return 0;
}

/* Simulates kill + restart of serve: everything in memory is dropped. */
static void
restart(struct fix *f)
{
	arm_free(f->arm);
	store_close(f->st);
	f->arm = NULL;
	f->st = NULL;
	assert_int_equal(unit_store_open(f->state, 0, &f->st), 0);
	assert_int_equal(arm_new(f->live, f->st, &f->arm), 0);
	assert_int_equal(arm_reconcile(f->arm), 0);
}

static char *
pxe_read(struct fix *f, int i)
{
	char *path = tftp_pxe_path(&f->cfg, &f->hosts[i]);
	char *text;

	assert_non_null(path);
	text = util_read_file(path, 65536, NULL);
	free(path);
	return text;	/* NULL if missing */
}

static int
pxe_is_local(struct fix *f, int i)
{
	char err[256];
	char *text = pxe_read(f, i), *local;
	int r;

	assert_non_null(local = render_pxelinux_local(&f->cfg, err,
	    sizeof(err)));
	r = text != NULL && strcmp(text, local) == 0;
	free(text);
	free(local);
	return r;
}

static char *
grub_read(struct fix *f, int i)
{
	char *path = tftp_grub_path(&f->cfg, &f->hosts[i]);
	char *text;

	assert_non_null(path);
	text = util_read_file(path, 65536, NULL);
	free(path);
	return text;	/* NULL if missing */
}

static int
grub_is_local(struct fix *f, int i)
{
	char err[256];
	char *text = grub_read(f, i), *local;
	int r;

	assert_non_null(local = render_grub_local(&f->cfg, err, sizeof(err)));
	r = text != NULL && strcmp(text, local) == 0;
	free(text);
	free(local);
	return r;
}

/* Does host i's pxelinux (grub 0) or GRUB (grub 1) file carry token? */
static int
carries(struct fix *f, int i, int grub, const char *token)
{
	char found[UTIL_TOKEN_LEN + 1];
	char *text = grub ? grub_read(f, i) : pxe_read(f, i);
	int r;

	if (text == NULL)
		return 0;
	r = (grub ? render_grub_token(text, found) :
	    render_pxelinux_token(text, found)) == 0 &&
	    strcmp(found, token) == 0;
	free(text);
	return r;
}

static enum host_state
state_of(struct fix *f, const char *host)
{
	struct host_status hs;

	assert_int_equal(store_host_status(f->st, host, &hs), 0);
	return hs.state;
}

static void
arm_ok(struct fix *f, int i, int wipe, char token[UTIL_TOKEN_LEN + 1])
{
	char msg[512];

	assert_int_equal(arm_host(f->arm, f->hosts[i].name, wipe, token, msg,
	    sizeof(msg)), ARM_OK);
}

static enum arm_status
get_af(struct fix *f, const char *host, const char *token)
{
	enum arm_status r;
	char *body = (char *)"x";
	size_t len = 1;

	r = arm_get_answerfile(f->arm, host, token, &body, &len);
	if (r != ARM_OK) {
		assert_null(body);
		assert_int_equal(len, 0);
	}
	free(body);
	return r;
}

static enum arm_status
get_script(struct fix *f, const char *host, const char *token)
{
	enum arm_status r;
	char *body = NULL;
	size_t len = 0;

	r = arm_get_script(f->arm, host, token, &body, &len);
	if (r != ARM_OK)
		assert_null(body);
	free(body);
	return r;
}

/* Events of host, newest first, as "kind: message" lines in one string. */
struct evs {
	struct sbuf	 b;
	int		 n;
	int		 wrong_pool;
	const char	*pool;
};

static int
ev_cb(const struct event *ev, void *arg)
{
	struct evs *e = arg;

	if (e->pool != NULL && strcmp(ev->pool, e->pool) != 0)
		e->wrong_pool = 1;
	sbuf_printf(&e->b, "%s: %s\n", ev->kind, ev->message);
	e->n++;
	return 0;
}

static char *
events_of(struct fix *f, const char *host, const char *pool)
{
	struct evs e = { .b = { .max = 1 << 20 }, .pool = pool };
	struct event_query q = { .host = host, .limit = 1000 };

	assert_int_equal(store_events(f->st, &q, ev_cb, &e), 0);
	assert_int_equal(e.wrong_pool, 0);
	return sbuf_take(&e.b);
}

static void
startup_writes_default_local_boot_and_repo_link(void **state)
{
	struct fix *f = *state;
	char err[256], target[PATH_MAX];
	char *def = path2(f->tftp, "pxelinux.cfg/default");
	char *link = path2(f->tftp, "repo/xs82");
	char *text, *local;
	ssize_t n;

	assert_non_null(text = util_read_file(def, 65536, NULL));
	assert_non_null(local = render_pxelinux_local(&f->cfg, err,
	    sizeof(err)));
	assert_string_equal(text, local);
	assert_non_null(strstr(text, "localboot"));
	n = readlink(link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, f->repodir);
	/* no host is armed: no per-MAC file at all */
	free(text);
	assert_null(text = pxe_read(f, H1));
	free(local);
	free(def);
	free(link);
}

static void
arm_writes_per_mac_install_entry(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], url[256], found[UTIL_TOKEN_LEN + 1];
	char *text, *evs, *path;
	struct stat sb;
	size_t i;

	arm_ok(f, H1, 0, token);
	assert_int_equal(strlen(token), UTIL_TOKEN_LEN);
	for (i = 0; i < UTIL_TOKEN_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", token[i]));
	path = tftp_pxe_path(&f->cfg, &f->hosts[H1]);
	assert_non_null(strstr(path, "/pxelinux.cfg/01-52-54-00-00-00-01"));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	free(path);
	assert_non_null(text = pxe_read(f, H1));
	snprintf(url, sizeof(url), "answerfile=" PUBLIC_URL
	    "/hosts/h1/%s/answerfile", token);
	assert_non_null(strstr(text, url));
	assert_non_null(strstr(text, "mboot.c32"));
	assert_int_equal(render_pxelinux_token(text, found), 0);
	assert_string_equal(found, token);
	free(text);
	assert_int_equal(state_of(f, "h1"), HOST_ARMED);
	/* the event names host and pool and never shows the token */
	evs = events_of(f, "h1", "p1");
	assert_non_null(strstr(evs, "arm: "));
	assert_null(strstr(evs, token));
	free(evs);
	/* other hosts are untouched */
	assert_null(pxe_read(f, H4));
	assert_int_equal(state_of(f, "h4"), HOST_IDLE);
}

static void
answerfile_and_script_need_the_token(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], other[UTIL_TOKEN_LEN + 1], err[256];
	char cb[256], longtok[80];
	char *body = NULL;
	size_t len = 0;
	struct arming a;

	arm_ok(f, H1, 0, token);
	assert_int_equal(arm_get_answerfile(f->arm, "h1", token, &body, &len),
	    ARM_OK);
	assert_int_equal(len, strlen(body));
	assert_non_null(strstr(body, "mode=\"upgrade\""));
	assert_non_null(strstr(body, "<existing-installation>sda"));
	assert_non_null(strstr(body, PUBLIC_URL "/repo/xs82/"));
	assert_null(strstr(body, "primary-disk"));
	assert_int_equal(render_validate_answerfile(body, len, MODE_UPGRADE, 1,
	    err, sizeof(err)), 0);
	free(body);
	assert_int_equal(state_of(f, "h1"), HOST_INSTALLING);

	assert_int_equal(arm_get_script(f->arm, "h1", token, &body, &len),
	    ARM_OK);
	assert_int_equal(strncmp(body, "#!/bin/sh", 9), 0);
	snprintf(cb, sizeof(cb), PUBLIC_URL "/hosts/h1/%s/callback", token);
	assert_non_null(strstr(body, cb));
	assert_int_equal(len, strlen(body));
	free(body);

	/* 403: wrong, missing, empty, oversized, another host's token */
	assert_int_equal(util_random_token(other), 0);
	assert_int_equal(get_af(f, "h1", other), ARM_FORBIDDEN);
	assert_int_equal(get_af(f, "h1", NULL), ARM_FORBIDDEN);
	assert_int_equal(get_af(f, "h1", ""), ARM_FORBIDDEN);
	memset(longtok, 'a', sizeof(longtok) - 1);
	longtok[sizeof(longtok) - 1] = '\0';
	assert_int_equal(get_af(f, "h1", longtok), ARM_FORBIDDEN);
	assert_int_equal(get_af(f, "h4", token), ARM_FORBIDDEN);
	assert_int_equal(get_script(f, "h1", other), ARM_FORBIDDEN);
	assert_int_equal(arm_callback(f->arm, "h1", other, 0), ARM_FORBIDDEN);
	/* 404: not in the inventory */
	assert_int_equal(get_af(f, "nosuch", token), ARM_NOT_FOUND);
	assert_int_equal(get_script(f, "nosuch", token), ARM_NOT_FOUND);
	assert_int_equal(arm_callback(f->arm, "nosuch", token, 0),
	    ARM_NOT_FOUND);
	/* refused requests and script fetches count nothing; the host is
	 * still armed and installing */
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.attempts, 1);
	assert_int_equal(state_of(f, "h1"), HOST_INSTALLING);
	assert_non_null(body = pxe_read(f, H1));
	assert_non_null(strstr(body, token));
	free(body);
}

static void
fresh_install_needs_wipe(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1] = "", msg[512], err[256];
	char *body = NULL;
	size_t len = 0;
	struct arming a;

	assert_int_equal(arm_host(f->arm, "h2", 0, token, msg, sizeof(msg)),
	    ARM_CONFLICT);
	assert_non_null(strstr(msg, "--wipe"));
	assert_non_null(strstr(msg, "wipes"));
	assert_string_equal(token, "");
	assert_null(pxe_read(f, H2));
	assert_int_equal(store_active_arming(f->st, "h2", &a), 1);
	assert_int_equal(state_of(f, "h2"), HOST_IDLE);

	/* with --wipe: armed, and served the fresh answerfile */
	arm_ok(f, H2, 1, token);
	assert_int_equal(arm_get_answerfile(f->arm, "h2", token, &body, &len),
	    ARM_OK);
	assert_non_null(strstr(body, "mode=\"fresh\""));
	assert_non_null(strstr(body, "<primary-disk"));
	assert_int_equal(render_validate_answerfile(body, len, MODE_FRESH, 0,
	    err, sizeof(err)), 0);
	free(body);
	/* an upgrade host needs no --wipe, and unknown hosts are 404 */
	assert_int_equal(arm_host(f->arm, "nosuch", 1, token, msg,
	    sizeof(msg)), ARM_NOT_FOUND);
}

static void
render_failure_arms_nothing(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], msg[512];
	struct arming a;
	char *evs;

	assert_int_equal(arm_host(f->arm, "h3", 0, token, msg, sizeof(msg)),
	    ARM_ERROR);
	assert_non_null(strstr(msg, "kernel_args"));
	assert_null(pxe_read(f, H3));
	assert_int_equal(store_active_arming(f->st, "h3", &a), 1);
	assert_int_equal(state_of(f, "h3"), HOST_IDLE);
	evs = events_of(f, "h3", NULL);
	assert_string_equal(evs, "");
	free(evs);
}

static void
callback_success_goes_local_for_good(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], other[UTIL_TOKEN_LEN + 1];
	struct arming a;
	char *evs;

	arm_ok(f, H1, 0, token);
	assert_int_equal(get_af(f, "h1", token), ARM_OK);
	assert_int_equal(get_script(f, "h1", token), ARM_OK);
	assert_int_equal(arm_callback(f->arm, "h1", token, 0), ARM_OK);
	assert_true(pxe_is_local(f, H1));
	assert_int_equal(state_of(f, "h1"), HOST_DONE);
	/* the token is retired: 410 everywhere, and still 403 for junk */
	assert_int_equal(get_af(f, "h1", token), ARM_GONE);
	assert_int_equal(get_script(f, "h1", token), ARM_GONE);
	assert_int_equal(arm_callback(f->arm, "h1", token, 0), ARM_GONE);
	assert_int_equal(arm_callback(f->arm, "h1", token, 1), ARM_GONE);
	assert_int_equal(util_random_token(other), 0);
	assert_int_equal(get_af(f, "h1", other), ARM_FORBIDDEN);
	/* a second callback did not change the result */
	assert_int_equal(state_of(f, "h1"), HOST_DONE);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 1);
	evs = events_of(f, "h1", "p1");
	assert_non_null(strstr(evs, "done: "));
	assert_non_null(strstr(evs, "fetch: "));
	assert_non_null(strstr(evs, "script: "));
	assert_null(strstr(evs, token));
	free(evs);
}

static void
callback_failure_goes_local_and_marks_failed(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], hash[65];
	struct arming a;
	char *evs;

	arm_ok(f, H1, 0, token);
	assert_int_equal(get_af(f, "h1", token), ARM_OK);
	assert_int_equal(arm_callback(f->arm, "h1", token, 1), ARM_OK);
	assert_true(pxe_is_local(f, H1));
	assert_int_equal(state_of(f, "h1"), HOST_FAILED);
	util_sha256_hex(token, hash);
	assert_int_equal(store_arming_by_hash(f->st, "h1", hash, &a), 0);
	assert_string_equal(a.result, "failed");
	assert_string_equal(a.reason, "installer reported failure (1)");
	assert_int_equal(get_af(f, "h1", token), ARM_GONE);
	evs = events_of(f, "h1", "p1");
	assert_non_null(strstr(evs, "failed: "));
	free(evs);
}

static void
loop_guard_stops_a_boot_loop(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], hash[65];
	struct arming a;
	char *evs;
	int i;

	arm_ok(f, H1, 0, token);
	/* fetches 1..boot_attempts are served */
	for (i = 0; i < f->cfg.boot_attempts; i++) {
		assert_int_equal(get_af(f, "h1", token), ARM_OK);
		assert_false(pxe_is_local(f, H1));
	}
	/* the next one trips the guard */
	assert_int_equal(get_af(f, "h1", token), ARM_LOOP_GUARD);
	assert_true(pxe_is_local(f, H1));
	assert_int_equal(state_of(f, "h1"), HOST_FAILED);
	util_sha256_hex(token, hash);
	assert_int_equal(store_arming_by_hash(f->st, "h1", hash, &a), 0);
	assert_int_equal(a.active, 0);
	assert_string_equal(a.reason, "boot loop guard: answerfile fetched 3 "
	    "times without a callback");
	/* and the token is gone afterwards */
	assert_int_equal(get_af(f, "h1", token), ARM_GONE);
	assert_int_equal(arm_callback(f->arm, "h1", token, 0), ARM_GONE);
	evs = events_of(f, "h1", "p1");
	assert_non_null(strstr(evs, "loopguard: "));
	free(evs);
}

struct late_fetch {
	struct fix	*f;
	const char	*token;
	enum arm_status	 r;
};

static void *
late_fetch_main(void *arg)
{
	struct late_fetch *lf = arg;
	char *body = NULL;
	size_t len = 0;

	lf->r = arm_get_answerfile(lf->f->arm, "h1", lf->token, &body, &len);
	free(body);
	return NULL;
}

/* arm_fetch.c looks the token up before arm's lock: a fetch whose
 * look-up saw 2 of 3 fetches counted, but which gets the lock after a
 * third one landed (its count in the store, its reservation released:
 * arm_changed), must decide on 3, i.e. trip the loop guard, not serve a
 * fourth answerfile on the stale count. */
static void
lookup_before_the_lock_is_redone_after_a_change(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1];
	struct late_fetch lf;
	struct arming a;
	pthread_t th;

	arm_ok(f, H1, 0, token);
	assert_int_equal(get_af(f, "h1", token), ARM_OK);
	assert_int_equal(get_af(f, "h1", token), ARM_OK);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.attempts, 2);
	memset(&lf, 0, sizeof(lf));
	lf.f = f;
	lf.token = token;
	pthread_mutex_lock(&f->arm->mu);
	assert_int_equal(pthread_create(&th, NULL, late_fetch_main, &lf), 0);
	usleep(300000);		/* its look-up done, it waits for the lock */
	/* what a third fetch landing does meanwhile */
	assert_int_equal(store_arming_fetched(f->st, a.id, util_now(), NULL),
	    0);
	arm_changed(f->arm);
	pthread_mutex_unlock(&f->arm->mu);
	pthread_join(th, NULL);
	assert_int_equal(lf.r, ARM_LOOP_GUARD);
	assert_int_equal(store_arming_by_hash(f->st, "h1", a.token_hash, &a),
	    0);
	assert_int_equal(a.attempts, 3);
	assert_int_equal(a.active, 0);
}

static void
disarm_and_rearm_retire_the_token(void **state)
{
	struct fix *f = *state;
	char t1[UTIL_TOKEN_LEN + 1], t2[UTIL_TOKEN_LEN + 1], msg[512];
	char *text, *evs;

	/* re-arming an armed host: new token, the old one retired */
	arm_ok(f, H1, 0, t1);
	arm_ok(f, H1, 0, t2);
	assert_string_not_equal(t1, t2);
	assert_int_equal(get_af(f, "h1", t1), ARM_GONE);
	assert_non_null(text = pxe_read(f, H1));
	assert_null(strstr(text, t1));
	assert_non_null(strstr(text, t2));
	free(text);
	assert_int_equal(get_af(f, "h1", t2), ARM_OK);

	assert_int_equal(arm_disarm(f->arm, "h1", msg, sizeof(msg)), ARM_OK);
	assert_true(pxe_is_local(f, H1));
	assert_int_equal(state_of(f, "h1"), HOST_IDLE);
	assert_int_equal(get_af(f, "h1", t2), ARM_GONE);
	assert_int_equal(arm_callback(f->arm, "h1", t2, 0), ARM_GONE);
	assert_int_equal(arm_disarm(f->arm, "h1", msg, sizeof(msg)),
	    ARM_CONFLICT);
	assert_non_null(strstr(msg, "not armed"));
	assert_int_equal(arm_disarm(f->arm, "nosuch", msg, sizeof(msg)),
	    ARM_NOT_FOUND);
	evs = events_of(f, "h1", "p1");
	assert_non_null(strstr(evs, "disarm: "));
	free(evs);
}

static void
mode_changed_after_arming_is_refused(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1];
	char *evs;

	arm_ok(f, H1, 0, token);
	/* the operator edits the inventory (and restarts) after arming */
	f->hosts[H1].mode = MODE_FRESH;
	f->hosts[H1].hostname = "h1.example.org";
	f->hosts[H1].root_password_hash = ROOT_HASH;
	assert_int_equal(get_af(f, "h1", token), ARM_CONFLICT);
	evs = events_of(f, "h1", "p1");
	assert_non_null(strstr(evs, "refused: "));
	assert_null(strstr(evs, "fetch: "));
	free(evs);
	/* still armed for upgrade: the operator re-arms deliberately */
	assert_int_equal(state_of(f, "h1"), HOST_INSTALLING);
	f->hosts[H1].mode = MODE_UPGRADE;
	assert_int_equal(get_af(f, "h1", token), ARM_OK);
}

static void
restart_keeps_armed_and_finished_hosts(void **state)
{
	struct fix *f = *state;
	char t1[UTIL_TOKEN_LEN + 1], t2[UTIL_TOKEN_LEN + 1];
	char t4[UTIL_TOKEN_LEN + 1], hash[65];
	char *h2_install, *h2path, *h4path, *stray, *tmpf, *evs, *text;
	struct arming a;

	arm_ok(f, H1, 0, t1);
	assert_int_equal(get_af(f, "h1", t1), ARM_OK);
	arm_ok(f, H2, 1, t2);
	assert_non_null(h2_install = pxe_read(f, H2));
	assert_int_equal(arm_callback(f->arm, "h2", t2, 0), ARM_OK);
	arm_ok(f, H4, 0, t4);

	/* crash damage: h2's rewrite to local boot never reached the disk,
	 * h4's per-MAC file is gone, an atomic write left a temp file, and
	 * a MAC the inventory does not know has its own file */
	h2path = tftp_pxe_path(&f->cfg, &f->hosts[H2]);
	assert_int_equal(util_write_atomic(h2path, h2_install,
	    strlen(h2_install), 0644), 0);
	h4path = tftp_pxe_path(&f->cfg, &f->hosts[H4]);
	assert_int_equal(unlink(h4path), 0);
	stray = unit_write(f->tftp, "pxelinux.cfg/01-52-54-00-99-99-99",
	    "default x\n");
	tmpf = unit_write(f->tftp, "pxelinux.cfg/01-52-54-00-00-00-01.tmp.1",
	    "partial");

	restart(f);

	/* h1: still armed with the same token, its fetch count kept */
	assert_int_equal(state_of(f, "h1"), HOST_INSTALLING);
	assert_non_null(text = pxe_read(f, H1));
	assert_non_null(strstr(text, t1));
	free(text);
	assert_int_equal(store_active_arming(f->st, "h1", &a), 0);
	assert_int_equal(a.attempts, 1);
	assert_int_equal(get_af(f, "h1", t1), ARM_OK);
	assert_int_equal(get_script(f, "h1", t1), ARM_OK);
	/* h2: done stays done, and its entry is back at local boot */
	assert_int_equal(state_of(f, "h2"), HOST_DONE);
	assert_true(pxe_is_local(f, H2));
	assert_int_equal(get_af(f, "h2", t2), ARM_GONE);
	evs = events_of(f, "h2", NULL);
	assert_non_null(strstr(evs, "reconcile: "));
	free(evs);
	/* h4: per-MAC file missing -> failed, local boot, token retired */
	assert_int_equal(state_of(f, "h4"), HOST_FAILED);
	assert_true(pxe_is_local(f, H4));
	util_sha256_hex(t4, hash);
	assert_int_equal(store_arming_by_hash(f->st, "h4", hash, &a), 0);
	assert_string_equal(a.reason, "per-MAC file missing or changed after "
	    "restart; re-arm the host");
	assert_int_equal(get_af(f, "h4", t4), ARM_GONE);
	/* a stranger's file is left alone, a stale temp file removed */
	assert_non_null(text = util_read_file(stray, 1024, NULL));
	assert_string_equal(text, "default x\n");
	free(text);
	assert_int_equal(access(tmpf, F_OK), -1);

	/* a second restart changes nothing */
	restart(f);
	assert_int_equal(state_of(f, "h1"), HOST_INSTALLING);
	assert_int_equal(get_af(f, "h1", t1), ARM_OK);
	assert_int_equal(arm_callback(f->arm, "h1", t1, 0), ARM_OK);
	assert_int_equal(state_of(f, "h1"), HOST_DONE);
	assert_true(pxe_is_local(f, H1));

	free(h2_install);
	free(h2path);
	free(h4path);
	free(stray);
	free(tmpf);
}

static void
restart_fails_an_arming_whose_file_was_changed(void **state)
{
	struct fix *f = *state;
	char t1[UTIL_TOKEN_LEN + 1], t4[UTIL_TOKEN_LEN + 1];
	char *h1path, *text;

	/* h1's file now carries h4's token: not the arming's token */
	arm_ok(f, H1, 0, t1);
	arm_ok(f, H4, 0, t4);
	h1path = tftp_pxe_path(&f->cfg, &f->hosts[H1]);
	assert_non_null(text = pxe_read(f, H4));
	assert_int_equal(util_write_atomic(h1path, text, strlen(text), 0644),
	    0);
	free(text);

	restart(f);
	assert_int_equal(state_of(f, "h1"), HOST_FAILED);
	assert_true(pxe_is_local(f, H1));
	assert_int_equal(get_af(f, "h1", t1), ARM_GONE);
	assert_int_equal(state_of(f, "h4"), HOST_ARMED);
	assert_int_equal(get_af(f, "h4", t4), ARM_OK);
	free(h1path);
}

static void
logs_and_events_never_show_the_token(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], t2[UTIL_TOKEN_LEN + 1], msg[512];
	char *logpath = path2(f->tmp, "log"), *log, *evs;
	int fd, saved;

	/* everything a host's lifecycle logs, at the most verbose level */
	log_set_verbosity(PB_LOG_DEBUG);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);

	arm_ok(f, H1, 0, token);
	arm_ok(f, H1, 0, t2);			/* re-arm */
	assert_int_equal(get_af(f, "h1", token), ARM_GONE);
	assert_int_equal(get_af(f, "h1", t2), ARM_OK);
	assert_int_equal(get_script(f, "h1", t2), ARM_OK);
	assert_int_equal(arm_callback(f->arm, "h1", t2, 0), ARM_OK);
	assert_int_equal(get_af(f, "h1", t2), ARM_GONE);
	arm_ok(f, H1, 0, token);
	assert_int_equal(arm_disarm(f->arm, "h1", msg, sizeof(msg)), ARM_OK);

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_set_verbosity(PB_LOG_WARN);

	assert_non_null(log = util_read_file(logpath, 1 << 20, NULL));
	assert_non_null(strstr(log, "arm: pool p1: host h1: armed for"));
	assert_non_null(strstr(log, "re-armed"));
	assert_non_null(strstr(log, "install done"));
	assert_null(strstr(log, token));
	assert_null(strstr(log, t2));
	evs = events_of(f, "h1", "p1");
	assert_null(strstr(evs, token));
	assert_null(strstr(evs, t2));
	free(evs);
	free(log);
	free(logpath);
}

/* What hostcert_save leaves for an arming (without the RSA key: making
 * one takes half a minute under valgrind; the integration tests make real
 * ones): a stand-in "key" and the pin bound to token's hash. */
#define FAKE_PIN	"ab01ab01ab01ab01ab01ab01ab01ab01" \
			"ab01ab01ab01ab01ab01ab01ab01ab01"

static char *
fake_hostcert(struct fix *f, const char *host, const char *token)
{
	char hash[65], *dir, *name, *pin, *pem;

	util_sha256_hex(token, hash);
	dir = path2(f->state, "hostcert");
	assert_int_equal(util_mkdirs(dir, 0700), 0);
	assert_true(asprintf(&name, "%s.pem", host) > 0);
	pem = unit_write(dir, name, "-----BEGIN PRIVATE KEY-----\nk\n"
	    "-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nc\n"
	    "-----END CERTIFICATE-----\n");
	free(name);
	assert_true(asprintf(&name, "%s.pin", host) > 0);
	assert_true(asprintf(&pin, "%s %s\n", hash, FAKE_PIN) > 0);
	free(unit_write(dir, name, pin));
	free(pin);
	free(name);
	free(dir);
	return pem;
}

/* A host poolboot joins to a pool gets its XAPI key and certificate once:
 * the answerfile carries the filesystem-populated script, the key is
 * handed out to the token's first request and is then gone (410), the pin
 * stays for the job; an arming without one has no such URL (404), a new
 * ordinary arming forgets an earlier certificate, and the end of the
 * install wipes a key nobody fetched. */
static void
host_certificate_is_handed_out_once(void **state)
{
	struct fix *f = *state;
	char token[UTIL_TOKEN_LEN + 1], msg[512], err[512], pin[65];
	char *body = NULL, *pem = NULL, *want, *keyfile;
	size_t len = 0, plen = 0;
	struct stat sb;

	arm_ok(f, H2, 1, token);
	/* an ordinary arming has no certificate */
	assert_int_equal(arm_get_hostcert(f->arm, "h2", token, &pem, &plen),
	    ARM_NOT_FOUND);
	assert_int_equal(arm_get_hostcert_script(f->arm, "h2", token, &body,
	    &len), ARM_NOT_FOUND);
	assert_int_equal(hostcert_pin(&f->cfg, "h2", pin, err, sizeof(err)),
	    1);
	keyfile = fake_hostcert(f, "h2", token);
	assert_int_equal(arm_get_answerfile(f->arm, "h2", token, &body, &len),
	    ARM_OK);
	assert_true(asprintf(&want, "<script stage=\"filesystem-populated\" "
	    "type=\"url\">%s/hosts/h2/%s/hostcert-script</script>", PUBLIC_URL,
	    token) > 0);
	assert_non_null(strstr(body, want));
	free(want);
	assert_null(strstr(body, "PRIVATE KEY"));
	free(body);
	/* the script: any number of times, no secret in it */
	assert_int_equal(arm_get_hostcert_script(f->arm, "h2", token, &body,
	    &len), ARM_OK);
	assert_true(strncmp(body, "#!/bin/sh", 9) == 0);
	assert_null(strstr(body, "PRIVATE KEY-----\n"));
	free(body);
	/* a wrong token learns nothing */
	assert_int_equal(arm_get_hostcert(f->arm, "h2", "0123456789", &pem,
	    &plen), ARM_FORBIDDEN);
	assert_null(pem);
	/* the first request gets it, and the key file is gone */
	assert_int_equal(arm_get_hostcert(f->arm, "h2", token, &pem, &plen),
	    ARM_OK);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
	util_wipe(pem, plen);
	free(pem);
	pem = NULL;
	assert_int_equal(stat(keyfile, &sb), -1);
	assert_int_equal(arm_get_hostcert(f->arm, "h2", token, &pem, &plen),
	    ARM_GONE);
	assert_null(pem);
	/* the pin stays for the job */
	assert_int_equal(hostcert_pin(&f->cfg, "h2", pin, err, sizeof(err)),
	    0);
	assert_string_equal(pin, FAKE_PIN);

	/* a new ordinary arming: the old certificate is forgotten */
	arm_ok(f, H2, 1, token);
	assert_int_equal(hostcert_pin(&f->cfg, "h2", pin, err, sizeof(err)),
	    1);
	assert_int_equal(arm_get_answerfile(f->arm, "h2", token, &body, &len),
	    ARM_OK);
	assert_null(strstr(body, "filesystem-populated\" type"));
	free(body);

	/* the install ends before the key was fetched: the key is wiped */
	free(fake_hostcert(f, "h2", token));
	assert_int_equal(stat(keyfile, &sb), 0);
	assert_int_equal(arm_callback(f->arm, "h2", token, 0), ARM_OK);
	assert_int_equal(stat(keyfile, &sb), -1);
	assert_int_equal(hostcert_pin(&f->cfg, "h2", pin, err, sizeof(err)),
	    0);
	/* an upgrade never carries one (refused before any key is made) */
	assert_int_equal(arm_host_for(f->arm, "h1", MODE_UPGRADE, "x", 1, 1,
	    token, msg, sizeof(msg)), ARM_CONFLICT);
	assert_non_null(strstr(msg, "fresh install or reinstall"));
	free(keyfile);
}

/* bios: pxelinux's file boots the installer, GRUB's boots locally;
 * uefi: the other way round; auto: both, with the same token. The
 * callback and disarm send both back to local boot. */
static void
firmware_decides_which_file_boots_the_installer(void **state)
{
	struct fix *f = *state;
	char t1[UTIL_TOKEN_LEN + 1], t4[UTIL_TOKEN_LEN + 1];
	char msg[256];

	f->hosts[H1].firmware = HOST_FIRMWARE_UEFI;
	f->hosts[H4].firmware = HOST_FIRMWARE_BIOS;
	arm_ok(f, H1, 0, t1);
	arm_ok(f, H4, 0, t4);
	assert_true(carries(f, H1, 1, t1));
	assert_true(pxe_is_local(f, H1));
	assert_true(carries(f, H4, 0, t4));
	assert_true(grub_is_local(f, H4));
	assert_int_equal(get_af(f, "h1", t1), ARM_OK);

	assert_int_equal(arm_callback(f->arm, "h1", t1, 0), ARM_OK);
	assert_true(pxe_is_local(f, H1));
	assert_true(grub_is_local(f, H1));
	assert_int_equal(arm_callback(f->arm, "h4", t4, 1), ARM_OK);
	assert_true(pxe_is_local(f, H4));
	assert_true(grub_is_local(f, H4));

	/* auto (the default): both files, one token */
	f->hosts[H1].firmware = HOST_FIRMWARE_AUTO;
	arm_ok(f, H1, 0, t1);
	assert_true(carries(f, H1, 0, t1));
	assert_true(carries(f, H1, 1, t1));
	assert_int_equal(arm_disarm(f->arm, "h1", msg, sizeof(msg)), ARM_OK);
	assert_true(pxe_is_local(f, H1));
	assert_true(grub_is_local(f, H1));
	assert_int_equal(get_af(f, "h1", t1), ARM_GONE);

	/* the loop guard: both files too */
	arm_ok(f, H1, 0, t1);
	while (get_af(f, "h1", t1) == ARM_OK)
		;
	assert_true(pxe_is_local(f, H1));
	assert_true(grub_is_local(f, H1));
	assert_int_equal(state_of(f, "h1"), HOST_FAILED);
}

/* The start-up check asks only the files the host's firmware boots
 * through; a file it does not use is put back to local boot. */
static void
restart_checks_the_files_of_the_firmware(void **state)
{
	struct fix *f = *state;
	char t1[UTIL_TOKEN_LEN + 1], t4[UTIL_TOKEN_LEN + 1];
	char t3[UTIL_TOKEN_LEN + 1], err[256];
	char *p, *text;

	f->hosts[H1].firmware = HOST_FIRMWARE_UEFI;
	f->hosts[H4].firmware = HOST_FIRMWARE_BIOS;
	arm_ok(f, H1, 0, t1);
	arm_ok(f, H4, 0, t4);
	/* files the firmware does not use: gone, or (h4) an install entry
	 * left by an earlier firmware = auto arming with the same token */
	assert_non_null(p = tftp_pxe_path(&f->cfg, &f->hosts[H1]));
	assert_int_equal(unlink(p), 0);
	free(p);
	assert_non_null(text = render_grub_install(&f->cfg, &f->hosts[H4], t4,
	    err, sizeof(err)));
	assert_non_null(p = tftp_grub_path(&f->cfg, &f->hosts[H4]));
	assert_int_equal(util_write_atomic(p, text, strlen(text), 0644), 0);
	free(p);
	free(text);

	restart(f);
	assert_int_equal(state_of(f, "h1"), HOST_ARMED);
	assert_true(carries(f, H1, 1, t1));
	assert_null(text = pxe_read(f, H1));
	assert_int_equal(state_of(f, "h4"), HOST_ARMED);
	assert_true(carries(f, H4, 0, t4));
	assert_true(grub_is_local(f, H4));
	assert_int_equal(get_af(f, "h4", t4), ARM_OK);

	/* h1 becomes auto while poolboot is down: its pxelinux file has no
	 * token, so the arming failed and both files boot locally */
	f->hosts[H1].firmware = HOST_FIRMWARE_AUTO;
	restart(f);
	assert_int_equal(state_of(f, "h1"), HOST_FAILED);
	assert_true(pxe_is_local(f, H1));
	assert_true(grub_is_local(f, H1));
	assert_int_equal(get_af(f, "h1", t1), ARM_GONE);

	/* a crash between the two writes of an auto arming: GRUB's file
	 * has the token, pxelinux's is an old local entry */
	f->hosts[H1].firmware = HOST_FIRMWARE_AUTO;
	arm_ok(f, H1, 0, t1);
	assert_non_null(text = render_pxelinux_local(&f->cfg, err,
	    sizeof(err)));
	assert_non_null(p = tftp_pxe_path(&f->cfg, &f->hosts[H1]));
	assert_int_equal(util_write_atomic(p, text, strlen(text), 0644), 0);
	free(p);
	free(text);
	restart(f);
	assert_int_equal(state_of(f, "h1"), HOST_FAILED);
	assert_true(grub_is_local(f, H1));

	/* a GRUB file of a host that is not armed (a crash after the
	 * callback's store write): rewritten to local boot */
	arm_ok(f, H1, 0, t3);
	assert_non_null(text = grub_read(f, H1));
	assert_int_equal(arm_callback(f->arm, "h1", t3, 0), ARM_OK);
	assert_non_null(p = tftp_grub_path(&f->cfg, &f->hosts[H1]));
	assert_int_equal(util_write_atomic(p, text, strlen(text), 0644), 0);
	free(p);
	free(text);
	restart(f);
	assert_int_equal(state_of(f, "h1"), HOST_DONE);
	assert_true(grub_is_local(f, H1));
	assert_true(pxe_is_local(f, H1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    startup_writes_default_local_boot_and_repo_link, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    arm_writes_per_mac_install_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    answerfile_and_script_need_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(fresh_install_needs_wipe,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(render_failure_arms_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    callback_success_goes_local_for_good, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    callback_failure_goes_local_and_marks_failed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(loop_guard_stops_a_boot_loop,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    lookup_before_the_lock_is_redone_after_a_change, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    disarm_and_rearm_retire_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    mode_changed_after_arming_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    restart_keeps_armed_and_finished_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    restart_fails_an_arming_whose_file_was_changed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    logs_and_events_never_show_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    host_certificate_is_handed_out_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    firmware_decides_which_file_boots_the_installer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    restart_checks_the_files_of_the_firmware, setup, teardown),
	};

	log_set_verbosity(PB_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
