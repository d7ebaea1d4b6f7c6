/* test_xapi.c — the XAPI client against real HTTP peers: a small XML-RPC
 * responder thread per test (plain sockets on loopback, TLS through
 * OpenSSL's SSL_accept) that records every request and answers what the
 * test scripts. Covers login (4/3 arguments), HOST_IS_SLAVE, session
 * expiry, XAPI errors, bounded replies, timeouts, tasks, event.from, the
 * database dump and the TLS certificate pin. */
#include "unit.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/ssl.h>

#include "log.h"
#include "xapi.h"

#define MAXREQ	64

/* cmocka's asserts must not fire on the responder thread (they longjmp):
 * code that runs there aborts instead. */
#define CHECK(x) do { if (!(x)) { fprintf(stderr, "%s:%d: check failed: " \
	#x "\n", __FILE__, __LINE__); abort(); } } while (0)

/* ---- OpenSSL's server side, looked up at run time: the unit-test link
 * line carries libcrypto but not libssl (libcurl has it loaded). ---- */

static struct {
	int	 ok;
	__typeof__(&TLS_server_method)		 server_method;
	__typeof__(&SSL_CTX_new)		 ctx_new;
	__typeof__(&SSL_CTX_free)		 ctx_free;
	__typeof__(&SSL_CTX_use_certificate_file) use_cert;
	__typeof__(&SSL_CTX_use_PrivateKey_file) use_key;
	__typeof__(&SSL_new)			 new_;
	__typeof__(&SSL_free)			 free_;
	__typeof__(&SSL_set_fd)			 set_fd;
	__typeof__(&SSL_accept)			 accept_;
	__typeof__(&SSL_read)			 read_;
	__typeof__(&SSL_write)			 write_;
	__typeof__(&SSL_shutdown)		 shutdown_;
} ossl;

static void *
ossl_sym(void *h, const char *name)
{
	void *p = dlsym(RTLD_DEFAULT, name);

	return p != NULL ? p : (h != NULL ? dlsym(h, name) : NULL);
}

static int
ossl_load(void)
{
	void *h = NULL;

	if (ossl.ok)
		return 0;
	if (dlsym(RTLD_DEFAULT, "SSL_accept") == NULL)
		h = dlopen("libssl.so.3", RTLD_NOW);
#define L(field, name) \
	if ((*(void **)&ossl.field = ossl_sym(h, name)) == NULL) return -1
	L(server_method, "TLS_server_method");
	L(ctx_new, "SSL_CTX_new");
	L(ctx_free, "SSL_CTX_free");
	L(use_cert, "SSL_CTX_use_certificate_file");
	L(use_key, "SSL_CTX_use_PrivateKey_file");
	L(new_, "SSL_new");
	L(free_, "SSL_free");
	L(set_fd, "SSL_set_fd");
	L(accept_, "SSL_accept");
	L(read_, "SSL_read");
	L(write_, "SSL_write");
	L(shutdown_, "SSL_shutdown");
#undef L
	ossl.ok = 1;
	return 0;
}

/* ---- the responder ---- */

struct req {
	char	 line[512];	/* "POST / HTTP/1.1" */
	char	*head;		/* all header lines */
	char	*body;
	char	 method[128];	/* XML-RPC methodName; "" for a GET */
	int	 nparams;
};

struct resp {
	char	*body;		/* malloc'd; NULL: hang up without a reply */
	int	 status;	/* 0: 200 */
	int	 delay_ms;
	int	 no_length;	/* no Content-Length: the body ends at close */
};

struct peer;
typedef void (*handler_fn)(struct peer *, const struct req *, int,
	    struct resp *);

struct peer {
	int		 lfd;
	int		 port;
	char		 ip[32];
	pthread_t	 th;
	int		 stop;
	int		 keepalive;
	int		 no_length;	/* for h_big */
	pthread_mutex_t	 mu;
	struct req	 reqs[MAXREQ];
	int		 nreq;
	int		 nconn;		/* connections accepted */
	int		 nhandshakes;	/* TLS handshakes completed */
	long		 bytes;		/* request bytes received */
	handler_fn	 h;
	void		*ctx;
	SSL_CTX		*tls;
	int		 running;
	int		 lfd_open;
	int		 counter;	/* for handlers */
	char		 redirect[64];	/* for handlers */
};

struct conn {
	int	 fd;
	SSL	*ssl;
};

static int
stopped(struct peer *p)
{
	return __atomic_load_n(&p->stop, __ATOMIC_SEQ_CST);
}

static void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Reads what is there; 0 at EOF, -1 on error or when the peer stops.
 * The socket has a 100 ms receive timeout so the stop flag is seen. */
static ssize_t
conn_read(struct peer *p, struct conn *c, char *buf, size_t len)
{
	int waited = 0;
	ssize_t n;

	for (;;) {
		errno = 0;
		if (c->ssl != NULL)
			n = ossl.read_(c->ssl, buf, (int)len);
		else
			n = recv(c->fd, buf, len, 0);
		if (n > 0)
			return n;
		if (n == 0 && c->ssl == NULL)
			return 0;
		if ((errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR) && !stopped(p) && waited++ < 300)
			continue;
		return n == 0 ? 0 : -1;
	}
}

static int
conn_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if (c->ssl != NULL)
			n = ossl.write_(c->ssl, buf, (int)len);
		else
			n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
parse_call(struct req *r)
{
	const char *a, *b, *s;

	r->method[0] = '\0';
	r->nparams = 0;
	if ((a = strstr(r->body, "<methodName>")) != NULL &&
	    (b = strstr(a, "</methodName>")) != NULL)
		snprintf(r->method, sizeof(r->method), "%.*s",
		    (int)(b - a - 12), a + 12);
	for (s = r->body; (s = strstr(s, "<param>")) != NULL; s++)
		r->nparams++;
}

