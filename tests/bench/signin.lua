-- Sign-ins: POST /signin for a demo account, as many as the server lets through.
--   EMAIL=nurse@cairn.test PASSWORD=cairn-demo-2026 ORIGIN=http://127.0.0.1:PORT \
--   PRE_COOKIE=<cairn_pre cookie value> CSRF=<the form's csrf token> \
--     wrk -t1 -c8 -d15s --latency -s tests/bench/signin.lua http://127.0.0.1:PORT
-- The pre-session pair (cookie + token) is fetched once from GET /signin (scripts/bench does it
-- with curl) and reused by every request: the token is a keyed hash of the cookie, so the pair
-- stays valid. Every request carries Origin. A success is a 303 to /home (a new session each
-- time); a 503 (+ Retry-After) is the Argon2id gate refusing beyond its queue.
-- done() prints "statuses: 303=N 503=M ..." and "signins_per_s=…".
local function need(name, pattern)
  local v = os.getenv(name)
  if not v or (pattern and not v:match(pattern)) then
    io.stderr:write("signin.lua: set " .. name .. "\n")
    os.exit(2)
  end
  return v
end
local email = need("EMAIL", "@")
local password = need("PASSWORD")
local origin = need("ORIGIN", "^https?://")
local pre = need("PRE_COOKIE", "^[%w_%-]+$")
local csrf = need("CSRF", "^[%w_%-]+$")

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.path = "/signin"
wrk.body = "csrf=" .. urlencode(csrf) .. "&next=%2Fhome&email=" .. urlencode(email) ..
           "&password=" .. urlencode(password)
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = origin
wrk.headers["Cookie"] = "cairn_pre=" .. pre

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local all, parts = {}, {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses") or {}) do
      all[status] = (all[status] or 0) + n
    end
  end
  local keys = {}
  for status in pairs(all) do table.insert(keys, status) end
  table.sort(keys)
  for _, status in ipairs(keys) do
    table.insert(parts, string.format("%d=%d", status, all[status]))
  end
  io.write(string.format(
    "wrk-result: requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx_3xx=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, e.status))
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
  io.write(string.format("signins_per_s=%.2f refused_503=%d\n", (all[303] or 0) / secs, all[503] or 0))
end
