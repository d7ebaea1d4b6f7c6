/* coord.c — the rolling-upgrade coordinator; see coord.h.
 *
 * One runner per pool, each with its own thread and XAPI session while a
 * run is active. The runner's loop reads the run and its hosts from the
 * store, finds the first host that is not finished, and performs that
 * host's current step. A step either succeeds (the next step is written to
 * the store *before* it is acted on), asks to wait (poll again later, or
 * earlier when an installer calls back), or fails (the run halts with the
 * reason). Every step is written so that doing it again after a crash is
 * harmless: disable and enable are idempotent, evacuating an empty host
 * succeeds, re-arming before the reboot only replaces the token, a reboot
 * is only issued while XAPI shows the host up on its old boot_time, and the
 * install and rejoin steps only observe.
 */
#include "coord.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "pool.h"
#include "render.h"
#include "util.h"
#include "xapi.h"

/* ---- names and transitions ----------------------------------------------- */

enum coord_step
coord_step_next(enum coord_step s)
{
	switch (s) {
	case STEP_PENDING:	return STEP_DISABLE;
	case STEP_DISABLE:	return STEP_EVACUATE;
	case STEP_EVACUATE:	return STEP_ARM;
	case STEP_ARM:		return STEP_REBOOT;
	case STEP_REBOOT:	return STEP_INSTALL;
	case STEP_INSTALL:	return STEP_REJOIN;
	case STEP_REJOIN:	return STEP_ENABLE;
	case STEP_ENABLE:	return STEP_DONE;
	case STEP_DONE:		return STEP_DONE;
	case STEP_SKIPPED:	return STEP_SKIPPED;
	default:		return STEP_DONE;
	}
}

enum coord_step
coord_step_retry(enum coord_step s)
{
	/* the installer failed or never called back: its arming is spent,
	 * so the host needs a new one and a new boot */
	if (s == STEP_INSTALL)
		return STEP_ARM;
	return s;
}

int
coord_step_offline(enum coord_step s)
{
	return s >= STEP_DISABLE && s <= STEP_ENABLE;
}

/* ---- versions and upgrade-path rules ------------------------------------- */

int
coord_version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		char *ea, *eb;
		unsigned long na, nb;

		na = isdigit((unsigned char)*a) ? strtoul(a, &ea, 10) : 0;
		if (!isdigit((unsigned char)*a))
			ea = (char *)(uintptr_t)a;
		nb = isdigit((unsigned char)*b) ? strtoul(b, &eb, 10) : 0;
		if (!isdigit((unsigned char)*b))
			eb = (char *)(uintptr_t)b;
		if (na != nb)
			return na < nb ? -1 : 1;
		/* non-numeric rest of a part: compare as text */
		while (*ea != '\0' && *ea != '.' && *eb != '\0' && *eb != '.') {
			if (*ea != *eb)
				return (unsigned char)*ea < (unsigned char)*eb ?
				    -1 : 1;
			ea++;
			eb++;
		}
		if (*ea != '\0' && *ea != '.')
			return 1;
		if (*eb != '\0' && *eb != '.')
			return -1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
	}
	return 0;
}

/* "7.0.*" matches 7.0 and 7.0.x...; "7.1.1" matches 7.1.1 (and 7.1.1.0). */
static int
pattern_match_one(const char *pat, const char *v)
{
	size_t pl = strlen(pat);

	if (pl >= 2 && strcmp(pat + pl - 2, ".*") == 0) {
		char base[64];

		if (pl - 2 >= sizeof(base))
			return 0;
		memcpy(base, pat, pl - 2);
		base[pl - 2] = '\0';
		if (strncmp(v, base, pl - 2) == 0 &&
		    (v[pl - 2] == '\0' || v[pl - 2] == '.'))
			return 1;
		return 0;
	}
	if (strcmp(pat, "*") == 0)
		return 1;
	return coord_version_cmp(pat, v) == 0;
}

/* A single pattern, or A..B (v >= A and (v <= B or v matches B)). */
static int
pattern_match(const char *pat, const char *v)
{
	const char *dots = strstr(pat, "..");
	char lo[64], hi[64];
	size_t ll;

	if (dots == NULL)
		return pattern_match_one(pat, v);
	ll = (size_t)(dots - pat);
	if (ll >= sizeof(lo) || strlen(dots + 2) >= sizeof(hi))
		return 0;
	memcpy(lo, pat, ll);
	lo[ll] = '\0';
	snprintf(hi, sizeof(hi), "%s", dots + 2);
	if (!pattern_match_one(lo, v)) {
		char base[64];
		size_t bl = strlen(lo);

		snprintf(base, sizeof(base), "%s", lo);
		if (bl >= 2 && strcmp(base + bl - 2, ".*") == 0)
			base[bl - 2] = '\0';
		if (coord_version_cmp(v, base) < 0)
			return 0;
	}
	if (pattern_match_one(hi, v))
		return 1;
	{
		char base[64];
		size_t hl = strlen(hi);

		snprintf(base, sizeof(base), "%s", hi);
		if (hl >= 2 && strcmp(base + hl - 2, ".*") == 0)
			return 0;	/* above a wildcard's prefix: no */
		return coord_version_cmp(v, base) <= 0;
	}
}

struct rule {
	int	 allow;
	char	 from[64];
	char	 to[64];
	char	 advice[256];
	int	 line;
};

struct upgrade_rules {
	char	*path;
	struct rule *v;
	size_t	 n;
};

static int
valid_pattern(const char *p)
{
	size_t i;

	if (*p == '\0')
		return 0;
	for (i = 0; p[i] != '\0'; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '.' && p[i] != '*' &&
		    p[i] != '-' && p[i] != '_')
			return 0;
	return 1;
}

int
coord_rules_load(const char *path, struct upgrade_rules **out,
    struct strlist *errors)
{
	struct upgrade_rules *r = NULL;
	char line[1024];
	FILE *f = NULL;
	int lineno = 0, bad = 0, ret = -1;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errors != NULL)
			strlist_addf(errors, "%s: cannot open the upgrade-path "
			    "rules: %s", path, strerror(errno));
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->path = strdup(path)) ==
	    NULL)
		goto out;
	while (fgets(line, sizeof(line), f) != NULL) {
		char verb[16], from[64], arrow[8], to[64];
		const char *colon;
		struct rule *nv, *ru;
		int n;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		{
			char *p = line;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '\0' || *p == '#')
				continue;
		}
		colon = strchr(line, ':');
		n = sscanf(line, "%15s %63s %7s %63s", verb, from, arrow, to);
		if (n != 4 || strcmp(arrow, "->") != 0 ||
		    (strcmp(verb, "allow") != 0 && strcmp(verb, "deny") != 0) ||
		    !valid_pattern(from) || !valid_pattern(to)) {
			if (errors != NULL)
				strlist_addf(errors, "%s:%d: expected 'allow FROM "
				    "-> TO' or 'deny FROM -> TO : advice'", path,
				    lineno);
			bad = 1;
			continue;
		}
		if ((nv = realloc(r->v, (r->n + 1) * sizeof(*nv))) == NULL)
			goto out;
		r->v = nv;
		ru = &r->v[r->n++];
		memset(ru, 0, sizeof(*ru));
		ru->allow = strcmp(verb, "allow") == 0;
		snprintf(ru->from, sizeof(ru->from), "%s", from);
		snprintf(ru->to, sizeof(ru->to), "%s", to);
		if (colon != NULL) {
			colon++;
			while (*colon == ' ')
				colon++;
			snprintf(ru->advice, sizeof(ru->advice), "%s", colon);
		}
		ru->line = lineno;
	}
	if (bad)
		goto out;
	*out = r;
	r = NULL;
	ret = 0;
out:
	if (f != NULL)
		fclose(f);
	coord_rules_free(r);
	return ret;
}

void
coord_rules_free(struct upgrade_rules *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r->path);
	free(r);
}

int
coord_rules_allow(const struct upgrade_rules *r, const char *from,
    const char *to, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct rule *ru = &r->v[i];

		if (!pattern_match(ru->from, from) || !pattern_match(ru->to, to))
			continue;
		if (ru->allow) {
			snprintf(why, whylen, "%s -> %s allowed by %s:%d", from, to,
			    r->path, ru->line);
			return 1;
		}
		snprintf(why, whylen, "%s -> %s is refused by %s:%d%s%s", from,
		    to, r->path, ru->line, ru->advice[0] ? ": " : "",
		    ru->advice);
		return 0;
	}
	snprintf(why, whylen, "no upgrade path from %s to %s in %s; if the "
	    "vendor supports it, add 'allow %s -> %s' there", from, to, r->path,
	    from, to);
	return 0;
}

