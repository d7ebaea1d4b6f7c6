/* config.h — the INI configuration (libinih): config_load and the loaded
 * struct config.
 *
 * One file holds [server], [defaults], [repo NAME], [pool NAME],
 * [host NAME] and [dnsmasq] sections; see docs/config.md. Every problem is
 * reported as "file:line: message" and loading goes on so that all
 * problems are shown at once. Relative paths are taken relative to the
 * config file's folder.
 *
 * This module owns struct config with its [server] values, the repos
 * ([repo NAME], each checked with config_repo_inspect), the pools
 * ([pool NAME]), the references between sections (host -> pool -> repo),
 * the lookups by name and MAC, and finding the templates and dashboard
 * folders next to the binary. The other parts of a config are declared in
 * the headers included below, each the contract of the module that loads
 * it:
 *   inventory.h       struct host: [defaults] and [host NAME] (inventory.c)
 *   config_mode.h     enum host_mode and its names, config_mode_*
 *   config_dnsmasq.h  struct dnsmasq_cfg: [dnsmasq]
 *   config_listen.h   [server]'s listeners (listen, admin_listen,
 *                     admin_tls_*) and connection limits
 * config_ini.h (pass 1: the raw sections and the problem list) and
 * config_secret.h (password files) serve only config_load.
 */
#ifndef POOLBOOT_CONFIG_H
#define POOLBOOT_CONFIG_H

#include <stddef.h>

#include "config_dnsmasq.h"
#include "config_mode.h"
#include "config_pool.h"
#include "config_store.h"
#include "inventory.h"
#include "strmap.h"
#include "util.h"

enum boot_files { BOOT_FILES_TFTP = 0, BOOT_FILES_HTTP = 1 };

/* [server] metrics: GET /metrics open to anyone who can reach the port
 * (on), not served (off), or only with the admin bearer token (auth). */
enum metrics_access { METRICS_ON = 0, METRICS_OFF = 1, METRICS_AUTH = 2 };

struct repo {
	char	*name;
	char	*path;			/* absolute path of the unpacked ISO */
	char	*product_brand;		/* from .treeinfo, may be NULL */
	char	*product_version;	/* from .treeinfo, e.g. "8.2.1" */
	char	*build_number;		/* from .treeinfo, may be NULL */
	int	 line;
};


struct config {
	char	*path;			/* as given */
	char	*dir;			/* folder of the file, absolute */
	/* [server] */
	/* the listeners and their limits (config_listen.h) */
	char	*listen_addr;		/* install network, e.g. "0.0.0.0" */
	int	 listen_port;		/* e.g. 8080 */
	char	*admin_listen_addr;	/* admin API, default "127.0.0.1" */
	int	 admin_listen_port;	/* default 8081 */
	char	*admin_tls_cert;	/* PEM, absolute; NULL: plain HTTP */
	char	*admin_tls_key;		/* PEM, absolute; set with the cert */
	int	 max_connections;	/* install listener, all addresses */
	int	 per_ip_connections;	/* install listener, one address; 0: any */
	int	 header_timeout;	/* seconds for a whole request */
	char	*public_url;		/* without trailing slash */
	char	*state_dir;
	int	 state_dir_line;	/* its key's line; 0: the default */
	char	*tftp_root;
	char	*admin_token_file;
	char	*admin_tokens_file;	/* named tokens (tokens.h); default
					   state_dir/tokens */
	int	 admin_tokens_line;	/* its key's line; 0: the default */
	char	*template_dir;		/* resolved; see config_find_template_dir() */
	int	 template_dir_explicit;
	char	*web_dir;		/* dashboard files; resolved like template_dir,
					   NULL when none found (GET / is 404) */
	int	 web_dir_explicit;
	int	 boot_attempts;		/* boot-loop guard, default 3 */
	enum boot_files boot_files;
	int	 http_threads;		/* libmicrohttpd workers; default: CPUs, 2..64 */
	char	*upgrade_paths;		/* rules file; default template_dir/upgrade-paths.conf */
	enum metrics_access metrics;	/* [server] metrics, default METRICS_ON */
	int	 log_syslog;		/* [server] log = syslog (default stderr) */

