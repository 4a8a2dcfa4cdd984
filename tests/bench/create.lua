-- create.lua - wrk script for tests/bench/run.sh: POST a valid incident to
-- /api/v1/incidents and count the answers. Only 201s count as creations;
-- anything else is counted apart and its first status and body reported.
--
-- usage: wrk ... -H "Authorization: Bearer T" -s create.lua URL -- DETECTED_AT
-- DETECTED_AT is an RFC 3339 time in the past (the script's caller makes it).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   created = 0
   other = 0
   first_bad = ""
   local detected = args[1] or "2020-01-01T00:00:00Z"
   local body = '{"title":"Bench: suspicious attachment on a commune PC",' ..
      '"description":"Created by tests/bench/run.sh to measure incident creations per second.",' ..
      '"detected_at":"' .. detected .. '","type":"malware"}'
   -- wrk.format's headers replace wrk.headers (the -H ones): merge them.
   local headers = {}
   for k, v in pairs(wrk.headers) do
      headers[k] = v
   end
   headers["Content-Type"] = "application/json"
   req = wrk.format("POST", nil, headers, body)
end

function request()
   return req
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   else
      other = other + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local c, o, bad = 0, 0, ""
   for _, t in ipairs(threads) do
      c = c + t:get("created")
      o = o + t:get("other")
      local b = t:get("first_bad")
      if bad == "" and b ~= nil and b ~= "" then
         bad = b
      end
   end
   io.write(string.format("BENCH created=%d other=%d duration_us=%d p99_us=%d\n",
                          c, o, summary.duration, latency:percentile(99)))
   if bad ~= "" then
      io.write("BENCH first_non_201=" .. string.gsub(bad, "\n", " ") .. "\n")
   end
end