/* Serves requests on one connection; 0 to go on with the next one. */
static int
serve_one(struct peer *p, struct conn *c, char *buf, size_t cap,
    size_t *have)
{
	struct resp rs = { 0 };
	struct req r;
	char *end, *cl, hdr[256];
	size_t hlen, blen = 0;
	ssize_t n;
	int idx, waited;

	memset(&r, 0, sizeof(r));
	while ((end = memmem(buf, *have, "\r\n\r\n", 4)) == NULL) {
		if (*have + 1 >= cap)
			return -1;
		if ((n = conn_read(p, c, buf + *have, cap - 1 - *have)) <= 0)
			return -1;
		*have += (size_t)n;
		__atomic_add_fetch(&p->bytes, n, __ATOMIC_SEQ_CST);
		buf[*have] = '\0';
	}
	hlen = (size_t)(end - buf) + 4;
	buf[hlen - 2] = '\0';
	if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL)
		blen = strtoul(cl + 17, NULL, 10);
	while (*have < hlen + blen) {
		if (hlen + blen + 1 > cap)
			return -1;
		if ((n = conn_read(p, c, buf + *have, cap - 1 - *have)) <= 0)
			return -1;
		*have += (size_t)n;
		__atomic_add_fetch(&p->bytes, n, __ATOMIC_SEQ_CST);
	}
	snprintf(r.line, sizeof(r.line), "%.*s", (int)strcspn(buf, "\r\n"),
	    buf);
	r.head = strndup(buf, hlen);
	r.body = strndup(buf + hlen, blen);
	CHECK(r.head != NULL && r.body != NULL);
	parse_call(&r);
	memmove(buf, buf + hlen + blen, *have - hlen - blen);
	*have -= hlen + blen;

	pthread_mutex_lock(&p->mu);
	idx = p->nreq;
	if (p->nreq < MAXREQ)
		p->reqs[p->nreq++] = r;
	else {
		free(r.head);
		free(r.body);
	}
	pthread_mutex_unlock(&p->mu);

	p->h(p, &p->reqs[idx < MAXREQ ? idx : MAXREQ - 1], idx, &rs);
	for (waited = 0; waited < rs.delay_ms && !stopped(p); waited += 20)
		msleep(20);
	if (rs.body == NULL)
		return -1;
	if (rs.no_length)
		snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d X\r\nContent-Type: "
		    "text/xml\r\nConnection: close\r\n\r\n",
		    rs.status ? rs.status : 200);
	else
		snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d X\r\nContent-Type: "
		    "text/xml\r\nContent-Length: %zu\r\n%s\r\n",
		    rs.status ? rs.status : 200, strlen(rs.body),
		    p->keepalive ? "" : "Connection: close\r\n");
	if (conn_write(c, hdr, strlen(hdr)) == -1 ||
	    conn_write(c, rs.body, strlen(rs.body)) == -1) {
		free(rs.body);
		return -1;
	}
	free(rs.body);
	return p->keepalive && !rs.no_length ? 0 : -1;
}

static void
serve_conn(struct peer *p, int fd)
{
	struct timeval tv = { 0, 100000 };
	struct conn c = { fd, NULL };
	size_t cap = 1 << 20, have = 0;
	char *buf;

	if (p->tls != NULL) {
		/* the handshake gets a long receive timeout: a client under
		 * valgrind on a busy machine can take seconds per message,
		 * and a timed-out SSL_accept would reset the connection */
		struct timeval hs = { 30, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &hs, sizeof(hs));
		if ((c.ssl = ossl.new_(p->tls)) == NULL)
			return;
		ossl.set_fd(c.ssl, fd);
		if (ossl.accept_(c.ssl) != 1) {
			ossl.free_(c.ssl);
			return;
		}
		__atomic_add_fetch(&p->nhandshakes, 1, __ATOMIC_SEQ_CST);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	buf = malloc(cap);
	CHECK(buf != NULL);
	while (!stopped(p) && serve_one(p, &c, buf, cap, &have) == 0)
		;
	free(buf);
	if (c.ssl != NULL) {
		ossl.shutdown_(c.ssl);
		ossl.free_(c.ssl);
	}
}

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	struct pollfd pfd;
	int fd;

	while (!stopped(p)) {
		pfd.fd = p->lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((fd = accept(p->lfd, NULL, NULL)) == -1)
			continue;
		__atomic_add_fetch(&p->nconn, 1, __ATOMIC_SEQ_CST);
		serve_conn(p, fd);
		close(fd);
	}
	return NULL;
}

/* Peers still alive; a failed test leaves them to the teardown. */
static struct peer *live[4];

/* Listens on ip:port (0: any port), IPv4 or IPv6. -1 if the address is
 * taken or not there. */
static int
peer_start(struct peer **pp, const char *ip, int port, handler_fn h)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct sockaddr *sa;
	socklen_t sl;
	struct peer *p;
	int one = 1, i, v6 = strchr(ip, ':') != NULL;

	*pp = p = calloc(1, sizeof(*p));
	assert_non_null(p);
	snprintf(p->ip, sizeof(p->ip), "%s", ip);
	p->h = h;
	pthread_mutex_init(&p->mu, NULL);
	p->lfd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->lfd >= 0);
	setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (v6) {
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, ip, &s6.sin6_addr), 1);
		sa = (struct sockaddr *)&s6;
		sl = sizeof(s6);
	} else {
		s4.sin_family = AF_INET;
		s4.sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, ip, &s4.sin_addr), 1);
		sa = (struct sockaddr *)&s4;
		sl = sizeof(s4);
	}
	if (bind(p->lfd, sa, sl) == -1) {
		close(p->lfd);
		pthread_mutex_destroy(&p->mu);
		free(p);
		*pp = NULL;
		return -1;
	}
	p->lfd_open = 1;
	for (i = 0; i < 4 && live[i] != NULL; i++)
		;
	assert_true(i < 4);
	live[i] = p;
	assert_int_equal(listen(p->lfd, 16), 0);
	assert_int_equal(getsockname(p->lfd, sa, &sl), 0);
	p->port = ntohs(v6 ? s6.sin6_port : s4.sin_port);
	return 0;
}

static void
peer_run(struct peer *p)
{
	assert_int_equal(pthread_create(&p->th, NULL, peer_main, p), 0);
	p->running = 1;
}

