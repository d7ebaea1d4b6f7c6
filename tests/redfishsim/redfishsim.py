#!/usr/bin/env python3
"""redfishsim - a Redfish BMC simulator for poolboot's `power = redfish` tests.

It serves, over HTTPS with a self-signed certificate made by `openssl` at
start, the part of a BMC's Redfish service (DMTF DSP0266; resources after
the ServiceRoot, ComputerSystemCollection, ComputerSystem, SessionService
and Session schemas) that a one-time network boot needs:

    /redfish                                   {"v1": "/redfish/v1/"}
    /redfish/v1/                               the service root (no auth)
    /redfish/v1/Systems                        N ComputerSystems (--systems)
    /redfish/v1/Systems/<n>                    Boot override, PowerState,
                                               ETag; PATCH with If-Match
    /redfish/v1/Systems/<n>/Actions/ComputerSystem.Reset   POST {ResetType}
    /redfish/v1/SessionService(/Sessions)      POST -> 201, X-Auth-Token,
                                               Location; DELETE the session

Authentication: a session token (X-Auth-Token) or HTTP basic auth; else 401
with a Redfish error body. Errors are Redfish error bodies:
{"error": {"code", "message", "@Message.ExtendedInfo": [{"MessageId",
"Message", ...}]}} (400 bad PATCH values, 404 unknown paths, 412 an If-Match
that is not the current ETag, ...).

A reset boots the system: a one-time override (BootSourceOverrideEnabled
Once) is consumed by that boot and goes back to Disabled, as on a BMC. When
the boot is a network boot (target Pxe or UefiHttp), the --boot-command runs
(detached, its output in STATE_DIR/boot-command.log) with REDFISHSIM_SYSTEM,
REDFISHSIM_TARGET, REDFISHSIM_MODE and REDFISHSIM_RESET_TYPE in its
environment; powering the system off (or the next reset) stops it.

Everything that happens is appended to STATE_DIR/log.jsonl, one JSON object
a line ({"t", "event", ...}); STATE_DIR/state.json holds the systems' state.

Faults: --no-sessions (no SessionService: basic auth only), --hang SECONDS
(every request waits that long before it is answered: a BMC that times
out), --reset-fails (the Reset action answers 500), --no-etag.

Python 3 standard library only.

    python3 tests/redfishsim/redfishsim.py --state-dir DIR [--port 0]
        [--user admin] [--password PW] [--systems N] [--power On|Off]
        [--reset-types ForceRestart,On,...] [faults] [--boot-command CMD...]

prints `port=N`, `fingerprint=AA:BB:...` and `ready` on stdout once it
listens; SIGTERM stops it. Python tests use the RedfishSim class below.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = "/redfish/v1"
TARGETS = ["None", "Pxe", "Cd", "Usb", "Hdd", "BiosSetup", "UefiShell",
           "UefiTarget", "UefiHttp"]
MODES = ["Legacy", "UEFI"]
ENABLED = ["Disabled", "Once", "Continuous"]
ALL_RESETS = ["On", "ForceOff", "GracefulShutdown", "GracefulRestart",
              "ForceRestart", "Nmi", "ForceOn", "PushPowerButton",
              "PowerCycle"]
NETWORK_TARGETS = ("Pxe", "UefiHttp")


def redfish_error(status, message_id, message, *args):
    """A Redfish error body (DSP0266, "Error responses") with one message
    from the Base message registry."""
    return status, {"error": {
        "code": "Base.1.8.GeneralError",
        "message": "A general error has occurred. See ExtendedInfo for "
                   "more information.",
        "@Message.ExtendedInfo": [{
            "@odata.type": "#Message.v1_1_1.Message",
            "MessageId": "Base.1.8." + message_id,
            "Message": message,
            "MessageArgs": [str(a) for a in args],
            "Severity": "Critical",
            "Resolution": "See the message."}]}}


class System:
    def __init__(self, n, power, reset_types, targets):
        self.id = str(n)
        self.targets = targets
        self.path = "%s/Systems/%s" % (ROOT, self.id)
        self.power = power
        self.enabled = "Disabled"
        self.target = "None"
        self.mode = "UEFI"
        self.reset_types = reset_types
        self.generation = 1
        self.boots = 0
        self.booted = None       # what the last boot booted
        self.boot_proc = None

    def etag(self):
        return 'W/"%d"' % self.generation

    def resource(self, with_etag):
        r = {
            "@odata.id": self.path,
            "@odata.type": "#ComputerSystem.v1_20_0.ComputerSystem",
            "Id": self.id, "Name": "System %s" % self.id,
            "SystemType": "Physical", "Manufacturer": "poolboot",
            "Model": "redfishsim", "SerialNumber": "RFSIM%04d" % int(self.id),
            "PowerState": self.power,
            "Status": {"State": "Enabled", "Health": "OK"},
            "Boot": {
                "BootSourceOverrideEnabled": self.enabled,
                "BootSourceOverrideEnabled@Redfish.AllowableValues": ENABLED,
                "BootSourceOverrideTarget": self.target,
                "BootSourceOverrideTarget@Redfish.AllowableValues":
                    self.targets,
                "BootSourceOverrideMode": self.mode,
                "BootSourceOverrideMode@Redfish.AllowableValues": MODES},
            "Actions": {"#ComputerSystem.Reset": {
                "target": self.path + "/Actions/ComputerSystem.Reset",
                "ResetType@Redfish.AllowableValues": self.reset_types}}}
        if with_etag:
            r["@odata.etag"] = self.etag()
        return r

    def state(self):
        return {"id": self.id, "path": self.path, "power": self.power,
                "enabled": self.enabled, "target": self.target,
                "mode": self.mode, "boots": self.boots,
                "booted": self.booted, "etag": self.etag()}


class Sim:
    """The BMC's state; every method runs under self.lock."""

    def __init__(self, args):
        self.args = args
        self.dir = args.state_dir
        self.lock = threading.RLock()
        resets = args.reset_types.split(",") if args.reset_types \
            else ALL_RESETS
        targets = args.targets.split(",") if args.targets else TARGETS
        self.systems = [System(i + 1, args.power, resets, targets)
                        for i in range(args.systems)]
        self.races = args.etag_race     # GETs still to be overtaken
        self.sessions = {}      # id -> token
        self.logf = open(os.path.join(self.dir, "log.jsonl"), "a")
        self.write_state()

    def log(self, event, **kw):
        e = {"t": round(time.time(), 3), "event": event}
        e.update(kw)
        with self.lock:
            self.logf.write(json.dumps(e, sort_keys=True) + "\n")
            self.logf.flush()

    def write_state(self):
        tmp = os.path.join(self.dir, "state.json.tmp")
        with open(tmp, "w") as f:
            json.dump({"systems": [s.state() for s in self.systems],
                       "sessions": len(self.sessions)}, f)
        os.replace(tmp, os.path.join(self.dir, "state.json"))

    def system(self, path):
        for s in self.systems:
            if s.path == path:
                return s
        return None

    # -- power -------------------------------------------------------------

    def stop_boot(self, s):
        p = s.boot_proc
        s.boot_proc = None
        if p is not None and p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def boot(self, s, reset_type):
        """The system starts: a one-time override is used up by it."""
        s.boots += 1
        if s.enabled in ("Once", "Continuous") and s.target != "None":
            target, mode, via = s.target, s.mode, s.enabled
        else:
            target, mode, via = "Hdd", s.mode, "normal"
        if s.enabled == "Once":
            s.enabled = "Disabled"
        s.booted = {"target": target, "mode": mode, "via": via}
        self.log("boot", system=s.path, target=target, mode=mode,
                 override=via, reset_type=reset_type)
        if target in NETWORK_TARGETS and self.args.boot_command:
            env = dict(os.environ, REDFISHSIM_SYSTEM=s.path,
                       REDFISHSIM_TARGET=target, REDFISHSIM_MODE=mode,
                       REDFISHSIM_RESET_TYPE=reset_type)
            out = open(os.path.join(self.dir, "boot-command.log"), "a")
            s.boot_proc = subprocess.Popen(
                self.args.boot_command, env=env, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            out.close()
            self.log("boot_command", system=s.path, pid=s.boot_proc.pid,
                     argv=self.args.boot_command)

    def reset(self, s, rt):
        before = s.power
        if rt in ("On", "ForceOn") or (rt == "PushPowerButton" and
                                       before == "Off"):
            if before == "Off":
                s.power = "On"
                self.boot(s, rt)
        elif rt in ("ForceOff", "GracefulShutdown") or \
                rt == "PushPowerButton":
            s.power = "Off"
            self.stop_boot(s)
        elif rt in ("ForceRestart", "GracefulRestart", "PowerCycle"):
            self.stop_boot(s)
            s.power = "On"
            self.boot(s, rt)
        s.generation += 1
        self.log("reset", system=s.path, reset_type=rt, power_before=before,
                 power_after=s.power)

    def shutdown(self):
        with self.lock:
            for s in self.systems:
                self.stop_boot(s)


class Handler(BaseHTTPRequestHandler):
    server_version = "redfishsim/1.0"
    protocol_version = "HTTP/1.1"
    sim = None

    def log_message(self, fmt, *args):
        pass

    # -- plumbing ------------------------------------------------------------

    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("OData-Version", "4.0")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return ValueError

    def who(self):
        """The user, "session" or "basic", or (None, None)."""
        sim = self.sim
        tok = self.headers.get("X-Auth-Token")
        if tok:
            with sim.lock:
                for sid, t in sim.sessions.items():
                    if secrets.compare_digest(t, tok):
                        return sim.args.user, "session"
            return None, None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None, None
            if u == sim.args.user and secrets.compare_digest(
                    p, sim.args.password):
                return u, "basic"
            sim.log("auth_failed", how="basic", user=u, path=self.path)
        return None, None

    def dispatch(self):
        sim = self.sim
        if sim.args.hang:
            time.sleep(sim.args.hang)
        path = self.path.split("?", 1)[0]
        if len(path) > 1:
            path = path.rstrip("/")
        body = self.body() if self.command in ("POST", "PATCH") else None
        public = path in ("/redfish", ROOT, ROOT + "/odata", ROOT +
                          "/$metadata") or (
            self.command == "POST" and not sim.args.no_sessions and
            path == ROOT + "/SessionService/Sessions")
        user, how = (None, None) if public else self.who()
        if not public and user is None:
            status, err = redfish_error(
                401, "NoValidSession", "There is no valid session "
                "established with the implementation.")
            sim.log("request", method=self.command, path=path,
                    status=401, auth=None)
            return self.send_json(status, err, {
                "WWW-Authenticate": 'Basic realm="redfishsim"'})
        status, out, headers = self.route(path, body, how)
        sim.log("request", method=self.command, path=path, status=status,
                auth=how)
        self.send_json(status, out, headers)

    do_GET = do_HEAD = do_POST = do_PATCH = do_DELETE = do_PUT = \
        lambda self: self.dispatch()

    # -- resources -----------------------------------------------------------

    def route(self, path, body, how):
        sim = self.sim
        m = self.command
        if body is ValueError:
            return redfish_error(400, "MalformedJSON", "The request body "
                                 "submitted was malformed JSON and could "
                                 "not be parsed by the receiving service.") \
                + ({},)
        if path == "/redfish" and m in ("GET", "HEAD"):
            return 200, {"v1": ROOT + "/"}, {}
        if path == ROOT and m in ("GET", "HEAD"):
            return 200, self.service_root(), {}
        if path == ROOT + "/Systems" and m in ("GET", "HEAD"):
            return 200, {
                "@odata.id": ROOT + "/Systems",
                "@odata.type": "#ComputerSystemCollection."
                               "ComputerSystemCollection",
                "Name": "Computer System Collection",
                "Members@odata.count": len(sim.systems),
                "Members": [{"@odata.id": s.path} for s in sim.systems]}, {}
        if not sim.args.no_sessions and path.startswith(
                ROOT + "/SessionService"):
            return self.sessions(path, body)
        with sim.lock:
            s = sim.system(path)
            if s is not None:
                return self.system(s, body, how)
            for s in sim.systems:
                if path == s.path + "/Actions/ComputerSystem.Reset":
                    if m != "POST":
                        return self.not_allowed(path)
                    return self.reset(s, body)
        return redfish_error(404, "ResourceMissingAtURI", "The resource at "
                             "the URI %s was not found." % path, path) + ({},)

    def not_allowed(self, path):
        return redfish_error(405, "OperationNotAllowed", "The %s operation "
                             "is not allowed on %s." % (self.command, path)) \
            + ({"Allow": "GET"},)

    def service_root(self):
        r = {"@odata.id": ROOT + "/",
             "@odata.type": "#ServiceRoot.v1_11_0.ServiceRoot",
             "Id": "RootService", "Name": "Root Service",
             "RedfishVersion": "1.11.0",
             "UUID": "92384634-2938-2342-8820-489239905423",
             "Systems": {"@odata.id": ROOT + "/Systems"},
             "Links": {}}
        if not self.sim.args.no_sessions:
            r["SessionService"] = {"@odata.id": ROOT + "/SessionService"}
            r["Links"]["Sessions"] = {
                "@odata.id": ROOT + "/SessionService/Sessions"}
        return r

    def sessions(self, path, body):
        sim, m = self.sim, self.command
        coll = ROOT + "/SessionService/Sessions"
        if path == ROOT + "/SessionService" and m == "GET":
            return 200, {"@odata.id": ROOT + "/SessionService",
                         "@odata.type": "#SessionService.v1_1_8."
                                        "SessionService",
                         "Id": "SessionService", "Name": "Session Service",
                         "ServiceEnabled": True, "SessionTimeout": 600,
                         "Sessions": {"@odata.id": coll}}, {}
        if path == coll and m == "GET":
            with sim.lock:
                ids = sorted(sim.sessions)
            return 200, {"@odata.id": coll,
                         "@odata.type": "#SessionCollection."
                                        "SessionCollection",
                         "Name": "Session Collection",
                         "Members@odata.count": len(ids),
                         "Members": [{"@odata.id": coll + "/" + i}
                                     for i in ids]}, {}
        if path == coll and m == "POST":
            if not isinstance(body, dict) or "UserName" not in body or \
                    "Password" not in body:
                return redfish_error(400, "PropertyMissing", "The property "
                                     "UserName or Password is a required "
                                     "property and must be included in the "
                                     "request.") + ({},)
            if body["UserName"] != sim.args.user or not \
                    secrets.compare_digest(str(body["Password"]),
                                           sim.args.password):
                sim.log("auth_failed", how="session",
                        user=str(body["UserName"]), path=path)
                return redfish_error(401, "NoValidSession", "There is no "
                                     "valid session established with the "
                                     "implementation.") + ({},)
            sid, tok = secrets.token_hex(8), secrets.token_hex(16)
            with sim.lock:
                sim.sessions[sid] = tok
                sim.write_state()
            sim.log("session_created", id=sid, user=body["UserName"])
            loc = coll + "/" + sid
            return 201, {"@odata.id": loc,
                         "@odata.type": "#Session.v1_3_0.Session",
                         "Id": sid, "Name": "User Session",
                         "UserName": body["UserName"]}, {
                "X-Auth-Token": tok, "Location": loc}
        if path.startswith(coll + "/"):
            sid = path[len(coll) + 1:]
            with sim.lock:
                known = sid in sim.sessions
                if known and m == "DELETE":
                    del sim.sessions[sid]
                    sim.write_state()
            if not known:
                return redfish_error(404, "ResourceMissingAtURI", "The "
                                     "resource at the URI %s was not "
                                     "found." % path, path) + ({},)
            if m == "DELETE":
                sim.log("session_deleted", id=sid)
                return 204, None, {}
            if m == "GET":
                return 200, {"@odata.id": path,
                             "@odata.type": "#Session.v1_3_0.Session",
                             "Id": sid, "Name": "User Session",
                             "UserName": sim.args.user}, {}
        return self.not_allowed(path)

    def etag_headers(self, s):
        return {} if self.sim.args.no_etag else {"ETag": s.etag()}

    def system(self, s, body, how):
        sim, m = self.sim, self.command
        if m in ("GET", "HEAD"):
            out = (200, s.resource(not sim.args.no_etag),
                   self.etag_headers(s))
            if sim.races > 0:
                # someone else changes the system right after this GET:
                # the ETag the client just read is stale
                sim.races -= 1
                s.generation += 1
                sim.log("etag_race", system=s.path, etag=s.etag())
            return out
        if m != "PATCH":
            return self.not_allowed(s.path)
        im = self.headers.get("If-Match")
        if im is not None and im != "*" and not sim.args.no_etag and \
                im != s.etag():
            sim.log("patch_rejected", system=s.path, status=412,
                    if_match=im, etag=s.etag())
            return redfish_error(412, "PreconditionFailed", "The ETag "
                                 "supplied did not match the ETag required "
                                 "to change this resource.") + ({},)
        err = self.check_patch(body)
        if err is not None:
            sim.log("patch_rejected", system=s.path, status=400,
                    body=body, message=err[1]["error"][
                        "@Message.ExtendedInfo"][0]["Message"])
            return err + ({},)
        boot = body["Boot"]
        s.enabled = boot.get("BootSourceOverrideEnabled", s.enabled)
        s.target = boot.get("BootSourceOverrideTarget", s.target)
        s.mode = boot.get("BootSourceOverrideMode", s.mode)
        s.generation += 1
        sim.write_state()
        sim.log("patch", system=s.path, body=body, if_match=im, auth=how)
        return 200, s.resource(not sim.args.no_etag), self.etag_headers(s)

    def check_patch(self, body):
        """A 400 error for a PATCH the system does not take, or None."""
        if not isinstance(body, dict) or not body:
            return redfish_error(400, "MalformedJSON", "The request body "
                                 "submitted was malformed JSON and could "
                                 "not be parsed by the receiving service.")
        for k in body:
            if k != "Boot":
                return redfish_error(400, "PropertyNotWritable", "The "
                                     "property %s is a read only property "
                                     "and cannot be assigned a value." % k, k)
        if not isinstance(body["Boot"], dict):
            return redfish_error(400, "PropertyValueTypeError", "The value "
                                 "for the property Boot is of a different "
                                 "type than the property can accept.",
                                 "Boot")
        allowed = {"BootSourceOverrideEnabled": ENABLED,
                   "BootSourceOverrideTarget": self.sim.systems[0].targets,
                   "BootSourceOverrideMode": MODES}
        for k, v in body["Boot"].items():
            if k not in allowed:
                return redfish_error(400, "PropertyUnknown", "The property "
                                     "%s is not in the list of valid "
                                     "properties for the resource." % k, k)
            if v not in allowed[k]:
                return redfish_error(400, "PropertyValueNotInList", "The "
                                     "value %s for the property %s is not in "
                                     "the list of acceptable values." %
                                     (json.dumps(v), k), v, k)
        return None

    def reset(self, s, body):
        sim = self.sim
        rt = body.get("ResetType") if isinstance(body, dict) else None
        if rt is None:
            return redfish_error(400, "ActionParameterMissing", "The action "
                                 "ComputerSystem.Reset requires the "
                                 "parameter ResetType to be present in the "
                                 "request body.", "ComputerSystem.Reset",
                                 "ResetType") + ({},)
        if rt not in s.reset_types:
            return redfish_error(400, "ActionParameterNotSupported", "The "
                                 "parameter %s for the action "
                                 "ComputerSystem.Reset is not supported on "
                                 "the target resource." % rt, rt,
                                 "ComputerSystem.Reset") + ({},)
        if sim.args.reset_fails:
            sim.log("reset_failed", system=s.path, reset_type=rt)
            return redfish_error(500, "InternalError", "The request failed "
                                 "due to an internal service error.  The "
                                 "service is still operational.") + ({},)
        sim.reset(s, rt)
        sim.write_state()
        return 204, None, {}


# ---------------------------------------------------------------------------
# start-up


def make_cert(d, addr):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    san = "subjectAltName=DNS:localhost,IP:127.0.0.1"
    if addr not in ("127.0.0.1", "localhost", "0.0.0.0"):
        san += ",IP:" + addr
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=redfishsim", "-addext", san],
                   check=True, capture_output=True)
    with open(cert) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    h = hashlib.sha256(der).hexdigest().upper()
    return cert, key, ":".join(h[i:i + 2] for i in range(0, 64, 2))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client that refused our certificate (or went away) is logged,
        # not printed as a traceback
        e = sys.exc_info()[1]
        Handler.sim.log("connection_error", client="%s:%d" % client_address,
                        error=str(e))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default=None,
                    help="default: the first line of STATE_DIR/password")
    ap.add_argument("--systems", type=int, default=1)
    ap.add_argument("--power", choices=("On", "Off"), default="On")
    ap.add_argument("--reset-types", default="",
                    help="ResetType@Redfish.AllowableValues, comma-separated")
    ap.add_argument("--targets", default="",
                    help="BootSourceOverrideTarget@Redfish.AllowableValues, "
                    "comma-separated")
    ap.add_argument("--etag-race", type=int, default=0,
                    help="the first N GETs of a system are overtaken by "
                    "a change (their ETag is stale at once)")
    ap.add_argument("--no-sessions", action="store_true")
    ap.add_argument("--no-etag", action="store_true")
    ap.add_argument("--hang", type=float, default=0)
    ap.add_argument("--reset-fails", action="store_true")
    ap.add_argument("--boot-command", nargs=argparse.REMAINDER, default=None)
    args = ap.parse_args(argv)
    os.makedirs(args.state_dir, exist_ok=True)
    if args.password is None:
        with open(os.path.join(args.state_dir, "password")) as f:
            args.password = f.readline().rstrip("\r\n")
    cert, key, fp = make_cert(args.state_dir, args.addr)
    sim = Sim(args)
    Handler.sim = sim
    httpd = Server((args.addr, args.port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    # the handshake in the request's thread, not in accept()
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True,
                                   do_handshake_on_connect=False)
    port = httpd.server_address[1]
    with open(os.path.join(args.state_dir, "ready.tmp"), "w") as f:
        json.dump({"port": port, "fingerprint": fp, "cert": cert,
                   "pid": os.getpid()}, f)
    os.replace(os.path.join(args.state_dir, "ready.tmp"),
               os.path.join(args.state_dir, "ready"))
    sim.log("start", port=port, systems=args.systems, power=args.power)
    print("port=%d\nfingerprint=%s\nready" % (port, fp), flush=True)

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        httpd.serve_forever(poll_interval=0.1)
    finally:
        sim.shutdown()
        sim.log("stop")
    return 0


# ---------------------------------------------------------------------------
# for Python tests


class RedfishSim:
    """Runs redfishsim.py in the background.

        bmc = RedfishSim(tmpdir, systems=1, power="On").start()
        bmc.address, bmc.user, bmc.password_file, bmc.cert, bmc.fingerprint
        bmc.events("patch"); bmc.state()["systems"][0]["enabled"]
        bmc.stop()
    """

    def __init__(self, state_dir, user="admin", password="Rf-Sim.4711",
                 systems=1, power="On", args=(), boot_command=None):
        self.dir = os.path.abspath(state_dir)
        self.user, self.password = user, password
        self.password_file = os.path.join(self.dir, "password")
        self.argv = ["--systems", str(systems), "--power", power,
                     "--user", user] + list(args)
        if boot_command:
            self.argv += ["--boot-command"] + list(boot_command)
        self.proc = None
        self.port = self.fingerprint = self.cert = self.address = None

    def start(self, timeout=30):
        os.makedirs(self.dir, exist_ok=True)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT |
                     os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password + "\n")
        ready = os.path.join(self.dir, "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        with open(os.path.join(self.dir, "stderr"), "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--state-dir",
                 self.dir] + self.argv, stdout=subprocess.DEVNULL,
                stderr=err)
        deadline = time.time() + timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("redfishsim did not start: " +
                                   open(os.path.join(self.dir,
                                                     "stderr")).read())
            time.sleep(0.02)
        with open(ready) as f:
            r = json.load(f)
        self.port, self.fingerprint, self.cert = \
            r["port"], r["fingerprint"], r["cert"]
        self.address = "127.0.0.1:%d" % self.port
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def events(self, kind=None):
        try:
            with open(os.path.join(self.dir, "log.jsonl")) as f:
                evs = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []
        return [e for e in evs if kind is None or e["event"] == kind]

    def state(self):
        with open(os.path.join(self.dir, "state.json")) as f:
            return json.load(f)


if __name__ == "__main__":
    sys.exit(main())
