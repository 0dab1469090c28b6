"""`toolplan train --method grpo` on the embedded model: 2 steps, a loadable adapter, resume.

One real 2-step run (fp32, one torch thread, 2 generations of at most 4 tokens, two
xLAM-format prompts authored here) made by the installed
`toolplan` script. It continues the committed CI adapter (``--init
adapters/placeholder-smollm2-r8``, kind ``sft+grpo``): an untuned 135M model gets the same
reward for both completions of a group, so a *fresh* LoRA would get a zero advantage and
stay exactly zero — and toolplan-hf rightly refuses an adapter that changes nothing. The
resume test copies the run, deletes what a crash during step 2 would not have written,
and finishes step 2 from checkpoint-1 (in this process, to spare a second start-up).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from harness_ext.cli import main
from harness_ext.training.grpo import REWARDS_FILE
from tests.helpers import run_command

REPO = Path(__file__).resolve().parents[2]
INIT = REPO / "adapters" / "placeholder-smollm2-r8"
RECORDS = [
    {
        "id": 1,
        "query": "Turn on the kitchen light.",
        "tools": [{"name": "light_on", "description": "Switch a light on.",
                   "parameters": {"room": {"type": "str", "description": "room"}}}],
        "answers": [{"name": "light_on", "arguments": {"room": "kitchen"}}],
    },
    {
        "id": 2,
        "query": "What is 2 plus 3?",
        "tools": [{"name": "add", "description": "Add two integers.",
                   "parameters": {"a": {"type": "int"}, "b": {"type": "int"}}}],
        "answers": [{"name": "add", "arguments": {"a": 2, "b": 3}}],
    },
]  # fmt: skip
GRPO_ARGS = [
    "--method", "grpo", "--base", "smollm2-135m", "--init", str(INIT), "--max-steps", "2",
    "--num-generations", "2", "--batch-size", "2", "--max-completion-length", "4",
    "--save-steps", "1", "--lr", "1e-3", "--device", "cpu", "--threads", "1",
]  # fmt: skip


def _train(data: Path, out: Path, *extra: str) -> None:
    result = run_command(
        ["toolplan", "train", "--data", str(data), "--out", str(out), *GRPO_ARGS, *extra],
        env={"OMP_NUM_THREADS": "1"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def grpo_run(tmp_path_factory: pytest.TempPathFactory, embedded_model: str) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("grpo")
    data = root / "calls.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    out = root / "adapters" / "tiny-grpo"
    _train(data, out)
    return {"data": data, "out": out, "root": root}


def _rewards(out: Path) -> list[dict[str, object]]:
    lines = (out / "checkpoints" / REWARDS_FILE).read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.slow
def test_two_grpo_steps_write_an_adapter_toolplan_hf_loads(grpo_run: dict[str, Path]) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    out = grpo_run["out"]
    manifest = yaml.safe_load((out / "manifest.yaml").read_text())
    assert manifest["kind"] == "sft+grpo"
    assert manifest["reward"] == {
        "name": "function_call",
        "weights": {"format": 0.125, "name": 0.375, "args": 0.5},
        "fc_format": "json",
        "init": str(INIT),
    }
    assert manifest["lora"]["r"] == 8  # the --init adapter's own LoRA settings
    assert manifest["training"]["global_step"] == 2
    assert manifest["training_data"]["examples"] == 2
    # Only the trained adapter is saved, not TRL's frozen "ref" copy of the --init one.
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert not (out / "ref").exists()
    log = json.loads((out / "training_log.json").read_text())
    logged = {k for h in log["log_history"] for k in h}
    assert {"rewards/function_call_reward/mean", "kl", "completions/mean_length"} <= logged
    assert "timing/generate_s" in logged
    # Every completion was scored once: 2 steps x 1 prompt x 2 generations.
    rows = _rewards(out)
    assert len(rows) == 4 and {r["step"] for r in rows} == {0, 1}
    assert {r["id"] for r in rows} <= {"xlam_1", "xlam_2"}
    # toolplan-hf applies it over the fp32 base and its probe check passes (logits move).
    lm = ToolplanHFLM(pretrained="smollm2-135m", peft=str(out), device="cpu", threads=1)
    assert lm._probe_diff > 0


@pytest.mark.slow
def test_grpo_resume_continues_from_the_last_checkpoint(grpo_run: dict[str, Path]) -> None:
    import torch

    crashed = grpo_run["root"] / "adapters" / "tiny-grpo-crashed"
    shutil.copytree(grpo_run["out"], crashed)
    shutil.rmtree(crashed / "checkpoints" / "checkpoint-2")
    for name in ("adapter_model.safetensors", "adapter_config.json", "manifest.yaml",
                 "training_log.json"):  # fmt: skip
        (crashed / name).unlink()
    # In this process (its imports are paid already); --threads 1 is restored after.
    threads = torch.get_num_threads()
    try:
        args = ["train", "--data", str(grpo_run["data"]), "--out", str(crashed), *GRPO_ARGS]
        assert main([*args, "--resume"]) == 0
    finally:
        torch.set_num_threads(threads)
    training = yaml.safe_load((crashed / "manifest.yaml").read_text())["training"]
    assert training["resumed_from"] == "checkpoint-1"
    assert training["global_step"] == 2 and training["steps_this_run"] == 1
    assert (crashed / "checkpoints" / "checkpoint-2").is_dir()
    # The rewards log keeps step 0's rows from the first run and records step 1 anew.
    rows = _rewards(crashed)
    assert [r["step"] for r in rows] == [0, 0, 1, 1]
