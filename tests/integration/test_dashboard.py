"""The web dashboard: poolboot serves its static files (/ and /web/...)
safely, counts the repo bytes each host's installer fetches, and a real
headless Chromium (Debian's /usr/bin/chromium driven by playwright-core,
tests/web/dashboard-check.js) follows a simulated rolling upgrade on the
page and saves a screenshot of it in progress to
tests/artifacts/dashboard.png.
"""
import http.client
import json
import os
import shutil
import struct
import subprocess
import threading
import time
import unittest

import harness
import simharness as sh

WEB_DIR = os.path.join(harness.REPO_ROOT, "web")
WEB_TEST_DIR = os.path.join(harness.REPO_ROOT, "tests", "web")
ARTIFACTS = os.path.join(harness.REPO_ROOT, "tests", "artifacts")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def request_from(env, source, method, path, headers=None):
    """One request to env's server from the loopback address source, as a
    host with that address would send it."""
    c = http.client.HTTPConnection("127.0.0.1", env.port, timeout=30,
                                   source_address=(source, 0))
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def repo_sent(env):
    """poolboot_http_sent_bytes_total for the repo route, read off /metrics:
    counted when a request completes, after its bytes were given to the
    host whose installer has that address."""
    r = env.get("/metrics")
    assert r.status == 200, r
    for line in r.body.decode().splitlines():
        if line.startswith('poolboot_http_sent_bytes_total{route="repo"}'):
            return int(float(line.rsplit(" ", 1)[1]))
    raise AssertionError("no repo sent-bytes sample in /metrics")


def repo_bytes(env):
    r = env.api("GET", "/hosts")
    assert r.status == 200, r
    return {h["name"]: h["repo_bytes"] for h in r.json()}


class StaticFilesTest(unittest.TestCase):
    """GET / and /web/<file> from web_dir (found next to the binary)."""

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        cls.env.start()

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def test_index_and_assets_with_types_and_headers(self):
        r = self.env.get("/")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        with open(os.path.join(WEB_DIR, "index.html"), "rb") as f:
            self.assertEqual(r.body, f.read())
        csp = r.header("content-security-policy", "")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("connect-src 'self'", csp)
        self.assertEqual(r.header("x-content-type-options"), "nosniff")
        self.assertIn("max-age=", r.header("cache-control", ""))
        for name, ctype in (("app.js", "text/javascript; charset=utf-8"),
                            ("style.css", "text/css; charset=utf-8"),
                            ("favicon.svg", "image/svg+xml")):
            r = self.env.get("/web/" + name)
            self.assertEqual(r.status, 200, (name, r))
            self.assertEqual(r.header("content-type"), ctype, name)
            with open(os.path.join(WEB_DIR, name), "rb") as f:
                self.assertEqual(r.body, f.read(), name)
        # the page loads only what poolboot itself serves
        r = self.env.get("/")
        self.assertNotIn(b"http://", r.body.replace(b"http://www.w3.org",
                                                    b""))
        self.assertNotIn(b"https://", r.body)

    def test_static_files_need_no_token_but_the_api_does(self):
        self.assertEqual(self.env.get("/web/app.js").status, 200)
        self.assertEqual(self.env.api("GET", "/hosts", auth=False).status,
                         401)

    def test_head_and_other_methods(self):
        r = self.env.request("HEAD", "/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        r = self.env.request("POST", "/", body="x")
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.header("allow", ""))

    def test_no_listing_no_escape_no_hidden_files(self):
        for path in ("/web/", "/web", "/web/missing.js", "/index.html",
                     "/web/.hidden", "/web/x/.git/config"):
            r = self.env.get(path)
            self.assertEqual(r.status, 404, (path, r))
        with open(self.env.conf, "rb") as f:
            conf = f.read()
        # web/ is next to README.md and the binary: one ".." would do
        for path in ("/web/../README.md", "/web/%2e%2e/README.md",
                     "/web/..%2fREADME.md", "/web/%2e%2e/%2e%2e/etc/passwd",
                     "/web/../../" + os.path.relpath(self.env.conf, "/")):
            r = self.env.get(path)
            self.assertIn(r.status, (403, 404), (path, r))
            self.assertNotIn(b"XenServer", r.body, path)
            self.assertNotIn(b"root:", r.body, path)
            self.assertNotEqual(r.body, conf, path)


