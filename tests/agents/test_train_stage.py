"""``toolplan train --stage ROLE --init ADAPTER``: stage 2 of the α-UMi recipe."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from harness_ext.commands import train as train_command
from harness_ext.errors import DataFileError


def _args(*extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    train_command.configure(parser)
    return parser.parse_args(["--base", "smollm2-135m", "--data", "D", "--out", "O", *extra])


def test_stage_and_init_are_recorded() -> None:
    command = train_command.recorded_command(_args("--stage", "planner", "--init", "A/backbone"))
    assert "--stage planner" in command and "--init A/backbone" in command
    assert "--stage" not in train_command.recorded_command(_args())


def test_stage_without_agent_data_names_the_fix(tmp_path: Path) -> None:
    args = _args("--stage", "caller")
    args.data = str(tmp_path)
    with pytest.raises(DataFileError, match="build-data --family agent"):
        train_command.run(args)


@pytest.mark.slow
def test_a_role_continues_from_the_backbone(tmp_path: Path, embedded_model: str) -> None:
    """One step of caller training from a LoRA: the adapter starts from the init's weights
    (same config), its manifest says stage and init, and the weights moved (no warmup: a
    one-step run with warmup trains at learning rate 0)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    from harness_ext.cli import main

    init = tmp_path / "backbone"
    torch.manual_seed(0)
    config = LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(embedded_model), config)
    model.peft_config["default"].base_model_name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    model.save_pretrained(str(init))
    data = tmp_path / "data" / "caller"
    data.mkdir(parents=True)
    record = {
        "messages": [
            {
                "role": "user",
                "content": "Role: caller.\nFunctions:\nls(a?: bool)\nHistory:\nuser: list files",
            },
            {"role": "assistant", "content": 'Action: ls\nAction Input: {"a": true}'},
        ]
    }
    (data / "train.jsonl").write_text((json.dumps(record) + "\n") * 4)
    out = tmp_path / "caller"
    code = main(
        [
            "train", "--base", "smollm2-135m", "--data", str(tmp_path / "data"), "--stage", "caller",
            "--init", str(init), "--out", str(out), "--quantization", "none", "--max-steps", "1",
            "--batch-size", "2", "--grad-accum", "1", "--max-seq-len", "128", "--lr", "1e-2",
            "--threads", "1", "--save-steps", "100", "--warmup-ratio", "0",
        ]
    )  # fmt: skip
    assert code == 0
    manifest = (out / "manifest.yaml").read_text()
    assert "kind: agent-caller" in manifest and "stage: caller" in manifest
    assert json.loads((out / "adapter_config.json").read_text())["r"] == 4  # the init's LoRA
    before = load_file(str(init / "adapter_model.safetensors"))
    after = load_file(str(out / "adapter_model.safetensors"))
    assert before.keys() == after.keys()
    assert any(not torch.equal(before[k], after[k]) for k in before)
