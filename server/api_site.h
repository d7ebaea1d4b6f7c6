/* api_site.h — arm and disarm of another site's host through the admin
 * API (api_site.c): queued for that site's instance (site_queue.h),
 * called by api.c's arm and disarm before they act. */
#ifndef POOLBOOT_API_SITE_H
#define POOLBOOT_API_SITE_H

struct api_deps;
struct api_response;
struct host;

/* When h is of another site than this instance's (site.h): the action
 * ("arm", "disarm"; wipe for arm) is queued for that site's instance and
 * answered 202 {"host", "site", "queued": ID, "message"}; when h names no
 * site while this instance serves one: 409 saying which key to set.
 * Returns 1 when it answered, 0 when the host is this instance's (the
 * caller acts). */
int   api_site_forward(const struct api_deps *deps, const struct host *h,
	    const char *action, int wipe, struct api_response *rs);

#endif
