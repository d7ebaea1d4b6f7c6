/* repo_mirror.c — see repo_mirror.h. */
#include "repo_mirror.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"
#include "repo_fetch.h"

#define MIRROR_LOG		"mirror"
#define MIRROR_TREEINFO_MAX	(1024 * 1024)
#define MIRROR_FILE_MAX		((uint64_t)8 << 30)	/* install.img */

/* What the cache's "files" record says of one boot file. */
struct mirror_rec {
	char	 sha256[65];	/* "" when not recorded */
	int64_t	 size;
	char	 validator[128];
};

/* The record of a repo's cache: the url it came from, one entry per
 * repo_boot_files[i]. */
struct mirror_recs {
	char	 url[1024];
	struct mirror_rec f[REPO_NBOOT_FILES];
};

/* ---- the url ------------------------------------------------------------- */

int
repo_mirror_url(const char *in, char **out, const char **why)
{
	const char *host, *p;
	size_t len;

	*out = NULL;
	if (strncasecmp(in, "http://", 7) == 0)
		host = in + 7;
	else if (strncasecmp(in, "https://", 8) == 0)
		host = in + 8;
	else {
		*why = "must start with http:// or https://";
		return -1;
	}
	if (*host == '\0' || *host == '/' || *host == ':') {
		*why = "names no host";
		return -1;
	}
	for (p = in; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("\"'<>\\`?#", *p) != NULL) {
			*why = "holds a space, quote, control character, "
			    "'?' or '#'";
			return -1;
		}
	len = strlen(in);
	if (len > 900) {
		*why = "is longer than 900 characters";
		return -1;
	}
	if (asprintf(out, "%s%s", in, in[len - 1] == '/' ? "" : "/") < 0) {
		*out = NULL;
		*why = "out of memory";
		return -1;
	}
	return 0;
}

/* ---- the record of the cache --------------------------------------------- */

static int
repo_mirror_rec_index(const char *path)
{
	int i;

	for (i = 0; i < REPO_NBOOT_FILES; i++)
		if (strcmp(path, repo_boot_files[i]) == 0)
			return i;
	return -1;
}

/* Reads cache_dir/files into recs (zeroed first); a missing or foreign
 * line leaves that entry empty. */
static void
repo_mirror_recs_read(const struct repo *r, struct mirror_recs *recs)
{
	char p[PATH_MAX], line[1400], sha[65], path[64];
	long long size;
	FILE *f;
	int n, i;

	memset(recs, 0, sizeof(*recs));
	snprintf(p, sizeof(p), "%s/files", r->cache_dir);
	if ((f = fopen(p, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "url ", 4) == 0) {
			util_strlcpy(recs->url, sizeof(recs->url), line + 4);
			continue;
		}
		n = 0;
		if (sscanf(line, "%64s %lld %63s %n", sha, &size, path, &n) < 3 ||
		    strlen(sha) != 64 || (i = repo_mirror_rec_index(path)) == -1)
			continue;
		memcpy(recs->f[i].sha256, sha, sizeof(sha));
		recs->f[i].size = size;
		util_strlcpy(recs->f[i].validator,
		    sizeof(recs->f[i].validator), n > 0 ? line + n : "");
	}
	fclose(f);
}

static int
repo_mirror_recs_write(const struct repo *r, const struct mirror_recs *recs)
{
	struct sbuf b = { 0 };
	char p[PATH_MAX];
	int i, rc, ret = -1;

	rc = sbuf_printf(&b, "# poolboot: the boot files of repo %s as "
	    "fetched from its mirror (sha256 size path validator)\nurl %s\n",
	    r->name, r->url);
	for (i = 0; i < REPO_NBOOT_FILES; i++)
		if (recs->f[i].sha256[0])
			rc |= sbuf_printf(&b, "%s %" PRId64 " %s %s\n",
			    recs->f[i].sha256, recs->f[i].size,
			    repo_boot_files[i], recs->f[i].validator);
	snprintf(p, sizeof(p), "%s/files", r->cache_dir);
	if (rc == 0 && util_write_atomic(p, b.p, b.len, 0644) == 0)
		ret = 0;
	sbuf_free(&b);
	return ret;
}

