"""What the judge reports, in lm-eval's shape: its per-sample values.

Both modes use this module, so inline results (``lm_eval --tasks assetops_*`` with a
judge configured) and two-stage results (``toolplan judge <dir>``) have the same keys.

Per-sample keys (``sample_metrics``); their aggregations, directions and one-line
definitions are rows of ``harness_ext.metrics.table.JUDGE_METRICS``:

========================  ==============================================================
key                       per-sample value
========================  ==============================================================
judge_<dimension> (x6)    1–5, scored samples only
judge_overall             mean of the six, scored only
judge_unscored_rate       [] if scored, else [reason]
judge_calls               HTTP requests sent (retries included)
judge_cache_hits          replies served from the cache
judge_latency_s           [seconds summed, replies received]
judge_spearman_at_f1      [overall, at_f1], scored only
judge_info                {model, template, status, reason, detail, rationale, transcript}
========================  ==============================================================

The run-level functions are in ``harness_ext.metrics.aggregations``.

An unscored sample has no dimension/overall key, so lm-eval leaves it out of those
means (never a 0); ``judge_unscored_rate`` counts it, and ``judge_info`` keeps the
reason and the full transcript in the logged samples.
"""

from __future__ import annotations

from typing import Any

from harness_ext.judge.rubric import DIMENSIONS
from harness_ext.judge.scoring import JudgeResult


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
