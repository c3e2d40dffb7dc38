-- wrk script: asks for service tickets the way a signed-in browser does (GET /login?service=… with the SSO
-- cookie) and appends each ticket from the redirect's Location to the file named by TICKETS_OUT, one file per
-- thread (suffix .1, .2, …), so that the validation scenario has enough single-use tickets however fast it runs.
local counter = 0
local out

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
end

function init(args)
   out = io.open(os.getenv("TICKETS_OUT") .. "." .. id, "a")
end

function response(status, headers, body)
   local location = headers["Location"]
   if location then
      local ticket = location:match("[?&]ticket=([^&]+)")
      if ticket then
         out:write(ticket, "\n")
         out:flush()
      end
   end
end
