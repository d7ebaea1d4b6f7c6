/* test_http_fcache.c — the small-file cache of http_file_repo
 * (http_file.h) as a client sees it over HTTP: a file changed in place
 * or replaced between two requests is served new, a response being sent
 * when its file is replaced ends whole with the old bytes, a symlink
 * swapped in for a cached file does not lead outside, and the bytes kept
 * stay within the bounds. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "http_file.h"
#include "http_req.h"
#include "log.h"

static char *tree;	/* tree/root is the repo, tree/outside.txt not */
static char *root;
static struct MHD_Daemon *daemon_;
static uint16_t port;

static enum MHD_Result
handler(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_req *rq;
	enum MHD_Result r;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	if (*con_cls == NULL) {
		*con_cls = &port;	/* headers seen: answer next call */
		return MHD_YES;
	}
	assert_non_null(rq = http_req_new(con, url));
	snprintf(rq->method, sizeof(rq->method), "%s", method);
	r = http_file_repo(con, rq, root, url);
	http_req_free(rq);
	return r;
}

/* Writes n bytes of c to root/rel (in place: same inode). */
static void
fill(const char *rel, char c, size_t n)
{
	char *p, *buf;
	int fd;

	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	assert_non_null(buf = malloc(n));
	memset(buf, c, n);
	assert_true((fd = open(p, O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	free(buf);
	free(p);
}

/* Replaces root/rel by a new file (rename: a new inode). */
static void
replace(const char *rel, char c, size_t n)
{
	char *p, *tmp;

	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	assert_true(asprintf(&tmp, "%s/%s.new", root, rel) > 0);
	fill(strrchr(tmp, '/') + 1, c, n);
	assert_int_equal(rename(tmp, p), 0);
	free(tmp);
	free(p);
}

static int
connect_to(int rcvbuf)
{
	struct sockaddr_in sa;
	int fd;

	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
send_get(int fd, const char *path)
{
	char req[512];
	int n;

	n = snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\n\r\n", path);
	assert_int_equal(write(fd, req, (size_t)n), n);
}

/* Reads the rest of an answer: the status and the body (malloc'd). */
static int
read_answer(int fd, char **body, size_t *len)
{
	size_t cap = 1 << 16, got = 0;
	char *buf = malloc(cap), *sep;
	ssize_t n;
	int status;

	assert_non_null(buf);
	while ((n = read(fd, buf + got, cap - got - 1)) > 0) {
		got += (size_t)n;
		if (cap - got < 4096)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	buf[got] = '\0';
	close(fd);
	assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &status), 1);
	assert_non_null(sep = strstr(buf, "\r\n\r\n"));
	*len = got - (size_t)(sep + 4 - buf);
	*body = malloc(*len + 1);
	memcpy(*body, sep + 4, *len + 1);
	free(buf);
	return status;
}

static int
fetch(const char *path, char **body, size_t *len)
{
	int fd = connect_to(0);

	send_get(fd, path);
	return read_answer(fd, body, len);
}

/* The file at path is served with n bytes of c. */
static void
expect(const char *path, char c, size_t n)
{
	char *body;
	size_t len, i;

	assert_int_equal(fetch(path, &body, &len), 200);
	assert_int_equal(len, n);
	for (i = 0; i < n; i++)
		if (body[i] != c)
			fail_msg("%s: byte %zu is '%c', want '%c'", path, i,
			    body[i], c);
	free(body);
}

static size_t
entries(void)
{
	size_t b, n;

	http_file_cache_stats(&b, &n);
	return n;
}

static int
setup(void **state)
{
	char *p;
	int i;

	(void)state;
	assert_non_null(tree = unit_tmpdir());
	assert_true(asprintf(&root, "%s/root", tree) > 0);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_true(asprintf(&p, "%s/outside.txt", tree) > 0);
	free(unit_write(tree, "outside.txt", "secret outside\n"));
	free(p);
	fill("a.rpm", 'a', 5000);
	fill("b.rpm", 'b', 200000);
	fill("c.rpm", 'c', 50000);
	fill("s.txt", 's', 100);
	for (i = 0; i < 10; i++) {
		char name[32];

		snprintf(name, sizeof(name), "m%d.rpm", i);
		fill(name, (char)('0' + i), 20000);
	}
	/* files changed within 2 s are not cached: let these settle */
	sleep(3);
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL, 0, NULL, NULL, handler, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, 2, MHD_OPTION_END);
	assert_non_null(daemon_);
	port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd;

	(void)state;
	MHD_stop_daemon(daemon_);
	http_file_cache_clear();
	assert_int_equal(entries(), 0);
	assert_true(asprintf(&cmd, "rm -rf '%s'", tree) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void
test_changed_between_requests(void **state)
{
	size_t n0;

	(void)state;
	expect("a.rpm", 'a', 5000);
	n0 = entries();
	assert_true(n0 >= 1);
	expect("a.rpm", 'a', 5000);		/* from the cache */
	assert_int_equal(entries(), n0);
	fill("a.rpm", 'A', 5000);		/* in place, same size */
	expect("a.rpm", 'A', 5000);
	replace("a.rpm", 'x', 4000);		/* a new file */
	expect("a.rpm", 'x', 4000);
	fill("a.rpm", 'y', 4000);
	expect("a.rpm", 'y', 4000);
}

static void
test_replaced_while_served(void **state)
{
	char *body;
	size_t len, i;
	int fd, status;

	(void)state;
	expect("b.rpm", 'b', 200000);		/* cached now */
	/* a slow client: the answer waits in the server */
	fd = connect_to(4096);
	send_get(fd, "b.rpm");
	usleep(200 * 1000);
	replace("b.rpm", 'B', 150000);
	expect("b.rpm", 'B', 150000);		/* drops the old entry */
	http_file_cache_clear();
	status = read_answer(fd, &body, &len);
	assert_int_equal(status, 200);
	assert_int_equal(len, 200000);		/* whole, and old */
	for (i = 0; i < len; i++)
		if (body[i] != 'b')
			fail_msg("byte %zu is '%c'", i, body[i]);
	free(body);
}

static void
test_symlink_swapped_in(void **state)
{
	char *p, *out, *body;
	size_t len;

	(void)state;
	expect("s.txt", 's', 100);
	assert_true(asprintf(&p, "%s/s.txt", root) > 0);
	assert_true(asprintf(&out, "%s/outside.txt", tree) > 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(out, p), 0);
	assert_int_not_equal(fetch("s.txt", &body, &len), 200);
	assert_null(strstr(body, "secret"));
	free(body);
	free(p);
	free(out);
}

static void
test_memory_bounds(void **state)
{
	size_t bytes, n, before;
	int i;

	(void)state;
	http_file_cache_clear();
	http_file_cache_limits(100000, 40000);
	for (i = 0; i < 10; i++) {
		char name[32];

		snprintf(name, sizeof(name), "m%d.rpm", i);
		expect(name, (char)('0' + i), 20000);
		http_file_cache_stats(&bytes, &n);
		assert_true(bytes <= 100000);
	}
	assert_true(n >= 1 && n < 10);
	for (i = 0; i < 10; i++) {	/* evicted ones served from disk */
		char name[32];

		snprintf(name, sizeof(name), "m%d.rpm", i);
		expect(name, (char)('0' + i), 20000);
	}
	before = entries();
	expect("c.rpm", 'c', 50000);	/* over the per-file bound */
	assert_int_equal(entries(), before);
	http_file_cache_limits(30000, 40000);	/* shrinks at once */
	http_file_cache_stats(&bytes, &n);
	assert_true(bytes <= 30000 && n <= 1);
	http_file_cache_limits(0, 0);		/* off */
	assert_int_equal(entries(), 0);
	expect("m1.rpm", '1', 20000);
	assert_int_equal(entries(), 0);
	http_file_cache_limits(64u * 1024 * 1024, 256u * 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changed_between_requests),
		cmocka_unit_test(test_replaced_while_served),
		cmocka_unit_test(test_symlink_swapped_in),
		cmocka_unit_test(test_memory_bounds),
	};

	log_init("test_http_fcache", PB_LOG_ERROR, 0);
	return cmocka_run_group_tests_name("http_file cache", tests, setup,
	    teardown) != 0;
}
