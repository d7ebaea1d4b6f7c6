"""Options a command does not take are usage mistakes (issue 14): before,
`poolboot hosts --read-only`, `check --limit 3` or `status --wipe` were
silently accepted and ignored. And every usage mistake, whoever finds it
(main's checks, upgrade's --placement, recover's --new-master, token,
audit --limit), has one shape: the error line, the command's synopsis,
then "Run 'poolboot CMD --help' for more.", exit 2, nothing on stdout
(with --json only the JSON error)."""
import json
import unittest

from test_cli import run


class UsageShape(unittest.TestCase):
    def assert_usage(self, argv, first):
        p = run(*argv)
        self.assertEqual(p.returncode, 2, "%s: %s" % (argv, p.err))
        self.assertEqual(p.out, "", argv)
        lines = p.err.splitlines()
        self.assertEqual(lines[0], first, argv)
        self.assertTrue(lines[1].startswith("usage: poolboot %s " % argv[0]),
                        "the synopsis second: %r" % p.err)
        self.assertEqual(lines[-1], "Run 'poolboot %s --help' for more."
                         % argv[0], argv)
        self.assertEqual(len(lines), 3, "not the whole help: %r" % p.err)
        return p


class OptionNotForCommandTest(UsageShape):
    def test_read_only_and_limit_elsewhere(self):
        for argv, first in (
                (("hosts", "--read-only"), "poolboot hosts: option "
                 "'--read-only' is only for token add"),
                (("arm", "h1", "--read-only"), "poolboot arm: option "
                 "'--read-only' is only for token add"),
                (("check", "--limit", "3"), "poolboot check: option "
                 "'--limit' is only for audit"),
                (("status", "--limit", "3"), "poolboot status: option "
                 "'--limit' is only for audit"),
                (("token", "list", "--read-only"), "poolboot token: option "
                 "'--read-only' is only for token add")):
            self.assert_usage(argv, first)

    def test_every_command_option_checked(self):
        for argv, first in (
                (("status", "--wipe"), "poolboot status: option '--wipe' is "
                 "only for arm, rebuild, install, recover"),
                (("hosts", "--follow"), "poolboot hosts: option '--follow' "
                 "is only for upgrade, status, retry, abort, rebuild, "
                 "install, jobs, recover"),
                (("check", "--dry-run"), "poolboot check: option "
                 "'--dry-run' is only for upgrade"),
                (("precheck", "p", "--disable-ha"), "poolboot precheck: "
                 "option '--disable-ha' is only for upgrade"),
                (("status", "--placement", "leave"), "poolboot status: "
                 "option '--placement' is only for upgrade"),
                (("arm", "h1", "--script"), "poolboot arm: option "
                 "'--script' is only for render"),
                (("check", "--skeleton", "/tmp"), "poolboot check: option "
                 "'--skeleton' is only for init-tftp"),
                (("hosts", "--syslog"), "poolboot hosts: option '--syslog' "
                 "is only for serve"),
                (("upgrade", "p", "--new-master", "h"), "poolboot upgrade: "
                 "option '--new-master' is only for recover"),
                (("check", "--token-file", "/x"), "poolboot check: option "
                 "'--token-file' is only for arm, disarm, hosts, sites, "
                 "precheck, "
                 "upgrade, status, retry, abort, rebuild, install, jobs, "
                 "recover, reload, audit"),
                (("status", "--pool", "poolA"), "poolboot status: option "
                 "'--pool' is only for hosts")):
            self.assert_usage(argv, first)

    def test_json_where_it_does_not_apply(self):
        p = run("serve", "--json")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertTrue(p.err.startswith("poolboot serve: option '--json' "
                                         "is only for check, "), p.err)
        self.assertEqual(p.err.splitlines()[-1],
                         "Run 'poolboot serve --help' for more.")

    def test_json_error_shape(self):
        p = run("hosts", "--limit", "3", "--json")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(json.loads(p.out), {
            "error": "hosts: option '--limit' is only for audit", "exit": 2})

    def test_options_of_the_command_still_work(self):
        p = run("audit", "--limit", "x")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.err.splitlines()[0], "poolboot audit: --limit 'x' "
                         "must be a number from 1 to 1000")
        p = run("token", "add", "--read-only")
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.err.startswith("poolboot token: want "), p.err)


class CommandUsageErrorsTest(UsageShape):
    """The usage mistakes the commands find themselves: the same shape as
    main's (before: one "poolboot: ..." line without the pointer)."""

    def test_values_checked_by_the_command(self):
        for argv, first in (
                (("upgrade", "p", "--placement", "home"), "poolboot upgrade: "
                 "--placement 'home': want return or leave"),
                (("recover", "p"), "poolboot recover: missing --new-master "
                 "HOST (a live member of pool p to promote)"),
                (("recover", "p", "--new-master", "a b"), "poolboot recover: "
                 "--new-master 'a b' is not a host name"),
                (("recover", "a b", "--new-master", "h"), "poolboot recover: "
                 "'a b' is not a pool name"),
                (("arm", "a/b"), "poolboot arm: 'a/b' is not a host name"),
                (("precheck", "a b"), "poolboot precheck: 'a b' is not a "
                 "pool name"),
                (("jobs", "retry", "x1"), "poolboot jobs: 'x1' is not a job "
                 "id"),
                (("audit", "--limit", "0"), "poolboot audit: --limit '0' "
                 "must be a number from 1 to 1000"),
                (("token", "frob"), "poolboot token: want 'token list', "
                 "'token add NAME [--read-only]' or 'token remove NAME'")):
            self.assert_usage(argv, first)

    def test_json(self):
        p = run("recover", "p", "--json")
        self.assertEqual(p.returncode, 2)
        d = json.loads(p.out)
        self.assertEqual(d["exit"], 2)
        self.assertTrue(d["error"].startswith("recover: missing --new-master"),
                        d)


if __name__ == "__main__":
    unittest.main()
