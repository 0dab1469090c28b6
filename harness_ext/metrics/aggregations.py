"""The run-level aggregations of the metric table (pure functions; no lm-eval import).

``AGGREGATIONS`` maps each ``toolplan_*`` name of ``metrics.table`` to its function;
``harness_ext.lm_eval_glue.registrations`` registers them with lm-eval, once. ``mean``
is lm-eval's own and is not here.

Undefined is NaN, never 0 (``metrics.table`` states the rule and the ``_n`` counts that
go with it).

========================  ===========================  ===================================
aggregation               per-sample item              run value
========================  ===========================  ===================================
toolplan_pooled_rate      [hits, count]                sum(hits) / sum(count);
                                                       NaN when the count is 0
toolplan_issue_rate       list of codes ([] = fine)    share of samples with a code;
                                                       NaN for no samples
toolplan_count            int                          sum, an int (0 for none)
toolplan_paper_mean       {at_f1, answered,            mean at_f1 over the samples with
                          gold_actionable}             answered and gold_actionable true;
                                                       NaN when none is
toolplan_sum              number                       sum (0.0 for none)
toolplan_pooled_mean      [value_sum, count]           sum(values) / sum(counts);
                                                       NaN when the count is 0
toolplan_spearman         [x, y]                       Spearman rho; NaN with < 2 pairs
                                                       or a constant side
toolplan_judge_info       {model, template, ...}       "model=M template=T" ('|' joins
                                                       several values); "judge: not run,
                                                       R (model=M ...)" when none scored
========================  ===========================  ===================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from harness_ext.metrics.table import (
    COUNT,
    ISSUE_RATE,
    JUDGE_INFO,
    PAPER_MEAN,
    POOLED_MEAN,
    POOLED_RATE,
    SPEARMAN,
    SUM,
)


def pooled_rate(items: Sequence[Sequence[int]]) -> float:
    """sum(hits) / sum(counts) over per-scenario ``[hits, count]`` items.

    NaN (undefined) when the counts sum to 0 — e.g. ``agent_valid`` of a run in which
    no step was written. The paper's notebook divided by ``max(count, 1)`` and so
    printed 0.0 there; a rate of nothing is not a rate of 0.
    """
    hits = sum(int(h) for h, _ in items)
    count = sum(int(n) for _, n in items)
    return hits / count if count else math.nan


def issue_rate(items: Sequence[Sequence[str]]) -> float:
    """Share of samples with at least one issue; NaN (undefined) for no samples."""
    return sum(1 for codes in items if codes) / len(items) if items else math.nan


def count(items: Sequence[int]) -> int:
    """Sum of per-sample counts, as an int (0 for none): the ``<metric>_n`` rows."""
    return sum(int(n) for n in items)


def paper_mean(items: Sequence[Mapping[str, Any]]) -> float:
    """Mean ``at_f1`` over the samples the paper's script keeps; NaN when it keeps none.

    The paper's ``evaluate_plan_quality.py`` skips a scenario whose answer is empty
    (``answered`` false) or whose gold plan has no actionable step (``gold_actionable``
    false) before averaging.
    """
    kept = [float(i["at_f1"]) for i in items if i["answered"] and i["gold_actionable"]]
    return sum(kept) / len(kept) if kept else math.nan


def total(items: Sequence[float]) -> float:
    """Sum of the items (0.0 for none)."""
    return float(sum(items))


def pooled_mean(items: Sequence[Sequence[float]]) -> float:
    """sum(values) / sum(counts) over [value_sum, count] items; NaN when the count is 0."""
    count = sum(n for _, n in items)
    return sum(v for v, _ in items) / count if count else math.nan


def spearman(items: Sequence[Sequence[float]]) -> float:
    """Spearman's rho over [x, y] pairs; NaN (undefined) with < 2 pairs or a constant side."""
    if len(items) < 2:
        return math.nan
    xs, ys = [p[0] for p in items], [p[1] for p in items]
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        return math.nan
    from scipy.stats import spearmanr

    return float(spearmanr(xs, ys).statistic)


def judge_info(items: Sequence[dict[str, Any]]) -> str:
    """``model=M template=T`` from the per-sample records (several values joined by '|').

    When every record has ``status`` "unscored", the judge gave no verdict at all, and
    the value says so first: ``judge: not run, <reasons joined by '|'> (model=M template=T)``.
    """
    models = sorted({str(i.get("model")) for i in items})
    templates = sorted({str(i.get("template")) for i in items})
    info = f"model={'|'.join(models)} template={'|'.join(templates)}"
    if items and all(i.get("status") == "unscored" for i in items):
        reasons = sorted({str(i.get("reason")) for i in items})
        return f"judge: not run, {'|'.join(reasons)} ({info})"
    return info


AGGREGATIONS: dict[str, Callable[..., Any]] = {
    POOLED_RATE: pooled_rate,
    ISSUE_RATE: issue_rate,
    COUNT: count,
    PAPER_MEAN: paper_mean,
    SUM: total,
    POOLED_MEAN: pooled_mean,
    SPEARMAN: spearman,
    JUDGE_INFO: judge_info,
}
