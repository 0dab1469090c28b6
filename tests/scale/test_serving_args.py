"""Adapter -> model args for hf and vLLM, the vLLM rank check, server-failure wording."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.models.cost import CostMeter
from harness_ext.models.serving import (
    adapter_model_args,
    adapter_rank,
    check_lora_rank,
    is_server_failure,
    server_failure_message,
    vllm_rank_for,
)

R16 = "adapters/assetops-free-smollm2-r16"
R8 = "adapters/placeholder-smollm2-r8"


@pytest.fixture
def r32_adapter(tmp_path: Path, repo_root: Path) -> str:
    """A copy of the r16 adapter's manifest and config claiming rank 32 (no weights)."""
    out = tmp_path / "r32"
    out.mkdir()
    shutil.copy(repo_root / R16 / "manifest.yaml", out / "manifest.yaml")
    config = json.loads((repo_root / R16 / "adapter_config.json").read_text())
    config["r"] = 32
    (out / "adapter_config.json").write_text(json.dumps(config))
    return str(out)


def test_adapter_rank_of_committed_adapters(repo_root: Path) -> None:
    assert adapter_rank(repo_root / R16) == 16
    assert adapter_rank(repo_root / R8) == 8


def test_adapter_rank_rules(tmp_path: Path) -> None:
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": 8, "rank_pattern": {"q": 64}}))
    assert adapter_rank(tmp_path) == 64
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": "8"}))
    with pytest.raises(DataFileError, match="no LoRA rank"):
        adapter_rank(tmp_path)
    with pytest.raises(DataFileError, match="is missing"):
        adapter_rank(tmp_path / "nowhere")


def test_vllm_rank_for() -> None:
    assert [vllm_rank_for(r) for r in (1, 4, 8, 16, 17, 32, 300)] == [8, 8, 8, 16, 32, 32, 320]
    with pytest.raises(ToolplanError, match="above vLLM's largest"):
        vllm_rank_for(600)


def test_rank_check_before_vllm_starts(r32_adapter: str, repo_root: Path) -> None:
    check_lora_rank({"pretrained": "x"})  # no adapter: nothing to check
    check_lora_rank({"lora_local_path": str(repo_root / R16)})  # 16 fits the default 16
    with pytest.raises(ToolplanError) as info:
        check_lora_rank({"lora_local_path": r32_adapter})
    text = str(info.value)
    assert "rank 32" in text and "max_lora_rank=16 (lm-eval's default)" in text
    assert "Fix: add max_lora_rank=32" in text
    check_lora_rank({"lora_local_path": r32_adapter, "max_lora_rank": 32})
    with pytest.raises(ToolplanError, match="not a whole number"):
        check_lora_rank({"lora_local_path": r32_adapter, "max_lora_rank": "big"})


def test_manifest_fills_hf_args(repo_root: Path) -> None:
    args = adapter_model_args(str(repo_root / R16), "hf", {})
    assert args == {
        "pretrained": "smollm2-135m",
        "peft": str(repo_root / R16),
        "load_in_8bit": True,
    }
    mine = adapter_model_args(str(repo_root / R16), "hf", {"load_in_8bit": False, "threads": 1})
    assert mine["load_in_8bit"] is False and mine["threads"] == 1


def test_manifest_fills_vllm_args(r32_adapter: str, embedded_model: str) -> None:
    args = adapter_model_args(r32_adapter, "vllm", {"gpu_memory_utilization": 0.5})
    assert args["pretrained"] == embedded_model  # vLLM needs the folder, not our alias
    assert args["lora_local_path"] == r32_adapter
    assert args["max_lora_rank"] == 32
    assert args["gpu_memory_utilization"] == 0.5
    with pytest.raises(ToolplanError, match="Fix: add max_lora_rank=32"):
        adapter_model_args(r32_adapter, "vllm", {"max_lora_rank": 16})


def _resolve(argv_model: str | None, model_args: dict[str, Any], backend: str | None) -> Any:
    from harness_ext.commands.eval import _resolve_model

    args = argparse.Namespace(model=argv_model, model_args=dict(model_args))
    _resolve_model(args, backend)
    return args


