/* fuzz_render.c — what a host receives, rendered from hostile inventory
 * values: the answerfile (every mode), the pxelinux install entry and the
 * installation-complete script (render.c), the GRUB install entry
 * (render_grub.c), and the parsers of rendered text that read files others
 * could have written (render_pxelinux_token, render_grub_token,
 * render_validate_pxelinux, render_validate_grub(_main),
 * render_validate_answerfile).
 *
 * Input: a flags byte, then fields separated by '\n' in this order:
 * name, mac, disk, ip (CIDR), gateway, dns (words), ntp (words),
 * hostname, timezone, keymap, interface, sr_type, kernel_args (words),
 * serial_console. Flags: bits 0-1 the mode, bit 2 a pool member, bit 3
 * the values go straight into struct host (else through the config
 * loader as a [host] section, the way an operator's inventory does),
 * bit 4 boot files over HTTP, bit 5: the rest is a rendered file to
 * parse instead.
 *
 * Invariants: whatever render returns passes the validators; an
 * answerfile has exactly the elements and attributes (names, in order)
 * that the same host with harmless values of the same shape gets, so no
 * value adds XML; the pxelinux append line has exactly as many words as
 * with harmless values (one per kernel_args entry, no more), so no value
 * adds kernel arguments; the answerfile URL appears once. The same for
 * the GRUB entry: valid, its token found again, and its multiboot2 and
 * module2 lines split by GRUB's rules into as many words as with harmless
 * values (a value can add neither a word nor a command nor an expansion).
 */
#include "fuzz.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "config.h"
#include "log.h"
#include "render.h"
#include "render_grub_script.h"
#include "sbuf.h"

#define TOKEN	"0123456789abcdef0123456789abcdef01234567"
#define NFIELDS	14

static const char *dir, *tpl;
static struct repo repo = { .name = "r", .product_version = "8.2.1" };
static struct pool pool = { .name = "p", .repo_name = "r", .repo = &repo };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_verbosity(-1);
	dir = fuzz_tmpdir();
	tpl = fuzz_templates();
	fuzz_mkrepo(dir, "isos/r");
	repo.path = fuzz_path(dir, "isos/r");
	fuzz_write(dir, "p.pw", "secret\n");
	fuzz_write(dir, "root.pw", FUZZ_ROOT_HASH);
	xmlInitParser();
	return 0;
}

/* Element and attribute names of the document, in order. */
static void
xml_shape(xmlNodePtr n, struct sbuf *b)
{
	xmlAttrPtr a;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		sbuf_printf(b, "<%s", (const char *)n->name);
		for (a = n->properties; a != NULL; a = a->next)
			sbuf_printf(b, " %s", (const char *)a->name);
		sbuf_puts(b, ">");
		xml_shape(n->children, b);
		sbuf_puts(b, "</>");
	}
}

static char *
answerfile_shape(const char *xml, size_t len)
{
	struct sbuf b = { .max = 1 << 20 };
	xmlDocPtr doc;

	doc = xmlReadMemory(xml, (int)len, "af.xml", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	FUZZ_ASSERT(doc != NULL, "rendered answerfile does not parse");
	xml_shape(xmlDocGetRootElement(doc), &b);
	xmlFreeDoc(doc);
	return sbuf_take(&b);
}

/* Words of the append line, "---" included. */
static int
append_words(const char *text)
{
	const char *p = strstr(text, "\n  append ");
	int n = 0;

	FUZZ_ASSERT(p != NULL, "no append line");
	p += 10;
	while (*p != '\0' && *p != '\n') {
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		n++;
		while (*p != '\0' && *p != '\n' && *p != ' ')
			p++;
	}
	return n;
}

/* Words of the GRUB entry's multiboot2 and module2 lines as GRUB splits
 * them, one count per line, into n[3]. */
static void
grub_words(const char *text, size_t n[3])
{
	struct render_grub_script_line l;
	char *copy = strdup(text), *line, *next, why[256];
	int k = 0;

	FUZZ_ASSERT(copy != NULL, "out of memory");
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		FUZZ_ASSERT(render_grub_script_split(line, NULL, &l, why,
		    sizeof(why)) == 0, "GRUB entry line unreadable: %s", why);
		if (l.n > 0 && (strcmp(l.word[0], "multiboot2") == 0 ||
		    strcmp(l.word[0], "module2") == 0)) {
			FUZZ_ASSERT(k < 3, "more than three boot lines");
			n[k++] = l.n;
		}
		render_grub_script_line_free(&l);
	}
	FUZZ_ASSERT(k == 3, "not three boot lines");
	free(copy);
}

