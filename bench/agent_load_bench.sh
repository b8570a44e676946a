#!/usr/bin/env bash
# Node agents' heartbeats against one gpufleetd (docs/benchmarks.md, "Agent heartbeats"):
# starts gpufleetd with a demo fleet (scheduling it), then runs build/default/gpufleet_agent_load
# RUNS times in a row against it, each a warm-up (every node once) and a measured window of
# SECONDS at RATE reports/s, with JOB_RATE job submissions/s beside the window. The first
# run's warm-up writes every node (a change); later runs' warm-ups are heartbeats. Each run's
# JSON goes to $OUT/warmup-N.json, run-N.json and jobs-N.json, a summary line to stdout.
#
#   bench/agent_load_bench.sh [runs] [seconds]
#
# Environment: DEMO_GPUS (default 1000000), NODES (125000), DEVICES (8), RATE (4200),
# CONNECTIONS (64), JOB_RATE (jobs/s submitted during each window by bench/gpufleet_loadgen,
# 60 s jobs of 0.5-16 GPUs; default 0 = none), STORE (default a fresh SQLite file under $OUT;
# postgresql://... for PostgreSQL), BUILD_DIR (build/default), PORT (18282),
# OUT (out/bench-agent-load), GPUFLEETD_FLAGS (more gpufleetd flags).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
seconds=${2:-60}
build=${BUILD_DIR:-build/default}
port=${PORT:-18282}
out=${OUT:-out/bench-agent-load}
rm -rf "$out" && mkdir -p "$out"
store=${STORE:-$out/gpufleet.db}
url="http://127.0.0.1:$port"

"$build/gpufleetd" --demo-gpus "${DEMO_GPUS:-1000000}" --store "$store" --port "$port" \
  --admin-token-file "$out/admin-token" ${GPUFLEETD_FLAGS:-} >"$out/gpufleetd.out" 2>"$out/gpufleetd.err" &
daemon=$!
jobs_pid=
cleanup() {
  if [ -n "$jobs_pid" ]; then kill "$jobs_pid" 2>/dev/null || true; fi
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
}
trap cleanup EXIT
started=$(date +%s.%N)
for _ in $(seq 1 3000); do
  grep -q "listening on" "$out/gpufleetd.out" 2>/dev/null && break
  kill -0 "$daemon" 2>/dev/null || { cat "$out/gpufleetd.err" >&2; exit 1; }
  sleep 0.1
done
grep -q "listening on" "$out/gpufleetd.out" || { echo "gpufleetd did not start" >&2; exit 1; }
echo "gpufleetd serving after $(echo "$(date +%s.%N) - $started" | bc) s: $(grep 'serving' "$out/gpufleetd.out")"

load() {
  "$build/gpufleet_agent_load" --url "$url" --token-file "$out/admin-token" \
    --nodes "${NODES:-125000}" --devices "${DEVICES:-8}" --rate "${RATE:-4200}" \
    --connections "${CONNECTIONS:-64}" --seconds "$seconds" "$@"
}
for i in $(seq 1 "$runs"); do
  load --warmup-only >"$out/warmup-$i.json"
  # The job load, if any, runs through the measured window only.
  if [ "${JOB_RATE:-0}" != 0 ]; then
    "$build/bench/gpufleet_loadgen" --url "$url" --token-file "$out/admin-token" \
      --tenant llm-training --tenant chat-inference --tenant ads-reco --threads 4 \
      --rate "$JOB_RATE" --seconds "$seconds" >"$out/jobs-$i.json" 2>&1 &
    jobs_pid=$!
  fi
  load --skip-warmup >"$out/run-$i.json"
  if [ -n "$jobs_pid" ]; then wait "$jobs_pid"; jobs_pid=; fi
  python3 - "$out" "$i" <<'PY'
import json, os, sys
out, i = sys.argv[1], sys.argv[2]
r = json.load(open(f"{out}/run-{i}.json")); w = r["window"]
u = json.load(open(f"{out}/warmup-{i}.json"))["warmup"]
line = (f"run {i}: {w['per_second']:.0f}/s of {r['target_per_second']:.0f}, "
        f"p50 {w['p50_ms']:.2f} p90 {w['p90_ms']:.2f} p99 {w['p99_ms']:.2f} "
        f"p99.9 {w['p999_ms']:.2f} max {w['max_ms']:.1f} ms, errors {w['errors']}, "
        f"changed {w['changed']}; store writes {r['store_writes_in_window']}; "
        f"warm-up {u['answered']} in {u['seconds']:.1f} s ({u['changed']} changes, p99 {u['p99_ms']:.1f} ms)")
if os.path.exists(f"{out}/jobs-{i}.json"):
    j = json.load(open(f"{out}/jobs-{i}.json"))
    line += (f"; jobs {j['acknowledged']} at {j['per_second']:.0f}/s, p50 {j['p50_ms']:.2f} "
             f"p99 {j['p99_ms']:.2f} max {j['max_ms']:.1f} ms, errors {j['errors']}")
print(line)
PY
done
curl -s "$url/metrics" >"$out/metrics.txt"
grep -E '^gpufleet_(placements_total|scheduling_pass_seconds_count|store_commit_seconds_count)' "$out/metrics.txt" || true
