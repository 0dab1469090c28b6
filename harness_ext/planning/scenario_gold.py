"""Gold plans written inside a user's scenario file, read and checked against a catalog.

The scenario file's format is documented in ``harness_ext.planning.scenarios``; this
module reads its ``gold`` field. Two forms:

* a plan text in the ``#TaskN`` format, read with ``plans.parse_plan`` (kept as written:
  it is the text the judge and ``at_f1_nb`` see);
* a call list. Each item is either an object ``{"tool", "agent"?, "args"?,
  "depends_on"?, "task"?, "expected_output"?}`` or a Python call string
  ``name(arg=value, ...)`` decoded by ``fc.calls.parse_python_calls`` (``ast`` only,
  never evaluated; positional arguments are refused: name them). Steps are made by the
  one builder (``planning.builder.step``): a missing ``agent`` is the tool's owner in the
  catalog, ``depends_on`` are 1-based positions of earlier calls, and a ``{step_N}``
  inside ``args`` adds N to them. The plan text is ``plans.format_plan`` of the steps.

An empty list or ``""`` is a gold plan with no step; a missing or ``null`` ``gold`` is
no gold plan (the tasks then score against an empty gold, as for AssetOpsBench ids
without one).

``check_scenarios`` finds every problem at once, each with a namespaced cause:
errors (``gold:unknown_agent``, ``gold:unknown_tool``, ``gold:wrong_agent`` — the tool
exists but another agent owns it —, ``gold:bad_dependency``, ``gold:unreadable``) make a
run meaningless; warnings (``gold:unknown_arg``, ``gold:missing_required``,
``scenario:no_gold``, ``scenario:unknown_key``) do not change AT-F1. ``load_user_gold``
reads the gold for a run and stops at the first error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.io import iter_jsonl
from harness_ext.planning import builder
from harness_ext.planning.catalog import Catalog
from harness_ext.planning.gold import GoldEntry, GoldPlan
from harness_ext.planning.plans import Plan, Step, format_plan, is_none, parse_plan
from harness_ext.planning.scenarios import USER_FORMAT_FIX, is_user_row, validate

KNOWN_KEYS = frozenset({"id", "question", "type", "gold"})
_CALL_KEYS = frozenset({"tool", "agent", "args", "depends_on", "task", "expected_output"})
_CHECK = "run `toolplan scenarios check FILE --catalog CATALOG` for every problem at once"
ERROR_CAUSES = frozenset(
    {
        "gold:unknown_agent",
        "gold:unknown_tool",
        "gold:wrong_agent",
        "gold:bad_dependency",
        "gold:unreadable",
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario's gold (``cause`` is namespaced, see above)."""

    where: str
    scenario_id: int
    cause: str
    detail: str

    @property
    def is_error(self) -> bool:
        """True for causes that make a run meaningless."""
        return self.cause in ERROR_CAUSES

    def __str__(self) -> str:
        level = "error" if self.is_error else "warning"
        return f"{self.where}: scenario {self.scenario_id}: {level} {self.cause}: {self.detail}"


