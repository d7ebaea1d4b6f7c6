"""Hardening against a hostile peer or a careless set-up (issue 11,
finding 9): log lines cannot be forged from the network, the state folder
and its database are private, whatever the folder was before.
"""
import http.server
import os
import re
import socket
import stat
import subprocess
import threading
import time
import unittest

import harness

# An XAPI error parameter with an embedded newline: were it logged as it
# is, the text after it would read as a line of its own, from poolboot.
FORGED = "2099-01-01T00:00:00.000Z serve: admin token accepted from 6.6.6.6"
# (XML 1.0 cannot carry ESC or other C0 controls, only tab, LF and CR;
# a CR survives the parser only as a character reference.)
EVIL_PARAM = "root\n" + FORGED + "\rcarriage\ttab"


def failure_reply(*desc):
    vals = "".join("<value><string>%s</string></value>" % d
                   .replace("&", "&amp;").replace("<", "&lt;")
                   .replace("\r", "&#13;") for d in desc)
    return ('<?xml version="1.0"?><methodResponse><params><param><value>'
            "<struct><member><name>Status</name><value>Failure</value>"
            "</member><member><name>ErrorDescription</name><value><array>"
            "<data>%s</data></array></value></member></struct></value>"
            "</param></params></methodResponse>" % vals).encode()


class FakeXapi:
    """A pool master that refuses every login with an error whose text
    holds a newline and a carriage return."""

    def __init__(self):
        body = failure_reply("SESSION_AUTHENTICATION_FAILED", EVIL_PARAM,
                             "Authentication failure")

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(n)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class FakePoolEnv(harness.Env):
    """harness.Env whose poolA is the fake XAPI (plain http on loopback)."""

    def __init__(self, xapi_port, **kw):
        self.xapi_port = xapi_port
        super().__init__(**kw)

    def base_inventory(self):
        return ("[repo xs82]\npath = %s\n\n[pool poolA]\n"
                "xapi = http://127.0.0.1:%d\nusername = root\n"
                "password_file = %s\nrepo = xs82\n\n"
                % (self.repo, self.xapi_port, self.pool_pw))


# one stderr line of poolboot serve: "2024-...Z subsys: message"
STDERR_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "
                         r"[a-z_]+: ")


class LogInjectionTest(unittest.TestCase):
    """A hostile XAPI's error text is logged with its control characters
    escaped: it stays on poolboot's one line, in stderr and in syslog."""

    def setUp(self):
        self.xapi = FakeXapi()
        self.env = FakePoolEnv(self.xapi.port)

    def tearDown(self):
        self.env.cleanup()
        self.xapi.close()

    def check_lines(self, lines, where):
        hits = [l for l in lines if "SESSION_AUTHENTICATION_FAILED" in l]
        self.assertTrue(hits, "no line about the failed login in %s:\n%s"
                        % (where, "\n".join(lines[-20:])))
        for l in lines:
            self.assertFalse(l.startswith(FORGED[:24]),
                             "forged line in %s: %r" % (where, l))
            self.assertNotIn("\r", l, "carriage return in %s" % where)
        # the text is still there, escaped, on the line that carries it
        self.assertTrue(any("root\\x0a" + FORGED in l for l in hits),
                        "escaped text not found in %s: %r" % (where, hits))

    def test_xapi_error_text_cannot_forge_a_stderr_line(self):
        self.env.start()
        p = self.env.cli("precheck", "poolA")
        self.assertNotEqual(p.returncode, 0, p.out)
        self.env.stop()
        # serve's start-up says that xapi = http:// sends the password
        # in clear, naming the file and line
        conf = open(self.env.conf).read().split("\n")
        n = [i for i, l in enumerate(conf, 1) if l.startswith("xapi = ")]
        self.assertIn("warning: %s:%d: [pool poolA]: xapi = http://"
                      % (self.env.conf, n[0]), self.env.log_text())
        lines = [l for l in self.env.log_text().split("\n")
                 if l and not l.startswith("====") and
                 not l.startswith("warning: ")]
        for l in lines:
            self.assertRegex(l, STDERR_LINE, "not a poolboot log line")
        self.check_lines(lines, "stderr")

    def test_xapi_error_text_cannot_forge_a_syslog_line(self):
        sock_path = os.path.join(self.env.dir, "log.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(0.2)
        env = harness.clean_env()
        env["POOLBOOT_SYSLOG_SOCKET"] = sock_path
        p = subprocess.Popen([harness.poolboot_bin(), "serve", "--syslog",
                              "-c", self.env.conf], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, cwd=self.env.dir)
        grams = []
        try:
            deadline = time.time() + 10
            while time.time() < deadline:
                # an HTTP answer, not only a connect: the port is bound
                # (and accepts) before the admin token file is written
                try:
                    self.env.request("GET", "/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.05)
            self.env.cli("precheck", "poolA")
            deadline = time.time() + 5
            while time.time() < deadline and not any(
                    "SESSION_AUTHENTICATION_FAILED" in g for g in grams):
                try:
                    grams.append(sock.recv(65536).decode("utf-8", "replace"))
                except socket.timeout:
                    pass
        finally:
            p.terminate()
            p.communicate(timeout=10)
            sock.close()
        for g in grams:
            self.assertNotIn("\n", g, "a newline inside a syslog datagram")
        self.check_lines(grams, "syslog")


class StateDirPermissionsTest(unittest.TestCase):
    """serve makes an existing, loose state_dir private (0700) and its
    database files the owner's alone (0600), before anything is in them."""

    def setUp(self):
        self.env = harness.Env()

    def tearDown(self):
        self.env.cleanup()

    def modes(self):
        st = self.env.state
        out = {"state_dir": os.stat(st).st_mode & 0o7777}
        for f in ("poolboot.db", "poolboot.db-wal", "poolboot.db-shm"):
            p = os.path.join(st, f)
            if os.path.exists(p):
                out[f] = os.stat(p).st_mode & 0o7777
        return out

    def check_private(self):
        m = self.modes()
        self.assertEqual(m["state_dir"], 0o700, m)
        if self.env.backend == "sqlite":    # PostgreSQL: no database file
            self.assertIn("poolboot.db", m)
        for f, mode in m.items():
            if f != "state_dir":
                self.assertEqual(mode, 0o600, "%s: %o" % (f, mode))

    def test_loose_state_dir_and_database_are_tightened(self):
        os.chmod(self.env.state, 0o755)      # as mkdir with umask 022
        self.env.start()
        self.check_private()
        self.env.stop()
        # loosened again while stopped (a restore, a careless chmod -R)
        os.chmod(self.env.state, 0o777)
        for f in os.listdir(self.env.state):
            p = os.path.join(self.env.state, f)
            if os.path.isfile(p):
                os.chmod(p, 0o644)
        self.env.start()
        self.check_private()
        self.env.stop()
        # the admin token file is the operator's: warned about, not changed
        self.assertIn("admin token file %s is readable by others"
                      % os.path.join(self.env.state, "admin.token"),
                      self.env.log_text())

    def test_state_dir_that_is_a_file_is_refused(self):
        os.rmdir(self.env.state)
        harness.write(self.env.state, "not a folder\n")
        p = self.env.cli("serve")
        self.assertEqual(p.returncode, 1, p.err)
        self.assertIn("state_dir: %s: not a folder" % self.env.state, p.err)


if __name__ == "__main__":
    unittest.main()
