/* metrics.h — Prometheus metrics at GET /metrics (text exposition format
 * 0.0.4, "text/plain; version=0.0.4"); http.c serves metrics_render's text
 * and decides who may read it ([server] metrics).
 *
 * Two kinds of numbers:
 *  - counters kept in this process (C11 atomics, any thread may count):
 *    HTTP requests by route and status class and bytes sent by route
 *    (http.c counts each request when it completes), installer callbacks
 *    by result (counted by the notify.h listener that `poolboot serve`
 *    wires up). They start at 0 when serve starts, as Prometheus counters
 *    may.
 *  - values read from the store at scrape time, so that they survive a
 *    restart: hosts by state, the latest run of each pool by state, and
 *    the histogram of step durations of every rolling-upgrade run (from
 *    each run host's step_ms), plus dnsmasq's restart count from its
 *    supervisor. State and step names come from state.h.
 * Nothing secret is exposed (no tokens, no addresses, no host names).
 */
#ifndef POOLBOOT_METRICS_H
#define POOLBOOT_METRICS_H

#include <stdint.h>

#include "config.h"
#include "store.h"
#include "util.h"

struct dnsmasq_sup;

enum metrics_route {
	METRICS_ROUTE_REPO = 0,		/* /repo/... */
	METRICS_ROUTE_HOSTS,		/* /hosts/... answerfile, script, callback */
	METRICS_ROUTE_BOOT,		/* /grub/... (UEFI HTTP boot) */
	METRICS_ROUTE_API,		/* /api/v1/... */
	METRICS_ROUTE_OTHER,		/* /metrics, the dashboard, unknown paths */
	METRICS_ROUTE_COUNT
};

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* One finished HTTP request: status (0 = none sent, not counted as a
 * request class) and the body bytes sent. Thread-safe, lock-free. */
void  metrics_http_request(enum metrics_route route, unsigned int status,
	    uint64_t bytes);
/* One installer callback reported through notify.h: result 0 (done) or
 * anything else (failed). Thread-safe, lock-free. */
void  metrics_callback(int result);

enum metrics_conn_event {
	METRICS_CONN_REFUSED = 0,	/* over max_connections / per address */
	METRICS_CONN_REAPED,		/* closed at the request deadline */
	METRICS_CONN_EVENTS
};
/* One connection refused or reaped on the install (admin 0) or admin
 * (admin 1) listener. Thread-safe, lock-free. */
void  metrics_http_conn(int admin, enum metrics_conn_event ev);

/* Appends every metric to out. cfg and st are read (hosts by state, runs,
 * step durations); dns may be NULL (no managed dnsmasq: 0 restarts).
 * Returns 0, or -1 (logged) when the store could not be read or out
 * overflowed (out then holds a partial text the caller must not serve;
 * the caller still frees it with sbuf_free). */
int   metrics_render(const struct config *cfg, struct store *st,
	    struct dnsmasq_sup *dns, struct sbuf *out);

/* Parses a run host's step_ms ("disable=12 evacuate=310 ...", the
 * milliseconds of each finished step) and calls cb(step, seconds, arg)
 * for every well-formed item; malformed items are skipped. Returns the
 * number of items passed to cb. Exposed for unit tests. */
int   metrics_parse_step_ms(const char *s,
	    void (*cb)(const char *step, double seconds, void *arg), void *arg);

/* Unit tests only: sets the process counters back to 0. */
void  metrics_reset(void);

#endif
