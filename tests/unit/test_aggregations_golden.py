"""Run-level golden cases (tests/unit/cases/aggregations.json), one driver, and what
lm-eval 0.4.13 itself does with an undefined (NaN) value: no crash, ``nan`` in its
printed table, ``NaN`` in its results JSON, "–" on our leaderboard."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from harness_ext.metrics.aggregations import AGGREGATIONS
from harness_ext.metrics.table import JUDGE_INFO

CASES = json.loads((Path(__file__).parent / "cases" / "aggregations.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_aggregation(case: dict[str, Any]) -> None:
    value = AGGREGATIONS[case["aggregation"]](case["items"])
    if case["expected"] == "nan":
        assert isinstance(value, float) and math.isnan(value), (case["name"], case["rule"], value)
    else:
        assert value == pytest.approx(case["expected"]), (case["name"], case["rule"])
    if case.get("type") == "int":
        assert type(value) is int, case["name"]


def test_every_numeric_aggregation_has_a_golden_case() -> None:
    covered = {c["aggregation"] for c in CASES}
    assert set(AGGREGATIONS) - {JUDGE_INFO} <= covered


def _lm_eval_aggregate(raw: dict[str, list[Any]]) -> dict[str, Any]:
    """Our aggregations run through lm-eval's own task-aggregation step."""
    from lm_eval.api.registry import get_aggregation
    from lm_eval.evaluator_utils import _compute_task_aggregations

    import harness_ext.lm_eval_glue.registrations  # noqa: F401  (registers ours)
    from harness_ext.metrics.table import metric

    aggregations = {name: get_aggregation(metric(name).aggregation) for name in raw}
    task = SimpleNamespace(task_name="assetops_free", aggregation=lambda: aggregations)
    raw_metrics = {(name, "none"): items for name, items in raw.items()}
    values, _ = _compute_task_aggregations(task, raw_metrics, 100000)
    return values


UNDEFINED_RUN: dict[str, list[Any]] = {
    # The untuned model, description-free: prose only, no step, no name.
    "at_f1": [0.0, 0.0, 0.0],
    "agent_valid": [[0, 0], [0, 0], [0, 0]],
    "agent_valid_n": [0, 0, 0],
    "hallucinated_names": [[0, 0], [0, 0], [0, 0]],
    "hallucinated_names_n": [0, 0, 0],
    "at_f1_paper": [{"at_f1": 0.0, "answered": False, "gold_actionable": True}] * 3,
    "at_f1_paper_n": [0, 0, 0],
}


def test_lm_eval_aggregates_undefined_rates_to_nan_without_crashing() -> None:
    values = _lm_eval_aggregate(UNDEFINED_RUN)
    for name in ("agent_valid", "hallucinated_names", "at_f1_paper"):
        assert math.isnan(values[f"{name},none"]), name
        assert values[f"{name}_stderr,none"] == "N/A", name  # no stderr for our aggregations
        assert values[f"{name}_n,none"] == 0, name
    assert values["at_f1,none"] == 0.0 and values["at_f1_stderr,none"] == 0.0


def test_lm_eval_prints_nan_and_the_leaderboard_reads_it_as_missing() -> None:
    from lm_eval.utils import make_table

    from harness_ext.reporting.results import metric
    from harness_ext.reporting.tables import fmt

    values = _lm_eval_aggregate(UNDEFINED_RUN)
    table = make_table(
        {
            "results": {"assetops_free": {"alias": "assetops_free", **values}},
            "versions": {"assetops_free": 1.1},
            "n-shot": {"assetops_free": 0},
            "higher_is_better": {},
        }
    )
    rows = {
        cells[5]: cells[7]
        for line in table.splitlines()
        if len(cells := [c.strip() for c in line.split("|")]) > 7
    }
    assert rows["agent_valid"] == rows["hallucinated_names"] == rows["at_f1_paper"] == "NaN"
    assert rows["agent_valid_n"] == rows["at_f1_paper_n"] == "0"
    assert rows["at_f1"] == "0"  # pytablewriter re-renders "0.0000": a defined 0 stays 0
    # lm-eval writes results with json.dumps (NaN as the token NaN); read back as NaN.
    entry = json.loads(json.dumps(values))
    assert math.isnan(entry["agent_valid,none"])
    assert metric(entry, "agent_valid") is None and fmt(metric(entry, "agent_valid"), 3) == "–"
    assert metric(entry, "agent_valid_n") == 0.0
