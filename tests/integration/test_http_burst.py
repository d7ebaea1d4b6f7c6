"""A burst of requests on many open connections, as a boot storm's
installers send them: every request is answered within seconds.

libmicrohttpd 0.9.75's epoll loop (MHD_epoll in its daemon.c) calls
epoll_wait again with its full timeout while the previous call returned
its maximum of 128 events, before it handles those 128. When exactly 128
(or 256, ...) connections of one worker thread are readable and nothing
else happens, the worker sleeps on the answers it has not sent until a
connection closes or the 60 s idle timeout passes: the "512-connection
collapse" of the repo benchmark (docs/performance.md). With one worker
(http_threads = 1) 128 requests at once are enough; with several workers
it takes one worker holding a multiple of 128 ready connections, which
is why the benchmark saw it only now and then.

poolboot keeps each listener thread below 128 connections (http.c,
HTTP_CONNS_PER_THREAD): with http_threads = 1 and the default
max_connections it runs more threads. Against a poolboot without that,
0 of the 128 requests of the first burst were answered."""
import os
import signal
import socket
import time
import unittest

import harness

CONNS = 128          # libmicrohttpd's MAX_EVENTS
ANSWER_WITHIN = 5.0  # seconds; a frozen worker waits up to 60


class HttpBurstTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env(extra_server="http_threads = 1\n"
                              "per_ip_connections = 0\n")
        try:
            harness.write(cls.env.repo + "/Packages/burst.rpm", b"x" * 3000)
            time.sleep(2.5)     # old enough for the small-file cache
            cls.env.start()
        except Exception:
            cls.env.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def burst(self):
        """Opens CONNS connections, lets the server accept them, sends
        one request on each at once; returns how many were answered
        within ANSWER_WITHIN seconds."""
        socks = []
        try:
            for _ in range(CONNS):
                s = socket.create_connection(("127.0.0.1", self.env.port),
                                             timeout=5)
                socks.append(s)
            time.sleep(0.5)     # every connection accepted, none ready
            req = (b"GET /repo/xs82/Packages/burst.rpm HTTP/1.1\r\n"
                   b"Host: 127.0.0.1\r\n\r\n")
            # all CONNS requests arrive while the server is stopped, so
            # that its next epoll_wait finds them together, as a storm's
            # installers' requests come during a busy moment
            os.kill(self.env.proc.pid, signal.SIGSTOP)
            try:
                for s in socks:
                    s.sendall(req)
                time.sleep(0.2)
            finally:
                os.kill(self.env.proc.pid, signal.SIGCONT)
            deadline = time.monotonic() + ANSWER_WITHIN
            answered = 0
            for s in socks:
                got = b""
                while b"\r\n\r\n" not in got or len(got) < 3000:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    s.settimeout(left)
                    try:
                        chunk = s.recv(65536)
                    except socket.timeout:
                        break
                    if not chunk:
                        break
                    got += chunk
                if got.startswith(b"HTTP/1.1 200") and len(got) >= 3000:
                    answered += 1
            return answered
        finally:
            for s in socks:     # closing wakes a frozen worker
                s.close()

    def test_bursts_of_128_requests_all_answered(self):
        for _ in range(5):
            self.assertEqual(self.burst(), CONNS)


if __name__ == "__main__":
    unittest.main()
