-- wrk script for gateway_bench.py: every connection is a simulated user sending GETs with tokens and paths taken
-- in turn from a file of "<access token> <file id>" lines, waiting a random think time (uniform 0.5x-1.5x of
-- THINK_MS; 0: none) before each request. Prints one "WRKJSON {...}" line with the totals and the status counts.
--   wrk ... -s rotate.lua URL -- list|metadata FILE THINK_MS
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local mode, file = args[1], args[2]
  think = tonumber(args[3])
  requests = {}
  for line in io.lines(file) do
    local token, id = line:match("^(%S+)%s+(%S+)$")
    local path = mode == "list" and "/api/v1/files?limit=20" or ("/api/v1/files/" .. id)
    table.insert(requests, wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token }))
  end
  -- Threads start at different places in the rotation.
  next_index = (thread_index * 7919) % #requests
  statuses = {}
  math.randomseed(thread_index + 1)
end

function delay()
  if think <= 0 then return 0 end
  return math.floor(think * (0.5 + math.random()))
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, count)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"duration_us": %d, "requests": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status_errors": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"statuses": {%s}}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")))
end
