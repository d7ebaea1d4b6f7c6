"""UEFI per-host GRUB files through a host's life, as a booting machine
and an operator see them: `firmware` decides whether pxelinux's per-MAC
file, GRUB's grub/hosts/<mac>.cfg or both carry the install entry; the
callback sends both back to local boot; a crash (kill -9) and a restart
keep or fail an arming by the files its firmware boots through;
init-tftp builds grub/grubx64.efi and grub/grub.cfg; check names what a
uefi host misses."""
import json
import os
import re
import shutil
import unittest

import harness
import simharness as sh
from test_hosts import HostTestBase
from test_dnsmasq import dnsmasq_section

MAC1 = harness.MACS["h1"]
MAC2 = harness.MACS["h2"]


def hosts_text(env, fw1, fw2="auto"):
    """h1 and h2 of poolA with the given firmware (None: no key)."""
    out = ""
    for name, mac, fw in (("h1", MAC1, fw1), ("h2", MAC2, fw2)):
        out += ("[host %s]\npool = poolA\nmac = %s\ndisk = sda\n%s\n"
                % (name, mac, "firmware = %s\n" % fw if fw else ""))
    return out


def grub_path(env, mac):
    return os.path.join(env.tftp, "grub", "hosts", mac + ".cfg")


def read(path):
    with open(path) as f:
        return f.read()


def token_in(text, host):
    m = harness.TOKEN_RE.search(text)
    return m.group(2) if m and m.group(1) == host else None


def is_grub_local(text):
    return (re.search(r"^\s*exit\s*$", text, re.M) is not None and
            "answerfile" not in text and "multiboot2" not in text)


class FirmwareBase(HostTestBase):
    fw1 = fw2 = None

    def setUp(self):
        self.env = harness.Env()
        self.env.write_config(hosts_text=hosts_text(self.env, self.fw1,
                                                    self.fw2))
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def arm(self, host):
        p = self.env.cli("arm", host)
        self.assertEqual(p.returncode, 0, p.out + p.err)

    def grub(self, host):
        return read(grub_path(self.env, harness.MACS[host]))

    def assert_both_local(self, host):
        self.assertTrue(harness.is_local_boot(self.env.read_pxe(host)),
                        self.env.read_pxe(host))
        self.assertTrue(is_grub_local(self.grub(host)), self.grub(host))


