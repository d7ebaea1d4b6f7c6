#!/bin/sh
# poolboot filesystem-populated script for host {{host}}.
# The installer runs it once the new system is on disk, with that system's
# root mounted at $1. It fetches the XAPI key and certificate poolboot made
# for this install (the link works once) and installs them where XAPI reads
# its server certificate: /etc/xensource/xapi-ssl.pem, key then
# certificate, mode 0400, as xapi's own gencert writes it (gencert leaves an
# existing file alone). poolboot then checks that certificate before it
# sends the new host any password. The key is never printed: the installer
# keeps this script and its output in its logs.

root="$1"
url="{{hostcert_url}}"
if [ -z "$root" ] || [ ! -d "$root" ]; then
	echo "poolboot: no new root given" >&2
	exit 1
fi
dir="$root/etc/xensource"
pem="$dir/xapi-ssl.pem"
tmp="$dir/.xapi-ssl.pem.poolboot"
umask 077
mkdir -p "$dir" || exit 1
rm -f "$tmp"

# 0 fetched; 2 poolboot answered with an error (a wrong or used link:
# trying again cannot help); 1 no answer
fetch() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsS -m 60 -o "$tmp" "$url" >/dev/null 2>&1
		case $? in 0) return 0 ;; 22) return 2 ;; esac
	fi
	if command -v wget >/dev/null 2>&1; then
		tmo=""
		command -v timeout >/dev/null 2>&1 && tmo="timeout 60"
		$tmo wget -q -O "$tmp" "$url" >/dev/null 2>&1
		case $? in 0) return 0 ;; 8) return 2 ;; esac
	fi
	for py in python3 python; do
		command -v "$py" >/dev/null 2>&1 || continue
		"$py" -c '
import socket, sys
socket.setdefaulttimeout(60)
try:
    from urllib.request import urlopen
    from urllib.error import HTTPError
except ImportError:
    from urllib2 import urlopen, HTTPError
try:
    data = urlopen(sys.argv[1]).read()
except HTTPError:
    sys.exit(2)
open(sys.argv[2], "wb").write(data)
' "$url" "$tmp" >/dev/null 2>&1
		case $? in 0) return 0 ;; 2) return 2 ;; esac
	done
	return 1
}

# the link works once: a second try only helps when the first never
# reached poolboot (the network still coming up)
tries=0
while [ "$tries" -lt 3 ]; do
	fetch
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "PRIVATE KEY-----" "$tmp" &&
	    grep -q "BEGIN CERTIFICATE-----" "$tmp"; then
		chmod 0400 "$tmp" && mv -f "$tmp" "$pem" || break
		echo "poolboot: installed the XAPI certificate for {{host}}"
		exit 0
	fi
	rm -f "$tmp"
	[ "$rc" -eq 1 ] || break
	tries=$((tries + 1))
	sleep 5
done
rm -f "$tmp"
echo "poolboot: could not fetch the XAPI certificate for {{host}}" >&2
exit 1