/* ---- runners --------------------------------------------------------------- */

struct runner {
	struct coord	*c;
	const struct pool *pool;
	pthread_t	 th;
	int		 thread_live;	/* joinable thread exists */
	int		 running;	/* loop active */
	int		 stop;		/* server shutting down */
	int		 abort_req;
	int64_t		 run_id;
	char		*ev_token;	/* event.from token (runner thread only) */
	char		 ref_host[64];	/* host whose XAPI ref is cached */
	char		 ref[128];	/* (runner thread only) */
};

struct coord {
	const struct config *cfg;
	struct store	*st;
	struct arm	*arm;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned	 generation;	/* bumped by coord_notify */
	struct runner	*runners;	/* one per cfg->pools[] */
};

static struct runner *
runner_for(struct coord *c, const char *pool)
{
	size_t i;

	for (i = 0; i < c->cfg->npools; i++)
		if (strcmp(c->cfg->pools[i].name, pool) == 0)
			return &c->runners[i];
	return NULL;
}

void
coord_notify(struct coord *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->generation++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

/* Sleeps up to ms, returning early on coord_notify, stop or abort. */
static void
runner_wait(struct runner *r, int ms)
{
	struct coord *c = r->c;
	struct timespec ts;
	unsigned gen;

	util_deadline_ms(&ts, ms);
	pthread_mutex_lock(&c->mu);
	gen = c->generation;
	while (!r->stop && !r->abort_req && gen == c->generation)
		if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&c->mu);
}

static void
ev(struct coord *c, const struct pool *p, const char *host, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
ev(struct coord *c, const struct pool *p, const char *host, const char *fmt,
    ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(c->st, host, p->name, "upgrade", "%s", msg);
	log_ctx(PB_LOG_INFO, "coord", p->name, host, "%s", msg);
}

/* ---- prechecks --------------------------------------------------------------- */

struct check_list {
	json_t	*checks;
	int	 failed;
};

static void
check_add(struct check_list *cl, const char *name, int ok, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
check_add(struct check_list *cl, const char *name, int ok, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(cl->checks, json_pack("{s:s, s:b, s:s}", "check",
	    name, "ok", ok, "message", msg));
	if (!ok)
		cl->failed++;
}

static int
cmp_name(const void *a, const void *b)
{
	const struct pool_host *const *ha = a, *const *hb = b;

	return strcmp((*ha)->name, (*hb)->name);
}

/*
 * Runs every precheck against a fresh snapshot; builds the plan (master
 * first, then members by name) into *plan (array of {host, role, version,
 * action}). Nothing changes. Returns 0 when XAPI answered (the checks say
 * whether they passed), -1 when XAPI could not be asked (err says why).
 */
static int
precheck_run(struct coord *c, const struct pool *p, struct xapi *x,
    int disable_ha, struct check_list *cl, json_t *plan, char *err,
    size_t errlen)
{
	const struct repo *repo = p->repo;
	struct upgrade_rules *rules = NULL;
	struct strlist rerr = { 0 };
	struct pool_snapshot s;
	struct xapi_error xe;
	const struct pool_host **order = NULL;
	char why[512];
	char *from_version = NULL;
	size_t i, j, n = 0, nupgrade = 0;
	int ret = -1;

	memset(&xe, 0, sizeof(xe));
	if (pool_snapshot_take(x, &s, 1, &xe) == -1) {
		snprintf(err, errlen, "cannot read the pool from XAPI at %s: %s",
		    xapi_url(x), xapi_strerror(&xe));
		return -1;
	}
	if (repo == NULL) {
		check_add(cl, "repo", 0, "pool %s has no repo: set repo = NAME in "
		    "[pool %s]", p->name, p->name);
		ret = 0;
		goto out;
	}

	/* inventory <-> XAPI */
	{
		int ok = 1;
		struct sbuf b = { .max = 4096 };

		for (i = 0; i < s.nhosts; i++) {
			const struct host *h = config_host(c->cfg, s.hosts[i].name);

			if (h == NULL || h->pool != p) {
				ok = 0;
				sbuf_printf(&b, "%sXAPI host '%s' is not in the "
				    "inventory as a member of pool %s (add [host "
				    "%s] with pool = %s, mac and disk)",
				    b.len ? "; " : "", s.hosts[i].name, p->name,
				    s.hosts[i].name, p->name);
			}
		}
		for (i = 0; i < c->cfg->nhosts; i++) {
			const struct host *h = &c->cfg->hosts[i];

			if (h->pool == p && pool_snapshot_host(&s, h->name) == NULL) {
				ok = 0;
				sbuf_printf(&b, "%sinventory host '%s' (line %d) is "
				    "not in the XAPI pool (its name_label must "
				    "match)", b.len ? "; " : "", h->name, h->line);
			}
			if (h->pool == p && h->mode != MODE_UPGRADE) {
				ok = 0;
				sbuf_printf(&b, "%sinventory host '%s' is in mode "
				    "%s; a rolling upgrade only serves mode "
				    "upgrade (set mode = upgrade or remove it)",
				    b.len ? "; " : "", h->name,
				    config_mode_name(h->mode));
			}
		}
		check_add(cl, "inventory", ok, "%s", ok ? "every pool host has "
		    "a MAC and a disk in the inventory" : b.p);
		sbuf_free(&b);
	}

	/* live and enabled */
	{
		struct sbuf b = { .max = 4096 };
		int ok = 1;

		for (i = 0; i < s.nhosts; i++) {
			if (!s.hosts[i].live) {
				ok = 0;
				sbuf_printf(&b, "%s%s is not live (power it on "
				    "or fix it before upgrading)", b.len ? "; " :
				    "", s.hosts[i].name);
			} else if (!s.hosts[i].enabled) {
				ok = 0;
				sbuf_printf(&b, "%s%s is disabled (maintenance "
				    "mode?): enable it with xe host-enable", b.len
				    ? "; " : "", s.hosts[i].name);
			}
		}
		check_add(cl, "hosts live and enabled", ok, "%s", ok ?
		    "every host is live and enabled" : b.p);
		sbuf_free(&b);
	}

	/* HA and WLB */
	if (s.ha_enabled && !disable_ha)
		check_add(cl, "HA", 0, "HA is enabled on pool %s: disable it "
		    "(xe pool-ha-disable) or pass --disable-ha to have poolboot "
		    "turn it off now and back on at the end", p->name);
	else
		check_add(cl, "HA", 1, "%s", s.ha_enabled ? "HA is on; poolboot "
		    "will turn it off and restore it at the end" : "HA is off");
	if (s.wlb_enabled && !disable_ha)
		check_add(cl, "WLB", 0, "WLB is enabled on pool %s: disable it or "
		    "pass --disable-ha to have poolboot turn it off and back on",
		    p->name);
	else
		check_add(cl, "WLB", 1, "%s", s.wlb_enabled ? "WLB is on; "
		    "poolboot will turn it off and restore it" : "WLB is off");

	/* CDs */
	{
		struct sbuf b = { .max = 4096 };
		int ok = 1;

		for (i = 0; i < s.nvms; i++)
			if (s.vms[i].cd_inserted && !s.vms[i].control) {
				ok = 0;
				sbuf_printf(&b, "%s%s", b.len ? ", " : "",
				    s.vms[i].name);
			}
		if (ok)
			check_add(cl, "CD drives", 1, "no VM has a CD inserted");
		else
			check_add(cl, "CD drives", 0, "VMs with a CD in their drive "
			    "cannot be migrated: eject it from %s (xe vm-cd-eject)",
			    b.p);
		sbuf_free(&b);
	}

	/* VMs that prevent evacuation */
	{
		struct sbuf b = { .max = 4096 };
		int ok = 1;

		for (i = 0; i < s.nhosts; i++) {
			struct xr_value *res = NULL;

			if (xapi_call_s(x, "host.get_vms_which_prevent_evacuation",
			    &res, &xe, s.hosts[i].ref, NULL, NULL) == -1) {
				ok = 0;
				sbuf_printf(&b, "%s%s: cannot ask XAPI: %s", b.len ?
				    "; " : "", s.hosts[i].name,
				    xapi_strerror(&xe));
				continue;
			}
			if (res != NULL && res->type == XR_STRUCT)
				for (j = 0; j < res->n; j++) {
					const char *vmname = res->keys[j];
					const struct xr_value *reason =
					    res->items[j];
					size_t k;

					for (k = 0; k < s.nvms; k++)
						if (strcmp(s.vms[k].ref,
						    res->keys[j]) == 0)
							vmname = s.vms[k].name;
					ok = 0;
					sbuf_printf(&b, "%s%s on %s (%s)", b.len ?
					    "; " : "", vmname, s.hosts[i].name,
					    reason != NULL && reason->type ==
					    XR_ARRAY && reason->n > 0 &&
					    xr_str(reason->items[0]) ?
					    xr_str(reason->items[0]) : "reason "
					    "not given");
				}
			xr_free(res);
		}
		if (ok)
			check_add(cl, "evacuation", 1, "no VM prevents evacuation");
		else
			check_add(cl, "evacuation", 0, "VMs that cannot be "
			    "migrated off their host: %s; shut them down, move "
			    "their local disks or fix the reason", b.p);
		sbuf_free(&b);
	}

	/* memory: when host H is upgraded, the others must hold H's VMs */
	{
		struct sbuf b = { .max = 4096 };
		int ok = 1;

		for (i = 0; i < s.nhosts; i++) {
			int64_t need = 0, avail = 0;

			for (j = 0; j < s.nvms; j++)
				if (s.vms[j].running && !s.vms[j].control &&
				    strcmp(s.vms[j].resident_on,
				    s.hosts[i].ref) == 0)
					need += s.vms[j].memory;
			for (j = 0; j < s.nhosts; j++)
				if (j != i)
					avail += s.hosts[j].mem_free;
			if (need > avail) {
				ok = 0;
				sbuf_printf(&b, "%s%s runs VMs needing %lld MiB "
				    "but the other hosts have %lld MiB free",
				    b.len ? "; " : "", s.hosts[i].name,
				    (long long)(need >> 20),
				    (long long)(avail >> 20));
			}
		}
		check_add(cl, "free memory", ok, "%s", ok ? "the other hosts can "
		    "hold every host's running VMs in turn (N-1)" : b.p);
		if (!ok)
			check_add(cl, "free memory (what to do)", 0, "shut down or "
			    "move some VMs so that N-1 hosts can hold them all");
		sbuf_free(&b);
	}

	/* versions */
	{
		struct sbuf b = { .max = 4096 };
		int same = 1;

		for (i = 0; i < s.nhosts; i++) {
			if (coord_version_cmp(s.hosts[i].version,
			    repo->product_version) == 0)
				continue;	/* already upgraded: skipped */
			if (from_version == NULL)
				from_version = strdup(s.hosts[i].version);
			else if (coord_version_cmp(from_version,
			    s.hosts[i].version) != 0)
				same = 0;
		}
		for (i = 0; i < s.nhosts; i++)
			sbuf_printf(&b, "%s%s %s", i ? ", " : "", s.hosts[i].name,
			    s.hosts[i].version);
		if (same)
			check_add(cl, "same version", 1, "hosts: %s", b.p ? b.p :
			    "none");
		else
			check_add(cl, "same version", 0, "the hosts run different "
			    "versions (%s): bring them to one version (and the "
			    "same hotfixes) first", b.p);
		sbuf_free(&b);
		for (i = 0; i < s.nhosts; i++)
			if (coord_version_cmp(s.hosts[i].version,
			    repo->product_version) > 0)
				same = -1;
		if (same == -1)
			check_add(cl, "repo version", 0, "some hosts run a newer "
			    "version than repo %s (%s): a downgrade is not an "
			    "upgrade", repo->name, repo->product_version);
		else if (from_version == NULL)
			check_add(cl, "repo version", 1, "every host already runs "
			    "%s: nothing to upgrade", repo->product_version);
		else
			check_add(cl, "repo version", 1, "repo %s has %s, newer "
			    "than the hosts' %s", repo->name,
			    repo->product_version, from_version);
	}

	/* upgrade path */
	if (from_version != NULL) {
		if (coord_rules_load(c->cfg->upgrade_paths, &rules, &rerr) == -1)
			check_add(cl, "upgrade path", 0, "%s", rerr.n ? rerr.v[0] :
			    "cannot load the upgrade-path rules");
		else
			check_add(cl, "upgrade path", coord_rules_allow(rules,
			    from_version, repo->product_version, why,
			    sizeof(why)), "%s", why);
	}

	/* boot files */
	{
		const char *loader = c->cfg->boot_files == BOOT_FILES_HTTP ?
		    "lpxelinux.0" : "pxelinux.0";
		const char *need[] = { loader, "ldlinux.c32", "mboot.c32",
		    "libcom32.c32" };
		struct sbuf b = { .max = 2048 };
		char path[4096];

		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", c->cfg->tftp_root,
			    need[i]);
			if (access(path, R_OK) == -1)
				sbuf_printf(&b, "%s%s", b.len ? ", " : "", need[i]);
		}
		if (b.len == 0)
			check_add(cl, "boot files", 1, "tftp-root %s has %s, "
			    "ldlinux.c32, mboot.c32 and libcom32.c32",
			    c->cfg->tftp_root, loader);
		else
			check_add(cl, "boot files", 0, "tftp-root %s lacks %s: "
			    "copy them from the syslinux packages "
			    "(/usr/lib/PXELINUX/, /usr/lib/syslinux/modules/bios/)",
			    c->cfg->tftp_root, b.p);
		sbuf_free(&b);
	}

	/* plan: master first, then members by name */
	if ((order = calloc(s.nhosts + 1, sizeof(*order))) == NULL)
		goto out;
	for (i = 0; i < s.nhosts; i++)
		if (s.hosts[i].is_master)
			order[n++] = &s.hosts[i];
	for (i = 0; i < s.nhosts; i++)
		if (!s.hosts[i].is_master)
			order[n++] = &s.hosts[i];
	if (n > 1)
		qsort(order + 1, n - 1, sizeof(*order), cmp_name);
	for (i = 0; i < n; i++) {
		int skip = coord_version_cmp(order[i]->version,
		    repo->product_version) == 0;

		if (!skip)
			nupgrade++;
		json_array_append_new(plan, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "host", order[i]->name, "role", order[i]->is_master ?
		    "master" : "member", "version", order[i]->version,
		    "target", repo->product_version, "action", skip ? "skip "
		    "(already on the target version)" : "upgrade"));
	}
	if (s.nhosts == 0)
		check_add(cl, "hosts", 0, "XAPI lists no hosts in this pool");
	(void)nupgrade;
	ret = 0;
