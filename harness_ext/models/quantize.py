"""bitsandbytes quantization: on-the-fly options and pre-quantized folders.

Two routes give a quantized base under a PEFT adapter:

* **on the fly**: ``load_in_8bit=True`` / ``load_in_4bit=True`` (+ ``bnb_4bit_*``) model
  args. lm-eval 0.4.13 forwards them to ``from_pretrained``, which transformers 5
  rejects; :func:`pop_bnb_options` + :func:`bnb_config` turn them into the
  ``BitsAndBytesConfig`` that transformers 5 wants (used by ``toolplan-hf``);
* **pre-quantized folder**: :func:`quantize_model` saves a folder whose
  ``config.json`` carries ``quantization_config``, which stock ``--model hf`` loads.

Defaults differ from ``BitsAndBytesConfig``'s on purpose: 4-bit uses ``nf4`` (what
QLoRA uses; bitsandbytes' own default is ``fp4``) and the compute dtype is float32 on
CPU (measured fastest there) and bfloat16/float16 on CUDA.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from harness_ext.errors import ModelLoadError
from harness_ext.io import parse_bool

Quantization = Literal["none", "8bit", "4bit"]
"""How a base model is loaded under an adapter: as is, bitsandbytes int8, or 4-bit."""
QUANTIZATIONS: tuple[Quantization, ...] = get_args(Quantization)

SIDECAR = "toolplan_quantized.json"
"""File that ``toolplan quantize`` writes next to the weights: which base it came from."""

BNB_OPTIONS = (
    "load_in_8bit",
    "load_in_4bit",
    "bnb_4bit_quant_type",
    "bnb_4bit_compute_dtype",
    "bnb_4bit_use_double_quant",
    "bnb_4bit_quant_storage",
    "llm_int8_threshold",
    "llm_int8_skip_modules",
    "llm_int8_enable_fp32_cpu_offload",
    "llm_int8_has_fp16_weight",
)
_DTYPES = ("float32", "float16", "bfloat16")
_QUANT_TYPES = ("nf4", "fp4")


def as_bool(name: str, value: Any) -> bool:
    """A boolean model arg (strings from the CLI, bools from Python); empty is False."""
    parsed = parse_bool(value)
    if parsed is not None:
        return parsed
    if not str(value).strip():
        return False
    raise ModelLoadError(
        f"model arg {name}={value!r} is not a boolean. Fix: use {name}=True or {name}=False."
    )


def _dtype(name: str, value: Any) -> Any:
    import torch

    if isinstance(value, torch.dtype):
        return value
    text = str(value).strip().lower().removeprefix("torch.")
    if text not in _DTYPES:
        raise ModelLoadError(
            f"model arg {name}={value!r} is not a dtype this route supports. "
            f"Fix: use one of {', '.join(_DTYPES)}."
        )
    return getattr(torch, text)


def pop_bnb_options(kwargs: MutableMapping[str, Any]) -> dict[str, Any]:
    """Remove every bitsandbytes option from ``kwargs``; return them (``None`` values dropped)."""
    found = {}
    for key in BNB_OPTIONS:
        if key in kwargs:
            value = kwargs.pop(key)
            if value is not None:
                found[key] = value
    return found


def quantization_options(quantization: Quantization) -> dict[str, Any]:
    """The model-arg options of a :data:`Quantization` (``{}`` for ``none``).

    ``toolplan train`` and ``toolplan check`` both build their ``BitsAndBytesConfig``
    from these through :func:`bnb_config`, so an adapter is trained and checked on the
    same quantized base.
    """
    if quantization == "none":
        return {}
    if quantization in ("8bit", "4bit"):
        return {f"load_in_{quantization}": True}
    raise ModelLoadError(
        f"quantization {quantization!r} is unknown. Fix: use one of {', '.join(QUANTIZATIONS)}."
    )


def default_compute_dtype(device: str) -> str:
    """float32 on CPU (fastest there); bfloat16 on CUDA when supported, else float16."""
    if not str(device).startswith("cuda"):
        return "float32"
    import torch

    return "bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "float16"


def bnb_config(options: Mapping[str, Any], device: str = "cpu") -> Any | None:
    """Build a ``BitsAndBytesConfig`` from model-arg style options.

    Rules: no ``load_in_*`` flag set → ``None`` (but stray ``bnb_4bit_*`` options are an
    error, since they would be silently ignored); both flags → error; 4-bit defaults
    to ``nf4`` with :func:`default_compute_dtype`.

    Raises:
        ModelLoadError: on contradictory or malformed options (the message names the arg).
    """
    opts = dict(options)
    in8 = as_bool("load_in_8bit", opts.pop("load_in_8bit", False))
    in4 = as_bool("load_in_4bit", opts.pop("load_in_4bit", False))
    if in8 and in4:
        raise ModelLoadError(
            "load_in_8bit=True and load_in_4bit=True were both given. Fix: choose one."
        )
    four_bit_only = sorted(k for k in opts if k.startswith("bnb_4bit_"))
    if not (in8 or in4):
        if opts:
            raise ModelLoadError(
                f"{', '.join(sorted(opts))} given without load_in_8bit/load_in_4bit, so they "
                "would be ignored. Fix: add load_in_4bit=True (or load_in_8bit=True), or drop them."
            )
        return None
    if in8 and four_bit_only:
        raise ModelLoadError(
            f"{', '.join(four_bit_only)} only apply to 4-bit loading but load_in_8bit=True was "
            "given. Fix: use load_in_4bit=True or drop them."
        )
    from transformers import BitsAndBytesConfig

    kwargs: dict[str, Any] = {"load_in_8bit": in8, "load_in_4bit": in4}
    if in4:
        quant_type = str(opts.pop("bnb_4bit_quant_type", "nf4")).strip().lower()
        if quant_type not in _QUANT_TYPES:
            raise ModelLoadError(
                f"bnb_4bit_quant_type={quant_type!r} is unknown. Fix: use one of "
                f"{', '.join(_QUANT_TYPES)}."
            )
        kwargs["bnb_4bit_quant_type"] = quant_type
        kwargs["bnb_4bit_compute_dtype"] = _dtype(
            "bnb_4bit_compute_dtype",
            opts.pop("bnb_4bit_compute_dtype", default_compute_dtype(device)),
        )
        kwargs["bnb_4bit_use_double_quant"] = as_bool(
            "bnb_4bit_use_double_quant", opts.pop("bnb_4bit_use_double_quant", False)
        )
        if "bnb_4bit_quant_storage" in opts:
            kwargs["bnb_4bit_quant_storage"] = _dtype(
                "bnb_4bit_quant_storage", opts.pop("bnb_4bit_quant_storage")
            )
    for flag in ("llm_int8_enable_fp32_cpu_offload", "llm_int8_has_fp16_weight"):
        if flag in opts:
            kwargs[flag] = as_bool(flag, opts.pop(flag))
    if "llm_int8_threshold" in opts:
        raw = opts.pop("llm_int8_threshold")
        try:
            kwargs["llm_int8_threshold"] = float(raw)
        except (TypeError, ValueError) as e:
            raise ModelLoadError(
                f"llm_int8_threshold={raw!r} is not a number. Fix: e.g. llm_int8_threshold=6.0."
            ) from e
    if "llm_int8_skip_modules" in opts:
        raw = opts.pop("llm_int8_skip_modules")
        # One model arg cannot hold a comma list (lm-eval splits on commas): use ';'.
        kwargs["llm_int8_skip_modules"] = (
            [m for m in str(raw).split(";") if m] if isinstance(raw, str) else list(raw)
        )
    return BitsAndBytesConfig(**kwargs)


def describe(config: Any | None) -> dict[str, Any]:
    """A JSON-safe summary of a quantization config (``{"method": "none"}`` for none).

    Accepts a ``BitsAndBytesConfig``, the dict form found in ``config.json``, or ``None``.
    """
    if config is None:
        return {"method": "none"}
    data = config if isinstance(config, Mapping) else config.to_dict()
    if data.get("quant_method") not in (None, "bitsandbytes"):
        return {"method": str(data.get("quant_method"))}
    if data.get("load_in_4bit"):
        return {
            "method": "bitsandbytes",
            "bits": 4,
            "quant_type": str(data.get("bnb_4bit_quant_type")),
            "compute_dtype": str(data.get("bnb_4bit_compute_dtype")).removeprefix("torch."),
            "double_quant": bool(data.get("bnb_4bit_use_double_quant")),
        }
    if data.get("load_in_8bit"):
        return {"method": "bitsandbytes", "bits": 8}
    return {"method": "bitsandbytes"}


@dataclass(frozen=True)
class QuantizeReport:
    """What :func:`quantize_model` wrote."""

    out: Path
    bits: int
    seconds: float
    size_bytes: int
    quantization: dict[str, Any]


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def quantize_model(
    base: str,
    out: str | Path,
    bits: int,
    *,
    quant_type: str = "nf4",
    compute_dtype: str | None = None,
    double_quant: bool = False,
    device: str = "cpu",
    overwrite: bool = False,
) -> QuantizeReport:
    """Load ``base`` with bitsandbytes and save it as a self-describing folder.

    ``base`` may be an embedded-model alias (``smollm2-135m``), a folder or a hub id.
    The folder is written to ``<out>.partial`` first and renamed at the end, so a crash
    never leaves a half-written folder under ``out``. A ``toolplan_quantized.json``
    sidecar records the source base, so adapter base checks know where it came from.

    Raises:
        ModelLoadError: ``bits`` not 4/8, ``out`` exists (without ``overwrite``, or is
            not an earlier output of this function), the base is already quantized, or
            loading fails.
    """
    from harness_ext.models.embedded import resolve_model

    if bits not in (4, 8):
        raise ModelLoadError(f"--bits {bits} is not supported. Fix: use --bits 8 or --bits 4.")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ModelLoadError(
                f"{out} already exists and is not empty. Fix: pick a new folder or pass --force."
            )
        # --force only ever deletes a folder this function wrote, never e.g. a typo'd ".".
        if not (out / SIDECAR).is_file():
            raise ModelLoadError(
                f"{out} is not a folder written by toolplan quantize (no {SIDECAR}), so --force "
                "will not delete it. Fix: pick a new folder."
            )
    options: dict[str, Any] = {f"load_in_{bits}bit": True}
    if bits == 4:
        options.update(
            bnb_4bit_quant_type=quant_type,
            bnb_4bit_compute_dtype=compute_dtype or default_compute_dtype(device),
            bnb_4bit_use_double_quant=double_quant,
        )
    config = bnb_config(options, device)
    resolved = resolve_model(base)

    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    try:
        base_config = AutoConfig.from_pretrained(resolved)
    except (OSError, ValueError) as e:
        raise ModelLoadError(
            f"cannot read the config of base model '{base}' ({e}). "
            "Fix: pass a model folder, an alias or a hub id."
        ) from e
    if getattr(base_config, "quantization_config", None) is not None:
        raise ModelLoadError(
            f"base model '{base}' is already quantized "
            f"({describe(base_config.quantization_config)}). "
            "Fix: quantize the unquantized base model instead."
        )
    started = time.perf_counter()
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            resolved, quantization_config=config, device_map={"": device}, dtype="auto"
        )
        tokenizer = AutoTokenizer.from_pretrained(resolved)
    except (OSError, ValueError, RuntimeError, ImportError) as e:
        raise ModelLoadError(f"loading '{base}' in {bits}-bit failed: {e}") from e
    model.save_pretrained(str(staging))
    tokenizer.save_pretrained(str(staging))
    from harness_ext import __version__

    summary = describe(config)
    sidecar = {
        "source": base,
        "source_resolved": str(Path(resolved).resolve()) if Path(resolved).is_dir() else resolved,
        "quantization": summary,
        "toolplan_eval_version": __version__,
        "created": time.strftime("%Y-%m-%d"),
    }
    (staging / SIDECAR).write_text(json.dumps(sidecar, indent=2) + "\n", "utf-8")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return QuantizeReport(
        out=out,
        bits=bits,
        seconds=time.perf_counter() - started,
        size_bytes=_folder_size(out),
        quantization=summary,
    )


def read_sidecar(folder: str | Path) -> dict[str, Any] | None:
    """The ``toolplan_quantized.json`` of a folder, or ``None`` when absent or unreadable.

    Unreadable is treated as absent: the sidecar only adds names for the base check,
    and the weights themselves are validated by transformers.
    """
    path = Path(folder) / SIDECAR
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
