"""The fc_bfcl task folder: YAML against the metric table, docs, process_results, groups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness_ext.errors import UnknownNameError
from harness_ext.fc.data import CATEGORIES
from harness_ext.fc.table import CAUSE_METRICS, FC_METRICS
from harness_ext.lm_eval_glue.fc import build_docs, fc_format, process_results

FOLDER = "lm_eval_tasks/fc_bfcl"


def _yaml(path: Path) -> dict[str, Any]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))
    data = yaml.load(path.read_text("utf-8"), Loader=Loader)
    assert isinstance(data, dict), path
    return data


def test_the_yaml_metric_list_is_the_table_in_order(repo_root: Path) -> None:
    template = repo_root / FOLDER / "_template_yaml"
    listed = [
        (m["metric"], m["aggregation"], m["higher_is_better"])
        for m in _yaml(template)["metric_list"]
    ]
    wanted = [(m.name, m.aggregation, m.higher_is_better) for m in FC_METRICS]
    assert listed == wanted, f"{template} and harness_ext/fc/table.py differ:\n" + "\n".join(
        f"  - {{metric: {n}, aggregation: {a}, higher_is_better: {str(h).lower()}}}"
        for n, a, h in sorted(set(wanted) ^ set(listed))
    )


def test_one_task_per_category_and_none_overrides_the_template(repo_root: Path) -> None:
    tasks = {}
    for path in (repo_root / FOLDER).glob("*.yaml"):
        cfg = _yaml(path)
        assert "metric_list" not in cfg, path
        if "task" in cfg and isinstance(cfg["task"], str):
            tasks[cfg["task"]] = cfg["dataset_kwargs"]["category"]
    assert tasks == {f"fc_bfcl_{c}": c for c in CATEGORIES}


def test_groups_compute_bfcls_summaries(repo_root: Path) -> None:
    nonlive = _yaml(repo_root / FOLDER / "fc_bfcl_nonlive_ast.yaml")
    live = _yaml(repo_root / FOLDER / "fc_bfcl_live_ast.yaml")
    assert nonlive["task"] == [
        f"fc_bfcl_{c}" for c in ("simple", "multiple", "parallel", "parallel_multiple")
    ]
    assert live["task"] == [
        f"fc_bfcl_live_{c}" for c in ("simple", "multiple", "parallel", "parallel_multiple")
    ]
    # BFCL: non-live overall unweighted, live overall weighted by size.
    assert nonlive["aggregate_metric_list"] == [
        {"metric": "acc", "aggregation": "mean", "weight_by_size": False}
    ]
    assert live["aggregate_metric_list"] == [
        {"metric": "acc", "aggregation": "mean", "weight_by_size": True}
    ]
    top = _yaml(repo_root / FOLDER / "fc_bfcl.yaml")
    assert top["task"] == ["fc_bfcl_nonlive", "fc_bfcl_live"]


def test_the_readme_names_every_metric(repo_root: Path) -> None:
    text = (repo_root / FOLDER / "README.md").read_text("utf-8")
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    assert [m.name for m in FC_METRICS if f"`{m.name}`" not in section] == []


@pytest.mark.parametrize("fmt", ["python", "json"])
def test_process_results_returns_exactly_the_table_names(fmt: str) -> None:
    doc = build_docs("parallel", fc_format(fmt))[0]
    good = (
        "[spotify.play(artist='Taylor Swift', duration=20), spotify.play(artist='Maroon 5', duration=15)]"
        if fmt == "python"
        else '<tool_call>{"name": "spotify.play", "arguments": {"artist": "Maroon 5", "duration": 15}}</tool_call>'
        '<tool_call>{"name": "spotify.play", "arguments": {"artist": "Taylor Swift", "duration": 20}}</tool_call>'
    )
    out = process_results(doc, [good])
    names = {m.name for m in FC_METRICS} - ({"json_valid"} if fmt == "python" else set())
    assert set(out) == names
    assert out["acc"] == 1.0 and out["decode_ok"] == 1.0
    bad = process_results(doc, ["I would play some music."])
    assert bad["acc"] == 0.0 and bad["fail_decode"] == 1.0
    # acc and the fail_* rates partition every sample.
    for values in (out, bad):
        assert values["acc"] + sum(values[n] for n in CAUSE_METRICS.values()) == 1.0


def test_docs_carry_what_scoring_needs() -> None:
    for fmt in ("python", "json"):
        docs = build_docs("live_parallel_multiple", fc_format(fmt))
        assert len(docs) == 24
        for doc in docs:
            assert doc["fc_format"] == fmt and doc["category"] == "live_parallel_multiple"
            assert json.loads(doc["functions"]) and json.loads(doc["ground_truth"])
            assert doc["system"] and doc["user"]
            assert doc["prompt_route"] == ("bfcl_prompt" if fmt == "python" else "hermes_block")


def test_an_unknown_format_is_one_clear_error() -> None:
    with pytest.raises(UnknownNameError, match=r"fc_format.*Did you mean: json"):
        fc_format("jsno")


@pytest.mark.parametrize(
    "output",
    [
        "x" * 50_000,
        bytes(range(256)).decode("latin-1"),
        "[f(" + ", ".join(f"a{i}=1" for i in range(10_000)) + ")]",
        "[calculate_triangle_area(" + ", ".join(f"a{i}=1" for i in range(500)) + ")]",
        "",
    ],
    ids=["50kB", "binary", "10000-args", "500-args", "empty"],
)
def test_hostile_outputs_are_one_failed_sample_with_a_cause(output: str) -> None:
    for fmt in ("python", "json"):
        doc = build_docs("simple", fc_format(fmt))[0]
        out = process_results(doc, [output])
        # An empty output is "[]" to BFCL's prompt decoder: zero calls, not a decode error.
        cause = "fail_call_count" if output == "" and fmt == "python" else "fail_decode"
        assert out["acc"] == 0.0 and out[cause] == 1.0, (fmt, out)
