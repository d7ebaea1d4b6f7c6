"""Races, restarts and slow XAPI masters (issue 11, findings 2 and 3),
against the real `poolboot serve` and the real XAPI pool simulator:

- two concurrent upgrades of one pool start one run; the other request is
  refused at once (409), never parked until the first run ends;
- after kill -9 the restarted server answers HTTP (admin API and the
  installer's routes) while its runs resume, even with XAPI frozen;
- prechecks waiting on a frozen master leave the installers' repo and
  answerfile traffic alone;
- concurrent retries of one halted run, concurrent job starts for one host
  and concurrent retries of one halted job each start one thing.

"A frozen master" is the simulator stopped with SIGSTOP: connections are
accepted by the kernel but never answered, as with a master that hangs.
"""
import os
import threading
import time
import unittest

import harness
import simharness as sh


def concurrently(n, fn):
    """Runs fn(i) in n threads released together; returns, per thread,
    (result or exception, seconds it took) in thread order."""
    out = [None] * n
    gate = threading.Barrier(n)

    def one(i):
        gate.wait()
        t0 = time.time()
        try:
            r = fn(i)
        except Exception as e:  # noqa: BLE001 - reported by the caller
            r = e
        out[i] = (r, time.time() - t0)

    ths = [threading.Thread(target=one, args=(i,), daemon=True)
           for i in range(n)]
    for t in ths:
        t.start()
    return ths, out


def join_all(ths, timeout):
    deadline = time.time() + timeout
    for t in ths:
        t.join(max(0.0, deadline - time.time()))
    return not any(t.is_alive() for t in ths)


def db_rows(env, sql, *args):
    """Rows of the server's store (read-only; WAL allows it while the
    server runs)."""
    return env.sql(sql, *args)


def statuses(out):
    return sorted(r.status if isinstance(r, harness.Response) else repr(r)
                  for r, _ in out)


class RaceBase(unittest.TestCase):
    def setUp(self):
        self.env = self.sim = None

    def tearDown(self):
        if self.sim is not None and self.sim.paused:
            self.sim.resume()
        if self.env is not None:
            self.env.close()

    def world(self, spec, **kw):
        self.env, self.sim = sh.world([spec], **kw)
        return self.env, self.sim


class UpgradeRaceTest(RaceBase):
    def test_two_concurrent_upgrades_start_one_run(self):
        """Finding 2: both requests passed the "is a run there?" check and
        both started a run; the second then waited in pthread_join for
        the whole first run, holding an HTTP worker."""
        env, sim = self.world(sh.pool_spec("ua", 41, 2))
        sim.pause()         # both requests are in flight at once
        try:
            ths, out = concurrently(2, lambda i: env.api(
                "POST", "/pools/ua/upgrade", body="{}"))
            time.sleep(0.5)
        finally:
            sim.resume()
        self.assertTrue(join_all(ths, 20), "an upgrade request did not "
                        "return within 20 s%s" % env.diag("ua"))
        self.assertEqual(statuses(out), [202, 409], "%r%s" % (out,
                                                            env.diag("ua")))
        refused = next(r for r, _ in out if r.status == 409)
        self.assertRegex(refused.json()["error"],
                         r"pool ua already has a running run \(\d+\): use "
                         r"status, retry or abort|pool ua: an upgrade is "
                         r"being started")
        # promptly: not after the run (which takes seconds)
        for r, dt in out:
            self.assertLess(dt, 4.0, "%r took %.1f s" % (r, dt))
        self.assertEqual(db_rows(env, "SELECT count(*) FROM runs WHERE "
                                 "pool = 'ua'"), [(1,)])
        st = env.wait_run("ua")
        self.assertEqual(st["state"], "done", env.diag("ua"))
        self.assertEqual(len(sim.events("host_reboot")), 2)


