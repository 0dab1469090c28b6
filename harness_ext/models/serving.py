"""Model arguments for the routes that scale out: a registered adapter on HF or vLLM, servers.

``toolplan eval --model_args adapter=adapters/NAME`` fills the model arguments from the
adapter's ``manifest.yaml``, for the backend chosen with ``--backend``:

* ``hf`` (``toolplan-hf``, the default): ``pretrained`` = the manifest's base,
  ``peft`` = the adapter folder, and ``load_in_8bit``/``load_in_4bit`` from its
  ``quantization`` — the base it was trained on;
* ``vllm`` (lm-eval's ``--model vllm``): ``pretrained`` = the base as a folder or hub id
  (an embedded alias becomes its converted folder), ``lora_local_path`` = the adapter,
  ``max_lora_rank`` = the smallest rank vLLM accepts that holds the adapter's ``r``. vLLM
  serves the base unquantized (``dtype`` as given, default ``auto``): an adapter trained
  on an 8-bit or 4-bit base runs on full weights there, which can move scores slightly;
  one warning says so.

Values the user gave win over the manifest's, except a ``max_lora_rank`` below the
adapter's rank: vLLM's default is 16 (lm-eval's too), an r=32 adapter needs 32, and
vLLM would only refuse it after minutes of engine start-up, so
:func:`check_lora_rank` refuses it first, naming the adapter, its rank and the fix.

API models (``local-completions``, ``local-chat-completions`` and the hosted ones) are
listed in :data:`API_MODELS`: ``toolplan eval`` turns a server that dies or stalls in the
middle of a run into one error line that says how many answers the cache kept
(:func:`server_failure_message`).

May import: ``harness_ext.errors``, ``harness_ext.registry``, ``harness_ext.models.embedded``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.models.embedded import resolve_model

log = logging.getLogger(__name__)

Backend = Literal["hf", "vllm"]
BACKENDS: tuple[Backend, ...] = ("hf", "vllm")

VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)
"""Ranks vLLM's ``LoRAConfig`` accepts for ``max_lora_rank`` (0.6+; older ones stop at 64)."""
VLLM_DEFAULT_LORA_RANK = 16
"""lm-eval 0.4.13's ``VLLM(max_lora_rank=16)`` default, which is also vLLM's."""

API_MODELS = frozenset(
    {
        "local-completions",
        "local-chat-completions",
        "openai-completions",
        "openai-chat-completions",
        "anthropic-completions",
        "anthropic-chat",
        "anthropic-chat-completions",
    }
)


def adapter_rank(adapter_dir: str | Path) -> int:
    """The LoRA rank ``r`` in an adapter's ``adapter_config.json``.

    Rules: ``rank_pattern`` entries raise the rank to their largest value (vLLM needs the
    largest rank of any module).

    Raises:
        DataFileError: the file is missing, is not JSON, or has no whole ``r`` >= 1.
    """
    path = Path(adapter_dir) / "adapter_config.json"
    try:
        config = json.loads(path.read_text())
    except FileNotFoundError as e:
        raise DataFileError(path, "is missing", "point adapter= at a PEFT adapter folder") from e
    except json.JSONDecodeError as e:
        raise DataFileError(path, f"is not valid JSON ({e})", "re-save the adapter") from e
    r = config.get("r")
    if isinstance(r, bool) or not isinstance(r, int) or r < 1:
        raise DataFileError(path, f"has no LoRA rank r (found {r!r})", "re-save the adapter")
    pattern = config.get("rank_pattern") or {}
    ranks = [v for v in pattern.values() if isinstance(v, int) and not isinstance(v, bool)]
    return max([r, *ranks])


def vllm_rank_for(rank: int) -> int:
    """The smallest ``max_lora_rank`` vLLM accepts that holds ``rank``.

    Raises:
        ToolplanError: ``rank`` is above vLLM's largest (512).
    """
    for allowed in VLLM_LORA_RANKS:
        if allowed >= rank:
            return allowed
    raise ToolplanError(
        f"LoRA rank {rank} is above vLLM's largest max_lora_rank ({VLLM_LORA_RANKS[-1]}). "
        "Fix: merge the adapter into the base (peft merge_and_unload) and serve the merged "
        "folder, or evaluate it with --model toolplan-hf."
    )