/* Stops serving (idempotent); the requests stay for the test to read. */
static void
peer_stop(struct peer *p)
{
	if (p->running) {
		__atomic_store_n(&p->stop, 1, __ATOMIC_SEQ_CST);
		pthread_join(p->th, NULL);
		p->running = 0;
	}
	if (p->lfd_open) {
		close(p->lfd);
		p->lfd_open = 0;
	}
}

static void
peer_free(struct peer *p)
{
	int i;

	if (p == NULL)
		return;
	peer_stop(p);
	for (i = 0; i < 4; i++)
		if (live[i] == p)
			live[i] = NULL;
	for (i = 0; i < p->nreq; i++) {
		free(p->reqs[i].head);
		free(p->reqs[i].body);
	}
	if (p->tls != NULL)
		ossl.ctx_free(p->tls);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Runs after every test, passed or failed. */
static int
teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		peer_free(live[i]);
	return 0;
}

static int
peer_nreq(struct peer *p)
{
	int n;

	pthread_mutex_lock(&p->mu);
	n = p->nreq;
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* The text of the i-th parameter of a recorded call (malloc'd). */
static char *
req_param(const struct req *r, int i)
{
	xmlDocPtr doc;
	xmlNodePtr n;
	xmlChar *t;
	char *s = NULL;

	doc = xmlReadMemory(r->body, (int)strlen(r->body), NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	CHECK(doc != NULL);
	for (n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "params") == 0)
			break;
	CHECK(n != NULL);
	for (n = n->children; n != NULL && i > 0; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			i--;
	if (n != NULL) {
		t = xmlNodeGetContent(n);
		s = strdup((const char *)t);
		xmlFree(t);
	}
	xmlFreeDoc(doc);
	CHECK(s != NULL);
	return s;
}

static void
assert_param(const struct req *r, int i, const char *want)
{
	char *got = req_param(r, i);

	assert_string_equal(got, want);
	free(got);
}

/* ---- scripted XAPI replies ---- */

static char *
xdup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xdup(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	CHECK(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

/* Success with raw value XML, e.g. "OpaqueRef:x" or "<array>..". */
static char *
ok_raw(const char *value)
{
	return xdup("<?xml version=\"1.0\"?><methodResponse><params><param>"
	    "<value><struct><member><name>Status</name><value>Success</value>"
	    "</member><member><name>Value</name><value>%s</value></member>"
	    "</struct></value></param></params></methodResponse>", value);
}

/* Failure [code, p1, p2] (NULL-ended params). */
static char *
failure(const char *code, const char *p1, const char *p2)
{
	return xdup("<?xml version=\"1.0\"?><methodResponse><params><param>"
	    "<value><struct><member><name>Status</name><value>Failure</value>"
	    "</member><member><name>ErrorDescription</name><value><array>"
	    "<data><value>%s</value>%s%s%s%s%s%s</data></array></value>"
	    "</member></struct></value></param></params></methodResponse>",
	    code, p1 ? "<value>" : "", p1 ? p1 : "", p1 ? "</value>" : "",
	    p2 ? "<value>" : "", p2 ? p2 : "", p2 ? "</value>" : "");
}

static int
is(const struct req *r, const char *method)
{
	return strcmp(r->method, method) == 0;
}

/* Login -> OpaqueRef:s1, logout ok, anything else -> its name back. */
static void
h_basic(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	(void)p;
	(void)idx;
	if (is(r, "session.login_with_password"))
		o->body = ok_raw("OpaqueRef:s1");
	else if (is(r, "session.logout"))
		o->body = ok_raw("");
	else if (is(r, "host.get_all"))
		o->body = ok_raw("<array><data><value>OpaqueRef:h1</value>"
		    "<value>OpaqueRef:h2</value></data></array>");
	else if (is(r, "host.disable"))
		o->body = failure("HOST_OFFLINE", "OpaqueRef:h1", NULL);
	else if (is(r, "host.many"))
		o->body = xdup("%s", "<?xml version=\"1.0\"?><methodResponse>"
		    "<params><param><value><struct><member><name>Status</name>"
		    "<value>Failure</value></member><member><name>"
		    "ErrorDescription</name><value><array><data><value>MANY"
		    "</value><value>1</value><value>2</value><value>3</value>"
		    "<value>4</value><value>5</value><value>6</value><value>7"
		    "</value><value>8</value><value>9</value><value>10</value>"
		    "</data></array></value></member></struct></value></param>"
		    "</params></methodResponse>");
	else
		o->body = ok_raw(r->method);
}

static struct xapi *
client(const struct peer *p, const char *scheme, long timeout_ms,
    size_t max_reply)
{
	struct xapi_conf c = { 0 };
	struct xapi *x = NULL;
	char url[128];

	snprintf(url, sizeof(url), "%s://%s:%d", scheme, p->ip, p->port);
	c.url = url;
	c.username = "root";
	c.password = "s3cret <&> pass";
	c.tls_verify = 1;
	c.connect_timeout_ms = 2000;
	c.timeout_ms = timeout_ms;
	c.max_reply = max_reply;
	assert_int_equal(xapi_new(&c, &x), 0);
	return x;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- tests ---- */

static void
test_login_call_logout(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	struct xr_value *v = NULL;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_basic), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_call_s(x, "host.get_all", &v, &e, NULL, NULL,
	    NULL), 0);
	assert_int_equal(v->type, XR_ARRAY);
	assert_int_equal(v->n, 2);
	assert_string_equal(xr_str(v->items[1]), "OpaqueRef:h2");
	xr_free(v);
	/* already logged in: no second login */
	assert_int_equal(xapi_login(x, &e), 0);
	xapi_free(x);
	peer_stop(p);

	assert_int_equal(p->nreq, 3);
	/* XML-RPC POST to / with text/xml */
	assert_string_equal(p->reqs[0].line, "POST / HTTP/1.1");
	assert_non_null(strcasestr(p->reqs[0].head,
	    "\r\nContent-Type: text/xml"));
	assert_string_equal(p->reqs[0].method, "session.login_with_password");
	assert_int_equal(p->reqs[0].nparams, 4);
	assert_param(&p->reqs[0], 0, "root");
	assert_param(&p->reqs[0], 1, "s3cret <&> pass");
	assert_param(&p->reqs[0], 2, "2.0");
	assert_param(&p->reqs[0], 3, "poolboot");
	/* the session goes first */
	assert_string_equal(p->reqs[1].method, "host.get_all");
	assert_int_equal(p->reqs[1].nparams, 1);
	assert_param(&p->reqs[1], 0, "OpaqueRef:s1");
	/* freeing logs out */
	assert_string_equal(p->reqs[2].method, "session.logout");
	assert_param(&p->reqs[2], 0, "OpaqueRef:s1");
}

static void
h_old_login(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	if (is(r, "session.login_with_password") && r->nparams == 4)
		o->body = failure("MESSAGE_PARAMETER_COUNT_MISMATCH",
		    "session.login_with_password", "3");
	else
		h_basic(p, r, idx, o);
}

static void
test_login_falls_back_to_three_arguments(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_old_login), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_login(x, &e), 0);
	assert_int_equal(xapi_call_s(x, "pool.get_all", NULL, &e, NULL, NULL,
	    NULL), 0);
	xapi_free(x);
	peer_stop(p);
	assert_true(p->nreq >= 3);
	assert_int_equal(p->reqs[0].nparams, 4);
	assert_string_equal(p->reqs[1].method, "session.login_with_password");
	assert_int_equal(p->reqs[1].nparams, 3);
	assert_param(&p->reqs[1], 0, "root");
	assert_param(&p->reqs[1], 2, "2.0");
	assert_string_equal(p->reqs[2].method, "pool.get_all");
	assert_param(&p->reqs[2], 0, "OpaqueRef:s1");
}

/* A member: every login is refused with HOST_IS_SLAVE [p->redirect]. */
static void
h_member(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	if (is(r, "session.login_with_password") || is(r, "pool.get_all"))
		o->body = failure("HOST_IS_SLAVE", p->redirect, NULL);
	else
		h_basic(p, r, idx, o);
}

/* Two listeners on the same port, 127.0.0.1 and 127.0.0.2. */
static void
start_pair(struct peer **a, handler_fn ha, struct peer **b, handler_fn hb)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		assert_int_equal(peer_start(a, "127.0.0.1", 0, ha), 0);
		if (peer_start(b, "127.0.0.2", (*a)->port, hb) == 0)
			return;
		peer_free(*a);
	}
	fail_msg("cannot bind 127.0.0.1 and 127.0.0.2 on one port");
}

