/* test_power_redfish.c — power = redfish (power_redfish.h).
 *
 * First the pure parts: the PATCH body for each firmware, the ResetType
 * picked from what a BMC allows, the message taken from a Redfish error
 * body. Then the whole conversation against the Redfish BMC simulator
 * (tests/redfishsim/redfishsim.py, started here for each test): what the
 * BMC ends up with and what its log shows, the authentication, TLS
 * (system CAs, redfish_tls_ca, the pin) and the failures a user meets.
 * The simulator tests are skipped with a message when python3 or openssl
 * is missing. Run from the repository root, as the runner does. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <curl/curl.h>

#include "log.h"
#include "power.h"
#include "power_redfish.h"

#define SIM_PASSWORD	"Rf-Sim.4711"

static char *tmp;		/* scratch directory of this run */
static pid_t live_pid;		/* a simulator still running (a failed test) */

/* One simulator run. */
struct rfsim {
	pid_t	 pid;
	char	 dir[512];
	char	 addr[64];		/* 127.0.0.1:PORT */
	char	 fingerprint[96];
	char	 cert[600];
	char	 pwfile[600];
};

static int
have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 1 << 20);
	size_t n = 0;

	assert_non_null(s);
	if (f != NULL) {
		n = fread(s, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	s[n] = '\0';
	return s;
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The value of "key": "..." in a one-object JSON file. */
static void
json_field(const char *text, const char *key, char *out, size_t outlen)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	out[0] = '\0';
	if ((p = strstr(text, pat)) == NULL)
		return;
	p += strlen(pat);
	if (*p == '"')
		p++;
	e = p + strcspn(p, "\",}");
	snprintf(out, outlen, "%.*s", (int)(e - p), p);
}

/* Starts the simulator with the given arguments (NULL-terminated); 0, or
 * -1 when it did not come up within 20 s. */
static int
sim_start(struct rfsim *s, const char *name, const char *const args[])
{
	char ready[600], port[16], *text;
	const char *argv[32];
	size_t n = 0, i;
	int fd, w;

	if (live_pid > 0) {
		kill(live_pid, SIGTERM);
		waitpid(live_pid, NULL, 0);
		live_pid = 0;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s/%s", tmp, name);
	mkdir(s->dir, 0700);
	snprintf(s->pwfile, sizeof(s->pwfile), "%s/password", s->dir);
	fd = open(s->pwfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, SIM_PASSWORD "\n", 12), 12);
	close(fd);
	argv[n++] = "python3";
	argv[n++] = "tests/redfishsim/redfishsim.py";
	argv[n++] = "--state-dir";
	argv[n++] = s->dir;
	for (i = 0; args != NULL && args[i] != NULL && n < 30; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if ((s->pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		execvp("python3", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	live_pid = s->pid;
	snprintf(ready, sizeof(ready), "%s/ready", s->dir);
	for (w = 0; w < 2000 && access(ready, R_OK) != 0; w++)
		usleep(10000);
	if (access(ready, R_OK) != 0)
		return -1;
	text = slurp(ready);
	json_field(text, "port", port, sizeof(port));
	json_field(text, "fingerprint", s->fingerprint, sizeof(s->fingerprint));
	json_field(text, "cert", s->cert, sizeof(s->cert));
	snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%s", port);
	free(text);
	return 0;
}

static void
sim_stop(struct rfsim *s)
{
	int st;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &st, 0);
		s->pid = 0;
		live_pid = 0;
	}
}

static char *
sim_log(const struct rfsim *s)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/log.jsonl", s->dir);
	return slurp(p);
}

static char *
sim_state(const struct rfsim *s)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/state.json", s->dir);
	return slurp(p);
}

/* A host as config_load would make it for power = redfish, trusting the
 * simulator's certificate through redfish_tls_ca. */
static struct host
rf_host(struct rfsim *s, enum host_firmware fw)
{
	struct host h;

	memset(&h, 0, sizeof(h));
	h.name = (char *)(uintptr_t)"node9";
	h.power = POWER_KIND_REDFISH;
	h.firmware = fw;
	h.redfish_address = s->addr;
	h.redfish_user = (char *)(uintptr_t)"admin";
	h.redfish_password_file = s->pwfile;
	h.redfish_tls_ca = s->cert;
	return h;
}

#define SIM_OR_SKIP(s, name, ...) do {					\
	static const char *const a_[] = { __VA_ARGS__ };		\
	if (!have("python3") || !have("openssl")) {			\
		fprintf(stderr, "# skipped: needs python3 and openssl\n"); \
		skip();							\
	}								\
	assert_int_equal(sim_start((s), (name), a_), 0);		\
} while (0)

