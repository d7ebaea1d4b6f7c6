"""The boot-loop guard: an installer that keeps fetching its answerfile
without ever reporting back is sent to local boot."""
import unittest

import harness
from test_hosts import HostTestBase


class LoopGuardTest(HostTestBase):
    env_kwargs = {"boot_attempts": 3}

    def test_fourth_fetch_trips_guard(self):
        tok = self.env.arm("h1")
        for i in range(3):
            r = self.fetch("h1", tok)
            self.assertEqual(r.status, 200, "fetch %d: %r" % (i + 1, r))
            self.assertFalse(harness.is_local_boot(self.env.read_pxe("h1")),
                             "local boot after %d fetches" % (i + 1))
        r = self.fetch("h1", tok)
        self.assertEqual(r.status, 410, r)
        self.assertNotIn(b"<installation", r.body)
        self.assert_local_boot("h1")
        self.assertEqual(self.env.state_of("h1"), "failed")
        msgs = [e["message"] for e in self.env.events(host="h1")]
        self.assertTrue(any("loop guard" in m for m in msgs), msgs)
        # the token is dead for good: script, answerfile and callback
        self.assertEqual(self.fetch("h1", tok).status, 410)
        self.assertEqual(self.fetch("h1", tok, "script").status, 410)
        r = self.env.request("POST", self.path("h1", tok, "callback/0"))
        self.assertEqual(r.status, 410)
        self.assertEqual(self.env.state_of("h1"), "failed")

    def test_wrong_token_fetches_do_not_count(self):
        tok = self.env.arm("h1")
        for _ in range(5):
            self.assertEqual(self.fetch("h1", "f" * 40).status, 403)
        for i in range(3):
            self.assertEqual(self.fetch("h1", tok).status, 200,
                             "fetch %d" % (i + 1))

    def test_callback_before_guard(self):
        tok = self.env.arm("h1")
        for _ in range(3):
            self.assertEqual(self.fetch("h1", tok).status, 200)
        r = self.env.request("POST", self.path("h1", tok, "callback/0"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.env.state_of("h1"), "done")
        self.assert_local_boot("h1")


class LoopGuardOneAttemptTest(HostTestBase):
    env_kwargs = {"boot_attempts": 1}

    def test_second_fetch_trips_guard(self):
        tok = self.env.arm("h1")
        self.assertEqual(self.fetch("h1", tok).status, 200)
        self.assertEqual(self.fetch("h1", tok).status, 410)
        self.assert_local_boot("h1")
        self.assertEqual(self.env.state_of("h1"), "failed")


if __name__ == "__main__":
    unittest.main()
