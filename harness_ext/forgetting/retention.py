"""Retention: how much general knowledge an adapter kept, relative to its base model.

``retention = adapter accuracy / base accuracy`` on the same forgetting suite (the
paper reports 79.8 % for its Gemma adapter and 61.3 % for Qwen). Pure functions over
suite scores; ``harness_ext.reporting.leaderboard`` builds the scores from lm-eval results.

Which base run an adapter run is compared with: a run of the *same* base model with
no adapter, on the same suite, over the same number of questions and with the chat
template applied the same way (otherwise the two accuracies measure different
things). Among those, a base run with the adapter run's quantization is preferred,
then the unquantized base. No such run, or a base accuracy of 0 -> no retention
(``None`` with the reason), never a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

NO_ADAPTER = ""


@dataclass(frozen=True)
class SuiteScore:
    """One model's accuracy on one forgetting suite, as a results file reports it.

    Attributes:
        model: the base model, normalized (alias, hub id or folder name).
        adapter: the adapter's name, ``""`` for the base model itself.
        quantization: ``"none"``, ``"8bit"``, ``"4bit"`` ...
        suite: the suite's task or group name (``forget_probe``, ``forget_mmlu`` ...).
        n: questions that were scored (lm-eval's ``sample_len``).
        chat: whether the chat template was applied.
        acc: the accuracy (``None`` when the run did not report one).
        skipped: parts of the suite that did not run (e.g. unreachable hub datasets).
        source: the results file it came from (for notes).
    """

    model: str
    adapter: str
    quantization: str
    suite: str
    n: int
    chat: bool
    acc: float | None
    skipped: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Retention:
    """The retention of one suite score; ``value`` is ``None`` with a ``reason`` when undefined."""

    value: float | None
    base: SuiteScore | None
    reason: str = ""


def retention_ratio(adapter_acc: float | None, base_acc: float | None) -> float | None:
    """``adapter_acc / base_acc``; ``None`` when either is missing/NaN or the base scored 0."""
    if adapter_acc is None or base_acc is None:
        return None
    if math.isnan(adapter_acc) or math.isnan(base_acc) or base_acc <= 0:
        return None
    return adapter_acc / base_acc


def _comparable(base: SuiteScore, score: SuiteScore) -> bool:
    return (
        base.adapter == NO_ADAPTER
        and base.model == score.model
        and base.suite == score.suite
        and base.n == score.n
        and base.chat == score.chat
    )


def find_base(score: SuiteScore, candidates: Iterable[SuiteScore]) -> SuiteScore | None:
    """The base run ``score`` is compared with (see the module docstring), or ``None``."""
    matches = [c for c in candidates if _comparable(c, score)]
    for quantization in (score.quantization, "none"):
        for candidate in matches:
            if candidate.quantization == quantization:
                return candidate
    return None


def compute_retention(scores: Iterable[SuiteScore]) -> dict[SuiteScore, Retention]:
    """Retention for every score; a base run's own retention is 1.0 (when its acc > 0).

    Edge cases: no comparable base run -> ``None`` ("no base run ..."); base accuracy 0
    or missing -> ``None``; the adapter's own accuracy missing -> ``None``.
    """
    pool = list(scores)
    out: dict[SuiteScore, Retention] = {}
    for score in pool:
        base = find_base(score, pool)
        if base is None:
            reason = (
                f"no base run of {score.model} on {score.suite} with {score.n} questions "
                f"and chat template {'on' if score.chat else 'off'}"
            )
            out[score] = Retention(None, None, reason)
            continue
        value = retention_ratio(score.acc, base.acc)
        reason = "" if value is not None else "base or adapter accuracy is missing or 0"
        out[score] = Retention(value, base, reason)
    return out