def test_toolplan_eval_backend_routes(repo_root: Path, embedded_model: str) -> None:
    hf = _resolve(None, {"adapter": str(repo_root / R16)}, None)
    assert hf.model == "toolplan-hf" and hf.model_args["pretrained"] == "smollm2-135m"
    assert hf.model_args["load_in_8bit"] is True
    vllm = _resolve(None, {"adapter": str(repo_root / R16)}, "vllm")
    assert vllm.model == "vllm"
    assert vllm.model_args["lora_local_path"] == str(repo_root / R16)
    assert vllm.model_args["max_lora_rank"] == 16
    assert vllm.model_args["pretrained"] == embedded_model
    plain_vllm = _resolve("vllm", {}, None)
    assert plain_vllm.model_args == {"pretrained": embedded_model}
    with pytest.raises(ToolplanError, match="disagree"):
        _resolve("hf", {}, "vllm")
    chat = _resolve("local-chat-completions", {"model": "m", "tokenizer": "smollm2-135m"}, None)
    assert chat.model_args["tokenizer"] == "smollm2-135m"  # our tasks resolve it themselves


def test_server_failures_are_recognised_and_worded() -> None:
    import requests

    from harness_ext.commands.eval import _root_cause

    refused = requests.exceptions.ConnectionError("Connection refused")
    assert is_server_failure(refused)
    assert is_server_failure(TimeoutError("read timed out"))
    assert not is_server_failure(ValueError("a bug"))
    try:
        try:
            raise refused
        except requests.exceptions.ConnectionError as e:
            raise RuntimeError("wrapped") from e
    except RuntimeError as outer:
        assert _root_cause(outer) is refused
    line = server_failure_message("local-chat-completions", "http://127.0.0.1:9/v1", refused)
    assert "\n" not in line
    assert "http://127.0.0.1:9/v1" in line and "ConnectionError" in line
    assert "--use_cache" in line and "only the missing requests" in line


def test_cost_rows_under_batching() -> None:
    meter = CostMeter()
    assert meter.report()["generate_rows"] is None  # nothing generated yet
    meter.add_generation(40, 2.0, rows=4)
    meter.add_generation(10, 1.0, rows=2)
    report = meter.report()
    assert (report["generate_rows"], report["largest_batch"]) == (6, 4)
    assert report["tokens_per_second"] == pytest.approx(50 / 3, abs=0.01)
    meter.add_generation(5, 1.0)  # a caller that does not tell its rows
    assert meter.report()["generate_rows"] is None


def test_merge_adapter_without_manifest_or_base(tmp_path: Path) -> None:
    from harness_ext.models.serving import merge_adapter

    with pytest.raises(DataFileError, match=r"manifest\.yaml"):
        merge_adapter(str(tmp_path), str(tmp_path / "out"))


@pytest.mark.slow
def test_merged_adapter_gives_the_adapter_logits(
    repo_root: Path, embedded_model: str, tmp_path: Path
) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness_ext.models.serving import merge_adapter

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    adapter = str(repo_root / R16)
    out = merge_adapter(adapter, str(tmp_path / "merged"))
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert tokenizer.chat_template, "a server applies the chat template from the folder"
    ids = tokenizer("List the sensors of chiller 6.", return_tensors="pt")["input_ids"]
    merged = AutoModelForCausalLM.from_pretrained(out).eval()
    base = AutoModelForCausalLM.from_pretrained(embedded_model)
    wrapped = PeftModel.from_pretrained(base, adapter).eval()
    with torch.no_grad():
        got, want = merged(ids).logits, wrapped(ids).logits
        with wrapped.disable_adapter():
            untuned = wrapped(ids).logits
    torch.set_num_threads(threads)
    assert torch.allclose(got, want, atol=1e-3), (got - want).abs().max()
    assert (got - untuned).abs().max() > 0.1  # the merged folder is not the base
