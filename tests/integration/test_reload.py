"""poolboot reload, SIGHUP and POST /api/v1/reload: the running server
re-reads its configuration file and applies what changed, or keeps the
configuration it has and says why (docs/operations.md, reload.h).

Before issue 14, a host added to the file could not be armed until serve
was restarted (`no host named "xen21" in the inventory`), SIGHUP only
logged "not supported yet", and there was no reload command or route.
"""
import json
import os
import re
import signal
import time
import unittest

import harness
import simharness as sh
import test_dnsmasq as dq

XEN21 = ("[host xen21]\npool = poolA\nmac = 52:54:00:00:00:21\n"
         "disk = sda\n\n")
# env.arm("xen21") finds its per-MAC file by this
harness.MACS.setdefault("xen21", "52:54:00:00:00:21")


def wait_for(fn, timeout=10.0, step=0.05):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() >= deadline:
            return v
        time.sleep(step)


def read(path):
    with open(path) as f:
        return f.read()


def reload_events(env):
    return [e["message"] for e in env.events(limit=50)
            if e.get("kind") == "reload"]


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env().start()
        self.addCleanup(self.env.cleanup)

    def tearDown(self):
        # every reader let go of its configuration by the end
        self.assertEqual(self.env.stop(), 0)
        self.assertNotIn("bug: ", self.env.log_text())

    def edit(self, old, new):
        with open(self.env.conf) as f:
            text = f.read()
        self.assertIn(old, text)
        harness.write(self.env.conf, text.replace(old, new, 1))

    def conf_line(self, needle):
        with open(self.env.conf) as f:
            for i, line in enumerate(f, 1):
                if needle in line:
                    return i
        raise AssertionError("%r not in the config" % needle)

    def test_added_host_can_be_armed_after_reload(self):
        env = self.env
        env.write_config(extra_hosts=XEN21)
        # the CLI reads the new file, the server still runs on the old one
        p = env.cli("arm", "xen21")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn('no host named "xen21" in the inventory', p.err)

        p = env.cli("reload")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertEqual(p.out.splitlines()[0], "reload: 1 host added "
                         "(xen21), 0 removed, 0 changed; no [dnsmasq]")
        tok = env.arm("xen21")
        r = env.get(env.host_path("xen21", tok, "answerfile"))
        self.assertEqual(r.status, 200, r)
        self.assertIn("reload (admin API): 1 host added (xen21), 0 removed, "
                      "0 changed; no [dnsmasq]", reload_events(env))
        self.assertIn("reload (admin API): 1 host added (xen21)",
                      env.log_text())

        # nothing changed: said so, nothing touched
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["summary"], "configuration unchanged")

    def test_removed_host_loses_its_files_and_the_api(self):
        env = self.env
        env.arm("h2")
        p = env.cli("disarm", "h2")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertTrue(os.path.exists(env.pxe_path("h2")))
        self.edit("[host h2]\npool = poolA\nmac = 52-54-00-00-00-02\n"
                  "disk = sda\n\n", "")
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 200, r)
        d = r.json()
        self.assertEqual(d["hosts"], {"added": [], "removed": ["h2"],
                                      "changed": []})
        self.assertFalse(os.path.exists(env.pxe_path("h2")))
        self.assertEqual(env.api("GET", "/hosts/h2").status, 404)
        self.assertEqual(env.api("GET", "/hosts/h1").status, 200)

    def test_broken_config_keeps_the_old_one(self):
        env = self.env
        tok = env.arm("h1")
        env.write_config(extra_hosts=XEN21 + "[host bad]\npool = poolA\n"
                         "mac = not-a-mac\ndisk = sda\n")
        line = self.conf_line("mac = not-a-mac")
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 422, r)
        d = r.json()
        self.assertIn("still running the old configuration", d["error"])
        self.assertTrue(any(e.startswith("%s:%d: " % (env.conf, line))
                            for e in d["errors"]), d["errors"])
        # the old configuration goes on: h1 armed and served, no xen21
        r = env.get(env.host_path("h1", tok, "answerfile"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(env.api("GET", "/hosts/xen21").status, 404)
        self.assertIn("%s:%d: " % (env.conf, line), env.log_text())

        # the CLI reads the same file to find the server: it says so
        p = env.cli("reload")
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:%d: " % (env.conf, line), p.err)
        self.assertIn("reload not sent", p.err)

        # a problem only the server's full load sees (a password file):
        # the CLI prints the server's file:line answer and exits 1
        env.write_config(extra_hosts=XEN21)
        self.edit("password_file = %s" % env.pool_pw,
                  "password_file = %s.missing" % env.pool_pw)
        line = self.conf_line("password_file =")
        p = env.cli("reload")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("reload refused (HTTP 422)", p.err)
        self.assertIn("%s:%d: " % (env.conf, line), p.err)
        p = env.cli("reload", "--json")
        self.assertEqual(p.returncode, 1)
        d = json.loads(p.out)
        self.assertEqual(d["exit"], 1)
        self.assertEqual(d["result"], "invalid")
        self.assertEqual(env.api("GET", "/hosts/xen21").status, 404)

    def test_listen_port_change_is_refused_with_restart(self):
        env = self.env
        old = env.port
        env.port = harness.free_port(avoid=(old, env.admin_port))
        env.write_config(extra_hosts=XEN21)
        p = env.cli("reload")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("[server] listen port: %d -> %d: cannot change while "
                      "poolboot serve runs; restart poolboot serve to apply"
                      % (old, env.port), p.err)
        env.port = old
        # nothing applied: not even the new host, and the old port serves
        self.assertEqual(env.api("GET", "/hosts/xen21").status, 404)
        self.assertEqual(env.get("/repo/xs82/.treeinfo").status, 200)

    def test_armed_host_change_is_refused_naming_it(self):
        env = self.env
        env.arm("h1")
        env.write_config(extra_hosts=XEN21)
        self.edit("mac = 52:54:00:00:00:01\ndisk = sda",
                  "mac = 52:54:00:00:00:01\ndisk = sdb")
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 409, r)
        d = r.json()
        self.assertEqual(d["hosts"]["changed"], ["h1"])
        self.assertTrue(any(e.startswith("host h1 is armed") and
                            "poolboot disarm h1" in e for e in d["errors"]),
                        d["errors"])
        self.assertEqual(env.api("GET", "/hosts/xen21").status, 404)
        # disarmed, the same file applies
        self.assertEqual(env.cli("disarm", "h1").returncode, 0)
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["hosts"]["changed"], ["h1"])

    def test_host_moved_to_another_site_is_changed(self):
        # a site = key is a change of the host (its boot files and
        # dnsmasq entry move with it: docs/scale-out.md)
        env = self.env
        self.edit("mac = 52:54:00:00:00:01\ndisk = sda",
                  "mac = 52:54:00:00:00:01\ndisk = sda\nsite = west")
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["hosts"]["changed"], ["h1"])

    def test_sighup_does_what_reload_does(self):
        env = self.env
        env.write_config(extra_hosts=XEN21)
        env.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "reload (SIGHUP): 1 host added "
                                 "(xen21)" in env.log_text()), env.log_tail())
        self.assertTrue(any(m.startswith("reload (SIGHUP): 1 host added "
                                         "(xen21)")
                            for m in reload_events(env)))
        env.arm("xen21")
        # a broken file on SIGHUP: logged with file:line, server goes on
        with open(env.conf, "a") as f:
            f.write("[host oops]\nmac = zz\n")
        line = self.conf_line("mac = zz")
        env.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "%s:%d: " % (env.conf, line) in
                                 env.log_text()), env.log_tail())
        self.assertIsNone(env.proc.poll())
        self.assertEqual(env.api("GET", "/hosts/xen21").status, 200)
        # both in the audit log, newest first: the signal as the client,
        # no token, the refused one with its first problem
        audit = [a for a in env.api("GET", "/audit?limit=50").json()
                 ["audit"] if a["action"] == "reload"]
        self.assertEqual([(a["client"], a["token"], a["status"])
                          for a in audit],
                         [("signal", "-", 422), ("signal", "-", 200)], audit)
        self.assertIn("%s:%d: " % (env.conf, line), audit[0]["result"])
        self.assertIn("1 host added (xen21)", audit[1]["result"])

    def test_sighups_back_to_back_never_end_the_server(self):
        """SIGHUPs arriving while a reload runs: each waits for sigwait;
        none reaches a thread of the server with the default action
        (which would end the process)."""
        env = self.env
        env.write_config(extra_hosts=XEN21)
        for _ in range(20):
            env.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "reload (SIGHUP): 1 host added "
                                 "(xen21)" in env.log_text()), env.log_tail())
        for _ in range(20):
            env.proc.send_signal(signal.SIGHUP)
            time.sleep(0.005)
        time.sleep(1)
        self.assertIsNone(env.proc.poll(), env.log_tail())
        self.assertEqual(env.api("GET", "/hosts/xen21").status, 200)

    def test_tokens_file_path_change_needs_a_restart(self):
        env = self.env
        env.write_config(extra_server="admin_tokens = %s/other-tokens\n"
                         % env.dir)
        r = env.api("POST", "/reload")
        self.assertEqual(r.status, 409, r)
        self.assertTrue(any(e.startswith("[server] admin_tokens") and
                            "restart poolboot serve" in e
                            for e in r.json()["errors"]), r.json())

    def test_reload_while_requests_run(self):
        """Requests during reloads: every answer is whole and right."""
        env = self.env
        errors = []
        import threading
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    r = env.api("GET", "/hosts")
                    if r.status != 200:
                        errors.append(r.status)
                    r = env.get("/repo/xs82/.treeinfo")
                    if r.status != 200:
                        errors.append(r.status)
                except OSError as e:
                    errors.append(str(e))
        ts = [threading.Thread(target=hammer) for _ in range(3)]
        for t in ts:
            t.start()
        try:
            for i in range(12):
                env.write_config(extra_hosts=XEN21 if i % 2 == 0 else "")
                r = env.api("POST", "/reload")
                self.assertEqual(r.status, 200, r)
        finally:
            stop.set()
            for t in ts:
                t.join()
        self.assertEqual(errors, [])
        self.assertIsNone(env.proc.poll())


