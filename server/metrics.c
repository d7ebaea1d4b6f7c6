/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "dnsmasq.h"
#include "log.h"
#include "store_commit.h"
#include "store_hosts.h"

#define METRICS_STATUS_CLASSES	5	/* 1xx .. 5xx */

static atomic_uint_fast64_t metrics_requests[METRICS_ROUTE_COUNT]
    [METRICS_STATUS_CLASSES];
static atomic_uint_fast64_t metrics_bytes[METRICS_ROUTE_COUNT];
static atomic_uint_fast64_t metrics_callbacks[2];	/* done, failed */
static atomic_uint_fast64_t metrics_conns[2][METRICS_CONN_EVENTS];

static const char *const metrics_route_names[METRICS_ROUTE_COUNT] = {
	"repo", "hosts", "boot", "api", "other"
};

/* Upper bounds (seconds) of the step-duration buckets: a disable takes
 * about a second, an evacuation minutes, an install an hour or more. */
static const double metrics_buckets[] = {
	1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 5400, 7200, 14400
};
#define METRICS_NBUCKETS (sizeof(metrics_buckets) / sizeof(metrics_buckets[0]))

/* The steps that take time (pending, done and skipped do not). */
#define METRICS_FIRST_STEP	STEP_DISABLE
#define METRICS_NSTEPS		(STEP_RETURN - STEP_DISABLE + 1)

struct metrics_hist {
	uint64_t counts[METRICS_NSTEPS][METRICS_NBUCKETS];	/* not cumulative */
	uint64_t total[METRICS_NSTEPS];
	double	 sum[METRICS_NSTEPS];
};

void
metrics_http_request(enum metrics_route route, unsigned int status,
    uint64_t bytes)
{
	if ((unsigned)route >= METRICS_ROUTE_COUNT)
		route = METRICS_ROUTE_OTHER;
	if (status >= 100 && status <= 599)
		atomic_fetch_add_explicit(&metrics_requests[route]
		    [status / 100 - 1], 1, memory_order_relaxed);
	if (bytes > 0)
		atomic_fetch_add_explicit(&metrics_bytes[route], bytes,
		    memory_order_relaxed);
}

void
metrics_callback(int result)
{
	atomic_fetch_add_explicit(&metrics_callbacks[result == 0 ? 0 : 1], 1,
	    memory_order_relaxed);
}

void
metrics_http_conn(int admin, enum metrics_conn_event ev)
{
	if ((unsigned int)ev < METRICS_CONN_EVENTS)
		atomic_fetch_add_explicit(&metrics_conns[admin ? 1 : 0][ev], 1,
		    memory_order_relaxed);
}

void
metrics_reset(void)
{
	size_t r, c;

	for (r = 0; r < METRICS_ROUTE_COUNT; r++) {
		for (c = 0; c < METRICS_STATUS_CLASSES; c++)
			atomic_store(&metrics_requests[r][c], 0);
		atomic_store(&metrics_bytes[r], 0);
	}
	atomic_store(&metrics_callbacks[0], 0);
	atomic_store(&metrics_callbacks[1], 0);
	for (r = 0; r < 2; r++)
		for (c = 0; c < METRICS_CONN_EVENTS; c++)
			atomic_store(&metrics_conns[r][c], 0);
}

int
metrics_parse_step_ms(const char *s,
    void (*cb)(const char *step, double seconds, void *arg), void *arg)
{
	char name[32];
	const char *p = s, *start, *eq, *end, *d;
	unsigned long long ms;
	size_t nlen;
	int n = 0;

	if (s == NULL)
		return 0;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ')
			p++;
		end = p;
		if ((eq = memchr(start, '=', (size_t)(end - start))) == NULL)
			continue;
		nlen = (size_t)(eq - start);
		if (nlen == 0 || nlen >= sizeof(name) || eq + 1 == end)
			continue;
		ms = 0;
		for (d = eq + 1; d < end; d++) {
			if (*d < '0' || *d > '9' || ms > 1000000000000ULL)
				break;
			ms = ms * 10 + (unsigned)(*d - '0');
		}
		if (d != end)
			continue;	/* not all digits, or absurdly large */
		memcpy(name, start, nlen);
		name[nlen] = '\0';
		cb(name, (double)ms / 1000.0, arg);
		n++;
	}
	return n;
}

static void
metrics_hist_add(const char *step, double seconds, void *arg)
{
	struct metrics_hist *h = arg;
	enum coord_step s;
	size_t i, b;

	if (state_step_parse(step, &s) == -1 || s < METRICS_FIRST_STEP ||
	    s > STEP_RETURN)
		return;
	i = (size_t)(s - METRICS_FIRST_STEP);
	for (b = 0; b < METRICS_NBUCKETS; b++)
		if (seconds <= metrics_buckets[b]) {
			h->counts[i][b]++;
			break;
		}
	h->total[i]++;
	h->sum[i] += seconds;
}

