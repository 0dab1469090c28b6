"""LoRA adapters over fp32, 8-bit and 4-bit bases of the embedded model, both routes.

Route (a): a folder written by ``toolplan quantize`` loads with stock ``--model hf`` and
``peft=`` on top. Route (b): ``--model toolplan-hf`` quantizes on the fly
(``load_in_8bit`` / ``load_in_4bit``). One real ``lm_eval`` CLI run per route (4-bit, the
hardest case) and one ``toolplan eval`` run (route b, 8-bit); the other bases go through
lm-eval's Python API in this process, which is what the CLI calls. Every run is one
document with 16 generated tokens.

The adapter is the committed placeholder (``adapters/placeholder-smollm2-r8``); broken
variants of it are made in tmp folders.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import DataFileError, ModelLoadError
from tests.helpers import only_results_json, run_command

TASK = "assetops_free_test30"
ADAPTER = "adapters/placeholder-smollm2-r8"
RUN_FLAGS = [
    "--device", "cpu",
    "--tasks", TASK,
    "--apply_chat_template",
    "--limit", "1",
    "--gen_kwargs", "max_gen_toks=16",
]  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def adapter(repo_root: Path) -> Path:
    path = repo_root / ADAPTER
    if not (path / "adapter_model.safetensors").is_file():
        pytest.fail(f"{path} is missing; regenerate it with scripts/make_placeholder_adapter.sh")
    return path


@pytest.fixture(scope="module")
def quantized(tmp_path_factory: pytest.TempPathFactory, embedded_model: str) -> dict[int, Path]:
    """A 4-bit folder made by the real ``toolplan quantize`` CLI, an 8-bit one by the API."""
    from harness_ext.models.quantize import quantize_model

    root = tmp_path_factory.mktemp("quantized")
    result = run_command(["toolplan", "quantize", "--bits", "4", "smollm2-135m", str(root / "q4")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "lm_eval --model hf --model_args pretrained=" in result.stdout
    report = quantize_model("smollm2-135m", root / "q8", 8)
    assert report.quantization == {"method": "bitsandbytes", "bits": 8}
    for bits in (4, 8):
        config = json.loads((root / f"q{bits}" / "config.json").read_text())
        assert config["quantization_config"][f"load_in_{bits}bit"] is True
        assert json.loads((root / f"q{bits}" / "toolplan_quantized.json").read_text())[
            "source"
        ] == ("smollm2-135m")
    return {4: root / "q4", 8: root / "q8"}


def _evaluate(model: Any, **kwargs: Any) -> dict[str, Any]:
    import lm_eval

    from harness_ext.lm_eval_glue.taskdirs import task_manager

    results = lm_eval.simple_evaluate(
        model=model,
        tasks=[TASK],
        limit=1,
        gen_kwargs={"max_gen_toks": 16},
        apply_chat_template=True,
        task_manager=task_manager(),
        device="cpu",
        **kwargs,
    )
    assert results is not None
    return dict(results)


def _assert_scored(results: dict[str, Any]) -> None:
    task = results["results"][TASK]
    assert task["sample_len"] == 1
    assert isinstance(task["at_f1,none"], float) and isinstance(task["format_ok,none"], float)


def _assert_toolplan_info(config: dict[str, Any], bits: int | None) -> None:
    cost = config["toolplan_cost"]
    assert cost["load_seconds"] > 0 and cost["peak_rss_mb"] > 0
    assert cost["generate_calls"] == 1 and 0 < cost["generated_tokens"] <= 16
    assert cost["tokens_per_second"] > 0
    assert config["toolplan_quantization"].get("bits") == bits
    adapter = config["toolplan_adapter"]
    assert adapter["base_check"]["status"] == "match"
    assert adapter["probe_max_abs_logit_diff"] > 0
    assert adapter["kind"] == "placeholder"


# --- route (a): pre-quantized folder, stock lm-eval ---------------------------------------


def test_route_a_plain_lm_eval_cli_4bit_folder_with_adapter(
    quantized: dict[int, Path], adapter: Path, tmp_path: Path
) -> None:
    result = run_command(
        [
            "lm_eval", "--model", "hf",
            "--model_args", f"pretrained={quantized[4]},peft={adapter}",
            *RUN_FLAGS, "--output_path", str(tmp_path),
        ]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = only_results_json(tmp_path)
    _assert_scored(results)
    assert results["config"]["model_args"]["peft"] == str(adapter)


@pytest.mark.parametrize("base", ["fp32", "8bit"])
def test_route_a_api_stock_hf(
    base: str, quantized: dict[int, Path], adapter: Path, embedded_model: str
) -> None:
    pretrained = embedded_model if base == "fp32" else str(quantized[8])
    results = _evaluate("hf", model_args={"pretrained": pretrained, "peft": str(adapter)})
    _assert_scored(results)
    assert "toolplan_cost" not in results["config"]  # stock HFLM: no accounting


# --- route (b): on the fly, toolplan-hf ---------------------------------------------------


def test_route_b_plain_lm_eval_cli_load_in_4bit(adapter: Path, tmp_path: Path) -> None:
    result = run_command(
        [
            "lm_eval", "--model", "toolplan-hf",
            "--model_args",
            f"pretrained=smollm2-135m,peft={adapter},load_in_4bit=True,bnb_4bit_compute_dtype=float32",
            *RUN_FLAGS, "--output_path", str(tmp_path),
        ]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = only_results_json(tmp_path)
    _assert_scored(results)
    _assert_toolplan_info(results["config"], bits=4)
    assert results["config"]["toolplan_quantization"]["compute_dtype"] == "float32"


def test_route_b_api_toolplan_hf_fp32(adapter: Path) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    lm = ToolplanHFLM(pretrained="smollm2-135m", peft=str(adapter), device="cpu")
    results = _evaluate(lm)
    _assert_scored(results)
    _assert_toolplan_info(results["config"], bits=None)


def test_toolplan_eval_defaults_to_toolplan_hf_load_in_8bit(adapter: Path, tmp_path: Path) -> None:
    """Route (b) on an 8-bit base, through toolplan eval with no --model (toolplan-hf)."""
    result = run_command(
        [
            "toolplan", "eval",
            "--model_args", f"peft={adapter},load_in_8bit=True",
            "--tasks", TASK, "--limit", "1", "--gen_kwargs", "max_gen_toks=16",
            "--output_path", str(tmp_path),
        ]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = only_results_json(tmp_path)
    assert results["config"]["model"] == "toolplan-hf"
    # The default model keeps its alias (lm-eval names the run after peft= when given).
    assert results["config"]["model_args"]["pretrained"] == "smollm2-135m"
    assert results["model_name"] == str(adapter)
    _assert_scored(results)
    _assert_toolplan_info(results["config"], bits=8)
    # bitsandbytes logs this once per 8-bit matmul; toolplan-hf lets it through once.
    assert result.stderr.count("MatMul8bitLt: inputs will be cast") <= 1


def test_toolplan_hf_accepts_a_quantize_folder_as_the_adapters_base(
    quantized: dict[int, Path], adapter: Path
) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    lm = ToolplanHFLM(pretrained=str(quantized[8]), peft=str(adapter), device="cpu")
    info = lm.get_model_info()
    assert info["toolplan_adapter"]["base_check"]["status"] == "match"  # via the sidecar
    assert info["toolplan_quantization"]["bits"] == 8
    with pytest.raises(ModelLoadError, match="already quantized"):
        ToolplanHFLM(pretrained=str(quantized[4]), load_in_4bit=True, device="cpu")


# --- the checks before generation ---------------------------------------------------------


def _copy(adapter: Path, tmp_path: Path) -> Path:
    copy = tmp_path / adapter.name
    shutil.copytree(adapter, copy)
    return copy


def test_base_mismatch_is_refused_unless_forced(adapter: Path, tmp_path: Path) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    other = _copy(adapter, tmp_path)
    config_path = other / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-360M-Instruct"
    config_path.write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="another base model") as err:
        ToolplanHFLM(pretrained="smollm2-135m", peft=str(other), device="cpu")
    assert "SmolLM2-360M-Instruct" in str(err.value) and "allow_base_mismatch=True" in str(
        err.value
    )
    # Forced: it loads, runs its probe, and the results say it was forced.
    lm = ToolplanHFLM(
        pretrained="smollm2-135m", peft=str(other), device="cpu", allow_base_mismatch="True"
    )
    assert lm.get_model_info()["toolplan_adapter"]["base_check"]["status"] == "forced"


def test_adapter_that_does_not_apply_is_refused(adapter: Path, tmp_path: Path) -> None:
    """Weight names that match nothing in the base: PEFT only warns and keeps zero B matrices."""
    from safetensors.torch import load_file, save_file

    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    broken = _copy(adapter, tmp_path)
    weights = broken / "adapter_model.safetensors"
    state = load_file(str(weights))
    save_file({k.replace("self_attn", "attn_renamed"): v for k, v in state.items()}, str(weights))
    with pytest.raises(ModelLoadError, match="changes nothing"):
        ToolplanHFLM(pretrained="smollm2-135m", peft=str(broken), device="cpu")


def test_corrupt_and_missing_adapter_files_are_named(adapter: Path, tmp_path: Path) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    broken = _copy(adapter, tmp_path)
    weights = broken / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(DataFileError, match=r"adapter_model\.safetensors: is not a readable"):
        ToolplanHFLM(pretrained="smollm2-135m", peft=str(broken), device="cpu")
    (broken / "adapter_config.json").unlink()
    with pytest.raises(DataFileError, match=r"adapter_config\.json: not found"):
        ToolplanHFLM(pretrained="smollm2-135m", peft=str(broken), device="cpu")
    with pytest.raises(ModelLoadError, match="not found"):
        ToolplanHFLM(pretrained="smollm2-135m", peft=str(tmp_path / "absent"), device="cpu")
