#!/bin/sh
# Installs the Debian 12 packages one use of poolboot needs, when missing:
#
#   sh scripts/install-deps.sh [PROFILE]          install what is missing
#   sh scripts/install-deps.sh --list [PROFILE]   print the packages, one a line
#
# PROFILE (default build):
#   build  compiling poolboot and running it: the compiler, pkg-config, the
#          -dev libraries, and the programs poolboot runs (dnsmasq, the
#          pxelinux files, GRUB's EFI modules and grub-mkimage for
#          init-tftp, ipmitool). What make and make install use.
#   demo   build, plus what make demo's simulator needs (python3, curl)
#   demo-cluster  demo, plus postgresql (make demo-cluster's database)
#   check  everything make check runs: unit tests (cmocka, valgrind),
#          integration tests (the XAPI, IPMI and Redfish simulators, the
#          UEFI probes, man pages), the fuzzers, the e2e boots, the
#          dashboard's browser test
#   e2e    build, plus the real network boots (make e2e): QEMU, OVMF, ...
#   bench  build, plus python3 (make bench; tests/bench/install-deps.sh
#          adds wrk, nginx and hyperfine)
#   fuzz   build, plus clang and its fuzzer/sanitizer runtimes (make fuzz)
#
# Idempotent: does nothing when everything is there (apt-get update runs
# only when something must be installed). Needs root, or sudo, only then.
# Not on Debian (no dpkg-query): prints the list and leaves it to you.
set -eu

# compiling: the compiler, pkg-config and the libraries' headers
BUILD_PKGS="build-essential pkg-config libmicrohttpd-dev libxml2-dev
libcurl4-openssl-dev libsqlite3-dev libpq-dev libjansson-dev libinih-dev libssl-dev
libcrypt-dev"

# running: what poolboot itself executes or serves: dnsmasq (DHCP/TFTP),
# pxelinux and its modules and GRUB's EFI modules with grub-mkimage
# (init-tftp), ipmitool (power = ipmi)
RUN_PKGS="dnsmasq-base pxelinux syslinux-common grub-efi-amd64-bin
grub-common ipmitool"

# unit and integration tests: cmocka and valgrind, the simulators (XAPI
# checked against the real XenAPI client, IPMI through OpenIPMI's
# ipmi_sim, Redfish checked with redfishtool), the store's CLI, the man
# pages rendered, network namespaces
TEST_PKGS="libcmocka-dev valgrind python3 python3-os-xenapi curl openssl
sqlite3 postgresql iproute2 openipmi redfishtool man-db groff-base"

# UEFI boots in QEMU (issue 12): OVMF. (Debian's shim-signed and
# grub-efi-amd64-signed are not installed: they cannot boot Xen, see
# docs/network.md "Secure Boot", and their scripts may run grub-install.)
UEFI_PKGS="ovmf"

# real network boots (tests/e2e): QEMU with its iPXE ROMs, OVMF, busybox
# for the installer stand-in, namespaces, curl inside them, openssl for the
# Redfish simulator's certificate
E2E_PKGS="python3 qemu-system-x86 ipxe-qemu ovmf busybox-static iproute2
curl openssl"

# the libFuzzer harnesses (tests/fuzz): clang and its runtime libraries
# (libclang_rt.fuzzer, ASan, UBSan)
FUZZ_PKGS="clang-14 libclang-rt-14-dev"

# the dashboard's browser test: Debian's chromium driven by playwright-core
# (Debian 12's nodejs is 18, too old for playwright-core: only when no npm)
WEB_PKGS="chromium"
command -v npm >/dev/null 2>&1 || WEB_PKGS="$WEB_PKGS nodejs npm"

usage() {
	echo "usage: sh scripts/install-deps.sh [--list] [build|demo|demo-cluster|check|e2e|bench|fuzz]" >&2
	exit 2
}

list=0
if [ "${1:-}" = "--list" ]; then
	list=1
	shift
fi
[ $# -le 1 ] || usage
profile=${1:-build}
case "$profile" in
build)	PKGS="$BUILD_PKGS $RUN_PKGS" ;;
demo)	PKGS="$BUILD_PKGS $RUN_PKGS python3 curl" ;;
demo-cluster)
	PKGS="$BUILD_PKGS $RUN_PKGS python3 curl postgresql" ;;
check)	PKGS="$BUILD_PKGS $RUN_PKGS $TEST_PKGS $UEFI_PKGS $E2E_PKGS
	    $FUZZ_PKGS $WEB_PKGS" ;;
e2e)	PKGS="$BUILD_PKGS $RUN_PKGS $E2E_PKGS" ;;
bench)	PKGS="$BUILD_PKGS $RUN_PKGS python3" ;;
fuzz)	PKGS="$BUILD_PKGS $RUN_PKGS $FUZZ_PKGS" ;;
*)	echo "deps: unknown profile \"$profile\"" >&2
	usage ;;
esac
# one a line, each once, in the order given (split on purpose)
# shellcheck disable=SC2086
PKGS=$(printf '%s\n' $PKGS | awk '!seen[$0]++')

if [ "$list" -eq 1 ]; then
	printf '%s\n' "$PKGS"
	exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	echo "deps: not Debian (no dpkg-query); poolboot's $profile needs:" $PKGS >&2
	exit 0
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps ($profile): these packages are missing and I am not root:$missing" >&2
		echo "deps: as root: sh scripts/install-deps.sh $profile" >&2
		exit 1
	fi
fi
echo "deps ($profile): installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
