"""The run-level aggregations of the metric table (pure functions; no lm-eval import).

``AGGREGATIONS`` maps each ``toolplan_*`` name of ``metrics.table`` to its function;
``harness_ext.lm_eval_glue.registrations`` registers them with lm-eval, once. ``mean``
is lm-eval's own and is not here.

========================  ===========================  ===================================
aggregation               per-sample item              run value
========================  ===========================  ===================================
toolplan_pooled_rate      [hits, count]                sum(hits) / max(sum(count), 1)
toolplan_issue_rate       list of codes ([] = fine)    share of samples with a code;
                                                       0.0 for no samples
toolplan_sum              number                       sum (0.0 for none)
toolplan_pooled_mean      [value_sum, count]           sum(values) / sum(counts);
                                                       NaN when the count is 0
toolplan_spearman         [x, y]                       Spearman rho; NaN with < 2 pairs
                                                       or a constant side
toolplan_judge_info       {model, template, ...}       "model=M template=T" ('|' joins
                                                       several values)
========================  ===========================  ===================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from harness_ext.metrics.table import (
    ISSUE_RATE,
    JUDGE_INFO,
    POOLED_MEAN,
    POOLED_RATE,
    SPEARMAN,
    SUM,
)


def pooled_rate(items: Sequence[Sequence[int]]) -> float:
    """sum(hits) / max(sum(counts), 1) over per-scenario ``[hits, count]`` items.

    A run with no count at all gives 0.0, as the paper's notebook does.
    """
    hits = sum(int(h) for h, _ in items)
    count = sum(int(n) for _, n in items)
    return hits / max(count, 1)


def issue_rate(items: Sequence[Sequence[str]]) -> float:
    """Share of samples with at least one issue (0.0 for no samples)."""
    return sum(1 for codes in items if codes) / len(items) if items else 0.0


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
    """``model=M template=T`` from the per-sample records (several values joined by '|')."""
    models = sorted({str(i.get("model")) for i in items})
    templates = sorted({str(i.get("template")) for i in items})
    return f"model={'|'.join(models)} template={'|'.join(templates)}"


AGGREGATIONS: dict[str, Callable[..., Any]] = {
    POOLED_RATE: pooled_rate,
    ISSUE_RATE: issue_rate,
    SUM: total,
    POOLED_MEAN: pooled_mean,
    SPEARMAN: spearman,
    JUDGE_INFO: judge_info,
}
