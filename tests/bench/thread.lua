-- The thread page: GET /t/<THREAD_ID> as a signed-in learner (50 posts, one page).
--   THREAD_ID=12 COOKIE='cairn_session=…' \
--     wrk -t2 -c32 -d15s --latency -s tests/bench/thread.lua http://127.0.0.1:PORT
-- THREAD_ID and COOKIE come from tests/bench/make-thread.mjs (its THREAD_ID, READER_COOKIE).
-- Every answer's status is counted: done() prints "statuses: 200=N ..." and "not_200=N", because
-- wrk's own error count treats a 3xx (e.g. a redirect to /signin) as success.
-- BENCH_PATH names another signed-in page instead (scripts/bench: the group page).
local id = os.getenv("THREAD_ID")
local cookie = os.getenv("COOKIE")
local path = os.getenv("BENCH_PATH")
if not path and (not id or not id:match("^%d+$")) then
  io.stderr:write("thread.lua: set THREAD_ID to the thread's id\n")
  os.exit(2)
end
if not cookie or not cookie:match("^cairn_session=") then
  io.stderr:write("thread.lua: set COOKIE to 'cairn_session=…' (a reader's session)\n")
  os.exit(2)
end

wrk.method = "GET"
wrk.path = path or ("/t/" .. id)
wrk.headers["Cookie"] = cookie

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
