/* test_power.c — power control (power.h).
 *
 * xapi and manual: what the caller and the operator are told. ipmi: first
 * against stand-in ipmitool scripts (which words are sent in which order,
 * no password on the command line, ipmitool's quirks, the timeout), then
 * against a real BMC: OpenIPMI's ipmi_sim started by tests/ipmisim/start.sh
 * with the real ipmitool. The ipmi_sim tests are skipped with a message
 * when ipmi_sim or ipmitool is missing (apt-get install openipmi ipmitool).
 * Run from the repository root, as the runner does. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>

#include "log.h"
#include "power.h"

#define SIM_PASSWORD	"Sim-Pw.4711"

static char *tmp;		/* scratch directory of this run */
static char *pwfile;		/* holds SIM_PASSWORD */
static char *logfile;		/* stderr (the log) while capturing */
static int saved_stderr = -1;

/* A host as config_load would make it; only the power fields matter. */
static struct host
mkhost(const char *name, enum power_kind kind)
{
	struct host h;

	memset(&h, 0, sizeof(h));
	h.ipmi_cipher = -1;	/* ipmitool's own choice */
	h.name = (char *)(uintptr_t)name;
	h.power = kind;
	h.ipmi_port = 623;
	return h;
}

static struct host
ipmi_host(const char *addr, int port, const char *pwf)
{
	struct host h = mkhost("node7", POWER_KIND_IPMI);

	h.ipmi_address = (char *)(uintptr_t)addr;
	h.ipmi_port = port;
	h.ipmi_user = (char *)(uintptr_t)"admin";
	h.ipmi_password_file = (char *)(uintptr_t)pwf;
	return h;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends the log (stderr) to a fresh file until log_end(). */
static void
log_begin(void)
{
	int fd;

	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
}

/* Restores stderr; returns what was logged (caller frees). */
static char *
log_end(void)
{
	char *s;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	saved_stderr = -1;
	s = NULL;
	{
		FILE *f = fopen(logfile, "r");
		size_t n;

		assert_non_null(f);
		s = calloc(1, 65536);
		assert_non_null(s);
		n = fread(s, 1, 65535, f);
		s[n] = '\0';
		fclose(f);
	}
	fputs(s, stderr);	/* still shown with the test's output */
	return s;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 65536);
	size_t n = 0;

	assert_non_null(s);
	if (f != NULL) {
		n = fread(s, 1, 65535, f);
		fclose(f);
	}
	s[n] = '\0';
	return s;
}

static int
count_lines(const char *s, const char *prefix)
{
	int n = 0;

	while (s != NULL && *s != '\0') {
		if (strncmp(s, prefix, strlen(prefix)) == 0)
			n++;
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	}
	return n;
}

/* Writes an executable script dir/name. */
static char *
script(const char *name, const char *body)
{
	char *p = unit_write(tmp, name, body);

	assert_non_null(p);
	assert_int_equal(chmod(p, 0755), 0);
	return p;
}

/* A UDP port on 127.0.0.1 that nothing listens on. */
static int
closed_udp_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int port;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int
has_tool(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static void
clear_env(void)
{
	unsetenv("POOLBOOT_IPMITOOL");
	unsetenv("POOLBOOT_IPMI_TIMEOUT");
	unsetenv("POOLBOOT_IPMI_CIPHER");
}

/* ---- kinds without a BMC ---- */

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(power_kind_name(POWER_KIND_XAPI), "xapi");
	assert_string_equal(power_kind_name(POWER_KIND_IPMI), "ipmi");
	assert_string_equal(power_kind_name(POWER_KIND_MANUAL), "manual");
	assert_string_equal(power_kind_name(POWER_KIND_REDFISH), "redfish");
	assert_string_equal(power_kind_name((enum power_kind)99), "unknown");
}

/* manual: nothing is sent; the operator is told what to do, in the
 * message and in the server log (a warning, tag "power"). */
static void
test_manual_asks_the_operator(void **state)
{
	struct host h = mkhost("node3", POWER_KIND_MANUAL);
	char err[512];
	char *log;
	int on = 0;

	(void)state;
	log_begin();
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_MANUAL);
	log = log_end();
	assert_string_equal(err, "power on node3 now and let it boot from the "
	    "network (PXE); poolboot waits for its installer");
	assert_non_null(strstr(log, "power: warning: power on node3 now and "
	    "let it boot from the network (PXE)"));
	free(log);
	/* no BMC to ask for the power state */
	assert_int_equal(power_status(&h, &on, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "power = manual"));
}

