"""Tests for the XAPI pool simulator (tests/xapisim/xapisim.py).

Run from the repository root:

    python3 -m unittest tests/xapisim/test_xapisim.py
"""

import http.client
import http.server
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xapisim  # noqa: E402


def load_xenapi():
    """The official XenAPI.py (Debian's python3-os-xenapi)."""
    try:
        from os_xenapi.client import XenAPI  # noqa: F401
        return XenAPI
    except ImportError:
        pass
    # The package __init__ needs pbr, which another interpreter may lack:
    # load the module file itself (it only uses the standard library).
    for d in ("/usr/lib/python3/dist-packages",):
        p = os.path.join(d, "os_xenapi", "client", "XenAPI.py")
        if os.path.exists(p):
            spec = importlib.util.spec_from_file_location("XenAPI", p)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    return None


XenAPI = load_xenapi()

_next_net = [10]


def net():
    """A fresh 127.0.N.0 block per test so listeners never collide."""
    _next_net[0] += 1
    return "127.0.%d." % _next_net[0]


def pool_spec(n=None, **kw):
    n = n or net()
    spec = {
        "port": 0, "control_port": 0,
        "pools": [{
            "name": "p1", "username": "root", "password": "secret",
            "install_delay": 0.05, "reboot_delay": 0.05,
            "evacuate_delay": 0.01, "shutdown_delay": 0.02,
            "hosts": [
                {"name": "h1", "address": n + "1", "master": True,
                 "mac": "52:54:00:00:10:01", "product_version": "8.2.1",
                 "build_number": "release/yangtze/master/58",
                 "memory_total_mib": 16384},
                {"name": "h2", "address": n + "2", "mac": "52:54:00:00:10:02",
                 "product_version": "8.2.1", "memory_total_mib": 16384},
            ],
            "vms": [{"name": "vm1", "host": "h1", "memory_mib": 2048},
                    {"name": "vm2", "host": "h2", "memory_mib": 1024}],
        }],
    }
    spec["pools"][0].update(kw)
    return spec


def call(url, method, *args):
    """Raw XML-RPC call; returns the {Status, ...} struct."""
    with xmlrpc.client.ServerProxy(url) as s:
        return getattr(s, method)(*args)


def ok(r):
    assert r["Status"] == "Success", r
    return r["Value"]