/* The GRUB install entry of h: valid, token found again, and as many
 * words on each boot line as b (the harmless twin) gets. */
static void
check_grub(const struct config *cfg, const struct host *h,
    const struct host *b)
{
	char err[512], tok[UTIL_TOKEN_LEN + 1], *g, *bg, *url;
	size_t n[3], bn[3];

	g = render_grub_install(cfg, h, TOKEN, err, sizeof(err));
	if (g == NULL)
		return;
	url = render_host_url(cfg, h, TOKEN, "answerfile");
	FUZZ_ASSERT(url != NULL, "no URL for a rendered host");
	FUZZ_ASSERT(render_validate_grub(g, url, err, sizeof(err)) == 0,
	    "rendered GRUB entry invalid: %s", err);
	FUZZ_ASSERT(render_grub_token(g, tok) == 0 && strcmp(tok, TOKEN) == 0,
	    "GRUB token not found again");
	bg = render_grub_install(cfg, b, TOKEN, err, sizeof(err));
	if (bg != NULL) {
		grub_words(g, n);
		grub_words(bg, bn);
		FUZZ_ASSERT(memcmp(n, bn, sizeof(n)) == 0, "a value changed "
		    "the GRUB words:\n%s\nvs harmless\n%s", g, bg);
	}
	free(bg);
	free(url);
	free(g);
}

/* The same host with harmless values of the same shape: the same fields
 * NULL or empty, as many dns, ntp and kernel_args entries. */
static void
harmless(const struct host *h, struct host *b)
{
	size_t i;

	*b = *h;
	memset(&b->dns, 0, sizeof(b->dns));
	memset(&b->ntp, 0, sizeof(b->ntp));
	memset(&b->kernel_args, 0, sizeof(b->kernel_args));
	b->name = "h";
	snprintf(b->mac, sizeof(b->mac), "52:54:00:00:00:01");
	/* NULL and "" stay as they are: render takes both for "not set" */
#define SAFE(f, v) b->f = h->f == NULL || h->f[0] == '\0' ? h->f : \
	    (char *)(uintptr_t)(v)
	SAFE(disk, "sda");
	SAFE(ip, "10.0.0.9");
	SAFE(gateway, "10.0.0.1");
	SAFE(hostname, "h.example.org");
	SAFE(timezone, "UTC");
	SAFE(keymap, "us");
	SAFE(interface, "eth0");
	SAFE(serial_console, "com1,115200");
	SAFE(root_password_hash, "$6$x$y");
	if (h->sr_type != NULL && strcmp(h->sr_type, "lvm") != 0 &&
	    strcmp(h->sr_type, "ext") != 0)
		b->sr_type = "lvm";
	for (i = 0; i < h->dns.n; i++)
		(void)strlist_add(&b->dns, "10.0.0.2");
	for (i = 0; i < h->ntp.n; i++)
		(void)strlist_add(&b->ntp, "ntp.example.org");
	for (i = 0; i < h->kernel_args.n; i++)
		(void)strlist_add(&b->kernel_args, "x=1");
}

