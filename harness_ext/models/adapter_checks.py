"""Checks a PEFT adapter must pass before a single token is generated with it.

1. **Files** (:func:`inspect_adapter`): the folder exists, ``adapter_config.json`` is a
   PEFT config, the weights file is present and every tensor in it can be read; a
   ``manifest.yaml``, when present, is valid. A missing or corrupt file is an error that
   names the file.
2. **Base** (:func:`check_base`): the base the adapter was made for (its
   ``adapter_config.json`` and manifest) must be the base it is being applied to.
   Names are compared after canonicalisation (:func:`base_names`), so an alias, its
   converted folder in this machine's cache, the hub id it stands for, a hub-cache
   snapshot folder and a ``toolplan quantize`` folder of that base all count as the same
   base. A mismatch is an error unless the caller forces it (``allow_base_mismatch``).
3. **Applied** (:func:`probe_adapter`): one probe prompt through the model with the
   adapter enabled and disabled; identical logits mean the adapter does nothing (an
   untrained LoRA, or weights whose keys did not match the model and were silently
   skipped — lm-eval issue #2432), which is an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, ModelLoadError
from harness_ext.models.embedded import EMBEDDED_MODELS, cache_dir, is_hub_id
from harness_ext.models.quantize import read_sidecar
from harness_ext.registry.manifest import MANIFEST, AdapterManifest, read_manifest

CONFIG_FILE = "adapter_config.json"
WEIGHT_FILES = ("adapter_model.safetensors", "adapter_model.bin")
PROBE_PROMPT = "List the agents and tools you would use to check the health of Chiller 6."

_HUB_CACHE_RE = re.compile(r"models--(?P<org>[^/]+?)--(?P<name>[^/]+)/snapshots/[^/]+/?$")


@dataclass(frozen=True)
class AdapterInfo:
    """What :func:`inspect_adapter` found in an adapter folder."""

    path: Path
    config: dict[str, Any]
    weights: Path
    tensor_count: int
    manifest: AdapterManifest | None = None

    @property
    def recorded_bases(self) -> dict[str, str]:
        """Where each recorded base name came from -> the name (empty names dropped)."""
        found = {
            f"{CONFIG_FILE} base_model_name_or_path": self.config.get("base_model_name_or_path")
        }
        if self.manifest is not None:
            found[f"{MANIFEST} base_model"] = self.manifest.base_model
            found[f"{MANIFEST} base_model_name_or_path"] = self.manifest.base_model_name_or_path
        return {k: str(v) for k, v in found.items() if v}


def _read_tensors(weights: Path) -> int:
    if weights.suffix == ".safetensors":
        from safetensors import SafetensorError, safe_open

        try:
            with safe_open(str(weights), framework="pt") as handle:
                keys = list(handle.keys())
                for key in keys:
                    handle.get_tensor(key)
        except (SafetensorError, OSError) as e:
            raise DataFileError(
                weights,
                f"is not a readable safetensors file ({e})",
                "re-save or re-download the adapter",
            ) from e
        return len(keys)
    import pickle

    import torch

    try:
        state = torch.load(str(weights), map_location="cpu", weights_only=True)
    except (RuntimeError, OSError, EOFError, pickle.UnpicklingError) as e:
        raise DataFileError(
            weights, f"is not a readable torch file ({e})", "re-save or re-download the adapter"
        ) from e
    if not isinstance(state, dict):
        raise DataFileError(
            weights, "does not hold a state dict", "re-save the adapter with save_pretrained"
        )
    return len(state)


def resolve_adapter_path(adapter: str) -> Path:
    """A local adapter folder as is; otherwise a hub repo id, fetched with huggingface_hub.

    A name is local when it starts with ``.``, ``/`` or ``~``, is not shaped like
    ``owner/name``, or its parent folder exists here (``adapters/NAME``).

    Raises:
        ModelLoadError: not a local folder and not downloadable (offline, unknown repo).
    """
    local = Path(adapter).expanduser()
    if local.exists():
        return local
    # "adapters/typo" looks like a hub id too; an existing parent folder says it is local.
    looks_local = not is_hub_id(adapter) or local.parent.is_dir()
    fix = "pass the folder written by save_pretrained (it holds adapter_config.json)"
    if looks_local:
        raise ModelLoadError(f"adapter folder {adapter} not found. Fix: {fix}.")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(adapter))
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError, ValueError) as e:
        raise ModelLoadError(
            f"adapter '{adapter}' is neither a local folder nor a downloadable hub repo ({e}). "
            f"Fix: {fix}."
        ) from e


def inspect_adapter(adapter: str | Path) -> AdapterInfo:
    """Validate an adapter folder's files without loading any model.

    Raises:
        ModelLoadError: the folder does not exist.
        DataFileError: a file is missing, unreadable or malformed (the error names it).
    """
    path = resolve_adapter_path(str(adapter))
    if not path.is_dir():
        raise ModelLoadError(
            f"adapter {path} is a file, not a folder. "
            f"Fix: pass the folder that holds {CONFIG_FILE}."
        )
    config_path = path / CONFIG_FILE
    fix = "re-save the adapter with PeftModel.save_pretrained (or re-download it)"
    try:
        config = json.loads(config_path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(config_path, "not found (not a PEFT adapter folder?)", fix) from e
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DataFileError(config_path, f"is not valid JSON ({e})", fix) from e
    if not isinstance(config, dict) or not config.get("peft_type"):
        raise DataFileError(config_path, "has no 'peft_type' (not a PEFT adapter config)", fix)
    weights = next((path / name for name in WEIGHT_FILES if (path / name).is_file()), None)
    if weights is None:
        raise DataFileError(path / WEIGHT_FILES[0], f"not found (nor {WEIGHT_FILES[1]})", fix)
    count = _read_tensors(weights)
    if count == 0:
        raise DataFileError(weights, "holds no tensors", fix)
    manifest = read_manifest(path) if (path / MANIFEST).is_file() else None
    return AdapterInfo(
        path=path, config=config, weights=weights, tensor_count=count, manifest=manifest
    )


def _embedded_folder(alias: str) -> str:
    """This machine's converted folder of an embedded alias (absolute; not created here)."""
    return str((cache_dir() / "models" / EMBEDDED_MODELS[alias].folder).resolve())


