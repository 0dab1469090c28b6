"""α-UMi's role formats on BFCL tasks: the prompts of each role and the parsers of their output.

Roles (arXiv 2401.07324; the formats are the paper's, the wording here is ours):

* **planner** — writes a short thought that ends with exactly one of ``Next: caller.``,
  ``Next: conclusion.`` or ``Next: give up.``;
* **caller** — given the planner's thought, writes ``Action: <function>`` and
  ``Action Input: <JSON object of arguments>``;
* **summarizer** — writes the final answer to the user's request;
* **backbone** — the single-LLM baseline: one model writes the thought, the ``Next:``
  line and then either the ``Action``/``Action Input`` lines or ``Answer: <text>``.

Prompts take the function list and the history already rendered (:func:`render_docs`,
:func:`render_history`), so a static sample stores two strings and any role's prompt can
be built from them. Every prompt is one user message (the caller applies the model's chat
template); the model's reply is the role's output. The same functions build training
targets (:mod:`harness_ext.agents.trajectories`) and run the agent
(:mod:`harness_ext.agents.runner`), so a model is trained on the prompts it is run with.

Prompt size: BFCL's function docs run to ~4k tokens per backend, so the prompt lists one
line per function — its signature (``describe=True`` adds the first sentence of its
description) — and the history keeps the newest events within :data:`HISTORY_CHARS`
characters (observations cut to :data:`OBSERVATION_CHARS`), always including the current
user request. Instructions are short: on a CPU the prefill of the prompt is most of what
a step costs (~650 tokens on average with two backends).

Parsing rules (never raise):

* plan label: the first ``Next: <label>`` in the text (case and spacing ignored); none →
  ``caller``, as α-UMi's pipeline does;
* actions: every ``Action:`` line with the JSON object after the next ``Action Input:``
  (a missing input is ``{}``, as in α-UMi); the arguments are decoded by
  ``fc.calls.parse_json_tool_calls`` (its size and nesting caps apply). α-UMi's scorer
  takes the *last* ``Action`` of an output; we take the first, which is also the one the
  agent runs first — the two differ only for outputs with several actions;
* answer: the text after ``Answer:`` (backbone) or the whole reply (summarizer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from harness_ext.agents.bfcl import FunctionDoc
from harness_ext.fc.calls import Call, parse_json_tool_calls

Role = Literal["planner", "caller", "summarizer", "backbone"]
ROLES: tuple[Role, ...] = get_args(Role)
MULTI_ROLES: tuple[Role, ...] = ("planner", "caller", "summarizer")

Label = Literal["caller", "conclusion", "give up"]
LABELS: tuple[Label, ...] = get_args(Label)

EventRole = Literal["user", "assistant", "caller", "observation", "conclusion"]

HISTORY_CHARS = 800
OBSERVATION_CHARS = 150
DESCRIPTION_CHARS = 90
MAX_ACTIONS = 8

# Causes of a caller output that yields no runnable call (namespace agent:caller).
NO_ACTION = "agent:caller:no_action"
BAD_INPUT = "agent:caller:bad_action_input"
TOO_MANY_ACTIONS = "agent:caller:too_many_actions"


@dataclass(frozen=True)
class Event:
    """One entry of the conversation history."""

    role: EventRole
    text: str


def next_line(label: Label) -> str:
    """The terminal line of a planner thought, e.g. ``Next: caller.``."""
    return f"Next: {label}."


_SHORT_TYPES = {"string": "str", "integer": "int", "boolean": "bool", "array": "list"}


def _type_name(spec: object) -> str:
    kind = str((spec.get("type") if isinstance(spec, dict) else None) or "any")
    return _SHORT_TYPES.get(kind, kind)


def render_doc(doc: FunctionDoc, describe: bool = False) -> str:
    """One line: ``name(param: type, optional?: type)``; with ``describe``, `` - `` and the
    first sentence of the description (cut to :data:`DESCRIPTION_CHARS`)."""
    params = ", ".join(
        f"{name}{'' if name in doc.required else '?'}: {_type_name(spec)}"
        for name, spec in doc.properties.items()
    )
    if not describe:
        return f"{doc.name}({params})"
    text = doc.short_description
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 3].rstrip() + "..."
    return f"{doc.name}({params}) - {text}"


def render_docs(docs: Sequence[FunctionDoc], describe: bool = False) -> str:
    """The function list of a prompt, one line per function (signatures only by default:
    with descriptions a two-backend prompt grows by ~300 tokens, which a CPU budget
    cannot afford; the names and parameter names carry most of the meaning)."""
    return "\n".join(render_doc(d, describe) for d in docs)


def _event_line(event: Event) -> str:
    text = " ".join(event.text.split()) if event.role != "caller" else event.text.strip()
    if event.role == "observation" and len(text) > OBSERVATION_CHARS:
        text = text[: OBSERVATION_CHARS - 3] + "..."
    return f"{event.role}: {text}"


def render_history(events: Sequence[Event], budget: int = HISTORY_CHARS) -> str:
    """The history as ``role: text`` lines, newest kept within ``budget`` characters.

    Rules: the current turn's user request (the last ``user`` event) is always kept;
    events older than what fits are replaced by one ``(earlier history omitted)`` line.
    """
    lines = [_event_line(e) for e in events]
    last_user = max((i for i, e in enumerate(events) if e.role == "user"), default=0)
    kept: list[int] = []
    size = 0
    for i in range(len(lines) - 1, -1, -1):
        if size + len(lines[i]) + 1 > budget and i != last_user:
            if i < last_user:
                break
            continue
        kept.append(i)
        size += len(lines[i]) + 1
    if lines and last_user not in kept:
        kept.append(last_user)
    kept.sort()
    out = [lines[i] for i in kept]
    if kept and kept[0] > 0:
        out.insert(0, "(earlier history omitted)")
    return "\n".join(out)


# Short on purpose: on a CPU the prompt's prefill is most of a step's cost.
_NEXT_INSTRUCTION = (
    "Write a short thought ending in Next: caller. (call a function), Next: conclusion. "
    "(request done) or Next: give up. (impossible or information missing)."
)
_ACTION_INSTRUCTION = "Action: <function name>\nAction Input: <JSON object of arguments>"


def planner_prompt(functions: str, history: str) -> str:
    """The planner's prompt from the rendered function list and history."""
    return f"Role: planner.\nFunctions:\n{functions}\nHistory:\n{history}\n{_NEXT_INSTRUCTION}"


