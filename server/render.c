/* render.c — pxelinux configs, answerfiles and installation-complete
 * scripts from the templates in cfg->template_dir; see render.h and
 * templates/README.md for the template language.
 *
 * Two template flavours:
 *  - XML (answerfiles): render_xml.c parses the template (no network, no
 *    DTD, no entity substitution) and replaces placeholders through the
 *    tree API, so a value is always text and can never become markup.
 *  - plain text (pxelinux, script): render_text.c substitutes {{name}},
 *    but only with values checked first (render_boot.c: argument words,
 *    URL characters, host names); anything else refuses the render.
 *    GRUB files (render_grub.c) add GRUB's quoting on top.
 * Every render_* function checks its own output with the matching
 * render_validate_* (render_validate.c) before returning it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "render.h"
#include "render_boot.h"
#include "render_text.h"
#include "render_xml.h"
#include "util.h"

static int
render_mode_ok(enum host_mode m)
{
	return (int)m >= 0 && m < MODE_COUNT;
}

char *
render_host_url(const struct config *cfg, const struct host *h,
    const char *token, const char *what)
{
	return render_boot_host_url(cfg, h, token, what);
}

char *
render_pxelinux_install(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	struct sbuf xen = { .max = 4096 }, dom0 = { .max = 8192 };
	struct render_text_vars vars = { .n = 0 };
	struct render_boot_urls u;
	char *tpl = NULL, *text = NULL, *out = NULL, *base = NULL;
	char mac[18];
	const char *repo;

	memset(&u, 0, sizeof(u));
	if (render_boot_check_host(cfg, h, token, &repo, err, errlen) == -1 ||
	    render_boot_check_values(h, mac, err, errlen) == -1)
		goto out;
	/* boot_files = http: {public_url}/repo/...; tftp: repo/... from the
	 * TFTP root */
	if (asprintf(&base, "%s%s", cfg->boot_files == BOOT_FILES_HTTP ?
	    cfg->public_url : "", cfg->boot_files == BOOT_FILES_HTTP ? "/" :
	    "") < 0) {
		base = NULL;
		render_text_fail(err, errlen, "host %s: out of memory",
		    h->name);
		goto out;
	}
	if (render_boot_urls(cfg, h, token, repo, base, &u, err, errlen) == -1 ||
	    render_boot_args(h, u.afarg, &xen, &dom0, err, errlen) == -1)
		goto out;
	render_text_set(&vars, "host", h->name);
	render_text_set(&vars, "mac", mac);
	render_text_set(&vars, "xen_gz", u.xen_gz);
	render_text_set(&vars, "vmlinuz", u.vmlinuz);
	render_text_set(&vars, "install_img", u.install_img);
	render_text_set(&vars, "xen_args", xen.p);
	render_text_set(&vars, "dom0_args", dom0.p);
	render_text_set(&vars, "answerfile_url", u.answerfile);
	if ((tpl = render_text_read_template(cfg, RENDER_TPL_PXE_INSTALL, NULL,
	    err, errlen)) == NULL)
		goto out;
	if ((text = render_text_expand(tpl, RENDER_TPL_PXE_INSTALL, &vars, err,
	    errlen)) == NULL)
		goto out;
	if (render_validate_pxelinux(text, u.answerfile, err, errlen) == -1)
		goto out;
	out = text;
	text = NULL;
out:
	free(tpl);
	free(text);
	render_boot_urls_free(&u);
	free(base);
	sbuf_free(&xen);
	sbuf_free(&dom0);
	return out;
}

char *
render_pxelinux_local(const struct config *cfg, char *err, size_t errlen)
{
	struct render_text_vars vars = { .n = 0 };
	char *tpl = NULL, *text = NULL, *out = NULL;

	if (cfg == NULL) {
		render_text_fail(err, errlen, "render: no config");
		goto out;
	}
	if ((tpl = render_text_read_template(cfg, RENDER_TPL_PXE_LOCAL, NULL,
	    err, errlen)) == NULL)
		goto out;
	if ((text = render_text_expand(tpl, RENDER_TPL_PXE_LOCAL, &vars, err,
	    errlen)) == NULL)
		goto out;
	if (render_validate_pxelinux(text, NULL, err, errlen) == -1)
		goto out;
	out = text;
	text = NULL;
out:
	free(tpl);
	free(text);
	return out;
}

