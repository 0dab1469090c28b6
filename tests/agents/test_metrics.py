"""Golden cases of the α-UMi step metrics (cases/step_metrics.json) and their helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.agents.formats import read_step
from harness_ext.agents.metrics import arg_f1, rouge_l, step_scores

CASES = json.loads((Path(__file__).parent / "cases" / "step_metrics.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_step_metrics_golden(case: dict[str, Any]) -> None:
    output = read_step(case["planner"], case["caller"], case["summarizer"])
    scores = step_scores(case["doc"], output)
    assert set(scores) == set(case["expected"])
    for key, value in case["expected"].items():
        assert scores[key] == pytest.approx(value, abs=1e-9), key


def test_arg_f1_rules() -> None:
    assert arg_f1('{"a": 1}', '{"a": 1}', same_action=False) == 0.0
    assert arg_f1('{"a": 1}', None, same_action=True) == 0.0
    assert arg_f1('{"a": 1}', "[1]", same_action=True) == 0.0
    assert arg_f1('{"a": 1, "b": 2}', '{"a": 1}', same_action=True) == pytest.approx(2 / 3)
    assert arg_f1('{"a": 1}', '{"a": 1.0}', same_action=True) == 1.0  # JSON values compared by ==


def test_rouge_l() -> None:
    assert rouge_l("a b c", "a b c") == 1.0
    assert rouge_l("", "a") == 0.0
    assert rouge_l("x y", "a b") == 0.0
    assert rouge_l("a x b", "a b") == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
