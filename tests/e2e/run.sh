#!/bin/sh
# tests/e2e/run.sh [BUILD_DIR] [SCENARIO...] — the end-to-end PXE tests.
#
# Runs tests/e2e/setup.sh (packages, kernel, Xen, installer stand-in;
# idempotent, fast when everything is there), then tests/e2e/e2e.py
# against BUILD_DIR/poolboot (default build). Prints TAP lines and ends
# with "N passed, N failed". Without root or /dev/net/tun, or with
# POOLBOOT_E2E=skip, every scenario is reported as "ok N - ... # SKIP why".
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=build
if [ $# -gt 0 ]; then
	BUILD=$1
	shift
fi
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip_all() {
	n=0
	$PY tests/e2e/e2e.py --list | while read -r name title; do
		n=$((n + 1))
		echo "ok $n - e2e $name: $title # SKIP $1"
	done
	echo "0 passed, 0 failed"
	exit 0
}

[ "${POOLBOOT_E2E:-}" = skip ] && skip_all "POOLBOOT_E2E=skip"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespace, tap device, packages)"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun (tap device for QEMU)"
command -v ip >/dev/null 2>&1 && ip netns list >/dev/null 2>&1 ||
	echo "# e2e: 'ip netns' not usable yet; setup.sh installs iproute2"

t0=$(date +%s)
if ! sh tests/e2e/setup.sh; then
	echo "not ok 1 - e2e setup (tests/e2e/setup.sh failed)"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "# e2e setup: $(($(date +%s) - t0)) s"
ip netns add pbe2e-probe$$ 2>/dev/null && ip netns del pbe2e-probe$$ ||
	skip_all "cannot create a network namespace here"
POOLBOOT_BIN="$BUILD/poolboot" exec $PY tests/e2e/e2e.py "$@"
