"""Integration test harness: a throw-away world for a real `poolboot serve`.

Env() builds, in a fresh temp dir:
  repo/            a fake unpacked XCP-ng ISO (.treeinfo, boot/, install.img,
                   Packages/, repodata/, a nested dir, symlinks in and out)
  secret           a file outside the repo that must never be served
  root.pw pool.pw  password files (mode 600)
  tftp/pxelinux.cfg/
  state/
  poolboot.conf    the inventory described in the brief

and starts/stops the real binary (POOLBOOT_BIN, default ./poolboot in the
repository root) on two free loopback ports: the install listener (port,
[server] listen: /hosts and /repo) and the admin listener (admin_port,
[server] admin_listen: /api/v1, /metrics and the dashboard). request()
sends a path to the listener that serves it. Nothing here contacts any
address other than 127.0.0.1.

With POOLBOOT_TEST_PG set to an admin conninfo of a PostgreSQL server
(tests/pg/pgcluster.py start DIR prints one), every Env gets a database of
its own there, dropped at cleanup(), and its poolboot.conf a [store]
section with backend = postgres and conninfo_file = <env dir>/store.conninfo.
Env.sql() reads and writes whichever store the Env uses.
"""
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import atexit
import time
import uuid
import sqlite3
import unittest
import xml.etree.ElementTree as ET

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def poolboot_bin():
    b = os.environ.get("POOLBOOT_BIN", "poolboot")
    if not os.path.isabs(b):
        b = os.path.join(REPO_ROOT, b)
    return b


ROOT_PASSWORD = "Plain-Root-Secret-7734"
POOL_PASSWORD = "pool-xapi-secret-1122"
SECRET_BYTES = b"TOP-SECRET-DO-NOT-SERVE-0xdeadbeef\n"

TREEINFO = ("[platform]\nname = XCP\nversion = 3.2.1\n"
            "[branding]\nname = XCP-ng\nversion = 8.2.1\n"
            "[build]\nnumber = release/yangtze/58\n")

MACS = {
    "h1": "52:54:00:00:00:01",
    "h2": "52:54:00:00:00:02",
    "new1": "52:54:00:00:00:03",
}

SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|"
                          r"runtime error: |SUMMARY: \w+Sanitizer")

TOKEN_RE = re.compile(r"/hosts/([A-Za-z0-9._-]+)/([0-9a-f]{40})/answerfile")

# Every Env created, so that the runner can show the log of a failing one.
ENVS = []


# ---- the PostgreSQL store (POOLBOOT_TEST_PG) -----------------------------
def pg_admin():
    """The admin conninfo of the PostgreSQL server the suite runs on, or
    None: the store is SQLite."""
    return os.environ.get("POOLBOOT_TEST_PG") or None


def skip_on_pg(why):
    """Skips a test (or class) that can only hold on the SQLite store."""
    return unittest.skipIf(pg_admin() is not None,
                           "SQLite store only: " + why)


def conninfo_parse(text):
    """key=value words of a libpq conninfo (no quoting: what the tests
    and pgcluster.py write) as an ordered dict."""
    out = {}
    for word in text.split():
        k, sep, v = word.partition("=")
        if not sep:
            raise ValueError("not a key=value conninfo: %r" % text)
        out[k] = v
    return out


def conninfo_with(text, **kw):
    """text with the keys in kw set (dbname, sslmode, ...)."""
    d = conninfo_parse(text)
    d.update(kw)
    return " ".join("%s=%s" % kv for kv in d.items())


def pg_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def pg_bind(query, args):
    """query with each ? outside quotes replaced by args' literals."""
    out, i, quote = [], 0, None
    for ch in query:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            if i >= len(args):
                raise ValueError("more ? than arguments in %r" % query)
            out.append(pg_literal(args[i]))
            i += 1
            continue
        out.append(ch)
    if i != len(args):
        raise ValueError("%d arguments for %d ? in %r" % (len(args), i,
                                                         query))
    return "".join(out)


