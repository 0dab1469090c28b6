"""``toolplan score-plans``: the paper's gold against itself, bad input, output shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


PAPER_FIXTURE = Path(__file__).parent / "fixtures" / "paper_aggregate"
# The fixture, scored by hand (gold.json is in the paper's shape):
#   id 1  exact single pair                        at_f1 1    kept
#   id 2  one of two gold pairs: P=1, R=1/2         at_f1 2/3  kept
#   id 3  empty answer                              at_f1 0    skipped: empty answer
#   id 4  gold has only a (none, none) step         at_f1 0    skipped: gold without step
#   id 5  no answer, no gold plan (both empty)      at_f1 1    skipped: empty answer first
#   id 6  prose, no step                            at_f1 0    kept
PAPER_KEPT_MEAN = (1 + 2 / 3 + 0) / 3
ALL_ROWS_MEAN = (1 + 2 / 3 + 0 + 0 + 1 + 0) / 6


def _fixture_run(
    capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[list[dict], dict[str, Any]]:
    code, lines, err = _run(
        [
            "--predictions",
            str(PAPER_FIXTURE / "predictions.jsonl"),
            "--gold",
            str(PAPER_FIXTURE / "gold.json"),
            *extra,
        ],
        capsys,
    )
    assert code == 0, err
    *rows, last = lines
    return rows, last["summary"]


def test_aggregate_paper_skips_what_the_papers_script_skips(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows, summary = _fixture_run(capsys, "--aggregate", "paper")
    assert summary == {
        "aggregate": "paper",
        "at_f1": pytest.approx(PAPER_KEPT_MEAN),
        "n": 3,
        "skipped": {"empty_answer": 2, "gold_without_actionable_step": 1},
    }
    kept = [r["id"] for r in rows if r["at_f1_paper_n"]]
    assert kept == [1, 2, 6]
    # Each row carries what the filter read.
    assert rows[2]["at_f1_paper"] == {"at_f1": 0.0, "answered": False, "gold_actionable": True}
    assert rows[3]["at_f1_paper"] == {"at_f1": 0.0, "answered": True, "gold_actionable": False}


def test_default_aggregate_keeps_every_row_and_reports_the_paper_total_beside_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, summary = _fixture_run(capsys)
    assert summary["aggregate"] == "all" and summary["n"] == 6
    assert summary["at_f1"] == pytest.approx(ALL_ROWS_MEAN)
    assert summary["at_f1_paper"] == pytest.approx(PAPER_KEPT_MEAN)
    assert summary["at_f1_paper_n"] == 3


def test_aggregate_paper_with_no_kept_row_leaves_at_f1_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 1, "prediction": ""}\n{"id": 4, "prediction": "x"}\n')
    gold = str(PAPER_FIXTURE / "gold.json")
    code, lines, _ = _run(
        ["--predictions", str(path), "--gold", gold, "--aggregate", "paper"], capsys
    )
    assert code == 0
    assert lines[-1]["summary"] == {
        "aggregate": "paper",
        "n": 0,
        "skipped": {"empty_answer": 1, "gold_without_actionable_step": 1},
    }


def test_undefined_rates_are_left_out_of_the_summary_with_a_zero_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The untuned model's case: prose only, so no step and no name were written.
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 1, "prediction": "I cannot help."}\n')
    gold = str(PAPER_FIXTURE / "gold.json")
    code, lines, _ = _run(["--predictions", str(path), "--gold", gold], capsys)
    assert code == 0
    summary = lines[-1]["summary"]
    for name in ("agent_valid", "tool_valid", "agent_valid_nb", "hallucinated_names"):
        assert name not in summary, name
        assert summary[f"{name}_n"] == 0, name
    assert summary["at_f1"] == 0.0 and summary["parse_issue_rate"] == 1.0
