-- wrk script piece: at the end, one machine-readable line for bench.py:
--   WRKJSON {"requests":N,"duration_us":N,"bytes":N,"p50_us":N,...}
-- Used alone (-s report.lua) or loaded by the other scripts with dofile.

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "WRKJSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d," ..
	    "\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d," ..
	    "\"mean_us\":%.1f,\"err_connect\":%d,\"err_read\":%d," ..
	    "\"err_write\":%d,\"err_status\":%d,\"err_timeout\":%d}\n",
	    summary.requests, summary.duration, summary.bytes,
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, latency.mean,
	    e.connect, e.read, e.write, e.status, e.timeout))
end
