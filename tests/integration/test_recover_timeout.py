"""recover against a pool whose XAPI accepts connections but never
answers (issue 14): before, each of recover's XAPI calls waited 120 s
(the pool's xapi_timeout ignored) and the refusal said only that "none of
the addresses answers". Now every call gets the pool's xapi_timeout, and
the message names XAPI, its URL, the call and the setting to change, as
the server's 504 does."""
import json
import time
import unittest

import harness
from test_clitruth import SilentListener, silent_pool

HOST = ("[host slow1]\npool = slow\nmac = 52:54:00:66:00:01\ndisk = sda\n"
        "ip = 127.0.0.1/24\ngateway = 127.0.0.1\n\n")


class RecoverSilentXapiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.xapi = SilentListener()
        cls.env = harness.Env()
        cls.env.write_config(extra_hosts=silent_pool(
            "slow", cls.xapi.port, cls.env.pool_pw, timeout=2) + HOST)
        cls.url = "http://127.0.0.1:%d" % cls.xapi.port

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()
        cls.xapi.close()

    def recover(self, *extra):
        t0 = time.time()
        p = self.env.cli("recover", "slow", "--new-master", "slow1", *extra,
                         timeout=200)
        return p, time.time() - t0

    def assert_names_xapi(self, text):
        self.assertIn('pool "slow": XAPI at %s did not answer '
                      'session.login_with_password within 2 s' % self.url,
                      text)
        self.assertIn("xapi_timeout in [pool slow]", text,
                      "says what to change")
        self.assertIn("nothing was changed", text)

    def test_refused_within_the_pools_xapi_timeout(self):
        p, took = self.recover()
        self.assertEqual(p.returncode, 1, p.err)
        self.assertIn("poolboot: recover slow: refused: ", p.err)
        self.assert_names_xapi(p.err)
        self.assertLess(took, 15, "2 s per call, not 120 s")

    def test_json(self):
        p, took = self.recover("--json")
        self.assertEqual(p.returncode, 1, p.err)
        d = json.loads(p.out)
        self.assertEqual(d["exit"], 1)
        self.assert_names_xapi(d["error"])
        self.assertLess(took, 15)


if __name__ == "__main__":
    unittest.main()
