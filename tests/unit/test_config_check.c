/* test_config_check.c — what `poolboot check` catches before serve would
 * fail on it (issue 14): an unwritable state_dir, empty password files,
 * timezones that are not in the tz database; and what it no longer
 * over-reports: a UTF-8 BOM, a [defaults] mistake once per host. */
#include "unit.h"

#include <sys/stat.h>

#include "config.h"
#include "util.h"

static char *dir;	/* scratch folder with a repo, secrets, templates */

/* Line 1..: [server] then one repo and one pool; hosts follow. */
static const char *HEAD =
    "[server]\n"
    "template_dir = tpl\n"
    "public_url = http://10.0.0.5:8080/\n"
    "state_dir = state\n"
    "tftp_root = tftp\n"
    "[repo xs82]\n"
    "path = repo\n"
    "[pool poolA]\n"
    "xapi = https://10.0.0.10\n"
    "username = root\n"
    "password_file = pool.pw\n";	/* line 11 */

static const char *HOSTS =
    "[host h1]\npool = poolA\nmac = 52:54:00:00:00:01\ndisk = sda\n"
    "[host h2]\npool = poolA\nmac = 52:54:00:00:00:02\ndisk = sda\n"
    "[host h3]\npool = poolA\nmac = 52:54:00:00:00:03\ndisk = sda\n";

static int
setup(void **state)
{
	char *p;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	assert_int_equal(asprintf(&p, "%s/tpl", dir) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	assert_int_equal(unit_repo(dir, 0), 0);
	assert_int_equal(unit_secret(dir, "pool.pw", "secret\n"), 0);
	return 0;
}

/* Loads HEAD + mid + HOSTS from memory as "t.conf". */
static int
load(const char *pre, const char *mid, struct config **cfg,
    struct strlist *errs, struct strlist *warns)
{
	char *text;
	int ret;

	assert_int_equal(asprintf(&text, "%s%s%s%s", pre, HEAD, mid, HOSTS) > 0,
	    1);
	ret = config_load_text("t.conf", dir, text, strlen(text), cfg, errs,
	    warns);
	free(text);
	return ret;
}

/* The number of messages in l that start with "t.conf:LINE: " and hold
 * needle. */
static size_t
count_at(const struct strlist *l, int line, const char *needle)
{
	char prefix[64];
	size_t i, n = 0;

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i], prefix, strlen(prefix)) == 0 &&
		    strstr(l->v[i], needle) != NULL)
			n++;
	if (n == 0)
		for (i = 0; i < l->n; i++)
			fprintf(stderr, "# got: %s\n", l->v[i]);
	return n;
}

static void
test_bom_accepted(void **state)
{
	struct strlist errs = { 0 }, warns = { 0 };
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load("\xEF\xBB\xBF", "", &cfg, &errs, &warns), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(warns.n, 0);
	assert_int_equal(cfg->nhosts, 3);
	assert_string_equal(cfg->public_url, "http://10.0.0.5:8080");
	config_free(cfg);
	/* the mark only counts at the very start */
	assert_int_equal(load("", "\xEF\xBB\xBF[defaults]\n", &cfg, &errs,
	    NULL), -1);
	assert_int_equal(count_at(&errs, 12, "key = value"), 1);
	strlist_free(&errs);
	strlist_free(&warns);
}

static void
test_defaults_mistake_once(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;

	(void)state;
	/* lines 12-14; three hosts inherit both values */
	assert_int_equal(load("", "[defaults]\ntimezone = Mars/Olympus\n"
	    "keymap = de latin\n", &cfg, &errs, NULL), -1);
	assert_int_equal(count_at(&errs, 13, "Mars/Olympus"), 1);
	assert_int_equal(count_at(&errs, 14, "keymap"), 1);
	assert_int_equal(errs.n, 2);
	strlist_free(&errs);
}