class UefiFilesTest(FirmwareBase):
    """h1: firmware = uefi, h2: firmware = bios."""
    fw1 = "uefi"
    fw2 = "bios"

    def test_start_up_writes_grub_cfg(self):
        text = read(os.path.join(self.env.tftp, "grub", "grub.cfg"))
        self.assertIn("net_default_mac", text)
        self.assertTrue(os.path.isdir(os.path.join(self.env.tftp, "grub",
                                                   "hosts")))

    def test_uefi_host_boots_grub_bios_host_pxelinux(self):
        self.arm("h1")
        tok = token_in(self.grub("h1"), "h1")
        self.assertIsNotNone(tok, self.grub("h1"))
        self.assertTrue(harness.is_local_boot(self.env.read_pxe("h1")))
        # the token GRUB hands the installer opens the answerfile
        self.assertEqual(self.fetch("h1", tok).status, 200)

        self.arm("h2")
        tok2 = self.env.token_of("h2")
        self.assertTrue(is_grub_local(self.grub("h2")), self.grub("h2"))
        self.assertEqual(self.fetch("h2", tok2).status, 200)

        # the callback: both files of both hosts back to local boot
        self.run_script("h1", tok, 0)
        self.assert_both_local("h1")
        self.assertEqual(self.env.state_of("h1"), "done")
        self.assertEqual(self.fetch("h1", tok).status, 410)
        self.run_script("h2", tok2, 1)
        self.assert_both_local("h2")
        self.assertEqual(self.env.state_of("h2"), "failed")

    def test_render_and_api_name_the_grub_file(self):
        p = self.env.cli("render", "h1")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("# ==== %s (firmware uefi) ====" % grub_path(
            self.env, MAC1), p.out)
        p = self.env.cli("render", "h1", "--json")
        d = json.loads(p.out)
        self.assertEqual(d["firmware"], "uefi")
        self.assertEqual(d["grub_file"], grub_path(self.env, MAC1))
        self.assertIn("TOKEN", d["grub"])
        p = self.env.cli("render", "h2", "--json")      # bios: no GRUB file
        d = json.loads(p.out)
        self.assertNotIn("grub_file", d)
        r = self.env.api("POST", "/hosts/h1/arm", body="{}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["grub_file"], grub_path(self.env, MAC1))
        self.assertEqual(r.json()["firmware"], "uefi")

    def test_kill9_keeps_arming_of_the_files_in_use(self):
        """A uefi host does not boot pxelinux: a crash that leaves its
        pxelinux file without the install entry changes nothing."""
        self.arm("h1")
        tok = token_in(self.grub("h1"), "h1")
        self.env.kill9()
        os.unlink(self.env.pxe_path("h1"))
        self.env.start()
        self.assertEqual(self.env.state_of("h1"), "armed")
        self.assertEqual(token_in(self.grub("h1"), "h1"), tok)
        self.assertEqual(self.fetch("h1", tok).status, 200)

    def test_kill9_after_store_row_fails_the_arming(self):
        """A crash after the store row and before the GRUB file was
        written: the file has no token, the arming failed, both files
        boot locally and the token is refused."""
        self.arm("h1")
        tok = token_in(self.grub("h1"), "h1")
        self.env.kill9()
        harness.write(grub_path(self.env, MAC1),
                      "echo 'poolboot: local boot'\nexit\n")
        self.env.start()
        self.assertEqual(self.env.state_of("h1"), "failed")
        self.assert_both_local("h1")
        self.assertNotEqual(self.fetch("h1", tok).status, 200)
        text = "\n".join(e["message"] for e in self.env.events(host="h1"))
        self.assertRegex(text, r"(?i)re-?arm")


class AutoFirmwareTest(FirmwareBase):
    """h1 without the key (auto), h2: firmware = auto."""
    fw2 = "auto"

    def test_auto_arms_both_files_with_one_token(self):
        self.arm("h1")
        tok = token_in(self.grub("h1"), "h1")
        self.assertIsNotNone(tok)
        self.assertEqual(self.env.token_of("h1"), tok)
        self.run_script("h1", tok, 0)
        self.assert_both_local("h1")

    def test_kill9_after_store_row_fails_the_arming(self):
        """auto: the pxelinux file lost its entry in the crash."""
        self.arm("h1")
        tok = self.env.token_of("h1")
        self.env.kill9()
        os.unlink(self.env.pxe_path("h1"))
        self.env.start()
        self.assertEqual(self.env.state_of("h1"), "failed")
        self.assert_both_local("h1")
        self.assertNotEqual(self.fetch("h1", tok).status, 200)

    def test_kill9_keeps_both(self):
        self.arm("h1")
        tok = self.env.token_of("h1")
        self.env.kill9()
        self.env.start()
        self.assertEqual(self.env.state_of("h1"), "armed")
        self.assertEqual(token_in(self.grub("h1"), "h1"), tok)
        self.assertEqual(self.env.token_of("h1"), tok)

    def test_kill9_after_callback_row_goes_local(self):
        """A crash after the callback's store row, before the files went
        back to local boot: the start-up check rewrites both."""
        self.arm("h1")
        tok = self.env.token_of("h1")
        grub, pxe = self.grub("h1"), self.env.read_pxe("h1")
        self.run_script("h1", tok, 0)
        self.env.kill9()
        harness.write(grub_path(self.env, MAC1), grub)
        harness.write(self.env.pxe_path("h1"), pxe)
        self.env.start()
        self.assertEqual(self.env.state_of("h1"), "done")
        self.assert_both_local("h1")


GRUB_OK = (shutil.which("grub-mkimage") is not None and
           os.path.isdir("/usr/lib/grub/x86_64-efi"))
SYSLINUX_OK = all(os.path.exists(p) for p in (
    "/usr/lib/PXELINUX/pxelinux.0", "/usr/lib/PXELINUX/lpxelinux.0",
    "/usr/lib/syslinux/modules/bios/ldlinux.c32",
    "/usr/lib/syslinux/modules/bios/mboot.c32",
    "/usr/lib/syslinux/modules/bios/libcom32.c32"))


class InitTftpCheckTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env()

    def tearDown(self):
        self.env.cleanup()

    @unittest.skipUnless(GRUB_OK and SYSLINUX_OK,
                         "grub-mkimage, GRUB's EFI modules or syslinux "
                         "missing (scripts/install-deps.sh check)")
    def test_init_tftp_builds_grub_and_keeps_it(self):
        p = self.env.cli("init-tftp")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        img = os.path.join(self.env.tftp, "grub", "grubx64.efi")
        cfg = os.path.join(self.env.tftp, "grub", "grub.cfg")
        with open(img, "rb") as f:
            data = f.read()
        self.assertEqual(data[:2], b"MZ")           # a PE file
        self.assertGreater(len(data), 100000)
        self.assertIn(b"multiboot2", data)          # modules built in
        self.assertIn("built   %s" % img, p.out)
        # no [dnsmasq]: no proxy-DHCP image
        self.assertIn("skipped %s/grub/grubx64-proxy.efi" % self.env.tftp,
                      p.out)
        self.assertIn("net_default_mac", read(cfg))
        st = os.stat(img).st_mtime_ns
        harness.write(cfg, "# the operator's\n")
        p = self.env.cli("init-tftp")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("kept    %s (identical" % img, p.out)
        self.assertIn("kept    %s (exists)" % cfg, p.out)
        self.assertEqual(os.stat(img).st_mtime_ns, st)
        self.assertEqual(read(cfg), "# the operator's\n")
        # and check has nothing left to say about GRUB
        p = self.env.cli("check")
        self.assertNotIn("grub", p.err)

    def test_check_names_missing_grub_files(self):
        # auto hosts (the default) without dnsmasq: notes, exit 0
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("note: '%s/grub/grubx64.efi' is missing"
                      % self.env.tftp, p.err)
        # auto hosts with poolboot's dnsmasq: still notes for GRUB
        dns = dnsmasq_section(mode="external",
                              binary="/nonexistent/dnsmasq")
        self.env.write_config(extra_hosts=dns)
        p = self.env.cli("check")
        self.assertIn("note: '%s/grub/grubx64.efi' is missing"
                      % self.env.tftp, p.err)
        self.assertNotRegex(p.err, r"(?m)^'[^']*grub")
        # proxy-DHCP (the default) without an address (public_url is a
        # loopback address here): the proxy image cannot be built
        self.assertIn("note: UEFI PXE through proxy-DHCP needs "
                      "grub/grubx64-proxy.efi", p.err)
        # a uefi host with poolboot's dnsmasq: errors naming both files
        self.env.write_config(hosts_text=hosts_text(self.env, "uefi"),
                              extra_hosts=dns)
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1, p.err)
        for f in ("grub/grubx64.efi", "grub/grub.cfg"):
            self.assertRegex(p.err, r"(?m)^'%s/%s' is missing" % (
                re.escape(self.env.tftp), f))
        self.assertIn("grub-efi-amd64-bin", p.err)

    @unittest.skipUnless(GRUB_OK and SYSLINUX_OK,
                         "grub-mkimage, GRUB's EFI modules or syslinux "
                         "missing (scripts/install-deps.sh check)")
    def test_proxy_dhcp_image_names_the_tftp_server(self):
        dns = dnsmasq_section(mode="external", address="10.200.0.1",
                              binary="/nonexistent/dnsmasq")
        self.env.write_config(hosts_text=hosts_text(self.env, "uefi"),
                              extra_hosts=dns)
        p = self.env.cli("init-tftp")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        img = os.path.join(self.env.tftp, "grub", "grubx64-proxy.efi")
        with open(img, "rb") as f:
            data = f.read()
        self.assertEqual(data[:2], b"MZ")
        self.assertIn(b"(tftp,10.200.0.1)/grub", data)   # its prefix
        self.assertEqual(read(img + ".addr"), "10.200.0.1\n")
        p = self.env.cli("check")
        self.assertNotIn("grubx64-proxy", p.err)
        # the address changes: check says the image is stale
        dns = dnsmasq_section(mode="external", address="10.200.0.2",
                              binary="/nonexistent/dnsmasq")
        self.env.write_config(hosts_text=hosts_text(self.env, "uefi"),
                              extra_hosts=dns)
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1)
        self.assertIn("grub/grubx64-proxy.efi was built for TFTP server "
                      "10.200.0.1, but [dnsmasq] address is 10.200.0.2", p.err)

    def test_bad_firmware_is_refused_at_its_line(self):
        self.env.write_config(hosts_text=hosts_text(self.env, "efi"))
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1)
        lines = read(self.env.conf).split("\n")
        ln = [i + 1 for i, l in enumerate(lines)
              if l.startswith("firmware = efi")][0]
        self.assertIn("%s:%d: firmware: 'efi' must be bios" % (
            self.env.conf, ln), p.err)


