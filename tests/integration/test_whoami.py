"""GET /api/v1/whoami (issue 14): which token a client presented and its
role, so the dashboard knows before its first change that a read-only
token may make none (before: 404, it learnt only from the first 403)."""
import unittest

import harness
from test_audit import add_token


class WhoamiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        cls.env.write_config()
        cls.env.start()
        cls.viewer = add_token(cls.env, "viewer", read_only=True)
        cls.alice = add_token(cls.env, "alice")

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def test_each_token_and_role(self):
        for token, want in ((None, {"token": "local", "role": "admin"}),
                            (self.alice, {"token": "alice", "role": "admin"}),
                            (self.viewer, {"token": "viewer",
                                           "role": "read-only"})):
            r = self.env.api("GET", "/whoami", token=token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json(), want)

    def test_needs_a_token(self):
        self.assertEqual(self.env.api("GET", "/whoami", auth=False).status,
                         401)
        self.assertEqual(self.env.api("GET", "/whoami",
                                      token="x" * 40).status, 401)

    def test_only_get(self):
        r = self.env.api("POST", "/whoami", body="{}", token=self.alice)
        self.assertEqual(r.status, 405, r)
        # a read-only token is refused any POST first, with its reason
        r = self.env.api("POST", "/whoami", body="{}", token=self.viewer)
        self.assertEqual(r.status, 403, r)
        self.assertIn('token "viewer" is read-only', r.json()["error"])


if __name__ == "__main__":
    unittest.main()
