/* config_diff.c — see config_diff.h. */
#include "config_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_secret.h"
#include "sbuf.h"

#define CONFIG_DIFF_NAMES	5	/* names listed per kind in a summary */

/* Both NULL, or the same text. */
static int
config_diff_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
config_diff_list(const struct strlist *a, const struct strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

static int
config_diff_repo_same(const struct repo *a, const struct repo *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return config_diff_str(a->name, b->name) &&
	    config_diff_str(a->path, b->path) &&
	    config_diff_str(a->url, b->url) &&
	    config_diff_str(a->ca_file, b->ca_file) &&
	    config_diff_str(a->product_brand, b->product_brand) &&
	    config_diff_str(a->product_version, b->product_version) &&
	    config_diff_str(a->build_number, b->build_number);
}

static int
config_diff_pool_same(const struct pool *a, const struct pool *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return config_diff_str(a->name, b->name) &&
	    config_diff_list(&a->xapi_urls, &b->xapi_urls) &&
	    config_diff_str(a->username, b->username) &&
	    config_diff_str(a->password_file, b->password_file) &&
	    config_diff_str(a->tls_ca, b->tls_ca) &&
	    config_diff_list(&a->tls_pins, &b->tls_pins) &&
	    a->tls_verify == b->tls_verify &&
	    config_diff_repo_same(a->repo, b->repo) &&
	    a->evacuate_timeout == b->evacuate_timeout &&
	    a->install_timeout == b->install_timeout &&
	    a->rejoin_timeout == b->rejoin_timeout &&
	    a->step_timeout == b->step_timeout &&
	    a->poll_ms == b->poll_ms &&
	    a->placement_leave == b->placement_leave &&
	    config_diff_str(a->site, b->site);
}

/* The root password: the same hash, or new's file still holds the
 * password of old's hash (then new takes old's hash). */
static int
config_diff_root_same(const struct host *a, struct host *b)
{
	char *copy;

	if (config_diff_str(a->root_password_hash, b->root_password_hash))
		return 1;
	if (a->root_password_hash == NULL || b->root_password_hash == NULL ||
	    !config_diff_str(a->root_password_file, b->root_password_file) ||
	    !config_secret_same_hash(b->root_password_file,
	    a->root_password_hash) ||
	    (copy = strdup(a->root_password_hash)) == NULL)
		return 0;
	util_wipe(b->root_password_hash, strlen(b->root_password_hash));
	free(b->root_password_hash);
	b->root_password_hash = copy;
	return 1;
}

/* Power control and the console: the part of a host the jobs use. */
static int
config_diff_power_same(const struct host *a, const struct host *b)
{
	return a->power == b->power &&
	    config_diff_str(a->ipmi_address, b->ipmi_address) &&
	    a->ipmi_port == b->ipmi_port && a->ipmi_cipher == b->ipmi_cipher &&
	    config_diff_str(a->ipmi_user, b->ipmi_user) &&
	    config_diff_str(a->ipmi_password_file, b->ipmi_password_file) &&
	    config_diff_str(a->redfish_address, b->redfish_address) &&
	    config_diff_str(a->redfish_user, b->redfish_user) &&
	    config_diff_str(a->redfish_password_file,
	    b->redfish_password_file) &&
	    config_diff_str(a->redfish_system, b->redfish_system) &&
	    config_diff_str(a->redfish_tls_ca, b->redfish_tls_ca) &&
	    config_diff_str(a->redfish_tls_fingerprint,
	    b->redfish_tls_fingerprint) &&
	    a->redfish_tls_noverify == b->redfish_tls_noverify &&
	    a->redfish_boot_http == b->redfish_boot_http &&
	    config_diff_str(a->serial_console, b->serial_console) &&
	    a->serial_port == b->serial_port && a->serial_baud == b->serial_baud;
}

static int
config_diff_host_same(const struct host *a, struct host *b)
{
	return config_diff_str(a->pool_name, b->pool_name) &&
	    config_diff_str(a->site, b->site) &&
	    config_diff_pool_same(a->pool, b->pool) &&
	    config_diff_str(a->repo_name, b->repo_name) &&
	    config_diff_repo_same(a->repo, b->repo) &&
	    strcmp(a->mac, b->mac) == 0 && config_diff_str(a->disk, b->disk) &&
	    a->mode == b->mode && config_diff_str(a->ip, b->ip) &&
	    a->prefix == b->prefix && config_diff_str(a->gateway, b->gateway) &&
	    config_diff_list(&a->dns, &b->dns) &&
	    config_diff_list(&a->ntp, &b->ntp) &&
	    config_diff_str(a->hostname, b->hostname) &&
	    config_diff_str(a->timezone, b->timezone) &&
	    config_diff_str(a->keymap, b->keymap) &&
	    config_diff_str(a->interface, b->interface) &&
	    config_diff_str(a->sr_type, b->sr_type) &&
	    config_diff_str(a->root_password_file, b->root_password_file) &&
	    config_diff_list(&a->kernel_args, &b->kernel_args) &&
	    config_diff_power_same(a, b) && a->firmware == b->firmware &&
	    config_diff_str(a->join_pool, b->join_pool) &&
	    config_diff_pool_same(a->join, b->join) &&
	    config_diff_root_same(a, b);
}

/* The [server] and [dnsmasq] keys that cannot change while serve runs:
 * one line each into d->fixed. */
static int
config_diff_fixed(const struct config *a, const struct config *b,
    struct config_diff *d)
{
	const struct dnsmasq_cfg *da = &a->dnsmasq, *db = &b->dnsmasq;
	int rc = 0;

#define CONFIG_DIFF_STR(key, x, y) \
	if (rc == 0 && !config_diff_str((x), (y))) \
		rc = strlist_addf(&d->fixed, "%s: %s -> %s", key, \
		    (x) ? (x) : "(none)", (y) ? (y) : "(none)")
#define CONFIG_DIFF_INT(key, x, y) \
	if (rc == 0 && (x) != (y)) \
		rc = strlist_addf(&d->fixed, "%s: %d -> %d", key, (int)(x), \
		    (int)(y))
	CONFIG_DIFF_STR("[server] listen", a->listen_addr, b->listen_addr);
	CONFIG_DIFF_INT("[server] listen port", a->listen_port,
	    b->listen_port);
	CONFIG_DIFF_STR("[server] admin_listen", a->admin_listen_addr,
	    b->admin_listen_addr);
	CONFIG_DIFF_INT("[server] admin_listen port", a->admin_listen_port,
	    b->admin_listen_port);
	CONFIG_DIFF_STR("[server] admin_tls_cert", a->admin_tls_cert,
	    b->admin_tls_cert);
	CONFIG_DIFF_STR("[server] admin_tls_key", a->admin_tls_key,
	    b->admin_tls_key);
	CONFIG_DIFF_INT("[server] max_connections", a->max_connections,
	    b->max_connections);
	CONFIG_DIFF_INT("[server] per_ip_connections", a->per_ip_connections,
	    b->per_ip_connections);
	CONFIG_DIFF_INT("[server] header_timeout", a->header_timeout,
	    b->header_timeout);
	CONFIG_DIFF_INT("[server] http_threads", a->http_threads,
	    b->http_threads);
	CONFIG_DIFF_STR("[server] state_dir", a->state_dir, b->state_dir);
	CONFIG_DIFF_STR("[server] tftp_root", a->tftp_root, b->tftp_root);
	CONFIG_DIFF_STR("[server] admin_token_file", a->admin_token_file,
	    b->admin_token_file);
	CONFIG_DIFF_STR("[server] admin_tokens", a->admin_tokens_file,
	    b->admin_tokens_file);
	CONFIG_DIFF_INT("[server] log (1 = syslog)", a->log_syslog,
	    b->log_syslog);
	CONFIG_DIFF_INT("[dnsmasq] section (1 = there)", da->enabled,
	    db->enabled);
	if (da->enabled && db->enabled) {
		CONFIG_DIFF_INT("[dnsmasq] mode (0 = managed)", da->mode,
		    db->mode);
		CONFIG_DIFF_STR("[dnsmasq] binary", da->binary, db->binary);
		CONFIG_DIFF_INT("[dnsmasq] dhcp (0 = proxy)", da->dhcp, db->dhcp);
	}
#undef CONFIG_DIFF_STR
#undef CONFIG_DIFF_INT
	return rc;
}

/* The [server] keys that apply live and changed, by name. */
static int
config_diff_live(const struct config *a, const struct config *b,
    struct config_diff *d)
{
	int rc = 0;

	if (!config_diff_str(a->public_url, b->public_url))
		rc |= strlist_add(&d->live_keys, "[server] public_url");
	if (a->boot_files != b->boot_files)
		rc |= strlist_add(&d->live_keys, "[server] boot_files");
	if (!config_diff_str(a->template_dir, b->template_dir))
		rc |= strlist_add(&d->live_keys, "[server] template_dir");
	if (!config_diff_str(a->web_dir, b->web_dir))
		rc |= strlist_add(&d->live_keys, "[server] web_dir");
	if (a->boot_attempts != b->boot_attempts)
		rc |= strlist_add(&d->live_keys, "[server] boot_attempts");
	if (!config_diff_str(a->upgrade_paths, b->upgrade_paths))
		rc |= strlist_add(&d->live_keys, "[server] upgrade_paths");
	if (a->metrics != b->metrics)
		rc |= strlist_add(&d->live_keys, "[server] metrics");
	return rc;
}

/* Pools and repos by name. */
static int
config_diff_sections(const struct config *a, const struct config *b,
    struct config_diff *d)
{
	const struct pool *p;
	const struct repo *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < a->npools; i++)
		if ((p = config_pool(b, a->pools[i].name)) == NULL)
			rc |= strlist_add(&d->pools_removed, a->pools[i].name);
		else if (!config_diff_pool_same(&a->pools[i], p))
			rc |= strlist_add(&d->pools_changed, p->name);
	for (i = 0; i < b->npools; i++)
		if (config_pool(a, b->pools[i].name) == NULL)
			rc |= strlist_add(&d->pools_added, b->pools[i].name);
	for (i = 0; i < a->nrepos; i++)
		if ((r = config_repo(b, a->repos[i].name)) == NULL)
			rc |= strlist_add(&d->repos_removed, a->repos[i].name);
		else if (!config_diff_repo_same(&a->repos[i], r))
			rc |= strlist_add(&d->repos_changed, r->name);
	for (i = 0; i < b->nrepos; i++)
		if (config_repo(a, b->repos[i].name) == NULL)
			rc |= strlist_add(&d->repos_added, b->repos[i].name);
	return rc;
}

