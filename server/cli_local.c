/* cli_local.c — see cli_local.h. */
#include "cli_local.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "dnsmasq.h"
#include "render.h"
#include "render_cache.h"
#include "render_xml.h"
#include "store.h"
#include "tftp.h"
#include "tokens.h"
#include "util.h"

/* ---- check -------------------------------------------------------------- */

/* A JSON array of the strings of l (new reference). */
static json_t *
cli_local_strlist_json(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

/* check --json: one document whatever the outcome. */
static void
cli_local_check_print_json(const char *path, const struct config *cfg,
    const struct strlist *problems, const struct strlist *notes,
    const struct strlist *warnings)
{
	json_t *doc, *repos = json_array();
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->nrepos; i++) {
		const struct repo *r = &cfg->repos[i];

		json_array_append_new(repos, json_pack("{s:s, s:s?, s:s?, s:s?, "
		    "s:s?, s:s?}", "name", r->name, "path", r->path, "url",
		    r->url, "product_brand",
		    r->product_brand, "product_version", r->product_version,
		    "build_number", r->build_number));
	}
	doc = json_pack("{s:b, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:s?}",
	    "ok", problems->n == 0 && cfg != NULL, "config", path, "problems",
	    cli_local_strlist_json(problems), "notes",
	    cli_local_strlist_json(notes), "warnings",
	    cli_local_strlist_json(warnings), "repos", repos, "pools",
	    (json_int_t)(cfg ? cfg->npools : 0), "hosts",
	    (json_int_t)(cfg ? cfg->nhosts : 0), "repo_count",
	    (json_int_t)(cfg ? cfg->nrepos : 0), "template_dir",
	    cfg ? cfg->template_dir : NULL);
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

int
cli_local_check(const struct cli_opts *o)
{
	struct strlist problems = { 0 }, notes = { 0 }, warnings = { 0 };
	struct config *cfg = NULL;
	char err[1024];
	size_t i, len;
	int ret = CLI_EXIT_FAIL;

	if (config_load(o->conf, &cfg, &problems, &warnings) == -1) {
		if (o->json) {
			cli_local_check_print_json(o->conf, NULL, &problems, &notes,
			    &warnings);
			goto out;
		}
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		for (i = 0; i < warnings.n; i++)
			fprintf(stderr, "warning: %s\n", warnings.v[i]);
		fprintf(stderr, "%zu problem%s in %s\n", problems.n,
		    problems.n == 1 ? "" : "s", o->conf);
		goto out;
	}
	if (!o->json)
		for (i = 0; i < warnings.n; i++)
			fprintf(stderr, "warning: %s\n", warnings.v[i]);
	/* every host renders the same few templates: read them once */
	cfg->templates = render_cache_new();
	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		char *s;

		if (h->repo == NULL)
			continue;
		if ((s = render_pxelinux_install(cfg, h, "TOKEN", err,
		    sizeof(err))) == NULL)
			strlist_addf(&problems, "%s:%d: [host %s]: pxelinux: %s",
			    cfg->path, h->line, h->name, err);
		free(s);
		if (h->firmware != HOST_FIRMWARE_BIOS) {
			if ((s = render_grub_install(cfg, h, "TOKEN", err,
			    sizeof(err))) == NULL)
				strlist_addf(&problems, "%s:%d: [host %s]: "
				    "GRUB: %s", cfg->path, h->line, h->name,
				    err);
			free(s);
		}
		if ((s = render_answerfile(cfg, h, h->mode, "TOKEN", &len, err,
		    sizeof(err))) == NULL)
			strlist_addf(&problems, "%s:%d: [host %s]: answerfile: %s",
			    cfg->path, h->line, h->name, err);
		free(s);
		if ((s = render_script(cfg, h, "TOKEN", err, sizeof(err))) == NULL)
			strlist_addf(&problems, "%s:%d: [host %s]: script: %s",
			    cfg->path, h->line, h->name, err);
		free(s);
	}
	{
		char *s = render_pxelinux_local(cfg, err, sizeof(err));

		if (s == NULL)
			strlist_addf(&problems, "local-boot template: %s", err);
		free(s);
		if ((s = render_grub_local(cfg, err, sizeof(err))) == NULL)
			strlist_addf(&problems, "GRUB local-boot template: %s",
			    err);
		free(s);
		if ((s = render_grub_main(cfg, err, sizeof(err))) == NULL)
			strlist_addf(&problems, "GRUB grub.cfg: %s", err);
		free(s);
	}
	config_check_state_dir(cfg, &problems);
	if (store_check_config(cfg, err, sizeof(err)) == -1)
		strlist_addf(&problems, "%s", err);
	tokens_check(cfg, &problems, &notes);
	tftp_check_layout(cfg, &problems, &notes);
	dnsmasq_check(cfg, &problems, &notes);
	if (o->json) {
		cli_local_check_print_json(o->conf, cfg, &problems, &notes, &warnings);
		ret = problems.n == 0 ? 0 : CLI_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < notes.n; i++)
		fprintf(stderr, "note: %s\n", notes.v[i]);
	if (problems.n > 0) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		fprintf(stderr, "%zu problem%s\n", problems.n,
		    problems.n == 1 ? "" : "s");
		goto out;
	}
	printf("configuration OK: %zu repo%s, %zu pool%s, %zu host%s; "
	    "templates from %s\n", cfg->nrepos, cfg->nrepos == 1 ? "" : "s",
	    cfg->npools, cfg->npools == 1 ? "" : "s", cfg->nhosts,
	    cfg->nhosts == 1 ? "" : "s", cfg->template_dir);
	for (i = 0; i < cfg->nrepos; i++)
		printf("  repo %s: %s %s%s%s at %s\n", cfg->repos[i].name,
		    cfg->repos[i].product_brand ? cfg->repos[i].product_brand :
		    "product", cfg->repos[i].product_version,
		    cfg->repos[i].build_number ? " build " : "",
		    cfg->repos[i].build_number ? cfg->repos[i].build_number : "",
		    cfg->repos[i].url ? cfg->repos[i].url : cfg->repos[i].path);
	ret = 0;
