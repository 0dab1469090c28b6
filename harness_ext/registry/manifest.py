"""The adapter registry: ``adapters/<name>/manifest.yaml`` (+ ``baseline.json``).

A manifest records what an adapter is and how it was made, so an evaluation can
check it is applied to the right base and a CI check can reproduce it::

    name: assetops-free-r8
    kind: internalization          # see KINDS: how the adapter was trained
    description: ...
    base_model: smollm2-135m       # alias, hub id or path, as given to `toolplan train`
    base_model_name_or_path: HuggingFaceTB/SmolLM2-135M-Instruct   # hub id (never a cache path)
    quantization: none             # none | 8bit | 4bit
    lora: {r: 8, alpha: 16, dropout: 0.05, target_modules: all-linear}
    training_data: {path: ..., sha256: ..., examples: 1700}
    command: toolplan train --base smollm2-135m --data ... --out adapters/assetops-free-r8
    created: 2026-11-21
    toolplan_eval_version: 0.1.0

A GRPO-trained adapter (``kind: grpo`` from a fresh LoRA, ``kind: sft+grpo`` when it
continued an SFT adapter with ``--init``) also records its reward::

    reward: {name: function_call, weights: {format: 0.125, name: 0.375, args: 0.5},
             fc_format: json, init: adapters/fc-warmup-r8}

``reward`` is required for those two kinds and refused for the others.
:func:`training_method` maps a kind to the leaderboard's method column (``sft``,
``grpo``, ``sft+grpo``).

The schema is :class:`AdapterManifest` (pydantic). Keys it does not name (e.g. the
``training`` block ``toolplan train`` writes) are kept, in order, in ``extra``. An invalid
file is a ``DataFileError`` naming the file, every bad field and the fix.
``baseline.json`` holds the expected scores the regression check compares against
(``harness_ext.registry.regression``).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from harness_ext.errors import DataFileError, describe_validation_error
from harness_ext.models.quantize import Quantization

REGISTRY_FOLDER = "adapters"  # the registry: one folder per adapter, each with a manifest
MANIFEST = "manifest.yaml"
BASELINE = "baseline.json"
_SCHEMA_FIX = "see the schema in harness_ext/registry/manifest.py"


def _whole_as_int(value: float) -> int | float:
    # LoRA alphas are written as integers; keep them so, so a file round-trips unchanged.
    return int(value) if value.is_integer() else value


class LoraSpec(BaseModel):
    """The LoRA settings recorded in a manifest (other PEFT keys are kept as given)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    r: int = Field(gt=0)
    alpha: Annotated[float, PlainSerializer(_whole_as_int)] = Field(gt=0)
    dropout: float = Field(ge=0, lt=1)
    target_modules: str | list[str]


KINDS: dict[str, str] = {
    "internalization": "sft",
    "placeholder": "sft",
    "warmup": "sft",
    "grpo": "grpo",
    "sft+grpo": "sft+grpo",
}
"""Known kinds and their training method. ``agent-<role>`` kinds (α-UMi stages) are SFT
too; any other kind is accepted and has no known method."""
GRPO_KINDS = frozenset({"grpo", "sft+grpo"})


def training_method(kind: str) -> str | None:
    """``sft``, ``grpo`` or ``sft+grpo`` for a manifest kind (None when unknown)."""
    if kind.startswith("agent-"):
        return "sft"
    return KINDS.get(kind)


class RewardSpec(BaseModel):
    """The reward a GRPO adapter was trained with (``harness_ext.rewards``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^(function_call|plan)$")
    weights: dict[str, float]
    fc_format: str | None = None
    init: str | None = None


class AdapterManifest(BaseModel):
    """Contents of ``manifest.yaml``.

    Required: ``name``, ``kind``, ``base_model``, ``quantization``, ``lora``, ``command``,
    ``created``. ``created`` may be a YAML date; it is kept as ``YYYY-MM-DD`` text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    base_model: str = Field(min_length=1)
    quantization: Quantization
    lora: LoraSpec
    command: str
    created: str
    training_data: dict[str, Any] = Field(default_factory=dict)
    toolplan_eval_version: str = ""
    description: str = ""
    base_model_name_or_path: str = ""
    reward: RewardSpec | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("created", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, _dt.date) else value

    @model_validator(mode="after")
    def _reward_with_grpo_kinds(self) -> AdapterManifest:
        if self.kind in GRPO_KINDS and self.reward is None:
            raise ValueError(f"kind {self.kind} needs a 'reward' block (name and weights)")
        if self.kind not in GRPO_KINDS and self.reward is not None:
            raise ValueError(
                f"'reward' belongs to the GRPO kinds ({', '.join(sorted(GRPO_KINDS))}), "
                f"not to kind {self.kind}"
            )
        return self


# The order manifest.yaml keys are written in (and the committed files use).
_ORDER = (
    "name",
    "kind",
    "base_model",
    "quantization",
    "lora",
    "training_data",
    "command",
    "created",
    "toolplan_eval_version",
    "description",
    "base_model_name_or_path",
    "reward",
)
_FIELDS = frozenset(AdapterManifest.model_fields) - {"extra"}


def manifest_from_dict(data: Any, path: str | Path) -> AdapterManifest:
    """Validate a manifest's parsed YAML; unknown keys go to ``extra``.

    Raises:
        DataFileError: not a mapping, or a field missing or invalid (every one named).
    """
    if not isinstance(data, dict):
        raise DataFileError(path, "must be a YAML mapping of manifest fields", _SCHEMA_FIX)
    known = {k: v for k, v in data.items() if k in _FIELDS}
    extra = {k: v for k, v in data.items() if k not in _FIELDS}
    try:
        return AdapterManifest(**known, extra=extra)
    except ValidationError as e:
        raise DataFileError(
            path, describe_validation_error(e), f"correct those fields; {_SCHEMA_FIX}"
        ) from e


def read_manifest(adapter_dir: str | Path) -> AdapterManifest:
    """Load and validate ``<adapter_dir>/manifest.yaml``.

    Raises:
        DataFileError: missing, not YAML, or not the schema (the message names the field).
    """
    path = Path(adapter_dir) / MANIFEST
    fix = f"write a {MANIFEST} ({_SCHEMA_FIX}), or re-run `toolplan train`"
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", fix) from e
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DataFileError(path, f"not readable YAML ({e})", fix) from e
    return manifest_from_dict(data, path)


def manifest_dict(manifest: AdapterManifest) -> dict[str, Any]:
    """The YAML form: fields in a stable order, ``extra`` merged at the end."""
    data = manifest.model_dump(mode="json")
    # ``reward`` only where there is one, so manifests of other kinds keep their bytes.
    out = {key: data[key] for key in _ORDER if key != "reward" or data[key] is not None}
    out.update(data["extra"])
    return out


def write_manifest(adapter_dir: str | Path, manifest: AdapterManifest) -> Path:
    """Write ``manifest.yaml`` (see :func:`manifest_dict`)."""
    path = Path(adapter_dir) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(manifest_dict(manifest), sort_keys=False, allow_unicode=True)
    path.write_text(text, "utf-8")
    return path
