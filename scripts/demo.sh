#!/bin/sh
# make demo: a whole rolling upgrade of a simulated 3-host XCP-ng pool, end
# to end, on embedded defaults, with nothing but this checkout.
#
# The pool is tests/xapisim (a XAPI simulator speaking XAPI's XML-RPC; each
# host on its own loopback address). Each simulated host that poolboot
# reboots "PXE-boots" exactly as a real one would: it reads its
# tftp-root/pxelinux.cfg/01-<mac>, fetches the answerfile= URL from poolboot,
# checks it, downloads the installation-complete script and runs it, which
# calls back into poolboot; then it comes back on the repo's version.
set -eu
cd "$(dirname "$0")/.."
BIN=${POOLBOOT_BIN:-./poolboot}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
D=$(pwd)/demo
rm -rf "$D"
mkdir -p "$D/repo/boot" "$D/repo/Packages" "$D/tftp-root/pxelinux.cfg" "$D/state"

. scripts/demo-lib.sh

step "A repo: an unpacked XCP-ng 8.2.1 ISO stand-in, and a tftp-root from the syslinux packages"
demo_repo "$D/repo" 4194304
demo_tftp_root "$D/tftp-root"
ls "$D/tftp-root"

PORT=$(freeport); APORT=$(freeport); XPORT=$(freeport); CPORT=$(freeport)
NET=127.0.$((100 + $$ % 100))
printf 'secret\n' >"$D/pool.pw"
chmod 600 "$D/pool.pw"

step "A simulated pool 'rack1': 3 hosts on XCP-ng 8.2.0 with running VMs"
cat >"$D/pool-sim.json" <<SPEC
{"tftp_root": "$D/tftp-root", "port": $XPORT, "control_port": $CPORT,
 "pools": [{"name": "rack1", "username": "root", "password": "secret",
   "install_delay": 2.0, "reboot_delay": 0.5, "shutdown_delay": 0.3,
   "evacuate_delay": 0.2,
   "hosts": [
     {"name": "xen01", "address": "$NET.1", "mac": "52:54:00:12:34:01",
      "product_version": "8.2.0", "memory_total_mib": 65536, "master": true},
     {"name": "xen02", "address": "$NET.2", "mac": "52:54:00:12:34:02",
      "product_version": "8.2.0", "memory_total_mib": 65536},
     {"name": "xen03", "address": "$NET.3", "mac": "52:54:00:12:34:03",
      "product_version": "8.2.0", "memory_total_mib": 65536}],
   "vms": [{"name": "web1", "host": "xen01", "memory_mib": 4096},
           {"name": "web2", "host": "xen02", "memory_mib": 4096},
           {"name": "db", "host": "xen03", "memory_mib": 8192},
           {"name": "ci", "host": "xen01", "memory_mib": 2048}]}]}
SPEC
$PY tests/xapisim/xapisim.py --spec "$D/pool-sim.json" >"$D/xapisim.log" 2>&1 &
SIM=$!
cat >"$D/poolboot.conf" <<CONF
# poolboot demo: one pool of three hosts, upgraded to the repo's version
[server]
listen = 127.0.0.1:$PORT        ; the install network: /hosts and /repo
admin_listen = 127.0.0.1:$APORT ; the admin API, /metrics and the dashboard
public_url = http://127.0.0.1:$PORT
state_dir = state
tftp_root = tftp-root
boot_files = http

[repo xcpng821]
path = repo

[pool rack1]
xapi = http://$NET.2:$XPORT      ; a member: poolboot follows HOST_IS_SLAVE to the master
username = root
password_file = pool.pw
repo = xcpng821
poll_interval_ms = 100

[defaults]
pool = rack1
disk = sda

[host xen01]
mac = 52:54:00:12:34:01

[host xen02]
mac = 52:54:00:12:34:02

[host xen03]
mac = 52:54:00:12:34:03
CONF
sed -n '/^\[pool/,$p' "$D/poolboot.conf"

step "Start poolboot serve (log: demo/serve.log)"
"$BIN" serve -c "$D/poolboot.conf" >"$D/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID $SIM 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q "xapisim ready" "$D/xapisim.log" && curl -s -o /dev/null "http://127.0.0.1:$APORT/"; do
	i=$((i + 1))
	if [ $i -ge 100 ]; then cat "$D/xapisim.log" "$D/serve.log"; exit 1; fi
	sleep 0.1
done
echo "poolboot serve is up on 127.0.0.1:$PORT (API and dashboard on 127.0.0.1:$APORT); the pool's XAPI on $NET.1-3:$XPORT"

step "poolboot check and precheck (nothing changes)"
run "$BIN" check -c "$D/poolboot.conf"
run "$BIN" precheck -c "$D/poolboot.conf" rack1

step "The rolling upgrade, master first, one host offline at a time (live progress)"
START=$(date +%s)
run "$BIN" upgrade -c "$D/poolboot.conf" rack1 --follow
END=$(date +%s)

step "What the pool says now (the simulator's view)"
$PY - "$CPORT" <<'PYEOF'
import json, sys, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
st = json.load(urllib.request.urlopen(base + "/state"))
for h in sorted(st["hosts"], key=lambda h: h["name"]):
    print("  %-6s %-7s version %s  live=%s enabled=%s VMs=%s" % (
        h["name"], "master" if h.get("master") else "member",
        h["product_version"], h["live"], h["enabled"],
        ",".join(h.get("resident_vms", [])) or "-"))
log = json.load(urllib.request.urlopen(base + "/log"))
entries = log["log"] if isinstance(log, dict) else log
print("  boots through poolboot, in order:")
for e in entries:
    if e.get("event") == "answerfile":
        print("    %-6s fetched its answerfile: mode=%s existing-installation=%s"
              % (e["host"], e.get("mode"), e.get("existing_installation")))
    if e.get("event") == "script":
        print("    %-6s ran the installation-complete script with %s"
              % (e["host"], e.get("arg")))
PYEOF
printf '\nper-MAC files are back at local boot:\n'
grep -l "localboot" "$D"/tftp-root/pxelinux.cfg/01-* | sed 's|.*/|  |'

kill $SPID $SIM 2>/dev/null || true
wait $SPID 2>/dev/null || true
trap - EXIT INT TERM
echo
echo "demo OK: 3 hosts upgraded 8.2.0 -> 8.2.1 in $((END - START)) s; files in $D"