static void
test_host_is_slave_followed(void **state)
{
	struct peer *a, *b;
	struct xapi *x;
	struct xapi_error e;
	char want[64];

	(void)state;
	start_pair(&a, h_member, &b, h_basic);
	snprintf(a->redirect, sizeof(a->redirect), "127.0.0.2");
	peer_run(a);
	peer_run(b);
	x = client(a, "http", 5000, 0);
	assert_int_equal(xapi_call_s(x, "pool.get_all", NULL, &e, NULL, NULL,
	    NULL), 0);
	/* same scheme and port, the master's address */
	snprintf(want, sizeof(want), "http://127.0.0.2:%d", a->port);
	assert_string_equal(xapi_url(x), want);
	xapi_free(x);
	peer_stop(a);
	peer_stop(b);
	assert_int_equal(a->nreq, 1);
	assert_string_equal(a->reqs[0].method, "session.login_with_password");
	assert_int_equal(b->nreq, 3);
	assert_string_equal(b->reqs[0].method, "session.login_with_password");
	assert_string_equal(b->reqs[1].method, "pool.get_all");
	assert_string_equal(b->reqs[2].method, "session.logout");
}

static void
test_host_is_slave_loop_and_bad_address_refused(void **state)
{
	struct peer *a, *b;
	struct xapi *x;
	struct xapi_error e;
	char want[64];

	(void)state;
	/* two members pointing at each other: a bounded number of hops */
	start_pair(&a, h_member, &b, h_member);
	snprintf(a->redirect, sizeof(a->redirect), "127.0.0.2");
	snprintf(b->redirect, sizeof(b->redirect), "127.0.0.1");
	peer_run(a);
	peer_run(b);
	x = client(a, "http", 5000, 0);
	assert_int_equal(xapi_login(x, &e), -1);
	assert_int_equal(e.transport, 0);
	assert_string_equal(e.code, "HOST_IS_SLAVE");
	assert_true(peer_nreq(a) + peer_nreq(b) <= 4);
	xapi_free(x);

	/* a master "address" that would change more than the host */
	snprintf(a->redirect, sizeof(a->redirect), "evil.example/x?@y");
	x = client(a, "http", 5000, 0);
	snprintf(want, sizeof(want), "%s", xapi_url(x));
	assert_int_equal(xapi_login(x, &e), -1);
	assert_string_equal(e.code, "HOST_IS_SLAVE");
	assert_string_equal(xapi_url(x), want);
	xapi_free(x);
	peer_stop(a);
	peer_stop(b);
}

static void
test_host_is_slave_ipv6_master(void **state)
{
	struct peer *a, *b = NULL;
	struct xapi *x;
	struct xapi_error e;
	char want[64];
	int tries;

	(void)state;
	for (tries = 0; tries < 50 && b == NULL; tries++) {
		assert_int_equal(peer_start(&a, "127.0.0.1", 0, h_member), 0);
		if (peer_start(&b, "::1", a->port, h_basic) == -1)
			peer_free(a);
	}
	if (b == NULL) {
		printf("# SKIP test_host_is_slave_ipv6_master: cannot listen "
		    "on [::1]\n");
		skip();
	}
	snprintf(a->redirect, sizeof(a->redirect), "::1");
	peer_run(a);
	peer_run(b);
	x = client(a, "http", 5000, 0);
	assert_int_equal(xapi_login(x, &e), 0);
	/* an IPv6 master gets brackets; scheme and port are kept */
	snprintf(want, sizeof(want), "http://[::1]:%d", a->port);
	assert_string_equal(xapi_url(x), want);
	xapi_free(x);
	peer_stop(b);
	assert_int_equal(b->nreq, 2);	/* login, logout */
}

