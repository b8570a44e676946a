#!/usr/bin/env bash
# Plans the generated benchmark instances with two `gpufleet` binaries, seed by seed and
# alternating which runs first, and prints one markdown row per instance and binary: status,
# gap, how the plan was found and `gpufleet plan`'s own total seconds (rules, program, solve).
# The instances are written by the scaling bench (--write), so both binaries read the same
# files (docs/benchmarks.md, "Planner").
#
#   bench/planner/plan_compare.sh BASE_GPUFLEET NEW_GPUFLEET [MONTHS ...]
#   e.g. bench/planner/plan_compare.sh /tmp/base/gpufleet build/default/gpufleet 12 24
#
# Environment: SITES (20), SEEDS (10), SCALING (build/default/bench/gpufleet_planner_scaling).
set -euo pipefail
base=${1:?base gpufleet binary}
new=${2:?new gpufleet binary}
shift 2
months=("${@:-12}")
sites=${SITES:-20}
seeds=${SEEDS:-10}
scaling=${SCALING:-build/default/bench/gpufleet_planner_scaling}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

run() {  # binary label instance-dir months seed
  "$1" plan "$3/scenario.yaml" --format json | python3 -c '
import json, sys
p = json.load(sys.stdin)
print("| {} | {} | {} | {} | {:.3f} | {} | {:.2f} |".format(sys.argv[1], sys.argv[2], sys.argv[3],
      p["status"], p["gap_pct"], p.get("found_by", "cbc"), p["total_seconds"]))' "$4" "$5" "$2" |
    tee -a "$dir/rows"
}

echo "| months | seed | binary | status | gap % | found by | total s |"
echo "|---:|---:|---|---|---:|---|---:|"
for m in "${months[@]}"; do
  for ((seed = 1; seed <= seeds; ++seed)); do
    inst="$dir/m$m-s$seed"
    "$scaling" --months "$m" --sites "$sites" --first-seed "$seed" --seeds 1 --write "$inst" >/dev/null
    if ((seed % 2)); then
      run "$base" base "$inst" "$m" "$seed"
      run "$new" new "$inst" "$m" "$seed"
    else
      run "$new" new "$inst" "$m" "$seed"
      run "$base" base "$inst" "$m" "$seed"
    fi
  done
done

# Per horizon and binary: plans proven within 0.5% in under 2 s, median and max total, and the
# ratio of the medians (new / base).
python3 - "$dir/rows" <<'PY'
import statistics, sys
rows = [l.strip("|\n").split("|") for l in open(sys.argv[1])]
print("\n| months | binary | within 0.5% and 2 s | median total s | max total s | max gap % | median new/base |")
print("|---:|---|---:|---:|---:|---:|---:|")
for m in sorted({int(r[0]) for r in rows}):
    med = {}
    for b in ("base", "new"):
        sel = [r for r in rows if int(r[0]) == m and r[2].strip() == b]
        t = [float(r[6]) for r in sel]
        ok = sum(1 for r in sel if r[3].strip() == "optimal" and float(r[4]) < 0.5 and float(r[6]) < 2)
        med[b] = statistics.median(t)
        ratio = "{:.2f}".format(med["new"] / med["base"]) if b == "new" else ""
        print("| {} | {} | {} / {} | {:.2f} | {:.2f} | {:.3f} | {} |".format(
            m, b, ok, len(sel), med[b], max(t), max(float(r[4]) for r in sel), ratio))
PY
