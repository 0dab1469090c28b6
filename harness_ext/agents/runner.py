"""The agent loop: α-UMi's planner → caller / summarizer pipeline (or one backbone) on a task.

An episode is a Python generator that yields ``(role, prompt)`` requests and receives the
model's text; :func:`drive` runs many episodes in lockstep and hands each round's
requests of one role to ``generate`` as a batch, so a model with several adapters
switches adapters once per batch, not per prompt. The loop never sees the model, only
text, so a scripted (or hostile) ``generate`` runs it the same way.

Per turn (BFCL's user turns, in order):

* ``multi`` mode: the **planner** writes a thought ending in ``Next: ...``; on
  ``caller`` the **caller** writes ``Action``/``Action Input`` lines, each call goes through
  the environment's dispatcher and its observation joins the history; on ``conclusion`` the
  **summarizer** writes the answer and the turn ends; on ``give up`` the turn ends;
* ``single`` mode: the **backbone** writes the thought, the ``Next:`` line and the call or
  the answer in one output.

**Budget** (:class:`Budget`): at most ``max_steps`` planner (or backbone) outputs and
``max_calls`` calls per turn, each output cut to ``max_output_chars``; a caller output
with more than ``formats.MAX_ACTIONS`` actions runs none of them. An agent that exhausts
a budget stops the whole episode (``stopped`` names the budget): as in BFCL, whose
inference stops a model after its step limit, the task is then failed
(``multi_turn:force_terminated``). Nothing in the loop evaluates model text: calls reach
backends only through :meth:`~harness_ext.agents.env.Environment.dispatch`.

An episode returns a JSON-safe record (``toolplan-agent-episode/1``): per turn the calls
(name, arguments, BFCL call string, refusal cause), the steps used, how the turn ended and
the transcript; :func:`record_calls` gives the calls back for scoring by replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness_ext.agents.bfcl import MultiTurnTask
from harness_ext.agents.env import Environment
from harness_ext.agents.formats import (
    Event,
    Role,
    StepOutput,
    action_text,
    backbone_prompt,
    caller_prompt,
    next_line,
    parse_actions,
    parse_answer,
    parse_label,
    planner_prompt,
    read_step,
    render_docs,
    render_history,
    summarizer_prompt,
    thought_of,
)
from harness_ext.agents.trajectories import user_text
from harness_ext.fc.calls import Call, format_python_call

Mode = Literal["multi", "single"]
MODES: tuple[Mode, ...] = ("multi", "single")

EPISODE_FORMAT = "toolplan-agent-episode/1"
STEP_FORMAT = "toolplan-agent-step/1"
STOP_STEPS = "agent:budget:steps"
STOP_CALLS = "agent:budget:calls"
TRANSCRIPT_CHARS = 2000

Request = tuple[Role, str]
Generate = Callable[[Role, Sequence[str]], Sequence[str]]


@dataclass(frozen=True)
class Budget:
    """Limits per turn: planner/backbone outputs, calls, and characters per output."""

    max_steps: int = 6
    max_calls: int = 16
    max_output_chars: int = 20_000


def _text(value: object, budget: Budget) -> str:
    return (value if isinstance(value, str) else str(value))[: budget.max_output_chars]


def _note(text: str) -> str:
    return text if len(text) <= TRANSCRIPT_CHARS else text[:TRANSCRIPT_CHARS] + "..."


def episode(
    task: MultiTurnTask, mode: Mode, budget: Budget = Budget()
) -> Generator[Request, str, dict[str, Any]]:
    """Run one task (module docstring); yields requests, returns the episode record."""
    env = Environment(task)
    history: list[Event] = []
    turns: list[dict[str, Any]] = []
    stopped: str | None = None
    for t in range(len(task.turns)):
        released = env.begin_turn(t)
        history.append(Event("user", user_text(task, t, released)))
        functions = render_docs(env.available())
        turn: dict[str, Any] = {"turn": t, "calls": [], "steps": 0, "end": None, "transcript": []}
        turns.append(turn)
        calls = 0
        while stopped is None:
            if turn["steps"] >= budget.max_steps:
                stopped, turn["end"] = STOP_STEPS, "budget"
                break
            turn["steps"] += 1
            shown = render_history(history)
            lead: Role = "backbone" if mode == "single" else "planner"
            prompt = (
                backbone_prompt(functions, shown)
                if mode == "single"
                else planner_prompt(functions, shown)
            )
            text = _text((yield lead, prompt), budget)
            turn["transcript"].append({"role": lead, "text": _note(text)})
            label = parse_label(text)
            thought = thought_of(text)
            if label == "caller" and "next" not in thought.lower():
                thought = f"{thought} {next_line('caller')}".strip()  # as α-UMi appends it
            history.append(Event("assistant", thought))
            if label == "give up":
                turn["end"] = "give up"
                break
            if label == "conclusion":
                if mode == "single":
                    answer = parse_answer(text)
                else:
                    answer = _text((yield "summarizer", summarizer_prompt(shown)), budget)
                    turn["transcript"].append({"role": "summarizer", "text": _note(answer)})
                history.append(Event("conclusion", answer))
                turn["end"] = "conclusion"
                break
            if mode == "single":
                output = text
            else:
                output = _text((yield "caller", caller_prompt(functions, shown, thought)), budget)
                turn["transcript"].append({"role": "caller", "text": _note(output)})
            actions, cause = parse_actions(output)
            if cause is not None:
                history.append(Event("caller", output[:300]))
                history.append(Event("observation", f"Error: {cause}"))
                continue
            for action in actions:
                if action.call is None:
                    history.append(Event("caller", f"Action: {action.name[:100]}"))
                    history.append(Event("observation", f"Error: {action.detail}"))
                    continue
                if calls >= budget.max_calls:
                    stopped, turn["end"] = STOP_CALLS, "budget"
                    break
                calls += 1
                observed = env.dispatch(action.call)
                turn["calls"].append(
                    {
                        "name": action.call.name,
                        "args": dict(action.call.args),
                        "call": observed.call,
                        "cause": observed.cause,
                    }
                )
                history.append(Event("caller", action_text(action.call)))
                history.append(Event("observation", observed.text))
        if stopped is not None:
            break
    return {
        "format": EPISODE_FORMAT,
        "task_id": task.id,
        "category": task.category,
        "mode": mode,
        "stopped": stopped,
        "turns": turns,
        "state": env.snapshot(),
    }


def static_step(doc: Mapping[str, Any], mode: Mode) -> Generator[Request, str, dict[str, Any]]:
    """One teacher-forced step sample (a ``Step.to_doc`` document): the planner and then
    the caller (or, where a reference answer exists, the summarizer); or the backbone."""
    if mode == "single":
        text = yield "backbone", str(doc["prompt"])
        return {"format": STEP_FORMAT, "mode": mode, "backbone": text}
    functions, history = str(doc["functions"]), str(doc["history"])
    plan = yield "planner", planner_prompt(functions, history)
    out: dict[str, Any] = {"format": STEP_FORMAT, "mode": mode, "planner": plan}
    label = parse_label(plan)
    if label == "caller":
        out["caller"] = yield "caller", caller_prompt(functions, history, thought_of(plan))
    elif label == "conclusion" and doc.get("answer"):
        out["summarizer"] = yield "summarizer", summarizer_prompt(history)
    return out


def read_step_result(result: str) -> StepOutput:
    """A static sample's response: a ``toolplan-agent-step/1`` record (``toolplan-agent``)
    or plain text (any other model, read as a backbone output)."""
    record: Any = None
    if result.lstrip().startswith("{"):
        try:
            record = json.loads(result)
        except (json.JSONDecodeError, RecursionError):
            record = None
    if not isinstance(record, dict) or record.get("format") != STEP_FORMAT:
        return read_step(result, result, result)
    if record.get("mode") == "single":
        text = str(record.get("backbone", ""))
        return read_step(text, text, text)
    caller, summary = record.get("caller"), record.get("summarizer")
    return read_step(
        str(record.get("planner", "")),
        str(caller) if caller is not None else None,
        str(summary) if summary is not None else None,
    )


def drive(coroutines: Sequence[Generator[Request, str, Any]], generate: Generate) -> list[Any]:
    """Run generators in lockstep: each round, the role with the most waiting requests is
    generated as one batch. Returns each generator's return value, in order.

    Raises:
        ValueError: ``generate`` returned a different number of outputs than prompts.
    """
    results: list[Any] = [None] * len(coroutines)
    waiting: dict[int, Request] = {}

    def advance(i: int, reply: str | None) -> None:
        gen = coroutines[i]
        try:
            waiting[i] = next(gen) if reply is None else gen.send(reply)
        except StopIteration as stop:
            waiting.pop(i, None)
            results[i] = stop.value

    for i in range(len(coroutines)):
        advance(i, None)
    while waiting:
        counts: dict[Role, int] = {}
        for role, _ in waiting.values():
            counts[role] = counts.get(role, 0) + 1
        role = max(counts, key=lambda r: counts[r])
        ids = [i for i, (r, _) in waiting.items() if r == role]
        outputs = list(generate(role, [waiting[i][1] for i in ids]))
        if len(outputs) != len(ids):
            raise ValueError(f"generate({role!r}) gave {len(outputs)} outputs for {len(ids)}")
        for i, text in zip(ids, outputs, strict=True):
            advance(i, text if isinstance(text, str) else str(text))
    return results


def run_episodes(
    tasks: Sequence[MultiTurnTask], generate: Generate, mode: Mode, budget: Budget = Budget()
) -> list[dict[str, Any]]:
    """Run every task's episode in lockstep; return their records."""
    return drive([episode(t, mode, budget) for t in tasks], generate)


def record_calls(record: Mapping[str, Any]) -> list[list[Call]]:
    """The calls of an episode record, per turn, for :func:`checks.check_calls`.

    Raises:
        ValueError: the record is not a ``toolplan-agent-episode/1`` record.
    """
    if record.get("format") != EPISODE_FORMAT or not isinstance(record.get("turns"), list):
        raise ValueError("not a toolplan-agent-episode/1 record")
    turns = []
    for turn in record["turns"]:
        calls = []
        for item in turn.get("calls", []):
            if not isinstance(item, dict) or not isinstance(item.get("args"), dict):
                raise ValueError("a call of the record has no 'args' object")
            calls.append(Call(str(item.get("name", "")), dict(item["args"])))
        turns.append(calls)
    return turns


def bfcl_calls(record: Mapping[str, Any]) -> list[list[str]]:
    """An episode's calls as BFCL's per-turn call strings (what ``agent replay`` takes)."""
    return [
        [format_python_call(c) for c in turn if c.name.isidentifier()]
        for turn in record_calls(record)
    ]
