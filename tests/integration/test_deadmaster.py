"""A master that dies in the middle of a rolling upgrade (issue 13),
against the real `poolboot serve` and CLI and the XAPI pool simulator:
the run halts with the recover command in its error, `poolboot recover
POOL --new-master HOST --wipe` promotes an upgraded member and rebuilds
the old master as a member (a fresh install of the repo's version), and
`poolboot retry POOL` finishes the upgrade with the new master, no host
upgraded twice."""
import collections
import json
import unittest

import simharness as sh
from simharness import NEW, OLD
from test_rebuild import fresh_identity, sim_host, wait_job
from test_recover import RecoverEnv, member_ip


def start(pool, host_extra, pool_opts):
    """The simulator (TLS: a rebuilt host joins over it) and poolboot."""
    env = RecoverEnv(pool_opts=pool_opts)
    env.host_extra = {h: t % env.root_pw if "%s" in t else t
                      for h, t in host_extra.items()}
    try:
        spec = {"tftp_root": env.tftp, "port": 0, "control_port": 0,
                "pools": [pool]}
        spec["tls"] = sh.make_tls(env.dir, spec["pools"])
        sim = sh.Sim(spec, env.dir)
        env.sim = sim
        env.pools = [pool]
        env.write_config()
        env.start()
    except BaseException:
        env.close()
        raise
    return env, sim


def installs(sim, names):
    """Per host: the modes of the answerfiles its installers ran, in
    order, and its successful installs (script 0)."""
    modes = collections.defaultdict(list)
    ok = collections.Counter()
    for e in sim.log():
        if e.get("host") not in names:
            continue
        if e.get("event") == "answerfile":
            modes[e["host"]].append(e["mode"])
        elif e.get("event") == "script" and e.get("arg") == "0":
            ok[e["host"]] += 1
    return modes, ok


