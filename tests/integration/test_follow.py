"""Following a run (issue 14, "Progress"): `poolboot status POOL --follow`
redraws its table in place with colour on a terminal, prints each changed
line once (no escape bytes) on a pipe or with NO_COLOR, and Ctrl-C stops
following while the run goes on in poolboot serve. A halted run's step
timer stops at the halt.

Real `poolboot serve` and CLI against the XAPI pool simulator; terminals
are pseudo-terminals (os.openpty).
"""
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
import unittest

import harness
import simharness as sh
import test_rebuild as tr

CURSOR_UP = re.compile(rb"\x1b\[\d+A")
GREEN, YELLOW, RED = b"\x1b[32m", b"\x1b[33m", b"\x1b[31m"


class Follower:
    """`poolboot status POOL --follow` running, its stdout a pty (tty=True)
    or a pipe; extra: environment variables set for it (None: removed)."""

    def __init__(self, env, pool, tty, args=None, cols=80, **extra):
        e = harness.clean_env()
        e["TERM"] = "xterm"
        e.pop("NO_COLOR", None)
        for k, v in extra.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        argv = [harness.poolboot_bin()] + (args or ["status", pool,
                                                    "--follow"])
        argv[2:2] = ["-c", env.conf]
        self.fd = None
        if tty:
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ,
                        struct.pack("HHHH", 50, cols, 0, 0))
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=slave, stderr=subprocess.PIPE,
                                         env=e, cwd=env.dir)
            os.close(slave)
            self.fd = master
        else:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=e,
                                         cwd=env.dir)
            self.fd = self.proc.stdout.fileno()
        self.out = b""

    def read(self, timeout):
        """Reads what is there within timeout; False at end of output."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:		# EIO: the pty's other end is closed
            chunk = b""
        self.out += chunk
        return chunk != b""

    def wait_output(self, what, timeout=20):
        deadline = time.time() + timeout
        while what not in self.out and time.time() < deadline:
            if not self.read(0.1):
                break
        return what in self.out

    def finish(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline and self.read(0.2):
            pass
        rc = self.proc.wait(timeout=max(1, deadline - time.time()))
        err = self.proc.stderr.read().decode("utf-8", "replace")
        self.proc.stderr.close()
        if self.fd is not None and self.proc.stdout is None:
            os.close(self.fd)
        elif self.proc.stdout is not None:
            self.proc.stdout.close()
        return rc, self.out.replace(b"\r\n", b"\n"), err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.finish(5)


def screen_rows(draw, cols):
    """The terminal rows text drawn on a screen cols wide takes."""
    text = re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", draw).replace(b"\r", b"")
    return sum(max(1, -(-len(line) // cols))
               for line in text.split(b"\n")[:-1])


def in_step_secs(out, host):
    """The "N s in step" of host's line in status output."""
    m = re.search(r"^  %s .* ([0-9.]+) s in step$" % re.escape(host), out,
                  re.M)
    assert m, "no line with a step time for %s in:\n%s" % (host, out)
    return m.group(1)


