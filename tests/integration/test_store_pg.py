"""The PostgreSQL store (issue 16) as an operator meets it: TLS to the
database, a conninfo file that is missing or names a server that is not
there, and the database stopped while serve runs.

Runs only when POOLBOOT_TEST_PG names a PostgreSQL server (make check's
sanitizer pass starts one with tests/pg/pgcluster.py); the tests that need
TLS or stop the server need a cluster made by pgcluster.py (its folder is
the conninfo's host: ca.pem, cluster.json)."""
import os
import re
import sys
import threading
import time
import unittest

import harness

sys.path.insert(0, os.path.join(harness.REPO_ROOT, "tests", "pg"))
import pgcluster  # noqa: E402

ADMIN = harness.pg_admin()
CLUSTER = None
if ADMIN is not None:
    _host = harness.conninfo_parse(ADMIN).get("host", "")
    if os.path.isfile(os.path.join(_host, pgcluster.INFO)):
        CLUSTER = _host

needs_pg = unittest.skipUnless(ADMIN, "POOLBOOT_TEST_PG is not set (a "
                               "PostgreSQL server: tests/pg/pgcluster.py)")
needs_cluster = unittest.skipUnless(
    CLUSTER, "POOLBOOT_TEST_PG is not a cluster made by tests/pg/"
    "pgcluster.py (its ca.pem, pg_ctl)")

# serve's word for losing the database (issue 16: "stops acting ... and
# says so")
LOST_RE = re.compile(r"(?i)(lost|lose|cannot reach|unreachable|no "
                     r"connection).{0,80}(database|store|postgres)|"
                     r"(database|store|postgres).{0,80}(lost|unreachable|"
                     r"is down|gone|unavailable)")


def attempts(env, host):
    """The answerfile fetches counted for host's active arming, as the
    database holds them."""
    rows = env.sql("SELECT attempts FROM armings WHERE host = ? AND "
                   "active = 1", host)
    return rows[0][0] if rows else None


def tcp_conninfo(env, **kw):
    """env's own database over TCP to 127.0.0.1 (TLS: pg_hba of the
    cluster takes nothing else on TCP)."""
    d = harness.conninfo_parse(env.pg_conninfo)
    return harness.conninfo_with(
        "host=127.0.0.1 port=%s user=%s dbname=%s" % (
            d.get("port", "5432"), d.get("user", "poolboot"), env.pg_db),
        **kw)


