/* fuzz_hostroute.c — the installer's requests: a request target as
 * libmicrohttpd hands it over (percent-decoded), routed by http.c's
 * http_route into host, token and callback result, then answered by arm
 * (answerfile, script, callback), against a real store and tftp-root
 * with host h1 armed.
 *
 * Input: one byte (bit 0: POST, else GET), then the request target. "@T"
 * in the target becomes h1's current token, so that the fuzzer can reach
 * what only a host that knows its token reaches (fetch counts, the loop
 * guard, the callback); h1 is armed again when its token is retired.
 *
 * Invariants: nothing is ever served (ARM_OK) for a token that is not
 * h1's current one, nor for another host; a served answerfile passes
 * render_validate_answerfile; a callback that is accepted retires the
 * token (a second one is ARM_GONE).
 *
 * http.c is included for its static router, as in fuzz_path.c.
 */
#include "fuzz_server.h"

#include "../../server/http.c"

#include "render.h"

static struct fuzz_server fs;
static char token[UTIL_TOKEN_LEN + 1];

static void
rearm(void)
{
	char err[256];

	FUZZ_ASSERT(arm_host(fs.arm, "h1", 0, token, err, sizeof(err)) ==
	    ARM_OK, "arm h1: %s", err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_start(&fs);
	rearm();
	return 0;
}

/* The target with each "@T" replaced by h1's token (caller frees). */
static char *
expand(const uint8_t *data, size_t size)
{
	char *out = malloc(size * (UTIL_TOKEN_LEN / 2) + 1), *o = out;
	size_t i;

	if (out == NULL)
		exit(1);
	for (i = 0; i < size; i++) {
		if (data[i] == '@' && i + 1 < size && data[i + 1] == 'T') {
			memcpy(o, token, UTIL_TOKEN_LEN);
			o += UTIL_TOKEN_LEN;
			i++;
		} else
			*o++ = (char)data[i];
	}
	*o = '\0';
	return out;
}

static void
serve(const struct http_route_match *m, const char *method)
{
	const char *host = m->segs[1], *tok;
	enum arm_status st, again;
	char *body = NULL, err[256];
	size_t len = 0;
	int owner, result;

	tok = m->missing_token ? NULL : m->segs[2];
	owner = tok != NULL && strcmp(host, "h1") == 0 &&
	    strcmp(tok, token) == 0;
	if (!http_method_ok(m->route, method))
		return;
	if (m->route == HTTP_REQ_ANSWERFILE) {
		st = arm_get_answerfile(fs.arm, host, tok, &body, &len);
		if (st == ARM_OK)
			FUZZ_ASSERT(render_validate_answerfile(body, len,
			    MODE_UPGRADE, 1, err, sizeof(err)) == 0,
			    "served answerfile invalid: %s", err);
	} else if (m->route == HTTP_REQ_SCRIPT) {
		st = arm_get_script(fs.arm, host, tok, &body, &len);
	} else {
		result = tok != NULL && m->segs[4][0] == '1';
		st = tok == NULL ? ARM_FORBIDDEN :
		    arm_callback(fs.arm, host, tok, result);
		if (st == ARM_OK) {
			again = arm_callback(fs.arm, host, tok, result);
			FUZZ_ASSERT(again == ARM_GONE, "second callback: %d",
			    (int)again);
		}
	}
	free(body);
	FUZZ_ASSERT(st != ARM_OK || owner, "served %s to a request without "
	    "h1's token (host %s)", m->route == HTTP_REQ_CALLBACK ?
	    "a callback" : "a file", host);
	if (owner && (st == ARM_GONE || st == ARM_LOOP_GUARD ||
	    (st == ARM_OK && m->route == HTTP_REQ_CALLBACK)))
		rearm();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_route_match m;
	char *path;

	if (size < 1 || size > 4096)
		return 0;
	path = expand(data + 1, size - 1);
	MHD_http_unescape(path);
	http_route(path, &m);
	if (m.route == HTTP_REQ_ANSWERFILE || m.route == HTTP_REQ_SCRIPT ||
	    m.route == HTTP_REQ_CALLBACK)
		serve(&m, (data[0] & 1) ? "POST" : "GET");
	free(path);
	return 0;
}
