/* power_redfish.c — power = redfish (power_redfish.h).
 *
 * One action is one short conversation with the BMC, on one libcurl easy
 * handle:
 *   GET  /redfish/v1/                      service root (no auth needed)
 *   POST <Links.Sessions>                  {UserName, Password} -> 201,
 *                                          X-Auth-Token, Location
 *                                          (no SessionService: basic auth)
 *   GET  <Systems>                         the only member, or redfish_system
 *   GET  <system>                          ETag, Boot, PowerState, Actions
 *   PATCH <system> (If-Match: ETag)        {"Boot": {...Once...}}
 *   GET  <system>                          the override took; PowerState
 *   POST <Actions.#ComputerSystem.Reset.target>  {"ResetType": ...}
 *   DELETE <session>
 * Paths come from the resources (@odata.id, target), never built here,
 * except the service root.
 *
 * The certificate pin (redfish_tls_fingerprint) is checked as the pools'
 * XAPI pin is (xapi.c): libcurl's peer verification is off, and
 * CURLOPT_PREREQFUNCTION, which runs after the TLS handshake and before
 * the request is sent, hashes the leaf certificate (CURLINFO_CERTINFO,
 * xapi_pin.c) and aborts on a mismatch. Here every request of a pinned
 * BMC opens a fresh connection without TLS session resumption, so each
 * one shows its certificate and is checked; a handful of requests per
 * power action make that cheap.
 */
#include "power_redfish.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "log.h"
#include "util.h"
#include "xapi_pin.h"

#define RF_MAX_REPLY		((size_t)1024 * 1024)
#define RF_CONNECT_MAX_S	10
#define RF_PW_MAX		4096
#define RF_ROOT			"/redfish/v1/"

/* One conversation with a BMC. */
struct power_redfish_conn {
	const struct host *h;
	CURL		*curl;
	char		*password;		/* wiped on close */
	char		 token[512];		/* X-Auth-Token; wiped */
	char		 session[512];		/* the session's path */
	int		 basic;			/* no session: basic auth */
	unsigned char	 pin[32];
	int		 has_pin;
	long		 connect_ms;
	long		 timeout_ms;
	char		 cerr[CURL_ERROR_SIZE];
	char		 pin_err[400];
};

/* What one request got back. */
struct power_redfish_reply {
	long		 status;
	struct sbuf	 text;			/* the body */
	json_t		*body;			/* NULL: none or not JSON */
	char		 etag[128];
	char		 token[512];
	char		 location[512];
};

/* ---- pure parts ---------------------------------------------------------- */

