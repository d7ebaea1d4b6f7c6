"""GET /metrics as Prometheus scrapes it: the text format parses (a small
parser below checks it strictly), the numbers move with what happens
(arming, installer callbacks, repo downloads, a rolling upgrade in the
XAPI simulator), and access follows [server] metrics = on|off|auth."""
import math
import re
import unittest

import harness
import simharness as sh

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|'
                      r'\\[\\"n])*)"\s*(,|$)')
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class FormatError(AssertionError):
    pass


def parse_value(s):
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    if not re.match(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$", s):
        raise FormatError("not a number: %r" % s)
    return float(s)


def parse_labels(s, lineno):
    labels = {}
    pos = 0
    while pos < len(s):
        m = LABEL_RE.match(s, pos)
        if not m:
            raise FormatError("line %d: bad labels %r" % (lineno, s))
        name, raw = m.group(1), m.group(2)
        if name in labels:
            raise FormatError("line %d: label %s twice" % (lineno, name))
        labels[name] = (raw.replace("\\n", "\n").replace('\\"', '"')
                        .replace("\\\\", "\\"))
        pos = m.end()
        if m.group(3) == "":
            break
    return labels


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[:-len(suffix)]) in (
                "histogram", "summary"):
            return name[:-len(suffix)]
    return name


def parse_exposition(text):
    """Parses text format 0.0.4 strictly. Returns {family: {"type": t,
    "help": h, "samples": [(name, labels, value)]}}."""
    if not text.endswith("\n"):
        raise FormatError("the text does not end with a newline")
    fams, types, seen_done = {}, {}, set()
    current = None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line.strip() == "":
            continue
        if line.startswith("#"):
            w = line.split(None, 3)
            if len(w) >= 3 and w[1] in ("HELP", "TYPE"):
                name = w[2]
                if not NAME_RE.match(name):
                    raise FormatError("line %d: bad name %r" % (lineno, name))
                f = fams.setdefault(name, {"type": None, "help": None,
                                           "samples": []})
                if w[1] == "TYPE":
                    if f["type"] is not None or f["samples"]:
                        raise FormatError("line %d: TYPE of %s after its "
                                          "samples or twice" % (lineno, name))
                    if len(w) != 4 or w[3] not in TYPES:
                        raise FormatError("line %d: bad type" % lineno)
                    f["type"] = types[name] = w[3]
                else:
                    if f["help"] is not None:
                        raise FormatError("line %d: HELP twice" % lineno)
                    f["help"] = w[3] if len(w) == 4 else ""
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)"
                     r"(\s+-?\d+)?$", line)
        if not m:
            raise FormatError("line %d: not a sample: %r" % (lineno, line))
        name, labels = m.group(1), parse_labels(m.group(3) or "", lineno)
        value = parse_value(m.group(4))
        fam = family_of(name, types)
        if fam in seen_done and fam != current:
            raise FormatError("line %d: samples of %s are not together"
                              % (lineno, fam))
        if current is not None and fam != current:
            seen_done.add(current)
        current = fam
        f = fams.setdefault(fam, {"type": None, "help": None, "samples": []})
        if f["type"] == "counter" and (value < 0 or math.isnan(value)):
            raise FormatError("line %d: negative counter" % lineno)
        f["samples"].append((name, labels, value))
    for fam, f in fams.items():
        if f["type"] == "histogram":
            check_histogram(fam, f["samples"])
    return fams


def check_histogram(fam, samples):
    series = {}
    for name, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        s = series.setdefault(key, {"buckets": [], "sum": None,
                                    "count": None})
        if name == fam + "_bucket":
            if "le" not in labels:
                raise FormatError("%s bucket without le" % fam)
            s["buckets"].append((parse_value(labels["le"]), value))
        elif name == fam + "_sum":
            s["sum"] = value
        elif name == fam + "_count":
            s["count"] = value
        else:
            raise FormatError("%s: stray sample %s" % (fam, name))
    for key, s in series.items():
        les = [b[0] for b in s["buckets"]]
        if les != sorted(les) or not les or les[-1] != math.inf:
            raise FormatError("%s%r: buckets not ascending to +Inf" % (
                fam, key))
        counts = [b[1] for b in s["buckets"]]
        if counts != sorted(counts):
            raise FormatError("%s%r: buckets not cumulative" % (fam, key))
        if s["count"] != counts[-1] or s["sum"] is None:
            raise FormatError("%s%r: _count %r != +Inf bucket %r" % (
                fam, key, s["count"], counts[-1]))


def value(fams, name, **labels):
    fam = family_of(name, {k: v["type"] for k, v in fams.items()})
    for n, l, v in fams.get(fam, {"samples": []})["samples"]:
        if n == name and all(l.get(k) == str(x) for k, x in labels.items()):
            return v
    raise AssertionError("no sample %s%r" % (name, labels))


