/* dnsmasq.c — see dnsmasq.h.
 *
 * A managed dnsmasq started by root drops to its own user once its
 * sockets are open (user=dnsmasq, or nobody where there is no such user;
 * it keeps CAP_NET_ADMIN and CAP_NET_RAW for DHCP). It then reads the
 * hostsdir and serves TFTP as that user, so everything on the way to
 * tftp_root and hosts.d must be searchable by others: with full DHCP
 * state_dir is 0711 (dnsmasq_state_dir_mode). When a path still is not
 * (a tftp_root or repo of mode 700), the config says user=root and a
 * comment in it says why, and serve warns. The log and lease files are
 * opened while dnsmasq still is root, so they need nothing.
 */
#include "dnsmasq.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "site_files.h"

#define CONF_MAX		(64 * 1024)
#define HOSTFILE_MAX		4096
#define OUTPUT_MAX		4096	/* kept of dnsmasq's own output */
#define BACKOFF_FIRST		1	/* seconds */
#define BACKOFF_MAX		60
#define STABLE_UPTIME		60	/* a child this old resets the backoff */
#define START_WAIT_MS		10000	/* first start: wait this long at most */
#define STOP_WAIT_S		5


char *
dnsmasq_dir(const struct config *cfg)
{
	return util_path_join(cfg->state_dir, "dnsmasq");
}

const char *
dnsmasq_boot_file(const struct config *cfg)
{
	return cfg->boot_files == BOOT_FILES_HTTP ? "lpxelinux.0" :
	    "pxelinux.0";
}

mode_t
dnsmasq_state_dir_mode(const struct config *cfg)
{
	size_t i;

	if (!cfg->dnsmasq.enabled)
		return 0700;
	if (cfg->dnsmasq.dhcp == DNSMASQ_FULL)
		return 0711;
	/* a mirror repo's boot files are cached under state_dir/mirror
	 * (repo_mirror.h) and served over dnsmasq's TFTP: dnsmasq, as its
	 * own user, must be able to pass through state_dir */
	for (i = 0; cfg->dnsmasq.tftp && cfg->boot_files == BOOT_FILES_TFTP &&
	    i < cfg->nrepos; i++)
		if (cfg->repos[i].url != NULL)
			return 0711;
	return 0700;
}

const char *
dnsmasq_user(void)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwnam_r("dnsmasq", &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL)
		return "dnsmasq";
	return "nobody";
}

/* ---- the config ----------------------------------------------------------- */

/* Why the config leaves UEFI HTTP boot out (config_dnsmasq.c decided). */
static const char *
dnsmasq_http_boot_off(const struct config *cfg)
{
	if (cfg->public_url != NULL &&
	    strncmp(cfg->public_url, "http://", 7) != 0)
		return "public_url is not http:// (GRUB has no HTTPS)";
	return "http_boot = no in [dnsmasq]";
}

/* Is every folder from / down to path searchable by others (and path
 * itself readable)? What dnsmasq needs once it runs as nobody. */
static int
dnsmasq_others_can_reach(const char *path)
{
	char buf[PATH_MAX];
	struct stat sb;
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return 0;
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char saved = *p;

			*p = '\0';
			if (stat(buf, &sb) == -1) {
				/* not there yet: poolboot creates it 0755 */
				*p = saved;
				return errno == ENOENT;
			}
			*p = saved;
		}
		if (S_ISDIR(sb.st_mode) && !(sb.st_mode & S_IXOTH))
			return 0;
		if (*p == '\0')
			return (sb.st_mode & S_IROTH) != 0;
	}
}

/* Why dnsmasq must stay root, or NULL when it can drop to nobody. */
static const char *
dnsmasq_needs_root(const struct config *cfg, const char *dir)
{
	char hosts[PATH_MAX];
	size_t i;

	if (geteuid() != 0)
		return NULL;
	if (cfg->dnsmasq.tftp && !dnsmasq_others_can_reach(cfg->tftp_root))
		return "tftp_root is not readable by other users";
	if (cfg->dnsmasq.tftp && cfg->boot_files == BOOT_FILES_TFTP)
		for (i = 0; i < cfg->nrepos; i++)
			if (cfg->repos[i].path != NULL &&
			    !dnsmasq_others_can_reach(cfg->repos[i].path))
				return "a repo is not readable by other users";
	if (cfg->dnsmasq.dhcp == DNSMASQ_FULL) {
		snprintf(hosts, sizeof(hosts), "%s/hosts.d", dir);
		if (!dnsmasq_others_can_reach(hosts))
			return "the hostsdir in state_dir is not readable by "
			    "other users";
	}
	return NULL;
}