/* SHA-256 of the file at path as 64 hex digits; -1 when unreadable. */
static int
repo_mirror_sha256_file(const char *path, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = NULL;
	ssize_t n;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	if (n == -1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		goto out;
	for (i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * i] = '\0';
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return ret;
}

/* Whether the cached copy of boot file i is what was fetched: recorded
 * from this url, of the recorded size and, with hash, of the recorded
 * SHA-256. 1 yes, 0 no (why says what). */
static int
repo_mirror_cached(const struct repo *r, const struct mirror_recs *recs,
    int i, int hash, const char **why)
{
	char p[PATH_MAX], sha[65];
	struct stat sb;

	if (strcmp(recs->url, r->url) != 0 || !recs->f[i].sha256[0]) {
		*why = "not cached";
		return 0;
	}
	snprintf(p, sizeof(p), "%s/%s", r->path, repo_boot_files[i]);
	if (stat(p, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		*why = "missing from the cache";
		return 0;
	}
	if ((int64_t)sb.st_size != recs->f[i].size) {
		*why = "of another size than fetched (damaged)";
		return 0;
	}
	if (hash && (repo_mirror_sha256_file(p, sha) == -1 ||
	    strcmp(sha, recs->f[i].sha256) != 0)) {
		*why = "damaged (its SHA-256 is not the one fetched)";
		return 0;
	}
	return 1;
}

/* The cache's .treeinfo into r->treeinfo when every boot file is cached
 * (sizes only; serve start hashes them); 0, or -1 with why. */
static int
repo_mirror_cache_treeinfo(struct repo *r, const char **why)
{
	struct mirror_recs recs;
	char p[PATH_MAX];
	int i;

	repo_mirror_recs_read(r, &recs);
	for (i = 0; i < REPO_NBOOT_FILES; i++)
		if (!repo_mirror_cached(r, &recs, i, 0, why))
			return -1;
	snprintf(p, sizeof(p), "%s/.treeinfo", r->path);
	free(r->treeinfo);
	if ((r->treeinfo = util_read_file(p, MIRROR_TREEINFO_MAX,
	    NULL)) == NULL) {
		*why = "its .treeinfo is not cached";
		return -1;
	}
	return 0;
}

static void
repo_mirror_opts(const struct repo *r, struct repo_fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ca_file = r->ca_file;
}

/* What a failed fetch asks of the operator. */
static const char *
repo_mirror_advice(enum repo_fetch_result res)
{
	switch (res) {
	case REPO_FETCH_TLS:
		return " (the mirror's certificate must be trusted: set "
		    "ca_file to the CA that signed it)";
	case REPO_FETCH_HTTP:
		return ": url must be the folder of an unpacked "
		    "XenServer/XCP-ng ISO on the mirror";
	default:
		return "";
	}
}

/* The mirror's boot files answer HEAD; -1 with err when one does not. */
static enum repo_fetch_result
repo_mirror_head_all(const struct repo *r, char *err, size_t errlen)
{
	struct repo_fetch_opts o;
	struct repo_fetch_head h;
	enum repo_fetch_result res;
	char url[1200], e[512];
	int i;

	repo_mirror_opts(r, &o);
	for (i = 0; i < REPO_NBOOT_FILES; i++) {
		snprintf(url, sizeof(url), "%s%s", r->url, repo_boot_files[i]);
		if ((res = repo_fetch_head(url, &o, &h, e, sizeof(e))) !=
		    REPO_FETCH_OK) {
			snprintf(err, errlen, "mirror %s lacks %s (%s for "
			    "%s)%s", r->url, repo_boot_files[i], e, url,
			    repo_mirror_advice(res));
			return res;
		}
	}
	return REPO_FETCH_OK;
}

/* ---- load ---------------------------------------------------------------- */

/* r's version and brand from the cache (offline: the mirror cannot be
 * reached) or, without a complete cache, an error. */
static void
repo_mirror_from_cache(struct config_ini *ini, int line, struct repo *r,
    const char *fail)
{
	char err[1024], what[PATH_MAX + 16];
	const char *why = NULL;

	if (repo_mirror_cache_treeinfo(r, &why) == -1) {
		config_ini_err(ini, line, "[repo %s]: mirror %s cannot be "
		    "reached (%s), and its boot files are not cached in %s "
		    "(%s: %s): poolboot needs the mirror once to fetch them",
		    r->name, r->url, fail, r->cache_dir, repo_boot_files[0],
		    why);
		return;
	}
	snprintf(what, sizeof(what), "%s/.treeinfo", r->path);
	if (repo_treeinfo_parse(r, r->treeinfo, what, err, sizeof(err)) == -1)
		config_ini_err(ini, line, "[repo %s]: %s", r->name, err);
	r->offline = 1;
	config_ini_warn(ini, line, "[repo %s]: mirror %s cannot be reached "
	    "(%s): poolboot serves the boot files cached in %s; installers "
	    "fetch their packages from the mirror, so installs from this "
	    "repo fail until it answers", r->name, r->url, fail, r->path);
}

/* The mirror's .treeinfo, read as a local tree's, and its boot files;
 * read-only commands take the cache's when there is one (repo_mirror.h). */
static void
repo_mirror_inspect(struct config_ini *ini, int line, struct repo *r)
{
	struct repo_fetch_opts o;
	enum repo_fetch_result res;
	char url[1200], e[512], err[4096];
	const char *why = NULL;
	size_t len = 0;

	if ((ini->no_passwords || ini->text != NULL) &&
	    repo_mirror_cache_treeinfo(r, &why) == 0) {
		snprintf(url, sizeof(url), "%s/.treeinfo", r->path);
		if (repo_treeinfo_parse(r, r->treeinfo, url, err,
		    sizeof(err)) == -1)
			config_ini_err(ini, line, "[repo %s]: %s", r->name, err);
		return;
	}
	if (ini->text != NULL) {	/* in memory: no network */
		config_ini_err(ini, line, "[repo %s]: mirror %s not read: an "
		    "in-memory configuration only reads the cache (%s)",
		    r->name, r->url, why);
		return;
	}
	repo_mirror_opts(r, &o);
	snprintf(url, sizeof(url), "%s.treeinfo", r->url);
	free(r->treeinfo);
	res = repo_fetch_get(url, &o, MIRROR_TREEINFO_MAX, &r->treeinfo, &len,
	    e, sizeof(e));
	if (res == REPO_FETCH_UNREACHABLE) {
		repo_mirror_from_cache(ini, line, r, e);
		return;
	}
	if (res != REPO_FETCH_OK) {
		config_ini_err(ini, line, "[repo %s]: cannot read the mirror's "
		    ".treeinfo (%s for %s)%s", r->name, e, url,
		    repo_mirror_advice(res));
		return;
	}
	if (strlen(r->treeinfo) != len) {
		config_ini_err(ini, line, "[repo %s]: %s is not a text file",
		    r->name, url);
		return;
	}
	if (repo_treeinfo_parse(r, r->treeinfo, url, err, sizeof(err)) == -1)
		config_ini_err(ini, line, "[repo %s]: %s", r->name, err);
	else if (!ini->no_passwords &&
	    repo_mirror_head_all(r, err, sizeof(err)) != REPO_FETCH_OK)
		config_ini_err(ini, line, "[repo %s]: %s", r->name, err);
}

void
repo_mirror_load(struct config_ini *ini, const char *dir,
    const char *state_dir, struct config_ini_section *sec, struct repo *r)
{
	struct config_ini_kv *url = config_ini_get(sec, "url");
	struct config_ini_kv *ca = config_ini_get(sec, "ca_file");
	struct config_ini_kv *path = config_ini_get(sec, "path");
	const char *why = NULL;
	char p[PATH_MAX], sha[65];
	int bad = 0;

	if (url == NULL) {
		config_ini_err(ini, ca->line, "[repo %s]: ca_file is only for "
		    "a repo with a url (the CA that signed an https mirror's "
		    "certificate)", r->name);
		return;
	}
	if (path != NULL) {
		config_ini_err(ini, path->line, "[repo %s]: 'path' and 'url' "
		    "(line %d) are both set: a repo is a local tree (path) or "
		    "a mirror (url), not both", r->name, url->line);
		bad = 1;
	}
	if (repo_mirror_url(url->value, &r->url, &why) == -1) {
		config_ini_err(ini, url->line, "[repo %s]: url '%s' %s (e.g. "
		    "http://mirror.example/xcp-ng/8.3/)", r->name, url->value,
		    why);
		bad = 1;
	}
	if (ca != NULL) {
		r->ca_file = util_path_join(dir, ca->value);
		if (r->ca_file == NULL || access(r->ca_file, R_OK) == -1) {
			config_ini_err(ini, ca->line, "[repo %s]: ca_file %s "
			    "cannot be read: %s", r->name, ca->value,
			    strerror(errno));
			bad = 1;
		} else if (r->url != NULL && strncasecmp(r->url, "https:",
		    6) != 0)
			config_ini_warn(ini, ca->line, "[repo %s]: ca_file has "
			    "no effect on an http:// url", r->name);
	}
	if (bad)
		return;
	/* one folder per url: a reload that moves the repo to another url
	 * (refused or not) leaves the running one's files alone */
	util_sha256_hex(r->url, sha);
	snprintf(p, sizeof(p), "%s/mirror/%s/%.12s", state_dir, r->name, sha);
	r->cache_dir = strdup(p);
	snprintf(p, sizeof(p), "%s/mirror/%s/%.12s/tree", state_dir, r->name,
	    sha);
	r->path = strdup(p);
	if (r->cache_dir == NULL || r->path == NULL) {
		config_ini_err(ini, url->line, "out of memory");
		return;
	}
	repo_mirror_inspect(ini, url->line, r);
}

/* ---- the cache ----------------------------------------------------------- */

/* Whether the cached copy of boot file i (hashed: cached) can stay: the
 * mirror's size, validator and .treeinfo sha256 (want) all agree. */
static int
repo_mirror_fresh(const struct mirror_rec *rec, const struct repo_fetch_head *h,
    const char *want)
{
	return (h->size < 0 || h->size == rec->size) &&
	    (!h->validator[0] || !rec->validator[0] ||
	    strcmp(h->validator, rec->validator) == 0) &&
	    (!want[0] || strcmp(want, rec->sha256) == 0);
}

/* GET url into a temp file in the cache folder, checked, then renamed
 * over dst; rec gets what was fetched. 0, or -1 with err. */
static int
repo_mirror_download(const struct repo *r, const char *file, const char *url,
    const struct repo_fetch_head *h, const char *want, struct mirror_rec *rec,
    char *err, size_t errlen)
{
	struct repo_fetch_opts o;
	struct repo_fetch_head got;
	char tmp[PATH_MAX], dst[PATH_MAX], sha[65], e[512], what[128];
	time_t t0 = time(NULL);
	int fd, ret = -1;

	snprintf(tmp, sizeof(tmp), "%s/.part.XXXXXX", r->cache_dir);
	snprintf(dst, sizeof(dst), "%s/%s", r->path, file);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create a file in %s: %s",
		    r->cache_dir, strerror(errno));
		return -1;
	}
	repo_mirror_opts(r, &o);
	snprintf(what, sizeof(what), "repo %s: %s", r->name, file);
	o.what = what;
	if (h->size >= 0)
		log_info(MIRROR_LOG, "repo %s: fetching %s (%lld bytes) into "
		    "the cache", r->name, url, (long long)h->size);
	else
		log_info(MIRROR_LOG, "repo %s: fetching %s (size not given) "
		    "into the cache", r->name, url);
	if (repo_fetch_file(url, &o, fd, MIRROR_FILE_MAX, &got, sha, e,
	    sizeof(e)) != REPO_FETCH_OK)
		snprintf(err, errlen, "cannot fetch %s (%s)", url, e);
	else if (want[0] && strcmp(want, sha) != 0)
		snprintf(err, errlen, "%s has SHA-256 %s, not the %s the "
		    "mirror's .treeinfo gives: the mirror's copy is damaged or "
		    "half-synced", url, sha, want);
	else if (h->size >= 0 && got.size != h->size)
		snprintf(err, errlen, "%s changed while it was fetched (%lld "
		    "bytes, %lld announced)", url, (long long)got.size,
		    (long long)h->size);
	else if (fchmod(fd, 0644) == -1 || fsync(fd) == -1 ||
	    rename(tmp, dst) == -1)
		snprintf(err, errlen, "cannot store %s in the cache (%.1024s): "
		    "%s",
		    file, dst, strerror(errno));
	else {
		memcpy(rec->sha256, sha, sizeof(sha));
		rec->size = got.size;
		util_strlcpy(rec->validator, sizeof(rec->validator),
		    got.validator[0] ? got.validator : h->validator);
		log_info(MIRROR_LOG, "repo %s: %s fetched: %lld bytes in %lld "
		    "s, sha256 %s%s", r->name, file, (long long)got.size,
		    (long long)(time(NULL) - t0), sha, want[0] ?
		    " (as .treeinfo gives)" : "");
		ret = 0;
	}
	close(fd);
	if (ret == -1)
		unlink(tmp);
	return ret;
}

