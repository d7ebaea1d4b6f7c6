/* state.c — the name tables of state.h. */
#include "state.h"

#include <string.h>

static const char *const state_host_names[HOST_STATE_COUNT] = {
	[HOST_IDLE] = "idle",
	[HOST_ARMED] = "armed",
	[HOST_INSTALLING] = "installing",
	[HOST_DONE] = "done",
	[HOST_FAILED] = "failed",
};

static const char *const state_run_names[RUN_STATE_COUNT] = {
	[RUN_RUNNING] = "running",
	[RUN_HALTED] = "halted",
	[RUN_ABORTED] = "aborted",
	[RUN_DONE] = "done",
};

static const char *const state_step_names[STEP_COUNT] = {
	[STEP_PENDING] = "pending",
	[STEP_DISABLE] = "disable",
	[STEP_EVACUATE] = "evacuate",
	[STEP_ARM] = "arm",
	[STEP_REBOOT] = "reboot",
	[STEP_INSTALL] = "install",
	[STEP_REJOIN] = "rejoin",
	[STEP_ENABLE] = "enable",
	[STEP_RETURN] = "return",
	[STEP_DONE] = "done",
	[STEP_SKIPPED] = "skipped",
};

static const char *const state_job_step_names[JOB_STEP_COUNT] = {
	[JOB_CHECK] = "check",
	[JOB_FORGET] = "forget",
	[JOB_ARM] = "arm",
	[JOB_POWER] = "power",
	[JOB_INSTALL] = "install",
	[JOB_XAPI] = "xapi",
	[JOB_JOIN] = "join",
	[JOB_MEMBER] = "member",
	[JOB_DONE] = "done",
};

int
state_lookup(const char *const *names, int n, const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *
state_host_name(enum host_state s)
{
	return (unsigned)s < HOST_STATE_COUNT ? state_host_names[s] : "unknown";
}

int
state_host_parse(const char *s, enum host_state *out)
{
	int i = state_lookup(state_host_names, HOST_STATE_COUNT, s);

	if (i == -1)
		return -1;
	*out = (enum host_state)i;
	return 0;
}

const char *
state_run_name(enum run_state s)
{
	return (unsigned)s < RUN_STATE_COUNT ? state_run_names[s] : "unknown";
}

int
state_run_parse(const char *s, enum run_state *out)
{
	int i = state_lookup(state_run_names, RUN_STATE_COUNT, s);

	if (i == -1)
		return -1;
	*out = (enum run_state)i;
	return 0;
}

int
state_run_is(const char *s, enum run_state want)
{
	enum run_state rs;

	return state_run_parse(s, &rs) == 0 && rs == want;
}

const char *
state_step_name(enum coord_step s)
{
	return (unsigned)s < STEP_COUNT ? state_step_names[s] : "unknown";
}

int
state_step_parse(const char *s, enum coord_step *out)
{
	int i = state_lookup(state_step_names, STEP_COUNT, s);

	if (i == -1)
		return -1;
	*out = (enum coord_step)i;
	return 0;
}

const char *
state_job_step_name(enum job_step s)
{
	return (unsigned)s < JOB_STEP_COUNT ? state_job_step_names[s] :
	    "unknown";
}

int
state_job_step_parse(const char *s, enum job_step *out)
{
	int i = state_lookup(state_job_step_names, JOB_STEP_COUNT, s);

	if (i == -1)
		return -1;
	*out = (enum job_step)i;
	return 0;
}
