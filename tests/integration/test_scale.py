"""Scale: a large inventory costs time in proportion to its size.

At 50,000 hosts poolboot reload took 23-50 s (each host looked up by a
scan of the other configuration: quadratic), and a 20,000-host inventory
took a quarter of that. This test loads 20,000 and then 40,000 hosts and
compares the CPU time (not wall time: the machine may be busy) of each
thing an operator does with them: `poolboot check`, serve's start-up,
GET /api/v1/hosts, a reload with no change and a reload with one host
added. Linear work doubles (about 2x); quadratic work quadruples (4x);
the bound is 3x, plus a little for clock ticks.
"""
import json
import os
import resource
import time
import unittest

import harness

PER_POOL = 16
TICK = os.sysconf("SC_CLK_TCK")


def inventory(env, n):
    """n hosts, 16 to a pool, as the bench's scale section writes them."""
    parts = []
    for k in range((n + PER_POOL - 1) // PER_POOL):
        parts.append("[pool p%05d]\nxapi = https://192.0.2.10\n"
                     "username = root\npassword_file = %s\nrepo = xs82\n\n"
                     % (k, env.pool_pw))
    for i in range(n):
        parts.append("[host h%05d]\npool = p%05d\n"
                     "mac = 52:54:%02x:%02x:%02x:%02x\ndisk = sda\n\n"
                     % (i, i // PER_POOL, 0x30, (i >> 16) & 0xff,
                        (i >> 8) & 0xff, i & 0xff))
    return "".join(parts)


def proc_cpu(pid):
    """User + system CPU seconds of process pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def sanitized():
    """1 when the binary under test is an ASan/UBSan build: its CPU time
    measures the sanitizer's bookkeeping, and 40,000 hosts take minutes."""
    with open(harness.poolboot_bin(), "rb") as f:
        return b"__asan_init" in f.read()


@unittest.skipIf(sanitized(), "a sanitizer build: CPU growth would measure "
                 "the sanitizer (the plain build runs this test)")
class ScaleTest(unittest.TestCase):
    def measure(self, n):
        """CPU seconds of each operation on an n-host inventory."""
        env = harness.Env(hosts_text="")
        self.addCleanup(env.cleanup)
        env.write_config(hosts_text=inventory(env, n))
        cpu = {}
        c0 = children_cpu()
        p = env.cli("check", timeout=300)
        cpu["check"] = children_cpu() - c0
        self.assertEqual(p.returncode, 0, p.err[-2000:])
        self.assertIn("%d hosts" % n, p.out)

        env.start(timeout=120)
        pid = env.proc.pid
        cpu["serve start"] = proc_cpu(pid)
        c0 = proc_cpu(pid)
        r = env.api("GET", "/hosts")
        cpu["GET /api/v1/hosts"] = proc_cpu(pid) - c0
        self.assertEqual(r.status, 200)
        hosts = r.json()
        self.assertEqual(len(hosts), n)
        self.assertEqual(hosts[n - 1]["name"], "h%05d" % (n - 1))
        self.assertEqual(hosts[n - 1]["pool"], "p%05d" % ((n - 1) // PER_POOL))
        self.assertEqual(hosts[n - 1]["state"], "idle")

        c0 = proc_cpu(pid)
        p = env.cli("reload", timeout=300)
        cpu["reload, no change"] = proc_cpu(pid) - c0
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("configuration unchanged", p.out)

        env.write_config(hosts_text=inventory(env, n) +
                         "[host extra]\npool = p00000\n"
                         "mac = 52:54:00:aa:bb:cc\ndisk = sda\n\n")
        c0 = proc_cpu(pid)
        p = env.cli("reload", timeout=300)
        cpu["reload, one host added"] = proc_cpu(pid) - c0
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("1 host added (extra)", p.out)
        self.assertEqual(env.stop(), 0)
        return cpu

    def test_cpu_grows_linearly_with_the_inventory(self):
        small = self.measure(20000)
        big = self.measure(40000)
        report = "\n".join("  %-24s %6.2f s -> %6.2f s" % (k, small[k], big[k])
                           for k in small)
        for k in small:
            # 0.2 s: clock ticks and fixed costs on a busy machine
            self.assertLess(big[k], 3.0 * small[k] + 0.2,
                            "%s grows faster than the inventory (20,000 -> "
                            "40,000 hosts):\n%s" % (k, report))


if __name__ == "__main__":
    unittest.main()
