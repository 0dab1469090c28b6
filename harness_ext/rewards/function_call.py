"""Paper (b)'s function-call reward (arXiv 2509.04518), on the BFCL checker of the metrics.

The reward of one completion, as the paper describes it (weights the paper's text leaves
unreadable are parameters; defaults below):

1. **Gate**: 0 when the output does not decode into at least one call, when text lies
   outside the calls (JSON format: outside the ``<tool_call>`` blocks), or when the
   JSON is invalid. The paper found soft penalties left models chattering.
2. **Format**: ``format_weight`` (0.125, the paper's final value) for a valid output.
3. **Names**: ``name_weight`` × (expected calls whose optimally paired output call has
   the right name) / max(n_expected, 1). The paper says "slightly" below the argument
   weight; 0.375 makes a perfect answer score 1.0 (inferred).
4. **Arguments**: ``args_weight`` (0.5) × Σ over those rightly named pairs of the share
   of the pair's parameters that pass the checker / max(n_expected, 1). The parameters
   that count are the checker's: required ones, given ones and those the answer needs.
5. **Over-generation**: with more calls than expected, terms 3 and 4 are multiplied by
   n_expected / n_output (form inferred from the paper's prose).

Total = format + scale × (names + arguments), in [0, 1]; 1.0 exactly when the checker's
verdict is valid and no text lies outside the calls. The pairing is the checker's own
optimal assignment (``Verdict.pairs``), and the verdict comes from ``score_output``, the
function the lm-eval metric calls. Irrelevance samples (empty ground truth): 1.0 when
no call is made, else 0.0 (the paper has no such samples).

Dataset columns (one value per completion, as TRL passes them): ``functions`` (BFCL
function docs: a list or its JSON text), ``ground_truth`` (BFCL possible answers
``[{name: {param: [acceptable values]}}]``, list or JSON text), optional ``category``
(``irrelevance`` in it means "no call"; default: irrelevance when the ground truth is
empty) and optional ``fc_format`` (``json`` default, or ``python``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness_ext.fc.calls import CallFormat
from harness_ext.fc.data import is_irrelevance
from harness_ext.fc.scoring import SampleScore, score_output
from harness_ext.rewards._completions import column, completion_text

_FIX = (
    "build the dataset with columns 'functions' and 'ground_truth' in BFCL's format "
    "(see harness_ext.rewards.function_call)"
)


@dataclass(frozen=True)
class FunctionCallWeights:
    """Weights of paper (b)'s reward terms (defaults sum to 1.0)."""

    format_weight: float = 0.125
    name_weight: float = 0.375
    args_weight: float = 0.5


@dataclass(frozen=True)
class RewardParts:
    """The terms of one completion's reward, and the checker's score it came from."""

    gate: bool
    format: float
    name: float
    args: float
    scale: float
    total: float
    score: SampleScore


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def reward_parts(
    output: object,
    functions: Sequence[Mapping[str, Any]],
    ground_truth: Sequence[Mapping[str, Mapping[str, list[Any]]]],
    category: str | None = None,
    fmt: CallFormat = "json",
    weights: FunctionCallWeights = FunctionCallWeights(),
) -> RewardParts:
    """Score one output and split its reward into the paper's terms (never raises)."""
    category = category or ("irrelevance" if not ground_truth else "ast")
    score = score_output(functions, ground_truth, category, output, fmt)
    decoded, verdict = score.decoded, score.verdict
    if is_irrelevance(category):
        total = 1.0 if verdict.valid else 0.0
        return RewardParts(verdict.valid, 0.0, 0.0, 0.0, 1.0, total, score)
    gate = decoded.ok and bool(decoded.calls) and not decoded.outside_text
    if fmt == "json":
        gate = gate and bool(decoded.json_valid)
    if not gate:
        return RewardParts(False, 0.0, 0.0, 0.0, 1.0, 0.0, score)
    n_expected, n_output = len(ground_truth), len(decoded.calls)
    named = [p for _, _, p in verdict.pairs if p.name_ok]
    denominator = max(n_expected, 1)
    name = weights.name_weight * len(named) / denominator
    args = weights.args_weight * sum(p.arg_fraction for p in named) / denominator
    scale = n_expected / n_output if n_output > n_expected else 1.0
    total = weights.format_weight + scale * (name + args)
    return RewardParts(True, weights.format_weight, name, args, scale, total, score)


def make_function_call_reward(
    weights: FunctionCallWeights = FunctionCallWeights(),
    default_format: CallFormat = "json",
) -> Callable[..., list[float]]:
    """A TRL reward function with these weights (its ``__name__`` is what TRL logs)."""

    def function_call_reward(
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] = (),
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        """One reward per completion (see ``harness_ext.rewards.function_call``).

        Raises:
            ToolplanError: a required dataset column is missing or misaligned.
        """
        n = len(completions)
        functions = column(kwargs, "functions", n, "function_call_reward", _FIX)
        truths = column(kwargs, "ground_truth", n, "function_call_reward", _FIX)
        categories = kwargs.get("category") or [None] * n
        formats = kwargs.get("fc_format") or [default_format] * n
        rewards = []
        for i, completion in enumerate(completions):
            fmt: CallFormat = "python" if formats[i] == "python" else "json"
            parts = reward_parts(
                completion_text(completion),
                _json(functions[i]),
                _json(truths[i]),
                categories[i],
                fmt,
                weights,
            )
            rewards.append(parts.total)
        return rewards

    return function_call_reward


function_call_reward = make_function_call_reward()