/* Every run of every pool, oldest first: run ids are one sequence over
 * all pools, so 1..the newest id of any configured pool covers them
 * (ids of deleted runs simply have no hosts). */
static int
metrics_collect_steps(const struct config *cfg, struct store *st,
    struct metrics_hist *h)
{
	struct run r;
	struct run_host *rh = NULL;
	int64_t id, max = 0;
	size_t i, n;

	for (i = 0; i < cfg->npools; i++) {
		int rc = store_run_latest(st, cfg->pools[i].name, &r);

		if (rc == -1)
			return -1;
		if (rc == 0 && r.id > max)
			max = r.id;
	}
	for (id = 1; id <= max; id++) {
		if (store_run_hosts(st, id, &rh, &n) == -1)
			return -1;
		for (i = 0; i < n; i++)
			metrics_parse_step_ms(rh[i].step_ms, metrics_hist_add, h);
		free(rh);
		rh = NULL;
	}
	return 0;
}

static void
metrics_head(struct sbuf *out, const char *name, const char *type,
    const char *help)
{
	sbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* The inventory's hosts by state, a chunk of hosts per store read (one
 * read per host was seconds per scrape at 50,000 hosts). 0/-1. */
static int
metrics_count_hosts(const struct config *cfg, struct store *st,
    uint64_t *hosts)
{
	const char *names[STORE_HOSTS_CHUNK];
	struct host_status *hs;
	size_t i, j, n;
	int ret = -1;

	if ((hs = calloc(STORE_HOSTS_CHUNK, sizeof(*hs))) == NULL)
		return -1;
	for (i = 0; i < cfg->nhosts; i += n) {
		n = cfg->nhosts - i < STORE_HOSTS_CHUNK ? cfg->nhosts - i :
		    STORE_HOSTS_CHUNK;
		for (j = 0; j < n; j++)
			names[j] = cfg->hosts[i + j].name;
		if (store_hosts_status(st, names, n, hs, NULL, NULL) == -1)
			goto out;
		for (j = 0; j < n; j++)
			if ((unsigned)hs[j].state < HOST_STATE_COUNT)
				hosts[hs[j].state]++;
	}
	ret = 0;
out:
	free(hs);
	return ret;
}

static int
metrics_render_store(const struct config *cfg, struct store *st,
    struct sbuf *out)
{
	uint64_t hosts[HOST_STATE_COUNT] = { 0 }, runs[RUN_STATE_COUNT] = { 0 };
	struct metrics_hist *hist = NULL;
	struct run r;
	enum run_state rs;
	size_t i, b;
	int ret = -1;

	if (metrics_count_hosts(cfg, st, hosts) == -1)
		goto out;
	for (i = 0; i < cfg->npools; i++) {
		int rc = store_run_latest(st, cfg->pools[i].name, &r);

		if (rc == -1)
			goto out;
		if (rc == 0 && state_run_parse(r.state, &rs) == 0)
			runs[rs]++;
	}
	if ((hist = calloc(1, sizeof(*hist))) == NULL ||
	    metrics_collect_steps(cfg, st, hist) == -1)
		goto out;

	metrics_head(out, "poolboot_hosts", "gauge",
	    "Inventory hosts by install state.");
	for (i = 0; i < HOST_STATE_COUNT; i++)
		sbuf_printf(out, "poolboot_hosts{state=\"%s\"} %llu\n",
		    state_host_name((enum host_state)i),
		    (unsigned long long)hosts[i]);
	metrics_head(out, "poolboot_runs", "gauge",
	    "Pools by the state of their latest rolling-upgrade run.");
	for (i = 0; i < RUN_STATE_COUNT; i++)
		sbuf_printf(out, "poolboot_runs{state=\"%s\"} %llu\n",
		    state_run_name((enum run_state)i),
		    (unsigned long long)runs[i]);
	metrics_head(out, "poolboot_step_duration_seconds", "histogram",
	    "Duration of the finished steps of rolling-upgrade runs.");
	for (i = 0; i < METRICS_NSTEPS; i++) {
		const char *step = state_step_name((enum coord_step)
		    (METRICS_FIRST_STEP + (int)i));
		uint64_t cum = 0;

		for (b = 0; b < METRICS_NBUCKETS; b++) {
			cum += hist->counts[i][b];
			sbuf_printf(out, "poolboot_step_duration_seconds_bucket"
			    "{step=\"%s\",le=\"%g\"} %llu\n", step,
			    metrics_buckets[b], (unsigned long long)cum);
		}
		sbuf_printf(out, "poolboot_step_duration_seconds_bucket"
		    "{step=\"%s\",le=\"+Inf\"} %llu\n", step,
		    (unsigned long long)hist->total[i]);
		sbuf_printf(out, "poolboot_step_duration_seconds_sum"
		    "{step=\"%s\"} %.3f\n", step, hist->sum[i]);
		sbuf_printf(out, "poolboot_step_duration_seconds_count"
		    "{step=\"%s\"} %llu\n", step,
		    (unsigned long long)hist->total[i]);
	}
	ret = 0;
out:
	free(hist);
	return ret;
}