def psql(conninfo, sql, timeout=60):
    """Runs sql through psql -At against conninfo; its stdout (raises
    with psql's error text when it fails)."""
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", conninfo, "-c", sql],
                       capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, env=clean_env())
    if p.returncode != 0:
        raise RuntimeError("psql %r: %s" % (sql[:200], p.stderr.strip()))
    return p.stdout


# DROP DATABASEs under way: an Env's cleanup does not wait for its own
# (0.1-0.2 s each, a few minutes over the suite); the runner's exit does
PG_DROPS = []


def pg_drop_async(dbname):
    PG_DROPS[:] = [p for p in PG_DROPS if p.poll() is None]
    PG_DROPS.append(subprocess.Popen(
        ["psql", "-X", "-q", "-d", pg_admin(), "-c",
         "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=clean_env()))


@atexit.register
def pg_drops_wait():
    for p in PG_DROPS:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()


def is_query(sql):
    return sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH",
                                                       "VALUES")


def free_port(avoid=()):
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in avoid:
            return port


ADMIN_PREFIXES = ("/api/", "/metrics", "/web")


def admin_path(path):
    """Whether path is the admin listener's (the admin API, /metrics, the
    dashboard) rather than the install listener's."""
    return (path == "/" or path.startswith("/?") or path == "/api" or
            path.startswith(ADMIN_PREFIXES))


def make_cert(directory, name="admin", san="IP:127.0.0.1"):
    """A self-signed certificate for san and its key (PEM files made by the
    openssl command in directory). Returns (cert, key)."""
    cert = os.path.join(directory, name + ".crt")
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=poolboot-test-" + name,
                    "-addext", "subjectAltName=" + san],
                   check=True, capture_output=True, env=clean_env())
    os.chmod(key, 0o600)
    return cert, key


def settled(read, ok, timeout=3.0):
    """Calls read() until ok(value) holds or timeout seconds pass, and
    returns the last value (the caller asserts on it). For what the server
    records when a request completes (request counters, repo bytes per
    host): libmicrohttpd reports a request complete just after the client
    has the whole answer, so a read right after may be a moment early."""
    deadline = time.monotonic() + timeout
    while True:
        v = read()
        if ok(v) or time.monotonic() >= deadline:
            return v
        time.sleep(0.02)


def pxe_name(mac):
    return "01-" + mac.lower().replace(":", "-")


