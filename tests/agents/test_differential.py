"""Differential test: our state/response checks against bfcl-eval's multi_turn_checker on
the same decoded call lists (ground truth, perturbed, model-made).

Agreement is measured on BFCL's verdict (valid or not) and reported on the cause too.
Where the two disagree, the cause must be one of our deliberate differences: the
dispatcher refuses a call that BFCL's ``eval`` runs — an argument of the wrong type, or
a ``miss_func`` function called before it is released. Any other disagreement fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pytest

from harness_ext.agents.bfcl import CATEGORIES, MultiTurnTask, get_task, load_tasks, split_tasks
from harness_ext.agents.checks import check_calls
from harness_ext.agents.env import WITHHELD_FUNCTION, WRONG_TYPE
from tests.agents.bfcl_multi_turn_reference import bfcl_verdict
from tests.agents.differential import fixture_lists, perturbations, random_policy_lists

DELIBERATE = {WRONG_TYPE: "refused: wrong argument type", WITHHELD_FUNCTION: "refused: withheld"}


def compare(cases: Iterable[tuple[str, MultiTurnTask, list[list[str]]]]) -> dict:
    verdicts, causes_agree, total = 0, 0, 0
    disagreements: Counter[tuple[str, str]] = Counter()
    for kind, task, turns in cases:
        ours = check_calls(task, turns)
        reference = bfcl_verdict(task, turns)
        total += 1
        verdicts += ours.valid == reference[0]
        causes_agree += (ours.valid, ours.cause) == reference
        if ours.valid != reference[0] or ours.cause != reference[1]:
            refused = {o.cause for turn in ours.model for o in turn if o.cause}
            why = next((DELIBERATE[c] for c in DELIBERATE if c in refused), "unexplained")
            disagreements[(why, kind)] += 1
    return {
        "total": total,
        "verdict_agreement": verdicts / total,
        "cause_agreement": causes_agree / total,
        "disagreements": disagreements,
    }


def _cases(tasks: list[MultiTurnTask]) -> list[tuple[str, MultiTurnTask, list[list[str]]]]:
    cases = [(kind, task, turns) for task in tasks for kind, turns in perturbations(task)]
    by_id = {t.id: t for t in tasks}
    cases += [("random_policy", by_id[i], turns) for i, turns in random_policy_lists(tasks)]
    return cases


def _check(report: dict, label: str) -> None:
    print(f"\n{label}: {report}")
    assert report["verdict_agreement"] >= 0.99, report
    unexplained = {k: v for k, v in report["disagreements"].items() if k[0] == "unexplained"}
    assert not unexplained, unexplained


def test_heldout_base_tasks_agree() -> None:
    tasks = list(split_tasks("multi_turn_base", "heldout"))[:20]
    report = compare(_cases(tasks))
    assert report["total"] > 200
    _check(report, "20 held-out multi_turn_base tasks")


def test_a_known_perturbation_is_judged_the_same_way() -> None:
    task = get_task("base", 0)
    dropped = [list(t) for t in task.ground_truth]
    dropped[0] = dropped[0][:-1]  # the report is never moved: state differs
    assert bfcl_verdict(task, dropped) == (False, "multi_turn:instance_state_mismatch")
    ours = check_calls(task, dropped)
    assert (ours.valid, ours.cause) == (False, "multi_turn:instance_state_mismatch")


@pytest.mark.slow
@pytest.mark.parametrize("category", CATEGORIES)
def test_every_task_agrees(category: str) -> None:
    _check(compare(_cases(list(load_tasks(category)))), category)


@pytest.mark.slow
def test_embedded_model_calls_agree() -> None:
    """The embedded model's own calls from the experiment (scripts/reproduce_agents.sh,
    written by ``bench_agent.py report``): the 15 end-to-end episodes (5 held-out tasks x
    single-LLM, three roles, three roles with 3 steps per turn) and the 8 static steps where
    a trained model decided to call, spliced into the ground truth. After 6 training steps
    the 135M agent's episodes decode to no valid call (their lists are empty: every turn
    judged without a call), so the model-made calls the checkers really compare here are the
    static steps' (a hallucinated ``print``, wrong arguments, a right call at a wrong place).
    """
    cases = [("embedded_model", task, turns) for task, turns in fixture_lists()]
    assert len(cases) >= 10, "the fixture should hold the experiment's end-to-end calls"
    assert any(call for _, _, turns in cases for turn in turns for call in turn)
    _check(compare(cases), "embedded model's calls")
