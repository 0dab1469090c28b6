"""``toolplan agent replay``: the checker without a model, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.cli import main


def _replay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["agent", "replay", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else {}


def test_ground_truth_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _replay(capsys, "--id", "0", "--calls", "ground-truth", "--states")
    assert code == 0 and report["valid"] and report["passed_turns"] == report["checked_turns"] == 4
    assert "GorillaFileSystem" in report["turns"][0]["state"]


def test_a_wrong_list_fails_with_bfcl_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = tmp_path / "calls.json"
    calls.write_text(json.dumps([["cd(folder='document')", "mkdir(dir_name='temp')"], [], [], []]))
    code, report = _replay(
        capsys, "--category", "base", "--id", "multi_turn_base_0", "--calls", str(calls)
    )
    assert code == 1
    assert report["cause"] == "multi_turn:instance_state_mismatch" and report["failed_turn"] == 0
    assert report["turns"][0]["differences"] == ["GorillaFileSystem.root"]
    assert [t["cause"] for t in report["turns"][1:]] == ["multi_turn:empty_turn_model_response"] * 3


@pytest.mark.parametrize("content", ["not json", '{"a": 1}', '[["cd()"], "x"]'])
def test_bad_call_files_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    calls = tmp_path / "calls.json"
    calls.write_text(content)
    assert main(["agent", "replay", "--id", "0", "--calls", str(calls)]) == 2
    assert str(calls) in capsys.readouterr().err


def test_unknown_id_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agent", "replay", "--id", "200", "--calls", "ground-truth"]) == 2
    assert "Unknown task id" in capsys.readouterr().err
