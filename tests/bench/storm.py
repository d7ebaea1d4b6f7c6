"""The boot-storm section of tests/bench/bench.py (issue 15, point 3).

N installers boot at once. Each fetches, in order, on one keep-alive
connection of its own (a new one when the server closes it):
.treeinfo, its own answerfile (its host is armed, as in the render
section), boot/xen.gz, boot/vmlinuz, install.img, the repo's RPM-sized
files (1-64 KB), then posts its installation-complete callback. The
client is build/bench_storm (one thread, epoll, bodies discarded in the
kernel), so that one process can play 500 installers.

nginx serves the same static files from the same folder, and each host's
answerfile as a static file (the bytes poolboot rendered for it, fetched
once beforehand): nginx's plan is poolboot's without the callback, which
has no static equivalent. The byte totals therefore match but for the
callbacks' empty answers.
"""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import time

import bench as B

BENCH_STORM = os.environ.get("BENCH_STORM", os.path.join(
    B.REPO_ROOT, "build", "bench_storm"))
CACHE = os.path.join(B.REPO_ROOT, "build", "bench")


def storm_tree(img_mb, nrpm):
    """The storm's repo folder under build/bench/, made once: install.img
    is sparse (a hole reads as zeros from the page cache like any other
    page), the RPMs are make_iso_tree's 1-64 KB files."""
    d = os.path.join(CACHE, "storm-iso-%dM-%d" % (img_mb, nrpm))
    stamp = os.path.join(d, ".complete")
    if not os.path.exists(stamp):
        shutil.rmtree(d, ignore_errors=True)
        B.make_iso_tree(d, big_mb=0, nsmall=nrpm, seed=15)
        os.truncate(os.path.join(d, "install.img"), img_mb * 1000 * 1000)
        B.write(stamp, "")
    small = sorted(os.path.join("Packages", f) for f in os.listdir(
        os.path.join(d, "Packages")))
    return d, small


def run_client(port, plan_lines, plan_path, timeout):
    B.write(plan_path, "".join(" ".join(l) + "\n" for l in plan_lines))
    p = subprocess.run([BENCH_STORM, "127.0.0.1", str(port), plan_path,
                        str(timeout)], capture_output=True, text=True,
                       timeout=timeout + 60)
    if p.returncode != 0:
        raise RuntimeError("bench_storm: %s" % p.stderr.strip()[-500:])
    r = json.loads(p.stdout.strip().splitlines()[-1])
    done = [t for t in r["client_s"] if t >= 0]
    r["mbps"] = r["bytes"] / r["wall_s"] / B.MB if r["wall_s"] else 0
    r["client_median_s"] = statistics.median(done) if done else None
    r["client_max_s"] = max(done) if done else None
    r["fairness"] = (r["client_max_s"] / r["client_median_s"]
                     if done and r["client_median_s"] else None)
    del r["client_s"]
    return r


