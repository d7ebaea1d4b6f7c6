/* rules.c — upgrade-path rules and version order; see rules.h. */
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One line of the file: FROM and TO patterns, the advice of a deny. */
struct rules_rule {
	int	 allow;
	char	 from_brand[64];	/* "": any brand of the same product */
	char	 from[64];
	char	 to_brand[64];
	char	 to[64];
	char	 advice[256];
	int	 line;
};

struct rules {
	char	*path;
	struct rules_rule *v;
	size_t	 n;
};

int
rules_version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		char *ea, *eb;
		unsigned long na, nb;

		na = isdigit((unsigned char)*a) ? strtoul(a, &ea, 10) : 0;
		if (!isdigit((unsigned char)*a))
			ea = (char *)(uintptr_t)a;
		nb = isdigit((unsigned char)*b) ? strtoul(b, &eb, 10) : 0;
		if (!isdigit((unsigned char)*b))
			eb = (char *)(uintptr_t)b;
		if (na != nb)
			return na < nb ? -1 : 1;
		/* non-numeric rest of a part: compare as text */
		while (*ea != '\0' && *ea != '.' && *eb != '\0' && *eb != '.') {
			if (*ea != *eb)
				return (unsigned char)*ea < (unsigned char)*eb ?
				    -1 : 1;
			ea++;
			eb++;
		}
		if (*ea != '\0' && *ea != '.')
			return 1;
		if (*eb != '\0' && *eb != '.')
			return -1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
	}
	return 0;
}

/* "7.0.*" matches 7.0 and 7.0.x...; "7.1.1" matches 7.1.1 (and 7.1.1.0). */
static int
rules_pattern_match_one(const char *pat, const char *v)
{
	size_t pl = strlen(pat);

	if (pl >= 2 && strcmp(pat + pl - 2, ".*") == 0) {
		char base[64];

		if (pl - 2 >= sizeof(base))
			return 0;
		memcpy(base, pat, pl - 2);
		base[pl - 2] = '\0';
		if (strncmp(v, base, pl - 2) == 0 &&
		    (v[pl - 2] == '\0' || v[pl - 2] == '.'))
			return 1;
		return 0;
	}
	if (strcmp(pat, "*") == 0)
		return 1;
	return rules_version_cmp(pat, v) == 0;
}

/* A single pattern, or A..B (v >= A and (v <= B or v matches B)). */
static int
rules_pattern_match(const char *pat, const char *v)
{
	const char *dots = strstr(pat, "..");
	char lo[64], hi[64];
	size_t ll;

	if (dots == NULL)
		return rules_pattern_match_one(pat, v);
	ll = (size_t)(dots - pat);
	if (ll >= sizeof(lo) || strlen(dots + 2) >= sizeof(hi))
		return 0;
	memcpy(lo, pat, ll);
	lo[ll] = '\0';
	snprintf(hi, sizeof(hi), "%s", dots + 2);
	if (!rules_pattern_match_one(lo, v)) {
		char base[64];
		size_t bl = strlen(lo);

		snprintf(base, sizeof(base), "%s", lo);
		if (bl >= 2 && strcmp(base + bl - 2, ".*") == 0)
			base[bl - 2] = '\0';
		if (rules_version_cmp(v, base) < 0)
			return 0;
	}
	if (rules_pattern_match_one(hi, v))
		return 1;
	{
		char base[64];
		size_t hl = strlen(hi);

		snprintf(base, sizeof(base), "%s", hi);
		if (hl >= 2 && strcmp(base + hl - 2, ".*") == 0) {
			/* not in the wildcard's prefix: below it, or above */
			base[hl - 2] = '\0';
			return rules_version_cmp(v, base) < 0;
		}
		return rules_version_cmp(v, base) <= 0;
	}
}

static int
rules_valid_pattern(const char *p)
{
	size_t i;

	/* a version starts with a digit (or is a wildcard); a word that
	 * starts with a letter is a brand */
	if (!isdigit((unsigned char)*p) && *p != '*')
		return 0;
	for (i = 0; p[i] != '\0'; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '.' && p[i] != '*' &&
		    p[i] != '-' && p[i] != '_')
			return 0;
	return 1;
}

/* ---- product brands --------------------------------------------------- */

/* Brands as XAPI reports them (host software_version product_brand) and
 * as an ISO's .treeinfo names them, with the product family each belongs
 * to. XenServer's own lineage is one product across its renames: XenServer
 * up to 7.6, Citrix Hypervisor 8.0-8.2 CU1, XenServer again from XenServer
 * 8 (8.4). */
static const struct {
	const char *brand;
	const char *family;
} rules_brands[] = {
	{ "XenServer",		"XenServer" },
	{ "Citrix Hypervisor",	"XenServer" },
	{ "Citrix XenServer",	"XenServer" },
	{ "XCP-ng",		"XCP-ng" },
};

