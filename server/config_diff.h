/* config_diff.h — what changed between the configuration a server runs
 * on and a newly loaded one (poolboot reload, reload.h): hosts, pools and
 * repos added, removed or changed, the [server] keys that apply live, and
 * those that cannot change while poolboot serve runs.
 *
 * A host counts as changed when any of its values differs (what
 * [defaults] gives it included), when its pool, its repo or the pool it
 * joins changed, or when a value every host's files are made from
 * changed (public_url, boot_files, template_dir): what could change what
 * the host is served or how it is upgraded. A pool's member_addrs (the
 * ips of its hosts) follow from the hosts and are not compared. The line
 * a section is on is no change.
 *
 * Pure but for one thing: a root_password_file that still holds the same
 * password is read (config_secret_same_hash), because every load hashes
 * it with a new salt; the new host then gets the old hash.
 */
#ifndef POOLBOOT_CONFIG_DIFF_H
#define POOLBOOT_CONFIG_DIFF_H

#include "config.h"

struct config_diff {
	struct strlist hosts_added, hosts_removed, hosts_changed;
	struct strlist pools_added, pools_removed, pools_changed;
	struct strlist repos_added, repos_removed, repos_changed;
	/* [server] keys that apply live ("[server] metrics", ...); reload.c
	 * adds "[dnsmasq]" when dnsmasq.conf's text changes */
	struct strlist live_keys;
	/* keys that cannot change while serve runs, one line each:
	 * "[server] listen: 0.0.0.0:8080 -> 0.0.0.0:8090" */
	struct strlist fixed;
};

/* Compares old (running) with new (just loaded) into the zeroed out
 * (free with config_diff_free). new's root password hashes of unchanged
 * passwords are replaced by old's. 0, or -1 when out of memory. */
int   config_diff_compare(const struct config *old, struct config *new,
	    struct config_diff *out);
void  config_diff_free(struct config_diff *d);

/* 1 when nothing differs at all. */
int   config_diff_empty(const struct config_diff *d);

/* One line for the log, the events and the API, e.g. "1 host added
 * (xen21), 0 removed, 0 changed; pools: 0 added, 0 removed, 0 changed;
 * repos: ...; changed: [server] metrics"; names are listed up to a few
 * per kind. Caller frees; NULL when out of memory. */
char *config_diff_summary(const struct config_diff *d);

#endif