/* ---- pure parts ---------------------------------------------------------- */

static void
test_boot_body_follows_firmware(void **state)
{
	char *b;

	(void)state;
	b = power_redfish_boot_body(HOST_FIRMWARE_UEFI, 0);
	assert_string_equal(b, "{\"Boot\":{\"BootSourceOverrideEnabled\":"
	    "\"Once\",\"BootSourceOverrideTarget\":\"Pxe\","
	    "\"BootSourceOverrideMode\":\"UEFI\"}}");
	free(b);
	b = power_redfish_boot_body(HOST_FIRMWARE_BIOS, 0);
	assert_non_null(strstr(b, "\"BootSourceOverrideMode\":\"Legacy\""));
	assert_non_null(strstr(b, "\"BootSourceOverrideTarget\":\"Pxe\""));
	free(b);
	/* auto: the BMC keeps the mode it has */
	b = power_redfish_boot_body(HOST_FIRMWARE_AUTO, 0);
	assert_null(strstr(b, "BootSourceOverrideMode"));
	assert_non_null(strstr(b, "\"BootSourceOverrideEnabled\":\"Once\""));
	free(b);
	/* UEFI HTTP boot exists in UEFI mode only */
	b = power_redfish_boot_body(HOST_FIRMWARE_AUTO, 1);
	assert_non_null(strstr(b, "\"BootSourceOverrideTarget\":\"UefiHttp\""));
	assert_non_null(strstr(b, "\"BootSourceOverrideMode\":\"UEFI\""));
	free(b);
}

static void
test_reset_type_from_allowable_values(void **state)
{
	static const char *const all[] = { "On", "ForceOff", "ForceRestart",
	    "PowerCycle", "GracefulRestart" };
	static const char *const cycle[] = { "On", "ForceOff", "PowerCycle",
	    "GracefulRestart" };
	static const char *const graceful[] = { "GracefulRestart",
	    "ForceOn" };
	static const char *const off_only[] = { "ForceOff", "Nmi" };

	(void)state;
	assert_string_equal(power_redfish_reset_type(1, all, 5),
	    "ForceRestart");
	assert_string_equal(power_redfish_reset_type(0, all, 5), "On");
	assert_string_equal(power_redfish_reset_type(1, cycle, 4),
	    "PowerCycle");
	assert_string_equal(power_redfish_reset_type(1, graceful, 2),
	    "GracefulRestart");
	assert_string_equal(power_redfish_reset_type(0, graceful, 2),
	    "ForceOn");
	assert_null(power_redfish_reset_type(1, off_only, 2));
	assert_null(power_redfish_reset_type(0, off_only, 2));
	/* no AllowableValues listed: the standard choice */
	assert_string_equal(power_redfish_reset_type(1, NULL, 0),
	    "ForceRestart");
	assert_string_equal(power_redfish_reset_type(0, NULL, 0), "On");
}

