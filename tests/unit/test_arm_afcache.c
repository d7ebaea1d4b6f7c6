/* test_arm_afcache.c — rendered answerfiles kept per arming
 * (arm_afcache.h): a kept body is given back only for the same arming,
 * token, mode, pin generation and configuration epoch, and only while
 * its template file is unchanged; a freshly changed template is never
 * kept; a reload (clear) or a store from before it drops everything. */
#include "unit.h"

#include <string.h>
#include <time.h>
#include <utime.h>

#include "arm_afcache.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct fix {
	char			*tmp;
	char			*tpl;
	struct arm_afcache	*c;
};

/* Sets path's mtime to a fixed past time (its ctime stays now: see
 * old_template). */
static void
age(const char *path)
{
	struct utimbuf ut;

	ut.actime = ut.modtime = 1700000000;	/* the same every time */
	assert_int_equal(utime(path, &ut), 0);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->tmp = unit_tmpdir());
	assert_non_null(f->tpl = unit_write(f->tmp, "answerfile-upgrade.xml",
	    "<installation/>\n"));
	assert_non_null(f->c = arm_afcache_new());
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	arm_afcache_free(f->c);
	unlink(f->tpl);
	rmdir(f->tmp);
	free(f->tpl);
	free(f->tmp);
	free(f);
	return 0;
}

static void
key(struct arm_afcache *c, struct arm_afcache_key *k, int64_t id,
    const char *hash)
{
	memset(k, 0, sizeof(*k));
	k->arming_id = id;
	snprintf(k->token_hash, sizeof(k->token_hash), "%s", hash);
	k->mode = 1;
	k->hc_gen = 7;
	k->epoch = arm_afcache_epoch(c);
}

/* The template as it was more than a second ago: ctime cannot be set
 * back, so the test waits past the racy second once. */
static void
old_template(struct fix *f, struct arm_afcache_file *tf)
{
	age(f->tpl);
	sleep(2);
	arm_afcache_stat(f->tpl, tf);
	assert_true(tf->ok);
}

/* body for k, or NULL; freed here, the hostcert flag kept in k. */
static int
hit(struct fix *f, struct arm_afcache_key *k, const char *want)
{
	struct arm_afcache_file tf;
	size_t len;
	char *b;
	int ok;

	arm_afcache_stat(f->tpl, &tf);
	if ((b = arm_afcache_get(f->c, k, &tf, &len)) == NULL)
		return 0;
	ok = len == strlen(want) && strcmp(b, want) == 0;
	free(b);
	assert_true(ok);
	return 1;
}

static void
same_arming_unchanged_hits_anything_else_misses(void **state)
{
	struct fix *f = *state;
	struct arm_afcache_key k, o;
	struct arm_afcache_file tf;

	old_template(f, &tf);
	key(f->c, &k, 5, HASH_A);
	k.hostcert = 1;
	arm_afcache_put(f->c, &k, &tf, "<a/>", 4);
	key(f->c, &o, 5, HASH_A);
	assert_true(hit(f, &o, "<a/>"));
	assert_int_equal(o.hostcert, 1);
	key(f->c, &o, 5, HASH_B);		/* another token */
	assert_false(hit(f, &o, "<a/>"));
	key(f->c, &o, 5 + ARM_AFCACHE_SLOTS, HASH_A);	/* same slot */
	assert_false(hit(f, &o, "<a/>"));
	key(f->c, &o, 5, HASH_A);
	o.mode = 2;
	assert_false(hit(f, &o, "<a/>"));
	key(f->c, &o, 5, HASH_A);
	o.hc_gen = 8;				/* a pin changed */
	assert_false(hit(f, &o, "<a/>"));
	arm_afcache_drop(f->c, 5);		/* the arming ended */
	key(f->c, &o, 5, HASH_A);
	assert_false(hit(f, &o, "<a/>"));
}

static void
changed_template_misses_and_fresh_one_is_not_kept(void **state)
{
	struct fix *f = *state;
	struct arm_afcache_key k;
	struct arm_afcache_file tf;
	char *p;

	old_template(f, &tf);
	key(f->c, &k, 9, HASH_A);
	arm_afcache_put(f->c, &k, &tf, "<old/>", 6);
	assert_true(hit(f, &k, "<old/>"));
	/* the same size, the same mtime: only the ctime shows it */
	p = unit_write(f->tmp, "answerfile-upgrade.xml", "<INSTALLATION/>\n");
	free(p);
	age(f->tpl);
	assert_false(hit(f, &k, "<old/>"));
	/* rendered from the template changed just now: not kept */
	arm_afcache_stat(f->tpl, &tf);
	arm_afcache_put(f->c, &k, &tf, "<new/>", 6);
	assert_false(hit(f, &k, "<new/>"));
	/* a template that is gone keeps nothing */
	unlink(f->tpl);
	arm_afcache_stat(f->tpl, &tf);
	assert_false(tf.ok);
	arm_afcache_put(f->c, &k, &tf, "<new/>", 6);
	assert_false(hit(f, &k, "<new/>"));
}

static void
reload_drops_everything_and_late_stores(void **state)
{
	struct fix *f = *state;
	struct arm_afcache_key k, late;
	struct arm_afcache_file tf;
	uint64_t hits, misses;

	old_template(f, &tf);
	key(f->c, &k, 3, HASH_A);
	late = k;			/* a render begun before the reload */
	arm_afcache_put(f->c, &k, &tf, "<a/>", 4);
	arm_afcache_clear(f->c);
	assert_false(hit(f, &k, "<a/>"));	/* the old epoch's */
	key(f->c, &k, 3, HASH_A);
	assert_false(hit(f, &k, "<a/>"));	/* dropped */
	arm_afcache_put(f->c, &late, &tf, "<stale/>", 8);
	assert_false(hit(f, &k, "<stale/>"));	/* not stored */
	arm_afcache_put(f->c, &k, &tf, "<b/>", 4);
	assert_true(hit(f, &k, "<b/>"));
	arm_afcache_stats(f->c, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    same_arming_unchanged_hits_anything_else_misses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    changed_template_misses_and_fresh_one_is_not_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    reload_drops_everything_and_late_stores, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
