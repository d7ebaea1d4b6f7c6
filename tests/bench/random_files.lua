-- wrk script: GET a random path from a list file, one path a line.
-- usage: wrk ... -s random_files.lua URL -- LISTFILE
-- Every wrk thread reads the list once and picks with its own seed.

local paths = {}
local n = 0

function init(args)
	local f = assert(io.open(args[1], "r"))
	for line in f:lines() do
		if line ~= "" then
			n = n + 1
			paths[n] = line
		end
	end
	f:close()
	assert(n > 0, "empty path list")
	math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
	return wrk.format("GET", paths[math.random(n)])
end

-- the WRKJSON line at the end
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
