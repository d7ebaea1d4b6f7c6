"""A second `poolboot serve` changes nothing: on the same state_dir it is
refused by the running one's lock (naming its pid); on another state_dir
but the same tftp-root and a port in use it fails to bind before it
touches the tree, so an armed host stays armed."""
import hashlib
import os
import re
import subprocess
import unittest

import harness


def snapshot(*roots):
    """{path: (sha256, mtime_ns)} of every file under roots."""
    out = {}
    for root in roots:
        for d, _, files in os.walk(root):
            for f in files:
                p = os.path.join(d, f)
                st = os.lstat(p)
                if os.path.islink(p):
                    out[p] = ("link " + os.readlink(p), st.st_mtime_ns)
                    continue
                with open(p, "rb") as fh:
                    h = hashlib.sha256(fh.read()).hexdigest()
                out[p] = (h, st.st_mtime_ns)
    return out


class SecondServeTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env()
        try:
            self.env.start()
        except Exception:
            self.env.cleanup()
            raise

    def tearDown(self):
        self.env.cleanup()

    def second(self, conf_text, timeout=5):
        """Runs a second poolboot serve on conf_text; it must exit on its
        own. Returns the CompletedProcess (stderr decoded in .err)."""
        conf = os.path.join(self.env.dir, "second.conf")
        harness.write(conf, conf_text)
        try:
            p = subprocess.run([harness.poolboot_bin(), "serve", "-c", conf],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout, cwd=self.env.dir,
                               env=harness.clean_env())
        except subprocess.TimeoutExpired:
            self.fail("the second poolboot serve (%s) was still running "
                      "after %d s: it did not refuse to start" % (conf,
                                                                 timeout))
        p.err = p.stderr.decode("utf-8", "replace")
        return p

    def conf_text(self):
        with open(self.env.conf) as f:
            return f.read()

    def test_same_state_dir_is_refused_with_the_holders_pid(self):
        env = self.env
        env.arm("h1")
        other = harness.free_port()
        text = re.sub(r"(?m)^listen = .*$", "listen = 127.0.0.1:%d" % other,
                      self.conf_text())
        text = re.sub(r"(?m)^admin_listen = .*$", "admin_listen = "
                      "127.0.0.1:%d" % harness.free_port(), text)
        before = snapshot(env.tftp, env.state)
        p = self.second(text)
        self.assertNotEqual(p.returncode, 0, p.err)
        lines = [l for l in p.err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "expected one line:\n" + p.err)
        self.assertIn("pid %d" % env.proc.pid, lines[0])
        self.assertIn(env.state, lines[0])
        self.assertEqual(snapshot(env.tftp, env.state), before)
        # the first one is unharmed
        self.assertEqual(env.state_of("h1"), "armed")

    def test_port_in_use_leaves_the_armed_host_alone(self):
        env = self.env
        tok = env.arm("h1")
        state2 = os.path.join(env.dir, "state2")
        os.makedirs(state2)
        text = re.sub(r"(?m)^state_dir = .*$", "state_dir = " + state2,
                      self.conf_text())
        if env.backend == "postgres":
            # on one PostgreSQL database a second instance without a
            # site is the unnamed site's standby: it binds nothing until
            # the first is gone (test_failover); as another site's
            # instance it binds at once, and must refuse here
            text = text.replace("[server]\n", "[server]\nsite = other\n",
                                1)
        before = snapshot(env.tftp)
        p = self.second(text)
        self.assertNotEqual(p.returncode, 0, p.err)
        self.assertIn("127.0.0.1", p.err)
        self.assertIn(str(env.port), p.err)
        self.assertEqual(snapshot(env.tftp), before)
        self.assertEqual(env.token_of("h1"), tok)
        self.assertFalse(harness.is_local_boot(env.read_pxe("h1")))
        self.assertEqual(env.state_of("h1"), "armed")
