/* state.h — the names of the states poolboot keeps in its store, one table
 * each: the state of an inventory host's install (hosts.state), the state
 * of a rolling-upgrade run or a job (runs.state, jobs.state:
 * they share running / halted / aborted / done), the step of a host in a
 * run (run_hosts.step) and the step of a job (jobs.step). The store keeps
 * the names; code compares the enums. Transitions are not here: they belong
 * to the coordinator (coord.h) and the jobs (job.h).
 */
#ifndef POOLBOOT_STATE_H
#define POOLBOOT_STATE_H

/* An inventory host's network install (hosts.state). */
enum host_state {
	HOST_IDLE = 0,		/* never armed, or disarmed: local boot */
	HOST_ARMED,		/* install entry written, token valid, not fetched yet */
	HOST_INSTALLING,	/* answerfile fetched at least once */
	HOST_DONE,		/* installer reported 0; back at local boot */
	HOST_FAILED,		/* installer reported 1, or the loop guard tripped */
	HOST_STATE_COUNT
};

/* A rolling-upgrade run or a job. */
enum run_state {
	RUN_RUNNING = 0,
	RUN_HALTED,		/* a step failed: waiting for retry or abort */
	RUN_ABORTED,
	RUN_DONE,
	RUN_STATE_COUNT
};

/* A host's step in a rolling-upgrade run, in the order they are taken. */
enum coord_step {
	STEP_PENDING = 0,
	STEP_DISABLE,
	STEP_EVACUATE,
	STEP_ARM,
	STEP_REBOOT,
	STEP_INSTALL,
	STEP_REJOIN,
	STEP_ENABLE,
	STEP_RETURN,		/* its VMs back to it (placement = return) */
	STEP_DONE,
	STEP_SKIPPED,		/* already on the target version */
	STEP_COUNT
};

/* A rebuild or install job's step, in the order they are taken. */
enum job_step {
	JOB_CHECK = 0,
	JOB_FORGET,
	JOB_ARM,
	JOB_POWER,
	JOB_INSTALL,
	JOB_XAPI,
	JOB_JOIN,
	JOB_MEMBER,
	JOB_DONE,
	JOB_STEP_COUNT
};

/* Each *_name returns the stored name ("running", "disable", "forget"),
 * or "unknown" for a value out of range; never NULL, never to be freed.
 * Each *_parse sets *out and returns 0 for a known name, else returns -1
 * and leaves *out alone. */
const char *state_host_name(enum host_state s);
int   state_host_parse(const char *s, enum host_state *out);
const char *state_run_name(enum run_state s);
int   state_run_parse(const char *s, enum run_state *out);
const char *state_step_name(enum coord_step s);
int   state_step_parse(const char *s, enum coord_step *out);
const char *state_job_step_name(enum job_step s);
int   state_job_step_parse(const char *s, enum job_step *out);

/* 1 when s names the run state want ("running" for RUN_RUNNING), else 0
 * (also for NULL or an unknown name). */
int   state_run_is(const char *s, enum run_state want);

/* The lookup behind every *_parse here and config_mode_parse: the index
 * of s in names[0..n), or -1 (s NULL, or not there). */
int   state_lookup(const char *const *names, int n, const char *s);

#endif