class PrecheckBootFilesTest(unittest.TestCase):
    """A rolling upgrade's "boot files" precheck asks for what the pool's
    hosts boot: GRUB's image for firmware = uefi."""

    def test_precheck_names_the_grub_image_of_uefi_hosts(self):
        spec = sh.pool_spec("pu", 31, 2)
        env, sim = sh.world([spec])
        try:
            # auto hosts: the syslinux files are there, GRUB's image is not
            p = env.cli("precheck", "pu")
            line = [l for l in p.out.splitlines() if "boot files" in l]
            self.assertEqual(len(line), 1, p.out)
            self.assertNotIn("[FAIL]", line[0])
            env.stop()
            env.write_config(extra_hosts="[defaults]\nfirmware = uefi\n")
            env.start()
            p = env.cli("precheck", "pu")
            self.assertEqual(p.returncode, 1, p.out + p.err)
            line = [l for l in p.out.splitlines() if "boot files" in l]
            self.assertEqual(len(line), 1, p.out)
            self.assertIn("[FAIL]", line[0])
            self.assertIn("grub/grubx64.efi", line[0])
            self.assertIn("init-tftp", line[0])
            # serve wrote grub.cfg at start-up; pxelinux is not needed
            self.assertNotIn("grub/grub.cfg", line[0])
            self.assertNotIn("pxelinux.0", line[0])
        finally:
            env.close()


if __name__ == "__main__":
    unittest.main()
