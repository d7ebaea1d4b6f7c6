"""[dnsmasq]: poolboot serve with a real dnsmasq.

The root-only tests build their own network inside two network namespaces
(server side: poolboot + dnsmasq on a veth with 10.213.0.1/24; client
side: the veth's peer with 10.213.0.2/24) and remove them afterwards;
nothing touches the host's interfaces and no packet leaves the
namespaces. Without root, `ip` or dnsmasq they are skipped, saying why.
"""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import unittest

import harness

SERVER_IP = "10.213.0.1"
CLIENT_IP = "10.213.0.2"
SYSLINUX = ["/usr/lib/PXELINUX/pxelinux.0", "/usr/lib/PXELINUX/lpxelinux.0",
            "/usr/lib/syslinux/modules/bios/ldlinux.c32",
            "/usr/lib/syslinux/modules/bios/mboot.c32",
            "/usr/lib/syslinux/modules/bios/libcom32.c32"]


def tftp_get(server, name, timeout=3.0):
    """A TFTP read (RFC 1350, octet mode). Returns (data, None) or
    (None, (code, message)) for a TFTP error packet."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    rrq = b"\x00\x01" + name.encode() + b"\x00octet\x00"
    s.sendto(rrq, (server, 69))
    data, expect, tries = b"", 1, 0
    try:
        while True:
            try:
                pkt, peer = s.recvfrom(65536)
            except socket.timeout:
                tries += 1
                if tries > 2 or expect > 1:
                    raise
                s.sendto(rrq, (server, 69))
                continue
            op = struct.unpack("!H", pkt[:2])[0]
            if op == 5:
                code = struct.unpack("!H", pkt[2:4])[0]
                return None, (code, pkt[4:].rstrip(b"\0").decode())
            if op != 3:
                raise RuntimeError("unexpected TFTP opcode %d" % op)
            block = struct.unpack("!H", pkt[2:4])[0]
            if block == expect & 0xffff:
                data += pkt[4:]
                expect += 1
            s.sendto(struct.pack("!HH", 4, block), peer)
            if block == (expect - 1) & 0xffff and len(pkt) - 4 < 512:
                return data, None
    finally:
        s.close()


def run(*argv, check=True):
    p = subprocess.run(list(argv), capture_output=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                                p.stderr.decode()))
    return p


def netns_problem():
    """Why the namespace tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces; dnsmasq binds ports 67/69)"
    if shutil.which("ip") is None:
        return "needs iproute2 (ip)"
    if shutil.which("dnsmasq") is None and \
            not os.access("/usr/sbin/dnsmasq", os.X_OK):
        return "needs dnsmasq (Debian package dnsmasq-base)"
    return None


class Net:
    """Two namespaces joined by a veth pair."""
    seq = 0

    def __init__(self):
        Net.seq += 1
        tag = "%d%d" % (os.getpid() % 100000, Net.seq)
        self.srv = "pbdq-s" + tag
        self.cli = "pbdq-c" + tag
        self.ifname = "pbdq0"
        run("ip", "netns", "add", self.srv)
        try:
            run("ip", "netns", "add", self.cli)
            for ns in (self.srv, self.cli):
                run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", self.srv, "link", "add", self.ifname, "type",
                "veth", "peer", "name", "pbdq1", "netns", self.cli)
            run("ip", "-n", self.srv, "addr", "add", SERVER_IP + "/24",
                "dev", self.ifname)
            run("ip", "-n", self.cli, "addr", "add", CLIENT_IP + "/24",
                "dev", "pbdq1")
            run("ip", "-n", self.srv, "link", "set", self.ifname, "up")
            run("ip", "-n", self.cli, "link", "set", "pbdq1", "up")
        except Exception:
            self.close()
            raise

    def close(self):
        for ns in (self.srv, self.cli):
            run("ip", "netns", "del", ns, check=False)

    def udp_ports(self):
        """Local UDP ports with a socket in the server namespace."""
        ports = set()
        for f in ("/proc/net/udp", "/proc/net/udp6"):
            p = run("ip", "netns", "exec", self.srv, "cat", f, check=False)
            for line in p.stdout.decode().splitlines()[1:]:
                local = line.split()[1]
                ports.add(int(local.rsplit(":", 1)[1], 16))
        return ports

    def tftp(self, name):
        """tftp_get run inside the client namespace."""
        p = run("ip", "netns", "exec", self.cli, sys.executable,
                os.path.abspath(__file__), "tftp-get", SERVER_IP, name)
        r = json.loads(p.stdout.decode())
        if r["error"] is not None:
            return None, tuple(r["error"])
        return r["data"].encode("latin-1"), None


