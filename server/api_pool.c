/* api_pool.c — the rolling-upgrade endpoints of the admin API (/pools); see
 * api.h. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_int.h"
#include "coord.h"
#include "util.h"

/* {"dry_run": bool, "disable_ha": bool}; missing body = all false. */
static int
api_pool_parse_upgrade_body(const struct api_request *rq, struct coord_opts *o,
    struct api_response *rs)
{
	json_error_t jerr;
	json_t *j, *v;
	const char *key;

	memset(o, 0, sizeof(*o));
	if (rq->body == NULL || rq->body_len == 0)
		return 0;
	if ((j = json_loadb(rq->body, rq->body_len, 0, &jerr)) == NULL) {
		api_error(rs, 400, "request body is not JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_error(rs, 400, "request body must be a JSON object");
		return -1;
	}
	json_object_foreach(j, key, v) {
		int *dst = strcmp(key, "dry_run") == 0 ? &o->dry_run :
		    strcmp(key, "disable_ha") == 0 ? &o->disable_ha : NULL;

		if (dst == NULL || !json_is_boolean(v)) {
			api_error(rs, 400, "unknown or non-boolean field \"%.32s\" "
			    "(allowed: dry_run, disable_ha)", key);
			json_decref(j);
			return -1;
		}
		*dst = json_is_true(v);
	}
	json_decref(j);
	return 0;
}

/* /pools[/NAME[/precheck|upgrade|retry|abort]] */
void
api_pool_handle(const struct api_deps *deps, const struct api_request *rq,
    char **segs, size_t n, struct api_response *rs)
{
	const char *m = rq->method ? rq->method : "";
	int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
	struct coord_opts o;
	char *json = NULL;
	int status;

	if (deps->coord == NULL) {
		api_error(rs, 503, "rolling upgrades are not available");
		return;
	}
	if (n > 3 || (n >= 2 && (!util_valid_name(segs[1]) ||
	    config_pool(deps->cfg, segs[1]) == NULL))) {
		if (n >= 2 && n <= 3)
			api_error(rs, 404, "no pool named \"%.64s\" in the "
			    "configuration", segs[1]);
		else
			api_error(rs, 404, "no such API endpoint");
		return;
	}
	if (n <= 2) {
		if (!get) {
			api_error(rs, 405, "method %.16s not allowed here (use "
			    "GET)", m);
			return;
		}
		status = coord_status(deps->coord, n == 2 ? segs[1] : NULL, &json);
	} else {
		if (!post) {
			api_error(rs, 405, "method %.16s not allowed here (use "
			    "POST)", m);
			return;
		}
		if (strcmp(segs[2], "precheck") == 0)
			status = coord_precheck(deps->coord, segs[1], &json);
		else if (strcmp(segs[2], "upgrade") == 0) {
			if (api_pool_parse_upgrade_body(rq, &o, rs) == -1)
				return;
			status = coord_upgrade(deps->coord, segs[1], &o, &json);
		} else if (strcmp(segs[2], "retry") == 0)
			status = coord_retry(deps->coord, segs[1], &json);
		else if (strcmp(segs[2], "abort") == 0)
			status = coord_abort(deps->coord, segs[1], &json);
		else {
			api_error(rs, 404, "no such API endpoint");
			return;
		}
	}
	rs->status = status;
	rs->body = json;
}
