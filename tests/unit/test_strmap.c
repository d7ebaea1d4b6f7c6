/* test_strmap.c — the name and MAC index (strmap.h) behind config_host,
 * config_host_by_mac and config_pool: every key found, absent keys
 * missed, the first of two equal keys kept (as a scan finds it), a full
 * or unsized map refused. (tests/integration/test_scale.py checks that
 * the lookups stay fast at 40,000 hosts.) */
#include "unit.h"

#include <stdio.h>

#include "strmap.h"

static void
test_strmap_finds_every_key_and_misses_others(void **state)
{
	static char keys[5000][16];
	struct strmap m;
	size_t i, v;

	(void)state;
	assert_int_equal(strmap_init(&m, 5000), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "h%05zu", i);
		assert_int_equal(strmap_put(&m, keys[i], i), 1);
	}
	for (i = 0; i < 5000; i++) {
		char k[16];

		snprintf(k, sizeof(k), "h%05zu", i);
		assert_int_equal(strmap_get(&m, k, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(strmap_get(&m, "h5000", &v), -1);
	assert_int_equal(strmap_get(&m, "", &v), -1);
	/* the first stays */
	assert_int_equal(strmap_put(&m, "h00007", 99), 0);
	assert_int_equal(strmap_get(&m, "h00007", &v), 0);
	assert_int_equal(v, 7);
	strmap_free(&m);
	assert_int_equal(strmap_get(&m, "h00007", &v), -1);
	strmap_free(NULL);
}

static void
test_strmap_refuses_past_its_size(void **state)
{
	struct strmap m = { 0 };
	char keys[64][8];
	size_t i, v;
	int added = 0;

	(void)state;
	assert_int_equal(strmap_put(&m, "x", 1), -1);	/* never sized */
	assert_int_equal(strmap_get(&m, "x", &v), -1);
	assert_int_equal(strmap_init(&m, 2), 0);
	for (i = 0; i < 64; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		if (strmap_put(&m, keys[i], i) == 1)
			added++;
	}
	/* half full at most, so that a missing key's probe ends */
	assert_true(added >= 2 && (size_t)added * 2 < m.cap);
	assert_int_equal(strmap_get(&m, "nothere", &v), -1);
	strmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strmap_finds_every_key_and_misses_others),
		cmocka_unit_test(test_strmap_refuses_past_its_size),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