class WebDirConfigTest(unittest.TestCase):
    def test_explicit_web_dir_is_served_and_symlinks_out_refused(self):
        env = harness.Env()
        try:
            web = os.path.join(env.dir, "myweb")
            os.makedirs(web)
            harness.write(os.path.join(web, "index.html"), "<p>custom</p>\n")
            os.symlink(env.secret, os.path.join(web, "leak.txt"))
            env.write_config(extra_server="web_dir = %s\n" % web)
            env.start()
            r = env.get("/")
            self.assertEqual((r.status, r.body), (200, b"<p>custom</p>\n"))
            r = env.get("/web/leak.txt")
            self.assertIn(r.status, (403, 404), r)
            self.assertNotIn(harness.SECRET_BYTES, r.body)
        finally:
            env.cleanup()

    def test_missing_web_dir_is_a_config_error(self):
        env = harness.Env()
        try:
            env.write_config(extra_server="web_dir = %s/nope\n" % env.dir)
            p = env.cli("check")
            self.assertNotEqual(p.returncode, 0, p.out)
            self.assertIn("web_dir", p.out + p.err)
        finally:
            env.cleanup()


class RepoBytesTest(unittest.TestCase):
    """repo_bytes in GET /api/v1/hosts: the repo bytes sent to the address
    that fetched the host's answerfile, since that fetch."""

    def setUp(self):
        self.env = harness.Env()
        self.env.start()

    def tearDown(self):
        self.env.cleanup()

    def test_bytes_are_counted_per_installer_address(self):
        env = self.env
        t1, t2 = env.arm("h1"), env.arm("h2")
        img = os.path.getsize(os.path.join(env.repo, "install.img"))
        self.assertEqual(repo_bytes(env), {"h1": 0, "h2": 0, "new1": 0})
        # before any answerfile: the address is nobody's
        n0 = repo_sent(env)
        st, body = request_from(env, "127.0.0.5", "GET",
                                "/repo/xs82/.treeinfo")
        self.assertEqual(st, 200)
        # completed before h1's answerfile is fetched from the same address
        self.assertEqual(harness.settled(lambda: repo_sent(env),
                                         lambda v: v > n0), n0 + len(body))
        self.assertEqual(repo_bytes(env)["h1"], 0)
        st, _ = request_from(env, "127.0.0.5", "GET",
                             env.host_path("h1", t1, "answerfile"))
        self.assertEqual(st, 200)
        st, _ = request_from(env, "127.0.0.6", "GET",
                             env.host_path("h2", t2, "answerfile"))
        self.assertEqual(st, 200)
        st, body = request_from(env, "127.0.0.5", "GET",
                                "/repo/xs82/install.img")
        self.assertEqual((st, len(body)), (200, img))
        st, body = request_from(env, "127.0.0.6", "GET",
                                "/repo/xs82/install.img",
                                {"Range": "bytes=1000-1999"})
        self.assertEqual((st, len(body)), (206, 1000))
        # not counted: HEAD, errors, other addresses
        request_from(env, "127.0.0.5", "HEAD", "/repo/xs82/install.img")
        request_from(env, "127.0.0.5", "GET", "/repo/xs82/missing.rpm")
        request_from(env, "127.0.0.7", "GET", "/repo/xs82/install.img")
        want = {"h1": img, "h2": 1000, "new1": 0}
        self.assertEqual(harness.settled(lambda: repo_bytes(env),
                                         lambda v: v == want), want)
        r = env.api("GET", "/hosts/h1")
        self.assertEqual(r.json()["repo_bytes"], img)
        # a new boot of h1 (its answerfile again) starts from 0
        st, _ = request_from(env, "127.0.0.5", "GET",
                             env.host_path("h1", t1, "answerfile"))
        self.assertEqual(st, 200)
        request_from(env, "127.0.0.5", "GET", "/repo/xs82/Packages/some.rpm")
        want = {"h1": 5000, "h2": 1000, "new1": 0}
        self.assertEqual(harness.settled(lambda: repo_bytes(env),
                                         lambda v: v == want), want)
        # a refused answerfile fetch (wrong token) moves nothing
        st, _ = request_from(env, "127.0.0.6", "GET",
                             env.host_path("h1", "0" * 40, "answerfile"))
        self.assertEqual(st, 403)
        request_from(env, "127.0.0.6", "GET", "/repo/xs82/Packages/some.rpm")
        want = {"h1": 5000, "h2": 6000, "new1": 0}
        self.assertEqual(harness.settled(lambda: repo_bytes(env),
                                         lambda v: v == want), want)