/* Template tplname expanded with vars, checked as a script the installer
 * runs: a shebang, no control characters, and must (the URL that
 * placeholder var gave) in it. Caller frees; NULL with err. */
static char *
render_script_text(const struct config *cfg, const struct host *h,
    const char *tplname, const struct render_text_vars *vars,
    const char *must, const char *var, char *err, size_t errlen)
{
	char *tpl, *text = NULL, *out = NULL;
	size_t i;

	if ((tpl = render_text_read_template(cfg, tplname, NULL, err,
	    errlen)) == NULL)
		return NULL;
	if ((text = render_text_expand(tpl, tplname, vars, err, errlen)) ==
	    NULL)
		goto out;
	/* The installer runs the file it downloads: it needs a shebang, and
	 * it is useless without the URL it is for. */
	if (strncmp(text, "#!/", 3) != 0) {
		render_text_fail(err, errlen, "host %s: template %s must start "
		    "with #!/bin/sh", h->name, tplname);
		goto out;
	}
	if (strstr(text, must) == NULL) {
		render_text_fail(err, errlen, "host %s: template %s does not "
		    "use {{%s}}", h->name, tplname, var);
		goto out;
	}
	for (i = 0; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 && c != '\n' && c != '\t') {
			render_text_fail(err, errlen, "host %s: template %s "
			    "contains a control character", h->name, tplname);
			goto out;
		}
	}
	out = text;
	text = NULL;
out:
	free(tpl);
	free(text);
	return out;
}

char *
render_script(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	struct render_text_vars vars = { .n = 0 };
	char *out = NULL, *base = NULL;
	char mac[18];
	const char *why;

	if (render_boot_check_host(cfg, h, token, NULL, err, errlen) == -1)
		goto out;
	if (util_mac_parse(h->mac, mac, &why) == -1) {
		render_text_fail(err, errlen, "host %s: bad MAC address",
		    h->name);
		goto out;
	}
	if ((base = render_host_url(cfg, h, token, "callback")) == NULL ||
	    !render_text_url_ok(base)) {
		render_text_fail(err, errlen, "host %s: cannot build the "
		    "callback URL", h->name);
		goto out;
	}
	render_text_set(&vars, "host", h->name);
	render_text_set(&vars, "mac", mac);
	render_text_set(&vars, "callback_url_base", base);
	out = render_script_text(cfg, h, RENDER_TPL_SCRIPT, &vars, base,
	    "callback_url_base", err, errlen);
out:
	free(base);
	return out;
}

char *
render_hostcert_script(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	struct render_text_vars vars = { .n = 0 };
	char *url = NULL, *out = NULL;

	if (render_boot_check_host(cfg, h, token, NULL, err, errlen) == -1)
		goto out;
	if ((url = render_host_url(cfg, h, token, "hostcert")) == NULL ||
	    !render_text_url_ok(url)) {
		render_text_fail(err, errlen, "host %s: cannot build the "
		    "certificate URL", h->name);
		goto out;
	}
	render_text_set(&vars, "host", h->name);
	render_text_set(&vars, "hostcert_url", url);
	out = render_script_text(cfg, h, RENDER_TPL_HOSTCERT, &vars, url,
	    "hostcert_url", err, errlen);
out:
	free(url);
	return out;
}

