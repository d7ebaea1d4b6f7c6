#!/usr/bin/env python3
"""Soak test of `poolboot serve` (`make soak`; not part of `make check`).

    python3 tests/bench/soak.py [--connections 1000] [--duration 60]
                                [--json FILE]

Starts a real `poolboot serve` on loopback (a scratch folder, an unpacked
ISO look-alike, an inventory of armed hosts; nothing outside the folder
is touched and the server is stopped at the end) and holds --connections
keep-alive HTTP/1.1 connections for --duration seconds, each sending one
request after another, mixing what installers send:

  60 %  repo: .treeinfo, small files under Packages/, and 64 KB Range
        requests into a 32 MB install.img (200 or 206 expected);
  30 %  answerfile and installation-complete script of armed hosts (200
        expected: each host's fetches stay below boot_attempts, the
        client moves on to the next host, and to scripts when all are
        used);
  10 %  callbacks, one every 2 s per connection, each to a host of its own
        (200 expected; the host is then done).

The connections come from 100 loopback source addresses (127.0.0.2 and
up, 10 each), as installers come from many hosts. Anything else (another
status, a reset, a timeout of 30 s) is an error. Prints the requests and
errors per kind, the server's RSS (VmRSS) at the start, every 10 s and at
the end, and its open fds; exit 1 if there was any error, or if the RSS at
the end exceeds the RSS after the first 10 s by more than 20 % (the heap
settles while the first connections open).
"""
import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench  # noqa: E402  (its server, tree and arming helpers)
import harness  # noqa: E402

BOOT_ATTEMPTS = 20
TIMEOUT = 30.0
SOURCES = 100


class Conn:
    """One keep-alive HTTP/1.1 connection from a given source address."""

    def __init__(self, port, source):
        self.port = port
        self.source = source
        self.r = self.w = None

    async def open(self):
        self.r, self.w = await asyncio.open_connection(
            "127.0.0.1", self.port, local_addr=(self.source, 0))

    async def request(self, method, path, headers=None):
        if self.w is None:
            await self.open()
        h = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        body = "Content-Length: 0\r\n" if method == "POST" else ""
        self.w.write(("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n"
                      % (method, path, h, body)).encode())
        await self.w.drain()
        line = await self.r.readline()
        if not line:
            raise ConnectionError("connection closed by the server")
        status = int(line.split()[1])
        length, close = 0, False
        while True:
            line = await self.r.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v)
            elif k == "connection" and "close" in v.lower():
                close = True
        if length:
            await self.r.readexactly(length)
        if close:
            self.close()
        return status

    def close(self):
        if self.w is not None:
            self.w.close()
        self.r = self.w = None


class World:
    def __init__(self, work, ncallback, nanswer):
        self.dir = work
        repo = os.path.join(work, "iso")
        self.small = bench.make_iso_tree(repo, big_mb=32, nsmall=200)
        pw = os.path.join(work, "pool.pw")
        bench.write(pw, "secret\n", 0o600)
        self.port = bench.free_port()
        # the install listener's default limits, as in production (10
        # connections per source address here)
        text = bench.server_section(
            work, self.port, boot_attempts=BOOT_ATTEMPTS,
            per_ip_connections=32, max_connections=4096,
            template_dir=os.path.join(bench.REPO_ROOT, "templates"))
        text += ("[repo r]\npath = %s\n\n[pool rack]\n"
                 "xapi = https://192.0.2.10\nusername = root\n"
                 "password_file = %s\nrepo = r\n\n" % (repo, pw))
        text += bench.inventory(nanswer, prefix="a", x=0x21)
        text += bench.inventory(ncallback, prefix="c", x=0x22)
        self.pb = bench.Poolboot(work, text, self.port)
        self.answer_names = ["a%05d" % i for i in range(nanswer)]
        self.callback_names = ["c%05d" % i for i in range(ncallback)]
        self.mac = {}
        for prefix, x, names in (("a", 0x21, self.answer_names),
                                 ("c", 0x22, self.callback_names)):
            for i, n in enumerate(names):
                self.mac[n] = "52:54:%02x:%02x:%02x:%02x" % (
                    x, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)

    def arm_all(self):
        names = self.answer_names + self.callback_names
        bench.arm_via_api(self.port, self.pb.admin_token(), names)
        tftp = os.path.join(self.dir, "tftp")
        self.token = {n: bench.token_of(tftp, self.mac[n]) for n in names}


