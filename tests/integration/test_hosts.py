"""Arming, tokens and the one-shot install, as a booting host and an
operator observe them."""
import collections
import os
import re
import subprocess
import unittest

import harness

FRESH_ONLY = {"primary-disk", "guest-disks", "guest-disk", "admin-interface",
              "root-password", "name-server", "hostname", "timezone",
              "ntp-server", "keymap", "restore", "backup-disk"}


def append_line(text):
    lines = [l.strip() for l in text.splitlines()
             if l.strip().startswith("append ")]
    assert len(lines) == 1, "expected one append line:\n" + text
    return lines[0]


class HostTestBase(unittest.TestCase):
    env_kwargs = {}

    def setUp(self):
        self.env = harness.Env(**self.env_kwargs)
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def tearDown(self):
        self.env.cleanup()

    def path(self, host, token, what):
        return self.env.host_path(host, token, what)

    def fetch(self, host, token, what="answerfile"):
        return self.env.get(self.path(host, token, what))

    def run_script(self, host, token, arg):
        """Downloads the installation-complete script the way the
        installer does and runs it with sh, with arg 0 or 1."""
        r = self.fetch(host, token, "script")
        self.assertEqual(r.status, 200, r)
        p = os.path.join(self.env.dir, "script-%s.sh" % host)
        with open(p, "wb") as f:
            f.write(r.body)
        try:
            res = subprocess.run(["sh", p, str(arg)], capture_output=True,
                                 timeout=25, env=harness.clean_env())
        except subprocess.TimeoutExpired:
            self.fail("the installation-complete script did not finish in "
                      "25 s (it could not report to the callback?)")
        self.assertEqual(res.returncode, 0, res)
        return res

    def assert_local_boot(self, host):
        text = self.env.read_pxe(host)
        self.assertTrue(harness.is_local_boot(text),
                        "per-MAC file of %s is not local boot:\n%s"
                        % (host, text))


