/* test_http.c — the admin API's answers (api_handle on a real config,
 * store and arm) and what a client of the running server gets. The file
 * tree rules and Range parsing are in test_http_file.c. */
#include "unit.h"
#include "unit_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <jansson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "api.h"
#include "arm.h"
#include "client.h"
#include "config.h"
#include "config_live.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "util.h"

static char *
pathf(const char *fmt, const char *a)
{
	char *p;

	assert_true(asprintf(&p, fmt, a) > 0);
	return p;
}

/* ---- api_handle ---- */

struct apifix {
	char		*dir;
	struct config	*cfg;
	struct config_live *live;	/* borrows cfg */
	struct store	*st;
	struct arm	*arm;
	struct http_deps deps;
};

static const char *
templates_dir(void)
{
	static char buf[4096];
	static const char *cands[] = { "templates", "../templates",
	    "../../templates" };
	char *src, *slash, *p;
	size_t i;

	/* next to this source file first */
	src = strdup(__FILE__);
	if (src != NULL && (slash = strrchr(src, '/')) != NULL) {
		*slash = '\0';
		if (asprintf(&p, "%s/../../templates/answerfile-upgrade.xml",
		    src) > 0) {
			if (access(p, R_OK) == 0 && realpath(p, buf) != NULL) {
				*strrchr(buf, '/') = '\0';
				free(p);
				free(src);
				return buf;
			}
			free(p);
		}
	}
	free(src);
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/answerfile-upgrade.xml",
		    cands[i]);
		if (access(buf, R_OK) == 0 && realpath(cands[i], buf) != NULL)
			return buf;
	}
	return NULL;
}

static int
setup_api(void **state)
{
	struct apifix *f = calloc(1, sizeof(*f));
	struct strlist errs = { 0 };
	const char *tpl = templates_dir();
	char *p, *text;
	size_t i;

	assert_non_null(f);
	if (tpl == NULL)
		fail_msg("templates folder not found");
	f->dir = unit_tmpdir();
	assert_non_null(f->dir);
	assert_int_equal(unit_repo(f->dir, 1), 0);
	assert_int_equal(unit_secret(f->dir, "pool.pw", "secret\n"), 0);
	assert_int_equal(unit_secret(f->dir, "root.pw", "hunter2\n"), 0);
	assert_true(asprintf(&text,
	    "[server]\n"
	    "listen = 127.0.0.1:8080\n"
	    "public_url = http://10.0.0.5:8080\n"
	    "state_dir = state\n"
	    "tftp_root = tftp\n"
	    "admin_token_file = admin.token\n"
	    "template_dir = %s\n"
	    "\n"
	    "[repo xs82]\n"
	    "path = repo\n"
	    "\n"
	    "[pool poolA]\n"
	    "xapi = https://10.0.0.10\n"
	    "username = root\n"
	    "password_file = pool.pw\n"
	    "repo = xs82\n"
	    "\n"
	    "[host h1]\n"
	    "pool = poolA\n"
	    "mac = 00:16:3e:00:00:01\n"
	    "disk = sda\n"
	    "\n"
	    "[host new1]\n"
	    "repo = xs82\n"
	    "mac = 00:16:3e:00:00:02\n"
	    "disk = sda\n"
	    "mode = fresh\n"
	    "hostname = new1\n"
	    "root_password_file = root.pw\n", tpl) > 0);
	p = unit_write(f->dir, "poolboot.conf", text);
	free(text);
	if (config_load(p, &f->cfg, &errs, NULL) != 0) {
		for (i = 0; i < errs.n; i++)
			print_error("config: %s\n", errs.v[i]);
		fail_msg("config_load failed");
	}
	free(p);
	strlist_free(&errs);
	assert_int_equal(unit_store_open(f->cfg->state_dir, 0, &f->st), 0);
	assert_int_equal(config_live_new(f->cfg, 0, &f->live), 0);
	assert_int_equal(arm_new(f->live, f->st, &f->arm), 0);
	assert_int_equal(arm_reconcile(f->arm), 0);
	f->deps.api.live = f->live;
	f->deps.api.cfg = f->cfg;
	f->deps.api.st = f->st;
	f->deps.api.arm = f->arm;
	f->deps.admin_token = "0123456789abcdef0123456789abcdef";
	*state = f;
	return 0;
}

