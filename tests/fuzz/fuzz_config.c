/* fuzz_config.c — the config loader (config_load_text: the INI reader,
 * [server], [repo], [pool], [defaults], [host], [dnsmasq], references and
 * duplicates) on arbitrary text, against a scratch folder that holds a
 * good repo tree and password files, so that relative paths in the
 * input can resolve.
 *
 * Invariants: every error names the file ("fuzz.conf:..." or
 * "fuzz.conf: ..."), a config that loads finds each of its hosts again by
 * name and by MAC, and each host's pool and repo by name.
 */
#include "fuzz.h"

#include "config.h"
#include "log.h"
#include "util.h"

static const char *dir;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_verbosity(-1);
	dir = fuzz_tmpdir();
	fuzz_mkrepo(dir, "isos/xcpng821");
	fuzz_mkrepo(dir, "isos/xcpng83");
	fuzz_write(dir, "rack1.pw", "secret\n");
	fuzz_write(dir, "root.pw", FUZZ_ROOT_HASH);
	fuzz_write(dir, "plain.pw", "rootpw\n");
	fuzz_write(dir, "ipmi.pw", "ipmipw\n");
	fuzz_write(dir, "templates/answerfile-upgrade.xml", "<x/>");
	return 0;
}

static void
check_loaded(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];

		FUZZ_ASSERT(config_host(cfg, h->name) == h, "host %s", h->name);
		FUZZ_ASSERT(config_host_by_mac(cfg, h->mac) == h, "mac %s",
		    h->mac);
		FUZZ_ASSERT(util_valid_name(h->name), "name %s", h->name);
		FUZZ_ASSERT(h->pool == NULL ||
		    config_pool(cfg, h->pool->name) == h->pool, "pool");
		FUZZ_ASSERT(h->repo == NULL ||
		    config_repo(cfg, h->repo->name) == h->repo, "repo");
	}
	for (i = 0; i < cfg->npools; i++)
		FUZZ_ASSERT(config_pool(cfg, cfg->pools[i].name) ==
		    &cfg->pools[i], "pool %s", cfg->pools[i].name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist errors = { 0 }, warnings = { 0 };
	struct config *cfg = NULL;
	size_t i;
	int rc;

	if (size > 64 * 1024)
		return 0;
	rc = config_load_text("fuzz.conf", dir, (const char *)data, size,
	    &cfg, &errors, &warnings);
	if (rc == 0) {
		FUZZ_ASSERT(cfg != NULL, "config_load_text: 0 without a config");
		check_loaded(cfg);
	} else {
		FUZZ_ASSERT(cfg == NULL, "-1 with a config");
		FUZZ_ASSERT(errors.n > 0, "-1 without a message");
	}
	for (i = 0; i < errors.n; i++)
		FUZZ_ASSERT(strncmp(errors.v[i], "fuzz.conf:", 10) == 0,
		    "error without the file name: %s", errors.v[i]);
	config_free(cfg);
	strlist_free(&errors);
	strlist_free(&warnings);
	return 0;
}
