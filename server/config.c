/* config.c — see config.h.
 *
 * Two passes. The first (config_ini.c) only collects sections and
 * key = value lines with their line numbers. The second walks the
 * collected sections with one loader per section kind, checks every value,
 * merges [defaults] into hosts (inventory.c), checks [dnsmasq]
 * (config_dnsmasq.c), resolves references (host -> pool -> repo) and
 * checks what spans hosts (duplicate names and MACs). Every problem
 * becomes one "file:line: message" line; nothing stops at the first.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config_ini.h"
#include "config_listen.h"
#include "config_secret.h"
#include "config_store.h"

/* The sections config_load treats as a whole; [repo], [pool] and [host]
 * are counted and loaded in file order. */
struct config_sections {
	struct config_ini_section *server;
	struct config_ini_section *defs;	/* [defaults] */
	struct config_ini_section *dnsmasq;
	struct config_ini_section *store;
	size_t	 nrepos;
	size_t	 npools;
	size_t	 nhosts;
};

/* ---- value forms --------------------------------------------------------- */




/* ---- [server], [repo NAME] ([pool NAME]: config_pool.c) ------------------ */

static char *
config_path_in(struct config *cfg, const char *v)
{
	return util_path_join(cfg->dir, v);
}

/* [server]'s folders and files, relative to the config file's folder. */
static void
config_load_server_paths(struct config *cfg, struct config_ini_section *sec)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "state_dir")) != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = config_path_in(cfg, kv->value);
		cfg->state_dir_line = kv->line;
	}
	if ((kv = config_ini_get(sec, "tftp_root")) != NULL) {
		free(cfg->tftp_root);
		cfg->tftp_root = config_path_in(cfg, kv->value);
	}
	if ((kv = config_ini_get(sec, "admin_token_file")) != NULL) {
		free(cfg->admin_token_file);
	free(cfg->admin_tokens_file);
		cfg->admin_token_file = config_path_in(cfg, kv->value);
	}
	if ((kv = config_ini_get(sec, "admin_tokens")) != NULL) {
		free(cfg->admin_tokens_file);
		cfg->admin_tokens_file = config_path_in(cfg, kv->value);
		cfg->admin_tokens_line = kv->line;
	}
	if ((kv = config_ini_get(sec, "template_dir")) != NULL) {
		free(cfg->template_dir);
		cfg->template_dir = config_path_in(cfg, kv->value);
		cfg->template_dir_explicit = 1;
	}
	if ((kv = config_ini_get(sec, "web_dir")) != NULL) {
		free(cfg->web_dir);
		cfg->web_dir = config_path_in(cfg, kv->value);
		cfg->web_dir_explicit = 1;
	}
	if ((kv = config_ini_get(sec, "upgrade_paths")) != NULL) {
		free(cfg->upgrade_paths);
		cfg->upgrade_paths = config_path_in(cfg, kv->value);
	}
}

