"""A GRPO reward for AssetOps plans: AT-F1 plus a format term, on the planning metrics.

reward = ``format_weight`` × format_ok + ``at_f1_weight`` × AT-F1, in [0, 1], where
``format_ok`` (the text has ``#Task`` and ``#Agent``) and ``at_f1`` (F1 of the
(agent, tool) pair sets over actionable steps, the best of the gold alternatives) are
``harness_ext.metrics.planning.score_plan``'s values — the ones the assetops tasks report.
Defaults 0.125 / 0.875 mirror the function-call reward's format share.

Dataset columns: ``gold_plan`` (the gold plan text, or a list of alternative texts;
``gold_plans`` is accepted too) and optional ``catalog`` (a shipped catalog name or a
path; default ``assetops_23``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from harness_ext.errors import ToolplanError
from harness_ext.metrics.planning import score_plan
from harness_ext.planning.catalog import Catalog, load_catalog
from harness_ext.planning.gold import GoldPlan
from harness_ext.planning.plans import parse_plan
from harness_ext.rewards._completions import column, completion_text

_FIX = "give the dataset a 'gold_plan' column holding each prompt's gold plan text"


@functools.lru_cache(maxsize=8)
def _catalog(name: str | None) -> Catalog:
    return load_catalog(name)


def _gold(value: Any) -> list[GoldPlan]:
    texts = [value] if isinstance(value, str) else list(value or [])
    return [GoldPlan(parse_plan(t).plan, t) for t in texts]


def make_plan_reward(
    format_weight: float = 0.125, at_f1_weight: float = 0.875
) -> Callable[..., list[float]]:
    """A TRL reward function for plans with these weights."""

    def plan_reward(
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] = (),
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        """One reward per completion (see ``harness_ext.rewards.plan``).

        Raises:
            ToolplanError: no gold plan column, or it does not match the completions.
        """
        n = len(completions)
        name = "gold_plan" if "gold_plan" in kwargs else "gold_plans"
        if name not in kwargs:
            raise ToolplanError(f"plan_reward: the dataset has no 'gold_plan' column. Fix: {_FIX}")
        golds = column(kwargs, name, n, "plan_reward", _FIX)
        catalogs = kwargs.get("catalog") or [None] * n
        rewards = []
        for completion, gold, catalog in zip(completions, golds, catalogs, strict=True):
            text = completion_text(completion)
            score = score_plan(text, _gold(gold), _catalog(catalog))
            rewards.append(
                format_weight * score.values["format_ok"] + at_f1_weight * score.values["at_f1"]
            )
        return rewards

    return plan_reward


plan_reward = make_plan_reward()
