/* rules.h — the upgrade paths an operator allows or refuses
 * (templates/upgrade-paths.conf) and the order of product versions. Pure:
 * no XAPI, no store; the prechecks (precheck.h) and the coordinator's
 * steps (coord.h) ask it.
 *
 * The rules file, one rule a line ('#' starts a comment):
 *   allow FROM -> TO
 *   deny FROM -> TO : advice shown to the operator
 * FROM and TO are a version ("7.1.1", which also matches 7.1.1.0), a
 * wildcard ("7.0.*": 7.0 and 7.0.x...; "*": anything) or a range A..B
 * (v >= A and v <= B, or v matches B). The first rule whose FROM and TO
 * match decides; no match refuses.
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
 * rule's advice), or how to allow a path no rule matches. */
int   rules_allow(const struct rules *r, const char *from, const char *to,
	    char *err, size_t errlen);
/* Numeric dotted-version comparison ("7.10.0" > "7.6.0", "7.1" ==
 * "7.1.0"; a part's non-numeric rest compares as text): <0, 0, >0. */
int   rules_version_cmp(const char *a, const char *b);

#endif
