#!/bin/sh
# stop.sh STATE_DIR — stops the ipmi_sim started by start.sh STATE_DIR and
# the simulated host it may have started (chassis-control's on-command).
set -u
dir=${1:?usage: stop.sh STATE_DIR}
if [ -s "$dir/ipmi_sim.pid" ]; then
	pid=$(cat "$dir/ipmi_sim.pid")
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 25 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$dir/ipmi_sim.pid"
fi
if [ -s "$dir/on-command.pid" ]; then
	kill -TERM "-$(cat "$dir/on-command.pid")" 2>/dev/null
	rm -f "$dir/on-command.pid"
fi
exit 0
