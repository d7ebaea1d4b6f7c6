/* client.c — see client.h. libcurl against the running server's admin
 * API, and the admin token file shared by server and CLI. */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"

#define CLIENT_RESP_MAX		(4 * 1024 * 1024)
#define CLIENT_CONNECT_TIMEOUT	3L
#define CLIENT_TOTAL_TIMEOUT	60L
#define CLIENT_XAPI_MARGIN	30L	/* s beyond the server's XAPI budget */
#define CLIENT_TOKEN_MIN	32
#define CLIENT_TOKEN_FILE_MAX	4096

/* Where the CLI finds the server: the admin listener's address, with the
 * wildcard addresses replaced by the loopback of the same family; https
 * when it has a certificate. */
static int
client_base_url(const struct config *cfg, char *out, size_t outlen)
{
	const char *a = cfg->admin_listen_addr;
	const char *scheme = cfg->admin_tls_cert != NULL ? "https" : "http";
	int port = cfg->admin_listen_port, n;

	if (a == NULL || a[0] == '\0' || strcmp(a, "*") == 0 ||
	    strcmp(a, "0.0.0.0") == 0)
		n = snprintf(out, outlen, "%s://127.0.0.1:%d", scheme, port);
	else if (strcmp(a, "::") == 0 || strcmp(a, "[::]") == 0)
		n = snprintf(out, outlen, "%s://[::1]:%d", scheme, port);
	else if (a[0] != '[' && strchr(a, ':') != NULL)
		n = snprintf(out, outlen, "%s://[%s]:%d", scheme, a, port);
	else
		n = snprintf(out, outlen, "%s://%s:%d", scheme, a, port);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

/* The first line of the token file, trimmed; NULL with err set. */
static char *
client_read_token(const char *path, char *err, size_t errlen)
{
	char *buf, *s, *e, *tok = NULL;
	size_t len = 0, i;

	if ((buf = util_read_file(path, CLIENT_TOKEN_FILE_MAX, &len)) ==
	    NULL) {
		snprintf(err, errlen, "cannot read admin token file %s: %s",
		    path, strerror(errno));
		return NULL;
	}
	s = buf;
	s[strcspn(s, "\n")] = '\0';
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	if (strlen(s) < CLIENT_TOKEN_MIN) {
		snprintf(err, errlen, "admin token file %s: the token on its "
		    "first line must be at least %d characters", path,
		    CLIENT_TOKEN_MIN);
		goto out;
	}
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f) {
			snprintf(err, errlen, "admin token file %s: the token "
			    "must be printable ASCII without spaces", path);
			goto out;
		}
	}
	if ((tok = strdup(s)) == NULL)
		snprintf(err, errlen, "out of memory");
out:
	util_wipe(buf, len);
	free(buf);
	return tok;
}

/* Creates path holding a fresh token, without ever replacing a file that
 * appeared meanwhile: temp file, then link(2), which fails if path exists
 * (another process won the race; its token is then read back). */
