#!/bin/sh
# Installs what `make bench` needs besides the build dependencies, when it
# is missing (Debian 12): wrk (load generator), nginx (the reference
# server; the script starts its own instance on loopback, never the
# system service), hyperfine (command timing), and for the tftp section
# iproute2 (network namespaces), dnsmasq-base (the TFTP server) and curl
# (the TFTP and HTTP client). Idempotent; needs root
# (or sudo) only when something must be installed.
set -eu

PKGS="wrk nginx hyperfine python3 iproute2 dnsmasq-base curl"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "bench deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "bench deps: these packages are missing and I am not root:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "bench deps: done"
