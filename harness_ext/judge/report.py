"""What the judge reports, in lm-eval's shape: per-sample values and their aggregations.

Both modes use this module, so inline results (``lm_eval --tasks assetops_*`` with a
judge configured) and two-stage results (``toolplan judge <dir>``) have the same keys.

Per-sample keys (``sample_metrics``) and how they aggregate over a task:

========================  ====================================  =========================
key                       per-sample value                      aggregation
========================  ====================================  =========================
judge_<dimension> (x6)    1–5, scored samples only              mean
judge_overall             mean of the six, scored only          mean
judge_unscored_rate       [] if scored, else [reason]           share of samples unscored
judge_calls               HTTP requests sent (retries incl.)    sum
judge_cache_hits          replies served from the cache         sum
judge_latency_s           [seconds summed, replies received]    pooled mean per reply;
                                                                NaN when no call was made
judge_spearman_at_f1      [overall, at_f1], scored only         Spearman rho over the run;
                                                                NaN when < 2 pairs or a
                                                                side is constant
judge_info                {model, template, status, reason,     "model=M template=T"
                          detail, rationale, transcript}        (provenance string)
========================  ====================================  =========================

An unscored sample has no dimension/overall key, so lm-eval leaves it out of those
means (never a 0); ``judge_unscored_rate`` counts it, and ``judge_info`` keeps the
reason and the full transcript in the logged samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness_ext.judge.rubric import DIMENSIONS
from harness_ext.judge.scoring import JudgeResult

# metric -> (aggregation name in lm-eval's registry, higher_is_better). The YAML's
# metric_list must list exactly these (a test checks).
JUDGE_METRICS: dict[str, tuple[str, bool]] = {
    **{f"judge_{d}": ("mean", True) for d in DIMENSIONS},
    "judge_overall": ("mean", True),
    "judge_unscored_rate": ("toolplan_issue_rate", False),
    "judge_calls": ("toolplan_sum", False),
    "judge_cache_hits": ("toolplan_sum", True),
    "judge_latency_s": ("toolplan_pooled_mean", False),
    "judge_spearman_at_f1": ("toolplan_spearman", True),
    "judge_info": ("toolplan_judge_info", True),
}


def sample_metrics(
    result: JudgeResult, model: str, template_ident: str, at_f1: float | None
) -> dict[str, Any]:
    """The judge's per-sample values (see the module table).

    Args:
        result: The sample's judge outcome.
        model: Judge model name (provenance).
        template_ident: ``version#sha`` of the rubric template (provenance).
        at_f1: The sample's AT-F1, or None when unknown (no Spearman pair then).
    """
    out: dict[str, Any] = {}
    if result.verdict is not None:
        out.update({f"judge_{d}": result.verdict.scores[d] for d in DIMENSIONS})
        out["judge_overall"] = result.verdict.overall
        if at_f1 is not None:
            out["judge_spearman_at_f1"] = [result.verdict.overall, float(at_f1)]
    out["judge_unscored_rate"] = [] if result.scored else [result.reason]
    out["judge_calls"] = result.calls
    out["judge_cache_hits"] = result.cache_hits
    out["judge_latency_s"] = [sum(result.latencies), len(result.latencies)]
    out["judge_info"] = {
        "model": model,
        "template": template_ident,
        "status": "scored" if result.scored else "unscored",
        "reason": result.reason,
        "detail": result.detail,
        "rationale": result.verdict.rationale if result.verdict else "",
        "transcript": list(result.transcript),
    }
    return out


def total(items: Sequence[float]) -> float:
    """Sum of the items (0 for none)."""
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


AGGREGATIONS = {
    "toolplan_sum": total,
    "toolplan_pooled_mean": pooled_mean,
    "toolplan_spearman": spearman,
    "toolplan_judge_info": judge_info,
}
