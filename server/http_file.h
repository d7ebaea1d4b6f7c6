/* http_file.h — files served from beneath a root directory: the unpacked
 * ISOs of GET|HEAD /repo/{repo}/{path} (with byte ranges), the GRUB
 * files of GET|HEAD /grub/{path} (tftp_root/grub, UEFI HTTP boot) and the
 * dashboard's static files of GET|HEAD / and /web/{file}. Owns the path
 * safety (nothing outside the root is ever opened), Range parsing, the
 * content types and dates, and the fd responses (the kernel sends the
 * bytes; libmicrohttpd closes the fd).
 */
#ifndef POOLBOOT_HTTP_FILE_H
#define POOLBOOT_HTTP_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "http_req.h"

/* Maps a request path under a repo root to an open fd, refusing anything
 * that would leave root ("..", encoded forms already decoded by the
 * caller, symlinks pointing outside). Returns fd >= 0 (caller closes), or
 * -1 with errno ENOENT (404), EACCES (403), EISDIR (404). */
int   http_file_open_beneath(const char *root, const char *relpath);

/* Parses a Range request header for a file of size bytes. Only one byte
 * range is honoured ("bytes=a-b", "bytes=a-", "bytes=-n"). Returns 0 with
 * start and len set (serve 206), 1 to ignore the header (malformed, other
 * unit, several ranges: serve the whole file, 200), -1 when the range is
 * unsatisfiable (416). */
int   http_file_parse_range(const char *hdr, uint64_t size, uint64_t *start,
	    uint64_t *len);

/* Answers a GET or HEAD for the file rest beneath root (a repo's path):
 * 200, 206 for a satisfiable Range (If-Range honoured), 416, 403 (outside
 * root), 404 (missing, a directory, not a regular file), 500. */
enum MHD_Result http_file_repo(struct MHD_Connection *con, struct http_req *rq,
	    const char *root, const char *rest);

/* Answers a GET or HEAD for the file rest beneath tftp_root/grub (the
 * GRUB EFI image, grub.cfg and the per-host hosts/<mac>.cfg, for UEFI
 * HTTP boot) like http_file_repo, except that every refusal is a 404:
 * a path leaving tftp_root/grub ("..", a symlink pointing outside),
 * missing, a directory. .efi files go out as application/efi. */
enum MHD_Result http_file_grub(struct MHD_Connection *con, struct http_req *rq,
	    const char *tftp_root, const char *rest);

/* Answers a GET or HEAD for the dashboard file rest beneath dir (web_dir,
 * NULL: 404 saying the dashboard is not installed), with the dashboard's
 * security headers (CSP to this server only, no framing, no sniffing). */
enum MHD_Result http_file_web(struct MHD_Connection *con, struct http_req *rq,
	    const char *dir, const char *rest);

/* The small-file cache of http_file_repo and http_file_grub: whole
 * files of at most 256 KB, unchanged for 2 s, kept as ready responses
 * (64 MB in all by default, least recently used out first), each served
 * only while its path still names the same unchanged file (device,
 * inode, size, mtime, ctime). http_file_cache_limits sets the total and
 * per-file bounds in bytes (0: nothing cached) and evicts down to them;
 * http_file_cache_stats gives the bytes counted and the entries;
 * http_file_cache_clear empties it (responses still being sent are freed
 * by libmicrohttpd once sent). Thread-safe. */
void  http_file_cache_limits(size_t max, size_t file_max);
void  http_file_cache_stats(size_t *bytes, size_t *entries);
void  http_file_cache_clear(void);

/* Unit tests only: non-zero makes http_file_open_beneath take the
 * realpath() fallback that kernels without openat2(2) (before 5.6) get. */
extern int http_file_test_no_openat2;

#endif
