/* test_render.c — what a host receives: pxelinux configs, answerfiles and
 * the installation-complete script, rendered from the real templates/ and
 * checked the way the installer and pxelinux would read them. */
#include "unit.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "config.h"
#include "render.h"
#include "util.h"

#define TOKEN	"0123456789abcdef0123456789abcdef01234567"
#define PUB	"http://10.0.0.5:8080"
#define REPO	"xs82"
#define HASH	"$6$saltsalt$Jm0pUwCk3bbW4d2j2y7X2i9X2bH1Y0kN5t1uR7F8dM9"

/* A fallback until config.o is linked in; the real one wins when it is. */
__attribute__((weak)) const char *
config_mode_name(enum host_mode m)
{
	static const char *const n[] = { "upgrade", "fresh", "reinstall",
	    "restore" };

	return (int)m >= 0 && m < MODE_COUNT ? n[m] : "?";
}

static char template_dir[4096];

static void
mkcfg(struct config *c, enum boot_files bf)
{
	memset(c, 0, sizeof(*c));
	c->public_url = PUB;
	c->template_dir = template_dir;
	c->boot_files = bf;
	c->boot_attempts = 3;
}

static struct repo the_repo = { .name = REPO, .product_version = "8.2.1" };

/* A pool member that is upgraded, with a full network identity so the
 * same host can be switched to fresh/reinstall/restore by the tests. */
static void
mkhost(struct host *h, enum host_mode mode)
{
	memset(h, 0, sizeof(*h));
	h->name = "xs01";
	h->pool_name = mode == MODE_UPGRADE ? "pool1" : NULL;
	h->repo_name = REPO;
	h->repo = &the_repo;
	snprintf(h->mac, sizeof(h->mac), "52:54:00:12:34:56");
	h->disk = "sda";
	h->mode = mode;
	h->ip = "10.0.0.21";
	h->prefix = 24;
	snprintf(h->netmask, sizeof(h->netmask), "255.255.255.0");
	h->gateway = "10.0.0.1";
	assert_int_equal(strlist_add(&h->dns, "10.0.0.2"), 0);
	assert_int_equal(strlist_add(&h->dns, "10.0.0.3"), 0);
	assert_int_equal(strlist_add(&h->ntp, "ntp1.example.org"), 0);
	h->hostname = "xs01.example.org";
	h->timezone = "Europe/Berlin";
	h->keymap = "de";
	h->root_password_hash = HASH;
}

static void
freehost(struct host *h)
{
	strlist_free(&h->dns);
	strlist_free(&h->ntp);
	strlist_free(&h->kernel_args);
}

/* ------------------------------------------------ XML inspection helpers */

static xmlDocPtr
parse(const char *xml, size_t len)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)len, "t.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	assert_non_null(d);
	return d;
}

static size_t
count_all(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (name == NULL || strcmp((const char *)c->name, name) == 0)
			k++;
		k += count_all(c, name);
	}
	return k;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name, int nth)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0 && nth-- == 0)
			return c;
	}
	return NULL;
}

/* Text of the nth <name> child of n, compared with want. */
static void
assert_child_text(xmlNodePtr n, const char *name, int nth, const char *want)
{
	xmlNodePtr c = child(n, name, nth);
	xmlChar *t;

	if (c == NULL)
		fail_msg("missing <%s> #%d", name, nth);
	t = xmlNodeGetContent(c);
	assert_string_equal((const char *)t, want);
	xmlFree(t);
}

static void
assert_attr(xmlNodePtr n, const char *attr, const char *want)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);

	if (want == NULL) {
		if (v != NULL)
			fail_msg("attribute %s should be absent, is \"%s\"", attr,
			    (const char *)v);
		return;
	}
	if (v == NULL)
		fail_msg("attribute %s missing", attr);
	assert_string_equal((const char *)v, want);
	xmlFree(v);
}

static size_t
element_children(xmlNodePtr n)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			k++;
	return k;
}

static char *
render_ok(const struct config *c, const struct host *h, enum host_mode m,
    size_t *len)
{
	char err[512] = "";
	char *af = render_answerfile(c, h, m, TOKEN, len, err, sizeof(err));

	if (af == NULL)
		fail_msg("render_answerfile failed: %s", err);
	assert_int_equal(strlen(af), *len);
	return af;
}

/* ------------------------------------------------------ answerfiles */

static void
test_upgrade_answerfile_is_upgrade_only(void **state)
{
	struct config c;
	struct host h;
	xmlDocPtr d;
	xmlNodePtr r;
	size_t len;
	char *af;
	char err[256];

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_UPGRADE);
	af = render_ok(&c, &h, MODE_UPGRADE, &len);
	assert_int_equal(render_validate_answerfile(af, len, MODE_UPGRADE, 1,
	    err, sizeof(err)), 0);
	assert_non_null(strstr(af, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));

	d = parse(af, len);
	r = xmlDocGetRootElement(d);
	assert_string_equal((const char *)r->name, "installation");
	assert_attr(r, "mode", "upgrade");
	assert_attr(r, "sr-type", NULL);
	/* exactly what the schema requires: existing-installation, source,
	 * the installation-complete script — and nothing else */
	assert_int_equal(element_children(r), 3);
	assert_child_text(r, "existing-installation", 0, "sda");
	assert_child_text(r, "source", 0, PUB "/repo/" REPO "/");
	assert_attr(child(r, "source", 0), "type", "url");
	assert_child_text(r, "script", 0, PUB "/hosts/xs01/" TOKEN "/script");
	assert_attr(child(r, "script", 0), "stage", "installation-complete");
	assert_attr(child(r, "script", 0), "type", "url");
	assert_int_equal(count_all(r, "primary-disk"), 0);
	assert_int_equal(count_all(r, "guest-disks"), 0);
	assert_int_equal(count_all(r, "admin-interface"), 0);
	assert_int_equal(count_all(r, "root-password"), 0);
	assert_int_equal(count_all(r, "hostname"), 0);
	/* the operator's template comments are kept, the password is not there */
	assert_null(strstr(af, HASH));
	xmlFreeDoc(d);
	free(af);
	freehost(&h);
}

