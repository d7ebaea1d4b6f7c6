"""The repo's small-file cache (http_file.c) as an installer sees it: a
file changed between two requests is served new, whether rewritten in
place (same size, same inode) or replaced by a new file; a symlink
swapped in for a cached file does not lead outside the repo; HEAD and
Range on a cached file answer as they do for any file; a big file is
served whole while it is replaced."""
import os
import time
import unittest

import harness


class RepoCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env()
        try:
            cls.rel = "Packages/cached.rpm"
            cls.path = os.path.join(cls.env.repo, cls.rel)
            harness.write(cls.path, b"a" * 20000)
            harness.write(os.path.join(cls.env.repo, "Packages/swap.rpm"),
                          b"s" * 100)
            harness.write(os.path.join(cls.env.dir, "outside.txt"),
                          "secret outside\n")
            # a file changed within the last 2 s is not cached
            time.sleep(2.5)
            cls.env.start()
        except Exception:
            cls.env.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def get(self, rel, **kw):
        return self.env.get("/repo/xs82/" + rel, **kw)

    def test_changed_in_place_served_new(self):
        self.assertEqual(self.get(self.rel).body, b"a" * 20000)
        self.assertEqual(self.get(self.rel).body, b"a" * 20000)
        with open(self.path, "r+b") as f:       # same inode, same size
            f.write(b"b" * 20000)
        r = self.get(self.rel)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"b" * 20000)
        tmp = self.path + ".new"                # a new file
        harness.write(tmp, b"c" * 7000)
        os.rename(tmp, self.path)
        r = self.get(self.rel)
        self.assertEqual(int(r.header("content-length")), 7000)
        self.assertEqual(r.body, b"c" * 7000)

    def test_head_and_range_on_cached_file(self):
        want = self.get("Packages/some.rpm").body
        g = self.get("Packages/some.rpm")
        self.assertEqual(g.body, want)
        h = self.env.request("HEAD", "/repo/xs82/Packages/some.rpm")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b"")
        self.assertEqual(int(h.header("content-length")), len(want))
        for k in ("content-type", "last-modified", "accept-ranges",
                  "server"):
            self.assertEqual(h.header(k), g.header(k), k)
        r = self.get("Packages/some.rpm", headers={"Range": "bytes=10-19"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, want[10:20])
        self.assertEqual(r.header("content-range"),
                         "bytes 10-19/%d" % len(want))

    def test_symlink_swapped_in_refused(self):
        rel = "Packages/swap.rpm"
        self.assertEqual(self.get(rel).body, b"s" * 100)
        p = os.path.join(self.env.repo, rel)
        os.unlink(p)
        os.symlink(os.path.join(self.env.dir, "outside.txt"), p)
        r = self.get(rel)
        self.assertIn(r.status, (403, 404))
        self.assertNotIn(b"secret", r.body)


if __name__ == "__main__":
    unittest.main()