out:
	free(order);
	free(from_version);
	coord_rules_free(rules);
	strlist_free(&rerr);
	pool_snapshot_free(&s);
	return ret;
}

static char *
json_take(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(j);
	return s;
}

static char *
json_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
json_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_take(json_pack("{s:s}", "error", msg));
}

/* precheck + plan as one JSON document; *ok_out = all passed. */
static int
precheck_json(struct coord *c, const struct pool *p, int disable_ha,
    json_t **out, int *ok_out)
{
	struct check_list cl = { 0 };
	struct xapi *x;
	json_t *plan;
	char err[1024];
	int rc;

	*out = NULL;
	*ok_out = 0;
	if ((x = pool_xapi(p, err, sizeof(err))) == NULL) {
		*out = json_pack("{s:s}", "error", err);
		return 500;
	}
	cl.checks = json_array();
	plan = json_array();
	rc = precheck_run(c, p, x, disable_ha, &cl, plan, err, sizeof(err));
	xapi_free(x);
	if (rc == -1) {
		json_decref(cl.checks);
		json_decref(plan);
		*out = json_pack("{s:s}", "error", err);
		return 502;
	}
	*ok_out = cl.failed == 0;
	*out = json_pack("{s:s, s:b, s:s?, s:o, s:o}", "pool", p->name, "ok",
	    cl.failed == 0, "target_version", p->repo ?
	    p->repo->product_version : NULL, "checks", cl.checks, "plan", plan);
	return 200;
}

int
coord_precheck(struct coord *c, const char *pool, char **json)
{
	const struct pool *p = config_pool(c->cfg, pool);
	json_t *j;
	int ok, status;

	if (p == NULL) {
		*json = json_error("no pool '%s' in the configuration", pool);
		return 404;
	}
	status = precheck_json(c, p, 0, &j, &ok);
	*json = json_take(j);
	return status;
}

/* ---- the run loop ------------------------------------------------------------ */

enum step_result { SR_OK, SR_WAIT, SR_FAIL };

struct stepctx {
	struct runner	*r;
	const struct pool *p;
	struct xapi	*x;
	struct run	*run;
	struct run_host	*h;
	char		 why[512];
	int		 wait_ms;
	int		 skip;		/* host found on the target version */
	int		 dirty;		/* h changed while waiting */
	int		 all;		/* host_now reads the whole pool */
};

