"""Ground-truth trajectories: BFCL's call lists turned into α-UMi steps with true observations.

For each turn of a task the ground-truth calls are executed on a fresh
:class:`~harness_ext.agents.env.Environment`, so every observation in a history is what
the backend really returned. Each *decision point* becomes a :class:`Step`:

* before each ground-truth call: label ``caller``, the reference call;
* after the last call of a turn: label ``conclusion`` (a turn with calls) or
  ``give up`` (a turn whose ground truth is empty: ``miss_param`` asks for information the
  user has not given, ``miss_func`` for a function that is withheld).

BFCL has no thoughts and no final answers. Thoughts in training targets and in the
teacher-forced history are fixed sentences per label (:data:`THOUGHTS`); they never name
the function, so the caller cannot copy the answer from the planner. The summarizer's
training target is a synthetic one-line summary (:func:`summary_of`); since no reference
answer exists, ``Step.answer`` is None and ROUGE-L is absent for these tasks (never 0).

A ``miss_func`` turn that only releases withheld functions has no user text in BFCL's
data; its user message is :data:`RELEASE_TEXT` naming the released functions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from harness_ext.agents.bfcl import MultiTurnTask
from harness_ext.agents.env import Environment
from harness_ext.agents.formats import (
    Event,
    Label,
    Role,
    action_text,
    backbone_prompt,
    backbone_text,
    caller_prompt,
    next_line,
    planner_prompt,
    render_docs,
    render_history,
    summarizer_prompt,
)
from harness_ext.fc.calls import Call

# Short: every generated token costs time on a CPU, and the label is what is scored.
THOUGHTS: dict[Label, str] = {
    "caller": "A call is needed.",
    "conclusion": "The request is done.",
    "give up": "I cannot do this as asked.",
}
RELEASE_TEXT = "More functions are available now: {names}. Please continue with the request."


def thought(label: Label) -> str:
    """The fixed planner output of a label, ``Next:`` line included."""
    return f"{THOUGHTS[label]} {next_line(label)}"


def summary_of(calls: list[Call]) -> str:
    """The synthetic summarizer target of a turn (no reference answers exist in BFCL)."""
    names = list(dict.fromkeys(c.name for c in calls))
    return f"Done with {', '.join(names)}."


def user_text(task: MultiTurnTask, turn: int, released: tuple[str, ...]) -> str:
    """The user message of a turn (the release message for an empty ``miss_func`` turn)."""
    text = task.turns[turn]
    if not text.strip() and released:
        return RELEASE_TEXT.format(names=", ".join(released))
    return text


@dataclass(frozen=True)
class Step:
    """One decision point of a ground-truth trajectory.

    Attributes:
        task_id / category / index / turn / step: Where it is (``step`` counts the
            decision points of the turn from 0).
        functions: The available functions' rendered list (the prompts' function block).
        function_names: Their names (the tool list that Hallu. is measured against).
        history: The rendered history before the decision (the prompts' history block).
        label: The reference plan label.
        call: The reference call (label ``caller``), else None.
        answer: A reference answer (None: BFCL has none).
        summary: The synthetic summarizer target (label ``conclusion``), else None.
    """

    task_id: str
    category: str
    index: int
    turn: int
    step: int
    functions: str
    function_names: tuple[str, ...]
    history: str
    label: Label
    call: Call | None
    answer: str | None
    summary: str | None

    @property
    def id(self) -> str:
        """``<task id>/t<turn>/s<step>``."""
        return f"{self.task_id}/t{self.turn}/s{self.step}"

    def prompts(self) -> dict[Role, str]:
        """Each role's prompt at this step (the caller's with the reference thought)."""
        return {
            "planner": planner_prompt(self.functions, self.history),
            "caller": caller_prompt(self.functions, self.history, thought("caller")),
            "summarizer": summarizer_prompt(self.history),
            "backbone": backbone_prompt(self.functions, self.history),
        }

    def targets(self) -> dict[Role, str]:
        """Each role's training target at this step (roles that do not act here: absent)."""
        out: dict[Role, str] = {"planner": thought(self.label)}
        if self.label == "caller" and self.call is not None:
            out["caller"] = action_text(self.call)
        if self.label == "conclusion" and self.summary:
            out["summarizer"] = self.summary
        out["backbone"] = backbone_text(
            THOUGHTS[self.label], self.label, self.call, self.answer or self.summary
        )
        return out

    def to_doc(self) -> dict[str, Any]:
        """The lm-eval document of this step (JSON-safe; ``answer`` ``""`` = none)."""
        return {
            "id": self.id,
            "task_id": self.task_id,
            "category": self.category,
            "turn": self.turn,
            "step": self.step,
            "functions": self.functions,
            "function_names": list(self.function_names),
            "history": self.history,
            "label": self.label,
            "ref_action": self.call.name if self.call else "",
            "ref_args": json.dumps(dict(self.call.args), sort_keys=True) if self.call else "",
            "answer": self.answer or "",
            "prompt": backbone_prompt(self.functions, self.history),
        }


def task_steps(task: MultiTurnTask) -> Iterator[Step]:
    """Every decision point of a task's ground-truth trajectory, in order."""
    env = Environment(task)
    history: list[Event] = []
    for t, truth in enumerate(task.ground_truth):
        released = env.begin_turn(t)
        history.append(Event("user", user_text(task, t, released)))
        functions, names = render_docs(env.available()), env.available_names()
        calls: list[Call] = []
        for text in truth:
            calls.extend(env.decode(text)[0])
        for n, call in enumerate(calls):
            yield _step(task, t, n, functions, names, history, "caller", call, None)
            history.append(Event("assistant", thought("caller")))
            history.append(Event("caller", action_text(call)))
            history.append(Event("observation", env.dispatch(call).text))
        label: Label = "conclusion" if calls else "give up"
        summary = summary_of(calls) if calls else None
        yield _step(task, t, len(calls), functions, names, history, label, None, summary)
        history.append(Event("assistant", thought(label)))
        if summary:
            history.append(Event("conclusion", summary))


def _step(
    task: MultiTurnTask,
    turn: int,
    n: int,
    functions: str,
    names: tuple[str, ...],
    history: list[Event],
    label: Label,
    call: Call | None,
    summary: str | None,
) -> Step:
    return Step(
        task_id=task.id,
        category=task.category,
        index=task.index,
        turn=turn,
        step=n,
        functions=functions,
        function_names=names,
        history=render_history(history),
        label=label,
        call=call,
        answer=None,
        summary=summary,
    )


def stable_order(key: str, seed: int = 0) -> str:
    """A sort key that shuffles ids reproducibly (``--limit N`` then takes a mixed sample)."""
    return hashlib.sha256(f"{seed}/{key}".encode()).hexdigest()
