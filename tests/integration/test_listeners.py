"""Two listeners: the install network reaches the host routes and the repo
only; the admin API, /metrics and the dashboard listen on loopback, or on
another address only with TLS. The CLI talks to the admin listener and
checks its certificate."""
import os
import re
import shutil
import unittest

import harness
from test_config import line_of

ADMIN_PATHS = ("/api/v1/hosts", "/api/v1/events", "/metrics", "/",
               "/web/app.js")


class ListenerRoutesTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env()
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def tearDown(self):
        self.env.cleanup()

    def test_install_listener_has_no_admin_routes(self):
        env = self.env
        auth = {"Authorization": "Bearer " + env.admin_token()}
        for path in ADMIN_PATHS:
            r = env.request("GET", path, headers=auth, listener="install")
            self.assertEqual(r.status, 404, "%s on the install listener: "
                             "%r" % (path, r))
            self.assertEqual(env.request("GET", path, headers=auth,
                                         listener="admin").status, 200, path)
        r = env.request("POST", "/api/v1/hosts/h1/arm", headers=auth,
                        listener="install")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(env.state_of("h1"), "idle")

    def test_admin_listener_has_no_install_routes(self):
        env = self.env
        tok = env.arm("h1")
        paths = ("/repo/xs82/.treeinfo", env.host_path("h1", tok, "answerfile"),
                 env.host_path("h1", tok, "script"))
        for path in paths:
            self.assertEqual(env.get(path, listener="admin").status, 404,
                             path)
        r = env.request("POST", env.host_path("h1", tok, "callback/0"),
                        listener="admin")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(env.state_of("h1"), "armed")
        for path in paths:
            self.assertEqual(env.get(path, listener="install").status, 200,
                             path)


def openssl_problem():
    if shutil.which("openssl") is None:
        return "no openssl command to make a test certificate"
    return None


@unittest.skipIf(openssl_problem(), openssl_problem() or "")
class AdminTlsTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env(admin_tls=True)
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def tearDown(self):
        self.env.cleanup()

    def test_https_admin_and_the_cli_checks_the_certificate(self):
        env = self.env
        self.assertTrue(env.admin_base.startswith("https://"))
        # the harness's HTTPS client trusts only the configured cert
        r = env.api("GET", "/hosts")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(env.get("/metrics").status, 200)
        # the CLI reads admin_tls_cert from the config and checks it
        p = env.cli("arm", "h1")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(env.state_of("h1"), "armed")
        # plain HTTP to the admin port gets no answer
        with self.assertRaises((OSError, harness.http.client.HTTPException)):
            c = harness.http.client.HTTPConnection("127.0.0.1",
                                                   env.admin_port, timeout=5)
            try:
                c.request("GET", "/api/v1/hosts")
                c.getresponse().read()
            finally:
                c.close()
        # the install listener stays plain HTTP for the installers
        self.assertEqual(env.get("/repo/xs82/.treeinfo").status, 200)

    def test_cli_refuses_a_server_with_another_certificate(self):
        env = self.env
        other_cert, _ = harness.make_cert(env.dir, "other")
        with open(env.conf) as f:
            text = f.read().replace("admin_tls_cert = %s\n" % env.admin_cert,
                                    "admin_tls_cert = %s\n" % other_cert)
        conf = os.path.join(env.dir, "other.conf")
        harness.write(conf, text)
        p = env.cli("arm", "-c", conf, "h1", conf=False)
        self.assertNotEqual(p.returncode, 0, p.out)
        self.assertIn("TLS", p.err)
        self.assertIn("admin_tls_cert", p.err)
        self.assertEqual(env.state_of("h1"), "idle")


class ListenerConfigTest(unittest.TestCase):
    """poolboot check on the listener keys."""

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def check(self, server_extra="", replace=None):
        e = self.env
        text = (e.server_section(server_extra) + e.base_inventory() +
                e.hosts_section())
        for a, b in (replace or []):
            text = re.sub(a, b, text, flags=re.M)
        ListenerConfigTest.n += 1
        p = os.path.join(e.dir, "l%d.conf" % ListenerConfigTest.n)
        harness.write(p, text)
        return text, p, e.cli("check", "-c", p, conf=False)

    def assert_problem(self, text, path, r, marker, *words):
        self.assertEqual(r.returncode, 1, "check accepted:\n%s\n%s"
                         % (r.out, r.err))
        prefix = "%s:%d:" % (path, line_of(text, marker))
        hits = [l for l in r.err.splitlines() if l.startswith(prefix)]
        self.assertTrue(hits, "no %r line in:\n%s" % (prefix, r.err))
        for w in words:
            self.assertIn(w, "\n".join(hits))

    def test_non_loopback_admin_needs_tls(self):
        for addr in ("0.0.0.0", "10.0.0.5", "[::]"):
            text, p, r = self.check(replace=[(
                r"^admin_listen = .*$", "admin_listen = %s:8443" % addr)])
            self.assert_problem(text, p, r, "admin_listen", "admin_listen",
                                "loopback", "admin_tls_cert",
                                "admin_tls_key")

    def test_loopback_admin_is_fine(self):
        for addr in ("127.0.0.1", "127.0.0.9", "[::1]"):
            _, _, r = self.check(replace=[(
                r"^admin_listen = .*$", "admin_listen = %s:%d"
                % (addr, self.env.admin_port))])
            self.assertEqual(r.returncode, 0, r.err)
            self.assertIn("configuration OK", r.out)

    @unittest.skipIf(openssl_problem(), openssl_problem() or "")
    def test_non_loopback_admin_with_tls_is_fine(self):
        cert, key = harness.make_cert(self.env.dir, "chk")
        _, _, r = self.check(
            "admin_tls_cert = %s\nadmin_tls_key = %s\n" % (cert, key),
            replace=[(r"^admin_listen = .*$", "admin_listen = 0.0.0.0:8443")])
        self.assertEqual(r.returncode, 0, r.err)

    def test_cert_and_key_go_together(self):
        text, p, r = self.check("admin_tls_cert = %s\n" % self.env.secret)
        self.assert_problem(text, p, r, "admin_tls_cert", "admin_tls_key")
        text, p, r = self.check("admin_tls_key = %s\n" % self.env.secret)
        self.assert_problem(text, p, r, "admin_tls_key", "admin_tls_cert")
        text, p, r = self.check("admin_tls_cert = %s/nope.crt\n"
                                "admin_tls_key = %s\n"
                                % (self.env.dir, self.env.secret))
        self.assert_problem(text, p, r, "admin_tls_cert", "nope.crt")

    def test_admin_and_install_need_their_own_ports(self):
        text, p, r = self.check(replace=[(
            r"^admin_listen = .*$", "admin_listen = 127.0.0.1:%d"
            % self.env.port)])
        self.assert_problem(text, p, r, "admin_listen", "admin_listen",
                            "listen", str(self.env.port))

    def test_limits(self):
        for key, bad in (("max_connections", "5"), ("max_connections", "x"),
                         ("per_ip_connections", "-1"),
                         ("header_timeout", "0"), ("header_timeout", "1s")):
            text, p, r = self.check("%s = %s\n" % (key, bad))
            self.assert_problem(text, p, r, key + " =", key, bad)
        text, p, r = self.check("max_connections = 100\n"
                                "per_ip_connections = 200\n")
        self.assert_problem(text, p, r, "per_ip_connections",
                            "per_ip_connections", "max_connections")
        _, _, r = self.check("max_connections = 20000\n"
                             "per_ip_connections = 0\nheader_timeout = 30\n")
        self.assertEqual(r.returncode, 0, r.err)
