/* fuzz_api.c — the admin API's request parsing and answers (api_handle:
 * routing under /api/v1, the JSON bodies, the query parameters) with a
 * fuzzed method, path, query and body, against a real store, tftp-root
 * and arm (no coordinator and no jobs: those routes answer 503).
 *
 * Input: one byte choosing the method, then the path, a newline, the
 * query ("k=v&k=v"), a newline and the body (the rest, bytes as sent).
 *
 * Invariants: every answer has a known status and a body that is one
 * JSON object (an "error" string in it for 4xx and 5xx); no answer ever
 * holds the root password hash; the store stays usable.
 */
#include "fuzz_server.h"

#include <jansson.h>

#include "api.h"

static struct fuzz_server fs;
static struct api_deps deps;
static char hash[] = FUZZ_ROOT_HASH;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_start(&fs);
	hash[strcspn(hash, "\n")] = '\0';
	deps.cfg = fs.cfg;
	deps.st = fs.st;
	deps.arm = fs.arm;
	return 0;
}

/* "k=v&k=v" lookups, as libmicrohttpd's argument lookup gives them. */
static const char *
query(void *qctx, const char *key)
{
	static char val[256];
	const char *q = qctx, *amp, *eq;
	size_t kl = strlen(key), vl;

	while (q != NULL && *q != '\0') {
		amp = strchr(q, '&');
		eq = strchr(q, '=');
		if (eq != NULL && (amp == NULL || eq < amp) &&
		    (size_t)(eq - q) == kl && strncmp(q, key, kl) == 0) {
			vl = amp != NULL ? (size_t)(amp - eq - 1) : strlen(eq + 1);
			if (vl >= sizeof(val))
				vl = sizeof(val) - 1;
			memcpy(val, eq + 1, vl);
			val[vl] = '\0';
			return val;
		}
		q = amp != NULL ? amp + 1 : NULL;
	}
	return NULL;
}

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE",
    "HEAD", "PATCH", "OPTIONS", "get" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_request rq = { 0 };
	struct api_response rs = { 0 };
	json_t *j;
	json_error_t jerr;
	char *in, *nl, *q;
	size_t plen;

	if (size < 1 || size > 16384)
		return 0;
	in = fuzz_cstr(data + 1, size - 1);
	rq.method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	rq.path = in;
	q = "";
	rq.body = NULL;
	if ((nl = memchr(in, '\n', size - 1)) != NULL) {
		*nl = '\0';
		q = nl + 1;
		plen = (size_t)(nl - in) + 1;
		if ((nl = memchr(q, '\n', size - 1 - plen)) != NULL) {
			*nl = '\0';
			rq.body = nl + 1;
			rq.body_len = size - 1 - (size_t)(rq.body - in);
		}
	}
	rq.query = query;
	rq.qctx = q;
	api_handle(&deps, &rq, &rs);
	FUZZ_ASSERT(rs.body != NULL, "no body");
	FUZZ_ASSERT(rs.status == 200 || rs.status == 201 || rs.status == 202 ||
	    (rs.status >= 400 && rs.status <= 405) || rs.status == 409 ||
	    rs.status == 413 || rs.status == 500 || rs.status == 502 ||
	    rs.status == 503, "status %d", rs.status);
	/* (an input may hold it too: answers quote bad names back) */
	FUZZ_ASSERT(strstr(rs.body, hash) == NULL ||
	    memmem(data, size, hash, strlen(hash)) != NULL,
	    "the root password hash in an answer");
	j = json_loads(rs.body, JSON_REJECT_DUPLICATES, &jerr);
	FUZZ_ASSERT(j != NULL, "answer is not JSON: %s", jerr.text);
	FUZZ_ASSERT(json_is_object(j) || (rs.status == 200 && json_is_array(j)),
	    "answer is not an object");
	if (rs.status >= 400)
		FUZZ_ASSERT(json_is_string(json_object_get(j, "error")),
		    "error answer without \"error\"");
	json_decref(j);
	free(rs.body);
	free(in);
	return 0;
}
