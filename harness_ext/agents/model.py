"""One base model, several PEFT adapters, one per α-UMi role, switched per batch.

:class:`RoleModel` loads the base **once** (optionally 8-bit/4-bit through
``models.quantize.bnb_config``, the builder ``toolplan-hf`` and ``toolplan train`` use),
then attaches each role's LoRA as a named adapter of the same ``PeftModel``
(``PeftModel.from_pretrained`` for the first, ``load_adapter`` for the rest). Before a
role generates, ``set_adapter(role)`` makes its LoRA the active one; a role without an
adapter runs the bare base (``disable_adapter()``). Three r=8 LoRAs on SmolLM2-135M
add ~3 % to the base's footprint, where α-UMi's three full models triple it.

Role → adapter: in ``multi`` mode the planner, caller and summarizer each use their own
adapter when given, else the ``backbone`` adapter when given, else the base; in
``single`` mode the backbone role uses the ``backbone`` adapter (or the base).

Every adapter is checked as ``toolplan-hf`` checks one (``models.adapter_checks``):
files readable, made for this base (``allow_base_mismatch`` forces it), and changing the
logits of a probe prompt.

Generation is greedy; each prompt is one user message under the model's chat template
(as ``toolplan train`` trains); prompts are batched (left padding) and sorted by length.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness_ext.agents.formats import MULTI_ROLES, ROLES, Role
from harness_ext.errors import ModelLoadError, UnknownNameError
from harness_ext.models.adapter_checks import (
    AdapterInfo,
    check_base,
    inspect_adapter,
    probe_adapter,
)
from harness_ext.models.cost import CostMeter
from harness_ext.models.embedded import resolve_model
from harness_ext.models.quantize import bnb_config, describe

# New tokens per role: a planner thought is one sentence, a call two lines.
ROLE_TOKENS: dict[Role, int] = {"planner": 40, "caller": 64, "summarizer": 48, "backbone": 104}
# A planner's output ends at its Next: line; stop there rather than at max tokens.
PLANNER_STOPS = ("Next: caller.", "Next: conclusion.", "Next: give up.")
ADAPTER_ROLES: tuple[str, ...] = (*MULTI_ROLES, "backbone")


@dataclass
class LoadRecord:
    """How the model was put together (for the results file and the tests)."""

    base: str
    base_loads: int = 0
    adapters: dict[str, str] = field(default_factory=dict)
    probe_max_abs_logit_diff: dict[str, float] = field(default_factory=dict)
    base_checks: dict[str, dict[str, Any]] = field(default_factory=dict)


class RoleModel:
    """A base model with one LoRA adapter per role (see the module docstring).

    Args:
        pretrained: Base model: an embedded alias, a folder or a hub id.
        adapters: Role (``planner``, ``caller``, ``summarizer``, ``backbone``) → adapter folder.
        mode: ``multi`` (three roles) or ``single`` (the backbone does everything).
        bnb_options: ``load_in_8bit``/``load_in_4bit`` style options (``toolplan-hf``'s).
        device: ``cpu`` or ``cuda``.
        batch_size: Prompts per ``generate`` call.
        allow_base_mismatch: Apply adapters made for another base anyway.
        probe: Check that each adapter changes the logits (on by default).

    Raises:
        UnknownNameError: an adapter for an unknown role.
        ModelLoadError / DataFileError: a bad adapter or base (see ``adapter_checks``).
    """

    def __init__(
        self,
        pretrained: str,
        adapters: Mapping[str, str] | None = None,
        mode: str = "multi",
        bnb_options: Mapping[str, Any] | None = None,
        device: str = "cpu",
        batch_size: int = 8,
        allow_base_mismatch: bool = False,
        probe: bool = True,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        adapters = {k: v for k, v in (adapters or {}).items() if v}
        for role in adapters:
            if role not in ADAPTER_ROLES:
                raise UnknownNameError("agent role", role, ADAPTER_ROLES)
        if mode not in ("multi", "single"):
            raise UnknownNameError("agent mode", mode, ("multi", "single"))
        self.mode = mode
        self.device = device
        self.batch_size = max(1, int(batch_size))
        self.cost = CostMeter()
        self.record = LoadRecord(base=pretrained)
        infos: dict[str, AdapterInfo] = {}
        for role, path in adapters.items():
            infos[role] = inspect_adapter(path)
            check = check_base(infos[role], pretrained, allow_base_mismatch)
            self.record.base_checks[role] = check.as_dict()
        self._bnb = bnb_config(dict(bnb_options or {}), device)
        self.quantization = describe(self._bnb)
        path = resolve_model(pretrained)
        self.cost.start_load()
        kwargs: dict[str, Any] = {"dtype": torch.float32}
        if self._bnb is not None:
            kwargs["quantization_config"] = self._bnb
            kwargs["device_map"] = {"": device}
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            base: Any = AutoModelForCausalLM.from_pretrained(path, **kwargs)
        except (OSError, ValueError, ImportError) as e:
            raise ModelLoadError(
                f"cannot load base model {pretrained!r} ({e}). Fix: give an embedded alias, "
                "a model folder or a hub id (offline: a folder)."
            ) from e
        self.record.base_loads += 1
        if self._bnb is None:
            base.to(device)
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.tokenizer.padding_side = "left"
        self.model: Any = base
        if infos:
            from peft import PeftModel

            first = True
            for role, info in infos.items():
                try:
                    if first:
                        self.model = PeftModel.from_pretrained(
                            base, str(info.path), adapter_name=role
                        )
                        first = False
                    else:
                        self.model.load_adapter(str(info.path), adapter_name=role)
                except (RuntimeError, ValueError, KeyError) as e:
                    raise ModelLoadError(
                        f"adapter {info.path} ({role}) does not fit base {pretrained} ({e}). "
                        "Fix: use the base the adapter was trained on."
                    ) from e
                self.record.adapters[role] = str(info.path)
            if probe:
                for role, info in infos.items():
                    self.model.set_adapter(role)
                    self.record.probe_max_abs_logit_diff[role] = probe_adapter(
                        self.model, self.tokenizer, info.path
                    )
        self.model.eval()
        self.cost.end_load(self.model)
        self.active: str | None = None

    # ------------------------------------------------------------------ adapters

    def adapter_for(self, role: Role) -> str | None:
        """The adapter a role runs with (None: the bare base)."""
        if role not in ROLES:
            raise UnknownNameError("agent role", role, ROLES)
        have = self.record.adapters
        if role in have:
            return role
        return "backbone" if "backbone" in have else None

    def _activate(self, role: Role) -> Any:
        """Make the role's adapter active; return a context manager for the forward pass."""
        import contextlib

        name = self.adapter_for(role)
        self.active = name
        if name is None:
            disable = getattr(self.model, "disable_adapter", None)
            return disable() if callable(disable) else contextlib.nullcontext()
        self.model.set_adapter(name)
        return contextlib.nullcontext()

    def footprint(self) -> dict[str, float]:
        """Bytes of the base's parameters and buffers and of each adapter's LoRA weights (MB)."""
        mb = 1024 * 1024
        adapter_mb: dict[str, float] = {}
        base_bytes = 0
        for name, param in self.model.named_parameters():
            size = param.numel() * param.element_size()
            owner = next((a for a in self.record.adapters if f".{a}." in name), None)
            if owner is None:
                base_bytes += size
            else:
                adapter_mb[owner] = adapter_mb.get(owner, 0.0) + size / mb
        base_bytes += sum(b.numel() * b.element_size() for b in self.model.buffers())
        return {"base_mb": base_bytes / mb, **{f"adapter_{k}_mb": v for k, v in adapter_mb.items()}}

    # ------------------------------------------------------------------ generation

    def render(self, prompt: str) -> str:
        """The prompt as one user message under the chat template, ready to generate."""
        return str(
            self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
            )
        )

    def logits(self, role: Role, prompt: str) -> Any:
        """Next-token logits of one prompt under the role's adapter (for checks and tests)."""
        import torch

        batch = self.tokenizer(self.render(prompt), return_tensors="pt").to(self.device)
        with torch.no_grad(), self._activate(role):
            return self.model(**batch).logits[0, -1].float().cpu()

    def generate(self, role: Role, prompts: Sequence[str]) -> list[str]:
        """Greedy outputs of the role for each prompt, in order."""
        import torch

        if not prompts:
            return []
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        outputs: list[str] = [""] * len(prompts)
        extra: dict[str, Any] = {}
        if role == "planner":
            extra = {"stop_strings": list(PLANNER_STOPS), "tokenizer": self.tokenizer}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            texts = [self.render(prompts[i]) for i in chunk]
            batch = self.tokenizer(
                texts, return_tensors="pt", padding=True, add_special_tokens=False
            ).to(self.device)
            started = time.perf_counter()
            with torch.no_grad(), self._activate(role):
                out = self.model.generate(
                    **batch,
                    max_new_tokens=ROLE_TOKENS[role],
                    do_sample=False,
                    pad_token_id=self.tokenizer.pad_token_id,
                    **extra,
                )
            new = out[:, batch["input_ids"].shape[1] :]
            pad = self.tokenizer.pad_token_id
            tokens = int((new != pad).sum()) if pad is not None else int(new.numel())
            self.cost.add_generation(tokens, time.perf_counter() - started)
            for i, row in zip(chunk, new, strict=True):
                outputs[i] = str(self.tokenizer.decode(row, skip_special_tokens=True)).strip()
        return outputs
