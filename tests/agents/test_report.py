"""The experiment table: read lm-eval results files, "–" for what was not measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.agents.report import (
    EPISODE_TASK,
    STEPS_TASK,
    markdown_table,
    memory_ratio,
    read_system,
    training_of,
)
from harness_ext.errors import DataFileError


def _write(folder: Path, task: str, metrics: dict, footprint: dict, peak: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    results = {f"{k},none": v for k, v in metrics.items()}
    results["sample_len"] = 3
    data = {
        "results": {task: results},
        "config": {
            "toolplan_agent": {"footprint_mb": footprint, "adapters": {"planner": "p"}},
            "toolplan_cost": {"peak_rss_mb": peak, "tokens_per_second": 5.0},
        },
    }
    (folder / f"results_{task}.json").write_text(json.dumps(data))


def test_table_rows_and_ratios(tmp_path: Path) -> None:
    one = {"base_mb": 500.0, "adapter_backbone_mb": 10.0}
    three = {
        "base_mb": 500.0,
        **{f"adapter_{r}_mb": 10.0 for r in ("planner", "caller", "summarizer")},
    }
    _write(tmp_path / "single", STEPS_TASK, {"plan_acc": 0.5, "hallu_rate": 0.25}, one, 1000.0)
    _write(
        tmp_path / "single",
        EPISODE_TASK,
        {"task_success": 0.0, "turn_acc": float("nan")},
        one,
        1100.0,
    )
    _write(
        tmp_path / "multi",
        STEPS_TASK,
        {"plan_acc": 0.75, "plan_acc_stderr": 0.1, "act_em": 0.5},
        three,
        1050.0,
    )
    _write(tmp_path / "multi", EPISODE_TASK, {"task_success": 0.5}, three, 1150.0)
    single, multi = (
        read_system(tmp_path / "single", "one"),
        read_system(tmp_path / "multi", "three"),
    )
    assert single.steps["act_em"] is None  # not measured: "–", never 0
    assert single.episodes["turn_acc"] is None  # NaN (no checked turn) is not a number to print
    assert single.peak_rss_mb == 1100.0 and multi.footprint_mb == 530.0
    table = markdown_table([single, multi])
    assert "| one | – | – | 50.00 | – | 25.00 | – | 0.00 | – |" in table
    assert "| three | – | – | 75.00 ± 10.00 | 50.00 | – |" in table  # stderr where lm-eval has one
    assert table.splitlines()[2].endswith("| 3 | 3 |")  # n: samples of each task
    assert "88.92" in table and "52.24" in table  # the paper's 7B row
    assert memory_ratio(multi, single) == {
        "footprint": round(530 / 510, 4),
        "peak_rss": round(1150 / 1100, 4),
    }


def test_training_shares(tmp_path: Path) -> None:
    log = tmp_path / "training_log.json"
    log.write_text(json.dumps({"summary": {"global_step": 24, "loop_s": 1200.0}}))
    assert training_of([(log, 0.5), (log, 1.0)]) == (36, 30.0)


def test_missing_results_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="reproduce_agents"):
        read_system(tmp_path / "nothing")
