#!/usr/bin/env bash
# Reproduce the α-UMi experiment (issue 16, results/agents.md): single-LLM backbone vs the
# three-role agent (planner, caller, summarizer LoRAs on one base) at equal total training
# steps, on the embedded SmolLM2-135M-Instruct, held-out BFCL multi-turn task ids only.
#
#   bash scripts/reproduce_agents.sh [STAGE...]
#
# STAGE: data, train-single, train-roles, eval-single, eval-multi, eval-fixture, table
# (default: all).
#
# Budget (2 CPU cores shared with other jobs; one torch thread per process):
# * training: STEPS optimizer steps of BATCH examples per system. The single LLM trains the
#   backbone STEPS steps; the agent is GLPFT's two stages at the same total: the backbone's
#   checkpoint at STEPS/2 (the same run, so stage 1 costs nothing extra) and then
#   STEPS/6 steps for each role adapter, each started from that checkpoint (--init).
#   Warmup is 0: with warmup, a run of a few steps takes its first step at learning rate 0,
#   and a one-step role adapter would equal its init (the report checks that it does not).
# * evaluation: agent_bfcl_steps on STATIC samples and agent_bfcl_multi_turn_base on
#   EPISODES tasks, with MAX_STEPS planner steps per turn; eval-fixture reruns the three
#   roles on those tasks with FIXTURE_STEPS steps per turn, for the test fixture only.
# * defaults (STEPS=6 BATCH=2 STATIC=8 EPISODES=5 MAX_STEPS=1) fit well inside a budget of
#   35 CPU-minutes for training and evaluation (~1 h wall beside 4-8 other model
#   processes); results/agents.md has the measured times.
#
# Outputs: data and adapters under out/agents/ (git-ignored: the data quotes BFCL texts),
# lm-eval outputs with --log_samples under out/agents/runs/, copies of the results_*.json
# (no samples) under results/runs/agents/, the embedded model's end-to-end calls in
# tests/agents/fixtures/model_calls.json (the differential test replays them through
# bfcl-eval's checker), and results/agents.md + results/agents.png.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE

OUT="${OUT:-out/agents}"
RUNS=results/runs/agents
STEPS="${STEPS:-6}"
BATCH="${BATCH:-2}"
STATIC="${STATIC:-8}"
EPISODES="${EPISODES:-5}"
MAX_STEPS="${MAX_STEPS:-1}"
FIXTURE_STEPS="${FIXTURE_STEPS:-3}"
HALF=$((STEPS / 2))
ROLE_STEPS=$(((STEPS - HALF) / 3))
TRAIN=(--base smollm2-135m --quantization none --r 16 --alpha 32 --dropout 0.05
  --target-modules all-linear --lr 2e-3 --warmup-ratio 0 --weight-decay 0.01 --batch-size "$BATCH"
  --grad-accum 1 --max-seq-len 1280 --eval-steps 1000 --logging-steps 1 --seed 42
  --threads 1 --overwrite)

roles_args="pretrained=smollm2-135m,planner=$OUT/planner,caller=$OUT/caller,summarizer=$OUT/summarizer"
single_args="pretrained=smollm2-135m,backbone=$OUT/single"

# evaluate LABEL MODEL_ARGS: the static and the end-to-end task, results copied to $RUNS/LABEL.
evaluate() {
  local label=$1 args=$2
  mkdir -p "$RUNS/$label"
  for spec in "agent_bfcl_steps:$STATIC" "agent_bfcl_multi_turn_base:$EPISODES"; do
    local task=${spec%%:*} limit=${spec##*:}
    lm_eval --model toolplan-agent --device cpu --batch_size 8 --tasks "$task" \
      --model_args "$args,max_steps_per_turn=$MAX_STEPS" --limit "$limit" \
      --output_path "$OUT/runs/$label/$task" --log_samples
    python scripts/keep_results.py \
      "$(find "$OUT/runs/$label/$task" -name 'results_*.json' | sort | tail -n 1)" \
      "$RUNS/$label/results_$task.json"
  done
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(data train-single train-roles eval-single eval-multi eval-fixture table)
for stage in "${stages[@]}"; do
  echo "== $stage"
  case "$stage" in
    data) toolplan build-data --family agent --eval-fraction 0.01 --seed 42 --out "$OUT/data" ;;
    train-single)
      toolplan train "${TRAIN[@]}" --data "$OUT/data" --stage backbone --max-steps "$STEPS" \
        --save-steps "$HALF" --out "$OUT/single" \
        --description "alpha-UMi single-LLM backbone, $STEPS steps (scripts/reproduce_agents.sh)" ;;
    train-roles)
      # A train-only view of the data (links to the same files): a role run then skips the
      # end-of-run eval loss, which costs more CPU than its one or two steps.
      for role in planner caller summarizer; do
        mkdir -p "$OUT/data-train/$role"
        ln -sf "$(realpath "$OUT/data/$role/train.jsonl")" "$OUT/data-train/$role/train.jsonl"
      done
      for role in planner caller summarizer; do
        toolplan train "${TRAIN[@]}" --data "$OUT/data-train" --stage "$role" --max-steps "$ROLE_STEPS" \
          --save-steps 1000 --init "$OUT/single/checkpoints/checkpoint-$HALF" --out "$OUT/$role" \
          --description "alpha-UMi $role: backbone step $HALF + $ROLE_STEPS steps (scripts/reproduce_agents.sh)"
      done ;;
    eval-single) evaluate single "$single_args" ;;
    eval-multi) evaluate multi "$roles_args" ;;
    eval-fixture)
      # Not in the table: the three roles again on the same tasks with FIXTURE_STEPS planner
      # steps per turn, for more of the model's own calls in the differential test's fixture
      # (at MAX_STEPS=1 the 135M agent's first steps decode to no valid call).
      lm_eval --model toolplan-agent --device cpu --batch_size 8 --tasks agent_bfcl_multi_turn_base \
        --model_args "$roles_args,max_steps_per_turn=$FIXTURE_STEPS" --limit "$EPISODES" \
        --output_path "$OUT/runs/multi-${FIXTURE_STEPS}steps/agent_bfcl_multi_turn_base" --log_samples ;;
    table) python benchmarks/bench_agent.py report --runs "$RUNS" --samples "$OUT/runs" \
      --adapters "$OUT" --out results ;;
    *) echo "unknown stage $stage (data, train-single, train-roles, eval-single, eval-multi, eval-fixture, table)" >&2
       exit 2 ;;
  esac
done
