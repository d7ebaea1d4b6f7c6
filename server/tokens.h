/* tokens.h — the admin API's named tokens: the tokens file ([server]
 * admin_tokens, default state_dir/tokens) and the token of
 * admin_token_file, which is the token named "local" (role admin).
 *
 * The tokens file holds no usable secret: one line per operator,
 *   NAME ROLE SHA256-HEX
 * NAME a name as hosts have ([A-Za-z0-9][A-Za-z0-9._-]{0,62}, not
 * "local"), ROLE "admin" or "read-only", then the SHA-256 of the token
 * as 64 hex digits; '#' starts a comment line, blank lines are skipped.
 * `poolboot token add|list|remove` (cli_token.c) edits it; the server
 * re-reads it when it changes (tokens_lookup), so no restart is needed.
 *
 * A token presented is hashed and the hash compared with every known
 * one in constant time: the server keeps no token of the file, and only
 * the hash of the local one.
 */
#ifndef POOLBOOT_TOKENS_H
#define POOLBOOT_TOKENS_H

#include <stddef.h>

#include "config.h"

#define TOKENS_LOCAL		"local"	/* admin_token_file's token */
#define TOKENS_NAME_MAX		64	/* with the NUL */
#define TOKENS_FILE_MAX		(1024 * 1024)

enum tokens_role {
	TOKENS_NONE = 0,	/* no token, or one that matches none */
	TOKENS_ADMIN,		/* may do everything */
	TOKENS_READ_ONLY	/* may GET, never change anything */
};

struct tokens_entry {
	char	 name[TOKENS_NAME_MAX];
	enum tokens_role role;
	char	 hash[65];	/* lower-case hex */
	int	 line;		/* in the file */
};

struct tokens_list {
	struct tokens_entry *v;
	size_t	 n;
};

/* "admin", "read-only" ("-" for TOKENS_NONE). */
const char *tokens_role_name(enum tokens_role r);
/* The SHA-256 of token as 64 lower-case hex digits (what a line holds). */
void  tokens_hash(const char *token, char out[65]);

/* Parses text (a tokens file's contents; path names it in the messages)
 * into *list (caller frees with tokens_list_free). Every bad line (not
 * three fields, a bad name, "local", an unknown role, a bad hash, a name
 * or hash already seen) is one "path:line: message" in errors (may be
 * NULL) and is left out: a bad line grants nothing. 0 when every line
 * was good, -1 when any was not (*list still holds the good ones), or on
 * out of memory. */
int   tokens_parse(const char *path, const char *text,
	    struct tokens_list *list, struct strlist *errors);
/* Reads and parses path. A missing file is an empty list (0). Unreadable
 * or too big: -1 with "path: reason" in errors. */
int   tokens_load(const char *path, struct tokens_list *list,
	    struct strlist *errors);
/* The entry named name, or NULL. */
const struct tokens_entry *tokens_find(const struct tokens_list *list,
	    const char *name);
void  tokens_list_free(struct tokens_list *list);	/* not list itself */

/* poolboot check: the problems of cfg's tokens file as "file:line:
 * message" in problems; a file named in the configuration that does not
 * exist is a note (no named token until `poolboot token add`). */
void  tokens_check(const struct config *cfg, struct strlist *problems,
	    struct strlist *notes);

/* ---- the server's live set ---------------------------------------------- */

struct tokens;

/* The tokens of path and local_token (the admin token file's token, or
 * NULL for none; only its hash is kept). -1 when path has a problem
 * (each logged as "path:line: message": serve refuses to start) or out
 * of memory; else 0 with *out (free with tokens_free). */
int   tokens_new(const char *path, const char *local_token,
	    struct tokens **out);
void  tokens_free(struct tokens *t);	/* NULL ok */

/* Who presented is: its name copied into name (namelen bytes) and its
 * role, or TOKENS_NONE (name "-") when it matches no token. First reads
 * the tokens file again if it changed since the last read (its inode,
 * size or mtime): a removed token stops working at once; problems of
 * the new file are logged and its bad lines left out; a file that is
 * gone leaves only "local". Thread-safe. */
enum tokens_role tokens_lookup(struct tokens *t, const char *presented,
	    char *name, size_t namelen);

#endif
