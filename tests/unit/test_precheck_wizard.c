/* test_precheck_wizard.c — the arithmetic behind the wizard-style
 * prechecks: XAPI's CPU featureset subset test (precheck_vm.h) and the
 * installer's default dom0 memory (precheck_host.h). The checks
 * themselves run against the simulator in
 * tests/integration/test_prechecks_wizard.py. */
#include "unit.h"

#include "precheck_host.h"
#include "precheck_vm.h"

static void
test_features_subset(void **state)
{
	(void)state;
	/* equal, fewer bits, the shorter zero-extended (cpuid.ml) */
	assert_int_equal(precheck_vm_features_subset("1fcbfbff-f7fa3223",
	    "1fcbfbff-f7fa3223"), 1);
	assert_int_equal(precheck_vm_features_subset("0000000f-00000001",
	    "000000ff-00000003"), 1);
	assert_int_equal(precheck_vm_features_subset("0000000f",
	    "0000000f-ffffffff"), 1);
	assert_int_equal(precheck_vm_features_subset("0000000f-00000000",
	    "0000000f"), 1);
	/* a bit the host lacks, also in a word the host does not have */
	assert_int_equal(precheck_vm_features_subset("00000010",
	    "0000000f"), 0);
	assert_int_equal(precheck_vm_features_subset("0000000f-00000001",
	    "0000000f"), 0);
	/* empty: no features, a subset of anything */
	assert_int_equal(precheck_vm_features_subset("", "0000000f"), 1);
	/* not a featureset */
	assert_int_equal(precheck_vm_features_subset("xyz", "0000000f"), -1);
	assert_int_equal(precheck_vm_features_subset("0000000f-",
	    "0000000f"), -1);
	assert_int_equal(precheck_vm_features_subset("100000000",
	    "0000000f"), -1);
}

static void
test_dom0_default(void **state)
{
	(void)state;
	/* 1 GiB + 5% of (total + 256 MiB), down to 16 MiB, at most 8 GiB */
	assert_int_equal(precheck_host_dom0_default(16384), 1856);
	assert_int_equal(precheck_host_dom0_default(4096), 1232);
	assert_int_equal(precheck_host_dom0_default(65536), 4304);
	assert_int_equal(precheck_host_dom0_default(1048576), 8192);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_subset),
		cmocka_unit_test(test_dom0_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