/* xapi: power.c sends nothing; the caller reboots through the pool. */
static void
test_xapi_is_the_callers_job(void **state)
{
	struct host h = mkhost("member2", POWER_KIND_XAPI);
	char err[512];
	char *log;

	(void)state;
	log_begin();
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_USE_XAPI);
	log = log_end();
	assert_non_null(strstr(err, "member2"));
	assert_non_null(strstr(err, "host.reboot"));
	assert_non_null(strstr(log, "power: "));
	free(log);
}

/* A host with power = ipmi but no BMC settings fails before running
 * anything, and says what is missing. */
static void
test_ipmi_without_bmc_settings(void **state)
{
	struct host h = mkhost("node9", POWER_KIND_IPMI);
	char err[512];

	(void)state;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "ipmi_address"));
	assert_non_null(strstr(err, "node9"));
}

/* ---- ipmi against stand-in ipmitool scripts ---- */

/* No ipmitool at all: a clear message, not a hang or a crash. */
static void
test_ipmi_without_ipmitool(void **state)
{
	struct host h = ipmi_host("127.0.0.1", 623, pwfile);
	char *oldpath = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char *empty = unit_tmpdir();
	char err[512];
	double t0 = now_s();

	(void)state;
	clear_env();
	setenv("PATH", empty, 1);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	if (oldpath != NULL)
		setenv("PATH", oldpath, 1);
	free(oldpath);
	assert_non_null(strstr(err, "cannot run 'ipmitool': not found"));
	assert_true(now_s() - t0 < 2.0);

	setenv("POOLBOOT_IPMITOOL", "/nonexistent/ipmitool", 1);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "'/nonexistent/ipmitool': not found"));
	clear_env();
	rmdir(empty);
	free(empty);
}

/* The fake BMC: records each argv line in calls.log and answers like
 * ipmitool 1.8.19 does, with the power state kept in a file. */
static char *
fake_ipmitool(const char *power)
{
	char *state = NULL, *calls = NULL, *body = NULL, *p;

	assert_true(asprintf(&state, "%s/fake-power", tmp) > 0);
	assert_true(asprintf(&calls, "%s/calls.log", tmp) > 0);
	unlink(calls);
	{
		FILE *f = fopen(state, "w");

		assert_non_null(f);
		fprintf(f, "%s\n", power);
		fclose(f);
	}
	assert_true(asprintf(&body,
	    "#!/bin/sh\n"
	    "echo \"$*\" >>'%s'\n"
	    "st='%s'\n"
	    "case \"$*\" in\n"
	    "*'chassis bootdev pxe') echo 'Set Boot Device to pxe' ;;\n"
	    "*'chassis power status') echo \"Chassis Power is $(cat $st)\" ;;\n"
	    "*'chassis power on') echo on >$st; "
	    "echo 'Chassis Power Control: Up/On' ;;\n"
	    "*'chassis power cycle') echo 'Chassis Power Control: Cycle' ;;\n"
	    "*) echo \"unexpected: $*\" >&2; exit 1 ;;\n"
	    "esac\n", calls, state) > 0);
	p = script("fake-ipmitool", body);
	free(body);
	free(state);
	setenv("POOLBOOT_IPMITOOL", p, 1);
	free(p);
	return calls;
}

/* Off: bootdev pxe first, then the state is read, then power on; every
 * call is lanplus with the password as a file, never as a word. */
static void
test_ipmi_off_bootdev_then_power_on(void **state)
{
	struct host h = ipmi_host("10.0.0.7", 6230, pwfile);
	char *calls, *log, *got, *expect_prefix = NULL;
	char err[512];

	(void)state;
	clear_env();
	calls = fake_ipmitool("off");
	log_begin();
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	log = log_end();
	got = slurp(calls);
	assert_true(asprintf(&expect_prefix, "-I lanplus -H 10.0.0.7 -p 6230 "
	    "-U admin -f %s ", pwfile) > 0);
	assert_int_equal(count_lines(got, expect_prefix), 3);
	{
		char *all = NULL;

		assert_true(asprintf(&all, "%schassis bootdev pxe\n%schassis "
		    "power status\n%schassis power on\n", expect_prefix,
		    expect_prefix, expect_prefix) > 0);
		assert_string_equal(got, all);
		free(all);
	}
	assert_non_null(strstr(err, "chassis was off: power on"));
	assert_null(strstr(got, SIM_PASSWORD));
	assert_null(strstr(log, SIM_PASSWORD));
	assert_non_null(strstr(log, "power: host node7: BMC 10.0.0.7:6230: "
	    "ipmitool chassis bootdev pxe"));
	free(log);
	free(got);
	free(expect_prefix);
	free(calls);
	clear_env();
}

