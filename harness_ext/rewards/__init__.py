"""GRPO rewards on the same checkers as the metrics (TRL ``GRPOTrainer`` reward functions).

* ``function_call_reward``: paper (b)'s capability-aware reward (arXiv 2509.04518) on
  the BFCL checker of ``harness_ext.fc`` — the very ``score_output`` the lm-eval metric
  calls, so reward and metric cannot disagree on a verdict;
* ``plan_reward``: AT-F1 plus a format term on the planning parser and metrics of
  ``harness_ext.planning`` / ``harness_ext.metrics.planning``.

Both take TRL's call ``fn(prompts=..., completions=..., completion_ids=..., **columns)``
and return one float per completion; completions may be plain strings or conversational
(lists of ``{"role", "content"}`` messages). No TRL import.

May import: ``harness_ext.fc``, ``harness_ext.metrics``, ``harness_ext.planning``,
``harness_ext.errors``.
"""

from __future__ import annotations

from harness_ext.rewards.function_call import (
    FunctionCallWeights,
    function_call_reward,
    make_function_call_reward,
    reward_parts,
)
from harness_ext.rewards.plan import make_plan_reward, plan_reward

__all__ = [
    "FunctionCallWeights",
    "function_call_reward",
    "make_function_call_reward",
    "make_plan_reward",
    "plan_reward",
    "reward_parts",
]
