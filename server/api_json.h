/* api_json.h — the JSON pieces every part of the admin API uses (api.c:
 * routing, hosts, arming, events; api_pool.c: /pools; api_job.c: /jobs):
 * strings that are always valid UTF-8, answers and errors. Not for the
 * rest of the server: api.h is the API's contract.
 */
#ifndef POOLBOOT_API_JSON_H
#define POOLBOOT_API_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct api_request;
struct api_response;

/* A JSON string from s; bytes that are not valid UTF-8 become '?'. */
json_t *api_json_str(const char *s);
json_t *api_json_str_or_null(const char *s);		/* null for NULL or "" */
json_t *api_json_time_or_null(int64_t t);		/* null for 0 */

/* Sets rs to status and doc serialised (indented, with a trailing
 * newline); takes doc's reference. Out of memory: 500. */
void  api_json_set(struct api_response *rs, int status, json_t *doc);
/* The same without the trailing newline (the /pools and /jobs answers). */
void  api_json_set_plain(struct api_response *rs, int status, json_t *doc);
/* Sets rs to status and {"error": message}. */
void  api_json_error(struct api_response *rs, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* {"wipe": bool}; missing body = 0. -1 with rs set to the 400 answer. */
int   api_json_wipe_body(const struct api_request *rq, int *wipe,
	    struct api_response *rs);

/* The query parameter key as an integer in [min, max] into *v: 0 (v
 * untouched when the parameter is absent or empty), or -1 with a 400
 * naming the parameter and the range set in rs. */
int   api_json_query_int(const struct api_request *rq, const char *key,
	    int64_t min, int64_t max, int64_t *v, struct api_response *rs);

#endif