/*
 * The boot files by client architecture, DHCP option 93 (RFC 4578; the
 * values are IANA's "Processor Architecture Types"): 0 = BIOS PXE ->
 * pxelinux.0 / lpxelinux.0; 7 and 9 = x86-64 UEFI PXE ->
 * DNSMASQ_GRUB_EFI over TFTP; 16 = x86-64 UEFI HTTP boot -> the URL
 * http_boot_url, and the answer names vendor class "HTTPClient", without
 * which a UEFI HTTP-boot client ignores it (UEFI 2.x, "HTTP Boot",
 * DHCP options). ", ,ADDR" points at another TFTP server (tftp = no).
 */
static void
dnsmasq_render_full_boot(const struct config *cfg, struct sbuf *b)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	const char *tftp = d->tftp ? "" : ",,";
	const char *addr = d->tftp ? "" : d->address;

	sbuf_printf(b, "# BIOS, UEFI PXE and UEFI HTTP boot side by side: the "
	    "client's architecture\n# (DHCP option 93) picks the boot file; "
	    "the log shows it as \"tags: ...\"\n"
	    "dhcp-match=set:bios,option:client-arch,0\n"
	    "dhcp-match=set:efi-x64,option:client-arch,7\n"
	    "dhcp-match=set:efi-x64,option:client-arch,9\n"
	    "dhcp-boot=tag:bios,%s%s%s\n"
	    "dhcp-boot=tag:efi-x64,%s%s%s\n",
	    dnsmasq_boot_file(cfg), tftp, addr, DNSMASQ_GRUB_EFI, tftp, addr);
	if (d->http_boot)
		sbuf_printf(b, "# UEFI HTTP boot: a URL as boot file, and "
		    "vendor class HTTPClient in the answer\n"
		    "dhcp-match=set:efi-http,option:client-arch,16\n"
		    "dhcp-boot=tag:efi-http,%s\n"
		    "dhcp-option-force=tag:efi-http,option:vendor-class,"
		    "HTTPClient\n", d->http_boot_url);
	else
		sbuf_printf(b, "# UEFI HTTP boot (option 93 = 16) is off: "
		    "%s\n", dnsmasq_http_boot_off(cfg));
}

/*
 * Proxy-DHCP: a PXE menu entry per client system architecture (CSA)
 * instead of dhcp-boot. dnsmasq's CSA names: x86PC = 0, x86-64_EFI = 7,
 * BC_EFI = 9. PXE appends the ".0" layer suffix to a basename without a
 * dot (pxelinux -> pxelinux.0); a name with a dot, the GRUB image, is
 * sent as it is (dnsmasq(8), --pxe-service). dnsmasq sends UEFI clients
 * to port 4011 for the file, DNSMASQ_GRUB_EFI_PROXY (config_dnsmasq.h:
 * why). UEFI HTTP-boot clients say "HTTPClient",
 * not "PXEClient": dhcp-pxe-vendor makes dnsmasq answer them as PXE
 * clients (echoing HTTPClient), with the dhcp-boot URL.
 */
