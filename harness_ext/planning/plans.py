"""Plans: the typed form, a tolerant parser, and the canonical text format.

The canonical format (the paper's, arXiv 2605.17774) is one block per step::

    #Task1: Get the assets at the MAIN site.
    #Agent1: IoTAgent
    #Tool1: assets
    #Args1: {"site_name": "MAIN"}
    #Dependency1: None
    #ExpectedOutput1: A list of asset ids.

``{step_N}`` inside an argument value means "the output of step N"; ``#ToolN: none``
marks a reasoning-only step; dependencies are ``None`` or ``#S1, #S2``.

The parser also reads the two other upstream formats — agent-only plans without
``#Tool``/``#Args`` (2025 agent_hive) and ``#ServerN`` instead of ``#AgentN`` (2026) —
and whatever a model makes of them: markdown fences and emphasis, prose around the
plan, missing numbers or fields, ``name(signature)`` tool names, odd case and spacing,
JSON that is Python-ish or spread over several lines. It never raises on model
output: everything it had to guess or could not read becomes a named ``ParseIssue``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_INPUT_CHARS = 100_000

_FIELD_ALIASES = {
    "task": "task",
    "agent": "agent",
    "server": "agent",
    "tool": "tool",
    "action": "tool",
    "args": "args",
    "arguments": "args",
    "argument": "args",
    "dependency": "dependency",
    "dependencies": "dependency",
    "depends": "dependency",
    "dependson": "dependency",
    "expectedoutput": "expected_output",
    "expected": "expected_output",
    "output": "expected_output",
}
# A field line: optional markdown/bullets, optional '#', the field word, an optional
# step number, then ':' (or '=' / full-width colon). Linear-time: no nested quantifiers.
_FIELD_RE = re.compile(
    r"^[\s>*_`~\-+|]*#{0,3}\s*"
    r"(?P<field>task|agent|server|tool|action|arguments|argument|args|dependencies|dependency"
    r"|depends[ _]?on|depends|expected[ _]?output|expected|output)"
    r"[ \t]*(?:step[ \t]*)?(?P<num>\d{1,4})?[ \t]*[*_`]*[ \t]*[:：=][ \t]*(?P<value>.*)$",
    re.IGNORECASE,
)
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STEP_REF_RE = re.compile(r"\{\s*step[_ ]?(\d+)[^}]*\}", re.IGNORECASE)
_NAME_TAIL_RE = re.compile(r"\s+[(\-–—:]\s*|\s*\(")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_NUMBER_RE = re.compile(r"\d+")
_NONE_VALUES = frozenset({"", "none", "null", "n/a", "na", "-", "nil", "[]", "{}"})


@dataclass(frozen=True)
class ParseIssue:
    """Something the parser had to guess, repair or give up on.

    ``code`` is a stable namespaced name (``plan:args_invalid_json``), so issues can
    be counted by cause; ``step`` is the 1-based step position when it applies.
    """

    code: str
    step: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        return self.code if self.step is None else f"{self.code}@{self.step}"


@dataclass(frozen=True)
class Step:
    """One plan step. Names are kept as written (cleaned of markup), not canonicalised."""

    task: str = ""
    agent: str | None = None
    tool: str | None = None
    args: dict[str, Any] | None = None
    dependencies: tuple[int, ...] = ()
    expected_output: str = ""

    @property
    def is_reasoning_only(self) -> bool:
        """True when the agent or the tool is missing or written as ``none``."""
        return is_none(self.agent) or is_none(self.tool)


@dataclass(frozen=True)
class Plan:
    """An ordered list of steps; dependencies are 1-based positions in this list."""

    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class ParsedPlan:
    """What the parser made of a text: the plan and every issue met on the way."""

    plan: Plan
    issues: tuple[ParseIssue, ...] = field(default_factory=tuple)

    @property
    def issue_codes(self) -> list[str]:
        """Issues as ``code`` or ``code@step`` strings, in order."""
        return [str(i) for i in self.issues]


def is_none(name: str | None) -> bool:
    """True for a missing name or one written as none/null/n-a/empty."""
    return name is None or name.strip().strip("`*'\"").lower() in _NONE_VALUES


def step_references(value: Any) -> set[int]:
    """Step numbers referenced as ``{step_N}`` anywhere inside an argument value."""
    if isinstance(value, str):
        return {int(n) for n in _STEP_REF_RE.findall(value)}
    if isinstance(value, dict):
        return set().union(*(step_references(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(step_references(v) for v in value)) if value else set()
    return set()


def _clean_name(raw: str) -> str | None:
    value = raw.strip().strip("`*_'\"[]<>").strip()
    if not value:
        return None
    # "IoTAgent (reads telemetry)" / "IoTAgent - ..." -> "IoTAgent"
    value = _NAME_TAIL_RE.split(value, maxsplit=1)[0].strip()
    return value.strip("`*_'\".,;").strip() or None


def _clean_tool(raw: str) -> tuple[str | None, bool]:
    """Return (tool name, had_signature). ``Agent.tool(args)`` -> ``tool``."""
    value = raw.strip().strip("`*_'\"").strip()
    had_signature = "(" in value
    value = value.split("(", 1)[0].strip()
    value = value.split()[0] if value.split() else ""
    if "." in value:
        value = value.rsplit(".", 1)[-1]
    value = value.strip("`*_'\".,;:")
    return (value or None), had_signature


def _parse_args(raw: str) -> tuple[dict[str, Any] | None, str | None]:
    """Parse an argument object; return (args, issue code or None)."""
    text = raw.strip().strip("`").strip()
    if text.lower().startswith("json"):
        text = text[4:].strip()
    if text.lower() in _NONE_VALUES:
        return {}, None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        value = None
        # Python-literal dicts ({'a': 1}, True/None) are a common near miss.
        try:
            value = ast.literal_eval(text) if len(text) < 20_000 else None
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            value = None
        if value is None:
            repaired = _TRAILING_COMMA_RE.sub(r"\1", text)
            try:
                value = json.loads(repaired)
            except (json.JSONDecodeError, RecursionError):
                return None, "plan:args_invalid_json"
        if isinstance(value, dict):
            return value, "plan:args_repaired"
    if not isinstance(value, dict):
        return None, "plan:args_not_object"
    return value, None


def _parse_dependencies(raw: str) -> tuple[list[int], bool]:
    """Return (referenced step numbers, readable)."""
    text = raw.strip().strip("`*").strip()
    if text.lower().rstrip(".") in _NONE_VALUES or text.lower().startswith("none"):
        return [], True
    numbers = [int(n) for n in _NUMBER_RE.findall(text)]
    return numbers, bool(numbers)


def _normalise_text(text: str, issues: list[ParseIssue]) -> list[str]:
    if len(text) > MAX_INPUT_CHARS:
        issues.append(ParseIssue("plan:input_truncated", detail=f"{len(text)} chars"))
        text = text[:MAX_INPUT_CHARS]
    if _CONTROL_RE.search(text):
        issues.append(ParseIssue("plan:control_characters_removed"))
        text = _CONTROL_RE.sub("", text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line for line in lines if not _FENCE_RE.match(line)]


@dataclass
class _Draft:
    number: int | None
    fields: dict[str, str] = field(default_factory=dict)


class _Collector:
    """Groups field lines into step drafts (one per ``#Task`` block, see ``parse_plan``)."""

    def __init__(self, issues: list[ParseIssue]) -> None:
        self.issues = issues
        self.drafts: list[_Draft] = []
        self.by_number: dict[int, _Draft] = {}
        self.current: _Draft | None = None  # where the last field went
        self.block: _Draft | None = None  # the step the last #Task line opened

    def _new(self, number: int | None) -> _Draft:
        draft = _Draft(number=number)
        self.drafts.append(draft)
        if number is not None:
            self.by_number[number] = draft
        return draft

    def _position(self, draft: _Draft) -> int:
        return next(i for i, d in enumerate(self.drafts, start=1) if d is draft)

    def _task_target(self, number: int | None) -> _Draft:
        if number is None:
            return self._new(None)
        known = self.by_number.get(number)
        if known is not None and "task" not in known.fields:
            return known  # fields written before their #Task line
        if known is not None:
            # "#Task1:" again: a #Task line always opens a step (a step is a #Task block).
            self.issues.append(ParseIssue("plan:duplicate_step_number", detail=str(number)))
            return self._new(None)
        return self._new(number)

    def _field_target(self, name: str, number: int | None) -> _Draft:
        block, current = self.block, self.current
        if number is None:
            if block is not None and name not in block.fields:
                if block is not current or block.number is not None:
                    self.issues.append(
                        ParseIssue("plan:unnumbered_field", self._position(block), name)
                    )
                return block
            if current is not None and name not in current.fields:
                return current
            return self._new(None)
        if current is not None and current.number == number:
            return current
        known = self.by_number.get(number)
        if known is None:
            return self._new(number)
        if name not in known.fields:
            return known  # the written number is free for this field: it decides
        if block is not None and name not in block.fields:
            # The number is taken (e.g. "#Agent1:" again in the second #Task block): the
            # field belongs to the #Task block it sits in, which lacks it.
            self.issues.append(
                ParseIssue("plan:renumbered_field", self._position(block), f"{name}{number}")
            )
            return block
        self.issues.append(ParseIssue("plan:duplicate_step_number", detail=str(number)))
        return self._new(None)

    def add(self, name: str, number: int | None, value: str) -> bool:
        """File one field; False when it was a duplicate and was dropped."""
        if name == "task":
            target = self._task_target(number)
            self.block = target
        else:
            target = self._field_target(name, number)
        self.current = target
        if name in target.fields:
            self.issues.append(ParseIssue("plan:duplicate_field", self._position(target), name))
            return False
        target.fields[name] = value
        return True


def _collect_drafts(lines: list[str], issues: list[ParseIssue]) -> list[_Draft]:
    collector = _Collector(issues)
    last_field: str | None = None
    for line in lines:
        match = _FIELD_RE.match(line)
        current = collector.current
        if match is None:
            # A multi-line JSON argument object continues on following lines.
            if current is not None and last_field == "args" and line.strip():
                current.fields["args"] += "\n" + line
            elif current is not None and last_field in ("task", "expected_output"):
                pass  # prose after a field: ignored, the field keeps its first line
            continue
        name = _FIELD_ALIASES[match.group("field").lower().replace(" ", "").replace("_", "")]
        number = int(match.group("num")) if match.group("num") else None
        value = match.group("value").strip()
        last_field = name if collector.add(name, number, value) else None
    return collector.drafts


def parse_plan(text: str | None) -> ParsedPlan:
    """Parse model output into a ``Plan``; never raises.

    Rules:
        * Steps are read in order of appearance and renumbered 1..n; the written
          numbers only serve to group fields and to resolve dependencies.
        * A step is a ``#Task`` block: every ``#Task`` line opens one (a repeated
          ``#Task1:`` too, ``plan:duplicate_step_number``). A field goes to the step its
          number names while that step lacks the field. A field whose number is already
          taken for that field (``#Agent1:`` again under ``#Task2:``) goes to the
          ``#Task`` block it sits in when that block lacks the field
          (``plan:renumbered_field@step``, detail ``agent1``); so does a field with no
          number (``#Agent:``), reported as ``plan:unnumbered_field@step`` when the
          block is numbered. A field that fits nowhere starts a step of its own
          (``plan:duplicate_step_number``); one written twice in the same step keeps
          the first (``plan:duplicate_field``).
        * ``#ServerN`` counts as ``#AgentN``; a step without ``#Tool`` has tool None.
        * ``name(signature)`` and ``Agent.tool`` tool names keep only ``name``/``tool``.
        * A dependency on a step number that does not exist is dropped
          (``plan:dangling_dependency``); one on a later step is kept and reported by
          the ``deps_valid`` metric (``plan:forward_dependency``).
        * Unreadable args become None (``plan:args_invalid_json``); none of these
          issues stop the other steps from being read.
    """
    issues: list[ParseIssue] = []
    if text is None or not text.strip():
        return ParsedPlan(Plan(()), (ParseIssue("plan:empty_output"),))
    drafts = _collect_drafts(_normalise_text(text, issues), issues)
    drafts = [d for d in drafts if d.fields.keys() & {"agent", "tool", "task"}]
    if not drafts:
        return ParsedPlan(Plan(()), (*issues, ParseIssue("plan:no_steps_found")))

    numbers = [d.number for d in drafts if d.number is not None]
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        issues.append(ParseIssue("plan:numbering_irregular", detail=str(numbers[:20])))
    position_of = {d.number: i + 1 for i, d in enumerate(drafts) if d.number is not None}

    steps: list[Step] = []
    for pos, draft in enumerate(drafts, start=1):
        f = draft.fields
        for required in ("task", "agent"):
            if required not in f:
                issues.append(ParseIssue(f"plan:missing_{required}", pos))
        agent = _clean_name(f["agent"]) if "agent" in f else None
        tool: str | None = None
        if "tool" in f:
            tool, had_signature = _clean_tool(f["tool"])
            if had_signature:
                issues.append(ParseIssue("plan:tool_signature_stripped", pos))
        args: dict[str, Any] | None = None
        if "args" in f:
            args, problem = _parse_args(f["args"])
            if problem:
                issues.append(ParseIssue(problem, pos))
        deps: list[int] = []
        if "dependency" in f:
            written, readable = _parse_dependencies(f["dependency"])
            if not readable:
                issues.append(ParseIssue("plan:dependency_unreadable", pos))
            for n in written:
                # Written numbers refer to the plan's own numbering when it has one.
                target = position_of.get(n) if position_of else n
                if target is None or target > len(drafts) or target < 1:
                    issues.append(ParseIssue("plan:dangling_dependency", pos, str(n)))
                    continue
                if target >= pos:
                    issues.append(ParseIssue("plan:forward_dependency", pos, str(n)))
                if target not in deps:
                    deps.append(target)
        steps.append(
            Step(
                task=f.get("task", ""),
                agent=agent,
                tool=tool,
                args=args,
                dependencies=tuple(deps),
                expected_output=f.get("expected_output", ""),
            )
        )
    return ParsedPlan(Plan(tuple(steps)), tuple(issues))


def format_plan(plan: Plan) -> str:
    """Render a plan in the canonical ``#TaskN/#AgentN/...`` format (round-trips)."""
    blocks = []
    for i, s in enumerate(plan.steps, start=1):
        deps = ", ".join(f"#S{d}" for d in s.dependencies) if s.dependencies else "None"
        args = json.dumps(s.args if s.args is not None else {}, ensure_ascii=False)
        blocks.append(
            f"#Task{i}: {s.task}\n#Agent{i}: {s.agent or 'none'}\n#Tool{i}: {s.tool or 'none'}\n"
            f"#Args{i}: {args}\n#Dependency{i}: {deps}\n#ExpectedOutput{i}: {s.expected_output}"
        )
    return "\n\n".join(blocks)


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Build a plan from ``{"steps": [{"task", "agent", "tool", "args", "dependencies",
    "expected_output"}]}`` (the JSON form used by gold files)."""
    steps = []
    for s in data.get("steps", []):
        steps.append(
            Step(
                task=str(s.get("task", "")),
                agent=s.get("agent"),
                tool=s.get("tool"),
                args=dict(s.get("args") or {}),
                dependencies=tuple(int(d) for d in s.get("dependencies") or ()),
                expected_output=str(s.get("expected_output", "")),
            )
        )
    return Plan(tuple(steps))