def caller_prompt(functions: str, history: str, thought: str) -> str:
    """The caller's prompt: functions, history, the planner's thought, the call format."""
    return (
        f"Role: caller.\nFunctions:\n{functions}\nHistory:\n{history}\n"
        f"Thought: {' '.join(thought.split())}\nWrite the call:\n{_ACTION_INSTRUCTION}"
    )


def summarizer_prompt(history: str) -> str:
    """The summarizer's prompt: the history and the request for a final answer."""
    return (
        f"Role: summarizer.\nHistory:\n{history}\n"
        "Write the final answer to the user's last request in one sentence."
    )


def backbone_prompt(functions: str, history: str) -> str:
    """The single-LLM prompt: one model plans, calls and answers."""
    return (
        f"Role: agent.\nFunctions:\n{functions}\nHistory:\n{history}\n{_NEXT_INSTRUCTION}\n"
        f"After Next: caller. write the call:\n{_ACTION_INSTRUCTION}\n"
        "After Next: conclusion. write Answer: <final answer>."
    )


# ------------------------------------------------------------------ targets


def action_text(call: Call) -> str:
    """The caller's output for a call: ``Action: name`` / ``Action Input: {json}``."""
    return f"Action: {call.name}\nAction Input: {json.dumps(dict(call.args), ensure_ascii=False)}"


def backbone_text(thought: str, label: Label, call: Call | None, answer: str | None) -> str:
    """The single-LLM output of a step (thought, ``Next:`` line, then call or answer)."""
    head = f"{thought} {next_line(label)}"
    if label == "caller" and call is not None:
        return f"{head}\n{action_text(call)}"
    if label == "conclusion" and answer:
        return f"{head}\nAnswer: {answer}"
    return head


# ------------------------------------------------------------------ parsing

_NEXT_RE = re.compile(r"next\s*:\s*(caller|conclusion|give\s*-?\s*up)", re.IGNORECASE)
_ACTION_RE = re.compile(r"^[ \t]*Action[ \t]*:[ \t]*(?P<name>[^\n]*)$", re.MULTILINE)
_INPUT_RE = re.compile(r"Action[ \t]*Input[ \t]*:", re.IGNORECASE)
_ANSWER_RE = re.compile(r"Answer\s*:", re.IGNORECASE)


