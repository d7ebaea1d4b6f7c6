"""The command line as an operator and their scripts use it: --help for
every command, --json for every read command, -v for every command, the
exit codes, and where the server's log lines go (stderr, or syslog with
`serve --syslog` / `log = syslog`)."""
import json
import os
import re
import socket
import subprocess
import threading
import time
import unittest

import harness

COMMANDS = ["check", "render", "serve", "init-tftp", "arm", "disarm", "hosts",
            "precheck", "upgrade", "status", "retry", "abort", "rebuild",
            "install", "jobs", "recover", "reload", "version"]
# issue 14: named admin tokens and the audit log
COMMANDS += ["token", "audit"]
# issue 16: the sites, their active instances and queues
COMMANDS += ["sites"]


def run(*argv, env=None, timeout=30):
    p = subprocess.run([harness.poolboot_bin()] + list(argv),
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout, env=env or harness.clean_env())
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    if harness.SANITIZER_RE.search(p.err):
        raise AssertionError("sanitizer report from %s:\n%s" % (argv, p.err))
    return p


class HelpTest(unittest.TestCase):
    def test_every_command_has_help(self):
        # the list in `poolboot --help` is the list of commands
        main = run("--help")
        self.assertEqual(main.returncode, 0)
        listed = re.findall(r"^  ([a-z][a-z-]+) +\S", main.out.split(
            "commands:")[1].split("\n\n")[0], re.M)
        self.assertEqual(sorted(listed), sorted(COMMANDS))
        self.assertIn("exit codes", main.out)
        for cmd in COMMANDS:
            for argv in ((cmd, "--help"), ("help", cmd), (cmd, "-h")):
                p = run(*argv)
                self.assertEqual(p.returncode, 0, "%s: %d %s" % (
                    argv, p.returncode, p.err))
                self.assertTrue(p.out.startswith("usage: poolboot " + cmd),
                                "%s: %r" % (argv, p.out[:80]))
                self.assertIn("exit status: 0 success", p.out, argv)
                self.assertEqual(p.err, "", argv)

    def test_usage_errors_exit_2(self):
        for argv in ((), ("check", "--no-such-option"),
                     ("render",), ("arm",), ("arm", "a", "b")):
            p = run(*argv)
            self.assertEqual(p.returncode, 2, "%s: %d" % (argv, p.returncode))
            self.assertIn("usage:", p.err, argv)
            self.assertEqual(p.out, "", argv)
        # an unknown command: the error line and where the commands are
        # (test_cli_ux.py has the details)
        p = run("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", p.err)
        self.assertIn("poolboot --help", p.err)
        self.assertEqual(p.out, "")
        p = run("jobs", "retry", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a job id", p.err)


class JsonTest(unittest.TestCase):
    """Every read command's --json output is one JSON document on stdout."""

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def json_of(self, *args, rc=0):
        p = self.env.cli(*args)
        self.assertEqual(p.returncode, rc, "poolboot %s: %d\n%s%s" % (
            " ".join(args), p.returncode, p.out, p.err))
        try:
            return json.loads(p.out)
        except ValueError as e:
            self.fail("poolboot %s --json is not JSON (%s):\n%s"
                      % (" ".join(args), e, p.out))

    def test_version(self):
        d = self.json_of("version", "--json", rc=0)
        self.assertEqual(d["name"], "poolboot")
        self.assertRegex(d["version"], r"^\d+\.\d+")
        plain = self.env.cli("version", conf=False)
        self.assertEqual(plain.out.strip(), "poolboot " + d["version"])

    def test_check(self):
        d = self.json_of("check", "--json")
        self.assertIs(d["ok"], True)
        self.assertEqual(d["problems"], [])
        self.assertEqual(d["hosts"], 3)
        self.assertEqual([r["name"] for r in d["repos"]], ["xs82"])
        self.assertEqual(d["repos"][0]["product_version"], "8.2.1")
        self.assertIsInstance(d["notes"], list)
        self.assertIsInstance(d["warnings"], list)

    def test_check_with_problems(self):
        bad = os.path.join(self.env.dir, "bad.conf")
        with open(self.env.conf) as f:
            text = f.read()
        harness.write(bad, text.replace("mac = 52:54:00:00:00:01",
                                        "mac = 01:00:5e:00:00:01") +
                      "\n[host x]\nbogus = 1\n")
        p = run("check", "-c", bad, "--json")
        self.assertEqual(p.returncode, 1, p.err)
        self.assertEqual(p.err, "", "--json prints nothing else")
        d = json.loads(p.out)
        self.assertIs(d["ok"], False)
        text = "\n".join(d["problems"])
        self.assertIn("multicast", text.lower())
        self.assertTrue(all(l.startswith(bad + ":") for l in
                            d["problems"]), d["problems"])
        self.assertIn("bogus", text)
        self.assertGreaterEqual(len(d["problems"]), 2)

    def test_render(self):
        d = self.json_of("render", "h1", "--json")
        self.assertEqual(d["host"], "h1")
        self.assertEqual(d["mode"], "upgrade")
        self.assertIn("answerfile=", d["pxelinux"])
        root = harness.parse_xml(d["answerfile"].encode())
        self.assertEqual(root.tag, "installation")
        self.assertTrue(d["script"].startswith("#!/bin/sh"))
        self.assertTrue(d["pxelinux_file"].endswith(
            "pxelinux.cfg/01-52-54-00-00-00-01"))
        only = self.json_of("render", "h1", "--answerfile", "--json")
        self.assertIn("answerfile", only)
        self.assertNotIn("script", only)
        self.assertNotIn("pxelinux", only)

    def test_hosts(self):
        d = self.json_of("hosts", "--json")
        self.assertEqual(sorted(h["name"] for h in d), ["h1", "h2", "new1"])

    def test_server_read_commands(self):
        self.env.start()
        try:
            d = self.json_of("status", "--json")
            self.assertEqual(sorted(p["pool"] for p in d["pools"]),
                             ["poolA"])
            d = self.json_of("status", "poolA", "--json")
            self.assertEqual(d["pools"][0]["pool"], "poolA")
            d = self.json_of("jobs", "--json")
            self.assertEqual(d["jobs"], [])
            d = self.json_of("arm", "h1", "--json")
            self.assertEqual(d["mode"], "upgrade")
            d = self.json_of("hosts", "--json")
            self.assertEqual({h["name"]: h["state"] for h in d}["h1"],
                             "armed")
            d = self.json_of("disarm", "h1", "--json")
            self.assertIsInstance(d, dict)
        finally:
            self.env.stop()

    def test_server_down_exit_3(self):
        p = self.env.cli("status", "--json")
        self.assertEqual(p.returncode, 3, p.err)
        p = self.env.cli("arm", "h1")
        self.assertEqual(p.returncode, 3, p.err)


class VerboseTest(unittest.TestCase):
    def test_v_accepted_by_every_command(self):
        env = harness.Env()
        try:
            for argv in (("check", "-v"), ("check", "-vv"),
                         ("render", "h1", "-v"), ("hosts", "-v"),
                         ("version", "-v"), ("init-tftp", "-v")):
                p = env.cli(*argv)
                self.assertNotEqual(p.returncode, 2, "%s: usage error %s"
                                    % (argv, p.err))
            # the commands that need the server: -v changes nothing but
            # the log, and they say the server is down (3)
            for argv in (("status", "-v"), ("jobs", "-vv"),
                         ("arm", "h1", "-v"), ("disarm", "h1", "-v"),
                         ("precheck", "poolA", "-v"),
                         ("upgrade", "poolA", "-v"), ("retry", "poolA", "-v"),
                         ("abort", "poolA", "-v"),
                         ("rebuild", "h1", "--wipe", "-v"),
                         ("install", "new1", "--wipe", "-v")):
                p = env.cli(*argv)
                self.assertEqual(p.returncode, 3, "%s: %d %s"
                                 % (argv, p.returncode, p.err))
        finally:
            env.cleanup()

    def debug_run(self, *opts):
        """serve with opts; one malformed request (libmicrohttpd's
        complaint about it is a debug line); returns stderr."""
        env = harness.Env()
        try:
            p = subprocess.Popen([harness.poolboot_bin(), "serve", "-c",
                                  env.conf] + list(opts),
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE,
                                 env=harness.clean_env())
            try:
                wait_http(env)
                s = socket.create_connection(("127.0.0.1", env.port))
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n")
                self.assertIn(b" 400 ", s.recv(200))
                s.close()
                time.sleep(0.2)
            finally:
                p.terminate()
                _, err = p.communicate(timeout=10)
            self.assertEqual(p.returncode, 0)
            return err.decode()
        finally:
            env.cleanup()

    def test_v_shows_debug_lines(self):
        self.assertNotIn("libmicrohttpd: ", self.debug_run())
        self.assertIn("http: libmicrohttpd: ", self.debug_run("-v"))
        self.assertIn("http: libmicrohttpd: ", self.debug_run("-vv"))


def wait_http(env, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            env.get("/metrics", timeout=2)
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not answer")


class LoggingTest(unittest.TestCase):
    """Foreground: stderr. --syslog or log = syslog: the syslog socket
    (here a datagram socket in the test's folder, named by
    POOLBOOT_SYSLOG_SOCKET) and nothing on stderr."""

    def setUp(self):
        self.env = harness.Env()
        self.sock_path = os.path.join(self.env.dir, "log.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        self.lines = []
        self.reader = None
        self.stop_reading = False

    def tearDown(self):
        self.stop_reading = True
        if self.reader is not None:
            self.reader.join(5)
        self.sock.close()
        self.env.cleanup()

    def drain(self):
        """Reads the socket in a thread, as a syslog daemon does."""
        def loop():
            while not self.stop_reading:
                try:
                    self.lines.append(self.sock.recv(65536).decode())
                except socket.timeout:
                    continue
                except OSError:
                    return
        self.sock.settimeout(0.1)
        self.reader = threading.Thread(target=loop, daemon=True)
        self.reader.start()

    def popen(self, *extra):
        env = harness.clean_env()
        env["POOLBOOT_SYSLOG_SOCKET"] = self.sock_path
        return subprocess.Popen([harness.poolboot_bin(), "serve", "-c",
                                 self.env.conf] + list(extra),
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)

    def serve(self, *extra):
        self.drain()
        p = self.popen(*extra)
        try:
            wait_http(self.env)
            tok = self.env.arm("h1")
            self.env.get(self.env.host_path("h1", tok, "answerfile"))
            self.env.request("POST", self.env.host_path("h1", tok,
                                                        "callback/0"))
        finally:
            p.terminate()
            out, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 0, err)
        time.sleep(0.3)
        return out.decode(), err.decode(), list(self.lines)

    def check_syslog(self, out, err, lines, tok_hint=None):
        self.assertEqual(err, "", "serve wrote to stderr with syslog on")
        self.assertEqual(out, "")
        self.assertTrue(lines, "nothing reached the syslog socket")
        for l in lines:
            # RFC 3164: <PRI>TIMESTAMP poolboot[PID]: subsys: message,
            # facility daemon (3): PRI = 24 + severity
            m = re.match(r"<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d "
                         r"poolboot\[(\d+)\]: ([a-z]+): ", l)
            self.assertIsNotNone(m, l)
            self.assertEqual(int(m.group(1)) // 8, 3, l)
        text = "\n".join(lines)
        self.assertIn("arm: pool poolA: host h1: armed for upgrade", text)
        self.assertIn("arm: pool poolA: host h1: upgrade install done", text)
        self.assertRegex(text, r'http: 127\.0\.0\.1 "POST '
                               r'/hosts/h1/\*\*\*/callback/0" 200')
        self.assertIn("serve: signal 15: shutting down", text)
        for t in re.findall(r"[0-9a-f]{40}", text):
            self.fail("a token-like string reached syslog: " + t)

    def test_foreground_logs_to_stderr(self):
        out, err, lines = self.serve()
        self.assertEqual(lines, [])
        self.assertIn("arm: pool poolA: host h1: armed for upgrade", err)
        self.assertIn("serve: signal 15: shutting down", err)

    def test_syslog_option(self):
        self.check_syslog(*self.serve("--syslog"))

    def test_syslog_from_config(self):
        self.env.write_config(extra_server="log = syslog")
        self.check_syslog(*self.serve())

    def test_stuck_syslog_does_not_stop_the_server(self):
        """Nobody reads the syslog socket (a hung syslog daemon): requests
        are still answered promptly, and once it reads again poolboot says
        how many lines were lost."""
        p = self.popen("--syslog")
        try:
            wait_http(self.env)
            t0 = time.time()
            for _ in range(40):     # far more lines than the socket queues
                self.assertEqual(self.env.get("/repo/xs82/.treeinfo",
                                              timeout=5).status, 200)
            self.assertLess(time.time() - t0, 5.0,
                            "a full syslog socket slowed the server down")
            # the log's writer waits 200 ms for a full socket before it
            # drops lines (log.c): a shorter stall loses nothing
            time.sleep(0.6)
            self.drain()
            time.sleep(0.3)
            self.env.get("/repo/xs82/.treeinfo")
            time.sleep(0.3)
        finally:
            p.terminate()
            _, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(err, b"")
        text = "\n".join(self.lines)
        m = re.search(r"poolboot\[\d+\]: log: (\d+) lines dropped", text)
        self.assertIsNotNone(m, text[-2000:])
        self.assertGreater(int(m.group(1)), 10)

    def test_bad_log_value(self):
        self.env.write_config(extra_server="log = journal")
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.err, r"poolboot\.conf:\d+: log: 'journal'")


if __name__ == "__main__":
    unittest.main()
