"""power = redfish, against the Redfish BMC simulator (tests/redfishsim).

First the simulator itself is checked with an independent client, Debian's
redfishtool (DMTF's own command-line tool): its calls succeed and change
the simulated BMC as they asked. Then the real `poolboot serve` rebuilds a
dead pool member through the BMC's Redfish API and the XAPI pool
simulator: the BMC gets the one-time UEFI PXE override and the reset, and
its boot starts the simulated host, which installs through poolboot and
joins its pool again. Then what an operator meets when something is
wrong: a wrong password, a certificate that is not the pinned one, a BMC
with two systems, a BMC that does not answer, and the config errors."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from test_rebuild import pool_at_new, sim_host, start, wait_job

sys.path.insert(0, os.path.join(harness.REPO_ROOT, "tests", "redfishsim"))
import redfishsim  # noqa: E402

PASSWORD = "Rf-Sim.4711"
WRONG = "Wr0ng-Pw.0815"


def redfishtool(bmc, *args, password=None, auth="Basic"):
    """Runs Debian's redfishtool against the simulator (https; redfishtool
    does not verify certificates)."""
    argv = ["redfishtool", "-r", bmc.address, "-u", bmc.user, "-p",
            password or bmc.password, "-S", "Always", "-A", auth,
            "-T", "10"] + list(args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env=harness.clean_env())


def system_state(bmc, n=0):
    return bmc.state()["systems"][n]


@unittest.skipUnless(shutil.which("redfishtool"),
                     "needs redfishtool (apt-get install redfishtool)")
class RedfishtoolAgainstSimulator(unittest.TestCase):
    """The simulator, checked with DMTF's redfishtool as the client."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pbrf-")
        self.bmc = redfishsim.RedfishSim(os.path.join(self.dir, "bmc"),
                                         power="On").start()

    def tearDown(self):
        self.bmc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_redfishtool_reads_the_service(self):
        r = redfishtool(self.bmc, "root")
        self.assertEqual(r.returncode, 0, r.stderr)
        root = json.loads(r.stdout)
        self.assertEqual(root["Systems"]["@odata.id"], "/redfish/v1/Systems")
        self.assertIn("RedfishVersion", root)
        r = redfishtool(self.bmc, "Systems", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("/redfish/v1/Systems/1", r.stdout)
        r = redfishtool(self.bmc, "Systems", "-1", "get", auth="Session")
        self.assertEqual(r.returncode, 0, r.stderr)
        sysr = json.loads(r.stdout)
        self.assertEqual(sysr["PowerState"], "On")
        self.assertEqual(sysr["Boot"]["BootSourceOverrideEnabled"],
                         "Disabled")
        self.assertEqual(len(self.bmc.events("session_created")), 1)
        # a wrong password: refused, and redfishtool says so
        r = redfishtool(self.bmc, "Systems", "list", password=WRONG)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertTrue(self.bmc.events("auth_failed"))

    def test_redfishtool_boot_override_and_reset(self):
        r = redfishtool(self.bmc, "Systems", "-1", "setBootOverride", "Once",
                        "Pxe", auth="Session")
        self.assertEqual(r.returncode, 0, r.stderr)
        st = system_state(self.bmc)
        self.assertEqual((st["enabled"], st["target"]), ("Once", "Pxe"))
        patch = self.bmc.events("patch")[-1]
        # redfishtool sends If-Match with the ETag of its GET
        self.assertEqual(patch["if_match"], 'W/"1"')
        r = redfishtool(self.bmc, "Systems", "-1", "reset", "ForceRestart")
        self.assertEqual(r.returncode, 0, r.stderr)
        boot = self.bmc.events("boot")[-1]
        self.assertEqual((boot["target"], boot["override"]), ("Pxe", "Once"))
        # Once is used up by the boot, as on a real BMC
        st = system_state(self.bmc)
        self.assertEqual((st["enabled"], st["power"]), ("Disabled", "On"))
        r = redfishtool(self.bmc, "Systems", "-1", "reset", "ForceOff")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(system_state(self.bmc)["power"], "Off")
        # a value the BMC does not take: a Redfish error, not a change
        r = redfishtool(self.bmc, "raw", "PATCH", "/redfish/v1/Systems/1",
                        "-d", '{"Boot": {"BootSourceOverrideTarget": '
                        '"Floppy"}}')
        self.assertNotEqual(r.returncode, 0, r.stdout)
        rej = self.bmc.events("patch_rejected")[-1]
        self.assertEqual(rej["status"], 400)
        self.assertIn("Floppy", rej["message"])
        self.assertEqual(system_state(self.bmc)["target"], "Pxe")


def redfish_keys(bmc, firmware="uefi", password_file=None, extra=""):
    return ("power = redfish\nfirmware = %s\nredfish_address = https://%s\n"
            "redfish_user = %s\nredfish_password_file = %s\n%s"
            % (firmware, bmc.address, bmc.user,
               password_file or bmc.password_file, extra))


def identity(host, address):
    return ("ip = %s/8\ngateway = 127.0.0.1\ndns = 127.0.0.53\n"
            "hostname = %s.example.com\nroot_password_file = %%s\n"
            % (address, host))


def boot_command(sim, host):
    """What the BMC runs when its system network-boots: the XAPI
    simulator's host powers on (and PXE-boots through poolboot)."""
    return ["curl", "-fsS", "-X", "POST", "-d", json.dumps({"host": host}),
            "http://127.0.0.1:%d/power-on" % sim.cport]


class RedfishRebuild(unittest.TestCase):

    def world(self, name, x, uefi=()):
        pool = pool_at_new(name, x, 3)
        for h in pool["hosts"]:
            if h["name"] in uefi:
                h["firmware"] = "uefi"     # boots GRUB's file, not pxelinux's
        env, sim = start([pool], {}, extra_hosts="")
        self.addCleanup(env.close)
        return env, sim

    def bmc(self, env, sim, host, name="bmc", **kw):
        b = redfishsim.RedfishSim(os.path.join(env.dir, name), password=
                                  PASSWORD, boot_command=boot_command(
                                      sim, host), **kw).start()
        self.addCleanup(b.stop)
        return b

    def configure(self, env, host, lines):
        env.stop()
        env.host_extra = {host: lines % env.root_pw}
        env.write_config()
        env.start()

    def test_rebuild_through_redfish_end_to_end(self):
        env, sim = self.world("rf", 36, uefi=("rfh3",))
        bmc = self.bmc(env, sim, "rfh3", power="Off")
        self.configure(env, "rfh3", identity("rfh3", "127.0.36.3") +
                       redfish_keys(bmc, firmware="uefi", extra=
                                    "redfish_tls_ca = %s\n" % bmc.cert))
        sim.fault("dead", host="rfh3")
        r = env.cli("rebuild", "rfh3", "--wipe", "--follow", timeout=120)
        self.assertEqual(r.returncode, 0, r.out + r.err + env.diag())
        self.assertIn("done", r.out)
        # the BMC got the one-time UEFI PXE override, then the power-on
        patches = bmc.events("patch")
        self.assertEqual(len(patches), 1, patches)
        self.assertEqual(patches[0]["body"], {"Boot": {
            "BootSourceOverrideEnabled": "Once",
            "BootSourceOverrideTarget": "Pxe",
            "BootSourceOverrideMode": "UEFI"}})
        self.assertEqual(patches[0]["auth"], "session")
        self.assertEqual(patches[0]["if_match"], 'W/"1"')
        resets = bmc.events("reset")
        self.assertEqual([(e["reset_type"], e["power_before"])
                          for e in resets], [("On", "Off")])
        self.assertLess(patches[0]["t"], resets[0]["t"])
        boots = bmc.events("boot")
        self.assertEqual([(b["target"], b["mode"], b["override"])
                          for b in boots], [("Pxe", "UEFI", "Once")])
        self.assertEqual(system_state(bmc)["enabled"], "Disabled")
        # the session was ended; the password went nowhere else
        self.assertEqual(len(bmc.events("session_created")), 1)
        self.assertEqual(len(bmc.events("session_deleted")), 1)
        self.assertNotIn(PASSWORD, env.log_text())
        # the BMC's boot booted the host through poolboot: a fresh install,
        # back in its pool
        self.assertEqual([e["mode"] for e in
                          sim.events("answerfile", host="rfh3")], ["fresh"])
        # a UEFI machine: it booted GRUB's file for its MAC, not pxelinux's
        pxe = [e for e in sim.events("pxe", host="rfh3")
               if e["action"] == "install"]
        self.assertEqual(len(pxe), 1, pxe)
        self.assertRegex(pxe[0]["file"], r"/grub/hosts/[0-9a-f:]{17}\.cfg$")
        h = sim_host(sim, "rfh3")
        self.assertEqual(h["pool"], "rf")
        self.assertTrue(h["live"] and h["enabled"], h)
        self.assertIn("boot override Once Pxe UEFI", env.log_text())

    def test_what_the_operator_meets_when_the_bmc_disagrees(self):
        env, sim = self.world("rg", 37)
        bmc = self.bmc(env, sim, "rgh3", power="On")
        wrong = os.path.join(env.dir, "wrong.pw")
        harness.write(wrong, WRONG + "\n", 0o600)
        ident = identity("rgh3", "127.0.37.3")
        self.configure(env, "rgh3", ident + redfish_keys(
            bmc, password_file=wrong, extra="redfish_tls_ca = %s\n"
            % bmc.cert))
        sim.fault("dead", host="rgh3")

        # a wrong password: the job halts at power, naming the BMC and the
        # 401, never the password
        r = env.cli("rebuild", "rgh3", "--wipe", "--json")
        self.assertEqual(r.returncode, 0, r)
        jid = json.loads(r.out)["id"]
        job = wait_job(env, jid, states=("halted",), timeout=60)
        msg = job["error"]
        self.assertIn("BMC " + bmc.address, msg)
        self.assertIn("HTTP 401", msg)
        self.assertIn("redfish_password_file", msg)
        self.assertNotIn(WRONG, msg)
        self.assertNotIn(WRONG, env.log_text())
        self.assertEqual(bmc.events("patch"), [])

        # a pinned fingerprint that is not the BMC's: nothing is sent
        pin = ":".join(["AB"] * 32)
        self.configure(env, "rgh3", ident + redfish_keys(
            bmc, extra="redfish_tls_fingerprint = %s\n" % pin))
        before = len(bmc.events("request"))
        r = env.cli("jobs", "retry", str(jid))
        self.assertEqual(r.returncode, 0, r.out + r.err)
        job = wait_job(env, jid, states=("halted",), timeout=60)
        self.assertIn("not the configured redfish_tls_fingerprint",
                      job["error"])
        self.assertIn(bmc.fingerprint, job["error"])
        self.assertEqual(len(bmc.events("request")), before)

        # a BMC with two systems: which one is the host's must be said
        bmc.stop()
        bmc2 = self.bmc(env, sim, "rgh3", name="bmc2", power="On",
                        systems=2)
        self.configure(env, "rgh3", ident + redfish_keys(
            bmc2, firmware="bios", extra="redfish_tls_fingerprint = %s\n"
            % bmc2.fingerprint))
        r = env.cli("jobs", "retry", str(jid))
        self.assertEqual(r.returncode, 0, r.out + r.err)
        job = wait_job(env, jid, states=("halted",), timeout=60)
        self.assertIn("has 2 systems", job["error"])
        self.assertIn("redfish_system", job["error"])
        self.assertEqual(bmc2.events("patch"), [])

        # named: the rebuild runs to its end through that system
        self.configure(env, "rgh3", ident + redfish_keys(
            bmc2, firmware="bios", extra="redfish_tls_fingerprint = %s\n"
            "redfish_system = /redfish/v1/Systems/2\n" % bmc2.fingerprint))
        r = env.cli("jobs", "retry", str(jid))
        self.assertEqual(r.returncode, 0, r.out + r.err)
        job = wait_job(env, jid, timeout=90)
        self.assertEqual(job["state"], "done", env.diag())
        p = bmc2.events("patch")
        self.assertEqual([(e["system"], e["body"]["Boot"][
            "BootSourceOverrideMode"]) for e in p],
            [("/redfish/v1/Systems/2", "Legacy")])
        self.assertEqual([e["reset_type"] for e in bmc2.events("reset")],
                         ["ForceRestart"])
        self.assertTrue(sim_host(sim, "rgh3")["live"])

    def test_bmc_that_does_not_answer(self):
        env, sim = self.world("rt", 38)
        bmc = self.bmc(env, sim, "rth3", args=("--hang", "60"))
        os.environ["POOLBOOT_REDFISH_TIMEOUT"] = "2"
        try:
            self.configure(env, "rth3", identity("rth3", "127.0.38.3") +
                           redfish_keys(bmc, extra="redfish_tls_ca = %s\n"
                                        % bmc.cert))
        finally:
            del os.environ["POOLBOOT_REDFISH_TIMEOUT"]
        sim.fault("dead", host="rth3")
        t0 = time.time()
        r = env.cli("rebuild", "rth3", "--wipe", "--json")
        self.assertEqual(r.returncode, 0, r)
        job = wait_job(env, json.loads(r.out)["id"], states=("halted",),
                       timeout=60)
        self.assertLess(time.time() - t0, 30)
        self.assertIn("no answer within 2 s", job["error"])
        self.assertIn("BMC " + bmc.address, job["error"])


class RedfishConfig(unittest.TestCase):
    """Missing and contradictory keys: `poolboot check` names file:line."""

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        cls.pw = os.path.join(cls.env.dir, "bmc.pw")
        harness.write(cls.pw, PASSWORD + "\n", 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def check(self, host_lines, defaults=""):
        e = self.env
        text = (e.server_section() + e.base_inventory() +
                ("[defaults]\n%s\n" % defaults if defaults else "") +
                "[host r1]\npool = poolA\nmac = 52:54:00:00:09:01\n"
                "disk = sda\n" + host_lines)
        p = os.path.join(e.dir, "r.conf")
        harness.write(p, text)
        r = e.cli("check", "-c", p, conf=False)
        lines = text.split("\n")
        return r, p, lines

    def line(self, lines, start):
        return next(i + 1 for i, l in enumerate(lines) if l.startswith(start))

    def test_good_redfish_host(self):
        r, _, _ = self.check("power = redfish\nfirmware = uefi\n"
                             "redfish_address = https://10.0.0.50:8443\n"
                             "redfish_user = root\nredfish_password_file = "
                             "%s\nredfish_system = /redfish/v1/Systems/"
                             "System.Embedded.1\nredfish_boot = http\n"
                             % self.pw, defaults="redfish_tls_fingerprint "
                             "= " + ":".join(["0f"] * 32))
        self.assertEqual(r.returncode, 0, r.err)
        self.assertIn("configuration OK", r.out)

    def test_power_redfish_needs_its_keys(self):
        r, p, lines = self.check("power = redfish\nredfish_user = root\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:%d: [host r1]: power = redfish needs "
                      "redfish_address, redfish_user and "
                      "redfish_password_file" % (p, self.line(lines,
                                                              "[host r1]")),
                      r.err)

    def test_bad_and_contradictory_values(self):
        r, p, lines = self.check(
            "power = redfish\nredfish_address = http://10.0.0.50\n"
            "redfish_user = root\nredfish_password_file = %s\n"
            "redfish_tls_ca = %s\nredfish_tls_fingerprint = %s\n"
            "redfish_tls_verify = no\nredfish_system = Systems/1\n"
            "firmware = bios\nredfish_boot = http\n"
            % (self.pw, self.pw, ":".join(["0f"] * 32)))
        self.assertEqual(r.returncode, 1)

        def at(key, words):
            want = "%s:%d: " % (p, self.line(lines, key))
            hits = [l for l in r.err.splitlines() if l.startswith(want)]
            self.assertTrue(any(words in l for l in hits),
                            "%s%s not in:\n%s" % (want, words, r.err))
        at("redfish_address", "plain http is not allowed")
        at("redfish_tls_fingerprint", "contradict")
        at("redfish_tls_verify", "redfish_tls_verify = no contradicts")
        at("redfish_system", "not a ComputerSystem's @odata.id")
        at("redfish_boot", "firmware = bios")

    def test_address_is_per_host_and_verify_no_is_warned(self):
        r, p, lines = self.check(
            "power = redfish\nredfish_user = root\nredfish_password_file = "
            "%s\nredfish_tls_verify = no\n" % self.pw,
            defaults="redfish_address = 10.0.0.50")
        self.assertEqual(r.returncode, 1)
        self.assertIn("'redfish_address' is per host", r.err)
        r, p, lines = self.check(
            "power = redfish\nredfish_address = bmc1.example.com\n"
            "redfish_user = root\nredfish_password_file = %s\n"
            "redfish_tls_verify = no\n" % self.pw)
        self.assertEqual(r.returncode, 0, r.err)
        self.assertIn("%s:%d:" % (p, self.line(lines, "redfish_tls_verify")),
                      r.err)
        self.assertIn("redfish_tls_verify = no", r.err)


if __name__ == "__main__":
    unittest.main()