char *
power_redfish_boot_body(enum host_firmware fw, int http)
{
	json_t *boot, *o;
	const char *mode = NULL;
	char *s = NULL;

	if (fw == HOST_FIRMWARE_BIOS)
		mode = "Legacy";
	else if (fw == HOST_FIRMWARE_UEFI || http)
		mode = "UEFI";	/* UefiHttp exists in UEFI mode only */
	boot = json_pack("{s:s, s:s}", "BootSourceOverrideEnabled", "Once",
	    "BootSourceOverrideTarget", http ? "UefiHttp" : "Pxe");
	if (boot == NULL)
		return NULL;
	if (mode != NULL &&
	    json_object_set_new(boot, "BootSourceOverrideMode",
	    json_string(mode)) == -1) {
		json_decref(boot);
		return NULL;
	}
	if ((o = json_pack("{s:o}", "Boot", boot)) != NULL) {
		s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	return s;
}

static int
power_redfish_listed(const char *v, const char *const allowed[], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (allowed[i] != NULL && strcmp(allowed[i], v) == 0)
			return 1;
	return 0;
}

const char *
power_redfish_reset_type(int on, const char *const allowed[], size_t nallowed)
{
	static const char *const when_on[] = { "ForceRestart", "PowerCycle",
	    "GracefulRestart", NULL };
	static const char *const when_off[] = { "On", "ForceOn", NULL };
	const char *const *pref = on ? when_on : when_off;
	size_t i;

	if (allowed == NULL)
		return pref[0];
	for (i = 0; pref[i] != NULL; i++)
		if (power_redfish_listed(pref[i], allowed, nallowed))
			return pref[i];
	return NULL;
}

/* s as one line of printable ASCII into out. */
static void
power_redfish_one_line(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return;
	for (; *s != '\0' && o + 1 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		out[o++] = c < 0x20 || c >= 0x7f ? (c >= 0x80 ? '?' : ' ') :
		    (char)c;
	}
	out[o] = '\0';
}

void
power_redfish_error_message(const char *body, char *out, size_t outlen)
{
	json_t *j, *e, *m;
	const char *msg = NULL;

	if (outlen > 0)
		out[0] = '\0';
	if (body == NULL || (j = json_loads(body, 0, NULL)) == NULL)
		return;
	if ((e = json_object_get(j, "error")) != NULL && json_is_object(e)) {
		m = json_object_get(json_array_get(json_object_get(e,
		    "@Message.ExtendedInfo"), 0), "Message");
		if (json_is_string(m) && json_string_length(m) > 0)
			msg = json_string_value(m);
		else if (json_is_string(m = json_object_get(e, "message")))
			msg = json_string_value(m);
	}
	if (msg != NULL)
		power_redfish_one_line(msg, out, outlen);
	json_decref(j);
}

/* ---- transport ----------------------------------------------------------- */

/* "BMC host:port" for messages. */
static const char *
power_redfish_bmc(const struct power_redfish_conn *c)
{
	return c->h->redfish_address;
}

/* The path of a URL or path as a resource names it ("https://bmc/x" or
 * "/x"): our requests always go to the configured BMC. NULL when it is
 * neither, or holds characters no path may. */
static const char *
power_redfish_path(const char *ref)
{
	const char *p = ref, *s;

	if (ref == NULL)
		return NULL;
	if (strncasecmp(ref, "https://", 8) == 0 ||
	    strncasecmp(ref, "http://", 7) == 0) {
		p = strstr(ref, "://") + 3;
		if ((p = strchr(p, '/')) == NULL)
			return NULL;
	}
	if (*p != '/' || strlen(p) > 400)
		return NULL;
	for (s = p; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '"' || *s == '\\')
			return NULL;
	return p;
}

/* The pin check, before any byte of the request leaves; see the top of
 * this file. */
static int
power_redfish_prereq_cb(void *arg, char *rip, char *lip, int rport, int lport)
{
	struct power_redfish_conn *c = arg;
	struct curl_certinfo *ci = NULL;
	struct curl_slist *s;
	unsigned char md[32];
	const char *pem = NULL;
	char fp[96];

	(void)lip;
	(void)lport;
	if (curl_easy_getinfo(c->curl, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1) {
		snprintf(c->pin_err, sizeof(c->pin_err), "no TLS certificate "
		    "from %s:%d to check against redfish_tls_fingerprint; "
		    "nothing was sent", rip, rport);
		return CURL_PREREQFUNC_ABORT;
	}
	for (s = ci->certinfo[0]; s != NULL; s = s->next)
		if (strncmp(s->data, "Cert:", 5) == 0)
			pem = s->data + 5;
	if (pem == NULL || xapi_pin_pem_sha256(pem, md) == -1) {
		snprintf(c->pin_err, sizeof(c->pin_err), "cannot read the TLS "
		    "certificate of %s:%d to check its fingerprint", rip, rport);
		return CURL_PREREQFUNC_ABORT;
	}
	if (CRYPTO_memcmp(md, c->pin, sizeof(md)) != 0) {
		xapi_pin_format(md, fp);
		snprintf(c->pin_err, sizeof(c->pin_err), "TLS certificate of "
		    "%s:%d has SHA-256 fingerprint %s, not the configured "
		    "redfish_tls_fingerprint; nothing was sent", rip, rport, fp);
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* Keeps header value v (n bytes, without CRLF) in out when it fits. */
static void
power_redfish_keep(char *out, size_t outlen, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	    v[n - 1] == ' '))
		n--;
	if (n < outlen) {
		memcpy(out, v, n);
		out[n] = '\0';
	}
}

static size_t
power_redfish_header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct power_redfish_reply *r = arg;
	size_t n = size * nitems;
	static const struct {
		const char *name;
		size_t off, len;
	} want[] = {
		{ "ETag:", offsetof(struct power_redfish_reply, etag), 128 },
		{ "X-Auth-Token:", offsetof(struct power_redfish_reply, token),
		    512 },
		{ "Location:", offsetof(struct power_redfish_reply, location),
		    512 },
	};
	size_t i, l;

	/* a new status line (after 100 Continue): forget the old headers */
	if (n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		r->etag[0] = r->token[0] = r->location[0] = '\0';
		return n;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		l = strlen(want[i].name);
		if (n > l && strncasecmp(data, want[i].name, l) == 0)
			power_redfish_keep((char *)r + want[i].off, want[i].len,
			    data + l, n - l);
	}
	return n;
}

static size_t
power_redfish_body_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct power_redfish_reply *r = arg;
	size_t n = size * nmemb;

	return sbuf_append(&r->text, data, n) == -1 ? 0 : n;
}

