"""`toolplan train` on the embedded model: a 2-step run, a loadable adapter, resume.

The slow tests share one real 2-step run (fp32, r=4, sequences of at most 160 tokens, one
torch thread so a busy machine does not stall it) made by the installed `toolplan` script; the resume test copies that run, deletes what a
crash after step 1 would not have written, and continues it to step 3.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness_ext.cli import main
from tests.helpers import run_command

TRAIN_ARGS = [
    "--base", "smollm2-135m", "--quantization", "none", "--r", "4", "--alpha", "8",
    "--max-seq-len", "160", "--batch-size", "1", "--grad-accum", "1", "--lr", "1e-3",
    "--save-steps", "1", "--eval-steps", "100", "--logging-steps", "1", "--device", "cpu",
    "--threads", "1",
]  # fmt: skip


def _build_small_data(out: Path) -> Path:
    code = main(["build-data", "--out", str(out), "--no-system", "--seed", "3",
                 "--family-size", "tool_knowledge=6", "--family-size", "question_plan=24",
                 "--family-size", "execution=4"])  # fmt: skip
    assert code == 0
    return out


def _train(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = run_command(["toolplan", "train", "--data", str(data), "--out", str(out),
                          *TRAIN_ARGS, *extra], timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """One torch thread for in-process model code (steady on a shared CPU), restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _losses(adapter: Path) -> dict[int, float]:
    log = json.loads((adapter / "training_log.json").read_text())
    return {h["step"]: h["loss"] for h in log["log_history"] if "loss" in h}


@pytest.fixture(scope="module")
def two_step_run(tmp_path_factory: pytest.TempPathFactory, embedded_model: str) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("train")
    data = _build_small_data(root / "data")
    out = root / "adapters" / "tiny-r4"
    _train(data, out, "--max-steps", "2")
    return {"data": data, "out": out, "root": root}