static void
dnsmasq_render_proxy_boot(const struct config *cfg, struct sbuf *b)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	const char *boot = dnsmasq_boot_file(cfg);
	const char *comma = d->tftp ? "" : ",";
	const char *addr = d->tftp ? "" : d->address;
	int blen = (int)strlen(boot) - 2;	/* without ".0" */

	sbuf_printf(b, "# BIOS, UEFI PXE and UEFI HTTP boot side by side, by "
	    "the client's architecture\n"
	    "pxe-service=x86PC,\"poolboot\",%.*s%s%s\n"
	    "pxe-service=x86-64_EFI,\"poolboot\",%s%s%s\n"
	    "pxe-service=BC_EFI,\"poolboot\",%s%s%s\n",
	    blen, boot, comma, addr, DNSMASQ_GRUB_EFI_PROXY, comma, addr,
	    DNSMASQ_GRUB_EFI_PROXY, comma, addr);
	if (d->http_boot)
		sbuf_printf(b, "# UEFI HTTP boot: answer vendor class "
		    "HTTPClient too, with a URL as boot file\n"
		    "dhcp-pxe-vendor=PXEClient,HTTPClient\n"
		    "dhcp-match=set:efi-http,option:client-arch,16\n"
		    "dhcp-boot=tag:efi-http,%s\n", d->http_boot_url);
	else
		sbuf_printf(b, "# UEFI HTTP boot (option 93 = 16) is off: "
		    "%s\n", dnsmasq_http_boot_off(cfg));
}

char *
dnsmasq_render_conf(const struct config *cfg, const char *dir, char *err,
    size_t errlen)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	struct sbuf b = { .max = CONF_MAX };
	const char *why;
	int managed = d->mode == DNSMASQ_MANAGED;
	char *out = NULL;

	if (!d->enabled) {
		snprintf(err, errlen, "no [dnsmasq] section in %s", cfg->path);
		return NULL;
	}
	sbuf_printf(&b, "# dnsmasq config written by poolboot from [dnsmasq] "
	    "in its config.\n"
	    "# Do not edit: poolboot serve rewrites it. See docs/network.md.\n");
	if (managed) {
		sbuf_printf(&b, "# Run by poolboot serve as: %s "
		    "--keep-in-foreground --conf-file=%s/dnsmasq.conf\n"
		    "port=0\n"
		    "interface=%s\n"
		    "bind-interfaces\n"
		    "pid-file=\n"
		    "log-facility=%s/dnsmasq.log\n"
		    "log-dhcp\n"
		    "dhcp-leasefile=%s/leases\n",
		    d->binary, dir, d->interface, dir, dir);
		if ((why = dnsmasq_needs_root(cfg, dir)) != NULL)
			sbuf_printf(&b, "# %s: dnsmasq keeps running as root\n"
			    "user=root\n", why);
		else if (geteuid() == 0)
			sbuf_printf(&b, "# dnsmasq drops root once its sockets "
			    "are open\nuser=%s\n", dnsmasq_user());
	} else
		sbuf_printf(&b, "# A fragment for the site's own dnsmasq: add\n"
		    "#   conf-file=%s/dnsmasq.conf\n"
		    "# to its configuration.\n", dir);

	if (d->dhcp == DNSMASQ_PROXY) {
		sbuf_printf(&b, "# proxy-DHCP: the site's DHCP server hands out "
		    "addresses, dnsmasq adds the boot file\n");
		if (d->range_first != NULL)
			sbuf_printf(&b, "dhcp-range=%s,proxy%s%s\n",
			    d->range_first, d->range_netmask ? "," : "",
			    d->range_netmask ? d->range_netmask : "");
		dnsmasq_render_proxy_boot(cfg, &b);
	} else {
		sbuf_printf(&b, "# full DHCP: one reservation per inventory host "
		    "in the hostsdir\n");
		if (d->range_first != NULL)
			sbuf_printf(&b, "dhcp-range=%s,%s,%s,%s\n", d->range_first,
			    d->range_last, d->range_netmask, d->lease_time);
		dnsmasq_render_full_boot(cfg, &b);
		sbuf_printf(&b, "# iPXE: do not wait for proxy-DHCP offers\n"
		    "dhcp-option=encap:175,176,1b\n"
		    "dhcp-hostsdir=%s/hosts.d\n", dir);
		if (!d->ping_check)
			sbuf_printf(&b, "no-ping\n");
	}
	if (d->tftp)
		sbuf_printf(&b, "enable-tftp\ntftp-root=%s\n", cfg->tftp_root);
	if (d->ipv6_ra != NULL)
		sbuf_printf(&b, "# router advertisements: PXE ROMs then do not "
		    "wait for IPv6 autoconfiguration\n"
		    "enable-ra\ndhcp-range=%s,ra-only\n", d->ipv6_ra);
	if (b.overflow) {
		snprintf(err, errlen, "dnsmasq config larger than %d bytes",
		    CONF_MAX);
		goto out;
	}
	out = sbuf_take(&b);
	if (out == NULL)
		snprintf(err, errlen, "out of memory");
