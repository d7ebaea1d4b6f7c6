/* repo_fetch.h — the HTTP(S) client of repo mirrors (libcurl): a small
 * file into memory, the size of a file (HEAD, or a one-byte range GET
 * when the mirror refuses HEAD), a large file into a descriptor with its
 * SHA-256 and progress in the log.
 *
 * Every transfer is bounded: connect timeout, a total timeout for small
 * files, a minimum speed for large ones, a maximum size. https is checked
 * against the system's CAs, or against ca_file when given; redirects are
 * followed (at most 5, http and https only). Failures come back as a kind
 * and a message that says what failed: "DNS: ...", "connect: ...",
 * "timeout after N s", "TLS: ...", "HTTP 404".
 */
#ifndef POOLBOOT_REPO_FETCH_H
#define POOLBOOT_REPO_FETCH_H

#include <stddef.h>
#include <stdint.h>

enum repo_fetch_result {
	REPO_FETCH_OK = 0,
	REPO_FETCH_UNREACHABLE,	/* DNS, connect, timeout, HTTP 5xx: the
				   mirror may be back later */
	REPO_FETCH_TLS,		/* certificate not trusted, handshake */
	REPO_FETCH_HTTP,	/* it answered another status (404, 403) */
	REPO_FETCH_BAD		/* too large, cut short, local I/O */
};

struct repo_fetch_opts {
	const char *ca_file;	/* NULL: the system's CAs */
	long	 connect_timeout;	/* seconds; 0: 5 */
	long	 timeout;	/* seconds, whole transfer of small files
				   (get, head); 0: 15 */
	const char *what;	/* large files: "repo NAME: install.img",
				   the progress lines' subject */
};

struct repo_fetch_head {
	int64_t	 size;		/* -1: not said */
	char	 validator[128];	/* ETag, else Last-Modified; "" */
};

/* GET url into *body (NUL-terminated, caller frees, *len bytes); more
 * than max bytes is REPO_FETCH_BAD. On failure *body is NULL and err says
 * what failed. */
enum repo_fetch_result repo_fetch_get(const char *url,
	    const struct repo_fetch_opts *o, size_t max, char **body,
	    size_t *len, char *err, size_t errlen);

/* The size and validator of url (HEAD; a GET of bytes 0-0 when the
 * mirror answers HEAD with 405 or 501). */
enum repo_fetch_result repo_fetch_head(const char *url,
	    const struct repo_fetch_opts *o, struct repo_fetch_head *h,
	    char *err, size_t errlen);

/* GET url into fd (at most max bytes; the Content-Length, when given,
 * must be met exactly), its SHA-256 into sha256 (64 hex digits), its size
 * and validator into h. Progress is logged ("mirror:") every 10% of a
 * file of 16 MiB or more, at most every 2 s. No total timeout: a transfer
 * slower than 1 KiB/s for 30 s is a timeout. */
enum repo_fetch_result repo_fetch_file(const char *url,
	    const struct repo_fetch_opts *o, int fd, uint64_t max,
	    struct repo_fetch_head *h, char sha256[65], char *err,
	    size_t errlen);

#endif
