/* test_render_grub.c — what a UEFI host's GRUB reads: its per-MAC file
 * (install entry or local boot) and the fixed grub/grub.cfg, rendered from
 * the real templates/ and read back the way GRUB 2.06's script lexer
 * splits them. */
#include "unit.h"

#include "config.h"
#include "render.h"
#include "render_grub_script.h"
#include "util.h"

#define TOKEN	"0123456789abcdef0123456789abcdef01234567"
#define PUB	"http://10.0.0.5:8080"
#define REPO	"xs82"
#define AF	PUB "/hosts/xs01/" TOKEN "/answerfile"

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

static void
mkhost(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->name = "xs01";
	h->pool_name = "pool1";
	h->repo_name = REPO;
	h->repo = &the_repo;
	snprintf(h->mac, sizeof(h->mac), "52:54:00:12:34:56");
	h->disk = "sda";
	h->mode = MODE_UPGRADE;
	h->hostname = "xs01.example.org";
}

static void
freehost(struct host *h)
{
	strlist_free(&h->kernel_args);
}

/* The line of t that starts (after blanks) with prefix, up to its
 * newline, into buf; fails the test when there is none. */
static const char *
line_of(const char *t, const char *prefix, char *buf, size_t n)
{
	const char *p = t, *e;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		e = strchr(p, '\n');
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			snprintf(buf, n, "%.*s", (int)(e != NULL ? e - p :
			    (long)strlen(p)), p);
			return buf;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	fail_msg("no line starting \"%s\" in:\n%s", prefix, t);
	return NULL;
}

/* The nth line starting with prefix. */
static const char *
nth_line(const char *t, const char *prefix, int nth, char *buf, size_t n)
{
	const char *p = t;

	while (nth-- > 0) {
		p = strstr(p, prefix);
		assert_non_null(p);
		p += strlen(prefix);
	}
	return line_of(p, prefix, buf, n);
}

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

/* ------------------------------------------------------------- install */

