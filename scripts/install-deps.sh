#!/bin/sh
# Installs what building and testing poolboot needs on Debian 12, when it
# is missing. Idempotent: does nothing when everything is there. Needs root
# (or sudo) only when something must be installed.
set -eu

PKGS="build-essential pkg-config libmicrohttpd-dev libxml2-dev
libcurl4-openssl-dev libsqlite3-dev libjansson-dev libinih-dev libcmocka-dev
libssl-dev libcrypt-dev curl python3 valgrind sqlite3 openssl
python3-os-xenapi pxelinux syslinux-common dnsmasq-base iproute2 openipmi
ipmitool qemu-system-x86 ipxe-qemu busybox-static man-db groff-base"

# UEFI network boot (issue 12): GRUB's EFI modules and grub-mkimage for
# init-tftp, OVMF for the UEFI boots in QEMU, shim and the signed GRUB for
# Secure Boot; redfishtool checks the Redfish BMC simulator
PKGS="$PKGS grub-efi-amd64-bin grub-common ovmf shim-signed
grub-efi-amd64-signed redfishtool"

# the libFuzzer harnesses (tests/fuzz, make fuzz): clang and its runtime
# libraries (libclang_rt.fuzzer, ASan, UBSan)
PKGS="$PKGS clang-14 libclang-rt-14-dev"

# the dashboard's browser test: Debian's chromium driven by playwright-core
# (Debian 12's nodejs is 18, too old for playwright-core: only when no npm)
PKGS="$PKGS chromium"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: these packages are missing and I am not root:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
