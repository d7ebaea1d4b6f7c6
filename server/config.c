/* config.c — see config.h.
 *
 * Two passes. The first (libinih) only collects sections and key = value
 * lines with their line numbers, catching syntax problems, unknown
 * sections, duplicate sections and duplicate keys. The second walks the
 * collected sections with one key table per section kind, checks every
 * value, merges [defaults] into hosts, resolves references (host -> pool ->
 * repo) and checks what spans hosts (duplicate MACs). Every problem becomes
 * one "file:line: message" line; nothing stops at the first.
 */
#include "config.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "log.h"

#define CONFIG_MAX_SIZE		(64u * 1024 * 1024)
#define SECRET_MAX_SIZE		4096

/* ---- pass 1: raw sections ---------------------------------------------- */

struct rawkv {
	char	*key;
	char	*value;
	int	 line;
	int	 used;
};

enum sec_kind { SEC_SERVER, SEC_DEFAULTS, SEC_REPO, SEC_POOL, SEC_HOST,
    SEC_DNSMASQ };

struct rawsec {
	enum sec_kind kind;
	char	*name;		/* NULL for server/defaults */
	int	 line;
	struct rawkv *kv;
	size_t	 nkv;
};

struct loader {
	const char *file;
	FILE	*fp;
	int	 lineno;	/* line most recently handed to inih */
	int	 skip_section;	/* current section is broken: ignore its keys */
	struct rawsec *secs;
	size_t	 nsecs;
	struct strlist *errors;
	struct strlist *warnings;
	int	 nerrors;
	/* password hashes computed once per file */
	struct strlist hash_files;
	struct strlist hash_values;
};

static void
cfg_err(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cfg_err(struct loader *ld, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld->nerrors++;
	if (ld->errors != NULL) {
		if (line > 0)
			strlist_addf(ld->errors, "%s:%d: %s", ld->file, line, msg);
		else
			strlist_addf(ld->errors, "%s: %s", ld->file, msg);
	}
}

static void
cfg_warn(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cfg_warn(struct loader *ld, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->warnings != NULL)
		strlist_addf(ld->warnings, "%s:%d: %s", ld->file, line, msg);
}

/*
 * Hands inih one line at a time so that we know its number. Leading
 * blanks are removed (inih would otherwise take an indented line for the
 * continuation of the previous value, silently), and a line longer than
 * inih's buffer is reported instead of being cut in two.
 */
static int loader_new_section(struct loader *, const char *);

static char *
loader_reader(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	char *s;
	size_t len;
	int c;

	if (num < 2 || fgets(str, num, ld->fp) == NULL)
		return NULL;
	ld->lineno++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(ld->fp)) {
		cfg_err(ld, ld->lineno, "line too long (at most %d characters)",
		    num - 2);
		while ((c = fgetc(ld->fp)) != EOF && c != '\n')
			;
		snprintf(str, (size_t)num, ";\n");
		return str;
	}
	for (s = str; *s == ' ' || *s == '\t'; s++)
		;
	if (s != str)
		memmove(str, s, strlen(s) + 1);
	/* sections are registered here, in file order and with their line,
	 * so that empty and duplicate sections are seen too */
	if (str[0] == '[') {
		char name[256];
		char *close = strchr(str, ']');
		size_t nl;

		if (close == NULL) {
			cfg_err(ld, ld->lineno, "section header without ']'");
			ld->skip_section = 1;
			snprintf(str, (size_t)num, ";\n");
			return str;
		}
		nl = (size_t)(close - str - 1);
		if (nl >= sizeof(name))
			nl = sizeof(name) - 1;
		memcpy(name, str + 1, nl);
		name[nl] = '\0';
		if (loader_new_section(ld, name) == -1)
			return NULL;
		return str;
	}
	/* a non-empty line that is neither comment, section nor key = value */
	if (str[0] != '\0' && str[0] != '\n' && str[0] != '\r' &&
	    str[0] != ';' && str[0] != '#' && str[0] != '[' &&
	    strchr(str, '=') == NULL) {
		len = strcspn(str, "\r\n");
		cfg_err(ld, ld->lineno, "expected 'key = value', found '%.*s'",
		    (int)(len > 60 ? 60 : len), str);
		snprintf(str, (size_t)num, ";\n");
	}
	return str;
}

static struct rawsec *
loader_current(struct loader *ld)
{
	return ld->nsecs ? &ld->secs[ld->nsecs - 1] : NULL;
}

static int
loader_new_section(struct loader *ld, const char *section)
{
	char type[32], name[128];
	struct rawsec *nsecs, *sec;
	enum sec_kind kind;
	const char *p;
	size_t tl, i;

	ld->skip_section = 1;
	p = section;
	tl = strcspn(p, " \t");
	if (tl >= sizeof(type)) {
		cfg_err(ld, ld->lineno, "unknown section [%s]", section);
		return 0;
	}
	memcpy(type, p, tl);
	type[tl] = '\0';
	p += tl;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strlen(p) >= sizeof(name)) {
		cfg_err(ld, ld->lineno, "section name too long: [%s]", section);
		return 0;
	}
	snprintf(name, sizeof(name), "%s", p);
	for (i = strlen(name); i > 0 && isspace((unsigned char)name[i - 1]); i--)
		name[i - 1] = '\0';

	if (strcmp(type, "server") == 0)
		kind = SEC_SERVER;
	else if (strcmp(type, "defaults") == 0)
		kind = SEC_DEFAULTS;
	else if (strcmp(type, "repo") == 0)
		kind = SEC_REPO;
	else if (strcmp(type, "pool") == 0)
		kind = SEC_POOL;
	else if (strcmp(type, "host") == 0)
		kind = SEC_HOST;
	else if (strcmp(type, "dnsmasq") == 0)
		kind = SEC_DNSMASQ;
	else {
		cfg_err(ld, ld->lineno, "unknown section [%s]; expected [server], "
		    "[defaults], [repo NAME], [pool NAME], [host NAME] or "
		    "[dnsmasq]", section);
		return 0;
	}
	if ((kind == SEC_SERVER || kind == SEC_DEFAULTS ||
	    kind == SEC_DNSMASQ) && name[0] != '\0') {
		cfg_err(ld, ld->lineno, "[%s] takes no name (found [%s])", type,
		    section);
		return 0;
	}
	if (kind != SEC_SERVER && kind != SEC_DEFAULTS && kind != SEC_DNSMASQ) {
		if (name[0] == '\0') {
			cfg_err(ld, ld->lineno, "[%s] needs a name, e.g. [%s %s1]",
			    type, type, type);
			return 0;
		}
		if (!util_valid_name(name)) {
			cfg_err(ld, ld->lineno, "bad %s name '%s': use letters, "
			    "digits, '.', '_' and '-' (at most 63, starting with "
			    "a letter or digit)", type, name);
			return 0;
		}
	}
	nsecs = realloc(ld->secs, (ld->nsecs + 1) * sizeof(*nsecs));
	if (nsecs == NULL)
		return -1;
	ld->secs = nsecs;
	sec = &ld->secs[ld->nsecs++];
	memset(sec, 0, sizeof(*sec));
	sec->kind = kind;
	sec->line = ld->lineno;
	if (name[0] != '\0' && (sec->name = strdup(name)) == NULL)
		return -1;
	ld->skip_section = 0;
	return 0;
}

static int
loader_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct loader *ld = user;
	struct rawsec *sec;
	struct rawkv *nkv;
	size_t i;

	if (key == NULL)	/* section start; registered by loader_reader */
		return 1;
	sec = loader_current(ld);
	if (section[0] == '\0' || sec == NULL) {
		cfg_err(ld, ld->lineno, "'%s' appears before any [section]", key);
		return 1;
	}
	if (ld->skip_section)
		return 1;
	for (i = 0; i < sec->nkv; i++) {
		if (strcmp(sec->kv[i].key, key) == 0) {
			cfg_err(ld, ld->lineno, "duplicate key '%s' (first set on "
			    "line %d)", key, sec->kv[i].line);
			return 1;
		}
	}
	if ((nkv = realloc(sec->kv, (sec->nkv + 1) * sizeof(*nkv))) == NULL)
		return 0;
	sec->kv = nkv;
	sec->kv[sec->nkv].key = strdup(key);
	sec->kv[sec->nkv].value = strdup(value);
	sec->kv[sec->nkv].line = ld->lineno;
	sec->kv[sec->nkv].used = 0;
	if (sec->kv[sec->nkv].key == NULL || sec->kv[sec->nkv].value == NULL)
		return 0;
	sec->nkv++;
	return 1;
}