class ArmTest(HostTestBase):
    def test_arm_writes_install_entry(self):
        p = self.env.cli("arm", "h1")
        self.assertEqual(p.returncode, 0, p.err)
        path = self.env.pxe_path("h1")
        self.assertTrue(os.path.exists(path), "no " + path)
        text = self.env.read_pxe("h1")
        self.assertRegex(text, r"(?m)^\s*kernel mboot\.c32\s*$")
        app = append_line(text)
        m = re.search(r" answerfile=(\S+)", app)
        self.assertIsNotNone(m, app)
        self.assertRegex(m.group(1), r"^http://127\.0\.0\.1:%d/hosts/h1/"
                         r"[0-9a-f]{40}/answerfile$" % self.env.port)
        self.assertEqual(len(re.findall(r" answerfile=", app)), 1, app)
        self.assertIn(" install ", app + " ")
        self.assertEqual(app.count(" --- "), 2, app)
        self.assertEqual(text.count("---"), app.count("---"),
                         "'---' outside the append line")
        base = "http://127.0.0.1:%d/repo/xs82/" % self.env.port
        self.assertTrue(app.startswith("append " + base + "boot/xen.gz "), app)
        self.assertIn(" --- " + base + "boot/vmlinuz ", app)
        self.assertTrue(app.endswith(" --- " + base + "install.img"), app)
        self.assertFalse(os.path.exists(self.env.pxe_path("h2")))
        self.assertEqual(self.env.state_of("h1"), "armed")

    def test_answerfile_upgrade(self):
        tok = self.env.arm("h1")
        r = self.env.get(self.env.url_path(self.env.answerfile_url("h1")))
        self.assertEqual(r.status, 200, r)
        self.assertIn("xml", r.header("content-type", ""))
        root = harness.parse_xml(r.body)
        self.assertEqual(root.tag, "installation")
        self.assertEqual(root.get("mode"), "upgrade")
        ei = root.findall("existing-installation")
        self.assertEqual([e.text for e in ei], ["sda"])
        src = root.findall("source")
        self.assertEqual(len(src), 1)
        self.assertEqual(src[0].get("type"), "url")
        self.assertEqual(src[0].text.strip(),
                         "http://127.0.0.1:%d/repo/xs82/" % self.env.port)
        scripts = [s for s in root.findall("script")
                   if s.get("stage") == "installation-complete"]
        self.assertEqual(len(scripts), 1)
        self.assertEqual(scripts[0].get("type"), "url")
        self.assertEqual(scripts[0].text.strip(),
                         "http://127.0.0.1:%d/hosts/h1/%s/script"
                         % (self.env.port, tok))
        tags = {e.tag for e in root.iter()}
        self.assertFalse(tags & FRESH_ONLY,
                         "upgrade answerfile holds fresh-install elements")
        # the fetch is visible to the operator
        self.assertEqual(self.env.state_of("h1"), "installing")

    def test_script_served(self):
        tok = self.env.arm("h1")
        r = self.fetch("h1", tok, "script")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body.startswith(b"#!/bin/sh\n"), r.body[:40])
        self.assertIn(("http://127.0.0.1:%d/hosts/h1/%s/callback"
                       % (self.env.port, tok)).encode(), r.body)

    def test_token_rules(self):
        tok = self.env.arm("h1")
        wrong = ("0" * 40) if tok != "0" * 40 else ("1" * 40)
        for what in ("answerfile", "script"):
            self.assertEqual(self.fetch("h1", wrong, what).status, 403, what)
            self.assertEqual(self.fetch("h1", tok[:-1], what).status, 403,
                             what)
            self.assertEqual(self.fetch("h1", tok.upper(), what).status, 403,
                             what)
            # h2 is not armed: h1's token means nothing there
            self.assertEqual(self.fetch("h2", tok, what).status, 403, what)
            self.assertEqual(self.fetch("nope", tok, what).status, 404, what)
        r = self.env.request("POST", self.path("h1", wrong, "callback/0"))
        self.assertEqual(r.status, 403)
        for p in ("/hosts/h1/answerfile", "/hosts/h1//answerfile",
                  "/hosts/h1/script", "/hosts/h1"):
            st = self.env.get(p).status
            self.assertIn(st, (403, 404), "%s -> %d" % (p, st))
        # none of that disturbed the arming
        self.assertEqual(self.env.token_of("h1"), tok)
        self.assertEqual(self.env.state_of("h1"), "armed")
        self.assertEqual(self.fetch("h1", tok).status, 200)

    def test_script_success_goes_local_and_retires_token(self):
        tok = self.env.arm("h1")
        self.assertEqual(self.fetch("h1", tok).status, 200)
        self.run_script("h1", tok, 0)
        self.assert_local_boot("h1")
        self.assertEqual(self.env.state_of("h1"), "done")
        self.assertEqual(self.fetch("h1", tok).status, 410)
        self.assertEqual(self.fetch("h1", tok, "script").status, 410)
        r = self.env.request("POST", self.path("h1", tok, "callback/0"))
        self.assertEqual(r.status, 410)
        r = self.env.request("POST", self.path("h1", tok, "callback/1"))
        self.assertEqual(r.status, 410)
        self.assertEqual(self.env.state_of("h1"), "done")
        self.assert_local_boot("h1")

    def test_callback_bad_result(self):
        tok = self.env.arm("h1")
        for res in ("2", "ok", "", "0/extra", "01"):
            r = self.env.request("POST", self.path("h1", tok, "callback/" + res))
            self.assertIn(r.status, (400, 404), "callback/%s -> %d"
                          % (res, r.status))
        self.assertEqual(self.env.state_of("h1"), "armed")
        self.assertFalse(harness.is_local_boot(self.env.read_pxe("h1")))

    def test_callback_get_405(self):
        tok = self.env.arm("h1")
        r = self.env.get(self.path("h1", tok, "callback/0"))
        self.assertEqual(r.status, 405)
        self.assertIn(self.env.state_of("h1"), ("armed", "installing"))
        self.assertFalse(harness.is_local_boot(self.env.read_pxe("h1")))
        self.assertEqual(self.fetch("h1", tok).status, 200)

    def test_script_failure_goes_local_failed(self):
        tok = self.env.arm("h1")
        self.run_script("h1", tok, 0)
        tok2 = self.env.arm("h1")
        self.assertNotEqual(tok, tok2)
        self.assertEqual(self.fetch("h1", tok2).status, 200)
        self.run_script("h1", tok2, 1)
        self.assert_local_boot("h1")
        self.assertEqual(self.env.state_of("h1"), "failed")
        self.assertEqual(self.fetch("h1", tok2).status, 410)

    def test_rearm_new_token(self):
        tok1 = self.env.arm("h1")
        tok2 = self.env.arm("h1")
        self.assertNotEqual(tok1, tok2)
        self.assertIn(self.fetch("h1", tok1).status, (403, 410))
        self.assertIn(self.fetch("h1", tok1, "script").status, (403, 410))
        r = self.env.request("POST", self.path("h1", tok1, "callback/0"))
        self.assertIn(r.status, (403, 410))
        self.assertEqual(self.fetch("h1", tok2).status, 200)
        self.assertEqual(self.env.state_of("h1"), "installing")

    def test_disarm(self):
        tok = self.env.arm("h1")
        p = self.env.cli("disarm", "h1")
        self.assertEqual(p.returncode, 0, p.err)
        self.assert_local_boot("h1")
        self.assertEqual(self.env.state_of("h1"), "idle")
        self.assertIn(self.fetch("h1", tok).status, (403, 410))
        # disarming an idle host is refused, and says so
        p = self.env.cli("disarm", "h1")
        self.assertEqual(p.returncode, 1)

    def test_arm_unknown_host(self):
        p = self.env.cli("arm", "nope")
        self.assertEqual(p.returncode, 1, p.err)
        self.assertIn("nope", p.err)

    def test_fresh_needs_wipe(self):
        p = self.env.cli("arm", "new1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--wipe", p.out + p.err)
        self.assertFalse(os.path.exists(self.env.pxe_path("new1")),
                         "per-MAC file written without --wipe")
        self.assertEqual(self.env.state_of("new1"), "idle")

    def test_fresh_with_wipe(self):
        tok = self.env.arm("new1", wipe=True)
        r = self.fetch("new1", tok)
        self.assertEqual(r.status, 200, r)
        body = r.body.decode()
        root = harness.parse_xml(r.body)
        self.assertEqual(root.tag, "installation")
        self.assertEqual(root.get("mode"), "fresh")
        self.assertEqual([e.text for e in root.findall("primary-disk")],
                         ["sda"])
        self.assertEqual(root.findall("existing-installation"), [])
        ai = root.findall("admin-interface")
        self.assertEqual(len(ai), 1)
        self.assertEqual(ai[0].get("proto"), "static")
        self.assertEqual(ai[0].findtext("ipaddr"), "10.0.0.21")
        self.assertEqual(ai[0].findtext("subnet"), "255.255.255.0")
        self.assertEqual(ai[0].findtext("gateway"), "10.0.0.1")
        self.assertEqual(sorted(e.text for e in root.findall("name-server")),
                         ["10.0.0.2", "10.0.0.3"])
        self.assertEqual(root.findtext("hostname"), "new1.example.com")
        self.assertEqual([e.text for e in root.findall("ntp-server")],
                         ["ntp1.example.com"])
        pw = root.findall("root-password")
        self.assertEqual(len(pw), 1)
        self.assertEqual(pw[0].get("type"), "hash")
        self.assertTrue(pw[0].text.startswith("$6$"), pw[0].text)
        self.assertNotIn(harness.ROOT_PASSWORD, body)
        src = root.find("source")
        self.assertEqual(src.text.strip(),
                         "http://127.0.0.1:%d/repo/xs82/" % self.env.port)
        # nor anywhere else a host or operator can read
        self.assertNotIn(harness.ROOT_PASSWORD,
                         self.fetch("new1", tok, "script").body.decode())
        self.assertNotIn(harness.ROOT_PASSWORD, self.env.read_pxe("new1"))
        self.assertNotIn(harness.ROOT_PASSWORD, self.env.log_text())

    def test_request_log_redacts_token(self):
        tok = self.env.arm("h1")
        reqs = [("GET", self.path("h1", tok, "answerfile")),
                ("GET", self.path("h1", tok, "script")),
                ("GET", self.path("h1", "0" * 40, "answerfile")),
                ("GET", "/repo/xs82/.treeinfo"),
                ("GET", "/repo/xs82/../../etc/passwd"),
                ("POST", self.path("h1", tok, "callback/0"))]
        for m, p in reqs:
            self.env.request(m, p)
        self.assertEqual(self.env.stop(), 0)
        log = self.env.log_text()
        self.assertNotIn(tok, log, "the token appears in the server log")
        self.assertNotIn(self.env.admin_token(), log)
        # one line per request, with the token replaced
        want = collections.Counter(
            '"%s %s"' % (m, p.replace(tok, "***").replace("0" * 40, "***"))
            for m, p in reqs)
        got = collections.Counter(
            m.group(0) for m in re.finditer(r'"(GET|POST|HEAD) /[^"]*"', log))
        got.pop('"GET /"', None)            # the harness's readiness probe
        got.pop('"POST /api/v1/hosts/h1/arm"', None)
        self.assertEqual(got, want)

    def test_request_log_redacts_token_after_encoded_question_mark(self):
        # found by tests/fuzz/fuzz_path: the log line cut its segments at
        # a '?' that the router does not (%3F decodes to '?' in the path),
        # so the token after it was logged in clear
        tok = self.env.arm("h1")
        for m, p in [("GET", "/hosts/h1%%3F/%s/answerfile" % tok),
                     ("GET", "/hosts/h%%3Fx/%s/script" % tok),
                     ("POST", "/hosts/%%3F/%s/callback/0" % tok)]:
            self.assertEqual(self.env.request(m, p).status, 404, p)
        self.assertEqual(self.env.stop(), 0)
        log = self.env.log_text()
        self.assertNotIn(tok, log, "the token appears in the server log")
        self.assertIn('"GET /hosts/h1?/***/answerfile"', log)

    def test_unknown_macs_get_nothing(self):
        tok = self.env.arm("h1")
        self.env.arm("new1", wipe=True)
        self.run_script("h1", tok, 0)
        # some stranger asks for files
        self.assertEqual(self.env.get("/hosts/52-54-00-00-00-99/%s/answerfile"
                                      % tok).status, 404)
        d = os.path.join(self.env.tftp, "pxelinux.cfg")
        names = set(os.listdir(d))
        allowed = {"default", harness.pxe_name(harness.MACS["h1"]),
                   harness.pxe_name(harness.MACS["new1"])}
        self.assertTrue(names <= allowed, "unexpected files in %s: %s"
                        % (d, sorted(names - allowed)))
        self.assertIn("default", names)
        with open(os.path.join(d, "default")) as f:
            self.assertTrue(harness.is_local_boot(f.read()))