/* On: power cycle rather than power on. -C only when asked for. */
static void
test_ipmi_on_power_cycle(void **state)
{
	struct host h = ipmi_host("bmc-7.example", 623, pwfile);
	char *calls, *got;
	char err[512];
	int on = 0;

	(void)state;
	clear_env();
	calls = fake_ipmitool("on");
	setenv("POOLBOOT_IPMI_CIPHER", "3", 1);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	got = slurp(calls);
	assert_int_equal(count_lines(got, "-I lanplus -H bmc-7.example -p 623 "
	    "-U admin -f "), 3);
	assert_non_null(strstr(got, " -C 3 chassis bootdev pxe\n"));
	assert_non_null(strstr(got, " -C 3 chassis power cycle\n"));
	assert_null(strstr(got, "power on"));
	assert_non_null(strstr(err, "chassis was on: power cycle"));
	assert_int_equal(power_status(&h, &on, err, sizeof(err)), 0);
	assert_int_equal(on, 1);
	free(got);
	free(calls);
	clear_env();
}

/* ipmitool 1.8.19 exits 0 even when the BMC refused the boot device:
 * without "Set Boot Device to pxe" the step has failed, and nothing is
 * powered. */
static void
test_ipmi_exit_zero_but_refused(void **state)
{
	struct host h = ipmi_host("127.0.0.1", 623, pwfile);
	char err[512];
	char *p, *mark = NULL, *body = NULL;

	(void)state;
	clear_env();
	assert_true(asprintf(&mark, "%s/powered", tmp) > 0);
	unlink(mark);
	assert_true(asprintf(&body, "#!/bin/sh\n"
	    "case \"$*\" in\n"
	    "*bootdev*) echo 'Set Chassis Boot Parameter 5 failed: Invalid "
	    "data field in request' >&2; exit 0 ;;\n"
	    "*) touch '%s' ;;\nesac\n", mark) > 0);
	p = script("refusing-ipmitool", body);
	setenv("POOLBOOT_IPMITOOL", p, 1);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "`ipmitool chassis bootdev pxe` failed "
	    "(exit 0): Set Chassis Boot Parameter 5 failed: Invalid data "
	    "field in request"));
	assert_int_equal(access(mark, F_OK), -1);
	free(p);
	free(mark);
	free(body);
	clear_env();
}

/* A BMC that never answers: the run is killed at the deadline, the
 * message says so, and no ipmitool is left behind. */
static void
test_ipmi_timeout_kills_ipmitool(void **state)
{
	struct host h = ipmi_host("127.0.0.1", 623, pwfile);
	char *p, *pidf = NULL, *body = NULL, *pidtxt;
	char err[512];
	double t0;
	pid_t pid;

	(void)state;
	clear_env();
	assert_true(asprintf(&pidf, "%s/hang.pid", tmp) > 0);
	assert_true(asprintf(&body, "#!/bin/sh\necho $$ >'%s'\n"
	    "exec sleep 60\n", pidf) > 0);
	p = script("hanging-ipmitool", body);
	setenv("POOLBOOT_IPMITOOL", p, 1);
	setenv("POOLBOOT_IPMI_TIMEOUT", "1", 1);
	t0 = now_s();
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_true(now_s() - t0 < 3.0);
	assert_non_null(strstr(err, "`ipmitool chassis bootdev pxe` gave no "
	    "answer within 1 s"));
	pidtxt = slurp(pidf);
	pid = (pid_t)atoi(pidtxt);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	free(pidtxt);
	free(p);
	free(pidf);
	free(body);
	clear_env();
}

/* The real ipmitool against a closed loopback port: POWER_FAIL within
 * the timeout, naming the command and the BMC. */
static void
test_ipmi_unreachable_bmc(void **state)
{
	struct host h;
	char err[512];
	double t0;

	(void)state;
	if (!has_tool("ipmitool")) {
		fprintf(stderr, "# skip: ipmitool not installed "
		    "(apt-get install ipmitool)\n");
		skip();
	}
	clear_env();
	h = ipmi_host("127.0.0.1", closed_udp_port(), pwfile);
	setenv("POOLBOOT_IPMI_TIMEOUT", "2", 1);
	t0 = now_s();
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_true(now_s() - t0 < 4.0);
	assert_non_null(strstr(err, "BMC 127.0.0.1:"));
	assert_non_null(strstr(err, "ipmitool chassis bootdev pxe"));
	clear_env();
}

