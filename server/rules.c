/* rules.c — upgrade-path rules and version order; see rules.h. */
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of the file: FROM and TO patterns, the advice of a deny. */
struct rules_rule {
	int	 allow;
	char	 from[64];
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
		if (hl >= 2 && strcmp(base + hl - 2, ".*") == 0)
			return 0;	/* above a wildcard's prefix: no */
		return rules_version_cmp(v, base) <= 0;
	}
}

static int
rules_valid_pattern(const char *p)
{
	size_t i;

	if (*p == '\0')
		return 0;
	for (i = 0; p[i] != '\0'; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '.' && p[i] != '*' &&
		    p[i] != '-' && p[i] != '_')
			return 0;
	return 1;
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
		char verb[16], from[64], arrow[8], to[64];
		const char *colon;
		struct rules_rule *nv, *ru;
		int n;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		{
			char *p = line;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '\0' || *p == '#')
				continue;
		}
		colon = strchr(line, ':');
		n = sscanf(line, "%15s %63s %7s %63s", verb, from, arrow, to);
		if (n != 4 || strcmp(arrow, "->") != 0 ||
		    (strcmp(verb, "allow") != 0 && strcmp(verb, "deny") != 0) ||
		    !rules_valid_pattern(from) || !rules_valid_pattern(to)) {
			if (errors != NULL)
				strlist_addf(errors, "%s:%d: expected 'allow FROM "
				    "-> TO' or 'deny FROM -> TO : advice'", path,
				    lineno);
			bad = 1;
			continue;
		}
		if ((nv = realloc(r->v, (r->n + 1) * sizeof(*nv))) == NULL)
			goto out;
		r->v = nv;
		ru = &r->v[r->n++];
		memset(ru, 0, sizeof(*ru));
		ru->allow = strcmp(verb, "allow") == 0;
		snprintf(ru->from, sizeof(ru->from), "%s", from);
		snprintf(ru->to, sizeof(ru->to), "%s", to);
		if (colon != NULL) {
			colon++;
			while (*colon == ' ')
				colon++;
			snprintf(ru->advice, sizeof(ru->advice), "%s", colon);
		}
		ru->line = lineno;
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

int
rules_allow(const struct rules *r, const char *from, const char *to,
    char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct rules_rule *ru = &r->v[i];

		if (!rules_pattern_match(ru->from, from) ||
		    !rules_pattern_match(ru->to, to))
			continue;
		if (ru->allow) {
			snprintf(err, errlen, "%s -> %s allowed by %s:%d", from, to,
			    r->path, ru->line);
			return 1;
		}
		snprintf(err, errlen, "%s -> %s is refused by %s:%d%s%s", from,
		    to, r->path, ru->line, ru->advice[0] ? ": " : "",
		    ru->advice);
		return 0;
	}
	snprintf(err, errlen, "no upgrade path from %s to %s in %s; if the "
	    "vendor supports it, add 'allow %s -> %s' there", from, to, r->path,
	    from, to);
	return 0;
}
