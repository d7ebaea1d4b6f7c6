/* test_coord_master.c — a run whose pool changed master
 * (coord_master_apply): the run's hosts re-flagged, a new master not yet
 * upgraded moved ahead of the hosts not started, a host done never moved
 * or restarted. */
#include "unit.h"

#include <string.h>

#include "coord_master.h"

static void
set(struct run_host *h, int ord, const char *name, int master,
    const char *step)
{
	memset(h, 0, sizeof(*h));
	h->ord = ord;
	snprintf(h->host, sizeof(h->host), "%s", name);
	h->is_master = master;
	snprintf(h->step, sizeof(h->step), "%s", step);
}

static void
test_upgraded_member_promoted(void **state)
{
	struct run_host h[4];
	int ch[4];

	(void)state;
	/* h1 (the old master) and h2 done, h3 halted in rejoin, h4 pending;
	 * h2 was promoted: only the flags change, nobody moves */
	set(&h[0], 0, "h1", 1, "done");
	set(&h[1], 1, "h2", 0, "done");
	set(&h[2], 2, "h3", 0, "rejoin");
	set(&h[3], 3, "h4", 0, "pending");
	assert_int_equal(coord_master_apply(h, 4, "h2", ch), 2);
	assert_int_equal(ch[0], 1);
	assert_int_equal(ch[1], 1);
	assert_int_equal(ch[2] + ch[3], 0);
	assert_int_equal(h[0].is_master, 0);
	assert_int_equal(h[1].is_master, 1);
	assert_string_equal(h[2].host, "h3");
	assert_string_equal(h[3].host, "h4");
	/* applied again: nothing left to change */
	assert_int_equal(coord_master_apply(h, 4, "h2", ch), 0);
}

static void
test_new_master_not_upgraded_goes_first(void **state)
{
	struct run_host h[5];
	int ch[5];
	size_t i;

	(void)state;
	/* h1 done, h2 in install (never interrupted), h3 and h4 pending,
	 * h5 pending and promoted: h5 goes before h3, after h2 */
	set(&h[0], 0, "h1", 1, "done");
	set(&h[1], 1, "h2", 0, "install");
	set(&h[2], 2, "h3", 0, "pending");
	set(&h[3], 3, "h4", 0, "pending");
	set(&h[4], 4, "h5", 0, "pending");
	assert_int_equal(coord_master_apply(h, 5, "h5", ch), 4);
	assert_string_equal(h[0].host, "h1");
	assert_string_equal(h[1].host, "h2");
	assert_string_equal(h[2].host, "h5");
	assert_string_equal(h[3].host, "h3");
	assert_string_equal(h[4].host, "h4");
	for (i = 0; i < 5; i++)
		assert_int_equal(h[i].ord, (int)i);	/* still sorted */
	assert_int_equal(h[2].is_master, 1);
	assert_int_equal(ch[1], 0);	/* the host under way is untouched */
	assert_int_equal(h[0].is_master, 0);
}

static void
test_master_already_started_or_unknown(void **state)
{
	struct run_host h[3];

	(void)state;
	/* a master under way (or done) is not moved: it is the host the
	 * run is at, or finished */
	set(&h[0], 0, "h1", 0, "done");
	set(&h[1], 5, "h2", 0, "evacuate");
	set(&h[2], 9, "h3", 0, "pending");
	assert_int_equal(coord_master_apply(h, 3, "h2", NULL), 0);
	assert_int_equal(h[1].is_master, 1);
	assert_string_equal(h[1].host, "h2");
	assert_int_equal(h[1].ord, 5);
	/* a master that is none of the run's hosts: no host is master */
	assert_int_equal(coord_master_apply(h, 3, "x9", NULL), 0);
	assert_int_equal(h[0].is_master + h[1].is_master + h[2].is_master, 0);
	assert_int_equal(coord_master_apply(h, 0, "h1", NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgraded_member_promoted),
		cmocka_unit_test(test_new_master_not_upgraded_goes_first),
		cmocka_unit_test(test_master_already_started_or_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
