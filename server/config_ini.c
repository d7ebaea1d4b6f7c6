/* config_ini.c — see config_ini.h. */
#include "config_ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

void
config_ini_err(struct config_ini *ini, int line, const char *fmt, ...)
{
	char msg[1024], full[1400];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ini->nerrors++;
	if (ini->errors != NULL) {
		if (line > 0)
			snprintf(full, sizeof(full), "%s:%d: %s", ini->file,
			    line, msg);
		else
			snprintf(full, sizeof(full), "%s: %s", ini->file, msg);
		/* a [defaults] value is checked again for every host that
		 * inherits it: its problem is listed once */
		for (i = 0; i < ini->errors->n; i++)
			if (strcmp(ini->errors->v[i], full) == 0)
				return;
		strlist_add(ini->errors, full);
	}
}

void
config_ini_warn(struct config_ini *ini, int line, const char *fmt, ...)
{
	char msg[1024], full[1400];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ini->warnings == NULL)
		return;
	snprintf(full, sizeof(full), "%s:%d: %s", ini->file, line, msg);
	for (i = 0; i < ini->warnings->n; i++)	/* once, as errors */
		if (strcmp(ini->warnings->v[i], full) == 0)
			return;
	strlist_add(ini->warnings, full);
}

/*
 * Hands inih one line at a time so that we know its number. Leading
 * blanks are removed (inih would otherwise take an indented line for the
 * continuation of the previous value, silently), and a line longer than
 * inih's buffer is reported instead of being cut in two.
 */
static int config_ini_new_section(struct config_ini *, const char *);

static char *
config_ini_reader(char *str, int num, void *stream)
{
	struct config_ini *ini = stream;
	char *s;
	size_t len;
	int c;

	if (num < 2 || fgets(str, num, ini->fp) == NULL)
		return NULL;
	ini->lineno++;
	/* a UTF-8 byte order mark (editors on Windows write one) */
	if (ini->lineno == 1 && strncmp(str, "\xEF\xBB\xBF", 3) == 0)
		memmove(str, str + 3, strlen(str + 3) + 1);
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(ini->fp)) {
		config_ini_err(ini, ini->lineno, "line too long (at most %d "
		    "characters)", num - 2);
		while ((c = fgetc(ini->fp)) != EOF && c != '\n')
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
			config_ini_err(ini, ini->lineno, "section header "
			    "without ']'");
			ini->skip_section = 1;
			snprintf(str, (size_t)num, ";\n");
			return str;
		}
		nl = (size_t)(close - str - 1);
		if (nl >= sizeof(name))
			nl = sizeof(name) - 1;
		memcpy(name, str + 1, nl);
		name[nl] = '\0';
		if (config_ini_new_section(ini, name) == -1)
			return NULL;
		return str;
	}
	/* a non-empty line that is neither comment, section nor key = value */
	if (str[0] != '\0' && str[0] != '\n' && str[0] != '\r' &&
	    str[0] != ';' && str[0] != '#' && str[0] != '[' &&
	    strchr(str, '=') == NULL) {
		len = strcspn(str, "\r\n");
		config_ini_err(ini, ini->lineno, "expected 'key = value', "
		    "found '%.*s'", (int)(len > 60 ? 60 : len), str);
		snprintf(str, (size_t)num, ";\n");
	}
	return str;
}

static struct config_ini_section *
config_ini_current(struct config_ini *ini)
{
	return ini->nsecs ? &ini->secs[ini->nsecs - 1] : NULL;
}

