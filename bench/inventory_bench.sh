#!/usr/bin/env bash
# Inventory changes through gpufleetd's API, durable end to end (docs/benchmarks.md,
# "Inventory"): starts gpufleetd on a fresh store with a demo fleet, then runs
# `gpufleet_loadgen --inventory` (one move per request, acknowledged after the change and its
# ledger entry commit) REPS times for SECONDS each, printing one JSON line per run.
#
#   bench/inventory_bench.sh [sqlite|postgres] [seconds] [threads] [reps]
#
# postgres uses $GPUFLEET_TEST_POSTGRES (a fresh schema per run). Environment: DEMO_GPUS
# (default 4096), BUILD_DIR (default build/default), PORT (default 18182).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
seconds=${2:-5}
threads=${3:-16}
reps=${4:-3}
build=${BUILD_DIR:-build/default}
port=${PORT:-18182}
out=out/bench-inventory
rm -rf "$out" && mkdir -p "$out"
case "$backend" in
  sqlite) store="$out/gpufleet.db" ;;
  postgres)
    : "${GPUFLEET_TEST_POSTGRES:?set GPUFLEET_TEST_POSTGRES (see .ci/start-postgres.sh)}"
    schema="bench_inv_$$"
    psql "$GPUFLEET_TEST_POSTGRES" -qc "CREATE SCHEMA $schema"
    store="$GPUFLEET_TEST_POSTGRES?options=-csearch_path%3D$schema"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [seconds] [threads] [reps]" >&2; exit 1 ;;
esac
"$build/gpufleet" ledger keygen --out "$out/ledger.key" --name bench/ledger >/dev/null 2>&1
"$build/gpufleetd" --demo-gpus "${DEMO_GPUS:-4096}" --store "$store" --port "$port" \
  --no-scheduler --admin-token-file "$out/admin-token" --ledger-key "$out/ledger.key" \
  >"$out/gpufleetd.out" 2>"$out/gpufleetd.err" &
daemon=$!
cleanup() {
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  if [ "$backend" = postgres ]; then psql "$GPUFLEET_TEST_POSTGRES" -qc "DROP SCHEMA $schema CASCADE" || true; fi
}
trap cleanup EXIT
for _ in $(seq 1 120); do grep -q "listening on" "$out/gpufleetd.out" 2>/dev/null && break; sleep 0.5; done
grep -q "listening on" "$out/gpufleetd.out" || { cat "$out/gpufleetd.err" >&2; exit 1; }
for rep in $(seq 1 "$reps"); do
  "$build/bench/gpufleet_loadgen" --url "http://127.0.0.1:$port" --token-file "$out/admin-token" \
    --inventory --threads "$threads" --seconds "$seconds" --verify |
    tr -d '\n ' | sed "s/^{/{\"backend\":\"$backend\",\"rep\":$rep,/"
  echo
done
