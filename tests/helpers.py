"""Small helpers for tests that run our commands as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def run_command(
    args: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 900,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run an installed console script (``toolplan``, ``lm_eval``) from this venv."""
    full_env = {**os.environ, **(env or {})}
    exe = str(BIN / args[0]) if (BIN / args[0]).exists() else args[0]
    return subprocess.run(
        [exe, *args[1:]],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


def only_results_json(output_dir: Path) -> dict[str, Any]:
    """Load the single ``results_*.json`` that lm-eval wrote under ``output_dir``."""
    found = sorted(output_dir.rglob("results_*.json"))
    assert len(found) == 1, f"expected one results file under {output_dir}, found {found}"
    return json.loads(found[0].read_text())


def samples_jsonl(output_dir: Path, task: str) -> list[dict[str, Any]]:
    """Load the logged samples of one task."""
    found = sorted(output_dir.rglob(f"samples_{task}_*.jsonl"))
    assert len(found) == 1, f"expected one samples file for {task}, found {found}"
    return [json.loads(line) for line in found[0].read_text().splitlines() if line.strip()]