static void
check_fresh_like(enum host_mode m, const char *modename)
{
	struct config c;
	struct host h;
	xmlDocPtr d;
	xmlNodePtr r, ai;
	size_t len;
	char *af;

	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, m);
	h.sr_type = "ext";
	af = render_ok(&c, &h, m, &len);
	d = parse(af, len);
	r = xmlDocGetRootElement(d);
	assert_string_equal((const char *)r->name, "installation");
	assert_attr(r, "mode", modename);
	assert_attr(r, "sr-type", "ext");
	assert_child_text(r, "primary-disk", 0, "sda");
	assert_child_text(r, "keymap", 0, "de");
	assert_child_text(r, "root-password", 0, HASH);
	assert_attr(child(r, "root-password", 0), "type", "hash");
	assert_child_text(r, "source", 0, PUB "/repo/" REPO "/");
	ai = child(r, "admin-interface", 0);
	assert_non_null(ai);
	assert_attr(ai, "hwaddr", "52:54:00:12:34:56");
	assert_attr(ai, "name", NULL);
	assert_attr(ai, "proto", "static");
	assert_child_text(ai, "ipaddr", 0, "10.0.0.21");
	assert_child_text(ai, "subnet", 0, "255.255.255.0");
	assert_child_text(ai, "gateway", 0, "10.0.0.1");
	assert_int_equal(count_all(r, "name-server"), 2);
	assert_child_text(r, "name-server", 0, "10.0.0.2");
	assert_child_text(r, "name-server", 1, "10.0.0.3");
	assert_int_equal(count_all(r, "ntp-server"), 1);
	assert_child_text(r, "ntp-server", 0, "ntp1.example.org");
	assert_child_text(r, "hostname", 0, "xs01.example.org");
	assert_child_text(r, "timezone", 0, "Europe/Berlin");
	assert_int_equal(count_all(r, "script"), 1);
	assert_child_text(r, "script", 0, PUB "/hosts/xs01/" TOKEN "/script");
	assert_int_equal(count_all(r, "existing-installation"), 0);
	/* no placeholder survives */
	assert_null(strstr(af, "{{"));
	xmlFreeDoc(d);
	free(af);
	freehost(&h);
}

static void
test_fresh_answerfile_has_full_identity(void **state)
{
	(void)state;
	check_fresh_like(MODE_FRESH, "fresh");
}

static void
test_reinstall_answerfile(void **state)
{
	(void)state;
	check_fresh_like(MODE_REINSTALL, "reinstall");
}

static void
test_fresh_dhcp_drops_static_elements(void **state)
{
	struct config c;
	struct host h;
	xmlDocPtr d;
	xmlNodePtr r, ai;
	size_t len;
	char *af;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_FRESH);
	h.ip = NULL;
	h.interface = "eth1";
	strlist_free(&h.dns);
	strlist_free(&h.ntp);
	af = render_ok(&c, &h, MODE_FRESH, &len);
	d = parse(af, len);
	r = xmlDocGetRootElement(d);
	ai = child(r, "admin-interface", 0);
	assert_non_null(ai);
	assert_attr(ai, "proto", "dhcp");
	assert_attr(ai, "name", "eth1");
	assert_attr(ai, "hwaddr", NULL);
	assert_int_equal(element_children(ai), 0);
	assert_int_equal(count_all(r, "name-server"), 0);
	assert_int_equal(count_all(r, "ntp-server"), 0);
	assert_attr(r, "sr-type", NULL);
	xmlFreeDoc(d);
	free(af);
	freehost(&h);
}

static void
test_restore_answerfile(void **state)
{
	struct config c;
	struct host h;
	xmlDocPtr d;
	xmlNodePtr r;
	size_t len;
	char *af;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_RESTORE);
	af = render_ok(&c, &h, MODE_RESTORE, &len);
	d = parse(af, len);
	r = xmlDocGetRootElement(d);
	assert_string_equal((const char *)r->name, "restore");
	assert_int_equal(element_children(r), 2);
	assert_child_text(r, "backup-disk", 0, "sda");
	assert_child_text(r, "script", 0, PUB "/hosts/xs01/" TOKEN "/script");
	xmlFreeDoc(d);
	free(af);
	freehost(&h);
}

static void
test_missing_inventory_value_refuses_render(void **state)
{
	struct config c;
	struct host h;
	char err[512] = "";
	size_t len = 99;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_FRESH);
	h.root_password_hash = NULL;
	assert_null(render_answerfile(&c, &h, MODE_FRESH, TOKEN, &len, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "<root-password>"));
	assert_int_equal(len, 0);

	h.root_password_hash = HASH;
	h.disk = NULL;
	assert_null(render_answerfile(&c, &h, MODE_UPGRADE, TOKEN, &len, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "<existing-installation>"));

	h.disk = "sda";
	h.repo = NULL;
	h.repo_name = NULL;
	assert_null(render_answerfile(&c, &h, MODE_UPGRADE, TOKEN, &len, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "repo"));

	h.repo_name = REPO;
	assert_null(render_answerfile(&c, &h, MODE_UPGRADE, "bad/token", &len,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "token"));
	freehost(&h);
}

