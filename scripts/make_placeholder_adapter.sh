#!/usr/bin/env bash
# Remake adapters/placeholder-smollm2-r8, the small LoRA the tests and CI check against,
# with the project's own two commands: `toolplan train` on the hand-written fixture
# adapters/placeholder-smollm2-r8/train.jsonl (53 question→plan examples, invented assets,
# the description-free system turn; no benchmark text), then `toolplan check --record`,
# which re-measures the metrics listed in its baseline.json with the baseline's settings.
#
#   ASSETOPSBENCH_DIR=../shared/data/assetopsbench bash scripts/make_placeholder_adapter.sh
#
# ~5 min of training + ~1 min of evaluation on 2 CPU cores. The fixture's questions are
# checked against every scenario text (difflib ratio <= 0.8) by
# tests/adapters/test_committed_adapters.py.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASSETOPSBENCH_DIR="${ASSETOPSBENCH_DIR:-$(cd .. && pwd)/shared/data/assetopsbench}"
DIR=adapters/placeholder-smollm2-r8

toolplan train --base smollm2-135m --data "$DIR/train.jsonl" --out "$DIR" --quantization none \
  --r 8 --alpha 16 --dropout 0.05 --target-modules q_proj,v_proj,o_proj \
  --lr 2e-3 --epochs 3 --warmup-ratio 0.05 --batch-size 2 --grad-accum 1 --max-seq-len 512 \
  --save-steps 1000 --logging-steps 5 --seed 42 --device cpu --threads "${THREADS:-2}" \
  --overwrite --kind placeholder \
  --description "Briefly trained stand-in LoRA for the CI regression check: plan format and a few tool names, learnt from $DIR/train.jsonl."
rm -rf "$DIR/checkpoints"
toolplan check "$DIR" --record
