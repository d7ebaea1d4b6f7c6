"""The TFTP vs HTTP section of tests/bench/bench.py (issue 15, point 5).

Two network namespaces joined by a veth pair, made and removed here (the
way tests/e2e makes its namespaces): the server side runs dnsmasq's TFTP
server and `poolboot serve`, both serving the same 100 MB install.img;
the client side runs curl: tftp:// with blksize 512 (the protocol's
default, what a plain PXE ROM asks for) and 1408 (what pxelinux and iPXE
ask for on a 1500-byte MTU), and http:// from poolboot. Needs root.
"""
import os
import shutil
import statistics
import subprocess
import time

import bench as B

NET = "10.231.0"
SRV_IP = NET + ".1"
CLI_IP = NET + ".2"


def run(argv, check=True, timeout=60):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), p.stderr.strip()))
    return p


class Netns:
    """Namespaces srv and cli joined by the veth pair v0 (srv) / v1 (cli)."""

    def __init__(self):
        tag = "%d" % os.getpid()
        self.srv = "pbbench-srv" + tag
        self.cli = "pbbench-cli" + tag
        self.made = []

    def up(self):
        for ns in (self.srv, self.cli):
            run(["ip", "netns", "add", ns])
            self.made.append(ns)
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "-n", self.srv, "link", "add", "v0", "type", "veth",
             "peer", "name", "v1", "netns", self.cli])
        run(["ip", "-n", self.srv, "addr", "add", SRV_IP + "/24", "dev",
             "v0"])
        run(["ip", "-n", self.cli, "addr", "add", CLI_IP + "/24", "dev",
             "v1"])
        run(["ip", "-n", self.srv, "link", "set", "v0", "up"])
        run(["ip", "-n", self.cli, "link", "set", "v1", "up"])
        return self

    def exec(self, ns, argv):
        return ["ip", "netns", "exec", ns] + argv

    def down(self):
        for ns in self.made:
            # whatever still runs in it (nothing should) goes first
            p = run(["ip", "netns", "pids", ns], check=False)
            for pid in p.stdout.split():
                try:
                    os.kill(int(pid), 9)
                except (OSError, ValueError):
                    pass
            run(["ip", "netns", "del", ns], check=False)
        self.made = []


def curl_get(ns, url, extra=(), timeout=300):
    """Seconds and bytes of one curl download to /dev/null from ns."""
    p = run(ns.exec(ns.cli, ["curl", "-sS", "-o", "/dev/null", "-w",
                             "%{size_download} %{time_total}",
                             "--max-time", str(timeout)] + list(extra) +
                    [url]), check=False, timeout=timeout + 30)
    if p.returncode != 0:
        raise RuntimeError("curl %s: %s" % (url, p.stderr.strip()))
    size, secs = p.stdout.split()
    return int(size), float(secs)


def bench_tftp(work, quick):
    mb = 20 if quick else 100
    B.say("\n== 6. TFTP vs HTTP: %d MB between two network namespaces ==" % mb)
    if os.geteuid() != 0:
        B.say("  skipped: needs root (it makes two network namespaces and a "
              "veth pair); run the bench as root")
        return {"skipped": "not root"}
    missing = [t for t in ("ip", "dnsmasq", "curl") if shutil.which(t) is None]
    if missing:
        B.say("  skipped: %s missing (sh tests/bench/install-deps.sh)"
              % " ".join(missing))
        return {"skipped": "missing " + " ".join(missing)}
    d = os.path.join(work, "tftp-bench")
    repo = os.path.join(d, "iso")
    B.make_iso_tree(repo, big_mb=0)
    img = os.path.join(repo, "install.img")
    os.truncate(img, mb * 1000 * 1000)
    B.warm_cache([img])
    os.chmod(d, 0o755)
    size = os.path.getsize(img)
    runs = 1 if quick else 2
    out = {"file_mb": mb, "runs": runs}
    ns = Netns()
    procs = []
    try:
        ns.up()
        dq = subprocess.Popen(ns.exec(ns.srv, [
            "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
            "--port=0", "--enable-tftp", "--tftp-root=" + repo,
            "--listen-address=" + SRV_IP, "--bind-interfaces",
            "--user=root", "--pid-file=", "--log-facility=" +
            os.path.join(d, "dnsmasq.log")]), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(dq)
        port = B.free_port()
        text = B.server_section(d, port)
        text = text.replace("\nlisten = 127.0.0.1:%d\n" % port,
                            "\nlisten = %s:%d\n" % (SRV_IP, port))
        text = text.replace("public_url = http://127.0.0.1:",
                            "public_url = http://%s:" % SRV_IP)
        text += "[repo t]\npath = %s\n" % repo
        conf = os.path.join(d, "poolboot.conf")
        B.write(conf, text)
        logf = open(os.path.join(d, "serve.log"), "ab")
        pb = subprocess.Popen(ns.exec(ns.srv, [B.POOLBOOT, "serve", "-c",
                                               conf]),
                              stdin=subprocess.DEVNULL, stdout=logf,
                              stderr=logf, cwd=d)
        procs.append(pb)
        url = "http://%s:%d/repo/t/" % (SRV_IP, port)
        deadline = time.time() + 30
        while True:
            p = run(ns.exec(ns.cli, ["curl", "-sf", "-o", "/dev/null",
                                     url + ".treeinfo"]), check=False)
            if p.returncode == 0:
                break
            if time.time() > deadline or pb.poll() is not None:
                raise RuntimeError("poolboot serve in %s did not answer"
                                   % ns.srv)
            time.sleep(0.1)
        B.idle_note("tftp")
        res = {}
        for what, extra, u in (
                ("tftp blksize 512", ["--tftp-blksize", "512"],
                 "tftp://%s/install.img" % SRV_IP),
                ("tftp blksize 1408", ["--tftp-blksize", "1408"],
                 "tftp://%s/install.img" % SRV_IP),
                ("http (poolboot)", [], url + "install.img")):
            speeds = []
            for _ in range(runs):
                got, secs = curl_get(ns, u, extra)
                if got != size:
                    raise RuntimeError("%s: %d bytes of %d" % (what, got,
                                                               size))
                speeds.append(size / secs / B.MB)
            res[what] = statistics.median(speeds)
            B.say("  %-18s %8.1f MB/s  (runs: %s)" % (
                what, res[what], ", ".join("%.1f" % s for s in speeds)))
        out["mbps"] = res
        h = res["http (poolboot)"]
        out["ratio_http_tftp512"] = h / res["tftp blksize 512"]
        out["ratio_http_tftp1408"] = h / res["tftp blksize 1408"]
        B.say("  HTTP / TFTP: %.0fx (blksize 512), %.0fx (blksize 1408)" % (
            out["ratio_http_tftp512"], out["ratio_http_tftp1408"]))
    finally:
        for p in procs:
            B.stop_proc(p)
        ns.down()
    return out
