#!/usr/bin/env bash
# Rank ablation (issue 7): the fidelity recipe at LoRA r = 4, 8, 16, 32 (alpha = 2r, the
# same data and settings) on a shorter budget of $STEPS optimizer steps (default 40, i.e.
# ~9 min of training per rank on 2 CPU cores instead of the committed adapter's 130 steps
# / 29 min), each evaluated on assetops_free_test30 (planning) and on three forgetting
# suites — forget_probe (40 MMLU questions), forget_mmlu and forget_mmlu_cloze with
# --limit 10 (10 per subject, 570 questions) — for retention vs the 8-bit base; then
# results/rank_ablation.md and results/rank_ablation.png.
#
#   ASSETOPSBENCH_DIR=../shared/data/assetopsbench bash scripts/reproduce_rank_ablation.sh [RANK...]
#
# Per rank on 2 CPU cores: ~9 min training, ~5 min planning eval, ~6 min forgetting.
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

# evaluate DEST TASKS MODEL_ARGS [LM_EVAL_FLAG...]: one lm-eval run, unless $RUNS/DEST
# already holds a results file; copy its results file (no samples) into $RUNS/DEST.
evaluate() {
  local dest=$1 tasks=$2 model_args=$3 tmp
  shift 3
  if ls "$RUNS/$dest"/results_*.json >/dev/null 2>&1; then
    echo "== $dest: already measured"
    return
  fi
  tmp="out/rank_ablation_runs/$dest"
  toolplan eval --tasks "$tasks" --model_args "$model_args" --output_path "$tmp" "$@"
  mkdir -p "$RUNS/$dest"
  cp "$(find "$tmp" -name 'results_*.json' | sort | tail -n 1)" "$RUNS/$dest/"
}

# forgetting LABEL MODEL_ARGS: the three forgetting suites.
forgetting() {
  evaluate "forget_probe/$1" forget_probe "$2"
  evaluate "forget_mmlu10/$1" forget_mmlu "$2" --limit 10
  evaluate "forget_mmlu_cloze10/$1" forget_mmlu_cloze "$2" --limit 10
}

# The 8-bit base, so retention compares like with like.
forgetting base-8bit "pretrained=smollm2-135m,load_in_8bit=True"

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
  model_args="pretrained=smollm2-135m,peft=$dir,load_in_8bit=True"
  evaluate "rank_ablation/$name/planning" assetops_free_test30 "$model_args"
  forgetting "$name" "$model_args"
done
# The committed 130-step adapter's forgetting, for the leaderboard.
forgetting assetops-free-smollm2-r16 \
  "pretrained=smollm2-135m,peft=./adapters/assetops-free-smollm2-r16,load_in_8bit=True"
python scripts/rank_ablation.py report