static void
test_error_message_parsing(void **state)
{
	char out[128];

	(void)state;
	power_redfish_error_message("{\"error\": {\"code\": \"Base.1.8."
	    "GeneralError\", \"message\": \"A general error\", "
	    "\"@Message.ExtendedInfo\": [{\"MessageId\": \"Base.1.8."
	    "PropertyValueNotInList\", \"Message\": \"The value Foo is not "
	    "in the list.\"}]}}", out, sizeof(out));
	assert_string_equal(out, "The value Foo is not in the list.");
	/* no ExtendedInfo: error.message */
	power_redfish_error_message("{\"error\": {\"code\": \"X\", \"message\":"
	    " \"Bad\\nthing\"}}", out, sizeof(out));
	assert_string_equal(out, "Bad thing");
	/* not a Redfish error, not JSON, nothing */
	power_redfish_error_message("{\"Id\": \"1\"}", out, sizeof(out));
	assert_string_equal(out, "");
	power_redfish_error_message("<html>500</html>", out, sizeof(out));
	assert_string_equal(out, "");
	power_redfish_error_message(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	/* truncated to the buffer, never past it */
	power_redfish_error_message("{\"error\": {\"message\": "
	    "\"0123456789abcdef\"}}", out, 8);
	assert_string_equal(out, "0123456");
}

static void
test_kind_name(void **state)
{
	(void)state;
	assert_string_equal(power_kind_name(POWER_KIND_REDFISH), "redfish");
}

/* ---- against the simulator ----------------------------------------------- */

static void
test_sim_off_uefi_override_then_on(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log, *st;

	(void)state;
	SIM_OR_SKIP(&s, "off-uefi", "--power", "Off", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	assert_non_null(strstr(err, "Once Pxe UEFI"));
	assert_non_null(strstr(err, "PowerState was Off: On"));
	sim_stop(&s);
	log = sim_log(&s);
	st = sim_state(&s);
	/* the PATCH the BMC got, with the ETag it had sent */
	assert_non_null(strstr(log, "\"body\": {\"Boot\": "
	    "{\"BootSourceOverrideEnabled\": \"Once\", "
	    "\"BootSourceOverrideMode\": \"UEFI\", "
	    "\"BootSourceOverrideTarget\": \"Pxe\"}}, \"event\": \"patch\", "
	    "\"if_match\": \"W/\\\"1\\\"\""));
	assert_non_null(strstr(log, "\"event\": \"reset\", \"power_after\": "
	    "\"On\", \"power_before\": \"Off\", \"reset_type\": \"On\""));
	/* the power-on booted PXE in UEFI mode, and used the override up */
	assert_non_null(strstr(log, "\"event\": \"boot\", \"mode\": \"UEFI\", "
	    "\"override\": \"Once\""));
	assert_non_null(strstr(st, "\"enabled\": \"Disabled\""));
	assert_non_null(strstr(st, "\"power\": \"On\""));
	/* a session, ended at the end; never basic auth */
	assert_int_equal(count(log, "\"session_created\""), 1);
	assert_int_equal(count(log, "\"session_deleted\""), 1);
	assert_int_equal(count(log, "\"auth\": \"basic\""), 0);
	assert_null(strstr(log, SIM_PASSWORD));
	free(log);
	free(st);
}

static void
test_sim_on_bios_force_restart_pinned(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log;

	(void)state;
	SIM_OR_SKIP(&s, "on-bios", "--power", "On", NULL);
	h = rf_host(&s, HOST_FIRMWARE_BIOS);
	h.redfish_tls_ca = NULL;
	h.redfish_tls_fingerprint = s.fingerprint;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	assert_non_null(strstr(err, "PowerState was On: ForceRestart"));
	sim_stop(&s);
	log = sim_log(&s);
	assert_non_null(strstr(log, "\"BootSourceOverrideMode\": \"Legacy\""));
	assert_non_null(strstr(log, "\"reset_type\": \"ForceRestart\""));
	assert_non_null(strstr(log, "\"event\": \"boot\", \"mode\": \"Legacy\""));
	free(log);
}

static void
test_sim_pin_mismatch_sends_nothing(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log;

	(void)state;
	SIM_OR_SKIP(&s, "pin", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	h.redfish_tls_ca = NULL;
	h.redfish_tls_fingerprint = (char *)(uintptr_t)"00:11:22:33:44:55:66:"
	    "77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:"
	    "CC:DD:EE:FF";
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, s.addr));
	assert_non_null(strstr(err, "not the configured "
	    "redfish_tls_fingerprint"));
	assert_non_null(strstr(err, s.fingerprint));	/* what it has */
	sim_stop(&s);
	log = sim_log(&s);
	assert_int_equal(count(log, "\"event\": \"request\""), 0);
	free(log);
}

static void
test_sim_untrusted_certificate(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512];

	(void)state;
	SIM_OR_SKIP(&s, "untrusted", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	h.redfish_tls_ca = NULL;	/* the system CAs: self-signed fails */
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "redfish_tls_ca or "
	    "redfish_tls_fingerprint"));
	/* redfish_tls_verify = no: taken as it is */
	h.redfish_tls_noverify = 1;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	sim_stop(&s);
}