static void
power_redfish_reply_free(struct power_redfish_reply *r)
{
	json_decref(r->body);
	sbuf_free(&r->text);
	util_wipe(r->token, sizeof(r->token));
	memset(r, 0, sizeof(*r));
}

/* The handle's options for one request: timeouts, TLS, no proxy, no
 * redirects, auth (auth = 0: none; else the session's token, or basic
 * when there is no session). */
static void
power_redfish_setup(struct power_redfish_conn *c, int auth,
    struct power_redfish_reply *r)
{
	const struct host *h = c->h;
	CURL *k = c->curl;

	curl_easy_reset(k);
	c->cerr[0] = '\0';
	c->pin_err[0] = '\0';
	curl_easy_setopt(k, CURLOPT_ERRORBUFFER, c->cerr);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(k, CURLOPT_USERAGENT, "poolboot");
	curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, power_redfish_header_cb);
	curl_easy_setopt(k, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, power_redfish_body_cb);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(k, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)RF_MAX_REPLY);
	if (c->has_pin) {
		curl_easy_setopt(k, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(k, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(k, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(k, CURLOPT_SSL_SESSIONID_CACHE, 0L);
		curl_easy_setopt(k, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(k, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(k, CURLOPT_PREREQFUNCTION,
		    power_redfish_prereq_cb);
		curl_easy_setopt(k, CURLOPT_PREREQDATA, c);
	} else if (h->redfish_tls_noverify) {
		curl_easy_setopt(k, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(k, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(k, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(k, CURLOPT_SSL_VERIFYHOST, 2L);
		if (h->redfish_tls_ca != NULL)
			curl_easy_setopt(k, CURLOPT_CAINFO, h->redfish_tls_ca);
	}
	if (auth && c->token[0] == '\0') {
		curl_easy_setopt(k, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(k, CURLOPT_USERNAME, h->redfish_user);
		curl_easy_setopt(k, CURLOPT_PASSWORD, c->password);
	}
}

/* err for a request that got no HTTP answer. */
static void
power_redfish_curl_error(struct power_redfish_conn *c, const char *method,
    const char *path, CURLcode rc, char *err, size_t errlen)
{
	const char *why = c->cerr[0] ? c->cerr : curl_easy_strerror(rc);

	if (rc == CURLE_ABORTED_BY_CALLBACK && c->pin_err[0] != '\0')
		snprintf(err, errlen, "BMC %s: %s %s: %s", power_redfish_bmc(c),
		    method, path, c->pin_err);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errlen, "BMC %s: %s %s: no answer within %ld s "
		    "(%s)", power_redfish_bmc(c), method, path,
		    c->timeout_ms / 1000, why);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(err, errlen, "BMC %s: %s %s: %s (trust its certificate "
		    "with redfish_tls_ca or redfish_tls_fingerprint)",
		    power_redfish_bmc(c), method, path, why);
	else if (rc == CURLE_FILESIZE_EXCEEDED || rc == CURLE_WRITE_ERROR)
		snprintf(err, errlen, "BMC %s: %s %s: reply larger than %zu "
		    "bytes", power_redfish_bmc(c), method, path, RF_MAX_REPLY);
	else
		snprintf(err, errlen, "BMC %s: %s %s: %s", power_redfish_bmc(c),
		    method, path, why);
}

/* Sends one request to path on the BMC (body: JSON text or NULL;
 * if_match: an ETag or NULL). 0 when an HTTP answer came, whatever its
 * status (r filled; free it with power_redfish_reply_free), -1 with err
 * when none did. */
static int
power_redfish_req(struct power_redfish_conn *c, const char *method,
    const char *path, const char *body, const char *if_match, int auth,
    struct power_redfish_reply *r, char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL, *nh;
	char url[600], line[700];
	CURLcode rc;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->text.max = RF_MAX_REPLY + 1;
	snprintf(url, sizeof(url), "https://%s%s", c->h->redfish_address, path);
	power_redfish_setup(c, auth, r);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	if ((hdrs = curl_slist_append(NULL, "Accept: application/json")) ==
	    NULL)
		goto oom;
	if (body != NULL) {
		if ((nh = curl_slist_append(hdrs, "Content-Type: "
		    "application/json")) == NULL)
			goto oom;
		hdrs = nh;
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(body));
	}
	if (if_match != NULL) {
		snprintf(line, sizeof(line), "If-Match: %s", if_match);
		if ((nh = curl_slist_append(hdrs, line)) == NULL)
			goto oom;
		hdrs = nh;
	}
	if (auth && c->token[0] != '\0') {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", c->token);
		nh = curl_slist_append(hdrs, line);
		util_wipe(line, sizeof(line));
		if (nh == NULL)
			goto oom;
		hdrs = nh;
	}
	if ((nh = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto oom;
	hdrs = nh;
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
	log_ctx(PB_LOG_DEBUG, "power", c->h->pool_name, c->h->name,
	    "BMC %s: %s %s", power_redfish_bmc(c), method, path);
	if ((rc = curl_easy_perform(c->curl)) != CURLE_OK) {
		power_redfish_curl_error(c, method, path, rc, err, errlen);
		goto out;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->text.len > 0)
		r->body = json_loads(r->text.p, 0, NULL);
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	/* the slist holds the token: wipe it before it is freed */
	for (nh = hdrs; nh != NULL; nh = nh->next)
		util_wipe(nh->data, strlen(nh->data));
	curl_slist_free_all(hdrs);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	return ret;
}

/* err for an answer with an unexpected status: the BMC, the method and
 * path, the status and the BMC's message. */
static void
power_redfish_status_error(struct power_redfish_conn *c, const char *method,
    const char *path, const struct power_redfish_reply *r, const char *hint,
    char *err, size_t errlen)
{
	char msg[300];

	power_redfish_error_message(r->text.p, msg, sizeof(msg));
	snprintf(err, errlen, "BMC %s: %s %s: HTTP %ld%s%s%s%s",
	    power_redfish_bmc(c), method, path, r->status, msg[0] ? ": " : "",
	    msg, hint ? " " : "", hint ? hint : "");
}

/* A request that must answer 2xx with a JSON object (want_json) or any
 * 2xx body. 0, or -1 with err. */
static int
power_redfish_call(struct power_redfish_conn *c, const char *method,
    const char *path, const char *body, const char *if_match, int want_json,
    struct power_redfish_reply *r, char *err, size_t errlen)
{
	if (power_redfish_req(c, method, path, body, if_match, 1, r, err,
	    errlen) == -1)
		return -1;
	if (r->status < 200 || r->status > 299) {
		power_redfish_status_error(c, method, path, r, r->status == 401 ?
		    "(check redfish_user and redfish_password_file)" : NULL,
		    err, errlen);
		return -1;
	}
	if (want_json && !json_is_object(r->body)) {
		snprintf(err, errlen, "BMC %s: %s %s: HTTP %ld without a JSON "
		    "object", power_redfish_bmc(c), method, path, r->status);
		return -1;
	}
	return 0;
}

/* The string at o.a.b (b may be NULL), or NULL. */
static const char *
power_redfish_str(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b != NULL)
		v = json_object_get(v, b);
	return json_string_value(v);
}

/* ---- the conversation ---------------------------------------------------- */

/* The password: the first line of redfish_password_file. */
static int
power_redfish_password(struct power_redfish_conn *c, char *err, size_t errlen)
{
	size_t len = 0;
	char *p;

	if ((p = util_read_file(c->h->redfish_password_file, RF_PW_MAX,
	    &len)) == NULL) {
		snprintf(err, errlen, "host %s: cannot read "
		    "redfish_password_file %s: %s", c->h->name,
		    c->h->redfish_password_file, strerror(errno));
		return -1;
	}
	p[strcspn(p, "\r\n")] = '\0';
	c->password = p;
	return 0;
}

/* A session through SessionService (its path from the service root), or
 * basic auth when the service has none. */
static int
power_redfish_login(struct power_redfish_conn *c, json_t *root, char *err,
    size_t errlen)
{
	struct power_redfish_reply r;
	const char *spath, *loc;
	char *body = NULL;
	json_t *o = NULL, *pw;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	spath = power_redfish_path(power_redfish_str(json_object_get(root,
	    "Links"), "Sessions", "@odata.id"));
	if (spath == NULL) {
		c->basic = 1;
		log_ctx(PB_LOG_DEBUG, "power", c->h->pool_name, c->h->name,
		    "BMC %s: no SessionService: HTTP basic auth",
		    power_redfish_bmc(c));
		return 0;
	}
	if ((o = json_pack("{s:s, s:s}", "UserName", c->h->redfish_user,
	    "Password", c->password)) == NULL ||
	    (body = json_dumps(o, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (power_redfish_req(c, "POST", spath, body, NULL, 0, &r, err,
	    errlen) == -1)
		goto out;
	if (r.status == 404 || r.status == 405 || r.status == 501) {
		c->basic = 1;	/* sessions are not offered after all */
		ret = 0;
		goto out;
	}
	if ((r.status != 200 && r.status != 201) || r.token[0] == '\0') {
		power_redfish_status_error(c, "POST", spath, &r, r.status == 401 ?
		    "(check redfish_user and redfish_password_file)" :
		    "(no session token)", err, errlen);
		goto out;
	}
	util_strlcpy(c->token, sizeof(c->token), r.token);
	loc = power_redfish_path(r.location[0] ? r.location :
	    power_redfish_str(r.body, "@odata.id", NULL));
	if (loc != NULL)
		util_strlcpy(c->session, sizeof(c->session), loc);
	ret = 0;
out:
	if (body != NULL) {
		util_wipe(body, strlen(body));
		free(body);
	}
	if ((pw = json_object_get(o, "Password")) != NULL)	/* jansson's copy */
		util_wipe((void *)(uintptr_t)json_string_value(pw),
		    json_string_length(pw));
	json_decref(o);
	power_redfish_reply_free(&r);
	return ret;
}

/* Opens the conversation: password, handle, service root, login. *root
 * gets the service root (caller json_decref's it). */
static int
power_redfish_open(const struct host *h, int timeout_s,
    struct power_redfish_conn *c, json_t **root, char *err, size_t errlen)
{
	struct power_redfish_reply r;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	memset(&r, 0, sizeof(r));
	*root = NULL;
	c->h = h;
	c->timeout_ms = (long)timeout_s * 1000;
	c->connect_ms = (long)(timeout_s < RF_CONNECT_MAX_S ? timeout_s :
	    RF_CONNECT_MAX_S) * 1000;
	if (h->redfish_address == NULL || h->redfish_user == NULL ||
	    h->redfish_password_file == NULL) {
		snprintf(err, errlen, "host %s: power = redfish needs "
		    "redfish_address, redfish_user and redfish_password_file",
		    h->name);
		return -1;
	}
	if (h->redfish_tls_fingerprint != NULL) {
		if (xapi_pin_parse(h->redfish_tls_fingerprint, c->pin) == -1) {
			snprintf(err, errlen, "host %s: redfish_tls_fingerprint "
			    "is not a SHA-256 fingerprint", h->name);
			return -1;
		}
		c->has_pin = 1;
	}
	if (power_redfish_password(c, err, errlen) == -1)
		return -1;
	if ((c->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot create a libcurl handle");
		return -1;
	}
	if (power_redfish_req(c, "GET", RF_ROOT, NULL, NULL, 0, &r, err,
	    errlen) == -1)
		goto out;
	if (r.status == 401) {
		/* some BMCs want credentials even for the service root */
		power_redfish_reply_free(&r);
		if (power_redfish_req(c, "GET", RF_ROOT, NULL, NULL, 1, &r,
		    err, errlen) == -1)
			goto out;
	}
	if (r.status != 200 || !json_is_object(r.body)) {
		power_redfish_status_error(c, "GET", RF_ROOT, &r, r.status == 200 ?
		    "(not a Redfish service root)" : NULL, err, errlen);
		goto out;
	}
	*root = json_incref(r.body);
	if (power_redfish_login(c, *root, err, errlen) == -1)
		goto out;
	ret = 0;
out:
	power_redfish_reply_free(&r);
	return ret;
}

/* Ends the session (if any) and frees the conversation. */
static void
power_redfish_close(struct power_redfish_conn *c)
{
	struct power_redfish_reply r;
	char err[512];

	if (c->curl != NULL && c->token[0] != '\0' && c->session[0] != '\0') {
		if (power_redfish_req(c, "DELETE", c->session, NULL, NULL, 1,
		    &r, err, sizeof(err)) == -1)
			log_ctx(PB_LOG_WARN, "power", c->h->pool_name,
			    c->h->name, "%s (session not ended)", err);
		else if (r.status < 200 || r.status > 299)
			log_ctx(PB_LOG_WARN, "power", c->h->pool_name,
			    c->h->name, "BMC %s: DELETE %s: HTTP %ld (session "
			    "not ended)", power_redfish_bmc(c), c->session,
			    r.status);
		power_redfish_reply_free(&r);
	}
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	if (c->password != NULL) {
		util_wipe(c->password, strlen(c->password));
		free(c->password);
	}
	util_wipe(c->token, sizeof(c->token));
	memset(c, 0, sizeof(*c));
}

/* The first member's @odata.id, for a message. */
static const char *
power_redfish_first(json_t *members)
{
	const char *s = power_redfish_str(json_array_get(members, 0),
	    "@odata.id", NULL);

	return s != NULL ? s : "?";
}

/* The ComputerSystem: redfish_system, else the only member of the
 * service root's Systems collection. */
static int
power_redfish_find_system(struct power_redfish_conn *c, json_t *root,
    char *out, size_t outlen, char *err, size_t errlen)
{
	struct power_redfish_reply r;
	const char *coll, *p;
	json_t *members;
	size_t n;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	if (c->h->redfish_system != NULL) {
		util_strlcpy(out, outlen, c->h->redfish_system);
		return 0;
	}
	if ((coll = power_redfish_path(power_redfish_str(root, "Systems",
	    "@odata.id"))) == NULL) {
		snprintf(err, errlen, "BMC %s: the service root names no "
		    "Systems collection", power_redfish_bmc(c));
		return -1;
	}
	if (power_redfish_call(c, "GET", coll, NULL, NULL, 1, &r, err,
	    errlen) == -1)
		goto out;
	members = json_object_get(r.body, "Members");
	n = json_array_size(members);
	if (n != 1) {
		snprintf(err, errlen, "BMC %s: %s has %zu systems%s%s%s; set "
		    "redfish_system in [host %s] to the @odata.id of its own",
		    power_redfish_bmc(c), coll, n, n ? " (" : "",
		    n ? power_redfish_first(members) : "", n ? ", ...)" : "",
		    c->h->name);
		goto out;
	}
	if ((p = power_redfish_path(power_redfish_str(json_array_get(members,
	    0), "@odata.id", NULL))) == NULL) {
		snprintf(err, errlen, "BMC %s: %s: its member has no usable "
		    "@odata.id", power_redfish_bmc(c), coll);
		goto out;
	}
	util_strlcpy(out, outlen, p);
	ret = 0;
out:
	power_redfish_reply_free(&r);
	return ret;
}

/* The strings of a JSON array into v (at most max): their count, or
 * (size_t)-1 when arr is no array (the BMC lists nothing). */
static size_t
power_redfish_strings(json_t *arr, const char *v[], size_t max)
{
	size_t i, n = 0;

	if (!json_is_array(arr))
		return (size_t)-1;
	for (i = 0; i < json_array_size(arr) && n < max; i++)
		if (json_is_string(json_array_get(arr, i)))
			v[n++] = json_string_value(json_array_get(arr, i));
	return n;
}

/* Refuses a value the BMC says it does not take (its AllowableValues). */
static int
power_redfish_allowed(struct power_redfish_conn *c, const char *path,
    json_t *boot, const char *prop, const char *value, char *err,
    size_t errlen)
{
	const char *v[32];
	char key[96];
	size_t n;

	snprintf(key, sizeof(key), "%s@Redfish.AllowableValues", prop);
	n = power_redfish_strings(json_object_get(boot, key), v, 32);
	if (n == (size_t)-1 || power_redfish_listed(value, v, n))
		return 0;
	snprintf(err, errlen, "BMC %s: %s offers no %s %s (only %zu others; "
	    "see its Boot.%s)", power_redfish_bmc(c), path, prop, value, n,
	    key);
	return -1;
}

/* GETs the system, checks the override against what the BMC allows and
 * PATCHes it (If-Match with the ETag the BMC sent; once more after a
 * 412, as someone else changed it in between). */
static int
power_redfish_override(struct power_redfish_conn *c, const char *path,
    char *err, size_t errlen)
{
	struct power_redfish_reply r;
	const char *mode, *target, *e;
	char *body, etag[128];
	json_t *patch = NULL, *boot, *want;
	int tries, ret = -1;

	memset(&r, 0, sizeof(r));
	if ((body = power_redfish_boot_body(c->h->firmware,
	    c->h->redfish_boot_http)) == NULL ||
	    (patch = json_loads(body, 0, NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	want = json_object_get(patch, "Boot");
	mode = power_redfish_str(want, "BootSourceOverrideMode", NULL);
	target = power_redfish_str(want, "BootSourceOverrideTarget", NULL);
	for (tries = 0; tries < 2; tries++) {
		power_redfish_reply_free(&r);
		if (power_redfish_call(c, "GET", path, NULL, NULL, 1, &r, err,
		    errlen) == -1)
			goto out;
		if (!json_is_object(boot = json_object_get(r.body, "Boot"))) {
			snprintf(err, errlen, "BMC %s: %s has no Boot object "
			    "(no boot override)", power_redfish_bmc(c), path);
			goto out;
		}
		if (power_redfish_allowed(c, path, boot,
		    "BootSourceOverrideTarget", target, err, errlen) == -1 ||
		    (mode != NULL && power_redfish_allowed(c, path, boot,
		    "BootSourceOverrideMode", mode, err, errlen) == -1))
			goto out;
		e = r.etag[0] ? r.etag : power_redfish_str(r.body,
		    "@odata.etag", NULL);
		util_strlcpy(etag, sizeof(etag), e != NULL ? e : "");
		power_redfish_reply_free(&r);
		if (power_redfish_req(c, "PATCH", path, body, etag[0] ? etag :
		    NULL, 1, &r, err, errlen) == -1)
			goto out;
		if (r.status == 412 && tries == 0)
			continue;
		if (r.status < 200 || r.status > 299) {
			power_redfish_status_error(c, "PATCH", path, &r, NULL,
			    err, errlen);
			goto out;
		}
		ret = 0;
		break;
	}
out:
	power_redfish_reply_free(&r);
	json_decref(patch);
	free(body);
	return ret;
}

/* PowerState: 1 on (On, PoweringOn), 0 off (Off, PoweringOff), -1 none. */
static int
power_redfish_on(json_t *sys)
{
	const char *ps = power_redfish_str(sys, "PowerState", NULL);

	if (ps == NULL)
		return -1;
	if (strcmp(ps, "On") == 0 || strcmp(ps, "PoweringOn") == 0)
		return 1;
	if (strcmp(ps, "Off") == 0 || strcmp(ps, "PoweringOff") == 0)
		return 0;
	return -1;
}

/* Reads the system back (the override must show Once; some BMCs accept a
 * PATCH they ignore) and resets it as its PowerState needs, through the
 * target its Actions name. *on and *type say what was done. */
static int
power_redfish_reset(struct power_redfish_conn *c, const char *path, int *on,
    const char **type, char *err, size_t errlen)
{
	struct power_redfish_reply r, a;
	const char *allowed[32], *enabled, *target;
	char body[64], tpath[512];
	json_t *reset;
	size_t n;
	int ret = -1;

	memset(&a, 0, sizeof(a));
	if (power_redfish_call(c, "GET", path, NULL, NULL, 1, &r, err,
	    errlen) == -1)
		goto out;
	enabled = power_redfish_str(json_object_get(r.body, "Boot"),
	    "BootSourceOverrideEnabled", NULL);
	if (enabled == NULL || strcmp(enabled, "Once") != 0) {
		snprintf(err, errlen, "BMC %s: %s took the PATCH but its "
		    "Boot.BootSourceOverrideEnabled is %s, not Once",
		    power_redfish_bmc(c), path, enabled ? enabled : "missing");
		goto out;
	}
	if ((*on = power_redfish_on(r.body)) == -1) {
		snprintf(err, errlen, "BMC %s: %s: PowerState %s is neither On "
		    "nor Off", power_redfish_bmc(c), path, power_redfish_str(
		    r.body, "PowerState", NULL) ? power_redfish_str(r.body,
		    "PowerState", NULL) : "missing");
		goto out;
	}
	reset = json_object_get(json_object_get(r.body, "Actions"),
	    "#ComputerSystem.Reset");
	target = power_redfish_path(power_redfish_str(reset, "target", NULL));
	if (target == NULL) {
		snprintf(err, errlen, "BMC %s: %s offers no "
		    "Actions.#ComputerSystem.Reset target",
		    power_redfish_bmc(c), path);
		goto out;
	}
	util_strlcpy(tpath, sizeof(tpath), target);
	n = power_redfish_strings(json_object_get(reset,
	    "ResetType@Redfish.AllowableValues"), allowed, 32);
	if ((*type = power_redfish_reset_type(*on, n == (size_t)-1 ? NULL :
	    allowed, n == (size_t)-1 ? 0 : n)) == NULL) {
		snprintf(err, errlen, "BMC %s: %s allows no ResetType that %s "
		    "the system (%s)", power_redfish_bmc(c), tpath, *on ?
		    "restarts" : "powers on", *on ? "ForceRestart, PowerCycle, "
		    "GracefulRestart" : "On, ForceOn");
		goto out;
	}
	snprintf(body, sizeof(body), "{\"ResetType\":\"%s\"}", *type);
	if (power_redfish_call(c, "POST", tpath, body, NULL, 0, &a, err,
	    errlen) == -1)
		goto out;
	ret = 0;
out:
	power_redfish_reply_free(&a);
	power_redfish_reply_free(&r);
	return ret;
}

int
power_redfish_pxe_boot(const struct host *h, int timeout_s, char *err,
    size_t errlen)
{
	struct power_redfish_conn c;
	const char *type = NULL;
	char path[512];
	json_t *root = NULL;
	int on = 0, ret = -1;

	if (power_redfish_open(h, timeout_s, &c, &root, err, errlen) == -1 ||
	    power_redfish_find_system(&c, root, path, sizeof(path), err,
	    errlen) == -1 ||
	    power_redfish_override(&c, path, err, errlen) == -1 ||
	    power_redfish_reset(&c, path, &on, &type, err, errlen) == -1)
		goto out;
	snprintf(err, errlen, "BMC %s: %s boot override Once %s%s%s (next "
	    "boot only), PowerState was %s: %s", h->redfish_address, path,
	    h->redfish_boot_http ? "UefiHttp" : "Pxe",
	    h->firmware == HOST_FIRMWARE_BIOS ? " Legacy" :
	    h->firmware == HOST_FIRMWARE_UEFI || h->redfish_boot_http ?
	    " UEFI" : "", c.basic ? ", basic auth" : "", on ? "On" : "Off",
	    type);
	log_ctx(PB_LOG_INFO, "power", h->pool_name, h->name, "%s", err);
	ret = 0;
out:
	if (ret == -1)
		log_ctx(PB_LOG_ERROR, "power", h->pool_name, h->name, "%s", err);
	json_decref(root);
	power_redfish_close(&c);
	return ret;
}

int
power_redfish_status(const struct host *h, int timeout_s, int *on, char *err,
    size_t errlen)
{
	struct power_redfish_conn c;
	struct power_redfish_reply r;
	char path[512];
	json_t *root = NULL;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	if (power_redfish_open(h, timeout_s, &c, &root, err, errlen) == -1 ||
	    power_redfish_find_system(&c, root, path, sizeof(path), err,
	    errlen) == -1 ||
	    power_redfish_call(&c, "GET", path, NULL, NULL, 1, &r, err,
	    errlen) == -1)
		goto out;
	if ((*on = power_redfish_on(r.body)) == -1) {
		snprintf(err, errlen, "BMC %s: %s: PowerState is neither On nor "
		    "Off", h->redfish_address, path);
		goto out;
	}
	snprintf(err, errlen, "system power is %s", *on ? "On" : "Off");
	ret = 0;
out:
	if (ret == -1)
		log_ctx(PB_LOG_ERROR, "power", h->pool_name, h->name, "%s", err);
	power_redfish_reply_free(&r);
	json_decref(root);
	power_redfish_close(&c);
	return ret;
}
