"""kill -9 and restart: armed hosts stay armed with the same token,
finished hosts stay finished, and a tampered tftp-root is not trusted."""
import os
import unittest

import harness
from test_hosts import HostTestBase


class RestartTest(HostTestBase):
    def test_armed_survives_kill9(self):
        tok = self.env.arm("h1")
        self.assertEqual(self.fetch("h1", tok).status, 200)
        self.env.restart_hard()
        self.assertEqual(self.env.token_of("h1"), tok)
        self.assertFalse(harness.is_local_boot(self.env.read_pxe("h1")))
        r = self.fetch("h1", tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(harness.parse_xml(r.body).get("mode"), "upgrade")
        self.assertEqual(self.env.state_of("h1"), "installing")
        # the installer finishes
        self.run_script("h1", tok, 0)
        self.assert_local_boot("h1")
        self.env.restart_hard()
        self.assert_local_boot("h1")
        self.assertEqual(self.fetch("h1", tok).status, 410)
        self.assertEqual(self.fetch("h1", tok, "script").status, 410)
        r = self.env.request("POST", self.path("h1", tok, "callback/0"))
        self.assertEqual(r.status, 410)
        self.assertEqual(self.env.state_of("h1"), "done")

    def test_fetch_count_survives_restart(self):
        tok = self.env.arm("h1")
        self.assertEqual(self.fetch("h1", tok).status, 200)
        self.assertEqual(self.fetch("h1", tok).status, 200)
        self.env.restart_hard()
        self.assertEqual(self.fetch("h1", tok).status, 200)
        self.assertEqual(self.fetch("h1", tok).status, 410)
        self.assert_local_boot("h1")

    def test_missing_per_mac_file_after_restart(self):
        tok = self.env.arm("h1")
        self.env.kill9()
        os.unlink(self.env.pxe_path("h1"))
        self.env.start()
        path = self.env.pxe_path("h1")
        if os.path.exists(path):
            self.assert_local_boot("h1")
        self.assertEqual(self.env.state_of("h1"), "failed")
        self.assertNotEqual(self.fetch("h1", tok).status, 200)
        text = self.env.log_text() + "\n".join(
            e["message"] for e in self.env.events(host="h1"))
        self.assertRegex(text, r"(?i)re-?arm")
        # and re-arming works
        tok2 = self.env.arm("h1")
        self.assertEqual(self.fetch("h1", tok2).status, 200)

    def test_tampered_per_mac_file_after_restart(self):
        """Someone rewrote the install entry with another token while the
        server was down: poolboot must not serve that token."""
        tok = self.env.arm("h1")
        self.env.kill9()
        fake = "a" * 40 if tok != "a" * 40 else "b" * 40
        path = self.env.pxe_path("h1")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(tok, fake))
        self.env.start()
        self.assertNotEqual(self.fetch("h1", fake).status, 200)
        self.assertEqual(self.env.state_of("h1"), "failed")
        with open(path) as f:
            self.assertNotIn(fake, f.read())

    def test_mode_changed_while_armed(self):
        """Armed for fresh; the inventory now says reinstall. The arming's
        mode no longer matches: nothing may be served."""
        tok = self.env.arm("new1", wipe=True)
        self.env.kill9()
        with open(self.env.conf) as f:
            text = f.read()
        with open(self.env.conf, "w") as f:
            f.write(text.replace("mode = fresh", "mode = reinstall"))
        self.env.start()
        r = self.fetch("new1", tok)
        self.assertEqual(r.status, 409, r)
        self.assertNotIn(b"<installation", r.body)
        self.assertNotIn(b"primary-disk", r.body)

    def test_sigterm_clean_exit(self):
        tok = self.env.arm("h1")
        rc = self.env.stop()
        self.assertEqual(rc, 0, "poolboot serve exit status on SIGTERM")
        self.env.start()
        self.assertEqual(self.fetch("h1", tok).status, 200)


if __name__ == "__main__":
    unittest.main()