@pytest.mark.slow
def test_two_step_run_writes_adapter_and_manifest(two_step_run: dict[str, Path]) -> None:
    out, data = two_step_run["out"], two_step_run["data"]
    assert (out / "adapter_model.safetensors").is_file()
    adapter_config = json.loads((out / "adapter_config.json").read_text())
    assert adapter_config["r"] == 4
    # The hub id the alias stands for, never this machine's cache folder.
    assert adapter_config["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert not (out / "README.md").exists()  # PEFT's card would name the cache folder
    manifest: dict[str, Any] = yaml.safe_load((out / "manifest.yaml").read_text())
    assert manifest["kind"] == "internalization"
    assert manifest["base_model"] == "smollm2-135m"
    assert manifest["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert manifest["quantization"] == "none"
    assert manifest["lora"] == {"r": 4, "alpha": 8, "dropout": 0.05, "target_modules": "all-linear"}
    train_bytes = (data / "train.jsonl").read_bytes()
    assert manifest["training_data"]["sha256"] == hashlib.sha256(train_bytes).hexdigest()
    assert manifest["training_data"]["examples"] == train_bytes.count(b"\n")
    assert manifest["command"].startswith("toolplan train --base smollm2-135m --data ")
    assert "--max-steps 2" in manifest["command"]
    training = manifest["training"]
    assert training["global_step"] == 2 and training["steps_this_run"] == 2
    assert training["eval_loss"] > 0
    assert (out / "checkpoints" / "checkpoint-1").is_dir()
    assert (out / "checkpoints" / ".gitignore").read_text().strip() == "*"
    assert set(_losses(out)) == {1, 2}


@pytest.mark.slow
def test_adapter_loads_with_peft_and_changes_logits(
    two_step_run: dict[str, Path], embedded_model: str, one_torch_thread: None
) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(embedded_model)
    ids = tokenizer("Which agent owns the history tool?", return_tensors="pt")
    base = AutoModelForCausalLM.from_pretrained(embedded_model, dtype=torch.float32)
    with torch.no_grad():
        before = base(**ids).logits
    tuned = PeftModel.from_pretrained(base, str(two_step_run["out"]))
    with torch.no_grad():
        after = tuned(**ids).logits
    assert after.shape == before.shape
    assert (after - before).abs().max().item() > 1e-5


@pytest.mark.slow
def test_loss_covers_only_the_assistant_turn(tmp_path: Path, one_torch_thread: None) -> None:
    """SmolLM2's ChatML template has no generation markers, so training relies on TRL's
    prompt/completion masking. The trainer `toolplan train` builds (its own SFTConfig,
    dataset conversion and collator) must label the assistant text and its end token only;
    turning completion-only loss off, or handing TRL whole conversations, fails this."""
    from harness_ext.training.sft import TrainConfig, TrainData, build_trainer, load_base

    record = {"messages": [{"role": "system", "content": "Plan tool use."},
                           {"role": "user", "content": "Which agent owns sites?"},
                           {"role": "assistant", "content": "IoTAgent."}]}  # fmt: skip
    config = TrainConfig(base="smollm2-135m", data="", out=str(tmp_path), quantization="none",
                         r=4, alpha=8, max_seq_len=64, device="cpu")  # fmt: skip
    model, tokenizer = load_base(config, "cpu")
    data = TrainData(tmp_path / "train.jsonl", None, [record], [])
    trainer = build_trainer(config, model, tokenizer, data, tmp_path / "ckpt", "cpu")
    row = trainer.train_dataset[0]
    labels = trainer.data_collator([row])["labels"][0].tolist()
    trained = [t for t, label in zip(row["input_ids"], labels, strict=True) if label != -100]
    assert tokenizer.decode(trained) == "IoTAgent.<|im_end|>\n"
    assert tokenizer.decode(row["input_ids"]).startswith("<|im_start|>system\nPlan tool use.")


@pytest.mark.slow
def test_resume_continues_from_the_last_checkpoint(two_step_run: dict[str, Path]) -> None:
    first = two_step_run["out"]
    crashed = two_step_run["root"] / "adapters" / "tiny-r4-crashed"
    shutil.copytree(first, crashed)
    # What a run killed during step 2 leaves behind: checkpoint-1 only, no adapter yet.
    shutil.rmtree(crashed / "checkpoints" / "checkpoint-2")
    for name in ("adapter_model.safetensors", "adapter_config.json", "manifest.yaml",
                 "training_log.json"):  # fmt: skip
        (crashed / name).unlink()

    _train(two_step_run["data"], crashed, "--max-steps", "3", "--resume")
    training = yaml.safe_load((crashed / "manifest.yaml").read_text())["training"]
    assert training["resumed_from"] == "checkpoint-1"
    assert training["global_step"] == 3 and training["steps_this_run"] == 2
    assert (crashed / "checkpoints" / "checkpoint-3").is_dir()
    original, resumed = _losses(first), _losses(crashed)
    assert set(resumed) == {1, 2, 3}
    # Step 1 comes from the checkpoint's history; step 2's loss is computed on the weights
    # restored from checkpoint-1 and the same batch, so it matches the uninterrupted run.
    assert resumed[1] == original[1]
    assert resumed[2] == pytest.approx(original[2], rel=1e-3)


def test_train_errors_name_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "a")
    assert main(["train", "--base", "smollm2-135m", "--data", str(tmp_path / "nope"),
                 "--out", out]) == 2  # fmt: skip
    assert "nope: does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", "--base", "smollm2-135m", "--data", str(empty), "--out", out]) == 2
    assert "holds no train.jsonl" in capsys.readouterr().err
    (empty / "train.jsonl").write_text('{"messages": [{"role": "user", "content": "q"}]}\n')
    assert main(["train", "--base", "smollm2-135m", "--data", str(empty), "--out", out]) == 2
    assert "train.jsonl:1: the last message must be" in capsys.readouterr().err
    (empty / "train.jsonl").write_text(
        '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n'
    )
    assert main(["train", "--base", "smollm-135m", "--data", str(empty), "--out", out]) == 2
    err = capsys.readouterr().err
    assert "Unknown base model 'smollm-135m'" in err and "Did you mean: smollm2-135m" in err
    assert main(["train", "--base", "smollm2-135m", "--data", str(empty), "--out", out,
                 "--resume"]) == 2  # fmt: skip
    assert "--resume: no checkpoint in" in capsys.readouterr().err


def _parsed(*argv: str) -> Any:
    import argparse

    from harness_ext.commands import train as train_command

    parser = argparse.ArgumentParser()
    train_command.configure(parser)
    args = parser.parse_args(["--base", "smollm2-135m", "--data", "D", "--out", "O", *argv])
    train_command._fill_defaults(args)
    return args


def test_grpo_command_records_only_options_grpo_uses() -> None:
    from harness_ext.commands import train as train_command

    sft = train_command.recorded_command(_parsed())
    assert "--epochs 2.0" in sft and "--max-seq-len 1024" in sft and "--method" not in sft
    grpo = train_command.recorded_command(_parsed("--method", "grpo", "--device", "cpu"))
    assert "--method grpo" in grpo and "--beta 0.04" in grpo
    for flag in ("--epochs", "--max-seq-len", "--eval-steps", "--stage"):
        assert flag not in grpo
    config = train_command._train_config(_parsed("--method", "grpo", "--device", "cpu"))
    assert (config.command, config.quantization, config.r) == (grpo, "none", 8)
    # --init: the LoRA shape is the adapter's, so the command does not claim one
    continued = train_command.recorded_command(_parsed("--init", "adapters/A", "--r", "8"))
    assert "--init adapters/A" in continued and "--r " not in continued


def test_sft_only_options_with_grpo_are_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--method", "grpo", "--base", "smollm2-135m", "--data", "assetops",
            "--out", "O", "--device", "cpu", "--epochs", "3", "--max-seq-len", "512"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--epochs, --max-seq-len only apply to SFT" in err and "Fix: drop them" in err
    assert main([*argv[:-4], "--stage", "planner"]) == 2
    assert "--stage only apply to SFT" in capsys.readouterr().err
