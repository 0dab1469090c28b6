"""results/second_domain.md's generated block: rebuilt byte for byte from the committed
runs in results/runs/second_domain/ (no model), and a missing run named with exit 2."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "results" / "runs" / "second_domain"
REPORT = REPO / "results" / "second_domain.md"


def _table() -> ModuleType:
    path = REPO / "scripts" / "second_domain_table.py"
    spec = importlib.util.spec_from_file_location("second_domain_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_block_rebuilds_byte_identically(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(RUNS, runs)  # training.json is read, never rewritten, without --adapters
    out = tmp_path / "second_domain.md"
    shutil.copyfile(REPORT, out)
    code = _table().main(["--runs", str(runs), "--out", str(out)])
    assert code == 0
    assert out.read_bytes() == REPORT.read_bytes(), (
        "results/second_domain.md differs from what scripts/second_domain_table.py writes"
    )
    assert (runs / "training.json").read_bytes() == (RUNS / "training.json").read_bytes()


def test_a_missing_run_is_named_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(RUNS, runs)
    shutil.rmtree(runs / "bfcl-free-r16")
    out = tmp_path / "second_domain.md"
    shutil.copyfile(REPORT, out)
    assert _table().main(["--runs", str(runs), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("second_domain_table: error: ") and "bfcl-free-r16" in err
    assert out.read_bytes() == REPORT.read_bytes()  # nothing written on an error
