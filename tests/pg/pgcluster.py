#!/usr/bin/env python3
"""A throw-away PostgreSQL cluster for poolboot's tests.

    python3 tests/pg/pgcluster.py start DIR    prints the admin conninfo
    python3 tests/pg/pgcluster.py stop DIR     stops it and removes DIR

start makes DIR (it must not exist, or be empty) and in it a cluster made
by Debian's initdb (the newest /usr/lib/postgresql/*/bin, else
`pg_config --bindir`), run as an unprivileged user even when the caller
is root (initdb refuses root): the `postgres` user the Debian package
creates, else `nobody`; DIR is that user's. The cluster trusts the role
`poolboot` (initdb --auth=trust -U poolboot) and listens on a unix socket
in DIR and on 127.0.0.1 at a free port, TCP with TLS only (hostssl): a
throw-away CA signs a server certificate for 127.0.0.1 and localhost, and
the CA's certificate is DIR/ca.pem. fsync, full_page_writes and
synchronous_commit stay on: the tests check durability.

The printed conninfo ("host=DIR port=N user=poolboot dbname=postgres") is
what tests/integration/harness.py takes in POOLBOOT_TEST_PG. As a module:
start(dir) -> conninfo, stop(dir), and server_stop(dir) / server_start(dir)
to take the server down and up again without losing the cluster.
"""
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time

INSTALL_HINT = "install postgresql: apt-get install postgresql"
INFO = "cluster.json"
ROLE = "poolboot"


class ClusterError(Exception):
    pass


def _version_key(path):
    v = os.path.basename(os.path.dirname(path))
    try:
        return tuple(int(x) for x in v.split("."))
    except ValueError:
        return (0,)


def find_bindir():
    """The folder of initdb, pg_ctl and postgres: the newest of Debian's
    /usr/lib/postgresql/*/bin, else what pg_config --bindir says."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key,
                    reverse=True):
        if all(os.access(os.path.join(d, b), os.X_OK)
               for b in ("initdb", "pg_ctl", "postgres")):
            return d
    try:
        d = subprocess.run(["pg_config", "--bindir"], capture_output=True,
                           text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        d = ""
    for b in ("initdb", "pg_ctl", "postgres"):
        if not d or not os.access(os.path.join(d, b), os.X_OK):
            raise ClusterError("no PostgreSQL server binaries (%s not in "
                               "/usr/lib/postgresql/*/bin nor in pg_config "
                               "--bindir): %s" % (b, INSTALL_HINT))
    return d


def psql_path():
    """psql: the server's own, else the one on PATH."""
    try:
        p = os.path.join(find_bindir(), "psql")
        if os.access(p, os.X_OK):
            return p
    except ClusterError:
        pass
    p = shutil.which("psql")
    if p is None:
        raise ClusterError("no psql: install postgresql-client: apt-get "
                           "install postgresql-client")
    return p


