/* audit.c — the audit log's writer; see audit.h. */
#include "audit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define AUDIT_HEX_RUN	32	/* a token or a hash in hex */

void
audit_scrub(char *s)
{
	size_t r = 0, w = 0, j;

	if (s == NULL)
		return;
	while (s[r] != '\0') {
		for (j = r; isxdigit((unsigned char)s[j]); j++)
			;
		if (j - r >= AUDIT_HEX_RUN) {
			memcpy(s + w, "***", 3);	/* w + 3 <= r */
			w += 3;
			r = j;
		} else if (j > r) {
			memmove(s + w, s + r, j - r);
			w += j - r;
			r = j;
		} else
			s[w++] = s[r++];
	}
	s[w] = '\0';
}

int
audit_add(struct store *st, const struct audit_entry *in)
{
	struct audit_entry e = *in;
	int ret = 0;

	if (e.time_ms == 0)
		e.time_ms = util_now_ms();
	if (e.token[0] == '\0')
		util_strlcpy(e.token, sizeof(e.token), "-");
	if (e.client[0] == '\0')
		util_strlcpy(e.client, sizeof(e.client), "-");
	audit_scrub(e.client);
	audit_scrub(e.token);
	audit_scrub(e.action);
	audit_scrub(e.target);
	audit_scrub(e.method);
	audit_scrub(e.path);
	audit_scrub(e.result);
	log_info("audit", "%s token=%s%s%s%s%s %s%s%s -> %d %s", e.client,
	    e.token, e.method[0] ? " " : "", e.method, e.path[0] ? " " : "",
	    e.path, e.action[0] ? e.action : "-", e.target[0] ? " " : "",
	    e.target, e.status, e.result);
	if (st != NULL && store_audit_add(st, &e, NULL) == -1) {
		log_error("audit", "the entry above is not in the state "
		    "database (see the store error)");
		ret = -1;
	}
	return ret;
}

int
audit_record(struct store *st, int64_t time_ms, const char *client,
    const char *token, const char *action, const char *target, int status,
    const char *result)
{
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.time_ms = time_ms;
	util_strlcpy(e.client, sizeof(e.client), client);
	util_strlcpy(e.token, sizeof(e.token), token);
	util_strlcpy(e.action, sizeof(e.action), action);
	util_strlcpy(e.target, sizeof(e.target), target);
	e.status = status;
	util_strlcpy(e.result, sizeof(e.result), result);
	return audit_add(st, &e);
}
