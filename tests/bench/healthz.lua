-- The ceiling: GET /healthz, the cheapest answer cairn gives (no database, no template).
--   wrk -t2 -c32 -d10s --latency -s tests/bench/healthz.lua http://127.0.0.1:PORT
-- No response() callback, so the client does as little as possible per request; non-2xx/3xx
-- answers are counted by wrk itself (summary.errors.status).
wrk.method = "GET"
-- BENCH_PATH names another path (scripts/bench: a static file of a page's size).
wrk.path = os.getenv("BENCH_PATH") or "/healthz"

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk-result: requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx_3xx=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, e.status))
end