out:
	sbuf_free(&b);
	return out;
}

char *
dnsmasq_render_host(const struct host *h)
{
	char *s = NULL;
	size_t n;
	int rc;

	if (h->ip != NULL && h->hostname != NULL) {
		/* dnsmasq refuses a domain it does not serve: the first label */
		n = strcspn(h->hostname, ".");
		rc = asprintf(&s, "%s,%s,%.*s\n", h->mac, h->ip, (int)n,
		    h->hostname);
	} else if (h->ip != NULL)
		rc = asprintf(&s, "%s,%s\n", h->mac, h->ip);
	else
		rc = asprintf(&s, "%s,set:poolboot\n", h->mac);
	return rc < 0 ? NULL : s;
}

/* Writes path only if its content differs; *changed++ when written. */
static int
dnsmasq_write_if_changed(const char *path, const char *text, int *changed,
    char *err, size_t errlen)
{
	size_t len = strlen(text), cur_len = 0;
	char *cur;
	int same;

	cur = util_read_file(path, CONF_MAX, &cur_len);
	same = cur != NULL && cur_len == len && memcmp(cur, text, len) == 0;
	free(cur);
	if (same)
		return 0;
	if (util_write_atomic(path, text, len, 0644) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	(*changed)++;
	return 0;
}

/* name's file stays in hosts.d: an inventory host of this site's */
static int
dnsmasq_is_inventory_host(const struct config *cfg, const char *name)
{
	const struct host *h = config_host(cfg, name);

	return cfg->dnsmasq.dhcp == DNSMASQ_FULL && h != NULL &&
	    site_files_host(cfg, h);
}

int
dnsmasq_write_files(const struct config *cfg, const char *dir, int *changed,
    char *err, size_t errlen)
{
	char hosts[PATH_MAX], path[PATH_MAX];
	char *owndir = NULL, *conf = NULL, *line = NULL;
	struct dirent *de;
	DIR *dh = NULL;
	size_t i;
	int n = 0, ret = -1;

	if (dir == NULL && (dir = owndir = dnsmasq_dir(cfg)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (snprintf(hosts, sizeof(hosts), "%s/hosts.d", dir) >=
	    (int)sizeof(hosts)) {
		snprintf(err, errlen, "%s: path too long", dir);
		goto out;
	}
	if (util_mkdirs(hosts, 0755) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", hosts,
		    strerror(errno));
		goto out;
	}
	if ((conf = dnsmasq_render_conf(cfg, dir, err, errlen)) == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s/dnsmasq.conf", dir);
	if (dnsmasq_write_if_changed(path, conf, &n, err, errlen) == -1)
		goto out;
	if (cfg->dnsmasq.dhcp == DNSMASQ_FULL) {
		for (i = 0; i < cfg->nhosts; i++) {
			const struct host *h = &cfg->hosts[i];

			if (!site_files_host(cfg, h))
				continue;	/* another site's */
			if (snprintf(path, sizeof(path), "%s/%s", hosts,
			    h->name) >= (int)sizeof(path)) {
				snprintf(err, errlen, "%s/%s: path too long",
				    hosts, h->name);
				goto out;
			}
			free(line);
			if ((line = dnsmasq_render_host(h)) == NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			if (dnsmasq_write_if_changed(path, line, &n, err,
			    errlen) == -1)
				goto out;
		}
	}
	/* hosts.d is poolboot's alone: whatever is not a host's file goes
	 * (removed hosts, temp files of an interrupted write) */
	if ((dh = opendir(hosts)) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", hosts,
		    strerror(errno));
		goto out;
	}
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dnsmasq_is_inventory_host(cfg, de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", hosts, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (unlink(path) == -1) {
			snprintf(err, errlen, "cannot remove %s: %s", path,
			    strerror(errno));
			goto out;
		}
		n++;
	}
	ret = 0;
out:
	if (dh != NULL)
		closedir(dh);
	if (changed != NULL)
		*changed = n;
	free(line);
	free(conf);
	free(owndir);
	return ret;
}

/* ---- running dnsmasq -------------------------------------------------------- */

static void
dnsmasq_trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' '))
		s[--n] = '\0';
}

