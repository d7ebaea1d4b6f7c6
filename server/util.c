/* util.c — see util.h. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

static int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
util_mac_parse(const char *in, char out[18], const char **err)
{
	unsigned char b[6];
	char digits[13];
	size_t len, nd = 0, i;
	const char *dummy;
	int sep = 0;

	if (err == NULL)
		err = &dummy;
	*err = NULL;
	if (in == NULL || *in == '\0') {
		*err = "empty MAC address";
		return -1;
	}
	len = strlen(in);
	if (len == 17) {		/* aa:bb:cc:dd:ee:ff or aa-bb-... */
		sep = in[2];
		if (sep != ':' && sep != '-')
			goto bad;
		for (i = 0; i < 17; i++) {
			if (i % 3 == 2) {
				if (in[i] != sep)
					goto bad;
			} else {
				if (util_hexval(in[i]) < 0)
					goto bad;
				digits[nd++] = in[i];
			}
		}
	} else if (len == 14) {		/* aabb.ccdd.eeff */
		for (i = 0; i < 14; i++) {
			if (i == 4 || i == 9) {
				if (in[i] != '.')
					goto bad;
			} else {
				if (util_hexval(in[i]) < 0)
					goto bad;
				digits[nd++] = in[i];
			}
		}
	} else if (len == 12) {		/* aabbccddeeff */
		for (i = 0; i < 12; i++) {
			if (util_hexval(in[i]) < 0)
				goto bad;
			digits[nd++] = in[i];
		}
	} else
		goto bad;
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(util_hexval(digits[2 * i]) * 16 +
		    util_hexval(digits[2 * i + 1]));
	if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0) {
		*err = "all-zero MAC address";
		return -1;
	}
	if (b[0] & 1) {
		*err = "multicast/broadcast MAC address (first octet is odd); "
		    "a NIC's own address is unicast";
		return -1;
	}
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
bad:
	*err = "not a MAC address (use aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, "
	    "aabb.ccdd.eeff or aabbccddeeff)";
	return -1;
}

void
util_mac_pxe_name(const char *mac, char out[21])
{
	size_t i;

	out[0] = '0';
	out[1] = '1';
	out[2] = '-';
	for (i = 0; i < 17; i++)
		out[3 + i] = mac[i] == ':' ? '-' : mac[i];
	out[20] = '\0';
}

int
util_valid_name(const char *s)
{
	size_t i;

	if (s == NULL || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 63)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

int
util_valid_arg_word(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strcmp(s, "---") == 0)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' ||
		    c == '\\')
			return 0;
	}
	return i <= 255;
}

int
util_random_token(char out[UTIL_TOKEN_LEN + 1])
{
	unsigned char raw[UTIL_TOKEN_LEN / 2];
	size_t got = 0, i;
	ssize_t n;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	util_wipe(raw, sizeof(raw));
	return 0;
}

void
util_sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

int
util_streq_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = 0;

	if (la != lb)
		return 0;
	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

char *
util_read_file(const char *path, size_t max, size_t *len)
{
	struct sbuf b = { .max = max + 1 };
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		if (sbuf_append(&b, chunk, (size_t)n) == -1) {
			if (b.overflow)
				errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	if (len != NULL)
		*len = b.len;
	return sbuf_take(&b);
fail:
	{
		int saved = errno;

		close(fd);
		sbuf_free(&b);
		errno = saved;
	}
	return NULL;
}

/* Creates a new temp file "<path>.tmp.<16 random hex digits>" beside path
 * (its name in tmp) with O_EXCL and O_NOFOLLOW: nothing planted in the
 * folder (a symlink, a file, a FIFO) is ever opened. Returns the fd, or
 * -1 with errno. */
static int
util_open_temp(const char *path, char tmp[PATH_MAX], mode_t mode)
{
	unsigned char rnd[8];
	ssize_t n;
	int fd, tries;

	for (tries = 0; tries < 8; tries++) {
		do
			n = getrandom(rnd, sizeof(rnd), 0);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(rnd))
			return -1;
		if (snprintf(tmp, PATH_MAX, "%s.tmp.%02x%02x%02x%02x%02x%02x"
		    "%02x%02x", path, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		    rnd[5], rnd[6], rnd[7]) >= PATH_MAX) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int
util_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = data;
	char *slash;
	int fd = -1, dfd, ret = -1;
	ssize_t n;

	if ((fd = util_open_temp(path, tmp, mode)) == -1)
		return -1;
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto out;
	if (close(fd) == -1) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto out;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else
		snprintf(dir, sizeof(dir), ".");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	ret = 0;
out:
	if (ret == -1) {
		int saved = errno;

		if (fd != -1)
			close(fd);
		unlink(tmp);
		errno = saved;
	}
	return ret;
}

int
util_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
util_private_dir(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct stat sb;

	if (util_mkdirs(path, mode) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (stat(path, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a folder", path);
		return -1;
	}
	if ((sb.st_mode & 07777) == mode)
		return 0;
	if (chmod(path, mode) == -1) {
		snprintf(err, errlen, "%s is mode %04o and cannot be made "
		    "%04o: %s; make it %04o and owned by the user poolboot "
		    "runs as", path,
		    (unsigned)(sb.st_mode & 07777), (unsigned)mode,
		    strerror(errno), (unsigned)mode);
		return -1;
	}
	return 0;
}

char *
util_path_join(const char *dir, const char *rel)
{
	char *s;

	if (rel == NULL)
		return NULL;
	if (rel[0] == '/' || dir == NULL || *dir == '\0')
		return strdup(rel);
	if (asprintf(&s, "%s/%s", dir, rel) < 0)
		return NULL;
	return s;
}

int64_t
util_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
util_iso8601(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
util_deadline_ms(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void
util_strlcpy(char *dst, size_t n, const char *src)
{
	size_t l;

	if (n == 0)
		return;
	if (src == NULL)
		src = "";
	l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

void
util_wipe(void *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n);
}
