#!/usr/bin/env bash
# Rules that change while the fleet runs (docs/benchmarks.md, "Live rule changes"; issue 17).
#
#   bench/live_rules_bench.sh enact  [sqlite|postgres] [reps]   # the 1 s target
#   bench/live_rules_bench.sh dryrun [sqlite|postgres] [reps]   # the 2 s target
#
# enact: REPS times, each on a fresh store: gpufleetd with a demo fleet of DEMO_GPUS (default
# 100,000) on a paused simulated clock; JOBS jobs (default 12,000) of GPUS (default 0.25) H20
# each, run-until-preempted, submitted for the internal demo tenants and all placed; then
# bench/live_rules/h20-licence-cn.yaml (H20 needs a licence in China, installed base included)
# is dry-run and scheduled at the clock's next midnight, and the time is taken from the
# `POST /v1/admin/clock/advance` that crosses it until /metrics counts every job the dry run
# named preempted (the pass that rebuilds the fleet on the new rules, quarantines the H20s in
# China and writes the preemptions). One JSON line per repetition (bench/live_rules/live_rules.py).
#
# dryrun: one gpufleetd with a demo fleet of DEMO_GPUS (default 1,000,000), JOBS jobs placed
# as above, then REPS dry runs of the same change (POST /v1/rules/changes, dry_run true), each
# timed from the request to the last byte of the answer. One JSON line.
#
# postgres uses $GPUFLEET_TEST_POSTGRES (a fresh schema per repetition; .ci/start-postgres.sh).
# Environment: DEMO_GPUS, JOBS, GPUS, SETTLE (enact: seconds between the change's own rebuild
# and the clock's advance, default 3, as a change is scheduled ahead of its time), BUILD_DIR
# (default build/default), PORT (default 18184), GPUFLEETD_FLAGS (more gpufleetd flags).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-enact}
backend=${2:-sqlite}
reps=${3:-3}
build=${BUILD_DIR:-build/default}
port=${PORT:-18184}
out=out/bench-live-rules
driver=bench/live_rules/live_rules.py
change=bench/live_rules/h20-licence-cn.yaml
case "$mode" in
  enact) demo=${DEMO_GPUS:-100000} ;;
  dryrun) demo=${DEMO_GPUS:-1000000} ;;
  *) echo "usage: $0 enact|dryrun [sqlite|postgres] [reps]" >&2; exit 1 ;;
esac
case "$backend" in
  sqlite | postgres) ;;
  *) echo "usage: $0 enact|dryrun [sqlite|postgres] [reps]" >&2; exit 1 ;;
esac
[ "$backend" = sqlite ] || : "${GPUFLEET_TEST_POSTGRES:?set GPUFLEET_TEST_POSTGRES (see .ci/start-postgres.sh)}"

daemon=""
schema=""
stop_daemon() {
  if [ -n "$daemon" ]; then
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
    daemon=""
  fi
  if [ -n "$schema" ]; then
    psql "$GPUFLEET_TEST_POSTGRES" -qc "DROP SCHEMA $schema CASCADE" || true
    schema=""
  fi
}
trap stop_daemon EXIT

# Starts gpufleetd on a fresh store in $out/$1 and waits until it listens.
start_daemon() {
  local dir="$out/$1" store
  rm -rf "$dir" && mkdir -p "$dir"
  if [ "$backend" = sqlite ]; then
    store="$dir/gpufleet.db"
  else
    schema="bench_live_$$_$1"
    psql "$GPUFLEET_TEST_POSTGRES" -qc "CREATE SCHEMA $schema"
    store="$GPUFLEET_TEST_POSTGRES?options=-csearch_path%3D$schema"
  fi
  "$build/gpufleetd" --demo-gpus "$demo" --store "$store" --port "$port" --sim-speed 0 \
    --admin-token-file "$dir/admin-token" ${GPUFLEETD_FLAGS:-} \
    >"$dir/gpufleetd.out" 2>"$dir/gpufleetd.err" &
  daemon=$!
  for _ in $(seq 1 1200); do
    grep -q "listening on" "$dir/gpufleetd.out" 2>/dev/null && return 0
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.25
  done
  cat "$dir/gpufleetd.err" >&2
  exit 1
}

url="http://127.0.0.1:$port"
rm -rf "$out" && mkdir -p "$out"
if [ "$mode" = enact ]; then
  for rep in $(seq 1 "$reps"); do
    start_daemon "rep$rep"
    tok="$out/rep$rep/admin-token"
    load=$(python3 "$driver" load "$url" "$tok" --jobs "${JOBS:-12000}" --gpus "${GPUS:-0.25}")
    result=$(python3 "$driver" enact "$url" "$tok" "$change" --settle "${SETTLE:-3}")
    echo "{\"backend\":\"$backend\",\"demo_gpus\":$demo,\"rep\":$rep,\"load\":$load,\"enact\":$result}"
    stop_daemon
  done
else
  start_daemon dryrun
  tok="$out/dryrun/admin-token"
  load=$(python3 "$driver" load "$url" "$tok" --jobs "${JOBS:-12000}" --gpus "${GPUS:-0.25}")
  result=$(python3 "$driver" dryrun "$url" "$tok" "$change" --reps "$reps")
  echo "{\"backend\":\"$backend\",\"demo_gpus\":$demo,\"load\":$load,\"dryrun\":$result}"
fi
