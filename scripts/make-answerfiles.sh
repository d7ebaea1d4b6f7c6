#!/bin/sh
# make answerfiles: renders what a host of every mode receives into
# answerfiles/ (or the folder given as $1), from an example inventory, so
# that reviewers can read exactly what hosts are sent. The token is shown as
# TOKEN and the root password is a fixed example hash, so the output is
# stable; tests re-render into a temp folder and compare.
set -eu
cd "$(dirname "$0")/.."
BIN=${POOLBOOT_BIN:-./poolboot}
OUT=${1:-answerfiles}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/repo/boot" "$W/tftp" "$OUT"
printf '[branding]\nname = XCP-ng\nversion = 8.2.1\n' >"$W/repo/.treeinfo"
: >"$W/repo/boot/xen.gz"; : >"$W/repo/boot/vmlinuz"; : >"$W/repo/install.img"
printf 'example-xapi-password\n' >"$W/pool.pw"
# SHA-512 crypt of "example-password" with a fixed salt (openssl passwd -6)
printf '%s\n' '$6$poolbootexample$y46DkTF4An/mNieIPL3j3QAlMGmVVOJc/9ESevOYEVoyxQ0o9risMoKyXdJiYmSP4.VUhEdLy0OudXxENo2Qh0' >"$W/root.pw"
chmod 600 "$W/pool.pw" "$W/root.pw"
cat >"$W/example.conf" <<CONF
[server]
public_url = http://10.0.0.5:8080
state_dir = state
tftp_root = tftp
boot_files = http

[repo xcpng821]
path = repo

[pool rack1]
xapi = https://10.0.0.10
username = root
password_file = pool.pw
repo = xcpng821

[host upgrade-host]
pool = rack1
mac = 52:54:00:00:10:01
disk = sda
serial_console = com1,115200

[host fresh-host]
mode = fresh
repo = xcpng821
mac = 52:54:00:00:10:02
disk = nvme0n1
ip = 10.0.0.22/24
gateway = 10.0.0.1
dns = 10.0.0.2 10.0.0.3
hostname = fresh-host.example.com
ntp = 0.pool.ntp.org 1.pool.ntp.org
timezone = Europe/Berlin
keymap = de
root_password_file = root.pw

[host reinstall-host]
pool = rack1
mode = reinstall
mac = 52:54:00:00:10:03
disk = sda
hostname = reinstall-host.example.com
root_password_file = root.pw

[host restore-host]
pool = rack1
mode = restore
mac = 52:54:00:00:10:04
disk = sda
CONF
for mode in upgrade fresh reinstall restore; do
	"$BIN" render -c "$W/example.conf" "$mode-host" --answerfile >"$OUT/$mode.xml"
	"$BIN" render -c "$W/example.conf" "$mode-host" --pxelinux >"$OUT/$mode.pxelinux.cfg"
done
"$BIN" render -c "$W/example.conf" upgrade-host --script >"$OUT/installation-complete.sh"
sed -n '/^\[server\]/,$p' "$W/example.conf" >"$OUT/example.conf"
[ "$OUT" != answerfiles ] || echo "answerfiles: rendered $(ls "$OUT" | wc -l) files into $OUT/"
