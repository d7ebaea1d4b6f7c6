"""Rendered answerfiles kept per arming (server/arm_afcache.c, issue 15):
a fetch after the template was edited, or after a reload changed the
host, serves the new answerfile, never the one kept from before."""
import os
import shutil
import time
import unittest

import harness
from test_hosts import HostTestBase


class AnswerfileCacheInvalidation(HostTestBase):
    env_kwargs = {"boot_attempts": 20}

    def setUp(self):
        super().setUp()
        env = self.env
        self.tpl = os.path.join(env.dir, "tpl")
        shutil.copytree(os.path.join(harness.REPO_ROOT, "templates"),
                        self.tpl)
        env.stop()
        env.write_config(extra_server="template_dir = %s\n" % self.tpl)
        env.start()
        # templates older than a second are kept (arm_afcache.h)
        time.sleep(1.2)

    def answerfile(self, tok):
        r = self.fetch("h1", tok)
        self.assertEqual(r.status, 200, r)
        return r.body.decode()

    def edit_template(self, old, new):
        p = os.path.join(self.tpl, "answerfile-upgrade.xml")
        with open(p) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(p, "w") as f:
            f.write(text.replace(old, new))

    def test_edited_template_is_served_at_the_next_fetch(self):
        tok = self.env.arm("h1")
        first = self.answerfile(tok)
        self.assertEqual(self.answerfile(tok), first)    # kept, the same
        self.assertNotIn("EDITED", first)
        # the same size: only the file's times show the change
        self.edit_template("backs up dom0", "EDITED dom0!")
        self.assertIn("EDITED dom0!", self.answerfile(tok))
        time.sleep(1.2)     # now old enough to be kept again
        self.assertIn("EDITED dom0!", self.answerfile(tok))
        self.edit_template("EDITED dom0!", "backs up dom0")
        self.assertEqual(self.answerfile(tok), first)

    def test_kept_answerfile_of_a_retired_token_is_never_served(self):
        env = self.env
        tok = env.arm("h1")
        first = self.answerfile(tok)
        self.assertEqual(self.answerfile(tok), first)    # kept
        tok2 = env.arm("h1")                            # re-armed
        self.assertEqual(self.fetch("h1", tok).status, 410)
        second = self.answerfile(tok2)
        self.assertNotEqual(second, first)      # its own token's URLs
        self.assertIn(tok2, second)
        self.assertNotIn(tok, second)
        p = env.cli("disarm", "h1")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertEqual(self.fetch("h1", tok2).status, 410)
        # a reload (here: a host added) starts afresh and still serves
        tok3 = env.arm("h1")
        third = self.answerfile(tok3)
        env.write_config(extra_server="template_dir = %s\n" % self.tpl,
                         extra_hosts="[host xen21]\npool = poolA\n"
                         "mac = 52:54:00:00:00:21\ndisk = sda\n\n")
        p = env.cli("reload")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertEqual(self.answerfile(tok3), third)


if __name__ == "__main__":
    unittest.main()
