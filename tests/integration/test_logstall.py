"""A stalled log reader must not stop the server (issue 15: one benchmark
round at 512 connections fell to 342 req/s because every request wrote
its log line with a blocking write(2) to stderr, and the reader of
stderr was slow). Here `poolboot serve` writes stderr into a pipe read by
`cat`; the test stops `cat` while 64 clients fetch repo files, and the
server must go on answering, drop log lines rather than wait, close no
connection for a delay that was its own, and say how many lines it
dropped once the reader is back. Also: a connection refused by
per_ip_connections is counted and warned about, and a server stopped
(SIGSTOP) for longer than header_timeout does not close the connections
it failed to read."""
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

import harness

FILES = ["/repo/xs82/.treeinfo", "/repo/xs82/Packages/some.rpm",
         "/repo/xs82/repodata/repomd.xml"]
DROPPED_RE = re.compile(r"log: warning: (\d+) lines? dropped \(the log's "
                        r"reader was too slow\)")


def metric(env, name, labels=""):
    """The value of one sample of GET /metrics (None if absent)."""
    text = env.get("/metrics", timeout=10).body.decode()
    m = re.search(r"^%s%s (\d+)$" % (re.escape(name), re.escape(labels)),
                  text, re.M)
    return int(m.group(1)) if m else None


def start_piped(env, timeout=10.0):
    """Starts serve with stderr (and stdout) into a pipe that `cat` copies
    to env.log_path; env.cat is that cat."""
    env.logf = open(env.log_path, "ab")
    r, w = os.pipe()
    env.cat = subprocess.Popen(["cat"], stdin=r, stdout=env.logf)
    os.close(r)
    env.proc = subprocess.Popen(
        [harness.poolboot_bin(), "serve", "-c", env.conf],
        stdin=subprocess.DEVNULL, stdout=w, stderr=w, cwd=env.dir,
        env=harness.clean_env())
    os.close(w)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if env.proc.poll() is not None:
            raise RuntimeError("serve exited:\n%s" % env.log_tail())
        try:
            env.request("GET", "/", timeout=2)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("serve did not answer:\n%s" % env.log_tail())


class Load:
    """n threads, each on its own keep-alive connection, fetching repo
    files in a loop; answered requests are time-stamped."""

    def __init__(self, port, n=64):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.times = []
        self.errors = []
        self.threads = [threading.Thread(target=self.run, args=(i,),
                                         daemon=True) for i in range(n)]

    def run(self, i):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=8)
        k = i
        while not self.stop.is_set():
            try:
                c.request("GET", FILES[k % len(FILES)])
                r = c.getresponse()
                r.read()
                if r.status != 200:
                    raise OSError("status %d" % r.status)
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    if len(self.errors) < 20:
                        self.errors.append(repr(e))
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=8)
                continue
            with self.lock:
                self.times.append(time.monotonic())
            k += 1
        c.close()

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(20)

    def between(self, t0, t1):
        with self.lock:
            return sum(1 for t in self.times if t0 <= t < t1)