static int64_t
elapsed_ms(const struct run_host *h)
{
	return util_now_ms() - h->step_started_at;
}

static int
step_timeout_s(const struct pool *p, enum coord_step s)
{
	switch (s) {
	case STEP_EVACUATE:	return p->evacuate_timeout;
	case STEP_INSTALL:	return p->install_timeout;
	case STEP_REJOIN:	return p->rejoin_timeout;
	default:		return p->step_timeout;
	}
}

/* A XAPI error worth retrying: the master is down or busy, or the host is
 * still starting. Anything else fails the step. */
static int
xapi_transient(const struct xapi_error *e)
{
	static const char *codes[] = { "HOST_STILL_BOOTING",
	    "OTHER_OPERATION_IN_PROGRESS", "HOST_IS_SLAVE", "SESSION_INVALID",
	    "TOO_BUSY", "HOST_OFFLINE", "HOST_IN_EMERGENCY_MODE", NULL };
	size_t i;

	if (e->transport)
		return 1;
	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(e->code, codes[i]) == 0)
			return 1;
	return 0;
}

/* Retry a transient error with backoff until the step's timeout. */
static enum step_result
xapi_retry(struct stepctx *sc, const char *what, const struct xapi_error *e)
{
	enum coord_step s = STEP_PENDING;
	int tmo;

	(void)state_step_parse(sc->h->step, &s);
	tmo = step_timeout_s(sc->p, s);
	if (xapi_transient(e) && elapsed_ms(sc->h) < (int64_t)tmo * 1000) {
		int backoff = 250 << (sc->h->attempts < 5 ? sc->h->attempts : 5);

		if (backoff > 5000)
			backoff = 5000;
		if (backoff < sc->p->poll_ms)
			backoff = sc->p->poll_ms;
		sc->h->attempts++;
		sc->dirty = 1;
		log_debug("coord", "pool %s: host %s: %s: %s; retrying in %d ms",
		    sc->p->name, sc->h->host, what, xapi_strerror(e), backoff);
		sc->wait_ms = backoff;
		return SR_WAIT;
	}
	snprintf(sc->why, sizeof(sc->why), "%s: %s%s", what, xapi_strerror(e),
	    xapi_transient(e) ? " (gave up after the step timeout)" : "");
	return SR_FAIL;
}

/* Only sc's host, by the ref cached from an earlier snapshot: two small
 * calls (host.get_record, host_metrics.get_record) instead of every
 * host's records. -1 when there is no cached ref or a call fails. */
static int
host_one(struct stepctx *sc, struct pool_snapshot *s, struct xapi_error *e)
{
	memset(s, 0, sizeof(*s));
	if (strcmp(sc->r->ref_host, sc->h->host) != 0 || sc->r->ref[0] == '\0')
		return -1;
	return pool_snapshot_one(sc->x, sc->r->ref, s, e);
}

/* The host's ref and record: with all = 0 only that host (by its cached
 * ref), else, or when that fails, a fresh (light) snapshot of the pool. */
static int
host_now(struct stepctx *sc, struct pool_snapshot *s, const struct pool_host **out,
    struct xapi_error *e)
{
	memset(e, 0, sizeof(*e));
	if (!sc->all && host_one(sc, s, e) == 0 &&
	    (*out = pool_snapshot_host(s, sc->h->host)) != NULL)
		return 0;
	memset(e, 0, sizeof(*e));
	if (pool_snapshot_take(sc->x, s, 0, e) == -1)
		return -1;
	if ((*out = pool_snapshot_host(s, sc->h->host)) == NULL) {
		pool_snapshot_free(s);
		memset(e, 0, sizeof(*e));
		snprintf(e->code, sizeof(e->code), "HOST_NOT_IN_POOL");
		snprintf(e->message, sizeof(e->message), "host %s is no longer "
		    "in the XAPI pool", sc->h->host);
		return -1;
	}
	util_strlcpy(sc->r->ref_host, sizeof(sc->r->ref_host), sc->h->host);
	util_strlcpy(sc->r->ref, sizeof(sc->r->ref), (*out)->ref);
	return 0;
}

static enum step_result
do_simple_call(struct stepctx *sc, const char *method, const char *what)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	char ref[128];

	if (host_now(sc, &s, &xh, &e) == -1)
		return xapi_retry(sc, what, &e);
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&s);
	if (xapi_call_s(sc->x, method, NULL, &e, ref, NULL, NULL) == -1)
		return xapi_retry(sc, what, &e);
	return SR_OK;
}

static enum step_result
step_disable(struct stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	size_t i;
	int rc;

	/* never a second host down: every other host must be live now */
	sc->all = 1;
	rc = host_now(sc, &s, &xh, &e);
	sc->all = 0;
	if (rc == -1)
		return xapi_retry(sc, "reading the pool", &e);
	if (coord_version_cmp(xh->version, sc->run->target_version) == 0 &&
	    sc->h->boot_time_before[0] == '\0') {
		/* upgraded since the plan was made (by hand, or a run that
		 * was aborted after its install): nothing to do */
		pool_snapshot_free(&s);
		util_strlcpy(sc->h->old_version, sizeof(sc->h->old_version), xh->version);
		util_strlcpy(sc->h->new_version, sizeof(sc->h->new_version), xh->version);
		sc->skip = 1;
		return SR_OK;
	}
	for (i = 0; i < s.nhosts; i++)
		if (strcmp(s.hosts[i].name, sc->h->host) != 0 &&
		    !s.hosts[i].live) {
			snprintf(sc->why, sizeof(sc->why), "host %s is not live; "
			    "refusing to take %s down as well (never two hosts "
			    "of a pool offline)", s.hosts[i].name, sc->h->host);
			pool_snapshot_free(&s);
			return SR_FAIL;
		}
	if (!xh->live) {
		snprintf(sc->why, sizeof(sc->why), "host %s is not live",
		    sc->h->host);
		pool_snapshot_free(&s);
		return SR_FAIL;
	}
	util_strlcpy(sc->h->old_version, sizeof(sc->h->old_version), xh->version);
	pool_snapshot_free(&s);
	return do_simple_call(sc, "host.disable", "host.disable");
}

static enum step_result
step_evacuate(struct stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	struct xr_value *task = NULL;
	char ref[128];
	int64_t left;

	if (host_now(sc, &s, &xh, &e) == -1)
		return xapi_retry(sc, "reading the pool", &e);
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&s);
	memset(&e, 0, sizeof(e));
	if (xapi_call_s(sc->x, "Async.host.evacuate", &task, &e, ref, NULL,
	    NULL) == -1)
		return xapi_retry(sc, "Async.host.evacuate", &e);
	left = (int64_t)sc->p->evacuate_timeout * 1000 - elapsed_ms(sc->h);
	if (left < 1000)
		left = 1000;
	if (xapi_task_wait(sc->x, xr_str(task) ? xr_str(task) : "",
	    (int)(left / 1000), sc->p->poll_ms < 500 ? sc->p->poll_ms : 500,
	    NULL, &e) == -1) {
		xr_free(task);
		if (e.transport)
			return xapi_retry(sc, "evacuation", &e);
		snprintf(sc->why, sizeof(sc->why), "evacuation failed: %s; "
		    "migrate or shut down the VMs left on %s, then retry",
		    xapi_strerror(&e), sc->h->host);
		return SR_FAIL;
	}
	xr_free(task);
	return SR_OK;
}

static enum step_result
step_arm(struct stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	char token[UTIL_TOKEN_LEN + 1], msg[512];
	enum arm_status as;

	/* remember boot_time before the reboot: the rejoin step waits for
	 * XAPI to show a new one */
	if (host_now(sc, &s, &xh, &e) == -1)
		return xapi_retry(sc, "reading the pool", &e);
	if (xh->live && coord_version_cmp(xh->version,
	    sc->run->target_version) == 0) {
		/* already on the target: e.g. rebuilt with the new version
		 * after its upgrade failed (poolboot rebuild); never install
		 * the same version over it again */
		util_strlcpy(sc->h->new_version, sizeof(sc->h->new_version), xh->version);
		pool_snapshot_free(&s);
		sc->skip = 1;
		return SR_OK;
	}
	util_strlcpy(sc->h->boot_time_before, sizeof(sc->h->boot_time_before),
	    xh->boot_time);
	if (sc->h->old_version[0] == '\0')
		util_strlcpy(sc->h->old_version, sizeof(sc->h->old_version), xh->version);
	pool_snapshot_free(&s);
	if (store_run_host_update(sc->r->c->st, sc->h) == -1) {
		snprintf(sc->why, sizeof(sc->why), "cannot write the store");
		return SR_FAIL;
	}
	as = arm_host(sc->r->c->arm, sc->h->host, 0, token, msg, sizeof(msg));
	util_wipe(token, sizeof(token));
	if (as != ARM_OK) {
		snprintf(sc->why, sizeof(sc->why), "cannot arm: %.480s", msg);
		return SR_FAIL;
	}
	return SR_OK;
}