def post_raw(host, port, body):
    c = http.client.HTTPConnection(host, port, timeout=10)
    c.request("POST", "/", body=body, headers={"Content-Type": "text/xml"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data.decode()


def wait_for(pred, timeout=10.0, step=0.02):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting")


def host_state(sim, name):
    for h in sim.state()["hosts"]:
        if h["name"] == name and not h["ghost"]:
            return h
    return None


class SimCase(unittest.TestCase):
    spec_kw = {}

    def make(self, **kw):
        spec = pool_spec(**kw)
        self.sim = xapisim.Simulator(spec).start()
        self.addCleanup(self.sim.stop)
        self.url1 = self.sim.url("h1")
        self.url2 = self.sim.url("h2")
        return self.sim

    def login(self, url=None):
        return ok(call(url or self.url1, "session.login_with_password",
                       "root", "secret", "2.21", "test"))


class WireFormat(SimCase):
    def test_untyped_strings_empty_value_int64_and_failure(self):
        sim = self.make()
        h1 = sim.by_name["h1"]
        body = ('<?xml version="1.0"?><methodCall><methodName>'
                'session.login_with_password</methodName><params>'
                '<param><value>root</value></param>'
                '<param><value><string>secret</string></value></param>'
                '</params></methodCall>')
        st, text = post_raw(h1.address, sim.port, body)
        self.assertEqual(st, 200)
        self.assertIn("<member><name>Status</name><value>Success</value></member>", text)
        self.assertRegex(text, r"<name>Value</name><value>OpaqueRef:[0-9a-f-]{36}</value>")
        sess = xmlrpc.client.loads(text)[0][0]["Value"]
        body = ('<?xml version="1.0"?><methodCall><methodName>host.get_record'
                '</methodName><params><param><value>%s</value></param>'
                '<param><value>%s</value></param></params></methodCall>'
                % (sess, h1.ref))
        st, text = post_raw(h1.address, sim.port, body)
        # empty string as <value/>, booleans, int64 as untyped strings
        self.assertIn("<name>name_description</name><value/>", text)
        self.assertIn("<name>enabled</name><value><boolean>1</boolean></value>", text)
        self.assertIn("<name>memory_overhead</name><value>%d</value>"
                      % (64 * 1024 * 1024), text)
        self.assertIn("<name>API_version_major</name><value>2</value>", text)
        self.assertNotIn("<int>", text)
        self.assertNotIn("<string>", text)
        self.assertRegex(text, r"<name>last_software_update</name><value>"
                         r"<dateTime.iso8601>\d{8}T\d\d:\d\d:\d\dZ</dateTime.iso8601>")
        rec = xmlrpc.client.loads(text)[0][0]["Value"]
        self.assertEqual(rec["API_version_major"], "2")
        self.assertRegex(rec["other_config"]["boot_time"], r"^\d+\.$")  # OCaml float
        self.assertEqual(rec["address"], h1.address)
        # host_metrics: memory as strings, live boolean
        m = ok(call(self.url1, "host_metrics.get_record", sess, rec["metrics"]))
        self.assertEqual(m["memory_total"], str(16384 * 1024 * 1024))
        self.assertIsInstance(m["memory_free"], str)
        self.assertIs(m["live"], True)
        # Failure struct
        r = call(self.url1, "host.get_record", sess, "OpaqueRef:nope")
        self.assertEqual(r, {"Status": "Failure",
                             "ErrorDescription": ["HANDLE_INVALID", "host", "OpaqueRef:nope"]})
        self.assertEqual(call(self.url1, "host.frobnicate", sess)["ErrorDescription"],
                         ["MESSAGE_METHOD_UNKNOWN", "host.frobnicate"])
        self.assertEqual(call(self.url1, "host.get_record", sess)["ErrorDescription"],
                         ["MESSAGE_PARAMETER_COUNT_MISMATCH", "host.get_record", "1", "0"])
        # typed request values are accepted (i4, int, boolean, double, nil)
        pool = ok(call(self.url1, "pool.get_all", sess))[0]
        ok(call(self.url1, "pool.set_wlb_enabled", sess, pool, True))
        self.assertIs(ok(call(self.url1, "pool.get_wlb_enabled", sess, pool)), True)
        ev = ok(call(self.url1, "event.from", sess, ["pool"], "", 0.0))
        self.assertIn("token", ev)
        self.assertIn("valid_ref_counts", ev)
        self.assertEqual(ev["valid_ref_counts"]["pool"], 1)  # <i4>
        st, text = post_raw(h1.address, sim.port, "<methodCall><oops")
        self.assertIn("INTERNAL_ERROR", text)

    def test_records_and_calls(self):
        sim = self.make()
        s = self.login()
        pool = ok(call(self.url1, "pool.get_all", s))[0]
        master = ok(call(self.url1, "pool.get_master", s, pool))
        self.assertEqual(master, sim.by_name["h1"].ref)
        self.assertIs(ok(call(self.url1, "pool.get_ha_enabled", s, pool)), False)
        self.assertEqual(ok(call(self.url1, "pool.get_other_config", s, pool)), {})
        hosts = ok(call(self.url1, "host.get_all_records", s))
        self.assertEqual(len(hosts), 2)
        for ref, h in hosts.items():
            self.assertEqual(h["software_version"]["product_version"], "8.2.1")
            self.assertIn("build_number", h["software_version"])
            self.assertEqual(len(h["resident_VMs"]), 2)  # dom0 + one VM
        self.assertEqual(ok(call(self.url1, "host.get_by_name_label", s, "h2")),
                         [sim.by_name["h2"].ref])
        u = hosts[master]["uuid"]
        self.assertEqual(ok(call(self.url1, "host.get_by_uuid", s, u)), master)
        vms = ok(call(self.url1, "VM.get_all_records", s))
        ctrl = [v for v in vms.values() if v["is_control_domain"]]
        self.assertEqual(len(ctrl), 2)
        vm1 = [r for r, v in vms.items() if v["name_label"] == "vm1"][0]
        self.assertEqual(vms[vm1]["power_state"], "Running")
        self.assertEqual(vms[vm1]["memory_static_max"], str(2048 * 1024 * 1024))
        vbds = ok(call(self.url1, "VBD.get_all_records", s))
        cds = [v for v in vbds.values() if v["type"] == "CD"]
        self.assertTrue(cds and all(v["empty"] for v in cds))
        sim.fault("cd_inserted", True, vm="vm1")
        vbds = ok(call(self.url1, "VBD.get_all_records", s))
        self.assertTrue(any(v["type"] == "CD" and not v["empty"] and v["VM"] == vm1
                            for v in vbds.values()))
        free = ok(call(self.url1, "host.compute_free_memory", s, master))
        self.assertEqual(int(free), (16384 - 64 - 1024 - 2048) * 1024 * 1024)
        ok(call(self.url1, "session.logout", s))
        self.assertEqual(call(self.url1, "pool.get_all", s)["ErrorDescription"],
                         ["SESSION_INVALID", s])


class Sessions(SimCase):
    def test_login_forms_and_errors(self):
        self.make()
        self.login()
        ok(call(self.url1, "session.login_with_password", "root", "secret", "1.0"))
        ok(call(self.url1, "session.login_with_password", "root", "secret"))
        r = call(self.url1, "session.login_with_password", "root", "bad", "2.21", "t")
        self.assertEqual(r["ErrorDescription"],
                         ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"])

    def test_legacy_login(self):
        self.make(legacy_login=True)
        r = call(self.url1, "session.login_with_password", "root", "secret", "2.21", "t")
        self.assertEqual(r["ErrorDescription"],
                         ["MESSAGE_PARAMETER_COUNT_MISMATCH",
                          "session.login_with_password", "3", "4"])
        ok(call(self.url1, "session.login_with_password", "root", "secret", "1.0"))

    def test_host_is_slave(self):
        sim = self.make()
        r = call(self.url2, "session.login_with_password", "root", "secret", "2.21", "t")
        self.assertEqual(r["ErrorDescription"],
                         ["HOST_IS_SLAVE", sim.by_name["h1"].address])
        s = self.login()
        r = call(self.url2, "host.get_all", s)
        self.assertEqual(r["ErrorDescription"][0], "HOST_IS_SLAVE")

    def test_expire_sessions(self):
        sim = self.make()
        s = self.login()
        ok(call(self.url1, "host.get_all", s))
        sim.fault("expire_sessions", pool="p1")
        self.assertEqual(call(self.url1, "host.get_all", s)["ErrorDescription"],
                         ["SESSION_INVALID", s])
        s2 = self.login()
        ok(call(self.url1, "host.get_all", s2))


class Evacuation(SimCase):
    def make3(self, **kw):
        n = net()
        spec = pool_spec(n, **kw)
        hosts = spec["pools"][0]["hosts"]
        hosts[0]["product_version"] = "8.2.1"
        hosts[1]["product_version"] = "8.2.0"            # older: never a target
        hosts.append({"name": "h3", "address": n + "3", "product_version": "8.3.0",
                      "memory_total_mib": 8192})
        spec["pools"][0]["vms"] = [
            {"name": "a", "host": "h1", "memory_mib": 2048},
            {"name": "b", "host": "h1", "memory_mib": 2048},
            {"name": "c", "host": "h2", "memory_mib": 512}]
        self.sim = xapisim.Simulator(spec).start()
        self.addCleanup(self.sim.stop)
        self.url1 = self.sim.url("h1")
        return self.sim

    def test_evacuate_to_same_or_newer_only(self):
        sim = self.make3()
        s = self.login()
        h1 = sim.by_name["h1"].ref
        self.assertEqual(ok(call(self.url1, "host.get_vms_which_prevent_evacuation", s, h1)), {})
        ok(call(self.url1, "host.assert_can_evacuate", s, h1))
        ok(call(self.url1, "host.disable", s, h1))
        task = ok(call(self.url1, "Async.host.evacuate", s, h1))
        self.assertTrue(task.startswith("OpaqueRef:"))
        st = wait_for(lambda: (lambda x: x if x != "pending" else None)(
            ok(call(self.url1, "task.get_status", s, task))))
        self.assertEqual(st, "success")
        # void result, as xapi stores it: Xmlrpc.to_string (String "")
        self.assertEqual(ok(call(self.url1, "task.get_result", s, task)),
                         "<value></value>")
        self.assertEqual(ok(call(self.url1, "task.get_progress", s, task)), 1.0)
        ok(call(self.url1, "task.destroy", s, task))
        vms = {v["name"]: v for v in sim.state()["vms"]}
        self.assertEqual(vms["a"]["resident_on"], "h3")
        self.assertEqual(vms["b"]["resident_on"], "h3")
        self.assertEqual(vms["c"]["resident_on"], "h2")
        self.assertEqual(host_state(sim, "h3")["memory_free_mib"], 8192 - 64 - 1024 - 4096)

    def test_no_room(self):
        sim = self.make3()
        sim.fault("enabled", False, host="h3")
        s = self.login()
        h1 = sim.by_name["h1"].ref
        prevent = ok(call(self.url1, "host.get_vms_which_prevent_evacuation", s, h1))
        self.assertEqual(len(prevent), 2)
        for vm, why in prevent.items():
            self.assertEqual(why, ["NO_HOSTS_AVAILABLE", vm])
        r = call(self.url1, "host.evacuate", s, h1)
        self.assertEqual(r["ErrorDescription"][0], "NO_HOSTS_AVAILABLE")
        r = call(self.url1, "host.assert_can_evacuate", s, h1)
        self.assertEqual(r["ErrorDescription"][0], "CANNOT_EVACUATE_HOST")
        sim.fault("enabled", True, host="h3")
        sim.fault("power_state", "Running", vm="c")
        # make h3 too small for both VMs
        sim.by_name["h3"].memory_total = 4096 * 1024 * 1024
        prevent = ok(call(self.url1, "host.get_vms_which_prevent_evacuation", s, h1))
        self.assertEqual([v[0] for v in prevent.values()], ["HOST_NOT_ENOUGH_FREE_MEMORY"])
        task = ok(call(self.url1, "Async.host.evacuate", s, h1))
        wait_for(lambda: ok(call(self.url1, "task.get_status", s, task)) == "failure")
        err = ok(call(self.url1, "task.get_error_info", s, task))
        self.assertEqual(err[0], "HOST_NOT_ENOUGH_FREE_MEMORY")

    def test_prevents_evacuation_and_evacuate_fail(self):
        sim = self.make3()
        s = self.login()
        h1 = sim.by_name["h1"].ref
        sim.fault("prevents_evacuation", True, vm="a")
        prevent = ok(call(self.url1, "host.get_vms_which_prevent_evacuation", s, h1))
        a = sim.vm_by_name["a"].ref
        self.assertEqual(list(prevent), [a])
        self.assertEqual(prevent[a][0:2], ["VM_REQUIRES_SR", a])
        sim.clear(vm="a")
        sim.fault("evacuate_fail", True, host="h1")
        task = ok(call(self.url1, "Async.host.evacuate", s, h1))
        wait_for(lambda: ok(call(self.url1, "task.get_status", s, task)) == "failure")
        rec = ok(call(self.url1, "task.get_record", s, task))
        self.assertEqual(rec["error_info"][0], "VM_MIGRATE_FAILED")

    def test_ha_blocks(self):
        sim = self.make3(ha_enabled=True)
        s = self.login()
        h1 = sim.by_name["h1"].ref
        prevent = ok(call(self.url1, "host.get_vms_which_prevent_evacuation", s, h1))
        self.assertEqual({v[0] for v in prevent.values()},
                         {"HOST_EVACUATE_VM_NOT_HA_PROTECTED"})
        pool = ok(call(self.url1, "pool.get_all", s))[0]
        self.assertTrue(ok(call(self.url1, "pool.get_ha_enabled", s, pool)))
        ok(call(self.url1, "pool.disable_ha", s))
        self.assertFalse(ok(call(self.url1, "pool.get_ha_enabled", s, pool)))
        self.assertEqual(call(self.url1, "pool.disable_ha", s)["ErrorDescription"],
                         ["HA_NOT_ENABLED"])


class TestServer:
    """A tiny poolboot stand-in: answerfile, repo .treeinfo, script, callbacks."""

    def __init__(self, mode="upgrade", version="8.3.0"):
        self.callbacks = []
        self.mode = mode
        self.version = version
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, body, ctype="text/plain"):
                b = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)

            def do_GET(self):
                base = "http://127.0.0.1:%d" % outer.port
                if self.path == "/af":
                    if outer.mode == "upgrade":
                        return self._send(
                            '<?xml version="1.0"?>\n<installation mode="upgrade">'
                            '<existing-installation>sda</existing-installation>'
                            '<source type="url">%s/repo/</source>'
                            '<script stage="installation-complete" type="url">'
                            '%s/script</script></installation>' % (base, base),
                            "application/xml")
                    return self._send(
                        '<installation mode="upgrade"><source type="url">%s/repo/'
                        '</source><script stage="installation-complete" type="url">'
                        '%s/script</script></installation>' % (base, base))
                if self.path == "/repo/.treeinfo":
                    return self._send("[platform]\nname = XCP\nversion = 3.4.0\n"
                                      "[branding]\nname = XCP-ng\nversion = %s\n"
                                      "[build]\nnumber = release/test/1\n"
                                      % outer.version)
                if self.path == "/script":
                    return self._send(
                        "#!/bin/sh\n"
                        "python3 -c 'import sys,urllib.request as u;"
                        "u.build_opener(u.ProxyHandler({})).open(sys.argv[1], b\"\")'"
                        " %s/callback/$1\nexit 0\n" % base)
                self.send_error(404)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                if self.path.startswith("/callback/"):
                    outer.callbacks.append(self.path.rsplit("/", 1)[1])
                    return self._send("ok\n")
                self.send_error(404)

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def refused(addr, port):
    try:
        socket.create_connection((addr, port), timeout=1).close()
        return False
    except OSError:
        return True


class Reboot(SimCase):
    def setUp(self):
        self.tftp = tempfile.mkdtemp(prefix="xapisim-tftp-")
        os.makedirs(os.path.join(self.tftp, "pxelinux.cfg"))
        self.addCleanup(shutil.rmtree, self.tftp)

    def make(self, **kw):
        spec = pool_spec(**kw)
        spec["tftp_root"] = self.tftp
        self.sim = xapisim.Simulator(spec).start()
        self.addCleanup(self.sim.stop)
        self.url1 = self.sim.url("h1")
        self.url2 = self.sim.url("h2")
        return self.sim

    def arm(self, mac, srv):
        p = os.path.join(self.tftp, "pxelinux.cfg", "01-" + mac.replace(":", "-"))
        with open(p, "w") as f:
            f.write("# poolboot\ndefault poolboot-install\nlabel poolboot-install\n"
                    "  kernel mboot.c32\n  append http://x/xen.gz dom0_mem=2048M --- "
                    "http://x/vmlinuz console=hvc0 answerfile=http://127.0.0.1:%d/af "
                    "install --- http://x/install.img\n" % srv.port)
        return p

    def reboot(self, name):
        sim = self.sim
        s = self.login()
        h = sim.by_name[name]
        r = call(self.url1, "host.reboot", s, h.ref)
        self.assertEqual(r["ErrorDescription"], ["HOST_NOT_DISABLED"])
        ok(call(self.url1, "host.disable", s, h.ref))
        before = host_state(sim, name)["boot_time"]
        ok(call(self.url1, "host.reboot", s, h.ref))
        return s, h, before

    def test_reboot_without_pxe_file(self):
        sim = self.make()
        s, h, before = self.reboot("h2")
        wait_for(lambda: not host_state(sim, "h2")["live"])
        self.assertTrue(refused(h.address, sim.port))
        m = ok(call(self.url1, "host.get_metrics", s, h.ref))
        time.sleep(0.001)
        # master view while it is down (may already be back: check the log)
        wait_for(lambda: host_state(sim, "h2")["live"])
        st = host_state(sim, "h2")
        self.assertEqual(st["product_version"], "8.2.1")
        self.assertGreater(st["boot_time"], before)
        self.assertFalse(st["enabled"])
        self.assertFalse(refused(h.address, sim.port))
        self.assertTrue(ok(call(self.url1, "host_metrics.get_live", s, m)))
        # vm2 was still on h2: the reboot shut it down
        self.assertEqual({v["name"]: v["power_state"] for v in sim.state()["vms"]}["vm2"],
                         "Halted")
        events = [e["event"] for e in sim.log() if "event" in e]
        self.assertIn("host_down", events)
        self.assertIn("host_up", events)
        ok(call(self.url1, "host.enable", s, h.ref))
        self.assertTrue(host_state(sim, "h2")["enabled"])

    def test_reboot_with_upgrade_answerfile(self):
        srv = TestServer()
        self.addCleanup(srv.close)
        sim = self.make()
        self.arm("52:54:00:00:10:02", srv)
        s, h, before = self.reboot("h2")
        wait_for(lambda: host_state(sim, "h2")["state"] == "up"
                 and host_state(sim, "h2")["product_version"] == "8.3.0", timeout=20)
        self.assertEqual(srv.callbacks, ["0"])
        st = host_state(sim, "h2")
        self.assertEqual(st["build_number"], "release/test/1")
        self.assertGreater(st["boot_time"], before)
        rec = ok(call(self.url1, "host.get_record", s, h.ref))
        self.assertEqual(rec["software_version"]["product_version"], "8.3.0")
        self.assertEqual(rec["software_version"]["platform_version"], "3.4.0")
        pool = ok(call(self.url1, "pool.get_all", s))[0]
        oc = ok(call(self.url1, "pool.get_other_config", s, pool))
        self.assertEqual(oc.get("rolling_upgrade_in_progress"), "true")
        af = [e for e in sim.log() if e.get("event") == "answerfile"][0]
        self.assertEqual(af["mode"], "upgrade")
        self.assertEqual(af["root"], "installation")
        self.assertEqual(af["existing_installation"], "sda")
        # Never two hosts of the pool down at once
        down = set()
        for e in sim.log():
            if e.get("event") == "host_down":
                down.add(e["host"])
                self.assertLessEqual(len(down), 1)
            elif e.get("event") == "host_up":
                down.discard(e["host"])

    def test_install_fail(self):
        srv = TestServer()
        self.addCleanup(srv.close)
        sim = self.make()
        sim.fault("install_fail", True, host="h2")
        self.arm("52:54:00:00:10:02", srv)
        s, h, before = self.reboot("h2")
        wait_for(lambda: srv.callbacks and host_state(sim, "h2")["state"] == "up",
                 timeout=20)
        self.assertEqual(srv.callbacks, ["1"])
        self.assertEqual(host_state(sim, "h2")["product_version"], "8.2.1")

    def test_invalid_upgrade_answerfile(self):
        srv = TestServer(mode="bad")
        self.addCleanup(srv.close)
        sim = self.make()
        self.arm("52:54:00:00:10:02", srv)
        self.reboot("h2")
        wait_for(lambda: srv.callbacks and host_state(sim, "h2")["state"] == "up",
                 timeout=20)
        self.assertEqual(srv.callbacks, ["1"])
        errs = [e for e in sim.log() if e.get("event") == "install_error"]
        self.assertIn("existing-installation", errs[0]["reason"])

    def test_never_return(self):
        sim = self.make()
        sim.fault("never_return", True, host="h2")
        s, h, _ = self.reboot("h2")
        wait_for(lambda: host_state(sim, "h2")["state"] == "dead")
        time.sleep(0.3)
        st = host_state(sim, "h2")
        self.assertFalse(st["live"])
        self.assertTrue(refused(h.address, sim.port))
        r = call(self.url1, "host.enable", s, h.ref)
        self.assertEqual(r["ErrorDescription"], ["HOST_OFFLINE", h.ref])
        # forget it: host.destroy, once no VM is resident
        r = call(self.url1, "host.destroy", s, sim.by_name["h1"].ref)
        self.assertEqual(r["ErrorDescription"][0], "HOST_IS_LIVE")
        ok(call(self.url1, "host.destroy", s, h.ref))
        self.assertEqual(len(ok(call(self.url1, "host.get_all", s))), 1)

    def test_master_reboot_emergency_mode(self):
        sim = self.make(reboot_delay=0.5)
        s = self.login()
        h1 = sim.by_name["h1"]
        vm1 = sim.vm_by_name["vm1"].ref
        ok(call(self.url1, "VM.get_record", s, vm1))
        ok(call(self.url1, "host.disable", s, h1.ref))
        ok(call(self.url1, "host.evacuate", s, h1.ref))
        ok(call(self.url1, "host.reboot", s, h1.ref))
        wait_for(lambda: not host_state(sim, "h1")["live"])
        self.assertTrue(refused(h1.address, sim.port))
        r = call(self.url2, "session.login_with_password", "root", "secret", "2.21", "t")
        self.assertEqual(r["ErrorDescription"], ["HOST_IS_SLAVE", h1.address])
        r = call(self.url2, "host.get_all", s)
        self.assertEqual(r["ErrorDescription"], ["HOST_IN_EMERGENCY_MODE"])
        wait_for(lambda: host_state(sim, "h1")["state"] == "up")
        # sessions do not survive a master restart
        self.assertEqual(call(self.url1, "host.get_all", s)["ErrorDescription"],
                         ["SESSION_INVALID", s])
        s = self.login()
        self.assertEqual(sim.state()["vms"][0]["power_state"], "Running")


class Transport(SimCase):
    def test_drop_connections(self):
        sim = self.make()
        sim.fault("drop_connections", 2, host="h1")
        h1 = sim.by_name["h1"]
        body = ('<?xml version="1.0"?><methodCall><methodName>'
                'session.login_with_password</methodName><params>'
                '<param><value>root</value></param><param><value>secret</value>'
                '</param></params></methodCall>')
        for _ in range(2):
            with self.assertRaises((http.client.RemoteDisconnected, ConnectionError,
                                    http.client.BadStatusLine)):
                post_raw(h1.address, sim.port, body)
        st, text = post_raw(h1.address, sim.port, body)
        self.assertIn("Success", text)
        self.assertEqual(len([e for e in sim.log() if e.get("event") == "dropped"]), 2)

    def test_event_from_blocks_until_change(self):
        sim = self.make()
        s = self.login()
        first = ok(call(self.url1, "event.from", s, ["host", "host_metrics"], "", 1.0))
        self.assertTrue(any(e["class"] == "host" and e["operation"] == "add"
                            for e in first["events"]))
        token = first["token"]
        t0 = time.time()
        r = ok(call(self.url1, "event.from", s, ["host"], token, 0.3))
        self.assertEqual(r["events"], [])
        self.assertGreaterEqual(time.time() - t0, 0.25)
        h2 = sim.by_name["h2"].ref
        threading.Timer(0.2, lambda: call(self.url1, "host.disable",
                                          self.login(), h2)).start()
        t0 = time.time()
        r = ok(call(self.url1, "event.from", s, ["host"], token, 5.0))
        self.assertLess(time.time() - t0, 3)
        self.assertEqual([(e["class"], e["ref"], e["operation"]) for e in r["events"]],
                         [("host", h2, "mod")])
        self.assertFalse(r["events"][0]["snapshot"]["enabled"])
        r = call(self.url1, "event.from", s, ["host"], "garbage", 0.1)
        self.assertEqual(r["ErrorDescription"][0], "EVENT_FROM_TOKEN_PARSE_FAILURE")

    def test_xmldbdump(self):
        sim = self.make()
        s = self.login()
        h1 = sim.by_name["h1"]
        u = "http://%s:%d/pool/xmldbdump?session_id=%s" % (h1.address, sim.port, s)
        body = urllib.request.build_opener(urllib.request.ProxyHandler({})).open(u).read()
        self.assertTrue(body.startswith(b"<?xml"))
        self.assertIn(b'<table name="host">', body)
        self.assertIn(b"name__label=", body)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                u.replace(s, "OpaqueRef:bogus"))
        self.assertEqual(cm.exception.code, 401)

    def test_tls(self):
        if not shutil.which("openssl"):
            self.skipTest("no openssl")
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        n = net()
        cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=xapisim",
                        "-addext", "subjectAltName=IP:%s1,IP:%s2" % (n, n)],
                       check=True, capture_output=True)
        spec = pool_spec(n)
        spec["tls"] = {"cert": cert, "key": key}
        sim = xapisim.Simulator(spec).start()
        self.addCleanup(sim.stop)
        self.assertTrue(sim.url("h1").startswith("https://"))
        import ssl
        ctx = ssl.create_default_context(cafile=cert)
        with xmlrpc.client.ServerProxy(sim.url("h1"), context=ctx) as s:
            r = getattr(s, "session.login_with_password")("root", "secret", "2.21", "t")
        self.assertEqual(r["Status"], "Success")
        with xmlrpc.client.ServerProxy(sim.url("h2"), context=ctx) as s2:
            r = getattr(s2, "session.login_with_password")("root", "secret", "2.21", "t")
        self.assertEqual(r["ErrorDescription"], ["HOST_IS_SLAVE", n + "1"])


