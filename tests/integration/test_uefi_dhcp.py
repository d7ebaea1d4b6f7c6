"""BIOS, UEFI PXE and UEFI HTTP boot side by side: what a real dnsmasq,
run by poolboot serve with the config poolboot generates, answers a
DHCPDISCOVER from each client architecture (DHCP option 93, RFC 4578):

    0  BIOS PXE            -> pxelinux.0 (lpxelinux.0 with boot_files = http)
    7  x86-64 UEFI PXE     -> grub/grubx64.efi over TFTP (proxy-DHCP:
    9  x86-64 UEFI PXE        grub/grubx64-proxy.efi, see config_dnsmasq.h)
    16 x86-64 UEFI HTTP    -> {public_url}/grub/grubx64.efi, and vendor class
                              (option 60) "HTTPClient" in the answer

in full DHCP and in proxy-DHCP mode. The client is a few lines of Python
sending raw DHCP over the veth pair of test_dnsmasq.Net (two network
namespaces; nothing leaves them). In proxy mode dnsmasq sends UEFI PXE
clients to port 4011 for the boot file (its "UEFI workaround"), so the
test asks there too, as the firmware does. Without root, `ip` or dnsmasq
the tests are skipped, saying why.
"""
import json
import os
import socket
import struct
import sys
import unittest

import test_dnsmasq as tdq

GRUB = "grub/grubx64.efi"
GRUB_PROXY = "grub/grubx64-proxy.efi"   # proxy-DHCP's UEFI PXE image
CLIENT_MAC = "52:54:00:aa:bb:%02x"


def vendor_class(arch):
    """What the firmware sends as option 60 (PXE 2.1; UEFI 2.x HTTP Boot)."""
    kind = "HTTPClient" if arch == 16 else "PXEClient"
    return "%s:Arch:%05d:UNDI:003016" % (kind, arch)


def menu_item(opt43):
    """The first boot server type of a PXE boot menu (option 43,
    suboption 9: type, length, text, ...), or None."""
    b = opt43.encode("latin-1")
    i = 0
    while i + 1 < len(b) and b[i] != 255:
        code, ln = b[i], b[i + 1]
        if code == 9 and ln >= 3:
            return struct.unpack("!H", b[i + 2:i + 4])[0]
        i += 2 + ln
    return None


def dhcp_packet(msg_type, arch, mac, xid, ciaddr="0.0.0.0", item=None):
    hw = bytes(int(x, 16) for x in mac.split(":"))
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0,
                       0x8000 if ciaddr == "0.0.0.0" else 0,
                       socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4,
                       b"\0" * 4, hw + b"\0" * 10, b"", b"")
    vc = vendor_class(arch).encode()
    opts = bytes([53, 1, msg_type])
    opts += bytes([93, 2]) + struct.pack("!H", arch)
    opts += bytes([94, 3, 1, 3, 16])
    opts += bytes([97, 17, 0]) + bytes(range(16))
    opts += bytes([60, len(vc)]) + vc
    opts += bytes([55, 9, 1, 3, 6, 43, 54, 60, 66, 67, 93])
    if item is not None:    # PXE boot server request: item, layer 0
        opts += bytes([43, 7, 71, 4]) + struct.pack("!HH", item, 0) + \
            bytes([255])
    return head + b"\x63\x82\x53\x63" + opts + bytes([255])


def parse(pkt):
    """(xid, fields) of a BOOTREPLY, or None."""
    if len(pkt) < 240 or pkt[0] != 2 or pkt[236:240] != b"\x63\x82\x53\x63":
        return None
    xid = struct.unpack("!I", pkt[4:8])[0]
    out = {"yiaddr": socket.inet_ntoa(pkt[16:20]),
           "siaddr": socket.inet_ntoa(pkt[20:24]),
           "file": pkt[108:236].split(b"\0")[0].decode("latin-1"),
           "options": {}}
    i = 240
    while i < len(pkt) and pkt[i] != 255:
        if pkt[i] == 0:
            i += 1
            continue
        code, ln = pkt[i], pkt[i + 1]
        out["options"][str(code)] = pkt[i + 2:i + 2 + ln].decode("latin-1")
        i += 2 + ln
    if "67" in out["options"] and not out["file"]:
        out["file"] = out["options"]["67"].rstrip("\0")
    return xid, out


def ask(sock, dest, pkt, xid, timeout):
    """Sends pkt to dest and returns the first reply with xid, or None."""
    sock.settimeout(timeout)
    for _ in range(2):
        sock.sendto(pkt, dest)
        try:
            while True:
                data, _peer = sock.recvfrom(4096)
                r = parse(data)
                if r is not None and r[0] == xid:
                    return r[1]
        except socket.timeout:
            continue
    return None


def client(ifname, server, arch, n):
    """Runs in the client namespace: DISCOVER (broadcast), and for a
    proxy answer without a file the REQUEST to server:4011 the firmware
    then sends (BIOS: for the first item of the PXE menu, PXE 2.1 boot
    server discovery; UEFI: plain, which dnsmasq answers with the only
    pxe-service of the client's architecture). Prints {"offer": ...,
    "ack4011": ...}."""
    mac = CLIENT_MAC % n
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.bind(("", 68))
    xid = 0x5000 + n
    offer = ask(s, ("255.255.255.255", 67), dhcp_packet(1, arch, mac, xid),
                xid, 3.0)
    ack = None
    if offer is not None and not offer["file"] and \
            offer["options"].get("60", "").startswith("PXEClient"):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((tdq.CLIENT_IP, 0))
        item = menu_item(offer["options"].get("43", ""))
        ack = ask(u, (server, 4011),
                  dhcp_packet(3, arch, mac, xid + 1, ciaddr=tdq.CLIENT_IP,
                              item=item), xid + 1, 3.0)
        u.close()
    s.close()
    print(json.dumps({"offer": offer, "ack4011": ack}))