/*
 * Reboots the host into the installer, exactly once. The reboot is taken
 * as done only on evidence: the installer fetched the answerfile (the
 * arming left "armed"), or XAPI shows the host not live or with a new
 * boot_time. A transport error proves nothing (a dropped connection to the
 * master says nothing about a member): it is retried, and a repeated
 * host.reboot while the first is still in progress is refused by XAPI as
 * busy, which is retried too.
 */
static enum step_result
step_reboot(struct stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	struct host_status hs;
	char ref[128];

	if (store_host_status(sc->r->c->st, sc->h->host, &hs) == 0 &&
	    hs.state != HOST_ARMED)
		return SR_OK;
	if (host_now(sc, &s, &xh, &e) == -1)
		return xapi_retry(sc, "reading the pool before the reboot", &e);
	if (!xh->live || strcmp(xh->boot_time, sc->h->boot_time_before) != 0) {
		pool_snapshot_free(&s);
		return SR_OK;
	}
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&s);
	if (xapi_call_s(sc->x, "host.reboot", NULL, &e, ref, NULL, NULL) == -1)
		return xapi_retry(sc, "host.reboot", &e);
	return SR_OK;
}

static enum step_result
step_install(struct stepctx *sc)
{
	struct host_status hs;

	if (store_host_status(sc->r->c->st, sc->h->host, &hs) == -1) {
		snprintf(sc->why, sizeof(sc->why), "cannot read the store");
		return SR_FAIL;
	}
	if (hs.state == HOST_DONE)
		return SR_OK;
	if (hs.state == HOST_FAILED || hs.state == HOST_IDLE) {
		snprintf(sc->why, sizeof(sc->why), "the installer did not "
		    "succeed: %s", hs.last_event[0] ? hs.last_event :
		    "host disarmed");
		return SR_FAIL;
	}
	if (elapsed_ms(sc->h) > (int64_t)sc->p->install_timeout * 1000) {
		char msg[256];

		snprintf(sc->why, sizeof(sc->why), "no callback from the "
		    "installer within %d s (install_timeout); check the host's "
		    "console", sc->p->install_timeout);
		(void)arm_disarm(sc->r->c->arm, sc->h->host, msg, sizeof(msg));
		return SR_FAIL;
	}
	sc->wait_ms = sc->p->poll_ms;
	return SR_WAIT;
}

static enum step_result
step_rejoin(struct stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;

	if (host_now(sc, &s, &xh, &e) == -1) {
		/* the master is rebooting: the whole pool is unreachable */
		if (elapsed_ms(sc->h) > (int64_t)sc->p->rejoin_timeout * 1000) {
			snprintf(sc->why, sizeof(sc->why), "XAPI did not come "
			    "back within %d s (rejoin_timeout): %s",
			    sc->p->rejoin_timeout, xapi_strerror(&e));
			return SR_FAIL;
		}
		if (e.transport)
			xapi_reset(sc->x);
		sc->wait_ms = sc->p->poll_ms;
		return SR_WAIT;
	}
	if (xh->live && strcmp(xh->boot_time, "/") != 0 &&
	    strcmp(xh->boot_time, sc->h->boot_time_before) != 0) {
		if (coord_version_cmp(xh->version, sc->run->target_version) != 0) {
			snprintf(sc->why, sizeof(sc->why), "host came back on "
			    "version %s, not %s: the upgrade did not take effect",
			    xh->version, sc->run->target_version);
			pool_snapshot_free(&s);
			return SR_FAIL;
		}
		util_strlcpy(sc->h->new_version, sizeof(sc->h->new_version), xh->version);
		pool_snapshot_free(&s);
		return SR_OK;
	}
	pool_snapshot_free(&s);
	if (elapsed_ms(sc->h) > (int64_t)sc->p->rejoin_timeout * 1000) {
		snprintf(sc->why, sizeof(sc->why), "host did not come back live "
		    "on %s within %d s (rejoin_timeout)", sc->run->target_version,
		    sc->p->rejoin_timeout);
		return SR_FAIL;
	}
	/* XAPI is up but the host is not back yet: let XAPI tell us when a
	 * host or its metrics change (event.from) instead of polling; any
	 * error falls back to polling with a fresh token next time */
	{
		static const char *const classes[] = { "host", "host_metrics",
		    NULL };
		struct xr_value *evs = NULL;
		char *old;

		if (sc->r->ev_token == NULL && (sc->r->ev_token = strdup("")) ==
		    NULL)
			goto poll;
		old = sc->r->ev_token;
		if (xapi_event_from(sc->x, classes, &sc->r->ev_token, 5.0, &evs,
		    &e) == 0) {
			free(old);
			xr_free(evs);
			sc->wait_ms = -1;	/* look again at once */
			return SR_WAIT;
		}
		free(sc->r->ev_token);
		sc->r->ev_token = NULL;
		log_debug("coord", "pool %s: event.from: %s; polling",
		    sc->p->name, xapi_strerror(&e));
	}
poll:
	sc->wait_ms = sc->p->poll_ms;
	return SR_WAIT;
}

static enum step_result
step_enable(struct stepctx *sc)
{
	return do_simple_call(sc, "host.enable", "host.enable");
}

/* Appends "step=ms" for the step just finished. */
static void
record_step_time(struct run_host *h, enum coord_step s)
{
	size_t l = strlen(h->step_ms);

	snprintf(h->step_ms + l, sizeof(h->step_ms) - l, "%s%s=%lld",
	    l ? " " : "", state_step_name(s), (long long)elapsed_ms(h));
}

/* Turns HA/WLB off (when asked) at the start; 0/-1 with why. */
static int
run_ha_off(struct stepctx *sc)
{
	struct pool_snapshot s;
	struct xapi_error e;
	struct xr_value *arg = NULL;
	int ret = -1;

	if (pool_snapshot_take(sc->x, &s, 0, &e) == -1) {
		snprintf(sc->why, sizeof(sc->why), "reading the pool: %s",
		    xapi_strerror(&e));
		return -1;
	}
	if (s.wlb_enabled) {
		struct xr_value *args[2];

		args[0] = xr_string(s.pool_ref);
		args[1] = xr_bool(0);
		if (xapi_call(sc->x, "pool.set_wlb_enabled", args, 2, NULL,
		    &e) == -1) {
			xr_free(args[0]);
			xr_free(args[1]);
			snprintf(sc->why, sizeof(sc->why), "turning WLB off: %s",
			    xapi_strerror(&e));
			goto out;
		}
		xr_free(args[0]);
		xr_free(args[1]);
		sc->run->wlb_disabled_by_us = 1;
		store_run_update(sc->r->c->st, sc->run);
		ev(sc->r->c, sc->p, NULL, "WLB turned off for the upgrade");
	}
	if (s.ha_enabled) {
		struct xr_value *sf = NULL;
		struct sbuf srs = { .max = sizeof(sc->run->ha_srs) };
		size_t i;

		/* remember the heartbeat SRs: enable_ha needs them back */
		if (xapi_call_s(sc->x, "pool.get_ha_statefiles", &sf, &e,
		    s.pool_ref, NULL, NULL) == -1) {
			snprintf(sc->why, sizeof(sc->why), "reading HA statefiles: "
			    "%s (HA left on; turn it off yourself)",
			    xapi_strerror(&e));
			goto out;
		}
		for (i = 0; sf != NULL && sf->type == XR_ARRAY && i < sf->n; i++) {
			struct xr_value *sr = NULL;

			if (xapi_call_s(sc->x, "VDI.get_SR", &sr, &e,
			    xr_str(sf->items[i]), NULL, NULL) == -1 ||
			    xr_str(sr) == NULL) {
				xr_free(sr);
				xr_free(sf);
				sbuf_free(&srs);
				snprintf(sc->why, sizeof(sc->why), "finding the HA "
				    "heartbeat SR: %s (HA left on)",
				    xapi_strerror(&e));
				goto out;
			}
			sbuf_printf(&srs, "%s%s", srs.len ? " " : "", xr_str(sr));
			xr_free(sr);
		}
		xr_free(sf);
		util_strlcpy(sc->run->ha_srs, sizeof(sc->run->ha_srs), srs.p);
		sbuf_free(&srs);
		store_run_update(sc->r->c->st, sc->run);
		if (xapi_call_s(sc->x, "pool.disable_ha", NULL, &e, NULL, NULL,
		    NULL) == -1) {
			snprintf(sc->why, sizeof(sc->why), "turning HA off: %s",
			    xapi_strerror(&e));
			goto out;
		}
		sc->run->ha_disabled_by_us = 1;
		store_run_update(sc->r->c->st, sc->run);
		ev(sc->r->c, sc->p, NULL, "HA turned off for the upgrade");
	}
	ret = 0;
out:
	xr_free(arg);
	pool_snapshot_free(&s);
	return ret;
}

