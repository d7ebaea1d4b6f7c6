/* repo_fetch.c — see repo_fetch.h. */
#include "repo_fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "log.h"

#define REPO_FETCH_LOG	"mirror"

/* What the callbacks of one transfer share. */
struct repo_fetch_xfer {
	/* into memory (get), or discarded after one byte (head's range) */
	char	*buf;
	size_t	 len, cap, max;
	int	 discard;
	/* into a descriptor (file) */
	int	 fd;
	uint64_t fmax, got;
	EVP_MD_CTX *md;
	/* why the write callback stopped the transfer; "" if it did not */
	char	 why[128];
	/* headers of the last response */
	char	 etag[128], lastmod[128];
	int64_t	 range_total;		/* Content-Range's /TOTAL, -1 */
	/* progress */
	const char *what;
	int	 step;			/* last 10% step logged */
	time_t	 logged;
};

static size_t
repo_fetch_mem_cb(char *p, size_t size, size_t n, void *arg)
{
	struct repo_fetch_xfer *x = arg;
	size_t len = size * n, cap;
	char *nb;

	if (x->discard) {
		x->len += len;
		return x->len > 1 ? 0 : len;	/* a range GET ignored */
	}
	if (len > x->max - x->len) {
		snprintf(x->why, sizeof(x->why), "larger than %zu bytes",
		    x->max);
		return 0;
	}
	if (x->len + len + 1 > x->cap) {
		cap = x->cap ? x->cap : 4096;
		while (cap < x->len + len + 1)
			cap *= 2;
		if ((nb = realloc(x->buf, cap)) == NULL) {
			snprintf(x->why, sizeof(x->why), "out of memory");
			return 0;
		}
		x->buf = nb;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, p, len);
	x->len += len;
	x->buf[x->len] = '\0';
	return len;
}

static size_t
repo_fetch_fd_cb(char *p, size_t size, size_t n, void *arg)
{
	struct repo_fetch_xfer *x = arg;
	size_t len = size * n, off = 0;
	ssize_t w;

	if (len > x->fmax - x->got) {
		snprintf(x->why, sizeof(x->why), "larger than %llu bytes",
		    (unsigned long long)x->fmax);
		return 0;
	}
	while (off < len) {
		if ((w = write(x->fd, p + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(x->why, sizeof(x->why), "cannot write the "
			    "cache file: %s", strerror(errno));
			return 0;
		}
		off += (size_t)w;
	}
	EVP_DigestUpdate(x->md, p, len);
	x->got += len;
	return len;
}

/* Keeps ETag, Last-Modified and Content-Range's total of the last
 * response (a redirect's headers are dropped at the next status line). */
static size_t
repo_fetch_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct repo_fetch_xfer *x = arg;
	size_t len = size * n, vlen;
	const char *v, *slash;
	char *dst = NULL;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		x->etag[0] = x->lastmod[0] = '\0';
		x->range_total = -1;
		return len;
	}
	if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		dst = x->etag;
		v = p + 5;
	} else if (len > 14 && strncasecmp(p, "Last-Modified:", 14) == 0) {
		dst = x->lastmod;
		v = p + 14;
	} else if (len > 14 && strncasecmp(p, "Content-Range:", 14) == 0) {
		slash = memchr(p, '/', len);
		if (slash != NULL && slash[1] >= '0' && slash[1] <= '9')
			x->range_total = strtoll(slash + 1, NULL, 10);
		return len;
	} else
		return len;
	while (v < p + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(p + len - v);
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= 128)
		vlen = 127;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return len;
}

static int
repo_fetch_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct repo_fetch_xfer *x = arg;
	time_t now;
	int step;

	(void)ultotal;
	(void)ulnow;
	if (dltotal < 16 * 1024 * 1024 || dlnow <= 0)
		return 0;
	step = (int)(dlnow * 10 / dltotal);
	now = time(NULL);
	if (step <= x->step || step >= 10 || now - x->logged < 2)
		return 0;
	x->step = step;
	x->logged = now;
	log_info(REPO_FETCH_LOG, "%s: %lld of %lld MiB (%d%%)", x->what ?
	    x->what : "download", (long long)(dlnow >> 20),
	    (long long)(dltotal >> 20), step * 10);
	return 0;
}

static CURL *
repo_fetch_easy(const char *url, const struct repo_fetch_opts *o,
    struct repo_fetch_xfer *x, char *ebuf)
{
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "poolboot");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout > 0 ?
	    o->connect_timeout : 5L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, repo_fetch_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	x->range_total = -1;
	ebuf[0] = '\0';
	return c;
}

/* The kind of failure of a finished transfer, and the message. */
static enum repo_fetch_result
repo_fetch_classify(CURL *c, CURLcode rc, const struct repo_fetch_xfer *x,
    const char *ebuf, char *err, size_t errlen)
{
	const char *detail = ebuf[0] ? ebuf : curl_easy_strerror(rc);
	long status = 0;

	switch (rc) {
	case CURLE_OK:
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300)
			return REPO_FETCH_OK;
		snprintf(err, errlen, "HTTP %ld", status);
		return status >= 500 ? REPO_FETCH_UNREACHABLE : REPO_FETCH_HTTP;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(err, errlen, "DNS: %s", detail);
		return REPO_FETCH_UNREACHABLE;
	case CURLE_COULDNT_CONNECT:
		snprintf(err, errlen, "connect: %s", detail);
		return REPO_FETCH_UNREACHABLE;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(err, errlen, "timeout: %s", detail);
		return REPO_FETCH_UNREACHABLE;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
		snprintf(err, errlen, "TLS: %s", detail);
		return REPO_FETCH_TLS;
	case CURLE_WRITE_ERROR:
		if (x->why[0]) {
			snprintf(err, errlen, "%s", x->why);
			return REPO_FETCH_BAD;
		}
		break;
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		snprintf(err, errlen, "%s", detail);
		return REPO_FETCH_HTTP;
	default:
		break;
	}
	snprintf(err, errlen, "transfer: %s", detail);
	return REPO_FETCH_UNREACHABLE;
}

