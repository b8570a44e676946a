-- wrk script: durable job submissions against gpufleetd (docs/benchmarks.md, "Service").
--   GPUFLEET_TOKEN=$(cat out/bench/admin-token) wrk -t2 -c32 -d30s --latency \
--       -s bench/loadgen/submit.lua http://127.0.0.1:8080
-- Each request submits a new job (no idempotency key) for one of the three internal demo
-- tenants, round-robin: 30% half a GPU, 50% one GPU, 20% four GPUs, each running
-- JOB_SECONDS (default 10) seconds, so on a ~100,000-GPU fleet 5,000 submissions a second
-- keep it about three-quarters full and the scheduler must start as many jobs as arrive.
-- wrk reports any 4xx/5xx answer on its "Non-2xx or 3xx responses" line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("GPUFLEET_TOKEN") or "")
local seconds = tonumber(os.getenv("JOB_SECONDS") or "10")
local tenants = {"llm-training", "chat-inference", "ads-reco"}
local n = 0

request = function()
  n = n + 1
  local gpus = (n % 10 < 3) and 0.5 or ((n % 10 < 8) and 1 or 4)
  local body = string.format('{"tenant":"%s","name":"wrk-%d","gpus":%s,"duration_s":%d}',
                             tenants[n % 3 + 1], n, gpus, seconds)
  return wrk.format(nil, "/v1/jobs", nil, body)
end
