/* api_sites.c — GET /api/v1/sites; see api_sites.h. */
#include "api_sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "api_types.h"
#include "config.h"
#include "site.h"
#include "store.h"
#include "store_lease.h"
#include "store_site_action.h"

/* The entry of site in doc's "sites" object (made on first use, with
 * its counters at zero); NULL when out of memory. */
static json_t *
api_sites_entry(json_t *by, const char *site)
{
	json_t *e = json_object_get(by, site);

	if (e != NULL)
		return e;
	e = json_pack("{s:s,s:i,s:i,s:b,s:n,s:n,s:n,s:n,s:i,s:i,s:n}",
	    "site", site, "pools", 0, "hosts", 0, "active", 0, "instance",
	    "since", "heartbeat_ago_ms", "expired_ago_ms", "queued", 0,
	    "taken", 0, "oldest_queued_ms");
	if (e == NULL || json_object_set_new(by, site, e) == -1)
		return NULL;
	return e;
}

static void
api_sites_count(json_t *by, const char *site, const char *key)
{
	json_t *e = api_sites_entry(by, site);

	if (e != NULL)
		json_object_set_new(e, key, json_integer(json_integer_value(
		    json_object_get(e, key)) + 1));
}

/* The leases' holders into by: "site:NAME" ("site:(none)": ""). */
static int
api_sites_leases(struct store *st, json_t *by)
{
	struct store_lease_age *l;
	const char *site;
	json_t *e;
	size_t i, n;

	if (store_lease_list(st, &l, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strncmp(l[i].l.name, "site:", 5) != 0)
			continue;
		site = strcmp(l[i].l.name, "site:(none)") == 0 ? "" :
		    l[i].l.name + 5;
		if ((e = api_sites_entry(by, site)) == NULL)
			continue;
		json_object_set_new(e, "active", json_boolean(l[i].ago_ms < 0));
		json_object_set_new(e, "instance", json_string(l[i].l.owner));
		json_object_set_new(e, "since",
		    api_json_time_or_null(l[i].l.acquired_ms));
		json_object_set_new(e, "heartbeat_ago_ms",
		    json_integer(l[i].beat_ago_ms));
		json_object_set_new(e, "expired_ago_ms", l[i].ago_ms < 0 ?
		    json_null() : json_integer(l[i].ago_ms));
	}
	free(l);
	return 0;
}

/* The queued actions' backlog into by. */
static int
api_sites_backlog(struct store *st, json_t *by)
{
	struct site_action_backlog *b;
	json_t *e;
	size_t i, n;

	if (store_site_action_backlog(st, &b, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((e = api_sites_entry(by, b[i].site)) == NULL)
			continue;
		json_object_set_new(e, "queued", json_integer(b[i].queued));
		json_object_set_new(e, "taken", json_integer(b[i].taken));
		json_object_set_new(e, "oldest_queued_ms",
		    json_integer(b[i].oldest_ms));
	}
	free(b);
	return 0;
}

json_t *
api_sites_doc(const struct config *cfg, struct store *st, int answering)
{
	json_t *by = json_object(), *arr = json_array(), *e, *doc = NULL;
	char site[96];
	size_t i;

	if (by == NULL || arr == NULL)
		goto out;
	api_sites_entry(by, cfg->site);
	for (i = 0; i < cfg->npools; i++)
		api_sites_count(by, site_of_pool(cfg, &cfg->pools[i]), "pools");
	for (i = 0; i < cfg->nhosts; i++)
		api_sites_count(by, site_of_host(cfg, &cfg->hosts[i]), "hosts");
	if (st != NULL && (api_sites_leases(st, by) == -1 ||
	    api_sites_backlog(st, by) == -1))
		goto out;
	/* SQLite without a site: no lease; the answering one is active */
	if (answering && cfg->site[0] == '\0' &&
	    cfg->store.backend != STORE_POSTGRES &&
	    (e = json_object_get(by, "")) != NULL)
		json_object_set_new(e, "active", json_true());
	/* by site name: jansson's object keeps no order */
	for (;;) {
		const char *key, *min = NULL;

		json_object_foreach(by, key, e)
			if (min == NULL || strcmp(key, min) < 0)
				min = key;
		if (min == NULL)
			break;
		snprintf(site, sizeof(site), "%s", min);
		json_array_append(arr, json_object_get(by, site));
		json_object_del(by, site);
	}
	doc = json_pack("{s:s,s:O}", "site", cfg->site, "sites", arr);
out:
	json_decref(by);
	json_decref(arr);
	return doc;
}

void
api_sites_get(const struct api_deps *deps, struct api_response *rs)
{
	json_t *doc = api_sites_doc(deps->cfg, deps->st, 1);

	if (doc == NULL) {
		api_json_error(rs, 500, "state database error (see the server "
		    "log)");
		return;
	}
	api_json_set(rs, 200, doc);
}