def _setup_browser():
    """Chromium and playwright-core, installed when missing. Returns None
    when ready, else the reason to skip."""
    if not os.path.exists(CHROMIUM) and shutil.which("apt-get") and \
            os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq",
                        "--no-install-recommends", "chromium"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=900,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not os.path.exists(CHROMIUM):
        return "%s is missing and could not be installed (apt-get install " \
               "chromium)" % CHROMIUM
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm are missing (apt-get install nodejs npm)"
    v = subprocess.run(["node", "--version"], capture_output=True,
                       text=True).stdout.strip().lstrip("v").split(".")[0]
    if not v.isdigit() or int(v) < 20:
        return "playwright-core needs Node.js >= 20 (this is %s)" % v
    pkg = os.path.join(WEB_TEST_DIR, "node_modules", "playwright-core",
                       "package.json")
    with open(os.path.join(WEB_TEST_DIR, "package.json")) as f:
        want = json.load(f)["dependencies"]["playwright-core"]
    have = None
    if os.path.exists(pkg):
        with open(pkg) as f:
            have = json.load(f).get("version")
    if have != want:
        p = subprocess.run(["npm", "install", "--no-package-lock",
                            "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=WEB_TEST_DIR, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=600)
        if p.returncode != 0 or not os.path.exists(pkg):
            return "npm install playwright-core failed: %s" % (
                p.stderr.decode("utf-8", "replace")[-500:])
    return None


class Installer(threading.Thread):
    """Plays the part of the installers' package downloads, which the
    simulator leaves out (it only reads .treeinfo): while a host is
    installing (its answerfile fetched, so poolboot ties 127.0.0.1 to it),
    fetch install.img in 128 KiB ranges from 127.0.0.1, as the simulated
    installer does its own requests."""

    CHUNK = 128 * 1024

    def __init__(self, env, pool):
        super().__init__(daemon=True)
        self.env, self.pool = env, pool
        self.stop = threading.Event()
        self.fetched = {}
        self.size = os.path.getsize(os.path.join(env.repo, "install.img"))

    def run(self):
        while not self.stop.is_set():
            try:
                st = self.env.status(self.pool)
                hosts = {h["name"]: h for h in self.env.api(
                    "GET", "/hosts").json()}
            except Exception:   # noqa: BLE001 - the server may be stopping
                return
            busy = [h["host"] for h in st.get("hosts", [])
                    if h["step"] == "install" and
                    hosts.get(h["host"], {}).get("state") == "installing"]
            if busy:
                h = busy[0]
                off = self.fetched.get(h, 0)
                if off < self.size:
                    end = min(off + self.CHUNK, self.size) - 1
                    r = self.env.get("/repo/up/install.img", headers={
                        "Range": "bytes=%d-%d" % (off, end)})
                    if r.status == 206:
                        self.fetched[h] = end + 1
            self.stop.wait(0.15)


class DashboardBrowserTest(unittest.TestCase):
    """Headless Chromium follows a rolling upgrade on the dashboard."""

    @classmethod
    def setUpClass(cls):
        cls.skip_reason = _setup_browser()

    def setUp(self):
        if self.skip_reason:
            self.skipTest(self.skip_reason)

    def test_dashboard_follows_a_rolling_upgrade(self):
        os.makedirs(ARTIFACTS, exist_ok=True)
        out = os.path.join(ARTIFACTS, "dashboard.png")
        if os.path.exists(out):
            os.unlink(out)
        spec = sh.pool_spec("rack1", 41, 3, vms=4, install_delay=5)
        env, sim = sh.world([spec])
        inst = Installer(env, "rack1")
        try:
            inst.start()
            t0 = time.time()
            # the page itself starts the run: dry run, then confirm
            p = subprocess.run(
                ["node", os.path.join(WEB_TEST_DIR, "dashboard-check.js"),
                 env.admin_base, env.admin_token(), out, "--pool", "rack1",
                 "--start", "--expect-repo-bytes", "--timeout", "90"],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=180,
                env=harness.clean_env())
            took = time.time() - t0
            so = p.stdout.decode("utf-8", "replace")
            se = p.stderr.decode("utf-8", "replace")
            self.assertEqual(p.returncode, 0,
                             "dashboard-check exited %d after %.1f s:\n%s\n"
                             "%s%s" % (p.returncode, took, se, so[-3000:],
                                       env.diag("rack1")))
            summary = json.loads(so)
            self.assertEqual(summary["screenshot"]["why"], "best", summary)
            # the screenshot: a real PNG of a full page
            with open(out, "rb") as f:
                png = f.read()
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            w, h = struct.unpack(">II", png[16:24])
            self.assertGreaterEqual(w, 1200)
            self.assertGreaterEqual(h, 700)
            self.assertGreater(len(png), 30000)
            self.assertLess(len(png), 20 * 1024 * 1024)
            # the run really finished, and the page saw it advance
            st = env.wait_run("rack1", timeout=30)
            self.assertEqual(st["state"], "done", env.diag("rack1"))
            self.assertEqual(st["hosts_done"], 3)
            self.assertTrue(any(len(v) >= 3 for v in
                                summary["stepsSeen"].values()), summary)
            # every installer's downloads were counted for its host (but
            # for a last range that crossed the next host's answerfile
            # fetch: that one counts for the next host, as it should)
            got = repo_bytes(env)
            for name in ("rack1h1", "rack1h2", "rack1h3"):
                self.assertGreaterEqual(got[name], inst.fetched.get(name, 0) -
                                        Installer.CHUNK, (got, inst.fetched))
            self.assertTrue(any(v >= 1024 * 1024 for v in got.values()), got)
        finally:
            inst.stop.set()
            inst.join(5)
            env.close()


if __name__ == "__main__":
    unittest.main()
