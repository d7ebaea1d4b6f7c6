"""Rolling pool upgrades end to end: the real `poolboot serve` and CLI
against the real XAPI pool simulator process (tests/xapisim/xapisim.py),
whose hosts reboot through poolboot's pxelinux files, fetch its answerfile
and run its installation-complete script. Nothing is mocked.

Every pool's `xapi` URL points at a member, so every login goes through
HOST_IS_SLAVE. The official XenAPI.py client is checked against the
simulator in tests/xapisim/test_xapisim.py (XenAPICompatTest).
"""
import collections
import glob
import os
import time
import unittest
import xml.etree.ElementTree as ET

import harness
import simharness as sh
from simharness import NEW, OLD

REMOVING = ("host.disable", "Async.host.disable", "host.evacuate",
            "Async.host.evacuate", "host.reboot", "Async.host.reboot",
            "host.shutdown", "Async.host.shutdown")


class UpgradeBase(unittest.TestCase):
    def setUp(self):
        self._worlds = []

    def tearDown(self):
        worlds, self._worlds = self._worlds, []
        try:
            for env in worlds[1:]:
                env.close()
        finally:
            if worlds:
                worlds[0].close()

    def world(self, pools, **kw):
        env, sim = sh.world(pools, **kw)
        self._worlds.append(env)
        return env, sim

    def cli_ok(self, env, *args):
        p = env.cli(*args)
        self.assertEqual(p.returncode, 0, "poolboot %s: exit %d\n%s%s%s" % (
            " ".join(args), p.returncode, p.out, p.err, env.diag()))
        return p

    def start_upgrade(self, env, pool, *extra):
        p = self.cli_ok(env, "upgrade", pool, *extra)
        self.assertIn("started", p.out)
        return p

    def upgrade_and_wait(self, env, pool, *extra, timeout=40):
        self.start_upgrade(env, pool, *extra)
        st = env.wait_run(pool, timeout=timeout)
        self.assertEqual(st["state"], "done", "run did not finish done:%s"
                         % env.diag(pool))
        return st

    # ---- what an operator would check afterwards --------------------------
    def assert_pool_upgraded(self, env, sim, spec, st):
        names = [h["name"] for h in spec["hosts"]]
        hosts = sim.hosts()
        for n in names:
            h = hosts[n]
            self.assertEqual(h["product_version"], NEW, "%s in XAPI: %r"
                             % (n, h))
            self.assertTrue(h["live"], "%s is not live: %r" % (n, h))
            self.assertTrue(h["enabled"], "%s is left disabled: %r" % (n, h))
        self.assertEqual(st["hosts_done"], len(names), st)
        for h in st["hosts"]:
            self.assertEqual(h["step"], "done", "host %s: %r" % (h["host"], h))
            self.assertEqual((h["old_version"], h["new_version"]), (OLD, NEW),
                             h)
        for h in spec["hosts"]:
            self.assertTrue(harness.is_local_boot(env.pxe_of(h["mac"])),
                            "%s's per-MAC file is not local boot:\n%s"
                            % (h["name"], env.pxe_of(h["mac"])))
        self.assertEqual(sh.down_overlaps(sim.log(), set(names)), [],
                         "two hosts of pool %s were down at once"
                         % spec["name"])

    def install_counts(self, sim, names):
        """Per host: successful installer runs, answerfile fetches by an
        installer, accepted reboots."""
        ok = collections.Counter()
        af = collections.Counter()
        rb = collections.Counter()
        for e in sim.log():
            h = e.get("host")
            if h not in names:
                continue
            if e.get("event") == "script" and e.get("arg") == "0":
                ok[h] += 1
            elif e.get("event") == "answerfile":
                af[h] += 1
            elif e.get("event") == "host_reboot":
                rb[h] += 1
        return ok, af, rb

    def assert_each_installed_once(self, sim, names, env=None, pool=None):
        ok, af, rb = self.install_counts(sim, names)
        diag = env.diag(pool) if env else ""
        for n in names:
            self.assertEqual(ok[n], 1, "%s: %d successful installs%s"
                             % (n, ok[n], diag))
            self.assertEqual(af[n], 1, "%s: answerfile fetched %d times%s"
                             % (n, af[n], diag))
            self.assertEqual(rb[n], 1, "%s: rebooted %d times%s"
                             % (n, rb[n], diag))