class PgTestBase(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env(boot_attempts=20)

    def tearDown(self):
        self.env.cleanup()

    def set_conninfo(self, text):
        harness.write(self.env.store_conninfo_file, text + "\n", 0o600)

    def assert_refused(self, p, what):
        """A command that had to fail: an exit status, not a signal (the
        harness raises on a sanitizer report), and no made-up output."""
        self.assertGreater(p.returncode, 0, "%s: exit %d\n%s%s"
                           % (what, p.returncode, p.out, p.err))
        self.assertNotIn("configuration OK", p.out, what)


@needs_pg
@needs_cluster
class TlsTest(PgTestBase):
    def test_serve_over_verified_tls(self):
        env = self.env
        ca = os.path.join(CLUSTER, "ca.pem")
        self.set_conninfo(tcp_conninfo(env, sslmode="verify-full",
                                       sslrootcert=ca))
        p = env.cli("check")
        self.assertEqual(p.returncode, 0, p.err)
        env.start()
        tok = env.arm("h1")
        r = env.get(env.host_path("h1", tok, "answerfile"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(harness.parse_xml(r.body).get("mode"), "upgrade")
        self.assertEqual(attempts(env, "h1"), 1)
        # serve's connections to its database came over TCP with TLS
        rows = env.sql("SELECT count(*) FROM pg_stat_activity a JOIN "
                       "pg_stat_ssl s ON s.pid = a.pid WHERE a.datname = "
                       "current_database() AND a.client_addr IS NOT NULL "
                       "AND s.ssl")
        self.assertGreaterEqual(rows[0][0], 1, "no TLS connection of serve "
                                "to %s" % env.pg_db)

    def test_wrong_ca_refused_naming_store_and_tls(self):
        env = self.env
        other_ca, _ = harness.make_cert(env.dir, "other-ca")
        self.set_conninfo(tcp_conninfo(env, sslmode="verify-full",
                                       sslrootcert=other_ca,
                                       connect_timeout=5))
        p = env.cli("serve", timeout=30)
        self.assert_refused(p, "serve with a CA that did not sign the "
                            "database's certificate")
        self.assertIn("certificate verify failed", p.err)
        self.assertRegex(p.err, r"(?i)store|%s" % re.escape(
            env.store_conninfo_file))
        self.assertNotIn("listening", p.err.lower())


@needs_pg
class UnreachableTest(PgTestBase):
    def test_missing_conninfo_file_named(self):
        env = self.env
        os.unlink(env.store_conninfo_file)
        for cmd in ("check", "serve"):
            p = env.cli(cmd, timeout=30)
            self.assert_refused(p, cmd)
            self.assertIn(env.store_conninfo_file, p.err, cmd)
            self.assertIn("conninfo_file", p.err, cmd)

    def test_unreachable_database_named(self):
        env = self.env
        port = harness.free_port()      # nobody listens there
        self.set_conninfo("host=127.0.0.1 port=%d user=poolboot dbname=%s "
                          "connect_timeout=5" % (port, env.pg_db))
        for cmd in ("check", "serve", "hosts"):
            t0 = time.monotonic()
            p = env.cli(cmd, timeout=60)
            self.assert_refused(p, cmd)
            self.assertIn("127.0.0.1", p.err, cmd)
            self.assertIn(str(port), p.err, cmd)
            self.assertNotIn(" idle ", p.out, "%s: made-up state" % cmd)
            self.assertLess(time.monotonic() - t0, 45, cmd)
            # the database that failed is the one in conninfo_file, not
            # a file in state_dir (serve said "the state database in
            # STATE_DIR", hosts "the state database STATE_DIR/poolboot.db")
            self.assertIn(env.store_conninfo_file, p.err, cmd)
            self.assertNotIn("poolboot.db", p.err, cmd)
            self.assertNotIn("state database in", p.err, cmd)
            self.assertNotIn("\\x0a", p.err, cmd)     # libpq's lines joined


@needs_pg
class CliReadsTest(PgTestBase):
    def test_hosts_without_serve_reads_the_database(self):
        # serve armed h1 and stopped: hosts (no server to ask) reads the
        # PostgreSQL store, where no poolboot.db file exists
        env = self.env
        env.start()
        env.arm("h1")
        env.stop()
        self.assertFalse(os.path.exists(os.path.join(env.state,
                                                     "poolboot.db")))
        self.assertEqual(env.sql("SELECT state FROM hosts WHERE name = ?",
                                 "h1"), [("armed",)])
        self.assertEqual(env.state_of("h1"), "armed")


@needs_pg
@needs_cluster
class DatabaseStoppedTest(PgTestBase):
    """pg_ctl stop while serve runs, then start: serve says it lost the
    database and answers 503 instead of an answerfile whose fetch it
    could not count; afterwards the same token works and the count in
    the database is the number of answerfiles received."""

    def test_database_stopped_mid_run(self):
        env = self.env
        env.start()
        tok = env.arm("h1")
        path = env.host_path("h1", tok, "answerfile")
        statuses = []
        for _ in range(2):
            r = env.get(path)
            self.assertEqual(r.status, 200, r)
            statuses.append(r.status)
        self.assertEqual(attempts(env, "h1"), 2)

        # an installer fetching while the database goes down
        stop, lock = threading.Event(), threading.Lock()

        def fetcher():
            ok = 0
            while not stop.is_set() and ok < 5:
                try:
                    st = env.get(path, timeout=20).status
                except OSError as e:
                    st = type(e).__name__
                with lock:
                    statuses.append(st)
                ok += st == 200
                time.sleep(0.1)

        th = threading.Thread(target=fetcher, daemon=True)
        th.start()
        down = False
        before = len(env.log_text())
        try:
            pgcluster.server_stop(CLUSTER)
            down = True
            deadline = time.monotonic() + 20
            while not LOST_RE.search(env.log_text()[before:]):
                self.assertLess(time.monotonic(), deadline,
                                "serve did not say it lost the database; "
                                "its log:\n%s" % env.log_tail())
                self.assertIsNone(env.proc.poll(), "serve exited")
                env.get("/", listener="admin", timeout=10)
                time.sleep(0.2)
            r = env.get(path, timeout=20)
            self.assertEqual(r.status, 503, r)
            self.assertNotIn(b"<installation", r.body)
            statuses.append(r.status)
            time.sleep(1.0)
            self.assertIsNone(env.proc.poll(), "serve exited while the "
                              "database was down:\n%s" % env.log_tail())
            stop.set()
            th.join(30)
            self.assertFalse(th.is_alive(), "a fetch hung")
            pgcluster.server_start(CLUSTER)
            down = False
        finally:
            stop.set()
            if down:
                pgcluster.server_start(CLUSTER)

        # back: the same token is served again, within a bounded time
        deadline = time.monotonic() + 30
        while True:
            r = env.get(path, timeout=20)
            statuses.append(r.status)
            if r.status == 200:
                break
            self.assertEqual(r.status, 503, r)
            self.assertLess(time.monotonic(), deadline, "the token was not "
                            "served within 30 s of the database's restart")
            time.sleep(0.2)
        self.assertEqual(harness.parse_xml(r.body).get("mode"), "upgrade")
        self.assertEqual(set(statuses) - {200, 503}, set(), statuses)
        self.assertIn(503, statuses)
        self.assertEqual(attempts(env, "h1"), statuses.count(200),
                         "answerfiles received %s" % statuses)
        self.assertEqual(env.state_of("h1"), "installing")


if __name__ == "__main__":
    unittest.main()
