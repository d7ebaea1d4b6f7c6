/* hostcert.c — a new install's XAPI key and certificate, handed out once,
 * and its pin; see hostcert.h. OpenSSL's libcrypto makes the key and the
 * certificate; the PEM of the key only ever lives in secure-heap BIOs and
 * buffers that are wiped. */
#include "hostcert.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "util.h"

#define HOSTCERT_BITS		2048	/* xapi's gencert; xapi takes 2048-4096 */
#define HOSTCERT_DAYS		3650L	/* xapi's gencert: ten years */
#define HOSTCERT_PEM_MAX	(16 * 1024)
#define HOSTCERT_PIN_LEN	(64 + 1 + 64 + 1)	/* "hash pin\n" */

/* hostcert_generation's number: one more after every change of a pin. */
static unsigned long hostcert_gen;

/* A pin was written or removed: a state read before is stale. */
static void
hostcert_changed(void)
{
	__atomic_add_fetch(&hostcert_gen, 1, __ATOMIC_SEQ_CST);
}

unsigned long
hostcert_generation(void)
{
	return __atomic_load_n(&hostcert_gen, __ATOMIC_SEQ_CST);
}

/* state_dir/hostcert/host.ext into path; -1 if it does not fit. */
static int
hostcert_path(const struct config *cfg, const char *host, const char *ext,
    char path[PATH_MAX])
{
	int n;

	if (!util_valid_name(host))
		return -1;
	if (ext == NULL)
		n = snprintf(path, PATH_MAX, "%s/%s", cfg->state_dir,
		    HOSTCERT_DIR);
	else
		n = snprintf(path, PATH_MAX, "%s/%s/%s.%s", cfg->state_dir,
		    HOSTCERT_DIR, host, ext);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* Overwrites path with zeros, then unlinks it. Best effort: a journaling
 * or copy-on-write file system may keep old blocks; the file was 0600 in
 * a 0700 folder throughout. */
static void
hostcert_wipe_file(const char *path)
{
	static const char zero[512];
	struct stat sb;
	off_t left;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) != -1) {
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
			for (left = sb.st_size; left > 0; left -= n) {
				n = write(fd, zero, left < (off_t)sizeof(zero) ?
				    (size_t)left : sizeof(zero));
				if (n <= 0)
					break;
			}
			(void)fsync(fd);
		}
		close(fd);
	}
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("hostcert", "cannot remove %s: %s", path,
		    strerror(errno));
}

/* The subjectAltName of h: its address and its host name. */
static int
hostcert_add_san(X509 *x, const struct host *h)
{
	GENERAL_NAMES *gens;
	GENERAL_NAME *g = NULL;
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING *dns;
	int ret = -1;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		return -1;
	if (h->ip != NULL && (ip = a2i_IPADDRESS(h->ip)) != NULL) {
		if ((g = GENERAL_NAME_new()) == NULL) {
			ASN1_OCTET_STRING_free(ip);
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		if (sk_GENERAL_NAME_push(gens, g) == 0)
			goto out;
		g = NULL;
	}
	if (h->hostname != NULL) {
		if ((dns = ASN1_IA5STRING_new()) == NULL)
			goto out;
		if ((g = GENERAL_NAME_new()) == NULL ||
		    ASN1_STRING_set(dns, h->hostname, -1) != 1) {
			ASN1_IA5STRING_free(dns);
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, dns);
		if (sk_GENERAL_NAME_push(gens, g) == 0)
			goto out;
		g = NULL;
	}
	if (sk_GENERAL_NAME_num(gens) > 0 && X509_add1_ext_i2d(x,
	    NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	ret = 0;
out:
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	return ret;
}

/* A self-signed certificate for h with key pk: CN its host name (else its
 * address, else its inventory name), a random serial, valid from a day
 * ago (clocks differ) for HOSTCERT_DAYS, SHA-256. NULL on failure. */
static X509 *
hostcert_x509(const struct host *h, EVP_PKEY *pk)
{
	const char *cn = h->hostname ? h->hostname : h->ip ? h->ip : h->name;
	unsigned char serial[16];
	X509_NAME *name;
	BIGNUM *bn = NULL;
	X509 *x;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;	/* a positive serial */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400L) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), HOSTCERT_DAYS * 86400L) ==
	    NULL || X509_set_pubkey(x, pk) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    hostcert_add_san(x, h) == -1 ||
	    X509_sign(x, pk, EVP_sha256()) <= 0)
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

