/* xapi.c — see xapi.h. The only user of libcurl for XAPI: XML-RPC POSTs
 * to {url}/ and the GET of /pool/xmldbdump, on one easy handle per struct
 * xapi so connections are kept alive between calls.
 *
 * TLS with a certificate pin (tls_fingerprint). libcurl cannot pin a
 * certificate's SHA-256 by itself (CURLOPT_PINNEDPUBLICKEY pins the public
 * key, and XenServer regenerates self-signed certificates), so peer
 * verification is switched off for such a connection and the pin is
 * checked by us — before any byte of a request leaves:
 * CURLOPT_PREREQFUNCTION runs after the connection (and its TLS handshake)
 * is up and before the request is sent. There, for a fresh handshake, the
 * leaf certificate from CURLINFO_CERTINFO (its "Cert:" PEM) is hashed
 * (SHA-256 of the DER, in xapi_pin.c) and compared with the pin; on a
 * mismatch the transfer is aborted, so neither the password of
 * session.login_with_password nor a session reference is ever sent to the
 * wrong peer. A connection that passed is remembered by its address/port
 * 4-tuple: when libcurl reuses it, no new handshake happens and
 * CURLINFO_CERTINFO may be empty, and the 4-tuple proves it is the
 * connection already checked. TLS session resumption is off so every new
 * connection makes a full handshake and shows its certificate. Every
 * request is checked this way, not only the first one, so a reconnect
 * (keep-alive closed by the server, a redirect to the master) cannot slip
 * an unchecked certificate in.
 */
#include "xapi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "log.h"
#include "util.h"
#include "xapi_error.h"
#include "xapi_pin.h"

#define XAPI_DEFAULT_CONNECT_MS	5000L
#define XAPI_DEFAULT_TIMEOUT_MS	60000L
#define XAPI_DEFAULT_MAX_REPLY	((size_t)64 * 1024 * 1024)
#define XAPI_DUMP_MAX		((curl_off_t)512 * 1024 * 1024)
#define XAPI_DUMP_MIN_TIMEOUT	300000L	/* ms; a big pool's dump takes time */
#define XAPI_MAX_HOPS		3	/* HOST_IS_SLAVE redirects per login */
#define XAPI_API_VERSION	"2.0"

struct xapi {
	char		*conf_url;	/* as configured, without trailing '/' */
	char		*url;		/* in use: the master's after a redirect */
	char		*username;
	char		*password;	/* wiped on free */
	char		*tls_ca;
	unsigned char	 pin[32];
	int		 has_pin;
	int		 tls_verify;
	int		 stay;		/* never follow HOST_IS_SLAVE */
	int		 local;		/* slave_local_login_with_password */
	long		 connect_timeout_ms;
	long		 timeout_ms;
	size_t		 max_reply;
	char		*originator;

	char		*session;	/* NULL: not logged in */
	int64_t		 deadline;	/* xapi_set_deadline; 0: none */
	const char	*what;		/* the call under way, for errors */
	long		 tmo_used;	/* its timeout, ms */
	int		 timed_out;	/* xapi_timed_out */
	CURL		*curl;
	char		 cerr[CURL_ERROR_SIZE];
	char		 pinned_conn[256];	/* 4-tuple that passed the pin */
	char		 pin_err[400];		/* why the pin check aborted */
	char		 pin_seen[96];		/* the other fingerprint, if so */
};

/* ---- configuration ---- */

/* strdup of a URL without its trailing slashes. */
static char *
xapi_url_dup(const char *u)
{
	size_t len = strlen(u);

	while (len > 0 && u[len - 1] == '/')
		len--;
	return strndup(u, len);
}

