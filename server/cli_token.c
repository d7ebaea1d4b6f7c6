/* cli_token.c — poolboot token add|list|remove; see cli_token.h. */
#include "cli_token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli_usage.h"
#include "tokens.h"
#include "util.h"

static const char cli_token_header[] =
    "# poolboot named admin tokens: NAME ROLE SHA256-of-the-token\n"
    "# (ROLE admin or read-only). Made by 'poolboot token add NAME';\n"
    "# the tokens themselves are not kept anywhere.\n";

/* Takes an exclusive lock on path.lock (created 0600) for a
 * read-modify-write of path: the fd (close it to unlock), or -1 with err. */
static int
cli_token_lock(const char *path, char *err, size_t errlen)
{
	char *lp = NULL, *dir, *slash;
	int fd = -1;

	if ((dir = strdup(path)) != NULL && (slash = strrchr(dir, '/')) !=
	    NULL && slash != dir) {
		*slash = '\0';
		if (util_mkdirs(dir, 0700) == -1)
			snprintf(err, errlen, "cannot create folder %s: %s",
			    dir, strerror(errno));
	}
	free(dir);
	if (asprintf(&lp, "%s.lock", path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) ==
	    -1 || flock(fd, LOCK_EX) == -1) {
		snprintf(err, errlen, "cannot lock %s: %s", lp,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	free(lp);
	return fd;
}

/* The file's text ("" when it does not exist; caller frees) and its
 * entries; -1 with err when it cannot be read or has a problem (the
 * first one named: fix it before it is rewritten). */
static int
cli_token_read(const char *path, char **text, struct tokens_list *list,
    char *err, size_t errlen)
{
	struct strlist errors = { 0 };
	int ret = -1;

	memset(list, 0, sizeof(*list));
	if ((*text = util_read_file(path, TOKENS_FILE_MAX, NULL)) == NULL) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if ((*text = strdup("")) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (tokens_parse(path, *text, list, &errors) == -1) {
		snprintf(err, errlen, "%s (fix the file first; poolboot check "
		    "lists every problem)", errors.n > 0 ? errors.v[0] :
		    "out of memory");
		goto out;
	}
	ret = 0;
out:
	strlist_free(&errors);
	if (ret == -1) {
		free(*text);
		*text = NULL;
		tokens_list_free(list);
	}
	return ret;
}

/* Writes text to path (atomic, 0600) owned like the file it replaces, or
 * a new one like its folder (so that a root operator leaves it readable
 * by the user serve runs as). 0, or -1 with err. */
static int
cli_token_write(const char *path, const char *text, char *err,
    size_t errlen)
{
	struct stat sb;
	char *dir, *slash;
	int have;

	have = stat(path, &sb) == 0;
	if (!have && (dir = strdup(path)) != NULL) {
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
			*slash = '\0';
		have = stat(dir, &sb) == 0;
		free(dir);
	}
	if (util_write_atomic(path, text, strlen(text), 0600) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (have && geteuid() == 0 && chown(path, sb.st_uid, sb.st_gid) == -1)
		fprintf(stderr, "poolboot: warning: cannot give %s to uid %ld: "
		    "%s\n", path, (long)sb.st_uid, strerror(errno));
	return 0;
}

static int
cli_token_add(const struct cli_opts *o, const char *path, const char *name)
{
	struct tokens_list list;
	enum tokens_role role = o->read_only ? TOKENS_READ_ONLY : TOKENS_ADMIN;
	char tok[UTIL_TOKEN_LEN + 1], hash[65], err[1024];
	char *text = NULL, *nt = NULL;
	int fd, ret = CLI_EXIT_FAIL;
	json_t *doc;

	if (!util_valid_name(name) || strcmp(name, TOKENS_LOCAL) == 0)
		return cli_usage_error(o->cmd, o->json,
		    "add: '%s' is not a "
		    "token name (letters, digits, .-_, at most 63; 'local' is "
		    "the admin token file's)", name);
	tok[0] = '\0';
	if ((fd = cli_token_lock(path, err, sizeof(err))) == -1)
		return cli_fail(o, CLI_EXIT_FAIL, "%s", err);
	if (cli_token_read(path, &text, &list, err, sizeof(err)) == -1) {
		cli_fail(o, CLI_EXIT_FAIL, "%s", err);
		goto out;
	}
	if (tokens_find(&list, name) != NULL) {
		cli_fail(o, CLI_EXIT_FAIL, "there is a token named '%s' in %s "
		    "already (line %d): remove it first (poolboot token remove "
		    "%s) or choose another name", name, path,
		    tokens_find(&list, name)->line, name);
		goto out;
	}
	if (util_random_token(tok) == -1) {
		cli_fail(o, CLI_EXIT_FAIL, "cannot make a random token: %s",
		    strerror(errno));
		goto out;
	}
	tokens_hash(tok, hash);
	if (asprintf(&nt, "%s%s%s%s %s %s\n", text[0] == '\0' ?
	    cli_token_header : "", text, text[0] != '\0' &&
	    text[strlen(text) - 1] != '\n' ? "\n" : "", name,
	    tokens_role_name(role), hash) < 0) {
		nt = NULL;
		cli_fail(o, CLI_EXIT_FAIL, "out of memory");
		goto out;
	}
	if (cli_token_write(path, nt, err, sizeof(err)) == -1) {
		cli_fail(o, CLI_EXIT_FAIL, "%s", err);
		goto out;
	}
	if (o->json) {
		doc = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "role",
		    tokens_role_name(role), "file", path, "token", tok);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else
		printf("token '%s' (%s) added to %s; a running poolboot serve "
		    "takes it at once.\nThe token, shown only this once (keep "
		    "it like a password):\n\n  %s\n\nUse it with the CLI: "
		    "export POOLBOOT_TOKEN=<the token>, or save it in a file "
		    "(mode 600)\nand give --token-file FILE; with the API and "
		    "the dashboard: Authorization: Bearer <the token>.\n",
		    name, tokens_role_name(role), path, tok);
	ret = 0;
out:
	util_wipe(tok, sizeof(tok));
	tokens_list_free(&list);
	free(text);
	free(nt);
	close(fd);
	return ret;
}

/* text without the lines naming name (comments and the rest kept):
 * caller frees; *found set when there was one. */
static char *
cli_token_without(const char *text, const char *name, int *found)
{
	struct sbuf b = { .max = TOKENS_FILE_MAX + 1 };
	const char *p = text, *e, *w;
	size_t len, nl = strlen(name);

	*found = 0;
	while (*p != '\0') {
		e = strchr(p, '\n');
		len = e != NULL ? (size_t)(e - p) + 1 : strlen(p);
		for (w = p; *w == ' ' || *w == '\t'; w++)
			;
		if (strncmp(w, name, nl) == 0 && (w[nl] == ' ' ||
		    w[nl] == '\t'))
			*found = 1;
		else
			sbuf_append(&b, p, len);
		p += len;
	}
	return sbuf_take(&b);
}

static int
cli_token_remove(const struct cli_opts *o, const char *path,
    const char *name, const struct config *cfg)
{
	struct tokens_list list;
	char err[1024], *text = NULL, *nt = NULL;
	int fd, found = 0, ret = CLI_EXIT_FAIL;

	if (strcmp(name, TOKENS_LOCAL) == 0)
		return cli_fail(o, CLI_EXIT_FAIL, "token 'local' is the admin "
		    "token file %s, not a line of %s: to replace it, delete "
		    "that file and restart poolboot serve (it makes a new one)",
		    cfg->admin_token_file, path);
	if ((fd = cli_token_lock(path, err, sizeof(err))) == -1)
		return cli_fail(o, CLI_EXIT_FAIL, "%s", err);
	if (cli_token_read(path, &text, &list, err, sizeof(err)) == -1) {
		cli_fail(o, CLI_EXIT_FAIL, "%s", err);
		goto out;
	}
	if ((nt = cli_token_without(text, name, &found)) == NULL || !found) {
		cli_fail(o, CLI_EXIT_FAIL, "no token named '%s' in %s (poolboot "
		    "token list shows them)", name, path);
		goto out;
	}
	if (cli_token_write(path, nt, err, sizeof(err)) == -1) {
		cli_fail(o, CLI_EXIT_FAIL, "%s", err);
		goto out;
	}
	if (o->json) {
		json_t *doc = json_pack("{s:s, s:s}", "removed", name, "file",
		    path);

		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else
		printf("token '%s' removed from %s; a running poolboot serve "
		    "refuses it from its next request on\n", name, path);
	ret = 0;
out:
	tokens_list_free(&list);
	free(text);
	free(nt);
	close(fd);
	return ret;
}

static int
cli_token_list(const struct cli_opts *o, const char *path,
    const struct config *cfg)
{
	struct strlist errors = { 0 };
	struct tokens_list list;
	json_t *arr, *doc;
	size_t i;
	int have_local = access(cfg->admin_token_file, F_OK) == 0;
	int rc = tokens_load(path, &list, &errors);

	if (o->json) {
		arr = json_array();
		if (have_local)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}",
			    "name", TOKENS_LOCAL, "role", "admin", "file",
			    cfg->admin_token_file));
		for (i = 0; i < list.n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, "
			    "s:i}", "name", list.v[i].name, "role",
			    tokens_role_name(list.v[i].role), "file", path,
			    "line", list.v[i].line));
		doc = json_pack("{s:o, s:o}", "tokens", arr, "problems",
		    json_array());
		for (i = 0; i < errors.n; i++)
			json_array_append_new(json_object_get(doc, "problems"),
			    json_string(errors.v[i]));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else {
		printf("%-20s %-10s %s\n", "NAME", "ROLE", "WHERE");
		printf("%-20s %-10s %s%s\n", TOKENS_LOCAL, "admin",
		    cfg->admin_token_file, have_local ? "" :
		    " (not made yet: poolboot serve makes it)");
		for (i = 0; i < list.n; i++)
			printf("%-20s %-10s %s:%d\n", list.v[i].name,
			    tokens_role_name(list.v[i].role), path,
			    list.v[i].line);
	}
	for (i = 0; i < errors.n; i++)
		fprintf(stderr, "%s\n", errors.v[i]);
	strlist_free(&errors);
	tokens_list_free(&list);
	return rc == 0 ? 0 : CLI_EXIT_FAIL;
}

int
cli_token(const struct cli_opts *o, int n, char **args)
{
	struct config *cfg;
	int ret;

	if (strcmp(args[0], "list") == 0 ? n != 1 :
	    (strcmp(args[0], "add") == 0 || strcmp(args[0], "remove") == 0) ?
	    n != 2 : 1)
		return cli_usage_error(o->cmd, o->json,
		    "want 'token list', 'token add NAME "
		    "[--read-only]' or 'token remove NAME'");
	if (o->read_only && strcmp(args[0], "add") != 0)
		return cli_usage_error(o->cmd, o->json,
		    "option '--read-only' is only for "
		    "token add");
	if ((cfg = cli_config(o)) == NULL)
		return CLI_EXIT_FAIL;
	if (strcmp(args[0], "list") == 0)
		ret = cli_token_list(o, cfg->admin_tokens_file, cfg);
	else if (strcmp(args[0], "add") == 0)
		ret = cli_token_add(o, cfg->admin_tokens_file, args[1]);
	else
		ret = cli_token_remove(o, cfg->admin_tokens_file, args[1], cfg);
	config_free(cfg);
	return ret;
}
