"""``toolplan score-plans``: the paper's gold against itself, bad input, output shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.cli import main
from harness_ext.metrics.planning import PER_SCENARIO_METRICS, POOLED_METRICS
from harness_ext.planning.gold import PAPER_GOLD_RELATIVE

F1_METRICS = ("at_f1", "at_f1_nb", "agent_f1", "tool_f1", "argkey_f1", "lcs")


def _paper_predictions(assetops_dir: Path, out: Path) -> Path:
    rows = json.loads((assetops_dir / PAPER_GOLD_RELATIVE).read_text())
    out.write_text(
        "".join(
            json.dumps({"id": r["id"], "prediction": r.get("response") or ""}) + "\n" for r in rows
        )
    )
    return out


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict], str]:
    code = main(["score-plans", *args])
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    return code, lines, captured.err


def test_paper_gold_scored_against_itself_is_perfect_on_every_f1(
    assetops_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    predictions = _paper_predictions(assetops_dir, tmp_path / "p.jsonl")
    code, lines, _ = _run(["--predictions", str(predictions), "--gold", "paper"], capsys)
    assert code == 0
    *rows, last = lines
    assert len(rows) == 152
    summary = last["summary"]
    for metric in F1_METRICS:
        assert summary[metric] == 1.0, metric
    for row in rows:
        for metric in (*PER_SCENARIO_METRICS, *POOLED_METRICS):
            if metric not in ("deps_valid", "argkey_f1"):
                assert metric in row, (row["id"], metric)
        assert isinstance(row["issues"], list)
    assert set(summary["by_type"]) == {"IoT", "FMSA", "TSFM", "Workorder", "multiagent"}


def test_every_bad_line_is_reported_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "prediction": "x"}\nnot json\n{"prediction": "y"}\n{"id": 1}\n')
    code, lines, err = _run(["--predictions", str(path), "--gold", "paper"], capsys)
    assert code == 2 and lines == []
    assert "3 bad line(s)" in err
    assert "line 2: invalid JSON" in err and "line 3: no integer 'id'" in err
    assert "line 4: duplicate id 1" in err


def test_ids_without_gold_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 99999, "prediction": ""}\n')
    code, _, err = _run(["--predictions", str(path), "--gold", "paper"], capsys)
    assert code == 2 and "99999" in err and "no gold entry" in err


def test_output_file_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    plan = "#Task1: s\n#Agent1: IoTAgent\n#Tool1: sites\n#Args1: {}\n#Dependency1: None"
    path.write_text(json.dumps({"id": 1, "prediction": plan}) + "\n" + '{"id": 2}\n')
    out = tmp_path / "scores.jsonl"
    code, lines, _ = _run(
        ["--predictions", str(path), "--gold", "paper", "--out", str(out)], capsys
    )
    assert code == 0 and lines == []
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("id") for r in rows[:2]] == [1, 2]
    assert rows[1]["issues"] == ["plan:empty_output"]
    assert rows[-1]["summary"]["n"] == 2
