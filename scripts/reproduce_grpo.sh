#!/usr/bin/env bash
# GRPO experiment (a) of results/grpo.md on the embedded model, CPU, one torch thread:
# base vs a format warm-up SFT (adapters trained on live_simple canonical answers) vs
# warm-up -> GRPO (function_call reward), scored on held-out non-live BFCL categories.
# Usage: scripts/reproduce_grpo.sh [OUT_DIR [STAGE...]]   (default results/runs/grpo, all stages)
# STAGE: data warmup grpo eval report. Knobs (env): LIMIT (eval samples per task, 15),
# WARMUP_STEPS (30), GRPO_STEPS (4), MAX_GEN (eval max_gen_toks, 96), EVAL_TASKS
# ("fc_bfcl_simple fc_bfcl_irrelevance"; the multiple/parallel rows of results/grpo.md:
# EVAL_TASKS="fc_bfcl_multiple fc_bfcl_parallel"), GRPO_ADAPTER (the GRPO adapter to
# evaluate; default the one the grpo stage writes, adapters/fc-warmup-grpo is that run).
# The defaults are the run of results/grpo.md.
set -euo pipefail
OUT=${1:-results/runs/grpo}
shift || true
STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(data warmup grpo eval report)
want() { [[ " ${STAGES[*]} " == *" $1 "* ]]; }
EVAL_TASKS=${EVAL_TASKS:-fc_bfcl_simple fc_bfcl_irrelevance}
LIMIT=${LIMIT:-15}
WARMUP_STEPS=${WARMUP_STEPS:-30}
GRPO_STEPS=${GRPO_STEPS:-4}
MAX_GEN=${MAX_GEN:-96}
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
WORK=${WORK:-data/grpo}   # warm-up data and adapters: quote BFCL prompts, git-ignored
mkdir -p "$OUT" "$WORK" && printf "*\n" > "$WORK/.gitignore"

# 1. Format warm-up data: live_simple prompts (training categories) with their shortest
#    right answer as a <tool_call> block; 64 prompts, seed 42.
want data && python - "$WORK/warmup" <<'PY'
import sys
from harness_ext.training.grpo_data import load_prompt_set, parse_source, sample_rows, PromptSet, write_warmup_data
from harness_ext.fc.prompts import tokenizer_template
from transformers import AutoTokenizer
from harness_ext.models.embedded import embedded_model_path
tok = AutoTokenizer.from_pretrained(str(embedded_model_path()))
ps = load_prompt_set(parse_source("bfcl:live_simple"), "json", tokenizer_template(tok))
rows = sample_rows(ps.rows, 64, 7)
print(write_warmup_data(PromptSet(ps.source, tuple(rows)), sys.argv[1]))
PY

COMMON=(--base smollm2-135m --quantization none --device cpu --threads 1 --seed 42)
# 2. Warm-up SFT (kind internalization; r=8 on q/k/v/o like the GRPO cpu profile).
want warmup && nice -n 5 toolplan train "${COMMON[@]}" --data "$WORK/warmup/train.jsonl" --out "$WORK/fc-warmup-r8" \
  --r 8 --alpha 16 --target-modules q_proj,k_proj,v_proj,o_proj --lr 1e-3 --max-steps "$WARMUP_STEPS" \
  --max-seq-len 768 --batch-size 1 --grad-accum 1 --save-steps 1000 --eval-steps 1000 --logging-steps 5 \
  --warmup-ratio 0.05 --overwrite
want warmup && cp "$WORK/fc-warmup-r8/training_log.json" "$OUT/warmup_training_log.json"

# 3. GRPO from the warm-up (kind sft+grpo), cpu profile, live_simple prompts, 4 generations
#    of at most 64 tokens per step.
if want grpo; then
  nice -n 5 toolplan train --method grpo "${COMMON[@]}" --data bfcl:live_simple \
    --init "$WORK/fc-warmup-r8" --out "$WORK/fc-warmup-grpo" --max-steps "$GRPO_STEPS" \
    --num-generations 4 --batch-size 4 --max-completion-length 64 --save-steps 2 --overwrite
  cp "$WORK/fc-warmup-grpo/training_log.json" "$OUT/grpo_training_log.json"
  cp "$WORK/fc-warmup-grpo/manifest.yaml" "$OUT/grpo_manifest.yaml"
fi

# 4. Held-out evaluation (non-live categories, JSON format), greedy, max_gen_toks MAX_GEN.
#    Each run's results file joins the model's folder (grpo_report.py merges them by task).
GRPO_ADAPTER=${GRPO_ADAPTER:-$WORK/fc-warmup-grpo}
want eval && for name in base fc-warmup-r8 fc-warmup-grpo; do
  args="pretrained=smollm2-135m,threads=1"
  [ "$name" = fc-warmup-r8 ] && args="$args,peft=$WORK/$name"
  [ "$name" = fc-warmup-grpo ] && args="$args,peft=$GRPO_ADAPTER"
  # shellcheck disable=SC2086  # EVAL_TASKS is a list of task names
  nice -n 5 toolplan eval --model toolplan-hf --model_args "$args" --device cpu \
    --tasks $EVAL_TASKS --metadata fc_format=json --limit "$LIMIT" \
    --batch_size 8 --gen_kwargs "max_gen_toks=$MAX_GEN" --output_path "$OUT/eval_$name" --log_samples
done
want eval && python scripts/keep_results.py --in-place "$OUT"   # no checkout path in them
want report && python scripts/grpo_report.py "$OUT"   # tables of results/grpo.md, results/grpo.png
true