const char *
rules_brand_family(const char *brand)
{
	size_t i;

	if (brand == NULL || *brand == '\0')
		return NULL;
	for (i = 0; i < sizeof(rules_brands) / sizeof(rules_brands[0]); i++)
		if (strcasecmp(rules_brands[i].brand, brand) == 0)
			return rules_brands[i].family;
	return brand;
}

int
rules_same_product(const char *a, const char *b)
{
	const char *fa = rules_brand_family(a), *fb = rules_brand_family(b);

	return fa == NULL || fb == NULL || strcasecmp(fa, fb) == 0;
}

/* The advice for from_brand -> to_brand, two different products. */
static void
rules_cross_advice(const char *from_brand, const char *to_brand, char *err,
    size_t errlen)
{
	const char *ff = rules_brand_family(from_brand);
	const char *tf = rules_brand_family(to_brand);

	if (strcmp(ff, "XCP-ng") == 0 && strcmp(tf, "XenServer") == 0)
		snprintf(err, errlen, "an XCP-ng pool is upgraded with an XCP-ng "
		    "ISO, and this repo is %s: point the pool's repo at an "
		    "XCP-ng ISO. XenServer documents upgrades from its own "
		    "releases only (\"Upgrade from Citrix Hypervisor 8.2 "
		    "Cumulative Update 1\", https://docs.xenserver.com/en-us/"
		    "xenserver/8/install/upgrade); to move to XenServer, install "
		    "it fresh on emptied hosts and move the VMs across", to_brand);
	else if (strcmp(ff, "XenServer") == 0 && strcmp(tf, "XCP-ng") == 0)
		snprintf(err, errlen, "a %s pool is upgraded with a XenServer "
		    "ISO, and this repo is XCP-ng: point the pool's repo at a "
		    "XenServer ISO. Converting a XenServer pool to XCP-ng is a "
		    "migration with its own checks (clustering off, xapi not "
		    "newer than XCP-ng's): see XCP-ng's \"Upgrade from "
		    "XenServer\", https://docs.xcp-ng.org/installation/upgrade"
		    "#upgrade-from-xenserver; poolboot does not do it",
		    from_brand);
	else
		snprintf(err, errlen, "a %s pool is upgraded with a %s ISO, and "
		    "this repo is %s: point the pool's repo at a %s ISO",
		    from_brand, ff, to_brand, ff);
}

int
rules_brand_check(const char *from_brand, const char *to_brand, char *err,
    size_t errlen)
{
	char advice[768];

	if (rules_same_product(from_brand, to_brand))
		return 1;
	rules_cross_advice(from_brand, to_brand, advice, sizeof(advice));
	snprintf(err, errlen, "%s -> %s is a change of product, not an "
	    "upgrade: %s", from_brand, to_brand, advice);
	return 0;
}

/* ---- the rules file ---------------------------------------------------- */

/* The next token of *pp into buf: a word (up to a blank or ':') or a
 * "quoted string" (*quoted set). 1 a token, 0 none left before ':' or the
 * end, -1 an unterminated quote or a token longer than len - 1. */
static int
rules_token(const char **pp, char *buf, size_t len, int *quoted)
{
	const char *p = *pp, *e;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	*pp = p;
	*quoted = 0;
	if (*p == '\0' || *p == ':')
		return 0;
	if (*p == '"') {
		if ((e = strchr(p + 1, '"')) == NULL)
			return -1;
		n = (size_t)(e - p - 1);
		p++;
		*quoted = 1;
	} else {
		e = p + strcspn(p, " \t:");
		n = (size_t)(e - p);
	}
	if (n >= len)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*pp = *quoted ? e + 1 : e;
	return 1;
}

/* One side of a rule, "[BRAND] VERSION", into brand (maybe "") and ver.
 * 0, or -1 when malformed. */
static int
rules_parse_side(const char **pp, char *brand, size_t blen, char *ver,
    size_t vlen)
{
	char tok[128];
	int q, r;

	*brand = '\0';
	if ((r = rules_token(pp, tok, sizeof(tok), &q)) != 1)
		return -1;
	if (q || isalpha((unsigned char)tok[0])) {
		if (tok[0] == '\0' || strlen(tok) >= blen)
			return -1;
		snprintf(brand, blen, "%s", tok);
		if ((r = rules_token(pp, tok, sizeof(tok), &q)) != 1 || q)
			return -1;
	}
	if (!rules_valid_pattern(tok) || strlen(tok) >= vlen)
		return -1;
	snprintf(ver, vlen, "%s", tok);
	return 0;
}

/* Parses one rule line into ru: 0; -1 with why (the caller adds
 * file:line). */