class FollowTest(unittest.TestCase):
    def setUp(self):
        self.env = None
        self.followers = []

    def tearDown(self):
        for f in self.followers:
            f.kill()
        if self.env is not None:
            self.env.close()

    def world(self, spec):
        self.env, sim = sh.world([spec])
        return self.env, sim

    def follow(self, pool, tty, args=None, cols=80, **extra):
        f = Follower(self.env, pool, tty, args, cols, **extra)
        self.followers.append(f)
        return f

    def upgrade(self, pool):
        p = self.env.cli("upgrade", pool)
        self.assertEqual(p.returncode, 0, p.out + p.err)

    def test_terminal_redraws_in_colour_plain_prints_changes_once(self):
        spec = sh.pool_spec("fo", 61, 3, install_delay=0.8)
        env, _ = self.world(spec)
        self.upgrade("fo")
        tty = self.follow("fo", True, cols=40)	# its lines wrap
        nocolor = self.follow("fo", True, NO_COLOR="1")
        pipe = self.follow("fo", False)
        results = [f.finish() for f in (tty, nocolor, pipe)]
        self.assertEqual(env.wait_run("fo")["state"], "done", env.diag("fo"))
        for rc, out, err in results:
            self.assertEqual(rc, 0, out.decode() + err)
        out = results[0][1]
        # the terminal: the table is redrawn over itself, in colour
        self.assertTrue(CURSOR_UP.search(out), out)
        self.assertIn(b"\x1b[K", out)
        # each redraw goes up exactly the rows the previous table took
        # (its lines wrap at 40 columns), so it overwrites it, no more
        parts = re.split(rb"\x1b\[(\d+)A", out)
        self.assertGreater(len(parts), 3, out)
        for i in range(1, len(parts), 2):
            self.assertEqual(int(parts[i]), screen_rows(parts[i - 1], 40),
                             parts[i - 1])
        self.assertIn(YELLOW + b"running", out)
        self.assertIn(GREEN + b"done", out)
        self.assertIn(GREEN + b"done     ", out)	# a host's step
        # NO_COLOR and a pipe: plain lines, each change once
        for name, (_, out, _) in (("NO_COLOR", results[1]),
                                  ("pipe", results[2])):
            self.assertNotIn(b"\x1b", out, name)
            lines = out.decode().splitlines()
            self.assertEqual(len(lines), len(set(lines)),
                             "%s: a line printed twice:\n%s"
                             % (name, out.decode()))
            self.assertEqual(sum("HOST" in l for l in lines), 1, name)
            text = out.decode()
            # it did follow the run: several steps of a member, its end
            member = spec["hosts"][1]["name"]
            steps = {l.split()[2] for l in lines
                     if l.startswith("  " + member + " ")}
            self.assertGreaterEqual(len(steps), 3, "%s:\n%s" % (name, text))
            self.assertIn("done", steps, text)
            self.assertRegex(text, r"run \d+ done", name)

    def test_ctrl_c_stops_following_not_the_run(self):
        spec = sh.pool_spec("fc", 62, 3, install_delay=0.8)
        env, _ = self.world(spec)
        self.upgrade("fc")
        f = self.follow("fc", False)
        self.assertTrue(f.wait_output(b"HOST"), f.out)
        self.assertEqual(env.status("fc")["state"], "running")
        f.proc.send_signal(signal.SIGINT)
        rc, out, err = f.finish(10)
        self.assertEqual(rc, 0, out.decode() + err)
        self.assertTrue(out.decode().endswith(
            "stopped following; the run goes on in poolboot serve "
            "(poolboot status fc)\n"), out.decode())
        # the run went on without the follower
        st = env.status("fc")
        self.assertIn(st["state"], ("running", "done"), env.diag("fc"))
        self.assertEqual(env.wait_run("fc")["state"], "done", env.diag("fc"))

    def test_halted_run_step_timer_stops(self):
        spec = sh.pool_spec("fh", 63, 3)
        env, sim = self.world(spec)
        bad = spec["hosts"][1]["name"]
        sim.fault("install_fail", True, host=bad)
        self.upgrade("fh")
        st = env.wait_run("fh")
        self.assertEqual(st["state"], "halted", env.diag("fh"))
        p1 = env.cli("status", "fh")
        time.sleep(2)
        p2 = env.cli("status", "fh")
        self.assertEqual(p1.returncode, 1, p1.out + p1.err)
        t1, t2 = in_step_secs(p1.out, bad), in_step_secs(p2.out, bad)
        self.assertEqual(t1, t2, "the halted step's timer went on:\n%s\n%s"
                         % (p1.out, p2.out))
        # and it stopped when the run halted, not at zero
        self.assertGreater(float(t1), 0.0, p1.out)
        # an aborted run's timer stops too
        p = env.cli("abort", "fh")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        st = env.wait_run("fh", states=("aborted",))
        p1 = env.cli("status", "fh")
        time.sleep(1.5)
        p2 = env.cli("status", "fh")
        self.assertEqual(in_step_secs(p1.out, bad), in_step_secs(p2.out, bad),
                         p1.out + p2.out)

    def test_ctrl_c_stops_following_a_job_not_the_job(self):
        pool = tr.pool_at_new("fj", 66, 3)
        self.env, sim = tr.start([pool], {"fjh3": tr.fresh_identity(
            "fjh3", "127.0.66.3")})
        sim.fault("dead", host="fjh3")
        f = self.follow(None, False, ["rebuild", "fjh3", "--wipe",
                                      "--follow"])
        # power = manual: the job waits for the operator
        self.assertTrue(f.wait_output(b"power on fjh3 now"), f.out)
        f.proc.send_signal(signal.SIGINT)
        rc, out, err = f.finish(10)
        self.assertEqual(rc, 0, out.decode() + err)
        text = out.decode()
        self.assertTrue(text.endswith("stopped following; the job goes on "
                                      "in poolboot serve (poolboot jobs)\n"),
                        text)
        lines = text.splitlines()
        self.assertEqual(len(lines), len(set(lines)), text)
        jobs = self.env.api("GET", "/jobs").json()["jobs"]
        self.assertEqual([j["state"] for j in jobs], ["running"], jobs)


if __name__ == "__main__":
    unittest.main()