@dataclass
class _Reader:
    catalog: Catalog
    where: str
    scenario_id: int
    problems: list[Problem] = field(default_factory=list)

    def add(self, cause: str, detail: str) -> None:
        self.problems.append(Problem(self.where, self.scenario_id, cause, detail))

    # ---------------------------------------------------------------- names

    def agent_for(self, raw_agent: Any, tool: str, n: int) -> str | None:
        cat = self.catalog
        canonical_tool = cat.canonical_tool(tool)
        if canonical_tool is None:
            self.add(
                "gold:unknown_tool",
                f"step {n}: tool {tool!r} is not in catalog {cat.name}"
                + _close(tool, cat.tool_names),
            )
            return None
        owners = [t.agent for t in cat.tools if t.name == canonical_tool]
        if raw_agent is None:
            return owners[0]
        if not isinstance(raw_agent, str):
            self.add("gold:unreadable", f"step {n}: 'agent' must be a string")
            return None
        agent = cat.canonical_agent(raw_agent)
        if agent is None:
            self.add(
                "gold:unknown_agent",
                f"step {n}: agent {raw_agent!r} is not in catalog {cat.name}"
                + _close(raw_agent, cat.agent_names),
            )
            return None
        if agent not in owners:
            self.add(
                "gold:wrong_agent",
                f"step {n}: {canonical_tool} belongs to {', '.join(owners)}, not {agent}",
            )
            return None
        return agent

    def check_args(self, agent: str, tool: str, args: dict[str, Any], n: int) -> None:
        spec = self.catalog.tool(agent, self.catalog.canonical_tool(tool) or tool)
        if spec is None:
            return
        unknown = sorted(set(args) - spec.arg_names)
        missing = sorted(spec.required_args - set(args))
        if unknown:
            self.add("gold:unknown_arg", f"step {n}: {tool} has no argument {', '.join(unknown)}")
        if missing:
            self.add("gold:missing_required", f"step {n}: {tool} needs {', '.join(missing)}")

    # ---------------------------------------------------------------- forms

    def from_text(self, text: str) -> GoldPlan | None:
        parsed = parse_plan(text)
        if text.strip() and not parsed.plan.steps:
            self.add("gold:unreadable", "the gold text holds no #Task step")
            return None
        for n, s in enumerate(parsed.plan.steps, start=1):
            if is_none(s.agent) and is_none(s.tool):
                continue
            agent = self.agent_for(s.agent, s.tool or "", n)
            if agent is not None:
                self.check_args(agent, s.tool or "", s.args or {}, n)
            for d in s.dependencies:
                if not 1 <= d < n:
                    self.add("gold:bad_dependency", f"step {n} depends on step {d}")
        return GoldPlan(parsed.plan, text)

    def from_calls(self, calls: list[Any]) -> GoldPlan | None:
        steps = []
        ok = True
        for n, item in enumerate(calls, start=1):
            made = self.call_step(item, n)
            if made is None:
                ok = False
                continue
            steps.append(made)
        if not ok:
            return None
        plan = builder.plan(*steps)
        return GoldPlan(plan, format_plan(plan))

    def call_step(self, item: Any, n: int) -> Step | None:
        if isinstance(item, str):
            item = self.decode(item, n)
            if item is None:
                return None
        if not isinstance(item, dict):
            self.add("gold:unreadable", f"step {n}: a call is an object or a call string")
            return None
        tool = item.get("tool")
        if not isinstance(tool, str) or not tool.strip():
            self.add("gold:unreadable", f"step {n}: 'tool' must be a non-empty string")
            return None
        extra = sorted(set(item) - _CALL_KEYS)
        if extra:
            self.add("gold:unreadable", f"step {n}: unknown key(s) {', '.join(extra)}")
            return None
        args = item.get("args") or {}
        deps = item.get("depends_on") or []
        if not isinstance(args, dict):
            self.add("gold:unreadable", f"step {n}: 'args' must be an object")
            return None
        if not isinstance(deps, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in deps
        ):
            self.add("gold:unreadable", f"step {n}: 'depends_on' must be a list of step numbers")
            return None
        agent = self.agent_for(item.get("agent"), tool, n)
        if agent is None:
            return None
        canonical = self.catalog.canonical_tool(tool) or tool
        self.check_args(agent, canonical, args, n)
        made = builder.step(
            str(item.get("task") or default_task(self.catalog, agent, canonical)),
            agent,
            canonical,
            args,
            tuple(deps),
            out=str(item.get("expected_output") or ""),
        )
        bad = [d for d in made.dependencies if not 1 <= d < n]
        if bad:
            self.add("gold:bad_dependency", f"step {n} depends on step(s) {bad}")
            return None
        return made

    def decode(self, text: str, n: int) -> dict[str, Any] | None:
        from harness_ext.fc.calls import NOTE_POSITIONAL, parse_python_calls

        decoded = parse_python_calls(text)
        if not decoded.ok or len(decoded.calls) != 1:
            self.add("gold:unreadable", f"step {n}: {text[:60]!r} is not one call")
            return None
        if NOTE_POSITIONAL in decoded.notes:
            self.add("gold:unreadable", f"step {n}: {text[:60]!r} has positional arguments")
            return None
        call = decoded.calls[0]
        return {"tool": call.name, "args": dict(call.args)}


