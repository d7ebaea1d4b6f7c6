"""Admin actions on another site's pool asked through any instance's API
(docs/scale-out.md, "Sites, standbys and failover"): queued in the
database for the pool's site, carried out by that site's active instance
as its own API would, the result kept with the action (GET
/api/v1/site-actions/ID) and in the pool's events. Two instances of two
sites on one database, as in test_failover.py (on PostgreSQL with
POOLBOOT_TEST_PG); the real XAPI simulator, real HTTP, the real CLI.
"""
import json
import re
import time
import unittest

import harness
import simharness as sh
from test_failover import PeersBase, restart_in_site
from test_rebuild import pool_at_new, start, wait_job


class SiteQueueTest(PeersBase):

    def two_sites(self, spec):
        """env: east's instance; w: west's, whose pool spec is."""
        env, sim = self.world([spec])
        with open(env.conf) as f:
            text = f.read()
        harness.write(env.conf, text.replace(
            "[pool %s]\n" % spec["name"],
            "[pool %s]\nsite = west\n" % spec["name"]))
        restart_in_site(env, "east")
        w = self.peer_elsewhere(env, "west")
        w.start()
        w.wait_log("site:west taken by this instance")
        return env, sim, w

    def queued(self, env, path, body=None, what="pool"):
        """POSTs path to env: 202 queued for west; the action's id."""
        r = env.api("POST", path, body=json.dumps(body or {}).encode())
        self.assertEqual(r.status, 202, r)
        doc = r.json()
        self.assertEqual(doc["site"], "west", doc)
        self.assertIn("queued for site west's instance", doc["message"])
        return doc["queued"]

    def action_done(self, env, aid, timeout=20):
        """The action's document once west's instance did it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = env.api("GET", "/site-actions/%d" % aid)
            self.assertEqual(r.status, 200, r)
            doc = r.json()
            if doc["state"] == "done":
                return doc
            time.sleep(0.2)
        raise AssertionError("action %d not done within %d s: %r%s"
                             % (aid, timeout, doc, env.diag()))

    def pool_events(self, env, pool):
        r = env.api("GET", "/events?pool=%s&limit=200" % pool)
        self.assertEqual(r.status, 200, r)
        return [e["message"] for e in r.json()["events"]]

    def test_upgrade_asked_of_east_runs_on_west_to_done(self):
        spec = sh.pool_spec("pw", 61, 2)
        env, sim, w = self.two_sites(spec)
        # the CLI against east's instance: queued, then west's result
        p = env.cli("upgrade", "pw")
        self.assertEqual(p.returncode, 0, p.out + p.err + w.log_tail())
        self.assertIn("upgrade of pw queued for site west's instance "
                      "(action ", p.out)
        self.assertRegex(p.out, r"site west: ok: run \d+ started")
        st = env.wait_run("pw", timeout=90)
        self.assertEqual(st["state"], "done", env.diag("pw"))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(
            sim, {h["name"] for h in spec["hosts"]}, env)
        # driven by west's instance only
        self.assertIn("pool pw: host pwh1: step disable", w.log_text())
        self.assertNotIn("pool pw: host", env.log_text())
        ev = self.pool_events(env, "pw")
        self.assertTrue(any("upgrade asked through site west's queue "
                            "(action" in m and ": ok: run %d started"
                            % st["run"] in m for m in ev), ev)
        # east's audit log says where the upgrade went
        audit = env.api("GET", "/audit").json()["audit"]
        self.assertTrue(any(e["action"] == "upgrade" and e["status"] == 202
                            and "queued for site west (action " in
                            e["result"] for e in audit), audit)
        # unknown pools are still answered by the asked instance
        r = env.api("POST", "/pools/nosuch/upgrade", body={})
        self.assertEqual(r.status, 404, r)
        r = env.api("GET", "/site-actions/999999")
        self.assertEqual(r.status, 404, r)

    def test_refusal_and_abort_through_the_other_site(self):
        spec = sh.pool_spec("pw", 62, 2)
        env, sim, w = self.two_sites(spec)
        master = spec["hosts"][0]["name"]
        sim.fault("install_fail", True, host=master)
        # the body goes with the action: placement leave
        aid = self.queued(env, "/pools/pw/upgrade",
                          body={"placement": "leave"})
        doc = self.action_done(env, aid)
        self.assertEqual((doc["status"], doc["ok"]), (202, True), doc)
        self.assertEqual(doc["action"], "upgrade")
        self.assertIn('"placement": "leave"', doc["args"])
        self.assertTrue(doc["taken_by"].startswith("west/"), doc)
        st = env.wait_run("pw", timeout=60)
        self.assertEqual(st["state"], "halted", env.diag("pw"))
        self.assertEqual(st["placement"], "leave", st)
        # a second upgrade is west's instance's to refuse: its status and
        # message with the action and in the pool's events
        aid2 = self.queued(env, "/pools/pw/upgrade")
        doc = self.action_done(env, aid2)
        self.assertEqual((doc["status"], doc["ok"]), (409, False), doc)
        self.assertIn("refused: pool pw already has a halted run",
                      doc["result"])
        self.assertTrue(any("(action %d): refused: pool pw already has a "
                            "halted run" % aid2 in m and "(HTTP 409)" in m
                            for m in self.pool_events(env, "pw")))
        # the CLI says the refusal, exit 1
        p = env.cli("upgrade", "pw")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("queued for site west's instance", p.out)
        self.assertIn("site west's instance refused the upgrade (HTTP 409)"
                      ": pool pw already has a halted run", p.err)
        # a rebuild of west's host too: queued with its wipe, refused
        # by west's jobs (the pool's run; no identity for a fresh
        # install), the refusal in the host's events
        member = spec["hosts"][1]["name"]
        aid3 = self.queued(env, "/hosts/%s/rebuild" % member,
                           body={"wipe": True})
        doc = self.action_done(env, aid3)
        self.assertEqual((doc["action"], doc["args"]), ("rebuild", "wipe"))
        self.assertEqual((doc["status"], doc["ok"]), (409, False), doc)
        self.assertTrue(doc["result"].startswith("refused: "), doc)
        self.assertTrue(any("rebuild asked through site west's queue "
                            "(action %d): refused: " % aid3 in e["message"]
                            for e in env.events(host=member)))
        # a job that does not exist is the asked instance's 404
        r = env.api("POST", "/jobs/4242/abort", body=b"{}")
        self.assertEqual(r.status, 404, r)
        # abort through east: west's instance aborts it
        p = env.cli("abort", "pw")
        self.assertEqual(p.returncode, 0, p.out + p.err + w.log_tail())
        self.assertIn("abort of pw queued for site west's instance", p.out)
        st = env.wait_run("pw", states=("aborted",), timeout=20)
        self.assertTrue(sim.hosts()[master]["enabled"])
        self.assertNotIn("pool pw: host", env.log_text())

    def test_install_and_job_abort_through_the_other_site(self):
        target = pool_at_new("ip", 63, 2)
        spare = {"name": "spare", "username": "root",
                 "password": "unused", "install_delay": 0.2,
                 "reboot_delay": 0.1, "shutdown_delay": 0.1,
                 "hosts": [{"name": "nw1", "address": "127.0.63.9",
                            "mac": "52:54:00:63:00:09",
                            "product_version": "7.0.0", "state": "halted"}]}
        extra = ("[host nw1]\nsite = west\nmode = fresh\njoin = ip\n"
                 "mac = 52:54:00:63:00:09\ndisk = sda\n"
                 "ip = 127.0.63.9/8\ngateway = 127.0.0.1\n"
                 "dns = 127.0.0.53\nhostname = nw1.example.com\n"
                 "root_password_file = %(root_pw)s\npower = manual\n\n")
        env, sim = start([target], {}, extra_hosts=extra, sim_only=[spare])
        self._worlds.append(env)
        with open(env.conf) as f:
            text = f.read()
        harness.write(env.conf, text.replace("[pool ip]\n",
                                             "[pool ip]\nsite = west\n"))
        restart_in_site(env, "east")
        w = self.peer_elsewhere(env, "west")
        w.start()
        w.wait_log("site:west taken by this instance")
        # the install through east's CLI: west's jobs start it
        p = env.cli("install", "nw1", "--wipe")
        self.assertEqual(p.returncode, 0, p.out + p.err + w.log_tail())
        self.assertIn("install of nw1 queued for site west's instance",
                      p.out)
        m = re.search(r"site west: ok: install job (\d+) is running", p.out)
        self.assertIsNotNone(m, p.out)
        jid = int(m.group(1))
        wait_job(env, jid, message="power on nw1 now")
        # its abort through east: west's instance aborts it
        r = env.api("POST", "/jobs/%d/abort" % jid, body=b"{}")
        self.assertEqual(r.status, 202, r)
        doc = r.json()
        self.assertEqual((doc["job"], doc["host"], doc["site"]),
                         (jid, "nw1", "west"), doc)
        done = self.action_done(env, doc["queued"])
        self.assertEqual((done["action"], done["args"], done["ok"]),
                         ("job-abort", str(jid), True), done)
        job = wait_job(env, jid, states=("aborted",), timeout=20)
        self.assertEqual(job["state"], "aborted")
        # driven by west's instance only
        self.assertIn("host nw1: install (job %d): aborted by the operator"
                      % jid, w.log_text())
        self.assertNotIn("host nw1: install (job %d)" % jid, env.log_text())


if __name__ == "__main__":
    unittest.main()
