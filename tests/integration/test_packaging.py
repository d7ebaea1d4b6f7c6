"""make install / make uninstall into a DESTDIR, as a packager runs them:
the installed tree runs (its binary finds its templates and checks the
example configuration once the folders it names exist), the man pages
render without warnings, the systemd unit verifies, and uninstall removes
every file install wrote; with PREFIX=/usr the man pages name /usr paths.
The binary under test is installed as it is (BIN=...), never rebuilt.
scripts/install-deps.sh's profiles: make and make install need only the
build and run packages, the test targets install what they run."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness

PREFIX = "/usr/local"


def make_env():
    env = harness.clean_env()
    for k in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(k, None)
    env["MANWIDTH"] = "80"
    env["LC_ALL"] = "C.UTF-8"
    return env


def files_under(root):
    out = []
    for d, _, names in os.walk(root):
        out.extend(os.path.relpath(os.path.join(d, n), root) for n in names)
    return sorted(out)


class PackagingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pbpkg-")
        cls.dest = os.path.join(cls.tmp, "dest")
        cls.root = cls.dest + PREFIX
        cls.bin_before = os.stat(harness.poolboot_bin()).st_mtime_ns
        cls.install = cls.make("install")

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("POOLBOOT_KEEP"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def make(cls, target):
        return subprocess.run(
            ["make", "-s", target, "DESTDIR=" + cls.dest, "PREFIX=" + PREFIX,
             "BIN=" + harness.poolboot_bin()],
            cwd=harness.REPO_ROOT, capture_output=True, text=True,
            timeout=120, env=make_env())

    def run_installed(self, *args, **kw):
        p = subprocess.run([os.path.join(self.root, "bin/poolboot")] +
                           list(args), capture_output=True, text=True,
                           timeout=30, env=make_env(), **kw)
        if harness.SANITIZER_RE.search(p.stderr):
            self.fail("sanitizer report:\n" + p.stderr)
        return p

    def test_1_install_tree(self):
        p = self.install
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("warning", p.stderr.lower())
        # the binary under test was installed, not rebuilt
        self.assertEqual(os.stat(harness.poolboot_bin()).st_mtime_ns,
                         self.bin_before)
        with open(harness.poolboot_bin(), "rb") as a, \
                open(os.path.join(self.root, "bin/poolboot"), "rb") as b:
            self.assertTrue(a.read() == b.read(), "installed binary differs")
        files = files_under(self.dest)
        want = ["usr/local/bin/poolboot",
                "usr/local/share/man/man8/poolboot.8",
                "usr/local/share/man/man5/poolboot.conf.5",
                "usr/local/lib/systemd/system/poolboot.service",
                "usr/local/share/doc/poolboot/poolboot.conf.example",
                "usr/local/share/poolboot/tftp-root/pxelinux.cfg/default",
                "usr/local/share/poolboot/tftp-root/lpxelinux.0",
                "usr/local/share/poolboot/tftp-root/pxelinux.0",
                "usr/local/share/poolboot/tftp-root/ldlinux.c32",
                "usr/local/share/poolboot/tftp-root/mboot.c32",
                "usr/local/share/poolboot/tftp-root/libcom32.c32",
                "usr/local/share/poolboot/tftp-root/grub/grubx64.efi",
                "usr/local/share/poolboot/tftp-root/grub/grub.cfg"]
        for t in os.listdir(os.path.join(harness.REPO_ROOT, "templates")):
            want.append("usr/local/share/poolboot/templates/" + t)
        web = os.path.join(harness.REPO_ROOT, "web")
        for f in files_under(web) if os.path.isdir(web) else []:
            if not os.path.basename(f).startswith("."):
                want.append("usr/local/share/poolboot/web/" + f)
        self.assertEqual(sorted(set(files) - set(want)), [],
                         "installed but not expected")
        self.assertEqual(sorted(set(want) - set(files)), [], "missing")
        st = os.stat(os.path.join(self.root, "bin/poolboot"))
        self.assertEqual(st.st_mode & 0o777, 0o755)
        for f in files:
            if not f.endswith("bin/poolboot"):
                self.assertEqual(os.stat(os.path.join(self.dest, f)).st_mode
                                 & 0o022, 0, f)

    def test_2_installed_binary_runs(self):
        p = self.run_installed("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("usage: poolboot", p.stdout)
        p = self.run_installed("version")
        self.assertEqual(p.returncode, 0)

    def test_3_example_config_checks_ok(self):
        """An operator copies the example, creates what it names, and
        poolboot check says OK — with the installed templates."""
        world = os.path.join(self.tmp, "world")
        with open(os.path.join(self.root, "share/doc/poolboot/"
                               "poolboot.conf.example")) as f:
            text = f.read()
        for prefix in ("/srv/poolboot", "/etc/poolboot", "/var/lib/poolboot"):
            text = text.replace(prefix, world + prefix)
        conf = os.path.join(world, "etc/poolboot/poolboot.conf")
        harness.write(conf, text)
        # before the folders exist: every missing one is named
        p = self.run_installed("check", "-c", conf)
        self.assertEqual(p.returncode, 1)
        self.assertIn("isos/xcpng821", p.stderr)
        self.assertIn("rack1.pw", p.stderr)
        # what the example's header comment says to create
        iso = os.path.join(world, "srv/poolboot/isos/xcpng821")
        harness.write(os.path.join(iso, ".treeinfo"), harness.TREEINFO)
        for f in ("boot/xen.gz", "boot/vmlinuz", "install.img"):
            harness.write(os.path.join(iso, f), b"x")
        os.makedirs(os.path.join(world, "srv/poolboot/tftp-root/"
                                 "pxelinux.cfg"))
        harness.write(os.path.join(world, "etc/poolboot/rack1.pw"),
                      "secret\n", 0o600)
        harness.write(os.path.join(world, "etc/poolboot/root.pw"),
                      "rootsecret\n", 0o600)
        p = self.run_installed("check", "-c", conf)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith("configuration OK: 1 repo, "
                                            "1 pool, 3 hosts"), p.stdout)
        self.assertIn("templates from %s/share/poolboot/templates"
                      % os.path.realpath(self.root), p.stdout)
        self.assertNotIn("warning", p.stderr)

    def test_4_man_pages_render(self):
        for page, title in (("share/man/man8/poolboot.8", "POOLBOOT(8)"),
                            ("share/man/man5/poolboot.conf.5",
                             "POOLBOOT.CONF(5)")):
            path = os.path.join(self.root, page)
            p = subprocess.run(["man", "--warnings", "-l", path],
                               capture_output=True, text=True, timeout=60,
                               env=make_env())
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr, "", "man warnings for " + page)
            self.assertTrue(p.stdout.startswith(title), p.stdout[:100])
            for sect in ("NAME", "DESCRIPTION", "FILES", "SEE ALSO"):
                self.assertRegex(p.stdout, r"(?m)^%s$" % sect, page)
            p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z",
                                path], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual((p.returncode, p.stderr), (0, ""), page)
        text = subprocess.run(["man", "-l", os.path.join(
            self.root, "share/man/man8/poolboot.8")], capture_output=True,
            text=True, env=make_env()).stdout
        # every command and the exit codes are in poolboot(8)
        for cmd in ("check", "render", "serve", "init-tftp", "arm", "disarm",
                    "hosts", "precheck", "upgrade", "status", "retry",
                    "abort", "rebuild", "install", "jobs", "version"):
            self.assertRegex(text, r"(?m)^       %s\b" % re.escape(cmd), cmd)
        self.assertIn("EXIT STATUS", text)
        conf5 = subprocess.run(["man", "-l", os.path.join(
            self.root, "share/man/man5/poolboot.conf.5")],
            capture_output=True, text=True, env=make_env()).stdout
        for key in ("public_url", "boot_attempts", "metrics", "log",
                    "tls_fingerprint", "install_timeout", "root_password_file",
                    "kernel_args", "ipmi_cipher", "lease_time", "ipv6_ra"):
            self.assertRegex(conf5, r"(?m)^       (\S+, )*%s\b" % key, key)

    def test_4b_man_pages_name_default_paths(self):
        """PREFIX=/usr/local (the default): the pages name it."""
        for page in ("share/man/man8/poolboot.8",
                     "share/man/man5/poolboot.conf.5"):
            with open(os.path.join(self.root, page)) as f:
                text = f.read()
            self.assertIn("/usr/local/share/doc/poolboot/"
                          "poolboot.conf.example", text, page)
        with open(os.path.join(self.root, "share/man/man8/poolboot.8")) as f:
            text = f.read()
        for path in ("/usr/local/share/poolboot/templates/",
                     "/usr/local/share/poolboot/web/",
                     "/usr/local/lib/systemd/system/poolboot.service"):
            self.assertIn(path, text)

    def test_5_systemd_unit(self):
        unit = os.path.join(self.root, "lib/systemd/system/poolboot.service")
        with open(unit) as f:
            text = f.read()
        self.assertIn("\nExecStart=%s/bin/poolboot serve -c "
                      "/etc/poolboot/poolboot.conf\n" % PREFIX, text)
        for need in ("Type=simple", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "ProtectHome=yes",
                     "PrivateTmp=yes", "StateDirectory=poolboot",
                     "ReadWritePaths=-/srv/poolboot/tftp-root",
                     "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 "
                     "AF_NETLINK"):
            self.assertIn("\n" + need + "\n", text)
        caps = re.search(r"\nCapabilityBoundingSet=(.*)\n", text).group(1)
        self.assertEqual(set(caps.split()), {
            "CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN"})
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed")
        # verify a copy whose ExecStart is the installed binary
        copy = os.path.join(self.tmp, "poolboot.service")
        with open(copy, "w") as f:
            f.write(text.replace(PREFIX + "/bin/poolboot",
                                 os.path.join(self.root, "bin/poolboot")))
        env = make_env()
        env["MANPATH"] = os.path.join(self.root, "share/man")
        p = subprocess.run(["systemd-analyze", "verify", copy],
                           capture_output=True, text=True, timeout=60,
                           env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_6_uninstall_removes_everything(self):
        # an operator's own file in the data folder is not ours to remove
        mine = os.path.join(self.root, "share/poolboot/tftp-root/mine.txt")
        harness.write(mine, "operator's\n")
        p = self.make("uninstall")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(files_under(self.dest), [os.path.relpath(
            mine, self.dest)])
        os.unlink(mine)
        p = self.make("uninstall")     # again: nothing to do, no error
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(files_under(self.dest), [])
        self.assertFalse(os.path.exists(os.path.join(self.root,
                                                     "share/poolboot")))


class PrefixUsrTest(unittest.TestCase):
    """make install PREFIX=/usr, as a distribution package does: the man
    pages name the folders the files went to, not /usr/local."""

    def test_man_pages_name_usr(self):
        tmp = tempfile.mkdtemp(prefix="pbpkg-usr-")
        self.addCleanup(shutil.rmtree, tmp, True)
        dest = os.path.join(tmp, "dest")
        p = subprocess.run(
            ["make", "-s", "install", "DESTDIR=" + dest, "PREFIX=/usr",
             "BIN=" + harness.poolboot_bin()],
            cwd=harness.REPO_ROOT, capture_output=True, text=True,
            timeout=120, env=make_env())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        man8 = os.path.join(dest, "usr/share/man/man8/poolboot.8")
        man5 = os.path.join(dest, "usr/share/man/man5/poolboot.conf.5")
        for page in (man8, man5):
            self.assertEqual(os.stat(page).st_mode & 0o777, 0o644, page)
            with open(page) as f:
                text = f.read()
            self.assertNotIn("/usr/local", text, page)
            self.assertIn("/usr/share/doc/poolboot/poolboot.conf.example",
                          text, page)
            # the page as a reader sees it
            shown = subprocess.run(["man", "-l", page], capture_output=True,
                                   text=True, timeout=60,
                                   env=make_env()).stdout
            self.assertNotIn("/usr/local", shown, page)
            self.assertIn("/usr/share/doc/poolboot/poolboot.conf.example",
                          shown, page)
        shown = subprocess.run(["man", "-l", man8], capture_output=True,
                               text=True, timeout=60, env=make_env()).stdout
        for path in ("/usr/share/poolboot/templates/",
                     "/usr/share/poolboot/web/",
                     "/usr/share/poolboot/tftp-root/",
                     "/usr/lib/systemd/system/poolboot.service"):
            self.assertIn(path, shown)
            # and the file it names is there
            self.assertTrue(os.path.exists(dest + path.rstrip("/")), path)


BUILD_PKGS = ("build-essential", "pkg-config", "libmicrohttpd-dev",
              "libxml2-dev", "libcurl4-openssl-dev", "libsqlite3-dev",
              "libpq-dev", "libjansson-dev", "libinih-dev", "libssl-dev",
              "libcrypt-dev")
RUN_PKGS = ("dnsmasq-base", "pxelinux", "syslinux-common",
            "grub-efi-amd64-bin", "grub-common", "ipmitool")
# what only the tests run: none of it belongs on a production server
TEST_ONLY = ("valgrind", "libcmocka-dev", "python3-os-xenapi", "openipmi",
             "qemu-system-x86", "ipxe-qemu", "ovmf", "busybox-static",
             "chromium", "clang-14", "libclang-rt-14-dev", "redfishtool",
             "sqlite3", "postgresql", "man-db")


class DepsProfileTest(unittest.TestCase):
    """scripts/install-deps.sh's profiles, and which one each make target
    installs: make and make install only what building and running need,
    the test targets what they run."""

    def deps_list(self, *args):
        p = subprocess.run(["sh", "scripts/install-deps.sh", "--list"] +
                           list(args), cwd=harness.REPO_ROOT,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual((p.returncode, p.stderr), (0, ""), args)
        pkgs = p.stdout.split()
        self.assertEqual(len(pkgs), len(set(pkgs)), "listed twice")
        return pkgs

    def test_build_profile_has_no_test_tool(self):
        pkgs = self.deps_list("build")
        self.assertEqual(pkgs, self.deps_list(), "build is the default")
        for p in BUILD_PKGS + RUN_PKGS:
            self.assertIn(p, pkgs)
        self.assertEqual([p for p in pkgs if p in TEST_ONLY or
                          p in ("nodejs", "npm")], [])

    def test_check_profile_has_everything_make_check_runs(self):
        pkgs = self.deps_list("check")
        for p in BUILD_PKGS + RUN_PKGS + TEST_ONLY + ("groff-base",
                                                      "python3", "curl",
                                                      "openssl", "iproute2"):
            self.assertIn(p, pkgs)

    def test_other_profiles(self):
        for profile, want, unwanted in (
                ("e2e", ("qemu-system-x86", "ipxe-qemu", "ovmf",
                         "busybox-static", "iproute2", "python3"),
                 ("valgrind", "chromium", "clang-14", "libcmocka-dev")),
                ("fuzz", ("clang-14", "libclang-rt-14-dev"),
                 ("valgrind", "qemu-system-x86", "chromium")),
                ("bench", ("python3",),
                 ("valgrind", "qemu-system-x86", "chromium", "clang-14")),
                ("demo", ("python3", "curl"),
                 ("valgrind", "qemu-system-x86", "chromium", "clang-14"))):
            pkgs = self.deps_list(profile)
            for p in BUILD_PKGS + RUN_PKGS + want:
                self.assertIn(p, pkgs, profile)
            for p in unwanted:
                self.assertNotIn(p, pkgs, profile)

    def test_unknown_profile(self):
        p = subprocess.run(["sh", "scripts/install-deps.sh", "bogus"],
                           cwd=harness.REPO_ROOT, capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn('unknown profile "bogus"', p.stderr)
        self.assertIn("usage:", p.stderr)
        self.assertEqual(p.stdout, "")

    def make_n(self, *args):
        """The commands make would run (make -n), in a build folder of its
        own so that nothing is up to date."""
        tmp = tempfile.mkdtemp(prefix="pbdeps-")
        self.addCleanup(shutil.rmtree, tmp, True)
        p = subprocess.run(["make", "-n", "BUILD=" + os.path.join(tmp, "b"),
                            "DESTDIR=" + os.path.join(tmp, "dest")] +
                           list(args), cwd=harness.REPO_ROOT,
                           capture_output=True, text=True, timeout=120,
                           env=make_env())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return re.findall(r"(?m)^sh scripts/install-deps\.sh (\S+)$",
                          p.stdout)

    def test_make_targets_install_their_profile(self):
        # make: the build profile (checked again by the sub-make that
        # builds once the libraries are there), never a test profile
        self.assertEqual(set(self.make_n()), {"build"})
        self.assertEqual(self.make_n("install"), ["build"])
        self.assertEqual(self.make_n("install", "BIN=" +
                                     harness.poolboot_bin()), ["build"])
        self.assertEqual(self.make_n("check"), ["check"])
        self.assertEqual(self.make_n("e2e")[0], "e2e")
        self.assertEqual(self.make_n("fuzz")[0], "fuzz")
        self.assertEqual(self.make_n("bench")[0], "bench")
        self.assertEqual(self.make_n("demo")[0], "demo")
        # a packager's build: no package is checked or installed
        self.assertEqual(self.make_n("NODEPS=1"), [])
        self.assertEqual(self.make_n("NODEPS=1", "install"), [])


if __name__ == "__main__":
    unittest.main()