class PoolJoin(SimCase):
    def test_join(self):
        n = net()
        spec = pool_spec(n)
        spec["pools"].append({"name": "solo", "password": "pw2", "hosts": [
            {"name": "h9", "address": n + "9", "product_version": "8.2.1"}]})
        sim = xapisim.Simulator(spec).start()
        self.addCleanup(sim.stop)
        u9 = sim.url("h9")
        s9 = ok(call(u9, "session.login_with_password", "root", "pw2", "2.21", "t"))
        r = call(u9, "pool.join", s9, n + "1", "root", "wrong")
        self.assertEqual(r["ErrorDescription"][0], "SESSION_AUTHENTICATION_FAILED")
        ok(call(u9, "pool.join", s9, n + "1", "root", "secret"))
        r = call(u9, "session.login_with_password", "root", "pw2", "2.21", "t")
        self.assertEqual(r["ErrorDescription"], ["HOST_IS_SLAVE", n + "1"])
        s = ok(call(sim.url("h1"), "session.login_with_password", "root", "secret"))
        self.assertEqual(len(ok(call(sim.url("h1"), "host.get_all", s))), 3)
        # its PIFs came with it (the joiner's records move to the pool)
        pifs = ok(call(sim.url("h1"), "PIF.get_all_records", s))
        self.assertIn(sim.by_name["h9"].ref, [f["host"] for f in pifs.values()])
        self.assertEqual(len(pifs), 3)

    def test_pifs(self):
        # one PIF per NIC (datamodel PIF): host.PIFs, PIF.get_all_records,
        # management=true on the NIC xapi listens on; Int fields untyped
        n = net()
        spec = pool_spec(n)
        spec["pools"][0]["hosts"][1]["pifs"] = [
            {"device": "eth0", "mac": "52:54:00:AA:00:01"},
            {"device": "eth1", "mac": "52:54:00:00:10:02",
             "management": True}]
        sim = xapisim.Simulator(spec).start()
        self.addCleanup(sim.stop)
        u1 = sim.url("h1")
        s = ok(call(u1, "session.login_with_password", "root", "secret"))
        pifs = ok(call(u1, "PIF.get_all_records", s))
        self.assertEqual(len(pifs), 3)
        hosts = ok(call(u1, "host.get_all_records", s))
        for ref, h in hosts.items():
            self.assertEqual(sorted(h["PIFs"]), sorted(
                r for r, f in pifs.items() if f["host"] == ref))
        h2 = sim.by_name["h2"].ref
        mgmt = [f for f in pifs.values() if f["management"]]
        self.assertEqual(sorted((f["host"] == h2, f["MAC"], f["device"],
                                 f["IP"]) for f in mgmt),
                         [(False, "52:54:00:00:10:01", "eth0", n + "1"),
                          (True, "52:54:00:00:10:02", "eth1", n + "2")])
        other = [f for f in pifs.values() if not f["management"]][0]
        self.assertEqual((other["MAC"], other["IP"]),
                         ("52:54:00:aa:00:01", ""))
        self.assertEqual((other["MTU"], other["VLAN"]), ("1500", "-1"))
        self.assertIs(other["physical"], True)
        ref = hosts[h2]["PIFs"][0]
        self.assertEqual(ok(call(u1, "PIF.get_MAC", s, ref)),
                         pifs[ref]["MAC"])
        self.assertEqual(ok(call(u1, "PIF.get_host", s, ref)), h2)
        # a forgotten host's PIFs leave the pool's database with it
        sim.fault("dead", host="h2")
        ok(call(u1, "host.destroy", s, h2))
        self.assertEqual(len(ok(call(u1, "PIF.get_all", s))), 1)
        self.assertEqual(call(u1, "PIF.get_record", s, ref)[
            "ErrorDescription"], ["HANDLE_INVALID", "PIF", ref])


