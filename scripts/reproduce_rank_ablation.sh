#!/usr/bin/env bash
# Rank ablation (issue 7): the fidelity recipe at LoRA r = 4, 8, 16, 32 (alpha = 2r, the
# same data and settings) on a shorter budget of $STEPS optimizer steps (default 40, i.e.
# ~9 min of training per rank on 2 CPU cores instead of the committed adapter's 130 steps
# / 29 min), each evaluated on assetops_free_test30 (planning) and forget_probe
# (retention vs the 8-bit base), then results/rank_ablation.md and results/rank_ablation.png.
#
#   ASSETOPSBENCH_DIR=../shared/data/assetopsbench bash scripts/reproduce_rank_ablation.sh [RANK...]
#
# Per rank on 2 CPU cores: ~9 min training, ~5 min planning eval, ~1 min forget_probe.
# Adapters go to out/rank_ablation/assetops-free-smollm2-r<r>-s<steps>/ (git-ignored; an
# adapter already there is reused, not retrained); their training logs, sizes and lm-eval
# results (no samples) go to results/runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASSETOPSBENCH_DIR="${ASSETOPSBENCH_DIR:-$(cd .. && pwd)/shared/data/assetopsbench}"
export HF_DATASETS_OFFLINE="${HF_DATASETS_OFFLINE:-1}"  # forget_probe's hub parts: skip fast

STEPS="${STEPS:-40}"
ABL=out/rank_ablation
RUNS=results/runs

# evaluate OUT_DIR TASKS MODEL_ARGS: one lm-eval run; copy its results file into OUT_DIR.
evaluate() {
  local dest=$1 tasks=$2 model_args=$3 tmp
  tmp="out/rank_ablation_runs/$dest"
  toolplan eval --tasks "$tasks" --model_args "$model_args" --output_path "$tmp"
  mkdir -p "$RUNS/$dest"
  cp "$(find "$tmp" -name 'results_*.json' | sort | tail -n 1)" "$RUNS/$dest/"
}

# The 8-bit base on forget_probe, so retention compares like with like.
if ! ls "$RUNS/forget_probe/base-8bit"/results_*.json >/dev/null 2>&1; then
  evaluate forget_probe/base-8bit forget_probe "pretrained=smollm2-135m,load_in_8bit=True"
fi

ranks=("$@")
[ ${#ranks[@]} -eq 0 ] && ranks=(4 8 16 32)
[ -f data/fidelity-sft/train.jsonl ] || bash scripts/reproduce_fidelity.sh data
for r in "${ranks[@]}"; do
  name="assetops-free-smollm2-r$r-s$STEPS"
  dir="./$ABL/$name"
  if [ ! -f "$dir/adapter_model.safetensors" ]; then
    RANK=$r STEPS=$STEPS OUT="$dir" bash scripts/reproduce_fidelity.sh train
  fi
  python scripts/rank_ablation.py collect --adapter "$dir"
  if ! ls "$RUNS/rank_ablation/$name/planning"/results_*.json >/dev/null 2>&1; then
    evaluate "rank_ablation/$name/planning" assetops_free_test30 \
      "pretrained=smollm2-135m,peft=$dir,load_in_8bit=True"
  fi
  if ! ls "$RUNS/forget_probe/$name"/results_*.json >/dev/null 2>&1; then
    evaluate "forget_probe/$name" forget_probe "pretrained=smollm2-135m,peft=$dir,load_in_8bit=True"
  fi
done
python scripts/rank_ablation.py report
