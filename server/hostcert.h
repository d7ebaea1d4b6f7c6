/* hostcert.h — the XAPI identity poolboot gives a host that it installs
 * and then joins to a pool (a rebuild, or an install with join =), so
 * that it knows who it sends the pool's password to.
 *
 * Per arming, a new RSA-2048 key and a self-signed SHA-256 certificate
 * (what xapi's own gencert makes: CN and subjectAltName the host's name
 * and address, ten years). arm.c hands them to the installer once,
 * through the arming's token; a filesystem-populated script installs them
 * in the new root as /etc/xensource/xapi-ssl.pem, the key and certificate
 * XAPI serves (and does not replace when the file is there). The jobs
 * (job_step.c) then log in to the new install only with that
 * certificate's SHA-256 pinned (xapi.h tls_fingerprint).
 *
 * Files under state_dir/hostcert/ (0700), for inventory host H:
 *   H.pem  the key, then the certificate (PEM), 0600: from the arming
 *          until it is handed out, the install ends (callback, disarm,
 *          loop guard) or the job ends. Overwritten with zeros before it
 *          is unlinked.
 *   H.pin  "<token hash> <SHA-256 of the certificate, 64 hex>\n", 0600:
 *          binds the certificate to the arming whose token has that
 *          SHA-256; kept until the job is done or aborted (its xapi and
 *          join steps need it, also after a restart).
 * The key reaches no log line, event, store row or answerfile.
 *
 * Functions touching one host's files must not run concurrently for that
 * host: arm.c calls them under its mutex, a job only for its own host
 * once the install is over. A host name is an inventory name
 * (util_valid_name), so it is safe in a file name.
 */
#ifndef POOLBOOT_HOSTCERT_H
#define POOLBOOT_HOSTCERT_H

#include <stddef.h>

#include "config.h"

#define HOSTCERT_DIR	"hostcert"	/* under state_dir */

/* What an arming's certificate is. */
enum hostcert_state {
	HOSTCERT_NONE = 0,	/* this arming has none */
	HOSTCERT_READY,		/* made, waiting for the installer */
	HOSTCERT_GONE		/* handed out or dropped: only the pin is left */
};

struct hostcert;

/* Makes a new key and certificate for h (slow: an RSA key; call it
 * outside any lock). 0 with *out (free with hostcert_free, which wipes
 * the key; NULL is fine), or -1 with err. */
int   hostcert_new(const struct host *h, struct hostcert **out, char *err,
	    size_t errlen);
void  hostcert_free(struct hostcert *hc);
/* Writes hc as host's, bound to the arming whose token hashes to
 * token_hash (64 hex), replacing any of an earlier arming. fp_out gets the
 * certificate's SHA-256 as "AB:CD:..." (public: for the operator's
 * event). 0, or -1 with err. */
int   hostcert_save(const struct config *cfg, const char *host,
	    const struct hostcert *hc, const char *token_hash, char fp_out[96],
	    char *err, size_t errlen);

/* The state of host's certificate for the arming token_hash, in *out.
 * 0, or -1 when the files cannot be read (logged). */
int   hostcert_state(const struct config *cfg, const char *host,
	    const char *token_hash, enum hostcert_state *out);

/* Hands out host's key and certificate for the arming token_hash once:
 * *pem (malloc'd, *len bytes; the caller wipes and frees it) is read, then
 * the file is wiped. 0; 1 when there is nothing to hand out (state not
 * HOSTCERT_READY); -1 with err. */
int   hostcert_take(const struct config *cfg, const char *host,
	    const char *token_hash, char **pem, size_t *len, char *err,
	    size_t errlen);

/* The SHA-256 pin of host's certificate as 64 hex digits. 0; 1 when host
 * has none; -1 with err (an unreadable or malformed pin file). */
int   hostcert_pin(const struct config *cfg, const char *host,
	    char pin[65], char *err, size_t errlen);

/* A number that changes after every change this process makes to a pin
 * file (hostcert_save, hostcert_forget): whether a host has a pin for an
 * arming (hostcert_state NONE or not) read while it was g stays true
 * while it is g, if g was read before the state. serve is the only
 * writer of state_dir while it runs (state_dir/serve.lock). */
unsigned long hostcert_generation(void);

/* Wipes host's key (the pin stays). Nothing there is fine. */
void  hostcert_drop_key(const struct config *cfg, const char *host);
/* Wipes host's key and pin. Nothing there is fine. */
void  hostcert_forget(const struct config *cfg, const char *host);

#endif
