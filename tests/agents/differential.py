"""Call lists for the differential test: ground truth, systematic perturbations, and
model-made lists (a seeded random policy run through the agent loop, and the embedded
model's own calls from the committed experiment fixture)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness_ext.agents.bfcl import MultiTurnTask, get_task
from harness_ext.agents.env import Environment
from harness_ext.agents.runner import Budget, bfcl_calls, run_episodes
from harness_ext.fc.calls import Call, format_python_call

FIXTURE = Path(__file__).parent / "fixtures" / "model_calls.json"

Turns = list[list[str]]


def canonical(task: MultiTurnTask) -> list[list[Call]]:
    """The ground truth as decoded calls (positional arguments bound to names)."""
    env = Environment(task)
    out = []
    for t, turn in enumerate(task.ground_truth):
        env.begin_turn(t)
        calls: list[Call] = []
        for text in turn:
            calls.extend(env.decode(text)[0])
        out.append(calls)
    return out


def _copy(turns: Turns) -> Turns:
    return [list(t) for t in turns]


def perturbations(task: MultiTurnTask) -> Iterator[tuple[str, Turns]]:
    """(kind, per-turn call strings): the ground truth as shipped and re-rendered, then
    one list per kind of change that applies to the task."""
    yield "ground_truth", [list(t) for t in task.ground_truth]
    calls = canonical(task)
    rendered = [[format_python_call(c) for c in turn] for turn in calls]
    yield "ground_truth_rendered", rendered
    busy = [i for i, turn in enumerate(calls) if turn]
    if not busy:
        return
    p = _copy(rendered)
    p[busy[-1]] = p[busy[-1]][:-1]
    yield "drop_last_call", p
    p = _copy(rendered)
    p[busy[0]] = []
    yield "empty_turn", p
    p = _copy(rendered)
    p[busy[0]].append(p[busy[0]][-1])
    yield "repeat_call", p
    several = [i for i in busy if len(calls[i]) >= 2]
    if several:
        p = _copy(rendered)
        p[several[0]].reverse()
        yield "reverse_turn", p
    changed = _changed_value(calls, rendered)
    if changed is not None:
        yield changed
    if len(busy) >= 2:
        a, b = busy[0], busy[1]
        p = _copy(rendered)
        p[a], p[b] = p[a] + p[b], []
        yield "calls_one_turn_early", p
        p = _copy(rendered)
        p[b] = p[a] + p[b]
        yield "redo_previous_turn", p
    yield "fewer_turns", _copy(rendered)[:-1]
    for i in busy:
        call = calls[i][0]
        if call.args:
            key = next(iter(call.args))
            p = _copy(rendered)
            p[i][0] = format_python_call(Call(call.name, {**call.args, key: [call.args[key]]}))
            yield "wrong_type", p
            break


def _changed_value(calls: list[list[Call]], rendered: Turns) -> tuple[str, Turns] | None:
    for i, turn in enumerate(calls):
        for j, call in enumerate(turn):
            for key, value in call.args.items():
                if isinstance(value, str):
                    new: Any = value + "_x"
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    new = value + 1
                else:
                    continue
                p = _copy(rendered)
                p[i][j] = format_python_call(Call(call.name, {**call.args, key: new}))
                return "changed_value", p
    return None


def random_policy_lists(tasks: list[MultiTurnTask], seed: int = 0) -> list[tuple[str, Turns]]:
    """Model-made lists from a seeded random policy run through the agent loop: it picks a
    documented function and fills its arguments from values of the task's ground truth
    (so some calls succeed and change state), concludes or gives up at random."""
    results = []
    for task in tasks:
        rng = random.Random(f"{seed}/{task.id}")
        values = [v for turn in canonical(task) for c in turn for v in c.args.items()]
        env = Environment(task)

        def generate(
            role: str,
            prompts: Any,
            rng: random.Random = rng,
            env: Environment = env,
            values: list[tuple[str, Any]] = values,
        ) -> list[str]:
            outs = []
            for _ in prompts:
                roll = rng.random()
                if roll < 0.15:
                    outs.append("Next: conclusion.\nAnswer: done")
                elif roll < 0.2:
                    outs.append("Next: give up.")
                else:
                    doc = rng.choice(env.available())
                    args = {k: v for k, v in values if k in doc.properties and rng.random() < 0.8}
                    action = f"Action: {doc.name}\nAction Input: {json.dumps(args)}"
                    outs.append(f"Next: caller.\n{action}")
            return outs

        record = run_episodes([task], generate, "single", Budget(max_steps=4))[0]
        results.append((task.id, bfcl_calls(record)))
    return results


def splice_step(task: MultiTurnTask, turn: int, step: int, call: str) -> Turns:
    """The ground truth with one static step's gold decision replaced by a model's call:
    in ``turn``, the gold calls before ``step``, the model's call, then the gold calls after
    it (at a conclusion/give-up step, where the gold makes no call, the model's is extra)."""
    turns = [[format_python_call(c) for c in t] for t in canonical(task)]
    gold_is_call = step < len(turns[turn])
    turns[turn] = [*turns[turn][:step], call, *turns[turn][step + int(gold_is_call) :]]
    return turns


def fixture_lists() -> list[tuple[MultiTurnTask, Turns]]:
    """The embedded model's own calls (``fixtures/model_calls.json``, from the experiment):
    an episode's per-turn calls as they are, a static step's call spliced into the ground
    truth (:func:`splice_step`)."""
    data = json.loads(FIXTURE.read_text())
    out = []
    for item in data["lists"]:
        task = get_task(item["category"], item["id"])
        if item["source"] == "static step":
            out.append((task, splice_step(task, item["turn"], item["step"], item["call"])))
        else:
            out.append((task, item["calls"]))
    return out
