#!/usr/bin/env python3
"""End-to-end PXE tests: real dnsmasq, real syslinux, QEMU, Xen, dom0 kernel.

Each scenario builds its own world and tears it down:

  network namespace pbe2e<pid>-<n>   bridge br0 10.200.0.1/24 + fd00:200::1/64
                                     and tap devices for QEMU; no traffic
                                     leaves it
  $E2E_LOGS/<scenario>/              poolboot.conf, repo/, tftp/, state/
                                     (state/dnsmasq/dnsmasq.log), serve.log,
                                     serial*.log — kept after the run

and runs, inside the namespace, `poolboot init-tftp`, `poolboot serve`
(which runs dnsmasq: [dnsmasq] mode = managed, dhcp = full), `poolboot arm`
and a QEMU machine (TCG) that PXE-boots with an inventory MAC: iPXE ->
pxelinux.0 or lpxelinux.0 -> pxelinux.cfg/01-<mac> -> mboot.c32 -> Xen ->
Debian's kernel as dom0 -> tests/e2e/installer/init, which fetches and
checks the answerfile, fetches .treeinfo, runs the installation-complete
script and reboots. The machine must then boot from its local disk.

  python3 tests/e2e/e2e.py [--list] [SCENARIO...]      (default: the
                                   scenarios marked default in SCENARIOS)
  python3 tests/e2e/e2e.py all                         (every scenario)

Environment: POOLBOOT_BIN (default build/poolboot), E2E_CACHE (default
build/e2e-cache, filled by tests/e2e/setup.sh), E2E_LOGS (default
build/e2e-logs), E2E_BOOT_TIMEOUT (seconds per boot, default 180), E2E_MEM
(QEMU MiB, default 2304: the pxelinux template gives dom0 2048 MiB),
E2E_TEMPLATE_DIR (templates to test, default templates/).

Prints TAP lines ("ok N - ..." / "not ok N - ...") with the timings as "#"
lines, and at the end "N passed, N failed". Needs root and /dev/net/tun;
tests/e2e/run.sh checks that and runs setup.sh first.
"""
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import machine  # noqa: E402
from machine import Lines, Machine, pump, LOCAL_BOOT_RE, XEN_RE  # noqa: E402

SERVER_IP = "10.200.0.1"
PORT = 8080
PUBLIC_URL = "http://%s:%d" % (SERVER_IP, PORT)
# the admin API listens on the namespace's loopback only
ADMIN_PORT = 8081
ADMIN_URL = "http://127.0.0.1:%d" % ADMIN_PORT
KNOWN_MAC = "52:54:00:e2:e0:01"
UNKNOWN_MAC = "52:54:00:e2:e0:99"
HOST = "e2e-host"
# the UEFI machine of the mixed scenario (beside HOST, a BIOS machine)
UEFI_MAC = "52:54:00:e2:e0:02"
UEFI_HOST = "e2e-uefi"
# proxy-DHCP worlds: the site's own DHCP server, in a namespace of its own
# joined to br0 by a veth pair
SITE_IP = "10.200.0.254"
REPO = "e2e"
BIG_IMG = 100 * 1024 * 1024 + 4096   # a realistic install.img (>= 100 MB)
REPO_VERSION = "8.3.0"
TREEINFO = ("[platform]\nname = XCP\nversion = 3.4.0\n"
            "[branding]\nname = XCP-ng\nversion = %s\n"
            "[build]\nnumber = e2e/standin/1\n" % REPO_VERSION)

SANITIZER_RE = (r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|"
                r"runtime error: |SUMMARY: \w+Sanitizer")
TFTP_SENT_RE = r"dnsmasq-tftp\[\d+\]: sent (\S+) to (\S+)"
HTTP_RE = r'"(GET|HEAD|POST|PUT|DELETE) (\S+)" (\S+) (\d+) (\d+)ms'

BOOT_TIMEOUT = machine.env_int("E2E_BOOT_TIMEOUT", 180)
# development only: the test builds the GRUB image itself (handmade_grub)
HANDMADE = os.environ.get("E2E_UEFI_HANDMADE") == "1"
GRUB_MODULES = ("efinet tftp http net normal configfile multiboot2 echo test "
                "gzio linux chain efi_gop efi_uga all_video minicmd sleep "
                "reboot halt regexp").split()
CACHE = os.path.abspath(os.environ.get("E2E_CACHE",
                                       os.path.join(TOP, "build/e2e-cache")))
LOGS = os.path.abspath(os.environ.get("E2E_LOGS",
                                      os.path.join(TOP, "build/e2e-logs")))
TEMPLATES = os.path.abspath(os.environ.get("E2E_TEMPLATE_DIR",
                                           os.path.join(TOP, "templates")))


def python():
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
        else sys.executable


def poolboot_bin():
    b = os.environ.get("POOLBOOT_BIN", "build/poolboot")
    return b if os.path.isabs(b) else os.path.join(TOP, b)


def pxe_name(mac):
    return "01-" + mac.lower().replace(":", "-")


def is_local_boot(text):
    return (text is not None and "answerfile=" not in text
            and re.search(r"(?m)^\s*localboot\b", text) is not None)


def is_grub_local(text):
    """A GRUB file that boots locally: no install entry, an exit."""
    return (text is not None and "answerfile=" not in text
            and re.search(r"(?m)^\s*exit\b", text) is not None)


class Fail(Exception):
    """A check failed; the message says what a user would have seen."""


def run(argv, check=True, **kw):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, **kw)
    if check and p.returncode != 0:
        raise Fail("%s exited %d:\n%s" % (" ".join(argv), p.returncode,
                                          p.stdout[-3000:]))
    return p


def tail_file(path, lines, stop, strip=None):
    """Follows a file (dnsmasq's log, a serial log) into lines until stop
    is set; strip: a regex removed from the start of each line."""
    pos = 0
    part = ""
    while not stop.is_set():
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                f.seek(pos)
                data = f.read()
                pos = f.tell()
        except FileNotFoundError:
            data = ""
        if data:
            part += data
            *whole, part = part.split("\n")
            for line in whole:
                lines.add(re.sub(strip, "", line, count=1) if strip
                          else line)
        stop.wait(0.05)


# ---- the world -------------------------------------------------------------

