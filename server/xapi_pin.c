/* xapi_pin.c — the certificate pin of a XAPI connection: parsing the
 * configured fingerprint, hashing a peer certificate, formatting a
 * fingerprint for the operator; see xapi_pin.h. The check itself runs in
 * xapi.c's libcurl callback (see the comment at the top of xapi.c). */
#include "xapi_pin.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static int
xapi_pin_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 64 hex digits, optionally separated by ':' (openssl's format). */
int
xapi_pin_parse(const char *s, unsigned char pin[32])
{
	size_t n = 0;
	int hi, lo;

	while (*s != '\0') {
		if (*s == ':') {
			s++;
			continue;
		}
		if (n == 32 ||
		    (hi = xapi_pin_hexval((unsigned char)s[0])) < 0 ||
		    (lo = xapi_pin_hexval((unsigned char)s[1])) < 0)
			return -1;
		pin[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n == 32 ? 0 : -1;
}

void
xapi_pin_format(const unsigned char fp[32], char out[96])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < 32; i++) {
		if (i > 0)
			out[o++] = ':';
		out[o++] = hex[fp[i] >> 4];
		out[o++] = hex[fp[i] & 15];
	}
	out[o] = '\0';
}

/* SHA-256 of the DER certificate held in a "Cert:" PEM entry. */
int
xapi_pin_pem_sha256(const char *pem, unsigned char md[32])
{
	BIO *bio;
	X509 *cert = NULL;
	unsigned int mdlen = 0;
	int ret = -1;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return -1;
	if ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		goto out;
	ret = 0;
out:
	X509_free(cert);
	BIO_free(bio);
	return ret;
}
