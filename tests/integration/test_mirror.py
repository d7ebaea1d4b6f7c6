"""Repos from mirrors ([repo NAME] url): a real HTTP mirror on loopback
(python's http.server on a thread, serving the fake ISO tree the harness
builds) and the real `poolboot`.

- a host armed against a mirror repo gets an answerfile whose <source>
  is the mirror's URL, while its boot files come from poolboot (HTTP, and
  the tftp-root link) with the mirror's bytes, fetched once;
- a cached boot file that was damaged is fetched again at the next start;
- a mirror that answers 404 for .treeinfo, or one whose .treeinfo gives a
  sha256 its install.img does not have, is refused with the operator's
  message; a .treeinfo of another brand is refused by the upgrade path
  check as a local tree's is;
- a mirror that cannot be reached: served from a complete cache with a
  warning, refused without one;
- an https mirror is verified: refused with the system's CAs, accepted
  with its ca_file; a new url gets a cache of its own.
"""
import hashlib
import http.server
import os
import shutil
import ssl
import tempfile
import threading
import unittest

import harness
import simharness as sh
import test_upgrade_paths as tup


class Mirror:
    """A real HTTP server on 127.0.0.1 serving root, with statuses forced
    for some paths and every request recorded."""

    def __init__(self, tls=None):
        self.root = None
        self.scheme = "https" if tls else "http"
        self.force = {}         # URL path -> HTTP status
        self.requests = []
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def forced(self):
                mirror.requests.append((self.command, self.path))
                status = mirror.force.get(self.path)
                if status is not None:
                    self.send_error(status)
                return status is not None

            def do_GET(self):
                if not self.forced():
                    super().do_GET()

            def do_HEAD(self):
                if not self.forced():
                    super().do_HEAD()

            def translate_path(self, path):
                self.directory = mirror.root
                return super().translate_path(path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        if tls is not None:     # (cert, key)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket,
                                                server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self):
        return "%s://127.0.0.1:%d/repo/" % (self.scheme, self.port)

    def gets(self, rel):
        return sum(1 for m, p in self.requests
                   if m == "GET" and p == "/repo/" + rel)

    def close(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


class MirrorEnv(harness.Env):
    """harness.Env whose repo xs82 is the mirror of its repo/ folder."""

    def __init__(self, mirror, **kw):
        self.mirror = mirror
        super().__init__(**kw)
        mirror.root = self.dir

    def base_inventory(self):
        return super().base_inventory().replace(
            "path = %s\n" % self.repo, "url = %s\n" % self.mirror.url())

    def cache_dir(self, url=None):
        u = hashlib.sha256((url or self.mirror.url()).encode()).hexdigest()
        return os.path.join(self.state, "mirror", "xs82", u[:12])

    def cached(self, rel):
        return os.path.join(self.cache_dir(), "tree", rel)

    def repo_bytes(self, rel):
        with open(os.path.join(self.repo, rel), "rb") as f:
            return f.read()


class MirrorTest(unittest.TestCase):
    def world(self, tls=None, **kw):
        mirror = Mirror(tls)
        self.addCleanup(mirror.close)
        env = MirrorEnv(mirror, **kw)
        self.addCleanup(env.cleanup)
        return env, mirror

    def conf_line(self, env, needle):
        with open(env.conf) as f:
            for i, line in enumerate(f, 1):
                if line.startswith(needle):
                    return i
        raise AssertionError(needle)

    def assert_boot_files_served(self, env):
        for rel in ("boot/xen.gz", "boot/vmlinuz", "install.img"):
            r = env.get("/repo/xs82/" + rel)
            self.assertEqual(r.status, 200, rel)
            self.assertEqual(r.body, env.repo_bytes(rel), rel)

    def test_armed_host_installs_from_the_mirror_boots_from_poolboot(self):
        env, mirror = self.world()
        env.start()
        tok = env.arm("h1")
        r = env.get(env.host_path("h1", tok, "answerfile"))
        self.assertEqual(r.status, 200, r)
        src = harness.parse_xml(r.body).find("source")
        self.assertEqual(src.get("type"), "url")
        self.assertEqual(src.text.strip(), mirror.url())
        # the boot loader's files: poolboot's URLs, the mirror's bytes
        pxe = env.read_pxe("h1")
        self.assertIn("http://127.0.0.1:%d/repo/xs82/boot/xen.gz" % env.port,
                      pxe)
        self.assertNotIn(str(mirror.port), pxe)
        self.assert_boot_files_served(env)
        # only the boot files are poolboot's: packages come from the mirror
        self.assertEqual(env.get("/repo/xs82/Packages/some.rpm").status, 404)
        # fetched once: a restart keeps the cache
        env.stop()
        env.start()
        self.assert_boot_files_served(env)
        self.assertEqual(mirror.gets("install.img"), 1)
        self.assertEqual(mirror.gets("boot/xen.gz"), 1)
        self.assertIn("install.img kept", env.log_text())

    def test_tftp_root_links_the_cache(self):
        env, mirror = self.world(boot_files="tftp")
        env.start()
        link = os.path.join(env.tftp, "repo", "xs82")
        self.assertEqual(os.path.realpath(link),
                         os.path.realpath(env.cached("")))
        for rel in ("boot/xen.gz", "boot/vmlinuz", "install.img"):
            with open(os.path.join(link, rel), "rb") as f:
                self.assertEqual(f.read(), env.repo_bytes(rel), rel)

    def test_damaged_cache_file_is_fetched_again(self):
        env, mirror = self.world()
        env.start()
        env.stop()
        p = env.cached("install.img")
        with open(p, "r+b") as f:        # same size, other bytes
            f.seek(1000)
            b = f.read(1)
            f.seek(1000)
            f.write(bytes([b[0] ^ 0xff]))
        env.start()
        env.wait_log("fetching it again")
        self.assertRegex(env.log_text(), r"the cached install\.img is "
                         r"damaged \(its SHA-256 is not the one fetched\)")
        self.assertEqual(mirror.gets("install.img"), 2)
        self.assertEqual(mirror.gets("boot/xen.gz"), 1)
        self.assert_boot_files_served(env)

    def test_new_url_gets_its_own_cache_and_the_old_one_goes(self):
        env, mirror = self.world()
        env.start()
        env.stop()
        old = env.cache_dir()
        os.symlink("repo", os.path.join(env.dir, "repo2"))
        url2 = "http://127.0.0.1:%d/repo2/" % mirror.port
        with open(env.conf) as f:
            text = f.read()
        harness.write(env.conf, text.replace(mirror.url(), url2))
        env.start()
        self.assertEqual(sum(1 for m, p in mirror.requests
                             if m == "GET" and p == "/repo2/install.img"), 1)
        self.assertFalse(os.path.exists(old))
        self.assertTrue(os.path.isfile(os.path.join(env.cache_dir(url2),
                                                    "tree", "install.img")))
        self.assertIn("the cache of an earlier url", env.log_text())
        self.assert_boot_files_served(env)

    def test_https_mirror_verified_against_ca_file(self):
        d = tempfile.mkdtemp(prefix="pbit-ca-")
        self.addCleanup(shutil.rmtree, d, True)
        cert, key = harness.make_cert(d, "mirror")
        env, mirror = self.world(tls=(cert, key))
        # the system's CAs do not know this certificate: refused
        p = env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertRegex(p.err, r"\[repo xs82\]: cannot read the mirror's "
                         r"\.treeinfo \(TLS: .* for https://127\.0\.0\.1:"
                         r"\d+/repo/\.treeinfo\) \(the mirror's certificate "
                         r"must be trusted: set ca_file")
        with open(env.conf) as f:
            text = f.read()
        harness.write(env.conf, text.replace(
            "url = %s\n" % mirror.url(),
            "url = %s\nca_file = %s\n" % (mirror.url(), cert)))
        p = env.cli("check")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        env.start()
        self.assert_boot_files_served(env)

    def test_treeinfo_404_is_refused(self):
        env, mirror = self.world()
        mirror.force["/repo/.treeinfo"] = 404
        line = self.conf_line(env, "url = ")
        p = env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("%s:%d: [repo xs82]: cannot read the mirror's "
                      ".treeinfo (HTTP 404 for %s.treeinfo): url must be "
                      "the folder of an unpacked XenServer/XCP-ng ISO"
                      % (env.conf, line, mirror.url()), p.err)
        with self.assertRaisesRegex(RuntimeError, "HTTP 404"):
            env.start()

    def test_missing_boot_file_is_refused(self):
        env, mirror = self.world()
        mirror.force["/repo/boot/vmlinuz"] = 404
        p = env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("[repo xs82]: mirror %s lacks boot/vmlinuz (HTTP 404"
                      % mirror.url(), p.err)

    def test_treeinfo_checksum_mismatch_is_refused(self):
        env, mirror = self.world()
        bad = hashlib.sha256(b"not the image").hexdigest()
        harness.write(os.path.join(env.repo, ".treeinfo"), harness.TREEINFO +
                      "[checksums]\ninstall.img = sha256:%s\n" % bad)
        with self.assertRaises(RuntimeError) as cm:
            env.start()
        self.assertIn("the %s the mirror's .treeinfo gives: the mirror's "
                      "copy is damaged or half-synced" % bad, str(cm.exception))
        self.assertFalse(os.path.exists(env.cached("install.img")))
        # nothing half-written left beside the cache
        left = os.listdir(env.cache_dir())
        self.assertEqual([n for n in left if n.startswith(".part")], [])

    def test_treeinfo_checksum_match_is_accepted(self):
        env, mirror = self.world()
        good = hashlib.sha256(env.repo_bytes("install.img")).hexdigest()
        harness.write(os.path.join(env.repo, ".treeinfo"), harness.TREEINFO +
                      "[checksums]\ninstall.img = sha256:%s\n" % good)
        env.start()
        self.assertIn("(as .treeinfo gives)", env.log_text())
        self.assert_boot_files_served(env)

    def test_unreachable_mirror_with_cache_serves_with_a_warning(self):
        env, mirror = self.world()
        env.start()
        env.stop()
        mirror.close()
        p = env.cli("check")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertRegex(p.err, r"warning: .*\[repo xs82\]: mirror "
                         r"\S+ cannot be reached \(connect: ")
        env.start()
        self.assertIn("serving the boot files cached in", env.log_text())
        self.assert_boot_files_served(env)

    def test_unreachable_mirror_without_cache_is_refused(self):
        env, mirror = self.world()
        mirror.close()
        p = env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertRegex(p.err, r"\[repo xs82\]: mirror \S+ cannot be "
                         r"reached \(connect: .*\), and its boot files are "
                         r"not cached in \S+ .*poolboot needs the mirror once")

    def test_path_and_url_together_are_refused(self):
        env, mirror = self.world()
        with open(env.conf) as f:
            text = f.read()
        text = text.replace("\nurl = ", "\npath = %s\nurl = " % env.repo)
        harness.write(env.conf, text)
        p = env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("[repo xs82]: 'path' and 'url' (line %d) are both set"
                      % self.conf_line(env, "url = "), p.err)


class MirrorReloadTest(unittest.TestCase):
    """A mirror repo added by a reload: its boot files are cached before
    the new configuration applies; a mirror that answers 404 leaves the
    old configuration running."""

    def test_reload_adds_a_mirror_repo(self):
        mirror = Mirror()
        self.addCleanup(mirror.close)
        env = harness.Env()         # a local repo xs82
        self.addCleanup(env.cleanup)
        mirror.root = env.dir
        env.start()
        repo = "[repo mir]\nurl = %s\n\n" % mirror.url()
        mirror.force["/repo/.treeinfo"] = 404
        env.write_config(extra_hosts=repo)
        p = env.cli("reload")
        self.assertNotEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("HTTP 404", p.out + p.err)
        self.assertEqual(env.get("/repo/mir/install.img").status, 404)
        del mirror.force["/repo/.treeinfo"]
        p = env.cli("reload")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("1 repo", p.out)
        for rel in ("boot/xen.gz", "boot/vmlinuz", "install.img"):
            with open(os.path.join(env.repo, rel), "rb") as f:
                want = f.read()
            r = env.get("/repo/mir/" + rel)
            self.assertEqual((r.status, r.body), (200, want), rel)
        self.assertEqual(mirror.gets("install.img"), 1)


class MirrorBrandEnv(tup.BrandEnv):
    """The upgrade-paths world with its repo 'up' behind a mirror."""

    def __init__(self, mirror, treeinfo):
        self.mirror = mirror
        super().__init__(treeinfo)
        mirror.root = self.dir

    def write_config(self, extra_server="", extra_hosts="", hosts_text=None):
        conf = super().write_config(extra_server, extra_hosts, hosts_text)
        with open(conf) as f:
            text = f.read()
        harness.write(conf, text.replace("path = %s\n" % self.repo,
                                         "url = %s\n" % self.mirror.url()))
        return conf


class MirrorBrandTest(tup.UpgradePathsTest):
    """A mirror's .treeinfo of another brand: refused as a local one."""

    def world(self, pools, treeinfo):
        mirror = Mirror()
        self.addCleanup(mirror.close)
        env = MirrorBrandEnv(mirror, treeinfo)
        try:
            sim = sh.Sim({"tftp_root": env.tftp, "port": 0,
                          "control_port": 0, "pools": pools}, env.dir)
            env.attach(sim, pools)
            env.start()
        except BaseException:
            env.close()
            raise
        self.addCleanup(env.close)
        with open(env.conf) as f:
            assert "url = %s" % mirror.url() in f.read()
        return env, sim


# only the brand refusals run again behind a mirror
for _name in list(vars(tup.UpgradePathsTest)):
    if _name.startswith("test_") and "refused" not in _name:
        setattr(MirrorBrandTest, _name, None)


if __name__ == "__main__":
    unittest.main()
