/* test_rules.c — the version order and the upgrade-path rules an
 * operator edits (templates/upgrade-paths.conf). */
#include "unit.h"

#include "rules.h"

static void
test_version_order(void **state)
{
	(void)state;
	assert_true(rules_version_cmp("7.1.0", "7.6.0") < 0);
	assert_true(rules_version_cmp("7.10.0", "7.6.0") > 0);	/* numeric */
	assert_int_equal(rules_version_cmp("7.1", "7.1.0"), 0);
	assert_true(rules_version_cmp("8.2.1", "8.2.0") > 0);
	assert_true(rules_version_cmp("4.0.1", "4.1.0") < 0);
	assert_int_equal(rules_version_cmp("8.2.1", "8.2.1"), 0);
	assert_true(rules_version_cmp("8.3.0", "8.2.99") > 0);
}

static struct rules *
shipped_rules(void)
{
	struct rules *r = NULL;
	struct strlist errs = { 0 };

	assert_int_equal(rules_load("templates/upgrade-paths.conf", &r,
	    &errs), 0);
	assert_int_equal(errs.n, 0);
	return r;
}

/* 1 when the shipped rules allow fb f -> tb t; err kept for the caller. */
static char shipped_err[1024];

static int
shipped_allow(struct rules *r, const char *fb, const char *f,
    const char *tb, const char *t)
{
	return rules_allow_brand(r, fb, f, tb, t, shipped_err,
	    sizeof(shipped_err));
}

static void
test_shipped_rules_follow_the_vendor(void **state)
{
	struct rules *r = shipped_rules();

	(void)state;
	/* XenServer 7.6 guide: 7.0 and 7.1 CU1 upgrade to 7.6, plain 7.1
	 * does not; the lines carry no brand (only XenServer had 7.0/7.1) */
	assert_int_equal(shipped_allow(r, "XenServer", "7.0.0", "XenServer",
	    "7.6.0"), 1);
	assert_int_equal(shipped_allow(r, "XenServer", "7.1.1", "XenServer",
	    "7.6.0"), 1);
	assert_int_equal(shipped_allow(r, "XenServer", "7.1.2", "XenServer",
	    "7.6.0"), 1);
	assert_int_equal(shipped_allow(r, "XenServer", "7.1.0", "XenServer",
	    "7.6.0"), 0);
	assert_non_null(strstr(shipped_err, "Cumulative Update 1"));
	/* ... and nothing else upgrades to 7.6 with the installer */
	assert_int_equal(shipped_allow(r, "XenServer", "6.5.0", "XenServer",
	    "7.6.0"), 0);
	assert_non_null(strstr(shipped_err, "7.0 and 7.1 Cumulative Update 1"));
	/* seed 003: 3.2 only through 4.0.1 */
	assert_int_equal(shipped_allow(r, "XenServer", "3.2.0", "XenServer",
	    "4.0.1"), 1);
	assert_int_equal(shipped_allow(r, "XenServer", "3.2.0", "XenServer",
	    "4.1.0"), 0);
	assert_non_null(strstr(shipped_err, "4.0.1 first"));
	assert_int_equal(shipped_allow(r, "XenServer", "4.0.1", "XenServer",
	    "4.1.0"), 1);
	/* XenServer 8 guide: Citrix Hypervisor 8.2 CU1 -> XenServer 8 (8.4),
	 * whatever name the rule or the host uses for the product */
	assert_int_equal(shipped_allow(r, "Citrix Hypervisor", "8.2.1",
	    "XenServer", "8.4.0"), 1);
	assert_non_null(strstr(shipped_err, "allowed by"));
	assert_int_equal(shipped_allow(r, "citrix hypervisor", "8.2.1",
	    "XenServer", "8.4.12"), 1);
	/* ... and from nothing older */
	assert_int_equal(shipped_allow(r, "Citrix Hypervisor", "8.2.0",
	    "XenServer", "8.4.0"), 0);
	assert_non_null(strstr(shipped_err, "8.2 CU1 first"));
	assert_int_equal(shipped_allow(r, "XenServer", "7.1.2", "XenServer",
	    "8.4.0"), 0);
	/* XCP-ng 8.3 release notes: from 8.0, 8.1 and an up-to-date 8.2.1 */
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.2.1", "XCP-ng",
	    "8.3.0"), 1);
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.0.0", "XCP-ng",
	    "8.3.0"), 1);
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.1.0", "XCP-ng",
	    "8.3.0"), 1);
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.2.0", "XCP-ng",
	    "8.3.0"), 0);
	assert_non_null(strstr(shipped_err, "8.2 updates"));
	assert_int_equal(shipped_allow(r, "XCP-ng", "7.6.0", "XCP-ng",
	    "8.3.0"), 0);
	assert_non_null(strstr(shipped_err, "8.2.1 first"));
	/* XCP-ng 8.2: from the 8.x before it, and 7.5 directly */
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.2.0", "XCP-ng",
	    "8.2.1"), 1);
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.0.0", "XCP-ng",
	    "8.2.1"), 1);
	assert_int_equal(shipped_allow(r, "XCP-ng", "7.5.0", "XCP-ng",
	    "8.2.1"), 1);
	/* the same numbers on the other product are not these paths */
	assert_int_equal(shipped_allow(r, "Citrix Hypervisor", "8.2.0",
	    "Citrix Hypervisor", "8.2.1"), 0);
	assert_non_null(strstr(shipped_err, "no upgrade path"));
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.2.1", "XCP-ng",
	    "8.4.0"), 0);
	/* nothing matches: refused, and the message says how to allow it,
	 * brand quoted as a rule line needs it */
	assert_int_equal(shipped_allow(r, "Citrix Hypervisor", "8.1.0",
	    "Citrix Hypervisor", "8.2.1"), 0);
	assert_non_null(strstr(shipped_err, "allow \"Citrix Hypervisor\" "
	    "8.1.0 -> \"Citrix Hypervisor\" 8.2.1"));
	rules_free(r);
}

