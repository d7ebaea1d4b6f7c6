#!/usr/bin/env python3
"""xapisim - a XAPI pool simulator for poolboot's tests and `make demo`.

Each simulated host listens on its own loopback address (127.0.1.1,
127.0.1.2, ...) with a common port and speaks XAPI's XML-RPC wire format
and error semantics, so poolboot's C client and the official XenAPI.py work
against it unchanged. A reboot makes the host go offline and then "boot
through poolboot" as a PXE host would: it reads its per-MAC pxelinux file
from the TFTP root, fetches the answerfile, the repository's .treeinfo and
the installation-complete script, runs that script with 0 or 1, and comes
back on the new version.

Python 3.11 standard library only. Usage:

    python3 tests/xapisim/xapisim.py --spec SPEC.json

or, in-process:

    sim = Simulator(spec_dict_or_path); sim.start(); ...; sim.stop()

See README.md beside this file for the spec format, the control API and
the fidelity notes. The facts this simulator reproduces were checked in the
xen-api sources (xapi-project/xen-api, commit e2ee48d6); the comments name
the file each one comes from. No code was copied from there.
"""

import argparse
import base64
import configparser
import copy
import json
import os
import re
import selectors
import shlex
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid as uuidlib
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIB = 1024 * 1024
NULL_REF = "OpaqueRef:NULL"
EPOCH_DT = "19700101T00:00:00Z"

# ---------------------------------------------------------------------------
# Wire format
# ---------------------------------------------------------------------------


class DateTime(str):
    """A value sent as <dateTime.iso8601> (XAPI: 20261122T01:02:03Z)."""


class I32(int):
    """A value sent as <i4>. XAPI only uses Int32 for event.from's
    valid_ref_counts (ocaml/xapi-types/event_types.ml, rpc_of_event_from);
    every datamodel Int is an int64 and travels as an untyped string."""


class XapiError(Exception):
    def __init__(self, code, *params):
        super().__init__(code)
        self.code = code
        self.params = [str(p) for p in params]

    def description(self):
        return [self.code] + self.params


def dt(t=None):
    return DateTime(time.strftime("%Y%m%dT%H:%M:%SZ",
                                  time.gmtime(time.time() if t is None else t)))


def ocaml_float(f):
    """OCaml's string_of_float ("%.12g", plus "." when integral): xapi
    writes other_config:boot_time and agent_start_time with it
    (ocaml/xapi/dbsync_slave.ml, refresh_localhost_info)."""
    s = "%.12g" % f
    if re.fullmatch(r"-?\d+", s):
        s += "."
    return s


# what _esc changes: the four escaped characters and the dropped controls
_ESC_TABLE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
              ord('"'): "&quot;"}
_ESC_TABLE.update((c, None) for c in range(0x20) if chr(c) not in "\t\n\r")
_ESC_NEEDED = re.compile(r'[&<>"\x00-\x08\x0b\x0c\x0e-\x1f]')


def _esc(s):
    # ocaml-rpc's Xmlrpc.encode (mirage/ocaml-rpc src/lib/xmlrpc.ml): escape
    # > < & " and drop control characters other than tab, LF, CR. (One
    # str.translate, in C: a reply of 16 hosts' records has thousands of
    # strings, and a loop over their characters was most of the
    # simulator's CPU.)
    if _ESC_NEEDED.search(s) is None:
        return s
    return s.translate(_ESC_TABLE)


def marshal(v, out):
    """XAPI's XML-RPC encoding (ocaml-rpc xmlrpc.ml add_value): strings are
    untyped <value>text</value>; int64 is an untyped <value>N</value> too
    (so clients see a string); booleans 1/0; doubles "%.16g"."""
    if v is None:
        out.append("<value><nil/></value>")
    elif isinstance(v, bool):
        out.append("<value><boolean>%d</boolean></value>" % (1 if v else 0))
    elif isinstance(v, I32):
        out.append("<value><i4>%d</i4></value>" % int(v))
    elif isinstance(v, int):
        out.append("<value>%d</value>" % v)
    elif isinstance(v, float):
        out.append("<value><double>%s</double></value>" % ("%.16g" % v))
    elif isinstance(v, DateTime):
        out.append("<value><dateTime.iso8601>%s</dateTime.iso8601></value>"
                   % _esc(str(v)))
    elif isinstance(v, str):
        # Real xapi sends <value></value>; <value/> is the same XML and is
        # what the brief asks for, so clients are tested against it.
        out.append("<value/>" if v == "" else "<value>%s</value>" % _esc(v))
    elif isinstance(v, bytes):
        out.append("<value><base64>%s</base64></value>"
                   % base64.b64encode(v).decode())
    elif isinstance(v, (list, tuple)):
        out.append("<value><array><data>")
        for x in v:
            marshal(x, out)
        out.append("</data></array></value>")
    elif isinstance(v, dict):
        out.append("<value><struct>")
        for k, x in v.items():
            out.append("<member><name>%s</name>" % _esc(str(k)))
            marshal(x, out)
            out.append("</member>")
        out.append("</struct></value>")
    else:
        raise TypeError("cannot marshal %r" % (v,))


def response_xml(ok, v):
    st = ({"Status": "Success", "Value": v} if ok else
          {"Status": "Failure", "ErrorDescription": v})
    out = ['<?xml version="1.0"?><methodResponse><params><param>']
    marshal(st, out)
    out.append("</param></params></methodResponse>")
    return "".join(out).encode("utf-8")


def _unmarshal(el):
    kids = list(el)
    if not kids:
        return el.text or ""          # untyped value = string
    k = kids[0]
    t, txt = k.tag, (k.text or "")
    if t == "string":
        return txt
    if t in ("int", "i4", "i8"):
        return int(txt.strip())
    if t == "boolean":
        return txt.strip() == "1"
    if t == "double":
        return float(txt.strip())
    if t == "dateTime.iso8601":
        return DateTime(txt.strip())
    if t == "base64":
        return base64.b64decode(txt)
    if t == "nil":
        return None
    if t == "array":
        data = k.find("data")
        return [] if data is None else [_unmarshal(v) for v in data.findall("value")]
    if t == "struct":
        d = {}
        for m in k.findall("member"):
            d[m.findtext("name") or ""] = _unmarshal(m.find("value"))
        return d
    raise ValueError("unknown XML-RPC type <%s>" % t)


def parse_call(body):
    root = ET.fromstring(body)
    if root.tag != "methodCall":
        raise ValueError("not a methodCall")
    name = (root.findtext("methodName") or "").strip()
    params = []
    ps = root.find("params")
    if ps is not None:
        for p in ps.findall("param"):
            v = p.find("value")
            if v is None:
                raise ValueError("param without value")
            params.append(_unmarshal(v))
    return name, params


# ---------------------------------------------------------------------------
# Object model
# ---------------------------------------------------------------------------


def new_ref():
    return "OpaqueRef:" + str(uuidlib.uuid4())


def vtuple(v):
    return tuple(int(x) for x in re.findall(r"\d+", str(v or "0")))


class Obj:
    cls = "?"

    def __init__(self, pool):
        self.ref = new_ref()
        self.uuid = str(uuidlib.uuid4())
        self.pool = pool


class Pool(Obj):
    cls = "pool"


class Host(Obj):
    cls = "host"


class HostMetrics(Obj):
    cls = "host_metrics"


class PIF(Obj):
    cls = "PIF"


class VM(Obj):
    cls = "VM"


class VBD(Obj):
    cls = "VBD"


class Task(Obj):
    cls = "task"


# --- prechecks (issue 13): storage, devices, networks -----------------------
# The classes the wizard-style prechecks read (ocaml/idl/datamodel.ml,
# datamodel_vm.ml, datamodel_host.ml; class names are case-sensitive on
# the wire: "SR", "PBD", "VDI", "VIF", "VGPU", "PCI", "network",
# "network_sriov").


class SR(Obj):
    cls = "SR"


class PBD(Obj):
    cls = "PBD"


class VDI(Obj):
    cls = "VDI"


class VIF(Obj):
    cls = "VIF"


class VGPU(Obj):
    cls = "VGPU"


class PCI(Obj):
    cls = "PCI"


class Network(Obj):
    cls = "network"


class NetworkSriov(Obj):
    cls = "network_sriov"


# Names on the wire are case-sensitive: "VM.get_record" exists, "vm.get_record"
# does not (class names as in ocaml/idl/datamodel*.ml).
CLASSES = {"pool": Pool, "host": Host, "host_metrics": HostMetrics,
           "PIF": PIF, "VM": VM, "VBD": VBD, "task": Task}
# the prechecks' classes (issue 13)
CLASSES.update({"SR": SR, "PBD": PBD, "VDI": VDI, "VIF": VIF, "VGPU": VGPU,
                "PCI": PCI, "network": Network,
                "network_sriov": NetworkSriov})

# Classes without Async variants (ocaml/idl/datamodel.ml no_async_messages_for).
NO_ASYNC = {"session", "event", "task"}

POOL_DEFAULTS = {
    "username": "root", "password": "password", "ha_enabled": False,
    "wlb_enabled": False, "legacy_login": False, "install_delay": 0.2,
    "reboot_delay": 0.1, "evacuate_delay": 0.05, "shutdown_delay": 0.05,
    "enable_on_boot": False, "auth_fail_delay": 0.0, "startup_delay": 0.0,
    "api_version": [2, 21],
}


class Ctx:
    def __init__(self, sim, pool, host, method):
        self.sim, self.pool, self.host, self.method = sim, pool, host, method
        self.session = None
        self.task = None