class NsEnv(harness.Env):
    """harness.Env whose poolboot serve runs inside a namespace."""

    def __init__(self, net, **kw):
        self.net = net
        super().__init__(**kw)

    def http_ok(self):
        code = ("import socket,sys\n"
                "try:\n socket.create_connection(('127.0.0.1',%d),1)\n"
                "except OSError: sys.exit(1)\n" % self.port)
        return run("ip", "netns", "exec", self.net.srv, sys.executable,
                   "-c", code, check=False).returncode == 0

    def start(self, timeout=15.0):
        assert self.proc is None, "server already running"
        self.logf = open(self.log_path, "ab")
        self.logf.write(b"==== poolboot serve started by the test ====\n")
        self.logf.flush()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.net.srv, harness.poolboot_bin(),
             "serve", "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf,
            cwd=self.dir, env=harness.clean_env())
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                self.logf.close()
                raise RuntimeError("poolboot serve exited with %d:\n%s"
                                   % (rc, self.log_tail()))
            if self.http_ok():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("poolboot serve did not answer:\n%s"
                           % self.log_tail())

    def serve_until_exit(self, timeout=20):
        """Runs serve expecting it to refuse; returns its exit status."""
        with open(self.log_path, "ab") as logf:
            p = subprocess.run(
                ["ip", "netns", "exec", self.net.srv, harness.poolboot_bin(),
                 "serve", "-c", self.conf], stdin=subprocess.DEVNULL,
                stdout=logf, stderr=logf, cwd=self.dir,
                env=harness.clean_env(), timeout=timeout)
        return p.returncode


