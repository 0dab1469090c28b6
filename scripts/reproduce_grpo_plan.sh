#!/usr/bin/env bash
# GRPO experiment (b) of results/grpo.md: planning on AssetOpsBench with plan_reward, on the
# embedded model, CPU, one torch thread.
#
#   ASSETOPSBENCH_DIR=../shared/data/assetopsbench bash scripts/reproduce_grpo_plan.sh [STAGE...]
#
# Three models, all over the 8-bit base the committed SFT adapter was trained on:
#   SFT         adapters/assetops-free-smollm2-r16 (the committed adapter, 130 SFT steps)
#   SFT → GRPO  --init the SFT adapter, plan_reward (0.125 format + 0.875 AT-F1), GRPO_STEPS
#               steps of one training-scenario prompt × 4 completions (<= 256 tokens),
#               lr 1e-4, beta 0.04 (KL to the SFT adapter), a checkpoint every SAVE_STEPS
#   GRPO        a fresh LoRA (the cpu profile: r 8 on q/k/v/o) from the base, the same reward
#               and prompts, BASE_GRPO_STEPS steps
# Prompts: `--data assetops` = training scenario ids only; test30 ids and their text twins
# are held out (harness_ext.training.grpo_data.plan_prompt_set).
#
# STAGE (default: sft-grpo base-grpo eval report):
#   sft-grpo, base-grpo   the two GRPO runs (adapters under $WORK, git-ignored)
#   eval                  assetops_free_test30 (batch 1, the task's 512-token cap, as the
#                         committed adapter's own row, results/runs/fidelity_test30, which
#                         is the SFT row and step 0) for every SFT → GRPO checkpoint and the
#                         final adapters, and forget_mmlu_cloze
#                         --limit 10 (570 questions) for the SFT and final adapters; a run
#                         already under $RUNS is not repeated
#   report                tables and plot of results/grpo.md (scripts/grpo_report.py --plan)
# Results (no samples: they quote AssetOpsBench's texts) go to $RUNS/<label>/.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASSETOPSBENCH_DIR="${ASSETOPSBENCH_DIR:-$(cd .. && pwd)/shared/data/assetopsbench}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export HF_DATASETS_OFFLINE="${HF_DATASETS_OFFLINE:-1}"

GRPO_STEPS=${GRPO_STEPS:-8}
SAVE_STEPS=${SAVE_STEPS:-4}
BASE_GRPO_STEPS=${BASE_GRPO_STEPS:-4}
WORK=${WORK:-out/grpo_plan}
RUNS=${RUNS:-results/runs/grpo_plan}
SFT=adapters/assetops-free-smollm2-r16
COMMON=(--method grpo --base smollm2-135m --quantization 8bit --data assetops --reward plan
        --profile cpu --threads 1 --seed 42 --num-generations 4 --batch-size 4 --overwrite)

# evaluate LABEL TASK MODEL_ARGS [FLAG...]: one lm-eval run unless $RUNS/LABEL/TASK has one.
evaluate() {
  local label=$1 task=$2 model_args=$3 dest
  shift 3
  dest="$RUNS/$label/$task"
  if ls "$dest"/results_*.json >/dev/null 2>&1; then
    echo "== $label $task: already measured"
    return
  fi
  nice -n 5 toolplan eval --tasks "$task" --model_args "$model_args,threads=1" --batch_size 1 \
    --output_path "$WORK/eval/$label/$task" "$@"
  python scripts/keep_results.py \
    "$(find "$WORK/eval/$label/$task" -name 'results_*.json' | sort | tail -n 1)" "$dest"
}

# A checkpoint as an adapter folder named after its step (lm-eval names the run by it).
checkpoint_adapter() {  # checkpoint_adapter RUN STEP -> prints the folder
  local run=$1 step=$2 dir="$WORK/$(basename "$1")-step$2"
  mkdir -p "$dir"
  cp "$run/checkpoints/checkpoint-$step"/adapter_{config.json,model.safetensors} "$dir/"
  echo "$dir"
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(sft-grpo base-grpo eval report)
for stage in "${stages[@]}"; do
  echo "== $stage"
  case "$stage" in
    sft-grpo)
      nice -n 5 toolplan train "${COMMON[@]}" --init "$SFT" --out "$WORK/assetops-sft-grpo" \
        --max-steps "$GRPO_STEPS" --save-steps "$SAVE_STEPS"
      mkdir -p "$RUNS"
      cp "$WORK/assetops-sft-grpo/training_log.json" "$RUNS/sft_grpo_training_log.json"
      cp "$WORK/assetops-sft-grpo/manifest.yaml" "$RUNS/sft_grpo_manifest.yaml" ;;
    base-grpo)
      nice -n 5 toolplan train "${COMMON[@]}" --out "$WORK/assetops-grpo" \
        --max-steps "$BASE_GRPO_STEPS" --save-steps "$BASE_GRPO_STEPS"
      mkdir -p "$RUNS"
      cp "$WORK/assetops-grpo/training_log.json" "$RUNS/grpo_training_log.json"
      cp "$WORK/assetops-grpo/manifest.yaml" "$RUNS/grpo_manifest.yaml" ;;
    eval)
      base="pretrained=smollm2-135m,load_in_8bit=True"
      evaluate assetops-sft-grpo assetops_free_test30 "$base,peft=./$WORK/assetops-sft-grpo"
      for ((step = SAVE_STEPS; step < GRPO_STEPS; step += SAVE_STEPS)); do
        dir=$(checkpoint_adapter "$WORK/assetops-sft-grpo" "$step")
        evaluate "$(basename "$dir")" assetops_free_test30 "$base,peft=./$dir"
      done
      evaluate assetops-sft-grpo forget_mmlu_cloze "$base,peft=./$WORK/assetops-sft-grpo" --limit 10
      evaluate assetops-free-smollm2-r16 forget_mmlu_cloze "$base,peft=./$SFT" --limit 10
      if [ "${EVAL_BASE_GRPO:-1}" = 1 ]; then
        evaluate assetops-grpo assetops_free_test30 "$base,peft=./$WORK/assetops-grpo"
        evaluate assetops-grpo forget_mmlu_cloze "$base,peft=./$WORK/assetops-grpo" --limit 10
      fi ;;
    report) python scripts/grpo_report.py --plan "$RUNS" ;;
    *) echo "unknown stage $stage" >&2; exit 2 ;;
  esac
done