class LogStallTest(unittest.TestCase):
    def setUp(self):
        # header_timeout 2: the old server, frozen in its log, closed
        # connections it had not read after this long
        self.env = harness.Env(extra_server="header_timeout = 2\n"
                               "per_ip_connections = 0")
        self.env.cat = None
        try:
            start_piped(self.env)
        except Exception:
            self.tearDown()
            raise

    def tearDown(self):
        cat = self.env.cat
        if cat is not None:
            cat.send_signal(signal.SIGCONT)
        self.env.cleanup()
        if cat is not None:
            cat.wait(10)

    def test_requests_go_on_while_the_log_reader_is_stopped(self):
        env = self.env
        load = Load(env.port)
        load.start()
        try:
            time.sleep(1.5)
            t_stop = time.monotonic()
            env.cat.send_signal(signal.SIGSTOP)
            before = load.between(t_stop - 1.0, t_stop)
            # the pipe (64 KiB) is full within a fraction of a second;
            # then 3 s with the reader stopped, longer than header_timeout
            time.sleep(3.5)
            stalled = load.between(t_stop + 0.5, t_stop + 3.5) / 3.0
        finally:
            load.finish()
        self.assertGreater(before, 100, "the load itself is too slow")
        self.assertGreater(stalled, max(100.0, 0.2 * before),
                           "%.0f req/s with the log's reader stopped, %d "
                           "req/s before" % (stalled, before))
        self.assertEqual(load.errors, [], "requests failed while the log's "
                         "reader was stopped")
        self.assertEqual(metric(env, "poolboot_http_reaped_connections_total",
                                '{listener="install"}'), 0)

        # the reader is back: the gap is reported, and the counts add up
        env.cat.send_signal(signal.SIGCONT)
        dropped_lines = []
        deadline = time.time() + 10
        while time.time() < deadline and not dropped_lines:
            dropped_lines = DROPPED_RE.findall(env.log_text())
            time.sleep(0.2)
        self.assertTrue(dropped_lines, "no 'lines dropped' line:\n%s"
                        % env.log_tail())
        dropped = sum(int(n) for n in dropped_lines)
        self.assertEqual(metric(env, "poolboot_log_dropped_lines_total"),
                         dropped)
        env.stop()	# every queued line written before serve exits
        env.cat.wait(10)
        text = env.log_text()
        logged = len(re.findall(r'"GET /repo/xs82/', text))
        # every answered request is either in the log or counted missing
        self.assertGreaterEqual(logged + dropped, len(load.times))
        self.assertNotIn("did not send a whole request", text)
        self.assertIn("serve: signal 15: shutting down", text)


class StoppedServerTest(unittest.TestCase):
    """The whole server stopped (SIGSTOP, a debugger, a starved VM) for
    longer than header_timeout: the requests that arrived meanwhile are
    answered, not closed as too slow."""

    def setUp(self):
        self.env = harness.Env(extra_server="header_timeout = 1")
        self.env.start()

    def tearDown(self):
        if self.env.proc is not None:
            self.env.proc.send_signal(signal.SIGCONT)
        self.env.cleanup()

    def test_requests_sent_while_stopped_are_answered(self):
        env = self.env
        conns = []
        for _ in range(20):
            c = http.client.HTTPConnection("127.0.0.1", env.port, timeout=10)
            c.request("GET", FILES[0])
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            conns.append(c)
        env.proc.send_signal(signal.SIGSTOP)
        try:
            for c in conns:
                c.request("GET", FILES[2])
            time.sleep(2.5)
        finally:
            env.proc.send_signal(signal.SIGCONT)
        for c in conns:
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            c.close()
        self.assertEqual(metric(env, "poolboot_http_reaped_connections_total",
                                '{listener="install"}'), 0)
        late = re.compile(r"http: warning: install listener: the connection "
                          r"reaper ran \d+ ms late")
        self.assertRegex(harness.settled(env.log_text, late.search), late)


class RefusedConnectionTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env(extra_server="per_ip_connections = 2")
        self.env.start()

    def tearDown(self):
        self.env.cleanup()

    def test_third_connection_refused_counted_and_warned(self):
        env = self.env
        time.sleep(0.5)		# the start-up probe's connection is gone
        held = [socket.create_connection(("127.0.0.1", env.port))
                for _ in range(2)]
        try:
            time.sleep(0.3)
            third = socket.create_connection(("127.0.0.1", env.port))
            third.settimeout(5)
            try:
                third.sendall(b"GET /repo/xs82/.treeinfo HTTP/1.1\r\n"
                              b"Host: x\r\n\r\n")
                got = third.recv(100)
            except OSError:
                got = b""	# reset: refused
            finally:
                third.close()
            self.assertEqual(got, b"", "the third connection was served")
        finally:
            for s in held:
                s.close()
        self.assertEqual(metric(env, "poolboot_http_refused_connections_total",
                                '{listener="install"}'), 1)
        warning = ("http: warning: install listener: refused 1 connection "
                   "from an address that already had per_ip_connections "
                   "= 2")
        self.assertIn(warning, harness.settled(env.log_text,
                                               lambda t: warning in t))
        # a fourth, after the two closed, is served again
        self.assertEqual(env.get(FILES[0]).status, 200)


if __name__ == "__main__":
    unittest.main()
