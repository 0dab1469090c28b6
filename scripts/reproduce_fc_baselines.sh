#!/usr/bin/env bash
# Function-calling baselines (issue 14, item 7): the embedded SmolLM2-135M-Instruct and the
# committed AssetOps adapter (does internalizing one catalog cost general function calling?)
# on BFCL's non-live categories (fc_bfcl_nonlive), in both output formats.
#
#   bash scripts/reproduce_fc_baselines.sh [LABEL...]
#
# LABEL: base-python, base-json, adapter-python, adapter-json (default: all four).
# LIMIT docs per category (default 10: 50 per run, ~6 min each on 2 shared CPU cores) and
# MAX_TOKENS new tokens per answer (default 128; BFCL's ground-truth calls of these
# categories fit in it) keep the four runs within ~25 min; the full categories are
# LIMIT= (empty: 1,240 docs per run). lm-eval outputs with --log_samples go under
# out/fc_baselines/ (git-ignored: samples quote BFCL's questions); the results_*.json
# (no samples) are copied to results/runs/fc_baselines/LABEL/, which the leaderboard's
# function-calling table reads (toolplan leaderboard results/runs).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

LIMIT="${LIMIT-10}"
MAX_TOKENS="${MAX_TOKENS:-128}"
ADAPTER="${ADAPTER:-assetops-free-smollm2-r16}"
OUT=out/fc_baselines
RUNS=results/runs/fc_baselines

run() {
  local label=$1 model_args=$2 format=$3
  local limit_flag=()
  [ -n "$LIMIT" ] && limit_flag=(--limit "$LIMIT")
  toolplan eval --tasks fc_bfcl_nonlive --model_args "$model_args" \
    --metadata "fc_format=$format" --gen_kwargs "max_gen_toks=$MAX_TOKENS" \
    "${limit_flag[@]}" --output_path "$OUT/$label" --log_samples
  local newest
  newest=$(find "$OUT/$label" -name 'results_*.json' | sort | tail -n 1)
  python scripts/keep_results.py "$newest" "$RUNS/$label"
  echo "results: $RUNS/$label/$(basename "$newest")"
}

labels=("$@")
[ ${#labels[@]} -eq 0 ] && labels=(base-python base-json adapter-python adapter-json)
for label in "${labels[@]}"; do
  echo "== $label"
  case "$label" in
    base-python) run "$label" "pretrained=smollm2-135m,threads=1" python ;;
    base-json) run "$label" "pretrained=smollm2-135m,threads=1" json ;;
    adapter-python) run "$label" "pretrained=smollm2-135m,peft=./adapters/$ADAPTER,load_in_8bit=True,threads=1" python ;;
    adapter-json) run "$label" "pretrained=smollm2-135m,peft=./adapters/$ADAPTER,load_in_8bit=True,threads=1" json ;;
    *) echo "unknown label $label (base-python, base-json, adapter-python, adapter-json)" >&2
       exit 2 ;;
  esac
done