static void
test_install_tftp_exact_lines(void **state)
{
	struct config c;
	struct host h;
	char err[512] = "", tok[UTIL_TOKEN_LEN + 1], b[1024];
	char *t;

	(void)state;
	mkcfg(&c, BOOT_FILES_TFTP);
	mkhost(&h);
	t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(line_of(t, "multiboot2 ", b, sizeof(b)),
	    "multiboot2 /repo/" REPO "/boot/xen.gz dom0_max_vcpus=1-16 "
	    "dom0_mem=2048M,max:2048M console=vga");
	assert_string_equal(nth_line(t, "module2 ", 0, b, sizeof(b)),
	    "module2 /repo/" REPO "/boot/vmlinuz console=tty0 answerfile=" AF
	    " install");
	assert_string_equal(nth_line(t, "module2 ", 1, b, sizeof(b)),
	    "module2 --nounzip /repo/" REPO "/install.img");
	assert_string_equal(line_of(t, "set timeout", b, sizeof(b)),
	    "set timeout=0");
	assert_string_equal(line_of(t, "set default", b, sizeof(b)),
	    "set default=0");
	assert_string_equal(line_of(t, "menuentry", b, sizeof(b)),
	    "menuentry poolboot-install {");
	assert_non_null(strstr(t, "# poolboot: network install of host xs01 "
	    "(52:54:00:12:34:56)"));
	assert_non_null(strstr(t, "rewrites this file to local\n# boot"));
	assert_non_null(strstr(t, "\n}\n"));
	assert_int_equal(count_str(t, "answerfile="), 1);
	assert_int_equal(render_validate_grub(t, AF, err, sizeof(err)), 0);
	/* another host's URL, or read as a local boot file: refused */
	assert_int_equal(render_validate_grub(t, PUB "/hosts/xs02/" TOKEN
	    "/answerfile", err, sizeof(err)), -1);
	assert_int_equal(render_validate_grub(t, NULL, err, sizeof(err)), -1);
	assert_int_equal(render_grub_token(t, tok), 0);
	assert_string_equal(tok, TOKEN);
	/* the pxelinux reader finds no token in it, nor the GRUB reader in a
	 * pxelinux file */
	assert_int_equal(render_pxelinux_token(t, tok), -1);
	free(t);
	t = render_pxelinux_install(&c, &h, TOKEN, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(render_grub_token(t, tok), -1);
	free(t);
	freehost(&h);
}

static void
test_install_http_and_serial(void **state)
{
	struct config c;
	struct host h;
	char err[512] = "", tok[UTIL_TOKEN_LEN + 1], b[1024];
	char *t;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h);
	h.serial_port = 2;
	h.serial_baud = 57600;
	assert_int_equal(strlist_add(&h.kernel_args, "nomodeset"), 0);
	t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(line_of(t, "multiboot2 ", b, sizeof(b)),
	    "multiboot2 (http,10.0.0.5:8080)/repo/" REPO "/boot/xen.gz "
	    "dom0_max_vcpus=1-16 dom0_mem=2048M,max:2048M com2=57600,8n1 "
	    "console=com2,vga");
	assert_string_equal(nth_line(t, "module2 ", 0, b, sizeof(b)),
	    "module2 (http,10.0.0.5:8080)/repo/" REPO "/boot/vmlinuz "
	    "console=tty0 console=hvc0 nomodeset answerfile=" AF " install");
	assert_string_equal(nth_line(t, "module2 ", 1, b, sizeof(b)),
	    "module2 --nounzip (http,10.0.0.5:8080)/repo/" REPO "/install.img");
	assert_int_equal(render_grub_token(t, tok), 0);
	assert_string_equal(tok, TOKEN);
	free(t);

	/* no port: GRUB's default 80; a path and a host name are kept */
	c.public_url = "http://boot.example.org/pb";
	t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(nth_line(t, "module2 ", 1, b, sizeof(b)),
	    "module2 --nounzip (http,boot.example.org)/pb/repo/" REPO "/install.img");
	assert_non_null(strstr(t, " answerfile=http://boot.example.org/pb/"
	    "hosts/xs01/" TOKEN "/answerfile install\n"));
	free(t);

	/* a ~ in the path is not plain: the word is quoted, and it is the
	 * same word for GRUB */
	c.public_url = "http://10.0.0.5:8080/~pb";
	t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(nth_line(t, "module2 ", 1, b, sizeof(b)),
	    "module2 --nounzip '(http,10.0.0.5:8080)/~pb/repo/" REPO
	    "/install.img'");
	assert_non_null(strstr(t, " 'answerfile=" PUB "/~pb/hosts/xs01/"
	    TOKEN "/answerfile' install\n"));
	assert_int_equal(render_grub_token(t, tok), 0);
	assert_string_equal(tok, TOKEN);
	free(t);
	freehost(&h);
}

/* What GRUB's (http,SERVER) cannot use is refused with the reason. */
static void
test_install_http_servers_grub_cannot_use(void **state)
{
	static char *const bad[] = { "https://10.0.0.5:8443",
	    "http://[fd00::5]:8080", "http://10.0.0.5:0",
	    "http://10.0.0.5:99999", "http://10.0.0.5:80x",
	    "http://10.0.0.5:", "http://bad_host:8080" };
	static const char *const want[] = { "plain HTTP", "IPv6", "HOST:PORT",
	    "HOST:PORT", "HOST:PORT", "HOST:PORT", "HOST:PORT" };
	struct config c;
	struct host h;
	char err[512];
	char *t;
	size_t i;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.public_url = bad[i];
		err[0] = '\0';
		t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
		if (t != NULL)
			fail_msg("public_url %s accepted:\n%s", bad[i], t);
		if (strstr(err, want[i]) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", bad[i], err,
			    want[i]);
	}
	/* https is fine when GRUB reads the boot files over TFTP: only the
	 * installer fetches from public_url then */
	mkcfg(&c, BOOT_FILES_TFTP);
	c.public_url = "https://10.0.0.5:8443";
	t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_non_null(strstr(t, " answerfile=https://10.0.0.5:8443/hosts/"));
	free(t);
	freehost(&h);
}