static void
test_password_never_logged(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	char *dir, *path, buf[16384];
	int fd, saved;
	ssize_t n;

	(void)state;
	dir = unit_tmpdir();
	assert_true(asprintf(&path, "%s/log", dir) > 0);
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_old_login), 0);
	peer_run(p);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(2);
	dup2(fd, 2);
	log_set_verbosity(PB_LOG_DEBUG);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_call_s(x, "host.disable", NULL, &e, "OpaqueRef:h",
	    NULL, NULL), -1);
	xapi_free(x);
	log_set_verbosity(PB_LOG_INFO);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	/* each call at debug level by name, the error at warning level */
	assert_non_null(strstr(buf, "xapi: call session.login_with_password"));
	assert_non_null(strstr(buf, "xapi: call host.disable"));
	assert_non_null(strstr(buf, "warning: host.disable: HOST_OFFLINE"));
	/* and never the password or the session */
	assert_null(strstr(buf, "s3cret"));
	assert_null(strstr(buf, "OpaqueRef:s1"));
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* Login hands out s1, s2, ...; calls with anything but the newest
 * session are SESSION_INVALID; "always.invalid" always is. */
static void
h_expiring(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	char *s;

	(void)idx;
	if (is(r, "session.login_with_password")) {
		p->counter++;
		s = xdup("OpaqueRef:s%d", p->counter);
		o->body = ok_raw(s);
		free(s);
		return;
	}
	s = req_param(r, 0);
	if (is(r, "always.invalid") || p->counter < 2)
		o->body = failure("SESSION_INVALID", s, NULL);
	else
		o->body = ok_raw("done");
	free(s);
}

static void
test_session_invalid_relogin_and_retry(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	struct xr_value *v = NULL;
	int before;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_expiring), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_call_s(x, "VM.get_all", &v, &e, NULL, NULL,
	    NULL), 0);
	assert_string_equal(xr_str(v), "done");
	xr_free(v);
	assert_int_equal(peer_nreq(p), 4);
	assert_string_equal(p->reqs[0].method, "session.login_with_password");
	assert_param(&p->reqs[1], 0, "OpaqueRef:s1");
	assert_string_equal(p->reqs[2].method, "session.login_with_password");
	assert_string_equal(p->reqs[3].method, "VM.get_all");
	assert_param(&p->reqs[3], 0, "OpaqueRef:s2");

	/* only one retry: a session refused again is the caller's problem */
	before = peer_nreq(p);
	assert_int_equal(xapi_call_s(x, "always.invalid", NULL, &e, NULL,
	    NULL, NULL), -1);
	assert_string_equal(e.code, "SESSION_INVALID");
	assert_int_equal(peer_nreq(p) - before, 3);	/* call, login, call */
	xapi_free(x);
	peer_stop(p);
}

static void
test_xapi_error_reported(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	struct xr_value *v = (struct xr_value *)&v;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_basic), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_call_s(x, "host.disable", &v, &e, "OpaqueRef:h1",
	    NULL, NULL), -1);
	assert_null(v);
	assert_int_equal(e.transport, 0);
	assert_string_equal(e.code, "HOST_OFFLINE");
	assert_int_equal(e.nparams, 1);
	assert_string_equal(e.params[0], "OpaqueRef:h1");
	assert_string_equal(e.message, "HOST_OFFLINE [OpaqueRef:h1]");
	assert_string_equal(xapi_strerror(&e), "HOST_OFFLINE [OpaqueRef:h1]");
	/* the argument went after the session */
	assert_param(&p->reqs[1], 1, "OpaqueRef:h1");

	/* more parameters than XAPI_MAX_PARAMS: the first ones are kept */
	assert_int_equal(xapi_call_s(x, "host.many", NULL, &e, NULL, NULL,
	    NULL), -1);
	assert_string_equal(e.code, "MANY");
	assert_int_equal(e.nparams, XAPI_MAX_PARAMS);
	assert_string_equal(e.params[7], "8");
	assert_string_equal(e.message, "MANY [1, 2, 3, 4, 5, 6, 7, 8]");
	xapi_free(x);
	peer_stop(p);
}

/* A reply of p->counter bytes of value text; idx 0 is the login. */
static void
h_big(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	char *pad;

	(void)idx;
	if (is(r, "session.login_with_password")) {
		o->body = ok_raw("OpaqueRef:s1");
		return;
	}
	pad = malloc((size_t)p->counter + 1);
	CHECK(pad != NULL);
	memset(pad, 'a', (size_t)p->counter);
	pad[p->counter] = '\0';
	o->body = ok_raw(pad);
	o->no_length = p->no_length;
	free(pad);
}

static void
test_reply_larger_than_max_is_transport_error(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	struct xr_value *v = NULL;
	int chunked;

	(void)state;
	for (chunked = 0; chunked < 2; chunked++) {
		assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_big), 0);
		p->no_length = chunked;	/* no Content-Length when set */
		p->counter = 100;
		peer_run(p);
		x = client(p, "http", 5000, 2048);
		/* under the limit: fine */
		assert_int_equal(xapi_call_s(x, "a.b", &v, &e, NULL, NULL,
		    NULL), 0);
		assert_int_equal(strlen(xr_str(v)), 100);
		xr_free(v);
		/* over it, with or without Content-Length */
		p->counter = 100000;
		assert_int_equal(xapi_call_s(x, "a.b", &v, &e, NULL, NULL,
		    NULL), -1);
		assert_null(v);
		assert_int_equal(e.transport, 1);
		assert_string_equal(e.code, "");
		if (strstr(e.message, "reply larger than 2048 bytes") == NULL)
			fail_msg("unexpected error: %s", e.message);
		xapi_free(x);
		peer_free(p);
	}
}

static void
test_connection_refused_is_quick_transport_error(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	double t0;

	(void)state;
	/* a port nobody listens on */
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_basic), 0);
	peer_stop(p);	/* closes the listening socket */
	x = client(p, "http", 5000, 0);
	t0 = now_s();
	assert_int_equal(xapi_call_s(x, "pool.get_all", NULL, &e, NULL, NULL,
	    NULL), -1);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(e.transport, 1);
	assert_non_null(strstr(e.message, "127.0.0.1"));
	xapi_free(x);
}

