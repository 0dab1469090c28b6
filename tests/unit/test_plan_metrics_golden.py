"""Golden metric cases as data (tests/unit/cases/plan_metrics.json), one driver.

Each case names the edge rule it pins. Plans are written either as raw text or as
step lists ``[agent, tool, args, dependencies]`` rendered with ``format_plan``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.metrics.planning import score_plan
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.gold import GoldPlan
from harness_ext.planning.plans import Plan, Step, format_plan, parse_plan

CASES = json.loads((Path(__file__).parent / "cases" / "plan_metrics.json").read_text())


def _text(plan: str | list[list[Any]]) -> str:
    if isinstance(plan, str):
        return plan
    steps = [
        Step(task=f"{tool} step", agent=agent, tool=tool, args=args, dependencies=tuple(deps))
        for agent, tool, args, deps in plan
    ]
    return format_plan(Plan(tuple(steps)))


def test_there_are_enough_cases_with_distinct_names() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    gold_texts = [_text(g) for g in case["gold"]]
    gold = [GoldPlan(parse_plan(t).plan, t) for t in gold_texts]
    prediction = _text(case["prediction"])
    score = score_plan(prediction, gold, load_catalog())
    metrics = score.as_metrics()
    for key, expected in case["expected"].items():
        assert key in metrics, f"{case['name']}: {key} missing ({case['rule']})"
        assert metrics[key] == pytest.approx(expected), f"{case['name']}: {key} ({case['rule']})"
    for key in case.get("absent", []):
        assert key not in metrics, f"{case['name']}: {key} should not be scored ({case['rule']})"
    for issue in case.get("issues", []):
        assert issue in score.issues, f"{case['name']}: expected issue {issue}, got {score.issues}"
    if "gold_alternative" in case:
        assert score.gold_alternative == case["gold_alternative"]