/* ------------------------------------------------------------- injection */

/* The words GRUB makes of the first line of t starting with prefix. */
static size_t
grub_words(const char *t, const char *prefix, struct render_grub_script_line *l)
{
	char b[4096], why[256];

	line_of(t, prefix, b, sizeof(b));
	if (render_grub_script_split(b, NULL, l, why, sizeof(why)) == -1)
		fail_msg("GRUB would not read \"%s\": %s", b, why);
	return l->n;
}

/* kernel_args that are one argument word for pxelinux but GRUB syntax:
 * each stays one quoted word, the validator accepts the result, and GRUB
 * reads exactly the value back. */
static void
test_hostile_kernel_args_stay_one_word(void **state)
{
	static const char *const evil[] = { ";reboot", "$(reboot)", "${x}",
	    "}", "{", "#x", "a|b", "a&&b", "<x", "x>y", "$prefix", "*", "a?",
	    "x=$y;z", "\xc3\xa9" };
	static const char *const quoted[] = { "';reboot'", "'$(reboot)'",
	    "'${x}'", "'}'", "'{'", "'#x'", "'a|b'", "'a&&b'", "'<x'",
	    "'x>y'", "'$prefix'", "'*'", "'a?'", "'x=$y;z'", NULL };
	struct render_grub_script_line l;
	struct config c;
	struct host h;
	char err[512], tok[UTIL_TOKEN_LEN + 1];
	char *t;
	size_t i;

	(void)state;
	mkcfg(&c, BOOT_FILES_TFTP);
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		mkhost(&h);
		assert_int_equal(strlist_add(&h.kernel_args, "nomodeset"), 0);
		assert_int_equal(strlist_add(&h.kernel_args, evil[i]), 0);
		err[0] = '\0';
		t = render_grub_install(&c, &h, TOKEN, err, sizeof(err));
		if (quoted[i] == NULL) {
			/* non-ASCII is refused before it gets anywhere */
			assert_null(t);
			assert_non_null(strstr(err, "kernel_args"));
			freehost(&h);
			continue;
		}
		if (t == NULL)
			fail_msg("kernel_args %s: %s", evil[i], err);
		if (strstr(t, quoted[i]) == NULL)
			fail_msg("kernel_args %s not written as %s:\n%s",
			    evil[i], quoted[i], t);
		/* module2 vmlinuz console=tty0 nomodeset EVIL answerfile=
		 * install: 7 words, the 5th the value as it was */
		assert_int_equal(grub_words(t, "module2 /repo/" REPO
		    "/boot/vmlinuz", &l), 7);
		assert_string_equal(l.word[4], evil[i]);
		assert_int_equal(l.brace[4], 0);
		render_grub_script_line_free(&l);
		assert_int_equal(render_validate_grub(t, AF, err, sizeof(err)),
		    0);
		assert_int_equal(render_grub_token(t, tok), 0);
		assert_string_equal(tok, TOKEN);
		free(t);
		freehost(&h);
	}
}

