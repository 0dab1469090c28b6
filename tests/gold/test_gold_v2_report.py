"""The gold v2 report (``results/gold_v2_report.md``).

Three independent checks, each able to fail on its own:

* ``toolplan score-plans --gold project`` on the paper's plans (the public scoring
  path, not the report's code) gives the per-type AT-F1 measured when gold v2 was
  written: IoT .718, FMSA .611, TSFM .991, Workorder .026, multiagent .694, all .525;
* the committed report's per-type and per-scenario tables agree with that command;
* the committed report is byte for byte what the generator writes today.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness_ext.cli import main
from harness_ext.planning.gold import PAPER_GOLD_RELATIVE
from harness_ext.reporting import gold_report
from harness_ext.reporting.gold_report import _reasons

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "results" / "gold_v2_report.md"
TYPE_ROW = re.compile(r"^\| (\*\*all\*\*|\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| ([0-9.]+) \|$")
SCENARIO_ROW = re.compile(r"^\| (\d+) \| (\w+) \| ([0-9.]+) \| (yes|no) \| (\d+) \| .* \|$")
# Measured when gold v2 was written (paper's plans as predictions, v2 as the reference),
# to 3 decimals, with the number of scenarios per type.
DOCUMENTED = {
    "IoT": (20, 0.718),
    "FMSA": (20, 0.611),
    "TSFM": (23, 0.991),
    "Workorder": (47, 0.026),
    "multiagent": (42, 0.694),
}
DOCUMENTED_ALL = (152, 0.525)
NO_PAPER_PLAN = (401, 402, 410, 446)


@pytest.fixture(scope="module")
def scored(assetops_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``toolplan score-plans --gold project`` on the paper's responses: rows and summary."""
    paper = json.loads((assetops_dir / PAPER_GOLD_RELATIVE).read_text("utf-8"))
    predictions = tmp_path_factory.mktemp("gold") / "paper_as_predictions.jsonl"
    predictions.write_text(
        "".join(
            json.dumps({"id": r["id"], "prediction": r.get("response") or ""}) + "\n" for r in paper
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["score-plans", "--predictions", str(predictions), "--gold", "project"])
    assert code == 0
    *rows, last = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return {"rows": {r["id"]: r for r in rows}, "summary": last["summary"]}


def _report_lines() -> list[str]:
    return REPORT.read_text("utf-8").splitlines()


def test_score_plans_gives_the_documented_at_f1(scored: dict[str, Any]) -> None:
    summary = scored["summary"]
    by_type = summary["by_type"]
    assert set(by_type) == set(DOCUMENTED)
    measured = {t: (v["n"], round(v["at_f1"], 3)) for t, v in by_type.items()}
    assert measured == DOCUMENTED
    assert (summary["n"], round(summary["at_f1"], 3)) == DOCUMENTED_ALL
    # The paper left these ids without a plan: 0 against v2's non-empty plans.
    assert [scored["rows"][i]["at_f1"] for i in NO_PAPER_PLAN] == [0.0, 0.0, 0.0, 0.0]


def test_report_per_type_table_matches_score_plans(scored: dict[str, Any]) -> None:
    table = {
        m.group(1): (int(m.group(2)), float(m.group(6)))
        for m in map(TYPE_ROW.match, _report_lines())
        if m
    }
    expected = {t: (v["n"], v["at_f1"]) for t, v in scored["summary"]["by_type"].items()}
    expected["**all**"] = (scored["summary"]["n"], scored["summary"]["at_f1"])
    assert set(table) == set(expected)
    for name, (count, at_f1) in table.items():
        assert count == expected[name][0], name
        # The report prints 4 decimals: equal up to its rounding.
        assert abs(at_f1 - expected[name][1]) <= 5e-5, name


def test_report_per_scenario_rows_match_score_plans(scored: dict[str, Any]) -> None:
    rows = [m for m in map(SCENARIO_ROW.match, _report_lines()) if m]
    assert len(rows) == len(scored["rows"]) == 152
    for m in rows:
        sid, scenario_type, at_f1, agree, alternative = m.groups()
        expected = scored["rows"][int(sid)]
        assert scenario_type == expected["type"], sid
        assert abs(float(at_f1) - expected["at_f1"]) <= 5e-5, sid
        assert int(alternative) == (expected["gold_alternative"] or 0), sid
        # Same (agent, tool) set as some alternative <=> best-alternative AT-F1 is 1.
        assert (agree == "yes") == (expected["at_f1"] == 1.0), sid


def test_committed_report_rebuilds_byte_identically(assetops_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gold_v2_report.md"
    with contextlib.redirect_stdout(io.StringIO()):
        assert gold_report.main(["--out", str(out), "--scenarios", str(assetops_dir)]) == 0
    assert out.read_bytes() == REPORT.read_bytes(), (
        "results/gold_v2_report.md differs from what the generator writes; run "
        "python -m harness_ext.reporting.gold_report and review the diff"
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
