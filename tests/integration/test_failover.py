"""Several `poolboot serve` instances on one database (docs/scale-out.md,
"Sites, standbys and failover"): the real binaries, the real XAPI pool
simulator, real HTTP.

The instances share one database. On SQLite (the default), each has a
state_dir of its own (serve takes a lock per state_dir) whose poolboot.db
is a symbolic link to the first instance's (SQLite keeps the WAL beside
the real file, so both see one database). With POOLBOOT_TEST_PG set (the
libpq connection string of a throw-away cluster's admin database), each
test makes a PostgreSQL database of its own and every instance gets
[store] backend = postgres. The database stopped and started again for
real needs the cluster's data folder too (POOLBOOT_TEST_PGDATA, which
pg_ctl is run on); without it that test is skipped, saying why.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import uuid

import harness
import simharness as sh
from test_upgrade import UpgradeBase

LEASE_S = 15        # [store] lease_seconds' default


class PlainEnv(harness.Env):
    """harness.Env (its inventory, no simulator) closed like a world."""

    def close(self):
        self.cleanup()


class Peer(harness.Env):
    """Another instance sharing env's database (and, unless ports are
    given, its addresses: a standby of its site that binds them once it is
    active). Its own state_dir and log; the admin token copied from env,
    as operators deploy one token to a site's instances."""

    def __init__(self, env, site, ports=None):  # noqa: super not called
        self.primary = env
        self.dir = tempfile.mkdtemp(prefix="pbit-peer-")
        self.port, self.admin_port = ports or (env.port, env.admin_port)
        self.admin_cert = self.admin_key = None
        # env's database (the harness's, on PostgreSQL) is env's to drop
        self.pg_db = self.pg_conninfo = self.store_conninfo_file = None
        self.proc = None
        self.logf = None
        self.log_path = os.path.join(self.dir, "serve.log")
        self.state = os.path.join(self.dir, "state")
        self.tftp = env.tftp
        self.conf = os.path.join(self.dir, "poolboot.conf")
        os.makedirs(self.state, mode=0o700)
        os.symlink(os.path.join(env.state, "poolboot.db"),
                   os.path.join(self.state, "poolboot.db"))
        shutil.copy(os.path.join(env.state, "admin.token"), self.state)
        with open(env.conf) as f:
            text = f.read()
        text = text.replace("state_dir = %s\n" % env.state,
                            "state_dir = %s\n" % self.state)
        text = set_site(text, site)
        if ports:
            for old, new in ((env.port, self.port),
                             (env.admin_port, self.admin_port)):
                text = text.replace("127.0.0.1:%d\n" % old,
                                    "127.0.0.1:%d\n" % new)
        harness.write(self.conf, text)
        harness.ENVS.append(self)

    def start_standby(self):
        """Starts it without waiting for an answer (a standby serves
        nothing); returns once it says it stands by."""
        assert self.proc is None
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [harness.poolboot_bin(), "serve", "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf,
            cwd=self.dir, env=harness.clean_env())
        self.wait_log("standing by: site:")
        assert self.proc.poll() is None, self.log_tail()

    def close(self):
        self.cleanup()


PG_ADMIN = os.environ.get("POOLBOOT_TEST_PG", "")
PG_DATA = os.environ.get("POOLBOOT_TEST_PGDATA", "")


def psql(conninfo, sql):
    """Runs sql through psql on conninfo; raises on an error."""
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        conninfo, "-c", sql], capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("psql %r: %s" % (sql, p.stderr))
    return p.stdout


def use_engine(env):
    """On PostgreSQL: a database of env's own and its [store] section in
    env's configuration (the peers copy it). Nothing on SQLite."""
    if not PG_ADMIN or getattr(env, "pg_conninfo", None):
        return
    db = "fo_" + uuid.uuid4().hex[:12]
    psql(PG_ADMIN, "CREATE DATABASE %s" % db)
    env.pg_conninfo = "%s dbname=%s" % (PG_ADMIN, db)
    path = os.path.join(env.dir, "store.conninfo")
    harness.write(path, env.pg_conninfo + "\n", 0o600)
    with open(env.conf) as f:
        text = f.read()
    harness.write(env.conf, text + "\n[store]\nbackend = postgres\n"
                  "conninfo_file = %s\n" % path)


def db_exec(env, sql):
    """Runs sql on the database the instances share, behind their back."""
    if PG_ADMIN:
        psql(env.pg_conninfo, sql)
        return
    db = sqlite3.connect(os.path.join(env.state, "poolboot.db"), timeout=10)
    try:
        db.execute(sql)
        db.commit()
    finally:
        db.close()


