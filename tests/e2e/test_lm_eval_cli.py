"""The real ``lm_eval`` executable finds and runs our tasks on the embedded model.

Generation is capped (``max_gen_toks``) to keep CI fast; the task defaults leave room
for a six-step plan.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.metrics.planning import PER_SCENARIO_METRICS, POOLED_METRICS
from tests.helpers import only_results_json, run_command, samples_jsonl

TASKS = ("assetops_informed_test30", "assetops_free_test30")
EVERY_METRIC = (*PER_SCENARIO_METRICS, *POOLED_METRICS, "parse_issue_rate", "prompt_tokens")


@pytest.mark.slow
def test_plain_lm_eval_without_include_path(embedded_model: str, tmp_path: Path) -> None:
    result = run_command(
        [
            "lm_eval",
            "--model", "hf",
            "--model_args", f"pretrained={embedded_model}",
            "--device", "cpu",
            "--tasks", ",".join(TASKS),
            "--apply_chat_template",
            "--limit", "2",
            "--gen_kwargs", "max_gen_toks=48",
            "--output_path", str(tmp_path),
            "--log_samples",
        ]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = only_results_json(tmp_path)["results"]
    for task in TASKS:
        # deps_valid is only scored for outputs that contain steps.
        missing = [
            m for m in EVERY_METRIC if f"{m},none" not in results[task] and m != "deps_valid"
        ]
        assert not missing, (task, missing)
        assert results[task]["sample_len"] == 2
        samples = samples_jsonl(tmp_path, task)
        assert [s["doc"]["id"] for s in samples] == [6, 41]
        assert all(isinstance(s["parse_issue_rate"], list) for s in samples)
    informed = results["assetops_informed_test30"]["prompt_tokens,none"]
    free = results["assetops_free_test30"]["prompt_tokens,none"]
    assert free <= 0.2 * informed, (free, informed)


@pytest.mark.slow
def test_include_path_route_without_the_hook(embedded_model: str, tmp_path: Path) -> None:
    tasks_path = run_command(["toolplan", "tasks-path"]).stdout.strip()
    result = run_command(
        [
            "lm_eval",
            "--model", "hf",
            "--model_args", f"pretrained={embedded_model}",
            "--device", "cpu",
            "--include_path", tasks_path,
            "--tasks", "assetops_free_test30",
            "--apply_chat_template",
            "--limit", "1",
            "--gen_kwargs", "max_gen_toks=16",
            "--output_path", str(tmp_path),
        ],
        env={"TOOLPLAN_EVAL_NO_HOOK": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "at_f1,none" in only_results_json(tmp_path)["results"]["assetops_free_test30"]


@pytest.mark.slow
def test_without_hook_or_include_path_the_task_is_not_found(embedded_model: str) -> None:
    result = run_command(
        ["lm_eval", "--model", "hf", "--model_args", f"pretrained={embedded_model}",
         "--device", "cpu", "--tasks", "assetops_free_test30", "--limit", "1"],
        env={"TOOLPLAN_EVAL_NO_HOOK": "1"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "assetops_free_test30" in result.stderr


@pytest.mark.slow
def test_toolplan_eval_names_the_run_after_the_alias(tmp_path: Path) -> None:
    """The alias, not this machine's cache path, names the output folder and the model."""
    result = run_command(
        [
            "toolplan", "eval",
            "--model", "smollm2-135m",
            "--tasks", "assetops_free_test30",
            "--limit", "1",
            "--gen_kwargs", "max_gen_toks=16",
            "--output_path", str(tmp_path),
        ]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "|assetops_free_test30|" in result.stdout.replace(" ", "")
    data = only_results_json(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["smollm2-135m"]
    assert data["model_name"] == "smollm2-135m"
    assert data["config"]["model"] == "toolplan-hf"
    assert data["config"]["model_args"]["pretrained"] == "smollm2-135m"
    assert "/" not in json.dumps(data["config"]["model_args"])
    assert data["results"]["assetops_free_test30"]["sample_len"] == 1
    # prompt_tokens resolved the alias to the embedded tokenizer.
    assert data["results"]["assetops_free_test30"]["prompt_tokens,none"] > 0