def check_lora_rank(model_args: Mapping[str, Any]) -> None:
    """Refuse ``--model vllm`` args whose ``max_lora_rank`` cannot hold the adapter.

    Does nothing without ``lora_local_path``. ``max_lora_rank`` absent means lm-eval's
    default, 16.

    Raises:
        ToolplanError: ``max_lora_rank`` is not a whole number, or is below the rank of
            the adapter at ``lora_local_path`` (the message names both and the fix).
        DataFileError: the adapter's ``adapter_config.json`` is missing or unreadable.
    """
    path = model_args.get("lora_local_path")
    if not path:
        return
    given = model_args.get("max_lora_rank", VLLM_DEFAULT_LORA_RANK)
    text = str(given).strip()
    if isinstance(given, bool) or not text.isdigit():
        raise ToolplanError(
            f"max_lora_rank={given!r} is not a whole number. Fix: one of {VLLM_LORA_RANKS}."
        )
    rank = adapter_rank(str(path))
    if int(text) < rank:
        shown = "" if "max_lora_rank" in model_args else " (lm-eval's default)"
        raise ToolplanError(
            f"adapter {path} has LoRA rank {rank}, above max_lora_rank={text}{shown}: vLLM "
            f"would refuse it after starting its engine. Fix: add "
            f"max_lora_rank={vllm_rank_for(rank)} to --model_args."
        )


def adapter_model_args(
    adapter_dir: str, backend: Backend, given: Mapping[str, Any]
) -> dict[str, Any]:
    """Model args for an adapter on ``backend`` from its manifest, the user's own winning.

    ``given`` holds the user's other model args (``adapter`` itself removed).

    Raises:
        DataFileError: no readable ``manifest.yaml`` / ``adapter_config.json``.
        ToolplanError: a ``max_lora_rank`` too small for the adapter (vLLM).
    """
    from harness_ext.registry.manifest import read_manifest

    manifest = read_manifest(adapter_dir)
    out: dict[str, Any] = {}
    if backend == "hf":
        out["pretrained"] = manifest.base_model
        out["peft"] = adapter_dir
        if manifest.quantization == "8bit":
            out["load_in_8bit"] = True
        elif manifest.quantization == "4bit":
            out["load_in_4bit"] = True
        out.update(given)
        return out
    out["pretrained"] = resolve_model(str(given.get("pretrained", manifest.base_model)))
    out["lora_local_path"] = adapter_dir
    out["max_lora_rank"] = vllm_rank_for(adapter_rank(adapter_dir))
    out.update({k: v for k, v in given.items() if k != "pretrained"})
    if manifest.quantization != "none":
        log.warning(
            "adapter %s was trained on a %s base; vLLM serves the base unquantized "
            "(dtype=%s), so scores can differ slightly from toolplan-hf's",
            adapter_dir,
            manifest.quantization,
            out.get("dtype", "auto"),
        )
    check_lora_rank(out)
    return out


def server_failure_message(model: str, base_url: str | None, error: BaseException) -> str:
    """One line for a server that refused, dropped or stalled a request mid-run.

    Names the server, what happened and what the cache (``--use_cache``) keeps; the
    answers that arrived before the failure are in it when ``--use_cache`` was given.
    """
    kind = type(error).__name__
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return (
        f"--model {model}: the server at {base_url or '(no base_url)'} failed during the "
        f"run ({kind}: {text}). Answers that arrived before are kept only with "
        "--use_cache PATH; run the same command again with the same --use_cache and only "
        "the missing requests are sent. Fix: check the server (is it up? raise "
        "timeout=SECONDS or max_retries=N in --model_args for a slow one)."
    )


def is_server_failure(error: BaseException) -> bool:
    """Whether an exception is a network failure of an API model's requests."""
    names = {cls.__module__.split(".")[0] for cls in type(error).__mro__}
    if names & {"requests", "aiohttp", "urllib3"}:
        return True
    import asyncio

    return isinstance(error, (TimeoutError, asyncio.TimeoutError, ConnectionError))


def merge_adapter(adapter_dir: str, out_dir: str, base: str | None = None) -> Path:
    """Write the adapter merged into its base as a plain model folder, for a server.

    For servers that cannot apply a LoRA themselves (llm-katan; any OpenAI-compatible
    server that loads one folder). The base is loaded unquantized (fp32), whatever the
    manifest's ``quantization``: a merged 8-bit base cannot be saved as plain weights,
    so the merged model is the adapter on full weights (scores can differ slightly from
    the 8-bit route). vLLM does not need this: ``vllm serve BASE --enable-lora
    --lora-modules NAME=ADAPTER --max-lora-rank R``.

    Args:
        adapter_dir: a PEFT adapter folder (with ``manifest.yaml`` unless ``base`` is given).
        out_dir: the folder to write (model, tokenizer, chat template).
        base: the base model (alias, folder or hub id); default: the manifest's.

    Raises:
        DataFileError: no manifest and no ``base``.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness_ext.registry.manifest import read_manifest

    name = base if base is not None else read_manifest(adapter_dir).base_model
    folder = resolve_model(name)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    out = Path(out_dir)
    merged.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(folder).save_pretrained(str(out))
    return out