class DeadMasterTest(unittest.TestCase):

    def test_master_dies_mid_run_recover_rebuild_retry(self):
        pool = sh.pool_spec("dm", 57, 4, vms=4)
        names = [h["name"] for h in pool["hosts"]]
        h1, h2, h3, h4 = names
        env, sim = start(pool, {
            h1: fresh_identity(h1, "127.0.57.1"),
            h2: member_ip("127.0.57.2")},
            # a master away for longer than this halts the run
            {"rejoin_timeout": 6})
        try:
            self._run(env, sim, names)
        finally:
            env.close()

    def _run(self, env, sim, names):
        h1, h2, h3, h4 = names
        r = env.cli("upgrade", "dm")
        self.assertEqual(r.returncode, 0, r.out + r.err + env.diag())
        # the master (h1) first, then h2; while h3 is in the installer,
        # the master dies
        self.assertIsNotNone(env.wait_step("dm", h3, {"install"}),
                             env.diag("dm"))
        st = env.status("dm")
        self.assertEqual(sh.host_step(st, h1)["step"], "done")
        self.assertEqual(sh.host_step(st, h2)["step"], "done")
        sim.fault("dead", host=h1)

        # the run halts, and says how to get out
        st = env.wait_run("dm", timeout=60)
        self.assertEqual(st["state"], "halted", env.diag("dm"))
        self.assertIn(h3, st["error"])
        self.assertIn("is dead", st["error"])
        self.assertIn("poolboot recover dm --new-master HOST --wipe",
                      st["error"])
        self.assertIn("poolboot retry dm", st["error"])
        # the members already upgraded: good new masters; h3, left
        # disabled, is finished by a retry before the rebuild powers h1
        self.assertIn("Members on %s already (good HOSTs): %s" % (NEW, h2),
                      st["error"])
        self.assertIn("%s is left disabled" % h3, st["error"])
        self.assertEqual(sh.host_step(st, h4)["step"], "pending")
        p = env.cli("status", "dm")
        self.assertIn("poolboot recover dm --new-master", p.out, p.out + p.err)
        # nothing of h4 was touched
        self.assertEqual(sim.events("host_reboot", host=h4), [])

        # recover: h2 (upgraded) becomes the master, h1 is forgotten and
        # would be powered into the installer, but h3 is still disabled
        r = env.cli("recover", "dm", "--new-master", h2, "--wipe", "--json")
        self.assertEqual(r.returncode, 0, r.out + r.err + env.diag())
        # with --json the step lines go to stderr, stdout is the job
        self.assertIn("%s is dead in pool dm" % h1, r.err)
        job = json.loads(r.out)
        job = wait_job(env, job["id"])
        self.assertEqual((job["state"], job["step"]), ("halted", "power"),
                         env.diag())
        self.assertIn("disabled: %s" % h3, job["error"])
        self.assertEqual(sim.pool_state("dm")["master"], h2)

        # retry: h3 is finished (enabled, its VMs back), then the run
        # halts before h4 while h1 is being rebuilt (down)
        p = env.cli("retry", "dm")
        self.assertEqual(p.returncode, 0, p.out + p.err + env.diag("dm"))
        st = env.wait_run("dm", timeout=60)
        self.assertEqual(st["state"], "halted", env.diag("dm"))
        self.assertEqual(sh.host_step(st, h3)["step"], "done")
        self.assertEqual(sh.host_step(st, h4)["step"], "disable")
        self.assertIn("%s of pool dm is being rebuilt (job %d, halted in "
                      "step power" % (h1, job["id"]), st["error"])
        self.assertIn("poolboot jobs retry %d" % job["id"], st["error"])
        self.assertEqual(sim.events("host_reboot", host=h4), [])
        self.assertTrue(sim_host(sim, h3)["enabled"])
        roles = {h["host"]: h["role"] for h in st["hosts"]}
        self.assertEqual(roles[h2], "master")

        # the rebuild goes on: h1 is installed fresh and joins h2
        r = env.cli("jobs", "retry", str(job["id"]))
        self.assertEqual(r.returncode, 0, r.out + r.err)
        wait_job(env, job["id"], message="power on %s now" % h1)
        sim._req("POST", "/power-on", {"host": h1})
        job = wait_job(env, job["id"], timeout=90)
        self.assertEqual(job["state"], "done", env.diag())
        self.assertEqual(sim.pool_state("dm")["master"], h2)
        self.assertEqual(sim_host(sim, h1)["product_version"], NEW)

        # retry: h4 is upgraded, nobody twice
        p = env.cli("retry", "dm")
        self.assertEqual(p.returncode, 0, p.out + p.err + env.diag("dm"))
        st = env.wait_run("dm", timeout=60)
        self.assertEqual(st["state"], "done", env.diag("dm"))
        for n in names:
            h = sim_host(sim, n)
            self.assertEqual(h["pool"], "dm", h)
            self.assertEqual(h["product_version"], NEW, h)
            self.assertTrue(h["live"] and h["enabled"], h)
            self.assertEqual(sh.host_step(st, n)["step"], "done")
        self.assertEqual(sh.host_step(st, h3)["old_version"], OLD)
        self.assertEqual(sh.host_step(st, h4)["old_version"], OLD)
        # the run knows the new master
        roles = {h["host"]: h["role"] for h in st["hosts"]}
        self.assertEqual(roles, {h1: "member", h2: "master", h3: "member",
                                 h4: "member"})
        self.assertIn("the pool's master is now %s (was %s)" % (h2, h1),
                      env.log_text())
        # one upgrade install per host; h1's rebuild is its one fresh one
        modes, ok = installs(sim, set(names))
        self.assertEqual(dict(modes), {h1: ["upgrade", "fresh"],
                                       h2: ["upgrade"], h3: ["upgrade"],
                                       h4: ["upgrade"]}, env.diag("dm"))
        self.assertEqual(dict(ok), {h1: 2, h2: 1, h3: 1, h4: 1})
        # never two hosts down at once, but for the master's death
        log = sim.log()
        self.assertEqual(
            [b for b in sh.down_overlaps(log, set(names)) if h1 not in
             b[0] and b[1] != h1], [], "two hosts down at once")
        # VMs: the ones still running are on upgraded hosts
        for vm in sim.state()["vms"]:
            if vm["power_state"] == "Running":
                self.assertEqual(sim_host(sim, vm["resident_on"])["product_version"],
                                 NEW, vm)


if __name__ == "__main__":
    unittest.main()
