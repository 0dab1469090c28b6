"""Our BFCL checker against bfcl-eval's own ``ast_checker`` on the same 4,000 outputs.

    python benchmarks/bench_fc_checker.py [--n 4000]

Outputs are the systematic ones of the differential test (``tests/fc/outputs.py``:
built from the possible answers, perturbed, shuffled) over the non-live AST categories,
decoded once; both checkers then check the same decoded calls. Ours includes its
optimal assignment for parallel calls (scipy) and per-parameter verdicts; BFCL's is its
greedy first-match checker. One run, wall and CPU seconds, and the ratio.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

from harness_ext.fc.calls import decode_calls, format_python_calls
from harness_ext.fc.checker import check_entry
from harness_ext.fc.data import CATEGORIES, load_entries

# The reference checker and the output generator live with the differential test.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fc.bfcl_reference import bfcl_ast_checker
from tests.fc.outputs import variants

CATEGORIES_USED = ("simple", "multiple", "parallel", "parallel_multiple")


def build(n: int) -> list[tuple[str, object, object, object]]:
    """``n`` (category, functions, ground truth, decoded) items, round-robin over entries."""
    per_entry = []
    for category in CATEGORIES_USED:
        for entry in load_entries(category):
            outputs = list(itertools.islice(variants(entry), 8))
            per_entry.append((category, entry, outputs))
    work = []
    for round_ in itertools.count():
        for category, entry, outputs in per_entry:
            if len(work) == n:
                return work
            if round_ < len(outputs):
                decoded = decode_calls(format_python_calls(outputs[round_][1]), "python")
                work.append((category, entry.functions, entry.ground_truth, decoded))
        if round_ > 64:
            raise SystemExit(f"only {len(work)} outputs available")
    return work


def main() -> None:
    """Time both checkers on the same outputs and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4000)
    n = parser.parse_args().n
    work = build(n)
    bfcl = bfcl_ast_checker()
    timings = {}
    verdicts = {}
    for category, functions, truth, decoded in work[:200]:  # warm-up: imports, caches
        check_entry(functions, truth, decoded, category)  # type: ignore[arg-type]
        bfcl(functions, decoded.to_bfcl(), truth, CATEGORIES[category])  # type: ignore[attr-defined]
    for name in ("ours", "bfcl-eval"):
        start, cpu = time.perf_counter(), time.process_time()
        results = []
        for category, functions, truth, decoded in work:
            if name == "ours":
                results.append(check_entry(functions, truth, decoded, category).valid)  # type: ignore[arg-type]
            else:
                out = bfcl(functions, decoded.to_bfcl(), truth, CATEGORIES[category])  # type: ignore[attr-defined]
                results.append(bool(out["valid"]))
        timings[name] = (time.perf_counter() - start, time.process_time() - cpu)
        verdicts[name] = results
    agree = sum(a == b for a, b in zip(verdicts["ours"], verdicts["bfcl-eval"], strict=True))
    for name, (wall, cpu) in timings.items():
        print(
            f"{name:<10} {len(work)} outputs: {wall:.3f} s wall, {cpu:.3f} s CPU "
            f"({cpu / len(work) * 1e6:.0f} µs/output)"
        )
    ratio = timings["ours"][1] / timings["bfcl-eval"][1]
    print(f"ours / bfcl-eval (CPU time): {ratio:.2f}x; same verdict on {agree}/{len(work)}")


if __name__ == "__main__":
    main()
