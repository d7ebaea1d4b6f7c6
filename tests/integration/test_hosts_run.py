"""`poolboot hosts` tells where a host is in its pool's current run
(issue 14). The STATE of a host is that of its last network install: a
host upgraded in run 1 kept showing `done` while run 2 had not reached it
(pending) — the dashboard had the same lie. Now a host that its pool's
running or halted run has not finished with shows that run's step, from
the server's API and from the state database alike, and --json has it as
an extra "run" object (the other fields as before)."""
import json
import os
import unittest

import harness
import simharness as sh


class HostsInRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        spec = sh.pool_spec("hr", 45, 3)
        env = sh.UpgradeEnv()
        try:
            sim = sh.Sim({"tftp_root": env.tftp, "port": 0,
                          "control_port": 0, "pools": [spec]}, env.dir)
            env.sim, env.pools = sim, [spec]
            env.write_config()
            env.start()
            cls.env, cls.sim = env, sim
            # run 1: every host upgraded 8.2.0 -> 8.2.1 (state done)
            cls.upgrade()
            assert env.wait_run("hr")["state"] == "done", env.diag("hr")
            # run 2 (8.2.2) halts on hrh2, whose install fails; hrh3 waits
            env.stop()
            harness.write(os.path.join(env.repo, ".treeinfo"),
                          harness.TREEINFO.replace("version = 8.2.1",
                                                   "version = 8.2.2"))
            env.start()
            sim.fault("install_fail", host="hrh2")
            cls.run2 = cls.upgrade()
            st = env.wait_run("hr")
            assert st["state"] == "halted", env.diag("hr")
        except BaseException:
            env.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.close()

    @classmethod
    def upgrade(cls):
        r = cls.env.api("POST", "/pools/hr/upgrade", body='{"dry_run": false}')
        assert r.status == 202, r
        return r.json()["run"]

    def table(self, p):
        self.assertEqual(p.returncode, 0, p.err)
        lines = p.out.splitlines()
        head = lines[0]
        col, end = head.index("STATE"), head.index("LAST EVENT")
        return {l.split()[0]: l[col:end].strip() for l in lines[1:]}

    def check_text(self, p):
        states = self.table(p)
        run = self.run2
        self.assertEqual(states["hrh1"], "done", states)
        self.assertEqual(states["hrh2"], "failed: install (run %d, halted)"
                         % run, states)
        self.assertEqual(states["hrh3"], "pending (run %d, halted)" % run,
                         "not 'done' from run 1: %s" % states)

    def check_json(self, p):
        self.assertEqual(p.returncode, 0, p.err)
        rows = {r["name"]: r for r in json.loads(p.out)}
        for r in rows.values():     # the fields of before, unchanged
            self.assertLessEqual({"name", "pool", "mode", "mac", "state",
                                  "last_event", "last_event_at"}, set(r))
        self.assertEqual(rows["hrh3"]["state"], "done", "its last install")
        self.assertEqual(rows["hrh3"]["run"], {"id": self.run2,
                                               "state": "halted",
                                               "step": "pending",
                                               "error": None})
        run = rows["hrh2"]["run"]
        self.assertEqual((run["id"], run["state"], run["step"]),
                         (self.run2, "halted", "install"))
        self.assertTrue(run["error"], run)
        self.assertNotIn("run", rows["hrh1"], "run 2 is done with it")

    def test_from_the_server(self):
        self.check_text(self.env.cli("hosts"))
        self.check_json(self.env.cli("hosts", "--json"))

    def test_from_the_state_database(self):
        self.env.stop()
        try:
            self.check_text(self.env.cli("hosts"))
            self.check_json(self.env.cli("hosts", "--json"))
            p = self.env.cli("hosts", "--pool", "hr")
            self.assertIn("pending (run %d, halted)" % self.run2, p.out)
        finally:
            self.env.start()


if __name__ == "__main__":
    unittest.main()
