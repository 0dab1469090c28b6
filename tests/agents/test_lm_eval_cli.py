"""The real ``lm_eval`` executable runs the agent tasks with ``--model toolplan-agent`` on
the embedded model (slow: minutes on two CPU cores)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import only_results_json, run_command, samples_jsonl


def _lm_eval(task: str, limit: int, model_args: str, out: Path) -> dict:
    result = run_command(
        [
            "lm_eval",
            "--model", "toolplan-agent",
            "--model_args", model_args,
            "--device", "cpu",
            "--batch_size", "8",
            "--tasks", task,
            "--limit", str(limit),
            "--output_path", str(out),
            "--log_samples",
        ],
        env={"OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return only_results_json(out)


@pytest.mark.slow
def test_static_steps_with_limit_5(tmp_path: Path) -> None:
    results = _lm_eval("agent_bfcl_steps", 5, "pretrained=smollm2-135m", tmp_path)
    scores = results["results"]["agent_bfcl_steps"]
    assert scores["sample_len"] == 5
    for metric in ("plan_acc", "hallu_rate"):
        assert 0.0 <= scores[f"{metric},none"] <= 1.0
    assert "rouge_l,none" not in scores  # BFCL has no reference answers: absent, not 0
    samples = samples_jsonl(tmp_path, "agent_bfcl_steps")
    records = [json.loads(s["resps"][0][0]) for s in samples]
    assert all(r["format"] == "toolplan-agent-step/1" and "planner" in r for r in records)
    agent = results["config"]["toolplan_agent"]
    assert agent["mode"] == "multi" and agent["base_loads"] == 1


@pytest.mark.slow
def test_end_to_end_with_limit_2(tmp_path: Path) -> None:
    args = "pretrained=smollm2-135m,max_steps_per_turn=1"
    results = _lm_eval("agent_bfcl_multi_turn_base", 2, args, tmp_path)
    scores = results["results"]["agent_bfcl_multi_turn_base"]
    assert scores["sample_len"] == 2
    assert 0.0 <= scores["task_success,none"] <= 1.0
    for sample in samples_jsonl(tmp_path, "agent_bfcl_multi_turn_base"):
        record = json.loads(sample["resps"][0][0])
        assert record["task_id"] == sample["doc"]["id"]
        assert all(turn["steps"] <= 1 for turn in record["turns"])
        # every task ends scored: a pass, or failure causes that say why
        assert sample["task_success"] == 1.0 or sample["failure"]
    assert results["config"]["toolplan_cost"]["generated_tokens"] > 0