int
render_pxelinux_token(const char *text, char out[UTIL_TOKEN_LEN + 1])
{
	char *copy = NULL, *line, *next, *p, *kw, *w;
	int ret = -1;

	if (text == NULL || strlen(text) > RENDER_TEXT_MAX ||
	    (copy = strdup(text)) == NULL)
		return -1;
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		p = line;
		kw = render_text_next_word(&p);
		if (kw == NULL || strcasecmp(kw, "append") != 0)
			continue;
		while ((w = render_text_next_word(&p)) != NULL) {
			if (strncmp(w, "answerfile=", 11) != 0)
				continue;
			ret = render_boot_url_token(w + 11, out);
			goto out;
		}
	}
out:
	free(copy);
	return ret;
}

/* The placeholders of an answerfile (templates/README.md lists them). */
static void
render_answerfile_vars(struct render_text_vars *vars, const struct host *h,
    enum host_mode mode, const char *mac, const char *repo,
    const char *source_url, const char *script_url, const char *hc_url)
{
	int is_static = h->ip != NULL && h->ip[0] != '\0';

	render_text_set(vars, "host", h->name);
	render_text_set(vars, "mac", mac);
	render_text_set(vars, "disk", h->disk);
	render_text_set(vars, "mode", config_mode_name(mode));
	render_text_set(vars, "proto", is_static ? "static" : "dhcp");
	render_text_set(vars, "ip", is_static ? h->ip : NULL);
	render_text_set(vars, "netmask", is_static ? h->netmask : NULL);
	render_text_set(vars, "gateway", is_static ? h->gateway : NULL);
	render_text_set_list(vars, "dns", &h->dns);
	render_text_set_list(vars, "ntp", &h->ntp);
	render_text_set(vars, "hostname", h->hostname);
	render_text_set(vars, "timezone", h->timezone);
	render_text_set(vars, "keymap", h->keymap);
	render_text_set(vars, "interface_name", h->interface);
	render_text_set(vars, "interface_hwaddr", h->interface != NULL &&
	    h->interface[0] != '\0' ? NULL : mac);
	render_text_set(vars, "root_password_hash", h->root_password_hash);
	render_text_set(vars, "sr_type", h->sr_type);
	render_text_set(vars, "source_url", source_url);
	render_text_set(vars, "script_url", script_url);
	render_text_set(vars, "hostcert_script_url", hc_url);
	render_text_set(vars, "repo", repo);
	render_text_set(vars, "product_version", h->repo != NULL ?
	    h->repo->product_version : NULL);
}

/* The template answerfile-<mode>.xml, parsed and expanded with vars.
 * Free with xmlFreeDoc; NULL with err set. */
static xmlDocPtr
render_answerfile_doc(const struct config *cfg, enum host_mode mode,
    const struct render_text_vars *vars, char *err, size_t errlen)
{
	xmlDocPtr doc = NULL;
	char tplname[64], what[96];
	char *tpl;
	size_t tlen = 0;

	snprintf(tplname, sizeof(tplname), "answerfile-%s.xml",
	    config_mode_name(mode));
	tpl = render_text_read_template(cfg, tplname, &tlen, err, errlen);
	if (tpl == NULL)
		return NULL;
	snprintf(what, sizeof(what), "template %s", tplname);
	doc = render_xml_parse(tpl, tlen, what, 1, err, errlen);
	if (doc != NULL &&
	    render_xml_expand(doc, vars, tplname, err, errlen) == -1) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	free(tpl);
	return doc;
}

