"""``toolplan check`` on the committed placeholder adapter: pass, then fail when tightened.

One real evaluation (the CLI, the baseline's own settings); the tightened and
mismatched cases reuse its results file through ``--results``, so they need no model.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness_ext.registry.regression import current_value, read_baseline
from tests.helpers import run_command

ADAPTER = "adapters/placeholder-smollm2-r8"


@pytest.fixture(scope="module")
def checked(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("check")
    result = run_command(
        ["toolplan", "check", ADAPTER, "--output_path", str(out)], cwd=repo_root, timeout=600
    )
    return result, out / "placeholder-smollm2-r8.json"


def _variant(repo_root: Path, tmp_path: Path, edit: Any) -> Path:
    copy = tmp_path / "placeholder-smollm2-r8"
    shutil.copytree(repo_root / ADAPTER, copy)
    data = json.loads((copy / "baseline.json").read_text())
    edit(data)
    (copy / "baseline.json").write_text(json.dumps(data))
    return copy


@pytest.mark.slow
def test_check_passes_on_the_committed_adapter(checked: tuple[Any, Path]) -> None:
    result, results_file = checked
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| task" in result.stdout and "pass (0 of" in result.stdout
    assert "REGRESSION" not in result.stdout
    assert "cost: load" in result.stdout
    saved = json.loads(results_file.read_text())
    assert saved["config"]["toolplan_cost"]["generated_tokens"] > 0
    assert saved["config"]["toolplan_adapter"]["base_check"]["status"] == "match"


@pytest.mark.slow
def test_check_runs_with_passive_openmp_waits_and_a_thread_per_core(
    checked: tuple[Any, Path],
) -> None:
    # The defaults that keep a check fast beside another process (models.threads);
    # a wait policy set by whoever runs the tests is kept.
    result, results_file = checked
    cost = json.loads(results_file.read_text())["config"]["toolplan_cost"]
    expected = os.environ.get("OMP_WAIT_POLICY", "").strip() or "PASSIVE"
    assert cost["omp_wait_policy"] == expected
    if expected.upper() == "PASSIVE":  # threads=auto keeps torch's own count
        fresh = run_command(["python", "-c", "import torch; print(torch.get_num_threads())"])
        assert cost["cpu_threads"] == int(fresh.stdout)
    assert f"{cost['cpu_threads']} CPU threads, OMP_WAIT_POLICY={expected}" in result.stdout


@pytest.mark.slow
def test_check_fails_when_the_baseline_is_tightened_past_the_current_score(
    checked: tuple[Any, Path], repo_root: Path, tmp_path: Path
) -> None:
    _, results_file = checked
    results = json.loads(results_file.read_text())
    baseline = read_baseline(repo_root / ADAPTER)
    task = baseline.eval.tasks[0]
    current = current_value(results, task, "format_ok")
    assert current is not None

    def tighten(data: dict[str, Any]) -> None:
        data["scores"][task]["format_ok"] = {"value": current + 0.5, "tolerance": 0.1}

    tight = _variant(repo_root, tmp_path, tighten)
    result = run_command(["toolplan", "check", str(tight), "--results", str(results_file)])
    assert result.returncode == 1, result.stdout + result.stderr
    row = next(line for line in result.stdout.splitlines() if "format_ok" in line)
    assert "REGRESSION" in row and "-0.5" in row
    assert "FAIL (1 of" in result.stdout


@pytest.mark.slow
def test_check_passes_at_exactly_the_tolerance_and_with_results_given(
    checked: tuple[Any, Path], repo_root: Path, tmp_path: Path
) -> None:
    _, results_file = checked
    results = json.loads(results_file.read_text())
    task = read_baseline(repo_root / ADAPTER).eval.tasks[0]
    current = current_value(results, task, "format_ok")
    assert current is not None

    def loosen(data: dict[str, Any]) -> None:
        data["scores"][task]["format_ok"] = {"value": current + 0.25, "tolerance": 0.25}

    edge = _variant(repo_root, tmp_path, loosen)
    result = run_command(["toolplan", "check", str(edge), "--results", str(results_file)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_results_made_with_other_settings_are_refused(
    checked: tuple[Any, Path], repo_root: Path, tmp_path: Path
) -> None:
    _, results_file = checked
    other = _variant(repo_root, tmp_path, lambda d: d["eval"].update(limit=30))
    result = run_command(["toolplan", "check", str(other), "--results", str(results_file)])
    assert result.returncode == 2
    assert "limit is 3" in result.stderr and "baseline used 30" in result.stderr