	struct repo *repos;
	size_t	 nrepos;
	struct pool *pools;
	size_t	 npools;
	struct host *hosts;
	size_t	 nhosts;

	struct dnsmasq_cfg dnsmasq;

	struct config_store store;	/* [store] (config_store.h) */

	/* name and MAC indexes for config_host, config_host_by_mac and
	   config_pool (built by config_load; without them, e.g. out of
	   memory or a config built by hand, the lookups scan) */
	struct strmap	 host_names, host_macs, pool_names;
	/* templates read once (render_cache.h); set and freed by the
	   caller that renders many hosts (check); NULL: read each time */
	struct render_cache *templates;
};

/* Loads and checks path, including the repos' trees and the secret files
 * it names. On success returns 0 and *out (free with config_free). On any
 * error returns -1, fills errors with "file:line: message" lines (all of
 * them) and sets *out to NULL. warnings gets non-fatal remarks (e.g.
 * tls_verify = no). Either list may be NULL. */
int   config_load(const char *path, struct config **out,
	    struct strlist *errors, struct strlist *warnings);
/* config_load for commands that only read (hosts, status, jobs, render,
 * the admin API's clients): flags leave secret files unread, so that they
 * need no access to them; serve and check use config_load. */
#define CONFIG_LOAD_NO_PASSWORDS 0x1	/* the XAPI, BMC password files and
					   admin_tls_key: not checked */
#define CONFIG_LOAD_NO_ROOT_HASH 0x2	/* root_password_file: not read,
					   hosts' root_password_hash NULL */
int   config_load_flags(const char *path, int flags, struct config **out,
	    struct strlist *errors, struct strlist *warnings);
/* The same for a configuration held in memory: len bytes of text, named
 * name in cfg->path and in the messages ("name:line: message"), relative
 * paths taken relative to dir (absolute). The repos' trees and secret
 * files it names are still read from disk. Used by the fuzzer. */
int   config_load_text(const char *name, const char *dir, const char *text,
	    size_t len, struct config **out, struct strlist *errors,
	    struct strlist *warnings);
/* What serve needs of cfg->state_dir and check reports: that it exists
 * and files can be created in it, or that it can be created (its nearest
 * existing parent is a writable folder). Creates and removes one probe
 * file; creates no folder. 0 when fine, else -1 with one "file:line:
 * message" (file: (default) when state_dir is not set) in problems. */
int   config_check_state_dir(const struct config *cfg,
	    struct strlist *problems);
/* Frees cfg and everything it holds; NULL is fine. */
void  config_free(struct config *cfg);

/* The host, pool or repo of that name (host: of that MAC, in any form
 * util_mac_parse takes), pointing into cfg; NULL if there is none. */
struct host *config_host(const struct config *cfg, const char *name);
struct host *config_host_by_mac(const struct config *cfg, const char *mac);
struct pool *config_pool(const struct config *cfg, const char *name);
struct repo *config_repo(const struct config *cfg, const char *name);

/* Reads a repo's .treeinfo and checks boot/xen.gz, boot/vmlinuz and
 * install.img. Fills the version fields. On error writes a message naming
 * the missing file into err and returns -1. */
int   config_repo_inspect(struct repo *r, char *err, size_t errlen);

/* The templates folder found next to the running binary (templates/,
 * ../templates, ../share/poolboot/templates), as config_load does when
 * template_dir is not set. Caller frees; NULL if none. */
char *config_find_template_dir(void);

/* The dashboard folder (web/, ../web, ../share/poolboot/web next to the
 * running binary, holding index.html), as config_load does when web_dir is
 * not set. Caller frees; NULL if none. */
char *config_find_web_dir(void);

#endif
