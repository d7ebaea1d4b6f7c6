/* api_hosts.c — the hosts list and one host's JSON; see api_hosts.h. */
#include "api_hosts.h"

#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "config_mode.h"
#include "sbuf.h"
#include "state.h"
#include "store_hosts.h"

/* A store time (seconds since the epoch) in ms, like every time of the
 * API; null when 0 (never). */
static json_t *
api_hosts_ms(int64_t t)
{
	return api_json_time_or_null(t * 1000);
}

json_t *
api_hosts_one(const struct api_deps *deps, const struct host *h,
    const struct host_status *hs, const struct arming *a)
{
	json_t *armed;

	if (a != NULL)
		armed = json_pack("{s:s,s:i,s:I,s:o,s:o}",
		    "mode", config_mode_name(a->mode),
		    "attempts", a->attempts,
		    "armed_at", (json_int_t)a->armed_at * 1000,
		    "first_fetch_at", api_hosts_ms(a->first_fetch_at),
		    "last_fetch_at", api_hosts_ms(a->last_fetch_at));
	else
		armed = json_null();
	/* repo_bytes: what its installer has downloaded from our repo since
	 * it fetched its answerfile (in memory; 0 after a restart) */
	return json_pack("{s:o,s:o,s:o,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:I}",
	    "name", api_json_str(h->name),
	    "pool", api_json_str_or_null(h->pool_name),
	    "repo", api_json_str_or_null(h->repo != NULL ? h->repo->name :
	    h->repo_name),
	    "mode", config_mode_name(h->mode),
	    "mac", api_json_str(h->mac),
	    "disk", api_json_str_or_null(h->disk),
	    "state", state_host_name(hs->state),
	    "last_event", api_json_str_or_null(hs->last_event),
	    "last_event_at", api_hosts_ms(hs->last_event_at),
	    "updated_at", api_hosts_ms(hs->updated_at),
	    "armed", armed,
	    "repo_bytes", (json_int_t)(deps->repo_bytes == NULL ? 0 :
	    deps->repo_bytes(deps->repo_bytes_arg, h->name)));
}

/* o as an element of the list, as json_dumps(list, JSON_INDENT(2)) writes
 * it: each line indented two more spaces (a JSON string holds no raw
 * newline, so every newline is between tokens). 0/-1. */
static int
api_hosts_put(struct sbuf *b, json_t *o, int first)
{
	char *s, *p, *nl;
	int bad = 0;

	if ((s = json_dumps(o, JSON_INDENT(2))) == NULL)
		return -1;
	bad |= sbuf_puts(b, first ? "\n  " : ",\n  ");
	for (p = s; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		bad |= sbuf_append(b, p, (size_t)(nl - p));
		bad |= sbuf_puts(b, "\n  ");
	}
	bad |= sbuf_puts(b, p);
	free(s);
	return bad ? -1 : 0;
}

/* Hosts [from, from + n) of the inventory into b. 0, -1 on a store
 * error, -2 out of memory. */
static int
api_hosts_chunk(const struct api_deps *deps, struct sbuf *b, size_t from,
    size_t n, struct host_status *hs, struct arming *a, int *armed)
{
	const char *names[STORE_HOSTS_CHUNK];
	const struct host *h;
	json_t *o;
	size_t i;
	int bad;

	for (i = 0; i < n; i++)
		names[i] = deps->cfg->hosts[from + i].name;
	if (store_hosts_status(deps->st, names, n, hs, a, armed) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		h = &deps->cfg->hosts[from + i];
		if ((o = api_hosts_one(deps, h, &hs[i], armed[i] ? &a[i] :
		    NULL)) == NULL)
			return -2;
		bad = api_hosts_put(b, o, from + i == 0);
		json_decref(o);
		if (bad)
			return -2;
	}
	return 0;
}

void
api_hosts_list(const struct api_deps *deps, struct api_response *rs)
{
	struct sbuf b = { .max = 0 };
	struct host_status *hs = NULL;
	struct arming *a = NULL;
	int *armed = NULL, rc = -2;
	size_t i, n, nhosts = deps->cfg->nhosts;

	hs = calloc(STORE_HOSTS_CHUNK, sizeof(*hs));
	a = calloc(STORE_HOSTS_CHUNK, sizeof(*a));
	armed = calloc(STORE_HOSTS_CHUNK, sizeof(*armed));
	if (hs == NULL || a == NULL || armed == NULL || sbuf_puts(&b, "[") ==
	    -1)
		goto out;
	for (i = 0; i < nhosts; i += n) {
		n = nhosts - i < STORE_HOSTS_CHUNK ? nhosts - i :
		    STORE_HOSTS_CHUNK;
		if ((rc = api_hosts_chunk(deps, &b, i, n, hs, a, armed)) != 0)
			goto out;
	}
	/* json_dumps writes an empty list as "[]" */
	rc = sbuf_puts(&b, nhosts > 0 ? "\n]\n" : "]\n") == -1 ? -2 : 0;
out:
	free(hs);
	free(a);
	free(armed);
	if (rc == 0 && (rs->body = sbuf_take(&b)) != NULL)
		rs->status = 200;
	else if (rc == -1)
		api_json_error(rs, 500, "state database error (see the "
		    "server log)");
	else
		api_json_error(rs, 500, "out of memory");
	sbuf_free(&b);
}
