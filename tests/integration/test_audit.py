"""Named admin tokens, the read-only role and the audit log (issue 14),
against a real `poolboot serve` over real HTTP.

Two named tokens (alice: admin, bob: read-only) are added with `poolboot
token add` while the server runs, beside the admin token file's (local).
"""
import json
import os
import time
import unittest

from harness import Env, clean_env, poolboot_bin, settled
import subprocess


def add_token(env, name, read_only=False):
    args = ["token", "add", name, "--json"] + (["--read-only"] if read_only
                                               else [])
    p = env.cli(*args)
    assert p.returncode == 0, "token add %s: %d %s" % (name, p.returncode,
                                                       p.err)
    doc = json.loads(p.out)
    assert doc["name"] == name and len(doc["token"]) == 40, doc
    return doc["token"]


def cli_env(env, *args, token=None, token_file=None):
    """poolboot ARGS with POOLBOOT_TOKEN=token or --token-file."""
    argv = [poolboot_bin(), args[0], "-c", env.conf] + list(args[1:])
    if token_file:
        argv += ["--token-file", token_file]
    e = clean_env()
    if token:
        e["POOLBOOT_TOKEN"] = token
    p = subprocess.run(argv, capture_output=True, timeout=30, cwd=env.dir,
                       env=e)
    p.out = p.stdout.decode()
    p.err = p.stderr.decode()
    return p


class TokensAndAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = Env()
        cls.env.start()
        # added while serve runs: no restart
        cls.alice = add_token(cls.env, "alice")
        cls.bob = add_token(cls.env, "bob", read_only=True)
        cls.local = cls.env.admin_token()

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def audit(self, query=""):
        r = self.env.api("GET", "/audit" + query, token=self.bob)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_tokens_file_holds_no_token(self):
        path = os.path.join(self.env.state, "tokens")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            text = f.read()
        self.assertNotIn(self.alice, text)
        self.assertNotIn(self.bob, text)
        lines = [l.split() for l in text.splitlines()
                 if l and not l.startswith("#")]
        self.assertEqual([l[:2] for l in lines],
                         [["alice", "admin"], ["bob", "read-only"]])
        p = self.env.cli("token", "list")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertRegex(p.out, r"(?m)^local\s+admin\s")
        self.assertRegex(p.out, r"(?m)^bob\s+read-only\s")

    def test_read_only_reads_but_cannot_arm(self):
        env = self.env
        r = env.api("GET", "/hosts", token=self.bob)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(h["name"] for h in r.json()),
                         ["h1", "h2", "new1"])
        r = env.api("POST", "/hosts/h2/arm", body='{"wipe": false}',
                    token=self.bob)
        self.assertEqual(r.status, 403, r)
        self.assertIn('token "bob" is read-only', r.json()["error"])
        self.assertFalse(os.path.exists(env.pxe_path("h2")))
        # the CLI says so and fails with the refusal's code (1)
        p = cli_env(env, "arm", "h2", token=self.bob)
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn('token "bob" is read-only', p.err)
        self.assertEqual(env.state_of("h2"), "idle")

    def test_audit_log(self):
        env = self.env
        t0 = int(time.time() * 1000)
        r = env.api("POST", "/hosts/h1/arm", body='{"wipe": false}',
                    token=self.alice)
        self.assertEqual(r.status, 200, r)
        installer_token = env.token_of("h1")
        r = env.api("POST", "/hosts/h1/disarm", token=self.bob)
        self.assertEqual(r.status, 403, r)
        r = env.api("POST", "/pools/poolA/abort", auth=False)
        self.assertEqual(r.status, 401, r)
        r = env.api("POST", "/pools/poolA/abort",
                    token="f" * 40)      # a wrong token
        self.assertEqual(r.status, 401, r)
        r = env.api("POST", "/hosts/nosuch/arm", token=self.local)
        self.assertEqual(r.status, 404, r)
        r = env.api("POST", "/hosts/h1/disarm", token=self.local)
        self.assertEqual(r.status, 200, r)
        r = env.api("POST", "/hosts/h1/disarm", token=self.local)
        self.assertEqual(r.status, 409, r)

        doc = settled(lambda: self.audit("?since=%d" % t0),
                      lambda d: len(d["audit"]) >= 7)
        # recorded as each is answered: in the order of the answers,
        # newest first
        got = [(e["token"], e["action"], e["target"], e["status"])
               for e in doc["audit"]]
        self.assertEqual(got, ([
            ("local", "disarm", "host:h1", 409),
            ("local", "disarm", "host:h1", 200),
            ("local", "arm", "host:nosuch", 404),
            ("-", "abort", "pool:poolA", 401),
            ("-", "abort", "pool:poolA", 401),
            ("bob", "disarm", "host:h1", 403),
            ("alice", "arm", "host:h1", 200),
        ]))
        times = [e["time"] for e in doc["audit"]]
        self.assertEqual(times, sorted(times, reverse=True))
        ids = [e["id"] for e in doc["audit"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        byst = {(e["token"], e["status"]): e for e in doc["audit"]}
        for e in doc["audit"]:
            self.assertEqual(e["client"], "127.0.0.1")
            self.assertEqual(e["method"], "POST")
            self.assertGreaterEqual(e["time"], t0)
            self.assertLessEqual(e["time"], int(time.time() * 1000) + 1)
        arm = byst[("alice", 200)]
        self.assertEqual(arm["path"], "/hosts/h1/arm")
        self.assertEqual(arm["result"], "state armed")
        self.assertIn("read-only", byst[("bob", 403)]["result"])
        self.assertIn("not armed", byst[("local", 409)]["result"])
        self.assertIn("no host named", byst[("local", 404)]["result"])
        self.assertIn("wrong admin token", byst[("-", 401)]["result"])

        # limit and paging
        one = self.audit("?limit=1&since=%d" % t0)
        self.assertEqual(len(one["audit"]), 1)
        self.assertEqual(one["audit"][0]["id"], ids[0])
        self.assertEqual(one["next_before"], ids[0])
        page2 = self.audit("?limit=2&before=%d" % one["next_before"])
        self.assertEqual([e["id"] for e in page2["audit"]], ids[1:3])
        # filters
        by_bob = self.audit("?token=bob&since=%d" % t0)["audit"]
        self.assertEqual([(e["token"], e["status"]) for e in by_bob],
                         [("bob", 403)])
        anon = self.audit("?token=-&since=%d" % t0)["audit"]
        self.assertEqual([e["status"] for e in anon], [401, 401])
        by_pool = self.audit("?pool=poolA&since=%d" % t0)["audit"]
        self.assertEqual({e["target"] for e in by_pool}, {"pool:poolA"})
        self.assertEqual(len(by_pool), 2)
        by_host = self.audit("?host=h1&since=%d" % t0)["audit"]
        self.assertEqual(len(by_host), 4)
        self.assertEqual({e["target"] for e in by_host}, {"host:h1"})
        self.assertEqual(self.env.api("GET", "/audit?limit=0",
                                      token=self.bob).status, 400)

        # the journal: one "audit:" line per entry
        log = settled(env.log_text,
                      lambda t: "token=local POST /hosts/h1/disarm" in t)
        self.assertIn("audit: 127.0.0.1 token=alice POST /hosts/h1/arm arm "
                      "host:h1 -> 200 state armed", log)
        self.assertIn("audit: 127.0.0.1 token=bob POST /hosts/h1/disarm "
                      "disarm host:h1 -> 403", log)
        self.assertIn("audit: 127.0.0.1 token=- POST /pools/poolA/abort "
                      "abort pool:poolA -> 401", log)

        # the CLI, with a named token from a file
        tf = os.path.join(env.dir, "alice.token")
        with open(tf, "w") as f:
            f.write(self.alice + "\n")
        os.chmod(tf, 0o600)
        p = cli_env(env, "audit", "--limit", "3", token_file=tf)
        self.assertEqual(p.returncode, 0, p.err)
        lines = p.out.splitlines()
        self.assertEqual(len(lines), 4, p.out)
        self.assertEqual([l.split()[6] for l in lines[1:]],
                         [str(e["status"]) for e in doc["audit"][:3]])
        self.assertRegex(p.out, r"127\.0\.0\.1\s+local\s+disarm\s+"
                         r"host:h1\s+409\s+")
        p = cli_env(env, "audit", "--json", "--limit", "2",
                    token=self.alice)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(len(json.loads(p.out)["audit"]), 2)
        # GETs are not actions: not recorded
        self.assertNotIn("GET", {e["method"] for e in
                                 self.audit("?limit=1000")["audit"]})

        # no token anywhere: not in the table, the log or the API
        secrets = [self.alice, self.bob, self.local, installer_token]
        rows = env.sql("SELECT * FROM audit")
        self.assertGreaterEqual(len(rows), 7)
        table = json.dumps(rows)
        api = json.dumps(self.audit("?limit=1000"))
        for s in secrets:
            self.assertNotIn(s, table)
            self.assertNotIn(s, api)
            self.assertNotIn(s, env.log_text())

    def test_slow_request_audited(self):
        # abort is answered off the HTTP threads (http_slow.c): recorded
        # all the same, with the worker's answer
        t0 = int(time.time() * 1000)
        r = self.env.api("POST", "/pools/poolA/abort", token=self.alice)
        self.assertEqual(r.status, 409, r)
        e = self.audit("?token=alice&since=%d" % t0)["audit"]
        self.assertEqual(len(e), 1, e)
        self.assertEqual((e[0]["action"], e[0]["target"], e[0]["status"]),
                         ("abort", "pool:poolA", 409))
        self.assertEqual(e[0]["result"], r.json()["error"])

    def test_removed_token_stops_without_restart(self):
        env = self.env
        carol = add_token(env, "carol")
        r = env.api("GET", "/hosts", token=carol)
        self.assertEqual(r.status, 200, r)
        p = env.cli("token", "remove", "carol")
        self.assertEqual(p.returncode, 0, p.err)
        r = env.api("GET", "/hosts", token=carol)
        self.assertEqual(r.status, 401, r)
        r = env.api("POST", "/hosts/h2/disarm", token=carol)
        self.assertEqual(r.status, 401, r)
        # the others still work
        self.assertEqual(env.api("GET", "/hosts", token=self.alice).status,
                         200)
        p = env.cli("token", "remove", "carol")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no token named 'carol'", p.err)


BAD_TOKENS = """# a comment, then mistakes
alice admin %s
bob superuser %s
alice read-only %s
carol admin 1234
local admin %s
dave read-only
""" % ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


class BadTokensFile(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.path = os.path.join(self.env.dir, "tokens")
        with open(self.path, "w") as f:
            f.write(BAD_TOKENS)
        self.env.write_config(extra_server="admin_tokens = tokens\n")

    def tearDown(self):
        self.env.cleanup()

    def test_check_and_serve_name_each_line(self):
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        want = ["%s:3: unknown role 'superuser'" % self.path,
                "%s:4: token 'alice' is named twice (first on line 2)"
                % self.path,
                "%s:5: the third field must be the token's SHA-256"
                % self.path,
                "%s:6: the name 'local' is the admin token file's"
                % self.path,
                "%s:7: want three fields" % self.path]
        for w in want:
            self.assertIn(w, p.err)
        self.assertNotIn("%s:2:" % self.path, p.err)
        # serve refuses to start, naming the same lines
        with self.assertRaises(RuntimeError) as cm:
            self.env.start()
        self.assertIn("%s:3: unknown role 'superuser'" % self.path,
                      str(cm.exception))


class SchemaMigration(unittest.TestCase):
    """A state dir of schema 5 (c6a71ee's) is brought to 6 on start: the
    audit table is added, nothing else changes; a database that has the
    table but still says 5 (the step run twice) starts too."""

    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.cleanup()

    def test_from_v5(self):
        env = self.env
        env.start()
        env.arm("h1")
        env.stop()
        # schema 5 had none of the tables of 6 (audit), 7 (leases,
        # site_actions) and 8 (site_actions.status)
        env.sql("DROP TABLE audit")
        env.sql("DROP TABLE leases")
        env.sql("DROP TABLE site_actions")
        env.schema_version(5)
        events = env.sql("SELECT count(*) FROM events")[0][0]
        env.start()
        # to the newest schema (8 since issue 16's queued site actions)
        self.assertIn("database schema upgraded to version 8",
                      env.log_text())
        self.assertEqual(env.state_of("h1"), "armed")
        r = env.api("POST", "/hosts/h1/disarm")
        self.assertEqual(r.status, 200, r)
        doc = env.api("GET", "/audit").json()
        self.assertEqual([(e["action"], e["status"]) for e in doc["audit"]],
                         [("disarm", 200)])
        env.stop()
        self.assertEqual(env.schema_version(), 8)
        self.assertGreater(env.sql("SELECT count(*) FROM events")[0][0],
                           events)
        # the v6 step again on a database that has the table (v8's
        # column is added once: its table goes, v7 makes it again)
        env.sql("DROP TABLE site_actions")
        env.schema_version(5)
        env.start()
        doc = env.api("GET", "/audit").json()
        self.assertEqual(len(doc["audit"]), 1)