static int
client_create_token(const char *path, char *err, size_t errlen)
{
	char tok[UTIL_TOKEN_LEN + 2], *tmp = NULL, *dir = NULL, *slash;
	int fd = -1, ret = -1;
	size_t off = 0;
	ssize_t n;

	if ((dir = strdup(path)) == NULL)
		goto oom;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (util_mkdirs(dir, 0700) == -1) {
			snprintf(err, errlen, "cannot create folder %s for "
			    "the admin token file: %s", dir, strerror(errno));
			goto out;
		}
	}
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		goto oom;
	}
	if (util_random_token(tok) == -1) {
		snprintf(err, errlen, "cannot make a random token: %s",
		    strerror(errno));
		goto out;
	}
	tok[UTIL_TOKEN_LEN] = '\n';
	tok[UTIL_TOKEN_LEN + 1] = '\0';
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		snprintf(err, errlen, "cannot create admin token file %s: %s",
		    path, strerror(errno));
		goto out;
	}
	while (off < UTIL_TOKEN_LEN + 1) {
		n = write(fd, tok + off, UTIL_TOKEN_LEN + 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot write admin token file "
			    "%s: %s", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		snprintf(err, errlen, "cannot write admin token file %s: %s",
		    path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (link(tmp, path) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create admin token file %s: %s",
		    path, strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	util_wipe(tok, sizeof(tok));
	return ret;
}

char *
client_admin_token(const struct config *cfg, int create, char *err,
    size_t errlen)
{
	const char *path = cfg != NULL ? cfg->admin_token_file : NULL;
	struct stat st;

	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "no admin_token_file configured");
		return NULL;
	}
	if (stat(path, &st) == -1) {
		if (errno != ENOENT || !create) {
			snprintf(err, errlen, "cannot read admin token file "
			    "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (client_create_token(path, err, errlen) == -1)
			return NULL;
		log_info("api", "created admin token file %s", path);
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "admin token file %s is not a regular "
		    "file", path);
		return NULL;
	} else if ((st.st_mode & 0077) != 0)
		log_warn("api", "admin token file %s is readable by others "
		    "(mode %03o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
	return client_read_token(path, err, errlen);
}

/* ---- the CLI's token: POOLBOOT_TOKEN, --token-file, admin_token_file ---- */

static const char *client_token_file;	/* --token-file, or NULL */

void
client_set_token_file(const char *path)
{
	client_token_file = path;
}

/* The token the CLI sends (caller wipes and frees): $POOLBOOT_TOKEN when
 * set, else the first line of --token-file's file, else the admin token
 * file's. NULL with err set. */
static char *
client_cli_token(const struct config *cfg, char *err, size_t errlen)
{
	const char *env = getenv("POOLBOOT_TOKEN");
	char *tok;
	size_t i, n;
	int missing;

	if (env != NULL && env[0] != '\0') {
		for (i = 0, n = strlen(env); i < n; i++)
			if ((unsigned char)env[i] <= 0x20 ||
			    (unsigned char)env[i] >= 0x7f)
				break;
		if (n < CLIENT_TOKEN_MIN || i < n) {
			snprintf(err, errlen, "POOLBOOT_TOKEN must be a token "
			    "(at least %d printable characters, no spaces), "
			    "as poolboot token add printed it",
			    CLIENT_TOKEN_MIN);
			return NULL;
		}
		if ((tok = strdup(env)) == NULL)
			snprintf(err, errlen, "out of memory");
		return tok;
	}
	if (client_token_file != NULL)
		return client_read_token(client_token_file, err, errlen);
	if ((tok = client_admin_token(cfg, 0, err, errlen)) != NULL)
		return tok;
	missing = errno == ENOENT;
	if (!missing && strlen(err) + 1 < errlen)
		snprintf(err + strlen(err), errlen - strlen(err), " (without "
		    "access to it, use a named token: POOLBOOT_TOKEN=TOKEN or "
		    "--token-file FILE; poolboot token add NAME makes one)");
	return NULL;
}

struct client_buf {
	struct sbuf b;
	int	 too_big;
};

static size_t
client_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct client_buf *cb = arg;
	size_t n = size * nmemb;

	if (sbuf_append(&cb->b, data, n) == -1) {
		cb->too_big = cb->b.overflow;
		return 0;	/* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

void
client_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
client_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *
client_curl_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}

/* The headers of a request: the admin token, Accept and, with a body,
 * Content-Type. NULL when out of memory. */
static struct curl_slist *
client_headers(const char *auth, int with_body)
{
	struct curl_slist *hdrs = NULL, *nh;

	if ((nh = curl_slist_append(hdrs, auth)) == NULL)
		goto oom;
	hdrs = nh;
	if ((nh = curl_slist_append(hdrs, "Accept: application/json")) ==
	    NULL)
		goto oom;
	hdrs = nh;
	if (with_body) {
		if ((nh = curl_slist_append(hdrs,
		    "Content-Type: application/json")) == NULL)
			goto oom;
		hdrs = nh;
	}
	return hdrs;
oom:
	curl_slist_free_all(hdrs);
	return NULL;
}

/* How long to wait for the answer to method path: a pool's precheck,
 * upgrade, retry or abort waits on XAPI, which the server gives at most
 * config_pool_request_s (the longest of any pool); the CLI waits longer,
 * so that the server's answer naming XAPI arrives, not a timeout here. */
static long
client_timeout(const struct config *cfg, const char *method,
    const char *path)
{
	long t = CLIENT_TOTAL_TIMEOUT, need;
	size_t i;

	if (method == NULL || strcmp(method, "POST") != 0 ||
	    strncmp(path, "/api/v1/pools/", 14) != 0)
		return t;
	for (i = 0; i < cfg->npools; i++) {
		need = config_pool_request_s(&cfg->pools[i]) +
		    CLIENT_XAPI_MARGIN;
		if (need > t)
			t = need;
	}
	return t;
}

/* Sets up c for one request of method to url with hdrs and json_body,
 * the answer going to cb and curl's own message to cerr. With TLS the
 * server must present a certificate that chains to cfg's admin_tls_cert
 * (the certificate itself will do) and names the address connected to;
 * the system's CAs are not asked. */
static void
client_setopts(CURL *c, const struct config *cfg, const char *url,
    struct curl_slist *hdrs, const char *method, const char *json_body,
    long tmo, struct client_buf *cb, char *cerr)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	/* the admin token must never go to a proxy from the environment */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (cfg->admin_tls_cert != NULL) {
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->admin_tls_cert);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	} else
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CLIENT_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, tmo);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "poolboot-cli");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, client_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, cb);
	if (method == NULL || strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		const char *b = json_body != NULL ? json_body : "";

		curl_easy_setopt(c, CURLOPT_POSTFIELDS, b);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(b));
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
}

