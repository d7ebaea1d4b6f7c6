/* test_tokens.c — the tokens file's parser, the hashing, the server's
 * lookup (re-read when the file changes) and the audit scrubbing. */
#include "unit.h"

#include <sys/stat.h>
#include <time.h>

#include "audit.h"
#include "log.h"
#include "tokens.h"

#define H_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static void
test_hash_is_sha256(void **state)
{
	char h[65];

	(void)state;
	tokens_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_parse_good(void **state)
{
	struct strlist errors = { 0 };
	struct tokens_list l;

	(void)state;
	assert_int_equal(tokens_parse("T", "\xef\xbb\xbf# operators\n\n"
	    "alice admin " H_A "\n  \t\n\tbob   read-only\t" H_B "\r\n",
	    &l, &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "alice");
	assert_int_equal(l.v[0].role, TOKENS_ADMIN);
	assert_int_equal(l.v[0].line, 3);
	assert_string_equal(l.v[1].name, "bob");
	assert_int_equal(l.v[1].role, TOKENS_READ_ONLY);
	assert_int_equal(l.v[1].line, 5);
	/* upper-case hex is taken, kept lower-case */
	assert_int_equal(l.v[1].hash[0], 'b');
	assert_non_null(tokens_find(&l, "bob"));
	assert_null(tokens_find(&l, "carol"));
	assert_string_equal(tokens_role_name(TOKENS_READ_ONLY), "read-only");
	tokens_list_free(&l);
}

static void
test_parse_errors_name_lines(void **state)
{
	struct strlist errors = { 0 };
	struct tokens_list l;

	(void)state;
	assert_int_equal(tokens_parse("/etc/t",
	    "alice admin " H_A "\n"		/* 1 good */
	    "bob root " H_B "\n"			/* 2 role */
	    "alice read-only " H_B "\n"		/* 3 named twice */
	    "carol admin abc\n"			/* 4 hash */
	    "local admin " H_B "\n"		/* 5 local */
	    "dave admin\n"			/* 6 fields */
	    "-x admin " H_B "\n"			/* 7 name */
	    "erin admin " H_A "\n"		/* 8 same hash */
	    "fred admin " H_B " extra\n",		/* 9 fields */
	    &l, &errors), -1);
	assert_int_equal(l.n, 1);		/* only the good line */
	assert_string_equal(l.v[0].name, "alice");
	assert_int_equal(errors.n, 8);
	assert_non_null(strstr(errors.v[0], "/etc/t:2: unknown role 'root'"));
	assert_non_null(strstr(errors.v[1], "/etc/t:3: token 'alice' is "
	    "named twice (first on line 1)"));
	assert_non_null(strstr(errors.v[2], "/etc/t:4: the third field"));
	assert_non_null(strstr(errors.v[3], "/etc/t:5: the name 'local'"));
	assert_non_null(strstr(errors.v[4], "/etc/t:6: want three fields"));
	assert_non_null(strstr(errors.v[5], "/etc/t:7: '-x' is not a name"));
	assert_non_null(strstr(errors.v[6], "/etc/t:8: token 'erin' has the "
	    "same hash as 'alice'"));
	assert_non_null(strstr(errors.v[7], "/etc/t:9: want three fields"));
	strlist_free(&errors);
	tokens_list_free(&l);
}

/* Writes text to path through a new file (a new inode, as token add's
 * rename does). */
static void
unit_replace(const char *dir, const char *path, const char *text)
{
	char *tmp = unit_write(dir, "tokens.new", text);

	assert_non_null(tmp);
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
}

static void
test_lookup_rereads(void **state)
{
	char *dir = unit_tmpdir(), *path, line[256], ha[65], hb[65], name[64];
	const char *ta = "alice-token-0123456789-0123456789-xyz";
	const char *tb = "bob-token-0123456789-0123456789-xyzzy";
	const char *tl = "local-token-0123456789-0123456789-abc";
	struct tokens *t;

	(void)state;
	assert_non_null(dir);
	tokens_hash(ta, ha);
	tokens_hash(tb, hb);
	snprintf(line, sizeof(line), "alice admin %s\n", ha);
	path = unit_write(dir, "tokens", line);
	assert_int_equal(tokens_new(path, tl, &t), 0);
	assert_int_equal(tokens_lookup(t, ta, name, sizeof(name)),
	    TOKENS_ADMIN);
	assert_string_equal(name, "alice");
	assert_int_equal(tokens_lookup(t, tl, name, sizeof(name)),
	    TOKENS_ADMIN);
	assert_string_equal(name, "local");
	assert_int_equal(tokens_lookup(t, tb, name, sizeof(name)),
	    TOKENS_NONE);
	assert_string_equal(name, "-");
	assert_int_equal(tokens_lookup(t, ha, name, sizeof(name)),
	    TOKENS_NONE);	/* the hash is no token */
	/* bob added, alice removed: no restart */
	snprintf(line, sizeof(line), "bob read-only %s\n", hb);
	unit_replace(dir, path, line);
	assert_int_equal(tokens_lookup(t, tb, name, sizeof(name)),
	    TOKENS_READ_ONLY);
	assert_string_equal(name, "bob");
	assert_int_equal(tokens_lookup(t, ta, name, sizeof(name)),
	    TOKENS_NONE);
	/* a broken line grants nothing, the good ones stay */
	snprintf(line, sizeof(line), "bob read-only %s\nalice wizard %s\n",
	    hb, ha);
	unit_replace(dir, path, line);
	assert_int_equal(tokens_lookup(t, ta, name, sizeof(name)),
	    TOKENS_NONE);
	assert_int_equal(tokens_lookup(t, tb, name, sizeof(name)),
	    TOKENS_READ_ONLY);
	/* the file gone: local only */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(tokens_lookup(t, tb, name, sizeof(name)),
	    TOKENS_NONE);
	assert_int_equal(tokens_lookup(t, tl, name, sizeof(name)),
	    TOKENS_ADMIN);
	tokens_free(t);
	/* a broken file at start: refused */
	snprintf(line, sizeof(line), "alice wizard %s\n", ha);
	free(path);
	path = unit_write(dir, "tokens", line);
	assert_int_equal(tokens_new(path, tl, &t), -1);
	assert_null(t);
	/* no file at all: fine, local only */
	unlink(path);
	assert_int_equal(tokens_new(path, NULL, &t), 0);
	assert_int_equal(tokens_lookup(t, tl, name, sizeof(name)),
	    TOKENS_NONE);
	tokens_free(t);
	free(path);
	rmdir(dir);
	free(dir);
}

static void
test_audit_scrub(void **state)
{
	char s[256];

	(void)state;
	snprintf(s, sizeof(s), "/hosts/h1/%s/answerfile and %s",
	    "0123456789abcdef0123456789abcdef01234567", H_B);
	audit_scrub(s);
	assert_string_equal(s, "/hosts/h1/***/answerfile and ***");
	snprintf(s, sizeof(s), "run 7, job deadbeef, host:xen01-rack-2");
	audit_scrub(s);
	assert_string_equal(s, "run 7, job deadbeef, host:xen01-rack-2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_is_sha256),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors_name_lines),
		cmocka_unit_test(test_lookup_rereads),
		cmocka_unit_test(test_audit_scrub),
	};

	log_init("test", PB_LOG_ERROR - 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
