-- wrk script for `python -m bench.run`: a FIXED number of requests, then a JSON summary.
--
-- wrk runs for a duration; this script stops each thread once it has had the responses for its
-- share of the requests, so every target is measured over the same amount of work. wrk's main
-- thread still sleeps out the duration, so each stopped thread prints "BENCH-THREAD-DONE" and
-- bench/run.py interrupts wrk (SIGINT, which ends its sleep) once all have: wrk then joins the
-- threads and calls done() as usual.
--
-- Arguments (after `--`): <requests per thread> <accepted statuses, e.g. "200" or "302">
--   [<method> <path> <body>]...   one or more requests, sent in turn (one GET, or the RSVP
--   POST and its cancel alternating: run.py gives that one a single connection, so the pair
--   can't overtake each other). Headers (cookie, ETag) come from wrk's -H options.
-- run.py runs wrk with one thread, so "its share" is all the requests.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  limit = tonumber(args[1])
  accepted = {}
  for status in string.gmatch(args[2], "%d+") do
    accepted[tonumber(status)] = true
  end
  prepared = {}
  for index = 3, #args, 3 do
    local body = args[index + 2]
    -- wrk.format uses the table it is given instead of wrk.headers (the -H options), so copy.
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    if body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    table.insert(prepared, wrk.format(args[index], args[index + 1], headers, body))
  end
  sent = 0
  responses = 0
  unexpected = 0
  last_unexpected = 0
end

function request()
  sent = sent + 1
  return prepared[(sent - 1) % #prepared + 1]
end

function response(status, headers, body)
  responses = responses + 1
  if not accepted[status] then
    unexpected = unexpected + 1
    last_unexpected = status
  end
  if responses == limit then
    io.write("BENCH-THREAD-DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local unexpected_total, last = 0, 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then
      last = thread:get("last_unexpected")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"mean_us": %.1f, "max_us": %d, "status_errors": %d, "unexpected": %d, '
      .. '"last_unexpected_status": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, errors.status, unexpected_total, last,
    errors.connect, errors.read, errors.write, errors.timeout))
end
