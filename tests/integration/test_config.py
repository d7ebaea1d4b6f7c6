"""poolboot check / render / --help: what an operator sees when editing the
inventory, including hostile values that try to reach XML or the kernel
command line."""
import os
import re
import unittest

import harness

FRESH_ONLY = {"primary-disk", "admin-interface", "root-password",
              "name-server", "hostname", "ntp-server", "timezone", "keymap"}


def line_of(text, marker, nth=1):
    n = 0
    for i, l in enumerate(text.split("\n"), 1):
        if marker in l:
            n += 1
            if n == nth:
                return i
    raise AssertionError("marker %r not in config" % marker)


def append_args(text):
    lines = [l.strip() for l in text.splitlines()
             if l.strip().startswith("append ")]
    assert len(lines) == 1, text
    return lines[0].split(" ")


class ConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def conf(self, text):
        ConfigTest.n += 1
        p = os.path.join(self.env.dir, "c%d.conf" % ConfigTest.n)
        harness.write(p, text)
        return p

    def run_cli(self, *args):
        return self.env.cli(*args, conf=False)

    def check(self, text):
        p = self.conf(text)
        return p, self.run_cli("check", "-c", p)

    def base(self, hosts=None, extra_hosts="", server_extra=""):
        e = self.env
        return (e.server_section(server_extra) + e.base_inventory() +
                (e.hosts_section() if hosts is None else hosts) + extra_hosts)

    def assert_problem(self, text, marker, *words, nth=1, lines=None):
        p, r = self.check(text)
        self.assertEqual(r.returncode, 1, "check accepted:\n%s\n%s"
                         % (r.out, r.err))
        want = lines if lines is not None else [line_of(text, marker, nth)]
        hits = [l for l in r.err.splitlines()
                if any(l.startswith("%s:%d:" % (p, n)) for n in want)]
        self.assertTrue(hits, "no '%s:%s:' line in stderr:\n%s"
                        % (p, "|".join(map(str, want)), r.err))
        joined = "\n".join(hits)
        for w in words:
            self.assertIn(w.lower(), joined.lower(),
                          "message lacks %r:\n%s" % (w, joined))
        self.assertNotIn("configuration OK", r.out)
        return r

    # ---- good -------------------------------------------------------------
    def test_good_config(self):
        p, r = self.check(self.base())
        self.assertEqual(r.returncode, 0, r.err)
        self.assertIn("configuration OK", r.out)
        self.assertNotIn(harness.ROOT_PASSWORD, r.out + r.err)

    def test_xapi_over_plain_http_warns_with_its_line(self):
        # the pool password would cross the network in clear: accepted
        # (a lab may want it) but warned about, naming file:line
        t = self.base().replace("xapi = https://192.0.2.10",
                                "xapi = http://192.0.2.10")
        p, r = self.check(t)
        self.assertEqual(r.returncode, 0, r.err)
        self.assertIn("configuration OK", r.out)
        want = "warning: %s:%d: " % (p, line_of(t, "xapi = http://"))
        hits = [l for l in r.err.splitlines() if l.startswith(want)]
        self.assertTrue(hits, "no %r line in stderr:\n%s" % (want, r.err))
        self.assertIn("poolA", hits[0])
        self.assertIn("clear", hits[0])
        self.assertIn("https://", hits[0])
        # https:// gets no such warning
        p, r = self.check(self.base())
        self.assertNotIn("clear", r.err)
        # shown by check (and serve's start-up), not repeated by every
        # other command: hosts (no server running) reads the same config
        p = self.conf(t)
        r = self.run_cli("hosts", "-c", p)
        self.assertNotIn("warning", r.err)
        self.assertNotIn("clear", r.err)

    # ---- bad, one at a time -----------------------------------------------
    def test_unknown_key(self):
        t = self.base().replace("[host h2]\n", "[host h2]\ncolour = blue\n")
        self.assert_problem(t, "colour = blue", "colour")

    def test_unknown_key_server(self):
        t = self.base().replace("boot_files = http\n",
                                "boot_files = http\nlisten_port = 9\n")
        self.assert_problem(t, "listen_port", "listen_port")

    def test_bad_mac(self):
        t = self.base().replace("mac = 52-54-00-00-00-02",
                                "mac = 52-54-00-00-00-zz")
        self.assert_problem(t, "52-54-00-00-00-zz", "mac")

    def test_duplicate_mac(self):
        t = self.base().replace("mac = 52-54-00-00-00-02",
                                "mac = 52-54-00-00-00-01")
        r = self.assert_problem(t, None, "h1", "h2", lines=[
            line_of(t, "[host h2]"), line_of(t, "mac = 52-54-00-00-00-01")])

    def test_unknown_pool(self):
        t = self.base().replace("[host h2]\npool = poolA",
                                "[host h2]\npool = poolZ")
        self.assert_problem(t, None, "poolZ", lines=[
            line_of(t, "[host h2]"), line_of(t, "pool = poolZ")])

    def test_repo_path_missing(self):
        t = self.base().replace("path = %s\n" % self.env.repo,
                                "path = %s/no-such-dir\n" % self.env.dir)
        self.assert_problem(t, "no-such-dir", "no-such-dir")

    def test_repo_without_path(self):
        t = self.base(extra_hosts="[repo other]\n; no path here\n")
        self.assert_problem(t, "[repo other]", "path")

    def test_repo_without_install_img(self):
        d = os.path.join(self.env.dir, "badrepo")
        if not os.path.exists(d):
            harness.write(os.path.join(d, ".treeinfo"), harness.TREEINFO)
            harness.write(os.path.join(d, "boot/xen.gz"), b"x")
            harness.write(os.path.join(d, "boot/vmlinuz"), b"x")
        t = self.base().replace("path = %s\n" % self.env.repo,
                                "path = %s\n" % d)
        self.assert_problem(t, "badrepo", "install.img")

    def test_missing_password_file(self):
        t = self.base().replace(self.env.pool_pw, self.env.dir + "/nope.pw")
        self.assert_problem(t, "nope.pw", "nope.pw")

    def test_fresh_without_hostname_and_password(self):
        t = self.base(extra_hosts="[host new2]\nrepo = xs82\nmode = fresh\n"
                      "mac = 52:54:00:00:00:04\ndisk = sda\n")
        r = self.assert_problem(t, "[host new2]", "hostname")
        self.assert_problem(t, "[host new2]", "root_password_file")

    def test_kernel_args_quote(self):
        t = self.base().replace("[host h2]\n",
                                '[host h2]\nkernel_args = nomodeset "quiet\n')
        self.assert_problem(t, "kernel_args", "kernel_args")

    def test_disk_with_space(self):
        t = self.base().replace("[host h2]\npool = poolA\nmac = 52-54-00-00-00-02\n"
                                "disk = sda", "[host h2]\npool = poolA\n"
                                "mac = 52-54-00-00-00-02\ndisk = sda install")
        self.assert_problem(t, "disk = sda install", "disk")

    def test_overlong_line(self):
        t = self.base().replace("[host h2]\n", "[host h2]\nkernel_args = " +
                                "a" * 400 + "\n")
        self.assert_problem(t, "aaaaaaaaaa", "long")

    def test_all_problems_reported(self):
        t = self.base()
        t = t.replace("[host h1]\n", "[host h1]\ncolour = blue\n")
        t = t.replace("[host h2]\n", "[host h2]\n; " + "x" * 400 + "\n")
        t = t.replace("mac = 52-54-00-00-00-02", "mac = 52-54-00-00-00-zz")
        t = t.replace("hostname = new1.example.com",
                      "hostname = new1<x>.example.com")
        t = t.replace("boot_attempts = 3", "boot_attempts = many")
        p, r = self.check(t)
        self.assertEqual(r.returncode, 1)
        for marker in ("colour = blue", "xxxxxxxxxx", "52-54-00-00-00-zz",
                       "new1<x>", "boot_attempts = many"):
            n = line_of(t, marker)
            self.assertRegex(r.err, r"(?m)^%s:%d: " % (re.escape(p), n),
                             "problem on line %d (%s) not reported:\n%s"
                             % (n, marker, r.err))

    # ---- what serve would fail on (issue 14) -------------------------------
    def unwritable_dir(self):
        """A folder that exists but in which this user cannot create files:
        root ignores file modes, /sys refuses it even root."""
        if os.geteuid() == 0:
            return "/sys"
        d = os.path.join(self.env.dir, "ro%d" % ConfigTest.n)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o500)
        return d

    def test_state_dir_not_writable(self):
        ro = self.unwritable_dir()
        t = self.base().replace("state_dir = %s\n" % self.env.state,
                                "state_dir = %s\n" % ro)
        self.assert_problem(t, "state_dir = ", "state_dir", ro, "writable")

    def test_state_dir_parent_cannot_be_created(self):
        f = os.path.join(self.env.dir, "a-file")
        harness.write(f, "not a folder\n")
        t = self.base().replace("state_dir = %s\n" % self.env.state,
                                "state_dir = %s/state\n" % f)
        self.assert_problem(t, "state_dir = ", "state_dir", f,
                            "cannot be created")

    def test_state_dir_to_be_created_is_fine(self):
        # serve creates a missing state_dir: check only needs the parent
        t = self.base().replace("state_dir = %s\n" % self.env.state,
                                "state_dir = %s/new/state\n" % self.env.dir)
        p, r = self.check(t)
        self.assertEqual(r.returncode, 0, r.err)
        self.assertFalse(os.path.exists(self.env.dir + "/new"),
                         "check created the state_dir")

    def test_empty_password_file(self):
        for n, text in (("empty.pw", ""), ("blank.pw", "\nsecret\n")):
            pw = os.path.join(self.env.dir, n)
            harness.write(pw, text, 0o600)
            t = self.base().replace(self.env.pool_pw, pw)
            self.assert_problem(t, n, "password_file", pw, "empty")

    def test_empty_root_password_file_once(self):
        pw = os.path.join(self.env.dir, "emptyroot.pw")
        harness.write(pw, "", 0o600)
        t = self.base().replace(self.env.root_pw, pw)
        r = self.assert_problem(t, "emptyroot.pw", "root_password_file",
                                "empty")
        self.assertEqual(r.err.count("emptyroot.pw"), 1, r.err)

    def test_timezone_must_exist(self):
        t = self.base().replace("ntp = ntp1.example.com\n",
                                "ntp = ntp1.example.com\n"
                                "timezone = Mars/Olympus\n")
        self.assert_problem(t, "Mars/Olympus", "timezone", "Mars/Olympus",
                            "tz database")
        for bad in ("../../../etc/passwd", "/etc/passwd", "Europe/../UTC"):
            t = self.base().replace("ntp = ntp1.example.com\n",
                                    "ntp = ntp1.example.com\n"
                                    "timezone = %s\n" % bad)
            self.assert_problem(t, "timezone = ", "timezone")

    def test_timezone_good(self):
        zones = ["UTC"]
        if os.path.exists("/usr/share/zoneinfo/Europe/Berlin"):
            zones.append("Europe/Berlin")
        for tz in zones:
            t = self.base().replace("ntp = ntp1.example.com\n",
                                    "ntp = ntp1.example.com\n"
                                    "timezone = %s\n" % tz)
            p, r = self.check(t)
            self.assertEqual(r.returncode, 0, r.err)
            self.assertIn("configuration OK", r.out)

    def test_utf8_bom_accepted(self):
        p = self.conf(self.base())
        with open(p, "rb") as f:
            data = f.read()
        with open(p, "wb") as f:
            f.write(b"\xef\xbb\xbf" + data)
        r = self.run_cli("check", "-c", p)
        self.assertEqual(r.returncode, 0, r.err)
        self.assertIn("configuration OK", r.out)
        # no problem and no warning about the file (notes about the
        # tftp-root may remain)
        self.assertNotIn(p + ":", r.err)
        self.assertNotIn("warning", r.err)

    def test_defaults_mistake_reported_once(self):
        # three hosts inherit it: one line, at the [defaults] key
        t = self.base().replace("[host h1]\n", "[defaults]\n"
                                "timezone = Mars/Olympus\n"
                                "disk = sd a\n\n[host h1]\n", 1)
        t = t.replace("disk = sda\n", "")
        p, r = self.check(t)
        self.assertEqual(r.returncode, 1, r.err)
        for marker in ("Mars/Olympus", "disk = sd a"):
            want = "%s:%d: " % (p, line_of(t, marker))
            hits = [l for l in r.err.splitlines() if l.startswith(want)]
            self.assertEqual(len(hits), 1, r.err)
        self.assertIn("2 problems", r.err)

    # ---- hostile values ---------------------------------------------------
    def test_hostile_values_refused(self):
        cases = [
            ("hostname = new1.example.com", "hostname = new1<x>.example.com"),
            ("hostname = new1.example.com", "hostname = a&b.example.com"),
            ("hostname = new1.example.com", 'hostname = new1".example.com'),
            ("hostname = new1.example.com", "hostname = new1'.example.com"),
            ("hostname = new1.example.com", "hostname = new1 install"),
            ("hostname = new1.example.com",
             "hostname = new1</hostname><primary-disk>sdb</primary-disk>"),
            ("ntp = ntp1.example.com", "ntp = ntp1.example.com&x"),
            ("dns = 10.0.0.2 10.0.0.3", "dns = 10.0.0.2 <x>"),
            ("disk = sda\nip", "disk = sda<\nip"),
            ("disk = sda\nip", "disk = sda&amp;\nip"),
            ("disk = sda\nip", 'disk = "sda"\nip'),
            ("disk = sda\nip", "disk = sda\rinstall\nip"),
            ("disk = sda\nip", "disk = sda\x0binstall\nip"),
            ("disk = sda\nip", "disk = ../../etc\nip"),
        ]
        for old, new in cases:
            t = self.base()
            self.assertIn(old, t)
            t = t.replace(old, new, 1)
            marker = new.split("\n")[0]
            p, r = self.check(t)
            self.assertEqual(r.returncode, 1, "accepted %r" % new)
            self.assertRegex(r.err, r"(?m)^%s:%d: " % (
                re.escape(p), line_of(t, marker)), "for %r" % new)

    def test_hostile_kernel_args_refused(self):
        for ka in ('console=tty0 "x', "a\\b", "---", "x answerfile=http://evil/",
                   "install", "x\x01y"):
            t = self.base().replace("[host h2]\n",
                                    "[host h2]\nkernel_args = %s\n" % ka)
            p, r = self.check(t)
            self.assertEqual(r.returncode, 1, "accepted kernel_args %r" % ka)
            self.assertIn("%s:%d:" % (p, line_of(t, "kernel_args")), r.err)

    def test_kernel_args_comma_not_split(self):
        """console=ttyS0,115200n8 must either stay one argument or be
        refused; silently turning it into two arguments is neither."""
        t = self.base().replace("[host h1]\n", "[host h1]\nkernel_args = "
                                "console=ttyS0,115200n8\n")
        p, r = self.check(t)
        if r.returncode == 1:
            self.assertIn("%s:%d:" % (p, line_of(t, "kernel_args")), r.err)
            return
        args = append_args(self.render(t, "h1", "--pxelinux"))
        self.assertIn("console=ttyS0,115200n8", args,
                      "kernel_args accepted but rendered as %r" % args)

    def render(self, text, host, what):
        p = self.conf(text)
        r = self.run_cli("render", "-c", p, host, what)
        self.assertEqual(r.returncode, 0, r.err)
        return r.out

    def test_render_odd_disk(self):
        odd = "/dev/disk/by-id/scsi-0ABC_x:0"
        plain = self.render(self.base(), "h2", "--answerfile")
        t = self.base().replace("mac = 52-54-00-00-00-02\ndisk = sda",
                                "mac = 52-54-00-00-00-02\ndisk = " + odd)
        self.assertIn(odd, t)
        p, r = self.check(t)
        self.assertEqual(r.returncode, 0, r.err)
        out = self.render(t, "h2", "--answerfile")
        root = harness.parse_xml(out.encode())
        self.assertEqual(root.tag, "installation")
        self.assertEqual(root.get("mode"), "upgrade")
        self.assertEqual([e.text for e in root.findall("existing-installation")],
                         [odd])
        shape = lambda r: [(e.tag, sorted(e.attrib)) for e in r.iter()]
        self.assertEqual(shape(root), shape(harness.parse_xml(plain.encode())))
        self.assertFalse({e.tag for e in root.iter()} & FRESH_ONLY)
        # the pxelinux line is not touched by the disk
        self.assertEqual(len(append_args(self.render(t, "h2", "--pxelinux"))),
                         len(append_args(self.render(self.base(), "h2",
                                                     "--pxelinux"))))

    def test_render_pxelinux_arg_count(self):
        base_args = append_args(self.render(self.base(), "h1", "--pxelinux"))
        self.assertEqual(base_args.count("---"), 2)
        i1, i2 = base_args.index("---"), len(base_args) - 1 - \
            base_args[::-1].index("---")
        self.assertTrue(base_args[1].endswith("/repo/xs82/boot/xen.gz"))
        self.assertTrue(base_args[i1 + 1].endswith("/repo/xs82/boot/vmlinuz"))
        self.assertEqual(base_args[i2 + 1:],
                         ["http://127.0.0.1:%d/repo/xs82/install.img"
                          % self.env.port])
        dom0 = base_args[i1 + 2:i2]
        self.assertIn("install", dom0)
        self.assertEqual(len([a for a in dom0 if a.startswith("answerfile=")]),
                         1)
        self.assertIn("answerfile=http://127.0.0.1:%d/hosts/h1/TOKEN/answerfile"
                      % self.env.port, dom0)
        # two extra installer arguments make exactly two more words, in the
        # installer's part of the line
        t = self.base().replace("[host h1]\n", "[host h1]\nkernel_args = "
                                "nomodeset pci=noaer\n")
        args = append_args(self.render(t, "h1", "--pxelinux"))
        self.assertEqual(len(args), len(base_args) + 2, args)
        self.assertEqual(args.count("---"), 2)
        j1 = args.index("---")
        j2 = len(args) - 1 - args[::-1].index("---")
        self.assertIn("nomodeset", args[j1 + 2:j2])
        self.assertIn("pci=noaer", args[j1 + 2:j2])

    def test_render_fresh_password_hashed(self):
        out = self.render(self.base(), "new1", "--answerfile")
        self.assertNotIn(harness.ROOT_PASSWORD, out)
        root = harness.parse_xml(out.encode())
        self.assertEqual(root.get("mode"), "fresh")
        self.assertTrue(root.findtext("root-password").startswith("$6$"))

    def test_render_unknown_host(self):
        p = self.conf(self.base())
        r = self.run_cli("render", "-c", p, "nope")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nope", r.err)