static void
test_sim_wrong_password(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log, bad[600];
	int fd;

	(void)state;
	SIM_OR_SKIP(&s, "badpw", NULL);
	snprintf(bad, sizeof(bad), "%s/wrong", s.dir);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "Not-The-Pw\n", 11), 11);
	close(fd);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	h.redfish_password_file = bad;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, s.addr));
	assert_non_null(strstr(err, "POST /redfish/v1/SessionService/Sessions: "
	    "HTTP 401: There is no valid session"));
	assert_null(strstr(err, "Not-The-Pw"));
	sim_stop(&s);
	log = sim_log(&s);
	assert_int_equal(count(log, "\"event\": \"patch\""), 0);
	assert_int_equal(count(log, "\"event\": \"reset\""), 0);
	free(log);
}

static void
test_sim_basic_auth_without_sessions(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log;
	int on = -1;

	(void)state;
	SIM_OR_SKIP(&s, "basic", "--no-sessions", "--no-etag", NULL);
	h = rf_host(&s, HOST_FIRMWARE_AUTO);
	assert_int_equal(power_status(&h, &on, err, sizeof(err)), 0);
	assert_int_equal(on, 1);
	assert_string_equal(err, "system power is On");
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	assert_non_null(strstr(err, "basic auth"));
	sim_stop(&s);
	log = sim_log(&s);
	assert_int_equal(count(log, "\"session_created\""), 0);
	assert_non_null(strstr(log, "\"auth\": \"basic\", \"body\": {\"Boot\": "
	    "{\"BootSourceOverrideEnabled\": \"Once\", "
	    "\"BootSourceOverrideTarget\": \"Pxe\"}}, \"event\": \"patch\", "
	    "\"if_match\": null"));
	free(log);
}

static void
test_sim_two_systems_need_redfish_system(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log;

	(void)state;
	SIM_OR_SKIP(&s, "two", "--systems", "2", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "has 2 systems"));
	assert_non_null(strstr(err, "set redfish_system in [host node9]"));
	/* named: the second one gets it, the first does not */
	h.redfish_system = (char *)(uintptr_t)"/redfish/v1/Systems/2";
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	sim_stop(&s);
	log = sim_log(&s);
	assert_int_equal(count(log, "\"event\": \"patch\""), 1);
	assert_non_null(strstr(log, "\"system\": \"/redfish/v1/Systems/2\""));
	assert_int_equal(count(log, "\"system\": \"/redfish/v1/Systems/1\""),
	    0);
	free(log);
}

static void
test_sim_reset_fallback_and_failure(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log;

	(void)state;
	SIM_OR_SKIP(&s, "cycle", "--reset-types", "On,ForceOff,PowerCycle",
	    NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	h.redfish_boot_http = 1;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	assert_non_null(strstr(err, "UefiHttp UEFI"));
	assert_non_null(strstr(err, ": PowerCycle"));
	sim_stop(&s);
	log = sim_log(&s);
	assert_non_null(strstr(log, "\"target\": \"UefiHttp\""));
	free(log);

	SIM_OR_SKIP(&s, "resetfail", "--reset-fails", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "POST /redfish/v1/Systems/1/Actions/"
	    "ComputerSystem.Reset: HTTP 500: The request failed due to an "
	    "internal service error."));
	sim_stop(&s);
	log = sim_log(&s);
	/* the session is ended on failure too */
	assert_int_equal(count(log, "\"session_deleted\""), 1);
	free(log);
}