/* Values aimed at breaking out of their element come out as text. */
static void
test_hostile_values_stay_text(void **state)
{
	static const char evil_disk[] =
	    "sda</existing-installation><primary-disk>sda";
	static const char evil_host[] = "a<b>&amp;c\"d'e\nf&#x41;]]>";
	static const char evil_if[] = "eth0\" proto=\"none\"><x a=\"";
	struct config c;
	struct host h;
	xmlDocPtr d;
	xmlNodePtr r, ai;
	size_t len;
	char *af;
	char err[256];

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_UPGRADE);
	h.disk = (char *)(uintptr_t)evil_disk;
	af = render_ok(&c, &h, MODE_UPGRADE, &len);
	d = parse(af, len);
	r = xmlDocGetRootElement(d);
	assert_int_equal(element_children(r), 3);
	assert_int_equal(count_all(r, NULL), 3);
	assert_child_text(r, "existing-installation", 0, evil_disk);
	assert_int_equal(count_all(r, "primary-disk"), 0);
	assert_int_equal(render_validate_answerfile(af, len, MODE_UPGRADE, 1,
	    err, sizeof(err)), 0);
	xmlFreeDoc(d);
	free(af);
	freehost(&h);

	mkhost(&h, MODE_FRESH);
	h.hostname = (char *)(uintptr_t)evil_host;
	h.interface = (char *)(uintptr_t)evil_if;
	h.timezone = "Europe/Berlin</timezone><x>";
	assert_int_equal(strlist_add(&h.dns, "1.1.1.1</name-server><y/>"), 0);
	af = render_ok(&c, &h, MODE_FRESH, &len);
	d = parse(af, len);
	r = xmlDocGetRootElement(d);
	/* installation children: primary-disk keymap root-password source
	 * admin-interface 3*name-server hostname timezone ntp-server script;
	 * admin-interface children: ipaddr subnet gateway */
	assert_int_equal(element_children(r), 12);
	assert_int_equal(count_all(r, NULL), 15);
	assert_child_text(r, "hostname", 0, evil_host);
	assert_child_text(r, "timezone", 0, "Europe/Berlin</timezone><x>");
	assert_child_text(r, "name-server", 2, "1.1.1.1</name-server><y/>");
	ai = child(r, "admin-interface", 0);
	assert_attr(ai, "name", evil_if);
	assert_attr(ai, "proto", "static");
	assert_int_equal(count_all(r, "x"), 0);
	assert_int_equal(count_all(r, "y"), 0);
	xmlFreeDoc(d);
	free(af);

	/* a control character XML cannot carry is refused, naming the value */
	h.hostname = "a\001b";
	assert_null(render_answerfile(&c, &h, MODE_FRESH, TOKEN, &len, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "hostname"));
	freehost(&h);
}

/* ------------------------------------------------ answerfile validation */

struct af_case {
	enum host_mode	 mode;
	const char	*head;
	const char	*tail;
	const char	*parts[16];	/* required children, one at a time */
	const char	*names[16];	/* what the error must name */
};

static const struct af_case af_cases[] = {
	{ MODE_UPGRADE, "<installation mode=\"upgrade\">", "</installation>",
	  { "<existing-installation>sda</existing-installation>",
	    "<source type=\"url\">http://s/repo/r/</source>",
	    "<script stage=\"installation-complete\" type=\"url\">http://s/x"
	    "</script>", NULL },
	  { "existing-installation", "source", "script", NULL } },
	{ MODE_FRESH, "<installation mode=\"fresh\">", "</installation>",
	  { "<primary-disk>sda</primary-disk>",
	    "<admin-interface hwaddr=\"52:54:00:12:34:56\" proto=\"dhcp\"/>",
	    "<root-password type=\"hash\">$6$x$y</root-password>",
	    "<hostname>h1</hostname>",
	    "<timezone>UTC</timezone>",
	    "<keymap>us</keymap>",
	    "<source type=\"url\">http://s/repo/r/</source>",
	    "<script stage=\"installation-complete\" type=\"url\">http://s/x"
	    "</script>", NULL },
	  { "primary-disk", "admin-interface", "root-password", "hostname",
	    "timezone", "keymap", "source", "script", NULL } },
	{ MODE_REINSTALL, "<installation mode=\"reinstall\">",
	  "</installation>",
	  { "<primary-disk>sda</primary-disk>",
	    "<admin-interface name=\"eth0\" proto=\"static\"><ipaddr>10.0.0.2"
	    "</ipaddr><subnet>255.0.0.0</subnet><gateway>10.0.0.1</gateway>"
	    "</admin-interface>",
	    "<root-password type=\"hash\">$6$x$y</root-password>",
	    "<hostname>h1</hostname>",
	    "<timezone>UTC</timezone>",
	    "<keymap>us</keymap>",
	    "<source type=\"url\">http://s/repo/r/</source>",
	    "<script stage=\"installation-complete\" type=\"url\">http://s/x"
	    "</script>", NULL },
	  { "primary-disk", "admin-interface", "root-password", "hostname",
	    "timezone", "keymap", "source", "script", NULL } },
	{ MODE_RESTORE, "<restore>", "</restore>",
	  { "<backup-disk>sda</backup-disk>",
	    "<script stage=\"installation-complete\" type=\"url\">http://s/x"
	    "</script>", NULL },
	  { "backup-disk", "script", NULL } },
};

/* The case's document without part skip (-1: complete); with empty set,
 * part skip is present but with its text removed. */
static char *
build_case(const struct af_case *k, int skip, int empty)
{
	struct sbuf b = { .max = 1 << 16 };
	int i;

	sbuf_puts(&b, k->head);
	for (i = 0; k->parts[i] != NULL; i++) {
		if (i != skip) {
			sbuf_puts(&b, k->parts[i]);
		} else if (empty) {
			/* keep the tags, drop the text: <x ...></x> */
			const char *gt = strchr(k->parts[i], '>');

			sbuf_append(&b, k->parts[i], (size_t)(gt - k->parts[i] + 1));
			sbuf_printf(&b, "</%s>", k->names[i]);
		}
	}
	sbuf_puts(&b, k->tail);
	return sbuf_take(&b);
}

static void
test_validate_rejects_each_missing_element(void **state)
{
	char err[512], *x;
	size_t ci;
	int i;

	(void)state;
	for (ci = 0; ci < sizeof(af_cases) / sizeof(af_cases[0]); ci++) {
		const struct af_case *k = &af_cases[ci];

		x = build_case(k, -1, 0);
		err[0] = '\0';
		if (render_validate_answerfile(x, strlen(x), k->mode, 0, err,
		    sizeof(err)) != 0)
			fail_msg("complete %s document refused: %s",
			    config_mode_name(k->mode), err);
		free(x);
		for (i = 0; k->parts[i] != NULL; i++) {
			x = build_case(k, i, 0);
			err[0] = '\0';
			assert_int_equal(render_validate_answerfile(x, strlen(x),
			    k->mode, 0, err, sizeof(err)), -1);
			if (strstr(err, k->names[i]) == NULL)
				fail_msg("%s without <%s>: error \"%s\" does not "
				    "name it", config_mode_name(k->mode),
				    k->names[i], err);
			free(x);
			if (strcmp(k->names[i], "admin-interface") == 0)
				continue;	/* no text of its own */
			x = build_case(k, i, 1);
			assert_int_equal(render_validate_answerfile(x, strlen(x),
			    k->mode, 0, err, sizeof(err)), -1);
			assert_non_null(strstr(err, k->names[i]));
			free(x);
		}
	}
	/* the message the operator sees */
	x = build_case(&af_cases[0], 0, 0);
	assert_int_equal(render_validate_answerfile(x, strlen(x), MODE_UPGRADE,
	    1, err, sizeof(err)), -1);
	assert_string_equal(err, "answerfile (upgrade): required element "
	    "<existing-installation> is missing");
	free(x);
}