static void
check_host(const struct config *cfg, const struct host *h, enum host_mode mode)
{
	struct config *bc = (struct config *)(uintptr_t)cfg;
	struct host b;
	char err[512], *af, *baf, *s1, *s2, *pxe, *bpxe, *url, *script;
	size_t len = 0, blen = 0;
	int member = h->pool != NULL;

	harmless(h, &b);
	af = render_answerfile(cfg, h, mode, TOKEN, &len, err, sizeof(err));
	if (af != NULL) {
		FUZZ_ASSERT(strlen(af) == len, "answerfile length");
		FUZZ_ASSERT(render_validate_answerfile(af, len, mode, member,
		    err, sizeof(err)) == 0, "rendered answerfile invalid: %s",
		    err);
		baf = render_answerfile(cfg, &b, mode, TOKEN, &blen, err,
		    sizeof(err));
		if (baf != NULL) {
			s1 = answerfile_shape(af, len);
			s2 = answerfile_shape(baf, blen);
			FUZZ_ASSERT(strcmp(s1, s2) == 0, "a value changed the "
			    "XML:\n%s\nvs harmless\n%s", s1, s2);
			free(s1);
			free(s2);
		}
		free(baf);
	}
	free(af);
	(void)bc;
	pxe = render_pxelinux_install(cfg, h, TOKEN, err, sizeof(err));
	if (pxe != NULL) {
		char tok[UTIL_TOKEN_LEN + 1];

		url = render_host_url(cfg, h, TOKEN, "answerfile");
		FUZZ_ASSERT(url != NULL, "no URL for a rendered host");
		FUZZ_ASSERT(render_validate_pxelinux(pxe, url, err,
		    sizeof(err)) == 0, "rendered pxelinux invalid: %s", err);
		FUZZ_ASSERT(render_pxelinux_token(pxe, tok) == 0 &&
		    strcmp(tok, TOKEN) == 0, "token not found again");
		bpxe = render_pxelinux_install(cfg, &b, TOKEN, err,
		    sizeof(err));
		if (bpxe != NULL)
			FUZZ_ASSERT(append_words(pxe) == append_words(bpxe),
			    "a value changed the kernel arguments:\n%s\nvs "
			    "harmless\n%s", pxe, bpxe);
		free(bpxe);
		free(url);
	}
	free(pxe);
	check_grub(cfg, h, &b);
	script = render_script(cfg, h, TOKEN, err, sizeof(err));
	free(script);
	strlist_free(&b.dns);
	strlist_free(&b.ntp);
	strlist_free(&b.kernel_args);
}

/* The values straight into a struct host and a config made by hand. */
static void
direct(uint8_t flags, char **f)
{
	struct config cfg = { 0 };
	struct host h = { 0 };
	char *slash;

	cfg.public_url = "http://10.0.0.1:8080";
	cfg.template_dir = (char *)(uintptr_t)tpl;
	cfg.boot_files = (flags & 16) ? BOOT_FILES_HTTP : BOOT_FILES_TFTP;
	cfg.repos = &repo;
	cfg.nrepos = 1;
	cfg.pools = &pool;
	cfg.npools = 1;
	h.name = f[0];
	snprintf(h.mac, sizeof(h.mac), "%s", f[1]);
	h.mode = (enum host_mode)(flags & 3);
	h.repo = &repo;
	h.repo_name = "r";
	if (flags & 4) {
		h.pool = &pool;
		h.pool_name = "p";
	}
#define OPT(i) (f[i][0] != '\0' ? f[i] : NULL)
	h.disk = OPT(2);
	h.ip = OPT(3);
	if (h.ip != NULL && (slash = strchr(h.ip, '/')) != NULL) {
		*slash = '\0';
		h.prefix = atoi(slash + 1) & 31;
	}
	snprintf(h.netmask, sizeof(h.netmask), "255.255.255.0");
	h.gateway = OPT(4);
	(void)strlist_split_blank(&h.dns, f[5]);
	(void)strlist_split_blank(&h.ntp, f[6]);
	h.hostname = OPT(7);
	h.timezone = f[8][0] ? f[8] : "UTC";
	h.keymap = f[9][0] ? f[9] : "us";
	h.interface = OPT(10);
	h.sr_type = OPT(11);
	(void)strlist_split_blank(&h.kernel_args, f[12]);
	h.serial_console = OPT(13);
	h.root_password_hash = FUZZ_ROOT_HASH;
	cfg.hosts = &h;
	cfg.nhosts = 1;
	check_host(&cfg, &h, h.mode);
	strlist_free(&h.dns);
	strlist_free(&h.ntp);
	strlist_free(&h.kernel_args);
}