/* Boot file i of r brought up to date in the cache (repo_mirror.h). */
static int
repo_mirror_sync_file(const struct repo *r, struct mirror_recs *recs, int i,
    struct strlist *warnings, char *err, size_t errlen)
{
	struct repo_fetch_opts o;
	struct repo_fetch_head h;
	enum repo_fetch_result res;
	const char *file = repo_boot_files[i], *why = NULL;
	char url[1200], want[65], e[512];
	int cached;

	if (repo_treeinfo_sha256(r->treeinfo, file, want) == -1) {
		snprintf(err, errlen, "the mirror's .treeinfo gives a malformed "
		    "sha256 for %s in [checksums]", file);
		return -1;
	}
	cached = repo_mirror_cached(r, recs, i, 1, &why);
	repo_mirror_opts(r, &o);
	snprintf(url, sizeof(url), "%s%s", r->url, file);
	if ((res = repo_fetch_head(url, &o, &h, e, sizeof(e))) !=
	    REPO_FETCH_OK) {
		if (res == REPO_FETCH_UNREACHABLE && cached) {
			strlist_addf(warnings, "repo %s: mirror %s cannot be "
			    "reached (%s): serving the cached %s", r->name,
			    r->url, e, file);
			return 0;
		}
		snprintf(err, errlen, "mirror %s lacks %s (%s for %s)%s",
		    r->url, file, e, url, repo_mirror_advice(res));
		return -1;
	}
	if (cached && repo_mirror_fresh(&recs->f[i], &h, want)) {
		log_info(MIRROR_LOG, "repo %s: %s kept (the cached copy is the "
		    "mirror's)", r->name, file);
		return 0;
	}
	if (cached)
		log_info(MIRROR_LOG, "repo %s: %s changed on the mirror",
		    r->name, file);
	else if (strcmp(why, "not cached") != 0)
		log_warn(MIRROR_LOG, "repo %s: the cached %s is %s: fetching "
		    "it again", r->name, file, why);
	return repo_mirror_download(r, file, url, &h, want, &recs->f[i], err,
	    errlen);
}

