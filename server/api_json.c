/* api_json.c — see api_json.h. */
#include "api_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_types.h"

/* A JSON string from s; bytes that are not valid UTF-8 become '?' so that
 * one odd byte in an event message cannot break the whole answer. */
json_t *
api_json_str(const char *s)
{
	json_t *j;
	char *copy;
	size_t i;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* NULL for "" */
json_t *
api_json_str_or_null(const char *s)
{
	return (s == NULL || s[0] == '\0') ? json_null() : api_json_str(s);
}

json_t *
api_json_time_or_null(int64_t t)
{
	return t == 0 ? json_null() : json_integer((json_int_t)t);
}

void
api_json_set(struct api_response *rs, int status, json_t *doc)
{
	char *s = NULL;

	if (doc != NULL)
		s = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (s == NULL) {
		rs->status = 500;
		rs->body = strdup("{\"error\": \"out of memory\"}\n");
		return;
	}
	/* a trailing newline is kinder to curl users */
	{
		size_t n = strlen(s);
		char *t = realloc(s, n + 2);

		if (t != NULL) {
			t[n] = '\n';
			t[n + 1] = '\0';
			s = t;
		}
	}
	rs->status = status;
	rs->body = s;
}

void
api_json_set_plain(struct api_response *rs, int status, json_t *doc)
{
	char *s = NULL;

	if (doc != NULL)
		s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (s == NULL) {
		rs->status = 500;
		rs->body = strdup("{\"error\": \"out of memory\"}\n");
		return;
	}
	rs->status = status;
	rs->body = s;
}

void
api_json_error(struct api_response *rs, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_json_set(rs, status, json_pack("{s:o}", "error", api_json_str(msg)));
}

/* Body of POST .../arm: nothing, or {"wipe": true|false}. */
int
api_json_wipe_body(const struct api_request *rq, int *wipe,
    struct api_response *rs)
{
	json_error_t jerr;
	json_t *doc, *v;
	const char *key;
	size_t i;
	int ret = -1;

	*wipe = 0;
	if (rq->body == NULL || rq->body_len == 0)
		return 0;
	for (i = 0; i < rq->body_len; i++)
		if (rq->body[i] != ' ' && rq->body[i] != '\t' &&
		    rq->body[i] != '\r' && rq->body[i] != '\n')
			break;
	if (i == rq->body_len)
		return 0;
	doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (doc == NULL) {
		api_json_error(rs, 400, "invalid JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_object(doc)) {
		api_json_error(rs, 400, "the body must be a JSON object such as "
		    "{\"wipe\": true}");
		goto out;
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "wipe") == 0) {
			if (!json_is_boolean(v)) {
				api_json_error(rs, 400, "\"wipe\" must be true or "
				    "false");
				goto out;
			}
			*wipe = json_is_true(v);
		} else {
			api_json_error(rs, 400, "unknown field \"%.64s\" (only "
			    "\"wipe\" is accepted)", key);
			goto out;
		}
	}
	ret = 0;
out:
	json_decref(doc);
	return ret;
}

int
api_json_query_int(const struct api_request *rq, const char *key, int64_t min,
    int64_t max, int64_t *v, struct api_response *rs)
{
	const char *s = rq->query ? rq->query(rq->qctx, key) : NULL;
	long long x;
	char *end;

	if (s == NULL || s[0] == '\0')
		return 0;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == ' ' ||
	    x < min || x > max) {
		api_json_error(rs, 400, "bad value for parameter %s: expected an "
		    "integer from %" PRId64 " to %" PRId64, key, min, max);
		return -1;
	}
	*v = (int64_t)x;
	return 0;
}