class CliTest(unittest.TestCase):
    COMMANDS = ("check", "render", "serve", "arm", "disarm", "hosts",
                "version")

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def test_help(self):
        r = self.env.cli("--help", conf=False)
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage", r.out.lower())
        for c in self.COMMANDS:
            r = self.env.cli(c, "--help", conf=False)
            self.assertEqual(r.returncode, 0, c)
            if c != "version":
                self.assertIn(c, r.out, c)

    def test_usage_errors(self):
        for argv in (["frobnicate"], [], ["arm"], ["render"],
                     ["check", "extra"], ["hosts", "--bogus"]):
            r = self.env.cli(*argv, conf=False)
            self.assertEqual(r.returncode, 2, "%s -> %d" % (argv, r.returncode))

    def test_arm_without_server_exit_3(self):
        r = self.env.cli("arm", "h1")
        self.assertEqual(r.returncode, 3, r.err)
        self.assertTrue(r.err.strip())
        self.assertFalse(os.path.exists(self.env.pxe_path("h1")))

    def test_hosts_without_server(self):
        r = self.env.cli("hosts")
        self.assertEqual(r.returncode, 0, r.err)
        for h in ("h1", "h2", "new1"):
            self.assertIn(h, r.out)

    def test_bad_config_exit_1(self):
        r = self.env.cli("check", "-c", self.env.dir + "/missing.conf",
                         conf=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.conf", r.err)


if __name__ == "__main__":
    unittest.main()
