/* repo.h — a [repo NAME]: struct repo and what is read from its tree.
 *
 * A repo is an unpacked XenServer/XCP-ng ISO, either a local folder
 * ([repo] path) or an HTTP(S) mirror of one ([repo] url, repo_mirror.h).
 * Either way r->path is a local folder that holds the boot files poolboot
 * serves (/repo/NAME/ over HTTP, tftp_root/repo/NAME over TFTP): the tree
 * itself, or for a mirror its cache under state_dir/mirror/NAME. Its
 * .treeinfo gives the product's version and brand, read here the way the
 * installer reads it. config.c loads the [repo] sections and calls
 * repo_inspect (a path) or repo_mirror_inspect (a url).
 */
#ifndef POOLBOOT_REPO_H
#define POOLBOOT_REPO_H

#include <stddef.h>

struct repo {
	char	*name;
	char	*path;			/* absolute: the unpacked ISO, or a
					   mirror's cache (state_dir/mirror/
					   NAME/U/tree, repo_mirror.h) */
	char	*url;			/* the mirror, ending in '/'; NULL:
					   a local tree */
	char	*ca_file;		/* mirror's CA bundle (absolute);
					   NULL: the system's CAs */
	char	*cache_dir;		/* mirror: state_dir/mirror/NAME/U */
	char	*treeinfo;		/* mirror: the .treeinfo text read at
					   load (the mirror's or the cache's) */
	int	 offline;		/* mirror: unreachable at load, its
					   .treeinfo came from the cache */
	char	*product_brand;		/* from .treeinfo, may be NULL */
	char	*product_version;	/* from .treeinfo, e.g. "8.2.1" */
	char	*build_number;		/* from .treeinfo, may be NULL */
	int	 line;
};

/* The boot files poolboot serves itself, relative to the tree; a repo
 * lacking one is refused. */
#define REPO_NBOOT_FILES 3
extern const char *const repo_boot_files[REPO_NBOOT_FILES];

/* Reads a local repo's .treeinfo (r->path) and checks that its boot
 * files are there. Fills the version fields. On error writes a message
 * naming the missing file into err and returns -1. */
int   repo_inspect(struct repo *r, char *err, size_t errlen);

/* Fills r's version fields from the .treeinfo text (named what in
 * messages). 0, or -1 with err set when it names no product version. */
int   repo_treeinfo_parse(struct repo *r, const char *text,
	    const char *what, char *err, size_t errlen);

/* The checksum .treeinfo's [checksums] section gives file (the form of
 * productmd and anaconda: "boot/vmlinuz = sha256:HEX"): 1 with the 64
 * lower-case hex digits in hex, 0 when it gives none for file (or only
 * another algorithm), -1 when the sha256 value is malformed. */
int   repo_treeinfo_sha256(const char *text, const char *file, char hex[65]);

/* Frees what r holds (not r); NULL fields are fine. */
void  repo_free(struct repo *r);

#endif
