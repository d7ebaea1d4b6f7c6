/* http_file.c — see http_file.h. */
#include "http_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int http_file_test_no_openat2;

/* ---- path safety ------------------------------------------------------ */

/* Copies relpath into out (size outlen) without empty segments. Refuses
 * "." and ".." segments (EACCES) and over-long paths (ENAMETOOLONG). */
static int
http_file_clean_relpath(const char *relpath, char *out, size_t outlen)
{
	const char *p = relpath, *seg;
	size_t n, used = 0;

	out[0] = '\0';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			errno = EACCES;
			return -1;
		}
		if (used + n + 2 > outlen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (used > 0)
			out[used++] = '/';
		memcpy(out + used, seg, n);
		used += n;
		out[used] = '\0';
	}
	return 0;
}

/* Kernels without openat2: resolve both paths and compare prefixes. There
 * is a window between realpath and open in which a symlink could be
 * swapped; the repo tree belongs to the operator, so that is acceptable
 * for this fallback only. */
static int
http_file_open_fallback(const char *root, const char *clean)
{
	char rroot[PATH_MAX], rfile[PATH_MAX], *joined = NULL;
	size_t rl;
	int fd = -1;

	if (realpath(root, rroot) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (clean[0] == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (asprintf(&joined, "%s/%s", rroot, clean) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (realpath(joined, rfile) == NULL) {
		int e = errno;

		free(joined);
		errno = (e == ELOOP) ? EACCES : ENOENT;
		return -1;
	}
	free(joined);
	rl = strlen(rroot);
	if (!(strcmp(rroot, "/") == 0 ||
	    (strncmp(rfile, rroot, rl) == 0 &&
	    (rfile[rl] == '/' || rfile[rl] == '\0')))) {
		errno = EACCES;
		return -1;
	}
	fd = open(rfile, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW);
	return fd;
}

/* http_file_open_beneath, with the file's stat in *st. */
static int
http_file_open_st(const char *root, const char *relpath, struct stat *st)
{
	char clean[PATH_MAX];
	struct open_how how;
	int dfd = -1, fd = -1, e;

	if (root == NULL || relpath == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (http_file_clean_relpath(relpath, clean, sizeof(clean)) == -1) {
		if (errno == ENAMETOOLONG)
			errno = ENOENT;
		return -1;
	}
	if (clean[0] == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (http_file_test_no_openat2)
		goto fallback;
	if ((dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		errno = ENOENT;
		return -1;
	}
	memset(&how, 0, sizeof(how));
	/* O_NONBLOCK: opening a FIFO someone left in the tree must not hang
	 * a server thread; it has no effect on regular files. */
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dfd, clean, &how, sizeof(how));
	e = errno;
	close(dfd);
	if (fd == -1) {
		/* ENOSYS: kernel before 5.6; EPERM: a seccomp filter.
		 * EXDEV: the walk would leave root — or met an absolute
		 * symlink, which RESOLVE_BENEATH refuses even when it
		 * points inside; the fallback's prefix check decides. */
		if (e == ENOSYS || e == EPERM || e == EXDEV)
			goto fallback;
		switch (e) {
		case ELOOP:	/* symlink loop or magic link */
		case EACCES:
			errno = EACCES;
			break;
		default:
			errno = ENOENT;
			break;
		}
		return -1;
	}
	goto check;
fallback:
	if ((fd = http_file_open_fallback(root, clean)) == -1) {
		e = errno;
		errno = (e == EACCES || e == EISDIR || e == ELOOP) ?
		    (e == EISDIR ? EISDIR : EACCES) : ENOENT;
		return -1;
	}
check:
	if (fstat(fd, st) == -1) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

int
http_file_open_beneath(const char *root, const char *relpath)
{
	struct stat st;

	return http_file_open_st(root, relpath, &st);
}

/* ---- Range ------------------------------------------------------------ */

/* Parses decimal digits at *pp into *v, saturating at UINT64_MAX. Returns
 * the number of digits read. */
static size_t
http_file_parse_u64(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;
	size_t n = 0;

	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (x > (UINT64_MAX - d) / 10)
			x = UINT64_MAX;
		else
			x = x * 10 + d;
		p++;
		n++;
	}
	*pp = p;
	*v = x;
	return n;
}

int
http_file_parse_range(const char *hdr, uint64_t size, uint64_t *start,
    uint64_t *len)
{
	const char *p = hdr;
	uint64_t a = 0, b = 0;
	size_t na, nb;

	if (hdr == NULL)
		return 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "bytes", 5) != 0)
		return 1;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return 1;
	p++;
	if (strchr(p, ',') != NULL)
		return 1;	/* several ranges: not worth multipart */
	while (*p == ' ' || *p == '\t')
		p++;
	na = http_file_parse_u64(&p, &a);
	if (*p != '-')
		return 1;
	p++;
	nb = http_file_parse_u64(&p, &b);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return 1;
	if (na == 0 && nb == 0)
		return 1;	/* "bytes=-" */
	if (na == 0) {		/* suffix: the last b bytes */
		if (b == 0 || size == 0)
			return -1;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return 0;
	}
	if (nb > 0 && b < a)
		return 1;	/* invalid spec: ignore the header */
	if (a >= size)
		return -1;
	if (nb == 0 || b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return 0;
}

/* ---- content types and dates ------------------------------------------ */

static const char *
http_file_content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{ ".xml", "application/xml" },
		{ ".treeinfo", "text/plain; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".cfg", "text/plain; charset=utf-8" },
		{ ".html", "text/html; charset=utf-8" },
		{ ".htm", "text/html; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".sh", "text/x-shellscript" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".img", "application/octet-stream" },
		{ ".gz", "application/octet-stream" },
		{ ".rpm", "application/octet-stream" },
		{ ".iso", "application/octet-stream" },
		{ ".efi", "application/efi" },
	};
	const char *base, *dot;
	size_t i;

	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if ((dot = strrchr(base, '.')) == NULL)
		return "application/octet-stream";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* RFC 9110 IMF-fixdate, independent of the locale. */
static void
http_file_date(time_t t, char out[40])
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- the small-file cache --------------------------------------------- */

/* A repo's small files (the installer's RPMs, .treeinfo, repodata) are
 * kept as ready responses: headers built once, body in memory, so that a
 * hit costs one stat(2) and one send of headers and body together instead
 * of open, openat2, fstat, sendfile and close. A hit is served only while
 * the path still names the same file, unchanged (device, inode, size,
 * mtime, ctime); a file changed less than HTTP_FILE_CACHE_SETTLE seconds
 * ago is not cached at all (timestamps are coarse: two writes within a
 * clock tick could look alike). The bodies are shared by every
 * connection sending them; libmicrohttpd counts its own references, and
 * refs counts the requests between lookup and queueing. */

#define HTTP_FILE_CACHE_MAX	 (64u * 1024 * 1024)	/* every entry */
#define HTTP_FILE_CACHE_FILE_MAX (256u * 1024)		/* one file */
#define HTTP_FILE_CACHE_SETTLE	 2	/* s since the last change */
#define HTTP_FILE_CACHE_BUCKETS	 4096
#define HTTP_FILE_CACHE_OVERHEAD 512	/* MHD's response, headers */

struct http_file_cent {
	struct http_file_cent *hnext;		/* hash chain */
	struct http_file_cent *prev, *next;	/* LRU, most recent first */
	char	*key;		/* root "/" clean relative path */
	uint32_t hash;
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	struct timespec mtim, ctim;
	struct MHD_Response *resp;	/* 200 with its headers */
	size_t	 cost;		/* in http_file_cache.bytes */
	unsigned int refs;		/* requests holding it */
	int	 cached;		/* in the table and the LRU list */
};

static struct {
	pthread_mutex_t	 mu;
	struct http_file_cent *tab[HTTP_FILE_CACHE_BUCKETS];
	struct http_file_cent *head, *tail;
	size_t		 bytes, n;
	atomic_size_t max, file_max;	/* read without mu (a miss) */
} http_file_cache = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.max = HTTP_FILE_CACHE_MAX,
	.file_max = HTTP_FILE_CACHE_FILE_MAX,
};

static uint32_t
http_file_cache_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int
http_file_cache_same(const struct http_file_cent *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	    e->size == st->st_size &&
	    e->mtim.tv_sec == st->st_mtim.tv_sec &&
	    e->mtim.tv_nsec == st->st_mtim.tv_nsec &&
	    e->ctim.tv_sec == st->st_ctim.tv_sec &&
	    e->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

static void
http_file_cache_destroy(struct http_file_cent *e)
{
	if (e->resp != NULL)
		MHD_destroy_response(e->resp); /* the body with the last */
	free(e->key);
	free(e);
}

/* Takes e out of the table and the list (mu held); freed now unless a
 * request still holds it (then by http_file_cache_release). */
static void
http_file_cache_unlink(struct http_file_cent *e)
{
	struct http_file_cent **pp;

	pp = &http_file_cache.tab[e->hash % HTTP_FILE_CACHE_BUCKETS];
	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		http_file_cache.head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		http_file_cache.tail = e->prev;
	http_file_cache.bytes -= e->cost;
	http_file_cache.n--;
	e->cached = 0;
	e->hnext = e->prev = e->next = NULL;
	if (e->refs == 0)
		http_file_cache_destroy(e);
}

static void
http_file_cache_front(struct http_file_cent *e)
{
	if (http_file_cache.head == e)
		return;
	e->prev->next = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		http_file_cache.tail = e->prev;
	e->prev = NULL;
	e->next = http_file_cache.head;
	http_file_cache.head->prev = e;
	http_file_cache.head = e;
}

/* The entry of key if it still is the file st describes, held (release
 * it), or NULL; a stale entry is dropped. */
static struct http_file_cent *
http_file_cache_get(const char *key, const struct stat *st)
{
	struct http_file_cent *e;
	uint32_t h = http_file_cache_hash(key);

	pthread_mutex_lock(&http_file_cache.mu);
	for (e = http_file_cache.tab[h % HTTP_FILE_CACHE_BUCKETS]; e != NULL;
	    e = e->hnext)
		if (e->hash == h && strcmp(e->key, key) == 0)
			break;
	if (e != NULL && !http_file_cache_same(e, st)) {
		http_file_cache_unlink(e);
		e = NULL;
	}
	if (e != NULL) {
		http_file_cache_front(e);
		e->refs++;
	}
	pthread_mutex_unlock(&http_file_cache.mu);
	return e;
}

static void
http_file_cache_release(struct http_file_cent *e)
{
	pthread_mutex_lock(&http_file_cache.mu);
	if (--e->refs == 0 && !e->cached)
		http_file_cache_destroy(e);
	pthread_mutex_unlock(&http_file_cache.mu);
}

/* Adds e (held by the caller) in place of any entry of its key, evicting
 * the least recently used entries to stay within max. */
static void
http_file_cache_put(struct http_file_cent *e)
{
	struct http_file_cent *o;
	size_t max;

	pthread_mutex_lock(&http_file_cache.mu);
	for (o = http_file_cache.tab[e->hash % HTTP_FILE_CACHE_BUCKETS];
	    o != NULL; o = o->hnext)
		if (o->hash == e->hash && strcmp(o->key, e->key) == 0) {
			http_file_cache_unlink(o);
			break;
		}
	max = atomic_load(&http_file_cache.max);
	while (e->cost <= max && http_file_cache.tail != NULL &&
	    http_file_cache.bytes + e->cost > max)
		http_file_cache_unlink(http_file_cache.tail);
	if (http_file_cache.bytes + e->cost <= max) {
		e->hnext = http_file_cache.tab[e->hash %
		    HTTP_FILE_CACHE_BUCKETS];
		http_file_cache.tab[e->hash % HTTP_FILE_CACHE_BUCKETS] = e;
		e->next = http_file_cache.head;
		if (e->next != NULL)
			e->next->prev = e;
		else
			http_file_cache.tail = e;
		http_file_cache.head = e;
		http_file_cache.bytes += e->cost;
		http_file_cache.n++;
		e->cached = 1;
	}
	pthread_mutex_unlock(&http_file_cache.mu);
}

/* The cache key of rest beneath root (root "/" its clean form): 0, or -1
 * for a path the cache leaves to http_file_open_st (refused, too long). */
static int
http_file_cache_key(const char *root, const char *rest, char *key,
    size_t keylen)
{
	char clean[PATH_MAX];
	int n;

	if (root == NULL || rest == NULL ||
	    http_file_clean_relpath(rest, clean, sizeof(clean)) == -1 ||
	    clean[0] == '\0')
		return -1;
	n = snprintf(key, keylen, "%s/%s", root, clean);
	return n < 0 || (size_t)n >= keylen ? -1 : 0;
}

/* Reads the whole of fd (st: its fstat) into a new cache entry, held:
 * NULL when the file is not for the cache (empty, too big, changed
 * lately or while read). */
static struct http_file_cent *
http_file_cache_load(int fd, const struct stat *st, const char *key,
    const char *rest)
{
	struct http_file_cent *e = NULL;
	struct stat st2;
	char lastmod[40], *buf = NULL;
	size_t size = (size_t)st->st_size, got = 0;
	time_t now = time(NULL);
	ssize_t n;

	if (st->st_size <= 0 || size > atomic_load(&http_file_cache.file_max) ||
	    st->st_mtime > now - HTTP_FILE_CACHE_SETTLE ||
	    st->st_ctime > now - HTTP_FILE_CACHE_SETTLE ||
	    (buf = malloc(size)) == NULL)
		return NULL;
	while (got < size) {
		n = pread(fd, buf + got, size - got, (off_t)got);
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	if (fstat(fd, &st2) == -1 || st2.st_size != st->st_size ||
	    st2.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    st2.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	    st2.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    st2.st_ctim.tv_nsec != st->st_ctim.tv_nsec)
		goto fail;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = strdup(key)) == NULL)
		goto fail;
	if ((e->resp = MHD_create_response_from_buffer_with_free_callback(
	    size, buf, free)) == NULL)
		goto fail;
	buf = NULL;	/* the response's now */
	http_file_date(st->st_mtime, lastmod);
	MHD_add_response_header(e->resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    http_file_content_type(rest));
	MHD_add_response_header(e->resp, MHD_HTTP_HEADER_ACCEPT_RANGES,
	    "bytes");
	MHD_add_response_header(e->resp, MHD_HTTP_HEADER_LAST_MODIFIED,
	    lastmod);
	http_req_server_header(e->resp);
	e->hash = http_file_cache_hash(key);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtim = st->st_mtim;
	e->ctim = st->st_ctim;
	e->cost = size + strlen(key) + sizeof(*e) + HTTP_FILE_CACHE_OVERHEAD;
	e->refs = 1;
	http_file_cache_put(e);
	return e;
fail:
	if (e != NULL)
		http_file_cache_destroy(e);
	free(buf);
	return NULL;
}

/* Queues the held entry e's response (200) and releases e. */
static enum MHD_Result
http_file_cache_answer(struct MHD_Connection *con, struct http_req *rq,
    struct http_file_cent *e)
{
	enum MHD_Result r;

	r = http_req_queue_shared(con, rq, MHD_HTTP_OK, e->resp,
	    (uint64_t)e->size);
	http_file_cache_release(e);
	return r;
}

void
http_file_cache_limits(size_t max, size_t file_max)
{
	pthread_mutex_lock(&http_file_cache.mu);
	atomic_store(&http_file_cache.max, max);
	atomic_store(&http_file_cache.file_max, file_max);
	while (http_file_cache.tail != NULL && http_file_cache.bytes > max)
		http_file_cache_unlink(http_file_cache.tail);
	pthread_mutex_unlock(&http_file_cache.mu);
}

void
http_file_cache_stats(size_t *bytes, size_t *entries)
{
	pthread_mutex_lock(&http_file_cache.mu);
	*bytes = http_file_cache.bytes;
	*entries = http_file_cache.n;
	pthread_mutex_unlock(&http_file_cache.mu);
}

void
http_file_cache_clear(void)
{
	pthread_mutex_lock(&http_file_cache.mu);
	while (http_file_cache.head != NULL)
		http_file_cache_unlink(http_file_cache.head);
	pthread_mutex_unlock(&http_file_cache.mu);
}

/* ---- answers ---------------------------------------------------------- */

/* Opens rest beneath root for an answer: 0 with *fd (caller closes) and
 * *st, or -1 with the refusal (403 or 404) queued and its result in
 * *res. hide: a path outside root is a 404 too (nothing said about what
 * is there). */
static int
http_file_open(struct MHD_Connection *con, struct http_req *rq,
    const char *root, const char *rest, int hide, int *fd, struct stat *st,
    enum MHD_Result *res)
{
	if ((*fd = http_file_open_st(root, rest, st)) == -1) {
		if (errno == EACCES && !hide)
			*res = http_req_text(con, rq, MHD_HTTP_FORBIDDEN,
			    HTTP_REQ_TEXT_PLAIN, "forbidden\n", NULL);
		else
			*res = http_req_not_found(con, rq);
		return -1;
	}
	return 0;
}

/* 416 for a file of size bytes. */
static enum MHD_Result
http_file_unsatisfiable(struct MHD_Connection *con, struct http_req *rq,
    uint64_t size)
{
	struct MHD_Response *resp;
	char crange[96];

	snprintf(crange, sizeof(crange), "bytes */%" PRIu64, size);
	resp = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	return http_req_queue(con, rq, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp,
	    0);
}

/* The Range of a GET, or 1 (no Range, or to be ignored). Range is defined
 * for GET only (RFC 9110 14.2); If-Range with a date other than lastmod
 * means "the file changed: send it whole". */
static int
http_file_range(struct MHD_Connection *con, const struct http_req *rq,
    const char *lastmod, uint64_t size, uint64_t *start, uint64_t *len)
{
	const char *hdr, *ifr;

	hdr = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_RANGE);
	if (hdr == NULL || strcmp(rq->method, "GET") != 0)
		return 1;
	ifr = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_RANGE);
	if (ifr != NULL && strcmp(ifr, lastmod) != 0)
		return 1;
	return http_file_parse_range(hdr, size, start, len);
}

/* GET or HEAD of rest beneath root, with byte ranges (http_file_repo). */
static enum MHD_Result
http_file_send(struct MHD_Connection *con, struct http_req *rq,
    const char *root, const char *rest, int hide)
{
	struct MHD_Response *resp;
	struct http_file_cent *e;
	struct stat st;
	char lastmod[40], crange[96], key[PATH_MAX];
	uint64_t size, start = 0, len;
	unsigned int status = MHD_HTTP_OK;
	enum MHD_Result res;
	int fd, rr, cacheable;

	/* whole files from the cache; a Range (GET only) takes the fd way
	 * below (If-Range, 206, 416) */
	cacheable = (strcmp(rq->method, "GET") != 0 ||
	    MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_RANGE) == NULL) &&
	    http_file_cache_key(root, rest, key, sizeof(key)) == 0;
	if (cacheable && stat(key, &st) == 0 && S_ISREG(st.st_mode) &&
	    (e = http_file_cache_get(key, &st)) != NULL)
		return http_file_cache_answer(con, rq, e);
	if (http_file_open(con, rq, root, rest, hide, &fd, &st, &res) == -1)
		return res;
	if (cacheable &&
	    (e = http_file_cache_load(fd, &st, key, rest)) != NULL) {
		close(fd);
		return http_file_cache_answer(con, rq, e);
	}
	size = (uint64_t)st.st_size;
	len = size;
	http_file_date(st.st_mtime, lastmod);
	rr = http_file_range(con, rq, lastmod, size, &start, &len);
	if (rr == -1) {
		close(fd);
		return http_file_unsatisfiable(con, rq, size);
	}
	if (rr == 0) {
		status = MHD_HTTP_PARTIAL_CONTENT;
		snprintf(crange, sizeof(crange),
		    "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start,
		    start + len - 1, size);
	} else {
		start = 0;
		len = size;
	}
	if (len == 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	} else {
		/* the kernel copies the bytes (sendfile); MHD closes fd */
		resp = MHD_create_response_from_fd_at_offset64(len, fd,
		    start);
		if (resp == NULL)
			close(fd);
	}
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    http_file_content_type(rest));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	if (status == MHD_HTTP_PARTIAL_CONTENT)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
		    crange);
	return http_req_queue(con, rq, status, resp, len);
}