static void
test_timezone_in_tz_database(void **state)
{
	static const char *bad[] = { "Mars/Olympus", "../../etc/passwd",
	    "/usr/share/zoneinfo/UTC", "Europe/../UTC", "zone.tab" };
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char mid[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(mid, sizeof(mid), "[defaults]\ntimezone = %s\n",
		    bad[i]);
		assert_int_equal(load("", mid, &cfg, &errs, NULL), -1);
		assert_int_equal(count_at(&errs, 13, "timezone"), 1);
		strlist_free(&errs);
	}
	/* UTC always, even without tzdata; a real zone when tzdata is here */
	assert_int_equal(load("", "[defaults]\ntimezone = UTC\n", &cfg, &errs,
	    NULL), 0);
	assert_string_equal(cfg->hosts[0].timezone, "UTC");
	config_free(cfg);
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0) {
		assert_int_equal(load("", "[defaults]\ntimezone = "
		    "Europe/Berlin\n", &cfg, &errs, NULL), 0);
		assert_string_equal(cfg->hosts[2].timezone, "Europe/Berlin");
		config_free(cfg);
	}
	assert_int_equal(errs.n, 0);
}

static void
test_empty_password_file(void **state)
{
	static const char *bodies[] = { "", "\n", "\r\nsecret\n" };
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		p = unit_write(dir, "pool.pw", bodies[i]);
		chmod(p, 0600);
		free(p);
		assert_int_equal(load("", "", &cfg, &errs, NULL), -1);
		assert_int_equal(count_at(&errs, 11, "pool.pw' is empty"), 1);
		assert_int_equal(errs.n, 1);
		strlist_free(&errs);
	}
	/* a secret on the first line is fine */
	assert_int_equal(unit_secret(dir, "pool.pw", "secret\n"), 0);
	assert_int_equal(load("", "", &cfg, &errs, NULL), 0);
	assert_int_equal(errs.n, 0);
	config_free(cfg);
}

/* A struct config with only what config_check_state_dir reads. */
static void
check_state_dir(const char *state_dir, int line, struct strlist *probs,
    int want)
{
	struct config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.path = (char *)(uintptr_t)"t.conf";
	cfg.state_dir = (char *)(uintptr_t)state_dir;
	cfg.state_dir_line = line;
	assert_int_equal(config_check_state_dir(&cfg, probs), want);
}

static void
test_state_dir_writable(void **state)
{
	struct strlist probs = { 0 };
	char *p, *f, *sub;

	(void)state;
	/* writable, and missing but creatable: fine, and nothing is left */
	check_state_dir(dir, 4, &probs, 0);
	assert_int_equal(asprintf(&p, "%s/new/state", dir) > 0, 1);
	check_state_dir(p, 4, &probs, 0);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	assert_int_equal(probs.n, 0);

	/* a parent is a file: cannot be created, named with its line */
	f = unit_write(dir, "a-file", "x\n");
	assert_int_equal(asprintf(&sub, "%s/state", f) > 0, 1);
	check_state_dir(sub, 4, &probs, -1);
	assert_int_equal(count_at(&probs, 4, "cannot be created"), 1);
	assert_non_null(strstr(probs.v[0], sub));
	strlist_free(&probs);

	/* exists, no file can be created (even root cannot in /sys);
	 * unset in the file: "(the default)" and no line */
	check_state_dir("/sys", 0, &probs, -1);
	assert_int_equal(probs.n, 1);
	assert_int_equal(strncmp(probs.v[0], "t.conf: state_dir /sys (the "
	    "default) is not writable", 44), 0);
	strlist_free(&probs);
	free(sub);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_accepted),
		cmocka_unit_test(test_defaults_mistake_once),
		cmocka_unit_test(test_timezone_in_tz_database),
		cmocka_unit_test(test_empty_password_file),
		cmocka_unit_test(test_state_dir_writable),
	};

	return cmocka_run_group_tests_name("config_check", tests, setup, NULL);
}
