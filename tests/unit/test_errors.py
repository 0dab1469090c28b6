"""User-facing errors list what exists and suggest the fix."""

from __future__ import annotations

import pytest

from harness_ext.cli import main
from harness_ext.errors import UnknownNameError
from harness_ext.models.embedded import embedded_model_path


def test_unknown_name_suggests_close_matches() -> None:
    error = UnknownNameError("task", "assetops_fre", ["assetops_free", "assetops_informed"], "Fix.")
    assert "Did you mean: assetops_free" in str(error)
    assert "Known tasks: assetops_free, assetops_informed." in str(error)


def test_unknown_model_alias() -> None:
    with pytest.raises(UnknownNameError, match="smollm2-135m"):
        embedded_model_path("smollm2-136m")


def test_unknown_command_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evall"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean: eval?" in err and "Traceback" not in err


def test_unknown_task_in_toolplan_eval(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--tasks", "assetops_fre", "--limit", "1"]) == 2
    err = capsys.readouterr().err
    assert "Unknown task 'assetops_fre'" in err and "assetops_free" in err
    assert "toolplan tasks" in err