class World:
    """Namespace, files, poolboot serve (with its dnsmasq) and machines."""

    count = 0

    def __init__(self, name, boot_files="tftp", big_image=False,
                 kernel_args=None, taps=("tap0",), firmware=None,
                 dhcp="full", tftp=True, http_boot=False):
        World.count += 1
        self.name = name
        self.ns = "pbe2e%d-%d" % (os.getpid(), World.count)
        self.dir = os.path.join(LOGS, name)
        self.boot_files = boot_files
        self.taps = taps
        self.t0 = time.monotonic()
        self.serve = None
        self.machines = []
        self.procs = []          # other processes we started (simulator)
        self.threads = []
        self.stop_tail = threading.Event()
        self.serve_log = Lines(self.t0)
        self.dns_log = Lines(self.t0)
        self.timings = []        # (label, seconds)
        self.boot_split = {}
        self.kernel_args = kernel_args
        self.firmware = firmware     # HOST's firmware key (None: default)
        self.dhcp = dhcp             # [dnsmasq] dhcp: full | proxy
        self.tftp = tftp             # [dnsmasq] tftp
        self.http_boot = http_boot   # UEFI machines do UEFI HTTP boot
        self.site_ns = self.ns + "-site" if dhcp == "proxy" else None
        shutil.rmtree(self.dir, ignore_errors=True)
        for d in ("repo/boot", "tftp", "state"):
            os.makedirs(os.path.join(self.dir, d))
        self.conf = os.path.join(self.dir, "poolboot.conf")
        self.tftp_root = os.path.join(self.dir, "tftp")
        self.state = os.path.join(self.dir, "state")
        self.dnsmasq_log = os.path.join(self.state, "dnsmasq", "dnsmasq.log")
        self._make_repo(big_image)

    # -- files
    def _make_repo(self, big_image):
        repo = os.path.join(self.dir, "repo")
        with open(os.path.join(repo, ".treeinfo"), "w") as f:
            f.write(TREEINFO)
        boot = os.path.join(CACHE, "boot")
        for src, dst in (("xen.gz", "boot/xen.gz"),
                         ("vmlinuz", "boot/vmlinuz"),
                         ("install.img", "install.img")):
            s = os.path.join(boot, src)
            if not os.path.exists(s):
                raise Fail("%s missing: run tests/e2e/setup.sh first" % s)
            shutil.copyfile(s, os.path.join(repo, dst))
        img = os.path.join(repo, "install.img")
        if big_image:
            # mboot.c32 gunzips a gzip module while it loads it and stops
            # reading at the end of the gzip stream: zeros after a gzip
            # archive would never be transferred. So the big image is the
            # uncompressed cpio archive followed by zeros up to BIG_IMG:
            # the boot loader loads every byte, the kernel skips the zeros
            # when it unpacks the initramfs.
            with gzip.open(img) as f:
                cpio = f.read()
            with open(img, "wb") as f:
                f.write(cpio)
                f.truncate(BIG_IMG)
        self.image_size = os.path.getsize(img)
        for root, dirs, files in os.walk(self.dir):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for fn in files:
                os.chmod(os.path.join(root, fn), 0o644)

    def server_text(self):
        return """# written by tests/e2e/e2e.py for scenario {name}
[server]
listen = {ip}:{port}
admin_listen = 127.0.0.1:{admin_port}
public_url = {url}
state_dir = {state}
tftp_root = {tftp}
template_dir = {templates}
boot_files = {boot_files}

[dnsmasq]
mode = managed
interface = br0
address = {ip}
{dhcp}ping_check = no
ipv6_ra = fd00:200::

[repo {repo}]
path = {dir}/repo

[defaults]
serial_console = com1,115200

""".format(name=self.name, ip=SERVER_IP, port=PORT, url=PUBLIC_URL,
           admin_port=ADMIN_PORT,
           state=self.state, tftp=self.tftp_root, templates=TEMPLATES,
           boot_files=self.boot_files, repo=REPO, dir=self.dir,
           dhcp=self.dnsmasq_text())

    def dnsmasq_text(self):
        """The [dnsmasq] lines that differ between worlds."""
        if self.dhcp == "proxy":
            # the site's DHCP server (start_site_dhcp) hands out addresses
            text = "dhcp = proxy\nrange = 10.200.0.0,255.255.255.0\n"
        else:
            text = ("dhcp = full\n"
                    "range = 10.200.0.100,10.200.0.150,255.255.255.0\n"
                    "lease_time = 1h\n")
        if not self.tftp:
            # UEFI HTTP boot needs no TFTP: dnsmasq runs without it
            text += "tftp = no\n"
        return text

    def write_config(self, hosts_text=None):
        if hosts_text is None:
            hosts_text = ("[host %s]\nmac = %s\ndisk = sda\nmode = upgrade\n"
                          "repo = %s\n" % (HOST, KNOWN_MAC, REPO))
            if self.kernel_args:
                hosts_text += "kernel_args = %s\n" % self.kernel_args
            if self.firmware:
                hosts_text += "firmware = %s\n" % self.firmware
        with open(self.conf, "w") as f:
            f.write(self.server_text() + hosts_text)

    def note(self, label, seconds):
        self.timings.append((label, seconds))

    # -- network
    def nsexec(self, argv):
        return ["ip", "netns", "exec", self.ns] + argv

    def up(self):
        run(["ip", "netns", "add", self.ns])
        ip = ["ip", "-n", self.ns]
        run(ip + ["link", "set", "lo", "up"])
        run(ip + ["link", "add", "br0", "type", "bridge"])
        run(ip + ["addr", "add", SERVER_IP + "/24", "dev", "br0"])
        # iPXE waits ~13 s for IPv6 autoconfiguration unless it gets a
        # router advertisement (dnsmasq sends them: ipv6_ra); nodad: the
        # address is usable at once
        run(ip + ["addr", "add", "fd00:200::1/64", "dev", "br0", "nodad"])
        run(ip + ["link", "set", "br0", "up"])
        for tap in self.taps:
            run(ip + ["tuntap", "add", "dev", tap, "mode", "tap"])
            run(ip + ["link", "set", tap, "master", "br0"])
            run(ip + ["link", "set", tap, "up"])
        if self.http_boot:
            # GRUB 2.06's TCP numbers its source ports from a fixed start
            # (21550, one per connection) and does not always acknowledge
            # the server's FIN; a machine that boots GRUB over HTTP again a
            # few seconds after its last GRUB run reuses a port whose
            # server socket is still in FIN-WAIT-1/LAST-ACK, and GRUB
            # hangs. A real install takes minutes (the kernel gives up on
            # such orphans after ~100 s), the stand-in 20 s: here orphaned
            # sockets are dropped after one retry. See README.md.
            run(self.nsexec(["sysctl", "-q", "-w",
                             "net.ipv4.tcp_orphan_retries=1"]))
        if self.site_ns:
            self.start_site_dhcp()

    def start_site_dhcp(self):
        """Proxy-DHCP worlds: the site's DHCP server, a plain dnsmasq
        (addresses only, no boot options) in a namespace of its own whose
        eth0 is a veth into br0, so that it and poolboot's proxy dnsmasq
        each have DHCP port 67 to themselves."""
        run(["ip", "netns", "add", self.site_ns])
        run(["ip", "-n", self.ns, "link", "add", "vsite", "type", "veth",
             "peer", "name", "eth0", "netns", self.site_ns])
        run(["ip", "-n", self.ns, "link", "set", "vsite", "master", "br0"])
        run(["ip", "-n", self.ns, "link", "set", "vsite", "up"])
        sip = ["ip", "-n", self.site_ns]
        run(sip + ["link", "set", "lo", "up"])
        run(sip + ["addr", "add", SITE_IP + "/24", "dev", "eth0"])
        run(sip + ["link", "set", "eth0", "up"])
        conf = os.path.join(self.dir, "site-dnsmasq.conf")
        log = os.path.join(self.dir, "site-dnsmasq.log")
        with open(conf, "w") as f:
            f.write("# the site's DHCP server (tests/e2e/e2e.py): addresses "
                    "only, the boot file comes from poolboot's proxy-DHCP\n"
                    "port=0\ninterface=eth0\nbind-interfaces\nlog-dhcp\n"
                    "log-facility=%s\ndhcp-leasefile=%s\n"
                    "dhcp-range=10.200.0.160,10.200.0.199,255.255.255.0,1h\n"
                    "no-ping\nuser=root\n" % (
                        log, os.path.join(self.dir, "site-leases")))
        p = subprocess.Popen(["ip", "netns", "exec", self.site_ns, "dnsmasq",
                              "--keep-in-foreground", "--conf-file=" + conf],
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT)
        self.procs.append(p)
        self.site_log = Lines(self.t0)
        self._thread(tail_file, log, self.site_log, self.stop_tail)
        if not self.site_log.wait(r"DHCP, IP range", 10,
                                  alive=lambda: p.poll() is None):
            raise Fail("the site's DHCP server (dnsmasq) did not start:\n%s"
                       % self.site_log.tail())

    # -- poolboot
    def cli(self, *args, check=True):
        return run(self.nsexec([poolboot_bin()] + list(args)), check=check,
                   cwd=self.dir)

    def start_server(self):
        if not os.path.exists(self.conf):
            self.write_config()
        t = time.monotonic()
        self.cli("init-tftp", "-c", self.conf)
        for f in ("pxelinux.0", "lpxelinux.0", "ldlinux.c32", "mboot.c32",
                  "libcom32.c32", "pxelinux.cfg/default"):
            if not os.path.exists(os.path.join(self.tftp_root, f)):
                raise Fail("poolboot init-tftp left out %s" % f)
        if not is_local_boot(open(os.path.join(
                self.tftp_root, "pxelinux.cfg/default")).read()):
            raise Fail("init-tftp's pxelinux.cfg/default is not local boot")
        uefi = self.name.startswith("uefi") or self.name in ("mixed",
                                                             "redfish")
        if HANDMADE and uefi:
            self.handmade_grub()
        if uefi:
            self.check_grub_tree()
        p = self.cli("check", "-c", self.conf, check=False)
        if p.returncode != 0:
            raise Fail("poolboot check refused the test's configuration:\n"
                       + p.stdout)
        self.serve = subprocess.Popen(
            self.nsexec([poolboot_bin(), "serve", "-c", self.conf]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=self.dir)
        self._thread(pump, self.serve.stdout, self.serve_log,
                     os.path.join(self.dir, "serve.log"),
                     lambda lines, text: text)
        self._thread(tail_file, self.dnsmasq_log, self.dns_log,
                     self.stop_tail)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.serve.poll() is not None:
                raise Fail("poolboot serve exited %d:\n%s" % (
                    self.serve.returncode, self.serve_log.tail()))
            # ready: HTTP answers, poolboot says its dnsmasq runs ("...
            # on br0 (pid N)") and that dnsmasq has the DHCP+TFTP ports
            if self.cli("hosts", "-c", self.conf, check=False).returncode \
                    == 0 and self.serve_log.find(r"dnsmasq: .* on br0 "
                                                 r"\(pid \d+\)") \
                    and self.dnsmasq_pid():
                self.note("poolboot init-tftp, check, serve + dnsmasq up",
                          time.monotonic() - t)
                return
            time.sleep(0.2)
        raise Fail("poolboot serve (HTTP and dnsmasq) not ready in 20 s:\n"
                   "%s\n--- dnsmasq log:\n%s" % (self.serve_log.tail(),
                                                 self.dns_log.tail()))

    def handmade_grub(self):
        """E2E_UEFI_HANDMADE=1 only (development, never the default): the
        test builds the GRUB image itself (grub_image: in proxy-DHCP worlds
        grubx64-proxy.efi with poolboot's TFTP address in GRUB's prefix),
        and writes grub/grub.cfg when init-tftp did not. The per-host files
        stay poolboot's."""
        d = os.path.join(self.tftp_root, "grub")
        os.makedirs(os.path.join(d, "hosts"), exist_ok=True)
        image = self.grub_image()
        prefix = "(tftp,%s)/grub" % SERVER_IP \
            if image.endswith("-proxy.efi") else "/grub"
        run(["grub-mkimage", "-O", "x86_64-efi", "-p", prefix, "-o",
             os.path.join(self.tftp_root, image)] + GRUB_MODULES)
        cfg = os.path.join(d, "grub.cfg")
        if not os.path.exists(cfg):
            with open(cfg, "w") as f:
                f.write('echo "poolboot: UEFI boot of ${net_default_mac}"\n'
                        "configfile $prefix/hosts/${net_default_mac}.cfg\n"
                        "echo 'poolboot: no install entry for this machine, "
                        "local boot'\nexit\n")
        for root, dirs, files in os.walk(d):
            for x in dirs:
                os.chmod(os.path.join(root, x), 0o755)
            for x in files:
                os.chmod(os.path.join(root, x), 0o644)
        self.note("E2E_UEFI_HANDMADE=1: %s (prefix %s) built by the test"
                  % (image, prefix), 0)

    def grub_image(self):
        """The GRUB image UEFI PXE clients get: in proxy-DHCP the one with
        poolboot's TFTP address in its prefix (GRUB 2.06 would take the
        site DHCP server's address), else grub/grubx64.efi."""
        return "grub/grubx64-proxy.efi" if self.dhcp == "proxy" and \
            not self.http_boot else "grub/grubx64.efi"

    def check_grub_tree(self):
        """What init-tftp must have left for UEFI clients: the GRUB EFI
        image(s) (PE files) and grub/grub.cfg loading the per-MAC file."""
        for name in sorted({"grub/grubx64.efi", self.grub_image()}):
            try:
                with open(os.path.join(self.tftp_root, name), "rb") as f:
                    head = f.read(2)
            except FileNotFoundError:
                raise Fail("poolboot init-tftp left out %s" % name)
            if head != b"MZ":
                raise Fail("%s is not an EFI (PE) image" % name)
        try:
            with open(os.path.join(self.tftp_root, "grub", "grub.cfg")) as f:
                cfg = f.read()
        except FileNotFoundError:
            raise Fail("poolboot init-tftp left out grub/grub.cfg")
        if "${net_default_mac}" not in cfg or "configfile" not in cfg:
            raise Fail("grub/grub.cfg does not load the per-MAC file:\n%s"
                       % cfg)

    def dnsmasq_pid(self):
        """pid of the dnsmasq listening on the DHCP and TFTP ports in the
        namespace (poolboot's child; DHCP only with tftp = no), or None."""
        p = run(self.nsexec(["ss", "-H", "-lunp"]), check=False)
        pids = set()
        for port in ("67", "69") if self.tftp else ("67",):
            m = re.search(r":%s\s.*\"dnsmasq\",pid=(\d+)" % port, p.stdout)
            if not m:
                return None
            pids.add(int(m.group(1)))
        return pids.pop() if len(pids) == 1 else None

    def arm(self, host=HOST, mac=KNOWN_MAC, firmware=None):
        """poolboot arm; checks the per-MAC files firmware (the host's key,
        None = auto) boots from: bios pxelinux's, uefi GRUB's, auto both.
        The other one must say local boot."""
        self.cli("arm", "-c", self.conf, host)
        pxe, grub = self.pxe_file(mac), self.grub_file(mac)
        if firmware in (None, "auto", "bios"):
            if pxe is None or "answerfile=" not in pxe:
                raise Fail("after arm, pxelinux.cfg/%s has no install "
                           "entry:\n%s" % (pxe_name(mac), pxe))
        elif pxe is not None and not is_local_boot(pxe):
            raise Fail("after arm of a UEFI host, pxelinux.cfg/%s is not "
                       "local boot:\n%s" % (pxe_name(mac), pxe))
        # auto: the GRUB file too, once init-tftp made the GRUB tree
        if firmware == "uefi" or (firmware in (None, "auto") and
                                  os.path.isdir(os.path.join(
                                      self.tftp_root, "grub", "hosts"))):
            if grub is None or "answerfile=" not in grub:
                raise Fail("after arm, grub/hosts/%s.cfg has no install "
                           "entry:\n%s" % (mac, grub))
        elif grub is not None and not is_grub_local(grub):
            raise Fail("after arm of a BIOS host, grub/hosts/%s.cfg is not "
                       "local boot:\n%s" % (mac, grub))
        return grub if firmware == "uefi" else pxe

    def hosts(self):
        # stdout alone: the configuration's warnings (this world's XAPI is
        # plain http://) go to stderr
        argv = self.nsexec([poolboot_bin(), "hosts", "-c", self.conf,
                            "--json"])
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, cwd=self.dir)
        if p.returncode != 0:
            raise Fail("%s exited %d:\n%s" % (" ".join(argv), p.returncode,
                                              (p.stdout + p.stderr)[-3000:]))
        return {h["name"]: h for h in json.loads(p.stdout)}

    def wait_state(self, host, states, timeout):
        deadline = time.monotonic() + timeout
        while True:
            st = self.hosts()[host]
            if st["state"] in states or time.monotonic() > deadline:
                return st
            time.sleep(0.5)

    def api(self, path, method="GET", body=None):
        """The admin API through curl inside the namespace (on its
        loopback: the admin listener)."""
        with open(os.path.join(self.state, "admin.token")) as f:
            token = f.read().strip()
        argv = ["curl", "-sS", "-X", method, "-H",
                "Authorization: Bearer " + token, ADMIN_URL + "/api/v1" + path]
        if body is not None:
            argv[3:3] = ["-d", json.dumps(body)]
        p = run(self.nsexec(argv))
        return json.loads(p.stdout)

    def pxe_file(self, mac=KNOWN_MAC):
        path = os.path.join(self.tftp_root, "pxelinux.cfg", pxe_name(mac))
        try:
            with open(path) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def grub_file(self, mac=KNOWN_MAC):
        path = os.path.join(self.tftp_root, "grub", "hosts", mac + ".cfg")
        try:
            with open(path) as f:
                return f.read()
        except FileNotFoundError:
            return None

    # -- machines
    def start_machine(self, mac, tap="tap0", log="serial.log",
                      firmware="bios"):
        m = Machine(mac, tap, os.path.join(self.dir, log), t0=self.t0,
                    wrap=self.nsexec([]), firmware=firmware,
                    http_boot=self.http_boot)
        self.machines.append(m)
        return m.start()

    def tftp_sent(self, suffix, start=0):
        """[(t, path)] of TFTP transfers dnsmasq completed for ...suffix."""
        return [(t, m.group(1)) for _, t, m in
                self.dns_log.find_all(TFTP_SENT_RE, start)
                if m.group(1).endswith(suffix)]

    def http_reqs(self, substr):
        """[(t, method, path, status, bytes, ms)] from poolboot's log."""
        out = []
        for _, t, m in self.serve_log.find_all(HTTP_RE):
            if substr in m.group(2):
                out.append((t, m.group(1), m.group(2), m.group(3),
                            int(m.group(4)), int(m.group(5))))
        return out

    @staticmethod
    def bursts(times, gap=5.0):
        """Times grouped into bursts (a gap of at least gap seconds between
        two): [(t of the burst's first, count)]. GRUB reads a gzip file
        with a transfer per seek (TFTP: 2 "sent" lines, HTTP: up to 3
        GETs within a second) for one load."""
        out = []
        for t in sorted(times):
            if out and t - out[-1][2] < gap:
                out[-1] = (out[-1][0], out[-1][1] + 1, t)
            else:
                out.append((t, 1, t))
        return [(t, n) for t, n, _ in out]

    def http_loads(self, suffix):
        """Loads of a file over HTTP (its GETs in bursts)."""
        return self.bursts(r[0] for r in self.http_reqs(suffix)
                           if r[1] == "GET" and r[2].endswith(suffix))

    def tftp_loads(self, suffix):
        """Loads of a file over TFTP (its transfers in bursts)."""
        return self.bursts(t for t, _ in self.tftp_sent(suffix))

    # -- helpers
    def _thread(self, fn, *args):
        th = threading.Thread(target=fn, args=args, daemon=True)
        th.start()
        self.threads.append(th)

    def sockets(self):
        """The namespace's TCP sockets (ss -tan), for a stuck HTTP boot."""
        p = run(self.nsexec(["ss", "-tan"]), check=False)
        return "\n".join("    " + l for l in p.stdout.splitlines()[:60])

    def evidence(self, m=None):
        serial = ""
        for mm in ([m] if m else self.machines):
            serial += "--- serial %s (last lines):\n%s\n" % (
                os.path.basename(mm.log_path), mm.serial.tail(30))
        site = ""
        if self.site_ns and getattr(self, "site_log", None):
            site = "--- the site's DHCP server:\n%s\n" % \
                self.site_log.tail(8)
        return ("%s--- dnsmasq:\n%s\n%s--- poolboot serve:\n%s\n(logs in "
                "%s)" % (serial, self.dns_log.tail(15), site,
                         self.serve_log.tail(15), self.dir))

    @staticmethod
    def stop_process(p, sig=signal.SIGTERM, wait=15):
        if p is None or p.poll() is not None:
            return
        try:
            p.send_signal(sig)
            p.wait(wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def down(self):
        """Stops the machines, the simulator and poolboot, checks that
        poolboot's dnsmasq went with it, removes the namespace. Returns a
        problem or None."""
        problem = None
        for m in self.machines:
            m.kill()
        for p in self.procs:
            self.stop_process(p)
        self.stop_process(self.serve)
        left = []
        if os.path.exists("/run/netns/" + self.ns):
            p = run(["ip", "netns", "pids", self.ns], check=False)
            left = [int(x) for x in p.stdout.split() if x.isdigit()]
        for pid in left:
            try:
                with open("/proc/%d/comm" % pid) as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if problem is None:
                problem = ("still running in the namespace after poolboot "
                           "serve stopped: %s (pid %d)" % (comm, pid))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.stop_tail.set()
        for th in self.threads:
            th.join(2)
        bad = self.serve_log.find(SANITIZER_RE)
        if bad:
            problem = ("poolboot serve: %s (see %s/serve.log)"
                       % (bad[2].string, self.dir))
        run(["ip", "netns", "del", self.ns], check=False)
        if self.site_ns:
            run(["ip", "netns", "del", self.site_ns], check=False)
        return problem


# ---- one install, step by step ---------------------------------------------

def installer_and_callback(w, m, host, expect_state, result_arg, t_xen,
                           q0, who="", mode="upgrade"):
    """From Xen's start: the installer stand-in runs (answerfile,
    .treeinfo, script with result_arg, callback) and poolboot records
    expect_state for host. Returns (serial index, t) of the installer's
    reboot line."""
    # 3. the installer stand-in: answerfile, .treeinfo, script, reboot
    hit = m.wait(machine.INSTALLER_RE, BOOT_TIMEOUT - (t_xen - q0))
    if not hit:
        raise Fail("dom0 never ran the installer stand-in\n%s" % w.evidence())
    inst_idx, t_inst = hit[0], hit[1]
    w.note(who + "Xen + dom0 kernel boot (Xen starts -> installer runs)",
           t_inst - t_xen)
    if w.image_size >= BIG_IMG:
        # dom0 got all of install.img, not a gunzipped part of it
        r = m.serial.find(r"RAMDISK: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]")
        got = int(r[2].group(2), 16) + 1 - int(r[2].group(1), 16) if r else 0
        if got < w.image_size:
            raise Fail("dom0's initrd is %d bytes, install.img %d\n%s"
                       % (got, w.image_size, w.evidence()))
    hit = m.wait(machine.REBOOT_RE, 150, start=inst_idx)
    rep = machine.installer_report(m.serial, inst_idx)
    if not hit or rep["fatal"]:
        raise Fail("the installer stand-in did not finish: %s\n%s"
                   % (rep["fatal"], w.evidence()))
    reboot_idx, t_reboot = hit[0], hit[1]
    w.note(who + "installer: DHCP, answerfile, .treeinfo, script, callback",
           t_reboot - t_inst)
    # an upgrade names the disk of the installation it upgrades; a fresh
    # install has none (its disk is <primary-disk>)
    want = ("installation", mode, "sda" if mode == "upgrade" else "none",
            "%s/repo/%s/" % (PUBLIC_URL, REPO))
    got = (rep["root"], rep["mode"], rep["existing"], rep["source"])
    if got != want:
        raise Fail("the installer read root/mode/existing-installation/"
                   "source %s, wanted %s\n%s" % (got, want, w.evidence()))
    ti = machine.parse_treeinfo(rep["treeinfo"])
    if ti.get("product_version") != REPO_VERSION:
        raise Fail("the installer did not read the repo's .treeinfo: %s\n%s"
                   % (ti, w.evidence()))
    if rep["script_arg"] != result_arg:
        raise Fail("the installation-complete script ran with %s, not %d\n%s"
                   % (rep["script_arg"], result_arg, w.evidence()))
    if not m.serial.find(r"E2E-INSTALLER:   \| poolboot: reported result "
                         r"%d" % result_arg, inst_idx):
        raise Fail("the script did not say it reported %d\n%s"
                   % (result_arg, w.evidence()))
    cb = w.http_reqs("/callback/%d" % result_arg)
    if not cb or cb[0][3] != "200":
        raise Fail("no successful POST .../callback/%d in poolboot's log: "
                   "%s\n%s" % (result_arg, cb, w.evidence()))

    # 4. poolboot: the host's state, its per-MAC file is local boot
    st = w.wait_state(host, (expect_state,), 10)
    if st["state"] != expect_state:
        raise Fail("poolboot hosts --json says %s is %s, wanted %s (%s)"
                   % (host, st["state"], expect_state, st))
    return reboot_idx, t_reboot


def boot_install(w, mac, host, expect_state, result_arg, tap="tap0",
                 log="serial.log", who="", xen_loads=1):
    """Boots the armed host's BIOS machine: install entry -> Xen ->
    installer -> callback -> state -> local-boot file -> reboot -> local
    boot. who prefixes the timings (two machines in one world)."""
    tftp = w.boot_files == "tftp"
    m = w.start_machine(mac, tap=tap, log=log)
    q0 = m.started
    entry = pxe_name(mac)
    loader = "pxelinux.0" if tftp else "lpxelinux.0"

    # 1. DHCP, the boot loader, the per-MAC file
    hit = w.dns_log.wait(r"sent \S+/pxelinux\.cfg/%s to" % entry, 90,
                         alive=m.alive)
    if not hit:
        raise Fail("the machine never fetched pxelinux.cfg/%s over TFTP\n%s"
                   % (entry, w.evidence()))
    t_cfg = hit[1]
    if not w.tftp_sent("/" + loader):
        raise Fail("dnsmasq did not hand out %s\n%s" % (loader,
                                                       w.evidence()))
    w.note(who + "QEMU start -> DHCP, %s, pxelinux.cfg/01-<mac>" % loader,
           t_cfg - q0)

    # 2. Xen starts once mboot.c32 has loaded xen.gz, vmlinuz, install.img
    hit = m.wait(XEN_RE, BOOT_TIMEOUT)
    if not hit:
        raise Fail("Xen never started\n%s" % w.evidence())
    t_xen = hit[1]
    w.note(who + "boot files over %s (pxelinux.cfg -> Xen starts)"
           % ("TFTP" if tftp else "HTTP"), t_xen - t_cfg)
    if tftp:
        sent = {}
        for f in ("mboot.c32", "boot/xen.gz", "boot/vmlinuz", "install.img"):
            s = w.tftp_sent(f if f == "mboot.c32" else
                            "repo/%s/%s" % (REPO, f))
            if not s:
                raise Fail("%s was not sent over TFTP\n%s" % (f,
                                                             w.evidence()))
            sent[os.path.basename(f)] = s[0][0]
        w.boot_split = {
            "xen.gz": sent["xen.gz"] - sent["mboot.c32"],
            "vmlinuz": sent["vmlinuz"] - sent["xen.gz"],
            "install.img": sent["install.img"] - sent["vmlinuz"]}
    else:
        for f in ("xen.gz", "vmlinuz", "install.img"):
            reqs = [r for r in w.http_reqs("/repo/%s/" % REPO)
                    if r[2].endswith("/" + f) and r[1] == "GET"]
            if not reqs or reqs[0][3] not in ("200", "206"):
                raise Fail("lpxelinux did not GET %s over HTTP: %s\n%s"
                           % (f, reqs, w.evidence()))
            w.boot_split[f] = sum(r[5] for r in reqs) / 1000.0
        if w.tftp_sent("install.img"):
            raise Fail("boot_files = http, yet install.img went over TFTP")
    for f, s in w.boot_split.items():
        w.note(who + "  %s (%d bytes)" % (f, os.path.getsize(os.path.join(
            w.dir, "repo", f if f == "install.img" else "boot/" + f))), s)

    reboot_idx, t_reboot = installer_and_callback(
        w, m, host, expect_state, result_arg, t_xen, q0, who)

    # 4. poolboot: its per-MAC file is local boot (and its GRUB file, when
    # poolboot wrote one: firmware auto, or the local entry for bios)
    text = w.pxe_file(mac)
    if not is_local_boot(text):
        raise Fail("after the callback pxelinux.cfg/%s is not local boot:\n%s"
                   % (entry, text))
    text = w.grub_file(mac)
    if text is not None and not is_grub_local(text):
        raise Fail("after the callback grub/hosts/%s.cfg is not local boot:"
                   "\n%s" % (mac, text))

    # 5. the reboot: PXE again, the same per-MAC file, now local boot
    hit = m.wait(machine.PXE_RE, 60, start=reboot_idx)
    if not hit:
        raise Fail("the machine did not boot again after the installer "
                   "(powered off?)\n%s" % w.evidence())
    t_pxe2 = hit[1]
    w.note(who + "installer reboot -> firmware PXE again", t_pxe2 - t_reboot)
    deadline = time.monotonic() + BOOT_TIMEOUT
    sent = w.tftp_sent("pxelinux.cfg/" + entry)
    while len(sent) < 2 and time.monotonic() < deadline and m.alive():
        time.sleep(0.2)
        sent = w.tftp_sent("pxelinux.cfg/" + entry)
    if len(sent) < 2:
        raise Fail("the second boot did not read pxelinux.cfg/%s (TFTP sent "
                   "it %d times)\n%s" % (entry, len(sent), w.evidence()))
    hit = m.wait(LOCAL_BOOT_RE, BOOT_TIMEOUT, start=reboot_idx)
    if not hit:
        raise Fail("no local boot on the serial line after the install\n%s"
                   % w.evidence())
    w.note(who + "second boot: PXE -> 01-<mac> -> '%s'" % hit[2].group(0),
           hit[1] - t_pxe2)
    assert_no_second_install(w, m, reboot_idx, xen_loads)
    w.note(who + "total: QEMU start -> local boot after the install", hit[1] - q0)


def boot_install_uefi(w, mac, host, expect_state, result_arg, tap="tap0",
                      log="serial.log", who="", xen_loads=1, m=None,
                      mode="upgrade"):
    """Boots the armed host's UEFI machine (OVMF): UEFI PXE or HTTP boot ->
    grub/grubx64.efi -> grub/grub.cfg -> grub/hosts/<mac>.cfg -> Xen ->
    installer -> callback -> state -> local-boot files -> reboot -> the
    same GRUB file, now local boot -> GRUB exits to the firmware. m: a
    machine someone else started (the BMC's), else one is started here;
    mode: the answerfile's installation mode."""
    if m is None:
        m = w.start_machine(mac, tap=tap, log=log, firmware="uefi")
    q0 = m.started
    how = "HTTP boot" if w.http_boot else "PXE"
    over = "HTTP" if w.http_boot else "TFTP"
    hostfile = "grub/hosts/%s.cfg" % mac

    # 1. the firmware's DHCP, the GRUB image, GRUB runs grub/grub.cfg
    hit = m.wait(machine.GRUB_RE, 90)
    if not hit:
        raise Fail("%sthe machine's UEFI %s never started GRUB\n%s"
                   % (who, how, w.evidence()))
    t_grub = hit[1]
    hit = m.wait(machine.GRUB_CFG_RE, 20, start=hit[0])
    if not hit:
        why = ""
        if w.dhcp == "proxy" and not w.http_boot:
            why = (" (proxy-DHCP: Debian's GRUB 2.06 takes the TFTP server "
                   "from the site's DHCP answer, not from the proxy's, "
                   "unless the image's prefix names it; see "
                   "tests/e2e/README.md)")
        raise Fail("%sGRUB started but did not run poolboot's grub/grub.cfg "
                   "within 20 s%s\n%s" % (who, why, w.evidence()))
    if hit[2].group(1) != mac:
        raise Fail("%sGRUB's ${net_default_mac} is %s, the NIC's MAC %s"
                   % (who, hit[2].group(1), mac))
    grub_idx, t_cfg = hit[0], hit[1]
    arch = "HTTPClient:Arch:00016" if w.http_boot else "PXEClient:Arch:00007"
    if not w.dns_log.find(re.escape(arch)):
        raise Fail("%sdnsmasq never saw a DHCP request with vendor class %s"
                   "\n%s" % (who, arch, w.evidence()))
    image = w.grub_image()
    if w.http_boot:
        img = [r for r in w.http_reqs("/" + image)
               if r[1] == "GET" and r[3] == "200"]
    else:
        img = w.tftp_sent(image)
    if not img:
        raise Fail("%s%s was not sent over %s\n%s"
                   % (who, image, over, w.evidence()))
    w.note(who + "QEMU start -> UEFI %s, %s over %s, GRUB" % (
        how, os.path.basename(image), over), t_grub - q0)

    # 2. the host's GRUB file, then the boot files
    def hostfile_loads():
        if w.http_boot:
            return [r[0] for r in w.http_reqs("/" + hostfile)
                    if r[1] == "GET" and r[3] == "200"]
        return [t for t, _ in w.tftp_sent(hostfile)]
    deadline = time.monotonic() + 10
    while not hostfile_loads() and time.monotonic() < deadline:
        time.sleep(0.2)
    if not hostfile_loads():
        raise Fail("%sGRUB did not load %s over %s\n%s"
                   % (who, hostfile, over, w.evidence()))
    w.note(who + "GRUB -> grub.cfg -> %s" % hostfile, t_cfg - t_grub)
    hit = m.wait(XEN_RE, BOOT_TIMEOUT, start=grub_idx)
    if not hit:
        raise Fail("%sXen never started\n%s" % (who, w.evidence()))
    t_xen = hit[1]
    files_over = "HTTP" if (w.http_boot or w.boot_files == "http") \
        else "TFTP"
    w.note(who + "boot files over %s (GRUB's %s: grub.cfg -> Xen starts)"
           % (files_over, "http" if files_over == "HTTP" else "tftp"),
           t_xen - t_cfg)
    split = {}
    prev = t_cfg
    for f in ("boot/xen.gz", "boot/vmlinuz", "install.img"):
        path = "/repo/%s/%s" % (REPO, f)
        if files_over == "HTTP":
            loads = w.http_loads(path)
            gets = [r for r in w.http_reqs(path) if r[1] == "GET"]
            if not loads or not any(r[3] in ("200", "206") for r in gets):
                raise Fail("%sGRUB did not GET %s over HTTP: %s\n%s"
                           % (who, path, gets, w.evidence()))
            if w.tftp_sent(path):
                raise Fail("%s%s went over TFTP, wanted HTTP" % (who, path))
            split[f] = sum(r[5] for r in gets) / 1000.0
        else:
            sent = w.tftp_sent(path)
            if not sent:
                raise Fail("%s%s was not sent over TFTP\n%s"
                           % (who, path, w.evidence()))
            split[f] = sent[-1][0] - prev
            prev = sent[-1][0]
    for f, sec in split.items():
        w.note(who + "  %s (%d bytes)" % (os.path.basename(f),
               os.path.getsize(os.path.join(w.dir, "repo", f))), sec)

    reboot_idx, t_reboot = installer_and_callback(
        w, m, host, expect_state, result_arg, t_xen, q0, who, mode)

    # 3. poolboot: the GRUB file is local boot, the pxelinux one too
    text = w.grub_file(mac)
    if not is_grub_local(text):
        raise Fail("%safter the callback %s is not local boot:\n%s"
                   % (who, hostfile, text))
    text = w.pxe_file(mac)
    if text is not None and not is_local_boot(text):
        raise Fail("%safter the callback pxelinux.cfg/%s is not local boot:"
                   "\n%s" % (who, pxe_name(mac), text))

    # 4. the reboot: the firmware boots from the network again, GRUB reads
    # the same file, now local boot, and exits to the firmware
    hit = m.wait(machine.UEFI_NET_RE, 60, start=reboot_idx)
    if not hit:
        raise Fail("%sthe machine did not boot from the network again after "
                   "the installer (powered off?)\n%s" % (who, w.evidence()))
    t_net2 = hit[1]
    w.note(who + "installer reboot -> firmware UEFI %s again" % how,
           t_net2 - t_reboot)
    hit = m.wait(machine.GRUB_RE, 90, start=hit[0])
    if hit:
        hit = m.wait(machine.GRUB_CFG_RE, 30, start=hit[0])
    if not hit:
        raise Fail("%sGRUB did not run grub.cfg on the second boot\n%s"
                   "\n--- TCP sockets in the namespace:\n%s"
                   % (who, w.evidence(), w.sockets()))
    hit = m.wait_local(BOOT_TIMEOUT, start=hit[0])
    if not hit:
        raise Fail("%sno local boot (GRUB's 'poolboot: local boot', then "
                   "the firmware's next boot option) after the install\n%s"
                   % (who, w.evidence()))
    deadline = time.monotonic() + 5
    while len(hostfile_loads()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    if len(hostfile_loads()) < 2:
        raise Fail("%sthe second boot did not read %s (loaded %d times)\n%s"
                   % (who, hostfile, len(hostfile_loads()), w.evidence()))
    w.note(who + "second boot: UEFI %s -> GRUB -> local boot -> firmware "
           "starts \"%s\"" % (how, hit[2].group(2)), hit[1] - t_net2)
    assert_no_second_install(w, m, reboot_idx, xen_loads)
    w.note(who + "total: QEMU start -> back in the firmware after the "
           "install", hit[1] - q0)
    return m


def assert_no_second_install(w, m, start, xen_loads=1):
    """After serial line start: no Xen, no installer, no second xen.gz
    (xen_loads: the machines installed in this world). GRUB reads a
    gzip file more than once (a transfer per seek): transfers close
    together count as one load (World.bursts)."""
    time.sleep(1)
    if m.serial.find(XEN_RE + "|" + machine.INSTALLER_RE, start):
        raise Fail("the installer booted a second time\n%s" % w.evidence())
    if len(w.tftp_loads("/xen.gz")) > xen_loads or \
            len(w.http_loads("/xen.gz")) > xen_loads:
        raise Fail("xen.gz was loaded a second time\n%s" % w.evidence())


# ---- scenarios ----------------------------------------------------------------

def scenario_install(w):
    w.start_server()
    w.arm()
    boot_install(w, KNOWN_MAC, HOST, "done", 0)


def scenario_failed(w):
    w.start_server()
    w.arm()
    boot_install(w, KNOWN_MAC, HOST, "failed", 1)


def scenario_unknown(w):
    w.start_server()
    # poolboot's dnsmasq is killed first: poolboot must restart it
    pid = w.dnsmasq_pid()
    os.kill(pid, signal.SIGKILL)
    t = time.monotonic()
    while time.monotonic() - t < 30:
        if w.serve.poll() is not None:
            raise Fail("poolboot serve exited %d after its dnsmasq was "
                       "killed:\n%s" % (w.serve.returncode,
                                        w.serve_log.tail()))
        new = w.dnsmasq_pid()
        if new and new != pid:
            break
        time.sleep(0.1)
    else:
        raise Fail("poolboot did not restart its dnsmasq (pid %d, SIGKILL) "
                   "within 30 s\n%s" % (pid, w.serve_log.tail()))
    w.note("dnsmasq killed -> restarted by poolboot", time.monotonic() - t)
    w.arm()          # the known host has an install entry; a stranger boots
    armed = w.hosts()[HOST]["state"]
    if w.pxe_file(UNKNOWN_MAC) is not None:
        raise Fail("a per-MAC file exists for a MAC not in the inventory")
    m = w.start_machine(UNKNOWN_MAC)
    hit = w.dns_log.wait(r"sent \S+/pxelinux\.cfg/default to", 90,
                         alive=m.alive)
    if not hit:
        raise Fail("the unknown machine never got pxelinux.cfg/default\n%s"
                   % w.evidence())
    w.note("QEMU start -> pxelinux.cfg/default", hit[1] - m.started)
    if not w.dns_log.find(r"%s not found" % re.escape(pxe_name(UNKNOWN_MAC))):
        raise Fail("pxelinux did not look for %s first\n%s"
                   % (pxe_name(UNKNOWN_MAC), w.evidence()))
    hit = m.wait(LOCAL_BOOT_RE, BOOT_TIMEOUT)
    if not hit:
        raise Fail("no local boot on the serial line\n%s" % w.evidence())
    w.note("QEMU start -> local boot", hit[1] - m.started)
    assert_no_second_install(w, m, 0)
    if w.http_reqs("/answerfile") or w.http_reqs("/repo/"):
        raise Fail("the unknown machine fetched from poolboot: %s"
                   % (w.http_reqs("/answerfile") + w.http_reqs("/repo/")))
    if w.pxe_file(UNKNOWN_MAC) is not None:
        raise Fail("poolboot wrote a per-MAC file for the unknown MAC")
    if w.hosts()[HOST]["state"] != armed:
        raise Fail("the known host's state changed from %s" % armed)


def scenario_uefi_unknown(w):
    """An unknown MAC on UEFI PXE: GRUB runs grub/grub.cfg, finds no file
    for the MAC, says so and exits to the firmware; nothing is fetched from
    poolboot and no file is written for it."""
    w.start_server()
    w.arm(firmware=w.firmware)   # the known host has an install entry
    armed = w.hosts()[HOST]["state"]
    if w.grub_file(UNKNOWN_MAC) is not None:
        raise Fail("a GRUB file exists for a MAC not in the inventory")
    m = w.start_machine(UNKNOWN_MAC, firmware="uefi")
    hit = m.wait(machine.GRUB_RE, 90)
    if not hit:
        raise Fail("the unknown machine's UEFI PXE never started GRUB\n%s"
                   % w.evidence())
    w.note("QEMU start -> UEFI PXE, GRUB", hit[1] - m.started)
    hit = m.wait(machine.GRUB_CFG_RE, 20, start=hit[0])
    if not hit:
        raise Fail("GRUB did not run poolboot's grub/grub.cfg\n%s"
                   % w.evidence())
    if hit[2].group(1) != UNKNOWN_MAC:
        raise Fail("GRUB's ${net_default_mac} is %s, the NIC's MAC %s"
                   % (hit[2].group(1), UNKNOWN_MAC))
    t_cfg = hit[1]
    local = m.wait(machine.GRUB_LOCAL_RE, 30, start=hit[0])
    if not local or local[2].group(1) != "no install entry":
        raise Fail("GRUB did not say 'poolboot: no install entry' for the "
                   "unknown MAC\n%s" % w.evidence())
    back = m.wait_local(BOOT_TIMEOUT, start=hit[0])
    if not back:
        raise Fail("GRUB did not return to the firmware's next boot option"
                   "\n%s" % w.evidence())
    w.note("grub.cfg -> no install entry -> firmware starts \"%s\""
           % back[2].group(2), back[1] - t_cfg)
    assert_no_second_install(w, m, 0, 0)
    if w.http_reqs("/answerfile") or w.http_reqs("/repo/"):
        raise Fail("the unknown machine fetched from poolboot: %s"
                   % (w.http_reqs("/answerfile") + w.http_reqs("/repo/")))
    if w.grub_file(UNKNOWN_MAC) is not None or \
            w.pxe_file(UNKNOWN_MAC) is not None:
        raise Fail("poolboot wrote a boot file for the unknown MAC")
    if w.hosts()[HOST]["state"] != armed:
        raise Fail("the known host's state changed from %s" % armed)


def scenario_uefi(w):
    """UEFI PXE (OVMF), boot files as boot_files says; uefi-httpboot: UEFI
    HTTP boot, dnsmasq without TFTP."""
    w.start_server()
    w.arm(firmware=w.firmware)
    boot_install_uefi(w, KNOWN_MAC, HOST, "done", 0)
    if w.dhcp == "proxy":
        # the addresses came from the site's server, the boot file from
        # poolboot's proxy-DHCP
        if not w.site_log.find(r"DHCPACK\(eth0\) \S+ %s" % KNOWN_MAC):
            raise Fail("the site's DHCP server never leased an address to "
                       "%s\n%s" % (KNOWN_MAC, w.site_log.tail()))
        if not w.dns_log.find(r"PXE\(br0\) %s proxy" % KNOWN_MAC):
            raise Fail("poolboot's dnsmasq did not answer %s as proxy-DHCP"
                       "\n%s" % (KNOWN_MAC, w.evidence()))
    if not w.tftp:
        if w.dns_log.find(r"dnsmasq-tftp|TFTP root"):
            raise Fail("tftp = no, yet dnsmasq ran a TFTP server\n%s"
                       % w.evidence())
        if w.dnsmasq_pid() and re.search(r":69\s.*dnsmasq", run(w.nsexec(
                ["ss", "-H", "-lunp"]), check=False).stdout):
            raise Fail("tftp = no, yet dnsmasq listens on port 69")
        w.note("TFTP: none (dnsmasq without TFTP, nothing sent)", 0)


def scenario_mixed(w):
    """A BIOS and a UEFI machine armed at the same time, booted together."""
    w.write_config(
        "[host %s]\nmac = %s\ndisk = sda\nmode = upgrade\nrepo = %s\n"
        "firmware = bios\n\n"
        "[host %s]\nmac = %s\ndisk = sda\nmode = upgrade\nrepo = %s\n"
        "firmware = uefi\n" % (HOST, KNOWN_MAC, REPO,
                               UEFI_HOST, UEFI_MAC, REPO))
    w.start_server()
    w.arm(HOST, KNOWN_MAC, "bios")
    w.arm(UEFI_HOST, UEFI_MAC, "uefi")
    errors = []

    def one(fn, *args, **kw):
        try:
            fn(*args, **kw)
        except Fail as e:
            errors.append(str(e))
        except Exception as e:          # a harness error fails the test too
            errors.append("%s: %s" % (type(e).__name__, e))
    t = time.monotonic()
    threads = [threading.Thread(target=one, args=(
        boot_install, w, KNOWN_MAC, HOST, "done", 0),
        kwargs=dict(tap="tap0", log="serial-bios.log", who="bios: ",
                    xen_loads=2)),
        threading.Thread(target=one, args=(
            boot_install_uefi, w, UEFI_MAC, UEFI_HOST, "done", 0),
            kwargs=dict(tap="tap1", log="serial-uefi.log", who="uefi: ",
                        xen_loads=2))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    w.note("both machines: QEMU start -> both back to local boot",
           time.monotonic() - t)
    if errors:
        raise Fail("\n".join(errors))
    for h in (HOST, UEFI_HOST):
        if w.hosts()[h]["state"] != "done":
            raise Fail("poolboot says %s is %s" % (h, w.hosts()[h]["state"]))


# -- a rolling upgrade of a 2-host simulated pool over real boots

POOL = "rp"
ROLL_HOSTS = [("r1", "127.0.5.1", "52:54:00:e2:e1:01", "tap1"),
              ("r2", "127.0.5.2", "52:54:00:e2:e1:02", "tap2")]
SIM_PORT, SIM_CONTROL = 8443, 8999
POOL_PASSWORD = "e2e-pool-secret"


def rolling_world(w):
    hosts, text = [], ""
    for i, (name, addr, mac, tap) in enumerate(ROLL_HOSTS):
        hosts.append({
            "name": name, "address": addr, "mac": mac,
            "product_version": "8.2.1", "platform_version": "3.2.1",
            "build_number": "release/yangtze/master/58",
            "memory_total_mib": 16384, "master": i == 0,
            "boot_command": [python(), os.path.join(HERE, "machine.py"),
                             "--mac", mac, "--tap", tap, "--log",
                             os.path.join(w.dir, "serial-%s.log" % name),
                             "--timeout", str(BOOT_TIMEOUT)]})
        text += ("[host %s]\npool = %s\nmac = %s\ndisk = sda\n\n"
                 % (name, POOL, mac))
    spec = {"tftp_root": w.tftp_root, "port": SIM_PORT,
            "control_port": SIM_CONTROL,
            "pools": [{"name": POOL, "username": "root",
                       "password": POOL_PASSWORD, "install_delay": 0,
                       "reboot_delay": 0.5, "shutdown_delay": 1.0,
                       "evacuate_delay": 0.2, "enable_on_boot": False,
                       "hosts": hosts,
                       "vms": [{"name": "vm-a", "host": "r1",
                                "memory_mib": 2048},
                               {"name": "vm-b", "host": "r2",
                                "memory_mib": 1024}]}]}
    with open(os.path.join(w.dir, "sim-spec.json"), "w") as f:
        json.dump(spec, f, indent=1)
    pw = os.path.join(w.dir, "pool.pw")
    with open(pw, "w") as f:
        f.write(POOL_PASSWORD + "\n")
    os.chmod(pw, 0o600)
    # the pool's xapi URL is a member: the login goes through HOST_IS_SLAVE
    text = ("[pool %s]\nxapi = http://%s:%d\nusername = root\n"
            "password_file = %s\nrepo = %s\ninstall_timeout = %d\n"
            "rejoin_timeout = 120\nevacuate_timeout = 120\n"
            "step_timeout = 120\npoll_interval_ms = 500\n\n"
            % (POOL, ROLL_HOSTS[1][1], SIM_PORT, pw, REPO,
               3 * BOOT_TIMEOUT)) + text
    w.write_config(text)


def start_sim(w):
    errf = open(os.path.join(w.dir, "sim.stderr"), "ab")
    p = subprocess.Popen(
        w.nsexec([python(), os.path.join(HERE, "simhook.py"), "--spec",
                  os.path.join(w.dir, "sim-spec.json")]),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
    w.procs.append(p)
    out = Lines(w.t0)
    w._thread(pump, p.stdout, out, os.path.join(w.dir, "sim.stdout"),
              lambda lines, text: text)
    if not out.wait(r"xapisim ready", 15, alive=lambda: p.poll() is None):
        raise Fail("the XAPI simulator did not start:\n%s" % open(
            os.path.join(w.dir, "sim.stderr")).read()[-2000:])


def sim_log(w):
    p = run(w.nsexec(["curl", "-sS", "http://127.0.0.1:%d/log"
                      % SIM_CONTROL]))
    return json.loads(p.stdout)


def scenario_rolling(w):
    rolling_world(w)
    start_sim(w)
    w.start_server()
    p = w.cli("precheck", "-c", w.conf, POOL, check=False)
    if p.returncode != 0:
        raise Fail("poolboot precheck %s failed:\n%s" % (POOL, p.stdout))
    t = time.monotonic()
    w.cli("upgrade", "-c", w.conf, POOL)
    deadline = t + 2 * 3 * BOOT_TIMEOUT
    st = None
    while time.monotonic() < deadline:
        st = w.api("/pools/" + POOL)["pools"][0]
        if st.get("state") in ("done", "halted", "aborted"):
            break
        time.sleep(2)
    w.note("rolling upgrade of %d hosts (poolboot upgrade -> done)"
           % len(ROLL_HOSTS), time.monotonic() - t)
    log = sim_log(w)
    with open(os.path.join(w.dir, "sim-log.json"), "w") as f:
        json.dump(log, f, indent=1)
    results = {e["host"]: e for e in log if e.get("event") == "boot_result"}
    for e in log:
        if e.get("event") == "boot_result":
            w.note("  %s: real boot (installer + local boot), %s"
                   % (e["host"], e["result"].get("action")), e["seconds"])
    if st is None or st.get("state") != "done":
        raise Fail("the rolling upgrade ended %s: %s\n%s" % (
            st and st.get("state"), json.dumps(st, indent=1)[:3000],
            w.evidence()))
    for h in st["hosts"]:
        w.note("  %s (%s) %s -> %s, %s" % (h["host"], h["role"],
               h.get("old_version"), h.get("new_version"), h["step"]),
               ((h.get("finished_at") or 0) - (h.get("started_at") or 0))
               / 1000.0)
    order = [e["host"] for e in log if e.get("event") == "boot_command"]
    if order != [h[0] for h in ROLL_HOSTS]:
        raise Fail("real boots in order %s, wanted the master first, each "
                   "once: %s" % (order, [h[0] for h in ROLL_HOSTS]))
    for name, _, mac, _ in ROLL_HOSTS:
        r = results.get(name, {}).get("result", {})
        if r.get("action") != "upgrade" or \
                r.get("product_version") != REPO_VERSION:
            raise Fail("%s's real boot reported %s" % (name, r))
        if not is_local_boot(w.pxe_file(mac)):
            raise Fail("%s's pxelinux file is not local boot" % name)
        if w.hosts()[name]["state"] != "done":
            raise Fail("poolboot says %s is %s" % (name,
                                                   w.hosts()[name]["state"]))
    down = set()
    for e in log:
        if e.get("event") == "host_down":
            if down:
                raise Fail("%s went down while %s was down" % (e["host"],
                                                               down))
            down.add(e["host"])
        elif e.get("event") == "host_up":
            down.discard(e["host"])



# -- a new UEFI host installed through its (simulated) Redfish BMC

RF_HOST = "e2e-rf"
BMC_USER = "poolboot"
BMC_PASSWORD = "e2e-Bmc-Secret.4711"
ROOT_PASSWORD = "e2e-Root-Secret.4711"
REDFISHSIM = os.path.join(TOP, "tests", "redfishsim", "redfishsim.py")
# what the BMC runs when its system boots from the network: the boot
# override's mode picks the machine's firmware (UEFI: OVMF, Legacy:
# SeaBIOS), its target PXE or UEFI HTTP boot; anything else is no machine
BOOT_WRAPPER = r"""
echo "redfishsim boots $REDFISHSIM_SYSTEM: target $REDFISHSIM_TARGET, mode \
$REDFISHSIM_MODE, reset $REDFISHSIM_RESET_TYPE"
case $REDFISHSIM_MODE/$REDFISHSIM_TARGET in
UEFI/Pxe) exec "$@" --firmware uefi ;;
UEFI/UefiHttp) exec "$@" --firmware uefi --http-boot ;;
Legacy/Pxe) exec "$@" --firmware bios ;;
esac
echo '{"action": "stuck", "reason": "no machine boots that override"}'
"""


class BmcMachine(Machine):
    """The machine the BMC simulator's boot command started (machine.py,
    a process of the simulator's, not ours): its serial log file is
    followed; it lives as long as that process (and a second longer, so
    the last lines are read)."""

    def __init__(self, w, mac, log, pid, started):
        super().__init__(mac, None, log, t0=w.t0, firmware="uefi")
        self.pid = pid
        self.started = started
        self.gone = None
        w._thread(tail_file, log, self.serial, w.stop_tail,
                  r"^\[\s*[0-9.]+\] ")

    def alive(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                running = f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            running = False
        if running:
            return True
        if self.gone is None:
            self.gone = time.monotonic()
        return time.monotonic() - self.gone < 1.0

    def kill(self):
        pass        # the simulator stops its boot command when it stops


def start_bmc(w):
    """redfishsim in the namespace, on its loopback (HTTPS, a new
    self-signed certificate, sessions), the system powered off; a network
    boot runs machine.py with HOST's MAC on tap0. Returns the state
    directory's `ready` (port, fingerprint, cert)."""
    d = os.path.join(w.dir, "bmc")
    os.makedirs(d)
    fd = os.open(os.path.join(d, "password"), os.O_WRONLY | os.O_CREAT,
                 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(BMC_PASSWORD + "\n")
    boot = ["sh", "-c", BOOT_WRAPPER, "sh", python(),
            os.path.join(HERE, "machine.py"), "--mac", KNOWN_MAC, "--tap",
            "tap0", "--log", os.path.join(w.dir, "serial.log"),
            "--timeout", str(BOOT_TIMEOUT)]
    t = time.monotonic()
    errf = open(os.path.join(d, "stderr"), "ab")
    p = subprocess.Popen(w.nsexec([python(), REDFISHSIM, "--state-dir", d,
                                   "--user", BMC_USER, "--power", "Off",
                                   "--boot-command"] + boot),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=errf)
    errf.close()
    w.procs.append(p)
    ready = os.path.join(d, "ready")
    while not os.path.exists(ready):
        if p.poll() is not None or time.monotonic() - t > 20:
            raise Fail("the Redfish simulator did not start:\n%s" % open(
                os.path.join(d, "stderr")).read()[-2000:])
        time.sleep(0.05)
    with open(ready) as f:
        r = json.load(f)
    w.note("Redfish BMC simulator up (HTTPS, new certificate)",
           time.monotonic() - t)
    return r


def bmc_events(w, kind=None):
    try:
        with open(os.path.join(w.dir, "bmc", "log.jsonl")) as f:
            evs = [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []
    return [e for e in evs if kind is None or e["event"] == kind]


def rel(w, unix_t):
    """A Unix time (the BMC's log) as seconds since the world's t0."""
    return unix_t - (time.time() - time.monotonic()) - w.t0


def scenario_redfish(w):
    """poolboot install of a new UEFI host (mode fresh, no pool) whose BMC
    is the Redfish simulator: poolboot sets the one-time override (Once,
    Pxe, UEFI) and resets the system; the BMC's boot starts the QEMU
    machine, which installs through poolboot and boots locally."""
    bmc = start_bmc(w)
    for name, text in (("bmc.pw", BMC_PASSWORD), ("root.pw", ROOT_PASSWORD)):
        fd = os.open(os.path.join(w.dir, name), os.O_WRONLY | os.O_CREAT,
                     0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text + "\n")
    w.write_config(
        "[host %s]\nmac = %s\ndisk = sda\nmode = fresh\nrepo = %s\n"
        "firmware = uefi\nhostname = %s.example.com\n"
        "root_password_file = root.pw\n"
        "power = redfish\nredfish_address = https://127.0.0.1:%d\n"
        "redfish_user = %s\nredfish_password_file = bmc.pw\n"
        "redfish_tls_fingerprint = %s\n"
        % (RF_HOST, KNOWN_MAC, REPO, RF_HOST, bmc["port"], BMC_USER,
           bmc["fingerprint"]))
    w.start_server()
    if w.grub_file(KNOWN_MAC) is not None:
        raise Fail("a GRUB host file exists before the install job")

    t_job = time.monotonic() - w.t0
    p = w.cli("install", "-c", w.conf, RF_HOST, "--wipe", "--json",
              check=False)
    if p.returncode != 0:
        raise Fail("poolboot install %s --wipe exited %d:\n%s"
                   % (RF_HOST, p.returncode, p.stdout))
    jid = json.loads(p.stdout[p.stdout.index("{"):])["id"]

    # the BMC: the override, the reset, the boot, its boot command
    deadline = time.monotonic() + 60
    started = None
    while time.monotonic() < deadline and started is None:
        started = (bmc_events(w, "boot_command") or [None])[0]
        job = w.api("/jobs/%d" % jid)
        if job.get("state") in ("halted", "failed", "aborted"):
            break
        time.sleep(0.1)
    if started is None:
        raise Fail("the BMC never started the machine (job %d: %s)\n--- "
                   "BMC log:\n%s\n%s" % (jid, json.dumps(job), "\n".join(
                       json.dumps(e) for e in bmc_events(w)[-15:]),
                       w.evidence()))
    patch = bmc_events(w, "patch")
    reset = bmc_events(w, "reset")
    w.note("poolboot install -> BMC: PATCH boot override", rel(
        w, patch[0]["t"]) - t_job)
    w.note("BMC: PATCH -> reset -> machine.py started",
           rel(w, started["t"]) - rel(w, patch[0]["t"]))
    m = BmcMachine(w, KNOWN_MAC, os.path.join(w.dir, "serial.log"),
                   started["pid"], rel(w, started["t"]))
    w.machines.append(m)
    boot_install_uefi(w, KNOWN_MAC, RF_HOST, "done", 0, m=m, mode="fresh")

    # the job: arm -> power -> install -> done (no pool to join)
    deadline = time.monotonic() + 20
    while True:
        job = w.api("/jobs/%d" % jid)
        if job.get("state") != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if job.get("state") != "done" or job.get("step") != "done":
        raise Fail("job %d (install %s) ended %s in step %s: %s\n%s"
                   % (jid, RF_HOST, job.get("state"), job.get("step"),
                      json.dumps(job), w.evidence()))
    hit = w.serve_log.find(r"install \(job %d\): finished \((.*)\)" % jid)
    if hit:
        w.note("poolboot install -> job done (%s ms)" % hit[2].group(1),
               hit[1] - t_job)

    # the machine.py run the BMC started reports a fresh install
    deadline = time.monotonic() + 15
    while m.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    out = open(os.path.join(w.dir, "bmc", "boot-command.log")).read()
    if "target Pxe, mode UEFI, reset On" not in out:
        raise Fail("the boot command did not get Pxe/UEFI/On:\n%s" % out)
    res = [l for l in out.splitlines() if l.startswith("{")]
    if not res or json.loads(res[-1]).get("action") != "fresh" or \
            json.loads(res[-1]).get("product_version") != REPO_VERSION:
        raise Fail("the BMC's machine reported %s, wanted a fresh install "
                   "of %s:\n%s" % (res, REPO_VERSION, out))

    # the BMC saw exactly one override and one reset, in that order
    want = {"Boot": {"BootSourceOverrideEnabled": "Once",
                     "BootSourceOverrideTarget": "Pxe",
                     "BootSourceOverrideMode": "UEFI"}}
    patch, reset = bmc_events(w, "patch"), bmc_events(w, "reset")
    boots = bmc_events(w, "boot")
    got = ([e["body"] for e in patch], [(e["reset_type"], e["power_before"],
                                         e["power_after"]) for e in reset],
           [(e["target"], e["mode"], e["override"]) for e in boots])
    if got != ([want], [("On", "Off", "On")], [("Pxe", "UEFI", "Once")]):
        raise Fail("the BMC saw PATCH bodies %s, resets %s, boots %s; "
                   "wanted one PATCH %s, one reset On (power Off -> On), "
                   "one Pxe/UEFI boot by the Once override" % (
                       got[0], got[1], got[2], want))
    if patch[0]["t"] > reset[0]["t"] or patch[0]["auth"] != "session":
        raise Fail("the PATCH came after the reset or without a session: %s"
                   % patch[0])
    with open(os.path.join(w.dir, "bmc", "state.json")) as f:
        sysst = json.load(f)["systems"][0]
    if sysst["enabled"] != "Disabled" or sysst["power"] != "On":
        raise Fail("after the boot the BMC's override is %s (wanted "
                   "Disabled: used up), power %s" % (sysst["enabled"],
                                                     sysst["power"]))
    created = bmc_events(w, "session_created")
    deleted = bmc_events(w, "session_deleted")
    if len(created) != 1 or len(deleted) != 1 or bmc_events(
            w, "auth_failed") or bmc_events(w, "connection_error"):
        raise Fail("BMC sessions created %d, deleted %d, auth failures %d, "
                   "TLS errors %d; wanted one session, deleted" % (
                       len(created), len(deleted),
                       len(bmc_events(w, "auth_failed")),
                       len(bmc_events(w, "connection_error"))))
    if not w.serve_log.find(r"boot override Once Pxe UEFI"):
        raise Fail("poolboot's log does not say it set the boot override\n"
                   "%s" % w.serve_log.tail())

    # the passwords: nowhere in poolboot's log, nor in any file poolboot,
    # dnsmasq, the installer or the machine wrote
    secret_files = {os.path.join(w.dir, x) for x in
                    ("bmc.pw", "root.pw", "bmc/password")}
    for root, dirs, files in os.walk(w.dir):
        for fn in files:
            path = os.path.join(root, fn)
            if path in secret_files:
                continue
            with open(path, "rb") as f:
                data = f.read()
            for pw in (BMC_PASSWORD, ROOT_PASSWORD):
                if pw.encode() in data:
                    raise Fail("a password is in %s" % path)
    if BMC_PASSWORD in "\n".join(l for _, l in w.serve_log.snapshot()):
        raise Fail("the BMC password is in poolboot's log")


SCENARIOS = [
    # name, title, function, World arguments, in the default set
    ("install", "upgrade install over TFTP (pxelinux.0, install.img >= "
     "100 MB): done, then local boot", scenario_install,
     dict(boot_files="tftp", big_image=True), True),
    ("failed", "installer reports failure (script run with 1): failed, "
     "then local boot", scenario_failed,
     dict(boot_files="tftp", kernel_args="e2e_result=1"), True),
    ("http", "upgrade install over HTTP (lpxelinux.0, install.img >= 100 MB):"
     " done, then local boot", scenario_install,
     dict(boot_files="http", big_image=True), True),
    ("unknown", "unknown MAC PXE-boots to local boot (after poolboot "
     "restarted its killed dnsmasq)", scenario_unknown,
     dict(boot_files="tftp"), True),
    ("rolling", "rolling upgrade of a 2-host simulated pool over real PXE "
     "installs", scenario_rolling,
     dict(boot_files="http", taps=("tap1", "tap2")), True),
    ("uefi", "UEFI PXE (OVMF) over TFTP: GRUB file install entry, done, "
     "then GRUB local boot back to the firmware", scenario_uefi,
     dict(boot_files="tftp", firmware="uefi"), True),
    ("uefi-unknown", "unknown MAC on UEFI PXE: grub.cfg finds no file for "
     "it, GRUB exits to the firmware, nothing fetched or written",
     scenario_uefi_unknown, dict(boot_files="tftp", firmware="uefi"), True),
    ("uefi-http", "UEFI PXE, boot files over GRUB's http (boot_files = "
     "http): done, then local boot", scenario_uefi,
     dict(boot_files="http", firmware="uefi"), True),
    ("uefi-httpboot", "UEFI HTTP boot (option 93 = 16), dnsmasq without "
     "TFTP: everything over HTTP, done, then local boot", scenario_uefi,
     dict(boot_files="tftp", firmware="uefi", tftp=False, http_boot=True),
     True),
    ("uefi-proxy", "UEFI PXE through poolboot's proxy-DHCP (a site DHCP "
     "server hands out addresses), firmware auto: done, then local boot",
     scenario_uefi, dict(boot_files="tftp", dhcp="proxy"), True),
    ("mixed", "a BIOS and a UEFI machine armed at once, booted together: "
     "both done, both back to local boot", scenario_mixed,
     dict(boot_files="tftp", taps=("tap0", "tap1")), True),
    ("redfish", "poolboot install of a new UEFI host through its Redfish "
     "BMC (simulated): override Once/Pxe/UEFI, reset, the BMC's machine "
     "installs, job done, local boot", scenario_redfish,
     dict(boot_files="tftp", firmware="uefi"), True),
]


def side_by_side(results):
    a, b = results.get("install"), results.get("http")
    if not a or not b or not a.boot_split or not b.boot_split:
        return
    print("# boot files, the same install.img (%d bytes), QEMU e1000 under "
          "TCG:" % b.image_size)
    print("#   %-28s %8s %8s" % ("load time", "TFTP", "HTTP"))
    for label in ("xen.gz", "vmlinuz", "install.img"):
        print("#   %-28s %7.1fs %7.1fs" % (label, a.boot_split[label],
                                          b.boot_split[label]))
    ta = [s for l, s in a.timings if l.startswith("boot files over")]
    tb = [s for l, s in b.timings if l.startswith("boot files over")]
    if ta and tb:
        print("#   %-28s %7.1fs %7.1fs" % ("pxelinux.cfg -> Xen starts",
                                          ta[0], tb[0]))


def remove_stale_namespaces():
    """Namespaces an earlier run left behind (killed with SIGKILL): their
    processes (that run's QEMU, poolboot, dnsmasq) and the namespace."""
    p = run(["ip", "netns", "list"], check=False)
    for ns in re.findall(r"(?m)^(pbe2e(\d+)-\d+(?:-site)?)\b", p.stdout):
        try:
            os.kill(int(ns[1]), 0)
            continue                # that run is still going
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        pids = run(["ip", "netns", "pids", ns[0]], check=False).stdout
        for pid in pids.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        run(["ip", "netns", "del", ns[0]], check=False)
        print("# removed namespace %s left by an earlier run" % ns[0])


def main(argv):
    names = [s[0] for s in SCENARIOS]
    if "--list" in argv:
        for s in SCENARIOS:
            print("%s %s" % (s[0], s[1]))
        return 0
    want = [a for a in argv if not a.startswith("-")]
    if want == ["all"]:
        want = names
    elif not want:
        want = [s[0] for s in SCENARIOS if s[4]]
    for a in want:
        if a not in names:
            print("unknown scenario %s (have: %s)" % (a, ", ".join(names)))
            return 2
    os.makedirs(LOGS, exist_ok=True)
    remove_stale_namespaces()
    passed = failed = n = 0
    results = {}
    t_all = time.monotonic()
    interrupted = False
    for name, title, fn, kw, _ in SCENARIOS:
        if name not in want or interrupted:
            continue
        n += 1
        print("# e2e scenario %s: %s" % (name, title), flush=True)
        t = time.monotonic()
        for attempt in (1, 2):
            w = None
            err = None
            try:
                w = World(name, **kw)
                w.up()
                fn(w)
            except Fail as e:
                err = str(e)
            except Exception as e:      # a harness error fails the test too
                err = "%s: %s" % (type(e).__name__, e)
            except (KeyboardInterrupt, SystemExit):
                err = "interrupted"
                interrupted = True
            finally:
                if w is not None:
                    problem = w.down()
                    if problem and err is None:
                        err = problem
            # The emulated PXE client (pxelinux/lpxelinux's TCP stack on an
            # e1000 under TCG) now and then stalls in a 100 MB transfer and
            # prints "Boot failed"; the server side has sent every byte by
            # then. That, and only that, is tried once more, and said so.
            if err is None or interrupted or attempt == 2 or \
                    "Boot failed" not in err:
                break
            print("#   the emulated PXE client failed to load a boot file "
                  "(\"Boot failed\" on its console); trying the scenario "
                  "once more", flush=True)
        if w is not None:
            for label, s in w.timings:
                print("#   %-58s %6.1f s" % (label, s))
            if err is None:
                results[name] = w
        print("#   scenario wall time %.1f s" % (time.monotonic() - t))
        if name == "http":
            side_by_side(results)
        if err is None:
            passed += 1
            print("ok %d - e2e %s: %s" % (n, name, title), flush=True)
        else:
            failed += 1
            for line in err.splitlines():
                print("#   " + line)
            print("not ok %d - e2e %s: %s" % (n, name, title), flush=True)
    print("# e2e wall time %.1f s" % (time.monotonic() - t_all))
    print("%d passed, %d failed" % (passed, failed))
    if interrupted:
        return 143
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    sys.exit(main(sys.argv[1:]))
