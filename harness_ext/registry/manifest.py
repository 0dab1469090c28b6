"""The adapter registry: ``adapters/<name>/manifest.yaml`` (+ ``baseline.json``).

A manifest records what an adapter is and how it was made, so an evaluation can
check it is applied to the right base and a CI check can reproduce it::

    name: assetops-free-r8
    kind: internalization          # or "placeholder" (a briefly trained stand-in)
    description: ...
    base_model: smollm2-135m       # alias, hub id or path, as given to `toolplan train`
    base_model_name_or_path: HuggingFaceTB/SmolLM2-135M-Instruct   # what PEFT recorded
    quantization: none             # none | 8bit | 4bit
    lora: {r: 8, alpha: 16, dropout: 0.05, target_modules: all-linear}
    training_data: {path: ..., sha256: ..., examples: 1700}
    command: toolplan train --base smollm2-135m --data ... --out adapters/assetops-free-r8
    created: 2026-11-21
    toolplan_eval_version: 0.1.0

``baseline.json`` holds the expected scores the regression check compares against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from harness_ext.errors import DataFileError

MANIFEST = "manifest.yaml"
BASELINE = "baseline.json"
Quantization = Literal["none", "8bit", "4bit"]


@dataclass(frozen=True)
class AdapterManifest:
    """Contents of ``manifest.yaml`` (unknown keys are kept in ``extra``)."""

    name: str
    kind: str
    base_model: str
    quantization: str
    lora: dict[str, Any]
    training_data: dict[str, Any]
    command: str
    created: str
    toolplan_eval_version: str
    description: str = ""
    base_model_name_or_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = {f for f in AdapterManifest.__dataclass_fields__ if f != "extra"}
_REQUIRED = ("name", "kind", "base_model", "quantization", "lora", "command", "created")


def read_manifest(adapter_dir: str | Path) -> AdapterManifest:
    """Load and validate ``<adapter_dir>/manifest.yaml``."""
    path = Path(adapter_dir) / MANIFEST
    fix = (
        f"write a {MANIFEST} with at least: {', '.join(_REQUIRED)}"
        " (see harness_ext/registry/manifest.py)"
    )
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", fix) from e
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DataFileError(path, f"not readable YAML ({e})", fix) from e
    if not isinstance(data, dict):
        raise DataFileError(path, "must be a YAML mapping", fix)
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise DataFileError(path, f"missing {', '.join(missing)}", fix)
    known = {k: v for k, v in data.items() if k in _FIELDS}
    known.setdefault("training_data", {})
    known.setdefault("toolplan_eval_version", "")
    known = {k: (str(v) if k == "created" else v) for k, v in known.items()}
    extra = {k: v for k, v in data.items() if k not in _FIELDS}
    return AdapterManifest(**known, extra=extra)


def write_manifest(adapter_dir: str | Path, manifest: AdapterManifest) -> Path:
    """Write ``manifest.yaml`` (keys in a stable order; ``extra`` merged at the end)."""
    path = Path(adapter_dir) / MANIFEST
    data = asdict(manifest)
    extra = data.pop("extra")
    data.update(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return path