static void
loader_free(struct loader *ld)
{
	size_t i, j;

	for (i = 0; i < ld->nsecs; i++) {
		for (j = 0; j < ld->secs[i].nkv; j++) {
			free(ld->secs[i].kv[j].key);
			if (ld->secs[i].kv[j].value != NULL) {
				free(ld->secs[i].kv[j].value);
			}
		}
		free(ld->secs[i].kv);
		free(ld->secs[i].name);
	}
	free(ld->secs);
	for (i = 0; i < ld->hash_values.n; i++)
		util_wipe(ld->hash_values.v[i], strlen(ld->hash_values.v[i]));
	strlist_free(&ld->hash_files);
	strlist_free(&ld->hash_values);
}

static struct rawkv *
sec_get(struct rawsec *sec, const char *key)
{
	size_t i;

	if (sec == NULL)
		return NULL;
	for (i = 0; i < sec->nkv; i++) {
		if (strcmp(sec->kv[i].key, key) == 0) {
			sec->kv[i].used = 1;
			return &sec->kv[i];
		}
	}
	return NULL;
}

/* ---- value checks ------------------------------------------------------ */

static int
parse_bool(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 ||
	    strcasecmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcasecmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Characters a URL we hand to hosts may contain: no spaces, quotes,
 * query strings or anything a shell or a kernel command line treats
 * specially. */
static int
valid_url(const char *s, int allow_https)
{
	size_t i;

	if (strncmp(s, "http://", 7) != 0 &&
	    !(allow_https && strncmp(s, "https://", 8) == 0))
		return 0;
	if (strlen(s) > 200)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr(":/._~%-[]", c) == NULL)
			return 0;
	}
	return s[strlen(allow_https && s[4] == 's' ? "https://" : "http://")] !=
	    '\0';
}

/* sda, nvme0n1, /dev/disk/by-id/scsi-3600...:0, cciss/c0d0 */
static int
valid_disk(const char *s)
{
	size_t i;

	if (*s == '\0' || strlen(s) > 255 || strstr(s, "..") != NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr("/_.:+-", c) == NULL)
			return 0;
	}
	return 1;
}

static int
valid_hostname(const char *s)
{
	size_t i, label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[i - 1] != '-';
}

static int
valid_chars(const char *s, const char *extra, size_t maxlen)
{
	size_t i;

	if (*s == '\0' || strlen(s) > maxlen)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr(extra, c) == NULL)
			return 0;
	}
	return 1;
}

static int
valid_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int
parse_listen(const char *s, char **addr, int *port)
{
	char host[128];
	const char *colon;
	size_t hl;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (host[0] == '\0')
			snprintf(host, sizeof(host), "0.0.0.0");
	} else {
		snprintf(host, sizeof(host), "0.0.0.0");
		colon = s - 1;
	}
	if (parse_int(colon + 1, 1, 65535, port) == -1)
		return -1;
	{
		unsigned char buf[16];

		if (inet_pton(AF_INET, host, buf) != 1 &&
		    inet_pton(AF_INET6, host, buf) != 1)
			return -1;
	}
	free(*addr);
	*addr = strdup(host);
	return *addr == NULL ? -1 : 0;
}

/* "10.0.0.21/24" -> ip, prefix, dotted netmask */
static int
parse_cidr(const char *s, struct host *h)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	uint32_t mask;
	size_t al;

	if (slash == NULL)
		return -1;
	al = (size_t)(slash - s);
	if (al >= sizeof(addr))
		return -1;
	memcpy(addr, s, al);
	addr[al] = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1 ||
	    parse_int(slash + 1, 1, 32, &h->prefix) == -1)
		return -1;
	mask = h->prefix == 32 ? 0xffffffffu :
	    ~(0xffffffffu >> (unsigned)h->prefix);
	in.s_addr = htonl(mask);
	inet_ntop(AF_INET, &in, h->netmask, sizeof(h->netmask));
	free(h->ip);
	h->ip = strdup(addr);
	return h->ip == NULL ? -1 : 0;
}

static int
same_subnet(const char *a, const char *b, int prefix)
{
	struct in_addr ia, ib;
	uint32_t mask;

	if (inet_pton(AF_INET, a, &ia) != 1 || inet_pton(AF_INET, b, &ib) != 1)
		return 0;
	mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> (unsigned)prefix);
	return (ntohl(ia.s_addr) & mask) == (ntohl(ib.s_addr) & mask);
}

/* "com1,115200", "ttyS0,115200", "com2", "none" */
static int
parse_serial(const char *s, int *port, int *baud)
{
	static const int bauds[] = { 9600, 19200, 38400, 57600, 115200 };
	char dev[16];
	const char *comma = strchr(s, ',');
	size_t dl = comma ? (size_t)(comma - s) : strlen(s);
	size_t i;
	int n;

	if (strcmp(s, "none") == 0 || strcmp(s, "no") == 0) {
		*port = 0;
		return 0;
	}
	if (dl >= sizeof(dev))
		return -1;
	memcpy(dev, s, dl);
	dev[dl] = '\0';
	if (strncmp(dev, "com", 3) == 0 && parse_int(dev + 3, 1, 4, &n) == 0)
		*port = n;
	else if (strncmp(dev, "ttyS", 4) == 0 &&
	    parse_int(dev + 4, 0, 3, &n) == 0)
		*port = n + 1;
	else
		return -1;
	*baud = 115200;
	if (comma != NULL) {
		if (parse_int(comma + 1, 1, 1000000, baud) == -1)
			return -1;
		for (i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
			if (bauds[i] == *baud)
				return 0;
		return -1;
	}
	return 0;
}

/* A 64-hex-digit SHA-256 fingerprint, colons allowed between bytes. */
static int
valid_fingerprint(const char *s)
{
	size_t nhex = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		if (isxdigit((unsigned char)s[i]))
			nhex++;
		else if (s[i] != ':')
			return 0;
	}
	return nhex == 64;
}

static void
check_secret_file(struct loader *ld, int line, const char *what,
    const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1) {
		cfg_err(ld, line, "%s '%s': %s", what, path, strerror(errno));
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		cfg_err(ld, line, "%s '%s' is not a regular file", what, path);
		return;
	}
	if (access(path, R_OK) == -1) {
		cfg_err(ld, line, "%s '%s' is not readable: %s", what, path,
		    strerror(errno));
		return;
	}
	if (sb.st_mode & 0077)
		cfg_warn(ld, line, "%s '%s' is readable by other users "
		    "(chmod 600 it)", what, path);
}

/*
 * root_password_file: hashes its first line with crypt(3) SHA-512 ($6$)
 * once per file. A line that already is a $6$ or $5$ crypt hash is used as
 * it is. The plaintext is wiped as soon as it is hashed.
 */
static char *
hash_password_file(struct loader *ld, int line, const char *path)
{
	struct crypt_data *cd = NULL;
	char *text = NULL, *salt = NULL, *res = NULL, *h;
	size_t len, i;

	for (i = 0; i < ld->hash_files.n; i++)
		if (strcmp(ld->hash_files.v[i], path) == 0)
			return strdup(ld->hash_values.v[i]);
	check_secret_file(ld, line, "root_password_file", path);
	if ((text = util_read_file(path, SECRET_MAX_SIZE, &len)) == NULL) {
		if (errno == EFBIG)
			cfg_err(ld, line, "root_password_file '%s' is larger "
			    "than %d bytes; it should hold one line", path,
			    SECRET_MAX_SIZE);
		goto out;
	}
	text[strcspn(text, "\r\n")] = '\0';
	if (text[0] == '\0') {
		cfg_err(ld, line, "root_password_file '%s' is empty", path);
		goto out;
	}
	if (strncmp(text, "$6$", 3) == 0 || strncmp(text, "$5$", 3) == 0) {
		if (!valid_chars(text, "$./", 512)) {
			cfg_err(ld, line, "root_password_file '%s' starts like a "
			    "crypt hash but is not one", path);
			goto out;
		}
		res = strdup(text);
	} else {
		if ((salt = crypt_gensalt_ra("$6$", 0, NULL, 0)) == NULL ||
		    (cd = calloc(1, sizeof(*cd))) == NULL) {
			cfg_err(ld, line, "cannot hash root_password_file '%s': %s",
			    path, strerror(errno));
			goto out;
		}
		h = crypt_r(text, salt, cd);
		if (h == NULL || h[0] != '$') {
			cfg_err(ld, line, "cannot hash root_password_file '%s'",
			    path);
			goto out;
		}
		res = strdup(h);
	}
	if (res != NULL) {
		strlist_add(&ld->hash_files, path);
		strlist_add(&ld->hash_values, res);
	}
out:
	if (text != NULL)
		util_wipe(text, strlen(text));
	free(text);
	free(salt);
	if (cd != NULL) {
		util_wipe(cd, sizeof(*cd));
		free(cd);
	}
	return res;
}

/* ---- pass 2: sections into struct config ------------------------------- */

