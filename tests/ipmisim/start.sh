#!/bin/sh
# start.sh — starts OpenIPMI's ipmi_sim as a BMC on loopback for tests.
#
#   tests/ipmisim/start.sh STATE_DIR [--port N|auto] [--addr A] [--user U]
#       [--password P] [--power on|off] [--on-command 'shell command']
#
# Writes STATE_DIR/lan.conf (from lan.conf.in), STATE_DIR/password (for
# ipmitool -f), STATE_DIR/power, STATE_DIR/on-command (when given: run at
# every chassis power-on, see chassis-control), then starts
#   ipmi_sim -n -c STATE_DIR/lan.conf -f bmc.emu -s STATE_DIR/sim
# in the background (pid in STATE_DIR/ipmi_sim.pid, output in
# STATE_DIR/ipmi_sim.log) and waits until `ipmitool -I lanplus ... chassis
# power status` answers. Prints "port=N" and "pid=N"; exit 0 when the BMC
# answers, 1 otherwise (ipmi_sim is stopped again). Stop it with stop.sh.
# Defaults: 127.0.0.1, port 9623, user admin, password poolboot, power off.
set -u

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-}
[ -n "$dir" ] || { echo "usage: $0 STATE_DIR [options]" >&2; exit 2; }
shift
addr=127.0.0.1 port=9623 user=admin password=poolboot power=off oncmd=
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || { echo "$0: $1 needs a value" >&2; exit 2; }
	case $1 in
	--port) port=$2 ;;
	--addr) addr=$2 ;;
	--user) user=$2 ;;
	--password) password=$2 ;;
	--power) power=$2 ;;
	--on-command) oncmd=$2 ;;
	*) echo "$0: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
for tool in ipmi_sim ipmitool; do
	command -v $tool >/dev/null 2>&1 || {
		echo "$0: $tool not found (apt-get install openipmi ipmitool)" >&2
		exit 1
	}
done
case $user$password in
*'"'* | *'\'*) echo "$0: no quotes or backslashes in user/password" >&2; exit 2 ;;
esac

mkdir -p "$dir/sim" || exit 1
dir=$(cd "$dir" && pwd)
if [ "$port" = auto ]; then
	# a free UDP port on the address, chosen by the kernel
	port=$(python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$addr") || exit 1
fi

sed -e "s|@ADDR@|$addr|" -e "s|@PORT@|$port|" -e "s|@USER@|$user|" \
    -e "s|@PASSWORD@|$password|" -e "s|@CONTROL@|$here/chassis-control|" \
    -e "s|@STATE@|$dir|" "$here/lan.conf.in" >"$dir/lan.conf" || exit 1
(umask 077 && printf '%s\n' "$password" >"$dir/password") || exit 1
case $power in
on) echo 1 >"$dir/power" ;;
off) echo 0 >"$dir/power" ;;
*) echo "$0: --power on|off" >&2; exit 2 ;;
esac
echo default >"$dir/boot"
: >"$dir/events"
if [ -n "$oncmd" ]; then
	printf '#!/bin/sh\n%s\n' "$oncmd" >"$dir/on-command" &&
	    chmod 755 "$dir/on-command" || exit 1
else
	rm -f "$dir/on-command"
fi

ipmi_sim -n -c "$dir/lan.conf" -f "$here/bmc.emu" -s "$dir/sim" \
    </dev/null >"$dir/ipmi_sim.log" 2>&1 &
pid=$!
echo $pid >"$dir/ipmi_sim.pid"

i=0
while [ $i -lt 50 ]; do
	if ! kill -0 $pid 2>/dev/null; then
		echo "$0: ipmi_sim exited:" >&2
		cat "$dir/ipmi_sim.log" >&2
		exit 1
	fi
	if ipmitool -I lanplus -H "$addr" -p "$port" -U "$user" \
	    -f "$dir/password" -C 3 -N 1 -R 1 chassis power status 2>/dev/null |
	    grep -q '^Chassis Power is'; then
		echo "port=$port"
		echo "pid=$pid"
		exit 0
	fi
	sleep 0.2
	i=$((i + 1))
done
echo "$0: ipmi_sim on $addr:$port did not answer" >&2
cat "$dir/ipmi_sim.log" >&2
kill $pid 2>/dev/null
exit 1