static void
test_validate_static_interface_needs_addresses(void **state)
{
	static const char *const drop[] = { "<ipaddr>10.0.0.2</ipaddr>",
	    "<subnet>255.0.0.0</subnet>", "<gateway>10.0.0.1</gateway>" };
	static const char *const names[] = { "ipaddr", "subnet", "gateway" };
	const struct af_case *k = &af_cases[2];
	char err[512], *full, *x, *p;
	size_t i;

	(void)state;
	full = build_case(k, -1, 0);
	for (i = 0; i < 3; i++) {
		x = strdup(full);
		p = strstr(x, drop[i]);
		assert_non_null(p);
		memmove(p, p + strlen(drop[i]), strlen(p + strlen(drop[i])) + 1);
		assert_int_equal(render_validate_answerfile(x, strlen(x),
		    MODE_REINSTALL, 0, err, sizeof(err)), -1);
		assert_non_null(strstr(err, names[i]));
		free(x);
	}
	/* proto must be static or dhcp */
	x = strdup(full);
	p = strstr(x, "proto=\"static\"");
	memcpy(p, "proto=\"bogus\" ", 14);
	assert_int_equal(render_validate_answerfile(x, strlen(x),
	    MODE_REINSTALL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "proto"));
	free(x);
	/* a plaintext password is never accepted */
	x = strdup(full);
	p = strstr(x, "type=\"hash\"");
	memcpy(p, "type=\"open\"", 11);
	assert_int_equal(render_validate_answerfile(x, strlen(x),
	    MODE_REINSTALL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "root-password"));
	free(x);
	free(full);
}

static int
valid(const char *x, enum host_mode m, int member, char *err, size_t n)
{
	err[0] = '\0';
	return render_validate_answerfile(x, strlen(x), m, member, err, n);
}

static void
test_validate_rejects_wrong_root_and_mode(void **state)
{
	char err[512], *up, *fresh, *restore, *x;
	size_t n;

	(void)state;
	up = build_case(&af_cases[0], -1, 0);
	fresh = build_case(&af_cases[1], -1, 0);
	restore = build_case(&af_cases[3], -1, 0);
	n = sizeof(err);

	/* a fresh install is never accepted where an upgrade is meant */
	assert_int_equal(valid(fresh, MODE_UPGRADE, 1, err, n), -1);
	assert_non_null(strstr(err, "mode=\"upgrade\""));
	assert_int_equal(valid(up, MODE_FRESH, 0, err, n), -1);
	assert_int_equal(valid(restore, MODE_UPGRADE, 0, err, n), -1);
	assert_non_null(strstr(err, "<restore>"));
	assert_int_equal(valid(up, MODE_RESTORE, 0, err, n), -1);
	assert_non_null(strstr(err, "<installation>"));
	assert_int_equal(valid(up, MODE_COUNT, 0, err, n), -1);

	/* fresh must be said explicitly (the installer's default is fresh) */
	x = strdup(fresh);
	memcpy(strstr(x, " mode=\"fresh\""), "             ", 13);
	assert_int_equal(valid(x, MODE_FRESH, 0, err, n), -1);
	assert_non_null(strstr(err, "no mode"));
	free(x);

	/* the upgrade with a fresh-install element: wrong template */
	{
		static const char *const intruders[] = {
		    "<primary-disk>sda</primary-disk>",
		    "<guest-disks><guest-disk>sdb</guest-disk></guest-disks>",
		    "<admin-interface name=\"eth0\" proto=\"dhcp\"/>",
		    "<root-password type=\"hash\">x</root-password>",
		    "<source type=\"url\">http://s/r/<primary-disk>sdb"
		    "</primary-disk></source>" };
		static const char *const names[] = { "primary-disk",
		    "guest-disks", "admin-interface", "root-password",
		    "primary-disk" };
		size_t i;

		for (i = 0; i < 5; i++) {
			struct sbuf b = { .max = 1 << 16 };
			int member;

			sbuf_puts(&b, "<installation mode=\"upgrade\">");
			sbuf_puts(&b, intruders[i]);
			sbuf_puts(&b, up + strlen("<installation mode=\"upgrade\">"));
			x = sbuf_take(&b);
			for (member = 0; member <= 1; member++) {
				assert_int_equal(valid(x, MODE_UPGRADE, member,
				    err, n), -1);
				assert_non_null(strstr(err, names[i]));
			}
			free(x);
		}
	}
	/* a pool member's upgrade carries nothing else; a standalone
	 * host's upgrade may have e.g. a bootloader choice */
	x = strdup(up);
	{
		struct sbuf b = { .max = 1 << 16 };

		sbuf_puts(&b, "<installation mode=\"upgrade\"><bootloader>grub2"
		    "</bootloader>");
		sbuf_puts(&b, up + strlen("<installation mode=\"upgrade\">"));
		free(x);
		x = sbuf_take(&b);
	}
	assert_int_equal(valid(x, MODE_UPGRADE, 0, err, n), 0);
	assert_int_equal(valid(x, MODE_UPGRADE, 1, err, n), -1);
	assert_non_null(strstr(err, "<bootloader>"));
	free(x);
	/* two installation-complete scripts, or a script of another stage */
	{
		struct sbuf b = { .max = 1 << 16 };

		sbuf_puts(&b, up);
		b.len -= strlen("</installation>");
		sbuf_puts(&b, "<script stage=\"installation-complete\" "
		    "type=\"url\">http://s/y</script></installation>");
		x = sbuf_take(&b);
		assert_int_equal(valid(x, MODE_UPGRADE, 1, err, n), -1);
		assert_non_null(strstr(err, "script"));
		free(x);
	}
	x = strdup(up);
	memcpy(strstr(x, "installation-complete"), "filesystem-populate", 19);
	assert_int_equal(valid(x, MODE_UPGRADE, 1, err, n), -1);
	assert_non_null(strstr(err, "<script"));
	free(x);

	/* a source of another type */
	x = strdup(up);
	memcpy(strstr(x, "type=\"url\">http://s/repo"), "type=\"nfs\"", 10);
	assert_int_equal(valid(x, MODE_UPGRADE, 1, err, n), -1);
	assert_non_null(strstr(err, "source"));
	free(x);

	free(up);
	free(fresh);
	free(restore);
}