class RestartRaceTest(RaceBase):
    def test_restart_serves_http_while_runs_resume(self):
        """Finding 2: the race above left two running runs of one pool in
        the store; after kill -9, start-up hung in pthread_join (inside
        coord_new, before HTTP was served) until the first run would have
        ended: installers could not report back. The second run is added
        to the store here as that race left it, in a database as an
        older poolboot (schema 3) wrote it; the restarted server must
        serve HTTP at once (XAPI frozen) and resume one run."""
        spec = sh.pool_spec("ub", 42, 2)
        env, sim = self.world(spec)
        master = spec["hosts"][0]["name"]
        r = env.api("POST", "/pools/ub/upgrade", body="{}")
        self.assertEqual(r.status, 202, r)
        env.wait_step("ub", master, {"arm", "reboot", "install"})
        sim.pause()     # XAPI frozen: a resuming run waits on it
        env.kill9()
        env.sql("DROP INDEX IF EXISTS runs_one_active")
        env.sql("DROP INDEX IF EXISTS jobs_one_active")
        # and without what schema 5 added (VM placement)
        env.sql("DROP TABLE IF EXISTS run_vms")
        env.sql("ALTER TABLE runs DROP COLUMN placement")
        # and without schema 8's site_actions.status (7 makes the table
        # again)
        env.sql("DROP TABLE IF EXISTS site_actions")
        env.schema_version(3)
        env.sql("INSERT INTO runs(pool, state, created_at, updated_at) "
                "VALUES ('ub', 'running', 1, 1)")
        t0 = time.time()
        try:
            env.start(timeout=3.0)
        except RuntimeError as e:
            self.fail("the restarted server did not serve HTTP within 3 s "
                      "(XAPI frozen, a run to resume): %s" % e)
        for what, rq in (
                ("GET /api/v1/pools", lambda: env.api("GET", "/pools")),
                ("an installer callback", lambda: env.request(
                    "POST", "/hosts/%s/%s/callback/0" % (master, "0" * 40),
                    timeout=2))):
            t1 = time.time()
            r = rq()
            self.assertLess(time.time() - t1, 1.0, what)
            self.assertIn(r.status, (200, 403, 404, 410), "%s: %r"
                          % (what, r))
        self.assertLess(time.time() - t0, 4.0)
        self.assertIn("resuming run", env.log_text())
        sim.resume()
        rows = db_rows(env, "SELECT id, state FROM runs WHERE pool = 'ub' "
                       "ORDER BY id")
        self.assertEqual([s for _, s in rows], ["running", "aborted"], rows)
        deadline = time.time() + 40
        while db_rows(env, "SELECT state FROM runs WHERE id = ?",
                      rows[0][0]) == [("running",)]:
            self.assertLess(time.time(), deadline, env.diag("ub"))
            time.sleep(0.1)
        self.assertEqual(db_rows(env, "SELECT state FROM runs WHERE id = ?",
                                 rows[0][0]), [("done",)], env.diag("ub"))


class SlowMasterTest(RaceBase):
    def test_prechecks_on_a_frozen_master_leave_installers_alone(self):
        """Finding 3: prechecks ran XAPI on the HTTP worker threads (2 by
        default): two of them waiting on a slow master stalled every
        installer's repo fetch and answerfile."""
        spec = sh.pool_spec("sc", 43, 2)
        env, sim = self.world(spec)
        member = spec["hosts"][1]["name"]
        p = env.cli("arm", member)
        self.assertEqual(p.returncode, 0, p.out + p.err)
        af = harness.TOKEN_RE.search(
            env.pxe_of(spec["hosts"][1]["mac"])).group(0)
        sim.pause()
        try:
            ths, out = concurrently(4, lambda i: env.api(
                "POST", "/pools/sc/precheck" if i < 3 else
                "/pools/sc/upgrade", body="{}"))
            time.sleep(0.5)
            for path in ("/repo/up/.treeinfo", af, "/repo/up/.treeinfo"):
                t0 = time.time()
                r = env.get(path, timeout=1.0)
                self.assertEqual(r.status, 200, "%s: %r" % (path, r))
                self.assertLess(time.time() - t0, 1.0, path)
            # the admin API's quick answers are not held up either
            r = env.api("GET", "/pools/sc")
            self.assertEqual(r.status, 200, r)
        finally:
            sim.resume()
        self.assertTrue(join_all(ths, 30), "prechecks did not return")
        self.assertEqual(statuses(out), [200, 200, 200, 202], out)
        env.wait_run("sc")

    def test_slow_requests_beyond_the_queue_get_503(self):
        """The slow API requests wait in a bounded queue; past it the
        answer is 503 at once, and the queued ones are still answered."""
        env, sim = self.world(sh.pool_spec("sq", 44, 2))
        n = 4 + 16 + 1      # workers + queue + one too many
        sim.pause()
        try:
            ths, out = concurrently(n, lambda i: env.api(
                "POST", "/pools/sq/precheck"))
            deadline = time.time() + 5
            while time.time() < deadline and not any(
                    o is not None for o in out):
                time.sleep(0.05)
            busy = [o for o in out if o is not None]
            self.assertEqual(len(busy), 1, out)
            self.assertEqual(busy[0][0].status, 503, busy)
            self.assertIn("try again", busy[0][0].json()["error"])
        finally:
            sim.resume()
        self.assertTrue(join_all(ths, 60), "prechecks did not return")
        self.assertEqual(statuses(out), [200] * (n - 1) + [503])


