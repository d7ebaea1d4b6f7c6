/* rules.h — the upgrade paths an operator allows or refuses
 * (templates/upgrade-paths.conf) and the order of product versions. Pure:
 * no XAPI, no store; the prechecks (precheck.h) and the coordinator's
 * steps (coord.h) ask it.
 *
 * The rules file, one rule a line ('#' starts a comment):
 *   allow [BRAND] FROM -> [BRAND] TO
 *   deny [BRAND] FROM -> [BRAND] TO : advice shown to the operator
 * FROM and TO are a version ("7.1.1", which also matches 7.1.1.0), a
 * wildcard ("7.0.*": 7.0 and 7.0.x...; "*": anything) or a range A..B
 * (v >= A and v <= B, or v matches B). BRAND is a product brand as XAPI
 * reports it (software_version product_brand) and an ISO's .treeinfo
 * names it: one word ("XCP-ng") or a quoted string ("Citrix Hypervisor").
 * A side with a brand matches that brand's product family only; a side
 * without one matches any brand. The first rule whose sides match
 * decides; no match refuses.
 *
 * Products: XCP-ng is one; XenServer is another across its renames
 * ("XenServer", "Citrix Hypervisor", "Citrix XenServer"); any other brand
 * is its own. An upgrade from one product to another is refused before
 * any rule is read (with advice), and a rule naming two products is a
 * load error.
 */
#ifndef POOLBOOT_RULES_H
#define POOLBOOT_RULES_H

#include <stddef.h>

#include "util.h"

struct rules;

/* Loads the rules of path into *out (NULL on failure). 0, or -1 with
 * every problem as "file:line: message" (or "file: cannot open ...")
 * added to errors (may be NULL). Caller frees *out with rules_free. */
int   rules_load(const char *path, struct rules **out,
	    struct strlist *errors);
/* Frees r; NULL is fine. */
void  rules_free(struct rules *r);
/* 1 when the rules allow from -> to, 0 when they refuse it. Either way err
 * explains, naming the file and line of the deciding rule (and a deny
 * rule's advice), or how to allow a path no rule matches. Brands unknown:
 * only rules without brands match (rules_allow_brand). */
int   rules_allow(const struct rules *r, const char *from, const char *to,
	    char *err, size_t errlen);
/* 1 when the rules allow from_brand from -> to_brand to, 0 when they
 * refuse it; err explains as rules_allow does. A brand may be NULL or ""
 * (unknown): then rules naming a brand on that side do not match. Two
 * known brands of different products are refused first, whatever the
 * rules say, with advice (rules_brand_check). */
int   rules_allow_brand(const struct rules *r, const char *from_brand,
	    const char *from, const char *to_brand, const char *to, char *err,
	    size_t errlen);
/* The product family of brand: "XenServer" for XenServer, Citrix
 * Hypervisor and Citrix XenServer, "XCP-ng" for XCP-ng (case ignored),
 * brand itself for any other; NULL for NULL or "". Static or brand. */
const char *rules_brand_family(const char *brand);
/* 1 when brands a and b are one product (or either is unknown), else 0. */
int   rules_same_product(const char *a, const char *b);
/* 1 when from_brand -> to_brand stays within one product (or a brand is
 * unknown); 0 when it changes product, with err saying why and what to do
 * (an XCP-ng pool takes an XCP-ng ISO, ...). */
int   rules_brand_check(const char *from_brand, const char *to_brand,
	    char *err, size_t errlen);
/* Numeric dotted-version comparison ("7.10.0" > "7.6.0", "7.1" ==
 * "7.1.0"; a part's non-numeric rest compares as text): <0, 0, >0. */
int   rules_version_cmp(const char *a, const char *b);

#endif
