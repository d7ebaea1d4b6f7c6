/* test_pool.c — who an inventory host is in a pool snapshot (name_label,
 * management MAC, address) and whether every other host is up: the
 * decisions behind "never forget a live host" and "never two hosts of a
 * pool down" (pool.h), on snapshots built by hand. The XAPI side (PIF
 * records read from the simulator) is covered by tests/integration. */
#include "unit.h"

#include "pool.h"

static void
host(struct pool_host *h, const char *ref, const char *name,
    const char *addr, const char *mac, int live, int enabled)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->ref, sizeof(h->ref), "%s", ref);
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->address, sizeof(h->address), "%s", addr);
	snprintf(h->mac, sizeof(h->mac), "%s", mac);
	h->live = live;
	h->enabled = enabled;
}

static void
test_matches_by_name_mac_or_address(void **state)
{
	struct pool_host h;
	struct pool_ident id = { .name = "xen03", .mac = "52:54:00:AB:00:03",
	    .addr = "10.0.0.3" };
	struct pool_ident none = { 0 };
	char buf[64];

	(void)state;
	/* renamed by hand: still this host by its management MAC (any case) */
	host(&h, "OpaqueRef:3", "rack7-u12", "10.0.0.33", "52:54:00:ab:00:03",
	    1, 1);
	assert_int_equal(pool_host_matches(&h, &id), POOL_BY_MAC);
	assert_string_equal(pool_match_words(POOL_BY_MAC, buf, sizeof(buf)),
	    "management MAC");
	host(&h, "OpaqueRef:3", "xen03", "10.0.0.3", "52:54:00:ab:00:03", 1, 1);
	assert_int_equal(pool_host_matches(&h, &id), POOL_BY_NAME |
	    POOL_BY_MAC | POOL_BY_ADDR);
	assert_string_equal(pool_match_words(pool_host_matches(&h, &id), buf,
	    sizeof(buf)), "name_label and management MAC and address");
	/* no MAC read (snapshot without PIFs): name and address only */
	host(&h, "OpaqueRef:3", "other", "10.0.0.9", "", 0, 1);
	assert_int_equal(pool_host_matches(&h, &id), 0);
	assert_int_equal(pool_host_matches(&h, &none), 0);
	assert_int_equal(pool_host_matches(&h, NULL), 0);
	/* empty fields never match */
	host(&h, "OpaqueRef:3", "", "", "", 0, 1);
	id.name = id.mac = id.addr = "";
	assert_int_equal(pool_host_matches(&h, &id), 0);
}

static void
test_others_up(void **state)
{
	struct pool_host hosts[4];
	struct pool_snapshot s = { .hosts = hosts, .nhosts = 4 };
	struct pool_ident self = { .name = "h2" };
	char err[256] = "";

	(void)state;
	host(&hosts[0], "R1", "h1", "10.0.0.1", "", 1, 1);
	host(&hosts[1], "R2", "h2", "10.0.0.2", "", 1, 0);	/* ours */
	host(&hosts[2], "R3", "h3", "10.0.0.3", "", 1, 1);
	host(&hosts[3], "R4", "h4", "10.0.0.4", "", 1, 1);
	/* the host being taken down is disabled by us: it does not count */
	assert_int_equal(pool_others_up(&s, "R2", &self, err, sizeof(err)), 0);
	assert_int_equal(pool_others_up(&s, NULL, &self, err, sizeof(err)), 0);
	assert_int_equal(pool_others_up(&s, "R2", NULL, err, sizeof(err)), 0);
	/* but for anyone else it does */
	assert_int_equal(pool_others_up(&s, "R1", NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "disabled: h2");
	hosts[2].live = 0;
	hosts[3].enabled = 0;
	assert_int_equal(pool_others_up(&s, "R2", &self, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "not live: h3; disabled: h4");
	hosts[3].live = 0;
	assert_int_equal(pool_others_up(&s, "R2", &self, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "not live: h3, h4");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_by_name_mac_or_address),
		cmocka_unit_test(test_others_up),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
