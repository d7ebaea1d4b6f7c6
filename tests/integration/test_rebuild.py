"""Rebuilding a failed pool member and installing a new host, against the
real `poolboot serve` and the real XAPI pool simulator: forget the dead
member, fresh-install it through poolboot (the simulated host PXE-boots
from its per-MAC file and runs the served answerfile and script), log in
to the new install, pool.join it back, and see it live and enabled in the
pool under its inventory name."""
import json
import os
import re
import shutil
import ssl
import sys
import time
import unittest
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import xmlrpc.client

import harness
import simharness as sh

sys.path.insert(0, os.path.join(harness.REPO_ROOT, "tests", "ipmisim"))
import ipmisim  # noqa: E402

NEW = sh.NEW


def pool_at_new(name, x, n, **kw):
    """A pool already on the repo's version (platform version as the
    repo's .treeinfo says), so a rebuilt member is homogeneous with it."""
    spec = sh.pool_spec(name, x, n, version=NEW, **kw)
    for h in spec["hosts"]:
        h["platform_version"] = "3.2.1"
        h["build_number"] = "release/yangtze/58"
    return spec


class RebuildEnv(sh.UpgradeEnv):
    """UpgradeEnv whose [host] sections can carry extra keys."""

    host_extra = {}

    def write_config(self, extra_server="", extra_hosts="", hosts_text=None):
        conf = super().write_config(extra_server, extra_hosts, hosts_text)
        if self.pools is None:
            return conf
        with open(conf) as f:
            text = f.read()
        for host, lines in self.host_extra.items():
            text = text.replace("[host %s]\n" % host,
                                "[host %s]\n%s" % (host, lines), 1)
        harness.write(self.conf, text)
        return conf


def fresh_identity(host, address):
    # a DNS name unlike the inventory name: the fresh install calls itself
    # node-HOST, and poolboot renames it to its inventory name
    return ("ip = %s/8\ngateway = 127.0.0.1\ndns = 127.0.0.53\n"
            "hostname = node-%s.example.com\nroot_password_file = %%s\n"
            "power = manual\n" % (address, host))


def start(pools, host_extra, extra_hosts="", sim_only=(), tls=True):
    """Starts the simulator with pools + sim_only (pools the inventory does
    not know, e.g. a new host's) and poolboot on an inventory of pools.
    tls: XAPI over HTTPS (as real XAPI on 443), the pools' hosts sharing
    one certificate that the [pool] sections trust (tls_ca); a freshly
    installed host serves the certificate its install left in
    /etc/xensource/xapi-ssl.pem. A job that joins a pool needs it."""
    env = RebuildEnv()
    env.host_extra = {h: t % env.root_pw for h, t in host_extra.items()}
    try:
        spec = {"tftp_root": env.tftp, "port": 0, "control_port": 0,
                "pools": list(pools) + list(sim_only)}
        if tls:
            spec["tls"] = sh.make_tls(env.dir, spec["pools"])
        sim = sh.Sim(spec, env.dir)
        env.sim = sim
        env.pools = pools
        env.write_config(extra_hosts=extra_hosts % {"root_pw": env.root_pw}
                         if extra_hosts else "")
        env.start()
    except BaseException:
        env.close()
        raise
    return env, sim


def wait_job(env, jid, states=("done", "halted", "aborted"), timeout=40,
             message=None):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        r = env.api("GET", "/jobs/%d" % jid)
        assert r.status == 200, r
        last = r.json()
        if message is not None and message in last.get("message", ""):
            return last
        if message is None and last["state"] in states:
            return last
        time.sleep(0.05)
    raise AssertionError("job %d: not %s within %d s: %s\n%s" % (
        jid, message or "/".join(states), timeout, json.dumps(last, indent=1),
        env.diag()))


def sim_host(sim, name):
    for h in sim.state()["hosts"]:
        if h["name"] == name and not h.get("ghost"):
            return h
    raise KeyError(name)


