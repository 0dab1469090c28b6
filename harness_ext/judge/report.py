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

``unscored_summary`` and ``failure_summary`` put a run's unscored samples in one line,
by cause, each cause with its fix: what ``toolplan judge`` exits with and what the
inline filter prints when no sample got a verdict.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from harness_ext.judge.config import (
    ENV_BACKOFF,
    ENV_BASE_URL,
    ENV_CONCURRENCY,
    ENV_MAX_RETRIES,
    ENV_MAX_TOKENS,
    ENV_MODEL,
    ENV_RESPONSE_FORMAT,
    ENV_TIMEOUT,
    JudgeConfig,
)
from harness_ext.judge.rubric import DIMENSIONS
from harness_ext.judge.scoring import JudgeResult, JudgeRun

_VERDICT_REASONS = ("judge:not_json", "judge:schema", "judge:empty_reply")
# Reasons that stop a run (JudgeUnavailable): the run's one fatal message names the fix.
_FATAL_REASONS = ("judge:unreachable", "judge:http_401", "judge:http_403", "judge:http_404")
_DETAIL_CHARS = 160


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


def _cause_and_fix(reason: str, detail: str, config: JudgeConfig) -> str:
    """What a reason means for this configuration, and what to change (one clause)."""
    if reason.startswith("judge:http_4") and reason not in ("judge:http_429",):
        if config.response_format != "none":
            doubt = "" if "response_format" in detail else " if it does not support it"
            return (
                f"the server rejected the request ({detail}); Fix: set "
                f"{ENV_RESPONSE_FORMAT}=none (or --response-format none){doubt} — the request "
                f"asks for response_format={config.response_format}"
            )
        return (
            f"the server rejected the request ({detail}); Fix: check the prompt fits the "
            f"model's context and {ENV_MAX_TOKENS} (now {config.max_tokens})"
        )
    if reason == "judge:http_429":
        return (
            f"rate limited on every attempt; Fix: lower {ENV_CONCURRENCY} (now "
            f"{config.concurrency}) or raise {ENV_MAX_RETRIES} / {ENV_BACKOFF}"
        )
    if reason.startswith("judge:http_5"):
        return (
            f"server errors on every attempt ({detail}); Fix: check the judge server's log, "
            f"or raise {ENV_MAX_RETRIES} if they are transient"
        )
    if reason == "judge:timeout":
        return (
            f"no reply within {config.timeout_s} s; Fix: raise {ENV_TIMEOUT} or lower "
            f"{ENV_CONCURRENCY} (now {config.concurrency})"
        )
    if reason == "judge:disconnected":
        return (
            f"the server dropped the connection on every attempt ({detail}); Fix: check the "
            "judge server's log"
        )
    if reason == "judge:bad_response":
        return (
            f"its 200 replies are not chat completions; Fix: check that {ENV_BASE_URL} is the "
            "API root of an OpenAI-compatible server (usually ending in /v1)"
        )
    if reason in _VERDICT_REASONS:
        return (
            "the judge model did not write a valid verdict, even when re-asked; Fix: use a "
            f"stronger judge model ({ENV_MODEL}), {ENV_RESPONSE_FORMAT}=json_schema, or a "
            f"larger {ENV_MAX_TOKENS} (now {config.max_tokens}; thinking models spend it too)"
        )
    return detail  # fatal reasons: the detail is the message that names the fix


def unscored_summary(run: JudgeRun, config: JudgeConfig) -> str:
    """``N reason (cause; Fix: ...); M reason (...)``, most frequent first ("" if none).

    Each cause quotes the first such sample's detail (cut to 160 characters); a reason
    that stopped the run quotes the run's fatal message instead.
    """
    counts = Counter(r.reason for r in run.results if r.reason)
    details: dict[str, str] = {}
    for r in run.results:
        if r.reason and r.reason not in details:
            fatal = run.fatal if r.reason in _FATAL_REASONS and run.fatal else None
            details[r.reason] = fatal or _cut(r.detail)
    return "; ".join(
        f"{n} {reason} ({_cause_and_fix(reason, details[reason], config)})"
        for reason, n in counts.most_common()
    )


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_CHARS else text[: _DETAIL_CHARS - 3] + "..."


def failure_summary(run: JudgeRun, config: JudgeConfig) -> str | None:
    """One line when the judge gave no verdict at all, else None.

    Edge rules: an empty run is not a failure (None); a run where any sample was
    scored is not a failure either (its unscored samples are counted in
    ``judge_unscored_rate``), however many failed.
    """
    if not run.results or run.unscored < len(run.results):
        return None
    n = len(run.results)
    return f"the judge scored 0 of {n} samples: {unscored_summary(run, config)}"