/* Restores what run_ha_off changed; problems are reported, not fatal. */
static void
run_ha_restore(struct stepctx *sc)
{
	struct pool_snapshot s;
	struct xapi_error e;

	if (!sc->run->ha_disabled_by_us && !sc->run->wlb_disabled_by_us)
		return;
	if (pool_snapshot_take(sc->x, &s, 0, &e) == -1) {
		ev(sc->r->c, sc->p, NULL, "could not restore HA/WLB: %s; turn "
		    "them back on by hand", xapi_strerror(&e));
		return;
	}
	if (sc->run->ha_disabled_by_us) {
		struct xr_value *args[2];

		args[0] = xr_array();
		args[1] = xr_struct();
		{
			struct strlist l = { 0 };
			size_t i;

			strlist_split_blank(&l, sc->run->ha_srs);
			for (i = 0; i < l.n; i++)
				xr_array_add(args[0], xr_string(l.v[i]));
			strlist_free(&l);
		}
		if (xapi_call(sc->x, "pool.enable_ha", args, 2, NULL, &e) == -1)
			ev(sc->r->c, sc->p, NULL, "could not turn HA back on: %s; "
			    "run xe pool-ha-enable by hand", xapi_strerror(&e));
		else {
			ev(sc->r->c, sc->p, NULL, "HA turned back on");
			sc->run->ha_disabled_by_us = 0;
		}
		xr_free(args[0]);
		xr_free(args[1]);
	}
	if (sc->run->wlb_disabled_by_us) {
		struct xr_value *args[2];

		args[0] = xr_string(s.pool_ref);
		args[1] = xr_bool(1);
		if (xapi_call(sc->x, "pool.set_wlb_enabled", args, 2, NULL,
		    &e) == -1)
			ev(sc->r->c, sc->p, NULL, "could not turn WLB back on: %s",
			    xapi_strerror(&e));
		else {
			ev(sc->r->c, sc->p, NULL, "WLB turned back on");
			sc->run->wlb_disabled_by_us = 0;
		}
		xr_free(args[0]);
		xr_free(args[1]);
	}
	pool_snapshot_free(&s);
	store_run_update(sc->r->c->st, sc->run);
}

static void
run_finish(struct stepctx *sc, struct run_host *hosts, size_t n)
{
	struct sbuf b = { .max = sizeof(sc->run->report) };
	size_t i;

	run_ha_restore(sc);
	for (i = 0; i < n; i++) {
		const struct run_host *h = &hosts[i];

		if (strcmp(h->step, "skipped") == 0)
			sbuf_printf(&b, "%s: already on %s (skipped)\n", h->host,
			    sc->run->target_version);
		else
			sbuf_printf(&b, "%s: %s -> %s in %.1f s (%s)\n", h->host,
			    h->old_version, h->new_version,
			    (double)(h->finished_at - h->started_at) / 1000.0,
			    h->step_ms);
	}
	sbuf_puts(&b, "Reminder: update the guest tools (XenServer VM Tools / "
	    "xe-guest-utilities) in every VM to match the new version.");
	util_strlcpy(sc->run->report, sizeof(sc->run->report), b.p);
	sbuf_free(&b);
	util_strlcpy(sc->run->state, sizeof(sc->run->state), "done");
	sc->run->finished_at = util_now_ms();
	sc->run->updated_at = sc->run->finished_at;
	store_run_update(sc->r->c->st, sc->run);
	ev(sc->r->c, sc->p, NULL, "rolling upgrade to %s finished",
	    sc->run->target_version);
}

static void
run_halt(struct stepctx *sc)
{
	util_strlcpy(sc->h->error, sizeof(sc->h->error), sc->why);
	sc->h->attempts = 0;
	store_run_host_update(sc->r->c->st, sc->h);
	snprintf(sc->run->error, sizeof(sc->run->error), "host %s, step %s: "
	    "%.400s", sc->h->host, sc->h->step, sc->why);
	util_strlcpy(sc->run->state, sizeof(sc->run->state), "halted");
	sc->run->updated_at = util_now_ms();
	store_run_update(sc->r->c->st, sc->run);
	ev(sc->r->c, sc->p, sc->h->host, "run halted in step %s: %s%s",
	    sc->h->step, sc->why, sc->h->is_master ? " (the master failed: no "
	    "member is touched)" : "; fix it and retry, or rebuild the member "
	    "(poolboot rebuild HOST --wipe) and then retry");
	log_error("coord", "pool %s: run halted: %s", sc->p->name,
	    sc->run->error);
}

/* Abort: disarm, re-enable what can be, restore HA/WLB. */
static void
run_abort_cleanup(struct coord *c, const struct pool *p, struct xapi *x,
    struct run *run, struct run_host *hosts, size_t n)
{
	struct stepctx sc = { 0 };
	size_t i;

	sc.p = p;
	sc.x = x;
	sc.run = run;
	for (i = 0; i < n; i++) {
		enum coord_step s;
		char msg[256];

		if (state_step_parse(hosts[i].step, &s) == -1 ||
		    !coord_step_offline(s))
			continue;
		if (s >= STEP_ARM && s <= STEP_INSTALL &&
		    arm_disarm(c->arm, hosts[i].host, msg, sizeof(msg)) == ARM_OK)
			ev(c, p, hosts[i].host, "abort: disarmed (local boot)");
		if (x != NULL) {
			struct runner tmp = { .c = c };
			struct stepctx hc = { .r = &tmp, .p = p, .x = x, .run = run,
			    .h = &hosts[i] };
			struct pool_snapshot snap;
			const struct pool_host *xh;
			struct xapi_error e;

			if (host_now(&hc, &snap, &xh, &e) == 0) {
				int live = xh->live, enabled = xh->enabled;
				char ref[128];

				util_strlcpy(ref, sizeof(ref), xh->ref);
				pool_snapshot_free(&snap);
				if (live && !enabled && xapi_call_s(x, "host.enable",
				    NULL, &e, ref, NULL, NULL) == 0)
					ev(c, p, hosts[i].host, "abort: host "
					    "re-enabled");
				else if (!live)
					ev(c, p, hosts[i].host, "abort: host is "
					    "not live; enable it once it is back");
			}
		}
	}
	if (x != NULL) {
		struct runner tmp = { .c = c };

		sc.r = &tmp;
		run_ha_restore(&sc);
	}
	util_strlcpy(run->state, sizeof(run->state), "aborted");
	run->finished_at = run->updated_at = util_now_ms();
	store_run_update(c->st, run);
	ev(c, p, NULL, "run aborted by the operator");
}