static char *
path_in(struct config *cfg, const char *v)
{
	return util_path_join(cfg->dir, v);
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

static void
unknown_keys(struct loader *ld, struct rawsec *sec, const char *what)
{
	size_t i;

	for (i = 0; i < sec->nkv; i++)
		if (!sec->kv[i].used)
			cfg_err(ld, sec->kv[i].line, "unknown key '%s' in %s",
			    sec->kv[i].key, what);
}

static void
load_server(struct loader *ld, struct config *cfg, struct rawsec *sec)
{
	struct rawkv *kv;

	if ((kv = sec_get(sec, "listen")) != NULL &&
	    parse_listen(kv->value, &cfg->listen_addr, &cfg->listen_port) == -1)
		cfg_err(ld, kv->line, "listen: '%s' is not ADDRESS:PORT (e.g. "
		    "0.0.0.0:8080 or [::]:8080)", kv->value);
	if ((kv = sec_get(sec, "public_url")) != NULL) {
		char *v = strdup(kv->value);
		size_t l = strlen(v);

		while (l > 0 && v[l - 1] == '/')
			v[--l] = '\0';
		if (!valid_url(v, 1))
			cfg_err(ld, kv->line, "public_url: '%s' is not a plain "
			    "http(s)://HOST[:PORT][/PATH] URL (no spaces, query "
			    "strings or quotes); hosts fetch their answerfiles "
			    "from it", kv->value);
		free(cfg->public_url);
		cfg->public_url = v;
	}
	if ((kv = sec_get(sec, "state_dir")) != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = path_in(cfg, kv->value);
	}
	if ((kv = sec_get(sec, "tftp_root")) != NULL) {
		free(cfg->tftp_root);
		cfg->tftp_root = path_in(cfg, kv->value);
	}
	if ((kv = sec_get(sec, "admin_token_file")) != NULL) {
		free(cfg->admin_token_file);
		cfg->admin_token_file = path_in(cfg, kv->value);
	}
	if ((kv = sec_get(sec, "template_dir")) != NULL) {
		free(cfg->template_dir);
		cfg->template_dir = path_in(cfg, kv->value);
		cfg->template_dir_explicit = 1;
	}
	if ((kv = sec_get(sec, "web_dir")) != NULL) {
		free(cfg->web_dir);
		cfg->web_dir = path_in(cfg, kv->value);
		cfg->web_dir_explicit = 1;
	}
	if ((kv = sec_get(sec, "upgrade_paths")) != NULL) {
		free(cfg->upgrade_paths);
		cfg->upgrade_paths = path_in(cfg, kv->value);
	}
	if ((kv = sec_get(sec, "boot_attempts")) != NULL &&
	    parse_int(kv->value, 1, 20, &cfg->boot_attempts) == -1)
		cfg_err(ld, kv->line, "boot_attempts: '%s' is not a number from 1 "
		    "to 20", kv->value);
	if ((kv = sec_get(sec, "http_threads")) != NULL &&
	    parse_int(kv->value, 1, 64, &cfg->http_threads) == -1)
		cfg_err(ld, kv->line, "http_threads: '%s' is not a number from 1 "
		    "to 64", kv->value);
	if ((kv = sec_get(sec, "metrics")) != NULL) {
		if (strcmp(kv->value, "on") == 0)
			cfg->metrics = METRICS_ON;
		else if (strcmp(kv->value, "off") == 0)
			cfg->metrics = METRICS_OFF;
		else if (strcmp(kv->value, "auth") == 0)
			cfg->metrics = METRICS_AUTH;
		else
			cfg_err(ld, kv->line, "metrics: '%s' must be 'on' (GET "
			    "/metrics without a token), 'off' or 'auth' (the "
			    "admin bearer token required)", kv->value);
	}
	if ((kv = sec_get(sec, "log")) != NULL) {
		if (strcmp(kv->value, "stderr") == 0)
			cfg->log_syslog = 0;
		else if (strcmp(kv->value, "syslog") == 0)
			cfg->log_syslog = 1;
		else
			cfg_err(ld, kv->line, "log: '%s' must be 'stderr' or "
			    "'syslog'", kv->value);
	}
	if ((kv = sec_get(sec, "boot_files")) != NULL) {
		if (strcmp(kv->value, "tftp") == 0)
			cfg->boot_files = BOOT_FILES_TFTP;
		else if (strcmp(kv->value, "http") == 0)
			cfg->boot_files = BOOT_FILES_HTTP;
		else
			cfg_err(ld, kv->line, "boot_files: '%s' must be 'tftp' "
			    "(pxelinux.0 loads xen.gz, vmlinuz and install.img "
			    "over TFTP) or 'http' (lpxelinux.0 loads them from "
			    "poolboot's HTTP server)", kv->value);
	}
	unknown_keys(ld, sec, "[server]");
}

static void
load_repo(struct loader *ld, struct config *cfg, struct rawsec *sec,
    struct repo *r)
{
	struct rawkv *kv;
	char err[512];

	r->name = strdup(sec->name);
	r->line = sec->line;
	if ((kv = sec_get(sec, "path")) == NULL)
		cfg_err(ld, sec->line, "[repo %s]: 'path' is required (the folder "
		    "of an unpacked XenServer/XCP-ng ISO)", sec->name);
	else {
		r->path = path_in(cfg, kv->value);
		if (config_repo_inspect(r, err, sizeof(err)) == -1)
			cfg_err(ld, kv->line, "[repo %s]: %s", sec->name, err);
	}
	unknown_keys(ld, sec, "[repo]");
}

static void
load_pool(struct loader *ld, struct config *cfg, struct rawsec *sec,
    struct pool *p)
{
	struct rawkv *kv;

	p->name = strdup(sec->name);
	p->line = sec->line;
	p->tls_verify = 1;
	if ((kv = sec_get(sec, "xapi")) == NULL)
		cfg_err(ld, sec->line, "[pool %s]: 'xapi' is required (URL of the "
		    "pool master, e.g. https://10.0.0.10)", sec->name);
	else if (!valid_url(kv->value, 1))
		cfg_err(ld, kv->line, "xapi: '%s' is not an http(s):// URL",
		    kv->value);
	else
		p->xapi = strdup(kv->value);
	if ((kv = sec_get(sec, "username")) == NULL)
		cfg_err(ld, sec->line, "[pool %s]: 'username' is required (e.g. "
		    "root)", sec->name);
	else
		p->username = strdup(kv->value);
	if ((kv = sec_get(sec, "password_file")) == NULL)
		cfg_err(ld, sec->line, "[pool %s]: 'password_file' is required (a "
		    "file holding the XAPI password, mode 600)", sec->name);
	else {
		p->password_file = path_in(cfg, kv->value);
		check_secret_file(ld, kv->line, "password_file", p->password_file);
	}
	if ((kv = sec_get(sec, "tls_ca")) != NULL) {
		p->tls_ca = path_in(cfg, kv->value);
		if (access(p->tls_ca, R_OK) == -1)
			cfg_err(ld, kv->line, "tls_ca '%s': %s", p->tls_ca,
			    strerror(errno));
	}
	if ((kv = sec_get(sec, "tls_fingerprint")) != NULL) {
		if (!valid_fingerprint(kv->value))
			cfg_err(ld, kv->line, "tls_fingerprint: expected the "
			    "certificate's SHA-256 fingerprint as 64 hex digits "
			    "(colons allowed)");
		else
			p->tls_fingerprint = strdup(kv->value);
	}
	if ((kv = sec_get(sec, "tls_verify")) != NULL) {
		if (parse_bool(kv->value, &p->tls_verify) == -1)
			cfg_err(ld, kv->line, "tls_verify: '%s' must be yes or no",
			    kv->value);
		else if (!p->tls_verify)
			cfg_warn(ld, kv->line, "[pool %s]: tls_verify = no: the "
			    "XAPI certificate is NOT checked; anyone on the path "
			    "can impersonate the pool master and read its "
			    "password. Use tls_ca or tls_fingerprint instead",
			    sec->name);
	}
	if ((kv = sec_get(sec, "repo")) != NULL)
		p->repo_name = strdup(kv->value);
	p->evacuate_timeout = 1800;
	p->install_timeout = 5400;
	p->rejoin_timeout = 1200;
	p->step_timeout = 600;
	p->poll_ms = 1000;
	{
		static const struct {
			const char *key;
			size_t	    off;
			long	    lo, hi;
		} nums[] = {
			{ "evacuate_timeout", offsetof(struct pool, evacuate_timeout), 1, 86400 },
			{ "install_timeout", offsetof(struct pool, install_timeout), 1, 86400 },
			{ "rejoin_timeout", offsetof(struct pool, rejoin_timeout), 1, 86400 },
			{ "step_timeout", offsetof(struct pool, step_timeout), 1, 86400 },
			{ "poll_interval_ms", offsetof(struct pool, poll_ms), 10, 60000 },
		};
		size_t i;

		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			if ((kv = sec_get(sec, nums[i].key)) == NULL)
				continue;
			if (parse_int(kv->value, nums[i].lo, nums[i].hi,
			    (int *)(void *)((char *)p + nums[i].off)) == -1)
				cfg_err(ld, kv->line, "%s: '%s' is not a number "
				    "from %ld to %ld", nums[i].key, kv->value,
				    nums[i].lo, nums[i].hi);
		}
	}
	unknown_keys(ld, sec, "[pool]");
}