int
dnsmasq_test(const struct config *cfg, const char *dir, char *msg,
    size_t msglen)
{
	char confarg[PATH_MAX + 32], out[OUTPUT_MAX];
	char *owndir = NULL;
	char *argv[4];
	int rfd = -1, status = -1, ret = DNSMASQ_TEST_FAILED;
	pid_t pid;

	if (!proc_binary_exists(cfg->dnsmasq.binary)) {
		snprintf(msg, msglen, "dnsmasq binary '%s' not found (install "
		    "dnsmasq-base, or set binary in [dnsmasq])",
		    cfg->dnsmasq.binary);
		return DNSMASQ_TEST_NOBINARY;
	}
	if (dir == NULL && (dir = owndir = dnsmasq_dir(cfg)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		return DNSMASQ_TEST_FAILED;
	}
	snprintf(confarg, sizeof(confarg), "--conf-file=%s/dnsmasq.conf", dir);
	argv[0] = cfg->dnsmasq.binary;
	argv[1] = (char *)(uintptr_t)"--test";
	argv[2] = confarg;
	argv[3] = NULL;
	if ((pid = proc_spawn(cfg->dnsmasq.binary, argv, &rfd, 0,
	    "dnsmasq binary")) == -1) {
		snprintf(msg, msglen, "cannot run %s: %s", cfg->dnsmasq.binary,
		    strerror(errno));
		goto out;
	}
	proc_read_all(rfd, out, sizeof(out));
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	dnsmasq_trim(out);
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(msg, msglen, "%s", out[0] ? out : "syntax check OK");
		ret = DNSMASQ_TEST_OK;
	} else if (out[0] != '\0')
		snprintf(msg, msglen, "%s", out);
	else
		snprintf(msg, msglen, "%s --test failed (status %d) without a "
		    "message", cfg->dnsmasq.binary, status);
out:
	if (rfd != -1)
		close(rfd);
	free(owndir);
	return ret;
}

/* rm -r of the temporary folder dnsmasq_check made (two levels). */
static void
dnsmasq_remove_tree(const char *dir)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *dh;

	if ((dh = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(p))
			continue;
		if (unlink(p) == -1 && (errno == EISDIR || errno == EPERM))
			dnsmasq_remove_tree(p);
	}
	closedir(dh);
	(void)rmdir(dir);
}

int
dnsmasq_check(const struct config *cfg, struct strlist *problems,
    struct strlist *notes)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	const char *base;
	char tmp[PATH_MAX], err[1024], msg[OUTPUT_MAX];
	int rc, ret = 0;

	if (!d->enabled)
		return 0;
	if (d->interface != NULL && if_nametoindex(d->interface) == 0)
		strlist_addf(notes, "[dnsmasq] interface '%s' does not exist on "
		    "this machine (dnsmasq will not start until it does)",
		    d->interface);
	if ((base = getenv("TMPDIR")) == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmp, sizeof(tmp), "%s/poolboot-check.XXXXXX", base);
	if (mkdtemp(tmp) == NULL) {
		strlist_addf(notes, "dnsmasq config not tested: cannot create a "
		    "temporary folder in %s: %s", base, strerror(errno));
		return 0;
	}
	if (dnsmasq_write_files(cfg, tmp, NULL, err, sizeof(err)) == -1) {
		strlist_addf(problems, "[dnsmasq]: %s", err);
		ret = -1;
		goto out;
	}
	rc = dnsmasq_test(cfg, tmp, msg, sizeof(msg));
	if (rc == DNSMASQ_TEST_OK)
		strlist_addf(notes, "dnsmasq --test on the generated config: %s",
		    msg);
	else if (rc == DNSMASQ_TEST_NOBINARY)
		strlist_addf(notes, "dnsmasq config not tested: %s", msg);
	else if (rc != DNSMASQ_TEST_OK) {
		strlist_addf(problems, "%s:%d: [dnsmasq]: dnsmasq refuses the "
		    "generated config: %s", cfg->path, d->line, msg);
		ret = -1;
	}
