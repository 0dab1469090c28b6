"""``lm_eval --metadata split=...`` on an assetops task, through the real CLI.

lm-eval 0.4.13 calls ``custom_dataset(**metadata, **dataset_kwargs)``, so a metadata
key that the YAML's ``dataset_kwargs`` also sets used to crash the run with
``TypeError: got multiple values for keyword argument 'split'``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.planning.splits import SPLITS
from tests.helpers import only_results_json, run_command, samples_jsonl


def _lm_eval(model: str, task: str, metadata: str, out: Path | None) -> list[str]:
    args = [
        "lm_eval",
        "--model", "hf",
        "--model_args", f"pretrained={model}",
        "--device", "cpu",
        "--tasks", task,
        "--metadata", metadata,
        "--limit", "1",
        "--gen_kwargs", "max_gen_toks=8",
    ]  # fmt: skip
    return args + (["--output_path", str(out), "--log_samples"] if out else [])


@pytest.mark.slow
def test_metadata_split_overrides_the_task_split(embedded_model: str, tmp_path: Path) -> None:
    result = run_command(_lm_eval(embedded_model, "assetops_free", "split=paper_test30", tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "--metadata split=paper_test30 overrides the task's own split=all" in result.stderr
    # assetops_free runs all 152 scenarios (first id 1); test30 starts at its first id.
    test30 = SPLITS["paper_test30"]
    assert test30 is not None
    assert [s["doc"]["id"] for s in samples_jsonl(tmp_path, "assetops_free")] == [test30[0]]
    config = only_results_json(tmp_path)["configs"]["assetops_free"]
    assert config["dataset_kwargs"] == {"condition": "free", "split": "paper_test30"}


@pytest.mark.slow
def test_metadata_condition_fails_with_our_error(embedded_model: str) -> None:
    result = run_command(_lm_eval(embedded_model, "assetops_free", "condition=informed", None))
    assert result.returncode != 0
    assert "got multiple values" not in result.stderr
    assert "ToolplanError: task assetops_free: --metadata condition=informed" in result.stderr
    assert "Fix: drop condition from --metadata" in result.stderr