class CommandLine(unittest.TestCase):
    def test_cli_and_control_api(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        spec = pool_spec()
        path = os.path.join(d, "spec.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        t0 = time.time()
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "xapisim.py"),
                              "--spec", path], stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.stdout.close)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        control = None
        for line in p.stdout:
            if line.startswith("xapisim control"):
                control = line.split()[2]
            if line.strip() == "xapisim ready":
                break
        self.assertLess(time.time() - t0, 5)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        def post(path, obj):
            req = urllib.request.Request("http://%s%s" % (control, path),
                                         data=json.dumps(obj).encode(), method="POST")
            return json.loads(opener.open(req).read())
        st = json.loads(opener.open("http://%s/state" % control).read())
        self.assertEqual([h["name"] for h in st["hosts"]], ["h1", "h2"])
        url = "http://%s:%d/" % (st["hosts"][0]["address"], st["port"])
        sess = ok(call(url, "session.login_with_password", "root", "secret", "2.21", "t"))
        self.assertEqual(post("/fault", {"pool": "p1", "kind": "expire_sessions"}),
                         {"ok": True})
        self.assertEqual(call(url, "host.get_all", sess)["ErrorDescription"][0],
                         "SESSION_INVALID")
        log = json.loads(opener.open("http://%s/log" % control).read())
        calls = [e for e in log if "method" in e]
        self.assertEqual(calls[0]["args"], ["root", "<password>", "2.21", "t"])
        self.assertEqual(calls[-1]["args"], ["<session>"])
        self.assertEqual(calls[-1]["error"][0], "SESSION_INVALID")
        post("/reset-log", {})
        self.assertEqual(json.loads(opener.open("http://%s/log" % control).read()), [])
        p.terminate()
        self.assertEqual(p.wait(timeout=5), 0)