out:
	dnsmasq_remove_tree(tmp);
	return ret;
}

/* ---- the supervisor ----------------------------------------------------------- */

struct dnsmasq_sup {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* stopping, first start done */
	char		*binary;
	char		*confarg;
	pid_t		 pid;		/* child not yet reaped; 0 none */
	int		 stopping;
	int		 restart_req;	/* dnsmasq_restart: at once, no backoff */
	unsigned	 restarts;
	int		 first_done;
	int		 first_ok;
	char		 first_msg[OUTPUT_MAX];
};

static double
dnsmasq_mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Forwards the child's output to the log line by line until EOF (dnsmasq
 * closes it once started, or when it exits). The first start keeps a copy
 * for the caller. */
static void
dnsmasq_pump_output(struct dnsmasq_sup *s, int fd, int first)
{
	char buf[1024], keep[OUTPUT_MAX];
	size_t len = 0, klen = 0, used;
	ssize_t n;
	char *nl;

	keep[0] = '\0';
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			len += (size_t)n;
		/* whole lines; a line longer than buf, or the rest at EOF,
		 * as it is */
		for (;;) {
			nl = memchr(buf, '\n', len);
			if (nl == NULL && len < sizeof(buf) - 1 &&
			    !(n <= 0 && len > 0))
				break;
			if (nl == NULL)
				nl = buf + len;
			*nl = '\0';
			used = (size_t)(nl - buf) + (nl < buf + len ? 1 : 0);
			if (buf[0] != '\0') {
				log_info("dnsmasq", "%s", buf);
				if (first && klen + strlen(buf) + 2 < sizeof(keep))
					klen += (size_t)snprintf(keep + klen,
					    sizeof(keep) - klen, "%s%s",
					    klen ? "\n" : "", buf);
			}
			len -= used;
			memmove(buf, buf + used, len);
			if (len == 0)
				break;
		}
		if (n <= 0)
			break;
	}
	if (first) {
		pthread_mutex_lock(&s->mu);
		snprintf(s->first_msg, sizeof(s->first_msg), "%s", keep);
		pthread_mutex_unlock(&s->mu);
	}
}

static void
dnsmasq_first_start_done(struct dnsmasq_sup *s, int ok)
{
	pthread_mutex_lock(&s->mu);
	s->first_done = 1;
	s->first_ok = ok;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* After the first start's output ended: did dnsmasq stay up? Tells
 * dnsmasq_start either way. */
static int
dnsmasq_first_start_ok(struct dnsmasq_sup *s, pid_t pid)
{
	int wait_ms;

	/* EOF: dnsmasq either finished starting (and closed its output) or
	 * died saying why. A message makes dying likely: give it time to be
	 * seen. */
	pthread_mutex_lock(&s->mu);
	wait_ms = s->first_msg[0] ? 1000 : 100;
	pthread_mutex_unlock(&s->mu);
	if (proc_exited_within(pid, wait_ms)) {
		dnsmasq_first_start_done(s, 0);
		/* reaped by the caller; no restart after a failed first
		 * start: serve refuses to run */
		return 0;
	}
	dnsmasq_first_start_done(s, 1);
	return 1;
}

/* Waits for the child pid to exit and reaps it; what gets how it ended. */
static void
dnsmasq_reap(struct dnsmasq_sup *s, pid_t pid, char *what, size_t whatlen)
{
	siginfo_t si;
	int status;

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1 &&
	    errno == EINTR)
		;
	/* forget the pid before reaping it: dnsmasq_stop never signals a
	 * pid that may have been reused */
	pthread_mutex_lock(&s->mu);
	s->pid = 0;
	pthread_mutex_unlock(&s->mu);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	proc_describe_status(status, what, whatlen);
}