int
xapi_new(const struct xapi_conf *conf, struct xapi **out)
{
	struct xapi *x;

	*out = NULL;
	if (conf == NULL || conf->url == NULL ||
	    (strncmp(conf->url, "https://", 8) != 0 &&
	    strncmp(conf->url, "http://", 7) != 0)) {
		log_warn("xapi", "XAPI URL must start with https:// or http://");
		return -1;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	if (conf->tls_fingerprint != NULL && conf->tls_fingerprint[0] != '\0') {
		if (xapi_pin_parse(conf->tls_fingerprint, x->pin) == -1) {
			log_warn("xapi", "tls_fingerprint must be a SHA-256 "
			    "fingerprint: 64 hex digits, ':' allowed");
			goto fail;
		}
		x->has_pin = 1;
	}
	x->tls_verify = conf->tls_verify;
	x->what = "the call";
	x->stay = conf->stay || conf->local;
	x->local = conf->local;
	x->connect_timeout_ms = conf->connect_timeout_ms > 0 ?
	    conf->connect_timeout_ms : XAPI_DEFAULT_CONNECT_MS;
	x->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms :
	    XAPI_DEFAULT_TIMEOUT_MS;
	x->max_reply = conf->max_reply > 0 ? conf->max_reply :
	    XAPI_DEFAULT_MAX_REPLY;
	if ((x->conf_url = xapi_url_dup(conf->url)) == NULL ||
	    (x->url = strdup(x->conf_url)) == NULL ||
	    (x->username = strdup(conf->username ? conf->username : "")) ==
	    NULL ||
	    (x->password = strdup(conf->password ? conf->password : "")) ==
	    NULL ||
	    (x->originator = strdup(conf->originator && conf->originator[0] ?
	    conf->originator : "poolboot")) == NULL)
		goto fail;
	if (conf->tls_ca != NULL && conf->tls_ca[0] != '\0' &&
	    (x->tls_ca = strdup(conf->tls_ca)) == NULL)
		goto fail;
	*out = x;
	return 0;
fail:
	x->session = NULL;
	xapi_free(x);
	return -1;
}

const char *
xapi_url(const struct xapi *x)
{
	return x->url;
}

/* Drops the session and the connections (a new master, a restarted xapi
 * or a broken connection all start from scratch). */
void
xapi_reset(struct xapi *x)
{
	if (x == NULL)
		return;
	if (x->session != NULL) {
		util_wipe(x->session, strlen(x->session));
		free(x->session);
		x->session = NULL;
	}
	if (x->curl != NULL) {
		curl_easy_cleanup(x->curl);
		x->curl = NULL;
	}
	x->pinned_conn[0] = '\0';
}

/* ---- transport ---- */

/* The pin check; see the comment at the top of this file. */
static int
xapi_prereq_cb(void *arg, char *rip, char *lip, int rport, int lport)
{
	struct xapi *x = arg;
	struct curl_certinfo *ci = NULL;
	struct curl_slist *s;
	unsigned char md[32];
	char tuple[sizeof(x->pinned_conn)], fp[96];
	const char *pem = NULL;

	snprintf(tuple, sizeof(tuple), "%s:%d>%s:%d", lip, lport, rip, rport);
	if (curl_easy_getinfo(x->curl, CURLINFO_CERTINFO, &ci) == CURLE_OK &&
	    ci != NULL && ci->num_of_certs > 0) {
		for (s = ci->certinfo[0]; s != NULL; s = s->next)
			if (strncmp(s->data, "Cert:", 5) == 0)
				pem = s->data + 5;
		if (pem == NULL || xapi_pin_pem_sha256(pem, md) == -1) {
			snprintf(x->pin_err, sizeof(x->pin_err), "cannot read "
			    "the TLS certificate of %s:%d to check its "
			    "fingerprint", rip, rport);
			return CURL_PREREQFUNC_ABORT;
		}
		if (CRYPTO_memcmp(md, x->pin, sizeof(md)) != 0) {
			xapi_pin_format(md, fp);
			snprintf(x->pin_seen, sizeof(x->pin_seen), "%s", fp);
			snprintf(x->pin_err, sizeof(x->pin_err), "TLS "
			    "certificate of %s:%d has SHA-256 fingerprint %s, "
			    "not the configured tls_fingerprint; nothing was "
			    "sent", rip, rport, fp);
			return CURL_PREREQFUNC_ABORT;
		}
		snprintf(x->pinned_conn, sizeof(x->pinned_conn), "%s", tuple);
		return CURL_PREREQFUNC_OK;
	}
	if (x->pinned_conn[0] != '\0' && strcmp(tuple, x->pinned_conn) == 0)
		return CURL_PREREQFUNC_OK;	/* the checked connection, reused */
	snprintf(x->pin_err, sizeof(x->pin_err), "no TLS certificate from "
	    "%s:%d to check against tls_fingerprint (is the URL https?); "
	    "nothing was sent", rip, rport);
	return CURL_PREREQFUNC_ABORT;
}

int64_t
xapi_deadline_ms(long budget_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + budget_ms;
}

void
xapi_set_deadline(struct xapi *x, int64_t at)
{
	x->deadline = at;
}

int
xapi_timed_out(const struct xapi *x)
{
	return x->timed_out;
}

/* *tmo cut to x's deadline; -1 (err set, a timeout) when it passed. */
static int
xapi_budget(struct xapi *x, long *tmo, struct xapi_error *err)
{
	int64_t left = x->deadline != 0 ? x->deadline - xapi_deadline_ms(0) :
	    *tmo;

	if ((x->timed_out = left <= 0)) {
		xapi_error_set(err, 1, "XAPI at %s: no time left for %s: it "
		    "answered too slowly", x->url, x->what);
		return -1;
	}
	if (left < *tmo)
		*tmo = (long)left;
	x->tmo_used = *tmo;
	return 0;
}

/* Resets the handle (keeping its live connections) and sets what every
 * request needs: url, timeouts, TLS, no proxy, no redirects. */
static int
xapi_setup(struct xapi *x, const char *url, long timeout_ms,
    struct xapi_error *err)
{
	if (x->curl == NULL && (x->curl = curl_easy_init()) == NULL) {
		xapi_error_set(err, 1, "cannot create a libcurl handle");
		return -1;
	}
	if (xapi_budget(x, &timeout_ms, err) == -1)
		return -1;
	curl_easy_reset(x->curl);
	x->cerr[0] = '\0';
	x->pin_err[0] = '\0';
	x->pin_seen[0] = '\0';
	curl_easy_setopt(x->curl, CURLOPT_URL, url);
	curl_easy_setopt(x->curl, CURLOPT_ERRORBUFFER, x->cerr);
	curl_easy_setopt(x->curl, CURLOPT_NOSIGNAL, 1L);
	/* credentials must not go to a proxy taken from the environment */
	curl_easy_setopt(x->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(x->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    x->connect_timeout_ms);
	curl_easy_setopt(x->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(x->curl, CURLOPT_USERAGENT, "poolboot");
	curl_easy_setopt(x->curl, CURLOPT_FORBID_REUSE, 0L);
	if (x->has_pin) {
		curl_easy_setopt(x->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->curl, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(x->curl, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(x->curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
		curl_easy_setopt(x->curl, CURLOPT_PREREQFUNCTION,
		    xapi_prereq_cb);
		curl_easy_setopt(x->curl, CURLOPT_PREREQDATA, x);
	} else if (!x->tls_verify) {
		curl_easy_setopt(x->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(x->curl, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(x->curl, CURLOPT_SSL_VERIFYHOST, 2L);
		if (x->tls_ca != NULL)
			curl_easy_setopt(x->curl, CURLOPT_CAINFO, x->tls_ca);
	}
	return 0;
}

/* err for a failed curl_easy_perform. too_big: the reply hit max. */
static void
xapi_curl_error(struct xapi *x, CURLcode rc, int too_big, size_t max,
    struct xapi_error *err)
{
	if (rc == CURLE_ABORTED_BY_CALLBACK && x->pin_err[0] != '\0') {
		xapi_error_set(err, 1, "XAPI at %s: %s", x->url, x->pin_err);
		if (x->pin_seen[0] != '\0') {
			/* callers must tell "another certificate" apart */
			snprintf(err->code, sizeof(err->code), "%s",
			    XAPI_PIN_MISMATCH);
			snprintf(err->params[0], sizeof(err->params[0]), "%s",
			    x->pin_seen);
			err->nparams = 1;
		}
	}
	else if (too_big || rc == CURLE_FILESIZE_EXCEEDED)
		xapi_error_set(err, 1, "XAPI at %s: reply larger than %zu "
		    "bytes", x->url, max);
	else if (rc == CURLE_OPERATION_TIMEDOUT) {
		curl_off_t up = 0;	/* 0: TCP (https: TLS) not done */
		long t = x->tmo_used;

		curl_easy_getinfo(x->curl, strncmp(x->url, "https:", 6) == 0 ?
		    CURLINFO_APPCONNECT_TIME_T : CURLINFO_CONNECT_TIME_T, &up);
		if (up == 0 && x->connect_timeout_ms < t)
			t = x->connect_timeout_ms;
		x->timed_out = 1;
		xapi_error_set(err, 1, "XAPI at %s did not answer %s within "
		    "%ld %s%s", x->url, x->what, t % 1000 ? t : t / 1000,
		    t % 1000 ? "ms" : "s", up == 0 ? " (connecting)" : "");
	}
	else
		xapi_error_set(err, 1, "XAPI at %s: %s", x->url, x->cerr[0] ?
		    x->cerr : curl_easy_strerror(rc));
}

struct xapi_sink {
	struct sbuf	 b;
	int		 too_big;
};

static size_t
xapi_sink_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xapi_sink *k = arg;
	size_t n = size * nmemb;

	if (sbuf_append(&k->b, data, n) == -1) {
		k->too_big = k->b.overflow;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	return n;
}

/* POSTs one XML-RPC call and returns the parsed reply (the XAPI
 * {Status, ...} struct) in *reply. Any failure here is a transport one. */
static int
xapi_post(struct xapi *x, const char *body, size_t len, long timeout_ms,
    struct xr_value **reply, struct xapi_error *err)
{
	struct xapi_sink k;
	struct curl_slist *hdrs = NULL, *nh;
	char *url = NULL, perr[256];
	long status = 0;
	CURLcode rc;
	int ret = -1;

	*reply = NULL;
	memset(&k, 0, sizeof(k));
	k.b.max = x->max_reply + 1;	/* +1: sbuf keeps a NUL */
	if (asprintf(&url, "%s/", x->url) < 0) {
		url = NULL;
		xapi_error_set(err, 1, "out of memory");
		goto out;
	}
	if (xapi_setup(x, url, timeout_ms, err) == -1)
		goto out;
	if ((nh = curl_slist_append(hdrs, "Content-Type: text/xml")) == NULL)
		goto oom;
	hdrs = nh;
	if ((nh = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto oom;
	hdrs = nh;
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(x->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(x->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(x->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)len);
	curl_easy_setopt(x->curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->max_reply);
	curl_easy_setopt(x->curl, CURLOPT_WRITEFUNCTION, xapi_sink_cb);
	curl_easy_setopt(x->curl, CURLOPT_WRITEDATA, &k);
	rc = curl_easy_perform(x->curl);
	/* the handle keeps no pointer into body or hdrs past this call */
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(x->curl, CURLOPT_POSTFIELDS, NULL);
	if (rc != CURLE_OK) {
		xapi_curl_error(x, rc, k.too_big, x->max_reply, err);
		goto out;
	}
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		xapi_error_set(err, 1, "XAPI at %s: HTTP status %ld", x->url,
		    status);
		goto out;
	}
	if (xr_parse_response(k.b.p, k.b.len, reply, perr, sizeof(perr)) ==
	    -1) {
		xapi_error_set(err, 1, "XAPI at %s: unusable reply: %s", x->url,
		    perr);
		goto out;
	}
	ret = 0;
	goto out;
oom:
	xapi_error_set(err, 1, "out of memory");
out:
	curl_slist_free_all(hdrs);
	sbuf_free(&k.b);
	free(url);
	return ret;
}

/* One XML-RPC call on the current URL, no session handling. On success
 * *value is the reply's Value (detached; XR_NIL if absent). secret: the
 * request carries a password (the encoded body is wiped). */
static int
xapi_rpc(struct xapi *x, const char *method, struct xr_value *const *params,
    size_t n, long timeout_ms, int secret, struct xr_value **value,
    struct xapi_error *err)
{
	struct xr_value *reply = NULL;
	const char *status;
	char *body;
	size_t len = 0, i;
	int ret = -1;

	*value = NULL;
	x->what = method;
	log_debug("xapi", "call %s", method);
	if ((body = xr_build_call(method, params, n, &len)) == NULL) {
		xapi_error_set(err, 0, "cannot encode the request for %s "
		    "(text that is not valid UTF-8 or has control "
		    "characters?)", method);
		snprintf(err->code, sizeof(err->code), "POOLBOOT_BAD_REQUEST");
		return -1;
	}
	if (xapi_post(x, body, len, timeout_ms, &reply, err) == -1)
		goto out;
	status = xr_get_str(reply, "Status");
	if (status != NULL && strcmp(status, "Success") == 0) {
		for (i = 0; i < reply->n; i++) {
			if (strcmp(reply->keys[i], "Value") == 0) {
				*value = reply->items[i];
				reply->items[i] = NULL;
				break;
			}
		}
		if (*value == NULL && (*value = xr_string(NULL)) != NULL)
			(*value)->type = XR_NIL;
		if (*value == NULL) {
			xapi_error_set(err, 1, "out of memory");
			goto out;
		}
		ret = 0;
	} else if (status != NULL && strcmp(status, "Failure") == 0)
		xapi_error_fill(err, xr_get(reply, "ErrorDescription"));
	else
		xapi_error_set(err, 1, "XAPI at %s: reply to %s has no Status "
		    "Success or Failure", x->url, method);
out:
	if (secret)
		util_wipe(body, len);
	free(body);
	xr_free(reply);
	return ret;
}

/* Moves x->url to the host named by HOST_IS_SLAVE, keeping scheme, port
 * and path. addr is an IP address or host name from the member's reply:
 * anything that is not plainly one is refused. */
static int
xapi_switch_host(struct xapi *x, const char *addr, struct xapi_error *err)
{
	CURLU *u = NULL;
	char host[300], *nu = NULL, *fixed = NULL;
	const char *p;
	int v6 = 0, ret = -1;

	if (addr[0] == '\0' || strlen(addr) > 255)
		goto bad;
	for (p = addr; *p != '\0'; p++) {
		if (*p == ':')
			v6 = 1;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'))
			goto bad;
	}
	snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", addr);
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, x->url, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &nu, 0) != CURLUE_OK)
		goto bad;
	if ((fixed = xapi_url_dup(nu)) == NULL) {
		xapi_error_set(err, 1, "out of memory");
		goto out;
	}
	log_info("xapi", "%s is a pool member; the master is %s", x->url,
	    fixed);
	free(x->url);
	x->url = fixed;
	ret = 0;
	goto out;
bad:
	xapi_error_set(err, 0, "HOST_IS_SLAVE [%.200s]: cannot use that master "
	    "address", addr);
	snprintf(err->code, sizeof(err->code), "HOST_IS_SLAVE");
out:
	curl_free(nu);
	curl_url_cleanup(u);
	return ret;
}

/* session.login_with_password on x->url: 4 arguments, 3 if this xapi is
 * too old for the originator. */
static int
xapi_login_here(struct xapi *x, struct xapi_error *err)
{
	struct xr_value *args[4] = { NULL, NULL, NULL, NULL }, *v = NULL;
	const char *s;
	int ret = -1, i;

	if ((args[0] = xr_string(x->username)) == NULL ||
	    (args[1] = xr_string(x->password)) == NULL ||
	    (args[2] = xr_string(XAPI_API_VERSION)) == NULL ||
	    (args[3] = xr_string(x->originator)) == NULL) {
		xapi_error_set(err, 1, "out of memory");
		goto out;
	}
	if (x->local) {
		/* (uname, pwd): datamodel.ml slave_local_login_with_password */
		if (xapi_rpc(x, "session.slave_local_login_with_password", args,
		    2, x->timeout_ms, 1, &v, err) == -1)
			goto out;
	} else if (xapi_rpc(x, "session.login_with_password", args, 4,
	    x->timeout_ms, 1, &v, err) == -1) {
		if (!xapi_error_is(err, "MESSAGE_PARAMETER_COUNT_MISMATCH"))
			goto out;
		log_debug("xapi", "old XAPI: logging in with 3 arguments");
		if (xapi_rpc(x, "session.login_with_password", args, 3,
		    x->timeout_ms, 1, &v, err) == -1)
			goto out;
	}
	if ((s = xr_str(v)) == NULL || s[0] == '\0') {
		xapi_error_set(err, 1, "XAPI at %s: login returned no session "
		    "reference", x->url);
		goto out;
	}
	if ((x->session = strdup(s)) == NULL) {
		xapi_error_set(err, 1, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (args[1] != NULL)
		util_wipe(args[1]->s, strlen(args[1]->s));
	for (i = 0; i < 4; i++)
		xr_free(args[i]);
	xr_free(v);
	return ret;
}

int
xapi_login(struct xapi *x, struct xapi_error *err)
{
	int hops = 0, tried_conf = 0;

	memset(err, 0, sizeof(*err));
	if (x->session != NULL)
		return 0;
	for (;;) {
		if (xapi_login_here(x, err) == 0) {
			log_debug("xapi", "logged in to %s", x->url);
			return 0;
		}
		if (err->transport) {
			xapi_reset(x);
			/* a master we were sent to is gone: ask the configured
			 * host again, it may know the new master */
			if (!tried_conf && strcmp(x->url, x->conf_url) != 0) {
				tried_conf = 1;
				log_info("xapi", "master %s unreachable (%s); "
				    "trying %s", x->url, err->message,
				    x->conf_url);
				free(x->url);
				if ((x->url = strdup(x->conf_url)) == NULL) {
					xapi_error_set(err, 1, "out of memory");
					break;
				}
				continue;
			}
			break;
		}
		if (xapi_error_is(err, "HOST_IS_SLAVE") && err->nparams >= 1 &&
		    hops < XAPI_MAX_HOPS && !x->stay) {
			char addr[sizeof(err->params[0])];

			hops++;
			memcpy(addr, err->params[0], sizeof(addr));
			if (xapi_switch_host(x, addr, err) == -1)
				break;
			xapi_reset(x);	/* another host: new connections */
			continue;
		}
		break;
	}
	log_warn("xapi", "login to %s as %s failed: %s", x->url, x->username,
	    err->message);
	return -1;
}

/* xapi_call with a timeout for this call. */
static int
xapi_call_t(struct xapi *x, const char *method, struct xr_value *const *args,
    size_t nargs, long timeout_ms, struct xr_value **result,
    struct xapi_error *err)
{
	struct xr_value **all = NULL, *v = NULL, *sess = NULL;
	int relogged = 0, moved = 0, ret = -1;

	if (result != NULL)
		*result = NULL;
	memset(err, 0, sizeof(*err));
	if (nargs > 0 && args == NULL) {
		xapi_error_set(err, 0, "%s: arguments missing", method);
		return -1;
	}
	if ((all = calloc(nargs + 1, sizeof(*all))) == NULL) {
		xapi_error_set(err, 1, "out of memory");
		return -1;
	}
	if (nargs > 0)
		memcpy(all + 1, args, nargs * sizeof(*all));
	for (;;) {
		if (xapi_login(x, err) == -1)
			goto out;
		xr_free(sess);
		if ((sess = xr_string(x->session)) == NULL) {
			xapi_error_set(err, 1, "out of memory");
			goto out;
		}
		all[0] = sess;
		if (xapi_rpc(x, method, all, nargs + 1, timeout_ms, 0, &v,
		    err) == 0)
			break;
		if (err->transport) {
			xapi_reset(x);	/* the master may have restarted */
			goto fail;
		}
		if (xapi_error_is(err, "SESSION_INVALID") && !relogged) {
			relogged = 1;
			log_info("xapi", "session expired; logging in again");
			xapi_reset(x);
			continue;
		}
		if (xapi_error_is(err, "HOST_IS_SLAVE") && !moved &&
		    err->nparams >= 1 && !x->stay) {
			char addr[sizeof(err->params[0])];

			moved = 1;
			memcpy(addr, err->params[0], sizeof(addr));
			if (xapi_switch_host(x, addr, err) == -1)
				goto fail;
			xapi_reset(x);
			continue;
		}
		goto fail;
	}
	if (result != NULL) {
		*result = v;
		v = NULL;
	}
	ret = 0;
	goto out;
fail:
	log_warn("xapi", "%s: %s", method, err->message);
out:
	xr_free(v);
	xr_free(sess);
	free(all);
	return ret;
}

int
xapi_call(struct xapi *x, const char *method, struct xr_value *const *args,
    size_t nargs, struct xr_value **result, struct xapi_error *err)
{
	return xapi_call_t(x, method, args, nargs, x->timeout_ms, result, err);
}

int
xapi_call_s(struct xapi *x, const char *method, struct xr_value **result,
    struct xapi_error *err, const char *a1, const char *a2, const char *a3)
{
	struct xr_value *args[3] = { NULL, NULL, NULL };
	const char *in[3] = { a1, a2, a3 };
	size_t n = 0, i;
	int ret = -1;

	if (result != NULL)
		*result = NULL;
	for (i = 0; i < 3 && in[i] != NULL; i++) {
		if ((args[n++] = xr_string(in[i])) == NULL) {
			xapi_error_set(err, 1, "out of memory");
			goto out;
		}
	}
	ret = xapi_call(x, method, args, n, result, err);
out:
	for (i = 0; i < n; i++)
		xr_free(args[i]);
	return ret;
}

/* ---- events ---- */

int
xapi_event_from(struct xapi *x, const char *const *classes, char **token,
    double timeout_s, struct xr_value **events, struct xapi_error *err)
{
	struct xr_value *args[3] = { NULL, NULL, NULL }, *v = NULL;
	const char *tok;
	char *nt = NULL;
	long tmo;
	size_t i;
	int ret = -1;

	*events = NULL;
	memset(err, 0, sizeof(*err));
	if ((args[0] = xr_array()) == NULL)
		goto oom;
	for (i = 0; classes != NULL && classes[i] != NULL; i++)
		if (xr_array_add(args[0], xr_string(classes[i])) == -1)
			goto oom;
	if ((args[1] = xr_string(*token)) == NULL ||
	    (args[2] = xr_double(timeout_s)) == NULL)
		goto oom;
	/* the call itself lasts up to timeout_s: allow for it */
	tmo = x->timeout_ms + (timeout_s > 0 ? (long)(timeout_s * 1000) : 0);
	if (xapi_call_t(x, "event.from", args, 3, tmo, &v, err) == -1)
		goto out;
	if (v == NULL || v->type != XR_STRUCT ||
	    (tok = xr_get_str(v, "token")) == NULL) {
		xapi_error_set(err, 1, "event.from: reply without a token");
		goto out;
	}
	if ((nt = strdup(tok)) == NULL)
		goto oom;
	for (i = 0; i < v->n; i++) {
		if (strcmp(v->keys[i], "events") == 0 &&
		    v->items[i]->type == XR_ARRAY) {
			*events = v->items[i];
			v->items[i] = NULL;
			break;
		}
	}
	if (*events == NULL && (*events = xr_array()) == NULL)
		goto oom;
	*token = nt;
	nt = NULL;
	ret = 0;
	goto out;
oom:
	xapi_error_set(err, 1, "out of memory");
out:
	free(nt);
	xr_free(v);
	for (i = 0; i < 3; i++)
		xr_free(args[i]);
	return ret;
}

/* ---- database dump ---- */

struct xapi_file {
	int		 fd;
	curl_off_t	 total;
	int		 too_big;
	int		 werr;
};

static size_t
xapi_file_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xapi_file *f = arg;
	size_t n = size * nmemb, off = 0;
	ssize_t w;

	if (f->total + (curl_off_t)n > XAPI_DUMP_MAX) {
		f->too_big = 1;
		return 0;
	}
	while (off < n) {
		w = write(f->fd, data + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->werr = errno ? errno : EIO;
			return 0;
		}
		off += (size_t)w;
	}
	f->total += (curl_off_t)n;
	return n;
}

/* One GET of the dump into tmp. *status = the HTTP status (0 if none). */
static int
xapi_dump_once(struct xapi *x, const char *tmp, long *status,
    struct xapi_error *err)
{
	struct xapi_file f = { .fd = -1 };
	char *esc = NULL, *url = NULL;
	long tmo = x->timeout_ms > XAPI_DUMP_MIN_TIMEOUT ? x->timeout_ms :
	    XAPI_DUMP_MIN_TIMEOUT;
	CURLcode rc;
	int ret = -1;

	*status = 0;
	(void)unlink(tmp);
	x->what = "the pool database dump";
	if ((f.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		xapi_error_set(err, 0, "cannot create %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	if (xapi_setup(x, "", tmo, err) == -1)
		goto out;
	if ((esc = curl_easy_escape(x->curl, x->session, 0)) == NULL ||
	    asprintf(&url, "%s/pool/xmldbdump?session_id=%s", x->url, esc) <
	    0) {
		url = NULL;
		xapi_error_set(err, 1, "out of memory");
		goto out;
	}
	log_debug("xapi", "GET %s/pool/xmldbdump", x->url);
	curl_easy_setopt(x->curl, CURLOPT_URL, url);
	curl_easy_setopt(x->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(x->curl, CURLOPT_MAXFILESIZE_LARGE, XAPI_DUMP_MAX);
	curl_easy_setopt(x->curl, CURLOPT_WRITEFUNCTION, xapi_file_cb);
	curl_easy_setopt(x->curl, CURLOPT_WRITEDATA, &f);
	rc = curl_easy_perform(x->curl);
	if (rc == CURLE_WRITE_ERROR && f.werr != 0) {
		xapi_error_set(err, 0, "cannot write %s: %s", tmp,
		    strerror(f.werr));
		goto out;
	}
	if (rc != CURLE_OK) {
		xapi_curl_error(x, rc, f.too_big, (size_t)XAPI_DUMP_MAX, err);
		goto out;
	}
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, status);
	if (*status < 200 || *status > 299) {
		xapi_error_set(err, 0, "XAPI at %s: database dump refused with "
		    "HTTP status %ld", x->url, *status);
		snprintf(err->code, sizeof(err->code), "HTTP_%ld", *status);
		goto out;
	}
	if (fsync(f.fd) == -1) {
		xapi_error_set(err, 0, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (f.fd != -1 && close(f.fd) == -1 && ret == 0) {
		xapi_error_set(err, 0, "cannot write %s: %s", tmp,
		    strerror(errno));
		ret = -1;
	}
	if (x->curl != NULL)
		curl_easy_setopt(x->curl, CURLOPT_URL, "");
	if (url != NULL) {
		util_wipe(url, strlen(url));	/* holds the session */
		free(url);
	}
	curl_free(esc);
	return ret;
}

int
xapi_dump_db(struct xapi *x, const char *path, struct xapi_error *err)
{
	char *tmp = NULL, *dir = NULL, *slash;
	long status = 0;
	int attempt, dfd, ret = -1;

	memset(err, 0, sizeof(*err));
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		xapi_error_set(err, 1, "out of memory");
		goto out;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (xapi_login(x, err) == -1)
			goto out;
		if (xapi_dump_once(x, tmp, &status, err) == 0)
			break;
		if (err->transport)
			xapi_reset(x);
		/* an expired session is refused with 401/403: once more */
		if (attempt == 0 && (status == 401 || status == 403)) {
			xapi_reset(x);
			continue;
		}
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		xapi_error_set(err, 0, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	if ((dir = strdup(path)) != NULL) {
		if ((slash = strrchr(dir, '/')) == NULL)
			snprintf(dir, strlen(dir) + 1, ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
		    -1) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	ret = 0;
	goto out;
fail:
	log_warn("xapi", "database dump from %s: %s", x->url, err->message);
out:
	if (ret == -1 && tmp != NULL)
		(void)unlink(tmp);
	free(tmp);
	free(dir);
	return ret;
}

/* ---- teardown ---- */

void
xapi_free(struct xapi *x)
{
	struct xr_value *sess, *v = NULL;
	struct xapi_error e;

	if (x == NULL)
		return;
	if (x->session != NULL && x->url != NULL &&
	    (sess = xr_string(x->session)) != NULL) {
		/* best effort; a short wait is enough for a goodbye */
		if (x->timeout_ms > x->connect_timeout_ms * 2)
			x->timeout_ms = x->connect_timeout_ms * 2;
		if (xapi_rpc(x, "session.logout", &sess, 1, x->timeout_ms, 0,
		    &v, &e) == -1)
			log_debug("xapi", "logout: %s", e.message);
		xr_free(v);
		xr_free(sess);
	}
	xapi_reset(x);
	if (x->password != NULL) {
		util_wipe(x->password, strlen(x->password));
		free(x->password);
	}
	free(x->conf_url);
	free(x->url);
	free(x->username);
	free(x->tls_ca);
	free(x->originator);
	util_wipe(x->pin, sizeof(x->pin));
	free(x);
}

const char *
xapi_strerror(const struct xapi_error *err)
{
	if (err == NULL)
		return "no error";
	if (err->message[0] != '\0')
		return err->message;
	if (err->code[0] != '\0')
		return err->code;
	return err->transport ? "transport error" : "unknown error";
}
