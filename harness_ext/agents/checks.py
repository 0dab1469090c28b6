"""BFCL's multi-turn rules, on our environment: did a call list do what the ground truth did?

:func:`check_calls` replays the model's calls and the ground truth's, turn by turn, on
two fresh :class:`~harness_ext.agents.env.Environment` instances of the task (nothing
is ``eval``-ed: calls go through the dispatcher), and applies BFCL's
``multi_turn_checker`` rules to every turn whose ground truth is not empty:

1. ``multi_turn:empty_turn_model_response`` — the model made no call in that turn
   (an item that does not decode to a call does not count, as BFCL's decoder drops it);
2. ``multi_turn:instance_state_mismatch`` — some backend's public attributes differ from
   the ground truth's after the turn (``!=`` on each attribute, as BFCL compares);
3. ``multi_turn:execution_response_mismatch`` — the ground truth's results of the turn
   are not all found, as a multiset, among the model's results *of all turns so far*.

A turn whose ground truth is empty (``miss_param``/``miss_func``: the right move is to
call nothing) is executed but not checked, as in BFCL. A model result list with a
different number of turns than the ground truth is ``multi_turn:force_terminated``
(BFCL's rule for an agent stopped by its step limit).

The task is valid when every checked turn passes; its cause is the first failure in
BFCL's order (turn by turn; within a turn: empty, state, response), so ``valid`` and
``cause`` equal BFCL's ``valid`` and ``error_type``. Unlike BFCL, every turn is also
checked on its own (``turns``), which gives per-turn accuracy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from harness_ext.agents.bfcl import MultiTurnTask
from harness_ext.agents.env import Environment, Observation
from harness_ext.fc.calls import Call

FORCE_TERMINATED = "multi_turn:force_terminated"
EMPTY_TURN = "multi_turn:empty_turn_model_response"
STATE_MISMATCH = "multi_turn:instance_state_mismatch"
RESPONSE_MISMATCH = "multi_turn:execution_response_mismatch"

CallItem = str | Call
"""One item of a model's turn: a BFCL call string (or a list of calls as text), or a Call."""


@dataclass(frozen=True)
class TurnCheck:
    """The checks of one turn.

    Attributes:
        turn: 0-based turn index.
        checked: False for a turn whose ground truth is empty (not checked, as in BFCL).
        model_calls: Calls the model made in this turn (decoded; refused ones included).
        state_ok / response_ok: The two checks (None when not checked or the turn is empty).
        passed: The turn's verdict (None when not checked).
        cause: The first failing check (``multi_turn:*``), None when passed or unchecked.
        differences: ``Backend.attribute`` names whose values differ.
        missing: Ground-truth results not found among the model's.
    """

    turn: int
    checked: bool
    model_calls: int
    state_ok: bool | None
    response_ok: bool | None
    passed: bool | None
    cause: str | None
    differences: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class EpisodeCheck:
    """BFCL's verdict on a whole task, with per-turn detail and both sides' observations."""

    task_id: str
    valid: bool
    cause: str | None
    failed_turn: int | None
    turns: tuple[TurnCheck, ...]
    model: tuple[tuple[Observation, ...], ...] = field(repr=False)
    ground_truth: tuple[tuple[Observation, ...], ...] = field(repr=False)
    states: tuple[dict[str, Any], ...] = field(repr=False, default=())

    @property
    def checked_turns(self) -> int:
        """Turns with a non-empty ground truth."""
        return sum(1 for t in self.turns if t.checked)

    @property
    def passed_turns(self) -> int:
        """Checked turns that passed (each judged on its own)."""
        return sum(1 for t in self.turns if t.passed)

    def as_dict(self, with_states: bool = False) -> dict[str, Any]:
        """JSON form (what ``toolplan agent replay`` prints)."""
        out: dict[str, Any] = {
            "id": self.task_id,
            "valid": self.valid,
            "cause": self.cause,
            "failed_turn": self.failed_turn,
            "checked_turns": self.checked_turns,
            "passed_turns": self.passed_turns,
            "turns": [],
        }
        for i, turn in enumerate(self.turns):
            entry = asdict(turn)
            entry["differences"] = list(turn.differences)
            entry["missing"] = list(turn.missing)
            entry["model"] = [asdict(o) for o in self.model[i]] if i < len(self.model) else []
            entry["ground_truth"] = [asdict(o) for o in self.ground_truth[i]]
            if with_states and i < len(self.states):
                entry["state"] = self.states[i]
            out["turns"].append(entry)
        return out


