-- login.lua - wrk script for tests/bench/limits.sh: an attacker's login
-- flood, each request for another unknown username (so no lock-out ever
-- applies), counting what the server answered: 401 = a password check was
-- made (Argon2id), 429 = refused at the gate before any, other = the rest.
--
-- usage: wrk ... -s login.lua URL/api/v1/session

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   checked = 0
   gated = 0
   other = 0
   n = 0
end

function request()
   n = n + 1
   local body = '{"username":"flood-' .. tostring(id) .. '-' .. tostring(n) ..
      '","password":"not-the-password-at-all"}'
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
   if status == 401 then
      checked = checked + 1
   elseif status == 429 then
      gated = gated + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local c, g, o = 0, 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("checked")
      g = g + t:get("gated")
      o = o + t:get("other")
   end
   io.write(string.format("BENCH checked=%d gated=%d other=%d duration_us=%d\n",
                          c, g, o, summary.duration))
end
