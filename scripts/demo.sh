#!/bin/sh
# make demo: a whole network-install round trip on embedded defaults, with
# nothing but this checkout. It builds a sample repo tree (a stand-in for an
# unpacked XCP-ng ISO) and an inventory under ./demo/, starts the real
# poolboot server on loopback, arms a pool member for an upgrade, fetches
# its pxelinux config, answerfile and installation-complete script exactly
# as the host would, runs that script the way the installer does, and shows
# the host back at local boot.
set -eu
cd "$(dirname "$0")/.."
BIN=${POOLBOOT_BIN:-./poolboot}
D=$(pwd)/demo
rm -rf "$D"
mkdir -p "$D/repo/boot" "$D/repo/Packages" "$D/tftp-root/pxelinux.cfg" "$D/state"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "A sample repo: an unpacked XCP-ng 8.2.1 ISO stand-in"
cat >"$D/repo/.treeinfo" <<'TI'
[platform]
name = XCP
version = 3.2.1
[branding]
name = XCP-ng
version = 8.2.1
[build]
number = release/yangtze/demo
TI
head -c 65536 /dev/urandom >"$D/repo/boot/xen.gz"
head -c 131072 /dev/urandom >"$D/repo/boot/vmlinuz"
head -c 4194304 /dev/urandom >"$D/repo/install.img"
echo "demo package" >"$D/repo/Packages/demo-1.0.rpm"
find "$D/repo" -type f | sed "s|$D/||" | sort

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'xapi-password\n' >"$D/pool.pw"
printf 'demo-root-password\n' >"$D/root.pw"
chmod 600 "$D/pool.pw" "$D/root.pw"
cat >"$D/poolboot.conf" <<CONF
# poolboot demo inventory: one pool of two hosts and a new host
[server]
listen = 127.0.0.1:$PORT
public_url = http://127.0.0.1:$PORT
state_dir = state
tftp_root = tftp-root
boot_files = http

[repo xcpng821]
path = repo

[pool rack1]
xapi = https://192.0.2.10
username = root
password_file = pool.pw
repo = xcpng821

[defaults]
timezone = Europe/Berlin
ntp = 0.pool.ntp.org 1.pool.ntp.org
serial_console = com1,115200

[host xen01]
pool = rack1
mac = 52:54:00:12:34:01
disk = sda

[host xen02]
pool = rack1
mac = 52:54:00:12:34:02
disk = sda

[host xen03-new]
mode = fresh
mac = 52:54:00:12:34:03
disk = nvme0n1
ip = 10.0.0.23/24
gateway = 10.0.0.1
dns = 10.0.0.2 10.0.0.3
hostname = xen03.example.com
root_password_file = root.pw
CONF
step "The inventory ($D/poolboot.conf)"
grep -v '^#' "$D/poolboot.conf" | sed -n '/\[pool/,$p'

step "poolboot check: configuration, inventory, repo, templates, tftp-root"
run "$BIN" check -c "$D/poolboot.conf" 2>&1 | grep -v '^note:' || true

step "Start the server (logs in $D/serve.log)"
"$BIN" serve -c "$D/poolboot.conf" >"$D/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT INT TERM
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$D/serve.log"; exit 1; }
	sleep 0.1
done
echo "poolboot serve is up on 127.0.0.1:$PORT (pid $SPID)"
run "$BIN" hosts -c "$D/poolboot.conf"

step "Arm xen01 for an upgrade (a pool member: mode upgrade, no --wipe needed)"
run "$BIN" arm -c "$D/poolboot.conf" xen01
PXE="$D/tftp-root/pxelinux.cfg/01-52-54-00-12-34-01"

step "What xen01's PXE boot reads: tftp-root/pxelinux.cfg/01-52-54-00-12-34-01"
cat "$PXE"
URL=$(sed -n 's/.*answerfile=\([^ ]*\).*/\1/p' "$PXE")

step "xen01's installer fetches its answerfile"
printf '$ curl %s\n' "$(echo "$URL" | sed 's|/hosts/xen01/[0-9a-f]*/|/hosts/xen01/<token>/|')"
curl -fsS "$URL" | tee "$D/answerfile.xml"
SCRIPT_URL=$(sed -n 's|.*<script[^>]*>\(.*\)</script>.*|\1|p' "$D/answerfile.xml")

step "A wrong token is refused; so is a fresh install for a host not marked for one"
printf 'wrong token: HTTP %s\n' "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PORT/hosts/xen01/0000000000000000000000000000000000000000/answerfile")"
"$BIN" arm -c "$D/poolboot.conf" xen03-new || echo "(refused as it should be: exit $?)"

step "The install finishes: the installer runs the installation-complete script with 0"
curl -fsS -o "$D/complete.sh" "$SCRIPT_URL"
head -n 3 "$D/complete.sh"
run sh "$D/complete.sh" 0

step "xen01 is back at local boot: a reboot never loops into a second install"
cat "$PXE"
printf 'the old token now: HTTP %s\n' "$(curl -s -o /dev/null -w '%{http_code}' "$URL")"
run "$BIN" hosts -c "$D/poolboot.conf"

step "Done. Server log (one line per request; tokens redacted):"
kill $SPID; wait $SPID 2>/dev/null || true
trap - EXIT INT TERM
tail -n 12 "$D/serve.log"
echo
echo "demo OK: everything is in $D (run it again with: make demo)"
