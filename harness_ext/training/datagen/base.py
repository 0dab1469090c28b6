"""What every generator produces (``Candidate``), the plan check, the trace shape, and
the reader of the generators' data files (``harness_ext/data/datagen/``).

Plans themselves are built with ``harness_ext.planning.builder``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from harness_ext.errors import DataFileError
from harness_ext.planning.catalog import Catalog
from harness_ext.planning.plans import Plan, format_plan, is_none, step_references

Family = Literal["tool_knowledge", "question_plan", "execution"]
SystemKind = Literal["plan", "knowledge", "trace"]
_DATA_FIX = "restore the shipped file (tests/training/test_datagen_data.py validates it)"


@cache
def load_data(resource: str) -> dict[str, Any]:
    """One JSON object shipped under ``harness_ext/data/`` (``resource`` is relative)."""
    path = resources.files("harness_ext").joinpath("data", *resource.split("/"))
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataFileError(str(path), f"cannot be read as JSON ({e})", _DATA_FIX) from e
    if not isinstance(data, dict):
        raise DataFileError(str(path), "is not a JSON object", _DATA_FIX)
    return data


@dataclass(frozen=True)
class Candidate:
    """One generated example before deduplication and decontamination.

    ``system`` names the system turn the example gets (see ``training_data``): ``plan`` =
    the evaluation's description-free prompt, ``knowledge`` = a short Q&A turn, ``trace``
    = the execution-trace format. ``probes`` are further texts inside the question that
    must also pass decontamination (a request quoted inside a routing question).
    """

    family: Family
    kind: str
    question: str
    answer: str
    system: SystemKind
    meta: Mapping[str, Any] = field(default_factory=dict)
    probes: tuple[str, ...] = ()


def plan_problems(plan: Plan, catalog: Catalog) -> list[str]:
    """Why a generated plan would be wrong against ``catalog`` (empty list = valid).

    Checks: agent and tool exist and belong together; required arguments present; no
    unknown argument names; dependencies and ``{step_N}`` references point to earlier
    steps, and every reference is listed as a dependency. Reasoning-only steps (agent
    and tool ``none``) must have no arguments.
    """
    problems: list[str] = []
    for i, s in enumerate(plan.steps, start=1):
        if is_none(s.agent) and is_none(s.tool):
            if s.args:
                problems.append(f"step {i}: reasoning step with arguments")
        else:
            tool = catalog.tool(s.agent or "", s.tool or "")
            if tool is None:
                problems.append(f"step {i}: {s.agent}.{s.tool} is not in the catalog")
            else:
                args = s.args or {}
                missing = tool.required_args - args.keys()
                unknown = args.keys() - tool.arg_names
                if missing:
                    problems.append(f"step {i}: missing {sorted(missing)}")
                if unknown:
                    problems.append(f"step {i}: unknown {sorted(unknown)}")
        refs = step_references(s.args or {})
        for d in (*s.dependencies, *refs):
            if not 1 <= d < i:
                problems.append(f"step {i}: depends on step {d}")
        if not refs <= set(s.dependencies):
            problems.append(f"step {i}: references {sorted(refs)} not in dependencies")
    return problems


def trace_text(plan: Plan) -> str:
    """Render a plan as an execution trace (the paper's trace family shape).

    ``PLANNING_STEPS`` holds the plan in the canonical format; ``EXECUTION_STEPS`` one
    line per step (``Call Agent.tool(args) -> output`` for tool calls, ``Reason: ...`` for
    reasoning-only steps); ``EXECUTION_LINKS`` one line per dependency edge, or ``None``.
    """
    lines = ["PLANNING_STEPS:", format_plan(plan), "", "EXECUTION_STEPS:"]
    for i, s in enumerate(plan.steps, start=1):
        if s.is_reasoning_only:
            lines.append(f"Step {i}: Reason: {s.task} -> {s.expected_output}")
        else:
            args = json.dumps(s.args or {}, ensure_ascii=False)
            lines.append(f"Step {i}: Call {s.agent}.{s.tool}({args}) -> {s.expected_output}")
    lines += ["", "EXECUTION_LINKS:"]
    links = [
        f"Step {d} -> Step {i}: {plan.steps[d - 1].expected_output}"
        for i, s in enumerate(plan.steps, start=1)
        for d in s.dependencies
    ]
    lines += links or ["None"]
    return "\n".join(lines)