/* Host keys; allowed in [defaults] unless per_host. */
static const struct {
	const char *key;
	int	    per_host;
} host_keys[] = {
	{ "pool", 0 }, { "repo", 0 }, { "mac", 1 }, { "disk", 0 },
	{ "mode", 0 }, { "ip", 1 }, { "gateway", 0 }, { "dns", 0 },
	{ "hostname", 1 }, { "ntp", 0 }, { "timezone", 0 }, { "keymap", 0 },
	{ "root_password_file", 0 }, { "kernel_args", 0 },
	{ "serial_console", 0 }, { "interface", 0 }, { "sr_type", 0 },
	{ "power", 0 }, { "ipmi_address", 1 }, { "ipmi_port", 0 },
	{ "ipmi_user", 0 }, { "ipmi_password_file", 0 }, { "join", 0 },
	{ "ipmi_cipher", 0 },
};

static struct rawkv *
host_get(struct rawsec *sec, struct rawsec *defs, const char *key)
{
	struct rawkv *kv;

	if ((kv = sec_get(sec, key)) != NULL)
		return kv;
	return sec_get(defs, key);
}

static void
load_host(struct loader *ld, struct config *cfg, struct rawsec *sec,
    struct rawsec *defs, struct host *h)
{
	const char *why;
	struct rawkv *kv;
	size_t i;

	h->name = strdup(sec->name);
	h->line = sec->line;
	h->mode = MODE_UPGRADE;
	h->serial_baud = 115200;

	if ((kv = host_get(sec, defs, "pool")) != NULL)
		h->pool_name = strdup(kv->value);
	if ((kv = host_get(sec, defs, "repo")) != NULL)
		h->repo_name = strdup(kv->value);
	if ((kv = sec_get(sec, "mac")) == NULL)
		cfg_err(ld, sec->line, "[host %s]: 'mac' is required (the MAC "
		    "address the host PXE-boots from)", sec->name);
	else if (util_mac_parse(kv->value, h->mac, &why) == -1)
		cfg_err(ld, kv->line, "mac: '%s': %s", kv->value, why);
	if ((kv = host_get(sec, defs, "mode")) != NULL &&
	    config_mode_parse(kv->value, &h->mode) == -1)
		cfg_err(ld, kv->line, "mode: '%s' must be upgrade, fresh, "
		    "reinstall or restore", kv->value);
	if ((kv = host_get(sec, defs, "disk")) != NULL) {
		if (!valid_disk(kv->value))
			cfg_err(ld, kv->line, "disk: '%s' is not a device name "
			    "(e.g. sda, nvme0n1 or /dev/disk/by-id/...)",
			    kv->value);
		else
			h->disk = strdup(kv->value);
	}
	if ((kv = sec_get(sec, "ip")) != NULL && parse_cidr(kv->value, h) == -1)
		cfg_err(ld, kv->line, "ip: '%s' is not an IPv4 address with a "
		    "prefix length, e.g. 10.0.0.21/24", kv->value);
	if ((kv = host_get(sec, defs, "gateway")) != NULL) {
		struct in_addr in;

		if (inet_pton(AF_INET, kv->value, &in) != 1)
			cfg_err(ld, kv->line, "gateway: '%s' is not an IPv4 "
			    "address", kv->value);
		else if (h->ip != NULL &&
		    !same_subnet(h->ip, kv->value, h->prefix))
			cfg_err(ld, kv->line, "gateway %s is outside the host's "
			    "subnet %s/%d", kv->value, h->ip, h->prefix);
		else
			h->gateway = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "dns")) != NULL) {
		if (strlist_split(&h->dns, kv->value) == -1)
			cfg_err(ld, kv->line, "dns: value too long");
		for (i = 0; i < h->dns.n; i++)
			if (!valid_ip(h->dns.v[i]))
				cfg_err(ld, kv->line, "dns: '%s' is not an IP "
				    "address", h->dns.v[i]);
	}
	if ((kv = host_get(sec, defs, "ntp")) != NULL) {
		if (strlist_split(&h->ntp, kv->value) == -1)
			cfg_err(ld, kv->line, "ntp: value too long");
		for (i = 0; i < h->ntp.n; i++)
			if (!valid_hostname(h->ntp.v[i]) && !valid_ip(h->ntp.v[i]))
				cfg_err(ld, kv->line, "ntp: '%s' is not a host "
				    "name or IP address", h->ntp.v[i]);
	}
	if ((kv = sec_get(sec, "hostname")) != NULL) {
		if (!valid_hostname(kv->value))
			cfg_err(ld, kv->line, "hostname: '%s' is not a valid host "
			    "name (letters, digits, '-' and '.')", kv->value);
		else
			h->hostname = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "timezone")) != NULL) {
		if (!valid_chars(kv->value, "/_+-", 64) ||
		    strstr(kv->value, "..") != NULL)
			cfg_err(ld, kv->line, "timezone: '%s' is not a tz name "
			    "such as Europe/Berlin or UTC", kv->value);
		else
			h->timezone = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "keymap")) != NULL) {
		if (!valid_chars(kv->value, "_.-", 32))
			cfg_err(ld, kv->line, "keymap: '%s' is not a keymap name "
			    "such as us or de-latin1", kv->value);
		else
			h->keymap = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "interface")) != NULL) {
		if (!valid_chars(kv->value, "._-", 15))
			cfg_err(ld, kv->line, "interface: '%s' is not an interface "
			    "name such as eth0", kv->value);
		else
			h->interface = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "sr_type")) != NULL) {
		if (strcmp(kv->value, "lvm") != 0 && strcmp(kv->value, "ext") != 0)
			cfg_err(ld, kv->line, "sr_type: '%s' must be lvm or ext",
			    kv->value);
		else
			h->sr_type = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "root_password_file")) != NULL) {
		char *p = path_in(cfg, kv->value);

		h->root_password_hash = hash_password_file(ld, kv->line, p);
		h->root_password_file = p;
	}
	if ((kv = host_get(sec, defs, "kernel_args")) != NULL) {
		if (strlist_split_blank(&h->kernel_args, kv->value) == -1)
			cfg_err(ld, kv->line, "kernel_args: an argument is too "
			    "long");
		for (i = 0; i < h->kernel_args.n; i++) {
			const char *w = h->kernel_args.v[i];

			if (!util_valid_arg_word(w))
				cfg_err(ld, kv->line, "kernel_args: '%s' is not "
				    "allowed (printable characters only; no "
				    "quotes, backslashes or '---')", w);
			else if (strncmp(w, "answerfile", 10) == 0 ||
			    strcmp(w, "install") == 0)
				cfg_err(ld, kv->line, "kernel_args: '%s' is set by "
				    "poolboot itself", w);
		}
	}
	if ((kv = host_get(sec, defs, "serial_console")) != NULL) {
		if (parse_serial(kv->value, &h->serial_port, &h->serial_baud) == -1)
			cfg_err(ld, kv->line, "serial_console: '%s' must be "
			    "comN[,BAUD] or ttySN[,BAUD] (e.g. com1,115200) or "
			    "none", kv->value);
		else if (h->serial_port != 0)
			h->serial_console = strdup(kv->value);
	}
	/* power control */
	h->ipmi_port = 623;
	h->ipmi_cipher = -1;
	if ((kv = host_get(sec, defs, "ipmi_cipher")) != NULL &&
	    parse_int(kv->value, 0, 17, &h->ipmi_cipher) == -1)
		cfg_err(ld, kv->line, "ipmi_cipher: '%s' is not a lanplus cipher "
		    "suite number from 0 to 17 (3 is the usual one)", kv->value);
	if ((kv = host_get(sec, defs, "power")) != NULL) {
		if (strcmp(kv->value, "xapi") == 0)
			h->power = POWER_KIND_XAPI;
		else if (strcmp(kv->value, "ipmi") == 0)
			h->power = POWER_KIND_IPMI;
		else if (strcmp(kv->value, "manual") == 0)
			h->power = POWER_KIND_MANUAL;
		else
			cfg_err(ld, kv->line, "power: '%s' must be xapi (host.reboot "
			    "through the pool), ipmi (the host's BMC) or manual "
			    "(the operator powers it on)", kv->value);
	} else if (host_get(sec, defs, "pool") == NULL)
		h->power = POWER_KIND_MANUAL;	/* no pool: no XAPI to ask */
	if ((kv = sec_get(sec, "ipmi_address")) != NULL) {
		if (!valid_hostname(kv->value) && !valid_ip(kv->value))
			cfg_err(ld, kv->line, "ipmi_address: '%s' is not a host "
			    "name or IP address", kv->value);
		else
			h->ipmi_address = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "ipmi_port")) != NULL &&
	    parse_int(kv->value, 1, 65535, &h->ipmi_port) == -1)
		cfg_err(ld, kv->line, "ipmi_port: '%s' is not a port number",
		    kv->value);
	if ((kv = host_get(sec, defs, "ipmi_user")) != NULL) {
		if (!valid_chars(kv->value, "._-@", 32))
			cfg_err(ld, kv->line, "ipmi_user: '%s' is not a BMC user "
			    "name (letters, digits, . _ - @)", kv->value);
		else
			h->ipmi_user = strdup(kv->value);
	}
	if ((kv = host_get(sec, defs, "ipmi_password_file")) != NULL) {
		h->ipmi_password_file = path_in(cfg, kv->value);
		check_secret_file(ld, kv->line, "ipmi_password_file",
		    h->ipmi_password_file);
	}
	if (h->power == POWER_KIND_IPMI && (h->ipmi_address == NULL ||
	    h->ipmi_user == NULL || h->ipmi_password_file == NULL))
		cfg_err(ld, sec->line, "[host %s]: power = ipmi needs ipmi_address, "
		    "ipmi_user and ipmi_password_file", sec->name);
	if ((kv = host_get(sec, defs, "join")) != NULL)
		h->join_pool = strdup(kv->value);

	for (i = 0; i < sec->nkv; i++) {
		size_t k;
		int known = 0;

		for (k = 0; k < sizeof(host_keys) / sizeof(host_keys[0]); k++)
			if (strcmp(sec->kv[i].key, host_keys[k].key) == 0)
				known = 1;
		if (!known)
			cfg_err(ld, sec->kv[i].line, "unknown key '%s' in [host "
			    "%s]", sec->kv[i].key, sec->name);
	}
	if (h->timezone == NULL)
		h->timezone = strdup("UTC");
	if (h->keymap == NULL)
		h->keymap = strdup("us");

	/* what each mode needs */
	if (h->disk == NULL && host_get(sec, defs, "disk") == NULL)
		cfg_err(ld, sec->line, "[host %s]: 'disk' is required (%s)",
		    sec->name, h->mode == MODE_UPGRADE ?
		    "the disk holding the existing installation, e.g. sda" :
		    h->mode == MODE_RESTORE ? "the disk holding the backup" :
		    "the disk to install on, e.g. sda");
	if (h->mode == MODE_FRESH || h->mode == MODE_REINSTALL) {
		const char *m = config_mode_name(h->mode);

		if (host_get(sec, defs, "root_password_file") == NULL)
			cfg_err(ld, sec->line, "[host %s]: mode %s needs "
			    "'root_password_file' (the new root password; it is "
			    "hashed before it reaches the answerfile)",
			    sec->name, m);
		if (sec_get(sec, "hostname") == NULL)
			cfg_err(ld, sec->line, "[host %s]: mode %s needs "
			    "'hostname'", sec->name, m);
		if (h->ip != NULL) {
			if (host_get(sec, defs, "gateway") == NULL)
				cfg_err(ld, sec->line, "[host %s]: a static 'ip' "
				    "needs 'gateway'", sec->name);
			if (host_get(sec, defs, "dns") == NULL)
				cfg_err(ld, sec->line, "[host %s]: a static 'ip' "
				    "needs 'dns' (one or more name servers)",
				    sec->name);
		}
	}
}