class ReloadDuringRunTest(unittest.TestCase):
    """A run keeps its configuration: its hosts cannot change under it,
    another pool's can."""

    def test_run_untouched_its_hosts_refused_other_pool_applied(self):
        ra = sh.pool_spec("ra", 31, 3, install_delay=1.5)
        rb = sh.pool_spec("rb", 32, 2)
        env, sim = sh.world([ra, rb])
        self.addCleanup(env.close)
        p = env.cli("upgrade", "ra")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        st = env.wait_step("ra", "rah1", ("install",))
        self.assertIsNotNone(st, env.diag("ra"))
        run_id = st["run"]

        with open(env.conf) as f:
            base = f.read()

        def host_disk(text, host, mac, disk):
            old = "[host %s]\npool = %s\nmac = %s\ndisk = sda" % (
                host, host[:2], mac)
            self.assertIn(old, text)
            return text.replace(old, old[:-3] + disk)

        # a host in the run: refused, named, nothing applied
        text = host_disk(base, "rah2", ra["hosts"][1]["mac"], "sdb")
        text = host_disk(text, "rbh1", rb["hosts"][0]["mac"], "sdb")
        harness.write(env.conf, text)
        p = env.cli("reload")
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertRegex(p.err, r"host rah2 is in run %d of pool ra "
                         r"\(running, step \w+\): .*wait for the run to "
                         r"finish or abort it \(poolboot abort ra\)" % run_id)
        self.assertNotIn("rbh1 is", p.err)

        # only another pool's host: applied while the run goes on
        harness.write(env.conf, host_disk(base, "rbh1",
                                          rb["hosts"][0]["mac"], "sdb"))
        p = env.cli("reload")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("reload: 0 hosts added, 0 removed, 1 changed (rbh1)",
                      p.out)
        self.assertEqual(env.status("ra")["state"], "running")

        st = env.wait_run("ra", timeout=60)
        self.assertEqual(st["state"], "done", env.diag("ra"))
        self.assertEqual(st["run"], run_id)
        self.assertEqual([h["step"] for h in st["hosts"]],
                         ["done", "done", "done"])
        # once the run is over, its hosts may change
        harness.write(env.conf, text)
        p = env.cli("reload")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("1 changed (rah2)", p.out)