/* One mirror repo's cache (repo_mirror.h); -1 when it cannot be served. */
static int
repo_mirror_sync(const struct repo *r, struct strlist *errors,
    struct strlist *warnings)
{
	struct mirror_recs recs;
	char p[PATH_MAX], err[8192];
	const char *why = NULL;
	int i, ret = 0;

	repo_mirror_recs_read(r, &recs);
	if (r->offline) {
		for (i = 0; i < REPO_NBOOT_FILES; i++)
			if (!repo_mirror_cached(r, &recs, i, 1, &why)) {
				strlist_addf(errors, "repo %s: mirror %s cannot "
				    "be reached and the cached %s is %s: "
				    "poolboot cannot boot hosts from this repo "
				    "until the mirror answers", r->name, r->url,
				    repo_boot_files[i], why);
				ret = -1;
			}
		if (ret == 0)
			strlist_addf(warnings, "repo %s: mirror %s cannot be "
			    "reached: serving the boot files cached in %s",
			    r->name, r->url, r->path);
		return ret;
	}
	snprintf(p, sizeof(p), "%s/boot", r->path);
	if (util_mkdirs(p, 0755) == -1) {
		strlist_addf(errors, "repo %s: cannot create the cache %s: %s",
		    r->name, p, strerror(errno));
		return -1;
	}
	for (i = 0; i < REPO_NBOOT_FILES; i++) {
		if (repo_mirror_sync_file(r, &recs, i, warnings, err,
		    sizeof(err)) == -1) {
			strlist_addf(errors, "repo %s: %s", r->name, err);
			ret = -1;
		} else if (repo_mirror_recs_write(r, &recs) == -1) {
			strlist_addf(errors, "repo %s: cannot write %s/files: "
			    "%s", r->name, r->cache_dir, strerror(errno));
			ret = -1;
		}
	}
	snprintf(p, sizeof(p), "%s/.treeinfo", r->path);
	if (ret == 0 && util_write_atomic(p, r->treeinfo, strlen(r->treeinfo),
	    0644) == -1) {
		strlist_addf(errors, "repo %s: cannot write %s: %s", r->name, p,
		    strerror(errno));
		ret = -1;
	}
	return ret;
}