def parse_label(text: str) -> Label:
    """The plan label of a planner or backbone output (first ``Next:``; none → caller)."""
    match = _NEXT_RE.search(text or "")
    if match is None:
        return "caller"
    word = match.group(1).lower()
    if word.startswith("give"):
        return "give up"
    return "conclusion" if word == "conclusion" else "caller"


def _thought_end(text: str) -> int | None:
    """Index just past the first ``Next: <label>`` (and its full stop), or None."""
    match = _NEXT_RE.search(text)
    if match is None:
        return None
    end = match.end()
    while end < len(text) and text[end] in " \t":
        end += 1
    return end + 1 if end < len(text) and text[end] == "." else match.end()


def thought_of(text: str) -> str:
    """A planner/backbone output up to and including its first ``Next:`` line."""
    text = text or ""
    end = _thought_end(text)
    return (text if end is None else text[:end]).strip()


@dataclass(frozen=True)
class Action:
    """One ``Action``/``Action Input`` pair as written.

    Attributes:
        name: The function name after ``Action:`` (stripped).
        call: The decoded call, or None when the input is not a JSON object.
        cause: None, or ``agent:caller:bad_action_input``.
        detail: What was wrong with the input.
    """

    name: str
    call: Call | None
    cause: str | None = None
    detail: str = ""


def _json_object(text: str) -> tuple[str | None, str]:
    """The first JSON value at the start of ``text`` (after spaces), as JSON text."""
    start = text.lstrip()
    if not start:
        return "{}", ""
    try:
        value, _ = json.JSONDecoder().raw_decode(start)
    except (json.JSONDecodeError, RecursionError) as e:
        return None, f"Action Input is not JSON ({e})"
    return json.dumps(value), ""


def parse_actions(text: str) -> tuple[list[Action], str | None]:
    """Every action of a caller/backbone output, and a cause when there is none or too many.

    Returns:
        The actions (at most :data:`MAX_ACTIONS`; more gives no actions and
        ``agent:caller:too_many_actions``), and None or ``agent:caller:no_action``.
    """
    text = text or ""
    matches = list(_ACTION_RE.finditer(text))
    if not matches:
        return [], NO_ACTION
    if len(matches) > MAX_ACTIONS:
        return [], TOO_MANY_ACTIONS
    actions = []
    for i, match in enumerate(matches):
        name = match.group("name").strip().strip("`'\"").strip()
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        segment = text[match.end() : end]
        found = _INPUT_RE.search(segment)
        raw, problem = _json_object(segment[found.end() :]) if found else ("{}", "")
        if raw is None:
            actions.append(Action(name, None, BAD_INPUT, problem))
            continue
        decoded = parse_json_tool_calls(json.dumps({"name": name, "arguments": json.loads(raw)}))
        if not decoded.ok or len(decoded.calls) != 1:
            detail = decoded.detail or "Action Input must be one JSON object"
            actions.append(Action(name, None, BAD_INPUT, detail))
            continue
        actions.append(Action(name, decoded.calls[0]))
    return actions, None


def parse_answer(text: str) -> str:
    """The answer of an output: the text after ``Answer:``; else the text after the
    ``Next:`` line (a backbone that skipped ``Answer:``); else the whole text (a
    summarizer's reply is its answer)."""
    text = text or ""
    match = _ANSWER_RE.search(text)
    if match is not None:
        return text[match.end() :].strip()
    end = _thought_end(text)
    return (text if end is None else text[end:]).strip()


@dataclass(frozen=True)
class StepOutput:
    """What a step's outputs say, as α-UMi's scorer reads them.

    Attributes:
        label: The plan label.
        action: The first action's function name (None when no action was written).
        args_json: The first action's arguments as JSON text (None when unparsable or absent).
        answer: The answer (conclusion steps), else None.
    """

    label: Label
    action: str | None
    args_json: str | None
    answer: str | None


def read_step(plan_text: str, action_text: str | None, answer_text: str | None) -> StepOutput:
    """Read one step's outputs: the planner's (or backbone's) text, then the caller's or
    summarizer's text when that role ran (the backbone's own text serves for both)."""
    label = parse_label(plan_text)
    action = args = answer = None
    if label == "caller" and action_text is not None:
        actions, _ = parse_actions(action_text)
        if actions:
            action = actions[0].name
            call = actions[0].call
            args = json.dumps(dict(call.args), sort_keys=True) if call is not None else None
    if label == "conclusion" and answer_text is not None:
        answer = parse_answer(answer_text)
    return StepOutput(label, action, args, answer)