enum repo_fetch_result
repo_fetch_get(const char *url, const struct repo_fetch_opts *o, size_t max,
    char **body, size_t *len, char *err, size_t errlen)
{
	struct repo_fetch_xfer x;
	char ebuf[CURL_ERROR_SIZE];
	enum repo_fetch_result res = REPO_FETCH_BAD;
	CURL *c;

	*body = NULL;
	*len = 0;
	memset(&x, 0, sizeof(x));
	x.max = max;
	if ((c = repo_fetch_easy(url, o, &x, ebuf)) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return REPO_FETCH_BAD;
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout > 0 ? o->timeout :
	    15L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, repo_fetch_mem_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	res = repo_fetch_classify(c, curl_easy_perform(c), &x, ebuf, err,
	    errlen);
	if (res == REPO_FETCH_OK && x.buf == NULL &&
	    (x.buf = strdup("")) == NULL) {
		snprintf(err, errlen, "out of memory");
		res = REPO_FETCH_BAD;
	}
	if (res == REPO_FETCH_OK) {
		*body = x.buf;
		*len = x.len;
		x.buf = NULL;
	}
	free(x.buf);
	curl_easy_cleanup(c);
	return res;
}

static void
repo_fetch_validator(const struct repo_fetch_xfer *x,
    struct repo_fetch_head *h)
{
	snprintf(h->validator, sizeof(h->validator), "%s", x->etag[0] ?
	    x->etag : x->lastmod);
}

enum repo_fetch_result
repo_fetch_head(const char *url, const struct repo_fetch_opts *o,
    struct repo_fetch_head *h, char *err, size_t errlen)
{
	struct repo_fetch_xfer x;
	char ebuf[CURL_ERROR_SIZE];
	enum repo_fetch_result res;
	curl_off_t cl = -1;
	long status = 0;
	CURL *c;

	memset(h, 0, sizeof(*h));
	h->size = -1;
	memset(&x, 0, sizeof(x));
	x.discard = 1;
	if ((c = repo_fetch_easy(url, o, &x, ebuf)) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return REPO_FETCH_BAD;
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout > 0 ? o->timeout :
	    15L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, repo_fetch_mem_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	res = repo_fetch_classify(c, curl_easy_perform(c), &x, ebuf, err,
	    errlen);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (res == REPO_FETCH_HTTP && (status == 405 || status == 501)) {
		/* no HEAD here: one byte of it, its size from Content-Range */
		curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_RANGE, "0-0");
		res = repo_fetch_classify(c, curl_easy_perform(c), &x, ebuf,
		    err, errlen);
		if (res == REPO_FETCH_UNREACHABLE && x.len > 1)
			res = REPO_FETCH_OK;	/* range ignored, cut off */
	}
	if (res == REPO_FETCH_OK) {
		curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		h->size = x.range_total >= 0 ? x.range_total : cl;
		repo_fetch_validator(&x, h);
	}
	curl_easy_cleanup(c);
	return res;
}

static void
repo_fetch_hex(const unsigned char *md, unsigned int n, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n && i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * i] = '\0';
}

enum repo_fetch_result
repo_fetch_file(const char *url, const struct repo_fetch_opts *o, int fd,
    uint64_t max, struct repo_fetch_head *h, char sha256[65], char *err,
    size_t errlen)
{
	struct repo_fetch_xfer x;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char ebuf[CURL_ERROR_SIZE];
	enum repo_fetch_result res = REPO_FETCH_BAD;
	curl_off_t cl = -1;
	CURL *c = NULL;

	memset(h, 0, sizeof(*h));
	h->size = -1;
	sha256[0] = '\0';
	memset(&x, 0, sizeof(x));
	x.fd = fd;
	x.fmax = max;
	x.what = o->what;
	x.logged = time(NULL);
	if ((x.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(x.md, EVP_sha256(), NULL) != 1 ||
	    (c = repo_fetch_easy(url, o, &x, ebuf)) == NULL) {
		snprintf(err, errlen, "cannot start libcurl or SHA-256");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, repo_fetch_fd_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, repo_fetch_progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
	res = repo_fetch_classify(c, curl_easy_perform(c), &x, ebuf, err,
	    errlen);
	if (res != REPO_FETCH_OK)
		goto out;
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (cl >= 0 && (uint64_t)cl != x.got) {
		snprintf(err, errlen, "cut short: %llu of %lld bytes",
		    (unsigned long long)x.got, (long long)cl);
		res = REPO_FETCH_UNREACHABLE;
		goto out;
	}
	EVP_DigestFinal_ex(x.md, md, &mdlen);
	repo_fetch_hex(md, mdlen, sha256);
	h->size = (int64_t)x.got;
	repo_fetch_validator(&x, h);
out:
	EVP_MD_CTX_free(x.md);
	if (c != NULL)
		curl_easy_cleanup(c);
	return res;
}
