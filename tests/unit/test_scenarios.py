"""Scenario loading: from a folder, a file or the hub; malformed data fails clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError
from harness_ext.planning.scenarios import load_scenarios, select
from harness_ext.planning.splits import SPLITS


def test_folder_with_the_152_scenarios(assetops_dir: Path) -> None:
    scenarios = load_scenarios(str(assetops_dir))
    assert len(scenarios) == 152
    by_type: dict[str, int] = {}
    for s in scenarios:
        by_type[s.type] = by_type.get(s.type, 0) + 1
    assert by_type == {"IoT": 20, "FMSA": 20, "TSFM": 23, "Workorder": 47, "multiagent": 42}
    test30 = select(scenarios, SPLITS["paper_test30"])
    assert len(test30) == 30


def _write(tmp_path: Path, lines: list[str], name: str = "s.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_of_your_own(tmp_path: Path) -> None:
    path = _write(tmp_path, [json.dumps({"id": 7, "type": "IoT", "text": "List sites"})])
    (scenario,) = load_scenarios(str(path))
    assert (scenario.id, scenario.text) == (7, "List sites")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": 1, "type": "IoT"'], ":1: invalid JSON"),
        (['{"id": 1, "type": "IoT"}'], "missing text"),
        (['{"id": "x", "type": "IoT", "text": "a"}'], "not an integer"),
        (['{"id": 1, "type": "IoT", "text": " "}'], "empty 'text'"),
        (
            ['{"id": 1, "type": "IoT", "text": "a"}', '{"id": 1, "type": "IoT", "text": "b"}'],
            "duplicate scenario id 1",
        ),
        ([""], "holds no scenarios"),
    ],
)
def test_malformed_scenarios_name_the_line(tmp_path: Path, lines: list[str], message: str) -> None:
    path = _write(tmp_path, lines, name=f"bad{abs(hash(message))}.jsonl")
    with pytest.raises(DataFileError) as info:
        load_scenarios(str(path))
    assert message in str(info.value)
    assert "ASSETOPSBENCH_DIR" in str(info.value)


def test_missing_path_and_unknown_folder(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="does not exist"):
        load_scenarios(str(tmp_path / "nope"))
    with pytest.raises(DataFileError, match="known scenario files"):
        load_scenarios(str(tmp_path))


def test_selecting_ids_that_are_not_loaded(tmp_path: Path) -> None:
    path = _write(tmp_path, [json.dumps({"id": 7, "type": "IoT", "text": "List sites"})])
    with pytest.raises(DataFileError, match=r"ids \[6\]"):
        select(load_scenarios(str(path)), [6])


def test_hub_failure_is_one_actionable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSETOPSBENCH_DIR", raising=False)
    load_scenarios.cache_clear()
    with pytest.raises(DataFileError) as info:
        load_scenarios(None)
    assert "ibm-research/AssetOpsBench" in str(info.value)
    assert "set ASSETOPSBENCH_DIR" in str(info.value)