@unittest.skipIf(XenAPI is None, "python3-os-xenapi (XenAPI.py) not installed")
class OfficialXenAPI(SimCase):
    def test_xenapi_py(self):
        sim = self.make()
        x = XenAPI.Session(self.url1)
        self.addCleanup(lambda: x("close")())
        x.login_with_password("root", "secret", "2.21", "poolboot-test")
        self.assertEqual(x.API_version, "2.21")   # from host.get_API_version_*
        hosts = x.xenapi.host.get_all_records()
        self.assertEqual(sorted(h["name_label"] for h in hosts.values()), ["h1", "h2"])
        pool = x.xenapi.pool.get_all()[0]
        master = x.xenapi.pool.get_master(pool)
        self.assertEqual(hosts[master]["address"], sim.by_name["h1"].address)
        h2 = sim.by_name["h2"].ref
        x.xenapi.host.disable(h2)
        task = x.xenapi.Async.host.evacuate(h2)
        while x.xenapi.task.get_status(task) == "pending":
            time.sleep(0.02)
        self.assertEqual(x.xenapi.task.get_status(task), "success")
        self.assertEqual(x.xenapi.task.get_result(task), "<value></value>")
        x.xenapi.task.destroy(task)
        self.assertEqual({v["name"]: v["resident_on"] for v in sim.state()["vms"]}["vm2"],
                         "h1")
        # a XAPI failure surfaces as XenAPI.Failure with the details
        with self.assertRaises(XenAPI.Failure) as cm:
            x.xenapi.host.reboot(sim.by_name["h1"].ref)
        self.assertEqual(cm.exception.details, ["HOST_NOT_DISABLED"])
        # HOST_IS_SLAVE on a member
        y = XenAPI.Session(self.url2)
        self.addCleanup(lambda: y("close")())
        with self.assertRaises(XenAPI.Failure) as cm:
            y.login_with_password("root", "secret", "2.21", "poolboot-test")
        self.assertEqual(cm.exception.details, ["HOST_IS_SLAVE", sim.by_name["h1"].address])
        # SESSION_INVALID: XenAPI.py never raises it; it logs in again and
        # retries the call (XenAPI.py _parse_result/_RECONNECT_AND_RETRY).
        sim.reset_log()
        sim.fault("expire_sessions", pool="p1")
        self.assertEqual(len(x.xenapi.host.get_all()), 2)
        seq = [(e["method"], e["status"]) for e in sim.log() if "method" in e]
        self.assertEqual(seq[0], ("host.get_all", "Failure"))
        self.assertIn(("session.login_with_password", "Success"), seq)
        self.assertEqual(seq[-1], ("host.get_all", "Success"))
        # ... and a bad password at that re-login is a Failure
        with self.assertRaises(XenAPI.Failure) as cm:
            z = XenAPI.Session(self.url1)
            self.addCleanup(lambda: z("close")())
            z.login_with_password("root", "nope", "2.21", "t")
        self.assertEqual(cm.exception.details[0], "SESSION_AUTHENTICATION_FAILED")
        x.logout()
        self.assertEqual(sim.state()["pools"][0]["sessions"], 0)


