#!/usr/bin/env python3
"""One QEMU machine that PXE-boots, and what its serial line says.

Used by tests/e2e/e2e.py (the scenarios) and, as a program, by the XAPI
simulator's boot hook (tests/e2e/simhook.py) for a rolling upgrade over
real boots:

  python3 tests/e2e/machine.py --mac MAC --tap TAP --log FILE [--timeout S]
                                [--firmware bios|uefi] [--http-boot]

boots the machine once (it must run inside the network namespace that has
TAP), follows the serial line until the machine is back on its local disk
(or stuck), kills QEMU and prints one JSON line for the simulator:

  {"action": "local"}                       no install: local boot
  {"action": "upgrade", "product_version": "8.3.0", "build_number": ...,
   "platform_version": ..., "product_brand": ...}
                                            the installer stand-in installed
                                            (fresh/reinstall/restore alike)
  {"action": "failed"}                      the installer ran the script with 1
  {"action": "stuck", "reason": "..."}      no installer result, no local boot

Exit status 0, also for "stuck" (the simulator decides); 2 on bad usage.
"""
import argparse
import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>c]")

# pxelinux's message for "localboot 0" (the per-MAC file after an install,
# and pxelinux.cfg/default)
LOCAL_BOOT_RE = r"Booting from local disk"
XEN_RE = r"\(XEN\) Xen version"
INSTALLER_RE = r"E2E-INSTALLER: started"
REBOOT_RE = r"E2E-INSTALLER: (rebooting|FATAL.*)"
PXE_RE = r"iPXE|PXELINUX"

# UEFI (OVMF, its own network stack): the firmware starts a network boot
UEFI_NET_RE = r">>Start (PXE|HTTP Boot) over IPv4"
# GRUB's first line (EFI console, copied to the serial line by OVMF)
GRUB_RE = r"Welcome to GRUB!"
# poolboot's grub/grub.cfg (templates/grub.cfg): the MAC GRUB will use
GRUB_CFG_RE = r"poolboot: UEFI boot of (\S+)"
# poolboot's local-boot GRUB file (templates/grub-local.cfg), or grub.cfg
# when the MAC has no file; GRUB then exits to the firmware
GRUB_LOCAL_RE = r"poolboot: (local boot|no install entry)"
# the firmware's boot manager has control again and starts its next boot
# option: a real host's disk; here, with no disk, OVMF's setup menu UiApp
FIRMWARE_BACK_RE = r"BdsDxe: (loading|starting) Boot[0-9A-Fa-f]+ \"([^\"]*)\""


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


QEMU_MEM = env_int("E2E_MEM", 2304)     # the template gives dom0 2048 MiB