/* One life of the child: starts it, logs its output, reaps it. 1 when it
 * is to be restarted (after *delay, which it may reset), 0 when the
 * supervisor stops (stopping, or the first start failed). */
static int
dnsmasq_run_child(struct dnsmasq_sup *s, char *argv[], int *first,
    int *delay)
{
	char what[128];
	double started;
	int rfd = -1;
	pid_t pid;

	started = dnsmasq_mono_now();
	pthread_mutex_lock(&s->mu);
	if (s->stopping) {
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	pid = proc_spawn(s->binary, argv, &rfd, 1, "dnsmasq binary");
	if (pid > 0)
		s->pid = pid;
	pthread_mutex_unlock(&s->mu);
	if (pid <= 0) {
		log_error("dnsmasq", "cannot start %s: %s", s->binary,
		    strerror(errno));
		if (!*first)
			return 1;
		pthread_mutex_lock(&s->mu);
		snprintf(s->first_msg, sizeof(s->first_msg),
		    "cannot start %s: %s", s->binary, strerror(errno));
		pthread_mutex_unlock(&s->mu);
		dnsmasq_first_start_done(s, 0);
		return 0;
	}
	if (*first)
		log_info("dnsmasq", "started %s (pid %ld)", s->binary,
		    (long)pid);
	else
		log_info("dnsmasq", "dnsmasq restarted (pid %ld, "
		    "restart %u)", (long)pid, s->restarts);
	dnsmasq_pump_output(s, rfd, *first);
	close(rfd);
	if (*first && dnsmasq_first_start_ok(s, pid))
		*first = 0;
	dnsmasq_reap(s, pid, what, sizeof(what));
	pthread_mutex_lock(&s->mu);
	if (s->restart_req && !s->stopping && !*first) {
		s->restart_req = 0;
		pthread_mutex_unlock(&s->mu);
		log_info("dnsmasq", "dnsmasq (pid %ld) %s: starting it again "
		    "with its new dnsmasq.conf", (long)pid, what);
		*delay = 0;
		return 1;
	}
	if (s->stopping || *first) {
		pthread_mutex_unlock(&s->mu);
		if (*first)
			log_error("dnsmasq", "dnsmasq (pid %ld) %s at "
			    "start-up", (long)pid, what);
		else
			log_info("dnsmasq", "dnsmasq (pid %ld) %s",
			    (long)pid, what);
		return 0;
	}
	pthread_mutex_unlock(&s->mu);
	if (dnsmasq_mono_now() - started >= STABLE_UPTIME)
		*delay = BACKOFF_FIRST;
	log_warn("dnsmasq", "dnsmasq (pid %ld) %s after %.1f s; "
	    "restarting it in %d s", (long)pid, what,
	    dnsmasq_mono_now() - started, *delay);
	return 1;
}

/* Waits delay seconds before a restart, counting it. -1 (no restart)
 * when dnsmasq_stop comes first. */
static int
dnsmasq_backoff(struct dnsmasq_sup *s, int delay)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += delay;
	pthread_mutex_lock(&s->mu);
	while (delay > 0 && !s->stopping && pthread_cond_timedwait(&s->cv,
	    &s->mu, &until) != ETIMEDOUT)
		;
	if (s->stopping) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	if (delay > 0)		/* a restart asked for is no crash */
		s->restarts++;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* The supervisor thread: runs the child until dnsmasq_stop, restarting
 * it with backoff (dnsmasq.h). */
static void *
dnsmasq_supervise(void *arg)
{
	struct dnsmasq_sup *s = arg;
	char *argv[4];
	int delay = BACKOFF_FIRST, first = 1;

	argv[0] = s->binary;
	argv[1] = (char *)(uintptr_t)"--keep-in-foreground";
	argv[2] = s->confarg;
	argv[3] = NULL;
	while (dnsmasq_run_child(s, argv, &first, &delay) &&
	    dnsmasq_backoff(s, delay) == 0)
		delay = delay == 0 ? BACKOFF_FIRST : delay * 2 > BACKOFF_MAX ?
		    BACKOFF_MAX : delay * 2;
	return NULL;
}

static void
dnsmasq_sup_free(struct dnsmasq_sup *s)
{
	if (s == NULL)
		return;
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->binary);
	free(s->confarg);
	free(s);
}

