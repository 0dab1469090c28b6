"""Training data: build time and token lengths per family, with and without system turns.

    ASSETOPSBENCH_DIR=../shared/data/assetopsbench python benchmarks/bench_training_data.py

Builds the default dataset (seed 42, ~1,700 examples) twice — with the system turns
the data builder writes by default and with ``--no-system`` — and counts every example's
tokens exactly as ``toolplan train`` feeds them (the embedded model's chat template over
all messages). Printed per family: count, mean, p50, p90, p99, max, share over 512 and
1024 tokens; then the ratio of total tokens with system turns to without (the cost of
training under the evaluation's prompt), and optimizer steps per epoch at the paper's
batch 2 x accumulation 4.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from harness_ext.models.embedded import embedded_model_path
from harness_ext.training.data import FAMILIES, BuildConfig, build_dataset


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _lengths(tokenizer: Any, records: list[dict[str, Any]]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {f: [] for f in FAMILIES}
    for r in records:
        text = tokenizer.apply_chat_template(r["messages"], tokenize=False)
        found[r["family"]].append(len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(embedded_model_path()))
    totals = {}
    for system in (True, False):
        started = time.perf_counter()
        result = build_dataset(BuildConfig(catalog="assetops_23", seed=args.seed,
                                           system_turns=system))  # fmt: skip
        build_s = time.perf_counter() - started
        records = result.train + result.eval
        lengths = _lengths(tokenizer, records)
        label = "with system turns" if system else "without system turns (--no-system)"
        print(f"\n{label}: {len(records)} examples built in {build_s:.1f} s")
        print(f"{'family':<15}{'n':>6}{'mean':>7}{'p50':>6}{'p90':>6}{'p99':>6}{'max':>6}"
              f"{'>512':>7}{'>1024':>7}")  # fmt: skip
        everything = [n for f in FAMILIES for n in lengths[f]]
        for name, values in [*lengths.items(), ("all", everything)]:
            if not values:
                continue
            over512 = sum(v > 512 for v in values) / len(values)
            over1024 = sum(v > 1024 for v in values) / len(values)
            cells = [_percentile(values, q) for q in (0.5, 0.9, 0.99)] + [max(values)]
            print(f"{name:<15}{len(values):>6}{statistics.mean(values):>7.0f}"
                  + "".join(f"{c:>6}" for c in cells)
                  + f"{over512:>7.1%}{over1024:>7.1%}")  # fmt: skip
        totals[system] = sum(everything)
        steps = len(result.train) / 8
        print(f"total tokens {sum(everything):,}; train examples {len(result.train)} -> "
              f"{steps:.0f} optimizer steps per epoch at batch 2 x accumulation 4")  # fmt: skip
    print(f"\ntokens with / without system turns: {totals[True] / totals[False]:.2f}x")


if __name__ == "__main__":
    main()
