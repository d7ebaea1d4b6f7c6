/* tokens.c — named admin tokens; see tokens.h. */
#include "tokens.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

/* The server's set: the file's entries, the local token's hash and what
 * the file looked like when it was read. */
struct tokens {
	pthread_mutex_t	 mu;
	char		*path;
	char		 local_hash[65];	/* "" when there is no local */
	struct tokens_list list;
	int		 seen;			/* the file existed */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

const char *
tokens_role_name(enum tokens_role r)
{
	switch (r) {
	case TOKENS_ADMIN:
		return "admin";
	case TOKENS_READ_ONLY:
		return "read-only";
	default:
		return "-";
	}
}

void
tokens_hash(const char *token, char out[65])
{
	util_sha256_hex(token, out);
}

/* 64 hex digits, written lower-case into out[65]; 0/-1. */
static int
tokens_hex64(const char *s, char out[65])
{
	size_t i;

	if (strlen(s) != 64)
		return -1;
	for (i = 0; i < 64; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		out[i] = c;
	}
	out[64] = '\0';
	return 0;
}

/* One line's fields (split at blanks, at most 4 kept) into f; their
 * count. */
static size_t
tokens_fields(char *line, char **f)
{
	char *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save)) {
		if (n < 4)
			f[n] = tok;
		n++;
	}
	return n;
}

/* Checks one line's fields into e: NULL when good, else what is wrong. */
static const char *
tokens_line(char **f, size_t n, const struct tokens_list *list,
    struct tokens_entry *e, char *why, size_t whylen)
{
	if (n != 3)
		return "want three fields: NAME ROLE SHA256 (poolboot token add "
		    "NAME writes one)";
	if (!util_valid_name(f[0])) {
		snprintf(why, whylen, "'%.64s' is not a name (letters, digits, "
		    ".-_, at most 63, starting with a letter or digit)", f[0]);
		return why;
	}
	if (strcmp(f[0], TOKENS_LOCAL) == 0)
		return "the name 'local' is the admin token file's "
		    "(admin_token_file); give this token another name";
	if (tokens_find(list, f[0]) != NULL) {
		snprintf(why, whylen, "token '%s' is named twice (first on line "
		    "%d); remove one", f[0], tokens_find(list, f[0])->line);
		return why;
	}
	if (strcmp(f[1], "admin") == 0)
		e->role = TOKENS_ADMIN;
	else if (strcmp(f[1], "read-only") == 0)
		e->role = TOKENS_READ_ONLY;
	else {
		snprintf(why, whylen, "unknown role '%.32s' (want admin or "
		    "read-only)", f[1]);
		return why;
	}
	if (tokens_hex64(f[2], e->hash) == -1)
		return "the third field must be the token's SHA-256 as 64 hex "
		    "digits (poolboot token add NAME makes it)";
	snprintf(e->name, sizeof(e->name), "%s", f[0]);
	return NULL;
}

int
tokens_parse(const char *path, const char *text, struct tokens_list *list,
    struct strlist *errors)
{
	struct tokens_entry e, *nv;
	char *copy, *line, *next, *f[4], why[256];
	const char *bad;
	size_t n, i;
	int lineno = 0, ret = 0;

	memset(list, 0, sizeof(*list));
	if ((copy = strdup(text)) == NULL)
		return -1;
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3;	/* a BOM */
		for (i = 0; line[i] == ' ' || line[i] == '\t'; i++)
			;
		if (line[i] == '\0' || line[i] == '#' || line[i] == '\r')
			continue;
		memset(&e, 0, sizeof(e));
		n = tokens_fields(line, f);
		if ((bad = tokens_line(f, n, list, &e, why, sizeof(why))) ==
		    NULL) {
			for (i = 0; i < list->n; i++)
				if (strcmp(list->v[i].hash, e.hash) == 0)
					break;
			if (i < list->n) {
				snprintf(why, sizeof(why), "token '%s' has the "
				    "same hash as '%s' (line %d): one token, "
				    "one name", e.name, list->v[i].name,
				    list->v[i].line);
				bad = why;
			}
		}
		if (bad != NULL) {
			if (errors != NULL)
				strlist_addf(errors, "%s:%d: %s", path, lineno,
				    bad);
			ret = -1;
			continue;
		}
		e.line = lineno;
		if ((nv = realloc(list->v, (list->n + 1) * sizeof(*nv))) ==
		    NULL) {
			ret = -1;
			break;
		}
		list->v = nv;
		list->v[list->n++] = e;
	}
	free(copy);
	return ret;
}

int
tokens_load(const char *path, struct tokens_list *list,
    struct strlist *errors)
{
	char *text;
	int ret;