static void
test_validate_rejects_doctype_entities_malformed(void **state)
{
	static const char *const bad[] = {
		/* external entity */
		"<?xml version=\"1.0\"?><!DOCTYPE installation [<!ENTITY x "
		"SYSTEM \"file:///etc/passwd\">]><installation mode=\"upgrade\">"
		"<existing-installation>&x;</existing-installation>"
		"<source type=\"url\">http://s/r/</source><script stage="
		"\"installation-complete\" type=\"url\">http://s/x</script>"
		"</installation>",
		/* a bare DOCTYPE */
		"<!DOCTYPE installation><installation mode=\"upgrade\">"
		"<existing-installation>sda</existing-installation>"
		"<source type=\"url\">http://s/r/</source><script stage="
		"\"installation-complete\" type=\"url\">http://s/x</script>"
		"</installation>",
		/* an undeclared entity */
		"<installation mode=\"upgrade\">"
		"<existing-installation>&sda;</existing-installation>"
		"<source type=\"url\">http://s/r/</source><script stage="
		"\"installation-complete\" type=\"url\">http://s/x</script>"
		"</installation>",
		/* not closed */
		"<installation mode=\"upgrade\">"
		"<existing-installation>sda</existing-installation>"
		"<source type=\"url\">http://s/r/</source><script stage="
		"\"installation-complete\" type=\"url\">http://s/x</script>",
		/* mismatched tags */
		"<installation mode=\"upgrade\"><existing-installation>sda"
		"</primary-disk></installation>",
		"",
		"not xml at all",
		"<installation mode=\"upgrade\"/><installation/>",
	};
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (render_validate_answerfile(bad[i], strlen(bad[i]),
		    MODE_UPGRADE, 1, err, sizeof(err)) != -1)
			fail_msg("bad document %zu accepted", i);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(render_validate_answerfile(bad[0], strlen(bad[0]),
	    MODE_UPGRADE, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE"));
	assert_int_equal(render_validate_answerfile(NULL, 0, MODE_UPGRADE, 1,
	    err, sizeof(err)), -1);
}

/* ------------------------------------------------ operator templates */

static void
write_tpl_dir(const char *dir, const char *upgrade_xml)
{
	char *p = unit_write(dir, "answerfile-upgrade.xml", upgrade_xml);

	assert_non_null(p);
	free(p);
}

static void
test_bad_templates_are_refused(void **state)
{
	static const char *const bad[] = {
		/* placeholder mixed with other text */
		"<installation mode=\"upgrade\"><existing-installation>/dev/"
		"{{disk}}</existing-installation></installation>",
		/* placeholder mixed into an attribute */
		"<installation mode=\"upgrade\" x=\"a{{disk}}\"/>",
		/* unknown name */
		"<installation mode=\"upgrade\"><existing-installation>{{dsk}}"
		"</existing-installation></installation>",
		/* list placeholder on a scalar, scalar name with * */
		"<installation mode=\"upgrade\"><x>{{disk*}}</x></installation>",
		"<installation mode=\"upgrade\"><x>{{dns}}</x></installation>",
		/* a DOCTYPE in the template */
		"<!DOCTYPE installation><installation mode=\"upgrade\"/>",
		/* a fresh install element in the upgrade template */
		"<installation mode=\"upgrade\"><existing-installation>{{disk}}"
		"</existing-installation><primary-disk>{{disk}}</primary-disk>"
		"<source type=\"url\">{{source_url}}</source><script stage="
		"\"installation-complete\" type=\"url\">{{script_url}}</script>"
		"</installation>",
		/* the wrong mode */
		"<installation mode=\"fresh\"><existing-installation>{{disk}}"
		"</existing-installation><source type=\"url\">{{source_url}}"
		"</source><script stage=\"installation-complete\" type=\"url\">"
		"{{script_url}}</script></installation>",
	};
	static const char *const want[] = { "entire text", "whole attribute",
	    "{{dsk}}", "{{disk*}}", "{{dns}}", "DOCTYPE", "primary-disk",
	    "mode" };
	struct config c;
	struct host h;
	char err[512], *dir;
	size_t i, len;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	mkcfg(&c, BOOT_FILES_HTTP);
	c.template_dir = dir;
	mkhost(&h, MODE_UPGRADE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_tpl_dir(dir, bad[i]);
		err[0] = '\0';
		if (render_answerfile(&c, &h, MODE_UPGRADE, TOKEN, &len, err,
		    sizeof(err)) != NULL)
			fail_msg("bad template %zu rendered", i);
		if (strstr(err, want[i]) == NULL)
			fail_msg("template %zu: error \"%s\" lacks \"%s\"", i,
			    err, want[i]);
	}
	/* a missing template is an error naming the file */
	assert_null(render_answerfile(&c, &h, MODE_RESTORE, TOKEN, &len, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "answerfile-restore.xml"));
	freehost(&h);
	free(dir);
}

/* ------------------------------------------------------------ pxelinux */

static size_t
count_str(const char *hay, const char *needle)
{
	size_t k = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		k++;
		p += strlen(needle);
	}
	return k;
}

static const char *
append_line(const char *text)
{
	const char *p = strstr(text, "\n  append ");

	assert_non_null(p);
	return p + 3;
}

static void
test_pxelinux_install_http(void **state)
{
	struct config c;
	struct host h;
	char err[512] = "", tok[UTIL_TOKEN_LEN + 1];
	char *t;
	const char *ap;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_UPGRADE);
	t = render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_non_null(strstr(t, "\n  kernel mboot.c32\n"));
	assert_non_null(strstr(t, "default poolboot-install\n"));
	assert_non_null(strstr(t, "label poolboot-install\n"));
	assert_non_null(strstr(t, "# poolboot: network install of host xs01 "
	    "(52:54:00:12:34:56)"));
	assert_int_equal(count_str(t, " --- "), 2);
	assert_int_equal(count_str(t, "answerfile="), 1);
	ap = append_line(t);
	assert_true(strncmp(ap, "append " PUB "/repo/" REPO "/boot/xen.gz "
	    "dom0_max_vcpus=1-16 dom0_mem=2048M,max:2048M console=vga --- "
	    PUB "/repo/" REPO "/boot/vmlinuz console=tty0 answerfile=" PUB
	    "/hosts/xs01/" TOKEN "/answerfile install --- " PUB "/repo/" REPO
	    "/install.img\n", strlen(ap)) == 0);
	assert_int_equal(render_validate_pxelinux(t, PUB "/hosts/xs01/" TOKEN
	    "/answerfile", err, sizeof(err)), 0);
	/* checked against another host's URL, or as local boot: refused */
	assert_int_equal(render_validate_pxelinux(t, PUB "/hosts/xs02/" TOKEN
	    "/answerfile", err, sizeof(err)), -1);
	assert_int_equal(render_validate_pxelinux(t, NULL, err, sizeof(err)),
	    -1);
	assert_int_equal(render_pxelinux_token(t, tok), 0);
	assert_string_equal(tok, TOKEN);
	free(t);
	freehost(&h);
}