static int
repo_mirror_rm_cb(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) == -1 && errno != ENOENT)
		log_warn(MIRROR_LOG, "cannot remove %s: %s", path,
		    strerror(errno));
	return 0;
}

/* Serve start: the caches of r's earlier urls and the temp files of an
 * interrupted fetch go (nothing serves them now). */
static void
repo_mirror_prune(const struct repo *r)
{
	char parent[PATH_MAX], p[PATH_MAX + 256];
	const char *mine;
	struct dirent *de;
	DIR *d;

	snprintf(parent, sizeof(parent), "%s", r->cache_dir);
	if ((mine = strrchr(r->cache_dir, '/')) == NULL ||
	    strrchr(parent, '/') == NULL)
		return;
	mine++;
	*strrchr(parent, '/') = '\0';
	if ((d = opendir(parent)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 12 ||
		    strspn(de->d_name, "0123456789abcdef") != 12 ||
		    strcmp(de->d_name, mine) == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", parent, de->d_name);
		log_info(MIRROR_LOG, "repo %s: removing %s, the cache of an "
		    "earlier url", r->name, p);
		nftw(p, repo_mirror_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
	closedir(d);
	if ((d = opendir(r->cache_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".part.", 6) == 0) {
			snprintf(p, sizeof(p), "%s/%s", r->cache_dir,
			    de->d_name);
			unlink(p);
		}
	closedir(d);
}

int
repo_mirror_sync_all(struct repo *repos, size_t n, int prune,
    struct strlist *errors, struct strlist *warnings)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (repos[i].url == NULL || repos[i].treeinfo == NULL)
			continue;
		if (prune)
			repo_mirror_prune(&repos[i]);
		if (repo_mirror_sync(&repos[i], errors, warnings) == -1)
			ret = -1;
	}
	return ret;
}
