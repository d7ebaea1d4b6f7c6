#!/bin/sh
# tests/e2e/setup.sh — everything the end-to-end PXE tests need, idempotent.
#
#   sh tests/e2e/setup.sh [CACHE_DIR]        (as root; CACHE_DIR defaults to
#                                            $E2E_CACHE or build/e2e-cache)
#
# 1. Installs the Debian packages the tests run (only those missing; runs
#    apt-get update only then): QEMU with its iPXE ROMs, busybox-static,
#    dnsmasq, syslinux's pxelinux and modules, iproute2; for the UEFI
#    scenarios OVMF (the UEFI firmware QEMU boots) and GRUB's EFI modules
#    and grub-mkimage (poolboot init-tftp builds grub/grubx64.efi); for
#    `redfish` openssl (the Redfish simulator makes its certificate).
# 2. Downloads Debian's current kernel (the package linux-image-amd64 depends
#    on) and Xen 4.17 and unpacks them without running any package hook
#    (apt-get download + dpkg-deb -x), once: later runs reuse the cache.
# 3. Builds the installer stand-in, a busybox initramfs whose /init is
#    tests/e2e/installer/init (rebuilt when its sources change).
#
# Results: CACHE_DIR/boot/{xen.gz,vmlinuz,install.img,kernel-version}.
# Prints one line per step; exits non-zero with a message on any failure.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${1:-${E2E_CACHE:-$TOP/build/e2e-cache}}
XENPKG=${E2E_XEN_PACKAGE:-xen-hypervisor-4.17-amd64}
PKGS="qemu-system-x86 ipxe-qemu busybox-static dnsmasq-base pxelinux
syslinux-common iproute2 ovmf grub-efi-amd64-bin grub-common openssl"

say() { echo "e2e-setup: $*"; }
die() { echo "e2e-setup: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and builds device nodes)"

# --- 1. packages ----------------------------------------------------------
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

for f in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_VARS_4M.fd; do
	[ -f "$f" ] || die "$f missing (package ovmf)"
done

# --- 2. kernel and Xen, unpacked without hooks ------------------------------
mkdir -p "$CACHE/debs" "$CACHE/boot"
CACHE=$(cd "$CACHE" && pwd)
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
[ -n "$KPKG" ] || die "cannot tell which kernel package linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"
KVER=${KPKG#linux-image-}

fetch_deb() {	# package -> path of its .deb in the cache
	set -- "$1" "$(ls "$CACHE/debs/$1"_*.deb 2>/dev/null | head -n 1)"
	if [ -z "$2" ]; then
		say "downloading $1" >&2
		(cd "$CACHE/debs" && apt-get download -qq -o APT::Sandbox::User=root "$1" >/dev/null) ||
			die "apt-get download $1 failed"
		set -- "$1" "$(ls "$CACHE/debs/$1"_*.deb | head -n 1)"
	fi
	echo "$2"
}

unpack() {	# package dir [paths]: unpack once, no package scripts run
	# (a stamp marks a complete unpack); only paths (tar wildcards) if given
	pkg=$1
	dir=$2
	shift 2
	if [ ! -f "$dir/.unpacked" ]; then
		deb=$(fetch_deb "$pkg")
		say "unpacking $(basename "$deb")"
		rm -rf "$dir"
		mkdir -p "$dir"
		if [ $# -eq 0 ]; then
			dpkg-deb -x "$deb" "$dir"
		else
			dpkg-deb --fsys-tarfile "$deb" |
			    tar -x -C "$dir" --wildcards "$@" ||
				die "cannot unpack $* from $deb"
		fi
		touch "$dir/.unpacked"
	fi
}

# the kernel and the NIC drivers only (the whole package is ~400 MB)
unpack "$KPKG" "$CACHE/kernel-$KVER" "./boot/vmlinuz-$KVER" \
    "./lib/modules/$KVER/kernel/drivers/net/ethernet/intel/e1000/*" \
    "./lib/modules/$KVER/kernel/drivers/virtio/*" \
    "./lib/modules/$KVER/kernel/net/core/failover*" \
    "./lib/modules/$KVER/kernel/drivers/net/net_failover*" \
    "./lib/modules/$KVER/kernel/drivers/net/virtio_net*"
unpack "$XENPKG" "$CACHE/xen"
cp "$CACHE/kernel-$KVER/boot/vmlinuz-$KVER" "$CACHE/boot/vmlinuz"
XENGZ=$(ls "$CACHE"/xen/boot/xen-*.gz 2>/dev/null | head -n 1)
[ -n "$XENGZ" ] || die "no boot/xen-*.gz in $XENPKG"
cp "$XENGZ" "$CACHE/boot/xen.gz"
echo "$KVER" >"$CACHE/boot/kernel-version"

# --- 3. the installer stand-in (busybox initramfs) --------------------------
IMG=$CACHE/boot/install.img
stale=""
[ -f "$IMG" ] || stale=yes
for f in "$HERE/installer/init" "$HERE/installer/udhcpc.script" "$0" \
    /bin/busybox; do
	[ -n "$stale" ] || [ ! "$f" -nt "$IMG" ] || stale=yes
done
if [ -n "$stale" ]; then
	say "building the installer stand-in (kernel $KVER)"
	ST=$(mktemp -d)
	trap 'rm -rf "$ST"' EXIT
	mkdir -p "$ST/bin" "$ST/dev" "$ST/proc" "$ST/sys" "$ST/tmp" \
	    "$ST/etc/udhcpc" "$ST/lib/modules"
	cp /bin/busybox "$ST/bin/busybox"
	ln -s busybox "$ST/bin/sh"
	# the kernel opens /dev/console for init before anything is mounted
	mknod -m 600 "$ST/dev/console" c 5 1
	install -m 755 "$HERE/installer/init" "$ST/init"
	install -m 755 "$HERE/installer/udhcpc.script" \
	    "$ST/etc/udhcpc/default.script"
	# NIC drivers are modules in Debian's kernel and the unpacked package
	# has no modules.dep: copy them flat, /init loads them in this order.
	MODS=$CACHE/kernel-$KVER/lib/modules/$KVER/kernel
	: >"$ST/lib/modules/order"
	# virtio_ring before virtio: virtio.ko uses virtio_break_device
	for ko in drivers/net/ethernet/intel/e1000/e1000.ko \
	    drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko \
	    drivers/virtio/virtio_pci_legacy_dev.ko \
	    drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko \
	    net/core/failover.ko drivers/net/net_failover.ko \
	    drivers/net/virtio_net.ko; do
		name=$(basename "$ko")
		if [ -f "$MODS/$ko" ]; then
			cp "$MODS/$ko" "$ST/lib/modules/$name"
		elif [ -f "$MODS/$ko.xz" ]; then
			xz -dc "$MODS/$ko.xz" >"$ST/lib/modules/$name"
		elif [ -f "$MODS/$ko.zst" ]; then
			zstd -qdc "$MODS/$ko.zst" >"$ST/lib/modules/$name"
		else
			# built in, or gone from this kernel: say so, go on
			say "note: no module $ko in kernel $KVER"
			continue
		fi
		echo "$name" >>"$ST/lib/modules/order"
	done
	grep -q '^e1000.ko$' "$ST/lib/modules/order" ||
		die "kernel $KVER has no e1000 module: the tests' NIC would not work"
	(cd "$ST" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null |
	    gzip -9) >"$IMG.tmp"
	mv "$IMG.tmp" "$IMG"
fi
say "ready in $CACHE/boot: kernel $KVER, $(basename "$XENGZ"), install.img $(wc -c <"$IMG") bytes"
