"""The repo as an installer (and an attacker) sees it over HTTP."""
import hashlib
import os
import unittest

import harness


class RepoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = harness.Env(big_file=True)
        try:
            cls.env.start()
        except Exception:
            cls.env.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def file(self, rel):
        with open(os.path.join(self.env.repo, rel), "rb") as f:
            return f.read()

    # ---- whole files ------------------------------------------------------
    def test_get_whole_files(self):
        for rel in ("install.img", "boot/xen.gz", "boot/vmlinuz", ".treeinfo",
                    "Packages/some.rpm", "nested/deeper/deepest/file.txt"):
            want = self.file(rel)
            r = self.env.get("/repo/xs82/" + rel)
            self.assertEqual(r.status, 200, rel)
            self.assertEqual(int(r.header("content-length")), len(want), rel)
            self.assertEqual(r.body, want, rel)

    def test_head_same_headers_no_body(self):
        want = self.file("install.img")
        g = self.env.get("/repo/xs82/install.img")
        h = self.env.request("HEAD", "/repo/xs82/install.img")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b"")
        self.assertEqual(int(h.header("content-length")), len(want))
        self.assertEqual(h.header("content-type"), g.header("content-type"))

    def test_content_types(self):
        r = self.env.get("/repo/xs82/repodata/repomd.xml")
        self.assertEqual(r.status, 200)
        self.assertRegex(r.header("content-type", ""), r"(application|text)/xml")
        r = self.env.request("HEAD", "/repo/xs82/install.img")
        self.assertEqual(r.header("content-type"), "application/octet-stream")

    # ---- ranges -----------------------------------------------------------
    def rng(self, spec):
        return self.env.get("/repo/xs82/install.img",
                            headers={"Range": spec})

    def test_range_first_100(self):
        data = self.file("install.img")
        r = self.rng("bytes=0-99")
        self.assertEqual(r.status, 206)
        self.assertEqual(r.header("content-range"),
                         "bytes 0-99/%d" % len(data))
        self.assertEqual(int(r.header("content-length")), 100)
        self.assertEqual(r.body, data[:100])

    def test_range_open_end(self):
        data = self.file("install.img")
        r = self.rng("bytes=100-")
        self.assertEqual(r.status, 206)
        self.assertEqual(r.header("content-range"),
                         "bytes 100-%d/%d" % (len(data) - 1, len(data)))
        self.assertEqual(r.body, data[100:])

    def test_range_suffix(self):
        data = self.file("install.img")
        r = self.rng("bytes=-50")
        self.assertEqual(r.status, 206)
        self.assertEqual(r.header("content-range"), "bytes %d-%d/%d" % (
            len(data) - 50, len(data) - 1, len(data)))
        self.assertEqual(r.body, data[-50:])

    def test_range_middle_end_clamped(self):
        data = self.file("install.img")
        r = self.rng("bytes=1000-%d" % (len(data) + 5000))
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, data[1000:])

    def test_range_unsatisfiable(self):
        size = len(self.file("install.img"))
        for spec in ("bytes=%d-" % size, "bytes=%d-%d" % (size + 10, size + 20)):
            r = self.rng(spec)
            self.assertEqual(r.status, 416, spec)
            self.assertEqual(r.header("content-range"), "bytes */%d" % size,
                             spec)

    def test_range_multi_or_garbage_gives_full(self):
        data = self.file("install.img")
        for spec in ("bytes=0-1,5-6", "bytes=abc", "items=0-5", "bytes=5-2",
                     "bytes="):
            r = self.rng(spec)
            self.assertEqual(r.status, 200, spec)
            self.assertEqual(r.body, data, spec)

    # ---- escapes ----------------------------------------------------------
    def assert_refused(self, path):
        r = self.env.get(path)
        self.assertIn(r.status, (400, 403, 404),
                      "%s answered %d" % (path, r.status))
        self.assertNotIn(b"TOP-SECRET", r.body, path)
        self.assertNotIn(b"root:", r.body, path)

    def test_traversal_refused(self):
        for p in ("/repo/xs82/../../etc/passwd",
                  "/repo/xs82/../secret",
                  "/repo/xs82/%2e%2e/%2e%2e/etc/passwd",
                  "/repo/xs82/%2e%2e/secret",
                  "/repo/xs82/%2E%2E/secret",
                  "/repo/xs82/.%2e/secret",
                  "/repo/xs82/..%2f..%2fsecret",
                  "/repo/xs82/..%2fsecret",
                  "/repo/xs82/boot/../../secret",
                  "/repo/xs82/boot/..%2f..%2fsecret",
                  "/repo/xs82/..%5csecret",
                  "/repo/xs82//etc/passwd",
                  "/repo/xs82/%2fetc%2fpasswd",
                  "/repo/xs82/..",
                  "/repo/xs82/secret%00.img",
                  "/repo/../secret",
                  "/repo/%2e%2e/secret"):
            self.assert_refused(p)

    def test_symlink_outside_refused(self):
        for p in ("/repo/xs82/boot/escape", "/repo/xs82/escape-abs",
                  "/repo/xs82/outdir/secret"):
            self.assert_refused(p)

    def test_symlink_inside_served(self):
        r = self.env.get("/repo/xs82/inside-link")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.file("boot/vmlinuz"))

    def test_unknown_repo_404(self):
        self.assertEqual(self.env.get("/repo/nope/install.img").status, 404)
        self.assertEqual(self.env.get("/repo/xs82/no-such-file").status, 404)

    def test_directory_404(self):
        for p in ("/repo/xs82/boot", "/repo/xs82/boot/", "/repo/xs82/",
                  "/repo/xs82", "/repo/xs82/nested/deeper"):
            r = self.env.get(p)
            self.assertEqual(r.status, 404, p)

    def test_post_405(self):
        r = self.env.request("POST", "/repo/xs82/install.img", body=b"x")
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.header("allow", "GET"))
        # and the file is untouched
        r = self.env.get("/repo/xs82/install.img")
        self.assertEqual(r.body, self.file("install.img"))

    def test_parallel_downloads(self):
        import concurrent.futures
        data = self.file("install.img")

        def one(i):
            if i % 2:
                r = self.env.get("/repo/xs82/install.img")
                return r.status == 200 and r.body == data
            a = (i * 7919) % (len(data) - 1000)
            r = self.env.get("/repo/xs82/install.img",
                             headers={"Range": "bytes=%d-%d" % (a, a + 999)})
            return r.status == 206 and r.body == data[a:a + 1000]
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            results = list(ex.map(one, range(48)))
        self.assertTrue(all(results), results)

    def test_big_file_sha256(self):
        path = os.path.join(self.env.repo, "big.iso")
        want = harness.sha256_file(path)
        r = self.env.get("/repo/xs82/big.iso", timeout=60)
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.header("content-length")), os.path.getsize(path))
        self.assertEqual(len(r.body), os.path.getsize(path))
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), want)
        # a range deep inside it
        off = 40 << 20
        r = self.env.get("/repo/xs82/big.iso",
                         headers={"Range": "bytes=%d-%d" % (off, off + 299999)})
        self.assertEqual(r.status, 206)
        with open(path, "rb") as f:
            f.seek(off)
            self.assertEqual(r.body, f.read(300000))


if __name__ == "__main__":
    unittest.main()