static int
rules_parse_line(const char *line, struct rules_rule *ru, char *why,
    size_t whylen)
{
	const char *p = line;
	char tok[128];
	int q;

	memset(ru, 0, sizeof(*ru));
	if (rules_token(&p, tok, sizeof(tok), &q) != 1 || q ||
	    (strcmp(tok, "allow") != 0 && strcmp(tok, "deny") != 0))
		goto syntax;
	ru->allow = strcmp(tok, "allow") == 0;
	if (rules_parse_side(&p, ru->from_brand, sizeof(ru->from_brand),
	    ru->from, sizeof(ru->from)) == -1 ||
	    rules_token(&p, tok, sizeof(tok), &q) != 1 || q ||
	    strcmp(tok, "->") != 0 ||
	    rules_parse_side(&p, ru->to_brand, sizeof(ru->to_brand), ru->to,
	    sizeof(ru->to)) == -1)
		goto syntax;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == ':') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		snprintf(ru->advice, sizeof(ru->advice), "%s", p);
	} else if (*p != '\0')
		goto syntax;
	if (ru->from_brand[0] && ru->to_brand[0] &&
	    !rules_same_product(ru->from_brand, ru->to_brand)) {
		snprintf(why, whylen, "'%s' and '%s' are different products: "
		    "poolboot never upgrades one into the other (it refuses "
		    "that by itself); remove the line", ru->from_brand,
		    ru->to_brand);
		return -1;
	}
	return 0;
syntax:
	snprintf(why, whylen, "expected 'allow [BRAND] FROM -> [BRAND] TO' or "
	    "'deny [BRAND] FROM -> [BRAND] TO : advice' (a BRAND of more than "
	    "one word in double quotes)");
	return -1;
}

int
rules_load(const char *path, struct rules **out, struct strlist *errors)
{
	struct rules *r = NULL;
	char line[1024];
	FILE *f = NULL;
	int lineno = 0, bad = 0, ret = -1;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errors != NULL)
			strlist_addf(errors, "%s: cannot open the upgrade-path "
			    "rules: %s", path, strerror(errno));
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->path = strdup(path)) ==
	    NULL)
		goto out;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct rules_rule ru, *nv;
		char why[256];
		const char *p = line;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (rules_parse_line(p, &ru, why, sizeof(why)) == -1) {
			if (errors != NULL)
				strlist_addf(errors, "%s:%d: %s", path, lineno,
				    why);
			bad = 1;
			continue;
		}
		if ((nv = realloc(r->v, (r->n + 1) * sizeof(*nv))) == NULL)
			goto out;
		r->v = nv;
		ru.line = lineno;
		r->v[r->n++] = ru;
	}
	if (bad)
		goto out;
	*out = r;
	r = NULL;
	ret = 0;
out:
	if (f != NULL)
		fclose(f);
	rules_free(r);
	return ret;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r->path);
	free(r);
}

/* Whether a rule side's brand matches brand: a side without one matches
 * any, one with a brand matches its product family only (and never an
 * unknown brand). */
static int
rules_brand_match(const char *side, const char *brand)
{
	const char *fs, *fb;

	if (*side == '\0')
		return 1;
	if ((fb = rules_brand_family(brand)) == NULL)
		return 0;
	fs = rules_brand_family(side);
	return strcasecmp(fs, fb) == 0;
}

/* "BRAND VERSION" as a rule line spells it, in buf. */
static const char *
rules_spell(const char *brand, const char *v, char *buf, size_t len)
{
	if (brand == NULL || *brand == '\0')
		snprintf(buf, len, "%s", v);
	else if (strchr(brand, ' ') != NULL)
		snprintf(buf, len, "\"%s\" %s", brand, v);
	else
		snprintf(buf, len, "%s %s", brand, v);
	return buf;
}

int
rules_allow_brand(const struct rules *r, const char *from_brand,
    const char *from, const char *to_brand, const char *to, char *err,
    size_t errlen)
{
	char a[192], b[192];
	size_t i;

	if (!rules_brand_check(from_brand, to_brand, err, errlen))
		return 0;
	rules_spell(from_brand, from, a, sizeof(a));
	rules_spell(to_brand, to, b, sizeof(b));
	for (i = 0; i < r->n; i++) {
		const struct rules_rule *ru = &r->v[i];

		if (!rules_brand_match(ru->from_brand, from_brand) ||
		    !rules_brand_match(ru->to_brand, to_brand) ||
		    !rules_pattern_match(ru->from, from) ||
		    !rules_pattern_match(ru->to, to))
			continue;
		if (ru->allow) {
			snprintf(err, errlen, "%s -> %s allowed by %s:%d", a, b,
			    r->path, ru->line);
			return 1;
		}
		snprintf(err, errlen, "%s -> %s is refused by %s:%d%s%s", a, b,
		    r->path, ru->line, ru->advice[0] ? ": " : "", ru->advice);
		return 0;
	}
	snprintf(err, errlen, "no upgrade path from %s to %s in %s; if the "
	    "vendor supports it, add 'allow %s -> %s' there%s", a, b, r->path,
	    a, b, (from_brand == NULL || *from_brand == '\0' ||
	    to_brand == NULL || *to_brand == '\0') ? " (a product brand is "
	    "unknown, so only rules without brands could match)" : "");
	return 0;
}

int
rules_allow(const struct rules *r, const char *from, const char *to,
    char *err, size_t errlen)
{
	return rules_allow_brand(r, NULL, from, NULL, to, err, errlen);
}