/* [server]'s numbers and choices. */
static void
config_load_server_options(struct config_ini *ini, struct config *cfg,
    struct config_ini_section *sec)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "boot_attempts")) != NULL &&
	    config_ini_int(kv->value, 1, 20, &cfg->boot_attempts) == -1)
		config_ini_err(ini, kv->line, "boot_attempts: '%s' is not a "
		    "number from 1 to 20", kv->value);
	if ((kv = config_ini_get(sec, "http_threads")) != NULL &&
	    config_ini_int(kv->value, 1, 64, &cfg->http_threads) == -1)
		config_ini_err(ini, kv->line, "http_threads: '%s' is not a "
		    "number from 1 to 64", kv->value);
	if ((kv = config_ini_get(sec, "metrics")) != NULL) {
		if (strcmp(kv->value, "on") == 0)
			cfg->metrics = METRICS_ON;
		else if (strcmp(kv->value, "off") == 0)
			cfg->metrics = METRICS_OFF;
		else if (strcmp(kv->value, "auth") == 0)
			cfg->metrics = METRICS_AUTH;
		else
			config_ini_err(ini, kv->line, "metrics: '%s' must be "
			    "'on' (GET /metrics without a token), 'off' or "
			    "'auth' (the admin bearer token required)",
			    kv->value);
	}
	if ((kv = config_ini_get(sec, "log")) != NULL) {
		if (strcmp(kv->value, "stderr") == 0)
			cfg->log_syslog = 0;
		else if (strcmp(kv->value, "syslog") == 0)
			cfg->log_syslog = 1;
		else
			config_ini_err(ini, kv->line, "log: '%s' must be "
			    "'stderr' or 'syslog'", kv->value);
	}
	if ((kv = config_ini_get(sec, "boot_files")) != NULL) {
		if (strcmp(kv->value, "tftp") == 0)
			cfg->boot_files = BOOT_FILES_TFTP;
		else if (strcmp(kv->value, "http") == 0)
			cfg->boot_files = BOOT_FILES_HTTP;
		else
			config_ini_err(ini, kv->line, "boot_files: '%s' must "
			    "be 'tftp' (pxelinux.0 loads xen.gz, vmlinuz and "
			    "install.img over TFTP) or 'http' (lpxelinux.0 "
			    "loads them from poolboot's HTTP server)",
			    kv->value);
	}
}

static void
config_load_server(struct config_ini *ini, struct config *cfg,
    struct config_ini_section *sec)
{
	struct config_ini_kv *kv;

	if ((kv = config_ini_get(sec, "public_url")) != NULL) {
		char *v = strdup(kv->value);
		size_t l = strlen(v);

		while (l > 0 && v[l - 1] == '/')
			v[--l] = '\0';
		if (!config_pool_url_ok(v, 1))
			config_ini_err(ini, kv->line, "public_url: '%s' is not "
			    "a plain http(s)://HOST[:PORT][/PATH] URL (no "
			    "spaces, query strings or quotes); hosts fetch "
			    "their answerfiles from it", kv->value);
		free(cfg->public_url);
		cfg->public_url = v;
	}
	config_load_server_paths(cfg, sec);
	config_load_server_options(ini, cfg, sec);
	config_ini_unknown_keys(ini, sec, "[server]");
}

static void
config_load_repo(struct config_ini *ini, struct config *cfg,
    struct config_ini_section *sec, struct repo *r)
{
	struct config_ini_kv *kv;
	char err[512];

	r->name = strdup(sec->name);
	r->line = sec->line;
	if ((kv = config_ini_get(sec, "path")) == NULL)
		config_ini_err(ini, sec->line, "[repo %s]: 'path' is required "
		    "(the folder of an unpacked XenServer/XCP-ng ISO)",
		    sec->name);
	else {
		r->path = config_path_in(cfg, kv->value);
		if (config_repo_inspect(r, err, sizeof(err)) == -1)
			config_ini_err(ini, kv->line, "[repo %s]: %s",
			    sec->name, err);
	}
	config_ini_unknown_keys(ini, sec, "[repo]");
}

/* The first of exe_dir/rel[i] holding the file probe, as an absolute
 * path (caller frees); NULL if none. */
static char *
config_find_beside_binary(const char *const *rel, size_t nrel,
    const char *probe)
{
	char exe[PATH_MAX], cand[PATH_MAX + 128];
	ssize_t n;
	char *slash;
	size_t i;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	for (i = 0; i < nrel; i++) {
		snprintf(cand, sizeof(cand), "%s/%s/%s", exe, rel[i], probe);
		if (access(cand, R_OK) == 0) {
			snprintf(cand, sizeof(cand), "%s/%s", exe, rel[i]);
			return realpath(cand, NULL);
		}
	}
	return NULL;
}

char *
config_find_template_dir(void)
{
	static const char *const rel[] = { "templates", "../templates",
	    "../share/poolboot/templates" };

	return config_find_beside_binary(rel, sizeof(rel) / sizeof(rel[0]),
	    "answerfile-upgrade.xml");
}

char *
config_find_web_dir(void)
{
	static const char *const rel[] = { "web", "../web",
	    "../share/poolboot/web" };

	return config_find_beside_binary(rel, sizeof(rel) / sizeof(rel[0]),
	    "index.html");
}