class Simulator:
    """A set of simulated pools. spec: dict or path of a JSON file."""

    def __init__(self, spec):
        if isinstance(spec, (str, os.PathLike)):
            with open(spec) as f:
                spec = json.load(f)
        self.spec = copy.deepcopy(spec)
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.objs = {}             # ref -> Obj (every class, every pool)
        self.pools = []
        self.by_addr = {}          # address -> Host (the machine's current record)
        self.by_name = {}          # host name -> Host
        self.vm_by_name = {}
        self._log = []
        self.events = []           # (id, pool, class-lower, ref, op)
        self.ev_id = 0
        self.ev_floor = 0
        self.listeners = {}        # address -> server
        self.conns = {}            # address -> set of sockets
        self.busy = set()          # sockets writing a reply
        self.port = int(spec.get("port", 0))
        self.tftp_root = spec.get("tftp_root")
        self.tls = spec.get("tls")
        self.tls_dir = None        # certificates made here (per-host, impostors)
        self.impostors = {}        # address -> impostor server
        # who listens at an address changes under this lock only
        self.listen_lock = threading.RLock()
        self.control_port = int(spec.get("control_port", 0))
        self.control = None
        self.stopping = False
        self.threads = []
        with self.lock:
            self._build()

    # ----- construction ---------------------------------------------------

    def _build(self):
        for ps in self.spec.get("pools", []):
            p = Pool(None)
            p.pool = p
            p.name = ps["name"]
            for k, dv in POOL_DEFAULTS.items():
                setattr(p, k, ps.get(k, dv))
            p.name_label = ps.get("name_label", p.name)
            p.other_config = dict(ps.get("other_config", {}))
            p.sessions = {}
            p.faults = dict(ps.get("faults", {}))
            p.ha_enabled = bool(p.faults.pop("ha_enabled", p.ha_enabled))
            p.wlb_enabled = bool(p.faults.pop("wlb_enabled", p.wlb_enabled))
            p.master = None
            self.pools.append(p)
            self._add(p)
            for hs in ps.get("hosts", []):
                h = self._new_host(p, hs)
                if hs.get("master") or p.master is None:
                    p.master = h
            for vs in ps.get("vms", []):
                self._new_vm(p, vs)
            self._precheck_build(p, ps)
            self._rpu_check(p)
        now = time.time()
        for h in list(self.by_name.values()):
            h.boot_time = now - 3600
            h.agent_start_time = now - 3500
            if h.faults.pop("dead", False):
                h.state = "dead"
                h.live = False

    def _add(self, o):
        self.objs[o.ref] = o

    def _new_host(self, p, hs):
        h = Host(p)
        h.name = hs["name"]
        h.name_label = hs.get("name_label", h.name)
        h.address = hs["address"]
        h.mac = hs.get("mac", "52:54:00:00:00:%02x" % (len(self.by_name) + 1))
        # how the machine network-boots: "bios" reads its pxelinux file,
        # "uefi" GRUB's grub/hosts/<mac>.cfg (what poolboot writes for it)
        h.firmware = hs.get("firmware", "bios")
        h.product_version = str(hs.get("product_version", "8.2.1"))
        h.build_number = str(hs.get("build_number", "release/yangtze/master/58"))
        h.platform_version = str(hs.get("platform_version", h.product_version))
        h.product_brand = hs.get("product_brand", "XCP-ng")
        h.memory_total = int(hs.get("memory_total_mib", 16384)) * MIB
        h.memory_overhead = int(hs.get("memory_overhead_mib", 64)) * MIB
        h.enabled = bool(hs.get("enabled", True))
        # "state": "halted" models a machine that is powered off (e.g. a
        # new host waiting for its first install): no listener until
        # POST /power-on (or an IPMI power-on hook) boots it through PXE
        h.state = "halted" if hs.get("state") == "halted" else "up"
        h.live = h.state == "up"
        h.ghost = False
        h.backup_version = None
        h.current_operations = {}
        h.other_config = dict(hs.get("other_config", {}))
        h.faults = dict(hs.get("faults", {}))
        h.started_at = 0.0
        # the host's own xapi-ssl.pem (key and certificate in one file);
        # None: the spec's shared "tls" certificate
        h.tls_pem = hs.get("tls_pem")
        self._add(h)
        m = HostMetrics(p)
        m.host = h
        h.metrics = m
        self._add(m)
        h.pifs = []
        for i, ps in enumerate(hs.get("pifs") or [{"device": "eth0",
                                                    "mac": h.mac,
                                                    "management": True}]):
            f = PIF(p)
            f.host = h
            f.device = ps.get("device", "eth%d" % i)
            # xapi keeps the MAC as the kernel reports it: lower case
            f.mac = ps.get("mac", h.mac).lower()
            f.management = bool(ps.get("management", False))
            f.ip = ps.get("ip", h.address if f.management else "")
            h.pifs.append(f)
            self._add(f)
        dom0 = self._new_vm(p, {"name": "Control domain on host: " + h.name,
                                "host": h.name,
                                "memory_mib": hs.get("dom0_memory_mib", 1024),
                                "power_state": "Running"},
                            control=True, host=h)
        h.dom0 = dom0
        self.by_addr[h.address] = h
        self.by_name[h.name] = h
        return h

    def _new_vm(self, p, vs, control=False, host=None):
        v = VM(p)
        v.name = vs["name"]
        v.power_state = vs.get("power_state", "Running")
        if host is None and vs.get("host"):
            host = self.by_name[vs["host"]]
        v.resident_on = host if v.power_state in ("Running", "Paused") else None
        v.memory = int(vs.get("memory_mib", 1024)) * MIB
        v.is_control_domain = control
        v.is_a_template = bool(vs.get("is_a_template", False))
        v.is_a_snapshot = bool(vs.get("is_a_snapshot", False))
        v.ha_protected = bool(vs.get("ha_protected", False))
        pe = vs.get("prevents_evacuation", False)
        v.prevents_evacuation = pe
        v.vbds = []
        self._add(v)
        if not control:
            self.vm_by_name[v.name] = v
            d = VBD(p)
            d.vm, d.type, d.empty, d.device, d.userdevice = v, "Disk", False, "xvda", "0"
            v.vbds.append(d)
            self._add(d)
            cd = VBD(p)
            cd.vm, cd.type, cd.device, cd.userdevice = v, "CD", "xvdd", "3"
            cd.empty = not bool(vs.get("cd", False) or vs.get("cd_inserted", False))
            v.vbds.append(cd)
            self._add(cd)
        return v

    # ----- helpers (lock held) ---------------------------------------------

    def log_event(self, ev, **kw):
        e = {"t": time.time(), "event": ev}
        e.update(kw)
        with self.lock:
            self._log.append(e)

    def _ev(self, o, op="mod"):
        self.ev_id += 1
        self.events.append((self.ev_id, o.pool, o.cls.lower(), o.ref, op))
        if len(self.events) > 20000:
            drop = self.events[:5000]
            self.ev_floor = drop[-1][0]
            del self.events[:5000]
        self.cond.notify_all()

    def hosts(self, p):
        return [o for o in self.objs.values() if isinstance(o, Host) and o.pool is p]

    def vms(self, p):
        return [o for o in self.objs.values() if isinstance(o, VM) and o.pool is p]

    def resident(self, h):
        return [v for v in self.objs.values() if isinstance(v, VM)
                and v.resident_on is h and v.power_state in ("Running", "Paused")]

    def free_memory(self, h):
        used = sum(v.memory for v in self.resident(h))
        return max(0, h.memory_total - h.memory_overhead - used)

    def get(self, ctx, cls, ref):
        o = self.objs.get(ref) if isinstance(ref, str) else None
        if o is None or not isinstance(o, CLASSES[cls]) or o.pool is not ctx.pool:
            raise XapiError("HANDLE_INVALID", cls, ref)
        return o

    def _rpu_check(self, p):
        # The master sets pool other_config:rolling_upgrade_in_progress when
        # host versions differ (ocaml/xapi/db_gc.ml detect_rolling_upgrade).
        vers = {h.platform_version for h in self.hosts(p) if not h.ghost}
        key = "rolling_upgrade_in_progress"
        if len(vers) > 1 and key not in p.other_config:
            p.other_config[key] = "true"
            self._ev(p)
        elif len(vers) <= 1 and key in p.other_config:
            del p.other_config[key]
            self._ev(p)

    def fault_value(self, h, kind, default=None):
        if h is not None and kind in h.faults:
            return h.faults[kind]
        if h is not None and kind in h.pool.faults:
            return h.pool.faults[kind]
        return default

    # ----- prechecks (issue 13): storage, devices, CPUs, licences ---------
    # What the wizard-style prechecks read, built from the spec (README
    # "Prechecks"): every host has a "Local storage" SR (shared false)
    # and the pool a shared SR that VM disks live on unless they ask for
    # local storage; PCI passthrough, vGPUs and SR-IOV VIFs pin a VM
    # (and prevent evacuation with XAPI's codes); hosts carry cpu_info,
    # license_params and the prepare_host_upgrade.py plugin's verdict.

    # A CPU featureset as Cpuid.string_of_features prints it (ocaml/libs/
    # cpuid/cpuid.ml: 32-bit words "%08Lx" joined by "-").
    CPU_FEATURES = ("1fcbfbff-f7fa3223-2d93fbff-00000523-00000001-"
                    "000007ab-00000000-00000000-00001000-0c000000")

    def _precheck_build(self, p, ps):
        hosts = {h.name: h for h in self.hosts(p)}
        p.precheck_srs = {}
        for h in hosts.values():
            hs = next((x for x in ps.get("hosts", []) if x["name"] == h.name), {})
            ci = {"cpu_count": "8", "socket_count": "1", "threads_per_core": "1",
                  "vendor": "GenuineIntel", "features_hvm": self.CPU_FEATURES,
                  "features_pv": self.CPU_FEATURES,
                  "features_hvm_host": self.CPU_FEATURES,
                  "features_pv_host": self.CPU_FEATURES}
            ci.update({k: str(v) for k, v in hs.get("cpu_info", {}).items()})
            h.cpu_info = ci
            h.license_params = {k: str(v) for k, v in
                                hs.get("license_params", {}).items()}
            h.edition = hs.get("edition", "xcp-ng")
            # prepare_host_upgrade.py testSafe2Upgrade's answer ("true",
            # "not_enough_space", ...); "missing": no such plugin
            h.safe2upgrade = hs.get("safe2upgrade", "true")
            h.pcis = []
            local = self._precheck_sr(p, "Local storage on " + h.name, "ext",
                                      False, [h], [])
            h.local_sr = local
        for ss in ps.get("srs", [{"name": "Shared NFS", "type": "nfs",
                                  "shared": True}]):
            on = [h for n, h in hosts.items() if n not in ss.get("no_pbd_on", [])]
            self._precheck_sr(p, ss["name"], ss.get("type", "nfs"),
                              bool(ss.get("shared", True)), on,
                              ss.get("unplugged_on", []))
        shared = next((s for s in p.precheck_srs.values() if s.shared), None)
        for vs in ps.get("vms", []):
            v = self.vm_by_name.get(vs["name"])
            if v is not None:
                self._precheck_vm(p, v, vs, shared)
        for ts in ps.get("tasks", []):
            t = Task(p)
            t.name_label = ts.get("name_label", "Async.VM.snapshot")
            t.status = ts.get("status", "pending")
            t.progress = 0.5 if t.status == "pending" else 1.0
            t.result, t.error_info, t.cancel = "", [], False
            t.created, t.finished = dt(), DateTime(EPOCH_DT)
            t.host = p.master
            self._add(t)

    def _precheck_sr(self, p, name, typ, shared, hosts, unplugged):
        sr = SR(p)
        sr.name, sr.type, sr.shared = name, typ, shared
        sr.pbds, sr.vdis = [], []
        self._add(sr)
        p.precheck_srs[sr.ref] = sr
        for h in hosts:
            d = PBD(p)
            d.host, d.sr = h, sr
            d.attached = h.name not in unplugged
            sr.pbds.append(d)
            self._add(d)
        return sr

    def _precheck_vm(self, p, v, vs, shared):
        h = v.resident_on or (self.by_name.get(vs.get("host")) if vs.get("host") else None)
        v.other_config = {k: str(x) for k, x in vs.get("other_config", {}).items()}
        v.blocked_operations = dict(vs.get("blocked_operations", {}))
        v.pv = bool(vs.get("pv", False))
        v.pcis, v.vgpus, v.vifs = [], [], []
        if vs.get("sr"):
            sr = next(s for s in p.precheck_srs.values() if s.name == vs["sr"])
        elif vs.get("local_disk") and h is not None:
            sr = h.local_sr
        else:
            sr = shared
        for d in v.vbds:
            if d.type == "Disk" and sr is not None:
                vdi = VDI(p)
                vdi.sr, vdi.name, vdi.vbd = sr, v.name + " disk", d
                sr.vdis.append(vdi)
                d.vdi = vdi
                self._add(vdi)
        code = None
        if vs.get("pci") and h is not None:
            pci = PCI(p)
            pci.host, pci.device_name = h, "GK110GL [Tesla K20m]"
            h.pcis.append(pci)
            v.pcis.append(pci)
            self._add(pci)
            code = "VM_HAS_PCI_ATTACHED"
        if vs.get("vgpu"):
            g = VGPU(p)
            g.vm, g.host = v, h
            v.vgpus.append(g)
            self._add(g)
            code = code or "VM_HAS_VGPU"
        if vs.get("sriov") and h is not None:
            self._precheck_sriov_vif(p, v, h)
            code = code or "VM_HAS_SRIOV_VIF"
        if code is None and sr is not None and not sr.shared:
            code = "VM_REQUIRES_SR"
        if code is not None and not v.prevents_evacuation:
            # what host.get_vms_which_prevent_evacuation says of them
            # (xapi_vm_helpers.ml assert_can_migrate: VM_HAS_PCI_ATTACHED
            # [vm], VM_HAS_VGPU [vm], VM_HAS_SRIOV_VIF [vm]; VM_REQUIRES_SR
            # [vm; sr] for a disk on storage the target cannot see)
            v.prevents_evacuation = [code, "{vm}"] + (
                [sr.ref] if code == "VM_REQUIRES_SR" else [])
        if v.power_state in ("Running", "Paused") and h is not None:
            v.last_boot_cpu = dict(vs.get("last_boot_CPU_flags") or {
                "vendor": h.cpu_info["vendor"],
                "features": h.cpu_info["features_hvm"]})
        else:
            v.last_boot_cpu = {}

    def _precheck_sriov_vif(self, p, v, h):
        # An SR-IOV network: its PIFs are logical PIFs, each with
        # sriov_logical_PIF_of = [network_sriov]
        # (xapi_network_sriov_helpers.ml is_sriov_network).
        net = getattr(p, "sriov_net", None)
        if net is None:
            net = Network(p)
            net.name, net.pifs, net.vifs = "SR-IOV network", [], []
            self._add(net)
            p.sriov_net = net
        lp = next((f for f in net.pifs if f.host is h), None)
        if lp is None:
            ns = NetworkSriov(p)
            lp = PIF(p)
            lp.host, lp.device, lp.mac = h, "eth1", h.mac
            lp.management, lp.ip = False, ""
            lp.sriov_of, lp.net = ns, net
            ns.logical, ns.host = lp, h
            net.pifs.append(lp)
            self._add(ns)
            self._add(lp)
        vif = VIF(p)
        vif.vm, vif.net, vif.device = v, net, str(len(v.vifs))
        v.vifs.append(vif)
        net.vifs.append(vif)
        self._add(vif)

    def _precheck_rec(self, o, r):
        """The prechecks' fields of the older classes' records."""
        if isinstance(o, Host) and hasattr(o, "cpu_info"):
            r["cpu_info"] = dict(o.cpu_info)
            r["license_params"] = dict(o.license_params)
            r["edition"] = o.edition
            r["PCIs"] = [x.ref for x in o.pcis]
            r["PBDs"] = [d.ref for s in o.pool.precheck_srs.values()
                         for d in s.pbds if d.host is o]
        elif isinstance(o, VM) and hasattr(o, "pcis"):
            r["other_config"] = dict(o.other_config)
            r["blocked_operations"] = dict(o.blocked_operations)
            r["attached_PCIs"] = [x.ref for x in o.pcis]
            r["VGPUs"] = [x.ref for x in o.vgpus]
            r["VIFs"] = [x.ref for x in o.vifs]
            r["last_boot_CPU_flags"] = dict(o.last_boot_cpu)
            if o.pv:
                # a PV guest: PV_bootloader set, HVM_boot_policy empty
                # (XenCenter's VM.IsHVM: HVM_boot_policy != "")
                r["PV_bootloader"] = "pygrub"
                r["HVM_boot_policy"] = ""
                r["domain_type"] = "pv"
        elif isinstance(o, VM):
            r.setdefault("attached_PCIs", [])
            r.setdefault("VGPUs", [])
        elif isinstance(o, VBD) and getattr(o, "vdi", None) is not None:
            r["VDI"] = o.vdi.ref
        elif isinstance(o, PIF) and getattr(o, "sriov_of", None) is not None:
            r["network"] = o.net.ref
            r["sriov_logical_PIF_of"] = [o.sriov_of.ref]
        return r

    def rec_sr(self, s):
        return {"uuid": s.uuid, "name_label": s.name, "name_description": "",
                "allowed_operations": [], "current_operations": {},
                "VDIs": [x.ref for x in s.vdis], "PBDs": [d.ref for d in s.pbds],
                "virtual_allocation": 0, "physical_utilisation": 0,
                "physical_size": 1 << 40, "type": s.type,
                "content_type": "user", "shared": s.shared,
                "other_config": {}, "tags": [], "sm_config": {}, "blobs": {},
                "local_cache_enabled": False, "introduced_by": NULL_REF,
                "clustered": False, "is_tools_sr": False}

    def rec_pbd(self, d):
        return {"uuid": d.uuid, "host": d.host.ref, "SR": d.sr.ref,
                "device_config": {}, "currently_attached": bool(d.attached),
                "other_config": {}}

    def rec_vdi(self, v):
        return {"uuid": v.uuid, "name_label": v.name, "name_description": "",
                "allowed_operations": [], "current_operations": {},
                "SR": v.sr.ref, "VBDs": [v.vbd.ref], "crash_dumps": [],
                "virtual_size": 10 << 30, "physical_utilisation": 0,
                "type": "user", "sharable": False, "read_only": False,
                "other_config": {}, "storage_lock": False, "location": v.uuid,
                "managed": True, "missing": False, "parent": NULL_REF,
                "xenstore_data": {}, "sm_config": {}, "is_a_snapshot": False,
                "snapshot_of": NULL_REF, "snapshots": [],
                "snapshot_time": DateTime(EPOCH_DT), "tags": [],
                "allow_caching": False, "on_boot": "persist",
                "metadata_of_pool": NULL_REF, "metadata_latest": False,
                "is_tools_iso": False, "cbt_enabled": False}

    def rec_vif(self, f):
        return {"uuid": f.uuid, "allowed_operations": [],
                "current_operations": {}, "device": f.device,
                "network": f.net.ref, "VM": f.vm.ref,
                "MAC": "52:54:00:aa:00:%02x" % (int(f.uuid[:2], 16)),
                "MTU": 1500, "other_config": {},
                "currently_attached": f.vm.power_state == "Running",
                "status_code": 0, "status_detail": "",
                "runtime_properties": {}, "qos_algorithm_type": "",
                "qos_algorithm_params": {}, "qos_supported_algorithms": [],
                "metrics": NULL_REF, "MAC_autogenerated": True,
                "locking_mode": "network_default", "ipv4_allowed": [],
                "ipv6_allowed": [], "ipv4_configuration_mode": "None",
                "ipv4_addresses": [], "ipv4_gateway": "",
                "ipv6_configuration_mode": "None", "ipv6_addresses": [],
                "ipv6_gateway": "", "PCI": NULL_REF}

    def rec_vgpu(self, g):
        return {"uuid": g.uuid, "VM": g.vm.ref, "GPU_group": NULL_REF,
                "device": "0", "currently_attached":
                g.vm.power_state == "Running", "other_config": {},
                "type": NULL_REF, "resident_on": NULL_REF,
                "scheduled_to_be_resident_on": NULL_REF,
                "compatibility_metadata": {}, "extra_args": "",
                "PCI": NULL_REF}

    def rec_pci(self, x):
        return {"uuid": x.uuid, "class_name": "3D controller",
                "vendor_name": "NVIDIA Corporation",
                "device_name": x.device_name, "host": x.host.ref,
                "pci_id": "0000:04:00.0", "dependencies": [],
                "other_config": {}, "subsystem_vendor_name": "",
                "subsystem_device_name": "", "driver_name": "nvidia"}

    def rec_network(self, n):
        return {"uuid": n.uuid, "name_label": n.name, "name_description": "",
                "allowed_operations": [], "current_operations": {},
                "VIFs": [f.ref for f in n.vifs], "PIFs": [f.ref for f in n.pifs],
                "MTU": 1500, "other_config": {}, "bridge": "xenbr1",
                "managed": True, "blobs": {}, "tags": [],
                "default_locking_mode": "unlocked",
                "assigned_ips": {}, "purpose": []}

    def rec_network_sriov(self, ns):
        return {"uuid": ns.uuid, "physical_PIF": NULL_REF,
                "logical_PIF": ns.logical.ref, "requires_reboot": False,
                "configuration_mode": "sysfs"}

    # ----- records -----------------------------------------------------------

    def rec(self, o):
        return self._precheck_rec(o, getattr(self, "rec_" + o.cls.lower())(o))

    def rec_pool(self, p):
        return {
            "uuid": p.uuid, "name_label": p.name_label, "name_description": "",
            "master": p.master.ref if p.master else NULL_REF,
            "default_SR": NULL_REF, "suspend_image_SR": NULL_REF,
            "crash_dump_SR": NULL_REF, "other_config": dict(p.other_config),
            "ha_enabled": bool(p.ha_enabled), "ha_configuration": {},
            "ha_statefiles": [ha_statefile_ref(p)] if p.ha_enabled else [],
            "ha_host_failures_to_tolerate": 0,
            "ha_plan_exists_for": 0, "ha_allow_overcommit": False,
            "ha_overcommitted": False, "blobs": {}, "tags": [],
            "gui_config": {}, "health_check_config": {}, "wlb_url": "",
            "wlb_username": "", "wlb_enabled": bool(p.wlb_enabled),
            "wlb_verify_cert": False, "redo_log_enabled": False,
            "redo_log_vdi": NULL_REF, "vswitch_controller": "",
            "restrictions": {}, "metadata_VDIs": [], "allowed_operations": [],
            "current_operations": {}, "cpu_info": {},
            "policy_no_vendor_device": False, "live_patching_disabled": False,
            "tls_verification_enabled": True, "repositories": [],
            "coordinator_bias": True,
        }

    def software_version(self, h):
        short = ".".join(h.product_version.split(".")[:2])
        return {
            "product_version": h.product_version,
            "product_version_text": short,
            "product_version_text_short": short,
            "platform_name": "XCP", "platform_version": h.platform_version,
            "product_brand": h.product_brand, "build_number": h.build_number,
            "hostname": h.name, "date": "2024-01-01", "dbv": "0.0.1",
            "xapi": "1.20", "xapi_build": "1.249.0", "xen": "4.13.5",
            "linux": "4.19.0+1", "xencenter_min": "2.21",
            "xencenter_max": "2.21", "network_backend": "openvswitch",
            "db_schema": "5.602",
        }

    def rec_host(self, h):
        p = h.pool
        oc = dict(h.other_config)
        oc["boot_time"] = ocaml_float(int(h.boot_time))
        oc["agent_start_time"] = ocaml_float(h.agent_start_time)
        oc.setdefault("iscsi_iqn", "iqn.2024-01.org.example:" + h.uuid[:8])
        return {
            "uuid": h.uuid, "name_label": h.name_label, "name_description": "",
            "allowed_operations": [] if h.current_operations else
            (["provision", "evacuate", "vm_start", "vm_resume", "vm_migrate"]
             + ([] if h.enabled else ["reboot", "shutdown"])),
            "current_operations": {k: v for k, v in h.current_operations.items()},
            "API_version_major": int(p.api_version[0]),
            "API_version_minor": int(p.api_version[1]),
            "API_version_vendor": "XenSource",
            "API_version_vendor_implementation": {},
            "enabled": bool(h.enabled),
            "software_version": self.software_version(h),
            "other_config": oc, "capabilities": ["xen-3.0-x86_64", "hvm-3.0-x86_64"],
            "cpu_configuration": {}, "sched_policy": "credit",
            "supported_bootloaders": ["pygrub", "eliloader"],
            "resident_VMs": [v.ref for v in self.resident(h)],
            "logging": {}, "PIFs": [f.ref for f in h.pifs],
            "suspend_image_sr": NULL_REF,
            "crash_dump_sr": NULL_REF, "crashdumps": [], "patches": [],
            "updates": [], "PBDs": [], "host_CPUs": [],
            "cpu_info": {"cpu_count": "8", "socket_count": "1", "vendor": "GenuineIntel"},
            "hostname": h.name, "address": h.address, "metrics": h.metrics.ref,
            "license_params": {}, "ha_statefiles": [], "ha_network_peers": [],
            "blobs": {}, "tags": [], "external_auth_type": "",
            "external_auth_service_name": "", "external_auth_configuration": {},
            "edition": "xcp-ng", "license_server": {}, "bios_strings": {},
            "power_on_mode": "", "power_on_config": {},
            "local_cache_sr": NULL_REF, "chipset_info": {}, "PCIs": [],
            "PGPUs": [], "PUSBs": [], "ssl_legacy": False,
            "guest_VCPUs_params": {}, "display": "enabled",
            "virtual_hardware_platform_versions": [0, 1, 2],
            "control_domain": h.dom0.ref, "updates_requiring_reboot": [],
            "features": [], "iscsi_iqn": oc["iscsi_iqn"], "multipathing": False,
            "uefi_certificates": "", "certificates": [], "editions": [],
            "pending_guidances": [], "tls_verification_enabled": True,
            "last_software_update": DateTime(EPOCH_DT), "https_only": False,
            "memory_overhead": h.memory_overhead,
        }

    def rec_host_metrics(self, m):
        h = m.host
        return {"uuid": m.uuid, "memory_total": h.memory_total,
                "memory_free": self.free_memory(h), "live": bool(h.live),
                "last_updated": dt(), "other_config": {}}

    def rec_pif(self, f):
        # The PIF class (ocaml/idl/datamodel.ml, PIF): one per NIC, bond or
        # VLAN of a host; management=true on the one xapi listens on.
        # MTU and VLAN are Ints (int64: untyped on the wire); VLAN -1 is
        # "no VLAN". No network model: network and metrics are NULL.
        return {
            "uuid": f.uuid, "device": f.device, "network": NULL_REF,
            "host": f.host.ref, "MAC": f.mac, "MTU": 1500, "VLAN": -1,
            "metrics": NULL_REF, "physical": True,
            "currently_attached": True,
            "ip_configuration_mode": "Static" if f.ip else "None",
            "IP": f.ip, "netmask": "255.255.255.0" if f.ip else "",
            "gateway": "", "DNS": "", "bond_slave_of": NULL_REF,
            "bond_master_of": [], "VLAN_master_of": NULL_REF,
            "VLAN_slave_of": [], "management": f.management,
            "other_config": {}, "disallow_unplug": False,
            "tunnel_access_PIF_of": [], "tunnel_transport_PIF_of": [],
            "ipv6_configuration_mode": "None", "IPv6": [],
            "ipv6_gateway": "", "primary_address_type": "IPv4",
            "managed": True, "properties": {"gro": "on"},
            "capabilities": [], "igmp_snooping_status": "disabled",
            "sriov_physical_PIF_of": [], "sriov_logical_PIF_of": [],
            "PCI": NULL_REF,
        }

    def rec_vm(self, v):
        mem = v.memory
        running = v.power_state in ("Running", "Paused")
        return {
            "uuid": v.uuid, "allowed_operations": [], "current_operations": {},
            "name_label": v.name, "name_description": "", "user_version": 1,
            "is_a_template": v.is_a_template, "is_default_template": False,
            "suspend_VDI": NULL_REF,
            "resident_on": v.resident_on.ref if v.resident_on and running else NULL_REF,
            "scheduled_to_be_resident_on": NULL_REF, "affinity": NULL_REF,
            "memory_overhead": 8 * MIB, "memory_target": mem if running else 0,
            "memory_static_max": mem, "memory_dynamic_max": mem,
            "memory_dynamic_min": mem, "memory_static_min": mem,
            "VCPUs_params": {}, "VCPUs_max": 1, "VCPUs_at_startup": 1,
            "actions_after_shutdown": "destroy",
            "actions_after_reboot": "restart", "actions_after_crash": "restart",
            "consoles": [], "VIFs": [], "VBDs": [d.ref for d in v.vbds],
            "crash_dumps": [], "VTPMs": [], "PV_bootloader": "",
            "PV_kernel": "", "PV_ramdisk": "", "PV_args": "",
            "PV_bootloader_args": "", "PV_legacy_args": "",
            "HVM_boot_policy": "" if v.is_control_domain else "BIOS order",
            "HVM_boot_params": {}, "platform": {}, "PCI_bus": "",
            "other_config": {}, "domid": (0 if v.is_control_domain else
                                          (1 + (int(v.uuid[:4], 16) % 1000)))
            if running else -1,
            "domarch": "", "last_boot_CPU_flags": {},
            "is_control_domain": v.is_control_domain, "metrics": NULL_REF,
            "guest_metrics": NULL_REF, "power_state": v.power_state,
            "ha_always_run": v.ha_protected,
            "ha_restart_priority": "restart" if v.ha_protected else "",
            "is_a_snapshot": v.is_a_snapshot, "snapshot_of": NULL_REF,
            "snapshots": [], "snapshot_time": DateTime(EPOCH_DT),
            "tags": [], "blocked_operations": {},
            "domain_type": "pv" if v.is_control_domain else "hvm",
        }

    def rec_vbd(self, d):
        running = d.vm.power_state == "Running"
        return {"uuid": d.uuid, "allowed_operations": [],
                "current_operations": {}, "VM": d.vm.ref,
                "VDI": NULL_REF if d.empty else "OpaqueRef:" + str(
                    uuidlib.uuid5(uuidlib.NAMESPACE_URL, d.uuid)),
                "device": d.device, "userdevice": d.userdevice,
                "bootable": d.type == "Disk", "mode": "RO" if d.type == "CD" else "RW",
                "type": d.type, "unpluggable": d.type == "CD", "empty": d.empty,
                "other_config": {}, "currently_attached": running,
                "status_code": 0, "status_detail": "", "runtime_properties": {},
                "qos_algorithm_type": "", "qos_algorithm_params": {},
                "qos_supported_algorithms": [], "metrics": NULL_REF}

    def rec_task(self, t):
        return {"uuid": t.uuid, "name_label": t.name_label,
                "name_description": "", "allowed_operations": ["cancel"]
                if t.status == "pending" else [], "current_operations": {},
                "created": t.created, "finished": t.finished,
                "status": t.status, "resident_on": t.host.ref,
                "progress": float(t.progress), "type": "<none/>",
                "result": t.result, "error_info": list(t.error_info),
                "other_config": {}, "subtask_of": NULL_REF, "subtasks": [],
                "backtrace": "()"}

    # ----- dispatch ------------------------------------------------------

    def handle_xmlrpc(self, host, body):
        """Returns (bytes | None). None: drop the connection unanswered."""
        try:
            name, params = parse_call(body)
        except Exception as e:       # noqa: BLE001 - any parse failure
            return response_xml(False, ["INTERNAL_ERROR", "XML-RPC parse: %s" % e])
        entry = {"t": time.time(), "host": host.name, "method": name,
                 "args": redact(name, params)}
        try:
            value = self.dispatch(host, name, params)
            entry["status"] = "Success"
            out = response_xml(True, value)
        except XapiError as e:
            entry["status"] = "Failure"
            entry["error"] = e.description()
            out = response_xml(False, e.description())
        with self.lock:
            self._log.append(entry)
        return out

    def dispatch(self, host, name, params):
        pool = host.pool
        is_async = name.startswith("Async.")
        base = name[6:] if is_async else name
        cls, _, meth = base.partition(".")
        with self.lock:
            master = pool.master
            if host is not master:
                done, value = self._emergency_dispatch(host, base, params)
                if done:
                    return value
                # the master this member believes in (emergency mode)
                master = self._believed_master(host)
                # Pool members refuse a login with HOST_IS_SLAVE [master
                # address] before any database access
                # (ocaml/xapi/xapi_session.ml login_with_password), and a
                # call carrying a master-issued session the same way
                # (ocaml/xapi/session_check.ml, Non_master_login_on_slave).
                if base == "session.login_with_password":
                    raise XapiError("HOST_IS_SLAVE", master.address)
                if master.state not in ("up", "shutting_down"):
                    # Master away: the member cannot reach the database.
                    raise XapiError("HOST_IN_EMERGENCY_MODE")
                if params and isinstance(params[0], str) \
                        and params[0].startswith("OpaqueRef:") \
                        and params[0] not in pool.sessions:
                    raise XapiError("SESSION_INVALID", params[0])
                raise XapiError("HOST_IS_SLAVE", master.address)
        spec = METHODS.get(base)
        if spec is None and cls in CLASSES and not is_async:
            spec = self._generic(cls, meth)
        if spec is None or (is_async and (cls in NO_ASYNC or not spec[4])):
            raise XapiError("MESSAGE_METHOD_UNKNOWN", name)
        fn, nmin, nmax, needs_session, _ = spec
        nsess = 1 if needs_session else 0
        received = len(params) - nsess
        if received < nmin or (nmax is not None and received > nmax) or \
                (needs_session and not params):
            # [method; expected (params without defaults); received]
            # (ocaml/idl/ocaml_backend/gen_server.ml, server_helpers.ml)
            raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", name,
                            str(nmin), str(max(received, 0)))
        ctx = Ctx(self, pool, host, name)
        if needs_session:
            ref = params[0]
            with self.lock:
                if not isinstance(ref, str) or ref not in pool.sessions:
                    raise XapiError("SESSION_INVALID", ref if isinstance(ref, str) else "")
                pool.sessions[ref]["last_active"] = time.time()
            ctx.session = ref
            args = params[1:]
        else:
            args = params
        if is_async:
            return self._async(ctx, fn, args)
        v = fn(ctx, *args)
        # A void result is Rpc.String "" (gen_server.ml result_marshaller).
        return "" if v is None else v

    def _generic(self, cls, meth):
        """get_record / get_all / get_all_records / get_by_uuid / get_X for
        every field, as the datamodel generates them."""
        if meth == "get_all":
            return (lambda ctx: self._locked(lambda: [
                o.ref for o in self._all(ctx, cls)]), 0, 0, True, False)
        if meth == "get_all_records":
            return (lambda ctx: self._locked(lambda: {
                o.ref: self.rec(o) for o in self._all(ctx, cls)}), 0, 0, True, False)
        if meth == "get_record":
            return (lambda ctx, r: self._locked(
                lambda: self.rec(self.get(ctx, cls, r))), 1, 1, True, False)
        if meth == "get_by_uuid":
            def by_uuid(ctx, u):
                with self.lock:
                    for o in self._all(ctx, cls):
                        if o.uuid == u:
                            return o.ref
                raise XapiError("UUID_INVALID", cls, u)
            return (by_uuid, 1, 1, True, False)
        if meth == "get_by_name_label" and cls in ("host", "VM", "pool"):
            return (lambda ctx, n: self._locked(lambda: [
                o.ref for o in self._all(ctx, cls)
                if self.rec(o)["name_label"] == n]), 1, 1, True, False)
        if meth.startswith("get_"):
            field = meth[4:]

            def getter(ctx, r):
                with self.lock:
                    rec = self.rec(self.get(ctx, cls, r))
                    if field not in rec:
                        raise XapiError("MESSAGE_METHOD_UNKNOWN", ctx.method)
                    return rec[field]
            return (getter, 1, 1, True, False)
        return None

    def _locked(self, f):
        with self.lock:
            return f()

    def _all(self, ctx, cls):
        return [o for o in self.objs.values()
                if isinstance(o, CLASSES[cls]) and o.pool is ctx.pool]

    def _async(self, ctx, fn, args):
        with self.lock:
            t = Task(ctx.pool)
            t.name_label = ctx.method
            t.status, t.progress, t.result, t.error_info = "pending", 0.0, "", []
            t.created, t.finished = dt(), DateTime(EPOCH_DT)
            t.host = ctx.pool.master
            t.cancel = False
            self._add(t)
            self._ev(t, "add")
        ctx.task = t

        def run():
            try:
                slow = float(self.fault_value(ctx.pool.master, "slow_tasks", 0) or 0)
                if slow:
                    time.sleep(slow)
                v = fn(ctx, *args)
                with self.lock:
                    t.result = task_result("" if v is None else v)
                    t.status, t.progress = "success", 1.0
            except XapiError as e:
                with self.lock:
                    t.error_info = e.description()
                    t.status = "cancelled" if e.code == "TASK_CANCELLED" else "failure"
                    t.progress = 1.0
            except Exception as e:  # noqa: BLE001
                with self.lock:
                    t.error_info = ["INTERNAL_ERROR", repr(e)]
                    t.status, t.progress = "failure", 1.0
            with self.lock:
                t.finished = dt()
                if t.ref in self.objs:
                    self._ev(t)
        self._spawn(run)
        return t.ref

    def _spawn(self, f, *a):
        th = threading.Thread(target=f, args=a, daemon=True)
        th.start()
        self.threads.append(th)
        return th

    # ----- listeners -------------------------------------------------------

    def _make_server(self, address):
        class Handler(XapiHandler):
            pass
        Handler.sim = self
        Handler.address = address
        srv = _Server((address, self.port), Handler)
        if self.tls:
            # each host serves its own certificate (xapi-ssl.pem) if it has
            # one, like xapi's stunnel; else the spec's shared one
            with self.lock:
                h = self.by_addr.get(address)
                pem = getattr(h, "tls_pem", None)
            ctxt = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            if pem:
                ctxt.load_cert_chain(pem)
            else:
                ctxt.load_cert_chain(self.tls["cert"], self.tls["key"])
            srv.socket = ctxt.wrap_socket(srv.socket, server_side=True,
                                          do_handshake_on_connect=False)
        if self.port == 0:
            self.port = srv.server_address[1]
        th = threading.Thread(target=srv.serve_forever,
                              kwargs={"poll_interval": 0.05}, daemon=True)
        th.start()
        srv._thread = th
        return srv

    def start_listener(self, address):
        with self.listen_lock:
            with self.lock:
                if address in self.listeners or self.stopping:
                    return
                h = self.by_addr.get(address)
                taken = h is not None and h.faults.get("impostor")
            if taken:
                # the impostor holds the address: the host cannot answer
                self._start_impostor(address)
                return
            srv = self._make_server(address)
            with self.lock:
                self.listeners[address] = srv
                self.conns.setdefault(address, set())

    def stop_listener(self, address):
        with self.lock:
            srv = self.listeners.pop(address, None)
            socks = [c for c in self.conns.get(address, ()) if c not in self.busy]
        if srv is not None:
            srv.shutdown()
            srv.server_close()
        # Idle keep-alive connections are cut; one busy with a reply is
        # closed by its handler once the reply is out.
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def start(self):
        # The first listener fixes the common port when spec port is 0.
        addrs = []
        for h in self.by_name.values():
            if h.state == "up":
                addrs.append(h.address)
        for a in addrs:
            self.start_listener(a)
        self.control = _make_control(self)
        self.control_port = self.control.server_address[1]
        return self

    def stop(self):
        with self.lock:
            self.stopping = True
            self.cond.notify_all()
        for a in list(self.listeners):
            self.stop_listener(a)
        for a in list(self.impostors):
            self._stop_impostor(a)
        if self.control is not None:
            self.control.shutdown()
            self.control.server_close()
            self.control = None
        if self.tls_dir is not None:
            shutil.rmtree(self.tls_dir, ignore_errors=True)
            self.tls_dir = None

    # ----- certificates and impostors -------------------------------------

    def new_cert(self, cn, address=None):
        """A new self-signed RSA-2048 certificate and its key in one PEM
        file (key first, as xapi's gencert writes xapi-ssl.pem); returns
        its path. Needs the openssl command."""
        with self.lock:
            if self.tls_dir is None:
                self.tls_dir = tempfile.mkdtemp(prefix="xapisim-tls-")
            d = self.tls_dir
        fd, path = tempfile.mkstemp(prefix="cert-", suffix=".pem", dir=d)
        os.close(fd)
        key, crt = path + ".key", path + ".crt"
        cmd = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
               "-keyout", key, "-out", crt, "-days", "2", "-subj",
               "/CN=" + cn]
        if address:
            cmd += ["-addext", "subjectAltName=IP:" + address]
        subprocess.run(cmd, check=True, capture_output=True)
        with open(path, "wb") as out:
            for part in (key, crt):
                with open(part, "rb") as f:
                    out.write(f.read())
                os.unlink(part)
        return path

    def _start_impostor(self, address):
        """Another machine answers at address: a XAPI look-alike with a
        certificate of its own (TLS when the simulator runs TLS) that
        accepts every call and logs it with its arguments unredacted.
        Caller holds listen_lock."""
        with self.lock:
            if (address in self.impostors or address in self.listeners or
                    self.stopping):
                return
            h = self.by_addr.get(address)

        class Handler(ImpostorHandler):
            pass
        Handler.sim = self
        Handler.address = address
        Handler.host_name = h.name if h is not None else None
        srv = _Server((address, self.port), Handler)
        if self.tls:
            ctxt = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctxt.load_cert_chain(self.new_cert("impostor", address))
            srv.socket = ctxt.wrap_socket(srv.socket, server_side=True,
                                          do_handshake_on_connect=False)
        if self.port == 0:
            self.port = srv.server_address[1]
        th = threading.Thread(target=srv.serve_forever,
                              kwargs={"poll_interval": 0.05}, daemon=True)
        th.start()
        with self.lock:
            self.impostors[address] = srv
        self.log_event("impostor_up", host=Handler.host_name, address=address)

    def _stop_impostor(self, address):
        with self.lock:
            srv = self.impostors.pop(address, None)
        if srv is not None:
            srv.shutdown()
            srv.server_close()

    def url(self, host_name):
        h = self.by_name[host_name]
        return "%s://%s:%d/" % ("https" if self.tls else "http", h.address, self.port)

    # ----- control ----------------------------------------------------------

    def state(self):
        with self.lock:
            pools = []
            for p in self.pools:
                if getattr(p, "gone", False):
                    continue
                pools.append({
                    "name": p.name, "ref": p.ref, "uuid": p.uuid,
                    "master": p.master.name if p.master else None,
                    "ha_enabled": bool(p.ha_enabled),
                    "wlb_enabled": bool(p.wlb_enabled),
                    "other_config": dict(p.other_config),
                    "hosts": [h.name for h in self.hosts(p)],
                    "sessions": len(p.sessions), "faults": dict(p.faults)})
            hosts = []
            for h in self.objs.values():
                if not isinstance(h, Host):
                    continue
                hosts.append({
                    "name": h.name, "name_label": h.name_label,
                    "pool": h.pool.name, "ref": h.ref,
                    "uuid": h.uuid, "address": h.address, "mac": h.mac,
                    "master": h.pool.master is h, "ghost": h.ghost,
                    "product_version": h.product_version,
                    "build_number": h.build_number,
                    "platform_version": h.platform_version,
                    "enabled": bool(h.enabled), "live": bool(h.live),
                    "state": h.state, "boot_time": int(h.boot_time),
                    "agent_start_time": h.agent_start_time,
                    "memory_free_mib": self.free_memory(h) // MIB,
                    "memory_total_mib": h.memory_total // MIB,
                    "resident_vms": [v.name for v in self.resident(h)
                                     if not v.is_control_domain],
                    "current_operations": dict(h.current_operations),
                    "tls_sha256": cert_sha256(h.tls_pem) if h.tls_pem
                    else None,
                    "faults": dict(h.faults)})
            vms = []
            for v in self.objs.values():
                if not isinstance(v, VM) or v.is_control_domain:
                    continue
                vms.append({
                    "name": v.name, "pool": v.pool.name, "ref": v.ref,
                    "uuid": v.uuid, "power_state": v.power_state,
                    "resident_on": v.resident_on.name if v.resident_on else None,
                    "memory_mib": v.memory // MIB,
                    "cd_inserted": any(d.type == "CD" and not d.empty for d in v.vbds),
                    "prevents_evacuation": v.prevents_evacuation})
            tasks = sum(1 for o in self.objs.values() if isinstance(o, Task))
            return {"pools": pools, "hosts": hosts, "vms": vms, "tasks": tasks,
                    "port": self.port, "control_port": self.control_port}

    def log(self, since=0):
        with self.lock:
            return copy.deepcopy(self._log[since:])

    def reset_log(self):
        with self.lock:
            self._log.clear()

    def _pool_by_name(self, name):
        for p in self.pools:
            if p.name == name and not getattr(p, "gone", False):
                return p
        raise KeyError("no pool %r" % name)

    def fault(self, kind, value=True, host=None, pool=None, vm=None):
        """Sets a fault. See README.md for the kinds."""
        took_down = impostor_at = None
        with self.lock:
            if vm is not None:
                v = self.vm_by_name[vm]
                if kind == "cd_inserted":
                    for d in v.vbds:
                        if d.type == "CD":
                            d.empty = not value
                            self._ev(d)
                elif kind == "prevents_evacuation":
                    v.prevents_evacuation = value
                elif kind == "pool_migrate_fail":
                    v.pool_migrate_fail = value
                elif kind == "power_state":
                    v.power_state = value
                    if value not in ("Running", "Paused"):
                        v.resident_on = None
                    self._ev(v)
                else:
                    raise KeyError("unknown VM fault %r" % kind)
            elif host is not None:
                h = self.by_name[host]
                if kind == "expire_sessions":
                    h.pool.sessions.clear()
                    self.cond.notify_all()
                elif kind == "dead":
                    if h.state in ("up", "shutting_down"):
                        took_down = h
                    h.faults["never_return"] = True
                elif kind == "enabled":
                    h.enabled = bool(value)
                    self._ev(h)
                elif kind == "impostor":
                    h.faults[kind] = value
                    if value and h.address not in self.listeners:
                        impostor_at = h.address
                elif kind in ("install_fail", "never_return", "evacuate_fail",
                              "drop_connections", "slow_tasks"):
                    h.faults[kind] = value
                else:
                    raise KeyError("unknown host fault %r" % kind)
            elif pool is not None:
                p = self._pool_by_name(pool)
                if kind == "expire_sessions":
                    p.sessions.clear()
                    self.cond.notify_all()
                elif kind == "ha_enabled":
                    p.ha_enabled = bool(value)
                    self._ev(p)
                elif kind == "wlb_enabled":
                    p.wlb_enabled = bool(value)
                    self._ev(p)
                elif kind in ("install_fail", "never_return", "evacuate_fail",
                              "slow_tasks"):
                    p.faults[kind] = value
                else:
                    raise KeyError("unknown pool fault %r" % kind)
            else:
                raise KeyError("fault needs host, pool or vm")
            self._log.append({"t": time.time(), "event": "fault", "kind": kind,
                              "value": value, "host": host, "pool": pool,
                              "vm": vm})
        if took_down is not None:
            self._go_down(took_down, "dead")
            with self.lock:
                took_down.state = "dead"
        if impostor_at is not None:
            with self.listen_lock:
                self._start_impostor(impostor_at)

    def clear(self, host=None, pool=None, vm=None):
        with self.listen_lock:
            self._clear(host, pool, vm)

    def _clear(self, host, pool, vm):
        gone = []
        with self.lock:
            if pool is None and vm is None:
                gone = [a for a in self.impostors
                        if host is None or a == self.by_name[host].address]
            if host is not None:
                self.by_name[host].faults.clear()
            elif pool is not None:
                self._pool_by_name(pool).faults.clear()
            elif vm is not None:
                self.vm_by_name[vm].prevents_evacuation = False
                self.vm_by_name[vm].pool_migrate_fail = None
            else:
                for p in self.pools:
                    p.faults.clear()
                for o in self.objs.values():
                    if isinstance(o, Host):
                        o.faults.clear()
                    elif isinstance(o, VM):
                        o.prevents_evacuation = False
                        o.pool_migrate_fail = None
            self._log.append({"t": time.time(), "event": "clear", "host": host,
                              "pool": pool, "vm": vm})
        for a in gone:
            # the impostor leaves; a host that is up takes its address back
            self._stop_impostor(a)
            with self.lock:
                h = self.by_addr.get(a)
                up = h is not None and h.state in ("up", "shutting_down")
            if up:
                self.start_listener(a)

    def power_on(self, host):
        """Boots a halted or dead host (through PXE, like a reboot)."""
        h = self.by_name[host]
        with self.lock:
            if h.state in ("up", "shutting_down", "booting"):
                return False
            h.faults.pop("never_return", None)
            h.state = "booting"
        self._spawn(self._boot, h)
        return True

    # ----- reboot / PXE install ------------------------------------------------

    def _go_down(self, h, why):
        with self.lock:
            h.state = "down"        # handlers now drop whatever arrives
        self.stop_listener(h.address)
        with self.lock:
            h.live = False
            halted = []
            for v in self.resident(h):
                if v.is_control_domain:
                    continue
                # xapi's prepare_for_poweroff shuts down whatever still runs
                # (ocaml/xapi/vm_evacuation.ml ensure_no_vms).
                v.power_state = "Halted"
                v.resident_on = None
                halted.append(v.name)
                self._ev(v)
            if h.pool.master is h:
                # Sessions are not persisted (datamodel.ml session:
                # PersistNothing); a master restart forgets them all.
                h.pool.sessions.clear()
            self._ev(h.metrics)
            self._ev(h)
            self._log.append({"t": time.time(), "event": "host_down",
                              "host": h.name, "pool": h.pool.name,
                              "why": why, "halted_vms": halted})
            self.cond.notify_all()

    def _reboot_worker(self, h, halt):
        time.sleep(float(h.pool.shutdown_delay))
        with self.lock:
            for k in [k for k, v in h.current_operations.items()
                      if v in ("reboot", "shutdown")]:
                del h.current_operations[k]
        self._go_down(h, "shutdown" if halt else "reboot")
        if halt:
            with self.lock:
                h.state = "halted"
            return
        with self.lock:
            h.state = "booting"
        self._boot(h)

    def _boot(self, h):
        if self.stopping:
            return
        if self.fault_value(h, "never_return"):
            self.log_event("never_return", host=h.name, pool=h.pool.name)
            with self.lock:
                h.state = "dead"
            return
        result = {"action": "local"}
        if h.firmware == "uefi":
            cfgpath, append, local = self._read_grub(h)
        else:
            cfgpath, append, local = self._read_pxe(h)
        m = re.search(r"(?:^|\s)answerfile=(\S+)", append or "")
        if m and not local:
            self.log_event("pxe", host=h.name, file=cfgpath, action="install",
                           answerfile=m.group(1),
                           install_arg=bool(re.search(r"(?:^|\s)install(?:\s|$)", append)))
            result = self._install(h, m.group(1))
        else:
            self.log_event("pxe", host=h.name, file=cfgpath,
                           action="localboot" if cfgpath else "none")
        if result["action"] == "stuck" or self.stopping:
            with self.lock:
                h.state = "dead"
            return
        time.sleep(float(h.pool.reboot_delay))
        if self.stopping:
            return
        self._come_back(h, result)

    def _read_pxe(self, h):
        """pxelinux's search: 01-<mac, lower case, dashes>, then the IP in
        hex (not modelled: loopback), then default. Returns (path, append
        line of the default label, localboot?)."""
        if not self.tftp_root:
            return None, None, True
        d = os.path.join(self.tftp_root, "pxelinux.cfg")
        path = None
        for name in ("01-" + h.mac.lower().replace(":", "-"), "default"):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                path = p
                break
        if path is None:
            return None, None, True
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return None, None, True
        default, labels, cur = None, {}, None
        order = []
        for ln in lines:
            s = ln.strip()
            if not s or s.startswith("#"):
                continue
            kw, _, rest = s.partition(" ")
            kw = kw.lower()
            rest = rest.strip()
            if kw == "default":
                default = rest.split()[0] if rest else None
            elif kw == "label":
                cur = rest
                labels[cur] = {"append": "", "localboot": False, "kernel": ""}
                order.append(cur)
            elif cur is not None and kw in ("append", "kernel"):
                labels[cur][kw] = rest
            elif cur is not None and kw == "localboot":
                labels[cur]["localboot"] = True
        lab = labels.get(default) if default else None
        if lab is None and order:
            lab = labels[order[0]]
        if lab is None:
            return path, None, True
        return path, lab["append"], lab["localboot"]

    def _read_grub(self, h):
        """A UEFI machine: GRUB's grub.cfg loads grub/hosts/<mac>.cfg (MAC
        lower case with colons); no file, or one that only exits, is a
        local boot (the firmware's next boot option). Returns (path, the
        installer's module2 arguments, localboot?) like _read_pxe."""
        if not self.tftp_root:
            return None, None, True
        path = os.path.join(self.tftp_root, "grub", "hosts",
                            h.mac.lower() + ".cfg")
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return None, None, True
        for ln in text.splitlines():
            try:
                words = shlex.split(ln, comments=True)
            except ValueError:
                continue
            if words and words[0] == "module2" and any(
                    w.startswith("answerfile=") for w in words):
                return path, " ".join(words[1:]), False
        return path, None, True

    def _fetch(self, url, timeout=15):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=timeout) as r:
            return r.read()

    def _install(self, h, af_url):
        """What the host installer does with an unattended answerfile."""
        try:
            data = self._fetch(af_url)
        except Exception as e:  # noqa: BLE001
            # No answerfile: the installer stops at an error screen.
            self.log_event("install_error", host=h.name, url=af_url,
                           reason="answerfile fetch failed: %s" % e)
            return {"action": "stuck"}
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            self.log_event("install_error", host=h.name, url=af_url,
                           reason="answerfile XML: %s" % e)
            return {"action": "stuck"}
        mode = root.get("mode", "fresh") if root.tag == "installation" else "restore"
        existing = (root.findtext("existing-installation") or "").strip() or None
        src = root.find("source")
        script_url = None
        fs_scripts = []
        for s in root.findall("script"):
            if s.get("stage") == "installation-complete" and s.get("type") == "url":
                script_url = (s.text or "").strip()
            elif s.get("stage") == "filesystem-populated" and s.get("type") == "url":
                fs_scripts.append((s.text or "").strip())
        self.log_event("answerfile", host=h.name, url=af_url, mode=mode,
                       root=root.tag, existing_installation=existing,
                       source=(src.text or "").strip() if src is not None else None,
                       source_type=src.get("type") if src is not None else None,
                       script=script_url, fs_scripts=fs_scripts)
        errors = []
        if root.tag not in ("installation", "restore"):
            errors.append("root element must be <installation> or <restore>")
        elif root.tag == "installation":
            if mode not in ("fresh", "reinstall", "upgrade"):
                errors.append("unknown mode %r" % mode)
            if mode == "upgrade" and not existing:
                errors.append("upgrade needs <existing-installation>")
            if src is None:
                errors.append("no <source>")
            elif src.get("type") != "url":
                errors.append("simulator only follows <source type=\"url\">")
            if mode in ("fresh", "reinstall"):
                if root.find("primary-disk") is None:
                    errors.append("%s needs <primary-disk>" % mode)
                if root.find("admin-interface") is None:
                    errors.append("%s needs <admin-interface>" % mode)
        elif root.findtext("backup-disk") is None:
            errors.append("restore needs <backup-disk>")
        target = {}
        if not errors and root.tag == "installation":
            base = (src.text or "").strip()
            tiurl = base + ("" if base.endswith("/") else "/") + ".treeinfo"
            try:
                target = parse_treeinfo(self._fetch(tiurl).decode("utf-8", "replace"))
                if not target.get("product_version"):
                    errors.append(".treeinfo names no product version")
            except Exception as e:  # noqa: BLE001
                errors.append("cannot read %s: %s" % (tiurl, e))
        ok = not errors
        if errors:
            self.log_event("install_error", host=h.name, reason="; ".join(errors))
        else:
            time.sleep(float(h.pool.install_delay))
            if self.fault_value(h, "install_fail"):
                ok = False
        new_pem = None
        if ok and root.tag == "installation":
            new_pem = self._filesystem_populated(h, fs_scripts)
        if script_url:
            self._run_script(h, script_url, "0" if ok else "1")
        if not ok:
            return {"action": "failed"}
        r = {"action": "restore" if root.tag == "restore" else mode}
        r.update(target)
        if root.tag == "installation" and mode != "upgrade":
            pw = root.find("root-password")
            r["root_password"] = (pw.text or "") if pw is not None else ""
            if pw is not None and pw.get("type", "hash") == "hash":
                r["root_password_hash"] = pw.text or ""
            # a fresh install names the host after <hostname> (xapi's
            # first boot sets name_label from the hostname)
            hn = root.find("hostname")
            if hn is not None and hn.text:
                r["hostname"] = hn.text.split(".")[0]
            # xapi's first boot: gencert makes a self-signed xapi-ssl.pem
            # unless the file is there already (ocaml/gencert/gencert.ml)
            if self.tls and new_pem is None:
                new_pem = self.new_cert(r.get("hostname") or h.name,
                                        h.address)
            r["xapi_ssl_pem"] = new_pem
        return r

    def _filesystem_populated(self, h, urls):
        """The installer's filesystem-populated stage: each script runs
        with the new system's root (here a temporary folder with an etc/)
        as its one argument. Returns a copy of the xapi-ssl.pem the scripts
        left in <root>/etc/xensource/ (None if none), which the new host's
        listener then serves."""
        if not urls:
            return None
        rootdir = tempfile.mkdtemp(prefix="xapisim-root-")
        try:
            os.makedirs(os.path.join(rootdir, "etc"))
            for url in urls:
                self._run_script(h, url, rootdir, event="fs_script")
            pem = os.path.join(rootdir, "etc", "xensource", "xapi-ssl.pem")
            if not os.path.isfile(pem):
                self.log_event("xapi_ssl_pem", host=h.name, installed=False)
                return None
            with open(pem, "rb") as f:
                data = f.read()
            mode = os.stat(pem).st_mode & 0o777
            with self.lock:
                if self.tls_dir is None:
                    self.tls_dir = tempfile.mkdtemp(prefix="xapisim-tls-")
                d = self.tls_dir
            fd, path = tempfile.mkstemp(prefix="xapi-ssl-", suffix=".pem",
                                        dir=d)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            self.log_event("xapi_ssl_pem", host=h.name, installed=True,
                           mode="%o" % mode)
            return path
        finally:
            shutil.rmtree(rootdir, ignore_errors=True)

    def _run_script(self, h, url, arg, event="script"):
        try:
            body = self._fetch(url)
        except Exception as e:  # noqa: BLE001
            self.log_event(event, host=h.name, url=url, arg=arg, rc=None,
                           error="download failed: %s" % e)
            return
        fd, path = tempfile.mkstemp(prefix="xapisim-script-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            env = {k: v for k, v in os.environ.items()
                   if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
            try:
                p = subprocess.run(["sh", path, arg], capture_output=True,
                                   timeout=180, env=env)
                rc, out = p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                rc, out = None, "timeout"
            self.log_event(event, host=h.name, url=url, arg=arg, rc=rc,
                           output=out[-2000:])
        finally:
            os.unlink(path)

    def _come_back(self, h, result):
        action = result["action"]
        if action in ("fresh", "reinstall"):
            h = self._fresh_identity(h, result)
        self.start_listener(h.address)
        with self.lock:
            if action == "upgrade":
                h.backup_version = (h.product_version, h.build_number,
                                    h.platform_version)
            if action in ("upgrade", "fresh", "reinstall"):
                h.product_version = result["product_version"]
                h.build_number = result.get("build_number") or h.build_number
                h.platform_version = result.get("platform_version") or h.product_version
                h.product_brand = result.get("product_brand") or h.product_brand
            elif action == "restore" and h.backup_version:
                h.product_version, h.build_number, h.platform_version = h.backup_version
            now = time.time()
            h.boot_time = now
            h.agent_start_time = now + 0.01
            h.started_at = now
            h.state = "up"
            h.live = True
            # Real xapi re-enables a host by itself after a reboot unless it
            # was disabled with auto_enable=false (xapi_host_helpers.ml
            # consider_enabling_host_nolock): enable_on_boot: true models
            # that; the default (false) is the harder case for a client.
            h.enabled = bool(h.pool.enable_on_boot) or action in ("fresh", "reinstall")
            self._ev(h.metrics)
            self._ev(h)
            self._rpu_check(h.pool)
            self._log.append({"t": time.time(), "event": "host_up",
                              "host": h.name, "pool": h.pool.name,
                              "action": action,
                              "product_version": h.product_version,
                              "build_number": h.build_number})
            self._precheck_autostart(h)
            self.cond.notify_all()

    def _precheck_autostart(self, h):
        """xapi-autostart-vms after a host's xapi starts (scripts/xapi-
        autostart-vms): when the pool's other_config:auto_poweron is
        "true", every halted VM with other_config:auto_poweron=true is
        started (here: on the host that came up). Lock held."""
        p = h.pool
        if p.other_config.get("auto_poweron") != "true":
            return
        for v in self.vms(p):
            if v.is_control_domain or v.power_state != "Halted" or \
                    getattr(v, "other_config", {}).get("auto_poweron") != "true":
                continue
            if self.free_memory(h) < v.memory:
                continue
            v.power_state, v.resident_on = "Running", h
            self._ev(v)
            self._log.append({"t": time.time(), "event": "auto_poweron",
                              "host": h.name, "pool": p.name, "vm": v.name})

    def _fresh_identity(self, old, result):
        """A fresh install makes a new standalone host: new uuid, its own
        pool, no VMs. The old pool keeps a ghost record (not live) until
        host.destroy forgets it."""
        with self.lock:
            p = Pool(None)
            p.pool = p
            p.name = old.name + "-standalone-" + p.uuid[:4]
            for k, dv in POOL_DEFAULTS.items():
                setattr(p, k, getattr(old.pool, k, dv))
            p.ha_enabled = p.wlb_enabled = False
            p.name_label = ""
            p.username = "root"
            p.password = result.get("root_password") or old.pool.password
            p.password_hash = result.get("root_password_hash")
            p.other_config, p.sessions, p.faults = {}, {}, {}
            self.pools.append(p)
            self._add(p)
            spec = {"name": old.name, "address": old.address, "mac": old.mac,
                    "firmware": old.firmware,
                    "pifs": [{"device": f.device, "mac": f.mac,
                              "management": f.management,
                              "ip": old.address if f.management else f.ip}
                             for f in old.pifs],
                    "name_label": result.get("hostname") or old.name,
                    "product_version": result["product_version"],
                    "memory_total_mib": old.memory_total // MIB,
                    "memory_overhead_mib": old.memory_overhead // MIB}
            faults = dict(old.faults)
            ghost = old
            ghost.ghost = True
            ghost.state = "dead"
            ghost.live = False
            self._ev(ghost.metrics)
            h = self._new_host(p, spec)
            h.faults = faults
            h.tls_pem = result.get("xapi_ssl_pem")
            ghost.faults = {}
            p.master = h
            h.state = "booting"
            h.live = False
            self._log.append({"t": time.time(), "event": "fresh_identity",
                              "host": h.name, "old_pool": old.pool.name,
                              "new_pool": p.name, "new_uuid": h.uuid})
            return h

    # ----- VM placement (issue 13) -------------------------------------------

    def move_event(self, v, src, dest, how):
        """The log entry of a VM's move: both hosts' versions at that
        moment, so a test can check no VM ever went to an older host."""
        return {"t": time.time(), "event": "vm_migrated", "vm": v.name,
                "from": src.name, "to": dest.name, "how": how,
                "from_version": src.product_version,
                "to_version": dest.product_version}

    def local_sr_ref(self, h):
        """The ref of host h's local SR (VM_REQUIRES_SR's parameter)."""
        return "OpaqueRef:" + str(uuidlib.uuid5(uuidlib.NAMESPACE_URL,
                                                "local-sr-" + h.uuid))

    def check_pool_migrate(self, ctx, v, dest):
        """VM.pool_migrate's checks before anything moves (lock held), in
        message_forwarding.ml VM.pool_migrate's order: the VM's allowed
        operations (VM_IS_TEMPLATE [vm]; OPERATION_NOT_ALLOWED for a control
        domain; VM_BAD_POWER_STATE [vm; expected; actual], lower case, as
        Record_util.power_to_string writes them), no downhill move while the
        pool's versions differ (NOT_SUPPORTED_DURING_UPGRADE []), then
        assert_can_boot_here on the target: HOST_OFFLINE [host],
        HOST_DISABLED [host], the VM's SRs (VM_REQUIRES_SR [vm; sr] for a
        disk on the source's local SR) and its memory
        (HOST_NOT_ENOUGH_FREE_MEMORY [needed; available])."""
        if v.is_a_template:
            raise XapiError("VM_IS_TEMPLATE", v.ref)
        if v.is_control_domain:
            raise XapiError("OPERATION_NOT_ALLOWED",
                            "This operation is not allowed on a control domain")
        if v.power_state != "Running" or v.resident_on is None:
            raise XapiError("VM_BAD_POWER_STATE", v.ref, "running",
                            v.power_state.lower())
        src = v.resident_on
        if "rolling_upgrade_in_progress" in ctx.pool.other_config and \
                vtuple(dest.product_version) < vtuple(src.product_version):
            raise XapiError("NOT_SUPPORTED_DURING_UPGRADE")
        if not dest.live or dest.state != "up":
            raise XapiError("HOST_OFFLINE", dest.ref)
        if not dest.enabled:
            raise XapiError("HOST_DISABLED", dest.ref)
        if v.prevents_evacuation and dest is not src:
            pe = v.prevents_evacuation
            if isinstance(pe, list) and pe:
                raise XapiError(*[str(x).replace("{vm}", v.ref) for x in pe])
            raise XapiError("VM_REQUIRES_SR", v.ref, self.local_sr_ref(src))
        free = self.free_memory(dest)
        if dest is not src and free < v.memory:
            raise XapiError("HOST_NOT_ENOUGH_FREE_MEMORY", str(v.memory),
                            str(free))
        return src

    # ----- evacuation planning ---------------------------------------------

    def plan_evacuation(self, h):
        """Per VM: ("migrate", host) or ("error", code, params...).
        Mirrors compute_evacuation_plan_no_wlb (ocaml/xapi/xapi_host.ml):
        targets are the other enabled hosts whose versions are not lower
        (PR-1007, Helpers.Checks.Migration.host_versions_not_decreasing);
        no target -> NO_HOSTS_AVAILABLE [vm]; HA on and VM unprotected ->
        HOST_EVACUATE_VM_NOT_HA_PROTECTED [vm]; not placeable by memory ->
        HOST_NOT_ENOUGH_FREE_MEMORY [vm]."""
        p = h.pool
        targets = [t for t in self.hosts(p) if t is not h and t.enabled
                   and t.live and not t.ghost
                   and vtuple(t.product_version) >= vtuple(h.product_version)]
        user = [v for v in self.resident(h) if not v.is_control_domain]
        plan = {}
        if not targets:
            for v in user:
                plan[v] = ("error", "NO_HOSTS_AVAILABLE", v.ref)
            return plan
        movable = []
        for v in user:
            if p.ha_enabled and not v.ha_protected:
                plan[v] = ("error", "HOST_EVACUATE_VM_NOT_HA_PROTECTED", v.ref)
            elif v.prevents_evacuation:
                pe = v.prevents_evacuation
                if isinstance(pe, list) and pe:
                    plan[v] = ("error",) + tuple(str(x).replace("{vm}", v.ref) for x in pe)
                else:
                    # a VM on local storage: VM_REQUIRES_SR [vm; sr]
                    plan[v] = ("error", "VM_REQUIRES_SR", v.ref,
                               "OpaqueRef:" + str(uuidlib.uuid5(uuidlib.NAMESPACE_URL,
                                                                "local-sr-" + h.uuid)))
            else:
                movable.append(v)
        free = {t: self.free_memory(t) for t in targets}
        for v in sorted(movable, key=lambda x: -x.memory):
            best = max(targets, key=lambda t: free[t])
            if free[best] >= v.memory:
                free[best] -= v.memory
                plan[v] = ("migrate", best)
            else:
                plan[v] = ("error", "HOST_NOT_ENOUGH_FREE_MEMORY", v.ref)
        return plan


def cert_sha256(pem_path):
    """SHA-256 of the (first) certificate in a PEM file, as "AB:CD:..."."""
    import hashlib
    with open(pem_path, encoding="ascii", errors="replace") as f:
        text = f.read()
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                  text, re.S)
    if m is None:
        return None
    d = hashlib.sha256(ssl.PEM_cert_to_DER_cert(m.group(0))).hexdigest()
    return ":".join(d[i:i + 2] for i in range(0, 64, 2)).upper()


def task_result(v):
    """task.result holds the marshalled result, Xmlrpc.to_string of it
    (ocaml/xapi/taskHelper.ml set_result_on_task): a void call leaves
    "<value></value>" (ocaml/idl/ocaml_backend/gen_server.ml marshals unit
    as Rpc.String ""), a ref "<value>OpaqueRef:...</value>"."""
    if isinstance(v, str) and not isinstance(v, DateTime):
        return "<value>%s</value>" % _esc(v)
    out = []
    marshal(v, out)
    return "".join(out)


def parse_treeinfo(text):
    """XCP-ng/XenServer 8 [platform]/[branding]/[build] or 7.x [system-v1]."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.read_string(text)
    r = {}
    if cp.has_section("system-v1"):
        s = cp["system-v1"]
        r["product_version"] = s.get("product_version")
        r["build_number"] = s.get("build_number")
        r["platform_version"] = s.get("platform_version")
        # the installer takes [system-v1] product_name as the brand
        # (host-installer repository.py, MainYumRepository) and writes it
        # to the inventory's PRODUCT_BRAND, XAPI's product_brand
        r["product_brand"] = s.get("product_name") or s.get("product_brand")
    if cp.has_section("branding"):  # only where [system-v1] says nothing
        r["product_version"] = r.get("product_version") or \
            cp["branding"].get("version")
        r["product_brand"] = r.get("product_brand") or \
            cp["branding"].get("name")
    if cp.has_section("build"):
        r["build_number"] = cp["build"].get("number", r.get("build_number"))
    if cp.has_section("platform"):
        r["platform_version"] = cp["platform"].get("version", r.get("platform_version"))
    return {k: v for k, v in r.items() if v}


def redact(name, params):
    out = []
    base = name[6:] if name.startswith("Async.") else name
    for i, p in enumerate(params):
        if isinstance(p, str) and p.startswith("OpaqueRef:") and i == 0 \
                and base not in ("session.login_with_password",):
            out.append("<session>")
        elif base == "session.login_with_password" and i == 1:
            out.append("<password>")
        elif base == "pool.join" and i == 3:
            out.append("<password>")
        elif isinstance(p, (bytes, DateTime)):
            out.append(str(p))
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------------------
# API implementation
# ---------------------------------------------------------------------------

METHODS = {}


def api(name, nmin, nmax=None, session=True, async_ok=True):
    def deco(f):
        METHODS[name] = (f, nmin, nmin if nmax is None else nmax, session, async_ok)
        return f
    return deco


def _check_live(sim, h):
    # message_forwarding.ml check_live: HOST_OFFLINE [host] for an operation
    # forwarded to a host that is not live.
    if not h.live or h.state != "up":
        raise XapiError("HOST_OFFLINE", h.ref)


def password_ok(p, pw):
    """A pool's password is plain text in the spec; after a fresh install
    from an answerfile it is the <root-password type="hash"> crypt(3) hash,
    checked the way PAM checks /etc/shadow."""
    if getattr(p, "password_hash", None):
        try:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                import crypt
        except ImportError:          # Python >= 3.13 has no crypt module
            return False
        return crypt.crypt(pw, p.password_hash) == p.password_hash
    return pw == p.password


@api("session.login_with_password", 2, 4, session=False, async_ok=False)
def session_login(ctx, user, pw, *rest):
    # login_with_password(uname, pwd, version="1.1", originator="")
    # (ocaml/idl/datamodel.ml: version and originator have defaults, so 2-4
    # arguments are accepted). legacy_login models an old xapi with the
    # 3-argument form only.
    sim, p = ctx.sim, ctx.pool
    if p.legacy_login and len(rest) > 1:
        raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", ctx.method, "3",
                        str(2 + len(rest)))
    if user != p.username or not password_ok(p, pw):
        if p.auth_fail_delay:
            time.sleep(float(p.auth_fail_delay))   # real xapi: 5 s
        raise XapiError("SESSION_AUTHENTICATION_FAILED", user,
                        "Authentication failure")
    ref = new_ref()
    with sim.lock:
        p.sessions[ref] = {"user": user, "created": time.time(),
                           "last_active": time.time(),
                           "originator": rest[1] if len(rest) > 1 else "",
                           "version": rest[0] if rest else "1.1"}
    return ref


@api("session.logout", 0, async_ok=False)
def session_logout(ctx):
    with ctx.sim.lock:
        ctx.pool.sessions.pop(ctx.session, None)
    return ""


@api("session.get_uuid", 1, async_ok=False)
def session_get_uuid(ctx, s):
    if s not in ctx.pool.sessions:
        raise XapiError("HANDLE_INVALID", "session", s)
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, s))


@api("pool.get_master", 1, async_ok=False)
def pool_get_master(ctx, r):
    with ctx.sim.lock:
        return ctx.sim.get(ctx, "pool", r).master.ref


@api("pool.set_wlb_enabled", 2, async_ok=False)
def pool_set_wlb_enabled(ctx, r, value):
    with ctx.sim.lock:
        p = ctx.sim.get(ctx, "pool", r)
        p.wlb_enabled = bool(value)
        ctx.sim._ev(p)
    return ""


@api("pool.disable_ha", 0)
def pool_disable_ha(ctx):
    # The call is pool.disable_ha (ocaml/idl/datamodel_pool.ml), no arguments.
    with ctx.sim.lock:
        p = ctx.pool
        if not p.ha_enabled:
            raise XapiError("HA_NOT_ENABLED")
        p.ha_enabled = False
        ctx.sim._ev(p)
    return ""


def ha_statefile_ref(p):
    # One heartbeat/statefile VDI per pool while HA is on; its SR is the
    # pool's heartbeat SR (simplified: no storage model beyond this).
    return "OpaqueRef:" + str(uuidlib.uuid5(uuidlib.NAMESPACE_URL,
                                             "statefile/" + p.uuid))


def ha_sr_ref(p):
    return "OpaqueRef:" + str(uuidlib.uuid5(uuidlib.NAMESPACE_URL,
                                             "heartbeat-sr/" + p.uuid))


@api("VDI.get_SR", 1, async_ok=False)
def vdi_get_sr(ctx, vdi):
    with ctx.sim.lock:
        if vdi != ha_statefile_ref(ctx.pool):
            # a VDI of the prechecks' model (issue 13), else HANDLE_INVALID
            return ctx.sim.rec(ctx.sim.get(ctx, "VDI", vdi))["SR"]
        return ha_sr_ref(ctx.pool)


@api("pool.enable_ha", 2)
def pool_enable_ha(ctx, heartbeat_srs, configuration):
    # pool.enable_ha(heartbeat_srs, configuration) (datamodel_pool.ml).
    with ctx.sim.lock:
        p = ctx.pool
        if p.ha_enabled:
            raise XapiError("HA_IS_ENABLED")
        if not heartbeat_srs:
            raise XapiError("HA_HEARTBEAT_DAEMON_STARTUP_FAILED")
        for sr in heartbeat_srs:
            if sr != ha_sr_ref(p):
                raise XapiError("HANDLE_INVALID", "SR", sr)
        p.ha_enabled = True
        ctx.sim._ev(p)
    return ""


@api("host.set_name_label", 2, async_ok=False)
def host_set_name_label(ctx, r, label):
    with ctx.sim.lock:
        h = ctx.sim.get(ctx, "host", r)
        h.name_label = label
        ctx.sim._ev(h)
    return ""


@api("pool.add_to_other_config", 3, async_ok=False)
def pool_add_oc(ctx, r, k, v):
    with ctx.sim.lock:
        p = ctx.sim.get(ctx, "pool", r)
        if k in p.other_config:
            raise XapiError("MAP_DUPLICATE_KEY", "pool", "other_config", r, k)
        p.other_config[k] = v
        ctx.sim._ev(p)
    return ""


@api("pool.remove_from_other_config", 2, async_ok=False)
def pool_rm_oc(ctx, r, k):
    with ctx.sim.lock:
        p = ctx.sim.get(ctx, "pool", r)
        p.other_config.pop(k, None)
        ctx.sim._ev(p)
    return ""


@api("pool.join", 3)
def pool_join(ctx, master_address, user, pw):
    """pool.join(master_address, master_username, master_password), called
    on the joining host (ocaml/xapi/xapi_pool.ml join_common and
    pre_join_checks)."""
    sim = ctx.sim
    with sim.lock:
        me = ctx.host
        target = sim.by_addr.get(master_address)
        if target is None or target.state != "up" or target.ghost:
            raise XapiError("JOINING_HOST_SERVICE_FAILED")
        tp = target.pool
        if tp.master is not target:
            raise XapiError("HOST_IS_SLAVE", tp.master.address)
        if user != tp.username or pw != tp.password:
            raise XapiError("SESSION_AUTHENTICATION_FAILED", user,
                            "Authentication failure")
        if tp is ctx.pool:
            raise XapiError("HOST_IS_SLAVE", master_address)  # joining itself
        if len([h for h in sim.hosts(ctx.pool) if not h.ghost]) > 1:
            raise XapiError("JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS")
        if [v for v in sim.resident(me) if not v.is_control_domain]:
            raise XapiError("JOINING_HOST_CANNOT_HAVE_RUNNING_VMS")
        if tp.ha_enabled:
            raise XapiError("HA_IS_ENABLED")
        if me.platform_version != tp.master.platform_version or \
                me.product_version != tp.master.product_version:
            raise XapiError("HOSTS_NOT_HOMOGENEOUS", "Software version differs")
        old = ctx.pool
        # Everything the joiner had in its own database is replaced by the
        # pool's; its host record (same uuid) and dom0 move over.
        for o in list(sim.objs.values()):
            if o.pool is old and o not in (me, me.metrics, me.dom0) and \
                    o not in me.pifs and not isinstance(o, Pool):
                del sim.objs[o.ref]
        for o in (me, me.metrics, me.dom0, *me.pifs):
            o.pool = tp
        old.gone = True
        old.sessions.clear()
        sim.objs.pop(old.ref, None)
        me.enabled = True
        for o in (me, me.metrics, me.dom0, *me.pifs):
            sim._ev(o, "add")
        sim._rpu_check(tp)
        sim._log.append({"t": time.time(), "event": "pool_join",
                         "host": me.name, "pool": tp.name, "old_pool": old.name})
    return ""



# ----- emergency mode and recovery (issue 13: a dead master) ---------------
#
# A member's idea of its master is its pool's master unless an emergency
# transition elsewhere left it pointing at the old one (h.master_addr):
# xapi keeps the master's address in the member's pool.conf and changes it
# only when told (ocaml/xapi/xapi_pool.ml emergency_reset_master, called by
# recover_slaves on the new master).

def _sim_believed_master(self, h):
    addr = getattr(h, "master_addr", None)
    if addr is None:
        return h.pool.master
    return self.by_addr.get(addr, h.pool.master)


def _sim_emergency_dispatch(self, h, base, params):
    """Calls a member answers itself while its master is away: the local
    login and what a local session may do. (False, None): not one."""
    if base == "session.slave_local_login_with_password":
        # datamodel.ml session.slave_local_login_with_password(uname, pwd):
        # checked against the host's local root account, a session "only
        # good for use on this host" (xapi_session.ml; Xapi_local_session)
        if len(params) != 2:
            raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH",
                            "session.slave_local_login_with_password", "2",
                            str(len(params)))
        user, pw = params
        if user != h.pool.username or not password_ok(h.pool, pw):
            raise XapiError("SESSION_AUTHENTICATION_FAILED", user,
                            "Authentication failure")
        ref = new_ref()
        h.__dict__.setdefault("local_sessions", set()).add(ref)
        self._log.append({"t": time.time(), "event": "slave_local_login",
                          "host": h.name})
        return True, ref
    local = getattr(h, "local_sessions", set())
    if not params or params[0] not in local:
        return False, None
    if base in ("session.logout", "session.local_logout"):
        # XenAPI.py logs a slave_local session out with local_logout
        local.discard(params[0])
        return True, ""
    cls, _, meth = base.partition(".")
    if cls in ("pool", "host") and meth.startswith("get_"):
        # reads come from the member's copy of the pool database (the
        # backup the master keeps pushing to members, Pool_db_backup, which
        # emergency_transition_to_master makes the pool's): XenAPI.py reads
        # pool.get_all, pool.get_master and host.get_API_version_* after
        # every login
        spec = METHODS.get(base) or self._generic(cls, meth)
        if spec is not None:
            ctx = Ctx(self, h.pool, h, base)
            ctx.session = params[0]
            return True, spec[0](ctx, *params[1:])
    if base == "pool.emergency_transition_to_master":
        return True, _sim_become_master(self, h)
    # a local session is good for little else in emergency mode
    raise XapiError("HOST_IN_EMERGENCY_MODE")


def _sim_become_master(self, h):
    """xapi_pool.ml emergency_transition_to_master: HA_IS_ENABLED when HA
    is armed, else Xapi_pool_transition.become_master (the member's backup
    of the database becomes the pool's; xapi restarts as master). The
    other members still point at the old master until recover_slaves."""
    p = h.pool
    if p.ha_enabled:
        raise XapiError("HA_IS_ENABLED")
    old = p.master
    if old is h:
        return ""
    for o in self.hosts(p):
        if o is not h and o is not old and \
                getattr(o, "master_addr", None) is None:
            o.master_addr = old.address
    h.master_addr = None
    p.master = h
    p.sessions.clear()          # sessions are not persisted (PersistNothing)
    h.__dict__.get("local_sessions", set()).clear()
    self._ev(p)
    self._log.append({"t": time.time(), "event": "emergency_transition",
                      "host": h.name, "pool": p.name, "old_master": old.name})
    return ""


Simulator._believed_master = _sim_believed_master
Simulator._emergency_dispatch = _sim_emergency_dispatch


@api("pool.recover_slaves", 0, async_ok=True)
def pool_recover_slaves(ctx):
    """xapi_pool.ml recover_slaves: the master resets the master address
    of every other host it can reach that is in emergency mode to its own
    (emergency_reset_master) and returns those hosts (Set (Ref host))."""
    sim = ctx.sim
    with sim.lock:
        me = ctx.pool.master
        out = []
        for h in sim.hosts(ctx.pool):
            if h is me or h.state not in ("up", "shutting_down") or h.ghost:
                continue
            if getattr(h, "master_addr", None) is not None:
                h.master_addr = None
                out.append(h.ref)
        sim._log.append({"t": time.time(), "event": "recover_slaves",
                         "pool": ctx.pool.name,
                         "hosts": [sim.objs[r].name for r in out]})
        return out


def _host_op_begin(ctx, h, op):
    # Host current_operations conflict: OTHER_OPERATION_IN_PROGRESS
    # ["host"; ref; op; task] (ocaml/xapi/xapi_host_helpers.ml valid_operations).
    removing = ("evacuate", "reboot", "shutdown")
    for tref, cur in h.current_operations.items():
        if op in removing and cur in removing:
            raise XapiError("OTHER_OPERATION_IN_PROGRESS", "host", h.ref, cur, tref)
    key = ctx.task.ref if ctx.task else new_ref()
    h.current_operations[key] = op
    ctx.sim._ev(h)
    return key


@api("host.disable", 1, 2)
def host_disable(ctx, r, auto_enable=True):
    # host.disable(host [, auto_enable=true]) (datamodel_host.ml; the second
    # parameter since 25.31.0).
    with ctx.sim.lock:
        h = ctx.sim.get(ctx, "host", r)
        _check_live(ctx.sim, h)
        if h.enabled:
            h.enabled = False
            ctx.sim._ev(h)
    return ""


@api("host.enable", 1)
def host_enable(ctx, r):
    sim = ctx.sim
    with sim.lock:
        h = sim.get(ctx, "host", r)
        _check_live(sim, h)
        if not h.enabled:
            # assert_safe_to_reenable: HOST_STILL_BOOTING until startup is
            # complete (xapi_host_helpers.ml assert_startup_complete).
            if time.time() - h.started_at < float(h.pool.startup_delay):
                raise XapiError("HOST_STILL_BOOTING")
            h.enabled = True
            sim._ev(h)
    return ""


@api("host.get_vms_which_prevent_evacuation", 1)
def host_vms_prevent(ctx, r):
    with ctx.sim.lock:
        h = ctx.sim.get(ctx, "host", r)
        plan = ctx.sim.plan_evacuation(h)
        return {v.ref: list(e[1:]) for v, e in plan.items() if e[0] == "error"}


@api("host.assert_can_evacuate", 1)
def host_assert_can_evacuate(ctx, r):
    with ctx.sim.lock:
        h = ctx.sim.get(ctx, "host", r)
        plan = ctx.sim.plan_evacuation(h)
        errs = [",".join(e[1:]) for e in plan.values() if e[0] == "error"]
        if errs:
            # "Old Miami style function with the strange error encoding"
            # (xapi_host.ml assert_can_evacuate): one param "c,p|c,p".
            raise XapiError("CANNOT_EVACUATE_HOST", "|".join(errs))
    return ""


@api("host.evacuate", 1, 3)
def host_evacuate(ctx, r, network=NULL_REF, batch=0):
    sim = ctx.sim
    with sim.lock:
        h = sim.get(ctx, "host", r)
        if not h.live:
            raise XapiError("HOST_OFFLINE", h.ref)
        plan = sim.plan_evacuation(h)
        for v, e in plan.items():
            if e[0] == "error":
                # host.evacuate raises the first per-VM error as is
                # (xapi_host.ml evacuate).
                raise XapiError(*e[1:])
        key = _host_op_begin(ctx, h, "evacuate")
        moves = [(v, e[1]) for v, e in plan.items()]
    try:
        fail = sim.fault_value(h, "evacuate_fail")
        delay = float(h.pool.evacuate_delay)
        for i, (v, dest) in enumerate(moves):
            time.sleep(delay)
            with sim.lock:
                if ctx.task is not None and ctx.task.cancel:
                    raise XapiError("TASK_CANCELLED", ctx.task.ref)
                if fail and i == len(moves) // 2:
                    if isinstance(fail, list) and fail:
                        raise XapiError(*[str(x) for x in fail])
                    raise XapiError("VM_MIGRATE_FAILED", v.ref, h.ref, dest.ref,
                                    "simulated migration failure")
                if v.resident_on is not h or v.power_state != "Running":
                    continue
                if not dest.live:
                    raise XapiError("HOST_OFFLINE", dest.ref)
                free = sim.free_memory(dest)
                if free < v.memory:
                    # assert_can_boot_here memory check: [needed; available]
                    # (ocaml/xapi/xapi_vm_helpers.ml)
                    raise XapiError("HOST_NOT_ENOUGH_FREE_MEMORY",
                                    str(v.memory), str(free))
                v.resident_on = dest
                sim._ev(v)
                sim._ev(h)
                sim._ev(dest)
                sim._ev(h.metrics)
                sim._ev(dest.metrics)
                sim._log.append(sim.move_event(v, h, dest, "evacuate"))
                if ctx.task is not None:
                    ctx.task.progress = (i + 1) / max(1, len(moves))
                    sim._ev(ctx.task)
        if fail and not moves:
            raise XapiError(*(fail if isinstance(fail, list) and fail else
                              ["INTERNAL_ERROR", "simulated evacuation failure"]))
    finally:
        with sim.lock:
            h.current_operations.pop(key, None)
            sim._ev(h)
    return None


def _power_op(ctx, r, op):
    sim = ctx.sim
    with sim.lock:
        h = sim.get(ctx, "host", r)
        _check_live(sim, h)
        # prepare_for_poweroff_precheck: the host must be disabled; running
        # VMs do not block (they are shut down), since xen-api b5cded1d
        # (2018); earlier releases refused with HOST_IN_USE.
        if h.enabled:
            raise XapiError("HOST_NOT_DISABLED")
        key = _host_op_begin(ctx, h, op)
        h.state = "shutting_down"
        sim._log.append({"t": time.time(), "event": "host_" + op, "host": h.name})
    sim._spawn(sim._reboot_worker, h, op == "shutdown")
    del key
    return None


@api("host.reboot", 1)
def host_reboot(ctx, r):
    return _power_op(ctx, r, "reboot")


@api("host.shutdown", 1)
def host_shutdown(ctx, r):
    return _power_op(ctx, r, "shutdown")


@api("host.destroy", 1)
def host_destroy(ctx, r):
    """What `xe host-forget` does (xapi_host.ml destroy and
    precheck_destroy_declare_dead)."""
    sim = ctx.sim
    with sim.lock:
        h = sim.get(ctx, "host", r)
        if h.live or h is ctx.pool.master:
            raise XapiError("HOST_IS_LIVE", h.ref)
        if ctx.pool.ha_enabled:
            raise XapiError("HA_IS_ENABLED")
        if [v for v in sim.resident(h) if not v.is_control_domain]:
            raise XapiError("HOST_HAS_RESIDENT_VMS", h.ref)
        for o in (h.dom0,) + tuple(h.dom0.vbds) + tuple(h.pifs) + (h.metrics, h):
            sim.objs.pop(o.ref, None)
            sim._ev(o, "del")
        if sim.by_addr.get(h.address) is h:
            # The machine itself is forgotten by the pool; should it ever
            # be powered on again it is a standalone host of its own.
            np = Pool(None)
            np.pool = np
            np.gone = True
            for k, dv in POOL_DEFAULTS.items():
                setattr(np, k, getattr(ctx.pool, k, dv))
            np.name = np.name_label = h.name + "-forgotten"
            np.ha_enabled = np.wlb_enabled = False
            np.other_config, np.sessions, np.faults = {}, {}, {}
            np.master = h
            h.pool = np
            for o in (h.metrics, h.dom0) + tuple(h.dom0.vbds) + tuple(h.pifs):
                o.pool = np
        sim._rpu_check(ctx.pool)
        sim._log.append({"t": time.time(), "event": "host_destroyed",
                         "host": h.name, "pool": ctx.pool.name})
    return None


@api("host.call_plugin", 4)
def host_call_plugin(ctx, r, plugin, fn, args):
    """Only the rolling-upgrade plugin XenCenter's wizard asks
    (XenAdmin SafeToUpgradeCheck: prepare_host_upgrade.py testSafe2Upgrade
    {"url": install repo} -> "true" or a reason such as
    "not_enough_space"). A host whose spec says "safe2upgrade":
    "missing" has no such plugin: XENAPI_MISSING_PLUGIN [name]
    (datamodel_errors.ml). Other plugins: XENAPI_MISSING_PLUGIN too."""
    with ctx.sim.lock:
        h = ctx.sim.get(ctx, "host", r)
        _check_live(ctx.sim, h)
        ans = getattr(h, "safe2upgrade", "true")
        if plugin != "prepare_host_upgrade.py" or ans == "missing":
            raise XapiError("XENAPI_MISSING_PLUGIN", plugin)
        if fn != "testSafe2Upgrade":
            raise XapiError("XENAPI_PLUGIN_FAILURE", "UNKNOWN_XENAPI_PLUGIN_FUNCTION",
                            "", fn)
        if not isinstance(args, dict) or not args.get("url"):
            raise XapiError("XENAPI_PLUGIN_FAILURE", "exception", "",
                            "KeyError: 'url'")
        return ans


@api("host.compute_free_memory", 1)
def host_compute_free_memory(ctx, r):
    with ctx.sim.lock:
        return ctx.sim.free_memory(ctx.sim.get(ctx, "host", r))


@api("VM.power_state_reset", 1)
def vm_power_state_reset(ctx, r):
    with ctx.sim.lock:
        v = ctx.sim.get(ctx, "VM", r)
        if v.resident_on is not None and v.resident_on.live:
            raise XapiError("HOST_IS_LIVE", v.resident_on.ref)  # approximate
        v.power_state = "Halted"
        v.resident_on = None
        ctx.sim._ev(v)
    return ""


@api("VM.pool_migrate", 3)
def vm_pool_migrate(ctx, r, host, options):
    """VM.pool_migrate(vm, host, options) (datamodel_vm.ml): a live
    migration within the pool. A fault pool_migrate_fail on the VM fails it
    after the checks: with VM_MIGRATE_FAILED [vm; source; destination;
    msg], or with the value if it is a list [CODE, params...]."""
    sim = ctx.sim
    with sim.lock:
        v = sim.get(ctx, "VM", r)
        dest = sim.get(ctx, "host", host)
        if not isinstance(options, dict):
            raise XapiError("FIELD_TYPE_ERROR", "options")
        src = sim.check_pool_migrate(ctx, v, dest)
        fail = getattr(v, "pool_migrate_fail", None)
    time.sleep(float(ctx.pool.evacuate_delay))
    with sim.lock:
        if fail:
            if isinstance(fail, list) and fail:
                raise XapiError(*[str(x) for x in fail])
            raise XapiError("VM_MIGRATE_FAILED", v.ref, src.ref, dest.ref,
                            "simulated migration failure")
        # the world may have changed while the memory was copied
        src = sim.check_pool_migrate(ctx, v, dest)
        if src is not dest:
            v.resident_on = dest
            for o in (v, src, dest, src.metrics, dest.metrics):
                sim._ev(o)
            sim._log.append(sim.move_event(v, src, dest, "pool_migrate"))
    return None


@api("task.get_status", 1, async_ok=False)
def task_get_status(ctx, r):
    with ctx.sim.lock:
        return ctx.sim.get(ctx, "task", r).status


@api("task.destroy", 1, async_ok=False)
def task_destroy(ctx, r):
    with ctx.sim.lock:
        t = ctx.sim.get(ctx, "task", r)
        del ctx.sim.objs[t.ref]
        ctx.sim._ev(t, "del")
    return ""


@api("task.cancel", 1, async_ok=False)
def task_cancel(ctx, r):
    with ctx.sim.lock:
        t = ctx.sim.get(ctx, "task", r)
        if t.status != "pending":
            raise XapiError("OPERATION_NOT_ALLOWED",
                            "task %s is not pending" % t.ref)
        t.cancel = True
        t.status = "cancelling"
        ctx.sim._ev(t)
    return ""


@api("event.from", 3, async_ok=False)
def event_from(ctx, classes, token, timeout):
    """event.from(classes, token, timeout: float) -> {events,
    valid_ref_counts, token} (ocaml/xapi/xapi_event.ml from; token format
    "%020Ld,%020Ld"; an empty token returns every current object)."""
    sim = ctx.sim
    if not isinstance(classes, list):
        raise XapiError("FIELD_TYPE_ERROR", "classes")
    subs = [str(c).lower() for c in classes]
    try:
        timeout = float(timeout)
    except (TypeError, ValueError):
        raise XapiError("FIELD_TYPE_ERROR", "timeout")

    def match(cls, ref):
        for s in subs:
            if s == "*" or s == cls or s == "%s/%s" % (cls, ref.lower()) \
                    or s == "%s/%s" % (cls, ref):
                return True
        return False
    deadline = time.time() + max(0.0, timeout)
    with sim.lock:
        if token == "":
            evs = []
            for o in sim.objs.values():
                if o.pool is ctx.pool and match(o.cls.lower(), o.ref):
                    evs.append({"id": "0", "timestamp": "0.0",
                                "class": o.cls.lower(), "operation": "add",
                                "ref": o.ref, "snapshot": sim.rec(o)})
            since = sim.ev_id
        else:
            try:
                since = int(str(token).split(",")[0])
            except ValueError:
                raise XapiError("EVENT_FROM_TOKEN_PARSE_FAILURE", token)
            evs = None
        while evs is None:
            if ctx.session not in ctx.pool.sessions or sim.stopping:
                raise XapiError("SESSION_INVALID", ctx.session)
            if since < sim.ev_floor:
                raise XapiError("EVENTS_LOST")
            latest = {}
            for (eid, pool, cls, ref, op) in sim.events:
                if eid > since and pool is ctx.pool and match(cls, ref):
                    latest[(cls, ref)] = (eid, op)
            now = time.time()
            if latest or now >= deadline:
                evs = []
                for (cls, ref), (eid, op) in sorted(latest.items(),
                                                    key=lambda kv: kv[1][0]):
                    e = {"id": str(eid), "timestamp": "0.0", "class": cls,
                         "operation": op, "ref": ref}
                    o = sim.objs.get(ref)
                    if op == "del" or o is None:
                        e["operation"] = "del"
                    else:
                        e["snapshot"] = sim.rec(o)
                    evs.append(e)
                since = sim.ev_id
                break
            sim.cond.wait(min(0.5, deadline - now))
        counts = {}
        for o in sim.objs.values():
            if o.pool is ctx.pool:
                c = o.cls.lower()
                if "*" in subs or c in subs:
                    counts[c] = counts.get(c, 0) + 1
        return {"events": evs,
                "valid_ref_counts": {k: I32(v) for k, v in counts.items()},
                "token": "%020d,%020d" % (since, 0)}


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self):
        # Skip HTTPServer's getfqdn(): a reverse lookup of 127.0.1.x can
        # stall for seconds where there is no resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    # An idle listener sleeps until a connection or shutdown() comes:
    # socketserver's loop wakes every poll_interval to look for a shutdown
    # request, and a simulator of 5 pools has 80 listeners (a host each),
    # which woke 1,600 times a second doing nothing. shutdown() wakes this
    # loop through a pipe instead, at once.
    def __init__(self, *a, **kw):
        self._stop_req = False
        self._stopped = threading.Event()
        self._wake = os.pipe()
        try:
            super().__init__(*a, **kw)
        except BaseException:
            for fd in self._wake:
                os.close(fd)
            raise

    def serve_forever(self, poll_interval=None):
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(self, selectors.EVENT_READ)
                sel.register(self._wake[0], selectors.EVENT_READ)
                while not self._stop_req:
                    ready = [k.fileobj for k, _ in sel.select()]
                    if self._stop_req:
                        break
                    if self in ready:
                        self._handle_request_noblock()
                    self.service_actions()
        finally:
            self._stopped.set()

    def shutdown(self):
        self._stop_req = True
        os.write(self._wake[1], b"x")
        self._stopped.wait()

    def server_close(self):
        super().server_close()
        if self._wake is not None:
            for fd in self._wake:
                os.close(fd)
            self._wake = None


class XapiHandler(BaseHTTPRequestHandler):
    # headers and body leave in separate writes: without TCP_NODELAY each
    # reply waits ~40 ms for the client's delayed ACK (Nagle)
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server_version = "xapi/1.249"
    sys_version = ""
    sim = None
    address = None

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.request.close()
                raise
        self.request.settimeout(300)
        super().setup()
        with self.sim.lock:
            self.sim.conns.setdefault(self.address, set()).add(self.request)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.sim.lock:
                self.sim.conns.get(self.address, set()).discard(self.request)

    def _host(self):
        with self.sim.lock:
            h = self.sim.by_addr.get(self.address)
            if h is None or h.state not in ("up", "shutting_down"):
                return None
            return h

    def _drop(self):
        self.close_connection = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_POST(self):
        h = self._host()
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        if h is None:
            return self._drop()
        with self.sim.lock:
            dc = int(h.faults.get("drop_connections", 0) or 0)
            if dc > 0:
                h.faults["drop_connections"] = dc - 1
                self.sim._log.append({"t": time.time(), "event": "dropped",
                                      "host": h.name})
        if dc > 0:
            return self._drop()
        if self.path.split("?")[0] not in ("/", "/RPC2"):
            return self._plain(404, b"not found\n")
        with self.sim.lock:
            self.sim.busy.add(self.request)
        try:
            out = self.sim.handle_xmlrpc(h, body)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        finally:
            with self.sim.lock:
                self.sim.busy.discard(self.request)
        if self._host() is None:
            self.close_connection = True

    def _plain(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        h = self._host()
        if h is None:
            return self._drop()
        u = urllib.parse.urlparse(self.path)
        if u.path != "/pool/xmldbdump":
            return self._plain(404, b"not found\n")
        q = urllib.parse.parse_qs(u.query)
        sess = (q.get("session_id") or [""])[0]
        with self.sim.lock:
            p = h.pool
            if p.master is not h:
                ok, code = False, 403   # members do not serve the dump
            else:
                ok = sess in p.sessions
                code = 401
            body = xmldb_dump(self.sim, p).encode() if ok else b""
            self.sim._log.append({"t": time.time(), "host": h.name,
                                  "method": "GET /pool/xmldbdump",
                                  "args": ["<session>"],
                                  "status": "Success" if ok else "Failure",
                                  "error": [] if ok else [str(code)]})
        if not ok:
            return self._plain(code, b"Unauthorised\n")
        # The real handler streams the dump without Content-Length and
        # closes the connection (ocaml/xapi/pool_db_backup.ml
        # pull_database_backup_handler: http_200_ok ~keep_alive:false).
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True


class ImpostorHandler(BaseHTTPRequestHandler):
    """Whoever else answers at a host's address: it looks like XAPI,
    accepts every login and call, and keeps what it was sent."""
    protocol_version = "HTTP/1.1"
    server_version = "xapi/1.249"
    sys_version = ""
    sim = None
    address = None
    host_name = None

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.request.close()
                raise
        self.request.settimeout(60)
        super().setup()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        try:
            name, params = parse_call(body)
        except (ET.ParseError, ValueError):
            name, params = "?", []
        self.sim.log_event("impostor_call", host=self.host_name,
                           address=self.address, method=name,
                           args=[p if isinstance(p, str) else str(p)
                                 for p in params])
        value = "OpaqueRef:impostor-session" if name.startswith(
            "session.login") else ""
        out = response_xml(True, value)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def _dbval(v):
    # The database's string forms (sets "('a' 'b')", maps "(('k' 'v'))").
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "(" + " ".join("'%s'" % _dbval(x) for x in v) + ")"
    if isinstance(v, dict):
        return "(" + " ".join("('%s' '%s')" % (k, _dbval(x)) for k, x in v.items()) + ")"
    return str(v)


def xmldb_dump(sim, p):
    """A database dump in xapi's layout (ocaml/database/db_xml.ml To):
    <database><manifest><pair key value/>...</manifest><table name><row
    ref=... __ctime __mtime field=.../></table>...</database>."""
    root = ET.Element("database")
    man = ET.SubElement(root, "manifest")
    for k, v in (("schema_major_vsn", "5"), ("schema_minor_vsn", "602"),
                 ("generation_count", str(sim.ev_id))):
        ET.SubElement(man, "pair", key=k, value=v)
    for tname, cls in (("pool", Pool), ("host", Host),
                       ("host_metrics", HostMetrics), ("PIF", PIF), ("VM", VM),
                       ("VBD", VBD),
                       ("task", Task)):
        t = ET.SubElement(root, "table", name=tname)
        if cls is Task:
            continue   # not persisted
        for o in sim.objs.values():
            if isinstance(o, cls) and o.pool is p:
                attrs = {"ref": o.ref, "__ctime": "0", "__mtime": str(sim.ev_id)}
                for k, v in sim.rec(o).items():
                    # namespaced fields: name.label -> name__label
                    k = {"name_label": "name__label",
                         "name_description": "name__description"}.get(k, k)
                    attrs[k] = _dbval(v)
                ET.SubElement(t, "row", attrs)
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(root, encoding="unicode")


def _make_control(sim):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def _json(self, code, obj):
            b = (json.dumps(obj, default=str) + "\n").encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            if u.path == "/state":
                return self._json(200, sim.state())
            if u.path == "/log":
                q = urllib.parse.parse_qs(u.query)
                return self._json(200, sim.log(int((q.get("since") or ["0"])[0])))
            return self._json(404, {"error": "not found"})

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            try:
                req = json.loads(self.rfile.read(n) or b"{}")
            except ValueError:
                return self._json(400, {"error": "bad JSON"})
            try:
                if self.path == "/fault":
                    sim.fault(req["kind"], req.get("value", True),
                              host=req.get("host"), pool=req.get("pool"),
                              vm=req.get("vm"))
                elif self.path == "/clear":
                    sim.clear(host=req.get("host"), pool=req.get("pool"),
                              vm=req.get("vm"))
                elif self.path == "/reset-log":
                    sim.reset_log()
                elif self.path == "/power-on":
                    sim.power_on(req["host"])
                else:
                    return self._json(404, {"error": "not found"})
            except KeyError as e:
                return self._json(400, {"error": "unknown: %s" % e})
            return self._json(200, {"ok": True})

    srv = _Server(("127.0.0.1", sim.control_port), Control)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return srv


def main(argv=None):
    ap = argparse.ArgumentParser(description="XAPI pool simulator")
    ap.add_argument("--spec", required=True, help="spec JSON file")
    a = ap.parse_args(argv)
    sim = Simulator(a.spec)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    sim.start()
    print("xapisim control 127.0.0.1:%d port %d" % (sim.control_port, sim.port),
          flush=True)
    print("xapisim ready", flush=True)
    while not done.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