class ParserSelfTest(unittest.TestCase):
    """The parser must be able to fail."""

    def test_rejects_broken_text(self):
        good = ("# HELP a_total x\n# TYPE a_total counter\n"
                'a_total{k="v"} 3\n')
        parse_exposition(good)
        for bad in (good[:-1],                           # no final newline
                    good + "# TYPE a_total counter\n",   # TYPE after samples
                    good.replace("3", "three"),          # not a number
                    good.replace('k="v"', 'k=v'),        # unquoted label
                    good.replace("3", "-3"),             # negative counter
                    good + '# TYPE h histogram\nh_bucket{le="1"} 2\n'
                    'h_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
                    good + '# TYPE h histogram\nh_bucket{le="1"} 1\n'
                    'h_sum 1\nh_count 1\n',               # no +Inf
                    good + "b 1\n" + 'a_total{k="w"} 1\n'):  # split family
            with self.assertRaises(FormatError, msg=bad):
                parse_exposition(bad)


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.env = harness.Env()

    def tearDown(self):
        self.env.cleanup()

    def scrape(self, env=None, **kw):
        r = (env or self.env).get("/metrics", **kw)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type").split(";")[0:2],
                         ["text/plain", " version=0.0.4"])
        return parse_exposition(r.body.decode())

    def test_counters_move(self):
        env = self.env.start()
        m0 = self.scrape()
        self.assertEqual(value(m0, "poolboot_hosts", state="idle"), 3)
        self.assertEqual(value(m0, "poolboot_install_callbacks_total",
                               result="done"), 0)
        for fam in ("poolboot_hosts", "poolboot_runs",
                    "poolboot_step_duration_seconds",
                    "poolboot_install_callbacks_total",
                    "poolboot_http_requests_total",
                    "poolboot_http_sent_bytes_total",
                    "poolboot_dnsmasq_restarts_total"):
            self.assertIn(fam, m0)
            self.assertTrue(m0[fam]["help"], fam)
        self.assertEqual(m0["poolboot_step_duration_seconds"]["type"],
                         "histogram")

        t1 = env.arm("h1")
        t2 = env.arm("h2")
        env.arm("new1", wipe=True)
        m = self.scrape()
        self.assertEqual(value(m, "poolboot_hosts", state="armed"), 3)
        self.assertEqual(value(m, "poolboot_hosts", state="idle"), 0)

        # h1's installer: answerfile, the repo, callback 0; h2 fails
        r = env.get(env.host_path("h1", t1, "answerfile"))
        self.assertEqual(r.status, 200)
        m = self.scrape()
        self.assertEqual(value(m, "poolboot_hosts", state="installing"), 1)
        repo0 = value(m, "poolboot_http_sent_bytes_total", route="repo")
        got = 0
        for path in ("/repo/xs82/install.img", "/repo/xs82/boot/vmlinuz"):
            r = env.get(path)
            self.assertEqual(r.status, 200)
            got += len(r.body)
        r = env.get("/repo/xs82/install.img", headers={"Range": "bytes=0-99"})
        self.assertEqual(r.status, 206)
        got += 100
        env.request("HEAD", "/repo/xs82/install.img")   # no body: 0 bytes
        r = env.get("/repo/xs82/nope")       # error bodies count too
        self.assertEqual(r.status, 404)
        got += len(r.body)
        self.assertEqual(env.get(env.host_path("h1", "0" * 40,
                                               "answerfile")).status, 403)
        self.assertEqual(env.request("POST", env.host_path(
            "h1", t1, "callback/0")).status, 200)
        self.assertEqual(env.request("POST", env.host_path(
            "h2", t2, "callback/1")).status, 200)
        # a replayed callback is refused (410) and not counted again
        self.assertEqual(env.request("POST", env.host_path(
            "h1", t1, "callback/0")).status, 410)

        # the last requests are counted as they complete: read once they are
        m = harness.settled(self.scrape, lambda m: value(
            m, "poolboot_http_requests_total", route="hosts",
            code="4xx") >= 2 and value(m, "poolboot_http_requests_total",
                                       route="hosts", code="2xx") >= 3)
        self.assertEqual(value(m, "poolboot_install_callbacks_total",
                               result="done"), 1)
        self.assertEqual(value(m, "poolboot_install_callbacks_total",
                               result="failed"), 1)
        self.assertEqual(value(m, "poolboot_hosts", state="done"), 1)
        self.assertEqual(value(m, "poolboot_hosts", state="failed"), 1)
        self.assertEqual(value(m, "poolboot_hosts", state="armed"), 1)
        self.assertEqual(value(m, "poolboot_http_sent_bytes_total",
                               route="repo") - repo0, got)
        self.assertGreaterEqual(value(m, "poolboot_http_requests_total",
                                      route="repo", code="2xx"), 4)
        self.assertEqual(value(m, "poolboot_http_requests_total",
                               route="repo", code="4xx"), 1)
        self.assertEqual(value(m, "poolboot_http_requests_total",
                               route="hosts", code="4xx"), 2)
        self.assertEqual(value(m, "poolboot_http_requests_total",
                               route="hosts", code="2xx"), 3)
        # arm x3 through the API; the scrapes themselves are "other"
        self.assertGreaterEqual(value(m, "poolboot_http_requests_total",
                                      route="api", code="2xx"), 3)
        self.assertGreaterEqual(value(m, "poolboot_http_requests_total",
                                      route="other", code="2xx"), 3)
        # nothing secret: no token, no host name, no address
        body = env.get("/metrics").body.decode()
        for secret in (t1, t2, env.admin_token(), "h1", "127.0.0.1",
                       harness.MACS["h1"]):
            self.assertNotIn(secret, body)

        # HEAD and other methods
        r = env.request("HEAD", "/metrics")
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual(env.request("POST", "/metrics").status, 405)

        # the store-based numbers survive a restart, counters restart at 0
        env.stop()
        env.start()
        m = self.scrape()
        self.assertEqual(value(m, "poolboot_hosts", state="done"), 1)
        self.assertEqual(value(m, "poolboot_install_callbacks_total",
                               result="done"), 0)

    def test_auth_mode(self):
        self.env.write_config(extra_server="metrics = auth")
        env = self.env.start()
        self.assertEqual(env.get("/metrics").status, 401)
        self.assertEqual(env.get("/metrics", headers={
            "Authorization": "Bearer " + "x" * 40}).status, 401)
        r = env.get("/metrics", headers={
            "Authorization": "Bearer " + env.admin_token()})
        self.assertEqual(r.status, 200)
        parse_exposition(r.body.decode())

    def test_off_mode(self):
        self.env.write_config(extra_server="metrics = off")
        env = self.env.start()
        self.assertEqual(env.get("/metrics").status, 404)
        self.assertEqual(env.get("/metrics", headers={
            "Authorization": "Bearer " + env.admin_token()}).status, 404)

    def test_bad_mode_refused(self):
        self.env.write_config(extra_server="metrics = yes")
        p = self.env.cli("check")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.err, r"poolboot\.conf:\d+: metrics: 'yes'")


