/* fuzz.h — shared by the libFuzzer harnesses in tests/fuzz (one binary
 * per fuzz_<target>.c, built by `make fuzz` with clang
 * -fsanitize=fuzzer,address,undefined against the server objects).
 *
 * Each harness sets up its fixture once (a scratch tree under /dev/shm
 * when there is one, so that per-run file work stays in memory), silences
 * the server's log, and then feeds each input to the code under test. A
 * broken invariant is a crash: FUZZ_ASSERT prints what broke and aborts,
 * and libFuzzer saves the input.
 */
#ifndef POOLBOOT_FUZZ_H
#define POOLBOOT_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__,	\
		    #cond);						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* root_password_file holds a ready crypt hash: config_secret.c then
 * takes it as it is instead of hashing a password (SHA-512 crypt costs
 * milliseconds per load, which would be most of a run). */
#define FUZZ_ROOT_HASH	"$6$poolboot$y0Kq3fNnEoaWdHq5q2Nf8F1A9t.3y4PU0l8bJ2f7mQ" \
			"kq9B1mQm3o4D8yGqY8tR6yV2ePp9Xk0wz7uV5L4cS1.\n"

static char fuzz_scratch_dir[PATH_MAX];

static __attribute__((unused)) int
fuzz_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb; (void)flag; (void)f;
	return remove(p);
}

static __attribute__((unused)) void
fuzz_cleanup(void)
{
	if (fuzz_scratch_dir[0] != '\0')
		(void)nftw(fuzz_scratch_dir, fuzz_rm_one, 16,
		    FTW_DEPTH | FTW_PHYS);
}

/* A fresh scratch folder, removed at exit: under /dev/shm when it is a
 * writable folder (tmpfs: no disk I/O per run), else $TMPDIR or /tmp. */
static __attribute__((unused)) const char *
fuzz_tmpdir(void)
{
	const char *base = "/dev/shm";

	if (access(base, W_OK) != 0 && ((base = getenv("TMPDIR")) == NULL ||
	    access(base, W_OK) != 0))
		base = "/tmp";
	snprintf(fuzz_scratch_dir, sizeof(fuzz_scratch_dir),
	    "%s/pbfuzz.XXXXXX", base);
	if (mkdtemp(fuzz_scratch_dir) == NULL) {
		perror("fuzz: mkdtemp");
		exit(1);
	}
	atexit(fuzz_cleanup);
	return fuzz_scratch_dir;
}

/* dir/name, malloc'd; exits when out of memory. */
static __attribute__((unused)) char *
fuzz_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		exit(1);
	return p;
}

/* Writes s to dir/name (folders on the way created), mode 0600. */
static __attribute__((unused)) void
fuzz_write(const char *dir, const char *name, const char *s)
{
	char *p = fuzz_path(dir, name), *slash;
	FILE *f;

	for (slash = strchr(p + strlen(dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(p, 0700);
		*slash = '/';
	}
	if ((f = fopen(p, "w")) == NULL) {
		fprintf(stderr, "fuzz: %s: %s\n", p, strerror(errno));
		exit(1);
	}
	fputs(s, f);
	fclose(f);
	(void)chmod(p, 0600);
	free(p);
}

/* An unpacked ISO as config_repo_inspect wants it, at dir/name. */
static __attribute__((unused)) void
fuzz_mkrepo(const char *dir, const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/.treeinfo", name);
	fuzz_write(dir, rel, "[platform]\nversion = 3.2.1\n[system-v1]\n"
	    "product_brand = XCP-ng\nproduct_version = 8.2.1\n"
	    "build_number = release/yangtze/master/58\n");
	snprintf(rel, sizeof(rel), "%s/boot/xen.gz", name);
	fuzz_write(dir, rel, "xen");
	snprintf(rel, sizeof(rel), "%s/boot/vmlinuz", name);
	fuzz_write(dir, rel, "vmlinuz");
	snprintf(rel, sizeof(rel), "%s/install.img", name);
	fuzz_write(dir, rel, "install.img");
}

/* The source tree's templates/ folder: from the working folder (make
 * runs from the top of the tree) or next to the binary (BUILD/..). */
static __attribute__((unused)) const char *
fuzz_templates(void)
{
	static char out[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (realpath("templates", out) != NULL &&
	    access("templates/answerfile-upgrade.xml", R_OK) == 0)
		return out;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(out, sizeof(out), "%s/../templates", exe);
		if (access(out, R_OK) == 0)
			return out;
	}
	fprintf(stderr, "fuzz: no templates/ folder (run from the top of "
	    "the source tree)\n");
	exit(1);
}

/* A NUL-terminated copy of the input (caller frees). */
static __attribute__((unused)) char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		exit(1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
