/* xapi_error.h — what a failed XAPI call reports (struct xapi_error, part
 * of the public face of the XAPI client: xapi.h includes this header), and
 * the helpers with which the client's own files (xapi.c, xapi_task.c) fill
 * it. Other modules read a struct xapi_error and print it with
 * xapi_strerror (xapi.h); they do not call the helpers below.
 *
 * Either a XAPI error (code + params, e.g. HOST_OFFLINE [ref]) or a
 * transport failure (transport = 1: connection refused, timeout, TLS,
 * malformed reply). message is always NUL-terminated.
 */
#ifndef POOLBOOT_XAPI_ERROR_H
#define POOLBOOT_XAPI_ERROR_H

#define XAPI_MAX_PARAMS 8

struct xr_value;

struct xapi_error {
	int	 transport;		/* 1: no usable reply at all */
	char	 code[64];		/* e.g. "HOST_IS_SLAVE"; "" if transport */
	char	 params[XAPI_MAX_PARAMS][256];
	int	 nparams;
	char	 message[768];		/* "CODE [p1, p2]" or transport reason */
};

/* Clears err and sets message from fmt; transport as given, no code. */
void  xapi_error_set(struct xapi_error *err, int transport,
	    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clears err and makes it the XAPI error code (param: its one parameter,
 * or NULL) without a server reply behind it, e.g. TASK_TIMEOUT; message
 * "CODE [param]". */
void  xapi_error_set_code(struct xapi_error *err, const char *code,
	    const char *param);
/* Clears err and fills it from an ErrorDescription-style array of strings
 * [CODE, params...] (integers are printed; at most XAPI_MAX_PARAMS
 * params). A missing or empty description gives UNKNOWN_ERROR. */
void  xapi_error_fill(struct xapi_error *err, const struct xr_value *desc);
/* 1 if err is the XAPI error code (never for a transport failure). */
int   xapi_error_is(const struct xapi_error *err, const char *code);

#endif
