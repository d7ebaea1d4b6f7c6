/* repo_mirror.h — repos served from an HTTP(S) mirror ([repo NAME] url),
 * and their local cache of boot files.
 *
 * The installer fetches its packages from the mirror itself (the
 * answerfile's <source type="url"> is the url); the boot loader fetches
 * xen.gz, vmlinuz and install.img from poolboot (TFTP or HTTP), which
 * serves them from a cache, one per url: in state_dir/mirror/NAME/U (U:
 * the first 12 hex digits of the url's SHA-256), tree/ (r->path) holds
 * .treeinfo and the boot files, and files records the SHA-256, size and
 * HTTP validator (ETag or Last-Modified) of each as it was fetched. A file is only ever put in place by rename(2) once it is
 * complete and verified, so nothing half-written is served.
 *
 * Load (repo_mirror_load, from config_load): the mirror's .treeinfo is
 * fetched and read as a local tree's is (product version and brand), and
 * each boot file must answer HEAD. A mirror that cannot be reached (DNS,
 * connect, timeout, HTTP 5xx) while the cache is complete is a warning
 * and the cache's .treeinfo is used (r->offline); with no complete cache
 * it is an error, as is any other answer (HTTP 404, a TLS failure, a
 * .treeinfo without a version). Read-only commands (CONFIG_LOAD_NO_
 * PASSWORDS) read the cache's .treeinfo when there is one and touch no
 * network; an in-memory config (the fuzzer) never does.
 *
 * Serve start and reload (repo_mirror_sync_all): each boot file is kept
 * when the cached copy still has its recorded SHA-256 and the mirror's
 * size and validator (and .treeinfo's [checksums] sha256, when it gives
 * one) agree; else it is fetched again, checked against the Content-
 * Length and .treeinfo's sha256, and renamed into place. Offline, the
 * cached files are served when their SHA-256 still matches (a warning),
 * refused otherwise.
 */
#ifndef POOLBOOT_REPO_MIRROR_H
#define POOLBOOT_REPO_MIRROR_H

#include "config_ini.h"
#include "repo.h"
#include "util.h"

/* The [repo NAME] section sec with a url (or a ca_file): checks url,
 * ca_file (relative to dir) and that path is not also set, sets r's url,
 * ca_file, cache_dir and path (under state_dir), then inspects the mirror
 * as above. Every problem is reported through config_ini_err naming the
 * key's line. */
void  repo_mirror_load(struct config_ini *ini, const char *dir,
	    const char *state_dir, struct config_ini_section *sec,
	    struct repo *r);

/* The url as [repo] url takes it: http:// or https://, a host, no
 * spaces, quotes, control characters, '?' or '#'. 0 with *out a copy
 * ending in '/' (caller frees), or -1 with *why saying what is wrong. */
int   repo_mirror_url(const char *in, char **out, const char **why);

/* Brings the cache of every mirror repo of repos[0..n) up to date, as
 * above. Problems that stop a repo from being served go to errors
 * ("repo NAME: ..."), and -1 is returned; warnings (offline) to warnings.
 * Local repos are left alone. Progress goes to the log ("mirror:").
 * prune (serve start, when nothing serves the caches yet): the caches of
 * a repo's earlier urls and the temp files of an interrupted fetch are
 * removed first; a reload keeps them (the running config may use one). */
int   repo_mirror_sync_all(struct repo *repos, size_t n, int prune,
	    struct strlist *errors, struct strlist *warnings);

#endif