/* The values as an operator's [host] section, through config_load_text. */
static void
loaded(uint8_t flags, char **f)
{
	static const char *const keys[NFIELDS] = { NULL, "mac", "disk", "ip",
	    "gateway", "dns", "ntp", "hostname", "timezone", "keymap",
	    "interface", "sr_type", "kernel_args", "serial_console" };
	static const char *const modes[] = { "upgrade", "fresh", "reinstall",
	    "restore" };
	struct sbuf b = { .max = 1 << 20 };
	struct config *cfg = NULL;
	char *text;
	size_t i;

	sbuf_printf(&b, "[server]\npublic_url = http://10.0.0.1:8080\n"
	    "template_dir = %s\nboot_files = %s\n[repo r]\npath = isos/r\n"
	    "[pool p]\nxapi = https://10.0.0.2\nusername = root\n"
	    "password_file = p.pw\ntls_verify = no\nrepo = r\n"
	    "[host %s]\nmode = %s\n%s", tpl, (flags & 16) ? "http" : "tftp",
	    f[0], modes[flags & 3], (flags & 4) ? "pool = p\n" :
	    "repo = r\nroot_password_file = root.pw\n");
	for (i = 1; i < NFIELDS; i++)
		if (f[i][0] != '\0')
			sbuf_printf(&b, "%s = %s\n", keys[i], f[i]);
	text = sbuf_take(&b);
	if (text != NULL && config_load_text("fuzz.conf", dir, text,
	    strlen(text), &cfg, NULL, NULL) == 0 && cfg->nhosts == 1)
		check_host(cfg, &cfg->hosts[0], cfg->hosts[0].mode);
	config_free(cfg);
	free(text);
}

/* A rendered file from somewhere else: the parsers must cope. */
static void
parse_text(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), tok[UTIL_TOKEN_LEN + 1], err[256];
	enum host_mode m;

	if (render_pxelinux_token(s, tok) == 0) {
		FUZZ_ASSERT(tok[0] != '\0' && strlen(tok) <= UTIL_TOKEN_LEN,
		    "token length");
		FUZZ_ASSERT(strspn(tok, "0123456789abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(tok), "token %s",
		    tok);
	}
	if (render_grub_token(s, tok) == 0)
		FUZZ_ASSERT(tok[0] != '\0' && strlen(tok) <= UTIL_TOKEN_LEN &&
		    strspn(tok, "0123456789abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(tok), "GRUB token %s",
		    tok);
	(void)render_validate_grub(s, NULL, err, sizeof(err));
	(void)render_validate_grub(s, "http://10.0.0.1:8080/hosts/h/" TOKEN
	    "/answerfile", err, sizeof(err));
	(void)render_validate_grub_main(s, err, sizeof(err));
	(void)render_validate_pxelinux(s, NULL, err, sizeof(err));
	(void)render_validate_pxelinux(s, "http://10.0.0.1:8080/hosts/h/"
	    TOKEN "/answerfile", err, sizeof(err));
	for (m = MODE_UPGRADE; m < MODE_COUNT; m++)
		(void)render_validate_answerfile(s, size, m, m == MODE_UPGRADE,
		    err, sizeof(err));
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *f[NFIELDS], *p;
	uint8_t flags;
	size_t i;

	if (size < 1 || size > 4096)
		return 0;
	flags = data[0];
	if (flags & 32) {
		parse_text(data + 1, size - 1);
		return 0;
	}
	copy = fuzz_cstr(data + 1, size - 1);
	for (i = 0, p = copy; i < NFIELDS; i++) {
		f[i] = p;
		if (p != NULL && (p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
		if (f[i] == NULL)
			f[i] = "";
	}
	if (flags & 8)
		direct(flags, f);
	else
		loaded(flags, f);
	free(copy);
	return 0;
}
