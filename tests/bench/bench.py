#!/usr/bin/env python3
"""poolboot benchmarks (`make bench`; not part of `make check`).

    python3 tests/bench/bench.py [--only repo,render,coord,scale,storm,tftp]
                                 [--duration S] [--quick] [--json FILE]

Sections (each bounded in time, loopback only but for tftp, every process
and namespace it starts is stopped or removed by it):

  repo    one 256 MB install.img and a few hundred 1-64 KB files served by
          `poolboot serve` (http_threads 2, then 4) and by nginx (sendfile
          on, tcp_nopush on, 2 workers, access_log off) from the same
          folder; wrk at 1, 64 and 512 connections, runs alternating
          poolboot / nginx, 2 rounds each, the median reported.
  render  answerfile, installation-complete script and boot-loop-guard
          (410) requests per second and p99 at 64 connections against
          armed hosts; the rendering cost itself (pxelinux, answerfile,
          script) in-process with build/bench_render.
  coord   a rolling upgrade of a 16-host simulated pool with every
          simulated delay at zero: time per host and poolboot's own CPU
          per host (/proc/<pid>/stat of serve, apart from the simulator's);
          then one pool and 50 pools at once with realistic-shaped delays
          (install 2 s, reboot 1 s, ...): the 50 pools' wall time against
          one pool's.
  scale   10,000- and 50,000-host inventories: `poolboot check` time
          (hyperfine), `serve` start time, RSS after start and after GET
          /api/v1/hosts, `poolboot reload` time when the build has it.
  storm   500 installers at once (tests/bench/storm.py, client
          build/bench_storm): .treeinfo, answerfile, xen.gz, vmlinuz, a
          300 MB install.img, 200 RPM-sized files, callback; poolboot vs
          nginx: aggregate MB/s, slowest client / median, errors, RSS.
  tftp    dnsmasq's TFTP (blksize 512 and 1408) vs poolboot's HTTP, 100 MB
          between two network namespaces (tests/bench/tftp.py; root).

--quick makes every section smaller and shorter. Prints one table per
section and at the end one summary of every figure with its target, the
poolboot / reference ratio and pass or FAIL; the figures also go to --json
(default build/bench/results.json).
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "integration"))

import harness  # noqa: E402
import simharness as sh  # noqa: E402

POOLBOOT = os.path.join(REPO_ROOT, "poolboot")
BENCH_RENDER = os.environ.get("BENCH_RENDER", os.path.join(
    REPO_ROOT, "build", "bench_render"))
TREEINFO = harness.TREEINFO
MB = 1e6            # throughput in decimal megabytes per second

# ---------------------------------------------------------------- helpers


def say(msg):
    print(msg, flush=True)


def free_port():
    return harness.free_port()


def wait_http(port, timeout=15.0, path="/"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            c.getresponse().read()
            c.close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def stop_proc(p, sig=signal.SIGTERM, timeout=15):
    if p is None or p.poll() is not None:
        return
    p.send_signal(sig)
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def rss_kb(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def write(path, data, mode=None):
    harness.write(path, data, mode)


def make_iso_tree(d, big_mb=0, nsmall=0, seed=7):
    """An unpacked-ISO look-alike that `poolboot check` accepts; with
    install.img of big_mb MB and nsmall files of 1-64 KB under Packages/.
    Returns the small files' paths relative to d."""
    write(os.path.join(d, ".treeinfo"), TREEINFO)
    write(os.path.join(d, "boot/xen.gz"), os.urandom(70000))
    write(os.path.join(d, "boot/vmlinuz"), os.urandom(123457))
    with open(os.path.join(d, "install.img"), "wb") as f:
        chunk = os.urandom(1 << 20)
        for i in range(max(big_mb, 1)):
            # distinct 1 MB blocks, so nothing along the way can dedupe
            f.write(chunk[:-8] + i.to_bytes(8, "little"))
    rnd = random.Random(seed)
    small = []
    blob = os.urandom(64 * 1024)
    for i in range(nsmall):
        rel = "Packages/pkg-%04d.rpm" % i
        size = rnd.randint(1024, 64 * 1024)
        write(os.path.join(d, rel), blob[:size])
        small.append(rel)
    return small


def warm_cache(paths):
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 22):
                pass


class Poolboot:
    """A `poolboot serve` with a generated config text."""

    def __init__(self, workdir, conf_text, port):
        self.dir = workdir
        self.port = port
        self.conf = os.path.join(workdir, "poolboot.conf")
        write(self.conf, conf_text)
        self.log_path = os.path.join(workdir, "serve.log")
        self.proc = None

    def start(self, timeout=60.0):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [POOLBOOT, "serve", "-c", self.conf], stdin=subprocess.DEVNULL,
            stdout=self.logf, stderr=self.logf, cwd=self.dir,
            env=harness.clean_env())
        if not wait_http(admin_port(self.port), timeout):
            self.stop()
            raise RuntimeError("poolboot serve did not answer:\n%s"
                               % self.log_tail())
        return self

    def stop(self):
        stop_proc(self.proc)
        self.proc = None
        if getattr(self, "logf", None) and not self.logf.closed:
            self.logf.close()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace")
                                 .splitlines()[-n:])
        except OSError:
            return ""

    def cli(self, *args):
        return subprocess.run([POOLBOOT, args[0], "-c", self.conf]
                              + list(args[1:]), capture_output=True,
                              text=True, cwd=self.dir, timeout=120,
                              env=harness.clean_env())

    def admin_token(self):
        with open(os.path.join(self.dir, "state", "admin.token")) as f:
            return f.read().strip()


# install listener port -> its server's admin listener port
ADMIN_PORTS = {}


def admin_port(port):
    """The admin listener (API, dashboard) of the server whose install
    listener is port."""
    return ADMIN_PORTS[port]


def server_section(d, port, **extra):
    ADMIN_PORTS[port] = harness.free_port(avoid=(port,))
    text = ("[server]\nlisten = 127.0.0.1:%d\nadmin_listen = 127.0.0.1:%d\n"
            "public_url = http://127.0.0.1:%d\nstate_dir = %s\n"
            "tftp_root = %s\n"
            % (port, ADMIN_PORTS[port], port, os.path.join(d, "state"),
               os.path.join(d, "tftp")))
    # wrk's hundreds of connections all come from 127.0.0.1
    extra.setdefault("per_ip_connections", 0)
    extra.setdefault("max_connections", 1024)
    for k, v in extra.items():
        text += "%s = %s\n" % (k, v)
    os.makedirs(os.path.join(d, "state"), exist_ok=True)
    os.makedirs(os.path.join(d, "tftp", "pxelinux.cfg"), exist_ok=True)
    return text + "\n"


