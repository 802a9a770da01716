#!/usr/bin/env bash
# How simulate's defaults (rounds × local epochs, learning rate) were chosen: on validation AUC only.
#
# Runs `swarm simulate` on the default hospital split for each configuration below at sweep seeds that are not
# the seeds results are reported at (101, 102; reports use 1, 2, 3), without personalization (it does not change
# the selected models), and prints the mean validation AUC of each method's selected model. The test split is
# scored by every run, as simulate always does, but this script never prints or reads it.
#
#   scripts/simulate-sweep.sh [OUT]      (default OUT: reports/sweep-<UTC time>)
#   SWEEP="5:0.001 8:0.001" scripts/simulate-sweep.sh   # other configurations, ROUNDS:LR each
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
swarm="${SWARM_BIN:-$root/swarm}"   # another build of the command (e.g. a copy, while this tree is being rebuilt)
out="${1:-$root/reports/sweep-$(date -u +%Y%m%d-%H%M%S)}"
configurations="${SWEEP:-3:0.001 5:0.001 8:0.001 5:0.0003 5:0.003}"
seeds="${SWEEP_SEEDS:-101,102}"
mkdir -p "$out"
printf '%-8s %-8s %s\n' rounds lr "validation AUC (mean over seeds $seeds): swarm | centralized | local-only mean"
for configuration in $configurations; do
  rounds="${configuration%%:*}"
  lr="${configuration##*:}"
  folder="$out/rounds-$rounds-lr-$lr"
  "$swarm" simulate --quiet --seeds "$seeds" --rounds "$rounds" --lr "$lr" --personalization-epochs 0 --out "$folder" >"$folder.log" 2>&1 \
    || echo "swarm simulate failed (exit $?), see $folder.log" >&2
  # The last row of the report's validation table is the mean over seeds.
  mean="$(sed -n '/^## Validation AUC/,/^## Wall time/p' "$folder/report.md" | grep '^| mean |' || true)"
  printf '%-8s %-8s %s\n' "$rounds" "$lr" "${mean:-(no result: see $folder.log)}"
done
