"""What an operator notices when they get the command line wrong or the
server is not there (issue 14): one error line first for usage mistakes
(with a "did you mean"), one JSON error shape {error, exit} for every
--json command, times in ms in every --json output, `hosts --pool`, and
"serve is not running" when it never ran."""
import json
import os
import time
import unittest

import harness
from test_cli import run


class UsageMistakeTest(unittest.TestCase):
    def test_unknown_command_one_line_and_suggestion(self):
        p = run("stauts")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.out, "")
        lines = p.err.splitlines()
        self.assertEqual(lines[0], "poolboot: unknown command 'stauts' "
                         "(did you mean 'status'?)")
        self.assertEqual(lines[1:], ["Run 'poolboot --help' for the "
                                     "commands."])
        self.assertNotIn("commands:", p.err, "not the whole help")

    def test_unknown_command_far_from_any_has_no_suggestion(self):
        p = run("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.err.splitlines()[0],
                         "poolboot: unknown command 'frobnicate'")

    def test_missing_and_extra_arguments(self):
        for argv, first in ((("arm",), "poolboot arm: missing HOST"),
                            (("precheck",), "poolboot precheck: missing POOL"),
                            (("status", "poolA", "x"),
                             "poolboot status: unexpected argument 'x'"),
                            (("hosts", "x"),
                             "poolboot hosts: unexpected argument 'x'"),
                            (("jobs", "retry"), "poolboot jobs: missing ID"),
                            (("jobs", "frob", "1"), "poolboot jobs: unknown "
                             "action 'frob' (want retry or abort)"),
                            (("check", "--no-such"),
                             "poolboot check: unknown option '--no-such'"),
                            (("hosts", "--pool"), "poolboot hosts: option "
                             "'--pool' needs a value"),
                            (("status", "--pool", "poolA"), "poolboot status: "
                             "option '--pool' is only for hosts")):
            p = run(*argv)
            self.assertEqual(p.returncode, 2, argv)
            self.assertEqual(p.out, "", argv)
            lines = p.err.splitlines()
            self.assertEqual(lines[0], first, argv)
            self.assertEqual(lines[-1], "Run 'poolboot %s --help' for more."
                             % argv[0], argv)
            self.assertLessEqual(len(lines), 3, "not the whole help: %r"
                                 % p.err)


class JsonErrorTest(unittest.TestCase):
    """Every --json command that fails prints {"error": ..., "exit": N} on
    stdout, and the error as text on stderr."""

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def json_error(self, args, rc):
        p = self.env.cli(*args)
        self.assertEqual(p.returncode, rc, "%s: %d %s" % (args, p.returncode,
                                                          p.err))
        try:
            d = json.loads(p.out)
        except ValueError:
            self.fail("%s: stdout is not JSON: %r (stderr %r)"
                      % (args, p.out, p.err))
        self.assertIsInstance(d.get("error"), str, args)
        self.assertTrue(d["error"], args)
        self.assertEqual(d["exit"], rc, args)
        self.assertIn(d["error"].split(" (")[0][:30], p.err, args)
        return d

    def test_usage_errors(self):
        self.json_error(("stauts", "--json"), 2)
        self.json_error(("arm", "--json"), 2)
        self.json_error(("status", "a", "b", "--json"), 2)
        self.json_error(("arm", "bad/name", "--json"), 2)

    def test_server_not_running(self):
        for args in (("status", "--json"), ("arm", "h1", "--json"),
                     ("disarm", "h1", "--json"), ("jobs", "--json"),
                     ("precheck", "poolA", "--json"),
                     ("upgrade", "poolA", "--json"),
                     ("retry", "poolA", "--json"),
                     ("rebuild", "h1", "--wipe", "--json")):
            d = self.json_error(args, 3)
            self.assertIn("not running", d["error"], args)

    def test_refused_by_the_server(self):
        self.env.start()
        try:
            d = self.json_error(("arm", "nosuch", "--json"), 1)
            self.assertIn("nosuch", d["error"])
            d = self.json_error(("precheck", "nopool", "--json"), 1)
            self.assertIn("nopool", d["error"])
            d = self.json_error(("status", "nopool", "--json"), 1)
            self.assertIn("nopool", d["error"])
            self.json_error(("retry", "poolA", "--json"), 1)
            self.json_error(("jobs", "abort", "99", "--json"), 1)
            self.json_error(("rebuild", "h1", "--json"), 1)  # no --wipe
        finally:
            self.env.stop()

    def test_local_commands(self):
        d = self.json_error(("render", "nosuch", "--json"), 1)
        self.assertIn("no host 'nosuch'", d["error"])
        bad = os.path.join(self.env.dir, "bad.conf")
        with open(bad, "w") as f:
            f.write("[server]\nlisten = nonsense\n")
        for args in (("render", "h1"), ("hosts",), ("status",)):
            p = run(args[0], "-c", bad, *args[1:], "--json")
            self.assertEqual(p.returncode, 1, args)
            d = json.loads(p.out)
            self.assertIn(bad, d["error"], args)
            self.assertEqual(d["exit"], 1, args)

    def test_unknown_pool_for_hosts(self):
        d = self.json_error(("hosts", "--pool", "nopool", "--json"), 1)
        self.assertIn("nopool", d["error"])