# ---------------------------------------------------------------------------
class FullUpgradeTest(UpgradeBase):
    """Acceptance 1: a 4-host pool with running VMs, end to end."""

    def test_four_host_pool(self):
        spec = sh.pool_spec("rp", 21, 4, vms=5)
        env, sim = self.world([spec])
        names = [h["name"] for h in spec["hosts"]]
        master, members = names[0], names[1:]
        st = self.upgrade_and_wait(env, "rp")
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assertEqual([h["host"] for h in st["hosts"]], names)
        self.assertEqual(st["hosts"][0]["role"], "master")
        self.assertIn("guest tools", st["report"])
        log = sim.log()

        # master first: its reboot and its time down come before any member's
        idx = {n: [i for i, e in enumerate(log) if e.get("host") == n and
                   e.get("event") in ("host_reboot", "host_down")]
               for n in names}
        for n in names:
            self.assertEqual(len(idx[n]), 2, "%s: reboot/down events %r"
                             % (n, idx[n]))
        self.assertLess(max(idx[master]), min(min(idx[m]) for m in members),
                        "a member went down before the master")
        # members in name order, one after the other
        self.assertEqual(sorted(members, key=lambda m: idx[m][0]), members)

        # every installer got an upgrade answerfile for its existing install
        afs = [e for e in log if e.get("event") == "answerfile"]
        self.assertEqual(sorted(e["host"] for e in afs), sorted(names))
        for e in afs:
            self.assertEqual(e["mode"], "upgrade", e)
            self.assertEqual(e["root"], "installation", e)
            self.assertTrue(e["existing_installation"], e)
        self.assert_each_installed_once(sim, names, env, "rp")

        # VMs only ever moved to a host at least as new as their source
        version = {n: OLD for n in names}
        moved = 0
        for e in log:
            if e.get("event") == "host_up" and e.get("host") in version:
                version[e["host"]] = e["product_version"]
            elif e.get("event") == "vm_migrated":
                moved += 1
                self.assertGreaterEqual(
                    sh.vtuple(version[e["to"]]), sh.vtuple(version[e["from"]]),
                    "VM %s moved from %s (%s) down to %s (%s)" % (
                        e["vm"], e["from"], version[e["from"]], e["to"],
                        version[e["to"]]))
        self.assertGreater(moved, 0, "no VM was migrated at all")
        # no VM was shut down by a reboot: they were all evacuated first
        for e in log:
            if e.get("event") == "host_down":
                self.assertEqual(e["halted_vms"], [], e)
        for vm in sim.state()["vms"]:
            self.assertEqual(vm["power_state"], "Running", vm)

        # the pool database was saved before anything changed
        dumps = glob.glob(os.path.join(env.state, "dumps", "rp-*.xml"))
        self.assertEqual(len(dumps), 1, dumps)
        self.assertEqual(st["dump"], dumps[0])
        self.assertGreater(os.path.getsize(dumps[0]), 0)
        root = ET.parse(dumps[0]).getroot()
        self.assertEqual(root.tag, "database")
        self.assertIn(master, [r.get("name__label") for r in root.iter("row")])
        first_disable = min(e["t"] for e in log
                            if e.get("method") == "host.disable")
        self.assertLess(os.path.getmtime(dumps[0]), first_disable + 0.01)

        # the CLI tells the same story
        p = self.cli_ok(env, "status", "rp")
        self.assertIn("done", p.out)
        self.assertIn("%s -> %s" % (OLD, NEW), p.out)


