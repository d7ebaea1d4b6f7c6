/* client.h — the CLI's side of the admin API (libcurl): commands that
 * change state go through the running server, which is the one writer.
 * Also the admin token file, shared by the server and the CLI, and
 * libcurl's process-wide set-up (the only other user of libcurl, xapi.c,
 * relies on it). */
#ifndef POOLBOOT_CLIENT_H
#define POOLBOOT_CLIENT_H

#include "config.h"

/* Sends method path (e.g. "/api/v1/hosts/h1/arm") with an optional JSON
 * body to the server's admin listener (cfg's admin_listen; HTTPS checked
 * against admin_tls_cert when that is set), with the token
 * client_set_token_file describes (by default the admin token read from
 * cfg->admin_token_file). *status gets the HTTP status and *resp the
 * body (caller frees). Returns -1 when the server cannot be reached, with
 * a message for the operator in err. */
int   client_request(const struct config *cfg, const char *method,
	    const char *path, const char *json_body, long *status,
	    char **resp, char *err, size_t errlen);

/* Reads (creating it 0600 with a fresh random token if create != 0 and it
 * does not exist) the admin token. Returns malloc'd token or NULL. */
char *client_admin_token(const struct config *cfg, int create, char *err,
	    size_t errlen);

/* The token client_request sends: $POOLBOOT_TOKEN when set, else the
 * first line of path (--token-file; NULL: none; kept, not copied), else
 * the admin token file's (the token named "local"). */
void  client_set_token_file(const char *path);

/* libcurl's process-wide set-up: client_global_init once before any
 * thread starts (and before any request, here or in xapi.c);
 * client_global_cleanup once at exit, after the last request. */
void  client_global_init(void);
void  client_global_cleanup(void);

/* The version of the libcurl in use, e.g. "7.88.1"; static, not freed. */
const char *client_curl_version(void);

#endif
