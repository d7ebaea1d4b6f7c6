/* power_redfish.h — power = redfish: a one-time network boot and a reset
 * through the host's BMC's Redfish API (DMTF DSP0266, ComputerSystem
 * schema), over HTTPS with libcurl and JSON with jansson.
 *
 * Owns the conversation with one BMC for one power action: the service
 * root, a session (SessionService, X-Auth-Token, deleted at the end) or
 * HTTP basic auth when the service has none, finding the ComputerSystem,
 * the PATCH of its Boot override (If-Match with its ETag), and the
 * #ComputerSystem.Reset action. TLS is verified against the system CAs or
 * redfish_tls_ca, or pinned (redfish_tls_fingerprint, SHA-256 of the
 * certificate, checked before any byte of a request is sent), or off when
 * redfish_tls_verify = no. The password is read from
 * redfish_password_file for each action and is never logged or put in a
 * message. Blocking; every request has a connect and a total timeout.
 */
#ifndef POOLBOOT_POWER_REDFISH_H
#define POOLBOOT_POWER_REDFISH_H

#include <stddef.h>

#include "inventory.h"

/* Makes h boot from the network once: PATCHes the system's Boot with
 * BootSourceOverrideEnabled Once, target Pxe (UefiHttp with redfish_boot =
 * http) and the mode h's firmware says (bios: Legacy, uefi: UEFI, auto:
 * none, except UEFI for UefiHttp), then resets it: ForceRestart (or
 * PowerCycle, GracefulRestart, whichever the BMC allows) when it is on,
 * On (or ForceOn) when it is off. timeout_s bounds each request. 0 with
 * err saying what was done, or -1 with err naming the BMC, the request's
 * path, the HTTP status and the BMC's own message. */
int   power_redfish_pxe_boot(const struct host *h, int timeout_s, char *err,
	    size_t errlen);

/* *on = 1 when the system's PowerState is On (or PoweringOn), 0 when it
 * is Off (or PoweringOff). 0 (err says "system power is On"), or -1 as
 * power_redfish_pxe_boot. */
int   power_redfish_status(const struct host *h, int timeout_s, int *on,
	    char *err, size_t errlen);

/* ---- pure parts, exported for the unit tests ---- */

/* The PATCH body for the one-time override, compact JSON (caller frees),
 * NULL when out of memory. */
char *power_redfish_boot_body(enum host_firmware fw, int http);

/* The ResetType to POST: for a system that is on, the first of
 * ForceRestart, PowerCycle, GracefulRestart that allowed holds; for one
 * that is off, On or ForceOn. allowed NULL: the BMC lists no
 * AllowableValues (ForceRestart or On). NULL when none is allowed.
 * Static strings. */
const char *power_redfish_reset_type(int on, const char *const allowed[],
	    size_t nallowed);

/* The message of a Redfish error body: error.@Message.ExtendedInfo[0].
 * Message, else error.message, as one line of printable ASCII; "" when
 * body is no Redfish error. */
void  power_redfish_error_message(const char *body, char *out,
	    size_t outlen);

#endif
