-- wrk script for bench/load.py. GET when BENCH_BODIES is unset; otherwise a
-- POST per line of that file (each line carries its own single-use captcha
-- token). Thread k of BENCH_THREADS takes lines k+1, k+1+n, ... so no token is
-- sent twice; if the lines run out they wrap, and replays show up as non-2xx.
local path = os.getenv("BENCH_BODIES")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
end

function init(args)
  if path and path ~= "" then
    bodies, next_body = {}, 1
    local i = 0
    for line in io.lines(path) do
      if i % nthreads == id then bodies[#bodies + 1] = line end
      i = i + 1
    end
  end
end

function request()
  if not bodies then
    return wrk.format(nil)
  end
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
