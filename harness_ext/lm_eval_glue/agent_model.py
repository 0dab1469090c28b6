"""``toolplan-agent``: the α-UMi agent as an lm-eval model (one base, one adapter per role).

::

    lm_eval --model toolplan-agent --device cpu \\
      --tasks agent_bfcl_steps,agent_bfcl_multi_turn_base \\
      --model_args pretrained=smollm2-135m,planner=A/planner,caller=A/caller,summarizer=A/summarizer

Model args: ``pretrained`` (alias, folder or hub id; default the embedded model);
``planner``/``caller``/``summarizer`` and/or ``backbone`` adapter folders; ``mode``
(``multi``: the three roles; ``single``: the backbone does everything; default ``single``
when only ``backbone`` is given, else ``multi``); ``max_steps_per_turn`` (6) and
``max_calls_per_turn`` (16), the agent's budget; ``load_in_8bit`` / ``load_in_4bit``
(+ ``bnb_4bit_*``), as ``toolplan-hf`` takes them; ``allow_base_mismatch``; ``batch_size``.

Requests of the agent tasks carry their document: an ``agent_episode`` document is run
as an episode on its task's backends (the response is the episode record, JSON), an
``agent_step`` document as a teacher-forced step (JSON record of each role's output; in
``single`` mode the backbone's plain text); any other request is generated from its
context with the backbone (or the base). All requests of a call are run in lockstep, one
role's batch at a time (``harness_ext.agents.runner.drive``). Log-likelihood requests are
refused: use ``toolplan-hf`` for those tasks.

The model's own prompt format is the roles' format (one user message under the chat
template), so ``--apply_chat_template`` changes nothing for agent documents.

The results file gets ``config.toolplan_cost`` (load time, peak memory, tokens/s),
``config.toolplan_quantization`` and ``config.toolplan_agent`` (mode, adapters, base loads,
footprint of the base and each adapter, budget).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from harness_ext._hook import AGENT_MODEL_NAME
from harness_ext.agents.bfcl import get_task
from harness_ext.agents.formats import MULTI_ROLES
from harness_ext.agents.model import RoleModel
from harness_ext.agents.runner import Budget, Mode, Request, drive, episode, static_step
from harness_ext.errors import ModelLoadError, ToolplanError, UnknownNameError
from harness_ext.models.embedded import DEFAULT_ALIAS
from harness_ext.models.quantize import as_bool, pop_bnb_options

_KNOWN = (
    "pretrained",
    "backbone",
    "planner",
    "caller",
    "summarizer",
    "mode",
    "max_steps_per_turn",
    "max_calls_per_turn",
    "allow_base_mismatch",
    "batch_size",
    "device",
)


def _int(name: str, value: Any, default: int) -> int:
    if value is None or str(value).strip() in ("", "auto"):
        return default
    try:
        number = int(str(value).split(":")[0])
    except ValueError as e:
        raise ModelLoadError(f"model arg {name}={value!r} is not an integer") from e
    if number < 1:
        raise ModelLoadError(f"model arg {name}={value!r} must be at least 1")
    return number


def _plain(context: str) -> Generator[Request, str, str]:
    text = yield "backbone", context
    return text


@register_model(AGENT_MODEL_NAME)
class ToolplanAgentLM(LM):
    """An lm-eval LM over :class:`harness_ext.agents.model.RoleModel` (module docstring)."""

    def __init__(
        self,
        pretrained: str = DEFAULT_ALIAS,
        backbone: str | None = None,
        planner: str | None = None,
        caller: str | None = None,
        summarizer: str | None = None,
        mode: str | None = None,
        max_steps_per_turn: Any = 6,
        max_calls_per_turn: Any = 16,
        allow_base_mismatch: Any = False,
        batch_size: Any = 8,
        max_batch_size: Any = None,
        device: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Load the base once and attach the role adapters.

        Raises:
            ModelLoadError / UnknownNameError / DataFileError: bad args, adapters or base.
        """
        super().__init__()
        bnb = pop_bnb_options(kwargs)
        unknown = sorted(k for k in kwargs if kwargs[k] is not None)
        if unknown:
            raise UnknownNameError(
                "toolplan-agent model arg", unknown[0], (*_KNOWN, "load_in_8bit", "load_in_4bit")
            )
        roles = {"planner": planner, "caller": caller, "summarizer": summarizer}
        adapters = {k: str(v) for k, v in {**roles, "backbone": backbone}.items() if v}
        chosen = mode or ("single" if backbone and not any(roles.values()) else "multi")
        if chosen not in ("multi", "single"):
            raise UnknownNameError("toolplan-agent mode", str(chosen), ("multi", "single"))
        self.mode: Mode = "single" if chosen == "single" else "multi"
        self.budget = Budget(
            max_steps=_int("max_steps_per_turn", max_steps_per_turn, 6),
            max_calls=_int("max_calls_per_turn", max_calls_per_turn, 16),
        )
        if device is None:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        self._device = str(device)
        self.agent = RoleModel(
            str(pretrained),
            adapters,
            mode=self.mode,
            bnb_options=bnb,
            device=self._device,
            batch_size=_int("batch_size", batch_size, 8),
            allow_base_mismatch=as_bool("allow_base_mismatch", allow_base_mismatch),
        )
        self.tokenizer = self.agent.tokenizer

    # ------------------------------------------------------------------ lm-eval API

    def generate_until(self, requests: list[Any]) -> list[str]:
        """Run episodes, steps and plain prompts in lockstep (module docstring)."""
        coroutines: list[Generator[Request, str, Any]] = []
        kinds: list[str] = []
        for request in requests:
            doc = getattr(request, "doc", None) or {}
            if doc.get("agent_episode"):
                task = get_task(str(doc["category"]), str(doc["id"]))
                coroutines.append(episode(task, self.mode, self.budget))
                kinds.append("episode")
            elif doc.get("agent_step"):
                coroutines.append(static_step(doc, self.mode))
                kinds.append("step")
            else:
                coroutines.append(_plain(str(request.args[0])))
                kinds.append("plain")
        results = drive(coroutines, self.agent.generate)
        out = []
        for kind, result in zip(kinds, results, strict=True):
            if kind == "plain":
                out.append(str(result))
            elif kind == "step" and self.mode == "single":
                out.append(str(result["backbone"]))
            else:
                out.append(json.dumps(result, ensure_ascii=False))
        return out

    def loglikelihood(self, requests: list[Any]) -> list[tuple[float, bool]]:
        """Refused: the agent only generates."""
        raise ToolplanError(
            "toolplan-agent only generates text; run log-likelihood tasks with --model toolplan-hf."
        )

    def loglikelihood_rolling(self, requests: list[Any]) -> list[float]:
        """Refused: the agent only generates."""
        raise ToolplanError(
            "toolplan-agent only generates text; run log-likelihood tasks with --model toolplan-hf."
        )

    @property
    def tokenizer_name(self) -> str:
        """Fingerprint of the prompt format for lm-eval's request cache."""
        name = getattr(self.tokenizer, "name_or_path", "tokenizer")
        return f"toolplan-agent:{str(name).replace('/', '__')}"

    def chat_template(self, chat_template: bool | str = False) -> str | None:
        """The roles' format is the template: lm-eval's own chat templating is not used."""
        return ""

    def apply_chat_template(
        self, chat_history: list[dict[str, str]], add_generation_prompt: bool = True
    ) -> str:
        """Message contents joined by blank lines (the agent applies its own template)."""
        return "\n\n".join(str(m.get("content", "")) for m in chat_history)

    def get_model_info(self) -> dict[str, Any]:
        """``toolplan_cost``, ``toolplan_quantization`` and ``toolplan_agent`` blocks."""
        record = self.agent.record
        return {
            "toolplan_cost": self.agent.cost.report(),
            "toolplan_quantization": dict(self.agent.quantization),
            "toolplan_agent": {
                "mode": self.mode,
                "adapters": dict(record.adapters),
                "role_adapter": {
                    r: self.agent.adapter_for(r)
                    for r in (("backbone",) if self.mode == "single" else MULTI_ROLES)
                },
                "base_loads": record.base_loads,
                "footprint_mb": {k: round(v, 3) for k, v in self.agent.footprint().items()},
                "probe_max_abs_logit_diff": dict(record.probe_max_abs_logit_diff),
                "budget": {
                    "max_steps_per_turn": self.budget.max_steps,
                    "max_calls_per_turn": self.budget.max_calls,
                },
            },
        }
