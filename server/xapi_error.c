/* xapi_error.c — filling a struct xapi_error; see xapi_error.h. */
#include "xapi_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xmlrpc.h"

void
xapi_error_set(struct xapi_error *err, int transport, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->transport = transport;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* A XAPI error without a server reply behind it (e.g. TASK_TIMEOUT). */
void
xapi_error_set_code(struct xapi_error *err, const char *code, const char *param)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->code, sizeof(err->code), "%s", code);
	if (param != NULL) {
		snprintf(err->params[0], sizeof(err->params[0]), "%s", param);
		err->nparams = 1;
		snprintf(err->message, sizeof(err->message), "%s [%s]", code,
		    param);
	} else
		snprintf(err->message, sizeof(err->message), "%s", code);
}

/* Appends s to err->message, keeping it terminated when it is full. */
static void
xapi_error_msg_add(struct xapi_error *err, const char *s)
{
	size_t have = strlen(err->message);

	if (have + 1 < sizeof(err->message))
		snprintf(err->message + have, sizeof(err->message) - have, "%s",
		    s);
}

/* err from an ErrorDescription-style array of strings: [CODE, params...]. */
void
xapi_error_fill(struct xapi_error *err, const struct xr_value *desc)
{
	const struct xr_value *it;
	char num[32];
	const char *s;
	size_t i;

	memset(err, 0, sizeof(*err));
	if (desc == NULL || desc->type != XR_ARRAY || desc->n == 0 ||
	    (s = xr_str(desc->items[0])) == NULL || s[0] == '\0') {
		snprintf(err->code, sizeof(err->code), "UNKNOWN_ERROR");
		snprintf(err->message, sizeof(err->message), "UNKNOWN_ERROR "
		    "(the reply has no error description)");
		return;
	}
	snprintf(err->code, sizeof(err->code), "%s", s);
	for (i = 1; i < desc->n && err->nparams < XAPI_MAX_PARAMS; i++) {
		it = desc->items[i];
		if (it->type == XR_INT) {
			snprintf(num, sizeof(num), "%lld", (long long)it->i);
			s = num;
		} else if ((s = xr_str(it)) == NULL)
			s = "?";
		snprintf(err->params[err->nparams], sizeof(err->params[0]),
		    "%s", s);
		err->nparams++;
	}
	xapi_error_msg_add(err, err->code);
	if (err->nparams == 0)
		return;
	xapi_error_msg_add(err, " [");
	for (i = 0; i < (size_t)err->nparams; i++) {
		if (i > 0)
			xapi_error_msg_add(err, ", ");
		xapi_error_msg_add(err, err->params[i]);
	}
	xapi_error_msg_add(err, "]");
}

int
xapi_error_is(const struct xapi_error *err, const char *code)
{
	return !err->transport && strcmp(err->code, code) == 0;
}
