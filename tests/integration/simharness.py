"""Rolling-upgrade worlds: the real `poolboot serve` against the real XAPI
pool simulator (tests/xapisim/xapisim.py) run as a separate process.

    sim = Sim(spec)                     # writes the spec, starts the process
    sim.state(); sim.log(); sim.fault("install_fail", host="b2"); sim.clear()
    sim.pause(); sim.resume()           # SIGSTOP / SIGCONT: freezes XAPI
    sim.stop()

    env, sim = world([pool_spec("rp", 21, 4, vms=2)])   # both started
    env.cli("upgrade", "rp"); env.wait_run("rp")
    env.close()                         # stops poolboot, then the sim

UpgradeEnv is harness.Env with an inventory of [pool]/[host] sections
that match the simulator's pools. Every [pool] points its `xapi` URL at a
member (not the master), so each login goes through HOST_IS_SLAVE. Only
loopback addresses are used.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import harness

SIM_SCRIPT = os.path.join(harness.REPO_ROOT, "tests", "xapisim", "xapisim.py")

BOOT_FILES = [("/usr/lib/PXELINUX/lpxelinux.0", "lpxelinux.0"),
              ("/usr/lib/PXELINUX/pxelinux.0", "pxelinux.0"),
              ("/usr/lib/syslinux/modules/bios/ldlinux.c32", "ldlinux.c32"),
              ("/usr/lib/syslinux/modules/bios/mboot.c32", "mboot.c32"),
              ("/usr/lib/syslinux/modules/bios/libcom32.c32", "libcom32.c32")]

OLD = "8.2.0"
NEW = "8.2.1"


def python():
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
        else sys.executable


def vtuple(v):
    return tuple(int(p) if p.isdigit() else 0 for p in str(v).split("."))


def mac_for(x, i):
    return "52:54:00:%02x:%02x:%02x" % (x & 0xff, 0x10, i & 0xff)


def pool_spec(name, x, nhosts, version=OLD, vms=0, master=1, prefix=None,
              **kw):
    """A simulator pool: hosts PREFIX1..PREFIXn on 127.0.x.1..n (the
    master is PREFIX<master>), vms running VMs spread over the hosts.
    Extra keyword arguments go into the pool spec (delays, ha_enabled...).
    """
    prefix = prefix or name + "h"
    hosts = []
    for i in range(1, nhosts + 1):
        hosts.append({"name": "%s%d" % (prefix, i),
                      "address": "127.0.%d.%d" % (x, i),
                      "mac": mac_for(x, i),
                      "product_version": version,
                      "build_number": "release/yangtze/master/26",
                      "platform_version": "3.2.0",
                      "memory_total_mib": 16384,
                      "master": i == master})
    vmlist = []
    for j in range(vms):
        vmlist.append({"name": "%svm%d" % (name, j + 1),
                       "host": hosts[j % nhosts]["name"],
                       "memory_mib": 1024 + 512 * (j % 3)})
    spec = {"name": name, "username": "root",
            "password": harness.POOL_PASSWORD,
            "install_delay": 0.2, "reboot_delay": 0.1,
            "evacuate_delay": 0.02, "shutdown_delay": 0.2,
            "enable_on_boot": False, "hosts": hosts, "vms": vmlist}
    spec.update(kw)
    return spec


class Sim:
    """One xapisim process."""

    def __init__(self, spec, workdir):
        self.spec = spec
        self.dir = workdir
        self.spec_path = os.path.join(workdir, "sim-spec.json")
        self.err_path = os.path.join(workdir, "sim.stderr")
        with open(self.spec_path, "w") as f:
            json.dump(spec, f, indent=1)
        self.errf = open(self.err_path, "ab")
        self.proc = subprocess.Popen(
            [python(), SIM_SCRIPT, "--spec", self.spec_path],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.errf, env=harness.clean_env())
        self.port = self.cport = None
        self.paused = False
        buf = b""
        deadline = time.time() + 15
        try:
            while b"xapisim ready" not in buf:
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(
                        "xapisim did not report ready (rc %r); stdout %r; "
                        "stderr:\n%s" % (self.proc.poll(), buf,
                                         self.stderr_tail()))
                r, _, _ = select.select([self.proc.stdout], [], [], left)
                if r:
                    chunk = os.read(self.proc.stdout.fileno(), 4096)
                    if not chunk and self.proc.poll() is not None:
                        continue
                    buf += chunk
            for line in buf.decode().splitlines():
                w = line.split()
                if line.startswith("xapisim control ") and len(w) == 5:
                    self.cport = int(w[2].rsplit(":", 1)[1])
                    self.port = int(w[4])
            if not self.cport or not self.port:
                raise RuntimeError("no control/port line from xapisim: %r"
                                   % buf)
        except BaseException:
            self.stop()
            raise
        # nothing more is expected on stdout; keep the pipe drained
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        try:
            while self.proc.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def stderr_tail(self, n=20):
        try:
            with open(self.err_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    # ---- control API ----------------------------------------------------
    def _req(self, method, path, body=None):
        assert not self.paused, "the simulator is paused (SIGSTOP)"
        data = None if body is None else json.dumps(body).encode()
        rq = urllib.request.Request(
            "http://127.0.0.1:%d%s" % (self.cport, path), data=data,
            method=method, headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(rq, timeout=10) as r:
            return json.loads(r.read().decode())

    def state(self):
        return self._req("GET", "/state")

    def hosts(self):
        return {h["name"]: h for h in self.state()["hosts"]}

    def pool_state(self, name):
        for p in self.state()["pools"]:
            if p["name"] == name:
                return p
        raise KeyError(name)

    def log(self, since=0):
        return self._req("GET", "/log?since=%d" % since)

    def events(self, kind=None, host=None):
        return [e for e in self.log()
                if "event" in e and (kind is None or e["event"] == kind)
                and (host is None or e.get("host") == host)]

    def calls(self, method=None):
        return [e for e in self.log() if "method" in e and
                (method is None or e["method"] == method)]

    def fault(self, kind, value=True, **target):
        return self._req("POST", "/fault", dict(target, kind=kind,
                                                value=value))

    def clear(self, **target):
        return self._req("POST", "/clear", target)

    def url(self, address):
        return "%s://%s:%d" % ("https" if self.spec.get("tls") else "http",
                               address, self.port)

    # ---- process --------------------------------------------------------
    def pause(self):
        """Freezes every XAPI host (and the installers): SIGSTOP."""
        self.proc.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self):
        if self.proc.poll() is None:
            if self.paused:
                self.resume()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.errf.closed:
            self.errf.close()


class UpgradeEnv(harness.Env):
    """harness.Env whose inventory is the simulator's pools."""

    def __init__(self, repo_version=NEW, boot_files=True, pool_opts=None):
        self.pools = None
        self.sim = None
        self.repo_version = repo_version
        self.with_boot_files = boot_files
        self.pool_opts = dict(install_timeout=20, rejoin_timeout=20,
                              evacuate_timeout=20, step_timeout=20,
                              poll_interval_ms=50)
        self.pool_opts.update(pool_opts or {})
        super().__init__(boot_files="http")

    def _make_tree(self, big_file):
        super()._make_tree(big_file)
        harness.write(os.path.join(self.repo, ".treeinfo"),
                      harness.TREEINFO.replace("version = 8.2.1",
                                               "version = %s"
                                               % self.repo_version))
        if self.with_boot_files:
            for src, name in BOOT_FILES:
                shutil.copyfile(src, os.path.join(self.tftp, name))

    def write_config(self, extra_server="", extra_hosts="", hosts_text=None):
        if self.pools is None:      # before the simulator runs
            return super().write_config(extra_server, extra_hosts, "")
        text = self.server_section(extra_server)
        text += "[repo up]\npath = %s\n\n" % self.repo
        for p in self.pools:
            hosts = p["hosts"]
            member = next((h for h in hosts if not h.get("master")),
                          hosts[0])
            text += ("[pool %s]\nxapi = %s\nusername = root\n"
                     "password_file = %s\nrepo = up\n"
                     % (p["name"], self.sim.url(member["address"]),
                        self.pool_pw))
            if self.sim.spec.get("tls"):
                # the pool's shared certificate (IP SANs for its hosts)
                text += "tls_ca = %s\n" % self.sim.spec["tls"]["cert"]
            text += "".join("%s = %s\n" % kv
                            for kv in sorted(self.pool_opts.items()))
            text += "\n"
            for h in hosts:
                text += ("[host %s]\npool = %s\nmac = %s\ndisk = sda\n\n"
                         % (h["name"], p["name"], h["mac"]))
        text += extra_hosts
        harness.write(self.conf, text)
        return self.conf

    def attach(self, sim, pools):
        self.sim = sim
        self.pools = pools
        self.write_config()

    def close(self):
        try:
            if self.sim is not None:
                self.sim.stop()
        finally:
            self.cleanup()

    # ---- runs -----------------------------------------------------------
    def pxe_of(self, mac):
        with open(os.path.join(self.tftp, "pxelinux.cfg",
                               harness.pxe_name(mac))) as f:
            return f.read()

    def status(self, pool):
        """The pool's latest run as GET /api/v1/pools/POOL shows it."""
        r = self.api("GET", "/pools/" + pool)
        assert r.status == 200, r
        return r.json()["pools"][0]

    def diag(self, pool=None):
        """Status JSON, server log tail and simulator tail for messages."""
        try:
            st = json.dumps(self.status(pool), indent=1) if pool else ""
        except Exception as e:  # noqa: BLE001 - diagnostics only
            st = "(status unavailable: %s)" % e
        sim = ""
        if self.sim is not None and not self.sim.paused:
            try:
                sim = "\n".join(json.dumps(e) for e in self.sim.log()[-25:])
            except Exception as e:  # noqa: BLE001
                sim = "(sim log unavailable: %s)" % e
        return ("\n--- last status ---\n%s\n--- poolboot log tail ---\n%s\n"
                "--- simulator log tail ---\n%s\n%s" % (
                    st, self.log_tail(40), sim,
                    self.sim.stderr_tail() if self.sim else ""))

    def wait_run(self, pool, states=("done", "halted", "aborted"),
                 timeout=40):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = self.status(pool)
            if last.get("run") is not None and last.get("state") in states:
                return last
            time.sleep(0.1)
        raise AssertionError("pool %s: run not %s within %d s%s"
                             % (pool, "/".join(states), timeout,
                                self.diag(pool)))

    def wait_step(self, pool, host, steps, timeout=30, period=0.002):
        """Polls the API until host is in one of steps; returns the run
        status (None if the run ended or the host finished first)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.status(pool)
            if st.get("state") not in (None, "running"):
                return None
            for h in st.get("hosts", []):
                if h["host"] == host:
                    if h["step"] in steps:
                        return st
                    if h["step"] in ("done", "skipped"):
                        return None
            time.sleep(period)
        raise AssertionError("pool %s: host %s not in step %s within %d s%s"
                             % (pool, host, "/".join(steps), timeout,
                                self.diag(pool)))


def world(pools, **envkw):
    """Starts the simulator with pools and poolboot serve on a matching
    inventory. Returns (env, sim); env.close() stops both."""
    env = UpgradeEnv(**envkw)
    try:
        sim = Sim({"tftp_root": env.tftp, "port": 0, "control_port": 0,
                   "pools": pools}, env.dir)
        env.attach(sim, pools)
        env.start()
    except BaseException:
        env.close()
        raise
    return env, sim


def make_tls(workdir, pools):
    """A self-signed certificate (and its key) with an IP SAN for every
    host of pools, for a simulator spec's "tls": {"cert", "key"}. Needs
    the openssl command."""
    cert = os.path.join(workdir, "sim-cert.pem")
    key = os.path.join(workdir, "sim-key.pem")
    ips = sorted({h["address"] for p in pools for h in p["hosts"]})
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=xapisim", "-addext", "subjectAltName=" +
                    ",".join("IP:" + a for a in ips)],
                   check=True, capture_output=True)
    return {"cert": cert, "key": key}


def host_step(status, host):
    for h in status["hosts"]:
        if h["host"] == host:
            return h
    raise KeyError(host)


def down_overlaps(log, hosts):
    """Pairs of hosts (of `hosts`) that were down at the same time, from
    host_down/host_up events in log order."""
    down, bad = set(), []
    for e in log:
        if e.get("host") not in hosts:
            continue
        if e.get("event") == "host_down":
            if down:
                bad.append((sorted(down), e["host"], e["t"]))
            down.add(e["host"])
        elif e.get("event") == "host_up":
            down.discard(e["host"])
    return bad