static void *
runner_main(void *arg)
{
	struct runner *r = arg;
	struct coord *c = r->c;
	const struct pool *p = r->pool;
	struct run run;
	struct run_host *hosts = NULL;
	struct xapi *x = NULL;
	char err[512];
	size_t n = 0, i;

	if ((x = pool_xapi(p, err, sizeof(err))) == NULL) {
		log_error("coord", "pool %s: %s", p->name, err);
		goto out;
	}
	for (;;) {
		struct stepctx sc = { 0 };
		enum step_result res = SR_OK;
		enum coord_step step;
		struct run_host *h = NULL;

		free(hosts);
		hosts = NULL;
		if (store_run_get(c->st, r->run_id, &run) == -1 ||
		    store_run_hosts(c->st, r->run_id, &hosts, &n) == -1) {
			log_error("coord", "pool %s: cannot read run %lld",
			    p->name, (long long)r->run_id);
			break;
		}
		pthread_mutex_lock(&c->mu);
		if (r->abort_req) {
			r->abort_req = 0;
			pthread_mutex_unlock(&c->mu);
			run_abort_cleanup(c, p, x, &run, hosts, n);
			break;
		}
		if (r->stop) {
			pthread_mutex_unlock(&c->mu);
			break;
		}
		pthread_mutex_unlock(&c->mu);
		if (strcmp(run.state, "running") != 0)
			break;
		sc.r = r;
		sc.p = p;
		sc.x = x;
		sc.run = &run;
		for (i = 0; i < n; i++)
			if (strcmp(hosts[i].step, "done") != 0 &&
			    strcmp(hosts[i].step, "skipped") != 0) {
				h = &hosts[i];
				break;
			}
		if (h == NULL) {
			run_finish(&sc, hosts, n);
			break;
		}
		sc.h = h;
		if (state_step_parse(h->step, &step) == -1) {
			snprintf(sc.why, sizeof(sc.why), "unknown step '%s' in the "
			    "store", h->step);
			run_halt(&sc);
			break;
		}
		switch (step) {
		case STEP_PENDING:
			if (run.disable_ha && run_ha_off(&sc) == -1)
				res = SR_FAIL;
			break;
		case STEP_DISABLE:	res = step_disable(&sc); break;
		case STEP_EVACUATE:	res = step_evacuate(&sc); break;
		case STEP_ARM:		res = step_arm(&sc); break;
		case STEP_REBOOT:	res = step_reboot(&sc); break;
		case STEP_INSTALL:	res = step_install(&sc); break;
		case STEP_REJOIN:	res = step_rejoin(&sc); break;
		case STEP_ENABLE:	res = step_enable(&sc); break;
		default:		break;
		}
		if (res == SR_FAIL) {
			run_halt(&sc);
			break;
		}
		if (res == SR_WAIT) {
			if (sc.dirty)
				store_run_host_update(c->st, h);
			if (sc.wait_ms >= 0)
				runner_wait(r, sc.wait_ms > 0 ? sc.wait_ms :
				    p->poll_ms);
			continue;
		}
		/* success: write the next step before acting on it */
		{
			enum coord_step next = coord_step_next(step);
			int64_t now = util_now_ms();

			if (step == STEP_PENDING)
				h->started_at = now;
			else
				record_step_time(h, step);
			if (sc.skip) {
				/* before the disable: nothing was done to it;
				 * at arm (after a rebuild): it was disabled and
				 * emptied, so it still needs enabling */
				next = step == STEP_ARM ? STEP_ENABLE :
				    STEP_SKIPPED;
				if (next == STEP_SKIPPED)
					h->finished_at = now;
			}
			util_strlcpy(h->step, sizeof(h->step), state_step_name(next));
			h->step_started_at = now;
			h->attempts = 0;
			h->error[0] = '\0';
			if (next == STEP_DONE)
				h->finished_at = now;
			if (store_run_host_update(c->st, h) == -1) {
				log_error("coord", "pool %s: cannot record step %s "
				    "of %s; stopping", p->name, h->step, h->host);
				break;
			}
			if (next == STEP_SKIPPED)
				ev(c, p, h->host, "already on %s: skipped",
				    run.target_version);
			else if (next == STEP_DONE)
				ev(c, p, h->host, "upgraded %s -> %s",
				    h->old_version, h->new_version);
			else
				ev(c, p, h->host, "step %s", h->step);
		}
	}
out:
	free(hosts);
	xapi_free(x);
	free(r->ev_token);
	r->ev_token = NULL;
	pthread_mutex_lock(&c->mu);
	r->running = 0;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Starts (or restarts) r's thread for run_id. Caller holds c->mu. */
static int
runner_start(struct runner *r, int64_t run_id)
{
	if (r->thread_live) {
		pthread_mutex_unlock(&r->c->mu);
		pthread_join(r->th, NULL);
		pthread_mutex_lock(&r->c->mu);
		r->thread_live = 0;
	}
	r->run_id = run_id;
	r->running = 1;
	r->abort_req = 0;
	r->stop = 0;
	if (pthread_create(&r->th, NULL, runner_main, r) != 0) {
		r->running = 0;
		return -1;
	}
	r->thread_live = 1;
	return 0;
}

/* ---- API entry points --------------------------------------------------------- */

int
coord_upgrade(struct coord *c, const char *pool, const struct coord_opts *o,
    char **json)
{
	const struct pool *p = config_pool(c->cfg, pool);
	struct runner *r = runner_for(c, pool);
	struct run run, latest;
	struct run_host *rh = NULL;
	struct xapi *x = NULL;
	struct xapi_error e;
	json_t *pre = NULL, *plan;
	char err[512], dump[1024];
	size_t i, n;
	int ok, status, busy;

	if (p == NULL || r == NULL) {
		*json = json_error("no pool '%s' in the configuration", pool);
		return 404;
	}
	pthread_mutex_lock(&c->mu);
	busy = r->running;
	pthread_mutex_unlock(&c->mu);
	if (busy || (store_run_latest(c->st, pool, &latest) == 0 &&
	    (strcmp(latest.state, "running") == 0 ||
	    strcmp(latest.state, "halted") == 0))) {
		*json = json_error("pool %s already has a %s run (%lld): use "
		    "status, retry or abort", pool, busy ? "running" :
		    latest.state, busy ? (long long)r->run_id :
		    (long long)latest.id);
		return 409;
	}
	status = precheck_json(c, p, o->disable_ha, &pre, &ok);
	if (status != 200 || o->dry_run || !ok) {
		if (status == 200 && !ok && !o->dry_run) {
			json_object_set_new(pre, "error", json_string("prechecks "
			    "failed: nothing was changed"));
			status = 409;
		}
		if (status == 200)
			json_object_set_new(pre, "dry_run", json_true());
		*json = json_take(pre);
		return status;
	}
	plan = json_object_get(pre, "plan");
	n = json_array_size(plan);
	memset(&run, 0, sizeof(run));
	util_strlcpy(run.pool, sizeof(run.pool), pool);
	util_strlcpy(run.state, sizeof(run.state), "running");
	util_strlcpy(run.target_version, sizeof(run.target_version),
	    p->repo->product_version);
	util_strlcpy(run.target_build, sizeof(run.target_build), p->repo->build_number);
	run.disable_ha = o->disable_ha;
	run.created_at = run.updated_at = util_now_ms();

	/* the pool database dump, before anything changes */
	if ((x = pool_xapi(p, err, sizeof(err))) == NULL) {
		json_decref(pre);
		*json = json_error("%s", err);
		return 500;
	}
	snprintf(dump, sizeof(dump), "%s/dumps", c->cfg->state_dir);
	util_mkdirs(dump, 0700);
	snprintf(dump, sizeof(dump), "%s/dumps/%s-%lld.xml", c->cfg->state_dir,
	    pool, (long long)util_now());
	memset(&e, 0, sizeof(e));
	if (xapi_dump_db(x, dump, &e) == -1) {
		xapi_free(x);
		json_decref(pre);
		*json = json_error("cannot save the pool database dump before "
		    "the upgrade (%s); nothing was changed", xapi_strerror(&e));
		return 502;
	}
	xapi_free(x);
	util_strlcpy(run.dump_path, sizeof(run.dump_path), dump);

	if ((rh = calloc(n + 1, sizeof(*rh))) == NULL) {
		json_decref(pre);
		*json = json_error("out of memory");
		return 500;
	}
	for (i = 0; i < n; i++) {
		json_t *it = json_array_get(plan, i);
		const char *act = json_string_value(json_object_get(it, "action"));

		util_strlcpy(rh[i].host, sizeof(rh[i].host),
		    json_string_value(json_object_get(it, "host")));
		rh[i].ord = (int)i;
		rh[i].is_master = strcmp(json_string_value(json_object_get(it,
		    "role")), "master") == 0;
		util_strlcpy(rh[i].old_version, sizeof(rh[i].old_version),
		    json_string_value(json_object_get(it, "version")));
		util_strlcpy(rh[i].step, sizeof(rh[i].step), act != NULL &&
		    strncmp(act, "skip", 4) == 0 ? "skipped" : "pending");
		if (strcmp(rh[i].step, "skipped") == 0)
			util_strlcpy(rh[i].new_version, sizeof(rh[i].new_version),
			    rh[i].old_version);
	}
	/* old_version is set by the disable step from what XAPI says then */
	for (i = 0; i < n; i++)
		if (strcmp(rh[i].step, "pending") == 0)
			rh[i].old_version[0] = '\0';
	if (store_run_create(c->st, &run, rh, n, &run.id) == -1) {
		free(rh);
		json_decref(pre);
		*json = json_error("cannot write the run to the store");
		return 500;
	}
	free(rh);
	ev(c, p, NULL, "rolling upgrade to %s started (run %lld, %zu hosts; "
	    "database dump %s)", run.target_version, (long long)run.id, n, dump);
	pthread_mutex_lock(&c->mu);
	if (runner_start(r, run.id) == -1) {
		pthread_mutex_unlock(&c->mu);
		json_decref(pre);
		*json = json_error("cannot start the coordinator thread");
		return 500;
	}
	pthread_mutex_unlock(&c->mu);
	json_object_set_new(pre, "run", json_integer(run.id));
	json_object_set_new(pre, "started", json_true());
	json_object_set_new(pre, "dump", json_string(dump));
	*json = json_take(pre);
	return 202;
}

static json_t *
run_json(struct coord *c, const struct run *run)
{
	struct run_host *hosts = NULL;
	json_t *j, *arr;
	size_t i, n = 0, done = 0;

	arr = json_array();
	if (store_run_hosts(c->st, run->id, &hosts, &n) == 0)
		for (i = 0; i < n; i++) {
			const struct run_host *h = &hosts[i];
			enum coord_step s = STEP_PENDING;

			state_step_parse(h->step, &s);
			if (s == STEP_DONE || s == STEP_SKIPPED)
				done++;
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:i}", "host",
			    h->host, "role", h->is_master ? "master" : "member",
			    "step", h->step, "old_version", h->old_version,
			    "new_version", h->new_version, "step_started_at",
			    (json_int_t)h->step_started_at, "started_at",
			    (json_int_t)h->started_at, "finished_at",
			    (json_int_t)h->finished_at, "error", h->error,
			    "step_ms", h->step_ms, "attempts", h->attempts));
		}
	free(hosts);
	j = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:i, "
	    "s:i, s:o}", "run", (json_int_t)run->id, "pool", run->pool, "state",
	    run->state, "target_version", run->target_version, "created_at",
	    (json_int_t)run->created_at, "updated_at",
	    (json_int_t)run->updated_at, "finished_at",
	    (json_int_t)run->finished_at, "error", run->error, "dump",
	    run->dump_path, "report", run->report, "hosts_done", (int)done,
	    "hosts_total", (int)n, "hosts", arr);
	return j;
}

