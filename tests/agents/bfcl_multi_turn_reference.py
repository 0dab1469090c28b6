"""BFCL's own multi-turn checker, wrapped for differential tests only.

``bfcl_eval``'s executor builds ``instance.method(args)`` strings and runs them with
``eval``. That is acceptable here and nowhere else: the tests hand it only call lists we
generated ourselves (the ground truth, its perturbations, and model calls re-rendered by
``fc.calls.format_python_call`` from decoded ``Call`` data). Production code never
imports this module.

BFCL keeps backend instances in its module globals keyed by model name and task id; each
check uses a fresh model name and removes its instances afterwards, so checks are
independent (as each of our checks is by construction).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from harness_ext.agents.bfcl import MultiTurnTask

FORCE_TERMINATED = "multi_turn:force_terminated"


def bfcl_verdict(task: MultiTurnTask, turns: Sequence[Sequence[str]]) -> tuple[bool, str | None]:
    """BFCL's (valid, error_type) for per-turn call strings, one call per step.

    The turn-count rule is BFCL's runner's (``_evaluate_single_multi_turn_entry``); the
    rest is ``multi_turn_checker`` itself.
    """
    import bfcl_eval.eval_checker.multi_turn_eval.multi_turn_utils as utils
    from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import multi_turn_checker

    if len(turns) != len(task.ground_truth):
        return False, FORCE_TERMINATED
    name = f"toolplan_diff_{uuid.uuid4().hex[:12]}"
    decoded = [[[call] for call in turn] for turn in turns]
    try:
        result = multi_turn_checker(
            decoded, [list(t) for t in task.ground_truth], task.record(), task.category, name
        )
    finally:
        for key in [k for k in vars(utils) if name in k]:
            del vars(utils)[key]
    return bool(result["valid"]), result.get("error_type")
