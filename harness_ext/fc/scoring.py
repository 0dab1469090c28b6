"""Score one function-calling output: decode it, check it, turn the verdict into metrics.

``score_output`` is the one scoring path: the lm-eval tasks' ``process_results``,
``toolplan score-calls`` and the GRPO reward (``harness_ext.rewards``) all call it, so
they cannot disagree on a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness_ext.fc.calls import CallFormat, Decoded, decode_calls
from harness_ext.fc.checker import Verdict, check_entry
from harness_ext.fc.table import CAUSE_METRICS, FC_METRICS


@dataclass(frozen=True)
class SampleScore:
    """One output's decode and verdict."""

    fmt: CallFormat
    decoded: Decoded
    verdict: Verdict

    def metrics(self) -> dict[str, float]:
        """Per-sample values of ``FC_METRICS`` (``json_valid`` only in the JSON format)."""
        out = {
            "acc": float(self.verdict.valid),
            "decode_ok": float(self.decoded.ok),
        }
        if self.fmt == "json":
            out["json_valid"] = float(bool(self.decoded.json_valid))
        for cause, name in CAUSE_METRICS.items():
            out[name] = float(self.verdict.cause == cause)
        out["bfcl_deviation"] = float(self.verdict.bfcl_deviation is not None)
        return out

    def as_row(self) -> dict[str, Any]:
        """A JSON-safe record: verdict, cause, detail, decoded calls, notes."""
        return {
            "valid": self.verdict.valid,
            "cause": self.verdict.cause,
            "detail": self.verdict.detail,
            "decode_ok": self.decoded.ok,
            "decode_cause": self.decoded.cause,
            "json_valid": self.decoded.json_valid,
            "outside_text": self.decoded.outside_text,
            "calls": json_safe(self.decoded.to_bfcl()),
            "notes": list(self.decoded.notes),
            "bfcl_deviation": self.verdict.bfcl_deviation,
        }


def json_safe(value: Any) -> Any:
    """Tuples as lists and non-finite floats as strings, so ``json.dumps`` is strict JSON."""
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def score_output(
    functions: Sequence[Mapping[str, Any]],
    ground_truth: Sequence[Mapping[str, Mapping[str, list[Any]]]],
    category: str,
    output: object,
    fmt: CallFormat,
) -> SampleScore:
    """Decode ``output`` in format ``fmt`` and check it against one BFCL entry.

    Never raises on any output (non-text, huge or binary output is a failed decode).
    """
    decoded = decode_calls(output, fmt)
    return SampleScore(fmt, decoded, check_entry(functions, ground_truth, decoded, category))


def summarize(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Run-level values as the tasks aggregate them: the mean of each metric over the rows
    that have it (``json_valid`` exists only in the JSON format); keys no row has are left
    out, never reported as 0."""
    out: dict[str, float] = {}
    for m in FC_METRICS:
        values = [r[m.name] for r in rows if m.name in r]
        if values:
            out[m.name] = sum(values) / len(values)
    return out
