/* config_ini.h — pass 1 of config_load: the INI file read into raw
 * sections (libinih), and the "file:line: message" problem list.
 *
 * config_ini_read only collects sections and key = value lines with their
 * line numbers, catching syntax problems, unknown sections, sections with
 * a bad name and duplicate keys. What a key means is the business of the
 * second pass (config.c, inventory.c, config_dnsmasq.c), which looks keys
 * up with config_ini_get and reports through config_ini_err and
 * config_ini_warn. This module also parses the value forms every section
 * shares: yes/no, bounded integers, plain character sets.
 *
 * It owns struct config_ini and its sections (config_ini_free); it
 * includes no other config header.
 */
#ifndef POOLBOOT_CONFIG_INI_H
#define POOLBOOT_CONFIG_INI_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct config_ini_kv {
	char	*key;
	char	*value;
	int	 line;
	int	 used;		/* looked up by config_ini_get */
};

enum config_ini_kind { CONFIG_INI_SERVER, CONFIG_INI_DEFAULTS,
    CONFIG_INI_REPO, CONFIG_INI_POOL, CONFIG_INI_HOST, CONFIG_INI_DNSMASQ,
    CONFIG_INI_STORE };

struct config_ini_section {
	enum config_ini_kind kind;
	char	*name;		/* NULL for server/defaults/dnsmasq */
	int	 line;
	struct config_ini_kv *kv;
	size_t	 nkv;
};

/* One load. The caller sets file, errors and warnings (either list may be
 * NULL) and zeroes the rest. */
struct config_ini {
	const char *file;
	const char *text;	/* non-NULL: read these textlen bytes, not file */
	size_t	 textlen;
	FILE	*fp;
	int	 lineno;	/* line most recently handed to inih */
	int	 skip_section;	/* current section is broken: ignore its keys */
	struct config_ini_section *secs;	/* in file order */
	size_t	 nsecs;
	struct strlist *errors;
	struct strlist *warnings;
	int	 nerrors;	/* counted even when errors is NULL */
	int	 no_passwords;	/* password files not checked (CLI reads) */
	int	 no_root_hash;	/* root_password_file not read */
};

/* Reads ini->file (or ini->text, named ini->file in messages) into
 * ini->secs, reporting every problem. -1 only when the file cannot be
 * opened or memory runs out (reported too); a file
 * with problems returns 0 with ini->nerrors > 0. */
int   config_ini_read(struct config_ini *ini);

/* Frees the sections (not ini itself); safe on a zeroed ini. */
void  config_ini_free(struct config_ini *ini);

/* Adds "file:line: message" to the errors (just "file: message" when
 * line is 0) and counts it. */
void  config_ini_err(struct config_ini *ini, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Adds "file:line: message" to the warnings; loading still succeeds. */
void  config_ini_warn(struct config_ini *ini, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The key in sec (NULL sec or no such key: NULL), marked as used. */
struct config_ini_kv *config_ini_get(struct config_ini_section *sec,
	    const char *key);
/* Reports every key of sec that nobody looked up: "unknown key 'k' in
 * what". */
void  config_ini_unknown_keys(struct config_ini *ini,
	    struct config_ini_section *sec, const char *what);

/* yes/true/on/1 and no/false/off/0 (any case) into *out; -1 otherwise. */
int   config_ini_bool(const char *s, int *out);
/* A decimal integer from lo to hi into *out; -1 otherwise. */
int   config_ini_int(const char *s, long lo, long hi, int *out);
/* 1 when s is 1..maxlen characters, each a letter, a digit or in extra. */
int   config_ini_chars(const char *s, const char *extra, size_t maxlen);
/* Replaces *dst (freed) with a copy of v (NULL when out of memory). */
void  config_ini_set_str(char **dst, const char *v);

#endif