class RetryRaceTest(RaceBase):
    def test_concurrent_retries_of_a_halted_run_resume_it_once(self):
        spec = sh.pool_spec("ur", 45, 2)
        env, sim = self.world(spec, pool_opts=None)
        master = spec["hosts"][0]["name"]
        sim.fault("install_fail", True, host=master)
        r = env.api("POST", "/pools/ur/upgrade", body="{}")
        self.assertEqual(r.status, 202, r)
        st = env.wait_run("ur")
        self.assertEqual(st["state"], "halted", env.diag("ur"))
        deadline = time.time() + 10
        while not sim.hosts()[master]["live"] and time.time() < deadline:
            time.sleep(0.05)
        sim.clear(host=master)
        ths, out = concurrently(8, lambda i: env.api(
            "POST", "/pools/ur/retry"))
        self.assertTrue(join_all(ths, 20), "a retry did not return")
        self.assertEqual(statuses(out), [202] + [409] * 7, "%r%s"
                         % (out, env.diag("ur")))
        for r, dt in out:
            self.assertLess(dt, 4.0, "%r took %.1f s" % (r, dt))
        st = env.wait_run("ur")
        self.assertEqual(st["state"], "done", env.diag("ur"))
        msgs = [e["message"] for e in env.events(host=master)]
        self.assertEqual(len([m for m in msgs if m.startswith(
            "retry: resuming")]), 1, msgs)


class JobRaceTest(unittest.TestCase):
    """Jobs need no XAPI until their thread runs: a plain world with the
    new host new1 (mode fresh, no pool: an install job)."""

    def setUp(self):
        self.env = harness.Env(extra_server="http_threads = 8\n")
        self.env.start()

    def tearDown(self):
        self.env.cleanup()

    def test_concurrent_job_starts_and_retries(self):
        env = self.env
        ths, out = concurrently(8, lambda i: env.api(
            "POST", "/hosts/new1/install", body='{"wipe": true}'))
        self.assertTrue(join_all(ths, 20))
        self.assertEqual(statuses(out), [202] + [409] * 7, out)
        self.assertEqual(db_rows(env, "SELECT count(*) FROM jobs WHERE "
                                 "host = 'new1'"), [(1,)])
        jid = next(r for r, _ in out if r.status == 202).json()["id"]
        # the installer fails: the job halts
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.path.exists(env.pxe_path("new1")) and \
                    not harness.is_local_boot(env.read_pxe("new1")):
                break
            time.sleep(0.05)
        tok = env.token_of("new1")
        r = env.request("POST", env.host_path("new1", tok, "callback/1"))
        self.assertEqual(r.status, 200, r)
        deadline = time.time() + 10
        while env.api("GET", "/jobs/%d" % jid).json()["state"] != "halted":
            self.assertLess(time.time(), deadline, "job did not halt")
            time.sleep(0.05)
        ths, out = concurrently(8, lambda i: env.api(
            "POST", "/jobs/%d/retry" % jid))
        self.assertTrue(join_all(ths, 20))
        self.assertEqual(statuses(out), [202] + [409] * 7, out)
        msgs = [e["message"] for e in env.events(host="new1")]
        self.assertEqual(len([m for m in msgs if "retry: resuming" in m]),
                         1, msgs)


if __name__ == "__main__":
    unittest.main()