class RebuildTest(unittest.TestCase):

    def test_dead_member_rebuilt_and_back_in_pool(self):
        # the inventory's xapi URL names rbh2 (a member): rbh3 dies
        pool = pool_at_new("rb", 31, 3, vms=2)
        env, sim = start([pool], {"rbh3": fresh_identity("rbh3",
                                                         "127.0.31.3")})
        try:
            old_uuid = sim_host(sim, "rbh3")["uuid"]
            sim.fault("dead", host="rbh3")

            # without --wipe: refused, nothing happens
            r = env.cli("rebuild", "rbh3")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("--wipe", r.err)
            self.assertEqual(env.api("GET", "/jobs").json()["jobs"], [])

            r = env.cli("rebuild", "rbh3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            # power = manual: poolboot asks the operator to power it on
            job = wait_job(env, jid, message="power on rbh3 now")
            self.assertEqual(job["state"], "running")
            # the old record is forgotten before the install
            self.assertTrue(sim.events("host_destroyed", host="rbh3") or
                            any(c["method"] == "host.destroy"
                                for c in sim.calls()), env.diag())

            # what the host will be served: a fresh install with the
            # inventory's network identity (fetching it counts as one of
            # boot_attempts, like any boot)
            pxe = env.pxe_of(pool["hosts"][2]["mac"])
            url = re.search(r"answerfile=(\S+)", pxe).group(1)
            xml = urllib.request.urlopen(url).read()
            root = ET.fromstring(xml)
            self.assertEqual(root.tag, "installation")
            self.assertEqual(root.get("mode"), "fresh")
            self.assertEqual(root.find("primary-disk").text, "sda")
            self.assertIsNone(root.find("existing-installation"))
            ai = root.find("admin-interface")
            self.assertEqual(ai.get("proto"), "static")
            self.assertEqual(ai.find("ipaddr").text, "127.0.31.3")
            self.assertEqual(ai.find("subnet").text, "255.0.0.0")
            self.assertEqual(ai.find("gateway").text, "127.0.0.1")
            self.assertEqual([e.text for e in root.findall("name-server")],
                             ["127.0.0.53"])
            self.assertEqual(root.find("hostname").text,
                             "node-rbh3.example.com")
            pw = root.find("root-password")
            self.assertEqual(pw.get("type"), "hash")
            self.assertTrue(pw.text.startswith("$6$"))
            self.assertNotIn(harness.ROOT_PASSWORD.encode(), xml)

            # the operator powers it on: it PXE-boots through poolboot
            sim._req("POST", "/power-on", {"host": "rbh3"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "done", env.diag())
            self.assertEqual(job["step"], "done")

            h = sim_host(sim, "rbh3")
            self.assertNotEqual(h["uuid"], old_uuid)     # a new install
            self.assertEqual(h["pool"], "rb")            # joined back
            self.assertTrue(h["live"] and h["enabled"], h)
            self.assertEqual(h["product_version"], NEW)
            self.assertEqual(h["address"], "127.0.31.3")
            modes = [e["mode"] for e in sim.events("answerfile",
                                                  host="rbh3")]
            self.assertEqual(modes, ["fresh"])
            self.assertTrue(sim.events("pool_join", host="rbh3"))
            # its XAPI serves the certificate poolboot made and pinned
            self.assertTrue(any(h["tls_sha256"] in m for m in
                                hostcert_events(env, "rbh3")),
                            (h, hostcert_events(env, "rbh3")))
            # its XAPI name is its inventory name again
            names = [c for c in sim.calls("host.set_name_label")]
            self.assertTrue(any("rbh3" in c["args"] for c in names),
                            names)
            # so a rolling upgrade finds every host by name again
            r = env.cli("precheck", "rb")
            self.assertIn("[ OK ] inventory", r.out, r.out + r.err)
            # one-shot: back at local boot
            self.assertIn("localboot", env.pxe_of(pool["hosts"][2]["mac"]))
        finally:
            env.close()

    def test_member_being_upgraded_is_not_rebuilt(self):
        pool = sh.pool_spec("ru", 37, 3, install_delay=3.0)
        env, sim = start([pool], {"ruh2": fresh_identity("ruh2",
                                                         "127.0.37.2")})
        try:
            r = env.cli("upgrade", "ru")
            self.assertEqual(r.returncode, 0, r)
            # the member is down in the installer: not live, not dead
            self.assertIsNotNone(env.wait_step("ru", "ruh2", {"install"},
                                               timeout=30, period=0.05))
            r = env.cli("rebuild", "ruh2", "--wipe")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("running rolling upgrade", r.err)
            self.assertFalse(sim.calls("host.destroy"))
            st = env.wait_run("ru")
            self.assertEqual(st["state"], "done", env.diag("ru"))
        finally:
            env.close()

    def test_live_host_is_never_forgotten(self):
        pool = pool_at_new("rl", 32, 2)
        env, sim = start([pool], {"rlh2": fresh_identity("rlh2",
                                                         "127.0.32.2")})
        try:
            r = env.cli("rebuild", "rlh2", "--wipe", "--follow")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("live", r.out + r.err)
            self.assertFalse([c for c in sim.calls("host.destroy")])
            self.assertTrue(sim_host(sim, "rlh2")["live"])
            # and nothing was armed
            self.assertFalse(os.path.exists(os.path.join(
                env.tftp, "pxelinux.cfg",
                harness.pxe_name(pool["hosts"][1]["mac"]))))
        finally:
            env.close()


def wait_job_until(env, jid, pred, what, timeout=40):
    """Polls job jid until pred(job) holds; returns the job."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        r = env.api("GET", "/jobs/%d" % jid)
        assert r.status == 200, r
        last = r.json()
        if pred(last):
            return last
        time.sleep(0.05)
    raise AssertionError("job %d: not %s within %d s: %s\n%s" % (
        jid, what, timeout, json.dumps(last, indent=1), env.diag()))


def xapi_master(sim, spec, method, *args):
    """method(session, *args) on the pool's master, as an operator's xe
    would call it (XML-RPC, a fresh session)."""
    master = next(h for h in spec["hosts"] if h.get("master"))
    ctx = None
    if sim.spec.get("tls"):     # the pool's certificate, as poolboot trusts
        ctx = ssl.create_default_context(cafile=sim.spec["tls"]["cert"])
    with xmlrpc.client.ServerProxy(sim.url(master["address"]),
                                   context=ctx) as x:
        r = x.session.login_with_password(spec["username"], spec["password"])
        assert r["Status"] == "Success", r
        r = getattr(x, method)(r["Value"], *args)
        assert r["Status"] == "Success", r
        return r["Value"]


def power_events(env, host):
    return [e for e in env.events(host=host)
            if "power on %s now" % host in e.get("message", "")]


class LivenessTest(unittest.TestCase):
    """Never two hosts of a pool down: a rebuild powers its host only
    while every other member is live and enabled (read just before), and
    never while a rolling upgrade runs on the pool."""

    def test_power_step_halts_while_another_member_is_down(self):
        # rdh2 is the inventory's xapi URL; rdh4 is rebuilt, rdh3 dies
        pool = pool_at_new("rd", 39, 4)
        env, sim = start([pool], {"rdh4": fresh_identity("rdh4",
                                                         "127.0.39.4")})
        try:
            sim.fault("dead", host="rdh4")
            sim.fault("install_fail", host="rdh4")
            r = env.cli("rebuild", "rdh4", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rdh4 now")
            sim._req("POST", "/power-on", {"host": "rdh4"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual((job["state"], job["step"]),
                             ("halted", "install"), env.diag())
            time.sleep(1.0)     # the failed installer reboots rdh4
            sim.clear(host="rdh4")
            sim.fault("dead", host="rdh4")
            # check and forget are behind it; now another member dies
            sim.fault("dead", host="rdh3")
            self.assertEqual(len(power_events(env, "rdh4")), 1)
            r = env.cli("jobs", "retry", str(jid))
            self.assertEqual(r.returncode, 0, r)
            job = wait_job_until(
                env, jid, lambda j: j["state"] != "running" or
                j["step"] == "install", "halted or installing", timeout=30)
            # halted before the power action, naming the dead member and
            # what to do; the operator was not asked to power rdh4 on
            self.assertEqual((job["state"], job["step"]),
                             ("halted", "power"), env.diag())
            self.assertIn("rdh3", job["error"])
            self.assertIn("not live", job["error"])
            self.assertIn("retry", job["error"])
            self.assertEqual(len(power_events(env, "rdh4")), 1,
                             env.events(host="rdh4"))

            # rdh3 back (it boots locally and stays disabled): still halted
            sim._req("POST", "/power-on", {"host": "rdh3"})
            wait_job_until(env, jid, lambda j: sim_host(sim, "rdh3")["live"],
                           "rdh3 live", timeout=10)
            r = env.cli("jobs", "retry", str(jid))
            self.assertEqual(r.returncode, 0, r)
            job = wait_job_until(
                env, jid, lambda j: j["state"] != "running" or
                j["step"] == "install", "halted or installing", timeout=30)
            self.assertEqual((job["state"], job["step"]), ("halted", "power"))
            self.assertIn("rdh3", job["error"])
            self.assertIn("disabled", job["error"])
            # enabled again: the power action follows
            sim.fault("enabled", True, host="rdh3")
            r = env.cli("jobs", "retry", str(jid))
            self.assertEqual(r.returncode, 0, r)
            job = wait_job_until(
                env, jid, lambda j: j["state"] != "running" or
                j["step"] == "install", "halted or installing", timeout=30)
            self.assertEqual((job["state"], job["step"]),
                             ("running", "install"), job)
            self.assertEqual(len(power_events(env, "rdh4")), 2)
        finally:
            env.close()

    def test_rebuild_refused_while_a_run_is_running(self):
        # a member still pending in the run dies while the master is
        # installing: rebuilding it now would take it down (powered into
        # the installer) while the run takes the next host down
        pool = sh.pool_spec("rr", 40, 3, install_delay=3.0)
        env, sim = start([pool], {"rrh3": fresh_identity("rrh3",
                                                         "127.0.40.3")})
        try:
            r = env.cli("upgrade", "rr")
            self.assertEqual(r.returncode, 0, r)
            self.assertIsNotNone(env.wait_step("rr", "rrh1", {"install"},
                                               timeout=30, period=0.05))
            sim.fault("dead", host="rrh3")
            r = env.api("POST", "/hosts/rrh3/rebuild",
                        body=json.dumps({"wipe": True}))
            self.assertEqual(r.status, 409, r.body)
            err = r.json()["error"]
            self.assertIn("running rolling upgrade", err)
            self.assertIn("rr", err)
            self.assertIn("abort", err)
            r = env.cli("rebuild", "rrh3", "--wipe")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("running rolling upgrade", r.err)
            self.assertEqual(env.api("GET", "/jobs").json()["jobs"], [])
            self.assertFalse(sim.calls("host.destroy"))
            # the run halts at the next host (rrh3 is not live); once it
            # is halted the dead member may be rebuilt
            st = env.wait_run("rr")
            self.assertEqual(st["state"], "halted", env.diag("rr"))
            self.assertEqual(sh.host_step(st, "rrh2")["step"], "disable")
            self.assertIn("rrh3", st["error"])
            self.assertEqual(sim.events("host_reboot", host="rrh2"), [])
            r = env.cli("rebuild", "rrh3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rrh3 now")
            # rrh3 is forgotten now (XAPI no longer shows it) and waits
            # for its installer: a retry of the run too early must not
            # take rrh2 down as well
            r = env.cli("retry", "rr")
            self.assertEqual(r.returncode, 0, r)
            st = env.wait_run("rr")
            self.assertEqual(st["state"], "halted", env.diag("rr"))
            self.assertEqual(sh.host_step(st, "rrh2")["step"], "disable")
            self.assertIn("being rebuilt", st["error"])
            self.assertIn("rrh3", st["error"])
            self.assertEqual(sim.events("host_reboot", host="rrh2"), [])
            self.assertTrue(sim.hosts()["rrh2"]["enabled"])
        finally:
            env.close()


class IdentityTest(unittest.TestCase):
    """A host is recognised by its management MAC too, not only by its
    name_label: a renamed live member is never forgotten and wiped, a
    renamed dead one is forgotten by its own ref."""

    def test_renamed_live_member_is_refused(self):
        pool = pool_at_new("rn", 42, 3)
        env, sim = start([pool], {"rnh3": fresh_identity("rnh3",
                                                         "127.0.42.3")})
        try:
            ref = sim_host(sim, "rnh3")["ref"]
            xapi_master(sim, pool, "host.set_name_label", ref, "rack7-u12")
            self.assertEqual(sim_host(sim, "rnh3")["name_label"],
                             "rack7-u12")
            r = env.cli("rebuild", "rnh3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            job = wait_job_until(
                env, jid, lambda j: j["state"] != "running" or
                j["step"] not in ("check", "forget"), "past check")
            self.assertEqual((job["state"], job["step"]),
                             ("halted", "check"), env.diag())
            self.assertIn("live", job["error"])
            self.assertIn("rack7-u12", job["error"])
            self.assertIn("52:54:00:2a:10:03", job["error"])
            self.assertFalse(sim.calls("host.destroy"))
            self.assertTrue(sim_host(sim, "rnh3")["live"])
            self.assertFalse(power_events(env, "rnh3"))
            # nothing was armed: no per-MAC file
            self.assertFalse(os.path.exists(os.path.join(
                env.tftp, "pxelinux.cfg",
                harness.pxe_name(pool["hosts"][2]["mac"]))))
        finally:
            env.close()

    def test_renamed_dead_member_is_forgotten_by_its_ref(self):
        pool = pool_at_new("rm", 43, 3)
        env, sim = start([pool], {"rmh3": fresh_identity("rmh3",
                                                         "127.0.43.3")})
        try:
            ref = sim_host(sim, "rmh3")["ref"]
            xapi_master(sim, pool, "host.set_name_label", ref, "old-name")
            sim.fault("dead", host="rmh3")
            r = env.cli("rebuild", "rmh3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rmh3 now")
            destroys = sim.calls("host.destroy")
            self.assertEqual([c["args"][1:] for c in destroys], [[ref]],
                             env.diag())
            sim._req("POST", "/power-on", {"host": "rmh3"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "done", env.diag())
            # one record of the machine in the pool: the new member
            recs = [h for h in sim.state()["hosts"]
                    if h["name"] == "rmh3" and h["pool"] == "rm"]
            self.assertEqual(len(recs), 1, recs)
            self.assertTrue(recs[0]["live"] and not recs[0]["ghost"])
        finally:
            env.close()


def hostcert_events(env, host):
    """poolboot's events about the certificate it made for host's new
    install, oldest first."""
    r = env.api("GET", "/events?host=%s&limit=1000" % host)
    assert r.status == 200, r
    return [e["message"] for e in reversed(r.json()["events"])
            if "certificate" in e["message"]]


def opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


class PinnedIdentityTest(unittest.TestCase):
    """The rebuilt host's identity is pinned before any credential is sent
    to it: poolboot makes the new install's XAPI key and certificate,
    hands them out once through the arming's token (a filesystem-populated
    script installs them as /etc/xensource/xapi-ssl.pem), and logs in to
    the new install only over TLS with that certificate. Whoever else
    answers at the host's address gets nothing."""

    def test_impostor_at_the_rebuilt_address_gets_no_credential(self):
        pool = pool_at_new("rp", 168, 3)
        env, sim = start([pool], {"rph3": fresh_identity("rph3",
                                                         "127.0.168.3")})
        try:
            sim.fault("dead", host="rph3")
            r = env.cli("rebuild", "rph3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rph3 now")
            # while the host installs, another machine takes its address:
            # a TLS XAPI look-alike with a certificate of its own
            sim.fault("impostor", host="rph3")
            sim._req("POST", "/power-on", {"host": "rph3"})
            job = wait_job(env, jid, timeout=60)
            seen = json.dumps(sim.events("impostor_call"))
            self.assertNotIn(harness.POOL_PASSWORD, seen, env.diag())
            self.assertNotIn(harness.ROOT_PASSWORD, seen, env.diag())
            # not even a request: the certificate is checked first
            self.assertEqual(sim.events("impostor_call"), [], env.diag())
            self.assertFalse(sim.calls("pool.join"))
            # halted at once with the reason, before the rejoin timeout
            self.assertEqual(job["state"], "halted", env.diag())
            self.assertEqual(job["step"], "xapi")
            self.assertIn("not the certificate poolboot made", job["error"])
            self.assertIn("nothing was sent", job["error"])
            self.assertTrue(sim.events("impostor_up", host="rph3"))
            # the real install got poolboot's certificate all the same
            self.assertEqual([e["installed"] for e in
                              sim.events("xapi_ssl_pem", host="rph3")],
                             [True])
            # the job ended (halted): the key is gone from the server
            self.assertEqual(os.listdir(os.path.join(env.state,
                                                     "hostcert")),
                             ["rph3.pin"])

            # the impostor leaves; the operator retries: the new install
            # shows poolboot's certificate and is joined
            sim.clear(host="rph3")
            r = env.cli("jobs", "retry", str(jid))
            self.assertEqual(r.returncode, 0, r)
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "done", env.diag())
            self.assertEqual(sim_host(sim, "rph3")["pool"], "rp")
            self.assertEqual(sim.events("impostor_call"), [])
            self.assertEqual(os.listdir(os.path.join(env.state,
                                                     "hostcert")), [])
        finally:
            env.close()

    def test_certificate_link_works_once(self):
        pool = pool_at_new("rc", 169, 3)
        env, sim = start([pool], {"rch3": fresh_identity("rch3",
                                                         "127.0.169.3")})
        try:
            sim.fault("dead", host="rch3")
            r = env.cli("rebuild", "rch3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rch3 now")
            # the key waits in the state folder, for the owner only
            d = os.path.join(env.state, "hostcert")
            self.assertEqual(os.stat(d).st_mode & 0o777, 0o700)
            self.assertEqual(os.stat(os.path.join(d, "rch3.pem")).st_mode
                             & 0o777, 0o600)
            pxe = env.pxe_of(pool["hosts"][2]["mac"])
            url = re.search(r"answerfile=(\S+)", pxe).group(1)
            root = ET.fromstring(opener().open(url).read())
            fs = [s for s in root.findall("script")
                  if s.get("stage") == "filesystem-populated"]
            self.assertEqual(len(fs), 1)
            self.assertEqual(fs[0].get("type"), "url")
            script_url = fs[0].text.strip()
            self.assertEqual(script_url, url.replace("/answerfile",
                                                     "/hostcert-script"))
            script = opener().open(script_url).read().decode()
            self.assertTrue(script.startswith("#!/bin/sh"))
            self.assertNotIn("PRIVATE KEY-----\n", script)
            cert_url = url.replace("/answerfile", "/hostcert")
            self.assertIn(cert_url, script)
            # a wrong token: 403, and the key is still there
            with self.assertRaises(urllib.error.HTTPError) as cm:
                opener().open(cert_url.replace("/hosts/rch3/",
                                               "/hosts/rch3/x"))
            self.assertEqual(cm.exception.code, 403)
            pem = opener().open(cert_url).read().decode()
            self.assertIn("-----BEGIN PRIVATE KEY-----", pem)
            self.assertIn("-----BEGIN CERTIFICATE-----", pem)
            self.assertLess(pem.index("PRIVATE KEY"),
                            pem.index("CERTIFICATE"))
            # once: the second fetch is 410 and the key is gone
            with self.assertRaises(urllib.error.HTTPError) as cm:
                opener().open(cert_url)
            self.assertEqual(cm.exception.code, 410)
            self.assertFalse(os.path.exists(os.path.join(d, "rch3.pem")))
            # the key never reached the log
            body = pem.split("-----BEGIN PRIVATE KEY-----")[1].split()[0]
            with open(env.log_path) as f:
                self.assertNotIn(body, f.read())
            # the pin poolboot announced is this certificate's
            fp = sh_cert_sha256(pem)
            self.assertTrue(any(fp in m for m in
                                hostcert_events(env, "rch3")),
                            hostcert_events(env, "rch3"))

            # the installer's own fetch now gets 410: the new install
            # makes its own certificate, which poolboot does not trust
            sim._req("POST", "/power-on", {"host": "rch3"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "halted", env.diag())
            self.assertEqual(job["step"], "xapi")
            self.assertIn("not the certificate poolboot made", job["error"])
            self.assertEqual([e["installed"] for e in
                              sim.events("xapi_ssl_pem", host="rch3")],
                             [False])
            # the real host was sent nothing either
            self.assertFalse([c for c in sim.calls() if
                              c.get("host") == "rch3"])
        finally:
            env.close()

    def test_join_over_plain_http_is_refused(self):
        pool = pool_at_new("rt", 170, 3)
        env, sim = start([pool], {"rth3": fresh_identity("rth3",
                                                         "127.0.170.3")},
                         tls=False)
        try:
            sim.fault("dead", host="rth3")
            r = env.cli("rebuild", "rth3", "--wipe")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("https", r.err)
            self.assertFalse(sim.calls("host.destroy"))
            self.assertEqual(env.api("GET", "/jobs").json()["jobs"], [])
        finally:
            env.close()


def sh_cert_sha256(pem):
    """"AB:CD:..." of the certificate in pem (text)."""
    import hashlib
    import ssl
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                  pem, re.S)
    d = hashlib.sha256(ssl.PEM_cert_to_DER_cert(m.group(0))).hexdigest()
    return ":".join(d[i:i + 2] for i in range(0, 64, 2)).upper()


