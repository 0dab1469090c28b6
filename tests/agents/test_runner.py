"""The agent loop: a perfect scripted agent passes BFCL's checks; a hostile one ends every
task scored with a reason, within its budget, running nothing but backend public methods."""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness_ext.agents.bfcl import BACKENDS, MultiTurnTask, backend_class, load_tasks, split_tasks
from harness_ext.agents.checks import FORCE_TERMINATED, check_calls
from harness_ext.agents.env import Environment
from harness_ext.agents.formats import MAX_ACTIONS
from harness_ext.agents.runner import (
    STOP_CALLS,
    STOP_STEPS,
    Budget,
    Mode,
    record_calls,
    run_episodes,
)
from harness_ext.agents.trajectories import task_steps
from harness_ext.lm_eval_glue.agents import build_episode_docs, process_episode

SOME_TASKS = [
    t for c in ("multi_turn_base", "multi_turn_miss_func") for t in split_tasks(c, "heldout")[:8]
]


def oracle(task: MultiTurnTask, mode: Mode) -> Callable[[str, Sequence[str]], list[str]]:
    """A scripted model that writes the ground-truth trajectory's targets, in order."""
    queue: list[str] = []
    for step in task_steps(task):
        targets = step.targets()
        if mode == "single":
            queue.append(targets["backbone"])
        else:
            queue += [targets[r] for r in ("planner", "caller", "summarizer") if r in targets]
    return lambda role, prompts: [queue.pop(0) for _ in prompts]


@pytest.mark.parametrize("mode", ["multi", "single"])
def test_perfect_agent_passes_every_check(mode: Mode) -> None:
    for task in SOME_TASKS:
        record = run_episodes([task], oracle(task, mode), mode, Budget(max_steps=20))[0]
        check = check_calls(task, record_calls(record))
        assert check.valid, (task.id, check.cause)
        assert check.passed_turns == check.checked_turns


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["multi", "single"])
def test_perfect_agent_passes_all_600_tasks(mode: Mode) -> None:
    failed = []
    for category in ("multi_turn_base", "multi_turn_miss_param", "multi_turn_miss_func"):
        for task in load_tasks(category):
            record = run_episodes([task], oracle(task, mode), mode, Budget(max_steps=30))[0]
            if not check_calls(task, record_calls(record)).valid:
                failed.append(task.id)
    assert failed == []


def test_replay_of_the_record_equals_the_live_run() -> None:
    task = SOME_TASKS[0]
    record = run_episodes([task], oracle(task, "multi"), "multi", Budget(max_steps=20))[0]
    replayed = check_calls(task, record_calls(record), with_states=True)
    assert replayed.states[-1] == record["state"]


def test_lockstep_batches_one_role_at_a_time() -> None:
    seen: list[tuple[str, int]] = []

    def generate(role: str, prompts: Sequence[str]) -> list[str]:
        seen.append((role, len(prompts)))
        return ["Nothing to do. Next: give up." for _ in prompts]

    tasks = SOME_TASKS[:4]
    records = run_episodes(tasks, generate, "multi", Budget(max_steps=2))
    assert [len(r["turns"]) for r in records] == [len(t.turns) for t in tasks]
    assert {role for role, _ in seen} == {"planner"}
    assert seen[0] == ("planner", 4)  # every task's first turn in one batch


# ------------------------------------------------------------------ hostile models

HOSTILE: dict[str, str] = {
    "unknown_method": "Next: caller.\nAction: format_disk\nAction Input: {}",
    "private_method": 'Next: caller.\nAction: _load_scenario\nAction Input: {"scenario": {}}',
    "dunder": "Next: caller.\nAction: __class__\nAction Input: {}",
    "wrong_types": 'Next: caller.\nAction: cd\nAction Input: {"folder": ["a", {"b": 1}]}',
    "os_system": "Next: caller.\nAction: __import__('os').system('touch /tmp/toolplan_pwned')\n"
    "Action Input: {\"cmd\": \"__import__('os').system('touch /tmp/toolplan_pwned')\"}",
    "python_call_text": "Next: caller.\n[__import__('os').system('touch /tmp/toolplan_pwned')]",
    "ten_thousand_calls": "Next: caller.\n" + "Action: ls\nAction Input: {}\n" * 10_000,
    "endless_caller": "Next: caller.\nAction: pwd\nAction Input: {}",
    "huge_output": "Next: caller.\n" + "A" * 1_000_000,
    "binary": 'Next: caller.\nAction: cd\x00\nAction Input: {"folder": "\\u0000"}',
    "deep_json": "Next: caller.\nAction: cd\nAction Input: " + '{"a":' * 5000 + "1" + "}" * 5000,
}


