/* render_grub_stub.c — TEMPORARY STAND-INS (branch tftp) for the GRUB
 * renderer written on another branch (server/render_grub.c). DELETE THIS
 * FILE, the TEMPORARY block at the end of render.h and the
 * "render_grub_stub" line of tests/lint/structure.py's PREFIXES at merge.
 * Only what the tftp/arm code and its tests need: an install entry that
 * carries the answerfile URL (and so the token), local boot, grub.cfg. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
render_grub_install(const struct config *cfg, const struct host *h,
    const char *token, char *err, size_t errlen)
{
	char *url, *s = NULL;

	if ((url = render_host_url(cfg, h, token, "answerfile")) == NULL ||
	    asprintf(&s, "# poolboot stand-in: install %s\nset timeout=0\n"
	    "menuentry poolboot-install {\n  multiboot2 /repo/%s/boot/xen.gz\n"
	    "  module2 /repo/%s/boot/vmlinuz answerfile=%s install\n"
	    "  module2 /repo/%s/install.img\n}\n", h->name, h->repo->name,
	    h->repo->name, url, h->repo->name) < 0) {
		snprintf(err, errlen, "out of memory");
		s = NULL;
	}
	free(url);
	return s;
}

char *
render_grub_local(const struct config *cfg, char *err, size_t errlen)
{
	(void)cfg;
	(void)err;
	(void)errlen;
	return strdup("echo 'poolboot: local boot'\nexit\n");
}

char *
render_grub_main(const struct config *cfg, char *err, size_t errlen)
{
	(void)cfg;
	(void)err;
	(void)errlen;
	return strdup("set timeout=0\n"
	    "configfile $prefix/hosts/${net_default_mac}.cfg\n"
	    "echo 'poolboot: local boot'\nexit\n");
}

int
render_grub_token(const char *text, char out[UTIL_TOKEN_LEN + 1])
{
	const char *p, *e;

	if (text == NULL || (p = strstr(text, "answerfile=")) == NULL ||
	    (e = strstr(p, "/answerfile ")) == NULL ||
	    e - p < 11 + UTIL_TOKEN_LEN + 1 || e[-UTIL_TOKEN_LEN - 1] != '/')
		return -1;
	memcpy(out, e - UTIL_TOKEN_LEN, UTIL_TOKEN_LEN);
	out[UTIL_TOKEN_LEN] = '\0';
	return 0;
}