def _close(name: str, known: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def default_task(catalog: Catalog, agent: str, tool: str) -> str:
    spec = catalog.tool(agent, tool)
    text = (spec.description if spec else "").strip()
    if not text:
        return f"Call {tool}."
    first = text.split(". ", 1)[0].rstrip(".")
    return first + "."


def gold_from_row(
    row: dict[str, Any], where: str, scenario_id: int, catalog: Catalog
) -> tuple[GoldEntry | None, list[Problem]]:
    """The gold of one user-format row (None when it has none) and its problems.

    The entry is None also when an error made the gold unusable.
    """
    reader = _Reader(catalog, where, scenario_id)
    for key in sorted(set(row) - KNOWN_KEYS):
        reader.add("scenario:unknown_key", f"key {key!r} is ignored")
    gold = row.get("gold")
    if gold is None:
        reader.add("scenario:no_gold", "no 'gold': scored against an empty plan")
        return None, reader.problems
    made: GoldPlan | None
    if isinstance(gold, str):
        made = reader.from_text(gold)
    elif isinstance(gold, list):
        made = reader.from_calls(gold)
    else:
        reader.add("gold:unreadable", "'gold' must be a plan text or a list of calls")
        made = None
    if made is None or any(p.is_error for p in reader.problems):
        return None, reader.problems
    return GoldEntry(scenario_id, (made,)), reader.problems


def _user_rows(path: Path) -> Iterator[tuple[dict[str, Any], str, int]]:
    """(row, location, scenario id) of every scenario of a user-format file."""
    rows = [(line.value, line.where) for line in iter_jsonl(path, USER_FORMAT_FIX)]
    scenarios = validate(rows, str(path))  # ids, duplicates, empty questions
    for (row, where), scenario in zip(rows, scenarios, strict=True):
        yield row if isinstance(row, dict) else {}, where, scenario.id


def is_user_file(path: str | Path) -> bool:
    """True when the first non-blank row of a ``.jsonl`` file is in the user format."""
    file = Path(path)
    if file.suffix != ".jsonl" or not file.is_file():
        return False
    for line in iter_jsonl(file, USER_FORMAT_FIX):
        return is_user_row(line.value)
    return False


@dataclass(frozen=True)
class CheckReport:
    """What ``check_scenarios`` found in one file."""

    path: str
    scenarios: int
    with_gold: int
    steps: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that make a run meaningless."""
        return tuple(p for p in self.problems if p.is_error)

    def counts(self) -> dict[str, int]:
        """Problems by cause."""
        return dict(sorted(Counter(p.cause for p in self.problems).items()))


def check_scenarios(path: str | Path, catalog: Catalog) -> CheckReport:
    """Every problem of a user-format scenario file's gold against ``catalog``.

    Raises:
        DataFileError: the file cannot be read as scenarios at all (missing, not JSON,
            a row without ``question``, duplicate ids).
    """
    file = Path(path)
    problems: list[Problem] = []
    scenarios = with_gold = steps = 0
    for row, where, sid in _user_rows(file):
        scenarios += 1
        if not is_user_row(row):
            problems.append(
                Problem(where, sid, "gold:unreadable", "not a user-format row (no 'question')")
            )
            continue
        entry, found = gold_from_row(row, where, sid, catalog)
        problems += found
        if entry is not None:
            with_gold += 1
            steps += len(entry.alternatives[0].plan.steps)
    return CheckReport(str(file), scenarios, with_gold, steps, tuple(problems))


def load_user_gold(path: str | Path, catalog: Catalog) -> dict[int, GoldEntry]:
    """{scenario id: GoldEntry} of a user-format file; rows without gold are absent.

    Raises:
        DataFileError: at the first error (named: line, scenario, cause) with the fix.
    """
    gold: dict[int, GoldEntry] = {}
    for row, where, sid in _user_rows(Path(path)):
        entry, problems = gold_from_row(row, where, sid, catalog)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise DataFileError(where, f"scenario {sid}: {errors[0].cause}: {errors[0].detail}",
                                _CHECK)  # fmt: skip
        if entry is not None:
            gold[sid] = entry
    return gold


def plan_as_calls(plan: Plan) -> list[dict[str, Any]]:
    """A plan as the call-list form of ``gold`` (what converters write)."""
    out = []
    for s in plan.steps:
        item: dict[str, Any] = {"agent": s.agent, "tool": s.tool, "args": dict(s.args or {})}
        if s.dependencies:
            item["depends_on"] = list(s.dependencies)
        if s.task:
            item["task"] = s.task
        if s.expected_output:
            item["expected_output"] = s.expected_output
        out.append(item)
    return out