/* The key (PKCS#8) and then the certificate as PEM, in a malloc'd buffer
 * (*len bytes, NUL-terminated; the caller wipes and frees it). */
static char *
hostcert_pem(EVP_PKEY *pk, X509 *x, size_t *len)
{
	BIO *bio;
	BUF_MEM *bm = NULL;
	char *out = NULL;

	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return NULL;
	if (PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509(bio, x) != 1 ||
	    BIO_get_mem_ptr(bio, &bm) != 1 || bm == NULL ||
	    (out = malloc(bm->length + 1)) == NULL)
		goto out;
	memcpy(out, bm->data, bm->length);
	out[bm->length] = '\0';
	*len = bm->length;
out:
	BIO_free(bio);		/* a secure-heap BIO is cleared when freed */
	return out;
}

struct hostcert {
	char	*pem;			/* key and certificate */
	size_t	 len;
	unsigned char md[32];		/* SHA-256 of the certificate */
};

int
hostcert_new(const struct host *h, struct hostcert **out, char *err,
    size_t errlen)
{
	struct hostcert *hc;
	unsigned int mdlen = 0;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	int ret = -1;

	*out = NULL;
	if ((hc = calloc(1, sizeof(*hc))) == NULL ||
	    (pk = EVP_RSA_gen(HOSTCERT_BITS)) == NULL ||
	    (x = hostcert_x509(h, pk)) == NULL ||
	    X509_digest(x, EVP_sha256(), hc->md, &mdlen) != 1 || mdlen != 32 ||
	    (hc->pem = hostcert_pem(pk, x, &hc->len)) == NULL) {
		snprintf(err, errlen, "host %s: OpenSSL cannot make a key and "
		    "certificate for its new install", h->name);
		goto out;
	}
	*out = hc;
	hc = NULL;
	ret = 0;
out:
	hostcert_free(hc);
	X509_free(x);
	EVP_PKEY_free(pk);	/* clears the key */
	return ret;
}

void
hostcert_free(struct hostcert *hc)
{
	if (hc == NULL)
		return;
	if (hc->pem != NULL)
		util_wipe(hc->pem, hc->len);
	free(hc->pem);
	free(hc);
}

int
hostcert_save(const struct config *cfg, const char *host,
    const struct hostcert *hc, const char *token_hash, char fp_out[96],
    char *err, size_t errlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char dir[PATH_MAX], pem_path[PATH_MAX], pin_path[PATH_MAX];
	char pin[HOSTCERT_PIN_LEN + 1];
	size_t i, o;

	if (strlen(token_hash) != 64 ||
	    hostcert_path(cfg, host, NULL, dir) == -1 ||
	    hostcert_path(cfg, host, "pem", pem_path) == -1 ||
	    hostcert_path(cfg, host, "pin", pin_path) == -1) {
		snprintf(err, errlen, "host %s: bad host name or state_dir "
		    "path too long for its certificate", host);
		return -1;
	}
	if (util_mkdirs(dir, 0700) == -1 || chmod(dir, 0700) == -1) {
		snprintf(err, errlen, "cannot create %s (0700): %s", dir,
		    strerror(errno));
		return -1;
	}
	for (i = 0, o = 0; i < 32; i++) {
		if (i > 0)
			fp_out[o++] = ':';
		fp_out[o++] = hex[hc->md[i] >> 4];
		fp_out[o++] = hex[hc->md[i] & 15];
	}
	fp_out[o] = '\0';
	o = (size_t)snprintf(pin, sizeof(pin), "%s ", token_hash);
	for (i = 0; i < 32; i++) {
		pin[o++] = hex[hc->md[i] >> 4];
		pin[o++] = hex[hc->md[i] & 15];
	}
	pin[o++] = '\n';
	pin[o] = '\0';
	/* the key first: a pin without its key reads as "handed out", never
	 * as "made" */
	if (util_write_atomic(pem_path, hc->pem, hc->len, 0600) == -1 ||
	    util_write_atomic(pin_path, pin, o, 0600) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", dir,
		    strerror(errno));
		hostcert_wipe_file(pem_path);
		hostcert_changed();
		return -1;
	}
	hostcert_changed();
	return 0;
}