class ProductBrand(SimCase):
    """software_version's product_brand per host, as XAPI reports it
    (ocaml/util/xapi_version.ml: the inventory's PRODUCT_BRAND, which the
    installer writes from the ISO's .treeinfo brand): upgrade paths tell
    XCP-ng 8.2.1 from Citrix Hypervisor 8.2.1 by it."""

    def test_brand_per_host_on_the_wire(self):
        spec = pool_spec()
        spec["pools"][0]["hosts"][1]["product_brand"] = "Citrix Hypervisor"
        self.sim = xapisim.Simulator(spec).start()
        self.addCleanup(self.sim.stop)
        self.url1 = self.sim.url("h1")
        s = self.login()
        h1, h2 = self.sim.by_name["h1"].ref, self.sim.by_name["h2"].ref
        sv = ok(call(self.url1, "host.get_software_version", s, h2))
        self.assertEqual(sv["product_brand"], "Citrix Hypervisor")
        self.assertEqual(sv["product_version"], "8.2.1")
        rec = ok(call(self.url1, "host.get_record", s, h1))
        self.assertEqual(rec["software_version"]["product_brand"], "XCP-ng")
        if XenAPI is not None:
            x = XenAPI.Session(self.url1)
            self.addCleanup(lambda: x("close")())
            x.login_with_password("root", "secret", "2.21", "poolboot-test")
            self.assertEqual(x.xenapi.host.get_software_version(h2)
                             ["product_brand"], "Citrix Hypervisor")
            x.logout()

    def test_treeinfo_brand_as_the_installer_reads_it(self):
        ti = xapisim.parse_treeinfo(
            "[system-v1]\nproduct_name = XenServer\nproduct_version = 8.4.0\n"
            "[branding]\nname = Other\nversion = 9.9\n")
        # [system-v1] first, as the installer takes it
        self.assertEqual((ti["product_brand"], ti["product_version"]),
                         ("XenServer", "8.4.0"))
        ti = xapisim.parse_treeinfo(
            "[branding]\nname = XCP-ng\nversion = 8.3.0\n")
        self.assertEqual((ti["product_brand"], ti["product_version"]),
                         ("XCP-ng", "8.3.0"))


