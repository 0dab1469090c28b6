#!/usr/bin/env bash
# Reproduce the fidelity run (issue 7): build the training data, train the committed
# adapter with the exact recipe, evaluate the three conditions on the paper's 30
# held-out scenarios, and regenerate results/fidelity_test30.md.
#
#   ASSETOPSBENCH_DIR=../shared/data/assetopsbench bash scripts/reproduce_fidelity.sh [STAGE...]
#
# STAGE: data, train, eval-ft, eval-ft-twinfree, eval-base, eval-ft-informed, table
# (default: all of them, in that order). On 2 CPU cores: data 2 s, train ~30 min, eval-ft
# ~5 min, eval-ft-twinfree ~3 min (the 15 held-out ids without a training twin),
# eval-base ~30 min (the untuned model writes up to 512 tokens per question),
# eval-ft-informed ~10 min. `train` overwrites adapters/$NAME (git shows whether the new weights differ).
#
# Outputs: data/fidelity-sft/ (git-ignored: it quotes scenario texts), adapters/$NAME/,
# lm-eval outputs with --log_samples under out/fidelity_test30/ (git-ignored: samples hold
# the benchmark questions), and copies of the results_*.json files (no samples) under
# results/runs/fidelity_test30/, which the table and the leaderboard read.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASSETOPSBENCH_DIR="${ASSETOPSBENCH_DIR:-$(cd .. && pwd)/shared/data/assetopsbench}"

NAME="${NAME:-assetops-free-smollm2-r16}"
DATA=data/fidelity-sft
SAMPLES=out/fidelity_test30
RUNS=results/runs/fidelity_test30
# The recipe (see adapters/$NAME/README.md for why each value). RANK/ALPHA/OUT/STEPS let
# scripts/reproduce_rank_ablation.sh reuse it unchanged for other ranks and budgets.
RANK="${RANK:-16}"
ALPHA="${ALPHA:-$((2 * RANK))}"
OUT="${OUT:-adapters/$NAME}"
STEPS="${STEPS:-130}"
LR=4e-3

build_data() {
  toolplan build-data --catalog assetops_23 --out "$DATA" --seed 42 \
    --family-size question_plan=1300 --family-size tool_knowledge=200 \
    --family-size execution=0 --eval-fraction 0.03 --decontaminate-against test30
}

train() {
  toolplan train --base smollm2-135m --data "$DATA" --out "$OUT" --quantization 8bit \
    --r "$RANK" --alpha "$ALPHA" --dropout 0.05 --target-modules all-linear \
    --lr "$LR" --warmup-ratio 0.05 --weight-decay 0.01 --max-steps "$STEPS" \
    --batch-size 1 --grad-accum 4 --max-seq-len 1024 --save-steps $((STEPS / 2)) --eval-steps $((STEPS / 2)) \
    --logging-steps 5 --seed 42 --threads 2 --overwrite \
    --description "Description-free AssetOpsBench planner: LoRA r=$RANK on an 8-bit SmolLM2-135M-Instruct, $STEPS steps of the fidelity recipe (scripts/reproduce_fidelity.sh)."
}

# evaluate LABEL TASKS [MODEL_ARGS]: one lm-eval run, results copied into $RUNS/LABEL.
evaluate() {
  local label=$1 tasks=$2 model_args=${3:-pretrained=smollm2-135m}
  toolplan eval --tasks "$tasks" --model_args "$model_args" \
    --output_path "$SAMPLES/$label" --log_samples
  local newest
  newest=$(find "$SAMPLES/$label" -name 'results_*.json' | sort | tail -n 1)
  python scripts/keep_results.py "$newest" "$RUNS/$label"
  echo "results: $RUNS/$label/$(basename "$newest")"
}

ft_args="pretrained=smollm2-135m,peft=./adapters/$NAME,load_in_8bit=True"
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(data train eval-ft eval-ft-twinfree eval-base eval-ft-informed table)
for stage in "${stages[@]}"; do
  echo "== $stage"
  case "$stage" in
    data) build_data ;;
    train) train ;;
    eval-ft) evaluate "$NAME" assetops_free_test30 "$ft_args" ;;
    eval-ft-twinfree) evaluate "$NAME-twinfree" assetops_free_test30_twinfree "$ft_args" ;;
    eval-base) evaluate base assetops_test30 ;;
    eval-ft-informed) evaluate "$NAME-informed" assetops_informed_test30 "$ft_args" ;;
    table) python scripts/fidelity_table.py --runs "$RUNS" --adapter "$NAME" --samples "$SAMPLES" ;;
    *) echo "unknown stage $stage (data, train, eval-ft, eval-ft-twinfree, eval-base, eval-ft-informed, table)" >&2
       exit 2 ;;
  esac
done
