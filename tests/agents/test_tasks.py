"""The agent task configs load in lm-eval; documents and scoring of both task kinds."""

from __future__ import annotations

import json

import pytest

from harness_ext.agents.bfcl import heldout_indices
from harness_ext.lm_eval_glue.agents import (
    NO_EPISODE,
    build_episode_docs,
    build_step_docs,
    process_episode,
    process_step,
)
from harness_ext.lm_eval_glue.taskdirs import task_manager

TASKS = (
    "agent_bfcl_steps",
    "agent_bfcl_multi_turn_base",
    "agent_bfcl_multi_turn_miss_param",
    "agent_bfcl_multi_turn_miss_func",
)


def test_tasks_and_group_are_known_to_lm_eval() -> None:
    names = set(task_manager().all_tasks)
    assert set(TASKS) <= names and "agent_bfcl" in names


@pytest.mark.slow
def test_configs_build_their_documents() -> None:
    from lm_eval.tasks import get_task_dict

    tasks = get_task_dict(list(TASKS), task_manager())
    steps = tasks["agent_bfcl_steps"]
    docs = list(steps.test_docs())
    assert len(docs) > 500 and all(d["agent_step"] for d in docs)
    assert steps.doc_to_text(docs[0]) == docs[0]["prompt"]
    base = list(tasks["agent_bfcl_multi_turn_base"].test_docs())
    assert len(base) == 40 and {d["index"] for d in base} == heldout_indices()


def test_step_documents_come_from_heldout_tasks_only() -> None:
    docs = build_step_docs("multi_turn_base", "heldout")
    assert {int(d["task_id"].rsplit("_", 1)[1]) for d in docs} == heldout_indices()
    labels = {d["label"] for d in build_step_docs(None, "heldout")}
    assert labels == {"caller", "conclusion", "give up"}
    assert len({d["id"] for d in docs}) == len(docs)


def test_any_model_text_is_read_as_a_backbone_output() -> None:
    doc = next(d for d in build_step_docs("multi_turn_base", "heldout") if d["label"] == "caller")
    args = json.loads(doc["ref_args"])
    text = f"ok. Next: caller.\nAction: {doc['ref_action']}\nAction Input: {json.dumps(args)}"
    assert process_step(doc, [text]) == {
        "plan_acc": 1.0,
        "hallu_rate": 0.0,
        "act_em": 1.0,
        "arg_f1": 1.0,
    }
    record = {"format": "toolplan-agent-step/1", "mode": "multi", "planner": "Next: give up."}
    assert process_step(doc, [json.dumps(record)])["plan_acc"] == 0.0


def test_ground_truth_episode_record_scores_one() -> None:
    from harness_ext.agents.bfcl import get_task
    from harness_ext.agents.checks import check_calls
    from harness_ext.agents.runner import EPISODE_FORMAT

    doc = build_episode_docs("multi_turn_miss_param")[0]
    task = get_task(doc["category"], doc["id"])
    check = check_calls(task, [list(t) for t in task.ground_truth])
    record = {
        "format": EPISODE_FORMAT,
        "task_id": task.id,
        "turns": [
            {
                "steps": 1,
                "calls": [{"name": o.call.split("(")[0], "args": _args(o.call)} for o in turn],
            }
            for turn in check.model
        ],
    }
    scores = process_episode(doc, [json.dumps(record)])
    assert scores["task_success"] == 1.0 and scores["failure"] == []
    assert scores["turn_acc"] == [doc["checked_turns"], doc["checked_turns"]]
    assert process_episode(doc, ["plain text"])["failure"] == [NO_EPISODE]


def _args(call: str) -> dict:
    from harness_ext.fc.calls import parse_python_calls

    return dict(parse_python_calls(call).calls[0].args)
