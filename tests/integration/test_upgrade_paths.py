"""Upgrade paths with product brands, end to end: the real `poolboot`
with the shipped templates/upgrade-paths.conf against the XAPI pool
simulator, whose hosts report software_version's product_brand, and a
repo whose .treeinfo names its product as the installer reads it.

- Citrix Hypervisor 8.2 CU1 (8.2.1) -> XenServer 8 (8.4.0), the upgrade
  XenServer documents, passes the "upgrade path" precheck by default and
  the run leaves every host on XenServer 8.4.0;
- XCP-ng 8.2.1 with a XenServer 8.4.0 repo, and a XenServer pool with an
  XCP-ng repo, are refused with advice, even at the same version number;
- a pool whose hosts run two products is refused and names them.
"""
import os
import unittest
import xmlrpc.client

import harness
import simharness as sh

XS84 = ("[platform]\nname = XCP\nversion = 3.4.0\n"
        "[branding]\nname = XenServer\nversion = 8.4.0\n"
        "[build]\nnumber = 8.4.0-test\n")
# the same product as the installer's other .treeinfo form names it
XS84_SYSTEM_V1 = ("[system-v1]\nplatform_name = XCP\nplatform_version = 3.4.0\n"
                  "product_name = XenServer\nproduct_version = 8.4.0\n"
                  "[build]\nnumber = 8.4.0-test\n")
XCPNG83 = ("[platform]\nname = XCP\nversion = 3.4.0\n"
           "[branding]\nname = XCP-ng\nversion = 8.3.0\n"
           "[build]\nnumber = 8.3.0-test\n")
CH821 = ("[platform]\nname = XCP\nversion = 3.2.1\n"
         "[branding]\nname = Citrix Hypervisor\nversion = 8.2.1\n"
         "[build]\nnumber = 8.2.1-test\n")


class BrandEnv(sh.UpgradeEnv):
    """UpgradeEnv whose repo's .treeinfo is the text given."""

    def __init__(self, treeinfo, **kw):
        self.treeinfo = treeinfo
        super().__init__(**kw)

    def _make_tree(self, big_file):
        super()._make_tree(big_file)
        harness.write(os.path.join(self.repo, ".treeinfo"), self.treeinfo)


def brand_pool(name, x, n, brand, version, **kw):
    spec = sh.pool_spec(name, x, n, version=version, **kw)
    for h in spec["hosts"]:
        h["product_brand"] = brand
    return spec


class UpgradePathsTest(unittest.TestCase):
    def world(self, pools, treeinfo):
        env = BrandEnv(treeinfo)
        try:
            sim = sh.Sim({"tftp_root": env.tftp, "port": 0,
                          "control_port": 0, "pools": pools}, env.dir)
            env.attach(sim, pools)
            env.start()
        except BaseException:
            env.close()
            raise
        self.addCleanup(env.close)
        return env, sim

    def path_line(self, out):
        lines = [l for l in out.splitlines() if "upgrade path" in l]
        self.assertEqual(len(lines), 1, out)
        return lines[0]

    def refused(self, env, sim, pool, *needles):
        before = sim.hosts()
        p = env.cli("precheck", pool)
        self.assertEqual(p.returncode, 1, p.out + p.err)
        line = self.path_line(p.out)
        self.assertIn("[FAIL]", line)
        for n in needles:
            self.assertIn(n, line)
        self.assertIn("nothing was changed", p.out)
        p = env.cli("upgrade", pool)
        self.assertEqual(p.returncode, 1, p.out + p.err)
        self.assertIn("refused", p.err)
        self.assertIsNone(env.status(pool)["run"])
        after = sim.hosts()
        for n in before:
            self.assertEqual(after[n]["product_version"],
                             before[n]["product_version"], n)
            self.assertEqual(after[n]["boot_time"], before[n]["boot_time"], n)
        return line

    def brands(self, sim, spec):
        """Every host's software_version product_brand and version, as a
        XAPI client reads them from the master."""
        master = next(h for h in spec["hosts"] if h.get("master"))
        with xmlrpc.client.ServerProxy(sim.url(master["address"])) as x:
            s = x.session.login_with_password("root", harness.POOL_PASSWORD,
                                              "2.21", "test")["Value"]
            recs = x.host.get_all_records(s)["Value"]
            x.session.logout(s)
        return {r["name_label"]: (r["software_version"]["product_brand"],
                                  r["software_version"]["product_version"])
                for r in recs.values()}

    def test_citrix_hypervisor_cu1_to_xenserver_8_by_default(self):
        spec = brand_pool("ch", 61, 3, "Citrix Hypervisor", "8.2.1", vms=2)
        env, sim = self.world([spec], XS84)
        p = env.cli("precheck", "ch")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        line = self.path_line(p.out)
        self.assertIn("[ OK ]", line)
        self.assertIn('"Citrix Hypervisor" 8.2.1 -> XenServer 8.4.0 allowed '
                      "by", line)
        self.assertIn("upgrade-paths.conf:", line)  # the shipped file
        p = env.cli("upgrade", "ch")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        st = env.wait_run("ch")
        self.assertEqual(st["state"], "done", env.diag("ch"))
        self.assertEqual(set(self.brands(sim, spec).values()),
                         {("XenServer", "8.4.0")})

    def test_installer_treeinfo_form_names_the_product(self):
        spec = brand_pool("cs", 62, 2, "Citrix Hypervisor", "8.2.1")
        env, sim = self.world([spec], XS84_SYSTEM_V1)
        p = env.cli("precheck", "cs")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("-> XenServer 8.4.0 allowed", self.path_line(p.out))

    def test_xcpng_pool_with_a_xenserver_repo_is_refused(self):
        spec = brand_pool("xn", 63, 2, "XCP-ng", "8.2.1")
        env, sim = self.world([spec], XS84)
        self.refused(env, sim, "xn", "XCP-ng 8.2.1", "XenServer 8.4.0",
                     "change of product",
                     "an XCP-ng pool is upgraded with an XCP-ng ISO")

    def test_xenserver_pool_with_an_xcpng_repo_is_refused(self):
        spec = brand_pool("xs", 64, 2, "Citrix Hypervisor", "8.2.1")
        env, sim = self.world([spec], XCPNG83)
        self.refused(env, sim, "xs", "change of product",
                     "upgraded with a XenServer ISO",
                     "docs.xcp-ng.org/installation/upgrade")

    def test_same_number_other_product_is_refused(self):
        """XCP-ng 8.2.1 hosts and a Citrix Hypervisor 8.2.1 repo: nothing
        to upgrade by the numbers, but not the same product."""
        spec = brand_pool("sn", 65, 2, "XCP-ng", "8.2.1")
        env, sim = self.world([spec], CH821)
        self.refused(env, sim, "sn", "XCP-ng 8.2.1",
                     "Citrix Hypervisor 8.2.1", "change of product")

    def test_pool_of_two_products_is_refused(self):
        spec = brand_pool("mx", 66, 3, "Citrix Hypervisor", "8.2.1")
        spec["hosts"][2]["product_brand"] = "XCP-ng"
        env, sim = self.world([spec], XS84)
        self.refused(env, sim, "mx", "mixes products",
                     "Citrix Hypervisor: mxh1, mxh2", "XCP-ng: mxh3")


if __name__ == "__main__":
    unittest.main()