class PoolMigrate(SimCase):
    """VM.pool_migrate (issue 13, VMs back home): its checks and errors in
    XAPI's shapes, and the move log with both hosts' versions."""

    def make_mixed(self):
        """h1 (master) on 8.3.0, h2 on 8.2.1: a rolling upgrade underway."""
        n = net()
        spec = pool_spec(n)
        spec["pools"][0]["hosts"][0]["product_version"] = "8.3.0"
        self.sim = xapisim.Simulator(spec).start()
        self.addCleanup(self.sim.stop)
        self.url1 = self.sim.url("h1")
        return self.sim

    def migrate(self, s, vm, host):
        return call(self.url1, "VM.pool_migrate", s, self.sim.vm_by_name[vm].ref,
                    self.sim.by_name[host].ref, {})

    def test_moves_up_and_logs_versions(self):
        sim = self.make_mixed()
        s = self.login()
        self.assertEqual(ok(self.migrate(s, "vm2", "h1")), "")
        vms = {v["name"]: v["resident_on"] for v in sim.state()["vms"]}
        self.assertEqual(vms["vm2"], "h1")
        ev = [e for e in sim.log() if e.get("event") == "vm_migrated"]
        self.assertEqual(len(ev), 1)
        self.assertEqual((ev[0]["vm"], ev[0]["from"], ev[0]["to"], ev[0]["how"],
                          ev[0]["from_version"], ev[0]["to_version"]),
                         ("vm2", "h2", "h1", "pool_migrate", "8.2.1", "8.3.0"))
        # Async variant: a task whose result is void
        task = ok(call(self.url1, "Async.VM.pool_migrate", s,
                       sim.vm_by_name["vm2"].ref, sim.by_name["h1"].ref, {}))
        wait_for(lambda: ok(call(self.url1, "task.get_status", s, task)) != "pending")
        self.assertEqual(ok(call(self.url1, "task.get_status", s, task)), "success")

    def test_errors(self):
        sim = self.make_mixed()
        s = self.login()
        vm1, vm2 = sim.vm_by_name["vm1"].ref, sim.vm_by_name["vm2"].ref
        h1, h2 = sim.by_name["h1"].ref, sim.by_name["h2"].ref
        # downhill while the versions differ
        self.assertEqual(self.migrate(s, "vm1", "h2")["ErrorDescription"],
                         ["NOT_SUPPORTED_DURING_UPGRADE"])
        # a halted VM: [vm; expected; actual]
        sim.fault("power_state", "Halted", vm="vm2")
        self.assertEqual(self.migrate(s, "vm2", "h1")["ErrorDescription"],
                         ["VM_BAD_POWER_STATE", vm2, "running", "halted"])
        sim.fault("power_state", "Running", vm="vm2")
        sim.vm_by_name["vm2"].resident_on = sim.by_name["h2"]
        # a disk on h2's local SR
        sim.fault("prevents_evacuation", True, vm="vm2")
        e = self.migrate(s, "vm2", "h1")["ErrorDescription"]
        self.assertEqual(e[:2], ["VM_REQUIRES_SR", vm2])
        self.assertTrue(e[2].startswith("OpaqueRef:"))
        sim.clear(vm="vm2")
        # a disabled target, then no room: [needed; available]
        ok(call(self.url1, "host.disable", s, h1))
        self.assertEqual(self.migrate(s, "vm2", "h1")["ErrorDescription"],
                         ["HOST_DISABLED", h1])
        ok(call(self.url1, "host.enable", s, h1))
        sim.by_name["h1"].memory_total = (64 + 1024 + 2048 + 512) * 1024 * 1024
        e = self.migrate(s, "vm2", "h1")["ErrorDescription"]
        self.assertEqual(e[0], "HOST_NOT_ENOUGH_FREE_MEMORY")
        self.assertEqual(e[1:], [str(1024 * 1024 * 1024), str(512 * 1024 * 1024)])
        sim.by_name["h1"].memory_total = 16384 * 1024 * 1024
        # the fault: VM_MIGRATE_FAILED [vm; source; destination; msg], or
        # the value given
        sim.fault("pool_migrate_fail", True, vm="vm2")
        e = self.migrate(s, "vm2", "h1")["ErrorDescription"]
        self.assertEqual(e[:4], ["VM_MIGRATE_FAILED", vm2, h2, h1])
        sim.fault("pool_migrate_fail", ["VM_REQUIRES_NETWORK", "{vm}"], vm="vm2")
        self.assertEqual(self.migrate(s, "vm2", "h1")["ErrorDescription"][0],
                         "VM_REQUIRES_NETWORK")
        sim.clear(vm="vm2")
        self.assertEqual(ok(self.migrate(s, "vm2", "h1")), "")
        # parameters: (session, vm, host, options)
        self.assertEqual(call(self.url1, "VM.pool_migrate", s, vm1, h1)
                         ["ErrorDescription"][0], "MESSAGE_PARAMETER_COUNT_MISMATCH")
        self.assertEqual([e.get("event") for e in sim.log()
                          if e.get("event") == "vm_migrated"], ["vm_migrated"])

    @unittest.skipIf(XenAPI is None, "python3-os-xenapi (XenAPI.py) not installed")
    def test_xenapi_py(self):
        sim = self.make_mixed()
        x = XenAPI.Session(self.url1)
        self.addCleanup(lambda: x("close")())
        x.login_with_password("root", "secret", "2.21", "poolboot-test")
        vm = x.xenapi.VM.get_by_uuid(sim.vm_by_name["vm2"].uuid)
        x.xenapi.VM.pool_migrate(vm, sim.by_name["h1"].ref, {})
        self.assertEqual(x.xenapi.VM.get_resident_on(vm), sim.by_name["h1"].ref)
        with self.assertRaises(XenAPI.Failure) as cm:
            x.xenapi.VM.pool_migrate(vm, sim.by_name["h2"].ref, {})
        self.assertEqual(cm.exception.details, ["NOT_SUPPORTED_DURING_UPGRADE"])


class EmergencyRecovery(SimCase):
    """A dead master, an emergency transition on a member, recover_slaves
    (issue 13), through XenAPI.py as a real client would."""

    def three(self):
        n = net()
        spec = pool_spec(n)
        spec["pools"][0]["hosts"].append(
            {"name": "h3", "address": n + "3", "mac": "52:54:00:00:10:03",
             "product_version": "8.2.1", "memory_total_mib": 16384})
        self.sim = xapisim.Simulator(spec).start()
        self.addCleanup(self.sim.stop)
        return self.sim

    @unittest.skipIf(XenAPI is None, "XenAPI.py (python3-os-xenapi) missing")
    def test_emergency_transition_and_recover_slaves(self):
        sim = self.three()
        h1, h2, h3 = (sim.by_name[n] for n in ("h1", "h2", "h3"))
        sim.fault("dead", host="h1")
        # a member whose master is dead: HOST_IS_SLAVE [old master]
        y = XenAPI.Session(sim.url("h2"))
        with self.assertRaises(XenAPI.Failure) as cm:
            y.login_with_password("root", "secret", "2.21", "t")
        self.assertEqual(cm.exception.details, ["HOST_IS_SLAVE", h1.address])
        # ... but a local login works (XenAPI.py knows the method)
        y.slave_local_login_with_password("root", "secret")
        with self.assertRaises(XenAPI.Failure) as cm:
            y.xenapi.VM.get_all()
        self.assertEqual(cm.exception.details, ["HOST_IN_EMERGENCY_MODE"])
        pool_ref = h1.pool.ref
        y.xenapi.pool.emergency_transition_to_master()
        # h2 is the master now; h3 still believes in h1
        x = XenAPI.Session(sim.url("h2"))
        self.addCleanup(lambda: x("close")())
        x.login_with_password("root", "secret", "2.21", "t")
        self.assertEqual(x.xenapi.pool.get_master(pool_ref), h2.ref)
        z = XenAPI.Session(sim.url("h3"))
        with self.assertRaises(XenAPI.Failure) as cm:
            z.login_with_password("root", "secret", "2.21", "t")
        self.assertEqual(cm.exception.details, ["HOST_IS_SLAVE", h1.address])
        self.assertEqual(x.xenapi.pool.recover_slaves(), [h3.ref])
        with self.assertRaises(XenAPI.Failure) as cm:
            z.login_with_password("root", "secret", "2.21", "t")
        self.assertEqual(cm.exception.details, ["HOST_IS_SLAVE", h2.address])
        self.assertEqual(x.xenapi.pool.recover_slaves(), [])
        # the old master comes back and finds another master: a member
        # (ocaml/xapi/xapi.ml check_no_other_masters)
        sim.power_on("h1")
        wait_for(lambda: host_state(sim, "h1")["state"] == "up")
        w = XenAPI.Session(sim.url("h1"))
        with self.assertRaises(XenAPI.Failure) as cm:
            w.login_with_password("root", "secret", "2.21", "t")
        self.assertEqual(cm.exception.details, ["HOST_IS_SLAVE", h2.address])

    def test_local_login_checks(self):
        sim = self.three()
        url2 = sim.url("h2")
        r = call(url2, "session.slave_local_login_with_password", "root", "no")
        self.assertEqual(r["ErrorDescription"][0], "SESSION_AUTHENTICATION_FAILED")
        sim.fault("ha_enabled", True, pool="p1")
        s = ok(call(url2, "session.slave_local_login_with_password", "root", "secret"))
        r = call(url2, "pool.emergency_transition_to_master", s)
        self.assertEqual(r["ErrorDescription"], ["HA_IS_ENABLED"])
        # the master's sessions are no good on a member
        m = self.login(sim.url("h1"))
        r = call(url2, "pool.emergency_transition_to_master", m)
        self.assertEqual(r["ErrorDescription"][0], "HOST_IS_SLAVE")