static void
test_sim_stale_etag_and_missing_target(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512], *log;

	(void)state;
	/* someone changes the system between our GET and our PATCH: 412,
	 * then the PATCH again with the new ETag */
	SIM_OR_SKIP(&s, "race", "--etag-race", "1", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_OK);
	sim_stop(&s);
	log = sim_log(&s);
	assert_int_equal(count(log, "\"method\": \"PATCH\", \"path\": "
	    "\"/redfish/v1/Systems/1\", \"status\": 412"), 1);
	assert_non_null(strstr(log, "\"event\": \"patch\", \"if_match\": "
	    "\"W/\\\"2\\\"\""));
	assert_int_equal(count(log, "\"event\": \"reset\""), 1);
	free(log);

	/* a BMC that cannot boot UefiHttp: refused before any PATCH */
	SIM_OR_SKIP(&s, "notarget", "--targets", "None,Pxe,Hdd", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	h.redfish_boot_http = 1;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "/redfish/v1/Systems/1 offers no "
	    "BootSourceOverrideTarget UefiHttp"));
	sim_stop(&s);
	log = sim_log(&s);
	assert_int_equal(count(log, "\"method\": \"PATCH\""), 0);
	assert_int_equal(count(log, "\"event\": \"reset\""), 0);
	free(log);
}

static void
test_sim_hung_bmc_times_out(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512];
	time_t t0;

	(void)state;
	SIM_OR_SKIP(&s, "hang", "--hang", "30", NULL);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	setenv("POOLBOOT_REDFISH_TIMEOUT", "1", 1);
	t0 = time(NULL);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	unsetenv("POOLBOOT_REDFISH_TIMEOUT");
	assert_true(time(NULL) - t0 <= 5);
	assert_non_null(strstr(err, "GET /redfish/v1/: no answer within 1 s"));
	sim_stop(&s);
}

static void
test_sim_bad_password_file(void **state)
{
	struct rfsim s;
	struct host h;
	char err[512];

	(void)state;
	memset(&s, 0, sizeof(s));
	snprintf(s.addr, sizeof(s.addr), "127.0.0.1:9");
	snprintf(s.pwfile, sizeof(s.pwfile), "%s/no-such-file", tmp);
	h = rf_host(&s, HOST_FIRMWARE_UEFI);
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "cannot read redfish_password_file"));
	h.redfish_user = NULL;
	assert_int_equal(power_pxe_boot(&h, err, sizeof(err)), POWER_FAIL);
	assert_non_null(strstr(err, "power = redfish needs redfish_address, "
	    "redfish_user and redfish_password_file"));
}

static int
setup(void **state)
{
	(void)state;
	log_init("test_power_redfish", PB_LOG_DEBUG, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tmp = unit_tmpdir();
	return tmp == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	if (live_pid > 0) {
		kill(live_pid, SIGTERM);
		waitpid(live_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmp);
	free(tmp);
	curl_global_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_body_follows_firmware),
		cmocka_unit_test(test_reset_type_from_allowable_values),
		cmocka_unit_test(test_error_message_parsing),
		cmocka_unit_test(test_kind_name),
		cmocka_unit_test(test_sim_off_uefi_override_then_on),
		cmocka_unit_test(test_sim_on_bios_force_restart_pinned),
		cmocka_unit_test(test_sim_pin_mismatch_sends_nothing),
		cmocka_unit_test(test_sim_untrusted_certificate),
		cmocka_unit_test(test_sim_wrong_password),
		cmocka_unit_test(test_sim_basic_auth_without_sessions),
		cmocka_unit_test(test_sim_two_systems_need_redfish_system),
		cmocka_unit_test(test_sim_reset_fallback_and_failure),
		cmocka_unit_test(test_sim_stale_etag_and_missing_target),
		cmocka_unit_test(test_sim_hung_bmc_times_out),
		cmocka_unit_test(test_sim_bad_password_file),
	};

	return cmocka_run_group_tests_name("power_redfish", tests, setup,
	    teardown);
}
