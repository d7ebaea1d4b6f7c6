#!/usr/bin/env python3
"""Runs tests/integration/test_*.py against the real poolboot binary and
prints TAP. Usage (from the repository root):

    python3 tests/integration/run.py [PATTERN ...]

POOLBOOT_BIN overrides the binary (default ./poolboot; the ASan build is
build-asan/poolboot). POOLBOOT_KEEP=1 keeps the temp dirs. PATTERNs select
tests whose id contains one of them. Exit 1 if any test failed.
"""
import os
import sys
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


def main(argv):
    bin_ = harness.poolboot_bin()
    if not os.access(bin_, os.X_OK):
        print("Bail out! %s is not an executable (build it with make, or "
              "set POOLBOOT_BIN)" % bin_)
        return 1
    os.chdir(harness.REPO_ROOT)
    loader = unittest.TestLoader()
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    # the XAPI simulator's own tests (wire format, XenAPI.py) run here too
    simdir = os.path.join(harness.REPO_ROOT, "tests", "xapisim")
    if os.path.isdir(simdir):
        sys.path.insert(0, simdir)
        suite.addTests(loader.discover(simdir, pattern="test_*.py",
                                       top_level_dir=simdir))
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
