"""The JSON admin API under /api/v1, as an operator's script uses it."""
import json
import os
import unittest

import harness
from test_hosts import HostTestBase


class ApiTest(HostTestBase):
    def test_auth_required(self):
        r = self.env.api("GET", "/hosts", auth=False)
        self.assertEqual(r.status, 401)
        self.assertNotIn(b"h1", r.body)
        r = self.env.api("GET", "/hosts", token="x" * 40)
        self.assertEqual(r.status, 401)
        tok = self.env.admin_token()
        r = self.env.api("GET", "/hosts", token=tok[:-1])
        self.assertEqual(r.status, 401)
        r = self.env.request("GET", "/api/v1/hosts",
                             headers={"Authorization": "Basic " + tok})
        self.assertEqual(r.status, 401)
        # nor can an unauthenticated client arm a host
        r = self.env.api("POST", "/hosts/h1/arm", body="{}", auth=False)
        self.assertEqual(r.status, 401)
        self.assertFalse(os.path.exists(self.env.pxe_path("h1")))

    def test_admin_token_file_private(self):
        st = os.stat(os.path.join(self.env.state, "admin.token"))
        self.assertEqual(st.st_mode & 0o077, 0, oct(st.st_mode))
        self.assertGreaterEqual(len(self.env.admin_token()), 32)

    def test_hosts_list(self):
        self.env.arm("h1")
        r = self.env.api("GET", "/hosts")
        self.assertEqual(r.status, 200, r)
        self.assertIn("json", r.header("content-type", ""))
        hosts = {h["name"]: h for h in r.json()}
        self.assertEqual(set(hosts), {"h1", "h2", "new1"})
        self.assertEqual(hosts["h1"]["state"], "armed")
        self.assertEqual(hosts["h2"]["state"], "idle")
        self.assertEqual(hosts["new1"]["state"], "idle")
        self.assertEqual(hosts["h1"]["mode"], "upgrade")
        self.assertEqual(hosts["new1"]["mode"], "fresh")
        self.assertEqual(hosts["h2"]["mac"], "52:54:00:00:00:02")
        self.assertEqual(hosts["new1"]["mac"], "52:54:00:00:00:03")
        self.assertEqual(hosts["h1"]["pool"], "poolA")
        # tokens never leave the server through the API
        tok = self.env.token_of("h1")
        self.assertNotIn(tok.encode(), r.body)

    def test_one_host(self):
        r = self.env.api("GET", "/hosts/h2")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["name"], "h2")
        r = self.env.api("GET", "/hosts/nope")
        self.assertEqual(r.status, 404)
        self.assertIn("error", r.json())

    def test_arm_and_disarm_over_api(self):
        r = self.env.api("POST", "/hosts/h1/arm", body='{"wipe": false}')
        self.assertEqual(r.status, 200, r)
        d = r.json()
        self.assertEqual(d["state"], "armed")
        tok = self.env.token_of("h1")
        self.assertEqual(self.fetch("h1", tok).status, 200)
        r = self.env.api("POST", "/hosts/new1/arm", body="{}")
        self.assertEqual(r.status, 409)
        self.assertIn("error", r.json())
        self.assertFalse(os.path.exists(self.env.pxe_path("new1")))
        r = self.env.api("POST", "/hosts/new1/arm", body='{"wipe": true}')
        self.assertEqual(r.status, 200, r)
        r = self.env.api("POST", "/hosts/h1/disarm")
        self.assertEqual(r.status, 200, r)
        self.assert_local_boot("h1")
        r = self.env.api("POST", "/hosts/nope/arm", body="{}")
        self.assertEqual(r.status, 404)

    def test_bad_bodies(self):
        for body in ("{", "not json", '{"wipe": "yes"}', "[1]",
                     '{"wipe": true, "extra": 1}'):
            r = self.env.api("POST", "/hosts/new1/arm", body=body)
            self.assertEqual(r.status, 400, body)
            self.assertIn("error", r.json())
        self.assertFalse(os.path.exists(self.env.pxe_path("new1")))
        self.assertEqual(self.env.state_of("new1"), "idle")

    def test_wrong_method_and_unknown_path(self):
        r = self.env.api("DELETE", "/hosts")
        self.assertEqual(r.status, 405)
        r = self.env.api("GET", "/hosts/h1/arm")
        self.assertEqual(r.status, 405)
        r = self.env.api("GET", "/nothing-here")
        self.assertEqual(r.status, 404)

    def test_events(self):
        tok = self.env.arm("h1")
        self.assertEqual(self.fetch("h1", tok).status, 200)
        r = self.env.request("POST", self.path("h1", tok, "callback/0"))
        self.assertEqual(r.status, 200, r)
        self.env.arm("h2")
        evs = self.env.events(host="h1")
        self.assertTrue(evs)
        self.assertTrue(all(e["host"] == "h1" for e in evs), evs)
        kinds = [e["kind"] for e in evs]
        self.assertIn("arm", kinds)
        self.assertIn("done", kinds)
        # newest first: done after arm
        self.assertLess(kinds.index("done"), kinds.index("arm"))
        self.assertNotIn(tok, json.dumps(evs))
        # limit
        all_evs = self.env.events()
        self.assertGreaterEqual(len(all_evs), 4)
        two = self.env.events(limit=2)
        self.assertEqual(len(two), 2)
        self.assertEqual([e["id"] for e in two],
                         [e["id"] for e in all_evs[:2]])
        # pagination with before
        nxt = self.env.events(limit=2, before=two[-1]["id"])
        self.assertEqual([e["id"] for e in nxt],
                         [e["id"] for e in all_evs[2:4]])
        self.assertTrue(all(e["id"] < two[-1]["id"] for e in nxt))
        # walking every page gives every event exactly once
        seen, before = [], None
        while True:
            page = self.env.events(limit=3, before=before)
            seen += [e["id"] for e in page]
            if len(page) < 3:
                break
            before = page[-1]["id"]
        self.assertEqual(seen, [e["id"] for e in all_evs])
        r = self.env.api("GET", "/events?limit=0")
        self.assertEqual(r.status, 400)
        r = self.env.api("GET", "/events?limit=abc")
        self.assertEqual(r.status, 400)


if __name__ == "__main__":
    unittest.main()