# ---------------------------------------------------------------------------
class FailureTest(UpgradeBase):
    """Acceptance 2: a failed install halts the run; nothing after it is
    touched; retry finishes it."""

    def wait_live(self, sim, host, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            h = sim.hosts()[host]
            if h["live"] and h["state"] == "up":
                return h
            time.sleep(0.05)
        self.fail("%s did not come back: %r" % (host, sim.hosts()[host]))

    def test_member_install_failure_then_retry(self):
        spec = sh.pool_spec("fm", 22, 3, vms=2)
        env, sim = self.world([spec])
        m, bad, after = [h["name"] for h in spec["hosts"]]
        sim.fault("install_fail", True, host=bad)
        self.start_upgrade(env, "fm")
        st = env.wait_run("fm")
        self.assertEqual(st["state"], "halted", env.diag("fm"))
        self.assertIn(bad, st["error"])
        self.assertIn("installer did not succeed", st["error"])
        self.assertEqual(sh.host_step(st, m)["step"], "done")
        self.assertEqual(sh.host_step(st, after)["step"], "pending")
        self.assertIn("installer did not succeed",
                      sh.host_step(st, bad)["error"])
        # the host after it is untouched
        self.assertEqual(sim.events("host_reboot", host=after), [])
        self.wait_live(sim, bad)
        hosts = sim.hosts()
        self.assertEqual(hosts[after]["product_version"], OLD)
        self.assertTrue(hosts[after]["enabled"])
        self.assertEqual(hosts[bad]["product_version"], OLD)
        mac = spec["hosts"][1]["mac"]
        self.assertTrue(harness.is_local_boot(env.pxe_of(mac)))
        # the operator sees it
        p = env.cli("status", "fm")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("retry", p.out)
        p = env.cli("upgrade", "fm")
        self.assertEqual(p.returncode, 1, "a second run was started while "
                         "one is halted: " + p.out + p.err)

        sim.clear(host=bad)
        self.cli_ok(env, "retry", "fm")
        st = env.wait_run("fm")
        self.assertEqual(st["state"], "done", env.diag("fm"))
        self.assert_pool_upgraded(env, sim, spec, st)
        ok, af, rb = self.install_counts(sim, {m, bad, after})
        self.assertEqual((ok[m], ok[bad], ok[after]), (1, 1, 1))
        fails = [e for e in sim.events("script", host=bad) if e["arg"] == "1"]
        self.assertEqual(len(fails), 1)
        self.assertEqual((af[bad], rb[bad]), (2, 2))
        self.assertEqual((af[after], rb[after]), (1, 1))

    def test_stuck_installer_halts_alike_with_a_kill9(self):
        """A host never calls back from its installer (a console error
        screen): the run halts at install_timeout with the install step's
        own message, and the host is disarmed, whether or not poolboot was
        killed (kill -9) and restarted while it installed. Here the host
        is the member whose address is the pool's one configured xapi URL,
        so a restarted poolboot cannot reach the pool until that host is
        back. A restarted coordinator first reads the pool's master; that
        read failing must not halt the run in place of the install step,
        which needs no XAPI (it did: "reading the pool's master: ...
        Couldn't connect ... gave up after the step timeout", the host
        left armed)."""
        for i, kill in enumerate((False, True)):
            with self.subTest(kill9=kill):
                name = "sk%d" % i
                spec = sh.pool_spec(name, 43 + i, 2, vms=1)
                env, sim = self.world([spec],
                                      pool_opts={"install_timeout": 4})
                member = spec["hosts"][1]["name"]
                with open(env.conf) as f:
                    self.assertIn(spec["hosts"][1]["address"], f.read())
                sim.fault("never_return", True, host=member)
                self.start_upgrade(env, name)
                self.assertIsNotNone(env.wait_step(name, member,
                                                   {"install"}),
                                     env.diag(name))
                # the host is off (its XAPI gone) before poolboot dies
                deadline = time.time() + 10
                while not sim.events("never_return", host=member):
                    self.assertLess(time.time(), deadline, env.diag(name))
                    time.sleep(0.02)
                if kill:
                    env.kill9()
                    env.start()
                st = env.wait_run(name, timeout=30)
                self.assertEqual(st["state"], "halted", env.diag(name))
                self.assertIn("host %s, step install: no callback from the "
                              "installer within 4 s (install_timeout)"
                              % member, st["error"], env.diag(name))
                self.assertEqual(env.state_of(member), "idle",
                                 "the stuck host is still armed")
                if kill:
                    self.assertIn("resuming run", env.log_text())
                    self.assertIn("cannot read the pool's master while %s "
                                  "is in its installer" % member,
                                  env.log_text())

    def test_master_install_failure_touches_no_member(self):
        spec = sh.pool_spec("fx", 23, 3, vms=2)
        env, sim = self.world([spec])
        master = spec["hosts"][0]["name"]
        members = [h["name"] for h in spec["hosts"][1:]]
        refs = {n: h["ref"] for n, h in sim.hosts().items()}
        before = sim.hosts()
        sim.fault("install_fail", True, host=master)
        self.start_upgrade(env, "fx")
        st = env.wait_run("fx")
        self.assertEqual(st["state"], "halted", env.diag("fx"))
        self.assertIn(master, st["error"])
        self.assertIn("installer did not succeed", st["error"])
        for m in members:
            self.assertEqual(sh.host_step(st, m)["step"], "pending")
        self.wait_live(sim, master)
        time.sleep(0.3)     # a runner that went on would act now
        log = sim.log()
        for e in log:
            if e.get("method") in REMOVING:
                for m in members:
                    self.assertNotIn(refs[m], e.get("args", []),
                                     "member %s touched: %r" % (m, e))
            if e.get("event") in ("host_reboot", "host_down", "host_up"):
                self.assertEqual(e["host"], master, e)
        after = sim.hosts()
        for m in members:
            self.assertEqual(after[m]["product_version"], OLD)
            self.assertTrue(after[m]["enabled"] and after[m]["live"])
            self.assertEqual(after[m]["boot_time"], before[m]["boot_time"])
        self.assertEqual(after[master]["product_version"], OLD)

        # abort: the master is enabled again, nothing stays armed
        self.cli_ok(env, "abort", "fx")
        st = env.wait_run("fx", states=("aborted",), timeout=10)
        self.assertTrue(sim.hosts()[master]["enabled"])
        for h in spec["hosts"]:
            path = os.path.join(env.tftp, "pxelinux.cfg",
                                harness.pxe_name(h["mac"]))
            if os.path.exists(path):
                self.assertTrue(harness.is_local_boot(env.pxe_of(h["mac"])))


# ---------------------------------------------------------------------------
class KillTest(UpgradeBase):
    """Acceptance 3: kill -9 of poolboot serve in every step; a restart
    resumes the run without upgrading a host twice or skipping one.

    To kill *inside* a step, the simulator is frozen (SIGSTOP) as soon as
    the API shows the host in that step: the coordinator can then not
    finish any XAPI call nor receive an installer callback, so the step
    shown is the step it is in when it dies."""

    # step -> hosts to try, in order (master "1", member "2")
    PLAN = [("disable", "1"), ("evacuate", "2"), ("arm", "2"),
            ("reboot", "1"), ("install", "2"), ("rejoin", "1"),
            ("return", "2")]

    def kill_in(self, x, step, first):
        pool = "k" + step[:3]
        spec = sh.pool_spec(pool, x, 2, vms=2)
        env, sim = self.world([spec])
        try:
            return self._kill_in(env, sim, spec, pool, step, first)
        finally:
            self._worlds.remove(env)
            env.close()

    def _kill_in(self, env, sim, spec, pool, step, first):
        names = [h["name"] for h in spec["hosts"]]
        order = [pool + "h" + first] + [n for n in names
                                       if n != pool + "h" + first]
        self.start_upgrade(env, pool)
        caught = None
        for host in order:
            if env.wait_step(pool, host, {step}) is None:
                continue
            sim.pause()
            try:
                if sh.host_step(env.status(pool), host)["step"] == step:
                    env.kill9()
                    caught = host
                    env.start()
            finally:
                sim.resume()
            if caught:
                break
        self.assertIsNotNone(caught, "never saw a host in step %s%s"
                             % (step, env.diag(pool)))
        self.caught.append((step, caught))
        self.assertIn("resuming run", env.log_text())
        st = env.wait_run(pool)
        self.assertEqual(st["state"], "done", "killed in %s of %s:%s"
                         % (step, caught, env.diag(pool)))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(sim, set(names), env, pool)
        return caught

    def test_kill9_while_xapi_still_evacuates(self):
        """Killed while XAPI is still emptying a host: the restarted
        coordinator's evacuate meets the first one still running
        (OTHER_OPERATION_IN_PROGRESS). It waits for it, as for any busy
        host, instead of halting the run."""
        spec = sh.pool_spec("kev", 37, 2, vms=6, master=1,
                            evacuate_delay=0.5)
        env, sim = self.world([spec])
        names = [h["name"] for h in spec["hosts"]]
        self.start_upgrade(env, "kev")
        self.assertIsNotNone(env.wait_step("kev", "kevh2", {"evacuate"},
                                           period=0.02), env.diag("kev"))
        time.sleep(0.3)         # XAPI's evacuation of kevh2 is under way
        env.kill9()
        env.start()
        st = env.wait_run("kev")
        self.assertEqual(st["state"], "done", env.diag("kev"))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(sim, set(names), env, "kev")

    def test_kill9_in_every_step(self):
        self.caught = []
        for i, (step, first) in enumerate(self.PLAN):
            with self.subTest(step=step):
                self.kill_in(31 + i, step, first)
        # the master and a member were each killed at least once
        self.assertEqual({h[-1] for _, h in self.caught}, {"1", "2"},
                         self.caught)


# ---------------------------------------------------------------------------
class LivenessTest(UpgradeBase):
    """Never two hosts of a pool down: immediately before a host's reboot
    every other host is live and enabled per XAPI (read then, not at the
    disable step), else the run halts naming the host and what to do.
    Evacuations are slowed (slow_tasks) so that another member can change
    while one is being emptied, as a 30-minute evacuation allows."""

    def test_member_dies_during_evacuation_no_reboot(self):
        spec = sh.pool_spec("lv", 44, 3, faults={"slow_tasks": 1.0})
        env, sim = self.world([spec])
        names = [h["name"] for h in spec["hosts"]]
        self.start_upgrade(env, "lv")
        self.assertIsNotNone(env.wait_step("lv", "lvh2", {"evacuate"},
                                           period=0.02))
        sim.fault("dead", host="lvh3")
        st = env.wait_run("lv")
        self.assertEqual(st["state"], "halted", env.diag("lv"))
        self.assertEqual(sh.host_step(st, "lvh2")["step"], "reboot",
                         env.diag("lv"))
        self.assertIn("lvh3", st["error"])
        self.assertIn("not live", st["error"])
        self.assertIn("retry", st["error"])
        # lvh2 was never rebooted: one host of the pool down, not two
        self.assertEqual(sim.events("host_reboot", host="lvh2"), [])
        self.assertTrue(sim.hosts()["lvh2"]["live"])
        self.assertEqual(sh.down_overlaps(sim.log(), set(names)), [])

    def test_member_disabled_during_evacuation_halts_then_retry(self):
        spec = sh.pool_spec("le", 45, 3, vms=2, faults={"slow_tasks": 1.0})
        env, sim = self.world([spec])
        names = [h["name"] for h in spec["hosts"]]
        self.start_upgrade(env, "le")
        self.assertIsNotNone(env.wait_step("le", "leh2", {"evacuate"},
                                           period=0.02))
        # an operator puts leh3 into maintenance meanwhile
        sim.fault("enabled", False, host="leh3")
        st = env.wait_run("le")
        self.assertEqual(st["state"], "halted", env.diag("le"))
        self.assertEqual(sh.host_step(st, "leh2")["step"], "reboot")
        self.assertIn("leh3", st["error"])
        self.assertIn("disabled", st["error"])
        self.assertEqual(sim.events("host_reboot", host="leh2"), [])
        # enabled again: retry reboots leh2 and finishes the run
        sim.fault("enabled", True, host="leh3")
        sim.clear(pool="le")
        self.cli_ok(env, "retry", "le")
        st = env.wait_run("le")
        self.assertEqual(st["state"], "done", env.diag("le"))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(sim, set(names), env, "le")


# ---------------------------------------------------------------------------
class ResilienceTest(UpgradeBase):
    """Acceptance 4: sessions expiring, HOST_IS_SLAVE, dropped connections:
    the run completes without operator help."""

    def test_expired_sessions_and_dropped_connections(self):
        spec = sh.pool_spec("rs", 25, 3, vms=2)
        env, sim = self.world([spec], pool_opts={"install_timeout": 8})
        master, m2, m3 = [h["name"] for h in spec["hosts"]]
        self.start_upgrade(env, "rs")
        self.assertIsNotNone(env.wait_step("rs", m2, {"evacuate"}))
        sim.fault("expire_sessions", True, pool="rs")
        # connections to the master dropped while the last member is
        # being emptied, armed or rebooted (its steps take milliseconds
        # now, so the fault is set as soon as the test sees any of them;
        # the next three requests to the master are dropped)
        self.assertIsNotNone(env.wait_step("rs", m3,
                                           {"evacuate", "arm", "reboot"}))
        sim.fault("drop_connections", 3, host=master)
        st = env.wait_run("rs")
        self.assertEqual(st["state"], "done", env.diag("rs"))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(sim, {master, m2, m3}, env, "rs")
        log = sim.log()
        self.assertGreaterEqual(len([e for e in log
                                     if e.get("event") == "dropped"]), 1)
        self.assertTrue(any("SESSION_INVALID" in str(e.get("error"))
                            for e in log), "the expired session was never "
                        "used: the fault did not hit")
        slave = [e for e in log if e.get("method") ==
                 "session.login_with_password" and
                 "HOST_IS_SLAVE" in str(e.get("error"))]
        self.assertTrue(slave, "no login went through HOST_IS_SLAVE")
        self.assertNotEqual(slave[0]["host"], master)


# ---------------------------------------------------------------------------
class PrecheckTest(UpgradeBase):
    """Acceptance 5: prechecks refuse with a clear message and change
    nothing; --dry-run prints the plan; --disable-ha restores HA."""

    def refused(self, env, sim, pool, spec, needle, check):
        names = [h["name"] for h in spec["hosts"]]
        before = sim.hosts()
        p = env.cli("precheck", pool)
        self.assertEqual(p.returncode, 1, p.out + p.err)
        fails = [l for l in p.out.splitlines() if "[FAIL]" in l]
        self.assertTrue(any(check in l and needle in l for l in fails),
                        "no FAIL line for %r naming %r:\n%s" % (check, needle,
                                                               p.out))
        self.assertIn("nothing was changed", p.out)
        p = env.cli("upgrade", pool)
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("refused", p.err)
        self.assertIn(needle, p.out + p.err)
        self.assertIsNone(env.status(pool)["run"])
        self.assertEqual(glob.glob(os.path.join(env.state, "dumps",
                                                pool + "-*")), [])
        after = sim.hosts()
        for n in names:
            for k in ("product_version", "enabled", "live", "boot_time",
                      "resident_vms"):
                self.assertEqual(after[n][k], before[n][k], (n, k))
        refs = {before[n]["ref"] for n in names}
        for e in sim.log():
            if e.get("method") in REMOVING or e.get("method") in (
                    "pool.disable_ha", "pool.set_wlb_enabled"):
                self.assertFalse(refs & set(map(str, e.get("args", []))) or
                                 e["method"].startswith("pool."),
                                 "%s was changed: %r" % (pool, e))

    def test_refusals_dry_run_and_disable_ha(self):
        ha = sh.pool_spec("pha", 26, 2, ha_enabled=True)
        cd = sh.pool_spec("pcd", 27, 2, vms=2)
        cd["vms"][1]["cd"] = True
        ev = sh.pool_spec("pev", 28, 2, vms=2)
        ev["vms"][0]["prevents_evacuation"] = True
        mx = sh.pool_spec("pmx", 29, 3)
        mx["hosts"][2]["product_version"] = "8.1.0"
        ok = sh.pool_spec("pok", 30, 3, vms=2, master=2)
        env, sim = self.world([ha, cd, ev, mx, ok])

        self.refused(env, sim, "pha", ha, "--disable-ha", "HA")
        self.assertTrue(sim.pool_state("pha")["ha_enabled"])
        self.refused(env, sim, "pcd", cd, "pcdvm2", "CD drives")
        self.refused(env, sim, "pev", ev, "pevvm1", "evacuation")
        self.refused(env, sim, "pmx", mx, "8.1.0", "same version")

        # --dry-run: the plan, master first, and nothing changes
        before = sim.hosts()
        p = self.cli_ok(env, "upgrade", "pok", "--dry-run")
        self.assertIn("nothing was changed", p.out)
        plan = [l.split()[1] for l in p.out.splitlines()
                if l.strip()[:2] in ("1.", "2.", "3.")]
        self.assertEqual(plan, ["pokh2", "pokh1", "pokh3"], p.out)
        self.assertIn("master", [l for l in p.out.splitlines()
                                 if "pokh2" in l and "1." in l][0])
        self.assertIsNone(env.status("pok")["run"])
        self.assertEqual(sim.hosts(), before)
        self.assertEqual(sim.calls("host.disable"), [])

        # --disable-ha: HA off for the run, back on at the end
        st = self.upgrade_and_wait(env, "pha", "--disable-ha")
        self.assert_pool_upgraded(env, sim, ha, st)
        self.assertTrue(sim.pool_state("pha")["ha_enabled"],
                        "HA was not turned back on")
        log = sim.log()
        t_off = [e["t"] for e in log if e.get("method") == "pool.disable_ha"
                 and e.get("status") == "Success"]
        t_on = [e["t"] for e in log if e.get("method") == "pool.enable_ha"
                and e.get("status") == "Success"]
        reboots = [e["t"] for e in log if e.get("event") == "host_reboot"
                   and e["host"].startswith("pha")]
        ups = [e["t"] for e in log if e.get("event") == "host_up"
               and e["host"].startswith("pha")]
        self.assertEqual(len(t_off), 1, "HA turned off %d times" % len(t_off))
        self.assertEqual(len(t_on), 1, "HA turned on %d times" % len(t_on))
        self.assertLess(t_off[0], min(reboots))
        self.assertGreater(t_on[0], max(ups))

    def test_unsupported_upgrade_path(self):
        spec = sh.pool_spec("p71", 24, 2, version="7.1.0")
        env, sim = self.world([spec], repo_version="7.6.0")
        self.refused(env, sim, "p71", spec, "Cumulative Update 1",
                     "upgrade path")


# ---------------------------------------------------------------------------
class TwoPoolsTest(UpgradeBase):
    """Acceptance 6: two pools upgraded at the same time."""

    def test_two_pools_at_once(self):
        a = sh.pool_spec("ta", 37, 3, vms=1)
        b = sh.pool_spec("tb", 38, 3, vms=1)
        env, sim = self.world([a, b])
        self.start_upgrade(env, "ta")
        self.start_upgrade(env, "tb")
        sa = env.wait_run("ta")
        sb = env.wait_run("tb")
        self.assertEqual((sa["state"], sb["state"]), ("done", "done"),
                         env.diag("ta") + env.diag("tb"))
        self.assert_pool_upgraded(env, sim, a, sa)
        self.assert_pool_upgraded(env, sim, b, sb)
        self.assertLess(sa["created_at"], sb["finished_at"])
        self.assertLess(sb["created_at"], sa["finished_at"])
        # really at once: a host of tb was rebooted while ta's run was
        # between its first reboot and its last host coming back
        log = sim.log()
        span = {}
        for pool in ("ta", "tb"):
            ts = [e["t"] for e in log if e.get("event") in (
                "host_reboot", "host_up") and e["host"].startswith(pool)]
            span[pool] = (min(ts), max(ts))
        self.assertLess(span["ta"][0], span["tb"][1], span)
        self.assertLess(span["tb"][0], span["ta"][1], span)
        inside = [e for e in log if e.get("event") == "host_reboot" and
                  e["host"].startswith("tb") and
                  span["ta"][0] < e["t"] < span["ta"][1]]
        self.assertTrue(inside, "no host of tb was rebooted while ta's run "
                        "was rebooting its hosts: the runs did not overlap "
                        "%r" % span)
        names = [h["name"] for h in a["hosts"] + b["hosts"]]
        self.assert_each_installed_once(sim, set(names), env)


if __name__ == "__main__":
    unittest.main()