def write(path, data, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    if mode is not None:
        os.chmod(path, mode)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_local_boot(text):
    return "localboot" in text and "answerfile=" not in text


def parse_xml(data):
    return ET.fromstring(data)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers        # dict, lower-case names
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        return json.loads(self.body.decode())

    def __repr__(self):
        return "<HTTP %d %r %r>" % (self.status, self.headers,
                                     self.body[:200])


class Env:
    """One temp world and (optionally) one running server."""

    def __init__(self, boot_attempts=3, big_file=False, extra_server="",
                 extra_hosts="", hosts_text=None, boot_files="http",
                 admin_tls=False):
        self.dir = tempfile.mkdtemp(prefix="pbit-")
        self.port = free_port()
        self.admin_port = free_port(avoid=(self.port,))
        # admin_tls: HTTPS on the admin listener with a fresh certificate
        self.admin_cert = self.admin_key = None
        if admin_tls:
            self.admin_cert, self.admin_key = make_cert(self.dir)
        self.proc = None
        self.log_path = os.path.join(self.dir, "serve.log")
        self.logf = None
        self.repo = os.path.join(self.dir, "repo")
        self.tftp = os.path.join(self.dir, "tftp")
        self.state = os.path.join(self.dir, "state")
        self.conf = os.path.join(self.dir, "poolboot.conf")
        self.root_pw = os.path.join(self.dir, "root.pw")
        self.pool_pw = os.path.join(self.dir, "pool.pw")
        self.secret = os.path.join(self.dir, "secret")
        self.boot_attempts = boot_attempts
        self.boot_files = boot_files
        self.pg_db = self.pg_conninfo = self.store_conninfo_file = None
        self._make_tree(big_file)
        if pg_admin() is not None:
            self._make_pg_database()
        self.write_config(extra_server=extra_server, extra_hosts=extra_hosts,
                          hosts_text=hosts_text)
        ENVS.append(self)

    # ---- the world ------------------------------------------------------
    def _make_tree(self, big_file):
        r = self.repo
        write(os.path.join(r, ".treeinfo"), TREEINFO)
        write(os.path.join(r, "boot/xen.gz"), os.urandom(70000))
        write(os.path.join(r, "boot/vmlinuz"), os.urandom(123457))
        write(os.path.join(r, "install.img"), os.urandom(3 * 1024 * 1024 + 17))
        write(os.path.join(r, "Packages/some.rpm"), os.urandom(5000))
        write(os.path.join(r, "repodata/repomd.xml"),
              '<?xml version="1.0"?>\n<repomd><data type="primary"/></repomd>\n')
        write(os.path.join(r, "nested/deeper/deepest/file.txt"),
              "deep file\n")
        os.symlink("boot/vmlinuz", os.path.join(r, "inside-link"))
        os.symlink("../../secret", os.path.join(r, "boot/escape"))
        os.symlink(self.secret, os.path.join(r, "escape-abs"))
        os.symlink(self.dir, os.path.join(r, "outdir"))
        write(self.secret, SECRET_BYTES, 0o600)
        if big_file:
            p = os.path.join(r, "big.iso")
            size = 64 * 1024 * 1024
            with open(p, "wb") as f:
                f.truncate(size)
                for off in (0, 1 << 20, 17 * (1 << 20) + 3, 40 << 20,
                            size - 300000):
                    f.seek(off)
                    f.write(os.urandom(300000))
        write(self.root_pw, ROOT_PASSWORD + "\n", 0o600)
        write(self.pool_pw, POOL_PASSWORD + "\n", 0o600)
        os.makedirs(os.path.join(self.tftp, "pxelinux.cfg"))
        os.makedirs(self.state)

    def _make_pg_database(self):
        """A database of this Env's own on the POOLBOOT_TEST_PG server and
        the conninfo file that names it (mode 0600)."""
        self.pg_db = "pbit_" + uuid.uuid4().hex[:16]
        psql(pg_admin(), "CREATE DATABASE %s" % self.pg_db)
        self.pg_conninfo = conninfo_with(pg_admin(), dbname=self.pg_db)
        self.store_conninfo_file = os.path.join(self.dir, "store.conninfo")
        write(self.store_conninfo_file, self.pg_conninfo + "\n", 0o600)

    def _drop_pg_database(self):
        if self.pg_db is None:
            return
        pg_drop_async(self.pg_db)
        self.pg_db = None

    @property
    def backend(self):
        """The store this Env's poolboot uses: "sqlite" or "postgres"."""
        return "sqlite" if self.pg_db is None else "postgres"

    def store_section(self):
        """The [store] section ("" on SQLite, the default)."""
        if self.pg_db is None:
            return ""
        return ("[store]\nbackend = postgres\nconninfo_file = %s\n\n"
                % self.store_conninfo_file)

    def sql(self, query, *args):
        """Runs one SQL statement (? parameters) on this Env's store, the
        SQLite file state_dir/poolboot.db or its PostgreSQL database, and
        returns the rows as a list of tuples ([] for a statement that is
        not a query). On SQLite a query opens the file read-only (WAL
        lets it while serve runs), anything else read-write; neither
        creates it."""
        if self.pg_db is None:
            path = os.path.join(self.state, "poolboot.db")
            mode = "ro" if is_query(query) else "rw"
            db = sqlite3.connect("file:%s?mode=%s" % (path, mode), uri=True,
                                 timeout=5)
            try:
                rows = db.execute(query, args).fetchall()
                db.commit()
                return rows
            finally:
                db.close()
        query = pg_bind(query, args)
        if not is_query(query):
            psql(self.pg_conninfo, query)
            return []
        # one JSON array of row objects: numbers stay numbers, NULL None
        out = psql(self.pg_conninfo, "SELECT coalesce(json_agg(q), '[]') "
                   "FROM (%s) q" % query)
        return [tuple(r.values()) for r in json.loads(out)]

    def schema_version(self, set_to=None):
        """The store's schema version (SQLite: PRAGMA user_version,
        PostgreSQL: the table poolboot_schema); with set_to, sets it first
        (to make the store look as an older poolboot left it)."""
        if self.pg_db is None:
            if set_to is not None:
                self.sql("PRAGMA user_version = %d" % set_to)
            return self.sql("PRAGMA user_version")[0][0]
        # PostgreSQL: the table poolboot_schema (server/store_db_pg.c)
        if set_to is not None:
            self.sql("DELETE FROM poolboot_schema")
            self.sql("INSERT INTO poolboot_schema(version) VALUES (?)",
                     set_to)
        return self.sql("SELECT coalesce(max(version), 0) FROM "
                        "poolboot_schema")[0][0]

    def server_section(self, extra=""):
        tls = ""
        if self.admin_cert is not None:
            tls = ("admin_tls_cert = %s\nadmin_tls_key = %s\n"
                   % (self.admin_cert, self.admin_key))
        return ("[server]\n"
                "listen = 127.0.0.1:%d\n"
                "admin_listen = 127.0.0.1:%d\n%s"
                "public_url = http://127.0.0.1:%d\n"
                "state_dir = %s\n"
                "tftp_root = %s\n"
                "boot_attempts = %d\n"
                "boot_files = %s\n%s\n%s"
                % (self.port, self.admin_port, tls, self.port, self.state,
                   self.tftp, self.boot_attempts, self.boot_files, extra,
                   self.store_section()))

    def base_inventory(self):
        return ("[repo xs82]\n"
                "path = %s\n\n"
                "[pool poolA]\n"
                "xapi = https://192.0.2.10\n"
                "username = root\n"
                "password_file = %s\n"
                "repo = xs82\n\n"
                % (self.repo, self.pool_pw))

    def hosts_section(self):
        return ("[host h1]\n"
                "pool = poolA\n"
                "mac = 52:54:00:00:00:01\n"
                "disk = sda\n\n"
                "[host h2]\n"
                "pool = poolA\n"
                "mac = 52-54-00-00-00-02\n"
                "disk = sda\n\n"
                "[host new1]\n"
                "repo = xs82\n"
                "mode = fresh\n"
                "mac = 5254.0000.0003\n"
                "disk = sda\n"
                "ip = 10.0.0.21/24\n"
                "gateway = 10.0.0.1\n"
                "dns = 10.0.0.2 10.0.0.3\n"
                "hostname = new1.example.com\n"
                "ntp = ntp1.example.com\n"
                "root_password_file = %s\n\n" % self.root_pw)

    def write_config(self, extra_server="", extra_hosts="", hosts_text=None):
        text = (self.server_section(extra_server) + self.base_inventory() +
                (self.hosts_section() if hosts_text is None else hosts_text) +
                extra_hosts)
        write(self.conf, text)
        return self.conf

    # ---- the server -----------------------------------------------------
    def start(self, timeout=10.0):
        assert self.proc is None, "server already running"
        self.logf = open(self.log_path, "ab")
        self.logf.write(b"==== poolboot serve started by the test ====\n")
        self.logf.flush()
        self.proc = subprocess.Popen(
            [poolboot_bin(), "serve", "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf,
            cwd=self.dir, env=clean_env())
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                self.logf.close()
                raise RuntimeError("poolboot serve exited with %d:\n%s"
                                   % (rc, self.log_tail()))
            try:
                self.request("GET", "/", timeout=2)
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("poolboot serve did not answer within %.0f s:\n%s"
                           % (timeout, self.log_tail()))

    def stop(self):
        """SIGTERM and wait; SIGKILL if it does not stop within 10 s.
        Returns the exit status (None if it was not running)."""
        if self.proc is None:
            return None
        rc = None
        try:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = "killed after SIGTERM timeout"
        self.proc = None
        self.logf.close()
        return rc

    def kill9(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.logf.close()

    def restart_hard(self):
        self.kill9()
        return self.start()

    def cleanup(self):
        """Stops the server, drops its PostgreSQL database, removes the
        temp dir, and raises if the server's log holds a sanitizer
        report (keeping the dir). POOLBOOT_KEEP keeps dir and database."""
        self.stop()
        report = self.sanitizer_report()
        keep = bool(os.environ.get("POOLBOOT_KEEP"))
        if not keep:
            self._drop_pg_database()
        if report:
            raise AssertionError("sanitizer report in %s:\n%s"
                                 % (self.log_path, report))
        if keep:
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self, settle=0.03, limit=2.0):
        """serve's log so far. serve writes its lines from a queue on a
        thread of its own (log.c), so a line logged a moment ago may not
        be in the file yet: the file is read again until it stops growing
        for settle seconds (limit in all)."""
        deadline = time.monotonic() + limit
        last = None
        while True:
            try:
                with open(self.log_path, "rb") as f:
                    text = f.read().decode("utf-8", "replace")
            except OSError:
                text = ""
            if text == last or time.monotonic() >= deadline:
                return text
            last = text
            time.sleep(settle)

    def wait_log(self, needle, timeout=10.0):
        """The log once it contains needle (AssertionError naming it and
        showing the tail when it does not within timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_text()
            if needle in text:
                return text
            if time.monotonic() >= deadline:
                raise AssertionError("%r not in serve's log within %g s; its "
                                     "tail:\n%s" % (needle, timeout,
                                                     "\n".join(
                                                         text.splitlines()[-30:])))
            time.sleep(0.1)

    def sanitizer_report(self):
        """Sanitizer findings in the server log ("" if none)."""
        lines = self.log_text().splitlines()
        for i, l in enumerate(lines):
            if SANITIZER_RE.search(l):
                return "\n".join(lines[max(0, i - 2):i + 40])
        return ""

    def log_tail(self, n=30):
        return "\n".join(self.log_text().splitlines()[-n:])

    # ---- HTTP -----------------------------------------------------------
    @property
    def base(self):
        """The install listener, as public_url names it."""
        return "http://127.0.0.1:%d" % self.port

    @property
    def admin_base(self):
        """The admin listener: the API, /metrics, the dashboard."""
        return "%s://127.0.0.1:%d" % (
            "https" if self.admin_cert else "http", self.admin_port)

    def connection(self, listener, timeout=30, cafile=None):
        """An HTTP(S) connection to the "admin" or "install" listener;
        HTTPS to a TLS admin listener, trusting cafile (default: its own
        certificate)."""
        if listener != "admin":
            return http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=timeout)
        if self.admin_cert is None:
            return http.client.HTTPConnection("127.0.0.1", self.admin_port,
                                              timeout=timeout)
        ctx = ssl.create_default_context(cafile=cafile or self.admin_cert)
        return http.client.HTTPSConnection("127.0.0.1", self.admin_port,
                                           timeout=timeout, context=ctx)

    def request(self, method, path, body=None, headers=None, timeout=30,
                listener=None):
        """Sends path exactly as given (no normalisation) to the listener
        that serves it (admin_path), or to listener "admin" or
        "install"."""
        if listener is None:
            listener = "admin" if admin_path(path) else "install"
        c = self.connection(listener, timeout=timeout)
        try:
            c.putrequest(method, path, skip_accept_encoding=True)
            hdrs = dict(headers or {})
            if body is not None:
                if isinstance(body, str):
                    body = body.encode()
                hdrs.setdefault("Content-Length", str(len(body)))
            elif method in ("POST", "PUT"):
                hdrs.setdefault("Content-Length", "0")
            for k, v in hdrs.items():
                c.putheader(k, v)
            c.endheaders()
            if body is not None:
                c.send(body)
            r = c.getresponse()
            data = r.read()
            hd = {k.lower(): v for k, v in r.getheaders()}
            return Response(r.status, hd, data)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def url_path(self, url):
        """http://127.0.0.1:PORT/x -> /x (refusing any other host)."""
        prefix = self.base
        assert url.startswith(prefix + "/"), \
            "URL %r does not point at this server %r" % (url, prefix)
        return url[len(prefix):]

    # ---- admin API ------------------------------------------------------
    def admin_token(self):
        with open(os.path.join(self.state, "admin.token")) as f:
            return f.read().strip()

    def api(self, method, path, body=None, token=None, auth=True):
        headers = {}
        if auth:
            headers["Authorization"] = "Bearer " + (
                token if token is not None else self.admin_token())
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, "/api/v1" + path, body=body,
                            headers=headers)

    def events(self, host=None, limit=None, before=None):
        q = []
        if host:
            q.append("host=" + host)
        if limit:
            q.append("limit=%d" % limit)
        if before:
            q.append("before=%d" % before)
        r = self.api("GET", "/events" + ("?" + "&".join(q) if q else ""))
        assert r.status == 200, r
        d = r.json()
        return d["events"] if isinstance(d, dict) else d

    # ---- CLI ------------------------------------------------------------
    def cli(self, *args, conf=True, timeout=30):
        argv = [poolboot_bin()] + list(args)
        if conf:
            argv[2:2] = ["-c", self.conf]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout,
                           cwd=self.dir, env=clean_env())
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        if SANITIZER_RE.search(p.err):
            raise AssertionError("sanitizer report from %s:\n%s"
                                 % (" ".join(argv), p.err))
        return p

    def hosts_json(self):
        p = self.cli("hosts", "--json")
        assert p.returncode == 0, "poolboot hosts --json: %d %s" % (
            p.returncode, p.err)
        return {h["name"]: h for h in json.loads(p.out)}

    def state_of(self, host):
        return self.hosts_json()[host]["state"]

    # ---- tftp-root ------------------------------------------------------
    def pxe_path(self, host_or_mac):
        mac = MACS.get(host_or_mac, host_or_mac)
        return os.path.join(self.tftp, "pxelinux.cfg", pxe_name(mac))

    def read_pxe(self, host):
        with open(self.pxe_path(host)) as f:
            return f.read()

    def answerfile_url(self, host):
        """The answerfile URL on the append line of host's per-MAC file,
        as pxelinux hands it to the installer."""
        text = self.read_pxe(host)
        apps = [l for l in text.splitlines()
                if l.strip().startswith("append ")]
        assert len(apps) == 1, "expected one append line in %s:\n%s" % (
            self.pxe_path(host), text)
        urls = re.findall(r"(?:^| )answerfile=(\S+)", apps[0])
        assert len(urls) == 1, apps[0]
        return urls[0]

    def token_of(self, host):
        """The token as a booting host sees it: from its per-MAC file."""
        url = self.answerfile_url(host)
        m = TOKEN_RE.search(url)
        assert m is not None and m.group(1) == host, url
        return m.group(2)

    def arm(self, host, wipe=False):
        args = ["arm", host] + (["--wipe"] if wipe else [])
        p = self.cli(*args)
        assert p.returncode == 0, "poolboot arm %s: exit %d\n%s%s" % (
            host, p.returncode, p.out, p.err)
        return self.token_of(host)

    def host_path(self, host, token, what):
        return "/hosts/%s/%s/%s" % (host, token, what)


def clean_env():
    env = dict(os.environ)
    for k in list(env):
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy",
                         "ftp_proxy"):
            del env[k]
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env
