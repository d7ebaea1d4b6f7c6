#!/usr/bin/env python3
"""The house rules of server/ (docs/architecture.md), checked from the source.

  python3 tests/lint/structure.py [--verbose]

Checks, printing one TAP line each:
  - no server/*.c file over FILE_MAX lines;
  - no function over FUNC_MAX lines (from the line with its name to its
    closing brace, the project's BSD style: name at column 0, braces at
    column 0);
  - every function of a file carries that file's prefix (PREFIXES);
  - no circle among the server/ modules' #include "..." (foo.c and foo.h
    are one module);
  - the layering rules of docs/architecture.md (LAYERS, FORBIDDEN,
    LIBRARY_ONLY):
    which module may include which library header or which other module
    (a module foo_bar counts as foo for LIBRARY_ONLY).
Exit status 1 when any check fails.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SERVER = os.path.join(ROOT, "server")
FILE_MAX = 1000
FUNC_MAX = 120

# The prefix every function of a module carries (default: "<module>_").
PREFIXES = {
    "xmlrpc": ("xr_",),
    "xmlrpc_parse": ("xr_",),	# xmlrpc.h's xr_parse_response, split out
    "main": ("main", "main_"),
    "job": ("job_", "jobs_"),
    # the hosts command itself (cli.h) and its helpers
    "cli_hosts": ("cli_hosts", "cli_hosts_"),
    # the sites command itself (cli.h) and its helpers
    "cli_sites": ("cli_sites", "cli_sites_"),
    # the token and audit commands themselves (cli_token.h, cli_audit.h)
    "cli_token": ("cli_token", "cli_token_"),
    "cli_audit": ("cli_audit", "cli_audit_"),
}

# (module, forbidden include, why)
FORBIDDEN = [
    ("http", "coord.h", "http.c learns nothing of the coordinator (notify.h wakes it)"),
    ("http", "job.h", "http.c learns nothing of jobs (notify.h wakes them)"),
    ("metrics", "coord.h", "metrics reads state names from state.h"),
    ("api", "http.h", "the API is independent of the HTTP server"),
    ("arm", "metrics.h", "arm announces callbacks through notify.h"),
]
# library headers allowed only in these modules
LIBRARY_ONLY = {
    # power_redfish: Redfish is JSON over HTTPS (the BMC's REST API)
    "jansson.h": {"api", "cli", "power_redfish"},
    "microhttpd.h": {"http"},
    # each database engine in its own file behind store_db_int.h
    "sqlite3.h": {"store_db_sqlite"},
    "libpq-fe.h": {"store_db_pg"},
    # power_redfish: the BMC's Redfish API over HTTPS, as xapi speaks XAPI
    # repo_fetch: a repo mirror's files over HTTP(S) (repo_mirror.h)
    "curl/curl.h": {"xapi", "client", "power_redfish", "repo_fetch"},
    "libxml/": {"render", "xmlrpc"},	# every libxml2 header
}

# The layers of docs/architecture.md, bottom first. A module may include
# modules of its own layer or of a lower one, never of a higher one. A name
# stands for the module and every module named after it plus "_" (config
# covers config_ini, config_mode, ...). A new module must be given a layer
# here and in docs/architecture.md.
LAYERS = [
    ("base", ["log", "sbuf", "strlist", "strmap", "util", "state", "notify", "proc"]),
    ("formats and state", ["config", "inventory", "store", "xmlrpc", "xapi",
                           "render", "render_grub", "tftp", "hostcert",
                           "tokens", "repo"]),
    ("domain", ["arm", "pool", "rules", "precheck", "power", "power_redfish",
                "coord", "job", "dnsmasq", "metrics", "recover",
                "audit", "reload", "lease", "site"]),
    ("surfaces", ["api", "http", "client", "cli", "serve"]),
    ("entry", ["main"]),
]

FUNC_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def modules():
    mods = {}
    for f in sorted(os.listdir(SERVER)):
        m, ext = os.path.splitext(f)
        if ext in (".c", ".h"):
            mods.setdefault(m, []).append(os.path.join(SERVER, f))
    return mods


def functions(path):
    """(name, first line, length) of each function definition in path."""
    with open(path, encoding="utf-8") as fp:
        lines = fp.read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = FUNC_RE.match(lines[i])
        if m and not lines[i].rstrip().endswith(";"):
            # the opening brace at column 0 before any ';' at column 0
            j = i
            while j < len(lines) and lines[j] != "{" and \
                    not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j] == "{":
                k = j + 1
                while k < len(lines) and lines[k] != "}":
                    k += 1
                out.append((m.group(1), i + 1, k - i + 1))
                i = k
        i += 1
    return out


def includes(path):
    local, system = [], []
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
            if m:
                (local if m.group(1) == '"' else system).append(m.group(2))
    return local, system


def layer_of(module):
    for i, (_, names) in enumerate(LAYERS):
        for n in names:
            if module == n or module.startswith(n + "_"):
                return i
    return None


def find_circles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv):
    verbose = "--verbose" in argv
    mods = modules()
    results = []

    def check(ok, name, details):
        results.append(ok)
        print("%s - structure: %s" % ("ok" if ok else "not ok", name))
        if not ok or verbose:
            for d in details:
                print("#   " + d)

    big = []
    for m, files in mods.items():
        for f in files:
            if f.endswith(".c"):
                n = sum(1 for _ in open(f, encoding="utf-8"))
                if n > FILE_MAX:
                    big.append("%s: %d lines" % (os.path.relpath(f, ROOT), n))
    check(not big, "no server/*.c file over %d lines" % FILE_MAX, big)

    long_fns, bad_prefix = [], []
    for m, files in mods.items():
        prefixes = PREFIXES.get(m, (m + "_",))
        for f in files:
            if not f.endswith(".c"):
                continue
            for name, line, length in functions(f):
                rel = "%s:%d" % (os.path.relpath(f, ROOT), line)
                if length > FUNC_MAX:
                    long_fns.append("%s: %s is %d lines" % (rel, name, length))
                if not any(name == p or name.startswith(p) for p in prefixes):
                    bad_prefix.append("%s: %s lacks the prefix %s" %
                                      (rel, name, " or ".join(prefixes)))
    check(not long_fns, "no function over %d lines" % FUNC_MAX, long_fns)
    check(not bad_prefix, "every function carries its file's prefix", bad_prefix)

    graph, problems = {}, []
    for m, files in mods.items():
        for f in files:
            local, system = includes(f)
            for inc in local:
                dep = os.path.splitext(inc)[0]
                if dep != m and dep in mods:
                    graph.setdefault(m, set()).add(dep)
                for (mod, bad, why) in FORBIDDEN:
                    if m == mod and inc == bad:
                        problems.append("%s includes %s: %s" %
                                        (os.path.relpath(f, ROOT), bad, why))
            for inc in system:
                allowed = LIBRARY_ONLY.get(inc)
                if allowed is None and inc.startswith("libxml/"):
                    allowed = LIBRARY_ONLY["libxml/"]
                if allowed is not None and m not in allowed and \
                        not any(m.startswith(a + "_") for a in allowed):
                    problems.append("%s includes <%s>, which only %s may" %
                                    (os.path.relpath(f, ROOT), inc,
                                     ", ".join(sorted(allowed))))
    for m in sorted(mods):
        lm = layer_of(m)
        if lm is None:
            problems.append("server/%s: in no layer (give it one in "
                            "tests/lint/structure.py and docs/architecture.md)" % m)
            continue
        for dep in sorted(graph.get(m, ())):
            ld = layer_of(dep)
            if ld is not None and ld > lm:
                problems.append("%s (%s) includes %s.h (%s): a lower layer "
                                "must not use a higher one" %
                                (m, LAYERS[lm][0], dep, LAYERS[ld][0]))
    circles = find_circles(graph)
    check(not circles, "no include circle among server/ modules",
          [" -> ".join(c) for c in circles])
    check(not problems, "layering (docs/architecture.md)", problems)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
