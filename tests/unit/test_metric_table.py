"""The metric table is the one list of metrics: the YAML, ``process_results``, the
registered aggregations and the task README agree with it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness_ext.errors import UnknownNameError
from harness_ext.judge.rubric import DIMENSIONS
from harness_ext.judge.scoring import JudgeResult, Verdict
from harness_ext.metrics.aggregations import AGGREGATIONS
from harness_ext.metrics.planning import (
    COUNT_METRICS,
    PAPER_METRICS,
    PER_SCENARIO_METRICS,
    POOLED_METRICS,
)
from harness_ext.metrics.table import COUNT, JUDGE_METRICS, METRICS, PLANNING_METRICS, metric

GOLD = (
    '#Task1: assets\n#Agent1: IoTAgent\n#Tool1: assets\n#Args1: {"site_name": "MAIN"}\n'
    "#Dependency1: None\n#ExpectedOutput1: ids"
)
TEMPLATE = "lm_eval_tasks/assetops/_template_yaml"


def _yaml(path: Path) -> dict[str, Any]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))
    data = yaml.load(path.read_text("utf-8"), Loader=Loader)
    assert isinstance(data, dict), path
    return data


def test_the_task_yaml_metric_list_is_the_table_in_order(repo_root: Path) -> None:
    listed = [
        (m["metric"], m["aggregation"], m["higher_is_better"])
        for m in _yaml(repo_root / TEMPLATE)["metric_list"]
    ]
    wanted = [(m.name, m.aggregation, m.higher_is_better) for m in METRICS]
    # The message shows the lines on which the two disagree, in the YAML's syntax.
    assert listed == wanted, f"{TEMPLATE} and harness_ext/metrics/table.py differ:\n" + "\n".join(
        f"  - {{metric: {n}, aggregation: {a}, higher_is_better: {str(h).lower()}}}"
        for n, a, h in sorted(set(wanted) ^ set(listed))
    )


def test_no_assetops_task_overrides_the_metric_list(repo_root: Path) -> None:
    tasks = [p for p in (repo_root / "lm_eval_tasks").rglob("*.yaml") if "assetops" in p.name]
    assert len(tasks) >= 4
    for path in tasks:
        assert "metric_list" not in _yaml(path), path


def _doc() -> dict[str, Any]:
    return {"gold_plans": [GOLD], "catalog": "assetops_23", "prompt_tokens": 111}


def _judged(verdict: Verdict | None) -> str:
    from harness_ext.lm_eval_glue.judge_filter import JudgedText

    result = JudgeResult("t:0", verdict, None if verdict else "judge:not_json", "", (), 1, 0)
    return JudgedText(GOLD, result, "m", "t#1")


def test_process_results_returns_exactly_the_table_names() -> None:
    from harness_ext.lm_eval_glue.assetops import process_results

    verdict = Verdict({d: 3 for d in DIMENSIONS}, "ok")
    assert set(process_results(_doc(), [_judged(verdict)])) == {m.name for m in METRICS}
    # Without a judge: the planning names, no judge_* key at all.
    assert set(process_results(_doc(), [GOLD])) == {m.name for m in PLANNING_METRICS}
    # Unscored: no score keys (never a 0), everything else still there.
    scores = {f"judge_{d}" for d in DIMENSIONS} | {"judge_overall", "judge_spearman_at_f1"}
    assert set(process_results(_doc(), [_judged(None)])) == {m.name for m in METRICS} - scores


def test_undefined_metrics_are_the_only_ones_that_may_be_absent() -> None:
    from harness_ext.lm_eval_glue.assetops import process_results

    doc = {"gold_plans": ["#Task1: t\n#Agent1: IoTAgent\n#Tool1: sites"], "catalog": None}
    missing = {m.name for m in PLANNING_METRICS} - set(process_results(doc, [""]))
    # no gold arguments -> no argkey_f1; no step -> no deps_valid; no tokenizer -> no count
    assert missing == {"argkey_f1", "deps_valid", "prompt_tokens"}


def test_every_aggregation_is_lm_evals_mean_or_ours_and_ours_are_all_used() -> None:
    used = {m.aggregation for m in METRICS}
    assert used - {"mean"} == set(AGGREGATIONS)
    assert all(name.startswith("toolplan_") for name in AGGREGATIONS)


def test_registrations_binds_each_aggregation_and_the_filter_to_our_objects() -> None:
    from lm_eval.api.registry import filter_registry, get_aggregation

    import harness_ext.lm_eval_glue.registrations as registrations
    from harness_ext.lm_eval_glue.judge_filter import FILTER_NAME, JudgeFilter

    for name, fn in AGGREGATIONS.items():
        assert get_aggregation(name) is fn, name
    assert filter_registry.get(FILTER_NAME) is JudgeFilter
    # A second import path (reload) must not fail or rebind.
    import importlib

    importlib.reload(registrations)
    assert filter_registry.get(FILTER_NAME) is JudgeFilter


def test_registrations_is_the_only_module_that_registers(repo_root: Path) -> None:
    calls = re.compile(r"\bregister_(aggregation|filter|metric)\(")
    offenders = [
        str(p.relative_to(repo_root))
        for p in (repo_root / "harness_ext").rglob("*.py")
        if p.name != "registrations.py" and calls.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_derived_name_lists_follow_the_table() -> None:
    assert PER_SCENARIO_METRICS == (
        "at_f1",
        "at_f1_nb",
        "agent_f1",
        "tool_f1",
        "argkey_f1",
        "lcs",
        "format_ok",
        "deps_valid",
    )
    assert POOLED_METRICS == (
        "agent_valid",
        "tool_valid",
        "agent_valid_nb",
        "tool_valid_nb",
        "hallucinated_names",
    )
    assert PAPER_METRICS == ("at_f1_paper",)


def test_every_metric_that_can_be_undefined_has_its_count_right_after_it() -> None:
    # Undefined per sample (absent) or per run (NaN): argkey_f1, deps_valid, the pooled
    # rates and at_f1_paper. Each has "<name>_n" (toolplan_count) as the next row.
    names = [m.name for m in PLANNING_METRICS]
    undefinable = {"argkey_f1", "deps_valid", *POOLED_METRICS, *PAPER_METRICS}
    for name in undefinable:
        following = PLANNING_METRICS[names.index(name) + 1]
        assert (following.name, following.aggregation) == (f"{name}_n", COUNT), name
    assert {n.removesuffix("_n") for n in COUNT_METRICS} == undefinable


def test_judge_rows_cover_the_rubric_dimensions() -> None:
    dims = [m.name for m in JUDGE_METRICS[: len(DIMENSIONS)]]
    assert dims == [f"judge_{d}" for d in DIMENSIONS]


def test_names_are_unique_and_definitions_are_one_line() -> None:
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))
    for m in METRICS:
        assert m.definition and "\n" not in m.definition and len(m.definition) < 120, m.name


def test_the_task_readme_names_every_metric(repo_root: Path) -> None:
    text = (repo_root / "lm_eval_tasks/assetops/README.md").read_text("utf-8")
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    assert [m.name for m in METRICS if f"`{m.name}`" not in section] == []


def test_an_unknown_metric_name_suggests_the_close_one() -> None:
    assert metric("at_f1").higher_is_better
    with pytest.raises(UnknownNameError, match="Did you mean: at_f1"):
        metric("at-f1")
