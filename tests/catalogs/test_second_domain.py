"""The second domain: BFCL multi-turn converted into catalog, scenarios and gold.

bfcl-eval is read in place (``scripts/install.sh`` installs it); nothing is written
outside ``tmp_path``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.agents.bfcl import heldout_indices, training_indices
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.scenario_gold import check_scenarios
from harness_ext.planning.second_domain import (
    CATALOG_FILE,
    HELDOUT_FILE,
    MANIFEST_FILE,
    TRAIN_FILE,
    convert,
    link_args,
    result_values,
)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bfcl") / "a"
    convert(out)
    return out


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_conversion_is_deterministic(converted: Path, tmp_path: Path) -> None:
    again = tmp_path / "b"
    convert(again)
    names = [CATALOG_FILE, HELDOUT_FILE, TRAIN_FILE, MANIFEST_FILE, ".gitignore"]
    for name in names:
        assert (converted / name).read_bytes() == (again / name).read_bytes(), name
    assert (converted / ".gitignore").read_text().splitlines()[-1] == "*"


def test_catalog_is_bfcls_apis(converted: Path) -> None:
    cat = load_catalog(str(converted / CATALOG_FILE))
    assert cat.agent_names == (
        "GorillaFileSystem",
        "MathAPI",
        "MessageAPI",
        "TwitterAPI",
        "TicketAPI",
        "TradingBot",
        "TravelAPI",
        "VehicleControlAPI",
    )
    assert len(cat.tools) == 128
    assert cat.domain and "vehicle control" in cat.domain


def test_split_by_task_index_as_the_agent_experiment(converted: Path) -> None:
    held = _rows(converted / HELDOUT_FILE)
    train = _rows(converted / TRAIN_FILE)
    held_tasks = {int(r["id"]) // 100 for r in held}  # type: ignore[call-overload]
    train_tasks = {int(r["id"]) // 100 for r in train}  # type: ignore[call-overload]
    assert held_tasks == set(heldout_indices())
    assert train_tasks == set(training_indices())
    manifest = json.loads((converted / MANIFEST_FILE).read_text())
    assert manifest["heldout"]["scenarios"] == len(held)
    assert manifest["train"]["scenarios"] == len(train)
    assert len(held) + len(train) == 731  # 734 turns, 3 ask for no call


def test_every_gold_is_valid_against_the_catalog(converted: Path) -> None:
    cat = load_catalog(str(converted / CATALOG_FILE))
    for name in (HELDOUT_FILE, TRAIN_FILE):
        report = check_scenarios(converted / name, cat)
        assert report.errors == ()
        assert report.with_gold == report.scenarios


def test_a_known_turn(converted: Path) -> None:
    # multi_turn_base_7, turn 1: cd into a folder, then mkdir (state order, no data flow).
    rows = {r["id"]: r for r in _rows(converted / TRAIN_FILE) + _rows(converted / HELDOUT_FILE)}
    row = rows[701]
    assert row["type"] == "GorillaFileSystem"
    assert [(g["tool"], g["args"]) for g in row["gold"]] == [  # type: ignore[attr-defined]
        ("cd", {"folder": "academic_venture"}),
        ("mkdir", {"dir_name": "academic_hub"}),
    ]
    assert all("depends_on" not in g for g in row["gold"])  # type: ignore[attr-defined]


def test_dependency_rule() -> None:
    earlier = [result_values('{"user_id": "USR005", "ok": true}'), result_values("plain text")]
    question = "Send 'hi' to Eve and copy plain text"
    linked = link_args(
        {"receiver_id": "USR005", "message": "hi", "ids": ["USR005", "x"], "flag": True},
        earlier,
        question,
    )
    assert linked == {
        "receiver_id": "{step_1}",  # from step 1's result, not in the question
        "message": "hi",
        "ids": ["{step_1}", "x"],
        "flag": True,  # booleans never count
    }
    # A value the user wrote is the user's, even when a result repeats it.
    assert link_args({"text": "plain text"}, earlier, question) == {"text": "plain text"}
    # Numbers: 35.0 from a result; written as 35 in the question it stays literal.
    numbers = [result_values('{"fuelLevel": 35.0, "n": 1}')]
    assert link_args({"gallon": 35.0}, numbers, "fill the tank") == {"gallon": "{step_1}"}
    assert link_args({"gallon": 35.0}, numbers, "convert 35 gallons") == {"gallon": 35.0}
    # The latest earlier step wins.
    two = [result_values('{"v": "abc"}'), result_values('{"w": "abc"}')]
    assert link_args({"a": "abc"}, two, "") == {"a": "{step_2}"}
