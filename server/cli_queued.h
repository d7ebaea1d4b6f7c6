/* cli_queued.h — a command's action queued by the server for another
 * site's instance (HTTP 202 with "queued": ID, api_site.h): the command
 * says so, waits a few seconds for that instance to carry it out (GET
 * /api/v1/site-actions/ID) and prints how it went (cli_queued.c).
 */
#ifndef POOLBOOT_CLI_QUEUED_H
#define POOLBOOT_CLI_QUEUED_H

#include <stddef.h>

struct config;
struct json_t;

/* 1 when reply (a 202's) says the action was queued, else 0. */
int   cli_queued_is(struct json_t *reply);

/* Prints "ACTION of TARGET queued for site S's instance (action N)",
 * then its result once that instance has it (asking cfg's server, for
 * about 5 seconds): 0 done and accepted (or not done yet: it says where
 * to look), 1 refused (the instance's message and HTTP status on
 * stderr), -1 the server could not be asked (err, not printed). With
 * json: the action's document (GET /api/v1/site-actions/ID) instead, or
 * the reply when it could not be read. */
int   cli_queued_show(const struct config *cfg, int json,
	    const char *action, struct json_t *reply, char *err,
	    size_t errlen);

#endif