class DurableJobTest(unittest.TestCase):
    """A job survives kill -9 of the server, and a halted job resumes with
    jobs retry once the cause is fixed."""

    def test_kill9_mid_rebuild_then_install_failure_and_retry(self):
        pool = pool_at_new("rk", 35, 3)
        env, sim = start([pool], {"rkh3": fresh_identity("rkh3",
                                                         "127.0.35.3")})
        try:
            sim.fault("dead", host="rkh3")
            sim.fault("install_fail", host="rkh3")
            r = env.cli("rebuild", "rkh3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rkh3 now")
            # the server dies while the job waits for the installer
            env.restart_hard()
            env.wait_log("resuming job")
            sim._req("POST", "/power-on", {"host": "rkh3"})
            job = wait_job(env, jid, timeout=60)
            # the installer reported 1: halted, with the reason
            self.assertEqual(job["state"], "halted", env.diag())
            self.assertEqual(job["step"], "install")
            self.assertIn("installer did not succeed", job["error"])
            self.assertIn("localboot", env.pxe_of(pool["hosts"][2]["mac"]))
            # exactly one forget, although the job ran in two servers
            self.assertEqual(len(sim.calls("host.destroy")), 1)

            # fixed (and switched off by the operator once the failed
            # installer has rebooted it): retry starts again at arming
            time.sleep(1.0)     # the simulator's reboot_delay is 0.1 s
            sim.clear(host="rkh3")
            sim.fault("dead", host="rkh3")
            r = env.cli("jobs", "retry", str(jid))
            self.assertEqual(r.returncode, 0, r)
            wait_job(env, jid, message="power on rkh3 now")
            sim._req("POST", "/power-on", {"host": "rkh3"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "done", env.diag())
            h = sim_host(sim, "rkh3")
            self.assertEqual(h["pool"], "rk")
            self.assertTrue(h["live"] and h["enabled"], h)
            self.assertEqual([e["arg"] for e in
                              sim.events("script", host="rkh3")], ["1", "0"])
        finally:
            env.close()


class UpgradeHandOffTest(unittest.TestCase):
    """A member whose upgrade failed is rebuilt, and the rolling upgrade
    carries on without installing it a second time."""

    def test_failed_member_rebuilt_then_run_retried(self):
        pool = sh.pool_spec("rh", 36, 3)
        env, sim = start([pool], {"rhh3": fresh_identity("rhh3",
                                                         "127.0.36.3")})
        try:
            sim.fault("install_fail", host="rhh3")
            r = env.cli("upgrade", "rh")
            self.assertEqual(r.returncode, 0, r)
            st = env.wait_run("rh")
            self.assertEqual(st["state"], "halted", env.diag("rh"))
            self.assertIn("rhh3", st["error"])
            # the operator gives up on it: it is switched off (once the
            # failed installer has rebooted it) and rebuilt fresh
            time.sleep(1.0)
            sim.clear(host="rhh3")
            sim.fault("dead", host="rhh3")
            r = env.cli("rebuild", "rhh3", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on rhh3 now")
            sim._req("POST", "/power-on", {"host": "rhh3"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "done", json.dumps(job, indent=1)
                             + env.diag("rh"))
            # the run carries on: rhh3 is already on the target version
            r = env.cli("retry", "rh")
            self.assertEqual(r.returncode, 0, r)
            st = env.wait_run("rh")
            self.assertEqual(st["state"], "done", env.diag("rh"))
            for h in sim.state()["hosts"]:
                if h["pool"] == "rh" and not h.get("ghost"):
                    self.assertEqual(h["product_version"], NEW, h)
                    self.assertTrue(h["live"] and h["enabled"], h)
            # rhh3: one failed upgrade, one fresh install, no third install
            self.assertEqual([e["mode"] for e in
                              sim.events("answerfile", host="rhh3")],
                             ["upgrade", "fresh"])
        finally:
            env.close()


class IpmiRebuildTest(unittest.TestCase):
    """power = ipmi: poolboot sets the BMC's next boot to PXE and powers
    the machine on through a real BMC simulator (OpenIPMI's ipmi_sim,
    driven by the real ipmitool); the BMC's power-on boots the simulated
    host, which then installs through poolboot."""

    def test_ipmi_power_on_starts_the_rebuild_boot(self):
        if not (shutil.which("ipmi_sim") and shutil.which("ipmitool")):
            self.skipTest("needs ipmi_sim and ipmitool (packages openipmi, "
                          "ipmitool)")
        pool = pool_at_new("ri", 34, 3)
        env = None
        bmc = None
        try:
            env, sim = start([pool], {}, extra_hosts="")
            bmc = ipmisim.BMCSim(
                os.path.join(env.dir, "bmc"),
                on_command="curl -fsS -X POST -d '{\"host\": \"rih3\"}' "
                "http://127.0.0.1:%d/power-on" % sim.cport).start(power="off")
            env.host_extra = {"rih3": (
                "ip = 127.0.34.3/8\ngateway = 127.0.0.1\n"
                "dns = 127.0.0.53\nhostname = rih3.example.com\n"
                "root_password_file = %s\npower = ipmi\n"
                "ipmi_address = 127.0.0.1\nipmi_port = %d\n"
                "ipmi_user = %s\nipmi_password_file = %s\n"
                "ipmi_cipher = 3\n" % (env.root_pw, bmc.port, bmc.user,
                                        bmc.password_file))}
            env.stop()
            env.write_config()
            env.start()
            sim.fault("dead", host="rih3")
            r = env.cli("rebuild", "rih3", "--wipe", "--follow",
                        timeout=120)
            self.assertEqual(r.returncode, 0, r.out + r.err + env.diag())
            self.assertIn("done", r.out)
            ev = bmc.events()
            kinds = [e.split()[0] + (" " + e.split()[1] if e.startswith(
                "boot ") else "") for e in ev]
            # the next boot set to PXE, then the power went on, once
            self.assertIn("boot pxe", kinds, ev)
            self.assertEqual(len(bmc.power_ons()), 1, ev)
            self.assertLess(kinds.index("boot pxe"), kinds.index("power-on"),
                            ev)
            # the power-on booted the host through poolboot: fresh install
            self.assertEqual([e["mode"] for e in
                              sim.events("answerfile", host="rih3")],
                             ["fresh"])
            h = sim_host(sim, "rih3")
            self.assertEqual(h["pool"], "ri")
            self.assertTrue(h["live"] and h["enabled"], h)
        finally:
            if bmc is not None:
                bmc.stop()
            if env is not None:
                env.close()


class InstallTest(unittest.TestCase):

    def test_new_host_installed_fresh_joins_its_pool(self):
        target = pool_at_new("ip", 33, 2)
        spare = {"name": "spare", "username": "root",
                 "password": "unused", "install_delay": 0.2,
                 "reboot_delay": 0.1, "shutdown_delay": 0.1,
                 "hosts": [{"name": "nw1", "address": "127.0.33.9",
                            "mac": "52:54:00:33:00:09",
                            "product_version": "7.0.0", "state": "halted"}]}
        extra = ("[host nw1]\nmode = fresh\njoin = ip\n"
                 "mac = 52:54:00:33:00:09\ndisk = sda\n"
                 "ip = 127.0.33.9/8\ngateway = 127.0.0.1\n"
                 "dns = 127.0.0.53\nhostname = nw1.example.com\n"
                 "root_password_file = %(root_pw)s\npower = manual\n\n")
        env, sim = start([target], {}, extra_hosts=extra, sim_only=[spare])
        try:
            r = env.cli("install", "nw1")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("--wipe", r.err)

            r = env.cli("install", "nw1", "--wipe", "--json")
            self.assertEqual(r.returncode, 0, r)
            jid = json.loads(r.out)["id"]
            wait_job(env, jid, message="power on nw1 now")
            sim._req("POST", "/power-on", {"host": "nw1"})
            job = wait_job(env, jid, timeout=60)
            self.assertEqual(job["state"], "done", env.diag())
            h = sim_host(sim, "nw1")
            self.assertEqual(h["pool"], "ip")
            self.assertTrue(h["live"] and h["enabled"], h)
            self.assertEqual(h["product_version"], NEW)
            self.assertEqual([e["mode"] for e in
                              sim.events("answerfile", host="nw1")],
                             ["fresh"])
            r = env.cli("jobs")
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("install nw1", r.out)
            self.assertIn("done", r.out)
        finally:
            env.close()


if __name__ == "__main__":
    unittest.main()