	memset(list, 0, sizeof(*list));
	if ((text = util_read_file(path, TOKENS_FILE_MAX, NULL)) == NULL) {
		if (errno == ENOENT)
			return 0;
		if (errors != NULL)
			strlist_addf(errors, "%s: cannot read the tokens file: "
			    "%s", path, errno == EFBIG ? "larger than 1 MiB" :
			    strerror(errno));
		return -1;
	}
	ret = tokens_parse(path, text, list, errors);
	free(text);
	return ret;
}

const struct tokens_entry *
tokens_find(const struct tokens_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->v[i].name, name) == 0)
			return &list->v[i];
	return NULL;
}

void
tokens_list_free(struct tokens_list *list)
{
	if (list == NULL)
		return;
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void
tokens_check(const struct config *cfg, struct strlist *problems,
    struct strlist *notes)
{
	struct tokens_list list;
	struct stat sb;

	if (cfg->admin_tokens_file == NULL)
		return;
	if (stat(cfg->admin_tokens_file, &sb) == -1 && errno == ENOENT) {
		if (cfg->admin_tokens_line > 0 && notes != NULL)
			strlist_addf(notes, "%s:%d: admin_tokens %s does not "
			    "exist yet: no named token until 'poolboot token "
			    "add NAME'", cfg->path, cfg->admin_tokens_line,
			    cfg->admin_tokens_file);
		return;
	}
	tokens_load(cfg->admin_tokens_file, &list, problems);
	tokens_list_free(&list);
}

/* ---- the server's live set ---------------------------------------------- */

/* Reads t->path again when it changed (or first == 1): -1 when it has a
 * problem (logged; its good lines are used). Called with t->mu held. */
static int
tokens_refresh(struct tokens *t, int first)
{
	struct strlist errors = { 0 };
	struct tokens_list list;
	struct stat sb;
	int exists, rc;
	size_t i;

	exists = stat(t->path, &sb) == 0;
	if (!first && exists == t->seen && (!exists || (sb.st_dev == t->dev &&
	    sb.st_ino == t->ino && sb.st_size == t->size &&
	    sb.st_mtim.tv_sec == t->mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == t->mtime.tv_nsec)))
		return 0;
	rc = tokens_load(t->path, &list, &errors);
	for (i = 0; i < errors.n; i++)
		log_error("tokens", "%s (the line is ignored: it grants "
		    "nothing)", errors.v[i]);
	strlist_free(&errors);
	tokens_list_free(&t->list);
	t->list = list;
	t->seen = exists;
	if (exists) {
		t->dev = sb.st_dev;
		t->ino = sb.st_ino;
		t->size = sb.st_size;
		t->mtime = sb.st_mtim;
	}
	if (!first || exists)
		log_info("tokens", "%s %s: %zu named token%s", first ? "read" :
		    "re-read", t->path, t->list.n, t->list.n == 1 ? "" : "s");
	return rc;
}

int
tokens_new(const char *path, const char *local_token, struct tokens **out)
{
	struct tokens *t;

	*out = NULL;
	if (path == NULL)
		return -1;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->path = strdup(path)) == NULL) {
		log_error("tokens", "out of memory");
		free(t);
		return -1;
	}
	pthread_mutex_init(&t->mu, NULL);
	if (local_token != NULL && local_token[0] != '\0')
		tokens_hash(local_token, t->local_hash);
	if (tokens_refresh(t, 1) == -1) {
		log_error("tokens", "fix %s (or remove the lines named above; "
		    "poolboot check shows them too)", path);
		tokens_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
tokens_free(struct tokens *t)
{
	if (t == NULL)
		return;
	tokens_list_free(&t->list);
	pthread_mutex_destroy(&t->mu);
	util_wipe(t->local_hash, sizeof(t->local_hash));
	free(t->path);
	free(t);
}

enum tokens_role
tokens_lookup(struct tokens *t, const char *presented, char *name,
    size_t namelen)
{
	enum tokens_role role = TOKENS_NONE;
	const struct tokens_entry *hit = NULL;
	char h[65];
	size_t i;

	util_strlcpy(name, namelen, "-");
	if (t == NULL || presented == NULL || presented[0] == '\0')
		return TOKENS_NONE;
	tokens_hash(presented, h);
	pthread_mutex_lock(&t->mu);
	tokens_refresh(t, 0);
	/* every hash compared, in constant time: no early exit */
	if (t->local_hash[0] != '\0' && util_streq_ct(h, t->local_hash)) {
		util_strlcpy(name, namelen, TOKENS_LOCAL);
		role = TOKENS_ADMIN;
	}
	for (i = 0; i < t->list.n; i++)
		if (util_streq_ct(h, t->list.v[i].hash) && hit == NULL)
			hit = &t->list.v[i];
	if (hit != NULL && role == TOKENS_NONE) {
		util_strlcpy(name, namelen, hit->name);
		role = hit->role;
	}
	pthread_mutex_unlock(&t->mu);
	util_wipe(h, sizeof(h));
	return role;
}