static int
cmp_host_mac(const void *a, const void *b)
{
	const struct host *const *ha = a, *const *hb = b;

	return strcmp((*ha)->mac, (*hb)->mac);
}

static int
cmp_host_name(const void *a, const void *b)
{
	const struct host *const *ha = a, *const *hb = b;

	return strcmp((*ha)->name, (*hb)->name);
}

/* The first of exe_dir/rel[i] holding the file probe, as an absolute
 * path (caller frees); NULL if none. */
static char *
find_beside_binary(const char *const *rel, size_t nrel, const char *probe)
{
	char exe[PATH_MAX], cand[PATH_MAX + 128];
	ssize_t n;
	char *slash;
	size_t i;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	for (i = 0; i < nrel; i++) {
		snprintf(cand, sizeof(cand), "%s/%s/%s", exe, rel[i], probe);
		if (access(cand, R_OK) == 0) {
			snprintf(cand, sizeof(cand), "%s/%s", exe, rel[i]);
			return realpath(cand, NULL);
		}
	}
	return NULL;
}

char *
config_find_template_dir(void)
{
	static const char *const rel[] = { "templates", "../templates",
	    "../share/poolboot/templates" };

	return find_beside_binary(rel, sizeof(rel) / sizeof(rel[0]),
	    "answerfile-upgrade.xml");
}

char *
config_find_web_dir(void)
{
	static const char *const rel[] = { "web", "../web",
	    "../share/poolboot/web" };

	return find_beside_binary(rel, sizeof(rel) / sizeof(rel[0]),
	    "index.html");
}