def bench_storm(work, quick):
    n = 50 if quick else 500
    img_mb = 30 if quick else 300
    nrpm = 50 if quick else 200
    B.say("\n== 5. boot storm: %d installers at once (install.img %d MB, "
          "%d RPMs of 1-64 KB each) ==" % (n, img_mb, nrpm))
    if not os.path.exists(BENCH_STORM):
        B.say("  (build/bench_storm not built: make build/bench_storm; "
              "section skipped)")
        return None
    repo, small = storm_tree(img_mb, nrpm)
    B.warm_cache([os.path.join(repo, p) for p in
                  ["install.img", "boot/xen.gz", "boot/vmlinuz"] + small])
    d = os.path.join(work, "storm-bench")
    os.makedirs(d)
    pw = os.path.join(d, "pool.pw")
    B.write(pw, "secret\n", 0o600)
    port = B.free_port()
    # every installer of the bench comes from 127.0.0.1; a real storm
    # comes from n addresses, each far below per_ip_connections
    text = B.server_section(d, port, boot_attempts=20, http_threads=2,
                            template_dir=os.path.join(B.REPO_ROOT,
                                                      "templates"))
    text += ("[repo storm]\npath = %s\n\n[pool rack]\nxapi = "
             "https://192.0.2.10\nusername = root\npassword_file = %s\n"
             "repo = storm\n\n" % (repo, pw))
    text += B.inventory(n, x=0x15)
    names = ["h%05d" % i for i in range(n)]
    macs = ["52:54:15:%02x:%02x:%02x" % ((i >> 16) & 0xff, (i >> 8) & 0xff,
                                         i & 0xff) for i in range(n)]
    statics = ["/.treeinfo", None, "/boot/xen.gz", "/boot/vmlinuz",
               "/install.img"] + ["/" + s for s in small]
    pb = B.Poolboot(d, text, port).start()
    out = {"clients": n, "install_img_mb": img_mb, "rpms": nrpm,
           "nginx_plan": "same files; each answerfile as a static file "
           "(poolboot's bytes for that host); no callback"}
    ng = None
    try:
        p = pb.cli("arm", names[0])
        if p.returncode != 0:
            raise RuntimeError("poolboot arm: %s%s" % (p.stdout, p.stderr))
        B.arm_via_api(port, pb.admin_token(), names[1:])
        toks = [B.token_of(os.path.join(d, "tftp"), m) for m in macs]
        ngroot = os.path.join(d, "ngroot")
        os.makedirs(os.path.join(ngroot, "repo"))
        os.symlink(repo, os.path.join(ngroot, "repo", "storm"))
        pb_plan, ng_plan = [], []
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for name, tok in zip(names, toks):
            af = "/hosts/%s/%s/answerfile" % (name, tok)
            c.request("GET", af)
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError("answerfile of %s: %d" % (name, r.status))
            B.write(os.path.join(ngroot, af.lstrip("/")), body)
            items = ["G" + (af if s is None else "/repo/storm" + s)
                     for s in statics]
            ng_plan.append(items)
            pb_plan.append(items + ["P/hosts/%s/%s/callback/0" % (name, tok)])
        c.close()
        os.chmod(d, 0o755)
        timeout = 180 if quick else 900
        B.idle_note("storm")
        cpu0 = B.cpu_s(pb.proc.pid)
        r = run_client(port, pb_plan, os.path.join(d, "plan-pb.txt"),
                       timeout)
        r["cpu_s"] = B.cpu_s(pb.proc.pid) - cpu0
        r["rss_peak_kb"] = B.rss_kb(pb.proc.pid, "VmHWM")
        r["rss_kb"] = B.rss_kb(pb.proc.pid)
        out["poolboot"] = r
        B.say("  poolboot: %.0f MB/s aggregate (%.1f GB in %.1f s), client "
              "median %.1f s, slowest %.1f s (%.2fx), %d errors%s; RSS peak "
              "%.1f MB; CPU %.1f s" % (
                  r["mbps"], r["bytes"] / 1e9, r["wall_s"],
                  r["client_median_s"] or 0, r["client_max_s"] or 0,
                  r["fairness"] or 0, r["errors"],
                  " e.g. %s" % r["examples"][:2] if r["examples"] else "",
                  r["rss_peak_kb"] / 1024, r["cpu_s"]))
        pb.stop()
        ng = B.Nginx(os.path.join(d, "nginx"), ngroot, B.free_port(),
                     os.cpu_count() or 2).start()
        B.idle_note("storm")
        r = run_client(ng.port, ng_plan, os.path.join(d, "plan-ng.txt"),
                       timeout)
        out["nginx"] = r
        B.say("  nginx:    %.0f MB/s aggregate (%.1f GB in %.1f s), client "
              "median %.1f s, slowest %.1f s (%.2fx), %d errors%s" % (
                  r["mbps"], r["bytes"] / 1e9, r["wall_s"],
                  r["client_median_s"] or 0, r["client_max_s"] or 0,
                  r["fairness"] or 0, r["errors"],
                  " e.g. %s" % r["examples"][:2] if r["examples"] else ""))
    finally:
        pb.stop()
        if ng:
            ng.stop()
    a, b = out["poolboot"], out["nginx"]
    out["ratio_mbps"] = a["mbps"] / b["mbps"] if b["mbps"] else None
    B.say("  poolboot / nginx: %s (MB/s)" % B.fmt_ratio(a["mbps"], b["mbps"]))
    return out