@unittest.skipIf(dq.netns_problem() is not None, dq.netns_problem() or "")
class ReloadManagedDnsmasqTest(unittest.TestCase):
    """[dnsmasq] mode = managed, dhcp = full: a host-only reload writes its
    hostsdir file, which the same dnsmasq reads; only a changed
    dnsmasq.conf restarts it."""

    def setUp(self):
        try:
            self.net = dq.Net()
        except RuntimeError as e:
            self.skipTest("cannot create network namespaces here: %s" % e)
        self.kv = dict(interface=self.net.ifname, dhcp="full",
                       range="10.213.0.100,10.213.0.150,255.255.255.0",
                       ping_check="no")
        self.env = dq.NsEnv(self.net, boot_files="tftp",
                            extra_hosts=dq.dnsmasq_section(**self.kv))
        self.addCleanup(self.net.close)
        self.addCleanup(self.env.cleanup)

    def pid(self):
        # the one serve says it started (a scan of serve's children could
        # take its short-lived `dnsmasq --test`: in one CI run the first
        # pid read was not the daemon's)
        return dq.serve_dnsmasq_pid(self.env)

    def reload(self):
        # the admin API is on loopback inside the server's namespace
        p = dq.run("ip", "netns", "exec", self.net.srv,
                   harness.poolboot_bin(), "reload", "-c", self.env.conf,
                   check=False)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_host_only_reload_keeps_dnsmasq_and_it_reads_the_new_host(self):
        env = self.env
        env.start()
        pid = dq.wait_for(self.pid, 5)
        self.assertTrue(pid, env.log_tail())
        hd = os.path.join(env.state, "dnsmasq/hosts.d")
        logp = os.path.join(env.state, "dnsmasq/dnsmasq.log")
        self.assertTrue(dq.wait_for(lambda: ("read %s/h1" % hd) in
                                    read(logp), 5))
        conf = os.path.join(env.state, "dnsmasq/dnsmasq.conf")
        mtime = os.stat(conf).st_mtime_ns

        env.write_config(extra_hosts=XEN21.replace(
            "disk = sda\n", "disk = sda\nip = 10.213.0.121/24\n") +
            dq.dnsmasq_section(**self.kv))
        rc, out, err = self.reload()
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(out.splitlines()[0], "reload: 1 host added (xen21), "
                         "0 removed, 0 changed; dnsmasq not restarted")
        with open(os.path.join(hd, "xen21")) as f:
            self.assertEqual(f.read(), "52:54:00:00:00:21,10.213.0.121\n")
        self.assertEqual(os.stat(conf).st_mtime_ns, mtime)
        # the same dnsmasq read the new file by itself (inotify)
        self.assertTrue(dq.wait_for(lambda: ("read %s/xen21" % hd) in
                                    read(logp), 5),
                        "dnsmasq did not read hosts.d/xen21")
        self.assertEqual(self.pid(), pid)

        # a removed host: its file goes, dnsmasq gets SIGHUP (no restart)
        env.write_config(extra_hosts=dq.dnsmasq_section(**self.kv))
        rc, out, err = self.reload()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("1 removed (xen21)", out)
        self.assertIn("dnsmasq not restarted (SIGHUP", out)
        self.assertFalse(os.path.exists(os.path.join(hd, "xen21")))
        self.assertEqual(self.pid(), pid)

        # dnsmasq.conf itself changes: dnsmasq is restarted with it
        kv = dict(self.kv, range="10.213.0.100,10.213.0.160,255.255.255.0")
        env.write_config(extra_hosts=dq.dnsmasq_section(**kv))
        rc, out, err = self.reload()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("dnsmasq restarted (its dnsmasq.conf changed)", out)
        new = dq.wait_for(lambda: (self.pid() or pid) != pid and self.pid(),
                          6)
        self.assertTrue(new, env.log_tail())
        with open(conf) as f:
            self.assertIn("dhcp-range=10.213.0.100,10.213.0.160,", f.read())
        self.assertIn("starting it again with its new dnsmasq.conf",
                      env.log_text())


if __name__ == "__main__":
    unittest.main()