static int
config_ini_new_section(struct config_ini *ini, const char *section)
{
	char type[32], name[128];
	struct config_ini_section *nsecs, *sec;
	enum config_ini_kind kind;
	const char *p;
	size_t tl, i;

	ini->skip_section = 1;
	p = section;
	tl = strcspn(p, " \t");
	if (tl >= sizeof(type)) {
		config_ini_err(ini, ini->lineno, "unknown section [%s]",
		    section);
		return 0;
	}
	memcpy(type, p, tl);
	type[tl] = '\0';
	p += tl;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strlen(p) >= sizeof(name)) {
		config_ini_err(ini, ini->lineno, "section name too long: [%s]",
		    section);
		return 0;
	}
	snprintf(name, sizeof(name), "%s", p);
	i = strlen(name);
	while (i > 0 && isspace((unsigned char)name[i - 1]))
		name[--i] = '\0';

	if (strcmp(type, "server") == 0)
		kind = CONFIG_INI_SERVER;
	else if (strcmp(type, "defaults") == 0)
		kind = CONFIG_INI_DEFAULTS;
	else if (strcmp(type, "repo") == 0)
		kind = CONFIG_INI_REPO;
	else if (strcmp(type, "pool") == 0)
		kind = CONFIG_INI_POOL;
	else if (strcmp(type, "host") == 0)
		kind = CONFIG_INI_HOST;
	else if (strcmp(type, "dnsmasq") == 0)
		kind = CONFIG_INI_DNSMASQ;
	else if (strcmp(type, "store") == 0)
		kind = CONFIG_INI_STORE;
	else {
		config_ini_err(ini, ini->lineno, "unknown section [%s]; "
		    "expected [server], [defaults], [repo NAME], [pool NAME], "
		    "[host NAME], [dnsmasq] or [store]", section);
		return 0;
	}
	if ((kind == CONFIG_INI_SERVER || kind == CONFIG_INI_DEFAULTS ||
	    kind == CONFIG_INI_DNSMASQ || kind == CONFIG_INI_STORE) &&
	    name[0] != '\0') {
		config_ini_err(ini, ini->lineno, "[%s] takes no name (found "
		    "[%s])", type, section);
		return 0;
	}
	if (kind != CONFIG_INI_SERVER && kind != CONFIG_INI_DEFAULTS &&
	    kind != CONFIG_INI_DNSMASQ && kind != CONFIG_INI_STORE) {
		if (name[0] == '\0') {
			config_ini_err(ini, ini->lineno, "[%s] needs a name, "
			    "e.g. [%s %s1]", type, type, type);
			return 0;
		}
		if (!util_valid_name(name)) {
			config_ini_err(ini, ini->lineno, "bad %s name '%s': "
			    "use letters, digits, '.', '_' and '-' (at most "
			    "63, starting with a letter or digit)", type, name);
			return 0;
		}
	}
	nsecs = realloc(ini->secs, (ini->nsecs + 1) * sizeof(*nsecs));
	if (nsecs == NULL)
		return -1;
	ini->secs = nsecs;
	sec = &ini->secs[ini->nsecs++];
	memset(sec, 0, sizeof(*sec));
	sec->kind = kind;
	sec->line = ini->lineno;
	if (name[0] != '\0' && (sec->name = strdup(name)) == NULL)
		return -1;
	ini->skip_section = 0;
	return 0;
}

static int
config_ini_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct config_ini *ini = user;
	struct config_ini_section *sec;
	struct config_ini_kv *nkv;
	size_t i;

	if (key == NULL)	/* section start: see config_ini_reader */
		return 1;
	sec = config_ini_current(ini);
	if (section[0] == '\0' || sec == NULL) {
		config_ini_err(ini, ini->lineno, "'%s' appears before any "
		    "[section]", key);
		return 1;
	}
	if (ini->skip_section)
		return 1;
	for (i = 0; i < sec->nkv; i++) {
		if (strcmp(sec->kv[i].key, key) == 0) {
			config_ini_err(ini, ini->lineno, "duplicate key '%s' "
			    "(first set on line %d)", key, sec->kv[i].line);
			return 1;
		}
	}
	if ((nkv = realloc(sec->kv, (sec->nkv + 1) * sizeof(*nkv))) == NULL)
		return 0;
	sec->kv = nkv;
	sec->kv[sec->nkv].key = strdup(key);
	sec->kv[sec->nkv].value = strdup(value);
	sec->kv[sec->nkv].line = ini->lineno;
	sec->kv[sec->nkv].used = 0;
	if (sec->kv[sec->nkv].key == NULL || sec->kv[sec->nkv].value == NULL)
		return 0;
	sec->nkv++;
	return 1;
}

int
config_ini_read(struct config_ini *ini)
{
	int rc;

	if (ini->text != NULL)
		ini->fp = ini->textlen == 0 ? fopen("/dev/null", "r") :
		    fmemopen((void *)(uintptr_t)ini->text, ini->textlen, "r");
	else
		ini->fp = fopen(ini->file, "r");
	if (ini->fp == NULL) {
		config_ini_err(ini, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(config_ini_reader, ini, config_ini_handler, ini);
	fclose(ini->fp);
	ini->fp = NULL;
	if (rc == -2) {
		config_ini_err(ini, 0, "out of memory");
		return -1;
	}
	if (rc > 0 && ini->nerrors == 0)
		config_ini_err(ini, rc, "syntax error");
	return 0;
}

void
config_ini_free(struct config_ini *ini)
{
	size_t i, j;

	for (i = 0; i < ini->nsecs; i++) {
		for (j = 0; j < ini->secs[i].nkv; j++) {
			free(ini->secs[i].kv[j].key);
			if (ini->secs[i].kv[j].value != NULL) {
				free(ini->secs[i].kv[j].value);
			}
		}
		free(ini->secs[i].kv);
		free(ini->secs[i].name);
	}
	free(ini->secs);
	ini->secs = NULL;
	ini->nsecs = 0;
}

struct config_ini_kv *
config_ini_get(struct config_ini_section *sec, const char *key)
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

int
config_ini_bool(const char *s, int *out)
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

int
config_ini_int(const char *s, long lo, long hi, int *out)
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

int
config_ini_chars(const char *s, const char *extra, size_t maxlen)
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

void
config_ini_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

void
config_ini_unknown_keys(struct config_ini *ini, struct config_ini_section *sec,
    const char *what)
{
	size_t i;

	for (i = 0; i < sec->nkv; i++)
		if (!sec->kv[i].used)
			config_ini_err(ini, sec->kv[i].line, "unknown key '%s' "
			    "in %s", sec->kv[i].key, what);
}

