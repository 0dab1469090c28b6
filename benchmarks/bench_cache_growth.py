"""User and system CPU of static vs continuous batching on the informed (long-prompt) task.

    OMP_WAIT_POLICY=PASSIVE nice -n 5 python benchmarks/bench_cache_growth.py \\
      [--rows 16] [--batch 16] [--max-new-tokens 128] [--task assetops_informed_test30]

Checks where the system time of a static batched run goes: transformers' ``DynamicCache``
grows every layer by ``torch.cat`` at each step, a fresh allocation of the whole cache
(rows × context × layers), which the kernel page-faults in; continuous batching
(``harness_ext.models.continuous``) writes each step in place. One process, one model
load, a short warm-up, then ``toolplan-hf`` through ``lm_eval.simple_evaluate`` on the
same scenarios with ``continuous=False`` and then the default. Prints one JSON line per
route (tokens, wall, CPU and system seconds of this process) and whether the answers are
the same. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_generation  # sets the offline and OpenMP defaults first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--task", default="assetops_informed_test30")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    lm = ToolplanHFLM(pretrained="smollm2-135m", device="cpu", threads=args.threads, batch_size=1)
    bench_generation.run_ours(lm, args.task, 1, 1, 4)  # warm-up
    answers = {}
    for continuous in (False, True):
        r = bench_generation.run_ours(
            lm, args.task, args.rows, args.batch, args.max_new_tokens, continuous=continuous
        )
        answers[continuous] = r["answers"]
        record = {
            "route": "continuous" if continuous else "static",
            "task": args.task,
            "rows": args.rows,
            "batch": args.batch,
            "max_new_tokens": args.max_new_tokens,
            "tokens": r["tokens"],
            "wall_s": round(r["wall_s"], 1),
            "cpu_s": round(r["cpu_s"], 1),
            "sys_s": round(r["sys_s"], 1),
            "tok_cpu_s": round(r["tokens"] / r["cpu_s"], 2),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(record), flush=True)
    print("same answers:", answers[False] == answers[True])


if __name__ == "__main__":
    main()