class ServeNeverRanTest(unittest.TestCase):
    def test_names_the_address_not_the_token_file(self):
        env = harness.Env()
        try:
            self.assertFalse(os.path.exists(os.path.join(env.state,
                                                         "admin.token")))
            p = env.cli("status")
            self.assertEqual(p.returncode, 3, p.err)
            self.assertIn("poolboot serve is not running (cannot connect to "
                          "127.0.0.1:%d" % env.admin_port, p.err)
            self.assertNotIn("token", p.err)
            # a running server with its token file gone: the token file
            # is what is wrong, and it is said
            env.start()
            os.unlink(os.path.join(env.state, "admin.token"))
            p = env.cli("status")
            self.assertEqual(p.returncode, 3, p.err)
            self.assertIn("cannot read admin token file", p.err)
        finally:
            env.cleanup()


class HostsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        cls.env.write_config(extra_hosts="[pool poolB]\n"
                             "xapi = https://192.0.2.20\n"
                             "username = root\n"
                             "password_file = %s\n"
                             "repo = xs82\n\n"
                             "[host b1]\n"
                             "pool = poolB\n"
                             "mac = 52:54:00:00:00:09\n"
                             "disk = sda\n\n" % cls.env.pool_pw)

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def test_pool_filter(self):
        p = self.env.cli("hosts", "--pool", "poolA", "--json")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(sorted(h["name"] for h in json.loads(p.out)),
                         ["h1", "h2"])
        p = self.env.cli("hosts", "--pool", "poolB")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("b1", p.out)
        self.assertNotIn("h1", p.out)
        p = self.env.cli("hosts")
        self.assertIn("b1", p.out)
        self.assertIn("h1", p.out)

    def test_unknown_pool(self):
        p = self.env.cli("hosts", "--pool", "nopool")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.out, "")
        self.assertIn("no pool named 'nopool'", p.err)

    def test_times_in_ms(self):
        # status --json has ms; hosts --json's last_event_at too
        self.env.start()
        try:
            before = time.time()
            p = self.env.cli("arm", "h1")
            self.assertEqual(p.returncode, 0, p.err)
            p = self.env.cli("hosts", "--json")
            t = {h["name"]: h for h in json.loads(p.out)}["h1"][
                "last_event_at"]
            self.assertGreaterEqual(t, int(before) * 1000)
            self.assertLessEqual(t, (time.time() + 1) * 1000)
        finally:
            self.env.stop()


if __name__ == "__main__":
    unittest.main()
