/* render_validate.h — the checks every rendered file passes before a host
 * sees it: the per-MAC pxelinux config, the GRUB files of UEFI network
 * boot and the XML answerfile.
 *
 * render.c runs them on its own output; arm.c and the CLI run them on
 * what they are about to serve or show. Both take untrusted text and only
 * read it. render.h includes this header, so render.h's users see these
 * functions too.
 */
#ifndef POOLBOOT_RENDER_VALIDATE_H
#define POOLBOOT_RENDER_VALIDATE_H

#include <stddef.h>

#include "config.h"

/* Checks an answerfile: well-formed, root element and mode as intended,
 * every element the installer requires for that mode present and
 * non-empty, an installation-complete script. For a pool member in
 * upgrade mode: mode="upgrade", <existing-installation>, and no element
 * of a fresh install. 0 = valid; -1 with the reason in err. */
int   render_validate_answerfile(const char *xml, size_t len,
	    enum host_mode mode, int pool_member, char *err, size_t errlen);
/* The same, with the filesystem-populated stage: render_validate_answerfile
 * refuses any <script stage="filesystem-populated">; here hostcert_url
 * (non-NULL: poolboot gives a host it joins to a pool its XAPI
 * certificate; mode fresh or reinstall only) demands exactly one, of
 * type url, holding exactly hostcert_url. */
int   render_validate_answerfile_for(const char *xml, size_t len,
	    enum host_mode mode, int pool_member, const char *hostcert_url,
	    char *err, size_t errlen);

/* Checks a rendered per-MAC pxelinux config: only the expected
 * directives, mboot.c32 syntax with exactly two "---", no control
 * characters, and (install) exactly one answerfile= equal to
 * expect_answerfile_url. expect_answerfile_url NULL = local boot expected.
 * 0 = valid; -1 with the reason in err. */
int   render_validate_pxelinux(const char *text,
	    const char *expect_answerfile_url, char *err, size_t errlen);

/* Checks a rendered per-MAC GRUB file (grub/hosts/<mac>.cfg) as GRUB
 * 2.06's script language reads it: printable ASCII lines only; quotes
 * closed on their line; no | & ; < >, no unquoted * ?, no backslash at a
 * line's end; no $ expansion at all (a $ only inside '...'); only the
 * commands set, echo, insmod, menuentry, multiboot2, module2 and exit
 * (# comments allowed), { only ending "menuentry TITLE {", } alone on a
 * line closing it. expect_answerfile_url non-NULL (install): exactly one
 * menuentry holding one multiboot2 (Xen, no answerfile= or install) and
 * two module2 lines, the first (dom0) with exactly one
 * answerfile=expect_answerfile_url and one install, the second with the
 * image alone; no exit. NULL (local boot): no menuentry, multiboot2 or
 * module2, an exit, no answerfile= anywhere. 0 = valid; -1 with the reason
 * (line number included) in err. */
int   render_validate_grub(const char *text,
	    const char *expect_answerfile_url, char *err, size_t errlen);
/* Checks the fixed entry point grub/grub.cfg: the same language rules,
 * expansions of $prefix and $net_default_mac only, exactly one
 * "configfile $prefix/hosts/${net_default_mac}.cfg" and an exit after it,
 * no menuentry, multiboot2, module2 or answerfile=. 0, or -1 with err. */
int   render_validate_grub_main(const char *text, char *err, size_t errlen);

#endif
