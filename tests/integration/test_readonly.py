"""Read-only commands tell the truth or fail (issue 14, "State that lies").

On main, `poolboot hosts` run by a user who cannot read state_dir showed
every host `idle -` with exit 0 (the database was skipped when access()
said no), and `hosts` failed when a pool's password file was unreadable.
Now hosts reads the state through the server's API when serve runs, else
the database, and fails naming the database when neither works; read-only
commands need no password file (check still reports it); GET
/api/v1/hosts gives its times in ms like /pools and /jobs."""
import json
import os
import shutil
import subprocess
import time
import unittest

import harness

SETPRIV = shutil.which("setpriv")


def armed_env():
    """An Env whose database says h1 is armed (serve ran, then stopped)."""
    env = harness.Env()
    env.start()
    try:
        p = env.cli("arm", "h1")
        assert p.returncode == 0, p.err
    finally:
        env.stop()
    return env


class UnreadableStateTest(unittest.TestCase):
    def tearDown(self):
        self.env.cleanup()

    @harness.skip_on_pg("the state database is the file "
                        "state_dir/poolboot.db, made a folder here")
    def test_database_not_a_file_fails_naming_it(self):
        self.env = harness.Env()
        db = os.path.join(self.env.state, "poolboot.db")
        os.makedirs(db)
        p = self.env.cli("hosts")
        self.assertEqual(p.returncode, 1, p.out)
        self.assertEqual(p.out, "", "no table of idle hosts")
        self.assertIn("cannot read the state database %s" % db, p.err)

    @harness.skip_on_pg("the state database is the file "
                        "state_dir/poolboot.db, garbage here")
    def test_garbage_database_fails_naming_it(self):
        self.env = harness.Env()
        db = os.path.join(self.env.state, "poolboot.db")
        harness.write(db, "this is not sqlite\n" * 100)
        p = self.env.cli("hosts", "--json")
        self.assertEqual(p.returncode, 1, p.out)
        self.assertIn(db, json.loads(p.out)["error"])

    @unittest.skipUnless(SETPRIV and os.geteuid() == 0,
                         "needs root and setpriv to act as another user")
    @harness.skip_on_pg("the state database is the file "
                        "state_dir/poolboot.db, unreadable to another user")
    def test_other_user_without_access_to_state_dir(self):
        self.env = env = armed_env()
        # nobody may read the config, the repo and the secrets (main
        # wanted them), not the state folder
        os.chmod(env.dir, 0o711)
        for path in (env.conf, env.pool_pw, env.root_pw):
            os.chmod(path, 0o644)
        os.chmod(env.state, 0o700)
        argv = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups",
                harness.poolboot_bin(), "hosts", "-c", env.conf]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                           cwd="/", env=harness.clean_env())
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertNotIn("idle", p.stdout, "no made-up state")
        self.assertIn("cannot read the state database %s/poolboot.db"
                      % env.state, p.stderr)
        self.assertIn("Permission denied", p.stderr)
        # root, who can read it, sees the real state
        self.assertEqual(env.state_of("h1"), "armed")

    def test_server_state_when_serve_runs(self):
        # serve keeps its database open; the CLI cannot find the file
        # (moved away) yet shows the server's state, not "idle". On
        # PostgreSQL: the conninfo file names a database that is not there
        self.env = env = harness.Env()
        env.start()
        try:
            p = env.cli("arm", "h1")
            self.assertEqual(p.returncode, 0, p.err)
            if env.backend == "postgres":
                harness.write(env.store_conninfo_file, harness.conninfo_with(
                    env.pg_conninfo, dbname=env.pg_db + "_moved") + "\n")
            else:
                db = os.path.join(env.state, "poolboot.db")
                os.rename(db, db + ".moved")
            p = env.cli("hosts")
            self.assertEqual(p.returncode, 0, p.err)
            row = [line for line in p.out.splitlines()
                   if line.startswith("h1 ")]
            self.assertEqual(len(row), 1, p.out)
            self.assertIn(" armed ", row[0])
            self.assertEqual(env.hosts_json()["h1"]["state"], "armed")
        finally:
            env.stop()


class NoPasswordNeededTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        os.unlink(cls.env.pool_pw)

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def test_hosts_without_pool_password(self):
        p = self.env.cli("hosts")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("h1", p.out)
        self.assertEqual(p.err, "")

    def test_render_status_jobs_without_pool_password(self):
        p = self.env.cli("render", "h1")
        self.assertEqual(p.returncode, 0, p.err)
        # status and jobs ask the server: not running here, and that is
        # what they say (exit 3), not the password file
        for cmd in ("status", "jobs"):
            p = self.env.cli(cmd)
            self.assertEqual(p.returncode, 3, (cmd, p.err))
            self.assertNotIn("password_file", p.err, cmd)

    def test_hosts_without_root_password(self):
        os.chmod(self.env.root_pw, 0)
        try:
            if os.geteuid() == 0:
                os.rename(self.env.root_pw, self.env.root_pw + ".x")
            p = self.env.cli("hosts")
            self.assertEqual(p.returncode, 0, p.err)
            self.assertIn("new1", p.out)
        finally:
            if os.path.exists(self.env.root_pw + ".x"):
                os.rename(self.env.root_pw + ".x", self.env.root_pw)
            os.chmod(self.env.root_pw, 0o600)

    def test_check_still_reports_the_file(self):
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1, p.out)
        self.assertIn("password_file '%s'" % self.env.pool_pw, p.err)

    def test_serve_still_refuses(self):
        p = self.env.cli("serve", timeout=20)
        self.assertEqual(p.returncode, 1, p.err)
        self.assertIn("password_file '%s'" % self.env.pool_pw, p.err)


class HostsTimesInMsTest(unittest.TestCase):
    def test_api_hosts_times_in_ms(self):
        env = harness.Env()
        env.start()
        try:
            before = time.time()
            p = env.cli("arm", "h1")
            self.assertEqual(p.returncode, 0, p.err)
            after = time.time() + 1
            hosts = {h["name"]: h for h in env.api("GET", "/hosts")
                     .json()}
            h1 = hosts["h1"]
            for t in (h1["last_event_at"], h1["updated_at"],
                      h1["armed"]["armed_at"]):
                self.assertGreaterEqual(t, int(before) * 1000)
                self.assertLessEqual(t, after * 1000)
            self.assertIsNone(hosts["h2"]["last_event_at"])
            # the CLI's (through the API now) is not multiplied again
            cli = env.hosts_json()["h1"]["last_event_at"]
            self.assertEqual(cli, h1["last_event_at"])
        finally:
            env.stop()
            env.cleanup()


if __name__ == "__main__":
    unittest.main()