def base_names(name: str, _depth: int = 0) -> set[str]:
    """Canonical names a base model is known by (lower-case; paths made absolute).

    Rules: an embedded alias adds the hub id it was converted from and its converted
    folder in this machine's cache (that exact path, so another machine's cache path
    matches nothing); a hub id of an embedded model adds its alias; a hub-cache snapshot
    folder counts as its hub id; a ``toolplan quantize`` folder adds the names of its
    source base.
    """
    text = name.strip()
    if not text:
        return set()
    names: set[str] = set()
    if text in EMBEDDED_MODELS:
        return {text, EMBEDDED_MODELS[text].hub_id.lower(), _embedded_folder(text)}
    path = Path(text).expanduser()
    is_local = path.is_dir()
    if is_local or not is_hub_id(text):
        resolved = path.resolve() if is_local else path.absolute()
        names.add(str(resolved))
        for alias in EMBEDDED_MODELS:
            if str(resolved) == _embedded_folder(alias):
                names |= base_names(alias, _depth + 1)
        snapshot = _HUB_CACHE_RE.search(str(resolved))
        if snapshot:
            names.add(f"{snapshot['org']}/{snapshot['name']}".lower())
        sidecar = read_sidecar(resolved) if is_local and _depth < 3 else None
        if sidecar and isinstance(sidecar.get("source"), str):
            names |= base_names(sidecar["source"], _depth + 1)
        return names
    names.add(text.lower())
    for alias, model in EMBEDDED_MODELS.items():
        if text.lower() == model.hub_id.lower():
            names.add(alias)
    return names


@dataclass(frozen=True)
class BaseCheck:
    """Outcome of :func:`check_base`: ``match``, ``forced`` (mismatch allowed) or ``unrecorded``."""

    status: str
    given: str
    recorded: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for the results file."""
        return {"status": self.status, "given": self.given, "recorded": dict(self.recorded)}


def check_base(info: AdapterInfo, given: str, allow_mismatch: bool = False) -> BaseCheck:
    """Compare the adapter's recorded base(s) with the base it is applied to.

    Every recorded name must match (a manifest and an ``adapter_config.json`` that
    disagree is itself a mismatch). No recorded name at all → ``unrecorded`` (nothing
    to compare; the probe still runs).

    Raises:
        ModelLoadError: a mismatch and ``allow_mismatch`` is false.
    """
    recorded = info.recorded_bases
    if not recorded:
        return BaseCheck("unrecorded", given)
    given_names = base_names(given)
    wrong = {src: name for src, name in recorded.items() if not (base_names(name) & given_names)}
    if not wrong:
        return BaseCheck("match", given, recorded)
    if allow_mismatch:
        return BaseCheck("forced", given, recorded)
    detail = "; ".join(f"{src} says '{name}'" for src, name in wrong.items())
    raise ModelLoadError(
        f"adapter {info.path} was made for another base model than pretrained='{given}' "
        f"({detail}). "
        "Fix: evaluate it on its own base, or add allow_base_mismatch=True to the model args "
        "to apply it anyway."
    )


def probe_adapter(model: Any, tokenizer: Any, adapter: str | Path) -> float:
    """Return max |logit difference| between adapter on and off on a probe prompt.

    ``model`` must be a ``peft.PeftModel`` (it has ``disable_adapter()``).

    Raises:
        ModelLoadError: the difference is exactly zero (the adapter is not applied), or
            the adapter makes the logits non-finite.
    """
    import torch

    device = next(model.parameters()).device
    batch = tokenizer(PROBE_PROMPT, return_tensors="pt").to(device)
    with torch.no_grad():
        with_adapter = model(**batch).logits.float()
        with model.disable_adapter():
            without = model(**batch).logits.float()
    if not torch.isfinite(with_adapter).all():
        raise ModelLoadError(
            f"adapter {adapter} makes the model's logits NaN/inf on a probe prompt "
            "(corrupt or diverged weights). Fix: retrain or re-save the adapter."
        )
    diff = float((with_adapter - without).abs().max())
    if diff == 0.0:
        raise ModelLoadError(
            f"adapter {adapter} loaded but changes nothing: a probe prompt gives identical "
            "logits with and without it (untrained LoRA with zero B matrices, or weight names "
            "that do not match this base so PEFT skipped them). Fix: check that the adapter "
            "was trained and saved from this base model."
        )
    return diff