class WipeModesTest(HostTestBase):
    env_kwargs = {"extra_hosts": (
        "[host re1]\npool = poolA\nmode = reinstall\nmac = 52:54:00:00:00:11\n"
        "disk = sdb\nhostname = re1.example.com\nroot_password_file = root.pw\n\n"
        "[host rs1]\npool = poolA\nmode = restore\nmac = 52:54:00:00:00:12\n"
        "disk = sdc\n")}

    def test_reinstall_and_restore_need_wipe(self):
        for host, mac in (("re1", "52:54:00:00:00:11"),
                          ("rs1", "52:54:00:00:00:12")):
            p = self.env.cli("arm", host)
            self.assertEqual(p.returncode, 1, "%s armed without --wipe" % host)
            self.assertIn("--wipe", p.out + p.err)
            self.assertFalse(os.path.exists(self.env.pxe_path(mac)))

    def test_reinstall_answerfile(self):
        p = self.env.cli("arm", "re1", "--wipe")
        self.assertEqual(p.returncode, 0, p.err)
        text = open(self.env.pxe_path("52:54:00:00:00:11")).read()
        url = harness.TOKEN_RE.search(text)
        self.assertEqual(url.group(1), "re1")
        r = self.fetch("re1", url.group(2))
        self.assertEqual(r.status, 200, r)
        root = harness.parse_xml(r.body)
        self.assertEqual((root.tag, root.get("mode")),
                         ("installation", "reinstall"))
        self.assertEqual(root.findtext("primary-disk"), "sdb")
        self.assertEqual(root.findtext("hostname"), "re1.example.com")
        self.assertEqual(root.find("root-password").get("type"), "hash")
        self.assertNotIn(harness.ROOT_PASSWORD.encode(), r.body)
        self.assertEqual(root.findall("existing-installation"), [])

    def test_restore_answerfile(self):
        p = self.env.cli("arm", "rs1", "--wipe")
        self.assertEqual(p.returncode, 0, p.err)
        text = open(self.env.pxe_path("52:54:00:00:00:12")).read()
        url = harness.TOKEN_RE.search(text)
        r = self.fetch("rs1", url.group(2))
        self.assertEqual(r.status, 200, r)
        root = harness.parse_xml(r.body)
        self.assertEqual(root.tag, "restore")
        self.assertEqual(root.findtext("backup-disk"), "sdc")
        self.assertFalse({e.tag for e in root.iter()} &
                         {"primary-disk", "admin-interface", "root-password",
                          "existing-installation"})


class TftpBootFilesTest(HostTestBase):
    env_kwargs = {"boot_files": "tftp"}

    def test_tftp_paths_and_repo_link(self):
        tok = self.env.arm("h1")
        app = append_line(self.env.read_pxe("h1"))
        args = app.split(" ")
        self.assertEqual(args[1], "repo/xs82/boot/xen.gz", app)
        i1 = args.index("---")
        self.assertEqual(args[i1 + 1], "repo/xs82/boot/vmlinuz", app)
        self.assertEqual(args[-1], "repo/xs82/install.img", app)
        self.assertEqual(args.count("---"), 2)
        self.assertIn("answerfile=http://127.0.0.1:%d/hosts/h1/%s/answerfile"
                      % (self.env.port, tok), args)
        # what a TFTP server rooted at tftp_root would hand out
        for rel in ("boot/xen.gz", "boot/vmlinuz", "install.img"):
            with open(os.path.join(self.env.tftp, "repo/xs82", rel), "rb") as a, \
                    open(os.path.join(self.env.repo, rel), "rb") as b:
                self.assertEqual(a.read(), b.read(), rel)


if __name__ == "__main__":
    unittest.main()
