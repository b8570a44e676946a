#!/usr/bin/env bash
# The FGD paper's saturation experiment on every shared openb pod-list variant, next to the
# paper's own per-run results (../shared/reference/fgd-expected). Prints the Markdown tables
# of docs/results-openb.md. Usage: bench/openb_results.sh [gpufleet binary] [seeds] [out dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/default/gpufleet}
SEEDS=${2:-10}
OUT=${3:-out/openb}
SHARED=${GPUFLEET_SHARED_DIR:-../shared}
DATA=$SHARED/data/alibaba-gpu-v2023
EXPECTED=$SHARED/reference/fgd-expected/analysis_allo_discrete.csv
if [[ ! -d $DATA ]]; then
  echo "skipped: $DATA not found (the Alibaba trace is not shared on this machine)" >&2
  exit 0
fi

# Published mean and sd of unallocated % at 100% arrived for one variant, per policy.
published() {  # $1 = variant file stem
  [[ -f $EXPECTED ]] || return 0
  awk -F, -v w="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "100") c = i; next }
    $1 == w {
      split($2, p, "-"); n[p[2]]++; v = 100 - $c; s[p[2]] += v; q[p[2]] += v * v
    }
    END { for (k in n) { m = s[k] / n[k]; sd = n[k] > 1 ? sqrt((q[k] - n[k] * m * m) / (n[k] - 1)) : 0
                         printf "%s %.2f %.2f %d\n", k, m, sd, n[k] } }' "$EXPECTED"
}

declare -A PAPER_NAME=([fgd]=FGD [bestfit]=BestFit [packing]=GpuPacking [clustering]=GpuClustering
                       [dotprod]=DotProd [random]=Random [firstfit]=-)
for pods in "$DATA"/openb_pod_list_*.csv; do
  variant=$(basename "$pods" .csv)
  start=$(date +%s.%N)
  "$BIN" simulate --nodes "$DATA/openb_node_list_gpu_node.csv" --pods "$pods" \
    --seeds "$SEEDS" --out "$OUT/$variant" >/dev/null 2>&1
  end=$(date +%s.%N)
  pub=$(published "$variant")
  echo
  echo "### ${variant#openb_pod_list_} ($SEEDS seeds, $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s for all runs)"
  echo
  echo "| policy | ours: unallocated % at 100% | ours: unallocated GPUs | ours: allocation % | paper: unallocated % | ours − paper (pp) |"
  echo "|---|---:|---:|---:|---:|---:|"
  tail -n +2 "$OUT/$variant/summary.csv" | sort -t, -k5,5g | while IFS=, read -r pol n am asd um usd gm gsd rest; do
    name=${PAPER_NAME[$pol]:-$pol}
    line=$(grep "^$name " <<<"$pub" || true)
    if [[ -n $line ]]; then
      read -r _ pm psd _ <<<"$line"
      paper="$pm ± $psd"; diff=$(awk -v a="$um" -v b="$pm" 'BEGIN{printf "%+.2f", a-b}')
    else
      paper="—"; diff="—"
    fi
    printf "| %s | %.2f ± %.2f | %.1f ± %.1f | %.2f ± %.2f | %s | %s |\n" \
      "$pol" "$um" "$usd" "$gm" "$gsd" "$am" "$asd" "$paper" "$diff"
  done
done
