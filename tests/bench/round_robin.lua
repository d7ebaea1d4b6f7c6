-- wrk script: GET the paths of a list file in turn, thread by thread:
-- with T threads, thread t takes the paths t, t+T, t+2T, ... of the list,
-- in rounds. Used for the answerfile benchmark, where each URL may only
-- be fetched a limited number of times (the boot-loop guard): a round
-- touches every URL once, so URL i is fetched about (requests / N) times.
-- usage: wrk -tT ... -s round_robin.lua URL -- LISTFILE T
-- The list holds one path a line. wrk runs setup() once per thread in the
-- main Lua state, which is where thread numbers are handed out.

local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
end

local paths = {}
local mine = {}
local n = 0
local i = 0

function init(args)
	local f = assert(io.open(args[1], "r"))
	for line in f:lines() do
		if line ~= "" then
			n = n + 1
			paths[n] = line
		end
	end
	f:close()
	local t = tonumber(tid) or 0
	local T = tonumber(args[2]) or 1
	for k = 1 + t, n, T do
		mine[#mine + 1] = paths[k]
	end
	if #mine == 0 then
		mine = paths
	end
end

function request()
	i = i + 1
	return wrk.format("GET", mine[(i - 1) % #mine + 1])
end

-- the WRKJSON line at the end
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
