"""A dead pool master, against the real `poolboot` and the XAPI pool
simulator (issue 13): several master addresses tried in order, HOST_IS_SLAVE
followed, `poolboot recover POOL --new-master HOST` refused while the
master answers, and the recovery of a pool whose master died: the member
promoted (emergency transition with a local session), the other members
recovered, the old master rebuilt as a member of the new master."""
import json
import re
import unittest

import harness
import simharness as sh
from test_rebuild import (RebuildEnv, fresh_identity, pool_at_new, sim_host,
                          wait_job)


class RecoverEnv(RebuildEnv):
    """RebuildEnv whose [pool] xapi line is ours (xapi_line: URLs)."""

    xapi_line = None

    def write_config(self, extra_server="", extra_hosts="", hosts_text=None):
        conf = super().write_config(extra_server, extra_hosts, hosts_text)
        if self.pools is None or self.xapi_line is None:
            return conf
        with open(conf) as f:
            text = f.read()
        text = re.sub(r"(?m)^xapi = .*$", "xapi = " + self.xapi_line, text,
                      count=1)
        harness.write(self.conf, text)
        return conf


def start(pool, host_extra, xapi=None):
    """xapi: a function (sim) -> the xapi = value, or None (a member)."""
    env = RecoverEnv()
    env.host_extra = {h: t % env.root_pw if "%s" in t else t
                      for h, t in host_extra.items()}
    try:
        spec = {"tftp_root": env.tftp, "port": 0, "control_port": 0,
                "pools": [pool]}
        spec["tls"] = sh.make_tls(env.dir, spec["pools"])
        sim = sh.Sim(spec, env.dir)
        env.sim = sim
        env.pools = [pool]
        if xapi is not None:
            env.xapi_line = xapi(sim)
        env.write_config()
        env.start()
    except BaseException:
        env.close()
        raise
    return env, sim


def member_ip(address):
    return "ip = %s/8\ngateway = 127.0.0.1\ndns = 127.0.0.53\n" % address


class AddressesTest(unittest.TestCase):

    def test_first_address_dead_second_answers(self):
        pool = pool_at_new("ra", 41, 2)
        env, sim = start(pool, {}, xapi=lambda s: "%s, %s" % (
            s.url("127.0.41.9").rstrip("/"), s.url("127.0.41.1").rstrip("/")))
        try:
            r = env.cli("precheck", "ra")
            self.assertIn("[ OK ] inventory", r.out, r.out + r.err)
            self.assertNotIn("127.0.41.9", r.out)
            # the server says which address answered
            self.assertRegex(env.log_text(), r"pool ra: \S*127\.0\.41\.1\S* "
                             r"answered")
            self.assertIn("127.0.41.9", env.log_text())
        finally:
            env.close()

    def test_member_first_follows_host_is_slave(self):
        pool = pool_at_new("rm", 42, 3)
        env, sim = start(pool, {}, xapi=lambda s: "%s, %s" % (
            s.url("127.0.42.9").rstrip("/"), s.url("127.0.42.3").rstrip("/")))
        try:
            r = env.cli("precheck", "rm")
            self.assertIn("[ OK ] inventory", r.out, r.out + r.err)
            hs = [c for c in sim.calls("session.login_with_password")]
            self.assertIn("HOST_IS_SLAVE", json.dumps(hs))
        finally:
            env.close()

    def test_bad_address_in_the_list_is_a_config_error(self):
        pool = pool_at_new("rc", 43, 2)
        with self.assertRaises(RuntimeError) as cm:
            env, sim = start(pool, {}, xapi=lambda s: "%s, ftp://x" %
                             s.url("127.0.43.1").rstrip("/"))
            env.close()
        self.assertRegex(str(cm.exception), r"poolboot\.conf:\d+: xapi: "
                         r"'ftp://x' is not an http\(s\):// URL")


class RecoverTest(unittest.TestCase):

    def test_refused_while_the_master_answers(self):
        pool = pool_at_new("rr", 44, 3)
        env, sim = start(pool, {"rrh2": member_ip("127.0.44.2")})
        try:
            r = env.cli("recover", "rr", "--new-master", "rrh2", "--wipe")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("answers at", r.err)
            self.assertIn("not dead", r.err)
            self.assertFalse(sim.events("emergency_transition"))
            # without --new-master: usage
            r = env.cli("recover", "rr")
            self.assertEqual(r.returncode, 2, r)
        finally:
            env.close()

    def test_dead_master_recovered_and_rebuilt_as_member(self):
        pool = pool_at_new("rv", 45, 3)
        env, sim = start(pool, {
            "rvh1": fresh_identity("rvh1", "127.0.45.1"),
            "rvh2": member_ip("127.0.45.2")})
        try:
            sim.fault("dead", host="rvh1")
            r = env.cli("recover", "rv", "--new-master", "rvh2", "--wipe",
                        "--json")
            self.assertEqual(r.returncode, 0, r.out + r.err + env.diag())
            # --json: the steps on stderr, the rebuild's job on stdout
            self.assertIn("emergency_transition_to_master", r.err)
            self.assertIn("pool.recover_slaves: rvh3", r.err)
            self.assertIn("rvh1 is dead in pool rv", r.err)
            self.assertEqual(len(sim.events("emergency_transition",
                                            host="rvh2")), 1)
            job = json.loads(r.out)
            # power = manual: the operator powers the old master on
            wait_job(env, job["id"], message="power on rvh1 now")
            sim._req("POST", "/power-on", {"host": "rvh1"})
            job = wait_job(env, job["id"], timeout=60)
            self.assertEqual(job["state"], "done", env.diag())
            h1 = sim_host(sim, "rvh1")
            self.assertEqual(h1["pool"], "rv")
            self.assertTrue(h1["live"] and h1["enabled"], h1)
            ps = sim.pool_state("rv")
            self.assertEqual(ps["master"], "rvh2", ps)
            # a rerun changes nothing and says so
            r = env.cli("recover", "rv", "--new-master", "rvh2", "--wipe")
            self.assertEqual(r.returncode, 0, r.out + r.err)
            self.assertIn("already answers as the master", r.out)
            self.assertIn("no dead inventory host left", r.out)
            self.assertEqual(len(sim.events("emergency_transition")), 1)
        finally:
            env.close()


if __name__ == "__main__":
    unittest.main()