int
dnsmasq_start(const struct config *cfg, struct dnsmasq_sup **out, char *err,
    size_t errlen)
{
	struct dnsmasq_sup *s = NULL;
	pthread_condattr_t ca;
	struct timespec until;
	const char *why;
	char *dir = NULL;
	int ret = -1, rc = 0;

	*out = NULL;
	if ((dir = dnsmasq_dir(cfg)) != NULL &&
	    (why = dnsmasq_needs_root(cfg, dir)) != NULL)
		log_warn("dnsmasq", "dnsmasq keeps running as root: %s (make "
		    "the folders on the way world-searchable, chmod o+x, and "
		    "the files world-readable; see docs/network.md)", why);
	free(dir);
	dir = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (dir = dnsmasq_dir(cfg)) == NULL ||
	    (s->binary = strdup(cfg->dnsmasq.binary)) == NULL ||
	    asprintf(&s->confarg, "--conf-file=%s/dnsmasq.conf", dir) < 0) {
		if (s != NULL)
			s->confarg = NULL;
		snprintf(err, errlen, "out of memory");
		free(dir);
		if (s != NULL) {
			free(s->binary);
			free(s->confarg);
			free(s);
		}
		return -1;
	}
	free(dir);
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&s->thread, NULL, dnsmasq_supervise,
	    s)) != 0) {
		snprintf(err, errlen, "cannot start the dnsmasq supervisor: %s",
		    strerror(errno));
		dnsmasq_sup_free(s);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += START_WAIT_MS / 1000;
	pthread_mutex_lock(&s->mu);
	while (!s->first_done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&s->cv, &s->mu, &until);
	if (!s->first_done)
		log_warn("dnsmasq", "dnsmasq has not finished starting after %d "
		    "s; going on", START_WAIT_MS / 1000);
	else if (!s->first_ok)
		snprintf(err, errlen, "%s", s->first_msg[0] ? s->first_msg :
		    "dnsmasq exited at start-up without a message (see its log "
		    "in state_dir/dnsmasq/dnsmasq.log)");
	ret = (s->first_done && !s->first_ok) ? -1 : 0;
	pthread_mutex_unlock(&s->mu);
	if (ret == -1) {
		pthread_join(s->thread, NULL);
		dnsmasq_sup_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
dnsmasq_stop(struct dnsmasq_sup *s)
{
	struct timespec until;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	if (s->pid > 0)
		kill(s->pid, SIGTERM);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_WAIT_S;
	if (pthread_timedjoin_np(s->thread, NULL, &until) != 0) {
		pthread_mutex_lock(&s->mu);
		if (s->pid > 0) {
			log_warn("dnsmasq", "dnsmasq (pid %ld) did not stop on "
			    "SIGTERM; killing it", (long)s->pid);
			kill(s->pid, SIGKILL);
		}
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	dnsmasq_sup_free(s);
}

unsigned
dnsmasq_restarts(struct dnsmasq_sup *s)
{
	unsigned n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->mu);
	n = s->restarts;
	pthread_mutex_unlock(&s->mu);
	return n;
}

pid_t
dnsmasq_pid(struct dnsmasq_sup *s)
{
	pid_t pid;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->mu);
	pid = s->pid;
	pthread_mutex_unlock(&s->mu);
	return pid;
}

/* Sends sig to the running child; -1 when none runs. */
static int
dnsmasq_signal(struct dnsmasq_sup *s, int sig, int restart)
{
	int ret = -1;

	if (s == NULL)
		return -1;
	pthread_mutex_lock(&s->mu);
	if (s->pid > 0 && !s->stopping && kill(s->pid, sig) == 0) {
		if (restart)
			s->restart_req = 1;
		ret = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return ret;
}

int
dnsmasq_restart(struct dnsmasq_sup *s)
{
	return dnsmasq_signal(s, SIGTERM, 1);
}

int
dnsmasq_reread_hosts(struct dnsmasq_sup *s)
{
	return dnsmasq_signal(s, SIGHUP, 0);
}
