#!/usr/bin/env bash
# Inclusion proofs from a large inventory log (docs/benchmarks.md, "Ledger: proofs from a
# 10,000,000-entry log in the store"): grows a SQLite store's log to ENTRIES entries with
# gpufleet_ledger_store and times proofs in-process (warm page cache), then starts gpufleetd on
# that store (which replays and checks the whole log) and times proofs through the API with
# `gpufleet_loadgen --proofs` (one connection, one request at a time), REPS runs of SECONDS.
#
#   bench/ledger_proof_bench.sh [entries] [reps] [seconds]
#
# Environment: DIR (default out/bench-ledger-proofs; an existing store there is grown, not
# rebuilt), BUILD_DIR (default build/default), PORT (default 18184).
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000000}
reps=${2:-3}
seconds=${3:-10}
build=${BUILD_DIR:-build/default}
dir=${DIR:-out/bench-ledger-proofs}
port=${PORT:-18184}
mkdir -p "$dir"
"$build/bench/gpufleet_ledger_store" --store "$dir/gpufleet.db" --entries "$entries" \
  --proofs 20000 --reps "$reps"
du -sh "$dir/gpufleet.db"

rm -f "$dir/admin-token"
"$build/gpufleet" admin rotate-token --store "$dir/gpufleet.db" --token-file "$dir/admin-token" \
  >/dev/null
began=$(date +%s.%N)
"$build/gpufleetd" --store "$dir/gpufleet.db" --port "$port" --no-scheduler \
  >"$dir/gpufleetd.out" 2>"$dir/gpufleetd.err" &
daemon=$!
trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true' EXIT
until grep -q "listening on" "$dir/gpufleetd.out" 2>/dev/null; do
  kill -0 "$daemon" 2>/dev/null || { cat "$dir/gpufleetd.err" >&2; exit 1; }
  sleep 0.5
done
echo "{\"gpufleetd_start_s\":$(echo "$(date +%s.%N) - $began" | bc),\"rss_kb\":$(ps -o rss= -p "$daemon")}"
for rep in $(seq 1 "$reps"); do
  "$build/bench/gpufleet_loadgen" --url "http://127.0.0.1:$port" --token-file "$dir/admin-token" \
    --proofs --threads 1 --seconds "$seconds" --seed "$rep" |
    tr -d '\n ' | sed "s/^{/{\"rep\":$rep,/"
  echo
done