@contextmanager
def watch_side_effects() -> Iterator[dict[str, list[Any]]]:
    """Record process-level side effects (audit events) and every backend function the
    dispatcher enters, while the hostile episodes run."""
    seen: dict[str, list[Any]] = {"audit": [], "backend_calls": []}
    active = True
    banned = ("exec", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn")

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if active and event.startswith(banned):
            seen["audit"].append(event)

    backend_dir = str(Path(inspect.getfile(backend_class("GorillaFileSystem"))).parent)
    env_file = inspect.getfile(Environment)

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(backend_dir):
            caller = frame.f_back
            # Setup (__init__, _load_scenario) is ours; what the dispatcher enters is the model's.
            if caller is not None and (caller.f_code.co_filename, caller.f_code.co_name) == (
                env_file,
                "dispatch",
            ):
                seen["backend_calls"].append(frame.f_code.co_name)

    sys.addaudithook(audit)  # audit hooks cannot be removed; `active` switches it off
    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(None)
        active = False


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("mode", ["multi", "single"])
def test_hostile_model_ends_every_task_scored(name: str, mode: Mode) -> None:
    tasks = list(split_tasks("multi_turn_base", "heldout")[:3])
    for task in tasks:
        Environment(task)  # import the backend modules before watching
    budget = Budget(max_steps=3, max_calls=5)
    reply = HOSTILE[name]
    calls: list[tuple[str, int]] = []

    def generate(role: str, prompts: Sequence[str]) -> list[str]:
        calls.append((role, len(prompts)))
        return [reply for _ in prompts]

    with watch_side_effects() as seen:
        records = run_episodes(tasks, generate, mode, budget)
    assert seen["audit"] == [], seen["audit"]
    documented = {d for b in BACKENDS for d in _public(b)}
    assert set(seen["backend_calls"]) <= documented, set(seen["backend_calls"]) - documented
    if name == "endless_caller":  # the watcher does see what the dispatcher runs
        assert "pwd" in seen["backend_calls"]
    assert not Path("/tmp/toolplan_pwned").exists()
    per_turn = 2 if mode == "multi" else 1
    assert len(calls) <= budget.max_steps * per_turn * max(len(t.turns) for t in tasks)
    docs = {d["id"]: d for d in build_episode_docs("multi_turn_base")}
    for task, record in zip(tasks, records, strict=True):
        assert record["stopped"] in (STOP_STEPS, STOP_CALLS)
        assert all(turn["steps"] <= budget.max_steps for turn in record["turns"])
        assert sum(len(turn["calls"]) for turn in record["turns"]) <= budget.max_calls * len(
            record["turns"]
        )
        scores = process_episode(docs[task.id], [json.dumps(record)])
        assert scores["task_success"] == 0.0
        assert FORCE_TERMINATED in scores["failure"] and record["stopped"] in scores["failure"]


def test_the_watcher_sees_eval() -> None:
    with watch_side_effects() as seen:
        eval("1 + 1")  # a control: what the hostile tests must never see
    assert seen["audit"] == ["exec"]


def _public(backend: str) -> set[str]:
    return {n for n in vars(backend_class(backend)) if not n.startswith("_")}


def test_ten_thousand_actions_run_none() -> None:
    task = SOME_TASKS[0]
    reply = "Next: caller.\n" + "Action: ls\nAction Input: {}\n" * 10_000
    record = run_episodes([task], lambda r, ps: [reply] * len(ps), "single", Budget(max_steps=2))[0]
    assert all(turn["calls"] == [] for turn in record["turns"])
    assert MAX_ACTIONS < 10_000


@pytest.mark.parametrize(
    "response",
    [
        "I cannot do this.",
        "",
        '{"format": "toolplan-agent-episode/1", "task_id": "someone_else", "turns": []}',
        '{"format": "toolplan-agent-episode/1", "task_id": "ID", "turns": [{"calls": [1]}]}',
        '{"format": "toolplan-agent-episode/1", "task_id": "ID", "turns": "x"}',
        "{not json",
    ],
)
def test_what_is_not_an_episode_fails_with_a_reason(response: str) -> None:
    doc = build_episode_docs("multi_turn_base")[0]
    scores = process_episode(doc, [response.replace('"ID"', json.dumps(doc["id"]))])
    assert scores["task_success"] == 0.0
    assert scores["failure"] and scores["failure"][0].startswith("agent:")
    assert scores["turn_acc"] == [0, doc["checked_turns"]]
