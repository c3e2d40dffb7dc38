-- wrk script: each request takes the next path from the file named by the PATHS environment
-- variable, so that single-use URLs (CAS tickets) are each requested once. Threads take
-- interleaved paths; once the list runs out, requests go to a path that answers 404, which wrk
-- counts as non-2xx and the benchmark subtracts.
local paths = {}
local counter = 0
local step = 1

function setup(thread)
   counter = counter + 1
   thread:set("offset", counter)
end

function init(args)
   for line in io.lines(os.getenv("PATHS")) do
      paths[#paths + 1] = line
   end
   index = offset
   step = tonumber(os.getenv("THREADS") or "2")
end

function request()
   local path = paths[index] or "/bench-paths-exhausted"
   index = index + step
   return wrk.format("GET", path)
end