static void
resolve_template_dir(struct loader *ld, struct config *cfg)
{
	struct stat sb;

	if (cfg->template_dir_explicit) {
		if (stat(cfg->template_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
			cfg_err(ld, 0, "template_dir '%s' is not a folder",
			    cfg->template_dir);
		return;
	}
	if ((cfg->template_dir = config_find_template_dir()) == NULL)
		cfg_err(ld, 0, "no templates found next to the poolboot binary; "
		    "set template_dir in [server]");
}

/* An explicit web_dir must be a folder; otherwise the one found next to
 * the binary, or none (the dashboard is then unavailable, not an error:
 * hosts do not need it). */
static void
resolve_web_dir(struct loader *ld, struct config *cfg)
{
	struct stat sb;

	if (cfg->web_dir_explicit) {
		if (stat(cfg->web_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
			cfg_err(ld, 0, "web_dir '%s' is not a folder",
			    cfg->web_dir);
		return;
	}
	cfg->web_dir = config_find_web_dir();
}

/* ---- [dnsmasq] ------------------------------------------------------------ */

/*
 * Every value here ends up in a dnsmasq config file, one directive per
 * line. Each is checked against a narrow form (IPv4 literals through
 * inet_pton, interface names, plain paths) so that no value can end a
 * line, start a comment or add a directive.
 */

/* Paths that go into dnsmasq's config: no blanks, commas, quotes or '#'. */
static int
dnsmasq_path_ok(const char *s)
{
	return s[0] == '/' && valid_chars(s, "/._+-@~", 1024);
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr in;

	if (strlen(s) > 15 || inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*out = ntohl(in.s_addr);
	return 0;
}

static int
netmask_ok(uint32_t m)
{
	uint32_t inv = ~m;

	return m != 0 && (inv & (inv + 1)) == 0;
}

/* dnsmasq lease times: N, Ns, Nm, Nh, Nd, Nw or "infinite"; at least 2
 * minutes (dnsmasq's own minimum). */
static int
lease_ok(const char *s)
{
	static const struct { char unit; long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	char num[16];
	size_t len = strlen(s), i;
	long mult = 1;
	int v;

	if (strcmp(s, "infinite") == 0)
		return 1;
	if (len == 0 || len >= sizeof(num))
		return 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s[len - 1] == units[i].unit) {
			mult = units[i].mult;
			len--;
		}
	memcpy(num, s, len);
	num[len] = '\0';
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)num[i]))
			return 0;
	if (parse_int(num, 1, 100000000, &v) == -1)
		return 0;
	return (long)v * mult >= 120;
}

/* The IPv4 literal host of public_url, unless it is a loopback or
 * wildcard address (useless to a booting host). NULL otherwise. */
static char *
address_from_url(const char *url)
{
	char host[64];
	const char *p;
	size_t n;
	uint32_t a;

	if (url == NULL)
		return NULL;
	if ((p = strstr(url, "://")) == NULL)
		return NULL;
	p += 3;
	n = strcspn(p, ":/");
	if (n == 0 || n >= sizeof(host))
		return NULL;
	memcpy(host, p, n);
	host[n] = '\0';
	if (parse_ipv4(host, &a) == -1 || (a >> 24) == 127 || a == 0)
		return NULL;
	return strdup(host);
}

static void
set_ipv4(struct loader *ld, struct rawkv *kv, char **dst, const char *what)
{
	uint32_t a;

	if (parse_ipv4(kv->value, &a) == -1)
		cfg_err(ld, kv->line, "%s: '%s' is not an IPv4 address", what,
		    kv->value);
	else
		set_str(dst, kv->value);
}

/* range = FIRST,LAST,NETMASK (full) or SUBNET[,NETMASK] (proxy). */
static void
load_dnsmasq_range(struct loader *ld, struct dnsmasq_cfg *d, struct rawkv *kv)
{
	struct strlist parts = { 0 };
	uint32_t first = 0, last = 0, mask = 0;
	size_t i;

	if (strlist_split(&parts, kv->value) == -1)
		goto bad;
	for (i = 0; i < parts.n; i++)
		if (parse_ipv4(parts.v[i], &first) == -1) {
			cfg_err(ld, kv->line, "range: '%s' is not an IPv4 "
			    "address", parts.v[i]);
			goto out;
		}
	if (d->dhcp == DNSMASQ_FULL) {
		if (parts.n != 3) {
			cfg_err(ld, kv->line, "range: '%s': with dhcp = full "
			    "write FIRST,LAST,NETMASK (e.g. 10.200.0.100,"
			    "10.200.0.150,255.255.255.0)", kv->value);
			goto out;
		}
		(void)parse_ipv4(parts.v[0], &first);
		(void)parse_ipv4(parts.v[1], &last);
		(void)parse_ipv4(parts.v[2], &mask);
		if (!netmask_ok(mask)) {
			cfg_err(ld, kv->line, "range: netmask %s is not a "
			    "netmask (e.g. 255.255.255.0)", parts.v[2]);
			goto out;
		}
		if ((first & mask) != (last & mask)) {
			cfg_err(ld, kv->line, "range: %s and %s are not in one "
			    "subnet with netmask %s", parts.v[0], parts.v[1],
			    parts.v[2]);
			goto out;
		}
		if (first > last) {
			cfg_err(ld, kv->line, "range: the first address %s comes "
			    "after the last %s", parts.v[0], parts.v[1]);
			goto out;
		}
		if ((first & ~mask) == 0 || (last & ~mask) == ~mask) {
			cfg_err(ld, kv->line, "range: %s-%s includes the subnet's "
			    "network or broadcast address", parts.v[0],
			    parts.v[1]);
			goto out;
		}
		set_str(&d->range_first, parts.v[0]);
		set_str(&d->range_last, parts.v[1]);
		set_str(&d->range_netmask, parts.v[2]);
		goto out;
	}
	if (parts.n < 1 || parts.n > 2) {
		cfg_err(ld, kv->line, "range: '%s': with dhcp = proxy write the "
		    "subnet, e.g. 10.200.0.0 (optionally ,NETMASK)", kv->value);
		goto out;
	}
	(void)parse_ipv4(parts.v[0], &first);
	if (parts.n == 2) {
		(void)parse_ipv4(parts.v[1], &mask);
		if (!netmask_ok(mask)) {
			cfg_err(ld, kv->line, "range: netmask %s is not a "
			    "netmask (e.g. 255.255.255.0)", parts.v[1]);
			goto out;
		}
		if ((first & ~mask) != 0) {
			cfg_err(ld, kv->line, "range: %s is not a subnet address "
			    "for netmask %s (its host part is not zero)",
			    parts.v[0], parts.v[1]);
			goto out;
		}
		set_str(&d->range_netmask, parts.v[1]);
	}
	set_str(&d->range_first, parts.v[0]);
	goto out;
bad:
	cfg_err(ld, kv->line, "range: value too long");
out:
	strlist_free(&parts);
}

static void
load_dnsmasq(struct loader *ld, struct config *cfg, struct rawsec *sec,
    struct rawsec *server)
{
	struct dnsmasq_cfg *d = &cfg->dnsmasq;
	struct rawkv *kv, *skv;
	unsigned char in6[16];
	char v6[64];
	size_t l;

	d->enabled = 1;
	d->line = sec->line;
	d->mode = DNSMASQ_MANAGED;
	d->dhcp = DNSMASQ_PROXY;
	d->tftp = 1;
	d->ping_check = 1;
	if ((kv = sec_get(sec, "mode")) != NULL) {
		if (strcmp(kv->value, "managed") == 0)
			d->mode = DNSMASQ_MANAGED;
		else if (strcmp(kv->value, "external") == 0)
			d->mode = DNSMASQ_EXTERNAL;
		else
			cfg_err(ld, kv->line, "mode: '%s' must be 'managed' "
			    "(poolboot runs dnsmasq) or 'external' (poolboot only "
			    "writes the files for the site's dnsmasq)", kv->value);
	}
	if ((kv = sec_get(sec, "dhcp")) != NULL) {
		if (strcmp(kv->value, "proxy") == 0)
			d->dhcp = DNSMASQ_PROXY;
		else if (strcmp(kv->value, "full") == 0)
			d->dhcp = DNSMASQ_FULL;
		else
			cfg_err(ld, kv->line, "dhcp: '%s' must be 'proxy' "
			    "(proxy-DHCP next to the site's DHCP server) or "
			    "'full' (dnsmasq is the DHCP server)", kv->value);
	}
	if ((kv = sec_get(sec, "interface")) != NULL) {
		if (!valid_chars(kv->value, "._-", 15) ||
		    strspn(kv->value, ".") == strlen(kv->value))
			cfg_err(ld, kv->line, "interface: '%s' is not a network "
			    "interface name such as br0 or eth1 (letters, "
			    "digits, '.', '_', '-'; at most 15)", kv->value);
		else
			set_str(&d->interface, kv->value);
	} else if (d->mode == DNSMASQ_MANAGED)
		cfg_err(ld, sec->line, "[dnsmasq]: 'interface' is required with "
		    "mode = managed: the interface dnsmasq serves DHCP and TFTP "
		    "on, e.g. br0");
	if ((kv = sec_get(sec, "address")) != NULL)
		set_ipv4(ld, kv, &d->address, "address");
	else
		d->address = address_from_url(cfg->public_url);
	if ((kv = sec_get(sec, "range")) != NULL)
		load_dnsmasq_range(ld, d, kv);
	else if (d->mode == DNSMASQ_MANAGED)
		cfg_err(ld, sec->line, "[dnsmasq]: 'range' is required with mode "
		    "= managed: %s", d->dhcp == DNSMASQ_FULL ?
		    "FIRST,LAST,NETMASK of the addresses to hand out, e.g. "
		    "10.200.0.100,10.200.0.150,255.255.255.0" :
		    "the subnet to answer PXE requests on, e.g. 10.200.0.0");
	if ((kv = sec_get(sec, "lease_time")) != NULL) {
		if (!lease_ok(kv->value))
			cfg_err(ld, kv->line, "lease_time: '%s' is not a lease "
			    "time of at least 2 minutes (e.g. 1h, 30m, 86400 or "
			    "infinite)", kv->value);
		else if (d->dhcp != DNSMASQ_FULL)
			cfg_warn(ld, kv->line, "lease_time has no effect with "
			    "dhcp = proxy (the site's DHCP server leases the "
			    "addresses)");
		else
			set_str(&d->lease_time, kv->value);
	}
	if (d->lease_time == NULL)
		d->lease_time = strdup("1h");
	if ((kv = sec_get(sec, "tftp")) != NULL &&
	    parse_bool(kv->value, &d->tftp) == -1)
		cfg_err(ld, kv->line, "tftp: '%s' must be yes or no", kv->value);
	if ((kv = sec_get(sec, "ping_check")) != NULL &&
	    parse_bool(kv->value, &d->ping_check) == -1)
		cfg_err(ld, kv->line, "ping_check: '%s' must be yes or no",
		    kv->value);
	if ((kv = sec_get(sec, "ipv6_ra")) != NULL) {
		/* "fd00:200::" or "fd00:200::/64" */
		l = strcspn(kv->value, "/");
		if (l >= sizeof(v6) || (kv->value[l] == '/' &&
		    strcmp(kv->value + l, "/64") != 0)) {
			cfg_err(ld, kv->line, "ipv6_ra: '%s' is not an IPv6 /64 "
			    "prefix such as fd00:200::", kv->value);
		} else {
			memcpy(v6, kv->value, l);
			v6[l] = '\0';
			if (inet_pton(AF_INET6, v6, in6) != 1)
				cfg_err(ld, kv->line, "ipv6_ra: '%s' is not an "
				    "IPv6 /64 prefix such as fd00:200::",
				    kv->value);
			else
				set_str(&d->ipv6_ra, v6);
		}
	}
	if ((kv = sec_get(sec, "binary")) != NULL) {
		if (!valid_chars(kv->value, "/._+-@~", 1024))
			cfg_err(ld, kv->line, "binary: '%s' is not a program "
			    "name or path (letters, digits and /._+-@~)",
			    kv->value);
		else if (strchr(kv->value, '/') != NULL) {
			d->binary = path_in(cfg, kv->value);
		} else
			set_str(&d->binary, kv->value);
	}
	if (d->binary == NULL)
		d->binary = strdup("dnsmasq");
	if (!d->tftp && d->address == NULL)
		cfg_err(ld, sec->line, "[dnsmasq]: with tftp = no set 'address' "
		    "(the IPv4 address of the TFTP server that serves "
		    "tftp_root)");
	/* paths that go into dnsmasq's config */
	skv = server != NULL ? sec_get(server, "state_dir") : NULL;
	if (!dnsmasq_path_ok(cfg->state_dir))
		cfg_err(ld, skv != NULL ? skv->line : sec->line, "state_dir "
		    "'%s' cannot go into dnsmasq's config: use a path of "
		    "letters, digits and /._+-@~ (no blanks or commas)",
		    cfg->state_dir);
	skv = server != NULL ? sec_get(server, "tftp_root") : NULL;
	if (!dnsmasq_path_ok(cfg->tftp_root))
		cfg_err(ld, skv != NULL ? skv->line : sec->line, "tftp_root "
		    "'%s' cannot go into dnsmasq's config: use a path of "
		    "letters, digits and /._+-@~ (no blanks or commas)",
		    cfg->tftp_root);
	unknown_keys(ld, sec, "[dnsmasq]");
}

/* Full DHCP: a host's static ip is only given out inside the range's
 * subnet; say so now rather than let the host boot with another one. */
static void
check_dnsmasq_hosts(struct loader *ld, struct config *cfg)
{
	const struct dnsmasq_cfg *d = &cfg->dnsmasq;
	uint32_t first, mask, ip;
	size_t i;

	if (!d->enabled || d->dhcp != DNSMASQ_FULL || d->range_first == NULL ||
	    parse_ipv4(d->range_first, &first) == -1 ||
	    parse_ipv4(d->range_netmask, &mask) == -1)
		return;
	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];

		if (h->ip == NULL || parse_ipv4(h->ip, &ip) == -1)
			continue;
		if ((ip & mask) != (first & mask))
			cfg_warn(ld, h->line, "[host %s]: ip %s is outside the "
			    "[dnsmasq] range's subnet; dnsmasq will not give it "
			    "that address while it PXE-boots", h->name, h->ip);
	}
}

