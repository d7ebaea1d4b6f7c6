# demo-lib.sh — what scripts/demo.sh and scripts/demo-cluster.sh share,
# sourced by both (POSIX sh): their output helpers and the stand-ins for an
# unpacked ISO and a tftp-root. Needs PY (a python3) set first.

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
freeport() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# demo_repo DIR IMG_BYTES: DIR (with boot/ and Packages/ made) becomes an
# unpacked XCP-ng 8.2.1 ISO stand-in: its .treeinfo, random boot files
# (install.img of IMG_BYTES) and one package.
demo_repo() {
	cat >"$1/.treeinfo" <<'TI'
[platform]
name = XCP
version = 3.2.1
[branding]
name = XCP-ng
version = 8.2.1
[build]
number = release/yangtze/demo
TI
	head -c 65536 /dev/urandom >"$1/boot/xen.gz"
	head -c 131072 /dev/urandom >"$1/boot/vmlinuz"
	head -c "$2" /dev/urandom >"$1/install.img"
	echo "demo package" >"$1/Packages/demo-1.0.rpm"
}

# demo_tftp_root DIR: syslinux's BIOS boot files from the Debian packages.
demo_tftp_root() {
	cp /usr/lib/PXELINUX/lpxelinux.0 /usr/lib/PXELINUX/pxelinux.0 "$1/"
	for f in ldlinux.c32 mboot.c32 libcom32.c32; do
		cp "/usr/lib/syslinux/modules/bios/$f" "$1/"
	done
}
