"""The dashboard's Sites panel (GET /api/v1/sites) in a real headless
Chromium (tests/web/dashboard-sites.js) against real `poolboot serve`
instances on one database (test_failover's set-ups):

- east's and west's instances both active: the panel lists every site
  with its pools and hosts, yes and the instance holding its lease
  ("renewed N s ago"), east's row marked "this instance";
- west stopped and an arm of one of its hosts asked of east: west shows
  no (in red), its last instance, "released (stopped)" and the action
  queued, waiting for an instance of west;
- one instance without sites on SQLite, or a server whose GET
  /api/v1/sites answers 404 (older than it) or fails: no panel, the page
  as before; on PostgreSQL that one instance holds the unnamed site's
  lease, and the panel shows it.
A screenshot of the second goes to tests/artifacts/dashboard-sites.png.
"""
import json
import os
import re
import subprocess
import unittest

import harness
import test_failover as fo
from test_dashboard import ARTIFACTS, WEB_TEST_DIR, _setup_browser


class DashboardSitesTest(fo.PeersBase):

    # two sites on one database, as test_failover's SitesTest makes them
    west_of = fo.SitesTest.west_of
    east_with = fo.SitesTest.east_with
    west_started = fo.SitesTest.west_started

    @classmethod
    def setUpClass(cls):
        cls.skip_reason = _setup_browser()

    def setUp(self):
        if self.skip_reason:
            self.skipTest(self.skip_reason)
        super().setUp()

    def check_page(self, env, expect, out=None):
        """Runs dashboard-sites.js on env's dashboard; its summary."""
        path = os.path.join(env.dir, "expect.json")
        harness.write(path, json.dumps(expect))
        argv = ["node", os.path.join(WEB_TEST_DIR, "dashboard-sites.js"),
                env.admin_base, env.admin_token(), path]
        if out:
            os.makedirs(ARTIFACTS, exist_ok=True)
            argv.append(out)
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120,
                           env=harness.clean_env())
        so = p.stdout.decode("utf-8", "replace")
        se = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "dashboard-sites exited %d:\n%s\n"
                         "%s\n%s" % (p.returncode, se, so[-3000:],
                                     env.api("GET", "/sites").body))
        return json.loads(so)

    def test_sites_panel_shows_who_is_active_and_what_waits(self):
        env = self.east_with("[pool poolA]\n",
                             "[pool poolA]\nsite = west\n")
        w = self.west_started(env)
        ids = {s: re.findall(r"site:%s taken by this instance \((\S+)\)"
                             % s, e.log_text())[-1]
               for s, e in (("east", env), ("west", w))}
        # new1 names no site: nobody's, and the panel says so too. On
        # PostgreSQL env's first start, without a site, held the unnamed
        # site's lease (site:(none)) and released it when it was
        # restarted as east's instance.
        none = {"pools": 0, "hosts": 1, "active": "no", "instance": "-",
                "lease": "^never taken$", "actions": "^0$"}
        if env.backend == "postgres":
            none.update(instance=re.findall(
                r"site:\(none\) taken by this instance \((\S+)\)",
                env.log_text())[-1], lease=r"^released \(stopped\)$")
        live = r"^renewed \d+ s ago$"
        self.check_page(env, {"panel": True, "this": "east", "sites": {
            "(none)": none,
            "east": {"pools": 0, "hosts": 0, "active": "yes",
                     "instance": ids["east"], "lease": live,
                     "actions": "^0$"},
            "west": {"pools": 1, "hosts": 2, "active": "yes",
                     "instance": ids["west"], "lease": live,
                     "actions": "^0$"}}})
        # west's page marks west as its own
        self.check_page(w, {"panel": True, "this": "west", "sites": {
            "(none)": none,
            "east": {"active": "yes", "instance": ids["east"],
                     "lease": live, "actions": "^0$"},
            "west": {"active": "yes", "instance": ids["west"],
                     "lease": live, "actions": "^0$"}}})
        # a server without /sites (404), or its failure: no panel, the
        # page as before
        for status in (404, 500):
            self.check_page(env, {"panel": False, "sites_status": status})
        # west stopped, then an arm of its host h1 asked of east: queued
        # for west, whose instance is gone
        self.assertEqual(w.stop(), 0)
        r = env.api("POST", "/hosts/h1/arm")
        self.assertEqual(r.status, 202, r)
        self.check_page(env, {"panel": True, "this": "east", "sites": {
            "(none)": none,
            "east": {"active": "yes", "instance": ids["east"],
                     "lease": live, "actions": "^0$"},
            "west": {"pools": 1, "hosts": 2, "active": "no",
                     "instance": ids["west"],
                     "lease": r"^released \(stopped\)$",
                     "actions": r"^1 queued, 0 taken \(oldest \d+ s\)",
                     "waiting": True}}},
            out=os.path.join(ARTIFACTS, "dashboard-sites.png"))

    def test_one_instance_without_sites(self):
        """SQLite: no lease, no panel, the page as before. PostgreSQL:
        the one instance holds the unnamed site's lease (a standby of it
        would wait), and the panel shows that row, active, its own."""
        env = fo.PlainEnv()
        self._worlds.append(env)
        env.start()
        doc = env.api("GET", "/sites").json()
        self.assertEqual(len(doc["sites"]), 1, doc)
        if env.backend == "sqlite":
            self.assertIsNone(doc["sites"][0]["instance"], doc)
            self.check_page(env, {"panel": False})
            return
        inst = re.findall(r"site:\(none\) taken by this instance "
                          r"\((\S+)\)", env.log_text())[-1]
        self.assertEqual(doc["sites"][0]["instance"], inst, doc)
        self.check_page(env, {"panel": True, "this": "(none)", "sites": {
            "(none)": {"active": "yes", "instance": inst,
                       "lease": r"^renewed \d+ s ago$", "actions": "^0$"}}})


if __name__ == "__main__":
    unittest.main()