static void
test_pxelinux_install_tftp_and_serial(void **state)
{
	struct config c;
	struct host h;
	char err[512] = "", tok[UTIL_TOKEN_LEN + 1], rnd[UTIL_TOKEN_LEN + 1];
	char *t;
	const char *ap;

	(void)state;
	mkcfg(&c, BOOT_FILES_TFTP);
	mkhost(&h, MODE_UPGRADE);
	h.serial_port = 2;
	h.serial_baud = 57600;
	assert_int_equal(strlist_add(&h.kernel_args, "nomodeset"), 0);
	assert_int_equal(strlist_add(&h.kernel_args, "sshpassword=x"), 0);
	assert_int_equal(util_random_token(rnd), 0);
	t = render_pxelinux_install(&c, &h, rnd, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	ap = append_line(t);
	assert_true(strncmp(ap, "append repo/" REPO "/boot/xen.gz "
	    "dom0_max_vcpus=1-16 dom0_mem=2048M,max:2048M com2=57600,8n1 "
	    "console=com2,vga --- repo/" REPO "/boot/vmlinuz console=tty0 "
	    "console=hvc0 nomodeset sshpassword=x answerfile=",
	    strlen("append repo/")) == 0);
	assert_non_null(strstr(ap, " com2=57600,8n1 console=com2,vga --- "));
	assert_non_null(strstr(ap, "/boot/vmlinuz console=tty0 console=hvc0 "
	    "nomodeset sshpassword=x answerfile=" PUB "/hosts/xs01/"));
	assert_non_null(strstr(ap, " install --- repo/" REPO "/install.img\n"));
	assert_null(strstr(t, "console=vga "));
	assert_null(strstr(ap, PUB "/repo/"));
	assert_int_equal(count_str(t, " --- "), 2);
	assert_int_equal(render_pxelinux_token(t, tok), 0);
	assert_string_equal(tok, rnd);
	free(t);

	/* the CLI's placeholder token round-trips as well */
	h.serial_port = 0;
	t = render_pxelinux_install(&c, &h, "TOKEN", err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(render_pxelinux_token(t, tok), 0);
	assert_string_equal(tok, "TOKEN");
	free(t);
	freehost(&h);
}

/* Values that would add kernel arguments or break the mboot syntax. */
static void
test_pxelinux_refuses_hostile_values(void **state)
{
	static const char *const evil[] = { "a b", "quiet\nappend x", "---",
	    "x\"y", "x'y", "a\\b", "a\tb", "answerfile=http://evil/a",
	    "install", "" };
	struct config c;
	struct host h;
	char err[512];
	size_t i;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		mkhost(&h, MODE_UPGRADE);
		assert_int_equal(strlist_add(&h.kernel_args, "nomodeset"), 0);
		assert_int_equal(strlist_add(&h.kernel_args, evil[i]), 0);
		err[0] = '\0';
		if (render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err)) !=
		    NULL)
			fail_msg("kernel_args #%zu accepted", i);
		assert_non_null(strstr(err, "kernel_args"));
		assert_null(strchr(err, '\n'));
		freehost(&h);
	}
	mkhost(&h, MODE_UPGRADE);
	h.disk = "sda --- evil";
	assert_null(render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "disk"));
	h.disk = "sda\ninstall";
	assert_null(render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "disk"));
	h.disk = "sda";
	h.hostname = "h1 \"answerfile=x\"";
	assert_null(render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "hostname"));
	h.hostname = "h1";
	assert_null(render_pxelinux_install(&c, &h, "abc def", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "token"));
	c.public_url = "http://evil host:80";
	assert_null(render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "public_url"));
	freehost(&h);
}