static void
config_resolve_template_dir(struct config_ini *ini, struct config *cfg)
{
	struct stat sb;

	if (cfg->template_dir_explicit) {
		if (stat(cfg->template_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
			config_ini_err(ini, 0, "template_dir '%s' is not a "
			    "folder", cfg->template_dir);
		return;
	}
	if ((cfg->template_dir = config_find_template_dir()) == NULL)
		config_ini_err(ini, 0, "no templates found next to the "
		    "poolboot binary; set template_dir in [server]");
}

/* An explicit web_dir must be a folder; otherwise the one found next to
 * the binary, or none (the dashboard is then unavailable, not an error:
 * hosts do not need it). */
static void
config_resolve_web_dir(struct config_ini *ini, struct config *cfg)
{
	struct stat sb;

	if (cfg->web_dir_explicit) {
		if (stat(cfg->web_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
			config_ini_err(ini, 0, "web_dir '%s' is not a folder",
			    cfg->web_dir);
		return;
	}
	cfg->web_dir = config_find_web_dir();
}

/* ---- config_load --------------------------------------------------------- */

/* cfg->path and cfg->dir (the file's folder, absolute). */
static int
config_locate(struct config_ini *ini, struct config *cfg, const char *path)
{
	char *slash, *abs;

	cfg->path = strdup(path);
	if ((abs = realpath(path, NULL)) == NULL) {
		config_ini_err(ini, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if ((slash = strrchr(abs, '/')) != NULL)
		*slash = '\0';
	cfg->dir = strdup(*abs ? abs : "/");
	free(abs);
	return 0;
}

/* [server], [defaults], [dnsmasq] and [store] may occur once: 0 for the
 * first, -1 (reported) for another. */
static int
config_scan_single(struct config_ini *ini, struct config_sections *s,
    struct config_ini_section *sec)
{
	struct config_ini_section **one;

	if (sec->kind == CONFIG_INI_DNSMASQ || sec->kind == CONFIG_INI_STORE) {
		one = sec->kind == CONFIG_INI_STORE ? &s->store : &s->dnsmasq;
		if (*one != NULL) {
			config_ini_err(ini, sec->line, "duplicate section "
			    "[%s] (first defined on line %d)",
			    sec->kind == CONFIG_INI_STORE ? "store" : "dnsmasq",
			    (*one)->line);
			return -1;
		}
		*one = sec;
		return 0;
	}
	one = sec->kind == CONFIG_INI_SERVER ? &s->server : &s->defs;
	if (*one != NULL) {
		config_ini_err(ini, sec->line, "duplicate section [%s]",
		    sec->kind == CONFIG_INI_SERVER ? "server" : "defaults");
		return -1;
	}
	*one = sec;
	return 0;
}

/* Finds the single sections and counts the named ones, reporting the
 * duplicates ([host] duplicates are inventory_check_duplicates' job). */
static void
config_scan_sections(struct config_ini *ini, struct config_sections *s)
{
	struct config_ini_section *sec;
	size_t i, j;

	for (i = 0; i < ini->nsecs; i++) {
		sec = &ini->secs[i];
		if (sec->kind == CONFIG_INI_REPO)
			s->nrepos++;
		else if (sec->kind == CONFIG_INI_POOL)
			s->npools++;
		else if (sec->kind == CONFIG_INI_HOST)
			s->nhosts++;
		else if (config_scan_single(ini, s, sec) == -1)
			continue;
		if (sec->name == NULL || sec->kind == CONFIG_INI_HOST)
			continue;
		for (j = 0; j < i; j++)
			if (ini->secs[j].kind == sec->kind &&
			    ini->secs[j].name != NULL &&
			    strcmp(ini->secs[j].name, sec->name) == 0)
				config_ini_err(ini, sec->line, "duplicate "
				    "section (first defined on line %d)",
				    ini->secs[j].line);
	}
}

/* [server]'s listeners and connection limits (config_listen.c). */
static void
config_load_listen(struct config_ini *ini, struct config *cfg,
    struct config_ini_section *server)
{
	struct config_listen l;

	config_listen_load(ini, cfg->dir, server, &l);
	cfg->listen_addr = l.listen_addr;
	cfg->listen_port = l.listen_port;
	cfg->admin_listen_addr = l.admin_listen_addr;
	cfg->admin_listen_port = l.admin_listen_port;
	cfg->admin_tls_cert = l.admin_tls_cert;
	cfg->admin_tls_key = l.admin_tls_key;
	cfg->max_connections = l.max_connections;
	cfg->per_ip_connections = l.per_ip_connections;
	cfg->header_timeout = l.header_timeout;
}

/* The default of http_threads: one libmicrohttpd worker per CPU this
 * process may run on, from 2 (one worker alone stalls at 128 ready
 * connections, docs/performance.md) to 64. */
static int
config_default_threads(void)
{
	cpu_set_t set;
	long n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 2 : n > 64 ? 64 : (int)n;
}

/* [server] (required) with the defaults of what it leaves out, and the
 * folders that follow from it. */
static void
config_setup_server(struct config_ini *ini, struct config *cfg,
    struct config_ini_section *server)
{
	cfg->boot_attempts = 3;
	cfg->boot_files = BOOT_FILES_TFTP;
	cfg->http_threads = config_default_threads();
	config_load_listen(ini, cfg, server);
	if (server == NULL)
		config_ini_err(ini, 0, "no [server] section (it needs at least "
		    "public_url)");
	else
		config_load_server(ini, cfg, server);
	if (cfg->public_url == NULL && server != NULL)
		config_ini_err(ini, server->line, "[server]: 'public_url' is "
		    "required: the URL hosts use to reach poolboot, e.g. "
		    "http://10.0.0.5:8080");
	if (cfg->state_dir == NULL)
		cfg->state_dir = strdup("/var/lib/poolboot");
	if (cfg->tftp_root == NULL)
		cfg->tftp_root = strdup("/srv/poolboot/tftp-root");
	if (cfg->admin_token_file == NULL)
		cfg->admin_token_file = util_path_join(cfg->state_dir,
		    "admin.token");
	if (cfg->admin_tokens_file == NULL)
		cfg->admin_tokens_file = util_path_join(cfg->state_dir,
		    "tokens");
	config_resolve_template_dir(ini, cfg);
	config_resolve_web_dir(ini, cfg);
	if (cfg->upgrade_paths == NULL && cfg->template_dir != NULL)
		cfg->upgrade_paths = util_path_join(cfg->template_dir,
		    "upgrade-paths.conf");
}

/* [defaults], then [repo], [pool] and [host] in file order, then
 * [dnsmasq]. -1 when out of memory. */
static int
config_load_sections(struct config_ini *ini,
    struct config_secret_cache *secrets, struct config *cfg,
    const struct config_sections *s)
{
	struct config_dnsmasq_server srv;
	struct config_ini_section *sec;
	size_t i;

	cfg->repos = calloc(s->nrepos + 1, sizeof(*cfg->repos));
	cfg->pools = calloc(s->npools + 1, sizeof(*cfg->pools));
	cfg->hosts = calloc(s->nhosts + 1, sizeof(*cfg->hosts));
	if (cfg->repos == NULL || cfg->pools == NULL || cfg->hosts == NULL)
		return -1;
	if (s->defs != NULL)
		inventory_check_defaults(ini, s->defs);
	config_store_load(ini, cfg->dir, s->store, &cfg->store);
	for (i = 0; i < ini->nsecs; i++) {
		sec = &ini->secs[i];
		if (sec->kind == CONFIG_INI_REPO)
			config_load_repo(ini, cfg, sec,
			    &cfg->repos[cfg->nrepos++]);
		else if (sec->kind == CONFIG_INI_POOL)
			config_pool_load(ini, cfg->dir, sec,
			    &cfg->pools[cfg->npools++]);
		else if (sec->kind == CONFIG_INI_HOST)
			inventory_load_host(ini, secrets, cfg->dir, sec,
			    s->defs, &cfg->hosts[cfg->nhosts++]);
	}
	if (s->dnsmasq != NULL) {
		srv.sec = s->server;
		srv.dir = cfg->dir;
		srv.public_url = cfg->public_url;
		srv.state_dir = cfg->state_dir;
		srv.tftp_root = cfg->tftp_root;
		config_dnsmasq_load(ini, s->dnsmasq, &srv, &cfg->dnsmasq);
		config_dnsmasq_check_hosts(ini, &cfg->dnsmasq, cfg->hosts,
		    cfg->nhosts);
	}
	return 0;
}

/* A host's pool, the pool it joins, and the repo it installs from: its
 * own, the joined pool's, its pool's, or the only one there is. */
static void
config_resolve_host(struct config_ini *ini, struct config *cfg, struct host *h)
{
	if (h->pool_name != NULL &&
	    (h->pool = config_pool(cfg, h->pool_name)) == NULL) {
		config_ini_err(ini, h->line, "[host %s]: pool '%s' is not "
		    "defined (add a [pool %s] section)", h->name, h->pool_name,
		    h->pool_name);
		return;
	}
	if (h->join_pool != NULL &&
	    (h->join = config_pool(cfg, h->join_pool)) == NULL)
		config_ini_err(ini, h->line, "[host %s]: join = %s: no such "
		    "pool (add a [pool %s] section)", h->name, h->join_pool,
		    h->join_pool);
	if (h->join != NULL && h->pool != NULL)
		config_ini_err(ini, h->line, "[host %s]: 'join' is for new "
		    "hosts; this host is already in pool %s", h->name,
		    h->pool->name);
	if (h->join != NULL && h->mode != MODE_FRESH &&
	    h->mode != MODE_REINSTALL)
		config_ini_err(ini, h->line, "[host %s]: 'join' needs mode "
		    "fresh (a new host is installed, then joins the pool)",
		    h->name);
	if (h->repo_name == NULL && h->join != NULL && h->join->repo != NULL)
		h->repo = h->join->repo;	/* the pool it joins */
	else if (h->repo_name != NULL) {
		if ((h->repo = config_repo(cfg, h->repo_name)) == NULL)
			config_ini_err(ini, h->line, "[host %s]: repo '%s' is "
			    "not defined", h->name, h->repo_name);
	} else if (h->pool != NULL && h->pool->repo != NULL)
		h->repo = h->pool->repo;
	else if (cfg->nrepos == 1)
		h->repo = &cfg->repos[0];
	else if (h->pool == NULL || h->pool->repo_name == NULL)
		config_ini_err(ini, h->line, "[host %s]: no repo to install "
		    "from (set repo = NAME in the host, its pool or [defaults])"
		    , h->name);
}

/* The name and MAC indexes, once the sections are loaded (hosts and pools
 * no longer move). A 50,000-host inventory looked each host's pool up by
 * a scan (config_resolve), and a reload each host by name in both
 * configs: quadratic, tens of seconds. Out of memory leaves an index
 * empty and its lookups scan. */
static void
config_index(struct config *cfg)
{
	size_t i;

	if (strmap_init(&cfg->host_names, cfg->nhosts) == 0)
		for (i = 0; i < cfg->nhosts; i++)
			if (cfg->hosts[i].name != NULL)
				(void)strmap_put(&cfg->host_names,
				    cfg->hosts[i].name, i);
	if (strmap_init(&cfg->host_macs, cfg->nhosts) == 0)
		for (i = 0; i < cfg->nhosts; i++)
			if (cfg->hosts[i].mac[0] != '\0')
				(void)strmap_put(&cfg->host_macs,
				    cfg->hosts[i].mac, i);
	if (strmap_init(&cfg->pool_names, cfg->npools) == 0)
		for (i = 0; i < cfg->npools; i++)
			if (cfg->pools[i].name != NULL)
				(void)strmap_put(&cfg->pool_names,
				    cfg->pools[i].name, i);
}

/* References between sections: pool -> repo, then host -> pool, repo. */
static void
config_resolve(struct config_ini *ini, struct config *cfg)
{
	struct pool *p;
	size_t i;

	for (i = 0; i < cfg->npools; i++) {
		p = &cfg->pools[i];
		if (p->repo_name != NULL &&
		    (p->repo = config_repo(cfg, p->repo_name)) == NULL)
			config_ini_err(ini, p->line, "[pool %s]: repo '%s' is "
			    "not defined (add a [repo %s] section)", p->name,
			    p->repo_name, p->repo_name);
	}
	for (i = 0; i < cfg->nhosts; i++)
		config_resolve_host(ini, cfg, &cfg->hosts[i]);
	config_pool_members(cfg->hosts, cfg->nhosts);
}

/* The second pass and the checks that span sections, on ini (set up by
 * the caller, cfg->path and cfg->dir set): config_load's body. */
static int
config_load_ini(struct config_ini *ini, struct config *cfg)
{
	struct config_secret_cache secrets;
	struct config_sections secs = { 0 };
	int ret = -1;

	memset(&secrets, 0, sizeof(secrets));
	if (config_ini_read(ini) == -1)
		goto out;
	config_scan_sections(ini, &secs);
	config_setup_server(ini, cfg, secs.server);
	if (config_load_sections(ini, &secrets, cfg, &secs) == -1)
		goto out;
	config_index(cfg);
	config_resolve(ini, cfg);
	if (inventory_check_duplicates(ini, cfg->hosts, cfg->nhosts) == -1)
		goto out;
	if (ini->nerrors > 0)
		goto out;
	ret = 0;
out:
	config_secret_cache_free(&secrets);
	return ret;
}

int
config_load(const char *path, struct config **out, struct strlist *errors,
    struct strlist *warnings)
{
	return config_load_flags(path, 0, out, errors, warnings);
}

int
config_load_flags(const char *path, int flags, struct config **out,
    struct strlist *errors, struct strlist *warnings)
{
	struct config_ini ini = { 0 };
	struct config *cfg = NULL;
	int ret = -1;

	*out = NULL;
	ini.file = path;
	ini.errors = errors;
	ini.warnings = warnings;
	ini.no_passwords = (flags & CONFIG_LOAD_NO_PASSWORDS) != 0;
	ini.no_root_hash = (flags & CONFIG_LOAD_NO_ROOT_HASH) != 0;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		goto out;
	if (config_locate(&ini, cfg, path) == -1 ||
	    config_load_ini(&ini, cfg) == -1)
		goto out;
	*out = cfg;
	cfg = NULL;
	ret = 0;
out:
	config_ini_free(&ini);
	config_free(cfg);
	return ret;
}

int
config_load_text(const char *name, const char *dir, const char *text,
    size_t len, struct config **out, struct strlist *errors,
    struct strlist *warnings)
{
	struct config_ini ini = { 0 };
	struct config *cfg = NULL;
	int ret = -1;

	*out = NULL;
	ini.file = name;
	ini.text = text;
	ini.textlen = len;
	ini.errors = errors;
	ini.warnings = warnings;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->path = strdup(name)) == NULL ||
	    (cfg->dir = strdup(dir)) == NULL) {
		config_ini_err(&ini, 0, "out of memory");
		goto out;
	}
	if (config_load_ini(&ini, cfg) == -1)
		goto out;
	*out = cfg;
	cfg = NULL;
	ret = 0;
out:
	config_ini_free(&ini);
	config_free(cfg);
	return ret;
}

/*
 * The folder nearest to dir that exists (dir itself, else a parent) into
 * out; -1 with errno when none can be reached (a parent is a file: ENOTDIR).
 */
static int
config_existing_dir(const char *dir, char *out, size_t outlen)
{
	struct stat sb;
	char *slash;

	if ((size_t)snprintf(out, outlen, "%s", dir) >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (;;) {
		if (stat(out, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				return 0;
			errno = ENOTDIR;
			return -1;
		}
		if (errno != ENOENT || (slash = strrchr(out, '/')) == NULL)
			return -1;
		if (slash == out)
			out[1] = '\0';		/* "/" */
		else
			*slash = '\0';
	}
}

int
config_check_state_dir(const struct config *cfg, struct strlist *problems)
{
	char where[PATH_MAX + 32], base[PATH_MAX], *probe = NULL;
	const char *dflt = cfg->state_dir_line > 0 ? "" : " (the default)";
	int fd, ret = -1;

	if (cfg->state_dir_line > 0)
		snprintf(where, sizeof(where), "%s:%d", cfg->path,
		    cfg->state_dir_line);
	else
		snprintf(where, sizeof(where), "%s", cfg->path);
	if (config_existing_dir(cfg->state_dir, base, sizeof(base)) == -1) {
		strlist_addf(problems, "%s: state_dir %s%s cannot be created: "
		    "%s (set state_dir in [server] to a folder poolboot can "
		    "write)", where, cfg->state_dir, dflt, strerror(errno));
		goto out;
	}
	/* a file really created, not access(2): also right for root, on a
	 * read-only file system and with ACLs */
	if (asprintf(&probe, "%s/.poolboot-check.XXXXXX", base) == -1) {
		probe = NULL;
		goto out;
	}
	if ((fd = mkstemp(probe)) == -1) {
		strlist_addf(problems, "%s: state_dir %s%s is not writable: "
		    "cannot create files in %s: %s (fix its owner or mode, or "
		    "set state_dir in [server] to a folder poolboot can write)",
		    where, cfg->state_dir, dflt, base, strerror(errno));
		goto out;
	}
	close(fd);
	unlink(probe);
	ret = 0;
out:
	free(probe);
	return ret;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nrepos; i++) {
		struct repo *r = &cfg->repos[i];

		free(r->name);
		free(r->path);
		free(r->product_brand);
		free(r->product_version);
		free(r->build_number);
	}
	for (i = 0; i < cfg->npools; i++) {
		struct pool *p = &cfg->pools[i];

		free(p->name);
		free(p->xapi);
		free(p->username);
		free(p->password_file);
		free(p->tls_ca);
		free(p->tls_fingerprint);
		strlist_free(&p->xapi_urls);
		strlist_free(&p->member_addrs);
		strlist_free(&p->tls_pins);
		free(p->repo_name);
	}
	for (i = 0; i < cfg->nhosts; i++)
		inventory_free_host(&cfg->hosts[i]);
	free(cfg->repos);
	free(cfg->pools);
	free(cfg->hosts);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->listen_addr);
	free(cfg->admin_listen_addr);
	free(cfg->admin_tls_cert);
	free(cfg->admin_tls_key);
	free(cfg->public_url);
	free(cfg->state_dir);
	free(cfg->tftp_root);
	free(cfg->admin_token_file);
	free(cfg->admin_tokens_file);
	free(cfg->template_dir);
	free(cfg->web_dir);
	free(cfg->upgrade_paths);
	config_dnsmasq_free(&cfg->dnsmasq);
	free(cfg->store.conninfo_file);
	strmap_free(&cfg->host_names);
	strmap_free(&cfg->host_macs);
	strmap_free(&cfg->pool_names);
	free(cfg);
}

/* ---- lookups ------------------------------------------------------------- */

struct host *
config_host(const struct config *cfg, const char *name)
{
	size_t i;

	if (cfg->host_names.cap > 0)
		return strmap_get(&cfg->host_names, name, &i) == 0 ?
		    &cfg->hosts[i] : NULL;
	for (i = 0; i < cfg->nhosts; i++)
		if (cfg->hosts[i].name != NULL &&
		    strcmp(cfg->hosts[i].name, name) == 0)
			return &cfg->hosts[i];
	return NULL;
}

struct host *
config_host_by_mac(const struct config *cfg, const char *mac)
{
	char norm[18];
	size_t i;

	if (util_mac_parse(mac, norm, NULL) == -1)
		return NULL;
	if (cfg->host_macs.cap > 0)
		return strmap_get(&cfg->host_macs, norm, &i) == 0 ?
		    &cfg->hosts[i] : NULL;
	for (i = 0; i < cfg->nhosts; i++)
		if (strcmp(cfg->hosts[i].mac, norm) == 0)
			return &cfg->hosts[i];
	return NULL;
}

struct pool *
config_pool(const struct config *cfg, const char *name)
{
	size_t i;

	if (cfg->pool_names.cap > 0)
		return strmap_get(&cfg->pool_names, name, &i) == 0 ?
		    &cfg->pools[i] : NULL;
	for (i = 0; i < cfg->npools; i++)
		if (cfg->pools[i].name != NULL &&
		    strcmp(cfg->pools[i].name, name) == 0)
			return &cfg->pools[i];
	return NULL;
}

struct repo *
config_repo(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nrepos; i++)
		if (cfg->repos[i].name != NULL &&
		    strcmp(cfg->repos[i].name, name) == 0)
			return &cfg->repos[i];
	return NULL;
}

/* What config_treeinfo_handler fills, and how sure each value is. */
struct config_treeinfo {
	struct repo *r;
	int	 brand_rank;	/* of the source r->product_brand came from */
	int	 version_rank;
};

/* .treeinfo as the installer reads it (host-installer repository.py,
 * MainYumRepository): [system-v1] product_name/product_version when the
 * section is there, else [branding] name/version; [build] number. The
 * brand is what the installed host's XAPI then reports as
 * software_version product_brand (the installer writes it into the
 * inventory's PRODUCT_BRAND). [system-v1] product_brand is also taken,
 * below product_name (older poolboot read that key). */
static int
config_treeinfo_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct config_treeinfo *ti = user;
	struct repo *r = ti->r;
	char **dst = NULL;
	int *rank = NULL, want = 0;

	if (key == NULL)
		return 1;
	if (strcmp(section, "system-v1") == 0) {
		if (strcmp(key, "product_version") == 0) {
			dst = &r->product_version;
			rank = &ti->version_rank;
			want = 2;
		} else if (strcmp(key, "product_name") == 0) {
			dst = &r->product_brand;
			rank = &ti->brand_rank;
			want = 3;
		} else if (strcmp(key, "product_brand") == 0) {
			dst = &r->product_brand;
			rank = &ti->brand_rank;
			want = 2;
		} else if (strcmp(key, "build_number") == 0)
			dst = &r->build_number;
	} else if (strcmp(section, "branding") == 0) {
		if (strcmp(key, "version") == 0) {
			dst = &r->product_version;
			rank = &ti->version_rank;
			want = 1;
		} else if (strcmp(key, "name") == 0) {
			dst = &r->product_brand;
			rank = &ti->brand_rank;
			want = 1;
		}
	} else if (strcmp(section, "build") == 0 && strcmp(key, "number") == 0)
		dst = &r->build_number;
	if (dst == NULL || (rank != NULL && *rank > want))
		return 1;
	if (rank != NULL)
		*rank = want;
	config_ini_set_str(dst, value);
	return 1;
}

int
config_repo_inspect(struct repo *r, char *err, size_t errlen)
{
	static const char *need[] = { "boot/xen.gz", "boot/vmlinuz",
	    "install.img" };
	struct config_treeinfo ti = { 0 };
	char p[PATH_MAX];
	struct stat sb;
	size_t i;

	if (stat(r->path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "path '%s' is not a folder (%s)", r->path,
		    errno ? strerror(errno) : "not a directory");
		return -1;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", r->path, need[i]);
		if (stat(p, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "'%s' lacks %s: is it an "
			    "unpacked XenServer/XCP-ng installation ISO?",
			    r->path, need[i]);
			return -1;
		}
	}
	snprintf(p, sizeof(p), "%s/.treeinfo", r->path);
	ti.r = r;
	if (ini_parse(p, config_treeinfo_handler, &ti) != 0) {
		snprintf(err, errlen, "cannot read %s (the ISO's product "
		    "version comes from it)", p);
		return -1;
	}
	if (r->product_version == NULL) {
		snprintf(err, errlen, "%s names no product version ([branding] "
		    "version or [system-v1] product_version)", p);
		return -1;
	}
	return 0;
}