/* Connections refused and reaped by listener, lines the log lost. */
static void
metrics_render_conns(struct sbuf *out)
{
	static const char *const names[2] = { "install", "admin" };
	size_t l;

	metrics_head(out, "poolboot_http_refused_connections_total", "counter",
	    "Connections refused: max_connections or per_ip_connections "
	    "reached.");
	for (l = 0; l < 2; l++)
		sbuf_printf(out, "poolboot_http_refused_connections_total"
		    "{listener=\"%s\"} %llu\n", names[l], (unsigned long long)
		    atomic_load(&metrics_conns[l][METRICS_CONN_REFUSED]));
	metrics_head(out, "poolboot_http_reaped_connections_total", "counter",
	    "Connections closed for not sending a whole request within "
	    "header_timeout.");
	for (l = 0; l < 2; l++)
		sbuf_printf(out, "poolboot_http_reaped_connections_total"
		    "{listener=\"%s\"} %llu\n", names[l], (unsigned long long)
		    atomic_load(&metrics_conns[l][METRICS_CONN_REAPED]));
	metrics_head(out, "poolboot_log_dropped_lines_total", "counter",
	    "Log lines lost because the log's reader (stderr's pipe or file, "
	    "the syslog socket) was too slow or gone.");
	sbuf_printf(out, "poolboot_log_dropped_lines_total %llu\n",
	    (unsigned long long)log_dropped_lines());
}

/* The answerfile group commit (store_commit.h): fetches counted and the
 * transactions they took; their ratio is the mean batch. */
static void
metrics_render_commits(struct store *st, struct sbuf *out)
{
	uint64_t tx, n;

	store_commit_stats(st, &tx, &n);
	metrics_head(out, "poolboot_store_commit_transactions_total", "counter",
	    "Transactions that counted answerfile fetches (since serve "
	    "started).");
	sbuf_printf(out, "poolboot_store_commit_transactions_total %llu\n",
	    (unsigned long long)tx);
	metrics_head(out, "poolboot_store_commit_fetches_total", "counter",
	    "Answerfile fetches counted durably before they were answered; "
	    "divided by the transactions: the mean group-commit batch.");
	sbuf_printf(out, "poolboot_store_commit_fetches_total %llu\n",
	    (unsigned long long)n);
}

int
metrics_render(const struct config *cfg, struct store *st,
    struct dnsmasq_sup *dns, struct sbuf *out)
{
	size_t r, c;

	if (cfg == NULL || st == NULL || metrics_render_store(cfg, st, out) ==
	    -1) {
		log_error("metrics", "cannot read the state database");
		return -1;
	}
	metrics_head(out, "poolboot_install_callbacks_total", "counter",
	    "Installer callbacks accepted, by result (since serve started).");
	sbuf_printf(out, "poolboot_install_callbacks_total{result=\"done\"} "
	    "%llu\n", (unsigned long long)atomic_load(&metrics_callbacks[0]));
	sbuf_printf(out, "poolboot_install_callbacks_total{result=\"failed\"} "
	    "%llu\n", (unsigned long long)atomic_load(&metrics_callbacks[1]));
	metrics_render_commits(st, out);
	metrics_head(out, "poolboot_http_requests_total", "counter",
	    "HTTP requests answered, by route and status class.");
	for (r = 0; r < METRICS_ROUTE_COUNT; r++)
		for (c = 0; c < METRICS_STATUS_CLASSES; c++)
			sbuf_printf(out, "poolboot_http_requests_total{route=\"%s\","
			    "code=\"%zuxx\"} %llu\n", metrics_route_names[r],
			    c + 1, (unsigned long long)atomic_load(
			    &metrics_requests[r][c]));
	metrics_head(out, "poolboot_http_sent_bytes_total", "counter",
	    "HTTP response body bytes served, by route.");
	for (r = 0; r < METRICS_ROUTE_COUNT; r++)
		sbuf_printf(out, "poolboot_http_sent_bytes_total{route=\"%s\"} "
		    "%llu\n", metrics_route_names[r],
		    (unsigned long long)atomic_load(&metrics_bytes[r]));
	metrics_render_conns(out);
	metrics_head(out, "poolboot_dnsmasq_restarts_total", "counter",
	    "Restarts of the managed dnsmasq child (0 without one).");
	sbuf_printf(out, "poolboot_dnsmasq_restarts_total %u\n",
	    dns != NULL ? dnsmasq_restarts(dns) : 0u);
	if (out->overflow) {
		log_error("metrics", "metrics text too large");
		return -1;
	}
	return 0;
}