static void
h_slow(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	h_basic(p, r, idx, o);
	if (!is(r, "session.login_with_password"))
		o->delay_ms = 3000;
}

static void
test_slow_peer_times_out(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	double t0, dt;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_slow), 0);
	peer_run(p);
	x = client(p, "http", 300, 0);
	assert_int_equal(xapi_login(x, &e), 0);
	t0 = now_s();
	assert_int_equal(xapi_call_s(x, "pool.get_all", NULL, &e, NULL, NULL,
	    NULL), -1);
	dt = now_s() - t0;
	assert_true(dt >= 0.25 && dt < 2.0);
	assert_int_equal(e.transport, 1);
	if (strstr(e.message, "did not answer pool.get_all within 300 ms") ==
	    NULL)
		fail_msg("unexpected error: %s", e.message);
	assert_int_equal(xapi_timed_out(x), 1);
	xapi_free(x);	/* session dropped with the transport error */
	peer_stop(p);
	assert_int_equal(p->nreq, 2);	/* no logout after the timeout */
}

/* A deadline cuts a call's own timeout short, and a call that would
 * start after it fails at once without a request, naming XAPI. */
static void
test_deadline_bounds_calls(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	double t0, dt;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_slow), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_login(x, &e), 0);
	assert_int_equal(xapi_timed_out(x), 0);
	xapi_set_deadline(x, xapi_deadline_ms(400));
	t0 = now_s();
	assert_int_equal(xapi_call_s(x, "pool.get_all", NULL, &e, NULL, NULL,
	    NULL), -1);
	dt = now_s() - t0;
	assert_true(dt >= 0.3 && dt < 2.0);	/* not the call's 5 s */
	assert_int_equal(xapi_timed_out(x), 1);
	if (strstr(e.message, "did not answer pool.get_all within") == NULL)
		fail_msg("unexpected error: %s", e.message);
	t0 = now_s();
	assert_int_equal(xapi_call_s(x, "host.get_all", NULL, &e, NULL, NULL,
	    NULL), -1);
	assert_true(now_s() - t0 < 0.2);
	assert_int_equal(xapi_timed_out(x), 1);
	if (strstr(e.message, "no time left for "
	    "session.login_with_password") == NULL)
		fail_msg("unexpected error: %s", e.message);
	xapi_free(x);
	peer_stop(p);
	assert_int_equal(p->nreq, 2);	/* login, pool.get_all: no more */
}

static void
h_junk(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	(void)p;
	(void)idx;
	if (is(r, "session.login_with_password"))
		o->body = xdup("<html>this is not XAPI</html>");
	else {
		o->body = xdup("Internal error");
		o->status = 500;
	}
}

static void
test_non_xmlrpc_peer_is_transport_error(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_junk), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_login(x, &e), -1);
	assert_int_equal(e.transport, 1);
	assert_non_null(strstr(e.message, "unusable reply"));
	xapi_free(x);
	peer_stop(p);
}

/* Tasks: p->counter polls "pending", then p->redirect is the status. */
static void
h_task(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	(void)idx;
	if (is(r, "task.get_status")) {
		if (p->counter-- > 0)
			o->body = ok_raw("pending");
		else
			o->body = ok_raw(p->redirect);
	} else if (is(r, "task.get_result"))
		o->body = ok_raw("&lt;value&gt;OpaqueRef:vm&lt;/value&gt;");
	else if (is(r, "task.get_error_info"))
		o->body = ok_raw("<array><data><value>"
		    "HOST_NOT_ENOUGH_FREE_MEMORY</value><value>1024</value>"
		    "<value>512</value></data></array>");
	else
		h_basic(p, r, idx, o);
}

static int
count(struct peer *p, const char *method, const char *param1)
{
	int i, n = 0;
	char *s;

	for (i = 0; i < p->nreq; i++) {
		if (!is(&p->reqs[i], method))
			continue;
		if (param1 != NULL) {
			s = req_param(&p->reqs[i], 1);
			if (strcmp(s, param1) != 0) {
				free(s);
				continue;
			}
			free(s);
		}
		n++;
	}
	return n;
}

static void
test_task_wait_success(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	char *res = NULL;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_task), 0);
	p->counter = 2;
	snprintf(p->redirect, sizeof(p->redirect), "success");
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_task_wait(x, "OpaqueRef:t1", 10, 20, &res, &e),
	    0);
	assert_string_equal(res, "<value>OpaqueRef:vm</value>");
	free(res);
	xapi_free(x);
	peer_stop(p);
	assert_int_equal(count(p, "task.get_status", "OpaqueRef:t1"), 3);
	assert_int_equal(count(p, "task.get_result", "OpaqueRef:t1"), 1);
	assert_int_equal(count(p, "task.destroy", "OpaqueRef:t1"), 1);
}

static void
test_task_wait_failure(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	char *res = NULL;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_task), 0);
	snprintf(p->redirect, sizeof(p->redirect), "failure");
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_task_wait(x, "OpaqueRef:t1", 10, 20, &res, &e),
	    -1);
	assert_null(res);
	assert_int_equal(e.transport, 0);
	assert_string_equal(e.code, "HOST_NOT_ENOUGH_FREE_MEMORY");
	assert_int_equal(e.nparams, 2);
	assert_string_equal(e.message, "HOST_NOT_ENOUGH_FREE_MEMORY [1024, "
	    "512]");
	xapi_free(x);
	peer_stop(p);
	assert_int_equal(count(p, "task.get_error_info", "OpaqueRef:t1"), 1);
	assert_int_equal(count(p, "task.destroy", "OpaqueRef:t1"), 1);
}

