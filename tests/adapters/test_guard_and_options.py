"""Load-time adapter checks and quantization options, without loading a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError, ModelLoadError
from harness_ext.models.adapter_checks import base_names, check_base, inspect_adapter
from harness_ext.models.embedded import cache_dir
from harness_ext.models.quantize import SIDECAR, bnb_config, describe, pop_bnb_options


def _tiny_adapter(folder: Path, base: str | None = "smollm2-135m") -> Path:
    """A syntactically valid adapter folder (one tensor); enough for the file checks."""
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    config = {"peft_type": "LORA", "r": 1, "target_modules": ["q_proj"]}
    if base is not None:
        config["base_model_name_or_path"] = base
    (folder / "adapter_config.json").write_text(json.dumps(config))
    save_file({"w": torch.zeros(2, 2)}, str(folder / "adapter_model.safetensors"))
    return folder


def test_a_valid_folder_passes(tmp_path: Path) -> None:
    info = inspect_adapter(_tiny_adapter(tmp_path / "a"))
    assert info.tensor_count == 1 and info.weights.name == "adapter_model.safetensors"
    assert info.recorded_bases == {"adapter_config.json base_model_name_or_path": "smollm2-135m"}


def test_missing_folder_and_files_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ModelLoadError, match=r"adapter folder .*nowhere not found"):
        inspect_adapter(str(tmp_path / "nowhere"))
    # owner/name shaped, but its parent exists here: a local typo, not a hub download.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adapters").mkdir()
    with pytest.raises(ModelLoadError, match="adapter folder adapters/typo not found"):
        inspect_adapter("adapters/typo")
    folder = _tiny_adapter(tmp_path / "a")
    (folder / "adapter_model.safetensors").unlink()
    with pytest.raises(DataFileError, match=r"adapter_model\.safetensors: not found"):
        inspect_adapter(folder)
    (folder / "adapter_config.json").unlink()
    with pytest.raises(DataFileError, match=r"adapter_config\.json: not found"):
        inspect_adapter(folder)


def test_corrupt_files_are_named(tmp_path: Path) -> None:
    folder = _tiny_adapter(tmp_path / "a")
    weights = folder / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-5])  # truncated download
    with pytest.raises(
        DataFileError, match=r"adapter_model\.safetensors: is not a readable safetensors"
    ):
        inspect_adapter(folder)
    (folder / "adapter_config.json").write_text("{oops")
    with pytest.raises(DataFileError, match=r"adapter_config\.json: is not valid JSON"):
        inspect_adapter(folder)
    (folder / "adapter_config.json").write_text('{"r": 8}')
    with pytest.raises(DataFileError, match="no 'peft_type'"):
        inspect_adapter(folder)


def test_a_broken_manifest_is_named(tmp_path: Path) -> None:
    folder = _tiny_adapter(tmp_path / "a")
    (folder / "manifest.yaml").write_text("name: x\n")
    with pytest.raises(DataFileError, match=r"manifest\.yaml: 'kind' is missing"):
        inspect_adapter(folder)


def test_base_names_unify_alias_folder_hub_id_and_quantized_copy(tmp_path: Path) -> None:
    alias = base_names("smollm2-135m")
    assert "huggingfacetb/smollm2-135m-instruct" in alias
    # This machine's converted folder is the alias; a folder of the same name elsewhere
    # (another machine's cache path in an old artifact) is just a path.
    assert "smollm2-135m" in base_names(str(cache_dir() / "models" / "smollm2-135m-instruct-fp32"))
    assert base_names("/elsewhere/models/smollm2-135m-instruct-fp32") == {
        "/elsewhere/models/smollm2-135m-instruct-fp32"
    }
    assert "smollm2-135m" in base_names("HuggingFaceTB/SmolLM2-135M-Instruct")
    snap = tmp_path / "models--Org--Name" / "snapshots" / "abc"
    snap.mkdir(parents=True)
    assert "org/name" in base_names(str(snap))
    quantized = tmp_path / "q4"
    quantized.mkdir()
    (quantized / SIDECAR).write_text(json.dumps({"source": "smollm2-135m"}))
    assert "smollm2-135m" in base_names(str(quantized))
    assert not base_names("Org/Other") & alias


def test_check_base_match_mismatch_forced_unrecorded(tmp_path: Path) -> None:
    info = inspect_adapter(
        _tiny_adapter(tmp_path / "a", base="HuggingFaceTB/SmolLM2-135M-Instruct")
    )
    assert check_base(info, "smollm2-135m").status == "match"
    with pytest.raises(ModelLoadError, match="allow_base_mismatch=True") as err:
        check_base(info, "Qwen/Qwen3-4B")
    assert "SmolLM2-135M-Instruct" in str(err.value) and "Qwen/Qwen3-4B" in str(err.value)
    assert check_base(info, "Qwen/Qwen3-4B", allow_mismatch=True).status == "forced"
    bare = inspect_adapter(_tiny_adapter(tmp_path / "b", base=None))
    assert check_base(bare, "Qwen/Qwen3-4B").status == "unrecorded"


def test_pop_and_build_bnb_config() -> None:
    kwargs = {"load_in_4bit": "True", "bnb_4bit_compute_dtype": "bfloat16", "dtype": "auto"}
    opts = pop_bnb_options(kwargs)
    assert kwargs == {"dtype": "auto"}
    config = bnb_config(opts, "cpu")
    assert describe(config) == {
        "method": "bitsandbytes",
        "bits": 4,
        "quant_type": "nf4",  # our default, not bitsandbytes' fp4
        "compute_dtype": "bfloat16",
        "double_quant": False,
    }
    assert describe(bnb_config({"load_in_4bit": True}, "cpu"))["compute_dtype"] == "float32"
    assert describe(bnb_config({"load_in_8bit": True}, "cpu")) == {
        "method": "bitsandbytes",
        "bits": 8,
    }
    assert bnb_config({}, "cpu") is None
    assert describe(None) == {"method": "none"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"load_in_4bit": True, "load_in_8bit": True}, "choose one"),
        ({"bnb_4bit_quant_type": "nf4"}, "without load_in_8bit/load_in_4bit"),
        ({"load_in_8bit": True, "bnb_4bit_quant_type": "nf4"}, "only apply to 4-bit"),
        ({"load_in_4bit": True, "bnb_4bit_quant_type": "int3"}, "bnb_4bit_quant_type"),
        ({"load_in_4bit": True, "bnb_4bit_compute_dtype": "float8"}, "bnb_4bit_compute_dtype"),
        ({"load_in_4bit": "maybe"}, "not a boolean"),
        ({"load_in_8bit": True, "llm_int8_threshold": "high"}, "llm_int8_threshold"),
    ],
)
def test_bad_bnb_options_are_one_clear_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(ModelLoadError, match=message):
        bnb_config(options, "cpu")


def test_toolplan_hf_refuses_peft_on_a_ready_model_object() -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    # HFLM never builds a ready model, so the adapter would be silently dropped.
    with pytest.raises(ModelLoadError, match="peft= needs pretrained= as a name"):
        ToolplanHFLM(pretrained=object(), peft="adapters/x", device="cpu")


def test_quantize_never_overwrites_a_folder_it_did_not_write(tmp_path: Path) -> None:
    from harness_ext.models.quantize import quantize_model

    (tmp_path / "keep.txt").write_text("precious")
    with pytest.raises(ModelLoadError, match="not empty"):
        quantize_model("smollm2-135m", tmp_path, 4)
    with pytest.raises(ModelLoadError, match="will not delete it"):
        quantize_model("smollm2-135m", tmp_path, 4, overwrite=True)
    assert (tmp_path / "keep.txt").read_text() == "precious"
    with pytest.raises(ModelLoadError, match="--bits 3"):
        quantize_model("smollm2-135m", tmp_path / "new", 3)