out:
	strlist_free(&problems);
	strlist_free(&notes);
	strlist_free(&warnings);
	if (cfg != NULL)
		render_cache_free(cfg->templates);
	config_free(cfg);
	return ret;
}

/* ---- render ------------------------------------------------------------- */

/* h's GRUB file and its install entry into doc (firmware uefi or auto);
 * with what 0 only. */
static int
cli_local_render_grub_json(const struct config *cfg, const struct host *h,
    json_t *doc, char *err, size_t errlen)
{
	char *path, *s;

	if (h->firmware == HOST_FIRMWARE_BIOS)
		return 0;
	if ((path = tftp_grub_path(cfg, h)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_set_new(doc, "grub_file", json_string(path));
	free(path);
	if ((s = render_grub_install(cfg, h, "TOKEN", err, errlen)) == NULL)
		return -1;
	json_object_set_new(doc, "grub", json_string(s));
	free(s);
	return 0;
}

/* render --json: {host, mode, pool, mac, firmware, token, pxelinux_file,
 * pxelinux, grub_file, grub, answerfile, script}, each text present when
 * asked for (all by default; the GRUB file only for firmware uefi or
 * auto). */
static int
cli_local_render_json(const struct config *cfg, const struct host *h, int what,
    char *err, size_t errlen)
{
	char pxe[21], *path = NULL, *s;
	json_t *doc;
	size_t len;
	int ret = -1;

	util_mac_pxe_name(h->mac, pxe);
	if ((path = util_path_join(cfg->tftp_root, "pxelinux.cfg")) == NULL ||
	    (doc = json_pack("{s:s, s:s, s:s?, s:s, s:s}", "host", h->name,
	    "mode", config_mode_name(h->mode), "pool", h->pool_name, "mac",
	    h->mac, "token", "TOKEN")) == NULL) {
		free(path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_set_new(doc, "firmware", json_string(
	    inventory_firmware_name(h->firmware)));
	json_object_set_new(doc, "pxelinux_file", json_sprintf("%s/%s", path,
	    pxe));
	if (what == 0 || what == 1) {
		if ((s = render_pxelinux_install(cfg, h, "TOKEN", err,
		    errlen)) == NULL)
			goto out;
		json_object_set_new(doc, "pxelinux", json_string(s));
		free(s);
	}
	if (what == 0 && cli_local_render_grub_json(cfg, h, doc, err,
	    errlen) == -1)
		goto out;
	if (what == 0 || what == 2) {
		if ((s = render_answerfile(cfg, h, h->mode, "TOKEN", &len, err,
		    errlen)) == NULL)
			goto out;
		json_object_set_new(doc, "answerfile", json_stringn(s, len));
		free(s);
	}
	if (what == 0 || what == 3) {
		if ((s = render_script(cfg, h, "TOKEN", err, errlen)) == NULL)
			goto out;
		json_object_set_new(doc, "script", json_string(s));
		free(s);
	}
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	ret = 0;
out:
	json_decref(doc);
	free(path);
	return ret;
}

int
cli_local_render(const struct cli_opts *o, const char *hostname)
{
	struct config *cfg;
	const struct host *h;
	char err[1024], pxe[21];
	char *s = NULL;
	size_t len;
	int ret = CLI_EXIT_FAIL;

	if ((cfg = cli_config(o)) == NULL)
		return CLI_EXIT_FAIL;
	if ((h = config_host(cfg, hostname)) == NULL) {
		cli_fail(o, CLI_EXIT_FAIL, "no host '%s' in %s", hostname,
		    o->conf);
		goto out;
	}
	if (o->json) {
		if (cli_local_render_json(cfg, h, o->what, err, sizeof(err)) == -1)
			goto fail;
		ret = 0;
		goto out;
	}
	util_mac_pxe_name(h->mac, pxe);
	if (o->what == 0 || o->what == 1) {
		if ((s = render_pxelinux_install(cfg, h, "TOKEN", err,
		    sizeof(err))) == NULL)
			goto fail;
		if (o->what == 0)
			printf("# ==== %s/pxelinux.cfg/%s ====\n", cfg->tftp_root,
			    pxe);
		fputs(s, stdout);
		free(s);
		s = NULL;
	}
	if (o->what == 0 && h->firmware != HOST_FIRMWARE_BIOS) {
		if ((s = render_grub_install(cfg, h, "TOKEN", err,
		    sizeof(err))) == NULL)
			goto fail;
		printf("# ==== %s/grub/hosts/%s.cfg (firmware %s) ====\n",
		    cfg->tftp_root, h->mac, inventory_firmware_name(h->firmware));
		fputs(s, stdout);
		free(s);
		s = NULL;
	}
	if (o->what == 0 || o->what == 2) {
		if ((s = render_answerfile(cfg, h, h->mode, "TOKEN", &len, err,
		    sizeof(err))) == NULL)
			goto fail;
		if (o->what == 0)
			printf("# ==== answerfile (mode %s) ====\n",
			    config_mode_name(h->mode));
		fwrite(s, 1, len, stdout);
		free(s);
		s = NULL;
	}
	if (o->what == 3 || o->what == 0) {
		if ((s = render_script(cfg, h, "TOKEN", err, sizeof(err))) == NULL)
			goto fail;
		if (o->what == 0)
			printf("# ==== installation-complete script ====\n");
		fputs(s, stdout);
	}
	ret = 0;
	goto out;
fail:
	cli_fail(o, CLI_EXIT_FAIL, "cannot render for host %s: %s", hostname,
	    err);
out:
	free(s);
	config_free(cfg);
	return ret;
}

/* ---- init-tftp ---------------------------------------------------------- */

int
cli_local_init_tftp(const struct cli_opts *o)
{
	struct strlist report = { 0 }, errors = { 0 };
	struct config skel, *cfg = NULL;
	const char *root;
	size_t i;
	int rc;

	memset(&skel, 0, sizeof(skel));
	if (o->skeleton != NULL) {
		/* no configuration: boot files and the local-boot default */
		skel.path = (char *)(uintptr_t)"(skeleton)";
		skel.tftp_root = (char *)(uintptr_t)o->skeleton;
		skel.boot_files = BOOT_FILES_HTTP;	/* no repo links */
		if ((skel.template_dir = config_find_template_dir()) == NULL) {
			fprintf(stderr, "poolboot: no templates found next to the "
			    "poolboot binary\n");
			return CLI_EXIT_FAIL;
		}
		root = o->skeleton;
	} else {
		if ((cfg = cli_load_config(o->conf)) == NULL)
			return CLI_EXIT_FAIL;
		root = cfg->tftp_root;
	}
	rc = tftp_init_root(cfg != NULL ? cfg : &skel, root, NULL, &report,
	    &errors);
	for (i = 0; i < report.n; i++)
		printf("%s\n", report.v[i]);
	for (i = 0; i < errors.n; i++)
		fprintf(stderr, "poolboot: %s\n", errors.v[i]);
	if (rc == 0)
		printf("tftp-root %s is ready\n", root);
	else
		fprintf(stderr, "poolboot: tftp-root %s is incomplete (%zu "
		    "problem%s)\n", root, errors.n, errors.n == 1 ? "" : "s");
	strlist_free(&report);
	strlist_free(&errors);
	free(skel.template_dir);
	config_free(cfg);
	return rc == 0 ? 0 : CLI_EXIT_FAIL;
}

/* ---- version ------------------------------------------------------------ */

int
cli_local_version(const struct cli_opts *o)
{
	json_t *doc;

	if (!o->json) {
		printf("poolboot %s\n", POOLBOOT_VERSION);
		return 0;
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "poolboot",
	    "version", POOLBOOT_VERSION, "libcurl",
	    client_curl_version(), "libxml2",
	    render_xml_version(), "jansson", JANSSON_VERSION);
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	return 0;
}