static void
test_task_wait_timeout_cancels(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	double t0, dt;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_task), 0);
	p->counter = 1000000;
	peer_run(p);
	x = client(p, "http", 5000, 0);
	t0 = now_s();
	assert_int_equal(xapi_task_wait(x, "OpaqueRef:t1", 1, 100, NULL, &e),
	    -1);
	dt = now_s() - t0;
	assert_true(dt >= 0.9 && dt < 3.0);
	assert_string_equal(e.code, "TASK_TIMEOUT");
	assert_string_equal(e.params[0], "OpaqueRef:t1");
	xapi_free(x);
	peer_stop(p);
	assert_true(count(p, "task.get_status", NULL) >= 5);
	assert_int_equal(count(p, "task.cancel", "OpaqueRef:t1"), 1);
	assert_int_equal(count(p, "task.destroy", "OpaqueRef:t1"), 1);
}

/* The first two status polls get no answer at all (master restarting). */
static void
h_task_flaky(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	if (is(r, "task.get_status") && p->ctx == NULL) {
		if (++p->counter <= 2)
			return;		/* hang up */
		p->ctx = p;
		p->counter = 0;
	}
	h_task(p, r, idx, o);
}

static void
test_task_wait_rides_out_transport_errors(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	char *res = NULL;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_task_flaky), 0);
	snprintf(p->redirect, sizeof(p->redirect), "success");
	peer_run(p);
	x = client(p, "http", 5000, 0);
	assert_int_equal(xapi_task_wait(x, "OpaqueRef:t1", 10, 20, &res, &e),
	    0);
	assert_string_equal(res, "<value>OpaqueRef:vm</value>");
	free(res);
	xapi_free(x);
	peer_stop(p);
	assert_int_equal(count(p, "task.get_status", NULL), 3);
	/* each transport error dropped the session: logged in again */
	assert_int_equal(count(p, "session.login_with_password", NULL), 3);
}

static void
h_events(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	if (is(r, "event.from"))
		o->body = ok_raw("<struct><member><name>events</name><value>"
		    "<array><data><value><struct><member><name>class</name>"
		    "<value>host</value></member><member><name>operation"
		    "</name><value>mod</value></member></struct></value><value>"
		    "<struct><member><name>class</name><value>task</value>"
		    "</member></struct></value></data></array></value></member>"
		    "<member><name>valid_ref_counts</name><value><struct/>"
		    "</value></member><member><name>token</name><value>"
		    "00000000000000000042,00000000000000000007</value></member>"
		    "</struct>");
	else
		h_basic(p, r, idx, o);
}

static void
test_event_from(void **state)
{
	static const char *const classes[] = { "host", "task", NULL };
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	struct xr_value *ev = NULL;
	char *tok, *old;
	const struct req *r;

	(void)state;
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_events), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);
	old = tok = strdup("");
	assert_int_equal(xapi_event_from(x, classes, &tok, 30.0, &ev, &e), 0);
	assert_string_equal(tok, "00000000000000000042,00000000000000000007");
	assert_int_equal(ev->type, XR_ARRAY);
	assert_int_equal(ev->n, 2);
	assert_string_equal(xr_get_str(ev->items[0], "class"), "host");
	assert_string_equal(xr_get_str(ev->items[0], "operation"), "mod");
	free(old);
	free(tok);
	xr_free(ev);
	r = &p->reqs[1];
	assert_string_equal(r->method, "event.from");
	assert_int_equal(r->nparams, 4);
	/* classes as an array of strings, the timeout as a <double> */
	assert_non_null(strstr(r->body, "<array><data><value><string>host"
	    "</string></value><value><string>task</string></value></data>"
	    "</array>"));
	assert_non_null(strstr(r->body, "<double>30</double>"));
	assert_param(r, 2, "");
	xapi_free(x);
	peer_stop(p);
}

/* GET /pool/xmldbdump: p->redirect is the status to answer ("" = 200). */
static void
h_dump(struct peer *p, const struct req *r, int idx, struct resp *o)
{
	if (strncmp(r->line, "GET ", 4) == 0) {
		o->body = xdup("<?xml version=\"1.0\"?><database><table "
		    "name=\"host\"/></database>\n");
		o->status = atoi(p->redirect);
		return;
	}
	h_basic(p, r, idx, o);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static void
test_dump_db(void **state)
{
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	char *dir, *path, *got, *tmp;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	path = unit_write(dir, "pool.db", "old\n");
	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_dump), 0);
	peer_run(p);
	x = client(p, "http", 5000, 0);

	/* refused: the old file stays, no temp file is left */
	snprintf(p->redirect, sizeof(p->redirect), "500");
	assert_int_equal(xapi_dump_db(x, path, &e), -1);
	assert_non_null(strstr(e.message, "500"));
	got = slurp(path);
	assert_string_equal(got, "old\n");
	free(got);

	p->redirect[0] = '\0';
	assert_int_equal(xapi_dump_db(x, path, &e), 0);
	got = slurp(path);
	assert_string_equal(got, "<?xml version=\"1.0\"?><database><table "
	    "name=\"host\"/></database>\n");
	free(got);
	assert_true(asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) > 0);
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp);
	xapi_free(x);
	peer_stop(p);
	assert_string_equal(p->reqs[1].line, "GET /pool/xmldbdump?session_id="
	    "OpaqueRef%3As1 HTTP/1.1");
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* ---- TLS ---- */

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0 ? 0 : -1;
}

/* The SHA-256 fingerprint as the openssl CLI prints it (AB:CD:...). */
static void
cli_fingerprint(const char *cert, char out[128])
{
	char cmd[512], line[256], *eq;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -noout -fingerprint "
	    "-sha256", cert);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	pclose(f);
	eq = strchr(line, '=');
	assert_non_null(eq);
	eq[1 + strcspn(eq + 1, "\r\n")] = '\0';
	snprintf(out, 128, "%s", eq + 1);
	assert_int_equal(strlen(out), 95);
}