static int
teardown_api(void **state)
{
	struct apifix *f = *state;

	arm_free(f->arm);
	config_live_free(f->live);
	store_close(f->st);
	config_free(f->cfg);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Query strings for the tests: "k=v&k2=v2" */
static const char *
q_lookup(void *qctx, const char *key)
{
	static char val[256];
	const char *q = qctx, *p;
	size_t kl = strlen(key), n;

	for (p = q; p != NULL && *p != '\0';) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			n = strcspn(p + kl + 1, "&");
			snprintf(val, sizeof(val), "%.*s", (int)n, p + kl + 1);
			return val;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return NULL;
}

/* Calls the API; returns the parsed JSON body (caller decrefs) and the
 * status in *status. */
static json_t *
call(struct apifix *f, const char *method, const char *path,
    const char *body, const char *query, int *status)
{
	struct api_request rq;
	struct api_response rs = { 0, NULL };
	json_error_t jerr;
	json_t *j;

	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.path = path;
	rq.body = body;
	rq.body_len = body ? strlen(body) : 0;
	rq.query = q_lookup;
	rq.qctx = (void *)(uintptr_t)(query ? query : "");
	api_handle(&f->deps.api, &rq, &rs);
	assert_non_null(rs.body);
	*status = rs.status;
	j = json_loads(rs.body, 0, &jerr);
	if (j == NULL)
		fail_msg("%s %s: body is not JSON (%s): %s", method, path,
		    jerr.text, rs.body);
	free(rs.body);
	return j;
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
expect_error(struct apifix *f, const char *method, const char *path,
    const char *body, const char *query, int want, const char *needle)
{
	int status;
	json_t *j = call(f, method, path, body, query, &status);
	const char *e = jstr(j, "error");

	if (status != want)
		fail_msg("%s %s: status %d, want %d", method, path, status,
		    want);
	if (e == NULL)
		fail_msg("%s %s: no \"error\" in the answer", method, path);
	if (needle != NULL && strstr(e, needle) == NULL)
		fail_msg("%s %s: error \"%s\" lacks \"%s\"", method, path, e,
		    needle);
	json_decref(j);
}

static void
test_api_hosts_list_and_one(void **state)
{
	struct apifix *f = *state;
	json_t *j, *h;
	int status;

	j = call(f, "GET", "/hosts", NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 2);
	h = json_array_get(j, 0);
	assert_string_equal(jstr(h, "name"), "h1");
	assert_string_equal(jstr(h, "pool"), "poolA");
	assert_string_equal(jstr(h, "mode"), "upgrade");
	assert_string_equal(jstr(h, "mac"), "00:16:3e:00:00:01");
	assert_string_equal(jstr(h, "disk"), "sda");
	assert_string_equal(jstr(h, "state"), "idle");
	assert_true(json_is_null(json_object_get(h, "armed")));
	h = json_array_get(j, 1);
	assert_string_equal(jstr(h, "name"), "new1");
	assert_true(json_is_null(json_object_get(h, "pool")));
	assert_string_equal(jstr(h, "mode"), "fresh");
	json_decref(j);

	j = call(f, "GET", "/hosts/new1", NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(jstr(j, "name"), "new1");
	json_decref(j);
	/* trailing slash is the same resource */
	j = call(f, "GET", "/hosts/h1/", NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(jstr(j, "name"), "h1");
	json_decref(j);

	expect_error(f, "GET", "/hosts/nosuch", NULL, NULL, 404, "nosuch");
	expect_error(f, "GET", "/hosts/..", NULL, NULL, 404, NULL);
	expect_error(f, "DELETE", "/hosts/h1", NULL, NULL, 405, NULL);
	expect_error(f, "POST", "/hosts", NULL, NULL, 405, NULL);
	expect_error(f, "GET", "/nothing", NULL, NULL, 404, NULL);
	expect_error(f, "GET", "/", NULL, NULL, 404, NULL);
	expect_error(f, "GET", "/hosts/h1/arm", NULL, NULL, 405, NULL);
	expect_error(f, "GET", "/hosts/h1/explode", NULL, NULL, 404, NULL);
}

static void
test_api_arm_and_disarm(void **state)
{
	struct apifix *f = *state;
	const char *url;
	char *pxe;
	json_t *j, *armed;
	int status;
	struct stat sb;

	/* missing body: wipe false; upgrade needs no wipe */
	j = call(f, "POST", "/hosts/h1/arm", NULL, NULL, &status);
	if (status != 200)
		fail_msg("arm h1: %d %s", status, jstr(j, "error"));
	assert_string_equal(jstr(j, "host"), "h1");
	assert_string_equal(jstr(j, "state"), "armed");
	assert_string_equal(jstr(j, "mode"), "upgrade");
	url = jstr(j, "answerfile_url");
	assert_non_null(url);
	assert_true(strncmp(url, "http://10.0.0.5:8080/hosts/h1/", 30) == 0);
	assert_non_null(strstr(url, "/answerfile"));
	pxe = strdup(jstr(j, "pxelinux_file"));
	assert_non_null(strstr(pxe, "pxelinux.cfg/01-00-16-3e-00-00-01"));
	assert_int_equal(stat(pxe, &sb), 0);
	free(pxe);
	json_decref(j);

	j = call(f, "GET", "/hosts/h1", NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(jstr(j, "state"), "armed");
	armed = json_object_get(j, "armed");
	assert_true(json_is_object(armed));
	assert_string_equal(jstr(armed, "mode"), "upgrade");
	assert_int_equal(json_integer_value(json_object_get(armed,
	    "attempts")), 0);
	assert_true(json_integer_value(json_object_get(armed, "armed_at")) >
	    0);
	json_decref(j);

	j = call(f, "POST", "/hosts/h1/disarm", NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(jstr(j, "state"), "idle");
	assert_true(json_is_null(json_object_get(j, "armed")));
	json_decref(j);
	/* disarming what is not armed is a conflict */
	expect_error(f, "POST", "/hosts/h1/disarm", NULL, NULL, 409, NULL);
	expect_error(f, "POST", "/hosts/nosuch/arm", NULL, NULL, 404, NULL);
}

static void
test_api_arm_fresh_needs_wipe(void **state)
{
	struct apifix *f = *state;
	json_t *j;
	int status;

	expect_error(f, "POST", "/hosts/new1/arm", NULL, NULL, 409, NULL);
	expect_error(f, "POST", "/hosts/new1/arm", "{\"wipe\": false}", NULL,
	    409, NULL);
	j = call(f, "GET", "/hosts/new1", NULL, NULL, &status);
	assert_string_equal(jstr(j, "state"), "idle");
	json_decref(j);

	j = call(f, "POST", "/hosts/new1/arm", "{\"wipe\": true}", NULL,
	    &status);
	if (status != 200)
		fail_msg("arm new1 --wipe: %d %s", status, jstr(j, "error"));
	assert_string_equal(jstr(j, "mode"), "fresh");
	json_decref(j);
}

static void
test_api_arm_bad_bodies(void **state)
{
	struct apifix *f = *state;

	expect_error(f, "POST", "/hosts/h1/arm", "{\"wipe\": tru", NULL, 400,
	    "invalid JSON");
	expect_error(f, "POST", "/hosts/h1/arm", "{\"wipe\": tru", NULL, 400,
	    "column");
	expect_error(f, "POST", "/hosts/h1/arm", "[true]", NULL, 400,
	    "object");
	expect_error(f, "POST", "/hosts/h1/arm", "{\"wipe\": \"yes\"}", NULL,
	    400, "wipe");
	expect_error(f, "POST", "/hosts/h1/arm", "{\"wpie\": true}", NULL,
	    400, "wpie");
}

static void
test_api_events(void **state)
{
	struct apifix *f = *state;
	json_t *j, *evs, *e;
	int status, i;

	for (i = 0; i < 5; i++)
		assert_int_equal(store_event(f->st, "h1", "poolA", "test",
		    "event %d", i), 0);
	assert_int_equal(store_event(f->st, "new1", NULL, "test",
	    "other host"), 0);

	j = call(f, "GET", "/events", NULL, "host=h1&limit=2", &status);
	assert_int_equal(status, 200);
	evs = json_object_get(j, "events");
	assert_int_equal(json_array_size(evs), 2);
	e = json_array_get(evs, 0);
	assert_string_equal(jstr(e, "message"), "event 4");	/* newest first */
	assert_string_equal(jstr(e, "host"), "h1");
	assert_string_equal(jstr(e, "pool"), "poolA");
	assert_string_equal(jstr(e, "kind"), "test");
	assert_non_null(jstr(e, "time"));
	assert_int_equal(strlen(jstr(e, "time")), 20);
	assert_true(json_is_integer(json_object_get(j, "next_before")));
	{
		char q[64];

		snprintf(q, sizeof(q), "host=h1&limit=10&before=%lld",
		    (long long)json_integer_value(json_object_get(j,
		    "next_before")));
		json_decref(j);
		j = call(f, "GET", "/events", NULL, q, &status);
	}
	assert_int_equal(status, 200);
	evs = json_object_get(j, "events");
	assert_int_equal(json_array_size(evs), 3);
	assert_string_equal(jstr(json_array_get(evs, 0), "message"),
	    "event 2");
	assert_true(json_is_null(json_object_get(j, "next_before")));
	json_decref(j);

	j = call(f, "GET", "/events", NULL, "host=new1", &status);
	assert_int_equal(json_array_size(json_object_get(j, "events")), 1);
	assert_true(json_is_null(json_object_get(json_array_get(
	    json_object_get(j, "events"), 0), "pool")));
	json_decref(j);

	expect_error(f, "GET", "/events", NULL, "limit=0", 400, "limit");
	expect_error(f, "GET", "/events", NULL, "limit=1001", 400, "limit");
	expect_error(f, "GET", "/events", NULL, "limit=abc", 400, "limit");
	expect_error(f, "GET", "/events", NULL, "since=-1", 400, "since");
	expect_error(f, "GET", "/events", NULL, "before=12x", 400, "before");
	expect_error(f, "GET", "/events", NULL,
	    "since=99999999999999999999999", 400, "since");
	expect_error(f, "POST", "/events", NULL, NULL, 405, NULL);
}


/* ---- client_admin_token ---- */

static void
test_admin_token_file(void **state)
{
	struct apifix *f = *state;
	char err[512], *t1, *t2, *p;
	struct stat sb;

	/* missing and not asked to create: the error names the file */
	err[0] = '\0';
	assert_null(client_admin_token(f->cfg, 0, err, sizeof(err)));
	assert_non_null(strstr(err, f->cfg->admin_token_file));

	/* created 0600 in a folder that did not exist, then read back */
	free(f->cfg->admin_token_file);
	f->cfg->admin_token_file = pathf("%s/new/dir/admin.token", f->dir);
	t1 = client_admin_token(f->cfg, 1, err, sizeof(err));
	if (t1 == NULL)
		fail_msg("create: %s", err);
	assert_true(strlen(t1) >= 32);
	assert_int_equal(stat(f->cfg->admin_token_file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	t2 = client_admin_token(f->cfg, 1, err, sizeof(err));
	assert_non_null(t2);
	assert_string_equal(t1, t2);		/* not replaced */
	free(t1);
	free(t2);

	/* an operator's own token: first line, whitespace trimmed */
	p = unit_write(f->dir, "own.token",
	    "  Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg  \nsecond line\n");
	free(f->cfg->admin_token_file);
	f->cfg->admin_token_file = p;
	t1 = client_admin_token(f->cfg, 0, err, sizeof(err));
	assert_non_null(t1);
	assert_string_equal(t1, "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg");
	free(t1);

	/* too short to be a secret */
	p = unit_write(f->dir, "short.token", "abc\n");
	free(f->cfg->admin_token_file);
	f->cfg->admin_token_file = p;
	assert_null(client_admin_token(f->cfg, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "short.token"));
	assert_non_null(strstr(err, "32"));
}

/* ---- the real server, in process ---- */

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int s, port;

	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(s);
	return port;
}

struct fetched {
	long	 status;
	char	 body[4096];
	size_t	 len;
	char	 headers[4096];
	size_t	 hlen;
};

static size_t
fetch_body(char *d, size_t sz, size_t n, void *arg)
{
	struct fetched *r = arg;
	size_t k = sz * n;

	if (r->len + k >= sizeof(r->body))
		k = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, d, k);
	r->len += k;
	r->body[r->len] = '\0';
	return sz * n;
}

static size_t
fetch_header(char *d, size_t sz, size_t n, void *arg)
{
	struct fetched *r = arg;
	size_t k = sz * n;

	if (r->hlen + k >= sizeof(r->headers))
		k = sizeof(r->headers) - 1 - r->hlen;
	memcpy(r->headers + r->hlen, d, k);
	r->hlen += k;
	r->headers[r->hlen] = '\0';
	return sz * n;
}

/* GET (or method) path exactly as written (no ".." squashing), with
 * extra header hdr (may be NULL). */
static void
fetch(int port, const char *method, const char *path, const char *hdr,
    struct fetched *r)
{
	struct curl_slist *h = NULL;
	char url[1024];
	CURL *c = curl_easy_init();

	memset(r, 0, sizeof(*r));
	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (hdr != NULL) {
		h = curl_slist_append(NULL, hdr);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

static void
expect_status(int port, const char *method, const char *path,
    long want)
{
	struct fetched r;

	fetch(port, method, path, NULL, &r);
	if (r.status != want)
		fail_msg("%s %s: %ld, want %ld", method, path, r.status, want);
	/* no error answer tells where the files are */
	if (r.status >= 400 && strstr(r.body, "/tmp") != NULL)
		fail_msg("%s %s: error body leaks a path: %s", method, path,
		    r.body);
}

static void
test_server_end_to_end(void **state)
{
	struct apifix *f = *state;
	struct http_server *srv = NULL;
	struct fetched r;
	char err[512], *tok, *resp = NULL, *secret;
	long status = 0;
	int port, aport;

	/* a file right beside the repo that must stay private */
	free(unit_write(f->dir, "private.txt", "do not serve\n"));
	secret = pathf("%s/repo/escape", f->dir);
	assert_int_equal(symlink("../private.txt", secret), 0);
	free(secret);

	port = free_port();
	f->cfg->listen_port = port;
	while ((aport = free_port()) == port)
		;
	f->cfg->admin_listen_port = aport;
	tok = client_admin_token(f->cfg, 1, err, sizeof(err));
	if (tok == NULL)
		fail_msg("%s", err);
	f->deps.admin_token = tok;
	assert_int_equal(http_bind(f->cfg, &srv), 0);
	assert_int_equal(http_start(srv, &f->deps), 0);

	/* the repo, whole and in part */
	fetch(port, "GET", "/repo/xs82/install.img", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "img");
	assert_non_null(strcasestr(r.headers, "Content-Length: 3\r\n"));
	assert_non_null(strcasestr(r.headers, "Accept-Ranges: bytes"));
	assert_non_null(strcasestr(r.headers, "Last-Modified: "));
	assert_non_null(strcasestr(r.headers, "Server: poolboot"));
	fetch(port, "GET", "/repo/xs82/install.img", "Range: bytes=1-", &r);
	assert_int_equal(r.status, 206);
	assert_string_equal(r.body, "mg");
	assert_non_null(strcasestr(r.headers, "Content-Range: bytes 1-2/3"));
	fetch(port, "GET", "/repo/xs82/install.img", "Range: bytes=3-", &r);
	assert_int_equal(r.status, 416);
	assert_non_null(strcasestr(r.headers, "Content-Range: bytes */3"));
	fetch(port, "GET", "/repo/xs82/install.img", "Range: bytes=0-0,2-2",
	    &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "img");
	fetch(port, "HEAD", "/repo/xs82/.treeinfo", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strcasestr(r.headers, "Content-Type: text/plain"));
	fetch(port, "DELETE", "/repo/xs82/.treeinfo", NULL, &r);
	assert_int_equal(r.status, 405);
	assert_non_null(strcasestr(r.headers, "Allow: GET, HEAD"));

	/* ways out of the repo */
	expect_status(port, "GET", "/repo/xs82/../private.txt", 403);
	expect_status(port, "GET", "/repo/xs82/%2e%2e/private.txt", 403);
	expect_status(port, "GET", "/repo/xs82/%2E%2E%2Fprivate.txt", 403);
	expect_status(port, "GET", "/repo/xs82/boot/../../private.txt", 403);
	expect_status(port, "GET", "/repo/xs82/escape", 403);
	expect_status(port, "GET", "/repo/xs82/boot", 404);
	expect_status(port, "GET", "/repo/nosuch/install.img", 404);
	expect_status(port, "GET", "/private.txt", 404);

	/* host URLs without a valid token */
	expect_status(port, "GET", "/hosts/h1/answerfile", 403);
	expect_status(port, "GET",
	    "/hosts/h1/0123456789012345678901234567890123456789/answerfile",
	    403);
	expect_status(port, "GET",
	    "/hosts/zz/0123456789012345678901234567890123456789/answerfile",
	    404);
	expect_status(port, "GET",
	    "/hosts/h1/0123456789012345678901234567890123456789/callback/0",
	    405);
	expect_status(port, "POST",
	    "/hosts/h1/0123456789012345678901234567890123456789/callback/2",
	    404);

	/* each listener answers its own routes only */
	expect_status(port, "GET", "/api/v1/hosts", 404);
	expect_status(port, "GET", "/metrics", 404);
	expect_status(port, "GET", "/", 404);
	expect_status(aport, "GET", "/repo/xs82/install.img", 404);
	expect_status(aport, "GET", "/hosts/h1/answerfile", 404);

	/* the admin API wants the token */
	fetch(aport, "GET", "/api/v1/hosts", NULL, &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strcasestr(r.headers, "WWW-Authenticate: Bearer"));
	fetch(aport, "GET", "/api/v1/hosts",
	    "Authorization: Bearer 0123456789abcdef0123456789abcdef", &r);
	assert_int_equal(r.status, 401);
	/* ... which the CLI's client sends */
	assert_int_equal(client_request(f->cfg, "GET", "/api/v1/hosts/h1",
	    NULL, &status, &resp, err, sizeof(err)), 0);
	assert_int_equal(status, 200);
	assert_non_null(strstr(resp, "\"name\": \"h1\""));
	free(resp);
	resp = NULL;
	assert_int_equal(client_request(f->cfg, "POST", "/api/v1/hosts/new1/arm",
	    "{\"wipe\": false}", &status, &resp, err, sizeof(err)), 0);
	assert_int_equal(status, 409);
	free(resp);
	resp = NULL;

	/* a full arm -> answerfile -> callback round through HTTP */
	assert_int_equal(client_request(f->cfg, "POST", "/api/v1/hosts/h1/arm",
	    NULL, &status, &resp, err, sizeof(err)), 0);
	assert_int_equal(status, 200);
	{
		char *u = strstr(resp, "/hosts/h1/"), path[256];
		size_t n;

		assert_non_null(u);
		n = strcspn(u, "\"");
		assert_true(n < sizeof(path));
		memcpy(path, u, n);
		path[n] = '\0';
		fetch(port, "GET", path, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strcasestr(r.headers,
		    "Content-Type: application/xml"));
		assert_non_null(strstr(r.body, "<installation mode=\"upgrade\">"));
		strcpy(path + n - strlen("answerfile"), "callback/0");
		fetch(port, "POST", path, NULL, &r);
		assert_int_equal(r.status, 200);
		fetch(port, "POST", path, NULL, &r);
		assert_int_equal(r.status, 410);
	}
	free(resp);

	http_stop(srv);
	/* the server is gone: the CLI says how to start it */
	resp = NULL;
	assert_int_equal(client_request(f->cfg, "GET", "/api/v1/hosts", NULL,
	    &status, &resp, err, sizeof(err)), -1);
	assert_null(resp);
	assert_non_null(strstr(err, "poolboot serve is not running (cannot "
	    "connect to 127.0.0.1:"));
	assert_non_null(strstr(err, "poolboot serve -c"));
	f->deps.admin_token = "0123456789abcdef0123456789abcdef";
	free(tok);
}

/* GET|HEAD /grub/{path}: tftp_root/grub over HTTP for UEFI HTTP boot,
 * on the install listener only; every way out of the folder is a 404. */
static void
test_server_grub(void **state)
{
	struct apifix *f = *state;
	struct http_server *srv = NULL;
	struct fetched r;
	char *p;
	int port, aport;

	p = pathf("%s/grub/hosts", f->cfg->tftp_root);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	p = pathf("%s/grub", f->cfg->tftp_root);
	free(unit_write(p, "grubx64.efi", "MZ-efi-image"));
	free(unit_write(p, "grub.cfg", "configfile $prefix/hosts/x.cfg\n"));
	free(unit_write(p, "hosts/00:16:3e:00:00:01.cfg", "exit\n"));
	free(p);
	free(unit_write(f->cfg->tftp_root, "beside.txt", "not grub\n"));
	p = pathf("%s/grub/out", f->cfg->tftp_root);
	assert_int_equal(symlink("../beside.txt", p), 0);
	free(p);

	port = free_port();
	f->cfg->listen_port = port;
	while ((aport = free_port()) == port)
		;
	f->cfg->admin_listen_port = aport;
	assert_int_equal(http_bind(f->cfg, &srv), 0);
	assert_int_equal(http_start(srv, &f->deps), 0);

	fetch(port, "GET", "/grub/grubx64.efi", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "MZ-efi-image");
	assert_non_null(strcasestr(r.headers, "Content-Length: 12\r\n"));
	assert_non_null(strcasestr(r.headers,
	    "Content-Type: application/efi\r\n"));
	fetch(port, "HEAD", "/grub/hosts/00:16:3e:00:00:01.cfg", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strcasestr(r.headers, "Content-Type: text/plain"));
	fetch(port, "GET", "/grub/grub.cfg", "Range: bytes=0-9", &r);
	assert_int_equal(r.status, 206);
	assert_string_equal(r.body, "configfile");
	fetch(port, "PUT", "/grub/grub.cfg", NULL, &r);
	assert_int_equal(r.status, 405);

	/* nothing outside tftp_root/grub, and no saying what is there */
	expect_status(port, "GET", "/grub/../beside.txt", 404);
	expect_status(port, "GET", "/grub/%2e%2e/beside.txt", 404);
	expect_status(port, "GET", "/grub/hosts/../../beside.txt", 404);
	expect_status(port, "GET", "/grub/out", 404);
	expect_status(port, "GET", "/grub/hosts", 404);
	expect_status(port, "GET", "/grub/", 404);
	expect_status(port, "GET", "/grub/missing.efi", 404);
	expect_status(port, "GET", "/beside.txt", 404);
	/* the install listener's route only */
	expect_status(aport, "GET", "/grub/grubx64.efi", 404);
	http_stop(srv);
}

int
main(void)
{
	const struct CMUnitTest api[] = {
		cmocka_unit_test_setup_teardown(test_api_hosts_list_and_one,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_api_arm_and_disarm,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_api_arm_fresh_needs_wipe,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_api_arm_bad_bodies,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_api_events,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_admin_token_file,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_server_end_to_end,
		    setup_api, teardown_api),
		cmocka_unit_test_setup_teardown(test_server_grub,
		    setup_api, teardown_api),
	};
	int fails = 0;

	log_init("test_http", PB_LOG_ERROR, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fails += cmocka_run_group_tests_name("api_client_server", api, NULL, NULL);
	curl_global_cleanup();
	return fails != 0;
}
