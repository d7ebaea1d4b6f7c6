/* fuzz_xmlrpc.c — the XML-RPC response decoder (xr_parse_response) on
 * arbitrary bytes, as a hostile or broken XAPI would send them, and what
 * the client does next with a reply: the Status/Value/ErrorDescription
 * lookups, xapi_error_fill on the description, and encoding the decoded
 * value again (xr_build_call).
 *
 * Invariants: 0 comes with a tree and -1 with none and a reason; every
 * node of the tree is well formed (known type, strings and struct keys
 * present, counts matching); the error message stays NUL-terminated.
 */
#include "fuzz.h"

#include "log.h"
#include "xapi_error.h"
#include "xmlrpc.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_verbosity(-1);
	return 0;
}

/* Checks the tree below v; returns its node count. */
static size_t
check_tree(const struct xr_value *v, int depth)
{
	size_t i, n = 1;

	FUZZ_ASSERT(v != NULL, "NULL node");
	FUZZ_ASSERT(depth < 10000, "tree deeper than the input");
	switch (v->type) {
	case XR_STRING:
	case XR_DATETIME:
	case XR_BASE64:
		FUZZ_ASSERT(v->s != NULL, "string node without a string");
		(void)strlen(v->s);
		break;
	case XR_ARRAY:
		FUZZ_ASSERT(v->n == 0 || v->items != NULL, "array items");
		for (i = 0; i < v->n; i++)
			n += check_tree(v->items[i], depth + 1);
		break;
	case XR_STRUCT:
		FUZZ_ASSERT(v->n == 0 || (v->items != NULL && v->keys != NULL),
		    "struct members");
		for (i = 0; i < v->n; i++) {
			FUZZ_ASSERT(v->keys[i] != NULL, "struct key");
			FUZZ_ASSERT(xr_get(v, v->keys[i]) != NULL,
			    "member %s not found by its key", v->keys[i]);
			n += check_tree(v->items[i], depth + 1);
		}
		break;
	case XR_NIL:
	case XR_INT:
	case XR_BOOL:
	case XR_DOUBLE:
		break;
	default:
		FUZZ_ASSERT(0, "unknown type %d", (int)v->type);
	}
	return n;
}

/* What xapi.c reads from a reply. */
static void
use_reply(struct xr_value *r)
{
	struct xapi_error xe;
	const struct xr_value *desc;
	char *call;
	size_t len = 0;
	int64_t i64;

	(void)xr_get_str(r, "Status");
	(void)xr_get_bool(r, "Value", 0);
	(void)xr_get_int(r, "Value", &i64);
	desc = xr_get(r, "ErrorDescription");
	xapi_error_fill(&xe, desc);
	FUZZ_ASSERT(memchr(xe.message, '\0', sizeof(xe.message)) != NULL,
	    "message not terminated");
	FUZZ_ASSERT(xe.nparams >= 0 && xe.nparams <= XAPI_MAX_PARAMS,
	    "nparams %d", xe.nparams);
	call = xr_build_call("event.from", &r, 1, &len);
	if (call != NULL)
		FUZZ_ASSERT(strlen(call) == len, "xr_build_call length");
	free(call);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_value *r = (struct xr_value *)&r;
	char err[256];

	err[0] = 'x';
	err[sizeof(err) - 1] = 'x';
	if (xr_parse_response((const char *)data, size, &r, err,
	    sizeof(err)) == 0) {
		FUZZ_ASSERT(r != NULL, "0 without a value");
		(void)check_tree(r, 0);
		use_reply(r);
		xr_free(r);
	} else {
		FUZZ_ASSERT(r == NULL, "-1 with a value");
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL,
		    "err not terminated");
	}
	return 0;
}