@unittest.skipIf(tdq.netns_problem() is not None, tdq.netns_problem() or "")
class UefiDhcpTest(unittest.TestCase):

    def setUp(self):
        try:
            self.net = tdq.Net()
        except RuntimeError as e:
            self.skipTest("cannot create network namespaces here: %s" % e)
        self.env = None
        self.n = 0

    def tearDown(self):
        try:
            if self.env is not None:
                self.env.cleanup()
        finally:
            self.net.close()

    def start(self, boot_files="tftp", **kv):
        kv.setdefault("interface", self.net.ifname)
        kv.setdefault("range", "10.213.0.0")
        self.env = tdq.NsEnv(self.net, boot_files=boot_files,
                             extra_hosts=tdq.dnsmasq_section(**kv))
        self.env.start()
        self.assertTrue(tdq.wait_for(
            lambda: 67 in self.net.udp_ports(), 5),
            "dnsmasq is not listening on port 67:\n%s" % self.env.log_tail())
        return self.env

    def discover(self, arch):
        self.n += 1
        p = tdq.run("ip", "netns", "exec", self.net.cli, sys.executable,
                    os.path.abspath(__file__), "dhcp-client", "pbdq1",
                    tdq.SERVER_IP, str(arch), str(self.n))
        return json.loads(p.stdout.decode())

    def http_url(self):
        return self.env.base + "/" + GRUB

    def dnsmasq_log(self):
        with open(os.path.join(self.env.state, "dnsmasq/dnsmasq.log")) as f:
            return f.read()

    def boot_file(self, r):
        """The boot file a client ends up with (the OFFER's, or the one
        from port 4011 after a proxy OFFER without one)."""
        self.assertIsNotNone(r["offer"], "no answer to the DISCOVER:\n%s"
                             % self.dnsmasq_log())
        if r["offer"]["file"]:
            return r["offer"]["file"]
        self.assertIsNotNone(r["ack4011"], "no answer on port 4011:\n%s"
                             % self.dnsmasq_log())
        return r["ack4011"]["file"]

    def check_all(self, bios, http, efi=GRUB):
        r = self.discover(0)
        self.assertEqual(self.boot_file(r), bios)
        for arch in (7, 9):
            r = self.discover(arch)
            self.assertEqual(self.boot_file(r), efi, "arch %d" % arch)
            self.assertNotEqual(r["offer"]["options"].get("60"),
                                "HTTPClient")
        r = self.discover(16)
        if http:
            self.assertIsNotNone(r["offer"], "no answer for HTTP boot:\n%s"
                                 % self.dnsmasq_log())
            self.assertEqual(r["offer"]["file"], self.http_url())
            self.assertEqual(r["offer"]["options"].get("60"), "HTTPClient")
        return r

    def test_full_dhcp_each_architecture(self):
        self.start(dhcp="full", range="10.213.0.100,10.213.0.150,"
                   "255.255.255.0", ping_check="no")
        self.check_all("pxelinux.0", http=True)
        log = self.dnsmasq_log()
        self.assertIn("tags: efi-http", log)
        self.assertIn("vendor class: HTTPClient:Arch:00016", log)
        self.assertIn("tags: efi-x64", log)
        self.assertIn("tags: bios", log)

    def test_full_dhcp_http_boot_off_tftp_elsewhere(self):
        self.start(boot_files="http", dhcp="full",
                   range="10.213.0.100,10.213.0.150,255.255.255.0",
                   ping_check="no", http_boot="no", tftp="no",
                   address="10.213.0.9")
        r = self.discover(0)
        self.assertEqual(self.boot_file(r), "lpxelinux.0")
        self.assertEqual(r["offer"]["siaddr"], "10.213.0.9")
        r = self.discover(7)
        self.assertEqual(self.boot_file(r), GRUB)
        self.assertEqual(r["offer"]["siaddr"], "10.213.0.9")
        r = self.discover(16)
        # offered an address, but no boot file and no HTTPClient
        if r["offer"] is not None:
            self.assertNotEqual(r["offer"]["file"], self.http_url())
            self.assertNotIn("60", r["offer"]["options"])

    def test_proxy_dhcp_each_architecture(self):
        self.start()
        r = self.check_all("pxelinux.0", http=True, efi=GRUB_PROXY)
        self.assertEqual(r["offer"]["yiaddr"], "0.0.0.0")   # proxy: no lease
        log = self.dnsmasq_log()
        self.assertIn("proxy", log)
        self.assertIn("tags: efi-http", log)

    def test_proxy_dhcp_http_boot_off(self):
        self.start(http_boot="no")
        self.check_all("pxelinux.0", http=False, efi=GRUB_PROXY)
        r = self.discover(16)
        self.assertIsNone(r["offer"], "a proxy answer to an HTTPClient with "
                          "http_boot = no: %r" % r)


if __name__ == "__main__" and len(sys.argv) == 6 and \
        sys.argv[1] == "dhcp-client":
    client(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