def children(pid, name):
    """pids of pid's children called name."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        state, ppid = st[st.rindex(")") + 2:].split()[:2]
        # a zombie (exited, not reaped yet) has an empty cmdline: the
        # `dnsmasq --test` below would pass for a daemon
        if int(ppid) != pid or comm != name or state == "Z":
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        # serve runs `dnsmasq --test` before the daemon: not the one
        if b"--test" not in argv:
            out.append(int(d))
    return out


def serve_dnsmasq_pid(env):
    """The dnsmasq env's serve says it started or restarted last, while it
    is serve's child; else None. Not a scan of serve's children alone:
    serve also runs a short-lived `dnsmasq --test` before it, which such
    a scan could find and lose a moment later (seen in CI: /proc/PID/status
    gone, ProcessLookupError; a pid that was not the daemon's)."""
    m = re.findall(r"(?:started \S*dnsmasq|dnsmasq restarted) \(pid (\d+)",
                   env.log_text())
    if not m:
        return None
    pid = int(m[-1])
    return pid if pid in children(env.proc.pid, "dnsmasq") else None


def wait_for(fn, timeout, step=0.1):
    """fn() until it is true or timeout passes. A file fn reads that does
    not exist yet (dnsmasq creates its log when it starts) reads as not
    yet."""
    def once():
        try:
            return fn()
        except FileNotFoundError:
            return None
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = once()
        if v:
            return v
        time.sleep(step)
    return fn()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def dnsmasq_section(**kv):
    lines = ["[dnsmasq]"] + ["%s = %s" % (k, v) for k, v in kv.items()]
    return "\n" + "\n".join(lines) + "\n"


@unittest.skipIf(netns_problem() is not None, netns_problem() or "")
class ManagedDnsmasqTest(unittest.TestCase):
    """mode = managed: poolboot runs dnsmasq and keeps it running."""

    def setUp(self):
        try:
            self.net = Net()
        except RuntimeError as e:
            self.skipTest("cannot create network namespaces here: %s" % e)
        self.env = None

    def tearDown(self):
        try:
            if self.env is not None:
                self.env.cleanup()
        finally:
            self.net.close()

    def make_env(self, **kv):
        kv.setdefault("interface", self.net.ifname)
        kv.setdefault("range", "10.213.0.0")
        self.env = NsEnv(self.net, boot_files="tftp",
                         extra_hosts=dnsmasq_section(**kv))
        return self.env

    def dnsmasq_pid(self):
        return serve_dnsmasq_pid(self.env)

    def test_proxy_dhcp_tftp_and_restart_after_kill(self):
        env = self.make_env()
        env.start()
        pid = wait_for(self.dnsmasq_pid, 5)
        self.assertIsNotNone(pid, "no dnsmasq child of poolboot serve:\n%s"
                             % env.log_tail())
        # the dnsmasq serve supervises is the one it says it started: in
        # one CI run the pid found in /proc was gone a second later
        # (ProcessLookupError at the kill below) with no exit of the
        # supervised dnsmasq in serve's log
        m = re.search(r"started dnsmasq \(pid (\d+)\)",
                      env.wait_log("started dnsmasq (pid"))
        pid = int(m.group(1))
        self.assertIn(pid, children(env.proc.pid, "dnsmasq"))
        ports = wait_for(lambda: {67, 69, 4011} <= self.net.udp_ports()
                         and self.net.udp_ports(), 5)
        self.assertTrue(ports, "dnsmasq not listening on 67, 69 and 4011 "
                        "in the namespace: %r" % self.net.udp_ports())
        conf = open(os.path.join(env.state, "dnsmasq/dnsmasq.conf")).read()
        self.assertIn("\ndhcp-range=10.213.0.0,proxy\n", conf)
        self.assertIn('\npxe-service=x86PC,"poolboot",pxelinux\n', conf)

        # what a PXE client with an unknown MAC gets: no per-MAC file
        # ("file not found"), then the default, which boots locally
        data, err = self.net.tftp("pxelinux.cfg/01-52-54-00-99-99-99")
        self.assertIsNone(data)
        self.assertEqual(err[0], 1, err)          # TFTP: file not found
        self.assertIn("not found", err[1])
        data, err = self.net.tftp("pxelinux.cfg/default")
        self.assertIsNone(err, err)
        with open(os.path.join(env.tftp, "pxelinux.cfg/default"), "rb") as f:
            self.assertEqual(data, f.read())
        self.assertTrue(harness.is_local_boot(data.decode()), data)
        log = wait_for(lambda: "sent " in open(os.path.join(
            env.state, "dnsmasq/dnsmasq.log")).read() and True, 3)
        self.assertTrue(log, "dnsmasq's log shows no TFTP transfer")

        # kill -9: a new dnsmasq within a few seconds, and the log says so
        os.kill(pid, 9)
        new = wait_for(lambda: (self.dnsmasq_pid() or pid) != pid and
                       self.dnsmasq_pid(), 6)
        self.assertTrue(new, "dnsmasq was not restarted:\n%s" %
                        env.log_tail())
        self.assertIn("dnsmasq (pid %d) was killed by signal 9" % pid,
                      env.log_text())
        self.assertIn("dnsmasq restarted (pid %d" % new, env.log_text())
        self.assertTrue(wait_for(lambda: 69 in self.net.udp_ports(), 5))
        data, err = self.net.tftp("pxelinux.cfg/default")
        self.assertIsNone(err, err)

        # stopping poolboot stops its dnsmasq
        self.assertEqual(env.stop(), 0)
        self.assertTrue(wait_for(lambda: not alive(new), 5),
                        "dnsmasq outlived poolboot serve")

    def test_full_dhcp_reads_hostsdir(self):
        env = self.make_env(dhcp="full",
                            range="10.213.0.100,10.213.0.150,255.255.255.0",
                            ping_check="no", ipv6_ra="fd00:213::")
        env.start()
        self.assertTrue(wait_for(self.dnsmasq_pid, 5))
        hd = os.path.join(env.state, "dnsmasq/hosts.d")
        self.assertEqual(sorted(os.listdir(hd)), ["h1", "h2", "new1"])
        with open(os.path.join(hd, "h1")) as f:
            self.assertEqual(f.read(), "52:54:00:00:00:01,set:poolboot\n")
        logp = os.path.join(env.state, "dnsmasq/dnsmasq.log")
        self.assertTrue(wait_for(lambda: ("read %s/h1" % hd) in
                                 open(logp).read(), 5),
                        "dnsmasq did not read the hostsdir")
        self.assertIn("no-ping", open(os.path.join(
            env.state, "dnsmasq/dnsmasq.conf")).read())

    def test_full_dhcp_dnsmasq_drops_root(self):
        # the shipped unit makes state_dir 0750 (StateDirectoryMode): the
        # hostsdir in it was out of reach for nobody, so dnsmasq was told
        # user=root and kept root in full-DHCP mode
        env = self.make_env(dhcp="full",
                            range="10.213.0.100,10.213.0.150,255.255.255.0",
                            ping_check="no")
        os.chmod(env.state, 0o750)
        os.chmod(env.dir, 0o755)    # tftp_root reachable, as in /srv
        env.start()
        pid = wait_for(self.dnsmasq_pid, 5)
        self.assertTrue(pid, env.log_tail())
        conf = open(os.path.join(env.state, "dnsmasq/dnsmasq.conf")).read()
        self.assertNotIn("user=root", conf)
        def uids():
            with open("/proc/%d/status" % pid) as f:
                return [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        # dnsmasq starts as root and drops to its user once it has bound
        # its sockets: wait for that moment
        wait_for(lambda: "0" not in uids(), 5)
        self.assertNotIn("0", uids(), "dnsmasq runs as root:\n%s" % conf)
        # and it still reads the hostsdir, as that user
        hd = os.path.join(env.state, "dnsmasq/hosts.d")
        logp = os.path.join(env.state, "dnsmasq/dnsmasq.log")
        self.assertTrue(wait_for(lambda: ("read %s/h1" % hd) in
                                 open(logp).read(), 5),
                        "dnsmasq did not read the hostsdir:\n%s"
                        % open(logp).read())
        self.assertEqual(os.stat(env.state).st_mode & 0o7777, 0o711)
        self.assertNotIn("keeps running as root", env.log_text())

    def test_dnsmasq_that_cannot_start_stops_serve(self):
        # passes poolboot's checks and dnsmasq --test; dnsmasq itself
        # refuses at start-up
        env = self.make_env(interface="pbnosuch0")
        rc = env.serve_until_exit()
        self.assertEqual(rc, 1, env.log_tail())
        log = env.log_text()
        self.assertIn("dnsmasq: unknown interface pbnosuch0", log)
        self.assertIn("dnsmasq did not start", log)
        self.assertNotIn("serving", log.split("started by the test")[-1])
        self.assertNotIn(67, self.net.udp_ports())
        self.assertFalse(self.net.udp_ports() & {67, 69, 4011})


class DnsmasqFilesTest(unittest.TestCase):
    """No root needed: what poolboot writes and how it refuses."""

    def tearDown(self):
        self.env.cleanup()

    def fake_dnsmasq(self, body):
        p = os.path.join(self.env.dir, "fake-dnsmasq")
        harness.write(p, "#!/bin/sh\n" + body + "\n", 0o755)
        return p

    def test_external_writes_files_and_runs_no_dnsmasq(self):
        self.env = harness.Env(extra_hosts=dnsmasq_section(
            mode="external", dhcp="full"))
        self.env.start()
        d = os.path.join(self.env.state, "dnsmasq")
        conf = open(os.path.join(d, "dnsmasq.conf")).read()
        self.assertIn("dhcp-hostsdir=%s/hosts.d\n" % d, conf)
        self.assertIn("dhcp-boot=tag:bios,lpxelinux.0\n", conf)  # boot_files = http
        self.assertNotIn("port=0", conf)       # the site keeps its DNS
        self.assertEqual(sorted(os.listdir(os.path.join(d, "hosts.d"))),
                         ["h1", "h2", "new1"])
        self.assertEqual(children(self.env.proc.pid, "dnsmasq"), [])
        self.assertIn("conf-file=%s/dnsmasq.conf" % d, self.env.log_text())

    def test_refused_config_stops_serve_with_dnsmasqs_message(self):
        # Every value poolboot accepts also passes the real dnsmasq --test
        # (they are checked first), so a stand-in binary plays a dnsmasq
        # that refuses the config.
        self.env = harness.Env(extra_hosts=dnsmasq_section(mode="external"))
        bad = self.fake_dnsmasq(
            'echo "dnsmasq: bad dhcp-range at line 9 of ${2#--conf-file=}"'
            ' >&2\nexit 1')
        self.env.write_config(extra_hosts=dnsmasq_section(
            mode="external", binary=bad))
        with self.assertRaises(RuntimeError) as cm:
            self.env.start()
        msg = str(cm.exception)
        self.assertIn("exited with 1", msg)
        self.assertIn("dnsmasq: bad dhcp-range at line 9 of %s/dnsmasq/"
                      "dnsmasq.conf" % self.env.state, msg)
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("dnsmasq refuses the generated config: dnsmasq: bad "
                      "dhcp-range at line 9", p.err)

    def test_check_requires_boot_files_and_init_tftp_installs_them(self):
        self.env = harness.Env(boot_files="tftp")
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 0, p.err)     # without [dnsmasq]:
        self.assertIn("note: '%s/pxelinux.0' is missing" % self.env.tftp,
                      p.err)                          # only a note
        self.env.write_config(extra_hosts=dnsmasq_section(
            mode="external", binary="/nonexistent/dnsmasq"))
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1, p.err)
        for f in ("pxelinux.0", "ldlinux.c32", "mboot.c32", "libcom32.c32"):
            self.assertIn("'%s/%s' is missing: run poolboot init-tftp"
                          % (self.env.tftp, f), p.err)
        self.assertIn("dnsmasq config not tested: dnsmasq binary "
                      "'/nonexistent/dnsmasq' not found", p.err)

        p = self.env.cli("init-tftp")
        missing = [s for s in SYSLINUX if not os.path.exists(s)]
        if missing:
            self.assertEqual(p.returncode, 1)
            self.assertIn("install the Debian package", p.err)
            self.skipTest("syslinux packages not installed: %s" % missing)
        self.assertEqual(p.returncode, 0, p.err)
        for s in SYSLINUX:
            name = os.path.basename(s)
            self.assertIn("copied  %s/%s from %s" % (self.env.tftp, name, s),
                          p.out)
            self.assertEqual(harness.sha256_file(s), harness.sha256_file(
                os.path.join(self.env.tftp, name)))
        self.assertTrue(os.path.islink(os.path.join(self.env.tftp,
                                                    "repo/xs82")))
        with open(os.path.join(self.env.tftp, "pxelinux.cfg/default")) as f:
            self.assertTrue(harness.is_local_boot(f.read()))
        p = self.env.cli("init-tftp")                 # idempotent
        self.assertEqual(p.returncode, 0, p.err)
        self.assertNotIn("copied", p.out)
        self.assertIn("kept    %s/pxelinux.0 (identical to" % self.env.tftp,
                      p.out)
        p = self.env.cli("check")
        self.assertNotIn("is missing", p.err)
        self.assertNotIn("pxelinux.0", p.err)

    def test_bad_dnsmasq_values_are_refused_with_lines(self):
        self.env = harness.Env()
        self.env.write_config(extra_hosts=dnsmasq_section(
            interface="br0 dhcp-script=/x", range="10.0.0.0/24"))
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1)
        text = open(self.env.conf).read().split("\n")
        ln = [i + 1 for i, l in enumerate(text) if l.startswith("interface")]
        self.assertIn("%s:%d: interface: 'br0 dhcp-script=/x' is not a "
                      "network interface name" % (self.env.conf, ln[0]),
                      p.err)
        ln = [i + 1 for i, l in enumerate(text) if l.startswith("range")]
        self.assertIn("%s:%d: range: '10.0.0.0/24' is not an IPv4 address"
                      % (self.env.conf, ln[0]), p.err)


if __name__ == "__main__" and len(sys.argv) == 4 and \
        sys.argv[1] == "tftp-get":
    d, e = tftp_get(sys.argv[2], sys.argv[3])
    print(json.dumps({"data": d.decode("latin-1") if d is not None else None,
                      "error": e}))
