#!/usr/bin/env bash
# End-to-end service benchmark (docs/benchmarks.md, "Service"): starts gpufleetd on a fresh
# store with a demo fleet, drives durable job submissions with wrk for a while, and prints
# wrk's throughput and latency next to what the scheduler did meanwhile (from /metrics).
#
#   bench/service_bench.sh [sqlite|postgres] [seconds] [connections]
#
# postgres uses $GPUFLEET_TEST_POSTGRES (a fresh schema per run). Environment: DEMO_GPUS
# (default 131072: about 99,000 schedulable after the fleet check's quarantine), JOB_SECONDS
# (default 10), BUILD_DIR (default build/default), PORT (default 18181), GPUFLEETD_FLAGS (more
# gpufleetd flags: --no-scheduler for the API alone, --pass-interval-ms N).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
seconds=${2:-30}
connections=${3:-32}
build=${BUILD_DIR:-build/default}
port=${PORT:-18181}
out=out/bench-service
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }
rm -rf "$out" && mkdir -p "$out"

case "$backend" in
  sqlite) store="$out/gpufleet.db" ;;
  postgres)
    : "${GPUFLEET_TEST_POSTGRES:?set GPUFLEET_TEST_POSTGRES (see .ci/start-postgres.sh)}"
    schema="bench_$$"
    psql "$GPUFLEET_TEST_POSTGRES" -qc "CREATE SCHEMA $schema"
    store="$GPUFLEET_TEST_POSTGRES?options=-csearch_path%3D$schema"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [seconds] [connections]" >&2; exit 1 ;;
esac

"$build/gpufleetd" --demo-gpus "${DEMO_GPUS:-131072}" --store "$store" --port "$port" \
  --admin-token-file "$out/admin-token" ${GPUFLEETD_FLAGS:-} >"$out/gpufleetd.out" 2>"$out/gpufleetd.err" &
daemon=$!
cleanup() {
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  if [ "$backend" = postgres ]; then psql "$GPUFLEET_TEST_POSTGRES" -qc "DROP SCHEMA $schema CASCADE" || true; fi
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  grep -q "admin token" "$out/gpufleetd.out" 2>/dev/null && break
  kill -0 "$daemon" 2>/dev/null || { cat "$out/gpufleetd.err" >&2; exit 1; }
  sleep 0.1
done
head -1 "$out/gpufleetd.out"

metrics() { curl -s "http://127.0.0.1:$port/metrics"; }
GPUFLEET_TOKEN=$(cat "$out/admin-token") JOB_SECONDS=${JOB_SECONDS:-10} \
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/loadgen/submit.lua \
  "http://127.0.0.1:$port" | tee "$out/wrk.txt"
metrics >"$out/metrics.txt"
submitted=$(awk '$1=="gpufleet_store_commit_seconds_count{op=\"submit\"}" {print $2}' "$out/metrics.txt")
placed=$(awk '$1=="gpufleet_placements_total" {print $2}' "$out/metrics.txt")
passes=$(awk '$1=="gpufleet_scheduling_pass_seconds_count" {print $2}' "$out/metrics.txt")
pass_sum=$(awk '$1=="gpufleet_scheduling_pass_seconds_sum" {print $2}' "$out/metrics.txt")
pending=$(awk '/^gpufleet_queue_depth/ {s+=$2} END {print s+0}' "$out/metrics.txt")
echo "backend $backend: $submitted submissions committed, $placed jobs placed, $pending pending at the end"
awk -v n="$passes" -v s="$pass_sum" 'BEGIN { if (n > 0) printf "scheduler: %d passes, mean %.1f ms, busy %.1f s\n", n, 1000*s/n, s }'
