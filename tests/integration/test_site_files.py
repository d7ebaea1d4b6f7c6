"""Boot files and dnsmasq entries per site (docs/scale-out.md, "Sites,
standbys and failover"; docs/network.md): an instance with [server] site
writes tftp-root's per-MAC files and dnsmasq's hostsdir entries only for
its own site's hosts. Two instances of two sites share one SQLite
database the way test_failover.py does it (each its own state_dir; here
each its own tftp-root too, as on two install networks), dnsmasq in mode
external (poolboot writes its files and runs none).
"""
import os
import unittest

import harness
from test_failover import PlainEnv, Peer, restart_in_site

NEW1_MAC = "52:54:00:00:00:03"      # [host new1] mac = 5254.0000.0003
DNSMASQ = "\n[dnsmasq]\nmode = external\ndhcp = full\n"


def hosts_d(inst):
    """The hosts of inst's dnsmasq hostsdir, sorted, with their lines."""
    d = os.path.join(inst.state, "dnsmasq", "hosts.d")
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name)) as f:
            out[name] = f.read()
    return out


def grub_path(tftp, mac):
    return os.path.join(tftp, "grub", "hosts", "%s.cfg" % mac)


class SiteFilesTest(unittest.TestCase):

    def setUp(self):
        self.env = PlainEnv(extra_hosts=DNSMASQ)
        self.peers = []

    def tearDown(self):
        try:
            for p in self.peers:
                p.close()
        finally:
            self.env.close()

    def west_of(self, env):
        """West's instance: its own ports, state_dir and tftp-root."""
        port = harness.free_port(avoid=(env.port, env.admin_port))
        aport = harness.free_port(avoid=(env.port, env.admin_port, port))
        w = Peer(env, "west", ports=(port, aport))
        self.peers.append(w)
        w.tftp = os.path.join(w.dir, "tftp")
        os.makedirs(os.path.join(w.tftp, "pxelinux.cfg"))
        with open(w.conf) as f:
            text = f.read()
        old = "tftp_root = %s\n" % env.tftp
        self.assertIn(old, text)
        harness.write(w.conf, text.replace(old, "tftp_root = %s\n" % w.tftp))
        return w

    def test_each_site_writes_its_own_hosts_files_only(self):
        env = self.env
        env.start()
        # without [server] site: every host, as before sites
        self.assertEqual(sorted(hosts_d(env)), ["h1", "h2", "new1"])
        with open(env.conf) as f:
            text = f.read()
        harness.write(env.conf, text.replace(
            "[host new1]\n", "[host new1]\nsite = east\n").replace(
            "[pool poolA]\n", "[pool poolA]\nsite = west\n"))
        restart_in_site(env, "east")
        # east: new1 only; west's h1, h2 left its hostsdir at the start
        self.assertEqual(list(hosts_d(env)), ["new1"])
        self.assertTrue(hosts_d(env)["new1"].startswith(NEW1_MAC + ","))
        tok = env.arm("new1", wipe=True)
        self.assertTrue(os.path.exists(env.pxe_path("new1")))
        self.assertIn(tok, env.read_pxe("new1"))

        # west's tftp-root holds a stale boot file of east's new1 (say,
        # from before the host was given to east)
        w = self.west_of(env)
        stale = w.pxe_path("new1")
        harness.write(stale, "default install\n")
        os.makedirs(os.path.dirname(grub_path(w.tftp, NEW1_MAC)))
        harness.write(grub_path(w.tftp, NEW1_MAC), "menuentry install {\n}\n")
        w.start()
        w.wait_log("site:west taken by this instance")
        w.wait_log("per-MAC files of %s removed: the host is of site "
                   "'east'" % NEW1_MAC)
        self.assertFalse(os.path.exists(stale))
        self.assertFalse(os.path.exists(grub_path(w.tftp, NEW1_MAC)))
        self.assertEqual(os.listdir(os.path.join(w.tftp, "pxelinux.cfg")),
                         ["default"])
        self.assertEqual(sorted(hosts_d(w)), ["h1", "h2"])
        self.assertNotIn(NEW1_MAC, "".join(hosts_d(w).values()))

        # west's start left east's arming alone: new1 still armed, its
        # file in east's tftp-root, its answerfile served
        self.assertEqual(env.state_of("new1"), "armed")
        self.assertIn(tok, env.read_pxe("new1"))
        self.assertNotIn("re-arm the host", w.log_text())
        r = env.get(env.url_path(env.answerfile_url("new1")))
        self.assertEqual(r.status, 200, r)

        # west arms its own host: in west's tftp-root, not in east's
        r = w.api("POST", "/hosts/h1/arm")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(os.path.exists(w.pxe_path("h1")))
        self.assertFalse(os.path.exists(env.pxe_path("h1")))
        self.assertEqual(list(hosts_d(env)), ["new1"])


if __name__ == "__main__":
    unittest.main()