/* XCP-ng <-> XenServer (any of its names), either way: refused before
 * any rule, with the advice for that direction. */
static void
test_cross_product_is_refused_with_advice(void **state)
{
	struct rules *r = shipped_rules();
	struct rules *all = NULL;
	struct strlist errs = { 0 };
	char *dir = unit_tmpdir(), *p;
	char err[1024];

	(void)state;
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.2.1", "XenServer",
	    "8.4.0"), 0);
	assert_non_null(strstr(shipped_err, "change of product"));
	assert_non_null(strstr(shipped_err, "an XCP-ng pool is upgraded with "
	    "an XCP-ng ISO"));
	assert_non_null(strstr(shipped_err, "docs.xenserver.com"));
	assert_int_equal(shipped_allow(r, "Citrix Hypervisor", "8.2.1",
	    "XCP-ng", "8.3.0"), 0);
	assert_non_null(strstr(shipped_err, "a Citrix Hypervisor pool is "
	    "upgraded with a XenServer ISO"));
	assert_non_null(strstr(shipped_err, "docs.xcp-ng.org"));
	/* the same number is no excuse */
	assert_int_equal(shipped_allow(r, "Citrix Hypervisor", "8.2.1",
	    "XCP-ng", "8.2.1"), 0);
	assert_int_equal(shipped_allow(r, "XCP-ng", "8.2.0", "Citrix XenServer",
	    "8.2.1"), 0);
	assert_non_null(strstr(shipped_err, "change of product"));
	rules_free(r);

	/* not even a rule that allows everything lets it through */
	p = unit_write(dir, "all.conf", "allow * -> *\n");
	assert_int_equal(rules_load(p, &all, &errs), 0);
	assert_int_equal(rules_allow_brand(all, "XCP-ng", "8.2.1", "XenServer",
	    "8.4.0", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "change of product"));
	assert_int_equal(rules_allow_brand(all, "XenServer", "8.4.0", "XCP-ng",
	    "8.3.0", err, sizeof(err)), 0);
	/* within one product it does */
	assert_int_equal(rules_allow_brand(all, "Citrix Hypervisor", "8.2.1",
	    "XenServer", "8.4.0", err, sizeof(err)), 1);
	/* another brand is a product of its own */
	assert_int_equal(rules_allow_brand(all, "Acme Hypervisor", "1.0",
	    "XCP-ng", "8.3.0", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "a Acme Hypervisor pool is upgraded with "
	    "a Acme Hypervisor ISO"));
	rules_free(all);
	unlink(p);
	free(p);
	rmdir(dir);
	free(dir);
}

