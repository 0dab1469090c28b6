"""BFCL leaderboard summaries from per-category accuracies, as ``eval_runner_helper.py`` does.

BFCL (``bfcl_eval/eval_checker/eval_runner_helper.py``, 2026.3.23):

* **Non-live overall** = unweighted mean of Simple, Multiple, Parallel and
  Parallel-multiple, where BFCL's Simple is itself the unweighted mean of simple_python,
  simple_java and simple_javascript. **Ours: Simple is simple_python alone** (we score
  Python only), so our non-live overall = mean(simple, multiple, parallel,
  parallel_multiple). Compare our ``simple`` with BFCL's simple_python column, not with
  the leaderboard's "Simple".
* **Live overall** = mean of live_simple, live_multiple, live_parallel and
  live_parallel_multiple weighted by their sample counts (same for us).
* **Irrelevance** = unweighted mean of irrelevance and live_irrelevance (same for us).

In lm-eval the groups ``fc_bfcl_nonlive_ast`` (``acc``, unweighted) and
``fc_bfcl_live_ast`` (``acc``, weighted by size) report the first two; ``summaries``
computes all three from any per-category numbers (a results JSON, ``score-calls``).
A summary whose categories are not all present is None, never a partial mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NON_LIVE_AST = ("simple", "multiple", "parallel", "parallel_multiple")
LIVE_AST = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
IRRELEVANCE = ("irrelevance", "live_irrelevance")


def summaries(accuracy: Mapping[str, float], counts: Mapping[str, int]) -> dict[str, float | None]:
    """``non_live_overall``, ``live_overall`` and ``irrelevance`` (None when incomplete).

    Args:
        accuracy: Category -> accuracy in [0, 1].
        counts: Category -> number of samples scored (weights of the live mean).
    """
    out: dict[str, float | None] = {
        "non_live_overall": None,
        "live_overall": None,
        "irrelevance": None,
    }
    if all(c in accuracy for c in NON_LIVE_AST):
        out["non_live_overall"] = sum(accuracy[c] for c in NON_LIVE_AST) / len(NON_LIVE_AST)
    if all(c in accuracy and counts.get(c, 0) > 0 for c in LIVE_AST):
        total = sum(counts[c] for c in LIVE_AST)
        out["live_overall"] = sum(accuracy[c] * counts[c] for c in LIVE_AST) / total
    if all(c in accuracy for c in IRRELEVANCE):
        out["irrelevance"] = sum(accuracy[c] for c in IRRELEVANCE) / len(IRRELEVANCE)
    return out


def summaries_from_results(results: Mapping[str, Any]) -> dict[str, float | None]:
    """The summaries of an lm-eval results JSON (``results`` and ``n-samples`` sections)."""
    accuracy: dict[str, float] = {}
    counts: dict[str, int] = {}
    for task, values in results.get("results", {}).items():
        if task.startswith("fc_bfcl_") and "acc,none" in values:
            category = task.removeprefix("fc_bfcl_")
            accuracy[category] = float(values["acc,none"])
            n = results.get("n-samples", {}).get(task, {})
            counts[category] = int(n.get("effective", n.get("original", 0)))
    return summaries(accuracy, counts)