# Debian's ovmf package: the firmware (read-only) and the variable store
# every UEFI machine gets a copy of
OVMF_CODE = os.environ.get("E2E_OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = os.environ.get("E2E_OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd")


class Lines:
    """Lines of a log with the time (s since t0) each was first seen."""

    def __init__(self, t0):
        self.t0 = t0
        self.items = []          # (t, line)
        self.cond = threading.Condition()

    def add(self, line):
        with self.cond:
            self.items.append((time.monotonic() - self.t0, line))
            self.cond.notify_all()

    def count(self):
        with self.cond:
            return len(self.items)

    def snapshot(self, start=0):
        with self.cond:
            return list(self.items[start:])

    def find(self, regex, start=0):
        """(index, t, match) of the first line from start matching regex."""
        r = re.compile(regex)
        for i, (t, line) in enumerate(self.snapshot(start), start):
            m = r.search(line)
            if m:
                return i, t, m
        return None

    def find_all(self, regex, start=0):
        r = re.compile(regex)
        out = []
        for i, (t, line) in enumerate(self.snapshot(start), start):
            m = r.search(line)
            if m:
                out.append((i, t, m))
        return out

    def wait(self, regex, timeout, start=0, alive=None):
        """Waits for a matching line; None on timeout or once alive()
        is false (after one last look)."""
        deadline = time.monotonic() + timeout
        while True:
            hit = self.find(regex, start)
            if hit:
                return hit
            if time.monotonic() >= deadline or (alive and not alive()):
                return self.find(regex, start)
            with self.cond:
                self.cond.wait(0.2)

    def tail(self, n=25, indent="    "):
        return "\n".join(indent + l for _, l in self.snapshot()[-n:])


def pump(stream, lines, out_path, decorate):
    """Reads a byte stream line by line into lines and out_path."""
    with open(out_path, "a", encoding="utf-8", errors="replace") as out:
        buf = b""
        while True:
            try:
                chunk = stream.read1(65536)
            except (OSError, ValueError):
                break
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                text = ANSI_RE.sub("", raw.decode("utf-8", "replace"))
                text = text.replace("\r", "").rstrip()
                lines.add(text)
                out.write(decorate(lines, text) + "\n")
                out.flush()
        if buf:
            lines.add(buf.decode("utf-8", "replace").rstrip())


def stamp(lines, text):
    return "[%8.3f] %s" % (time.monotonic() - lines.t0, text)


class Machine:
    """A QEMU machine (TCG) on a tap device that boots from the network;
    its serial line goes to log_path, each line time-stamped.

    firmware "bios": SeaBIOS with the e1000's iPXE ROM (legacy PXE).
    firmware "uefi": OVMF on q35 with a virtio NIC without option ROM, so
    OVMF's own network stack boots: UEFI PXE (DHCP option 93 = 7), or with
    http_boot UEFI HTTP boot (93 = 16; OVMF's PXE turned off through
    fw_cfg, so HTTPv4 is its first network boot option). Each UEFI machine
    has its own copy of OVMF's variable store (log_path + ".vars.fd")."""

    def __init__(self, mac, tap, log_path, t0=None, wrap=None,
                 firmware="bios", http_boot=False, nic=None):
        self.mac = mac
        self.tap = tap
        self.log_path = log_path
        self.t0 = time.monotonic() if t0 is None else t0
        self.wrap = wrap or []   # e.g. ["ip", "netns", "exec", NS]
        self.firmware = firmware
        self.http_boot = http_boot
        self.nic = nic or ("e1000" if firmware == "bios" else "virtio")
        self.serial = Lines(self.t0)
        self.proc = None
        self.thread = None
        self.started = None      # s since t0

    def nic_device(self):
        dev = {"e1000": "e1000",
               # romfile= empty: no iPXE ROM, OVMF's own UEFI network stack
               "virtio": "virtio-net-pci,romfile="}[self.nic]
        return "%s,netdev=n0,mac=%s" % (dev, self.mac)

    def argv(self):
        common = ["-accel", "tcg",
                  # Xen 4.17's PV dom0 dies at its first page fault under
                  # TCG when the vCPU has SMAP
                  "-cpu", "max,-smap", "-m", str(QEMU_MEM), "-smp", "1",
                  # -nographic: the serial line on stdout; SeaBIOS and
                  # OVMF copy their screen (iPXE, pxelinux, GRUB) to it
                  "-nographic",
                  "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no"
                  % self.tap,
                  "-device", self.nic_device()]
        if self.firmware == "bios":
            return ["qemu-system-x86_64", "-boot", "n"] + common
        vars_fd = self.log_path + ".vars.fd"
        shutil.copyfile(OVMF_VARS, vars_fd)
        argv = ["qemu-system-x86_64", "-machine", "q35",
                "-drive", "if=pflash,format=raw,readonly=on,file=%s"
                % OVMF_CODE,
                "-drive", "if=pflash,format=raw,file=%s" % vars_fd] + common
        if self.http_boot:
            argv += ["-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,"
                     "string=n",
                     "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,"
                     "string=n"]
        return argv

    def start(self):
        argv = self.argv()
        with open(self.log_path, "w") as f:
            f.write("# %s\n" % " ".join(argv))
        self.started = time.monotonic() - self.t0
        self.proc = subprocess.Popen(self.wrap + argv,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.thread = threading.Thread(target=pump, args=(
            self.proc.stdout, self.serial, self.log_path, stamp),
            daemon=True)
        self.thread.start()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait(self, regex, timeout, start=0):
        return self.serial.wait(regex, timeout, start, alive=self.alive)

    def net_boot_re(self):
        """The firmware's line when it starts a network boot."""
        return PXE_RE if self.firmware == "bios" else UEFI_NET_RE

    def wait_local(self, timeout, start=0):
        """Waits for the local boot after serial line start: pxelinux's
        "Booting from local disk" (BIOS); for UEFI poolboot's GRUB line
        "poolboot: local boot" and then the firmware's boot manager
        starting its next option (GRUB's exit returned to the firmware).
        (index, t, match) of the last of those lines, or None."""
        if self.firmware == "bios":
            return self.wait(LOCAL_BOOT_RE, timeout, start)
        deadline = time.monotonic() + timeout
        hit = self.wait(GRUB_LOCAL_RE, timeout, start)
        if hit is None:
            return None
        return self.wait(FIRMWARE_BACK_RE, max(1, deadline -
                                              time.monotonic()), hit[0] + 1)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.thread is not None:
            self.thread.join(2)


def installer_report(lines, start=0):
    """What the installer stand-in printed after line start: a dict with
    root, mode, existing, source, script_arg (int or None), treeinfo
    (the text it fetched), fatal (message or None)."""
    r = {"root": None, "mode": None, "existing": None, "source": None,
         "script_arg": None, "treeinfo": "", "fatal": None}
    ti = []
    for _, line in lines.snapshot(start):
        m = re.search(r"E2E-INSTALLER: root=(\S+) mode=(\S+) "
                      r"existing-installation=(\S+) source=(\S+)", line)
        if m:
            r["root"], r["mode"], r["existing"], r["source"] = m.groups()
        m = re.search(r"E2E-INSTALLER: running the installation-complete "
                      r"script with (\d)", line)
        if m:
            r["script_arg"] = int(m.group(1))
        m = re.search(r"E2E-INSTALLER: treeinfo \| (.*)$", line)
        if m:
            # the kernel's console lines can land in the middle of one of
            # ours on the shared serial line ("8.3.0[    6.42] IPv6: ...")
            ti.append(re.sub(r"\[\s*\d+\.\d+\] .*$", "", m.group(1)))
        m = re.search(r"E2E-INSTALLER: FATAL: (.*)$", line)
        if m:
            r["fatal"] = m.group(1)
    r["treeinfo"] = "\n".join(ti) + ("\n" if ti else "")
    return r


def parse_treeinfo(text):
    """product_version/build_number/platform_version/product_brand of an
    XCP-ng style .treeinfo, as the host would report them after it."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(text)
    except configparser.Error:
        return {}
    r = {}
    for key, sec, opt in (("product_version", "branding", "version"),
                          ("product_brand", "branding", "name"),
                          ("build_number", "build", "number"),
                          ("platform_version", "platform", "version")):
        if cp.has_option(sec, opt):
            r[key] = cp.get(sec, opt)
    return r


def boot_once(m, timeout):
    """Boots m until it is back on its local disk. Returns the result
    dict described in the module docstring."""
    m.start()
    local_re = LOCAL_BOOT_RE if m.firmware == "bios" else GRUB_LOCAL_RE
    # first: an installer run, or a local boot
    hit = m.wait(r"%s|%s" % (INSTALLER_RE, local_re), timeout)
    if hit is None:
        return {"action": "stuck", "reason": "neither the installer nor a "
                "local boot within %d s" % timeout}
    if re.search(local_re, hit[2].group(0)):
        if m.wait_local(timeout, hit[0]) is None:
            return {"action": "stuck", "reason": "GRUB's exit did not "
                    "return to the firmware"}
        return {"action": "local"}
    inst = hit[0]
    hit = m.wait(REBOOT_RE, timeout, start=inst)
    rep = installer_report(m.serial, inst)
    if hit is None or rep["fatal"]:
        return {"action": "stuck", "reason": "installer: %s" % (
            rep["fatal"] or "did not finish within %d s" % timeout)}
    # the installer reboots; the machine must now boot from its disk
    hit = m.wait_local(timeout, start=hit[0])
    if hit is None:
        return {"action": "stuck", "reason": "no local boot after the "
                "installer rebooted"}
    if m.serial.find(INSTALLER_RE, inst + 1):
        return {"action": "stuck", "reason": "the installer ran twice"}
    if rep["script_arg"] != 0:
        return {"action": "failed"}
    r = {"action": rep["mode"] if rep["root"] == "installation" else
         "restore"}
    r.update(parse_treeinfo(rep["treeinfo"]))
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mac", required=True)
    ap.add_argument("--tap", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--firmware", choices=("bios", "uefi"), default="bios")
    ap.add_argument("--http-boot", action="store_true")
    a = ap.parse_args(argv)
    m = Machine(a.mac, a.tap, a.log, firmware=a.firmware,
                http_boot=a.http_boot)

    def stop(*_):
        m.kill()
        sys.exit(143)
    signal.signal(signal.SIGTERM, stop)
    try:
        r = boot_once(m, a.timeout)
    finally:
        m.kill()
    r["seconds"] = round(time.monotonic() - m.t0, 1)
    print(json.dumps(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
