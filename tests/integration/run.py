#!/usr/bin/env python3
"""Runs tests/integration/test_*.py against the real poolboot binary and
prints TAP. Usage (from the repository root):

    python3 tests/integration/run.py [PATTERN ...]

POOLBOOT_BIN overrides the binary (default ./poolboot; the ASan build is
build-asan/poolboot). POOLBOOT_KEEP=1 keeps the temp dirs. PATTERNs select
tests whose id contains one of them. Exit 1 if any test failed.

-j N (or POOLBOOT_TEST_JOBS=N) runs N test modules at a time, each in a
process of its own (most of the suite's time is waiting: simulated
installs, timeouts); the TAP lines of a module are printed together when
it ends, numbered in that order. The modules that make network
namespaces run one after the other (SERIAL), never two HEAVY ones at once,
and the tests that stop the shared PostgreSQL server alone (ALONE).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


class TapResult(unittest.TestResult):
    def __init__(self, out):
        super().__init__()
        self.out = out
        self.n = 0
        self.failed = 0
        self._outcome = None
        self._t0 = 0.0

    def _log_tail(self):
        # the newest Env is the one the failing test used
        if harness.ENVS and os.path.exists(harness.ENVS[-1].log_path):
            env = harness.ENVS[-1]
            return env.log_path, env.log_tail(25)
        return None, ""

    def startTest(self, test):
        super().startTest(test)
        self._outcome = None
        self._t0 = time.time()

    def _note(self, kind, test, err):
        tb = "".join(traceback.format_exception(*err)) if err else ""
        self._outcome = (kind, tb)

    def addError(self, test, err):
        super().addError(test, err)
        self._note("error", test, err)
        self._extra = self._log_tail()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._note("failure", test, err)
        self._extra = self._log_tail()

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._outcome = ("skip", reason)

    def stopTest(self, test):
        super().stopTest(test)
        self.n += 1
        name = test.id()
        if name.startswith("__main__."):
            name = name[len("__main__."):]
        dt = time.time() - self._t0
        if self._outcome is None:
            self.out.write("ok %d - %s (%.2fs)\n" % (self.n, name, dt))
        elif self._outcome[0] == "skip":
            self.out.write("ok %d - %s # SKIP %s\n" % (self.n, name,
                                                       self._outcome[1]))
        else:
            self.failed += 1
            self.out.write("not ok %d - %s\n" % (self.n, name))
            for line in self._outcome[1].rstrip().splitlines():
                self.out.write("# " + line + "\n")
            path, tail = self._extra
            if path:
                self.out.write("# --- server log tail (%s) ---\n" % path)
                for line in tail.splitlines():
                    self.out.write("# " + line + "\n")
        self.out.flush()

    def _class_problem(self, test, err):
        # errors in setUpClass/tearDownClass arrive as _ErrorHolder
        self.n += 1
        self.failed += 1
        self.out.write("not ok %d - %s\n" % (self.n, test.id()))
        for line in "".join(traceback.format_exception(*err)).splitlines():
            self.out.write("# " + line + "\n")
        path, tail = self._log_tail()
        if path:
            self.out.write("# --- server log tail (%s) ---\n" % path)
            for line in tail.splitlines():
                self.out.write("# " + line + "\n")
        self.out.flush()


class TapSuiteResult(TapResult):
    """unittest reports setUpClass failures through addError with an
    _ErrorHolder that never gets startTest/stopTest."""

    def addError(self, test, err):
        if not isinstance(test, unittest.TestCase):
            unittest.TestResult.addError(self, test, err)
            self._class_problem(test, err)
            return
        super().addError(test, err)


# modules that make network namespaces and run dnsmasq in them: one at a
# time, in one queue of their own
SERIAL = ("test_dnsmasq", "test_reload", "test_uefi_dhcp")
# kill -9 and long simulated runs with tight step timeouts: never two of
# these at once (the other worker runs something lighter meanwhile)
HEAVY = ("test_upgrade", "test_rebuild", "test_placement", "test_deadmaster",
         "test_failover", "test_races", "test_site_queue")
# the tests that stop the shared PostgreSQL server: alone, at the end
ALONE = ("test_failover.DatabaseStoppedTest",
         "test_store_pg.DatabaseStoppedTest")
# the longest modules first (seconds on an unloaded machine, roughly), so
# that the last ones to end are short
WEIGHT = {"test_clitruth": 104, "test_failover": 80, "test_upgrade": 49,
          "test_rebuild": 41, "test_dashboard": 22, "test_placement": 19,
          "test_follow": 15, "test_redfish": 14, "test_mirror": 14,
          "test_dashboard_actions": 12, "test_deadmaster": 11,
          "test_limits": 11, "test_logstall": 10, "test_races": 10,
          "test_dashboard_sites": 40}


def module_of(test):
    return test.id().split(".")[0]


def discover():
    loader = unittest.TestLoader()
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    # the XAPI simulator's own tests (wire format, XenAPI.py) run here too
    simdir = os.path.join(harness.REPO_ROOT, "tests", "xapisim")
    if os.path.isdir(simdir):
        sys.path.insert(0, simdir)
        suite.addTests(loader.discover(simdir, pattern="test_*.py",
                                       top_level_dir=simdir))
    return suite


def unit_of(test):
    """The queue a test runs in: an ALONE class, else its module."""
    for p in ALONE:
        if test.id().startswith(p + "."):
            return p
    return module_of(test)


def run_parallel(jobs, tests):
    """Runs the modules of tests, jobs at a time, each in a worker
    process (run.py --ids FILE); prints their TAP renumbered."""
    units = {}
    for t in tests:
        units.setdefault(unit_of(t), []).append(t.id())
    queues = [[u] for u in units if u not in SERIAL and u not in ALONE]
    serial = [u for u in units if u in SERIAL]
    if serial:
        queues.append(serial)
    queues.sort(key=lambda q: -sum(WEIGHT.get(m, 5) for m in q))
    alone = [[u] for u in units if u in ALONE]
    running, n, failed, t0 = [], 0, 0, time.time()
    tmp = tempfile.mkdtemp(prefix="pbrun-")

    def startable(q):
        if q[0] in ALONE:
            return not running
        heavy = [r for r in running if r[2][0] in HEAVY]
        return q[0] not in HEAVY or not heavy

    while queues or alone or running:
        if not queues and not running and alone:
            queues.append(alone.pop(0))
        while len(running) < jobs and queues:
            pick = next((q for q in queues if startable(q)), None)
            if pick is None:
                break
            queues.remove(pick)
            ids = os.path.join(tmp, "%d.ids" % len(os.listdir(tmp)))
            with open(ids, "w") as f:
                f.write("\n".join(i for u in pick for i in units[u]))
            out = tempfile.TemporaryFile(mode="w+")
            p = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                  "--ids", ids], stdout=out,
                                 stderr=subprocess.STDOUT)
            running.append((p, out, pick))
            if pick[0] in ALONE:
                break
        time.sleep(0.2)
        for item in list(running):
            p, out, q = item
            if p.poll() is None:
                continue
            running.remove(item)
            n, failed = relay(out, q, p.returncode, n, failed)
    shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % n)
    print("# %d test%s, %d failed, %.1f s (%d at a time)" % (
        n, "" if n == 1 else "s", failed, time.time() - t0, jobs))
    return 1 if failed else 0


def relay(out, q, rc, n, failed):
    """Prints a worker's TAP lines renumbered from n + 1; the new n and
    failed."""
    out.seek(0)
    seen = 0
    for line in out:
        parts = line.split(" ", 3)
        if line.startswith("ok ") or line.startswith("not ok "):
            n += 1
            seen += 1
            neg = line.startswith("not ok ")
            failed += neg
            rest = line.split(" - ", 1)[1] if " - " in line else ""
            line = "%s %d - %s" % ("not ok" if neg else "ok", n, rest)
        elif line.startswith("1..") or line.startswith(
                "# poolboot integration tests") or (
                parts[0] == "#" and len(parts) > 2 and
                parts[2].startswith("test")):
            continue
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
    if rc != 0 and seen == 0:
        n += 1
        failed += 1
        print("not ok %d - %s: the worker exited %d" % (n, " ".join(q), rc))
    out.close()
    sys.stdout.flush()
    return n, failed


def main(argv):
    jobs = int(os.environ.get("POOLBOOT_TEST_JOBS", "1") or 1)
    ids = None
    if argv[:1] == ["--ids"] and len(argv) > 1:
        with open(argv[1]) as f:
            ids, argv = set(f.read().split()), []
    elif argv[:1] == ["-j"] and len(argv) > 1:
        jobs, argv = int(argv[1]), argv[2:]
    bin_ = harness.poolboot_bin()
    if not os.access(bin_, os.X_OK):
        print("Bail out! %s is not an executable (build it with make, or "
              "set POOLBOOT_BIN)" % bin_)
        return 1
    os.chdir(harness.REPO_ROOT)
    suite = discover()
    if ids is not None:
        suite = unittest.TestSuite([t for t in iter_tests(suite)
                                    if t.id() in ids])
    elif jobs > 1:
        tests = [t for t in iter_tests(suite)
                 if not argv or any(p in t.id() for p in argv)]
        print("# poolboot integration tests, binary %s" % bin_)
        return run_parallel(jobs, tests)
    if argv:
        keep = [t for t in iter_tests(suite)
                if any(p in t.id() for p in argv)]
        suite = unittest.TestSuite(keep)
    print("# poolboot integration tests, binary %s" % bin_)
    result = TapSuiteResult(sys.stdout)
    t0 = time.time()
    suite.run(result)
    print("1..%d" % result.n)
    print("# %d test%s, %d failed, %.1f s" % (result.n,
          "" if result.n == 1 else "s", result.failed, time.time() - t0))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