# ------------------------------------------------------------------- wrk

def wrk(url, conns, duration, script=None, args=(), threads=2,
        timeout="30s"):
    """Runs wrk and returns the figures of its WRKJSON line plus rps/mbps."""
    threads = min(threads, conns)
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % duration,
           "--latency", "--timeout", timeout,
           "-s", os.path.join(HERE, script or "report.lua"), url]
    if args:
        cmd += ["--"] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=duration + 120)
    m = re.search(r"^WRKJSON (\{.*\})$", p.stdout, re.M)
    if p.returncode != 0 or m is None:
        raise RuntimeError("wrk failed (%d): %s\n%s" % (p.returncode,
                                                        p.stdout, p.stderr))
    r = json.loads(m.group(1))
    secs = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / secs if secs else 0.0
    r["mbps"] = r["bytes"] / secs / MB if secs else 0.0
    r["errors"] = (r["err_connect"] + r["err_read"] + r["err_write"] +
                   r["err_timeout"])
    # wrk keeps no latency for requests that did not finish within the
    # timeout; with none finished its percentiles are meaningless
    if r["requests"] == 0:
        r["p50_us"] = r["p99_us"] = None
    return r


def median_of(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt_ms(us):
    if us is None:
        return "-"
    if us >= 100000:
        return "%.0f" % (us / 1000)
    if us >= 10000:
        return "%.1f" % (us / 1000)
    return "%.2f" % (us / 1000)


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2f" % (a / b)


# ------------------------------------------------------------------ repo

NGINX_CONF = """\
worker_processes {workers};
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_rlimit_nofile 8192;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    default_type application/octet-stream;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


class Nginx:
    def __init__(self, workdir, root, port, workers):
        self.dir = workdir
        self.port = port
        os.makedirs(workdir, exist_ok=True)
        self.conf = os.path.join(workdir, "nginx.conf")
        write(self.conf, NGINX_CONF.format(d=workdir, root=root, port=port,
                                           workers=workers))
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["nginx", "-p", self.dir, "-e", os.path.join(self.dir,
                                                         "error.log"),
             "-c", self.conf], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_http(self.port):
            self.stop()
            raise RuntimeError("nginx did not answer on port %d" % self.port)
        return self

    def stop(self):
        stop_proc(self.proc, signal.SIGTERM)
        self.proc = None


def collapsed(pb, kind, conns, name, runs):
    """Says so when one round of a server ran at under a tenth of its
    other round's rate (docs/performance.md, "The 512-connection
    collapse"), with the requests per second its log shows in that round:
    a frozen server logs nothing."""
    # a 256 MB response rarely completes within a round: its req/s is 0
    # to 2 and says nothing; the bytes moved do
    key = "mbps" if kind == "large" else "rps"
    rates = [r[key] for r in runs]
    if len(rates) < 2 or max(rates) == 0 or min(rates) >= 0.1 * max(rates):
        return
    bad = runs[rates.index(min(rates))]
    t0, t1 = bad["wall"]
    per_s = {}
    try:
        with open(pb.log_path, "rb") as f:
            for line in f:
                m = re.match(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+Z http: ",
                             line)
                if not m:
                    continue
                t = time.mktime(time.strptime(m.group(1).decode(),
                                              "%Y-%m-%dT%H:%M:%S")) - \
                    time.timezone
                if t0 - 1 <= t <= t1 + 1:
                    per_s[int(t)] = per_s.get(int(t), 0) + 1
    except OSError:
        pass
    say("  COLLAPSE: %s %s c=%d ran at %.0f %s against %.0f in its other "
        "round (%d errors, p99 %s ms); log lines per second in it: %s" % (
            name, kind, conns, min(rates), "MB/s" if key == "mbps" else
            "req/s", max(rates), bad["errors"],
            fmt_ms(bad["p99_us"]),
            " ".join("%d" % per_s.get(int(t), 0)
                     for t in range(int(t0), int(t1) + 1))))
    bad["collapsed"] = True


def bench_repo(work, duration, quick):
    say("\n== 1. repo serving: poolboot vs nginx ==")
    d = os.path.join(work, "repo-bench")
    repo = os.path.join(d, "iso")
    big_mb = 32 if quick else 256
    small = make_iso_tree(repo, big_mb=big_mb, nsmall=300)
    warm_cache([os.path.join(repo, "install.img")] +
               [os.path.join(repo, s) for s in small])
    ncpu = os.cpu_count() or 2
    servers = {}
    procs = []
    try:
        for threads in (2, 4):
            pd = os.path.join(d, "pb%d" % threads)
            os.makedirs(pd, exist_ok=True)
            port = free_port()
            text = server_section(pd, port, http_threads=threads)
            text += "[repo bench]\npath = %s\n" % repo
            pb = Poolboot(pd, text, port).start()
            procs.append(pb)
            servers["poolboot-%d" % threads] = (port, "/repo/bench/")
        ng = Nginx(os.path.join(d, "nginx"), repo, free_port(), ncpu).start()
        procs.append(ng)
        servers["nginx"] = (ng.port, "/")
        lists = {}
        for name, (port, prefix) in servers.items():
            lp = os.path.join(d, "paths-%s.txt" % name)
            write(lp, "".join(prefix + s + "\n" for s in small))
            lists[name] = lp
        # sanity: both serve the same bytes
        for name, (port, prefix) in servers.items():
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", prefix + small[0])
            body = c.getresponse().read()
            with open(os.path.join(repo, small[0]), "rb") as f:
                assert body == f.read(), "%s serves other bytes" % name
        results = {}
        order = []
        conns_list = (1, 64, 512)
        for kind in ("large", "small"):
            for conns in conns_list:
                for rnd in range(2):
                    names = ["poolboot-2", "nginx"]
                    if conns > 1:
                        names.append("poolboot-4")
                    for name in names:
                        port, prefix = servers[name]
                        url = "http://127.0.0.1:%d" % port
                        t_start = time.time()
                        if kind == "large":
                            r = wrk(url + prefix + "install.img", conns,
                                    duration, timeout="60s")
                        else:
                            r = wrk(url, conns, duration,
                                    script="random_files.lua",
                                    args=(lists[name],), timeout="10s")
                        r["wall"] = (t_start, time.time())
                        results.setdefault((kind, conns, name), []).append(r)
                        order.append((kind, conns, name, rnd))
                        say("  %-5s c=%-3d %-10s round %d: %8.1f MB/s %9.0f "
                            "req/s p50 %s ms p99 %s ms%s" % (
                                kind, conns, name, rnd + 1, r["mbps"],
                                r["rps"], fmt_ms(r["p50_us"]),
                                fmt_ms(r["p99_us"]),
                                "  (%d errors, %d non-2xx)" % (
                                    r["errors"], r["err_status"])
                                if r["errors"] or r["err_status"] else ""))
        pbs = {"poolboot-%s" % pb.dir[-1]: pb for pb in procs
               if isinstance(pb, Poolboot)}
        for (kind, conns, name), runs in results.items():
            if name in pbs:
                collapsed(pbs[name], kind, conns, name, runs)
        for pb in procs:
            if isinstance(pb, Poolboot):
                errs = [l for l in pb.log_tail(200000).splitlines()
                        if "error" in l and '" 200 ' not in l]
                if errs:
                    say("  poolboot log has errors, e.g.: %s" % errs[0])
    finally:
        for p in procs:
            p.stop()
    table = []
    say("\n  file   conns | poolboot (2 thr)            | nginx (%d workers)"
        "          | ratio pb/ng   | poolboot (4 thr)   ratio" % ncpu)
    say("                |  MB/s   req/s  p50ms  p99ms |  MB/s   req/s  p50ms"
        "  p99ms |  MB/s  req/s  |  MB/s   req/s  MB/s")
    for kind in ("large", "small"):
        for conns in conns_list:
            row = {"file": kind, "conns": conns}
            for name in ("poolboot-2", "nginx", "poolboot-4"):
                runs = results.get((kind, conns, name))
                if not runs:
                    continue
                row[name] = {k: median_of(runs, k) for k in
                             ("mbps", "rps", "p50_us", "p99_us", "errors",
                              "err_status")}
                row[name]["runs"] = runs
            a, b = row["poolboot-2"], row["nginx"]
            c = row.get("poolboot-4")
            row["ratio_mbps"] = a["mbps"] / b["mbps"] if b["mbps"] else None
            row["ratio_rps"] = a["rps"] / b["rps"] if b["rps"] else None
            row["ratio4_mbps"] = (c["mbps"] / b["mbps"]
                                  if c and b["mbps"] else None)
            say("  %-5s %5d | %6.0f %7.0f %6s %6s | %6.0f %7.0f %6s %6s | "
                "%5s %5s  | %s" % (
                    kind, conns, a["mbps"], a["rps"], fmt_ms(a["p50_us"]),
                    fmt_ms(a["p99_us"]), b["mbps"], b["rps"],
                    fmt_ms(b["p50_us"]), fmt_ms(b["p99_us"]),
                    fmt_ratio(a["mbps"], b["mbps"]),
                    fmt_ratio(a["rps"], b["rps"]),
                    "%6.0f %7.0f %5s" % (c["mbps"], c["rps"],
                                         fmt_ratio(c["mbps"], b["mbps"]))
                    if c else "-"))
            table.append(row)
    say("  (MB = 10^6 bytes; a 256 MB response at 512 connections rarely "
        "completes within the run, so its req/s and latency are those of "
        "the few that did; MB/s counts every byte received)")
    return {"table": table, "big_mb": big_mb, "small_files": len(small),
            "duration_s": duration, "nginx_workers": ncpu}


# ---------------------------------------------------------------- render

def arm_via_api(port, token, hosts):
    """POST /api/v1/hosts/H/arm for every host on one keep-alive
    connection; returns the seconds taken. port: the install listener's."""
    c = http.client.HTTPConnection("127.0.0.1", admin_port(port), timeout=30)
    t0 = time.monotonic()
    for h in hosts:
        c.request("POST", "/api/v1/hosts/%s/arm" % h, body=b'{"wipe": false}',
                  headers={"Authorization": "Bearer " + token,
                           "Content-Type": "application/json"})
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError("arm %s: %d %s" % (h, r.status, body[:200]))
    dt = time.monotonic() - t0
    c.close()
    return dt


def token_of(tftp, mac):
    with open(os.path.join(tftp, "pxelinux.cfg", harness.pxe_name(mac))) as f:
        m = harness.TOKEN_RE.search(f.read())
    if not m:
        raise RuntimeError("no answerfile URL in the per-MAC file of %s" % mac)
    return m.group(2)


def get_status(port, path, keep=None):
    c = keep or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    return r.status


def inventory(nhosts, pool="rack", prefix="h", start=0, x=0x20):
    text = ""
    for i in range(start, start + nhosts):
        text += ("[host %s%05d]\npool = %s\nmac = 52:54:%02x:%02x:%02x:%02x\n"
                 "disk = sda\n\n" % (prefix, i, pool, x, (i >> 16) & 0xff,
                                     (i >> 8) & 0xff, i & 0xff))
    return text


def bench_render(work, duration, quick):
    say("\n== 2. rendering: answerfile, script, 410 at 64 connections ==")
    d = os.path.join(work, "render-bench")
    repo = os.path.join(d, "iso")
    make_iso_tree(repo, big_mb=1)
    pw = os.path.join(d, "pool.pw")
    write(pw, "secret\n", 0o600)
    # enough armed hosts that the answerfile run never runs out of real
    # renders: boot_attempts (20) fetches each, at up to 25k req/s for
    # the whole run; past that every fetch would be a cheap 410
    nhosts = max(3000, int(25000 * duration / 20))
    ngone = 10
    port = free_port()
    threads = int(os.environ.get("BENCH_RENDER_HTTP_THREADS", "2"))
    text = server_section(d, port, boot_attempts=20, http_threads=threads,
                          template_dir=os.path.join(REPO_ROOT, "templates"))
    text += ("[repo r]\npath = %s\n\n[pool rack]\nxapi = https://192.0.2.10\n"
             "username = root\npassword_file = %s\nrepo = r\n\n"
             % (repo, pw))
    text += inventory(nhosts + ngone)
    pb = Poolboot(d, text, port).start()
    out = {"hosts_armed": nhosts + ngone, "boot_attempts": 20}
    try:
        names = ["h%05d" % i for i in range(nhosts + ngone)]
        macs = ["52:54:20:%02x:%02x:%02x" % ((i >> 16) & 0xff,
                                             (i >> 8) & 0xff, i & 0xff)
                for i in range(nhosts + ngone)]
        t0 = time.monotonic()
        p = pb.cli("arm", names[0])
        out["cli_arm_ms"] = (time.monotonic() - t0) * 1000
        if p.returncode != 0:
            raise RuntimeError("poolboot arm: %s%s" % (p.stdout, p.stderr))
        dt = arm_via_api(port, pb.admin_token(), names[1:])
        out["arm_per_s"] = (len(names) - 1) / dt
        say("  armed %d hosts: CLI arm %.0f ms; API arm %.0f/s (each renders"
            " pxelinux + answerfile + script, writes the store and the "
            "per-MAC file)" % (len(names), out["cli_arm_ms"],
                               out["arm_per_s"]))
        tftp = os.path.join(d, "tftp")
        toks = [token_of(tftp, m) for m in macs]
        af = ["/hosts/%s/%s/answerfile" % (n, t) for n, t in zip(names, toks)]
        sc = ["/hosts/%s/%s/script" % (n, t) for n, t in zip(names, toks)]
        base = "http://127.0.0.1:%d" % port
        lsc = os.path.join(d, "script-urls.txt")
        write(lsc, "".join(u + "\n" for u in sc[:nhosts]))
        laf = os.path.join(d, "answerfile-urls.txt")
        write(laf, "".join(u + "\n" for u in af[:nhosts]))
        lgone = os.path.join(d, "gone-urls.txt")
        write(lgone, "".join(u + "\n" for u in af[nhosts:]))
        # the loop guard: 20 served fetches, the 21st trips it (410),
        # every later one is 410 on the retired token
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for u in af[nhosts:]:
            codes = [get_status(port, u, c) for _ in range(22)]
            assert codes[:20] == [200] * 20 and codes[20:] == [410, 410], \
                codes
        c.close()
        runs = {}
        # serve's own CPU per request (user + system), which other load on
        # the machine disturbs much less than req/s
        for k, script, args in (("script", "random_files.lua", (lsc,)),
                                ("answerfile", "round_robin.lua", (laf, 2)),
                                ("410 (loop guard)", "random_files.lua",
                                 (lgone,))):
            c0 = cpu_s(pb.proc.pid)
            runs[k] = wrk(base, 64, duration, script, args, timeout="10s")
            runs[k]["cpu_us_per_req"] = ((cpu_s(pb.proc.pid) - c0) * 1e6 /
                                         max(1, runs[k]["requests"]))
        if os.path.exists(BENCH_RENDER):
            p = subprocess.run([BENCH_RENDER, pb.conf, names[0], "2"],
                               capture_output=True, text=True, timeout=120,
                               cwd=d)
            if p.returncode == 0:
                out["inprocess"] = json.loads(p.stdout.strip().splitlines()[-1])
            else:
                say("  bench_render failed: %s" % p.stderr.strip()[-300:])
        else:
            say("  (build/bench_render not built: no in-process figures)")
    finally:
        pb.stop()
    say("\n  request (http_threads %d)  req/s   p50 ms  p99 ms   2xx     "
        "non-2xx  CPU us/req" % threads)
    for k, r in runs.items():
        ok = r["requests"] - r["err_status"]
        say("  %-20s %8.0f %8s %7s %7d %7d %8.0f" % (
            k, r["rps"], fmt_ms(r["p50_us"]), fmt_ms(r["p99_us"]), ok,
            r["err_status"], r["cpu_us_per_req"]))
    af_ok = runs["answerfile"]["requests"] - runs["answerfile"]["err_status"]
    if runs["answerfile"]["err_status"]:
        say("  answerfile: %d of %d were 410 (hosts past boot_attempts): "
            "the req/s mixes real renders and refusals"
            % (runs["answerfile"]["err_status"],
               runs["answerfile"]["requests"]))
    out["answerfile_real_renders"] = af_ok
    ip = out.get("inprocess")
    if ip:
        say("\n  in-process, one thread, no HTTP (%s): renders pxelinux "
            "%.0f/s, answerfile %.0f/s, script %.0f/s; store: counted fetch"
            " + event (2 commits) %.0f/s, token lookup %.0f/s" % (
                ip.get("what", ""), ip["pxelinux_per_s"],
                ip["answerfile_per_s"], ip["script_per_s"],
                ip["store_fetch_per_s"], ip["store_lookup_per_s"]))
    out["runs"] = runs
    return out


# ----------------------------------------------------------------- coord

def run_host_times(st):
    """Per-host ms from the status API: finished_at - started_at."""
    res = []
    for h in st["hosts"]:
        if h.get("started_at") and h.get("finished_at"):
            res.append(h["finished_at"] - h["started_at"])
    return res


def sim_share(log, hosts):
    """Per host, the simulator's own time: from the accepted host.reboot
    to host_up (shutdown, PXE read, answerfile parse, script run, boot),
    during which poolboot only waits (and serves three requests)."""
    t_reboot, spans = {}, {}
    for e in log:
        h = e.get("host")
        if h not in hosts:
            continue
        if e.get("event") == "host_reboot":
            t_reboot[h] = e["t"]
        elif e.get("event") == "host_up" and h in t_reboot:
            spans[h] = (e["t"] - t_reboot[h]) * 1000
    return spans


def xapi_calls(log, hosts):
    n = 0
    for e in log:
        if "method" in e and e.get("host") in hosts:
            n += 1
    return n


class MultiSimEnv(sh.UpgradeEnv):
    """simharness.UpgradeEnv whose pools live in several simulator
    processes (one Python process has one GIL: a single simulator for 50
    pools measures mostly its own thread contention)."""

    sims = ()
    sim_of = None

    def write_config(self, extra_server="", extra_hosts="", hosts_text=None):
        if self.pools is None or self.sim_of is None:
            return super().write_config(extra_server, extra_hosts,
                                        hosts_text)
        # every simulated installer fetches from 127.0.0.1: 50 pools
        # installing at once pass the default 32 per address, and the
        # refused ones are reset connections, failed installs (a real
        # installer has an address of its own)
        text = self.server_section(extra_server + "per_ip_connections = 0\n")
        text += "[repo up]\npath = %s\n\n" % self.repo
        for p in self.pools:
            hosts = p["hosts"]
            member = next((h for h in hosts if not h.get("master")),
                          hosts[0])
            text += ("[pool %s]\nxapi = %s\nusername = root\n"
                     "password_file = %s\nrepo = up\n"
                     % (p["name"], self.sim_of[p["name"]].url(
                         member["address"]), self.pool_pw))
            text += "".join("%s = %s\n" % kv
                            for kv in sorted(self.pool_opts.items()))
            text += "\n"
            for h in hosts:
                text += ("[host %s]\npool = %s\nmac = %s\ndisk = sda\n\n"
                         % (h["name"], p["name"], h["mac"]))
        harness.write(self.conf, text)
        return self.conf

    def close(self):
        try:
            for s in self.sims[1:]:
                s.stop()
        finally:
            super().close()


ZERO_DELAYS = {"install_delay": 0, "reboot_delay": 0, "evacuate_delay": 0,
               "shutdown_delay": 0, "startup_delay": 0}
# realistic-shaped delays, scaled down about 300 times (a real install
# takes minutes, a reboot a minute or more, a VM migration tens of
# seconds, xapi's shutdown 10 s, a host's startup tens of seconds);
# every delay tests/xapisim has for an upgrade (README "Spec")
REAL_DELAYS = {"install_delay": 2.0, "reboot_delay": 1.0,
               "evacuate_delay": 0.3, "shutdown_delay": 0.3,
               "startup_delay": 0.5}


def coord_world(npools, nhosts, vms, pools_per_sim=5, delays=None,
                poll_ms=10):
    """npools simulated pools of nhosts (delays: ZERO_DELAYS unless
    given) in ceil(npools / pools_per_sim) simulator processes, and
    poolboot serve on the matching inventory."""
    delays = ZERO_DELAYS if delays is None else delays
    pools = [sh.pool_spec("bp%02d" % k, 40 + k, nhosts, vms=vms, **delays)
             for k in range(npools)]
    env = MultiSimEnv(pool_opts={"poll_interval_ms": poll_ms})
    try:
        sims, sim_of = [], {}
        for k in range(0, npools, pools_per_sim):
            part = pools[k:k + pools_per_sim]
            wd = os.path.join(env.dir, "sim%d" % len(sims))
            os.makedirs(wd)
            sim = sh.Sim({"tftp_root": env.tftp, "port": 0,
                          "control_port": 0, "pools": part}, wd)
            sims.append(sim)
            env.sims = sims
            for p in part:
                sim_of[p["name"]] = sim
        env.sim_of = sim_of
        env.attach(sims[0], pools)
        env.start()
    except BaseException:
        env.close()
        raise
    return env, sims, pools


def start_runs(env, pools):
    tok = env.admin_token()
    c = http.client.HTTPConnection("127.0.0.1", env.admin_port, timeout=30)
    t0 = time.monotonic()
    for p in pools:
        c.request("POST", "/api/v1/pools/%s/upgrade" % p["name"],
                  body=b'{"dry_run": false}',
                  headers={"Authorization": "Bearer " + tok,
                           "Content-Type": "application/json"})
        r = c.getresponse()
        body = r.read()
        if r.status != 202:
            raise RuntimeError("upgrade %s: %d %s" % (p["name"], r.status,
                                                      body[:300]))
    c.close()
    return t0


def wait_runs(env, pools, timeout):
    tok = env.admin_token()
    c = http.client.HTTPConnection("127.0.0.1", env.admin_port, timeout=30)
    deadline = time.monotonic() + timeout
    done = {}
    while time.monotonic() < deadline:
        c.request("GET", "/api/v1/pools",
                  headers={"Authorization": "Bearer " + tok})
        r = c.getresponse()
        data = json.loads(r.read().decode())
        for st in data.get("pools", []):
            if st.get("state") in ("done", "halted", "aborted") and \
                    st["pool"] not in done:
                done[st["pool"]] = (time.monotonic(), st)
        if len(done) >= len(pools):
            c.close()
            return done
        # the wall times come from the runs' own timestamps, so polling
        # slowly loses nothing; each GET /api/v1/pools reads every pool's
        # run, hosts and VMs from the store (50 pools: about 15 ms of
        # poolboot's CPU), which polling every 0.2 s added to the figure
        # being measured
        time.sleep(1.0)
    c.close()
    raise RuntimeError("runs not finished within %d s: %d of %d done"
                       % (timeout, len(done), len(pools)))


def cpu_s(pid):
    """user+system CPU seconds of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_coord_run(npools, nhosts, vms, timeout, delays=None, poll_ms=10):
    env, sims, pools = coord_world(npools, nhosts, vms, delays=delays,
                                   poll_ms=poll_ms)
    try:
        def cpus():
            return (cpu_s(env.proc.pid),
                    sum(cpu_s(s.proc.pid) for s in sims))
        cpu0 = cpus()
        t0 = start_runs(env, pools)
        done = wait_runs(env, pools, timeout)
        t_end = max(t for t, _ in done.values())
        cpu1 = cpus()
        states = [st for _, st in done.values()]
        bad = [s for s in states if s["state"] != "done"]
        if bad:
            why = [e for s in sims for e in s.log()
                   if e.get("event") == "install_error"]
            raise RuntimeError("%d of %d runs did not finish; run %s ended "
                               "%s: %s%s" % (
                                   len(bad), len(states), bad[0]["pool"],
                                   bad[0]["state"], bad[0].get("error"),
                                   "; the simulated installer said: %s" %
                                   "; ".join("%s: %s" % (e.get("host"),
                                                         e.get("reason"))
                                             for e in why[:3])
                                   if why else ""))
        log = [e for s in sims for e in s.log()]
        names = set(h["name"] for p in pools for h in p["hosts"])
        per_host = [ms for s in states for ms in run_host_times(s)]
        spans = sim_share(log, names)
        # server-side times: from the run's creation to its end
        walls = [st["finished_at"] - st["created_at"] for st in states]
        res = {"pools": npools, "hosts_per_pool": nhosts, "vms_per_pool": vms,
               "simulators": len(sims),
               "wall_ms": max(st["finished_at"] for st in states) -
               min(st["created_at"] for st in states),
               "client_wall_ms": (t_end - t0) * 1000,
               "run_wall_ms_median": statistics.median(walls),
               "host_ms_median": statistics.median(per_host),
               "host_ms_max": max(per_host),
               "host_ms_mean": statistics.mean(per_host),
               "sim_reboot_to_up_ms_median": statistics.median(
                   spans.values()) if spans else None,
               "xapi_calls_per_host": xapi_calls(log, names) / len(names),
               "steps_example": states[0]["hosts"][1].get("step_ms"),
               "cpu_poolboot_s": cpu1[0] - cpu0[0],
               "cpu_sim_s": cpu1[1] - cpu0[1]}
        # poolboot's own request time while the sim installs: answerfile,
        # script and callback lines of its log
        served = []
        for line in env.log_text().splitlines():
            m = re.search(r'"(GET|POST) /hosts/\S+ \d+ \d+ (\d+)ms', line)
            if m:
                served.append(int(m.group(2)))
        res["poolboot_host_requests_ms_total_per_host"] = (
            sum(served) / len(names))
        return res
    finally:
        env.close()


def bench_coord(work, quick):
    say("\n== 3. coordinator: 16-host pool, simulated delays 0, then "
        "many pools with realistic-shaped delays ==")
    nh = 16
    ncpu = os.cpu_count() or 1
    one = one_coord_run(1, nh, nh, timeout=120)
    one["poolboot_cpu_ms_per_host"] = one["cpu_poolboot_s"] * 1000 / nh
    one["sim_cpu_ms_per_host"] = one["cpu_sim_s"] * 1000 / nh
    say("  1 pool x %d hosts, delays 0: wall %.0f ms, per host median %.0f "
        "ms (max %.0f); simulator reboot->up %.0f ms of it; %.0f XAPI calls "
        "per host; steps (ms since step start) e.g. %s" % (
            nh, one["wall_ms"], one["host_ms_median"], one["host_ms_max"],
            one["sim_reboot_to_up_ms_median"] or 0,
            one["xapi_calls_per_host"], one["steps_example"]))
    say("    poolboot CPU ms/host: %.1f (target < 30); simulator CPU "
        "ms/host: %.1f (from /proc/<pid>/stat of serve and of the "
        "simulator)" % (one["poolboot_cpu_ms_per_host"],
                        one["sim_cpu_ms_per_host"]))
    # with nonzero delays the run waits, as a real one does: N pools at
    # once should cost about one pool's wall time
    scale = 0.25 if quick else 1.0
    delays = {k: v * scale for k, v in REAL_DELAYS.items()}
    npools = 10 if quick else 50
    tmo = 600 if quick else 1200
    d1 = one_coord_run(1, nh, nh, timeout=tmo, delays=delays, poll_ms=100)
    say("  1 pool x %d hosts, delays %s s, poll 100 ms: wall %.1f s, per "
        "host median %.0f ms" % (
            nh, ", ".join("%s %g" % (k.replace("_delay", ""), v)
                          for k, v in delays.items()),
            d1["wall_ms"] / 1000, d1["host_ms_median"]))
    try:
        many = one_coord_run(npools, nh, nh, timeout=tmo, delays=delays,
                             poll_ms=100)
    except RuntimeError as e:
        say("  %d pools at once, same delays: FAILED: %s" % (npools, e))
        return {"one": one, "delays": delays, "one_delayed": d1,
                "many": {"pools": npools, "error": str(e)}, "ratio": None}
    ratio = many["wall_ms"] / d1["wall_ms"]
    say("  %d pools at once, same delays (%d simulator processes): wall "
        "%.1f s (%.2fx one pool; target <= 1.2), per host median %.0f ms "
        "(max %.0f)" % (npools, many["simulators"], many["wall_ms"] / 1000,
                        ratio, many["host_ms_median"], many["host_ms_max"]))
    say("    CPU during it: poolboot %.1f s, simulators %.1f s (of %.1f s "
        "wall x %d cores); zero-delay poolboot CPU %.1f ms/host beside it"
        % (many["cpu_poolboot_s"], many["cpu_sim_s"],
           many["wall_ms"] / 1000, ncpu, one["poolboot_cpu_ms_per_host"]))
    return {"one": one, "delays": delays, "one_delayed": d1, "many": many,
            "ratio": ratio}


# ----------------------------------------------------------------- scale

def reload_available():
    """Whether this poolboot has `poolboot reload` (issue 15 adds it)."""
    try:
        p = subprocess.run([POOLBOOT, "reload", "--help"],
                           capture_output=True, text=True, timeout=10)
    except OSError:
        return False
    return p.returncode == 0


def measure_reload(pb, runs=3):
    """Seconds of `poolboot reload` (CLI -> POST /api/v1/reload), median
    of runs; None when this build has no reload."""
    if not reload_available():
        return None
    ts = []
    for _ in range(runs):
        t0 = time.monotonic()
        p = pb.cli("reload")
        ts.append(time.monotonic() - t0)
        if p.returncode != 0:
            raise RuntimeError("poolboot reload: %s%s" % (p.stdout, p.stderr))
    return statistics.median(ts)


def bench_scale(work, quick):
    sizes = (2000, 10000) if quick else (10000, 50000)
    return {"sizes": [scale_one(work, n) for n in sizes]}


def scale_one(work, n):
    say("\n== 4. scale: %s-host inventory ==" % format(n, ","))
    d = os.path.join(work, "scale-bench-%d" % n)
    repo = os.path.join(d, "iso")
    make_iso_tree(repo, big_mb=1)
    pw = os.path.join(d, "pool.pw")
    write(pw, "secret\n", 0o600)
    port = free_port()
    text = server_section(d, port)
    text += "[repo r]\npath = %s\n\n" % repo
    per_pool = 16
    for k in range((n + per_pool - 1) // per_pool):
        text += ("[pool p%04d]\nxapi = https://192.0.2.10\nusername = root\n"
                 "password_file = %s\nrepo = r\n\n" % (k, pw))
    for i in range(n):
        text += ("[host h%05d]\npool = p%04d\nmac = 52:54:%02x:%02x:%02x:%02x"
                 "\ndisk = sda\n\n" % (i, i // per_pool, 0x30, (i >> 16) & 0xff,
                                       (i >> 8) & 0xff, i & 0xff))
    pb = Poolboot(d, text, port)
    out = {"hosts": n, "pools": (n + per_pool - 1) // per_pool,
           "config_bytes": len(text)}
    if shutil.which("hyperfine"):
        jf = os.path.join(d, "hyperfine.json")
        p = subprocess.run(["hyperfine", "-N", "--warmup", "1", "--runs",
                            "10" if n <= 10000 else "5",
                            "--export-json", jf, "--style", "none",
                            "%s check -c %s" % (POOLBOOT, pb.conf)],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("hyperfine: %s %s" % (p.stdout, p.stderr))
        with open(jf) as f:
            r = json.load(f)["results"][0]
        out["check_s_median"] = r["median"]
        out["check_s_mean"] = r["mean"]
        out["check_tool"] = "hyperfine, %d runs" % len(r["times"])
    else:
        ts = []
        for _ in range(5):
            t0 = time.monotonic()
            pb.cli("check")
            ts.append(time.monotonic() - t0)
        out["check_s_median"] = statistics.median(ts)
        out["check_tool"] = "5 runs, median"
    p = pb.cli("check")
    out["check_ok"] = p.returncode == 0
    if p.returncode != 0:
        say("  poolboot check failed: %s" % (p.stdout + p.stderr)[-500:])
    t0 = time.monotonic()
    pb.start(timeout=120)
    out["serve_ready_s"] = time.monotonic() - t0
    try:
        time.sleep(0.5)
        out["rss_start_kb"] = rss_kb(pb.proc.pid)
        tok = pb.admin_token()
        # 50,000 hosts took 29 s on the busy development machine
        c = http.client.HTTPConnection("127.0.0.1", admin_port(port),
                                       timeout=300)
        t0 = time.monotonic()
        c.request("GET", "/api/v1/hosts",
                  headers={"Authorization": "Bearer " + tok})
        r = c.getresponse()
        body = r.read()
        out["hosts_api_ms"] = (time.monotonic() - t0) * 1000
        out["hosts_api_bytes"] = len(body)
        out["hosts_api_status"] = r.status
        c.close()
        time.sleep(0.2)
        out["rss_after_hosts_kb"] = rss_kb(pb.proc.pid)
        out["rss_peak_kb"] = rss_kb(pb.proc.pid, "VmHWM")
        out["reload_s"] = measure_reload(pb)
        out["rss_after_reload_kb"] = rss_kb(pb.proc.pid)
        out["rss_peak_kb"] = rss_kb(pb.proc.pid, "VmHWM")
    finally:
        pb.stop()
    say("  poolboot check: %.3f s (%s, %s); serve ready after %.2f s; RSS "
        "%.1f MB after start, %.1f MB after GET /api/v1/hosts (%d, %.1f MB "
        "in %.0f ms), peak %.1f MB" % (
            out["check_s_median"], out["check_tool"],
            "configuration OK" if out["check_ok"] else "FAILED",
            out["serve_ready_s"], out["rss_start_kb"] / 1024,
            out["rss_after_hosts_kb"] / 1024, out["hosts_api_status"],
            out["hosts_api_bytes"] / 1e6, out["hosts_api_ms"],
            out["rss_peak_kb"] / 1024))
    if out["reload_s"] is None:
        say("  reload: not available in this build")
    else:
        say("  poolboot reload: %.3f s (median of 3; RSS after it %.1f MB)"
            % (out["reload_s"], out["rss_after_reload_kb"] / 1024))
    return out


# --------------------------------------------------------------- summary

def summary(res):
    """One table of every figure: its value, the reference's (nginx,
    TFTP) and the ratio where there is one, its target (issues 7 and 15)
    and whether it holds. Returns the rows for results.json."""
    rows = []

    def add(figure, value, target="-", ok=None, ref=None, ratio=None,
            raw=None):
        rows.append({"figure": figure, "value": value, "reference": ref,
                     "ratio": ratio, "target": target, "met": ok,
                     "raw": raw, "section": figure.split()[0]})

    rp = res.get("repo")
    for row in (rp or {}).get("table", []):
        a, b = row["poolboot-2"], row["nginx"]
        r = row["ratio_mbps"]
        need = row["file"] == "large" or row["conns"] > 1
        add("repo %s files, %d conns: MB/s (nginx)" % (
            "%d MB" % rp["big_mb"] if row["file"] == "large" else "1-64 KB",
            row["conns"]),
            "%.0f" % a["mbps"], ">= 1.0x nginx" if need else "-",
            (r is not None and r >= 1.0) if need else None,
            "%.0f" % b["mbps"], r, a["mbps"])
    rd = res.get("render")
    if rd:
        for k in ("answerfile", "script", "410 (loop guard)"):
            r = rd["runs"][k]
            ok_n = r["requests"] - r["err_status"]
            rps = ok_n / (r["duration_us"] / 1e6)
            if k == "410 (loop guard)":
                rps = r["rps"]
            target = ">= 20,000 req/s, p99 < 5 ms" if k == "answerfile" \
                else "-"
            met = (rps >= 20000 and r["p99_us"] is not None and
                   r["p99_us"] < 5000 and not r["err_status"]) \
                if k == "answerfile" else None
            add("render %s, 64 conns: req/s (p99 ms)" % k,
                "%.0f (%s)" % (rps, fmt_ms(r["p99_us"])), target, met,
                raw=rps)
    co = res.get("coord")
    if co:
        one = co["one"]
        add("coord 1x16 hosts, delays 0: poolboot CPU ms/host (simulator)",
            "%.1f" % one["poolboot_cpu_ms_per_host"], "< 30",
            one["poolboot_cpu_ms_per_host"] < 30,
            "%.1f" % one["sim_cpu_ms_per_host"], None,
            one["poolboot_cpu_ms_per_host"])
        add("coord 1x16 hosts, delays 0: ms per host (median)",
            "%.0f" % one["host_ms_median"], "< 100",
            one["host_ms_median"] < 100, raw=one["host_ms_median"])
        add("coord %d pools x 16, delays: wall (1 pool's)" %
            co["many"]["pools"], "run failed" if co["ratio"] is None else
            "%.1f s" % (co["many"]["wall_ms"] / 1000), "<= 1.2x",
            co["ratio"] is not None and co["ratio"] <= 1.2,
            "%.1f s" % (co["one_delayed"]["wall_ms"] / 1000), co["ratio"],
            co["many"].get("wall_ms"))
    for sc in (res.get("scale") or {}).get("sizes", []):
        n = sc["hosts"]
        big = n > 10000
        add("scale %d hosts: check s" % n, "%.3f" % sc["check_s_median"],
            "< 2 s" if big else "< 1 s",
            sc["check_ok"] and sc["check_s_median"] < (2 if big else 1),
            raw=sc["check_s_median"])
        add("scale %d hosts: serve start s" % n,
            "%.2f" % sc["serve_ready_s"], "< 2 s", sc["serve_ready_s"] < 2,
            raw=sc["serve_ready_s"])
        rl = sc.get("reload_s")
        add("scale %d hosts: reload s" % n,
            "not available" if rl is None else "%.3f" % rl, "< 2 s",
            None if rl is None else rl < 2, raw=rl)
        rss = max(sc["rss_start_kb"], sc["rss_after_hosts_kb"],
                  sc.get("rss_after_reload_kb") or 0) / 1024
        lim = 200 if big else 100
        add("scale %d hosts: RSS MB (after start, GET hosts, reload)" % n,
            "%.1f" % rss, "< %d MB" % lim, rss < lim, raw=rss)
    st = res.get("storm")
    if st and "poolboot" in st:
        a, b = st["poolboot"], st["nginx"]
        add("storm %d clients: aggregate MB/s (nginx)" % st["clients"],
            "%.0f" % a["mbps"], "-", None, "%.0f" % b["mbps"],
            st["ratio_mbps"], a["mbps"])
        add("storm: slowest client / median (nginx)",
            "%.2f" % (a["fairness"] or 0), "<= 1.5",
            a["fairness"] is not None and a["fairness"] <= 1.5,
            "%.2f" % (b["fairness"] or 0), raw=a["fairness"])
        add("storm: errors (nginx)", "%d" % a["errors"], "0",
            a["errors"] == 0, "%d" % b["errors"], raw=a["errors"])
        add("storm: poolboot peak RSS MB", "%.1f" % (a["rss_peak_kb"] / 1024),
            raw=a["rss_peak_kb"] / 1024)
    tf = res.get("tftp")
    if tf and "mbps" in tf:
        h = tf["mbps"]["http (poolboot)"]
        for bs in ("512", "1408"):
            t = tf["mbps"]["tftp blksize " + bs]
            add("tftp %d MB: poolboot HTTP MB/s (TFTP blksize %s)" % (
                tf["file_mb"], bs), "%.0f" % h, "-", None, "%.1f" % t,
                h / t if t else None, h)
    say("\n== summary (targets of issues 7 and 15; ratio = poolboot / "
        "reference) ==")
    w = max([len(r["figure"]) for r in rows] + [10])
    say("  %-*s %12s %10s %7s  %-28s %s" % (w, "figure", "poolboot",
                                           "reference", "ratio", "target",
                                           "result"))
    for r in rows:
        say("  %-*s %12s %10s %7s  %-28s %s" % (
            w, r["figure"], r["value"], r["reference"] or "-",
            "-" if r["ratio"] is None else "%.2f" % r["ratio"], r["target"],
            "-" if r["met"] is None else "pass" if r["met"] else "FAIL"))
    return rows


def summary_markdown(res, rows, path):
    """The summary as a Markdown table for docs/performance.md: the
    machine, the commit, and per figure the command that measures it
    again."""
    m = res["machine"]
    try:
        rev = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "--short",
                              "HEAD"], capture_output=True, text=True,
                             timeout=10).stdout.strip() or "?"
    except OSError:
        rev = "?"
    busy = [b for v in res.get("background_busy", {}).values() for b in v]
    out = ["Machine: %s, %s CPUs (%s), %.1f GiB RAM, kernel %s; %s; %s." % (
        m.get("Model name", "?"), m.get("nproc"),
        m.get("Hypervisor vendor", "bare metal"),
        m.get("mem_total_kb", 0) / 1048576, m.get("kernel"), m.get("wrk"),
        m.get("nginx")),
        "Code: main at %s. Started %s; %.0f s in all. Other work kept at "
        "most %.0f%% of the CPUs busy before a section." % (
            rev, res.get("started"), res.get("total_s", 0),
            max(busy + [0]) * 100), "",
        "| figure | poolboot | reference | ratio | target | result | "
        "command |", "|---|---:|---:|---:|---|---|---|"]
    for r in rows:
        out.append("| %s | %s | %s | %s | %s | %s | `python3 tests/bench/"
                   "bench.py --only %s` |" % (
                       r["figure"], r["value"], r["reference"] or "-",
                       "-" if r["ratio"] is None else "%.2f" % r["ratio"],
                       r["target"], "-" if r["met"] is None else
                       "pass" if r["met"] else "**FAIL**",
                       r["section"]))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


BUSY = {}


def idle_note(section):
    """Samples the machine for a second while the bench runs nothing and
    says so when other work keeps more than 10% of the CPU busy."""
    b = background_busy()
    BUSY.setdefault(section, []).append(b)
    if b > 0.1:
        say("  (note: %.0f%% of the CPUs were busy with other work just "
            "before this; the figures are skewed)" % (b * 100))


def background_busy(secs=1.0):
    """Share of all CPUs busy over secs while the bench itself runs
    nothing: other work on the machine that skews every figure."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return sum(v), idle
    t0, i0 = sample()
    time.sleep(secs)
    t1, i1 = sample()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def machine():
    info = {"nproc": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for k in ("Model name", "Hypervisor vendor", "CPU(s)"):
            m = re.search(r"^%s:\s*(.+)$" % re.escape(k), out, re.M)
            if m:
                info[k] = m.group(1).strip()
        with open("/proc/meminfo") as f:
            info["mem_total_kb"] = int(f.readline().split()[1])
        info["kernel"] = os.uname().release
        for tool, args in (("wrk", ["-v"]), ("nginx", ["-v"])):
            p = subprocess.run([tool] + args, capture_output=True, text=True)
            info[tool] = (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, ValueError):
        pass
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only",
                    default="repo,render,coord,scale,storm,tftp")
    ap.add_argument("--duration", type=int,
                    default=int(os.environ.get("BENCH_DURATION", "10")),
                    help="seconds per wrk run (default 10)")
    ap.add_argument("--quick", action="store_true",
                    help="smaller sizes and 3 s runs, to try the script")
    ap.add_argument("--json", default=os.path.join(REPO_ROOT, "build",
                                                   "bench", "results.json"))
    a = ap.parse_args()
    if a.quick and "BENCH_DURATION" not in os.environ and \
            "--duration" not in sys.argv:
        a.duration = 3
    missing = [t for t in ("wrk", "nginx") if shutil.which(t) is None]
    if missing:
        sys.exit("bench: missing %s (sh tests/bench/install-deps.sh)"
                 % " ".join(missing))
    if not os.path.exists(POOLBOOT):
        sys.exit("bench: build poolboot first (make)")
    only = set(a.only.split(","))
    work = tempfile.mkdtemp(prefix="pbbench-")
    os.chmod(work, 0o755)       # nginx's workers run as nobody
    res = {"machine": machine(), "started": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    m = res["machine"]
    say("poolboot bench on %s, %s CPUs (%s), %.1f GiB RAM, kernel %s; "
        "%s; %s" % (m.get("Model name", "?"), m.get("nproc"),
                     m.get("Hypervisor vendor", "bare metal"),
                     m.get("mem_total_kb", 0) / 1048576, m.get("kernel"),
                     m.get("wrk"), m.get("nginx")))
    t0 = time.monotonic()
    res["background_busy"] = BUSY
    import storm     # noqa: E402  (they import this module as "bench")
    import tftp      # noqa: E402
    sections = (
        ("repo", lambda: bench_repo(work, a.duration, a.quick)),
        ("render", lambda: bench_render(work, a.duration, a.quick)),
        ("coord", lambda: bench_coord(work, a.quick)),
        ("scale", lambda: bench_scale(work, a.quick)),
        ("storm", lambda: storm.bench_storm(work, a.quick)),
        ("tftp", lambda: tftp.bench_tftp(work, a.quick)))
    unknown = only - set(name for name, _ in sections)
    if unknown:
        sys.exit("bench: no section %s (sections: %s)" % (
            ", ".join(sorted(unknown)),
            ",".join(name for name, _ in sections)))
    try:
        for name, fn in sections:
            if name in only:
                idle_note(name)
                res[name] = fn()
        res["summary"] = summary(res)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    res["total_s"] = time.monotonic() - t0
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1, default=str)
    md = os.path.splitext(a.json)[0] + ".md"
    summary_markdown(res, res["summary"], md)
    say("\nbench: %.0f s; figures in %s, the table as Markdown in %s"
        % (res["total_s"], a.json, md))


if __name__ == "__main__":
    # storm.py and tftp.py import this module as "bench": one copy of it
    sys.modules.setdefault("bench", sys.modules[__name__])
    main()