def run_items(env: Environment, items: Sequence[CallItem]) -> list[Observation]:
    """Dispatch a turn's items on ``env`` (strings are decoded first)."""
    observations: list[Observation] = []
    for item in items:
        if isinstance(item, Call):
            observations.append(env.dispatch(item))
        else:
            observations.extend(env.execute(str(item)))
    return observations


def _counts_as_call(o: Observation) -> bool:
    # A text that did not decode is no call, as BFCL's decoder drops it.
    return o.cause != "agent:dispatch:decode"


def _state_differences(model: Environment, truth: Environment) -> tuple[str, ...]:
    diffs = []
    for backend in truth.instances:
        truth_state = truth.public_state(backend)
        model_state = model.public_state(backend)
        for attr, value in truth_state.items():
            if model_state.get(attr) != value:
                diffs.append(f"{backend}.{attr}")
    return tuple(diffs)


def _missing(expected: Sequence[str], found: Sequence[str]) -> tuple[str, ...]:
    pool = list(found)
    missing = []
    for item in expected:
        try:
            pool.remove(item)
        except ValueError:
            missing.append(item)
    return tuple(missing)


def check_calls(
    task: MultiTurnTask,
    model_turns: Sequence[Sequence[CallItem]],
    with_states: bool = False,
) -> EpisodeCheck:
    """Replay ``model_turns`` and the ground truth; apply BFCL's rules (module docstring).

    Args:
        task: The task.
        model_turns: Per turn, the model's calls (BFCL call strings or ``Call``s).
        with_states: Keep a JSON snapshot of the model's backends after every turn.

    Returns:
        The verdict; never raises for model input.
    """
    model_env, truth_env = Environment(task), Environment(task)
    turns: list[TurnCheck] = []
    model_obs: list[tuple[Observation, ...]] = []
    truth_obs: list[tuple[Observation, ...]] = []
    states: list[dict[str, Any]] = []
    all_model_results: list[str] = []
    for t, truth_calls in enumerate(task.ground_truth):
        model_env.begin_turn(t)
        truth_env.begin_turn(t)
        items = model_turns[t] if t < len(model_turns) else []
        observed = run_items(model_env, items)
        expected = run_items(truth_env, truth_calls)
        model_obs.append(tuple(observed))
        truth_obs.append(tuple(expected))
        if with_states:
            states.append(model_env.snapshot())
        calls = [o for o in observed if _counts_as_call(o)]
        all_model_results.extend(o.text for o in calls)
        if not truth_calls:
            turns.append(TurnCheck(t, False, len(calls), None, None, None, None))
            continue
        if not calls:
            turns.append(TurnCheck(t, True, 0, None, None, False, EMPTY_TURN))
            continue
        differences = _state_differences(model_env, truth_env)
        missing = _missing([o.text for o in expected], all_model_results)
        cause = STATE_MISMATCH if differences else RESPONSE_MISMATCH if missing else None
        turns.append(
            TurnCheck(
                t,
                True,
                len(calls),
                not differences,
                not missing,
                cause is None,
                cause,
                differences,
                missing,
            )
        )
    failed: int | None
    if len(model_turns) != len(task.ground_truth):
        valid, cause, failed = False, FORCE_TERMINATED, min(len(model_turns), len(turns) - 1)
    else:
        first = next((t for t in turns if t.checked and not t.passed), None)
        valid = first is None
        cause = first.cause if first else None
        failed = first.turn if first else None
    return EpisodeCheck(
        task_id=task.id,
        valid=valid,
        cause=cause,
        failed_turn=failed,
        turns=tuple(turns),
        model=tuple(model_obs),
        ground_truth=tuple(truth_obs),
        states=tuple(states),
    )
