/* xapi_pin.h — the SHA-256 certificate pin of a XAPI connection
 * (tls_fingerprint): parsing the configured value, hashing the leaf
 * certificate a peer shows, and formatting a fingerprint for the
 * operator. Pure functions, no state; the check that uses them runs in
 * xapi.c before any byte of a request is sent. */
#ifndef POOLBOOT_XAPI_PIN_H
#define POOLBOOT_XAPI_PIN_H

/* Parses 64 hex digits (either case), optionally separated by ':' (as
 * openssl prints them), into pin: 0, or -1 if s is not such a value. */
int   xapi_pin_parse(const char *s, unsigned char pin[32]);
/* SHA-256 of the DER form of the certificate in pem (the "Cert:" entry of
 * libcurl's CURLINFO_CERTINFO): 0, or -1 if pem holds no certificate. */
int   xapi_pin_pem_sha256(const char *pem, unsigned char md[32]);
/* Formats fp as "AB:CD:..." (95 characters and the NUL) into out. */
void  xapi_pin_format(const unsigned char fp[32], char out[96]);

#endif