int
render_answerfile_template(const struct config *cfg, enum host_mode mode,
    char *path, size_t size)
{
	int n;

	if (cfg->template_dir == NULL || !render_mode_ok(mode))
		return -1;
	/* as render_text_read_template finds it (util_path_join) */
	n = snprintf(path, size, "%s%sanswerfile-%s.xml", cfg->template_dir,
	    *cfg->template_dir != '\0' ? "/" : "", config_mode_name(mode));
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* doc serialised (UTF-8, indented) and validated for h in mode; *len its
 * length. Caller frees; NULL with err set. */
static char *
render_answerfile_dump(xmlDocPtr doc, const struct host *h,
    enum host_mode mode, const char *hc_url, size_t *len, char *err,
    size_t errlen)
{
	xmlChar *dump = NULL;
	char *out = NULL;
	int dumplen = 0;

	xmlDocDumpFormatMemoryEnc(doc, &dump, &dumplen, "UTF-8", 1);
	if (dump == NULL || dumplen <= 0) {
		render_text_fail(err, errlen, "host %s: cannot serialise the "
		    "answerfile", h->name);
		goto out;
	}
	if ((out = malloc((size_t)dumplen + 1)) == NULL) {
		render_text_fail(err, errlen, "host %s: out of memory",
		    h->name);
		goto out;
	}
	memcpy(out, dump, (size_t)dumplen);
	out[dumplen] = '\0';
	if (render_validate_answerfile_for(out, (size_t)dumplen, mode,
	    h->pool_name != NULL || h->pool != NULL, hc_url, err,
	    errlen) == -1) {
		free(out);
		out = NULL;
		goto out;
	}
	*len = (size_t)dumplen;
out:
	if (dump != NULL)
		xmlFree(dump);
	return out;
}

char *
render_answerfile(const struct config *cfg, const struct host *h,
    enum host_mode mode, const char *token, size_t *len,
    char *err, size_t errlen)
{
	return render_answerfile_for(cfg, h, mode, token, 0, len, err, errlen);
}

char *
render_answerfile_for(const struct config *cfg, const struct host *h,
    enum host_mode mode, const char *token, int hostcert, size_t *len,
    char *err, size_t errlen)
{
	struct render_text_vars vars = { .n = 0 };
	xmlDocPtr doc = NULL;
	char mac[18];
	char *source_url = NULL, *script_url = NULL, *out = NULL;
	char *hc_url = NULL;
	const char *repo, *why;
	size_t outlen = 0;

	if (len != NULL)
		*len = 0;
	if (render_boot_check_host(cfg, h, token, &repo, err, errlen) == -1)
		goto out;
	if (!render_mode_ok(mode)) {
		render_text_fail(err, errlen, "host %s: bad mode", h->name);
		goto out;
	}
	if (util_mac_parse(h->mac, mac, &why) == -1) {
		render_text_fail(err, errlen, "host %s: bad MAC address",
		    h->name);
		goto out;
	}
	/* a mirror's packages come from the mirror itself (repo_mirror.h) */
	if (h->repo != NULL && h->repo->url != NULL)
		source_url = strdup(h->repo->url);
	else if (asprintf(&source_url, "%s/repo/%s/", cfg->public_url,
	    repo) < 0)
		source_url = NULL;
	if (source_url == NULL) {
		render_text_fail(err, errlen, "host %s: out of memory",
		    h->name);
		goto out;
	}
	if ((script_url = render_host_url(cfg, h, token, "script")) == NULL) {
		render_text_fail(err, errlen, "host %s: cannot build the "
		    "script URL", h->name);
		goto out;
	}
	if (hostcert && mode != MODE_FRESH && mode != MODE_REINSTALL) {
		render_text_fail(err, errlen, "host %s: a XAPI certificate is "
		    "only installed by a fresh install or reinstall, not in "
		    "mode %s", h->name, config_mode_name(mode));
		goto out;
	}
	if (hostcert && (hc_url = render_host_url(cfg, h, token,
	    "hostcert-script")) == NULL) {
		render_text_fail(err, errlen, "host %s: cannot build the "
		    "certificate script URL", h->name);
		goto out;
	}
	render_answerfile_vars(&vars, h, mode, mac, repo, source_url,
	    script_url, hc_url);
	doc = render_answerfile_doc(cfg, mode, &vars, err, errlen);
	if (doc == NULL)
		goto out;
	out = render_answerfile_dump(doc, h, mode, hc_url, &outlen, err,
	    errlen);
	if (out != NULL && len != NULL)
		*len = outlen;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(source_url);
	free(script_url);
	free(hc_url);
	return out;
}
