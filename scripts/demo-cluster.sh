#!/bin/sh
# make demo-cluster: poolboot scaled out (docs/scale-out.md), end to end,
# with nothing but this checkout and Debian's postgresql:
#
#   - a throw-away PostgreSQL cluster (initdb/pg_ctl, unix socket only),
#     the one database every instance shares;
#   - two sites, east and west, each with a simulated 3-host pool
#     (tests/xapisim: one simulator serves both pools) and its active
#     poolboot instance; a standby instance for east;
#   - a rolling upgrade started on each site's pool;
#   - east's active instance killed with kill -9 while its first host is
#     installing; the standby takes the site's lease and finishes the run;
#   - the end state checked: both runs done, every host on the new
#     version, each host rebooted exactly once (the simulator's log).
#
# Exit status 0 when the end state is right, 1 otherwise. Everything lives
# in demo-cluster/ (the database too, when the postgres user can reach it;
# else in a folder under /tmp); the database cluster is stopped and removed
# at the end, on error and on Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
BIN=${POOLBOOT_BIN:-$(pwd)/poolboot}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
D=$(pwd)/demo-cluster
LEASE=5         # [store] lease_seconds: the standby takes over within ~L+1 s
T0=$(date +%s)

. scripts/demo-lib.sh
ms() { echo $(($(date +%s%N) / 1000000)); }
die() { printf '\n\033[1;31mdemo-cluster FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

# ---- cleanup: every process this script started, then the database -------
PIDS=""
PGBIN=""
PGDIR=""
AS_PG=""
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
		$AS_PG "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop \
		    >/dev/null 2>&1 || true
	fi
	[ -n "$PGDIR" ] && rm -rf "$PGDIR"
	[ "$rc" -eq 0 ] || echo "demo-cluster: logs in $D (*.log)" >&2
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "demo-cluster: interrupted" >&2; exit 130' INT TERM

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.2 s until it succeeds
wait_for() {
	n=$(($1 * 5))
	what=$2
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "timed out waiting for $what"
		sleep 0.2
	done
}

rm -rf "$D"
mkdir -p "$D/repo/boot" "$D/repo/Packages" "$D/tftp-root/pxelinux.cfg" \
    "$D/east-a" "$D/east-b" "$D/west"

step "A throw-away PostgreSQL cluster: initdb and pg_ctl, unix socket only"
for b in /usr/lib/postgresql/*/bin; do
	PGBIN=$b      # the newest installed: the glob sorts 15 before 16
done
[ -x "$PGBIN/initdb" ] || die "no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql (or make demo-cluster, which installs it)"
PGPORT=$(freeport)
if [ "$(id -u)" -eq 0 ]; then
	# PostgreSQL refuses to run as root: its files belong to postgres
	AS_PG="runuser -u postgres --"
fi
# demo-cluster/pg, unless the postgres user cannot reach it (a checkout
# under /root) or the socket's path would be too long for a unix socket
PGDIR=$D/pg
mkdir -p "$PGDIR"
[ -n "$AS_PG" ] && chown postgres: "$PGDIR"
if [ ${#PGDIR} -gt 80 ] || ! $AS_PG test -w "$PGDIR"; then
	rm -rf "$PGDIR"
	PGDIR=$(mktemp -d /tmp/poolboot-demo-pg.XXXXXX)
	[ -n "$AS_PG" ] && chown postgres: "$PGDIR"
fi
run $AS_PG "$PGBIN/initdb" -D "$PGDIR/data" --auth=trust -U poolboot \
    --no-sync >"$D/initdb.log" 2>&1 || { cat "$D/initdb.log"; die "initdb failed"; }
run $AS_PG "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgresql.log" -w \
    -o "-k $PGDIR -p $PGPORT -c listen_addresses='' -c fsync=off" start \
    >/dev/null || { cat "$PGDIR/postgresql.log"; die "pg_ctl start failed"; }
run "$PGBIN/createdb" -h "$PGDIR" -p "$PGPORT" -U poolboot poolboot
printf 'host=%s port=%s dbname=poolboot user=poolboot\n' "$PGDIR" "$PGPORT" \
    >"$D/store.conninfo"
chmod 600 "$D/store.conninfo"
echo "PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') on the socket in $PGDIR, port $PGPORT; conninfo: $(cat "$D/store.conninfo")"

step "A repo (an XCP-ng 8.2.1 ISO stand-in) and one tftp-root for the simulated hosts"
demo_repo "$D/repo" 1048576
demo_tftp_root "$D/tftp-root"
echo "repo: $D/repo (XCP-ng 8.2.1); tftp-root: $D/tftp-root"

EPORT=$(freeport); EAPORT=$(freeport); WPORT=$(freeport); WAPORT=$(freeport)
XPORT=$(freeport); CPORT=$(freeport)
ENET=127.0.$((100 + $$ % 100))
WNET=127.0.$((200 + $$ % 50))
printf 'secret\n' >"$D/pool.pw"
chmod 600 "$D/pool.pw"

step "Two simulated pools on XCP-ng 8.2.0: 'east1' (site east) and 'west1' (site west)"
hosts_json() {    # POOL NET INSTALL_DELAY
	cat <<SPEC
  {"name": "$1", "username": "root", "password": "secret",
   "install_delay": $3, "reboot_delay": 0.5, "shutdown_delay": 0.3,
   "evacuate_delay": 0.2,
   "hosts": [
     {"name": "${1}h1", "address": "$2.1", "mac": "52:54:00:$4:00:01",
      "product_version": "8.2.0", "memory_total_mib": 65536, "master": true},
     {"name": "${1}h2", "address": "$2.2", "mac": "52:54:00:$4:00:02",
      "product_version": "8.2.0", "memory_total_mib": 65536},
     {"name": "${1}h3", "address": "$2.3", "mac": "52:54:00:$4:00:03",
      "product_version": "8.2.0", "memory_total_mib": 65536}],
   "vms": [{"name": "${1}-web", "host": "${1}h1", "memory_mib": 4096},
           {"name": "${1}-db", "host": "${1}h2", "memory_mib": 8192}]}
SPEC
}
# east's installs take 8 s: long enough for the standby to take over
# (lease 5 s) while east's first host is still installing
{
	printf '{"tftp_root": "%s", "port": %s, "control_port": %s, "pools": [\n' \
	    "$D/tftp-root" "$XPORT" "$CPORT"
	hosts_json east1 "$ENET" 8 e1
	printf ',\n'
	hosts_json west1 "$WNET" 2 f1
	printf ']}\n'
} >"$D/pools-sim.json"
$PY tests/xapisim/xapisim.py --spec "$D/pools-sim.json" >"$D/xapisim.log" 2>&1 &
SIM=$!
PIDS="$SIM"
wait_for 10 "the XAPI simulator" grep -q "xapisim ready" "$D/xapisim.log"
echo "east1: east1h1-3 on $ENET.1-3:$XPORT; west1: west1h1-3 on $WNET.1-3:$XPORT"

# one inventory for every instance; each instance's [server] differs
common_conf() {
	cat <<CONF

[store]
backend = postgres
conninfo_file = store.conninfo
lease_seconds = $LEASE

[repo xcpng821]
path = repo

[pool east1]
site = east
xapi = http://$ENET.1:$XPORT
username = root
password_file = pool.pw
repo = xcpng821
poll_interval_ms = 100

[pool west1]
site = west
xapi = http://$WNET.1:$XPORT
username = root
password_file = pool.pw
repo = xcpng821
poll_interval_ms = 100

[defaults]
disk = sda
CONF
	for p in east1:e1 west1:f1; do
		for i in 1 2 3; do
			printf '\n[host %sh%s]\npool = %s\nmac = 52:54:00:%s:00:0%s\n' \
			    "${p%%:*}" "$i" "${p%%:*}" "${p#*:}" "$i"
		done
	done
}
server_conf() {   # NAME SITE PORT APORT
	cat <<CONF
# poolboot demo-cluster: instance $1 of site $2
[server]
site = $2
listen = 127.0.0.1:$3
admin_listen = 127.0.0.1:$4
public_url = http://127.0.0.1:$3
state_dir = $1
tftp_root = tftp-root
boot_files = http
admin_token_file = admin.token
CONF
	common_conf
}
# east-a and east-b are one site: the same addresses (the standby binds
# them once it is active), one tftp-root; the admin token is shared too
server_conf east-a east "$EPORT" "$EAPORT" >"$D/east-a.conf"
server_conf east-b east "$EPORT" "$EAPORT" >"$D/east-b.conf"
server_conf west west "$WPORT" "$WAPORT" >"$D/west.conf"
$PY -c 'import secrets; print(secrets.token_hex(32))' >"$D/admin.token"
chmod 600 "$D/admin.token"
sed -n '1,/^\[repo/p' "$D/east-a.conf" | sed '$d'
echo "(east-b.conf: the same but state_dir = east-b; west.conf: site = west, 127.0.0.1:$WPORT)"
sed -n '/^\[pool east1/,/^\[defaults/p' "$D/east-a.conf" | sed '$d'

step "Three instances on the one database: east-a (active), east-b (standby), west (active)"
start_serve() {   # NAME
	"$BIN" serve -c "$D/$1.conf" >"$D/$1.log" 2>&1 &
	LAST=$!
	PIDS="$PIDS $LAST"
}
start_serve east-a
EAST_A=$LAST
wait_for 15 "east-a to take site:east" grep -q "site:east taken by this instance" "$D/east-a.log"
wait_for 15 "east-a's admin API" curl -s -o /dev/null "http://127.0.0.1:$EAPORT/"
start_serve east-b
wait_for 15 "east-b to stand by" grep -q "standing by: site:east" "$D/east-b.log"
start_serve west
wait_for 15 "west to take site:west" grep -q "site:west taken by this instance" "$D/west.log"
wait_for 15 "west's admin API" curl -s -o /dev/null "http://127.0.0.1:$WAPORT/"
for n in east-a east-b west; do
	printf '%-7s ' "$n:"
	grep -E "lease: (instance|standing by|site:.* taken)" "$D/$n.log" |
	    sed 's/^.*lease: //' | head -n 2 | paste -sd ';' | sed 's/;/; /'
done

step "Any instance shows every site: poolboot hosts, asked of west"
run "$BIN" hosts -c "$D/west.conf"

step "An upgrade on each site's pool, each started through its own site's instance"
run "$BIN" upgrade -c "$D/east-a.conf" east1
run "$BIN" upgrade -c "$D/west.conf" west1
START=$(date +%s)

# the simulator's log: did HOST fetch its answerfile (its installer runs)?
fetched_af() {
	curl -s "http://127.0.0.1:$CPORT/log" | $PY -c '
import json, sys
log = json.load(sys.stdin)
log = log["log"] if isinstance(log, dict) else log
sys.exit(0 if any(e.get("event") == "answerfile" and e.get("host") == sys.argv[1]
                  for e in log) else 1)' "$1"
}
step "Wait until east1h1's installer runs (it fetched its answerfile from east-a)"
wait_for 60 "east1h1's answerfile fetch" fetched_af east1h1
run "$BIN" status -c "$D/east-b.conf" east1

step "kill -9 east-a (the owner of east1's run) in the middle of east1h1's install"
run kill -9 "$EAST_A"
KILLED=$(ms)
wait "$EAST_A" 2>/dev/null || true
echo "east-a is gone; west goes on; east-b waits for site:east's lease to expire (lease_seconds = $LEASE)"

step "east-b takes over site:east and resumes east1's run at its persisted step"
wait_for $((LEASE + 15)) "east-b to take site:east" grep -q "site:east taken by this instance" "$D/east-b.log"
TOOK=$(ms)
wait_for 15 "east-b to resume east1's run" grep -q "pool east1: resuming run" "$D/east-b.log"
grep -E "lease: (standing by|site:east taken)|resuming run" "$D/east-b.log" |
    awk '!seen[$0]++' | head -n 4 | sed 's/^/  east-b.log: /'
printf 'site:east taken over %d.%d s after the kill (lease_seconds = %s)\n' \
    $(((TOOK - KILLED) / 1000)) $(((TOOK - KILLED) % 1000 / 100)) "$LEASE"

step "Mid-run, as east-b (now east's active instance) shows both sites"
run "$BIN" sites -c "$D/east-b.conf"
"$BIN" sites -c "$D/east-b.conf" --json | $PY -c '
import json, sys
by = {s["site"]: s for s in json.load(sys.stdin)["sites"]}
assert by["east"]["active"] and by["east"]["instance"].startswith("east/"), by
assert by["west"]["active"] and by["west"]["instance"].startswith("west/"), by' ||
    die "poolboot sites does not show east and west active"
run "$BIN" hosts -c "$D/east-b.conf"

# the latest run of POOL is no longer running (done, halted, failed...)
run_ended() {
	"$BIN" status -c "$D/west.conf" "$1" --json | $PY -c '
import json, sys
doc = json.load(sys.stdin)
runs = doc.get("pools", []) if isinstance(doc, dict) else doc
sys.exit(0 if runs and runs[0].get("state") not in (None, "running") else 1)'
}
step "Both runs to the end (east1 driven by east-b now, west1 by west)"
wait_for 120 "west1's run to end" run_ended west1
wait_for 120 "east1's run to end" run_ended east1
END=$(date +%s)
# shown whatever they say (status exits 1 for a halted run): judged below
run "$BIN" status -c "$D/east-b.conf" || true
run "$BIN" hosts -c "$D/east-b.conf" || true

step "Check the end state (the simulator's view and the runs in the database)"
"$BIN" status -c "$D/west.conf" --json >"$D/status.json" || true
curl -s "http://127.0.0.1:$CPORT/state" >"$D/sim-state.json"
curl -s "http://127.0.0.1:$CPORT/log" >"$D/sim-log.json"
if ! $PY - "$D" <<'PYEOF'
import collections, json, os, sys
d = sys.argv[1]
st = json.load(open(os.path.join(d, "sim-state.json")))
log = json.load(open(os.path.join(d, "sim-log.json")))
log = log["log"] if isinstance(log, dict) else log
doc = json.load(open(os.path.join(d, "status.json")))
runs = doc.get("pools", []) if isinstance(doc, dict) else doc
bad = []
for pool in ("east1", "west1"):
    r = [x for x in runs if pool in (x.get("pool"), x.get("name"))]
    state = r[0].get("state") if r else "none"
    print("  run of %-5s %s" % (pool, state))
    if state != "done":
        bad.append("%s's run is %s, not done" % (pool, state))
reboots, installs, fetches = (collections.Counter() for _ in range(3))
for e in log:
    h = e.get("host")
    if e.get("event") == "host_reboot":
        reboots[h] += 1
    elif e.get("event") == "answerfile":
        fetches[h] += 1
    elif e.get("event") == "script" and e.get("arg") == "0":
        installs[h] += 1
for h in sorted(st["hosts"], key=lambda h: h["name"]):
    n = h["name"]
    print("  %-8s %-6s version %s  live=%s enabled=%s  reboots=%d "
          "answerfiles=%d installs=%d" % (
              n, h["pool"], h["product_version"], h["live"], h["enabled"],
              reboots[n], fetches[n], installs[n]))
    if h["product_version"] != "8.2.1":
        bad.append("%s is on %s" % (n, h["product_version"]))
    if not (h["live"] and h["enabled"]):
        bad.append("%s is not live and enabled" % n)
    if (reboots[n], fetches[n], installs[n]) != (1, 1, 1):
        bad.append("%s: rebooted %d times, %d answerfiles, %d installs "
                   "(want 1 each)" % (n, reboots[n], fetches[n], installs[n]))
if bad:
    print("\n".join("  WRONG: " + b for b in bad))
    sys.exit(1)
print("  every host on 8.2.1, rebooted exactly once, both runs done")
PYEOF
then
	die "the end state is wrong"
fi
# each run driven by its own site's instances: east1 finished by east-b
# (after east-a's kill), west1 by west alone
who() { grep -c "coord: pool $2: " "$D/$1.log" || true; }
printf '  log lines about east1 / west1: east-a %s / %s, east-b %s / %s, west %s / %s\n' \
    "$(who east-a east1)" "$(who east-a west1)" "$(who east-b east1)" \
    "$(who east-b west1)" "$(who west east1)" "$(who west west1)"
grep -q "coord: pool east1: rolling upgrade to 8.2.1 finished" "$D/east-b.log" ||
    die "east-b did not finish east1's run"
[ "$(who east-a west1)$(who east-b west1)$(who west east1)" = 000 ] ||
    die "an instance acted on another site's pool"
echo "  east1's run finished by the standby east-b; west1's run by west alone"

echo
echo "demo-cluster OK: two sites upgraded 8.2.0 -> 8.2.1 in $((END - START)) s" \
    "on one PostgreSQL; east's owner killed, its standby finished the run" \
    "($((END - T0)) s in all; logs in $D)"
