/* config_secret.c — see config_secret.h. */
#include "config_secret.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_SECRET_MAX_SIZE	4096

/*
 * Reports a secret whose first line is empty (an empty file too): the
 * password read from it would be "", and serve would fail to log in.
 * Only the first bytes are read; nothing of the secret is kept.
 */
static int
config_secret_first_line(struct config_ini *ini, int line, const char *what,
    const char *path)
{
	char buf[2];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		config_ini_err(ini, line, "%s '%s' is not readable: %s", what,
		    path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, 1, fp);
	fclose(fp);
	if (n == 0 || buf[0] == '\n' || buf[0] == '\r') {
		config_ini_err(ini, line, "%s '%s' is empty%s: write the "
		    "secret on its first line", what, path,
		    n == 0 ? "" : " (its first line is)");
		return -1;
	}
	return 0;
}

/* config_secret_check without the no_passwords exception. */
static int
config_secret_check_file(struct config_ini *ini, int line, const char *what,
    const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1) {
		config_ini_err(ini, line, "%s '%s': %s", what, path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		config_ini_err(ini, line, "%s '%s' is not a regular file", what,
		    path);
		return -1;
	}
	if (access(path, R_OK) == -1) {
		config_ini_err(ini, line, "%s '%s' is not readable: %s", what,
		    path, strerror(errno));
		return -1;
	}
	if (sb.st_mode & 0077)
		config_ini_warn(ini, line, "%s '%s' is readable by other users "
		    "(chmod 600 it)", what, path);
	return config_secret_first_line(ini, line, what, path);
}

int
config_secret_check(struct config_ini *ini, int line, const char *what,
    const char *path)
{
	if (ini->no_passwords)
		return 0;
	return config_secret_check_file(ini, line, what, path);
}

/*
 * root_password_file: hashes its first line with crypt(3) SHA-512 ($6$)
 * once per file. A line that already is a $6$ or $5$ crypt hash is used as
 * it is. The plaintext is wiped as soon as it is hashed.
 */
char *
config_secret_hash(struct config_ini *ini, struct config_secret_cache *cache,
    int line, const char *path)
{
	struct crypt_data *cd = NULL;
	char *text = NULL, *salt = NULL, *res = NULL, *h;
	size_t len, i;

	if (ini->no_root_hash)
		return NULL;
	for (i = 0; i < cache->files.n; i++)
		if (strcmp(cache->files.v[i], path) == 0)
			return strdup(cache->hashes.v[i]);
	if (config_secret_check_file(ini, line, "root_password_file",
	    path) == -1)
		goto out;
	text = util_read_file(path, CONFIG_SECRET_MAX_SIZE, &len);
	if (text == NULL) {
		if (errno == EFBIG)
			config_ini_err(ini, line, "root_password_file '%s' is "
			    "larger than %d bytes; it should hold one line",
			    path, CONFIG_SECRET_MAX_SIZE);
		goto out;
	}
	text[strcspn(text, "\r\n")] = '\0';
	if (text[0] == '\0') {
		config_ini_err(ini, line, "root_password_file '%s' is empty",
		    path);
		goto out;
	}
	if (strncmp(text, "$6$", 3) == 0 || strncmp(text, "$5$", 3) == 0) {
		if (!config_ini_chars(text, "$./", 512)) {
			config_ini_err(ini, line, "root_password_file '%s' "
			    "starts like a crypt hash but is not one", path);
			goto out;
		}
		res = strdup(text);
	} else {
		if ((salt = crypt_gensalt_ra("$6$", 0, NULL, 0)) == NULL ||
		    (cd = calloc(1, sizeof(*cd))) == NULL) {
			config_ini_err(ini, line, "cannot hash "
			    "root_password_file '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		h = crypt_r(text, salt, cd);
		if (h == NULL || h[0] != '$') {
			config_ini_err(ini, line, "cannot hash "
			    "root_password_file '%s'", path);
			goto out;
		}
		res = strdup(h);
	}
	if (res != NULL) {
		strlist_add(&cache->files, path);
		strlist_add(&cache->hashes, res);
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

int
config_secret_same_hash(const char *path, const char *hash)
{
	struct crypt_data *cd = NULL;
	char *text = NULL, *h;
	size_t len;
	int same = 0;

	if (path == NULL || hash == NULL ||
	    (text = util_read_file(path, CONFIG_SECRET_MAX_SIZE, &len)) == NULL)
		return 0;
	text[strcspn(text, "\r\n")] = '\0';
	if (text[0] != '\0' && strcmp(text, hash) == 0)
		same = 1;
	else if (text[0] != '\0' && hash[0] == '$' &&
	    (cd = calloc(1, sizeof(*cd))) != NULL &&
	    (h = crypt_r(text, hash, cd)) != NULL)
		same = strcmp(h, hash) == 0;
	util_wipe(text, strlen(text));
	free(text);
	if (cd != NULL) {
		util_wipe(cd, sizeof(*cd));
		free(cd);
	}
	return same;
}

void
config_secret_cache_free(struct config_secret_cache *cache)
{
	size_t i;

	for (i = 0; i < cache->hashes.n; i++)
		util_wipe(cache->hashes.v[i], strlen(cache->hashes.v[i]));
	strlist_free(&cache->files);
	strlist_free(&cache->hashes);
}