class UpgradeMetricsTest(unittest.TestCase):
    """A tiny rolling upgrade in the XAPI simulator moves the runs gauge
    and fills the step-duration histogram."""

    def test_rolling_upgrade(self):
        spec = sh.pool_spec("mp", 41, 2, vms=1)
        env, sim = sh.world([spec])
        try:
            m = parse_exposition(env.get("/metrics").body.decode())
            self.assertEqual(value(m, "poolboot_runs", state="running"), 0)
            self.assertEqual(value(m, "poolboot_step_duration_seconds_count",
                                   step="install"), 0)
            # precheck --json is a read command through XAPI
            p = env.cli("precheck", "mp", "--json")
            self.assertEqual(p.returncode, 0, p.out + p.err)
            import json
            d = json.loads(p.out)
            self.assertIs(d["ok"], True)

            p = env.cli("upgrade", "mp")
            self.assertEqual(p.returncode, 0, p.out + p.err)
            st = env.wait_run("mp", timeout=60)
            self.assertEqual(st["state"], "done", env.diag("mp"))

            m = parse_exposition(env.get("/metrics").body.decode())
            self.assertEqual(value(m, "poolboot_runs", state="done"), 1)
            self.assertEqual(value(m, "poolboot_runs", state="running"), 0)
            for step in ("disable", "evacuate", "arm", "reboot", "install",
                         "rejoin", "enable", "return"):
                self.assertEqual(value(
                    m, "poolboot_step_duration_seconds_count", step=step), 2,
                    step)
                self.assertEqual(value(
                    m, "poolboot_step_duration_seconds_bucket", step=step,
                    le="+Inf"), 2, step)
            # the simulated install takes well under a minute
            self.assertEqual(value(m, "poolboot_step_duration_seconds_bucket",
                                   step="install", le="60"), 2)
            self.assertGreater(value(m, "poolboot_step_duration_seconds_sum",
                                     step="install"), 0)
            self.assertEqual(value(m, "poolboot_install_callbacks_total",
                                   result="done"), 2)
            self.assertEqual(value(m, "poolboot_hosts", state="done"), 2)
            self.assertGreater(value(m, "poolboot_http_sent_bytes_total",
                                     route="hosts"), 0)
        finally:
            env.close()


if __name__ == "__main__":
    unittest.main()
