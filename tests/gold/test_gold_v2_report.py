"""The gold v2 report: its numbers equal ``toolplan score-plans --gold project`` on the
paper's plans, it is up to date, and its disagreement reasons follow their rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness_ext.cli import main
from harness_ext.planning.gold import PAPER_GOLD_RELATIVE
from harness_ext.reporting.gold_report import _reasons, build, render

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "results" / "gold_v2_report.md"
ROW = re.compile(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| ([0-9.]+) \|$")


def report_table() -> dict[str, tuple[int, float]]:
    """{type: (scenarios, AT-F1)} from the committed report's per-type table."""
    table = {}
    for line in REPORT.read_text("utf-8").splitlines():
        match = ROW.match(line)
        if match:
            table[match.group(1)] = (int(match.group(2)), float(match.group(6)))
    return table


def test_score_plans_on_the_paper_gold_matches_the_report(
    assetops_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paper = json.loads((assetops_dir / PAPER_GOLD_RELATIVE).read_text("utf-8"))
    predictions = tmp_path / "P.jsonl"
    predictions.write_text(
        "".join(
            json.dumps({"id": r["id"], "prediction": r.get("response") or ""}) + "\n" for r in paper
        ),
        encoding="utf-8",
    )
    code = main(["score-plans", "--predictions", str(predictions), "--gold", "project"])
    out = capsys.readouterr().out
    assert code == 0
    *rows, last = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(rows) == 152
    assert all("at_f1" in r and isinstance(r["issues"], list) for r in rows)
    by_type = last["summary"]["by_type"]
    table = report_table()
    assert set(table) == set(by_type) == {"IoT", "FMSA", "TSFM", "Workorder", "multiagent"}
    for scenario_type, (count, at_f1) in table.items():
        assert by_type[scenario_type]["n"] == count, scenario_type
        # The report prints 4 decimals: equal up to its rounding.
        assert abs(by_type[scenario_type]["at_f1"] - at_f1) <= 5e-5, scenario_type
    # The ids the paper left without a plan score 0 against v2's non-empty plans.
    scores = {r["id"]: r["at_f1"] for r in rows}
    assert [scores[i] for i in (401, 402, 410, 446)] == [0.0, 0.0, 0.0, 0.0]


def test_committed_report_is_what_the_generator_writes(assetops_dir: Path) -> None:
    assert REPORT.read_text("utf-8") == render(build(str(assetops_dir))), (
        "run: python -m harness_ext.reporting.gold_report"
    )


WO = ("WorkOrderAgent", "get_events")
SITES, ASSETS = ("IoTAgent", "sites"), ("IoTAgent", "assets")
SENSORS, HISTORY = ("IoTAgent", "sensors"), ("IoTAgent", "history")


@pytest.mark.parametrize(
    ("response", "paper", "reference", "has_steps", "expected"),
    [
        ("", set(), {WO}, False, ("paper:no_plan_empty",)),
        ("I cannot do this.", set(), {WO}, False, ("paper:no_plan_prose",)),
        ("#Task1: think", set(), {WO}, True, ("paper:reasoning_only",)),
        ("plan", {SITES, ASSETS}, {WO}, True, ("paper:work_order_routed_elsewhere",)),
        (
            "plan",
            {ASSETS, SENSORS},
            {HISTORY},
            True,
            (
                "paper:extra_id_lookup",
                "paper:missing_step:IoTAgent.history",
                "paper:extra_step:IoTAgent.sensors",
            ),
        ),
        ("plan", {HISTORY}, {HISTORY}, True, ()),
    ],
)
def test_disagreement_reasons(
    response: str,
    paper: set[tuple[str, str]],
    reference: set[tuple[str, str]],
    has_steps: bool,
    expected: tuple[str, ...],
) -> None:
    assert _reasons(response, paper, reference, has_steps) == expected
