/* test_log.c — one event, one log line: control bytes in a message (a
 * hostile XAPI's error text, a request path) are escaped as \xNN, so they
 * can neither start a forged line nor drive a terminal. */
#include "unit.h"

#include <fcntl.h>

#include "log.h"

static void
test_escape_control_bytes(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(log_escape("plain text: ok", out, sizeof(out)), 14);
	assert_string_equal(out, "plain text: ok");
	log_escape("a\nb\rc\td\x1b[2Je\x7f" "f", out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x0dc\\x09d\\x1b[2Je\\x7ff");
	/* UTF-8 and backslashes pass unchanged */
	log_escape("gr\xc3\xbc\xc3\x9f \\n", out, sizeof(out));
	assert_string_equal(out, "gr\xc3\xbc\xc3\x9f \\n");
	log_escape("", out, sizeof(out));
	assert_string_equal(out, "");
}

static void
test_escape_never_splits_an_escape(void **state)
{
	char out[8];

	(void)state;
	/* room for 7 bytes: "ab" and one escape; the second does not fit */
	assert_int_equal(log_escape("ab\n\ncd", out, sizeof(out)), 6);
	assert_string_equal(out, "ab\\x0a");
	assert_int_equal(log_escape("abcdefghij", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	out[0] = 'x';
	assert_int_equal(log_escape("abc", out, 0), 0);
	assert_int_equal(out[0], 'x');
	assert_int_equal(log_escape("abc", out, 1), 0);
	assert_string_equal(out, "");
}

/* What log_ctx writes to stderr for a host name and message holding a
 * newline: one line. */
static void
test_one_call_one_stderr_line(void **state)
{
	char path[] = "/tmp/test_log.XXXXXX";
	char buf[1024];
	int fd, saved;
	ssize_t n;
	char *nl;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init("test", PB_LOG_INFO, 0);
	log_ctx(PB_LOG_WARN, "xapi", "p1", "h1\nforged: host", "login failed: "
	    "%s", "ROOT\n2099-01-01T00:00:00.000Z serve: forged\r");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');		/* exactly one line */
	assert_non_null(strstr(buf, "xapi: warning: pool p1: host "
	    "h1\\x0aforged: host: login failed: ROOT\\x0a2099-01-01T00:00:00."
	    "000Z serve: forged\\x0d\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_control_bytes),
		cmocka_unit_test(test_escape_never_splits_an_escape),
		cmocka_unit_test(test_one_call_one_stderr_line),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