int
config_load(const char *path, struct config **out, struct strlist *errors,
    struct strlist *warnings)
{
	struct loader ld = { 0 };
	struct config *cfg = NULL;
	struct rawsec *server = NULL, *defs = NULL, *dsec = NULL;
	struct host **sorted = NULL;
	char *slash, *abs = NULL;
	size_t i, j, nr = 0, np = 0, nh = 0;
	int ret = -1, rc;

	*out = NULL;
	ld.file = path;
	ld.errors = errors;
	ld.warnings = warnings;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		goto out;
	cfg->path = strdup(path);
	if ((abs = realpath(path, NULL)) == NULL) {
		cfg_err(&ld, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if ((slash = strrchr(abs, '/')) != NULL)
		*slash = '\0';
	cfg->dir = strdup(*abs ? abs : "/");
	if ((ld.fp = fopen(path, "r")) == NULL) {
		cfg_err(&ld, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	rc = ini_parse_stream(loader_reader, &ld, loader_handler, &ld);
	fclose(ld.fp);
	if (rc == -2) {
		cfg_err(&ld, 0, "out of memory");
		goto out;
	}
	if (rc > 0 && ld.nerrors == 0)
		cfg_err(&ld, rc, "syntax error");

	/* defaults */
	cfg->listen_addr = strdup("0.0.0.0");
	cfg->listen_port = 8080;
	cfg->boot_attempts = 3;
	cfg->boot_files = BOOT_FILES_TFTP;
	cfg->http_threads = 2;

	for (i = 0; i < ld.nsecs; i++) {
		struct rawsec *s = &ld.secs[i];

		switch (s->kind) {
		case SEC_SERVER:
		case SEC_DEFAULTS:
			if ((s->kind == SEC_SERVER ? server : defs) != NULL) {
				cfg_err(&ld, s->line, "duplicate section [%s]",
				    s->kind == SEC_SERVER ? "server" : "defaults");
				continue;
			}
			if (s->kind == SEC_SERVER)
				server = s;
			else
				defs = s;
			break;
		case SEC_REPO: nr++; break;
		case SEC_POOL: np++; break;
		case SEC_HOST: nh++; break;
		case SEC_DNSMASQ:
			if (dsec != NULL) {
				cfg_err(&ld, s->line, "duplicate section [dnsmasq] "
				    "(first defined on line %d)", dsec->line);
				continue;
			}
			dsec = s;
			break;
		}
		for (j = 0; j < i; j++)
			if (s->name != NULL && ld.secs[j].kind == s->kind &&
			    ld.secs[j].name != NULL &&
			    strcmp(ld.secs[j].name, s->name) == 0 && s->kind != SEC_HOST)
				cfg_err(&ld, s->line, "duplicate section (first "
				    "defined on line %d)", ld.secs[j].line);
	}
	if (server == NULL)
		cfg_err(&ld, 0, "no [server] section (it needs at least "
		    "public_url)");
	else
		load_server(&ld, cfg, server);
	if (cfg->public_url == NULL && server != NULL)
		cfg_err(&ld, server->line, "[server]: 'public_url' is required: the "
		    "URL hosts use to reach poolboot, e.g. http://10.0.0.5:8080");
	if (cfg->state_dir == NULL)
		cfg->state_dir = strdup("/var/lib/poolboot");
	if (cfg->tftp_root == NULL)
		cfg->tftp_root = strdup("/srv/poolboot/tftp-root");
	if (cfg->admin_token_file == NULL)
		cfg->admin_token_file = util_path_join(cfg->state_dir,
		    "admin.token");
	resolve_template_dir(&ld, cfg);
	resolve_web_dir(&ld, cfg);
	if (cfg->upgrade_paths == NULL && cfg->template_dir != NULL)
		cfg->upgrade_paths = util_path_join(cfg->template_dir,
		    "upgrade-paths.conf");

	cfg->repos = calloc(nr + 1, sizeof(*cfg->repos));
	cfg->pools = calloc(np + 1, sizeof(*cfg->pools));
	cfg->hosts = calloc(nh + 1, sizeof(*cfg->hosts));
	if (cfg->repos == NULL || cfg->pools == NULL || cfg->hosts == NULL)
		goto out;
	if (defs != NULL) {
		for (i = 0; i < defs->nkv; i++) {
			size_t k;
			int known = 0;

			for (k = 0; k < sizeof(host_keys) / sizeof(host_keys[0]); k++)
				if (strcmp(defs->kv[i].key, host_keys[k].key) == 0) {
					known = 1;
					if (host_keys[k].per_host)
						cfg_err(&ld, defs->kv[i].line,
						    "'%s' is per host and cannot "
						    "go in [defaults]",
						    defs->kv[i].key);
				}
			if (!known)
				cfg_err(&ld, defs->kv[i].line, "unknown key '%s' in "
				    "[defaults]", defs->kv[i].key);
		}
	}
	for (i = 0; i < ld.nsecs; i++) {
		struct rawsec *s = &ld.secs[i];

		if (s->kind == SEC_REPO)
			load_repo(&ld, cfg, s, &cfg->repos[cfg->nrepos++]);
		else if (s->kind == SEC_POOL)
			load_pool(&ld, cfg, s, &cfg->pools[cfg->npools++]);
		else if (s->kind == SEC_HOST)
			load_host(&ld, cfg, s, defs, &cfg->hosts[cfg->nhosts++]);
	}

	if (dsec != NULL) {
		load_dnsmasq(&ld, cfg, dsec, server);
		check_dnsmasq_hosts(&ld, cfg);
	}

	/* references */
	for (i = 0; i < cfg->npools; i++) {
		struct pool *p = &cfg->pools[i];

		if (p->repo_name != NULL &&
		    (p->repo = config_repo(cfg, p->repo_name)) == NULL)
			cfg_err(&ld, p->line, "[pool %s]: repo '%s' is not defined "
			    "(add a [repo %s] section)", p->name, p->repo_name,
			    p->repo_name);
	}
	for (i = 0; i < cfg->nhosts; i++) {
		struct host *h = &cfg->hosts[i];

		if (h->pool_name != NULL &&
		    (h->pool = config_pool(cfg, h->pool_name)) == NULL) {
			cfg_err(&ld, h->line, "[host %s]: pool '%s' is not defined "
			    "(add a [pool %s] section)", h->name, h->pool_name,
			    h->pool_name);
			continue;
		}
		if (h->join_pool != NULL &&
		    (h->join = config_pool(cfg, h->join_pool)) == NULL)
			cfg_err(&ld, h->line, "[host %s]: join = %s: no such pool "
			    "(add a [pool %s] section)", h->name, h->join_pool,
			    h->join_pool);
		if (h->join != NULL && h->pool != NULL)
			cfg_err(&ld, h->line, "[host %s]: 'join' is for new hosts; "
			    "this host is already in pool %s", h->name,
			    h->pool->name);
		if (h->join != NULL && h->mode != MODE_FRESH &&
		    h->mode != MODE_REINSTALL)
			cfg_err(&ld, h->line, "[host %s]: 'join' needs mode fresh "
			    "(a new host is installed, then joins the pool)",
			    h->name);
		if (h->repo_name == NULL && h->join != NULL &&
		    h->join->repo != NULL)
			h->repo = h->join->repo;	/* the pool it joins */
		else if (h->repo_name != NULL) {
			if ((h->repo = config_repo(cfg, h->repo_name)) == NULL)
				cfg_err(&ld, h->line, "[host %s]: repo '%s' is not "
				    "defined", h->name, h->repo_name);
		} else if (h->pool != NULL && h->pool->repo != NULL)
			h->repo = h->pool->repo;
		else if (cfg->nrepos == 1)
			h->repo = &cfg->repos[0];
		else if (h->pool == NULL || h->pool->repo_name == NULL)
			cfg_err(&ld, h->line, "[host %s]: no repo to install from "
			    "(set repo = NAME in the host, its pool or "
			    "[defaults])", h->name);
	}

	/* duplicates across hosts: names and MACs (sorted, for big inventories) */
	if (cfg->nhosts > 1) {
		if ((sorted = calloc(cfg->nhosts, sizeof(*sorted))) == NULL)
			goto out;
		for (i = 0; i < cfg->nhosts; i++)
			sorted[i] = &cfg->hosts[i];
		qsort(sorted, cfg->nhosts, sizeof(*sorted), cmp_host_name);
		for (i = 1; i < cfg->nhosts; i++)
			if (strcmp(sorted[i]->name, sorted[i - 1]->name) == 0) {
				struct host *a = sorted[i - 1], *b = sorted[i];

				if (a->line > b->line) {
					struct host *t = a;
					a = b;
					b = t;
				}
				cfg_err(&ld, b->line, "duplicate section [host %s] "
				    "(first defined on line %d)", b->name, a->line);
			}
		qsort(sorted, cfg->nhosts, sizeof(*sorted), cmp_host_mac);
		for (i = 1; i < cfg->nhosts; i++)
			if (sorted[i]->mac[0] != '\0' &&
			    strcmp(sorted[i]->mac, sorted[i - 1]->mac) == 0) {
				struct host *a = sorted[i - 1], *b = sorted[i];

				if (a->line > b->line) {
					struct host *t = a;
					a = b;
					b = t;
				}
				cfg_err(&ld, b->line, "[host %s]: MAC %s is already "
				    "used by [host %s] on line %d", b->name, b->mac,
				    a->name, a->line);
			}
	}

	if (ld.nerrors > 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	ret = 0;
out:
	free(sorted);
	free(abs);
	loader_free(&ld);
	config_free(cfg);
	return ret;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nrepos; i++) {
		struct repo *r = &cfg->repos[i];

		free(r->name);
		free(r->path);
		free(r->product_brand);
		free(r->product_version);
		free(r->build_number);
	}
	for (i = 0; i < cfg->npools; i++) {
		struct pool *p = &cfg->pools[i];

		free(p->name);
		free(p->xapi);
		free(p->username);
		free(p->password_file);
		free(p->tls_ca);
		free(p->tls_fingerprint);
		free(p->repo_name);
	}
	for (i = 0; i < cfg->nhosts; i++) {
		struct host *h = &cfg->hosts[i];

		free(h->name);
		free(h->pool_name);
		free(h->repo_name);
		free(h->disk);
		free(h->ip);
		free(h->gateway);
		strlist_free(&h->dns);
		strlist_free(&h->ntp);
		free(h->hostname);
		free(h->timezone);
		free(h->keymap);
		free(h->interface);
		free(h->sr_type);
		if (h->root_password_hash != NULL)
			util_wipe(h->root_password_hash,
			    strlen(h->root_password_hash));
		free(h->root_password_hash);
		free(h->root_password_file);
		strlist_free(&h->kernel_args);
		free(h->serial_console);
		free(h->ipmi_address);
		free(h->ipmi_user);
		free(h->ipmi_password_file);
		free(h->join_pool);
	}
	free(cfg->repos);
	free(cfg->pools);
	free(cfg->hosts);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->listen_addr);
	free(cfg->public_url);
	free(cfg->state_dir);
	free(cfg->tftp_root);
	free(cfg->admin_token_file);
	free(cfg->template_dir);
	free(cfg->web_dir);
	free(cfg->upgrade_paths);
	free(cfg->dnsmasq.interface);
	free(cfg->dnsmasq.address);
	free(cfg->dnsmasq.range_first);
	free(cfg->dnsmasq.range_last);
	free(cfg->dnsmasq.range_netmask);
	free(cfg->dnsmasq.lease_time);
	free(cfg->dnsmasq.ipv6_ra);
	free(cfg->dnsmasq.binary);
	free(cfg);
}

struct host *
config_host(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nhosts; i++)
		if (strcmp(cfg->hosts[i].name, name) == 0)
			return &cfg->hosts[i];
	return NULL;
}

struct host *
config_host_by_mac(const struct config *cfg, const char *mac)
{
	char norm[18];
	size_t i;

	if (util_mac_parse(mac, norm, NULL) == -1)
		return NULL;
	for (i = 0; i < cfg->nhosts; i++)
		if (strcmp(cfg->hosts[i].mac, norm) == 0)
			return &cfg->hosts[i];
	return NULL;
}

struct pool *
config_pool(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->npools; i++)
		if (strcmp(cfg->pools[i].name, name) == 0)
			return &cfg->pools[i];
	return NULL;
}

struct repo *
config_repo(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nrepos; i++)
		if (cfg->repos[i].name != NULL &&
		    strcmp(cfg->repos[i].name, name) == 0)
			return &cfg->repos[i];
	return NULL;
}