class Load:
    def __init__(self, world, deadline):
        self.w = world
        self.deadline = deadline
        self.count = {"repo": 0, "answerfile": 0, "script": 0,
                      "callback": 0}
        self.errors = {}
        self.samples = []
        self.fetches = {n: 0 for n in world.answer_names}
        self.next_answer = 0
        self.next_callback = 0

    def error(self, kind, what):
        key = "%s: %s" % (kind, what)
        self.errors[key] = self.errors.get(key, 0) + 1

    def repo_request(self, rnd):
        x = rnd.random()
        if x < 0.1:
            return "/repo/r/.treeinfo", None
        if x < 0.6:
            return "/repo/r/" + rnd.choice(self.w.small), None
        off = rnd.randrange(0, 32 * (1 << 20) - 65536)
        return "/repo/r/install.img", "bytes=%d-%d" % (off, off + 65535)

    def answer_request(self):
        """The next answerfile below boot_attempts, else a script."""
        names = self.w.answer_names
        for _ in range(len(names)):
            n = names[self.next_answer % len(names)]
            self.next_answer += 1
            if self.fetches[n] < BOOT_ATTEMPTS:
                self.fetches[n] += 1
                return "answerfile", "/hosts/%s/%s/answerfile" % (
                    n, self.w.token[n])
        n = random.choice(names)
        return "script", "/hosts/%s/%s/script" % (n, self.w.token[n])

    async def one(self, conn, kind, method, path, want, headers=None):
        try:
            st = await asyncio.wait_for(conn.request(method, path, headers),
                                        TIMEOUT)
        except (OSError, ConnectionError, asyncio.IncompleteReadError,
                ValueError, IndexError) as e:
            conn.close()
            self.error(kind, type(e).__name__)
            return
        except asyncio.TimeoutError:
            conn.close()
            self.error(kind, "timeout after %.0f s" % TIMEOUT)
            return
        self.count[kind] += 1
        if st not in want:
            self.error(kind, "HTTP %d" % st)

    async def client(self, i, role):
        rnd = random.Random(i)
        conn = Conn(self.w.port, "127.0.0.%d" % (2 + i % SOURCES))
        try:
            while time.monotonic() < self.deadline:
                if role == "repo":
                    path, rng = self.repo_request(rnd)
                    await self.one(conn, "repo", "GET", path,
                                   (206,) if rng else (200,),
                                   {"Range": rng} if rng else None)
                elif role == "answer":
                    kind, path = self.answer_request()
                    await self.one(conn, kind, "GET", path, (200,))
                else:
                    if self.next_callback >= len(self.w.callback_names):
                        kind, path = self.answer_request()
                        await self.one(conn, kind, "GET", path, (200,))
                    else:
                        n = self.w.callback_names[self.next_callback]
                        self.next_callback += 1
                        await self.one(conn, "callback", "POST",
                                       "/hosts/%s/%s/callback/0"
                                       % (n, self.w.token[n]), (200,))
                    await asyncio.sleep(2.0)
        finally:
            conn.close()

    async def sampler(self, pid, every):
        t0 = time.monotonic()
        while time.monotonic() < self.deadline:
            await asyncio.sleep(every)
            self.samples.append((round(time.monotonic() - t0),
                                 bench.rss_kb(pid), nfds(pid),
                                 sum(self.count.values())))

    async def run(self, nconn, pid):
        roles = (["repo"] * 6 + ["answer"] * 3 + ["callback"]) * (
            nconn // 10 + 1)
        tasks = [asyncio.create_task(self.client(i, roles[i]))
                 for i in range(nconn)]
        tasks.append(asyncio.create_task(self.sampler(pid, 10)))
        await asyncio.gather(*tasks)


def nfds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--json", default=os.path.join(bench.REPO_ROOT, "build",
                                                   "bench", "soak.json"))
    a = ap.parse_args()
    ncallback = a.connections // 10 * (a.duration // 2 + 3)
    work = tempfile.mkdtemp(prefix="pbsoak-")
    w = World(work, ncallback=ncallback, nanswer=2000)
    w.pb.start()
    try:
        t0 = time.monotonic()
        w.arm_all()
        bench.say("armed %d hosts in %.1f s; %d connections for %d s from "
                  "%d source addresses" % (len(w.token),
                                            time.monotonic() - t0,
                                            a.connections, a.duration,
                                            SOURCES))
        pid = w.pb.proc.pid
        rss0, fds0 = bench.rss_kb(pid), nfds(pid)
        load = Load(w, time.monotonic() + a.duration)
        t0 = time.monotonic()
        asyncio.run(load.run(a.connections, pid))
        elapsed = time.monotonic() - t0
        time.sleep(1.0)     # the server closes what the clients closed
        rss1, fds1 = bench.rss_kb(pid), nfds(pid)
        alive = w.pb.proc.poll() is None
    finally:
        w.pb.stop()
    log = open(w.pb.log_path, "rb").read().decode("utf-8", "replace")
    sanit = re.search(r"(AddressSanitizer|LeakSanitizer|runtime error)", log)
    total = sum(load.count.values())
    nerr = sum(load.errors.values())
    bench.say("\n  kind          requests")
    for k, v in load.count.items():
        bench.say("  %-12s %9d" % (k, v))
    bench.say("  %-12s %9d  (%.0f req/s over %.1f s)"
              % ("total", total, total / elapsed, elapsed))
    bench.say("  errors       %9d%s" % (nerr, "".join(
        "\n    %s: %d" % kv for kv in sorted(load.errors.items()))))
    bench.say("\n  RSS at start %d kB (%s fds); then every 10 s:" % (rss0,
                                                                    fds0))
    for t, rss, fds, n in load.samples:
        bench.say("    %3d s  RSS %7d kB  fds %5s  requests %d"
                  % (t, rss, fds, n))
    bench.say("  RSS at end   %d kB (%s fds, after the clients closed)"
              % (rss1, fds1))
    base = load.samples[0][1] if load.samples else rss0
    flat = rss1 <= base * 1.2
    bench.say("  RSS end / RSS at 10 s: %.2f (%s)" % (
        rss1 / base, "flat" if flat else "GROWING"))
    ok = nerr == 0 and flat and alive and not sanit
    if not alive:
        bench.say("  poolboot serve died during the soak")
    if sanit:
        bench.say("  sanitizer report in %s" % w.pb.log_path)
    res = {"connections": a.connections, "duration_s": a.duration,
           "requests": load.count, "errors": load.errors,
           "rss_start_kb": rss0, "rss_end_kb": rss1, "fds_start": fds0,
           "fds_end": fds1, "samples": load.samples, "ok": ok}
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1)
    bench.say("\n%s (figures in %s)" % ("SOAK OK" if ok else "SOAK FAILED",
                                       a.json))
    if ok and not os.environ.get("POOLBOOT_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