static void
test_tls_pin(void **state)
{
	struct xapi_conf c = { 0 };
	struct peer *p;
	struct xapi *x;
	struct xapi_error e;
	char *dir, cert[256], key[256], cmd[1024], fp[128], url[64];

	(void)state;
	if (run("openssl version >/dev/null 2>&1") == -1) {
		printf("# SKIP test_tls_pin: no openssl command to make a "
		    "certificate\n");
		skip();
	}
	if (ossl_load() == -1) {
		printf("# SKIP test_tls_pin: libssl not loadable\n");
		skip();
	}
	dir = unit_tmpdir();
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes "
	    "-subj /CN=test -addext subjectAltName=IP:127.0.0.1 -days 1 "
	    "-keyout '%s' -out '%s' >/dev/null 2>&1", key, cert);
	assert_int_equal(run(cmd), 0);
	cli_fingerprint(cert, fp);

	assert_int_equal(peer_start(&p, "127.0.0.1", 0, h_basic), 0);
	p->tls = ossl.ctx_new(ossl.server_method());
	assert_non_null(p->tls);
	assert_int_equal(ossl.use_cert(p->tls, cert, SSL_FILETYPE_PEM), 1);
	assert_int_equal(ossl.use_key(p->tls, key, SSL_FILETYPE_PEM), 1);
	p->keepalive = 1;	/* so the pinned connection gets reused */
	peer_run(p);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", p->port);
	c.url = url;
	c.username = "root";
	c.password = "pinned-secret";
	c.tls_verify = 1;
	c.connect_timeout_ms = 30000;
	c.timeout_ms = 60000;

	/* the right pin: login and a call, over one checked connection */
	c.tls_fingerprint = fp;
	assert_int_equal(xapi_new(&c, &x), 0);
	assert_int_equal(xapi_call_s(x, "host.get_all", NULL, &e, NULL, NULL,
	    NULL), 0);
	assert_int_equal(peer_nreq(p), 2);
	assert_int_equal(__atomic_load_n(&p->nhandshakes, __ATOMIC_SEQ_CST), 1);
	xapi_free(x);
	assert_int_equal(peer_nreq(p), 3);	/* + logout */

	/* the same pin without colons, in lower case */
	{
		char bare[96];
		size_t i, o = 0;

		for (i = 0; fp[i] != '\0'; i++)
			if (fp[i] != ':')
				bare[o++] = (char)(fp[i] | 0x20);
		bare[o] = '\0';
		c.tls_fingerprint = bare;
		assert_int_equal(xapi_new(&c, &x), 0);
		assert_int_equal(xapi_login(x, &e), 0);
		xapi_free(x);
	}
	assert_int_equal(peer_nreq(p), 5);

	/* a wrong pin: TLS handshake, then not one byte of request */
	fp[0] = fp[0] == 'A' ? 'B' : 'A';
	c.tls_fingerprint = fp;
	p->bytes = 0;
	assert_int_equal(xapi_new(&c, &x), 0);
	assert_int_equal(xapi_login(x, &e), -1);
	assert_int_equal(e.transport, 1);
	if (strstr(e.message, "fingerprint") == NULL)
		fail_msg("unexpected error: %s", e.message);
	xapi_free(x);
	msleep(200);
	assert_int_equal(peer_nreq(p), 5);
	assert_true(__atomic_load_n(&p->nhandshakes, __ATOMIC_SEQ_CST) >= 3);
	assert_int_equal(__atomic_load_n(&p->bytes, __ATOMIC_SEQ_CST), 0);

	/* a bad pin is refused up front */
	c.tls_fingerprint = "AB:CD";
	assert_int_equal(xapi_new(&c, &x), -1);

	/* verification by CA file instead of a pin */
	c.tls_fingerprint = NULL;
	c.tls_ca = cert;
	assert_int_equal(xapi_new(&c, &x), 0);
	assert_int_equal(xapi_login(x, &e), 0);
	xapi_free(x);
	assert_int_equal(peer_nreq(p), 7);

	/* the system CAs do not know this certificate: nothing is sent */
	c.tls_ca = NULL;
	p->bytes = 0;
	assert_int_equal(xapi_new(&c, &x), 0);
	assert_int_equal(xapi_login(x, &e), -1);
	assert_int_equal(e.transport, 1);
	xapi_free(x);
	msleep(200);
	assert_int_equal(peer_nreq(p), 7);
	assert_int_equal(__atomic_load_n(&p->bytes, __ATOMIC_SEQ_CST), 0);

	/* tls_verify = 0: accepted unverified */
	c.tls_verify = 0;
	assert_int_equal(xapi_new(&c, &x), 0);
	assert_int_equal(xapi_login(x, &e), 0);
	xapi_free(x);

	peer_stop(p);
	unlink(cert);
	unlink(key);
	rmdir(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_login_call_logout, teardown),
		cmocka_unit_test_teardown(test_login_falls_back_to_three_arguments, teardown),
		cmocka_unit_test_teardown(test_host_is_slave_followed, teardown),
		cmocka_unit_test_teardown(test_host_is_slave_loop_and_bad_address_refused, teardown),
		cmocka_unit_test_teardown(test_host_is_slave_ipv6_master, teardown),
		cmocka_unit_test_teardown(test_password_never_logged, teardown),
		cmocka_unit_test_teardown(test_session_invalid_relogin_and_retry, teardown),
		cmocka_unit_test_teardown(test_xapi_error_reported, teardown),
		cmocka_unit_test_teardown(test_reply_larger_than_max_is_transport_error, teardown),
		cmocka_unit_test_teardown(test_connection_refused_is_quick_transport_error, teardown),
		cmocka_unit_test_teardown(test_slow_peer_times_out, teardown),
		cmocka_unit_test_teardown(test_deadline_bounds_calls, teardown),
		cmocka_unit_test_teardown(test_non_xmlrpc_peer_is_transport_error, teardown),
		cmocka_unit_test_teardown(test_task_wait_success, teardown),
		cmocka_unit_test_teardown(test_task_wait_failure, teardown),
		cmocka_unit_test_teardown(test_task_wait_timeout_cancels, teardown),
		cmocka_unit_test_teardown(test_task_wait_rides_out_transport_errors, teardown),
		cmocka_unit_test_teardown(test_event_from, teardown),
		cmocka_unit_test_teardown(test_dump_db, teardown),
		cmocka_unit_test_teardown(test_tls_pin, teardown),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	xmlCleanupParser();
	return rc;
}
