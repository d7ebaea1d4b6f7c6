#!/usr/bin/env python3
"""xapisim with real boots: a host whose spec has "boot_command" boots a
real machine when it reboots, instead of the simulator's Python PXE model.

  python3 tests/e2e/simhook.py --spec SPEC.json     (like xapisim.py)

A host in the spec may have

  "boot_command": ["python3", "tests/e2e/machine.py", "--mac", MAC, ...]

When that host reboots (host.reboot, or /power-on), after it went down the
simulator runs the command (environment: XAPISIM_HOST, XAPISIM_MAC) and
waits for it. The command boots the machine through PXE and prints, as its
last line on stdout, one JSON object for the simulator's _come_back:
{"action": "local" | "upgrade" | "fresh" | "reinstall" | "restore" |
"failed" | "stuck", "product_version": ..., "build_number": ...,
"platform_version": ..., "product_brand": ...}. "stuck" (also: no JSON, or
a non-zero exit) leaves the host dead, as the simulator's installer error
screen does. After reboot_delay the host comes back with the version the
real installer run reported. Hosts without boot_command boot as in
xapisim. Events in the simulator log: "boot_command" (argv) and
"boot_result" (rc, result, seconds).

tests/xapisim/ is not changed: this file replaces Simulator._boot.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "xapisim"))

import xapisim  # noqa: E402

_python_boot = xapisim.Simulator._boot


def _host_spec(sim, name):
    for ps in sim.spec.get("pools", []):
        for hs in ps.get("hosts", []):
            if hs.get("name") == name:
                return hs
    return {}


def _boot(self, h):
    cmd = _host_spec(self, h.name).get("boot_command")
    if not cmd:
        return _python_boot(self, h)
    if self.stopping:
        return None
    if self.fault_value(h, "never_return"):
        self.log_event("never_return", host=h.name, pool=h.pool.name)
        with self.lock:
            h.state = "dead"
        return None
    self.log_event("boot_command", host=h.name, argv=cmd)
    env = dict(os.environ, XAPISIM_HOST=h.name, XAPISIM_MAC=h.mac)
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, env=env, text=True)
    out = ""
    while True:
        try:
            out, _ = p.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if self.stopping:
                p.terminate()
                try:
                    p.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.communicate()
                return None
    result = None
    lines = [l for l in (out or "").splitlines() if l.strip()]
    if p.returncode == 0 and lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = None
    if not isinstance(result, dict) or "action" not in result:
        result = {"action": "stuck", "reason": "boot command exited %s "
                  "without a result" % p.returncode}
    self.log_event("boot_result", host=h.name, rc=p.returncode,
                   result=result, seconds=round(time.monotonic() - t, 1))
    if result["action"] == "stuck" or self.stopping:
        with self.lock:
            h.state = "dead"
        return None
    if result["action"] in ("upgrade", "fresh", "reinstall") and \
            not result.get("product_version"):
        result = {"action": "failed"}    # an install without a version
    time.sleep(float(h.pool.reboot_delay))
    if self.stopping:
        return None
    self._come_back(h, result)
    return None


xapisim.Simulator._boot = _boot

if __name__ == "__main__":
    sys.exit(xapisim.main())
