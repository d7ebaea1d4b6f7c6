/* coord.h — the rolling-upgrade coordinator: one per pool, an explicit
 * state machine whose every transition is written to the store before the
 * action it leads to, so that `poolboot serve` killed at any moment resumes
 * the run where it was, without upgrading a host twice or skipping one.
 *
 * A run: prechecks (nothing changes before they all pass) -> pool database
 * dump -> optionally HA/WLB off -> per host, master first, then members in
 * a stable order:
 *   disable -> evacuate -> arm (upgrade) -> reboot -> install (wait for the
 *   installer's callback) -> rejoin (XAPI: live again, boot_time changed,
 *   on the target version) -> enable -> done
 * -> HA/WLB restored -> report. Any failure halts the run with its reason;
 * retry resumes at the failed step (a failed install restarts at arm);
 * abort disarms and re-enables what it can.
 */
#ifndef POOLBOOT_COORD_H
#define POOLBOOT_COORD_H

#include <stddef.h>
#include <stdint.h>

#include "arm.h"
#include "config.h"
#include "state.h"
#include "store.h"

/* The step after s when s succeeded (STEP_DONE after STEP_ENABLE; DONE and
 * SKIPPED are final). Pure; unit-tested transition by transition. */
enum coord_step coord_step_next(enum coord_step s);
/* Where retry resumes a host that failed in step s: the same step, except
 * a failed install (the installer reported 1, or no callback came) which
 * needs a new arming and boot: STEP_ARM. */
enum coord_step coord_step_retry(enum coord_step s);
/* 1 while a host in step s is (or may be) offline or unusable for VMs. */
int   coord_step_offline(enum coord_step s);

/* Upgrade paths (templates/upgrade-paths.conf). */
struct upgrade_rules;
/* Loads the rules; errors as "file:line: message" into errors. */
int   coord_rules_load(const char *path, struct upgrade_rules **out,
	    struct strlist *errors);
void  coord_rules_free(struct upgrade_rules *r);
/* 1 allowed, 0 refused (why explains, with the rule's advice). */
int   coord_rules_allow(const struct upgrade_rules *r, const char *from,
	    const char *to, char *why, size_t whylen);
/* Numeric dotted-version comparison: <0, 0, >0. */
int   coord_version_cmp(const char *a, const char *b);

struct coord;

struct coord_opts {
	int	 dry_run;
	int	 disable_ha;	/* turn HA/WLB off now and back on at the end */
};

/* The coordinators of a running server (all pools). Resumes the runs the
 * store says are running. */
int   coord_new(const struct config *cfg, struct store *st, struct arm *arm,
	    struct coord **out);
void  coord_free(struct coord *c);		/* stops every thread */

/* The JSON-producing entry points used by the API (api.c). Each returns
 * an HTTP status and a malloc'd JSON document in *json. */
int   coord_precheck(struct coord *c, const char *pool, char **json);
int   coord_upgrade(struct coord *c, const char *pool,
	    const struct coord_opts *o, char **json);
int   coord_status(struct coord *c, const char *pool, char **json);
int   coord_retry(struct coord *c, const char *pool, char **json);
int   coord_abort(struct coord *c, const char *pool, char **json);

/* An installer reported back (notify.h): a waiting coordinator wakes at
 * once instead of at its next poll. c NULL: nothing. */
void  coord_notify(struct coord *c);

#endif
