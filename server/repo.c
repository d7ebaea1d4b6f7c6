/* repo.c — see repo.h. */
#include "repo.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ini.h>

const char *const repo_boot_files[REPO_NBOOT_FILES] = {
	"boot/xen.gz", "boot/vmlinuz", "install.img"
};

/* What repo_treeinfo_handler fills, and how sure each value is. */
struct repo_treeinfo {
	struct repo *r;
	int	 brand_rank;	/* of the source r->product_brand came from */
	int	 version_rank;
};

static void
repo_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

/* .treeinfo as the installer reads it (host-installer repository.py,
 * MainYumRepository): [system-v1] product_name/product_version when the
 * section is there, else [branding] name/version; [build] number. The
 * brand is what the installed host's XAPI then reports as
 * software_version product_brand (the installer writes it into the
 * inventory's PRODUCT_BRAND). [system-v1] product_brand is also taken,
 * below product_name (older poolboot read that key). */
static int
repo_treeinfo_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct repo_treeinfo *ti = user;
	struct repo *r = ti->r;
	char **dst = NULL;
	int *rank = NULL, want = 0;

	if (key == NULL)
		return 1;
	if (strcmp(section, "system-v1") == 0) {
		if (strcmp(key, "product_version") == 0) {
			dst = &r->product_version;
			rank = &ti->version_rank;
			want = 2;
		} else if (strcmp(key, "product_name") == 0) {
			dst = &r->product_brand;
			rank = &ti->brand_rank;
			want = 3;
		} else if (strcmp(key, "product_brand") == 0) {
			dst = &r->product_brand;
			rank = &ti->brand_rank;
			want = 2;
		} else if (strcmp(key, "build_number") == 0)
			dst = &r->build_number;
	} else if (strcmp(section, "branding") == 0) {
		if (strcmp(key, "version") == 0) {
			dst = &r->product_version;
			rank = &ti->version_rank;
			want = 1;
		} else if (strcmp(key, "name") == 0) {
			dst = &r->product_brand;
			rank = &ti->brand_rank;
			want = 1;
		}
	} else if (strcmp(section, "build") == 0 && strcmp(key, "number") == 0)
		dst = &r->build_number;
	if (dst == NULL || (rank != NULL && *rank > want))
		return 1;
	if (rank != NULL)
		*rank = want;
	repo_set_str(dst, value);
	return 1;
}

int
repo_inspect(struct repo *r, char *err, size_t errlen)
{
	struct repo_treeinfo ti = { 0 };
	char p[PATH_MAX];
	struct stat sb;
	size_t i;

	if (stat(r->path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "path '%s' is not a folder (%s)", r->path,
		    errno ? strerror(errno) : "not a directory");
		return -1;
	}
	for (i = 0; i < REPO_NBOOT_FILES; i++) {
		snprintf(p, sizeof(p), "%s/%s", r->path, repo_boot_files[i]);
		if (stat(p, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "'%s' lacks %s: is it an "
			    "unpacked XenServer/XCP-ng installation ISO?",
			    r->path, repo_boot_files[i]);
			return -1;
		}
	}
	snprintf(p, sizeof(p), "%s/.treeinfo", r->path);
	ti.r = r;
	if (ini_parse(p, repo_treeinfo_handler, &ti) != 0) {
		snprintf(err, errlen, "cannot read %s (the ISO's product "
		    "version comes from it)", p);
		return -1;
	}
	if (r->product_version == NULL) {
		snprintf(err, errlen, "%s names no product version ([branding] "
		    "version or [system-v1] product_version)", p);
		return -1;
	}
	return 0;
}

int
repo_treeinfo_parse(struct repo *r, const char *text, const char *what,
    char *err, size_t errlen)
{
	struct repo_treeinfo ti = { 0 };
	int line;

	ti.r = r;
	if ((line = ini_parse_string(text, repo_treeinfo_handler, &ti)) != 0) {
		snprintf(err, errlen, "%s is not an INI file (line %d); the "
		    "ISO's product version comes from it", what, line);
		return -1;
	}
	if (r->product_version == NULL) {
		snprintf(err, errlen, "%s names no product version ([branding] "
		    "version or [system-v1] product_version)", what);
		return -1;
	}
	return 0;
}

/* What repo_treeinfo_sha256's handler looks for and finds. */
struct repo_sum {
	const char *file;
	char	*hex;
	int	 found;		/* 1 sha256, -1 malformed */
};

static int
repo_sum_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct repo_sum *s = user;
	size_t i;

	if (key == NULL || strcmp(section, "checksums") != 0 ||
	    strcmp(key, s->file) != 0 || strncasecmp(value, "sha256:", 7) != 0)
		return 1;
	value += 7;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)value[i]))
			break;
	if (i != 64 || value[64] != '\0') {
		s->found = -1;
		return 1;
	}
	for (i = 0; i < 64; i++)
		s->hex[i] = (char)tolower((unsigned char)value[i]);
	s->hex[64] = '\0';
	s->found = 1;
	return 1;
}

int
repo_treeinfo_sha256(const char *text, const char *file, char hex[65])
{
	struct repo_sum s = { file, hex, 0 };

	hex[0] = '\0';
	if (text == NULL)
		return 0;
	(void)ini_parse_string(text, repo_sum_handler, &s);
	if (s.found != 1)
		hex[0] = '\0';
	return s.found;
}

void
repo_free(struct repo *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->path);
	free(r->url);
	free(r->ca_file);
	free(r->cache_dir);
	free(r->treeinfo);
	free(r->product_brand);
	free(r->product_version);
	free(r->build_number);
}
