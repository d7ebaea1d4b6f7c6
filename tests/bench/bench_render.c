/* bench_render.c — the rendering and state costs of one host-facing
 * request, in-process, one thread, without HTTP (make bench; built as
 * build/bench_render).
 *
 *   bench_render CONF HOST SECONDS
 *
 * Loads CONF as `poolboot serve` does and, for SECONDS each, renders HOST's
 * pxelinux install entry, its answerfile and its installation-complete
 * script; then, in a scratch state folder (never CONF's), it counts
 * answerfile fetches the way arm_get_answerfile writes them
 * (store_arming_fetched + store_event, two durable commits) and
 * token lookups the way every request checks them (store_active_arming).
 * Prints one JSON line of rates per second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "config.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "util.h"

#define BENCH_TOKEN "0123456789abcdef0123456789abcdef01234567"

enum bench_what { B_PXE, B_ANSWERFILE, B_SCRIPT };

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Renders what for h again and again for secs; returns renders per
 * second, or -1 when a render fails (its message on stderr). */
static double
bench_render_rate(const struct config *cfg, const struct host *h,
    enum bench_what what, double secs)
{
	char err[256];
	double t0, t;
	size_t len;
	long n = 0;
	char *out;

	t0 = bench_now();
	do {
		err[0] = '\0';
		switch (what) {
		case B_PXE:
			out = render_pxelinux_install(cfg, h, BENCH_TOKEN, err,
			    sizeof(err));
			break;
		case B_ANSWERFILE:
			out = render_answerfile(cfg, h, h->mode, BENCH_TOKEN,
			    &len, err, sizeof(err));
			break;
		default:
			out = render_script(cfg, h, BENCH_TOKEN, err,
			    sizeof(err));
			break;
		}
		if (out == NULL) {
			fprintf(stderr, "bench_render: render failed: %s\n", err);
			return -1;
		}
		free(out);
		n++;
		t = bench_now();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

/* The store's share of an answerfile fetch, in a scratch state folder:
 * fetches/s (counted fetch + event), lookups/s (active arming). */
static int
bench_store(const char *host, double secs, double *fetch_rate,
    double *lookup_rate)
{
	char dir[] = "/tmp/bench_render.XXXXXX";
	static const char *const files[] = { "poolboot.db", "poolboot.db-wal",
	    "poolboot.db-shm", "poolboot.db-journal" };
	char hash[65], path[64];
	struct store *st = NULL;
	struct arming ar;
	double t0, t;
	int64_t id;
	long n = 0;
	size_t i;
	int attempts, ret = -1;

	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_render: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	if (store_open(dir, 0, &st) == -1)
		goto out;
	util_sha256_hex(BENCH_TOKEN, hash);
	if (store_arm(st, host, hash, MODE_UPGRADE, util_now(), &id) == -1)
		goto out;
	t0 = bench_now();
	do {
		if (store_arming_fetched(st, id, util_now(), &attempts) == -1 ||
		    store_event(st, host, NULL, "fetch", "upgrade answerfile "
		    "served (fetch %d of %d)", attempts, 20) == -1)
			goto out;
		n++;
		t = bench_now();
	} while (t - t0 < secs);
	*fetch_rate = (double)n / (t - t0);
	n = 0;
	t0 = bench_now();
	do {
		if (store_active_arming(st, host, &ar) != 0)
			goto out;
		n++;
		t = bench_now();
	} while (t - t0 < secs);
	*lookup_rate = (double)n / (t - t0);
	ret = 0;
out:
	store_close(st);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	if (rmdir(dir) == -1)
		fprintf(stderr, "bench_render: could not remove %s: %s\n", dir,
		    strerror(errno));
	return ret;
}

int
main(int argc, char **argv)
{
	struct strlist errors = { 0 };
	struct config *cfg = NULL;
	const struct host *h;
	double secs, pxe, af, sc, fetch = 0, lookup = 0;
	size_t i;
	int ret = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_render CONF HOST SECONDS\n");
		return 2;
	}
	secs = atof(argv[3]);
	if (secs <= 0)
		secs = 1;
	log_init("bench_render", PB_LOG_WARN, 0);
	xmlInitParser();
	if (config_load(argv[1], &cfg, &errors, NULL) == -1) {
		for (i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		goto out;
	}
	if ((h = config_host(cfg, argv[2])) == NULL) {
		fprintf(stderr, "bench_render: no host %s in %s\n", argv[2],
		    argv[1]);
		goto out;
	}
	if ((pxe = bench_render_rate(cfg, h, B_PXE, secs)) < 0 ||
	    (af = bench_render_rate(cfg, h, B_ANSWERFILE, secs)) < 0 ||
	    (sc = bench_render_rate(cfg, h, B_SCRIPT, secs)) < 0)
		goto out;
	if (bench_store(h->name, secs, &fetch, &lookup) == -1) {
		fprintf(stderr, "bench_render: store benchmark failed\n");
		goto out;
	}
	printf("{\"what\": \"%s mode\", \"pxelinux_per_s\": %.0f, "
	    "\"answerfile_per_s\": %.0f, \"script_per_s\": %.0f, "
	    "\"store_fetch_per_s\": %.0f, \"store_lookup_per_s\": %.0f}\n",
	    config_mode_name(h->mode), pxe, af, sc, fetch, lookup);
	ret = 0;
out:
	strlist_free(&errors);
	config_free(cfg);
	xmlCleanupParser();
	return ret;
}