def pg_ctl(*args):
    """pg_ctl on the cluster's data folder, as the folder's owner."""
    import glob
    import pwd
    ctl = shutil.which("pg_ctl") or sorted(glob.glob(
        "/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    # the server's output to a file in its folder: a pipe held by the
    # postmaster would keep this call waiting
    argv = [ctl, "-D", PG_DATA, "-w", "-l",
            os.path.join(PG_DATA, "test_failover.log")] + list(args)
    owner = pwd.getpwuid(os.stat(PG_DATA).st_uid).pw_name
    if os.geteuid() == 0 and owner != "root":
        argv = ["runuser", "-u", owner, "--"] + argv
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)


def pg_start_options():
    """The options the cluster was started with (postmaster.opts), for
    starting it again after a stop."""
    import shlex
    with open(os.path.join(PG_DATA, "postmaster.opts")) as f:
        words = shlex.split(f.read())
    return " ".join(shlex.quote(w) for w in words[1:]
                    if w not in ("-D", PG_DATA))


def set_site(text, site):
    """The config text with [server] site = site (instead of any other;
    None: no site)."""
    text = re.sub(r"(?m)^\[server\]\nsite = \S+\n", "[server]\n", text)
    if site is None:
        return text
    return text.replace("[server]\n", "[server]\nsite = %s\n" % site, 1)


def restart_in_site(env, site, pools=()):
    """env restarted as the instance of site, with pools of that site
    (and on PostgreSQL when the tests run there)."""
    env.stop()
    use_engine(env)
    with open(env.conf) as f:
        text = f.read()
    for p in pools:
        text = text.replace("[pool %s]\n" % p, "[pool %s]\nsite = %s\n"
                            % (p, site), 1)
    harness.write(env.conf, set_site(text, site))
    env.start()
    env.wait_log("site:%s taken by this instance" % site)


class PeersBase(UpgradeBase):
    """UpgradeBase whose tests also run other instances (Peer) on env's
    database, closed after each test."""

    def setUp(self):
        super().setUp()
        self.peers = []

    def tearDown(self):
        try:
            for p in self.peers:
                p.close()
        finally:
            super().tearDown()

    def peer(self, env, site, ports=None):
        """Another instance of site (None: no site) on env's database:
        env's addresses (a standby), or ports (port, admin port)."""
        p = Peer(env, site, ports)
        self.peers.append(p)
        return p

    def peer_elsewhere(self, env, site):
        """The same on two free ports of its own (another site, or an
        instance that must not take env's addresses)."""
        port = harness.free_port(avoid=(env.port, env.admin_port))
        aport = harness.free_port(avoid=(env.port, env.admin_port, port))
        return self.peer(env, site, ports=(port, aport))


class StandbyTest(PeersBase):
    """Two instances of one site: the active one dies, the standby takes
    the site's lease over and finishes what the first began."""

    def test_owner_killed_mid_install_standby_finishes_the_run(self):
        spec = sh.pool_spec("fo", 51, 2, vms=2, install_delay=2)
        env, sim = self.world([spec], pool_opts=dict(install_timeout=120))
        names = [h["name"] for h in spec["hosts"]]
        restart_in_site(env, "east", pools=["fo"])
        b = self.peer(env, "east")
        b.start_standby()
        self.assertIn("standing by: site:east is held by east/",
                      b.log_text())
        self.start_upgrade(env, "fo")
        # the first host's installer runs: freeze the simulator (the
        # installer cannot report back yet), kill the active instance
        self.assertIsNotNone(env.wait_step("fo", names[0], {"install"}),
                             env.diag("fo"))
        sim.pause()
        try:
            self.assertEqual(sh.host_step(env.status("fo"), names[0])["step"],
                             "install")
            env.kill9()
            t0 = time.monotonic()
            b.wait_log("site:east taken by this instance", timeout=LEASE_S + 10)
            took = time.monotonic() - t0
            b.wait_log("resuming run")
        finally:
            sim.resume()
        # bounded: the lease's time to live and a retry's second
        self.assertLess(took, LEASE_S + 3, b.log_tail())
        # env's address and token are the standby's now
        st = env.wait_run("fo", timeout=120)
        self.assertEqual(st["state"], "done", env.diag("fo") + b.log_tail())
        self.assert_pool_upgraded(env, sim, spec, st)
        # every host upgraded exactly once: one reboot, one answerfile,
        # one successful install each, across both instances
        self.assert_each_installed_once(sim, set(names), env, "fo")

    def test_clean_stop_hands_over_at_once(self):
        env = PlainEnv()
        self._worlds.append(env)
        env.start()
        restart_in_site(env, "east")
        b = self.peer(env, "east")
        b.start_standby()
        t0 = time.monotonic()
        self.assertEqual(env.stop(), 0)
        b.wait_log("site:east taken by this instance", timeout=5)
        self.assertLess(time.monotonic() - t0, 4)
        self.assertIn("released by east/", env.log_text())
        # the standby serves the address the active one had
        r = b.api("GET", "/hosts")
        self.assertEqual(r.status, 200, r)

    def test_restart_on_its_state_dir_takes_its_lease_back_at_once(self):
        """kill -9 and a restart of the active instance itself (a crash
        and its supervisor): its state_dir lock proves the lease's holder
        is gone, so it takes the lease back at once instead of standing
        by for the rest of lease_seconds (it did, and env.start gave up
        after 10 s)."""
        env = PlainEnv()
        self._worlds.append(env)
        env.start()
        restart_in_site(env, "east")
        held = re.findall(r"site:east taken by this instance \((\S+)\)",
                          env.log_text())[-1]
        env.kill9()
        t0 = time.monotonic()
        env.start()
        self.assertLess(time.monotonic() - t0, LEASE_S / 3, env.log_tail())
        self.assertIn("site:east taken over from %s, the instance that ran "
                      "before on this state_dir" % held, env.log_text())
        self.assertEqual(env.api("GET", "/hosts").status, 200)

    @unittest.skipUnless(PG_ADMIN, "instances share a database without a "
                         "site only on PostgreSQL (SQLite is one "
                         "machine's file, one serve per state_dir)")
    def test_instances_without_a_site_are_one_active_and_standbys(self):
        """Two instances on one PostgreSQL database, neither with a site
        (a second server started for availability): the second stands
        by, serving nothing, until the first is gone. Both acted on every
        pool and host at once before (two coordinators on one run)."""
        env = PlainEnv()
        self._worlds.append(env)
        env.start()
        env.wait_log("site:(none) taken by this instance")
        b = self.peer_elsewhere(env, None)
        b.start_standby()
        self.assertIn("standing by: site:(none) is held by (none)/",
                      b.log_text())
        with self.assertRaises(OSError):
            b.request("GET", "/", timeout=2)
        env.kill9()
        t0 = time.monotonic()
        b.wait_log("site:(none) taken by this instance", timeout=LEASE_S + 10)
        self.assertLess(time.monotonic() - t0, LEASE_S + 3, b.log_tail())
        b.wait_log(" serving ")
        self.assertEqual(b.api("GET", "/hosts").status, 200)

    def test_standby_stops_on_sigterm_while_waiting(self):
        env = PlainEnv()
        self._worlds.append(env)
        env.start()
        restart_in_site(env, "east")
        b = self.peer(env, "east")
        b.start_standby()
        self.assertEqual(b.stop(), 0)
        self.assertIn("while standing by: stopping", b.log_text())
        # the active instance was not disturbed
        self.assertEqual(env.api("GET", "/hosts").status, 200)


class SitesTest(PeersBase):
    """Two sites on one database: each acts on its own pools only, and
    an installer's callback is taken by whichever instance it reaches."""

    def west_of(self, env):
        return self.peer_elsewhere(env, "west")

    def east_with(self, old, new):
        """A PlainEnv whose configuration has old replaced by new,
        restarted as east's instance."""
        env = PlainEnv()
        self._worlds.append(env)
        env.start()
        with open(env.conf) as f:
            text = f.read()
        harness.write(env.conf, text.replace(old, new))
        restart_in_site(env, "east")
        return env

    def west_started(self, env):
        """West's instance on env's database, active."""
        w = self.west_of(env)
        w.start()
        w.wait_log("site:west taken by this instance")
        return w

    def test_callback_posted_to_another_sites_instance(self):
        env = self.east_with("[host new1]\n",
                             "[host new1]\nsite = east\n")
        w = self.west_started(env)
        tok = env.arm("new1", wipe=True)
        r = env.get(env.url_path(env.answerfile_url("new1")))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(env.state_of("new1"), "installing")
        # the installer's callback reaches west's instance: taken, and
        # east (whose host it is) sees the host done in the database
        r = w.request("POST", w.host_path("new1", tok, "callback/0"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(harness.settled(lambda: env.state_of("new1"),
                                         lambda s: s == "done"), "done")
        self.assertEqual(w.state_of("new1"), "done")
        # its boot file is east's to rewrite (east's tftp-root on east's
        # network): west asks east's instance through the queue, and
        # east points the host back at local boot
        w.wait_log("its instance points it back at local boot")
        env.wait_log("ok: back to local boot")
        self.assertTrue(harness.is_local_boot(env.read_pxe("new1")),
                        env.read_pxe("new1"))

    def test_arm_of_another_sites_host_is_done_by_its_instance(self):
        env = self.east_with("[pool poolA]\n",
                             "[pool poolA]\nsite = west\n")
        w = self.west_started(env)
        # asked of east: queued for west, which arms it (its own
        # public_url in the boot file, its log saying so)
        r = env.api("POST", "/hosts/h1/arm")
        self.assertEqual(r.status, 202, r)
        doc = r.json()
        self.assertEqual((doc["host"], doc["site"]), ("h1", "west"))
        self.assertEqual(harness.settled(lambda: env.state_of("h1"),
                                         lambda s: s == "armed", 5),
                         "armed", w.log_tail())
        self.assertIn("answerfile=http://127.0.0.1:%d/" % w.port,
                      env.read_pxe("h1"))
        w.wait_log("action %d (arm h1, queued for site west): ok: armed"
                   % doc["queued"])
        self.assertNotIn("arm h1", env.log_text().replace(
            "/hosts/h1/arm", ""))
        # disarm the same way
        r = env.api("POST", "/hosts/h1/disarm")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(harness.settled(lambda: env.state_of("h1"),
                                         lambda s: s == "idle", 5), "idle")
        self.assertTrue(harness.is_local_boot(env.read_pxe("h1")))
        # a refusal is the instance's to say: recorded with the action
        r = env.api("POST", "/hosts/h1/disarm")
        self.assertEqual(r.status, 202, r)
        w.wait_log("(disarm h1, queued for site west): refused:")
        # a host of no site, with [server] site set: nobody's
        r = w.api("POST", "/hosts/new1/arm", body=b'{"wipe": true}')
        self.assertEqual(r.status, 409, r)
        self.assertIn("names no site", r.json()["error"])

    def test_action_for_a_site_with_no_active_instance_says_so(self):
        """An action queued for a site no instance of which is active
        waits until one starts: the 202 and the CLI say so (a warning),
        instead of leaving the asker to find the action still queued."""
        env = self.east_with("[pool poolA]\n",
                             "[pool poolA]\nsite = north\n")
        r = env.api("POST", "/hosts/h1/arm")
        self.assertEqual(r.status, 202, r)
        self.assertIn("no instance of site north has ever run on this "
                      "database: the action waits in the queue until one "
                      "starts", r.json()["warning"])
        p = env.cli("disarm", "h1")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("disarm of h1 queued for site north's instance", p.out)
        self.assertIn("poolboot: warning: no instance of site north has "
                      "ever run", p.err)
        # what waits for north, newest first
        q = env.api("GET", "/site-actions?site=north&state=queued")
        self.assertEqual(q.status, 200, q)
        self.assertEqual([(a["action"], a["target"], a["state"])
                          for a in q.json()["actions"]],
                         [("disarm", "h1", "queued"), ("arm", "h1", "queued")])
        self.assertEqual(env.api("GET", "/site-actions?site=north&state=done"
                                 ).json()["actions"], [])
        self.assertEqual(env.api("GET", "/site-actions?site=west"
                                 ).json()["actions"], [])
        r = env.api("GET", "/site-actions?state=waiting")
        self.assertEqual(r.status, 400, r)
        self.assertIn("state: 'waiting' is not queued, taken or done",
                      r.json()["error"])
        # north's instance starts and carries the queue out, in order
        n = self.peer_elsewhere(env, "north")
        n.start()
        n.wait_log("(disarm h1, queued for site north): ok")
        self.assertEqual(env.state_of("h1"), "idle")
        done = env.api("GET", "/site-actions?site=north&state=done"
                       ).json()["actions"]
        self.assertEqual([(a["action"], a["ok"]) for a in done],
                         [("disarm", True), ("arm", True)], done)
        self.assertTrue(all(a["taken_by"].startswith("north/")
                            for a in done), done)
        self.assertEqual(len(env.api("GET", "/site-actions?limit=1"
                                     ).json()["actions"]), 1)
        # while it is active: no warning
        r = env.api("POST", "/hosts/h1/arm")
        self.assertEqual(r.status, 202, r)
        self.assertNotIn("warning", r.json())
        n.wait_log("(arm h1, queued for site north): ok")
        # stopped: the next action says so, naming the last instance
        self.assertEqual(n.stop(), 0)
        r = env.api("POST", "/hosts/h1/disarm")
        self.assertEqual(r.status, 202, r)
        self.assertRegex(r.json()["warning"], r"no instance of site north "
                         r"is active: its last one \(north/\S+\) stopped")

    def test_sites_shows_who_is_active_and_what_waits(self):
        """poolboot sites and GET /api/v1/sites: each site's active
        instance and lease, its pools and hosts, the actions queued for
        it; from the database when no server answers."""
        env = self.east_with("[pool poolA]\n",
                             "[pool poolA]\nsite = west\n")
        w = self.west_started(env)
        ids = {s: re.findall(r"site:%s taken by this instance \((\S+)\)"
                             % s, e.log_text())[-1]
               for s, e in (("east", env), ("west", w))}
        doc = env.api("GET", "/sites").json()
        self.assertEqual(doc["site"], "east")
        by = {s["site"]: s for s in doc["sites"]}
        self.assertEqual(set(by), {"", "east", "west"}, doc)
        for name in ("east", "west"):
            self.assertTrue(by[name]["active"], by[name])
            self.assertEqual(by[name]["instance"], ids[name])
            self.assertIsNone(by[name]["expired_ago_ms"])
            self.assertLess(by[name]["heartbeat_ago_ms"], LEASE_S * 1000)
        self.assertEqual((by["west"]["pools"], by["west"]["hosts"]), (1, 2),
                         by["west"])
        self.assertEqual(by["west"]["queued"], 0)
        # west stopped, an arm queued for it: east's CLI says both
        self.assertEqual(w.stop(), 0)
        r = env.api("POST", "/hosts/h1/arm")
        self.assertEqual(r.status, 202, r)
        p = env.cli("sites")
        self.assertEqual(p.returncode, 0, p.err)
        row = [ln for ln in p.out.splitlines() if ln.startswith("west ")]
        self.assertEqual(len(row), 1, p.out)
        self.assertRegex(row[0], r"west\s+1\s+2\s+no\s+%s\s+released "
                         r"\(stopped\)\s+1 queued, 0 taken \(oldest \d+ s\)"
                         % re.escape(ids["west"]), p.out)
        self.assertRegex(p.out, r"(?m)^east\s+\d+\s+\d+\s+yes\s+%s\s+"
                         r"renewed \d+ s ago\s+0$" % re.escape(ids["east"]))
        # no server at all: read from the database
        self.assertEqual(env.stop(), 0)
        p = env.cli("sites", "--json")
        self.assertEqual(p.returncode, 0, p.err)
        by = {s["site"]: s for s in json.loads(p.out)["sites"]}
        self.assertFalse(by["east"]["active"], by["east"])
        self.assertEqual(by["west"]["queued"], 1)
        p = env.cli("sites")
        self.assertIn("(read from the database: no server answered", p.out)

    def test_each_site_upgrades_its_own_pool_at_once(self):
        pe = sh.pool_spec("pe", 52, 2)
        pw = sh.pool_spec("pw", 53, 2)
        env, sim = self.world([pe, pw])
        with open(env.conf) as f:
            text = f.read()
        text = text.replace("[pool pw]\n", "[pool pw]\nsite = west\n")
        harness.write(env.conf, text)
        restart_in_site(env, "east", pools=["pe"])
        w = self.west_started(env)
        # (an upgrade asked of the other site's instance is queued for
        # this one's: test_site_queue.py)
        self.start_upgrade(env, "pe")
        p = w.cli("upgrade", "pw")
        self.assertEqual(p.returncode, 0, p.out + p.err + w.log_tail())
        for pool, spec in (("pe", pe), ("pw", pw)):
            st = env.wait_run(pool, timeout=90)     # one database
            self.assertEqual(st["state"], "done", env.diag(pool))
            self.assert_pool_upgraded(env, sim, spec, st)
        names = {h["name"] for s in (pe, pw) for h in s["hosts"]}
        self.assert_each_installed_once(sim, names, env)
        # each run was driven by its own site's instance only
        self.assertIn("pool pw: host pwh1: step disable", w.log_text())
        self.assertNotIn("pool pe: host", w.log_text())
        self.assertIn("pool pe: host peh1: step disable", env.log_text())
        self.assertNotIn("pool pw: host", env.log_text())


class DatabaseAwayTest(UpgradeBase):
    """The active instance cannot renew its lease mid-run (on SQLite the
    leases table is taken away; on PostgreSQL the server would be
    stopped): it says 'lost the database: not acting until it is back'
    before the lease could expire, makes no XAPI call and writes no step
    meanwhile, then acts again once it can renew, and the run finishes
    with every host upgraded once."""

    def steps(self, env, pool):
        return [(h["host"], h["step"]) for h in env.status(pool)["hosts"]]

    def test_lease_not_renewed_mid_run_stops_acting_then_finishes(self):
        spec = sh.pool_spec("dg", 54, 3, vms=3, install_delay=1)
        env, sim = self.world([spec], pool_opts=dict(install_timeout=120))
        names = [h["name"] for h in spec["hosts"]]
        restart_in_site(env, "east", pools=["dg"])
        self.start_upgrade(env, "dg")
        self.assertIsNotNone(env.wait_step("dg", names[0], {"evacuate",
                                                           "arm", "reboot",
                                                           "install"}))
        # XAPI frozen meanwhile, so that the run is still under way when
        # the deadline comes (a call in flight returns once it thaws)
        sim.pause()
        try:
            t0 = time.monotonic()
            db_exec(env, "ALTER TABLE leases RENAME TO leases_away")
            env.wait_log("lost the database: not acting until it is back",
                         timeout=LEASE_S)
            # before the lease could have expired (a standby's earliest)
            self.assertLess(time.monotonic() - t0, LEASE_S, env.log_tail())
        finally:
            sim.resume()
        time.sleep(1.0)     # a XAPI call begun before the deadline ends
        calls, steps = len(sim.calls()), self.steps(env, "dg")
        time.sleep(4.0)
        self.assertEqual(len(sim.calls()), calls,
                         "XAPI calls while not acting:\n%s"
                         % "\n".join(str(c) for c in sim.calls()[calls:]))
        self.assertEqual(self.steps(env, "dg"), steps)
        self.assertEqual(env.status("dg")["state"], "running")
        db_exec(env, "ALTER TABLE leases_away RENAME TO leases")
        env.wait_log("is still this instance's: acting again", timeout=10)
        st = env.wait_run("dg", timeout=120)
        self.assertEqual(st["state"], "done", env.diag("dg"))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(sim, set(names), env, "dg")


@unittest.skipUnless(PG_ADMIN and PG_DATA,
                     "needs a throw-away PostgreSQL cluster it may stop: "
                     "POOLBOOT_TEST_PG (its admin connection string) and "
                     "POOLBOOT_TEST_PGDATA (its data folder)")
class DatabaseStoppedTest(UpgradeBase):
    """PostgreSQL stopped mid-run and started again: the active instance
    says 'lost the database: not acting until it is back', makes no XAPI
    call meanwhile, then finishes the run, every host upgraded once."""

    def test_database_stopped_mid_run_and_restarted(self):
        spec = sh.pool_spec("ds", 55, 3, vms=3, install_delay=1)
        env, sim = self.world([spec], pool_opts=dict(install_timeout=120))
        names = [h["name"] for h in spec["hosts"]]
        restart_in_site(env, "east", pools=["ds"])
        self.start_upgrade(env, "ds")
        self.assertIsNotNone(env.wait_step("ds", names[0], {"evacuate",
                                                           "arm", "reboot",
                                                           "install"}))
        opts = pg_start_options()
        sim.pause()
        try:
            pg_ctl("stop", "-m", "fast")
            env.wait_log("lost the database: not acting until it is back",
                         timeout=LEASE_S)
        finally:
            sim.resume()
        time.sleep(1.0)
        calls = len(sim.calls())
        time.sleep(4.0)
        self.assertEqual(len(sim.calls()), calls,
                         "XAPI calls while the database was stopped")
        pg_ctl("start", "-o", opts)
        env.wait_log("is still this instance's: acting again", timeout=30)
        st = env.wait_run("ds", timeout=120)
        self.assertEqual(st["state"], "done", env.diag("ds"))
        self.assert_pool_upgraded(env, sim, spec, st)
        self.assert_each_installed_once(sim, set(names), env, "ds")


if __name__ == "__main__":
    unittest.main()
