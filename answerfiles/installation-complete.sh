#!/bin/sh
# poolboot installation-complete script for host upgrade-host (52:54:00:00:10:01).
# The installer runs it with one argument: 0 = success, 1 = failure.
# It reports the result to poolboot, which then switches the host back to
# local boot. It never fails the installation itself: it always exits 0.

case "$1" in
0) result=0 ;;
*) result=1 ;;
esac
url="http://10.0.0.5:8080/hosts/upgrade-host/TOKEN/callback/$result"

report() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsS -m 30 -X POST -d '' "$url" >/dev/null 2>&1 && return 0
	fi
	if command -v wget >/dev/null 2>&1; then
		# no "wget -T": busybox 1.35's crashes on it; bound it with
		# timeout(1) where there is one
		tmo=""
		command -v timeout >/dev/null 2>&1 && tmo="timeout 30"
		$tmo wget -q -O /dev/null --post-data= "$url" >/dev/null 2>&1 &&
		    return 0
	fi
	for py in python3 python; do
		command -v "$py" >/dev/null 2>&1 || continue
		"$py" -c '
import socket, sys
socket.setdefaulttimeout(30)
try:
    from urllib.request import urlopen
except ImportError:
    from urllib2 import urlopen
urlopen(sys.argv[1], "".encode("ascii")).read()
' "$url" >/dev/null 2>&1 && return 0
	done
	return 1
}

tries=0
while [ "$tries" -lt 6 ]; do
	if report; then
		echo "poolboot: reported result $result for upgrade-host"
		exit 0
	fi
	tries=$((tries + 1))
	sleep 10
done
echo "poolboot: could not report result $result for upgrade-host to $url" >&2
exit 0
