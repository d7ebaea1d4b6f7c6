/* util.h — small helpers shared by every module: MAC addresses, names,
 * tokens, hashing, files, time. It includes sbuf.h (bounded string
 * buffers) and strlist.h (string lists), so that one include gives a
 * module all of them. Nothing here keeps state. */
#ifndef POOLBOOT_UTIL_H
#define POOLBOOT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbuf.h"
#include "strlist.h"

/* MAC addresses. Accepted forms: aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff (any
 * case), aabb.ccdd.eeff and aabbccddeeff. Writes the canonical lower-case
 * colon form into out[18]. Multicast, broadcast and all-zero addresses are
 * refused: no NIC PXE-boots with them. 0/-1; on error *err (when err is
 * not NULL) points to a constant string saying what is wrong. */
int   util_mac_parse(const char *in, char out[18], const char **err);
/* "aa:bb:.." -> "01-aa-bb-cc-dd-ee-ff" (pxelinux's per-MAC file name). */
void  util_mac_pxe_name(const char *mac, char out[21]);

/* Host, pool and repo names: [A-Za-z0-9][A-Za-z0-9._-]{0,62}. */
int   util_valid_name(const char *s);

/* A kernel/Xen argument word: printable ASCII without space, quote,
 * backslash or control characters, and not "---". */
int   util_valid_arg_word(const char *s);

/* Random token: 160 bits from getrandom(2) as 40 lower-case hex chars. */
#define UTIL_TOKEN_LEN 40
int   util_random_token(char out[UTIL_TOKEN_LEN + 1]);
/* SHA-256 of s as 64 hex chars. */
void  util_sha256_hex(const char *s, char out[65]);
/* Constant-time comparison of two NUL-terminated strings. */
int   util_streq_ct(const char *a, const char *b);

/* Reads a whole file (at most max bytes; bigger is an error, errno=EFBIG).
 * Returns a NUL-terminated malloc'd buffer, *len set if len != NULL. */
char *util_read_file(const char *path, size_t max, size_t *len);
/* Writes data to path atomically: a new temp file in the same directory
 * ("<path>.tmp.<16 random hex digits>", created with O_EXCL|O_NOFOLLOW, so
 * nothing planted there is followed or reused), given mode (umask
 * ignored), fsync, rename over path, fsync of the directory. Readers see
 * the old or the new file, never a partial one. 0, or -1 with errno (the
 * temp file removed). */
int   util_write_atomic(const char *path, const void *data, size_t len,
	    mode_t mode);
/* mkdir -p */
int   util_mkdirs(const char *path, mode_t mode);
/* A folder of exactly mode (e.g. 0700): created (mkdir -p, mode) when
 * missing, else chmod'ed when its mode differs, so a folder left loose
 * (0755, 0777) is made private again. 0, or -1 with the reason in err
 * (not a folder, or its mode cannot be changed: the message says what to
 * do). */
int   util_private_dir(const char *path, mode_t mode, char *err,
	    size_t errlen);
/* Joins dir and rel unless rel is absolute. Caller frees. */
char *util_path_join(const char *dir, const char *rel);

/* Seconds since the epoch, and milliseconds for step times. */
int64_t util_now(void);
int64_t util_now_ms(void);
/* "2026-11-22T01:02:03Z" */
void  util_iso8601(int64_t t, char out[32]);

struct timespec;
/* ts = now (CLOCK_REALTIME) + ms: a deadline for pthread_cond_timedwait. */
void  util_deadline_ms(struct timespec *ts, int ms);

/* Copies src (NULL = "") into dst of size n, truncating; always
 * NUL-terminated when n > 0. For fixed-size record fields. */
void  util_strlcpy(char *dst, size_t n, const char *src);

/* Wipes secrets (explicit_bzero). */
void  util_wipe(void *p, size_t n);

#endif