int
config_diff_compare(const struct config *old, struct config *new,
    struct config_diff *out)
{
	const struct host *h;
	size_t i;
	int every, rc = 0;

	memset(out, 0, sizeof(*out));
	/* what every host's files are made from */
	every = !config_diff_str(old->public_url, new->public_url) ||
	    old->boot_files != new->boot_files ||
	    !config_diff_str(old->template_dir, new->template_dir);
	for (i = 0; i < old->nhosts; i++)
		if (config_host(new, old->hosts[i].name) == NULL)
			rc |= strlist_add(&out->hosts_removed,
			    old->hosts[i].name);
	for (i = 0; i < new->nhosts; i++) {
		struct host *nh = &new->hosts[i];

		if ((h = config_host(old, nh->name)) == NULL)
			rc |= strlist_add(&out->hosts_added, nh->name);
		else if (!config_diff_host_same(h, nh) || every)
			rc |= strlist_add(&out->hosts_changed, nh->name);
	}
	rc |= config_diff_sections(old, new, out);
	rc |= config_diff_live(old, new, out);
	rc |= config_diff_fixed(old, new, out);
	if (rc != 0) {
		config_diff_free(out);
		return -1;
	}
	return 0;
}

void
config_diff_free(struct config_diff *d)
{
	if (d == NULL)
		return;
	strlist_free(&d->hosts_added);
	strlist_free(&d->hosts_removed);
	strlist_free(&d->hosts_changed);
	strlist_free(&d->pools_added);
	strlist_free(&d->pools_removed);
	strlist_free(&d->pools_changed);
	strlist_free(&d->repos_added);
	strlist_free(&d->repos_removed);
	strlist_free(&d->repos_changed);
	strlist_free(&d->live_keys);
	strlist_free(&d->fixed);
}