int
coord_status(struct coord *c, const char *pool, char **json)
{
	json_t *arr;
	size_t i;

	arr = json_array();
	for (i = 0; i < c->cfg->npools; i++) {
		const struct pool *p = &c->cfg->pools[i];
		struct run run;
		int rc;

		if (pool != NULL && strcmp(pool, p->name) != 0)
			continue;
		rc = store_run_latest(c->st, p->name, &run);
		if (rc == -1) {
			json_decref(arr);
			*json = json_error("cannot read the store");
			return 500;
		}
		if (rc == 1)
			json_array_append_new(arr, json_pack("{s:s, s:n}", "pool",
			    p->name, "run"));
		else {
			json_t *rj = run_json(c, &run);

			json_array_append_new(arr, rj);
		}
	}
	if (pool != NULL && json_array_size(arr) == 0) {
		json_decref(arr);
		*json = json_error("no pool '%s' in the configuration", pool);
		return 404;
	}
	*json = json_take(json_pack("{s:o}", "pools", arr));
	return 200;
}

int
coord_retry(struct coord *c, const char *pool, char **json)
{
	const struct pool *p = config_pool(c->cfg, pool);
	struct runner *r = runner_for(c, pool);
	struct run_host *hosts = NULL;
	struct run run;
	size_t i, n = 0;
	int rc;

	if (p == NULL || r == NULL) {
		*json = json_error("no pool '%s' in the configuration", pool);
		return 404;
	}
	rc = store_run_latest(c->st, pool, &run);
	if (rc != 0 || strcmp(run.state, "halted") != 0) {
		*json = json_error("pool %s has no halted run to retry (its "
		    "latest run is %s)", pool, rc == 0 ? run.state : "none");
		return 409;
	}
	if (store_run_hosts(c->st, run.id, &hosts, &n) == -1) {
		*json = json_error("cannot read the store");
		return 500;
	}
	for (i = 0; i < n; i++) {
		enum coord_step s;

		if (hosts[i].error[0] == '\0' ||
		    state_step_parse(hosts[i].step, &s) == -1)
			continue;
		s = coord_step_retry(s);
		util_strlcpy(hosts[i].step, sizeof(hosts[i].step), state_step_name(s));
		hosts[i].error[0] = '\0';
		hosts[i].attempts = 0;
		hosts[i].step_started_at = util_now_ms();
		store_run_host_update(c->st, &hosts[i]);
		ev(c, p, hosts[i].host, "retry: resuming at step %s",
		    hosts[i].step);
	}
	free(hosts);
	run.error[0] = '\0';
	util_strlcpy(run.state, sizeof(run.state), "running");
	run.updated_at = util_now_ms();
	store_run_update(c->st, &run);
	pthread_mutex_lock(&c->mu);
	rc = runner_start(r, run.id);
	pthread_mutex_unlock(&c->mu);
	if (rc == -1) {
		*json = json_error("cannot start the coordinator thread");
		return 500;
	}
	*json = json_take(json_pack("{s:s, s:I, s:s}", "pool", pool, "run",
	    (json_int_t)run.id, "state", "running"));
	return 202;
}

int
coord_abort(struct coord *c, const char *pool, char **json)
{
	const struct pool *p = config_pool(c->cfg, pool);
	struct runner *r = runner_for(c, pool);
	struct run_host *hosts = NULL;
	struct run run;
	size_t n = 0;
	int running, rc;

	if (p == NULL || r == NULL) {
		*json = json_error("no pool '%s' in the configuration", pool);
		return 404;
	}
	pthread_mutex_lock(&c->mu);
	running = r->running;
	if (running) {
		r->abort_req = 1;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	if (running) {
		/* the runner cleans up itself as soon as its current XAPI
		 * call returns; status shows "aborted" then */
		*json = json_take(json_pack("{s:s, s:I, s:s}", "pool", pool,
		    "run", (json_int_t)r->run_id, "state", "aborting"));
		ev(c, p, NULL, "abort requested by the operator");
		return 202;
	} else {
		rc = store_run_latest(c->st, pool, &run);
		if (rc != 0 || (strcmp(run.state, "halted") != 0 &&
		    strcmp(run.state, "running") != 0)) {
			*json = json_error("pool %s has no run to abort", pool);
			return 409;
		}
		if (store_run_hosts(c->st, run.id, &hosts, &n) == 0) {
			char err[256];
			struct xapi *x = pool_xapi(p, err, sizeof(err));

			run_abort_cleanup(c, p, x, &run, hosts, n);
			xapi_free(x);
		}
		free(hosts);
	}
	rc = store_run_latest(c->st, pool, &run);
	*json = json_take(json_pack("{s:s, s:I, s:s}", "pool", pool, "run",
	    (json_int_t)(rc == 0 ? run.id : 0), "state", rc == 0 ? run.state :
	    "none"));
	return 200;
}

/* ---- life cycle ------------------------------------------------------------------ */

int
coord_new(const struct config *cfg, struct store *st, struct arm *arm,
    struct coord **out)
{
	struct coord *c;
	int64_t *ids = NULL;
	size_t n = 0, i;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->cfg = cfg;
	c->st = st;
	c->arm = arm;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if ((c->runners = calloc(cfg->npools + 1, sizeof(*c->runners))) == NULL) {
		coord_free(c);
		return -1;
	}
	for (i = 0; i < cfg->npools; i++) {
		c->runners[i].c = c;
		c->runners[i].pool = &cfg->pools[i];
	}
	/* resume what was running when the server stopped */
	if (store_runs_running(st, &ids, &n) == 0) {
		for (i = 0; i < n; i++) {
			struct run run;
			struct runner *r;

			if (store_run_get(st, ids[i], &run) == -1)
				continue;
			if ((r = runner_for(c, run.pool)) == NULL) {
				log_ctx(PB_LOG_WARN, "coord", run.pool, NULL, "run "
				    "%lld: the pool is no longer in the "
				    "configuration; not resumed", (long long)run.id);
				continue;
			}
			log_info("coord", "pool %s: resuming run %lld",
			    run.pool, (long long)run.id);
			store_event(st, NULL, run.pool, "upgrade", "resuming run "
			    "%lld after a restart", (long long)run.id);
			pthread_mutex_lock(&c->mu);
			runner_start(r, run.id);
			pthread_mutex_unlock(&c->mu);
		}
	}
	free(ids);
	*out = c;
	return 0;
}

void
coord_free(struct coord *c)
{
	size_t i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	for (i = 0; c->runners != NULL && i < c->cfg->npools; i++)
		c->runners[i].stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	for (i = 0; c->runners != NULL && i < c->cfg->npools; i++)
		if (c->runners[i].thread_live)
			pthread_join(c->runners[i].th, NULL);
	free(c->runners);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
