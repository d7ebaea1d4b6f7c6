"""GET|HEAD /grub/<path>: tftp_root/grub over HTTP, what a UEFI HTTP-boot
client loads from poolboot (the firmware grubx64.efi, then GRUB grub.cfg
and hosts/<mac>.cfg). Only files beneath tftp_root/grub, only on the
install listener, and a host's GRUB file fetch is in serve.log by host name
without its token."""
import os
import re
import time
import unittest

import harness

H1_MAC = "52:54:00:00:00:01"


class GrubHttpTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        t = cls.env.tftp
        cls.efi = os.urandom(300000)
        harness.write(os.path.join(t, "grub/grubx64.efi"), cls.efi)
        harness.write(os.path.join(t, "grub/grub.cfg"),
                      "configfile $prefix/hosts/${net_default_mac}.cfg\n")
        harness.write(os.path.join(t, "beside.cfg"), "not grub\n")
        os.symlink("../beside.cfg", os.path.join(t, "grub/up"))
        os.symlink(cls.env.secret, os.path.join(t, "grub/abs"))
        os.symlink(cls.env.dir, os.path.join(t, "grub/outdir"))
        cls.env.start()

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def test_image_with_length_and_type(self):
        r = self.env.get("/grub/grubx64.efi")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.efi)
        self.assertEqual(r.header("content-length"), str(len(self.efi)))
        self.assertEqual(r.header("content-type"), "application/efi")
        r = self.env.request("HEAD", "/grub/grubx64.efi")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-length"), str(len(self.efi)))
        self.assertEqual(r.body, b"")
        r = self.env.get("/grub/grubx64.efi", headers={"Range": "bytes=2-5"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, self.efi[2:6])
        r = self.env.get("/grub/grub.cfg")
        self.assertEqual(r.status, 200)
        self.assertIn(b"net_default_mac", r.body)

    def test_nothing_outside_grub(self):
        for path in ("/grub/../beside.cfg", "/grub/%2e%2e/beside.cfg",
                     "/grub/hosts/../../beside.cfg", "/grub/up",
                     "/grub/abs", "/grub/outdir/secret", "/grub/hosts",
                     "/grub/", "/grub/missing.efi", "/grub/../../secret"):
            r = self.env.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertNotIn(harness.SECRET_BYTES, r.body)
            self.assertNotIn(b"not grub", r.body)
            self.assertNotIn(self.env.dir.encode(), r.body)
        r = self.env.request("POST", "/grub/grubx64.efi")
        self.assertEqual(r.status, 405)

    def test_not_on_the_admin_listener(self):
        r = self.env.get("/grub/grubx64.efi", listener="admin")
        self.assertEqual(r.status, 404)
        self.assertNotEqual(r.body, self.efi)

    def test_host_fetch_logged_without_token(self):
        # armed (firmware auto): its GRUB file carries the install entry
        # and with it the token
        token = self.env.arm("h1")
        r = self.env.get("/grub/hosts/%s.cfg" % H1_MAC)
        self.assertEqual(r.status, 200)
        self.assertIn(token.encode(), r.body)
        self.assertIn(b"multiboot2", r.body)
        deadline = time.time() + 3
        # the fetch is logged while it is answered, the request line once
        # it has completed
        while time.time() < deadline and not (
                "fetched its GRUB config" in self.env.log_text() and
                '"GET /grub/hosts/%s.cfg" 200' % H1_MAC in self.env.log_text()):
            time.sleep(0.05)
        log = self.env.log_text()
        self.assertRegex(log, r'http: 127\.0\.0\.1 "GET /grub/hosts/%s\.cfg" '
                         r'200 \d+ ' % re.escape(H1_MAC))
        self.assertIn("http: 127.0.0.1: host h1 fetched its GRUB config "
                      "over HTTP (UEFI HTTP boot)", log)
        self.assertNotIn(token, log)
        # a file of a MAC outside the inventory names no host
        other = "/grub/hosts/52:54:00:99:99:99.cfg"
        harness.write(os.path.join(self.env.tftp, other[1:]), "exit\n")
        self.assertEqual(self.env.get(other).status, 200)
        self.assertIn('"GET %s" 200' % other, harness.settled(
            self.env.log_text, lambda t: '"GET %s" 200' % other in t))
        self.assertEqual(self.env.log_text().count("fetched its GRUB "
                                                   "config"), 1)

    def test_metrics_count_boot_route(self):
        self.env.get("/grub/grubx64.efi")
        r = self.env.get("/metrics")
        self.assertEqual(r.status, 200)
        m = re.search(rb'poolboot_http_requests_total\{route="boot",'
                      rb'code="2xx"\} (\d+)', r.body)
        self.assertIsNotNone(m, r.body[:2000])
        self.assertGreaterEqual(int(m.group(1)), 1)


if __name__ == "__main__":
    unittest.main()