/* ---- ipmi against ipmi_sim (a real BMC simulator) ---- */

struct bmcsim {
	char	*dir;
	int	 port;
	char	*marker;	/* the simulated host's "power-on" lines */
};

static struct bmcsim sim;
static int sim_up;

static void
sim_stop(void)
{
	char cmd[1024];

	if (!sim_up)
		return;
	snprintf(cmd, sizeof(cmd), "sh tests/ipmisim/stop.sh '%s'", sim.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# stop.sh failed\n");
	sim_up = 0;
}

/* Starts ipmi_sim with its chassis off; power-on runs a script that
 * appends "power-on <time>" to the marker file. 0, or -1 (skip). */
static int
sim_start(void)
{
	char cmd[2048], line[256];
	FILE *p;

	if (sim_up)
		return 0;
	if (!has_tool("ipmi_sim") || !has_tool("ipmitool")) {
		fprintf(stderr, "# skip: ipmi_sim or ipmitool not installed "
		    "(apt-get install openipmi ipmitool)\n");
		return -1;
	}
	if (access("tests/ipmisim/start.sh", R_OK) != 0) {
		fprintf(stderr, "# skip: run from the repository root "
		    "(tests/ipmisim/start.sh not found)\n");
		return -1;
	}
	sim.dir = unit_tmpdir();
	assert_non_null(sim.dir);
	assert_true(asprintf(&sim.marker, "%s/marker", sim.dir) > 0);
	snprintf(cmd, sizeof(cmd), "sh tests/ipmisim/start.sh '%s' --port auto "
	    "--password '%s' --power off --on-command 'echo \"power-on "
	    "$(date +%%s.%%N)\" >>%s'", sim.dir, SIM_PASSWORD, sim.marker);
	p = popen(cmd, "r");
	assert_non_null(p);
	sim.port = 0;
	while (fgets(line, sizeof(line), p) != NULL)
		if (strncmp(line, "port=", 5) == 0)
			sim.port = atoi(line + 5);
	if (pclose(p) != 0 || sim.port == 0) {
		fprintf(stderr, "# ipmi_sim did not start\n");
		return -2;
	}
	sim_up = 1;
	return 0;
}

/* ipmitool with the simulator's password file, for checking. */
static char *
sim_ipmitool(const char *words)
{
	char cmd[1024];
	FILE *p;
	char *s = calloc(1, 8192);
	size_t n;

	assert_non_null(s);
	snprintf(cmd, sizeof(cmd), "ipmitool -I lanplus -H 127.0.0.1 -p %d "
	    "-U admin -f '%s' -C 3 %s 2>&1", sim.port, pwfile, words);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(s, 1, 8191, p);
	s[n] = '\0';
	pclose(p);
	return s;
}

static void
sim_or_skip(void)
{
	int rc = sim_start();

	if (rc == -1)
		skip();
	assert_int_equal(rc, 0);
	/* ipmi_sim does not answer "Get Channel Cipher Suites": without
	 * -C ipmitool spends 10 s on each run finding that out */
	setenv("POOLBOOT_IPMI_CIPHER", "3", 1);
}

/* Waits up to secs for at least n "power-on" lines in the marker. */
static int
wait_power_ons(int n, double secs)
{
	double end = now_s() + secs;
	int got;

	for (;;) {
		char *m = slurp(sim.marker);

		got = count_lines(m, "power-on ");
		free(m);
		if (got >= n || now_s() > end)
			return got;
		usleep(100000);
	}
}

/* Chassis off: the boot device becomes PXE, then power on starts the
 * simulated host. */
static void
test_sim_off_pxe_and_power_on(void **state)
{
	struct host h;
	char err[512];
	char *out, *ev, *evp = NULL;
	int on = 1;

	(void)state;
	clear_env();
	sim_or_skip();
	h = ipmi_host("127.0.0.1", sim.port, pwfile);
	assert_int_equal(power_status(&h, &on, err, sizeof(err)), 0);
	assert_int_equal(on, 0);

	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	assert_non_null(strstr(err, "chassis was off: power on"));
	assert_int_equal(wait_power_ons(1, 5.0), 1);

	out = sim_ipmitool("chassis bootparam get 5");
	assert_non_null(strstr(out, "Boot Device Selector : Force PXE"));
	assert_non_null(strstr(out, "Options apply to only next boot"));
	free(out);
	/* the boot device was set before the power went on */
	assert_true(asprintf(&evp, "%s/events", sim.dir) > 0);
	ev = slurp(evp);
	assert_non_null(strstr(ev, "boot pxe "));
	assert_non_null(strstr(ev, "power-on "));
	assert_true(strstr(ev, "boot pxe ") < strstr(ev, "power-on "));
	assert_non_null(strstr(ev, "boot=pxe"));
	free(ev);
	free(evp);
	assert_int_equal(power_status(&h, &on, err, sizeof(err)), 0);
	assert_int_equal(on, 1);
	clear_env();
}

/* Chassis on: a power cycle (off, then on again): the simulated host is
 * started a second time. */
static void
test_sim_on_power_cycle(void **state)
{
	struct host h;
	char err[512];
	char *ev, *evp = NULL;
	int on = 0, before;

	(void)state;
	clear_env();
	sim_or_skip();
	h = ipmi_host("127.0.0.1", sim.port, pwfile);
	assert_int_equal(power_status(&h, &on, err, sizeof(err)), 0);
	if (!on) {
		/* run alone: get it on first */
		assert_int_equal(power_pxe_boot(&h, err, sizeof(err)),
		    POWER_OK);
		assert_true(wait_power_ons(1, 5.0) >= 1);
	}
	before = wait_power_ons(0, 0);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	assert_non_null(strstr(err, "chassis was on: power cycle"));
	/* ipmi_sim powers on again one second after the power-off */
	assert_int_equal(wait_power_ons(before + 1, 6.0), before + 1);
	assert_true(asprintf(&evp, "%s/events", sim.dir) > 0);
	ev = slurp(evp);
	assert_non_null(strstr(ev, "power-off "));
	assert_true(count_lines(ev, "power-on ") >= 2);
	free(ev);
	free(evp);
	clear_env();
}

/* A wrong password: POWER_FAIL with ipmitool's message; neither the
 * wrong nor the right password appears in the message or the log. */
static void
test_sim_wrong_password(void **state)
{
	struct host h;
	char *bad, *log;
	char err[512];

	(void)state;
	clear_env();
	sim_or_skip();
	bad = unit_write(tmp, "bad-password", "Not-The-Pw.815\n");
	assert_non_null(bad);
	h = ipmi_host("127.0.0.1", sim.port, bad);
	log_begin();
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	log = log_end();
	assert_non_null(strstr(err, "`ipmitool chassis bootdev pxe` failed"));
	assert_non_null(strstr(err, "Unable to establish IPMI v2 / RMCP+ "
	    "session"));
	assert_null(strstr(err, "Not-The-Pw"));
	assert_null(strstr(err, SIM_PASSWORD));
	assert_null(strstr(log, "Not-The-Pw"));
	assert_null(strstr(log, SIM_PASSWORD));
	assert_non_null(strstr(log, "power: error: host node7: BMC 127.0.0.1:"));
	free(log);
	free(bad);
	clear_env();
}

static int
setup(void **state)
{
	(void)state;
	log_init("test_power", PB_LOG_DEBUG, 0);
	tmp = unit_tmpdir();
	if (tmp == NULL)
		return -1;
	pwfile = unit_write(tmp, "bmc-password", SIM_PASSWORD "\n");
	if (pwfile == NULL || asprintf(&logfile, "%s/log", tmp) < 0)
		return -1;
	chmod(pwfile, 0600);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	sim_stop();
	if (sim.dir != NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sim.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", sim.dir);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmp);
	free(sim.dir);
	free(sim.marker);
	free(pwfile);
	free(logfile);
	free(tmp);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_manual_asks_the_operator),
		cmocka_unit_test(test_xapi_is_the_callers_job),
		cmocka_unit_test(test_ipmi_without_bmc_settings),
		cmocka_unit_test(test_ipmi_without_ipmitool),
		cmocka_unit_test(test_ipmi_off_bootdev_then_power_on),
		cmocka_unit_test(test_ipmi_on_power_cycle),
		cmocka_unit_test(test_ipmi_exit_zero_but_refused),
		cmocka_unit_test(test_ipmi_timeout_kills_ipmitool),
		cmocka_unit_test(test_ipmi_unreachable_bmc),
		cmocka_unit_test(test_sim_off_pxe_and_power_on),
		cmocka_unit_test(test_sim_on_power_cycle),
		cmocka_unit_test(test_sim_wrong_password),
	};

	return cmocka_run_group_tests_name("power", tests, setup, teardown);
}
