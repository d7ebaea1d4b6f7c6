"""The dashboard's hosts table and its per-host actions, in a real headless
Chromium (tests/web/dashboard-actions.js) against the real `poolboot serve`
and the XAPI simulator:

- a host done in an earlier run but pending in the current one shows
  pending; a host the run failed on shows failed, and its VERSION the
  version it is on with the failure, not an arrow to the target;
- arm (with the wipe choice for a fresh-mode host only), disarm, retry of
  the host a run halted on (POST /pools/P/retry) and of a halted install
  job (POST /jobs/ID/retry), each confirmed first, its answer shown, its
  effect checked through the API;
- a read-only token (poolboot token add viewer --read-only): the server's
  403 to a change sent with it shown as text, the actions then hidden;
  signed in with it, no action offered from the start (GET /whoami) and a
  POST forced from the page refused by the server;
- the audit panel (GET /api/v1/audit), or, on a server without that route,
  no panel.
A screenshot goes to tests/artifacts/dashboard-actions.png.
"""
import json
import os
import subprocess
import time
import unittest

import harness
import simharness as sh
from test_audit import add_token
from test_dashboard import ARTIFACTS, WEB_TEST_DIR, _setup_browser

MAC_JOB = "52:54:00:77:00:01"
MAC_WIPE = "52:54:00:77:00:02"
FRESH = ("[host %s]\nrepo = up\nmode = fresh\nmac = %s\ndisk = sda\n"
         "hostname = %s.example.com\nroot_password_file = %s\n\n")


def wait(what, fn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class DashboardActionsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.skip_reason = _setup_browser()

    def setUp(self):
        if self.skip_reason:
            self.skipTest(self.skip_reason)
        spec = sh.pool_spec("da", 44, 3)
        env = sh.UpgradeEnv()
        try:
            sim = sh.Sim({"tftp_root": env.tftp, "port": 0,
                          "control_port": 0, "pools": [spec]}, env.dir)
            env.sim, env.pools = sim, [spec]
            env.write_config(extra_hosts=(
                FRESH % ("fresh1", MAC_JOB, "fresh1", env.root_pw) +
                FRESH % ("fresh2", MAC_WIPE, "fresh2", env.root_pw)))
            env.start()
        except BaseException:
            env.close()
            raise
        self.env, self.sim = env, sim
        self.addCleanup(env.close)

    def upgrade(self):
        r = self.env.api("POST", "/pools/da/upgrade",
                         body='{"dry_run": false}')
        self.assertEqual(r.status, 202, r)
        return r.json()["run"]

    def halted_install_job(self, host, mac):
        """An install job of host halted in step install: its installer
        reported failure (1), as the installation-complete script does."""
        env = self.env
        r = env.api("POST", "/hosts/%s/install" % host, body='{"wipe": true}')
        self.assertEqual(r.status, 202, r)
        jid = r.json()["id"]
        wait("job %d waiting for its installer" % jid, lambda: env.api(
            "GET", "/jobs/%d" % jid).json()["step"] == "install")
        url = env.answerfile_url(mac)
        token = harness.TOKEN_RE.search(url).group(2)
        self.assertEqual(env.get(env.url_path(url)).status, 200)
        r = env.request("POST", "/hosts/%s/%s/callback/1" % (host, token),
                        body="")
        self.assertEqual(r.status, 200, r)
        job = wait("job %d halted" % jid, lambda: (lambda j: j if j["state"]
                   == "halted" else None)(env.api("GET", "/jobs/%d"
                                                  % jid).json()))
        self.assertEqual(job["step"], "install", job)
        return jid

    def test_hosts_table_states_and_actions(self):
        env, sim = self.env, self.sim
        # run 1: every host upgraded 8.2.0 -> 8.2.1 (hosts' state: done)
        self.upgrade()
        self.assertEqual(env.wait_run("da")["state"], "done", env.diag("da"))
        # a newer repo (8.2.2): run 2 halts on dah2, whose install fails;
        # dah3 waits, its state from run 1 still "done"
        env.stop()
        harness.write(os.path.join(env.repo, ".treeinfo"),
                      harness.TREEINFO.replace("version = 8.2.1",
                                               "version = 8.2.2"))
        env.start()
        sim.fault("install_fail", host="dah2")
        run = self.upgrade()
        st = env.wait_run("da")
        self.assertEqual(st["state"], "halted", env.diag("da"))
        steps = {h["host"]: h["step"] for h in st["hosts"]}
        self.assertEqual(steps, {"dah1": "done", "dah2": "install",
                                 "dah3": "pending"}, env.diag("da"))
        states = {h["name"]: h["state"] for h in env.api("GET",
                                                         "/hosts").json()}
        self.assertEqual(states["dah3"], "done", states)
        sim.clear(host="dah2")      # the retry from the page succeeds
        jid = self.halted_install_job("fresh1", MAC_JOB)

        world = {"pool": "da", "run": run, "old": "8.2.1",
                 "target": "8.2.2", "done": "dah1", "failed": "dah2",
                 "pending": "dah3", "wipe": "fresh2", "job_host": "fresh1",
                 "job": jid, "viewer_token": add_token(env, "viewer",
                                                        read_only=True)}
        wpath = os.path.join(env.dir, "world.json")
        with open(wpath, "w") as f:
            json.dump(world, f)
        os.makedirs(ARTIFACTS, exist_ok=True)
        out = os.path.join(ARTIFACTS, "dashboard-actions.png")
        p = subprocess.run(
            ["node", os.path.join(WEB_TEST_DIR, "dashboard-actions.js"),
             env.admin_base, env.admin_token(), out, wpath],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=240,
            env=harness.clean_env())
        so = p.stdout.decode("utf-8", "replace")
        se = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "dashboard-actions exited %d:\n%s"
                         "\n%s%s" % (p.returncode, se, so[-4000:],
                                     env.diag("da")))
        # what the page did, as the server saw it
        st = env.status("da")
        self.assertEqual(st["state"], "done")
        self.assertEqual({h["host"]: h["new_version"] for h in st["hosts"]},
                         {"dah1": "8.2.2", "dah2": "8.2.2", "dah3": "8.2.2"})
        hosts = {h["name"]: h for h in env.api("GET", "/hosts").json()}
        self.assertIsNone(hosts["fresh2"]["armed"])
        self.assertIsNone(hosts["dah1"]["armed"])
        self.assertEqual(env.api("GET", "/jobs/%d" % jid).json()["state"],
                         "running")
        msgs = [e["message"] for e in env.events(host="fresh2")]
        self.assertTrue(any("armed for fresh install" in m for m in msgs),
                        msgs)
        self.assertTrue(any(m.startswith("disarmed") for m in msgs), msgs)
        if "SKIP audit panel" in se:
            print("\n  " + [l for l in se.splitlines()
                            if "SKIP audit panel" in l][0])


if __name__ == "__main__":
    unittest.main()