static void
test_pxelinux_local(void **state)
{
	struct config c;
	char err[512] = "", tok[UTIL_TOKEN_LEN + 1];
	char *t;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	t = render_pxelinux_local(&c, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_non_null(strstr(t, "default local\n"));
	assert_non_null(strstr(t, "label local\n"));
	assert_non_null(strstr(t, "localboot 0\n"));
	assert_null(strstr(t, "answerfile"));
	assert_null(strstr(t, "kernel"));
	assert_int_equal(render_validate_pxelinux(t, NULL, err, sizeof(err)), 0);
	assert_int_equal(render_validate_pxelinux(t, PUB "/hosts/xs01/" TOKEN
	    "/answerfile", err, sizeof(err)), -1);
	assert_int_equal(render_pxelinux_token(t, tok), -1);
	free(t);
}

static void
test_validate_pxelinux_rejects(void **state)
{
#define AF PUB "/hosts/xs01/" TOKEN "/answerfile"
#define HEAD "default i\nlabel i\n kernel mboot.c32\n"
	static const char *const bad[] = {
		HEAD " append x.gz --- vml answerfile=" AF " install --- img --- z\n",
		HEAD " append x.gz --- vml answerfile=" AF " install img\n",
		HEAD " append x.gz --- vml answerfile=" AF " --- img\n",
		HEAD " append x.gz --- vml answerfile=" AF "x install --- img\n",
		HEAD " append x.gz --- vml answerfile=" AF " answerfile=" AF
		    " install --- img\n",
		HEAD " append x.gz --- vml install --- img\n",
		HEAD " append x.gz answerfile=" AF " --- vml install --- img\n",
		HEAD " append x.gz --- vml answerfile=" AF " install --- img\r\n",
		HEAD " append x.gz --- vml answerfile=" AF " install\t--- img\n",
		HEAD " initrd foo\n append x.gz --- vml answerfile=" AF
		    " install --- img\n",
		"default i\nlabel i\n kernel vmlinuz\n append x.gz --- vml "
		    "answerfile=" AF " install --- img\n",
		"default j\nlabel i\n kernel mboot.c32\n append x.gz --- vml "
		    "answerfile=" AF " install --- img\n",
		HEAD " append x.gz --- vml answerfile=" AF " install --- img\n"
		    " localboot 0\n",
		HEAD " append x.gz --- vml answerfile=" AF " install --- img\n"
		    "label j\n",
		HEAD,
	};
	static const char good[] = HEAD "# a comment\n\n append x.gz a=b --- "
	    "vml answerfile=" AF " install --- img\n";
	char err[512];
	size_t i;

	(void)state;
	assert_int_equal(render_validate_pxelinux(good, AF, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (render_validate_pxelinux(bad[i], AF, err, sizeof(err)) != -1)
			fail_msg("bad pxelinux %zu accepted", i);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(render_validate_pxelinux("default l\nlabel l\n "
	    "localboot 0\n", NULL, err, sizeof(err)), 0);
	assert_int_equal(render_validate_pxelinux("default l\nlabel l\n "
	    "localboot 0\n# answerfile=http://x\n", NULL, err, sizeof(err)), -1);
	assert_int_equal(render_validate_pxelinux("default l\nlabel l\n",
	    NULL, err, sizeof(err)), -1);
	assert_int_equal(render_validate_pxelinux(NULL, NULL, err, sizeof(err)),
	    -1);
#undef HEAD
#undef AF
}

static void
test_pxelinux_token_parsing(void **state)
{
	char tok[UTIL_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(render_pxelinux_token("label i\n append a --- b "
	    "answerfile=http://h:1/pb/hosts/n-1/abc123/answerfile install --- c\n",
	    tok), 0);
	assert_string_equal(tok, "abc123");
	/* not ours, or malformed */
	assert_int_equal(render_pxelinux_token("label i\n append a --- b "
	    "answerfile=http://h/other/n/abc/answerfile --- c\n", tok), -1);
	assert_int_equal(render_pxelinux_token("label i\n append a --- b "
	    "answerfile=http://h/hosts/n/abc/script --- c\n", tok), -1);
	assert_int_equal(render_pxelinux_token("label i\n append a --- b "
	    "answerfile=http://h/hosts/n/a.b/answerfile --- c\n", tok), -1);
	assert_int_equal(render_pxelinux_token("label i\n append a --- b "
	    "answerfile=http://h/hosts/n/0123456789012345678901234567890123456789X"
	    "/answerfile --- c\n", tok), -1);
	assert_int_equal(render_pxelinux_token("# answerfile=http://h/hosts/n/"
	    "abc/answerfile\nlocalboot 0\n", tok), -1);
	assert_int_equal(render_pxelinux_token("", tok), -1);
}

/* ------------------------------------------------------------ script */

static void
test_script_reports_to_callback(void **state)
{
	struct config c;
	struct host h;
	char err[512] = "", cmd[8192], buf[1024];
	char *s, *dir, *p, *out;
	FILE *f;
	int rc;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_UPGRADE);
	s = render_script(&c, &h, TOKEN, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	assert_true(strncmp(s, "#!/bin/sh\n", 10) == 0);
	assert_non_null(strstr(s, "url=\"" PUB "/hosts/xs01/" TOKEN
	    "/callback/$result\""));
	assert_non_null(strstr(s, "curl"));
	assert_non_null(strstr(s, "wget -q"));
	assert_non_null(strstr(s, "--post-data="));
	assert_non_null(strstr(s, "python3"));
	assert_null(strstr(s, "{{"));

	/* Run it with a fake curl that records its arguments: "0" reports
	 * success, anything else failure, and the script itself exits 0. */
	dir = unit_tmpdir();
	assert_non_null(dir);
	p = unit_write(dir, "script.sh", s);
	free(p);
	p = unit_write(dir, "curl", "#!/bin/sh\necho \"$@\" >> \"$CURL_LOG\"\n");
	assert_int_equal(chmod(p, 0755), 0);
	free(p);
	snprintf(cmd, sizeof(cmd), "cd %s && PATH=%s CURL_LOG=%s/log /bin/sh "
	    "./script.sh 0 >/dev/null && PATH=%s CURL_LOG=%s/log /bin/sh "
	    "./script.sh 7 >/dev/null", dir, dir, dir, dir, dir);
	rc = system(cmd);
	assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
	snprintf(cmd, sizeof(cmd), "%s/log", dir);
	f = fopen(cmd, "r");
	assert_non_null(f);
	memset(buf, 0, sizeof(buf));
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	out = strstr(buf, PUB "/hosts/xs01/" TOKEN "/callback/0\n");
	assert_non_null(out);
	assert_non_null(strstr(out + 1, PUB "/hosts/xs01/" TOKEN "/callback/1\n"));
	assert_non_null(strstr(buf, "-X POST"));
	free(s);
	free(dir);
	freehost(&h);
}

static void
test_host_urls(void **state)
{
	struct config c;
	struct host h;
	char *u;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_UPGRADE);
	u = render_host_url(&c, &h, TOKEN, "answerfile");
	assert_string_equal(u, PUB "/hosts/xs01/" TOKEN "/answerfile");
	free(u);
	u = render_host_url(&c, &h, "TOKEN", "callback");
	assert_string_equal(u, PUB "/hosts/xs01/TOKEN/callback");
	free(u);
	assert_null(render_host_url(&c, &h, "../x", "script"));
	assert_null(render_host_url(&c, &h, TOKEN, "other"));
	h.name = "../etc";
	assert_null(render_host_url(&c, &h, TOKEN, "script"));
	freehost(&h);
}

/* The filesystem-populated stage is poolboot's, for the XAPI certificate
 * of a host it joins to a pool: present exactly when asked for (fresh or
 * reinstall), with exactly its URL; refused everywhere else, upgrades
 * included. */
static void
test_filesystem_populated_only_for_the_host_certificate(void **state)
{
	struct config c;
	struct host h;
	char err[512], *af, *url, *x, *p;
	size_t len = 0;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_FRESH);
	/* without a certificate the element is left out */
	af = render_ok(&c, &h, MODE_FRESH, &len);
	assert_null(strstr(af, "stage=\"filesystem-populated\" type"));
	free(af);
	af = render_answerfile_for(&c, &h, MODE_FRESH, TOKEN, 1, &len, err,
	    sizeof(err));
	if (af == NULL)
		fail_msg("render_answerfile_for: %s", err);
	url = render_host_url(&c, &h, TOKEN, "hostcert-script");
	assert_non_null(url);
	assert_non_null(strstr(af, url));
	assert_int_equal(render_validate_answerfile_for(af, len, MODE_FRESH, 0,
	    url, err, sizeof(err)), 0);
	/* the same answerfile where none is expected: refused */
	assert_int_equal(render_validate_answerfile(af, len, MODE_FRESH, 0,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "filesystem-populated"));
	/* another URL: refused */
	assert_int_equal(render_validate_answerfile_for(af, len, MODE_FRESH, 0,
	    "http://10.9.9.9/x", err, sizeof(err)), -1);
	/* expected but missing: refused, naming the placeholder */
	x = render_ok(&c, &h, MODE_FRESH, &len);
	assert_int_equal(render_validate_answerfile_for(x, len, MODE_FRESH, 0,
	    url, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "{{hostcert_script_url}}"));
	free(x);
	free(af);
	/* never in an upgrade, even when slipped into the template */
	assert_null(render_answerfile_for(&c, &h, MODE_UPGRADE, TOKEN, 1, &len,
	    err, sizeof(err)));
	freehost(&h);
	mkhost(&h, MODE_UPGRADE);
	x = render_ok(&c, &h, MODE_UPGRADE, &len);
	p = strstr(x, "</installation>");
	assert_non_null(p);
	*p = '\0';
	assert_true(asprintf(&af, "%s<script stage=\"filesystem-populated\" "
	    "type=\"url\">%s</script></installation>\n", x, url) > 0);
	assert_int_equal(render_validate_answerfile(af, strlen(af),
	    MODE_UPGRADE, 1, err, sizeof(err)), -1);
	assert_int_equal(render_validate_answerfile_for(af, strlen(af),
	    MODE_UPGRADE, 1, url, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no XAPI certificate"));
	free(af);
	free(x);
	free(url);
	freehost(&h);
}

/* The filesystem-populated script fetches the one-shot URL and installs
 * what it gets as the new root's xapi-ssl.pem. */
static void
test_hostcert_script(void **state)
{
	struct config c;
	struct host h;
	char err[512], *sc, *url;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h, MODE_FRESH);
	sc = render_hostcert_script(&c, &h, TOKEN, err, sizeof(err));
	if (sc == NULL)
		fail_msg("render_hostcert_script: %s", err);
	url = render_host_url(&c, &h, TOKEN, "hostcert");
	assert_true(strncmp(sc, "#!/bin/sh\n", 10) == 0);
	assert_non_null(strstr(sc, url));
	assert_non_null(strstr(sc, "/etc/xensource"));
	assert_non_null(strstr(sc, "xapi-ssl.pem"));
	assert_null(render_hostcert_script(&c, &h, "bad/token", err,
	    sizeof(err)));
	free(sc);
	free(url);
	freehost(&h);
}

static int
teardown_all(void **state)
{
	(void)state;
	xmlCleanupParser();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgrade_answerfile_is_upgrade_only),
		cmocka_unit_test(test_fresh_answerfile_has_full_identity),
		cmocka_unit_test(test_reinstall_answerfile),
		cmocka_unit_test(test_fresh_dhcp_drops_static_elements),
		cmocka_unit_test(test_restore_answerfile),
		cmocka_unit_test(test_missing_inventory_value_refuses_render),
		cmocka_unit_test(test_hostile_values_stay_text),
		cmocka_unit_test(test_validate_rejects_each_missing_element),
		cmocka_unit_test(test_validate_static_interface_needs_addresses),
		cmocka_unit_test(test_validate_rejects_wrong_root_and_mode),
		cmocka_unit_test(test_validate_rejects_doctype_entities_malformed),
		cmocka_unit_test(test_bad_templates_are_refused),
		cmocka_unit_test(test_pxelinux_install_http),
		cmocka_unit_test(test_pxelinux_install_tftp_and_serial),
		cmocka_unit_test(test_pxelinux_refuses_hostile_values),
		cmocka_unit_test(test_pxelinux_local),
		cmocka_unit_test(test_validate_pxelinux_rejects),
		cmocka_unit_test(test_pxelinux_token_parsing),
		cmocka_unit_test(test_script_reports_to_callback),
		cmocka_unit_test(test_host_urls),
		cmocka_unit_test(
		    test_filesystem_populated_only_for_the_host_certificate),
		cmocka_unit_test(test_hostcert_script),
	};

	unit_templates(template_dir, sizeof(template_dir));
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
