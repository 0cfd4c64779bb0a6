-- wrk script: POSTs GraphQL bodies read from a file (one JSON body per line), each thread
-- walking the list from its own offset; a 200 whose body has "errors" or no "data" counts as
-- a failure. done() prints one JSON line with latency percentiles (ms) and counts.
-- Use: BODIES=file wrk -t T -c C -d 10s --latency -s bench/wrk_graphql.lua URL
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
local auth = os.getenv("AUTHORIZATION")
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if auth and #auth > 0 then wrk.headers["Authorization"] = auth end
  i = (id * 7919) % #bodies
  bad = 0
end

function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or not body:find('"data"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '{"count": %d, "duration_s": %.3f, "bad_responses": %d, "socket_errors": %d, ' ..
    '"median_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, failed,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
end