enum MHD_Result
http_file_repo(struct MHD_Connection *con, struct http_req *rq,
    const char *root, const char *rest)
{
	return http_file_send(con, rq, root, rest, 0);
}

enum MHD_Result
http_file_grub(struct MHD_Connection *con, struct http_req *rq,
    const char *tftp_root, const char *rest)
{
	char root[PATH_MAX];

	if (tftp_root == NULL || snprintf(root, sizeof(root), "%s/grub",
	    tftp_root) >= (int)sizeof(root))
		return http_req_not_found(con, rq);
	return http_file_send(con, rq, root, rest, 1);
}

/* No token (the files hold no data; the page asks for the admin token and
 * sends it to /api/v1 itself), no listing, nothing outside web_dir. The
 * page only ever talks to this server: the CSP says so, so that injected
 * markup could not load or send anything elsewhere. */
enum MHD_Result
http_file_web(struct MHD_Connection *con, struct http_req *rq,
    const char *dir, const char *rest)
{
	struct MHD_Response *resp;
	struct stat st;
	char lastmod[40];
	uint64_t size;
	enum MHD_Result res;
	int fd;

	if (dir == NULL)
		return http_req_text(con, rq, MHD_HTTP_NOT_FOUND,
		    HTTP_REQ_TEXT_PLAIN, "the web dashboard is not installed "
		    "(set web_dir in [server])\n", NULL);
	if (http_file_open(con, rq, dir, rest, 0, &fd, &st, &res) == -1)
		return res;
	size = (uint64_t)st.st_size;
	http_file_date(st.st_mtime, lastmod);
	if (size == 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	} else if ((resp = MHD_create_response_from_fd64(size, fd)) == NULL)
		close(fd);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    http_file_content_type(rest));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "max-age=60");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	return http_req_queue(con, rq, MHD_HTTP_OK, resp, size);
}