/* The operator's reason for a failed request to the server at base. */
static void
client_perform_error(const struct config *cfg, CURL *c, CURLcode rc,
    const char *base, long tmo, const struct client_buf *cb, const char *cerr,
    char *err, size_t errlen)
{
	long oserr = 0;

	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(err, errlen, "poolboot serve is not running (cannot "
		    "connect to %s: %s); start it with: poolboot serve -c %s",
		    strstr(base, "://") ? strstr(base, "://") + 3 : base,
		    oserr != 0 ? strerror((int)oserr) : curl_easy_strerror(rc),
		    cfg->path ? cfg->path : "<config file>");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(err, errlen, "poolboot serve at %s did not answer "
		    "within %ld s (serve itself is stuck or overloaded: see "
		    "its log)", base, tmo);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(err, errlen, "poolboot serve at %s: TLS failed (%s); "
		    "the server's certificate must be admin_tls_cert of %s "
		    "(or be signed by it) and name the address connected to",
		    base, cerr[0] ? cerr : curl_easy_strerror(rc),
		    cfg->path ? cfg->path : "the config file");
		break;
	case CURLE_WRITE_ERROR:
		if (cb->too_big) {
			snprintf(err, errlen, "answer from %s is larger than %d "
			    "bytes", base, CLIENT_RESP_MAX);
			break;
		}
		/* FALLTHROUGH */
	default:
		snprintf(err, errlen, "request to poolboot serve at %s failed: "
		    "%s", base, cerr[0] ? cerr : curl_easy_strerror(rc));
		break;
	}
}

int
client_request(const struct config *cfg, const char *method,
    const char *path, const char *json_body, long *status, char **resp,
    char *err, size_t errlen)
{
	struct client_buf cb;
	struct curl_slist *hdrs = NULL;
	char base[300], *url = NULL, *auth = NULL, *token = NULL;
	char cerr[CURL_ERROR_SIZE], tokerr[512];
	CURL *c = NULL;
	CURLcode rc;
	long tmo;
	int ret = -1;

	*status = 0;
	*resp = NULL;
	memset(&cb, 0, sizeof(cb));
	cb.b.max = CLIENT_RESP_MAX + 1;
	cerr[0] = '\0';
	if (path == NULL || path[0] != '/') {
		snprintf(err, errlen, "bad API path");
		goto out;
	}
	if (client_base_url(cfg, base, sizeof(base)) == -1) {
		snprintf(err, errlen, "listen address too long");
		goto out;
	}
	/* no token file yet is most often a server that never ran: say so
	 * when nothing answers (the request then goes without a token) */
	if ((token = client_cli_token(cfg, err, errlen)) == NULL &&
	    (cfg->admin_token_file == NULL || access(cfg->admin_token_file,
	    F_OK) == 0 || errno != ENOENT))
		goto out;
	if (token == NULL)
		snprintf(tokerr, sizeof(tokerr), "%s", err);
	if (asprintf(&url, "%s%s", base, path) < 0) {
		url = NULL;
		goto oom;
	}
	if (asprintf(&auth, "Authorization: Bearer %s", token ? token : "") <
	    0) {
		auth = NULL;
		goto oom;
	}
	if ((c = curl_easy_init()) == NULL ||
	    (hdrs = client_headers(auth, json_body != NULL)) == NULL)
		goto oom;
	tmo = client_timeout(cfg, method, path);
	client_setopts(c, cfg, url, hdrs, method, json_body, tmo, &cb, cerr);
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		client_perform_error(cfg, c, rc, base, tmo, &cb, cerr, err,
		    errlen);
		goto out;
	}
	if (token == NULL) {	/* it runs: the token file is the problem */
		snprintf(err, errlen, "%s", tokerr);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	*resp = sbuf_take(&cb.b);
	if (*resp == NULL)
		goto oom;
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	sbuf_free(&cb.b);
	free(url);
	if (auth != NULL) {
		util_wipe(auth, strlen(auth));
		free(auth);
	}
	if (token != NULL) {
		util_wipe(token, strlen(token));
		free(token);
	}
	return ret;
}
