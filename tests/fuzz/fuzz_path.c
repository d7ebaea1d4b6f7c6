/* fuzz_path.c — the request path as the server takes it apart: the raw
 * request target percent-decoded the way libmicrohttpd does it
 * (MHD_http_unescape), routed (http.c's http_route: repo, host routes,
 * API, dashboard), logged (http_log_path: escaped, token redacted), and
 * for /repo/ paths opened beneath a small fixed repo tree
 * (http_file_open_beneath), with openat2 or, for odd first bytes, with
 * the realpath fallback of older kernels.
 *
 * The tree: root/ holds regular files, a FIFO, symlinks that stay inside
 * (relative and absolute) and symlinks that leave (to a file beside root,
 * to /etc/passwd, to a folder outside). Invariants: an fd is only ever a
 * regular file of root's own (by device and inode); the route's segments
 * lie inside its buffer; the log path has no control, quote, backslash or
 * non-ASCII byte and never shows a host route's token.
 *
 * http.c is included so that its static routing and log functions can
 * be called; the archive then leaves out its own http.o.
 */
#include "fuzz.h"

#include <ctype.h>
#include <sys/types.h>

#include "../../server/http.c"

#define MAX_INSIDE	64

static char *root;
static struct { dev_t dev; ino_t ino; } inside[MAX_INSIDE];
static size_t ninside;

static int
collect(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)p;
	(void)f;
	if (flag == FTW_F && S_ISREG(sb->st_mode) && ninside < MAX_INSIDE) {
		inside[ninside].dev = sb->st_dev;
		inside[ninside].ino = sb->st_ino;
		ninside++;
	}
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir;
	char *p, *abs;

	(void)argc;
	(void)argv;
	log_set_verbosity(-1);
	dir = fuzz_tmpdir();
	root = fuzz_path(dir, "root");
	fuzz_mkrepo(dir, "root");
	fuzz_write(dir, "root/a/b/c.txt", "c");
	fuzz_write(dir, "root/%2e%2e", "literal");
	fuzz_write(dir, "root/.hidden", "h");
	fuzz_write(dir, "secret", "outside");
	fuzz_write(dir, "outside/f", "outside");
	p = fuzz_path(dir, "root/fifo");
	(void)mkfifo(p, 0600);
	free(p);
#define LINK(target, name) do {						\
		p = fuzz_path(dir, name);				\
		if (symlink(target, p) == -1)				\
			exit(1);					\
		free(p);						\
	} while (0)
	LINK("a/b/c.txt", "root/in");
	LINK("../../install.img", "root/a/b/up");
	LINK("../secret", "root/out");
	LINK("/etc/passwd", "root/etc");
	LINK("../outside", "root/outdir");
	LINK("loop", "root/loop");
	LINK("/proc/self/root/etc/passwd", "root/magic");
	abs = fuzz_path(root, "a/b/c.txt");
	LINK(abs, "root/absin");
	free(abs);
	abs = fuzz_path(dir, "secret");
	LINK(abs, "root/absout");
	free(abs);
	(void)nftw(root, collect, 16, FTW_PHYS);
	FUZZ_ASSERT(ninside >= 6, "fixture: %zu files", ninside);
	return 0;
}

static void
check_fd(int fd, const char *rel)
{
	struct stat sb;
	size_t i;

	if (fd < 0)
		return;
	FUZZ_ASSERT(fstat(fd, &sb) == 0, "fstat");
	FUZZ_ASSERT(S_ISREG(sb.st_mode), "not a regular file: \"%s\"", rel);
	for (i = 0; i < ninside; i++)
		if (inside[i].dev == sb.st_dev && inside[i].ino == sb.st_ino)
			break;
	FUZZ_ASSERT(i < ninside, "opened a file outside root: \"%s\"", rel);
	close(fd);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p++;
	}
	return n;
}

static void
check_log(const char *path, const struct http_route_match *m)
{
	char *lp = http_log_path(path);
	const char *tok;
	size_t i;

	FUZZ_ASSERT(lp != NULL, "http_log_path");
	for (i = 0; lp[i] != '\0'; i++)
		FUZZ_ASSERT(lp[i] >= 0x20 && lp[i] < 0x7f && lp[i] != '"',
		    "log byte 0x%02x", (unsigned char)lp[i]);
	FUZZ_ASSERT(i <= HTTP_LOG_PATH_MAX + 64, "log path %zu long", i);
	if ((m->route == HTTP_REQ_ANSWERFILE || m->route == HTTP_REQ_SCRIPT ||
	    m->route == HTTP_REQ_CALLBACK) && !m->missing_token) {
		tok = m->segs[2];
		/* an alphanumeric token shows fewer times than in the path
		 * (when nothing in the path is escaped: "\xf9" + "9yy" could
		 * spell a token "9yy" that is not there) */
		for (i = 0; path[i] != '\0'; i++)
			if (path[i] < 0x20 || path[i] >= 0x7f ||
			    path[i] == '"' || path[i] == '\\')
				break;
		if (path[i] == '\0' && tok[strspn(tok, "0123456789"
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")] ==
		    '\0' && strlen(tok) >= 4 && strlen(path) < 200)
			FUZZ_ASSERT(count(lp, tok) < count(path, tok),
			    "token shown in the log: %s", lp);
	}
	free(lp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_route_match m;
	char *path;
	size_t i;

	if (size < 1 || size > 8192)
		return 0;
	http_file_test_no_openat2 = data[0] & 1;
	path = fuzz_cstr(data + 1, size - 1);
	MHD_http_unescape(path);	/* what libmicrohttpd hands http.c */
	http_route(path, &m);
	for (i = 0; i < m.nsegs; i++)
		FUZZ_ASSERT(m.segs[i] >= m.buf &&
		    m.segs[i] + strlen(m.segs[i]) < m.buf + sizeof(m.buf),
		    "segment outside the buffer");
	check_log(path, &m);
	if (m.route == HTTP_REQ_REPO)
		check_fd(http_file_open_beneath(root, m.rest), m.rest);
	else if (m.route == HTTP_REQ_WEB)
		check_fd(http_file_open_beneath(root, m.rest), m.rest);
	else
		check_fd(http_file_open_beneath(root, path), path);
	free(path);
	return 0;
}
