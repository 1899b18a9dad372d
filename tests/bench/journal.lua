-- A journal page as its signed-in author: GET BENCH_PATH, or, with BENCH_BODY, a POST of that
-- urlencoded body (the search: the words travel only in the body) with Origin ORIGIN.
--   BENCH_PATH=/journal COOKIE='cairn_session=…' \
--     wrk -t2 -c32 -d10s --latency -s tests/bench/journal.lua http://127.0.0.1:PORT
--   BENCH_PATH=/journal/search BENCH_BODY='csrf=…&q=…' ORIGIN=http://127.0.0.1:PORT COOKIE=… \
--     wrk … -s tests/bench/journal.lua http://127.0.0.1:PORT
-- COOKIE, the csrf token and the path's ids come from tests/bench/make-journal.mjs. Every
-- answer's status is counted, as in thread.lua: done() prints "statuses: 200=N ..." and
-- "not_200=N" beside the wrk-result line.
local path = os.getenv("BENCH_PATH")
local cookie = os.getenv("COOKIE")
local body = os.getenv("BENCH_BODY")
local origin = os.getenv("ORIGIN")
if not path or not path:match("^/journal") then
  io.stderr:write("journal.lua: set BENCH_PATH to a journal page (/journal...)\n")
  os.exit(2)
end
if not cookie or not cookie:match("^cairn_session=") then
  io.stderr:write("journal.lua: set COOKIE to 'cairn_session=…' (the author's session)\n")
  os.exit(2)
end

wrk.path = path
wrk.headers["Cookie"] = cookie
if body and body ~= "" then
  if not origin or not origin:match("^http://") then
    io.stderr:write("journal.lua: a POST needs ORIGIN (the server's origin)\n")
    os.exit(2)
  end
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = origin
else
  wrk.method = "GET"
end

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
  local all, parts, not_ok = {}, {}, 0
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
    if status ~= 200 then not_ok = not_ok + all[status] end
  end
  io.write(string.format(
    "wrk-result: requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx_3xx=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, e.status))
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
  io.write(string.format("not_200=%d\n", not_ok))
end