/* Values that can never be one word are refused, naming the field. */
static void
test_hostile_values_refused(void **state)
{
	static const char *const evil[] = { "; reboot", "a\nreboot", "x'y",
	    "x\"y", "a\\b", "a\tb", "answerfile=http://evil/a", "install",
	    "" };
	struct config c;
	struct host h;
	char err[512];
	size_t i;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		mkhost(&h);
		assert_int_equal(strlist_add(&h.kernel_args, evil[i]), 0);
		err[0] = '\0';
		if (render_grub_install(&c, &h, TOKEN, err, sizeof(err)) !=
		    NULL)
			fail_msg("kernel_args #%zu accepted", i);
		assert_non_null(strstr(err, "kernel_args"));
		assert_null(strchr(err, '\n'));
		freehost(&h);
	}
	mkhost(&h);
	h.name = "xs01\nreboot";
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "host name"));
	h.name = "xs01;reboot";
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "host name"));
	h.name = "xs01";
	h.hostname = "h1 ${x}";
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "hostname"));
	h.hostname = "h1";
	h.disk = "sda\n}";
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "disk"));
	h.disk = "sda";
	snprintf(h.mac, sizeof(h.mac), "52:54:00:12:34:5G");
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "MAC"));
	snprintf(h.mac, sizeof(h.mac), "52:54:00:12:34:56");
	assert_null(render_grub_install(&c, &h, "abc'def", err, sizeof(err)));
	assert_non_null(strstr(err, "token"));
	c.public_url = "http://10.0.0.5:8080/a;reboot";
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "public_url"));
	freehost(&h);
}

/* ------------------------------------------------------------- validator */

#define HEAD	"set timeout=0\nset default=0\nmenuentry i {\n"
#define MB	" multiboot2 /x/xen.gz console=vga\n"
#define M1	" module2 /x/vmlinuz answerfile=" AF " install\n"
#define M2	" module2 /x/install.img\n"
#define GOOD	HEAD MB M1 M2 "}\n"

