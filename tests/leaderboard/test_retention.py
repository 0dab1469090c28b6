"""Retention = adapter accuracy / base accuracy, against the right base run."""

from __future__ import annotations

import math

import pytest

from harness_ext.forgetting.retention import (
    SuiteScore,
    compute_retention,
    find_base,
    retention_ratio,
)


def score(
    adapter: str = "", acc: float | None = 0.5, quant: str = "none", n: int = 40, chat: bool = True
) -> SuiteScore:
    return SuiteScore("m", adapter, quant, "forget_probe", n, chat, acc)


@pytest.mark.parametrize(
    ("adapter_acc", "base_acc", "expected"),
    [
        (0.4, 0.5, 0.8),
        (0.6, 0.5, 1.2),  # an adapter can gain
        (0.0, 0.5, 0.0),
        (0.4, 0.0, None),  # undefined, not infinite
        (None, 0.5, None),
        (0.4, None, None),
        (math.nan, 0.5, None),
    ],
)
def test_ratio(adapter_acc: float | None, base_acc: float | None, expected: float | None) -> None:
    assert retention_ratio(adapter_acc, base_acc) == (
        pytest.approx(expected) if expected is not None else None
    )


def test_base_with_the_same_quantization_is_preferred() -> None:
    fp32, int8 = score(quant="none"), score(quant="8bit", acc=0.45)
    assert find_base(score("r8", quant="8bit"), [fp32, int8]) == int8
    assert find_base(score("r8", quant="4bit"), [fp32, int8]) == fp32  # falls back to unquantized


@pytest.mark.parametrize(
    "other",
    [
        score("r8", n=100),
        score("r8", chat=False),
        SuiteScore("m2", "r8", "none", "forget_probe", 40, True, 0.4),
    ],
)
def test_runs_over_different_questions_or_settings_are_not_compared(other: SuiteScore) -> None:
    result = compute_retention([score(), other])[other]
    assert result.value is None and result.base is None
    assert result.reason.startswith("no base run of")


def test_compute_retention_for_base_and_adapter() -> None:
    base, adapter = score(acc=0.5), score("r8", acc=0.4)
    out = compute_retention([adapter, base])
    assert out[adapter].value == pytest.approx(0.8) and out[adapter].base == base
    assert out[base].value == pytest.approx(1.0)
    zero_base = score(acc=0.0)
    assert compute_retention([zero_base, adapter])[adapter].value is None