int
config_diff_empty(const struct config_diff *d)
{
	return d->hosts_added.n + d->hosts_removed.n + d->hosts_changed.n +
	    d->pools_added.n + d->pools_removed.n + d->pools_changed.n +
	    d->repos_added.n + d->repos_removed.n + d->repos_changed.n +
	    d->live_keys.n + d->fixed.n == 0;
}

/* " (a, b, c, ...)" after a count, when there are names. */
static void
config_diff_names(struct sbuf *b, const struct strlist *l)
{
	size_t i;

	if (l->n == 0)
		return;
	sbuf_puts(b, " (");
	for (i = 0; i < l->n && i < CONFIG_DIFF_NAMES; i++)
		sbuf_printf(b, "%s%s", i ? ", " : "", l->v[i]);
	if (l->n > CONFIG_DIFF_NAMES)
		sbuf_printf(b, ", and %zu more", l->n - CONFIG_DIFF_NAMES);
	sbuf_puts(b, ")");
}

/* "N KIND[s] added (..), N removed (..), N changed (..)" */
static void
config_diff_kind(struct sbuf *b, const char *kind, const struct strlist *add,
    const struct strlist *rm, const struct strlist *chg)
{
	sbuf_printf(b, "%zu %s%s added", add->n, kind, add->n == 1 ? "" : "s");
	config_diff_names(b, add);
	sbuf_printf(b, ", %zu removed", rm->n);
	config_diff_names(b, rm);
	sbuf_printf(b, ", %zu changed", chg->n);
	config_diff_names(b, chg);
}

char *
config_diff_summary(const struct config_diff *d)
{
	struct sbuf b = { .max = 4096 };
	size_t i;

	config_diff_kind(&b, "host", &d->hosts_added, &d->hosts_removed,
	    &d->hosts_changed);
	if (d->pools_added.n + d->pools_removed.n + d->pools_changed.n > 0) {
		sbuf_puts(&b, "; ");
		config_diff_kind(&b, "pool", &d->pools_added, &d->pools_removed,
		    &d->pools_changed);
	}
	if (d->repos_added.n + d->repos_removed.n + d->repos_changed.n > 0) {
		sbuf_puts(&b, "; ");
		config_diff_kind(&b, "repo", &d->repos_added, &d->repos_removed,
		    &d->repos_changed);
	}
	for (i = 0; i < d->live_keys.n; i++)
		sbuf_printf(&b, "%s%s", i ? ", " : "; changed: ",
		    d->live_keys.v[i]);
	return sbuf_take(&b);
}