/* Reads host's pin file: 0 with its token hash and pin, 1 none, -1 bad. */
static int
hostcert_read_pin(const struct config *cfg, const char *host,
    char hash[65], char pin[65])
{
	char path[PATH_MAX], *text;
	size_t len = 0, i;
	int ret = -1;

	if (hostcert_path(cfg, host, "pin", path) == -1)
		return -1;
	if ((text = util_read_file(path, HOSTCERT_PIN_LEN + 16, &len)) ==
	    NULL)
		return errno == ENOENT ? 1 : -1;
	if (len != HOSTCERT_PIN_LEN || text[64] != ' ' || text[129] != '\n')
		goto out;
	for (i = 0; i < 129; i++)
		if (i != 64 && strchr("0123456789abcdefABCDEF", text[i]) ==
		    NULL)
			goto out;
	memcpy(hash, text, 64);
	hash[64] = '\0';
	memcpy(pin, text + 65, 64);
	pin[64] = '\0';
	ret = 0;
out:
	free(text);
	return ret;
}

int
hostcert_state(const struct config *cfg, const char *host,
    const char *token_hash, enum hostcert_state *out)
{
	char hash[65], pin[65], path[PATH_MAX];
	int rc;

	*out = HOSTCERT_NONE;
	if ((rc = hostcert_read_pin(cfg, host, hash, pin)) == -1) {
		log_error("hostcert", "host %s: cannot read its certificate "
		    "pin under %s/%s", host, cfg->state_dir, HOSTCERT_DIR);
		return -1;
	}
	if (rc == 1 || !util_streq_ct(hash, token_hash))
		return 0;
	if (hostcert_path(cfg, host, "pem", path) == -1)
		return -1;
	*out = access(path, F_OK) == 0 ? HOSTCERT_READY : HOSTCERT_GONE;
	return 0;
}

int
hostcert_take(const struct config *cfg, const char *host,
    const char *token_hash, char **pem, size_t *len, char *err,
    size_t errlen)
{
	enum hostcert_state s;
	char path[PATH_MAX];

	*pem = NULL;
	*len = 0;
	if (hostcert_state(cfg, host, token_hash, &s) == -1) {
		snprintf(err, errlen, "cannot read the certificate pin");
		return -1;
	}
	if (s != HOSTCERT_READY)
		return 1;
	if (hostcert_path(cfg, host, "pem", path) == -1 ||
	    (*pem = util_read_file(path, HOSTCERT_PEM_MAX, len)) == NULL) {
		snprintf(err, errlen, "cannot read %s/%s/%s.pem: %s",
		    cfg->state_dir, HOSTCERT_DIR, host, strerror(errno));
		return -1;
	}
	/* gone before anyone is sent it: at most once, even after a crash */
	hostcert_wipe_file(path);
	return 0;
}

int
hostcert_pin(const struct config *cfg, const char *host, char pin[65],
    char *err, size_t errlen)
{
	char hash[65];
	int rc;

	if ((rc = hostcert_read_pin(cfg, host, hash, pin)) == -1)
		snprintf(err, errlen, "%s/%s/%s.pin is unreadable or malformed",
		    cfg->state_dir, HOSTCERT_DIR, host);
	return rc;
}

void
hostcert_drop_key(const struct config *cfg, const char *host)
{
	char path[PATH_MAX];

	if (hostcert_path(cfg, host, "pem", path) == 0 &&
	    access(path, F_OK) == 0)
		hostcert_wipe_file(path);
}

void
hostcert_forget(const struct config *cfg, const char *host)
{
	char path[PATH_MAX];

	hostcert_drop_key(cfg, host);
	if (hostcert_path(cfg, host, "pin", path) == 0 &&
	    unlink(path) == -1 && errno != ENOENT)
		log_warn("hostcert", "cannot remove %s: %s", path,
		    strerror(errno));
	hostcert_changed();
}
