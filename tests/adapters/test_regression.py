"""The regression check's pure logic: baseline schema, verdicts, settings, table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.registry.regression import (
    FORMAT,
    EvalSettings,
    Expectation,
    baseline_dict,
    compare,
    current_value,
    format_table,
    load_results,
    parse_baseline,
    read_baseline,
    record_baseline,
    settings_problems,
    verdict,
    write_baseline,
)


def _baseline_json(**scores: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "adapter": "demo",
        "eval": {"tasks": ["t1"], "limit": 2, "gen_kwargs": {"max_gen_toks": 16}},
        "scores": {"t1": scores or {"f1": {"value": 0.5, "tolerance": 0.1}}},
    }


def _results(
    limit: float | None = 2.0, gen: dict[str, Any] | None = None, **metrics: Any
) -> dict[str, Any]:
    task = {f"{k},none": v for k, v in metrics.items()}
    task.update({f"{k}_stderr,none": "N/A" for k in metrics})
    return {
        "results": {"t1": {"alias": "t1", **task}},
        "higher_is_better": {"t1": {"f1": True, "errors": False}},
        "config": {"limit": limit, "gen_kwargs": gen if gen is not None else {"max_gen_toks": 16}},
    }


@pytest.mark.parametrize(
    ("exp", "current", "expected"),
    [
        (Expectation(value=0.5, tolerance=0.1), 0.5, "ok"),
        (Expectation(value=0.5, tolerance=0.1), 0.4, "ok"),  # exactly at the tolerance
        (Expectation(value=0.5, tolerance=0.1), 0.39, "REGRESSION"),
        (Expectation(value=0.5, tolerance=0.1), 0.61, "better"),
        (Expectation(value=0.2, tolerance=0.0, direction="lower"), 0.21, "REGRESSION"),
        (Expectation(value=0.2, tolerance=0.0, direction="lower"), 0.1, "better"),
        (Expectation(value=0.2, tolerance=0.0, direction="lower"), None, "missing"),
    ],
)
def test_verdict_rules(exp: Expectation, current: float | None, expected: str) -> None:
    assert verdict(exp, current) == expected


def test_compare_reads_none_filter_and_flags_missing() -> None:
    base = parse_baseline(
        _baseline_json(f1={"value": 0.5, "tolerance": 0.1}, gone={"value": 1.0}), Path("b.json")
    )
    rows = compare(base, _results(f1=0.3))
    assert [(r.metric, r.verdict) for r in rows] == [("f1", "REGRESSION"), ("gone", "missing")]
    assert rows[0].delta == pytest.approx(-0.2)
    assert rows[1].delta is None
    table = format_table(rows)
    assert "REGRESSION" in table and "missing" in table and "-0.2" in table


def test_current_value_ignores_non_numbers_and_explicit_filters() -> None:
    res = {"results": {"t1": {"a,none": "N/A", "b,take_first": 0.25, "c,none": float("nan")}}}
    assert current_value(res, "t1", "a") is None
    assert current_value(res, "t1", "b") == 0.25
    assert current_value(res, "t1", "b,take_first") == 0.25
    assert current_value(res, "t1", "c") is None
    assert current_value(res, "nope", "b") is None


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format="other/9"), "'format' must be 'toolplan-baseline/1'"),
        (lambda d: d["eval"].update(tasks=[]), "'eval.tasks' must not be empty (found [])"),
        (lambda d: d["eval"].update(limit=True), "'eval.limit' input should be a valid number"),
        (lambda d: d.update(scores={}), "'scores' must not be empty (found {})"),
        (lambda d: d["scores"].update(t1={}), "'scores.t1' must not be empty"),
        (
            lambda d: d["scores"]["t1"].update(f1={"tolerance": 0.1}),
            "'scores.t1.f1.value' is missing",
        ),
        (
            lambda d: d["scores"]["t1"].update(f1={"value": "high"}),
            "'scores.t1.f1.value' input should be a valid number (found \"high\")",
        ),
        (
            lambda d: d["scores"]["t1"].update(f1={"value": 1, "direction": "up"}),
            "'scores.t1.f1.direction' must be 'higher' or 'lower'",
        ),
        (
            lambda d: d["scores"]["t1"].update(f1={"value": 1, "tolerance": -1}),
            "'scores.t1.f1.tolerance' input should be greater than or equal to 0",
        ),
        (
            lambda d: d["scores"]["t1"].update(f1={"value": 1, "tolerence": 0.1}),
            "'scores.t1.f1.tolerence' extra inputs are not permitted",
        ),
    ],
)
def test_malformed_baseline_names_the_field(mutate: Any, field: str, tmp_path: Path) -> None:
    data = _baseline_json()
    mutate(data)
    (tmp_path / "baseline.json").write_text(json.dumps(data))
    with pytest.raises(DataFileError) as err:
        read_baseline(tmp_path)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "baseline.json") + ": ")
    assert field in message and "Fix: correct those fields" in message


def test_missing_and_broken_baseline_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"not found.*--record"):
        read_baseline(tmp_path)
    (tmp_path / "baseline.json").write_text("{not json")
    with pytest.raises(DataFileError, match="not valid JSON"):
        read_baseline(tmp_path)


def test_baseline_round_trip(tmp_path: Path) -> None:
    base = parse_baseline(_baseline_json(), tmp_path / "baseline.json")
    write_baseline(tmp_path, base)
    again = read_baseline(tmp_path)
    assert again == base
    assert baseline_dict(again)["eval"]["limit"] == 2  # whole floats written as ints


def test_settings_problems_name_each_difference() -> None:
    settings = EvalSettings(tasks=("t1", "t2"), limit=2, gen_kwargs={"max_gen_toks": 16})
    assert (
        settings_problems(
            EvalSettings(tasks=("t1",), limit=2, gen_kwargs={"max_gen_toks": 16}), _results(f1=1)
        )
        == []
    )
    problems = settings_problems(settings, _results(limit=5, gen={"max_gen_toks": "32"}, f1=1))
    text = " ".join(problems)
    assert "t2" in text and "limit is 5" in text and "gen_kwargs" in text


def test_record_keeps_previous_tolerances_and_uses_lm_eval_directions() -> None:
    settings = EvalSettings(tasks=("t1",), limit=2)
    fresh = record_baseline("demo", settings, _results(f1=0.7, errors=0.1), tolerance=0.02)
    assert fresh.scores["t1"]["f1"] == Expectation(value=0.7, tolerance=0.02)
    assert fresh.scores["t1"]["errors"] == Expectation(value=0.1, tolerance=0.02, direction="lower")
    previous = parse_baseline(_baseline_json(f1={"value": 0.1, "tolerance": 0.3}), Path("b"))
    again = record_baseline("demo", settings, _results(f1=0.9, errors=0.0), previous=previous)
    assert again.scores == {"t1": {"f1": Expectation(value=0.9, tolerance=0.3)}}
    with pytest.raises(ToolplanError, match="t1/f1"):
        record_baseline("demo", settings, _results(errors=0.0), previous=previous)


def test_load_results_accepts_a_folder_with_one_file(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "results_1.json").write_text(json.dumps(_results(f1=1)))
    assert load_results(tmp_path)["results"]["t1"]["f1,none"] == 1
    (tmp_path / "m" / "results_2.json").write_text("{}")
    with pytest.raises(DataFileError, match="holds 2 results files"):
        load_results(tmp_path)
    with pytest.raises(DataFileError, match="no 'results'"):
        load_results(tmp_path / "m" / "results_2.json")


def test_metadata_is_kept_only_when_set_and_checked_per_task() -> None:
    """A baseline's task metadata (e.g. ``fc_format``) is written only when given, so older
    baselines keep their bytes, and results run with other metadata are not comparable."""
    plain = EvalSettings(tasks=("t1",), limit=2)
    assert "metadata" not in plain.as_dict()
    settings = EvalSettings(
        tasks=("t1",), limit=2, gen_kwargs={"max_gen_toks": 16}, metadata={"fc_format": "json"}
    )
    assert settings.as_dict()["metadata"] == {"fc_format": "json"}
    ran_json = {**_results(f1=1), "configs": {"t1": {"metadata": {"fc_format": "json"}}}}
    ran_python = {**_results(f1=1), "configs": {"t1": {"metadata": {"fc_format": "python"}}}}
    assert settings_problems(settings, ran_json) == []
    assert settings_problems(settings, ran_python) == [
        "t1 ran with metadata fc_format=python, the baseline used fc_format=json"
    ]
