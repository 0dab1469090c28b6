"""Seconds per optimizer step of ``toolplan train`` with an fp32, 8-bit and 4-bit base.

    python benchmarks/bench_train_step.py [--seq 512] [--r 32] [--steps 4]

The embedded SmolLM2-135M, LoRA r=32 (alpha 64, all-linear), batch 1, no gradient
accumulation, every example exactly ``--seq`` tokens (a long plan truncated at
``--max-seq-len``), no evaluation or checkpoint inside the timed steps. The step time is
the mean over steps 2..N (``training.StepTimer``; the first step includes warm-up and is
printed apart). The 4-bit base is ``models.quantize.bnb_config``'s (nf4, no double
quantization, float32 compute on CPU), as ``toolplan train`` uses it. Printed per base:
wall s/step and its ratio to fp32, CPU s/step (all threads; steadier than wall time on a
shared machine) and its ratio, and the load average, since other processes change every
wall-clock number.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from harness_ext.training.sft import TrainConfig, train


def _long_examples(n: int) -> list[dict[str, object]]:
    step = (
        "#Task{i}: Get the sensor readings of Chiller {i} for the first week of June 2020.\n"
        "#Agent{i}: IoTAgent\n#Tool{i}: history\n"
        '#Args{i}: {{"site_name": "MAIN", "asset_id": "Chiller {i}", '
        '"start": "2020-06-01T00:00:00", "final": "2020-06-07T23:59:59"}}\n'
        "#Dependency{i}: None\n#ExpectedOutput{i}: A file with the readings.\n\n"
    )
    plan = "".join(step.format(i=i) for i in range(1, 15))  # ~1,100 tokens, cut at --seq
    return [
        {
            "messages": [
                {"role": "user", "content": f"Download chillers 1-14, variant {k}."},
                {"role": "assistant", "content": plan},
            ]
        }
        for k in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seq", type=int, default=512)
    parser.add_argument("--r", type=int, default=32)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--quantizations", default="none,8bit,4bit")
    parser.add_argument(
        "--threads", type=int, default=None,
        help="torch CPU threads (1 gives steady numbers on a shared machine)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "long.jsonl"
        data.write_text("".join(json.dumps(e) + "\n" for e in _long_examples(args.steps + 2)))
        results = {}
        for quant in args.quantizations.split(","):
            summary = train(
                TrainConfig(
                    base="smollm2-135m", data=str(data), out=str(Path(tmp) / quant),
                    quantization=quant, r=args.r, alpha=2 * args.r, max_steps=args.steps,
                    max_seq_len=args.seq, batch_size=1, grad_accum=1, save_steps=10_000,
                    logging_steps=1, device="cpu", threads=args.threads,
                )
            )  # fmt: skip
            results[quant] = summary
            print(f"[{quant}] first step {summary['first_step_s']} s, then "
                  f"{summary['seconds_per_step']} s/step", flush=True)  # fmt: skip
    import torch

    load = os.getloadavg()
    print(f"\nseq {args.seq}, batch 1, LoRA r={args.r}, {args.steps} steps, CPU with "
          f"{torch.get_num_threads()} torch threads, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    base = results.get("none", {})
    print(f"{'base':<6}{'wall s/step':>12}{'vs fp32':>9}{'CPU s/step':>12}{'vs fp32':>9}"
          f"{'first step s':>14}")  # fmt: skip
    for quant, summary in results.items():
        cells = []
        for key in ("seconds_per_step", "cpu_seconds_per_step"):
            value, ref = summary[key], base.get(key)
            cells.append(f"{value:>12}" + (f"{value / ref:>8.2f}x" if ref else f"{'-':>9}"))
        print(f"{quant:<6}{''.join(cells)}{summary['first_step_s']:>14}")


if __name__ == "__main__":
    main()