static void
test_validate_grub_install_rejects(void **state)
{
	static const char *const bad[] = {
		/* injected commands and expansions */
		HEAD MB " module2 /x/vmlinuz answerfile=" AF " install; reboot\n"
		    M2 "}\n",
		HEAD MB M1 M2 "}\nreboot\n",
		HEAD " multiboot2 /x/xen.gz $(reboot)\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz ${x}\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz \"$x\"\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz $x\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz a'b\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz 'a\nb'\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz a }\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz a {\n" M1 M2 "}\n",
		HEAD MB M1 M2 "}\n}\n",
		HEAD MB M1 M2,
		HEAD " multiboot2 /x/xen.gz a|b\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz a\\\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/*.gz\n" M1 M2 "}\n",
		/* control characters */
		HEAD MB M1 M2 "}\r\n",
		HEAD " multiboot2\t/x/xen.gz\n" M1 M2 "}\n",
		HEAD " multiboot2 /x/xen.gz \x1b[2J\n" M1 M2 "}\n",
		/* unknown commands, or in the wrong place */
		HEAD " linux /x/vmlinuz\n" MB M1 M2 "}\n",
		"if true; then reboot; fi\n" GOOD,
		HEAD MB M1 M2 "}\nexit\n",
		HEAD " configfile /x.cfg\n" MB M1 M2 "}\n",
		"multiboot2 /x/xen.gz\n" GOOD,
		HEAD MB M1 M2 "}\nmenuentry j {\n}\n",
		"menuentry j {\n" GOOD "}\n",
		/* the boot lines */
		HEAD MB MB M1 M2 "}\n",
		HEAD MB M1 M2 M2 "}\n",
		HEAD MB M1 "}\n",
		HEAD M1 MB M2 "}\n",
		HEAD MB M1 " module2 /x/install.img x\n}\n",
		HEAD MB M1 " module2 --unzip /x/install.img\n}\n",
		HEAD MB M1 " module2 --nounzip /x/install.img x\n}\n",
		HEAD MB " module2 /x/vmlinuz install\n" M2 "}\n",
		HEAD MB " module2 /x/vmlinuz answerfile=" AF "\n" M2 "}\n",
		HEAD MB " module2 /x/vmlinuz answerfile=" AF " answerfile=" AF
		    " install\n" M2 "}\n",
		HEAD MB " module2 /x/vmlinuz answerfile=" AF "x install\n" M2
		    "}\n",
		HEAD " multiboot2 /x/xen.gz answerfile=" AF "\n"
		    " module2 /x/vmlinuz install\n" M2 "}\n",
		HEAD MB M1 M2 " echo answerfile=" AF "\n}\n",
		HEAD " multiboot2 /x/xen.gz install\n" M1 M2 "}\n",
		"",
	};
	char err[512];
	size_t i;

	(void)state;
	assert_int_equal(render_validate_grub(GOOD, AF, err, sizeof(err)), 0);
	/* GRUB's --nounzip on install.img's line (the template's default) */
	assert_int_equal(render_validate_grub(HEAD MB M1
	    " module2 --nounzip /x/install.img\n}\n", AF, err, sizeof(err)), 0);
	/* comments, blank lines, quoting and set/echo/insmod are fine */
	assert_int_equal(render_validate_grub("# a comment $x ; }\n\n" HEAD
	    "  insmod multiboot2\n  echo 'a;b' \"c d\" e\\ f '$x'\n"
	    " multiboot2 '/x/xen.gz' 'a'\\''b' \"q\\\"r\" console=vga # c\n"
	    M1 M2 "}\n", AF, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (render_validate_grub(bad[i], AF, err, sizeof(err)) != -1)
			fail_msg("bad GRUB install file %zu accepted:\n%s", i,
			    bad[i]);
		assert_true(strlen(err) > 0);
		assert_non_null(strstr(err, "grub"));
	}
	/* the line is named */
	assert_int_equal(render_validate_grub(HEAD MB M1 M2 "}\nreboot\n", AF,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 8"));
	assert_non_null(strstr(err, "reboot"));
	assert_int_equal(render_validate_grub(NULL, AF, err, sizeof(err)), -1);
}

static void
test_validate_grub_local_and_main_rejects(void **state)
{
	static const char *const bad_local[] = { "echo x\n", "exit\n" GOOD,
	    "echo $x\nexit\n", "exit\n# answerfile=" AF "\n",
	    "configfile $prefix/x.cfg\nexit\n", "exit now\n",
	    "exit\nmodule2 /x\n", "" };
	static const char *const bad_main[] = {
		"configfile $prefix/hosts/${net_default_mac}.cfg\n",
		"exit\nconfigfile $prefix/hosts/${net_default_mac}.cfg\n",
		"configfile $root/hosts/${net_default_mac}.cfg\nexit\n",
		"configfile $prefix/hosts/${net_default_ip}.cfg\nexit\n",
		"echo $x\nconfigfile $prefix/hosts/${net_default_mac}.cfg\n"
		    "exit\n",
		"configfile $prefix/hosts/${net_default_mac}.cfg; reboot\n"
		    "exit\n",
		"configfile $prefix/hosts/${net_default_mac}.cfg\n"
		    "configfile $prefix/hosts/${net_default_mac}.cfg\nexit\n",
		"configfile (tftp)/hosts/${net_default_mac}.cfg\nexit\n",
		GOOD "configfile $prefix/hosts/${net_default_mac}.cfg\nexit\n",
	};
	char err[512];
	size_t i;

	(void)state;
	assert_int_equal(render_validate_grub("echo 'poolboot: local boot'\n"
	    "exit\n", NULL, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad_local) / sizeof(bad_local[0]); i++)
		if (render_validate_grub(bad_local[i], NULL, err,
		    sizeof(err)) != -1)
			fail_msg("bad local file %zu accepted", i);
	assert_int_equal(render_validate_grub_main("set timeout=0\necho "
	    "\"MAC ${net_default_mac}\"\nconfigfile "
	    "${prefix}/hosts/$net_default_mac.cfg\necho bye\nexit\n", err,
	    sizeof(err)), 0);
	for (i = 0; i < sizeof(bad_main) / sizeof(bad_main[0]); i++)
		if (render_validate_grub_main(bad_main[i], err,
		    sizeof(err)) != -1)
			fail_msg("bad grub.cfg %zu accepted", i);
}

/* ------------------------------------------------------------- local, main */

static void
test_local_and_main_files(void **state)
{
	struct config c;
	char err[512] = "", tok[UTIL_TOKEN_LEN + 1], b[512];
	char *t;

	(void)state;
	mkcfg(&c, BOOT_FILES_TFTP);
	t = render_grub_local(&c, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(line_of(t, "echo", b, sizeof(b)),
	    "echo 'poolboot: local boot'");
	assert_string_equal(line_of(t, "exit", b, sizeof(b)), "exit");
	assert_null(strstr(t, "menuentry"));
	assert_null(strstr(t, "answerfile"));
	assert_int_equal(render_validate_grub(t, NULL, err, sizeof(err)), 0);
	assert_int_equal(render_validate_grub(t, AF, err, sizeof(err)), -1);
	assert_int_equal(render_grub_token(t, tok), -1);
	free(t);

	t = render_grub_main(&c, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(line_of(t, "set", b, sizeof(b)), "set timeout=0");
	assert_string_equal(line_of(t, "echo \"poolboot: UEFI", b, sizeof(b)),
	    "echo \"poolboot: UEFI boot of ${net_default_mac}\"");
	assert_string_equal(line_of(t, "configfile", b, sizeof(b)),
	    "configfile $prefix/hosts/${net_default_mac}.cfg");
	/* after the configfile: a local boot line and exit */
	assert_non_null(strstr(strstr(t, "configfile"), "\necho 'poolboot: "));
	assert_non_null(strstr(strstr(t, "configfile"), "\nexit\n"));
	assert_int_equal(render_validate_grub_main(t, err, sizeof(err)), 0);
	/* it is neither an install entry nor a local boot file */
	assert_int_equal(render_validate_grub(t, NULL, err, sizeof(err)), -1);
	assert_int_equal(render_grub_token(t, tok), -1);
	free(t);
	assert_null(render_grub_local(NULL, err, sizeof(err)));
	assert_null(render_grub_main(NULL, err, sizeof(err)));
}

/* ------------------------------------------------------------- token */

static void
test_token_round_trip_and_foreign_texts(void **state)
{
	static const char *const foreign[] = {
		"",
		"exit\n",
		"menuentry i {\n module2 /v answerfile=http://h/other/n/abc/"
		    "answerfile install\n}\n",
		"menuentry i {\n module2 /v answerfile=http://h/hosts/n/abc/"
		    "script install\n}\n",
		"menuentry i {\n module2 /v answerfile=http://h/hosts/n/a.b/"
		    "answerfile install\n}\n",
		"menuentry i {\n module2 /v answerfile=http://h/hosts/n/"
		    "0123456789012345678901234567890123456789X/answerfile\n}\n",
		"# module2 /v answerfile=http://h/hosts/n/abc/answerfile\n",
		"echo answerfile=http://h/hosts/n/abc/answerfile\n",
		"multiboot2 /x answerfile=http://h/hosts/n/abc/answerfile\n",
		"module2 /v 'answerfile=http://h/hosts/n/abc/answerfile\n",
		"default i\nlabel i\n append a --- b answerfile=http://h/hosts/"
		    "n/abc/answerfile install --- c\n",
	};
	struct config c;
	struct host h;
	char err[512], tok[UTIL_TOKEN_LEN + 1], rnd[UTIL_TOKEN_LEN + 1];
	char *t;
	size_t i;

	(void)state;
	mkcfg(&c, BOOT_FILES_HTTP);
	mkhost(&h);
	assert_int_equal(util_random_token(rnd), 0);
	t = render_grub_install(&c, &h, rnd, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(render_grub_token(t, tok), 0);
	assert_string_equal(tok, rnd);
	free(t);
	/* the CLI's placeholder token */
	t = render_grub_install(&c, &h, "TOKEN", err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(render_grub_token(t, tok), 0);
	assert_string_equal(tok, "TOKEN");
	free(t);
	/* quoted the way render_grub_install quotes */
	assert_int_equal(render_grub_token("  module2 '/v' 'answerfile=http://"
	    "h:1/pb/hosts/n-1/abc123/answerfile' install\n", tok), 0);
	assert_string_equal(tok, "abc123");
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		if (render_grub_token(foreign[i], tok) != -1)
			fail_msg("foreign text %zu gave token %s", i, tok);
	assert_int_equal(render_grub_token(NULL, tok), -1);
	freehost(&h);
}

/* ------------------------------------------------------------- templates */

static void
test_template_errors_name_the_file(void **state)
{
	static const char *const bad_install[] = {
		"set timeout=0\nmenuentry i {\n multiboot2 {{xen_gz}}\n module2 "
		    "{{vmlinuz}} {{dom0_args}}\n module2 {{install_img}}\n}\n"
		    "reboot\n",
		"menuentry i {\n linux {{vmlinuz}} {{dom0_args}}\n}\n",
		"menuentry i {\n multiboot2 {{xen_gz}} {{xen_args}}\n module2 "
		    "{{vmlinuz}} {{dom0_args}}\n module2 {{install_img}}\n",
		"menuentry i {\n multiboot2 {{xen_gz}} $xen_extra\n module2 "
		    "{{vmlinuz}} {{dom0_args}}\n module2 {{install_img}}\n}\n",
		"menuentry i {\n multiboot2 {{xen_gz}}\n module2 {{vmlinuz}} "
		    "{{dom0_args}}\n module2 {{install_img}}\n}\n{{nope}}\n",
		"menuentry i {\n multiboot2 {{xen_gz}}\n module2 {{vmlinuz}} "
		    "'{{dom0_args}}'\n module2 {{install_img}}\n}\n",
		"menuentry i {\n multiboot2 {{xen_gz}}\n module2 {{vmlinuz}} "
		    "console=tty0\n module2 {{install_img}}\n}\n",
	};
	struct config c;
	struct host h;
	char err[512], *dir, *p;
	size_t i;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	mkcfg(&c, BOOT_FILES_TFTP);
	c.template_dir = dir;
	mkhost(&h);
	/* missing templates */
	assert_null(render_grub_install(&c, &h, TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "grub-install.cfg"));
	assert_null(render_grub_local(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "grub-local.cfg"));
	assert_null(render_grub_main(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "grub.cfg"));
	for (i = 0; i < sizeof(bad_install) / sizeof(bad_install[0]); i++) {
		p = unit_write(dir, "grub-install.cfg", bad_install[i]);
		free(p);
		err[0] = '\0';
		if (render_grub_install(&c, &h, TOKEN, err, sizeof(err)) !=
		    NULL)
			fail_msg("bad template %zu rendered", i);
		if (strstr(err, "template grub-install.cfg") == NULL)
			fail_msg("template %zu: \"%s\" does not name the file",
			    i, err);
	}
	p = unit_write(dir, "grub-local.cfg", "echo local\nreboot\n");
	free(p);
	assert_null(render_grub_local(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "template grub-local.cfg, line 2"));
	p = unit_write(dir, "grub.cfg", "configfile $prefix/hosts/"
	    "${net_default_mac}.cfg\necho $undefined\nexit\n");
	free(p);
	assert_null(render_grub_main(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "template grub.cfg, line 2"));
	assert_non_null(strstr(err, "undefined"));
	freehost(&h);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_tftp_exact_lines),
		cmocka_unit_test(test_install_http_and_serial),
		cmocka_unit_test(test_install_http_servers_grub_cannot_use),
		cmocka_unit_test(test_hostile_kernel_args_stay_one_word),
		cmocka_unit_test(test_hostile_values_refused),
		cmocka_unit_test(test_validate_grub_install_rejects),
		cmocka_unit_test(test_validate_grub_local_and_main_rejects),
		cmocka_unit_test(test_local_and_main_files),
		cmocka_unit_test(test_token_round_trip_and_foreign_texts),
		cmocka_unit_test(test_template_errors_name_the_file),
	};

	unit_templates(template_dir, sizeof(template_dir));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