def run_user():
    """The user the cluster runs as: the caller unless root; for root the
    postgres user, else nobody."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    raise ClusterError("running as root and neither a postgres nor a nobody "
                       "user exists to run the cluster as")


def _as_user(user, argv, cwd, check=True, timeout=120):
    if os.geteuid() == 0:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        argv = [runuser, "-u", user, "--"] + argv
    env = dict(os.environ)
    env.pop("PGDATA", None)
    env["LC_ALL"] = "C"
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                       env=env, timeout=timeout)
    if check and p.returncode != 0:
        raise ClusterError("%s exited %d: %s" % (" ".join(argv), p.returncode,
                                                 (p.stderr + p.stdout)
                                                 .strip()))
    return p


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _openssl(*args, cwd):
    try:
        subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                       capture_output=True, text=True)
    except FileNotFoundError:
        raise ClusterError("no openssl: apt-get install openssl")
    except subprocess.CalledProcessError as e:
        raise ClusterError("openssl %s: %s" % (args[0], e.stderr.strip()))


def make_tls(directory, data):
    """A throw-away CA (its certificate directory/ca.pem, its key gone
    once used) and a server certificate for 127.0.0.1 and localhost that
    it signs, as data/server.crt and data/server.key."""
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "7", "-subj", "/CN=poolboot-test-pg-ca",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)
    with open(os.path.join(directory, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    _openssl("req", "-new", *ec, "-keyout", os.path.join(data, "server.key"),
             "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=directory)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem",
             "-CAkey", "ca.key", "-CAcreateserial", "-days", "7",
             "-extfile", "server.ext", "-out",
             os.path.join(data, "server.crt"), cwd=directory)
    for f in ("ca.key", "server.csr", "server.ext", "ca.srl"):
        try:
            os.unlink(os.path.join(directory, f))
        except FileNotFoundError:
            pass
    os.chmod(os.path.join(directory, "ca.pem"), 0o644)
    os.chmod(os.path.join(data, "server.key"), 0o600)


def _chown_tree(path, user):
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


def _check_reachable(path, user):
    """The cluster's user must reach DIR: every folder above it must let
    others through (x), or a 0700 /root/... makes initdb fail obscurely."""
    if os.geteuid() != 0 or user == "root":
        return
    d = os.path.dirname(os.path.abspath(path))
    while True:
        st = os.stat(d)
        if not st.st_mode & 0o001:
            raise ClusterError("%s is not searchable by others (mode %o): "
                               "user %s cannot reach %s; choose a folder "
                               "under /tmp" % (d, st.st_mode & 0o777, user,
                                               path))
        if d == "/":
            return
        d = os.path.dirname(d)


CONF = """
# poolboot's throw-away test cluster (tests/pg/pgcluster.py)
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{dir}'
max_connections = 300
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
# durability as in production: the tests check it
fsync = on
synchronous_commit = on
full_page_writes = on
# fast without weakening durability: less WAL, fewer checkpoints
wal_level = minimal
max_wal_senders = 0
checkpoint_timeout = 30min
max_wal_size = 1GB
shared_buffers = 32MB
log_min_messages = warning
log_connections = off
"""

HBA = """# poolboot's throw-away test cluster: TCP only over TLS
local all all trust
hostssl all all 127.0.0.1/32 trust
hostssl all all ::1/128 trust
"""


def _info(directory):
    try:
        with open(os.path.join(directory, INFO)) as f:
            return json.load(f)
    except OSError as e:
        raise ClusterError("%s: not a cluster made by pgcluster.py (%s)"
                           % (directory, e.strerror))


def conninfo(directory, dbname="postgres"):
    info = _info(directory)
    return "host=%s port=%d user=%s dbname=%s" % (
        info["dir"], info["port"], ROLE, dbname)


def server_start(directory, timeout=60):
    """pg_ctl start on a cluster made by start() (after server_stop)."""
    info = _info(directory)
    _as_user(info["user"], [os.path.join(info["bindir"], "pg_ctl"), "-D",
                            info["data"], "-l", info["log"], "-w", "-t",
                            str(timeout), "start"],
             cwd=info["dir"], timeout=timeout + 30)


def server_stop(directory, mode="fast"):
    """pg_ctl stop -m mode, keeping the cluster."""
    info = _info(directory)
    _as_user(info["user"], [os.path.join(info["bindir"], "pg_ctl"), "-D",
                            info["data"], "-m", mode, "-w", "stop"],
             cwd=info["dir"])


def start(directory):
    """Makes and starts a cluster in directory; returns its admin
    conninfo (unix socket, user poolboot, database postgres)."""
    directory = os.path.abspath(directory)
    bindir = find_bindir()
    user = run_user()
    if os.path.exists(directory) and os.listdir(directory):
        raise ClusterError("%s exists and is not empty" % directory)
    # the socket's path must fit sockaddr_un (107 bytes)
    if len(directory) + len("/.s.PGSQL.65535.lock") > 100:
        raise ClusterError("%s: too long for a unix socket path; choose a "
                           "shorter folder" % directory)
    _check_reachable(directory, user)
    os.makedirs(directory, mode=0o755, exist_ok=True)
    os.chmod(directory, 0o755)      # the tests read ca.pem
    data = os.path.join(directory, "data")
    log = os.path.join(directory, "postgres.log")
    info = {"dir": directory, "data": data, "log": log, "bindir": bindir,
            "user": user, "port": 0}
    if os.geteuid() == 0:
        _chown_tree(directory, user)
    _as_user(user, [os.path.join(bindir, "initdb"), "-D", data,
                    "--auth=trust", "-U", ROLE, "-E", "UTF8",
                    "--locale=C", "--no-sync"], cwd=directory)
    make_tls(directory, data)
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write(HBA)
    if os.geteuid() == 0:
        _chown_tree(directory, user)
    last = None
    for _ in range(5):     # a free port may be taken before postgres binds
        info["port"] = free_port()
        with open(os.path.join(data, "postgresql.auto.conf"), "w") as f:
            f.write(CONF.format(port=info["port"], dir=directory))
        with open(os.path.join(directory, INFO), "w") as f:
            json.dump(info, f)
        if os.geteuid() == 0:
            _chown_tree(directory, user)
        try:
            server_start(directory)
            return conninfo(directory)
        except ClusterError as e:
            last = e
            if "Address already in use" not in _log_tail(log):
                break
    raise ClusterError("PostgreSQL did not start: %s\n%s"
                       % (last, _log_tail(log)))


def _log_tail(log, n=20):
    try:
        with open(log, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def stop(directory):
    """pg_ctl stop -m fast, then removes directory."""
    directory = os.path.abspath(directory)
    err = None
    if os.path.exists(os.path.join(directory, INFO)):
        info = _info(directory)
        if os.path.exists(os.path.join(info["data"], "postmaster.pid")):
            try:
                server_stop(directory)
            except ClusterError as e:
                err = e
    elif os.path.exists(directory) and os.listdir(directory):
        raise ClusterError("%s: no %s, not removing a folder this did not "
                           "make" % (directory, INFO))
    shutil.rmtree(directory, ignore_errors=True)
    if err is not None:
        raise err


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.stderr.write("usage: pgcluster.py start|stop DIR\n")
        return 2
    try:
        if argv[1] == "start":
            t0 = time.monotonic()
            ci = start(argv[2])
            sys.stderr.write("PostgreSQL up in %.1f s (log %s)\n"
                             % (time.monotonic() - t0,
                                os.path.join(os.path.abspath(argv[2]),
                                             "postgres.log")))
            print(ci)
        else:
            stop(argv[2])
    except ClusterError as e:
        sys.stderr.write("pgcluster: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