static void
test_brand_families(void **state)
{
	(void)state;
	assert_string_equal(rules_brand_family("XenServer"), "XenServer");
	assert_string_equal(rules_brand_family("Citrix Hypervisor"),
	    "XenServer");
	assert_string_equal(rules_brand_family("Citrix XenServer"),
	    "XenServer");
	assert_string_equal(rules_brand_family("xcp-NG"), "XCP-ng");
	assert_string_equal(rules_brand_family("Acme"), "Acme");
	assert_null(rules_brand_family(""));
	assert_null(rules_brand_family(NULL));
	assert_int_equal(rules_same_product("Citrix Hypervisor", "XenServer"),
	    1);
	assert_int_equal(rules_same_product("XCP-ng", "Citrix Hypervisor"), 0);
	assert_int_equal(rules_same_product("XCP-ng", NULL), 1); /* unknown */
}

/* Brands in rule lines: one word or quoted, either side, matching the
 * whole product; old lines without brands keep working within one. */
static void
test_rule_brands(void **state)
{
	struct rules *r = NULL;
	struct strlist errs = { 0 };
	char *dir = unit_tmpdir(), *p;
	char err[1024];

	(void)state;
	p = unit_write(dir, "rules.conf",
	    "allow \"Citrix Hypervisor\" 8.2.1 -> XenServer 8.4.*\n"
	    "deny XCP-ng 8.2.0 -> XCP-ng 8.3.* : update to 8.2.1 first\n"
	    "allow XCP-ng 8.2.* -> XCP-ng 8.3.*\n"
	    "  allow\t\"Acme  Box\"\t1.*  ->  \"Acme  Box\" 2.*:go\n"
	    "allow 5.0.* -> 5.1.*\n");
	assert_int_equal(rules_load(p, &r, &errs), 0);
	assert_int_equal(errs.n, 0);
	/* a rule naming XenServer matches the product's every name */
	assert_int_equal(rules_allow_brand(r, "XenServer", "8.2.1",
	    "XenServer", "8.4.0", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "rules.conf:1"));
	assert_int_equal(rules_allow_brand(r, "Citrix Hypervisor", "8.2.1",
	    "Citrix XenServer", "8.4.3", err, sizeof(err)), 1);
	/* XCP-ng 8.2.x lines do not serve Citrix Hypervisor 8.2.x */
	assert_int_equal(rules_allow_brand(r, "Citrix Hypervisor", "8.2.1",
	    "Citrix Hypervisor", "8.3.0", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no upgrade path"));
	assert_int_equal(rules_allow_brand(r, "XCP-ng", "8.2.0", "XCP-ng",
	    "8.3.0", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "update to 8.2.1 first"));
	assert_non_null(strstr(err, "rules.conf:2"));
	assert_int_equal(rules_allow_brand(r, "XCP-ng", "8.2.1", "XCP-ng",
	    "8.3.0", err, sizeof(err)), 1);
	/* quoted brands with blanks, advice right after the version */
	assert_int_equal(rules_allow_brand(r, "Acme  Box", "1.2", "Acme  Box",
	    "2.0", err, sizeof(err)), 1);
	/* a brand-less line: any brand, one product */
	assert_int_equal(rules_allow_brand(r, "XCP-ng", "5.0.1", "XCP-ng",
	    "5.1.0", err, sizeof(err)), 1);
	assert_int_equal(rules_allow_brand(r, "XenServer", "5.0.1",
	    "Citrix Hypervisor", "5.1.0", err, sizeof(err)), 1);
	assert_int_equal(rules_allow_brand(r, "XenServer", "5.0.1", "XCP-ng",
	    "5.1.0", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "change of product"));
	/* brands unknown: only brand-less lines match */
	assert_int_equal(rules_allow(r, "5.0.0", "5.1.0", err, sizeof(err)),
	    1);
	assert_int_equal(rules_allow(r, "8.2.1", "8.4.0", err, sizeof(err)),
	    0);
	assert_non_null(strstr(err, "brand is unknown"));
	assert_int_equal(rules_allow_brand(r, "", "8.2.1", "XenServer",
	    "8.4.0", err, sizeof(err)), 0);
	rules_free(r);
	free(p);

	/* bad brands: a line naming two products, an open quote, a brand
	 * with no version */
	p = unit_write(dir, "rules.conf",
	    "allow XCP-ng 8.2.* -> XenServer 8.4.*\n"
	    "allow \"Citrix Hypervisor 8.2.1 -> XenServer 8.4.*\n"
	    "allow XenServer -> XenServer 8.4.*\n"
	    "deny \"Citrix Hypervisor\" 8.* -> XCP-ng 8.* : no\n"
	    "allow XenServer 8.2.1 XenServer -> 8.4.*\n");
	assert_int_equal(rules_load(p, &r, &errs), -1);
	assert_null(r);
	assert_int_equal(errs.n, 5);
	assert_non_null(strstr(errs.v[0], "rules.conf:1: 'XCP-ng' and "
	    "'XenServer' are different products"));
	assert_non_null(strstr(errs.v[1], "rules.conf:2: expected"));
	assert_non_null(strstr(errs.v[2], "rules.conf:3: expected"));
	assert_non_null(strstr(errs.v[3], "rules.conf:4: 'Citrix Hypervisor' "
	    "and 'XCP-ng'"));
	assert_non_null(strstr(errs.v[4], "rules.conf:5: expected"));
	strlist_free(&errs);
	unlink(p);
	free(p);
	rmdir(dir);
	free(dir);
}

static void
test_rules_file_errors_have_lines(void **state)
{
	struct rules *r = NULL;
	struct strlist errs = { 0 };
	char *dir = unit_tmpdir(), *p;
	char err[256];

	(void)state;
	p = unit_write(dir, "rules.conf", "# comment\n"
	    "allow 1.0.* -> 2.0.*\n"
	    "permit 1.0 -> 3.0\n"
	    "allow 1.0 => 3.0\n"
	    "deny 2.0.* -> 3.* : go to 2.5 first\n");
	assert_int_equal(rules_load(p, &r, &errs), -1);
	assert_null(r);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.v[0], "rules.conf:3:"));
	assert_non_null(strstr(errs.v[1], "rules.conf:4:"));
	strlist_free(&errs);
	free(p);

	/* first match wins; a range includes both ends */
	p = unit_write(dir, "rules.conf",
	    "deny 2.0.0 -> 3.* : apply 2.0.1 first\n"
	    "allow 2.0.0..2.0.* -> 3.*\n");
	assert_int_equal(rules_load(p, &r, &errs), 0);
	assert_int_equal(rules_allow(r, "2.0.0", "3.1.0", err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "apply 2.0.1 first"));
	assert_non_null(strstr(err, "rules.conf:1"));
	assert_int_equal(rules_allow(r, "2.0.5", "3.1.0", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "2.1.0", "3.1.0", err,
	    sizeof(err)), 0);
	rules_free(r);
	free(p);

	/* a range up to a wildcard holds what lies below the wildcard too */
	p = unit_write(dir, "rules.conf", "allow 8.0.*..8.2.* -> 8.2.*\n");
	assert_int_equal(rules_load(p, &r, &errs), 0);
	assert_int_equal(rules_allow(r, "8.0.0", "8.2.1", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "8.1.9", "8.2.1", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "8.2.0", "8.2.1", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "8.3.0", "8.2.1", err,
	    sizeof(err)), 0);
	assert_int_equal(rules_allow(r, "7.6.0", "8.2.1", err,
	    sizeof(err)), 0);
	rules_free(r);
	free(p);
	assert_int_equal(rules_load("/nonexistent/rules", &r, &errs), -1);
	assert_non_null(strstr(errs.v[0], "/nonexistent/rules"));
	strlist_free(&errs);
	p = unit_write(dir, "rules.conf", "");
	unlink(p);
	free(p);
	rmdir(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_shipped_rules_follow_the_vendor),
		cmocka_unit_test(test_cross_product_is_refused_with_advice),
		cmocka_unit_test(test_brand_families),
		cmocka_unit_test(test_rule_brands),
		cmocka_unit_test(test_rules_file_errors_have_lines),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
