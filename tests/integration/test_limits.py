"""Connection limits on the install listener: one address holding
thousands of slow or idle connections (slowloris) must not stop another
address's installer from fetching the repo, its answerfile and posting
its callback; a connection that dribbles its request headers is closed
at the header deadline however often it sends a byte."""
import errno
import os
import resource
import select
import socket
import threading
import time
import unittest

import harness

ATTACKER = "127.0.0.2"
PARTIAL = b"GET /repo/xs82/.treeinfo HTTP/1.1\r\nHost: x\r\n"


def raise_nofile(want):
    """The soft open-file limit up to want (never past the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return
    new = want if hard == resource.RLIM_INFINITY else min(want, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def connect_many(n, source, port, timeout=10.0):
    """n TCP connections from source to 127.0.0.1:port, connected (three-way
    handshake done, whether or not the server has accepted them yet).
    Returns the sockets; the caller closes them."""
    socks, pending = [], {}
    poller = select.poll()
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((source, 0))
            s.setblocking(False)
            rc = s.connect_ex(("127.0.0.1", port))
            if rc == errno.EINPROGRESS:
                pending[s.fileno()] = s
                poller.register(s, select.POLLOUT)
            elif rc != 0:
                raise OSError(rc, os.strerror(rc))
        deadline = time.time() + timeout
        while pending and time.time() < deadline:
            for fd, _ in poller.poll(200):
                poller.unregister(fd)
                pending.pop(fd, None)
        if pending:
            raise AssertionError("%d of %d connections from %s did not "
                                 "connect within %.0f s"
                                 % (len(pending), n, source, timeout))
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def send_quiet(s, data):
    """Sends what fits; a connection the server closed is not an error
    here (that is what the server may do to an abuser)."""
    try:
        s.send(data)
        return True
    except OSError:
        return False


class Dribbler(threading.Thread):
    """Sends one more header byte on each slow socket every interval: the
    request never completes, yet the connection is never idle."""

    def __init__(self, socks, interval=0.5):
        super().__init__(daemon=True)
        self.socks = list(socks)
        self.interval = interval
        self.stop = threading.Event()

    def run(self):
        i = 0
        while not self.stop.wait(self.interval):
            b = b"X-Slow-%d: y\r\n" % i
            for s in self.socks:
                send_quiet(s, b[i % len(b):i % len(b) + 1])
            i += 1


class SlowClientsTest(unittest.TestCase):
    N = 2000

    def setUp(self):
        raise_nofile(self.N + 500)
        self.env = harness.Env()
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def tearDown(self):
        self.env.cleanup()

    def timed(self, what, fn):
        t0 = time.time()
        try:
            r = fn()
        except OSError as e:
            self.fail("%s from 127.0.0.1 failed after %.2f s while %s held "
                      "%d connections: %r" % (what, time.time() - t0,
                                              ATTACKER, self.N, e))
        took = time.time() - t0
        self.assertLess(took, 1.0, "%s took %.2f s" % (what, took))
        return r

    def test_installer_served_while_one_address_holds_2000(self):
        env = self.env
        tok = env.arm("h1")
        socks = connect_many(self.N, ATTACKER, env.port)
        drip = Dribbler(socks[::2])
        try:
            # half of them send a partial request and then dribble, the
            # other half stay silent
            for s in socks[::2]:
                send_quiet(s, PARTIAL)
            drip.start()
            time.sleep(0.5)
            r = self.timed("GET .treeinfo", lambda: env.get(
                "/repo/xs82/.treeinfo", timeout=1))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body, harness.TREEINFO.encode())
            r = self.timed("GET answerfile", lambda: env.get(
                env.url_path(env.answerfile_url("h1")), timeout=1))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(harness.parse_xml(r.body).get("mode"),
                             "upgrade")
            r = self.timed("POST callback", lambda: env.request(
                "POST", env.host_path("h1", tok, "callback/0"), timeout=1))
            self.assertEqual(r.status, 200, r)
            self.assertTrue(harness.is_local_boot(env.read_pxe("h1")))
        finally:
            drip.stop.set()
            if drip.is_alive():
                drip.join()
            for s in socks:
                s.close()


def closed_within(s, seconds, drip=None, every=0.2):
    """Seconds until the server closed s (EOF or reset), sending one byte
    of drip every `every` s meanwhile; None if still open after seconds."""
    t0 = time.time()
    i = 0
    while time.time() - t0 < seconds:
        if drip is not None and not send_quiet(s, drip[i % len(drip):
                                                     i % len(drip) + 1]):
            return time.time() - t0
        i += 1
        r, _, _ = select.select([s], [], [], every)
        if r:
            try:
                if s.recv(4096) == b"":
                    return time.time() - t0
            except OSError:
                return time.time() - t0
    return None


class HeaderDeadlineTest(unittest.TestCase):
    """header_timeout = 2: a whole request within 2 s of the connection's
    opening (or of the previous answer), however busy the sender."""

    def setUp(self):
        self.env = harness.Env(extra_server="header_timeout = 2\n")
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def tearDown(self):
        self.env.cleanup()

    def connect(self, port=None):
        return socket.create_connection(
            ("127.0.0.1", port or self.env.port), timeout=5,
            source_address=(ATTACKER, 0))

    def test_dribbled_headers_are_cut_at_the_deadline(self):
        s = self.connect()
        try:
            s.sendall(b"GET /repo/xs82/.treeinfo HTTP/1.1\r\nHost: x\r\n")
            took = closed_within(s, 8, drip=b"X-Slow: yes\r\n")
        finally:
            s.close()
        self.assertIsNotNone(took, "a connection that sent a header byte "
                             "every 0.2 s was still open after 8 s")
        self.assertGreater(took, 1.5)
        self.assertLess(took, 4.0)

    def test_idle_connections_are_cut_on_both_listeners(self):
        for port in (self.env.port, self.env.admin_port):
            s = self.connect(port)
            try:
                took = closed_within(s, 8)
            finally:
                s.close()
            self.assertIsNotNone(took, "an idle connection to port %d was "
                                 "still open after 8 s" % port)
            self.assertGreater(took, 1.5)
            self.assertLess(took, 4.0)

    def test_a_request_in_time_is_answered_and_the_deadline_restarts(self):
        s = self.connect()
        try:
            req = b"GET /repo/xs82/.treeinfo HTTP/1.1\r\nHost: x\r\n\r\n"
            for i in range(len(req)):      # slowly, but within 2 s
                s.sendall(req[i:i + 1])
                time.sleep(1.2 / len(req))
            with s.makefile("rb") as f:
                self.assertIn(b" 200 ", f.readline())
                while f.readline() not in (b"\r\n", b""):
                    pass
                self.assertEqual(f.read(len(harness.TREEINFO)),
                                 harness.TREEINFO.encode())
            # kept alive, idle: closed 2 s after the answer
            took = closed_within(s, 8)
            self.assertIsNotNone(took, "idle keep-alive still open")
            self.assertLess(took, 4.0)
        finally:
            s.close()