# --- prechecks (issue 13) ---------------------------------------------------
@unittest.skipIf(XenAPI is None, "python3-os-xenapi (XenAPI.py) not installed")
class PrecheckRecords(SimCase):
    """The records the wizard-style prechecks read, as XenAPI.py sees them:
    SR/PBD/VDI reached from a VM's disk, pinned VMs' devices, SR-IOV
    networks, cpu_info, license_params, pending tasks, the upgrade plugin,
    and auto_poweron honoured when a host's xapi starts."""

    def session(self):
        x = XenAPI.Session(self.url1)
        self.addCleanup(lambda: x("close")())
        x.login_with_password("root", "secret", "2.21", "poolboot-test")
        return x

    def test_disks_storage_devices(self):
        sim = self.make(
            vms=[{"name": "vm1", "host": "h1", "local_disk": True},
                 {"name": "vm2", "host": "h2", "pci": True, "vgpu": True,
                  "sriov": True}],
            srs=[{"name": "SAN", "shared": True, "unplugged_on": ["h2"]}],
            tasks=[{"name_label": "Async.VM.snapshot"}])
        x = self.session().xenapi
        vm1 = x.VM.get_by_name_label("vm1")[0]
        disk = [b for b in x.VM.get_VBDs(vm1)
                if x.VBD.get_type(b) == "Disk"][0]
        sr = x.VDI.get_SR(x.VBD.get_VDI(disk))
        self.assertIs(x.SR.get_shared(sr), False)
        self.assertEqual(x.SR.get_name_label(sr), "Local storage on h1")
        san = [r for r, v in x.SR.get_all_records().items()
               if v["name_label"] == "SAN"][0]
        pbds = {x.host.get_name_label(x.PBD.get_host(d)):
                x.PBD.get_currently_attached(d) for d in x.SR.get_PBDs(san)}
        self.assertEqual(pbds, {"h1": True, "h2": False})
        h2 = sim.by_name["h2"].ref
        self.assertEqual(sorted(x.host.get_PBDs(h2)), sorted(
            d for d, r in x.PBD.get_all_records().items()
            if r["host"] == h2))
        vm2 = x.VM.get_record(x.VM.get_by_name_label("vm2")[0])
        self.assertEqual(len(vm2["attached_PCIs"]), 1)
        self.assertEqual(x.PCI.get_host(vm2["attached_PCIs"][0]), h2)
        self.assertEqual(x.VGPU.get_VM(vm2["VGPUs"][0]),
                         x.VM.get_by_name_label("vm2")[0])
        net = x.VIF.get_network(vm2["VIFs"][0])
        pif = x.network.get_PIFs(net)[0]
        sriov = x.PIF.get_sriov_logical_PIF_of(pif)
        self.assertEqual(x.network_sriov.get_logical_PIF(sriov[0]), pif)
        # pinned and local-disk VMs prevent evacuation with XAPI's codes
        self.assertEqual(x.host.get_vms_which_prevent_evacuation(h2),
                         {vm2_ref: ["VM_HAS_PCI_ATTACHED", vm2_ref]
                          for vm2_ref in x.VM.get_by_name_label("vm2")})
        h1 = sim.by_name["h1"].ref
        self.assertEqual(list(x.host.get_vms_which_prevent_evacuation(h1)
                              .values())[0][:2], ["VM_REQUIRES_SR", vm1])
        tasks = [t for t in x.task.get_all_records().values()
                 if t["status"] == "pending"]
        self.assertEqual([t["name_label"] for t in tasks],
                         ["Async.VM.snapshot"])

    def test_cpu_licence_plugin(self):
        n = net()
        sim = self.make(n=n, hosts=[
            {"name": "h1", "address": n + "1", "master": True,
             "cpu_info": {"vendor": "AuthenticAMD"},
             "license_params": {"expiry": "20200101T00:00:00Z"},
             "safe2upgrade": "not_enough_space"},
            {"name": "h2", "address": n + "2",
             "safe2upgrade": "missing"}],
            vms=[{"name": "vm1", "host": "h1", "pv": True}])
        x = self.session().xenapi
        h1, h2 = sim.by_name["h1"].ref, sim.by_name["h2"].ref
        ci = x.host.get_cpu_info(h1)
        self.assertEqual(ci["vendor"], "AuthenticAMD")
        self.assertRegex(ci["features_hvm"], r"^[0-9a-f]{8}(-[0-9a-f]{8})*$")
        self.assertEqual(x.host.get_license_params(h1)["expiry"],
                         "20200101T00:00:00Z")
        vm = x.VM.get_record(x.VM.get_by_name_label("vm1")[0])
        self.assertEqual(vm["last_boot_CPU_flags"]["vendor"], "AuthenticAMD")
        self.assertEqual((vm["HVM_boot_policy"], vm["domain_type"]),
                         ("", "pv"))
        url = {"url": "http://127.0.0.1/repo/up/"}
        self.assertEqual(x.host.call_plugin(
            h1, "prepare_host_upgrade.py", "testSafe2Upgrade", url),
            "not_enough_space")
        with self.assertRaises(XenAPI.Failure) as cm:
            x.host.call_plugin(h2, "prepare_host_upgrade.py",
                               "testSafe2Upgrade", url)
        self.assertEqual(cm.exception.details,
                         ["XENAPI_MISSING_PLUGIN", "prepare_host_upgrade.py"])

    def test_auto_poweron_when_a_host_starts(self):
        sim = self.make(other_config={"auto_poweron": "true"}, vms=[
            {"name": "vm1", "host": "h2", "power_state": "Halted",
             "other_config": {"auto_poweron": "true"}},
            {"name": "vm2", "host": "h2", "power_state": "Halted"}])
        x = self.session().xenapi
        vm1 = x.VM.get_by_name_label("vm1")[0]
        self.assertEqual(x.VM.get_other_config(vm1), {"auto_poweron": "true"})
        h2 = sim.by_name["h2"].ref
        x.host.disable(h2)
        x.host.reboot(h2)
        wait_for(lambda: [e for e in sim.log() if e.get("event") == "host_up"])
        st = {v["name"]: v for v in sim.state()["vms"]}
        self.assertEqual((st["vm1"]["power_state"], st["vm1"]["resident_on"]),
                         ("Running", "h2"))
        self.assertEqual(st["vm2"]["power_state"], "Halted")
        self.assertEqual([e["vm"] for e in sim.log()
                          if e.get("event") == "auto_poweron"], ["vm1"])

    def test_no_auto_poweron_when_the_pool_key_is_off(self):
        # the pool's key gates it (scripts/xapi-autostart-vms)
        sim = self.make(other_config={"auto_poweron": "false"}, vms=[
            {"name": "vm1", "host": "h2", "power_state": "Halted",
             "other_config": {"auto_poweron": "true"}}])
        x = self.session().xenapi
        h2 = sim.by_name["h2"].ref
        x.host.disable(h2)
        x.host.reboot(h2)
        wait_for(lambda: [e for e in sim.log() if e.get("event") == "host_up"])
        st = {v["name"]: v for v in sim.state()["vms"]}
        self.assertEqual(st["vm1"]["power_state"], "Halted")


if __name__ == "__main__":
    unittest.main()