static const char *mode_names[MODE_COUNT] = {
	"upgrade", "fresh", "reinstall", "restore"
};

const char *
config_mode_name(enum host_mode m)
{
	return (unsigned)m < MODE_COUNT ? mode_names[m] : "unknown";
}

int
config_mode_parse(const char *s, enum host_mode *m)
{
	int i;

	for (i = 0; i < MODE_COUNT; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum host_mode)i;
			return 0;
		}
	return -1;
}

/* .treeinfo: XCP-ng/XenServer 8 style [platform]/[branding]/[build], or
 * 7.x style [system-v1] product_brand/product_version/build_number. */
static int
treeinfo_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct repo *r = user;
	char **dst = NULL;

	if (key == NULL)
		return 1;
	if (strcmp(section, "system-v1") == 0) {
		if (strcmp(key, "product_version") == 0)
			dst = &r->product_version;
		else if (strcmp(key, "product_brand") == 0)
			dst = &r->product_brand;
		else if (strcmp(key, "build_number") == 0)
			dst = &r->build_number;
	} else if (strcmp(section, "branding") == 0) {
		if (strcmp(key, "version") == 0)
			dst = &r->product_version;
		else if (strcmp(key, "name") == 0)
			dst = &r->product_brand;
	} else if (strcmp(section, "build") == 0 && strcmp(key, "number") == 0)
		dst = &r->build_number;
	if (dst != NULL)
		set_str(dst, value);
	return 1;
}

int
config_repo_inspect(struct repo *r, char *err, size_t errlen)
{
	static const char *need[] = { "boot/xen.gz", "boot/vmlinuz",
	    "install.img" };
	char p[PATH_MAX];
	struct stat sb;
	size_t i;

	if (stat(r->path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "path '%s' is not a folder (%s)", r->path,
		    errno ? strerror(errno) : "not a directory");
		return -1;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", r->path, need[i]);
		if (stat(p, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "'%s' lacks %s: is it an unpacked "
			    "XenServer/XCP-ng installation ISO?", r->path,
			    need[i]);
			return -1;
		}
	}
	snprintf(p, sizeof(p), "%s/.treeinfo", r->path);
	if (ini_parse(p, treeinfo_handler, r) != 0) {
		snprintf(err, errlen, "cannot read %s (the ISO's product "
		    "version comes from it)", p);
		return -1;
	}
	if (r->product_version == NULL) {
		snprintf(err, errlen, "%s names no product version ([branding] "
		    "version or [system-v1] product_version)", p);
		return -1;
	}
	return 0;
}
