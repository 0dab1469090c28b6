"""Mechanical validation of the project's gold plans v2 (no model, pure Python).

``harness_ext/data/gold_plans_v2.jsonl`` is the source of truth (edited by hand, not
generated); these checks are what keeps it honest. Every check walks all 152 entries and
reports every offending (scenario, plan, step) at once, so a broken edit shows its full
extent in one run.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.gold import (
    PROJECT_GOLD_RESOURCE,
    PROJECT_GOLD_VERSION,
    default_gold_source,
    load_gold,
    load_project_gold,
)
from harness_ext.planning.plans import Plan, format_plan, parse_plan, plan_from_dict
from harness_ext.planning.scenarios import load_scenarios

STEP_REF = re.compile(r"\{step_(\d+)\}")
CHECKED_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


ROW_KEYS = {"id", "type", "plans", "rationale"}
STEP_KEYS = {"task", "agent", "tool", "args", "dependencies", "expected_output"}


@cache
def text() -> str:
    return (resources.files("harness_ext") / "data" / PROJECT_GOLD_RESOURCE).read_text("utf-8")


@cache
def rows() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(line) for line in text().splitlines() if line.strip())


def steps() -> list[tuple[str, dict[str, Any]]]:
    """(location, step) for every step of every alternative."""
    found = []
    for row in rows():
        for k, plan in enumerate(row["plans"]):
            for n, step in enumerate(plan["steps"], start=1):
                found.append((f"id {row['id']} plan {k} step {n}", step))
    return found


def refs(value: Any) -> set[int]:
    return {int(n) for n in STEP_REF.findall(json.dumps(value))}


def test_ids_cover_exactly_the_152_scenarios_with_their_types(assetops_dir: Path) -> None:
    scenarios = {s.id: s.type for s in load_scenarios(str(assetops_dir))}
    ids = [row["id"] for row in rows()]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert set(ids) == set(scenarios), {
        "missing": sorted(set(scenarios) - set(ids)),
        "unknown": sorted(set(ids) - set(scenarios)),
    }
    wrong = [(row["id"], row["type"]) for row in rows() if row["type"] != scenarios[row["id"]]]
    assert not wrong
    assert len(ids) == 152


def test_one_object_per_line_sorted_by_id_with_exactly_the_known_fields() -> None:
    lines = text().splitlines()
    assert text().endswith("\n") and all(line.strip() for line in lines), "no blank lines"
    assert [row["id"] for row in rows()] == sorted(row["id"] for row in rows())
    bad = [
        row.get("id") for row in rows() if set(row) != ROW_KEYS or not isinstance(row["id"], int)
    ]
    bad += [row["id"] for row in rows() for p in row["plans"] if set(p) != {"steps"}]
    assert not bad, bad


def test_every_step_has_exactly_the_six_fields_with_their_types() -> None:
    bad = []
    for where, step in steps():
        if set(step) != STEP_KEYS:
            bad.append(f"{where}: fields {sorted(step)}")
            continue
        texts = (step["task"], step["agent"], step["tool"], step["expected_output"])
        if not all(isinstance(t, str) and t.strip() and "\n" not in t for t in texts):
            bad.append(f"{where}: task/agent/tool/expected_output must be one non-empty line")
        deps = step["dependencies"]
        if not isinstance(step["args"], dict) or not isinstance(deps, list):
            bad.append(f"{where}: args must be an object and dependencies a list")
        elif any(not isinstance(d, int) or isinstance(d, bool) for d in deps) or deps != sorted(
            deps
        ):
            bad.append(f"{where}: dependencies {deps} must be sorted integers")
    assert not bad, bad


def test_every_entry_has_plans_and_a_one_line_rationale() -> None:
    bad = [
        row["id"]
        for row in rows()
        if not row["plans"]
        or any(not plan["steps"] for plan in row["plans"])
        or not isinstance(row.get("rationale"), str)
        or not row["rationale"].strip()
        or "\n" in row["rationale"]
    ]
    assert not bad


def test_agents_and_tools_exist_and_each_tool_belongs_to_its_agent() -> None:
    catalog = load_catalog()
    bad = []
    for where, step in steps():
        agent, tool = step["agent"], step["tool"]
        if (agent == "none") != (tool == "none"):
            bad.append(f"{where}: half reasoning-only ({agent}.{tool})")
        elif agent != "none" and catalog.tool(agent, tool) is None:
            bad.append(f"{where}: {agent}.{tool} is not in the catalog")
    assert not bad, bad


def test_required_args_present_no_unknown_names_and_values_typed() -> None:
    catalog = load_catalog()
    bad = []
    for where, step in steps():
        if step["agent"] == "none":
            if step["args"]:
                bad.append(f"{where}: reasoning-only step with args")
            continue
        tool = catalog.tool(step["agent"], step["tool"])
        assert tool is not None, where
        args = step["args"]
        missing = tool.required_args - set(args)
        unknown = set(args) - tool.arg_names
        if missing or unknown:
            bad.append(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        for param in tool.parameters:
            if param.name not in args:
                continue
            value = args[param.name]
            if isinstance(value, str) and STEP_REF.search(value):
                continue  # filled in from an earlier step at run time
            expected: Any = list if param.type.startswith("list") else CHECKED_TYPES[param.type]
            # bool is an int subclass: only a boolean parameter may hold True/False.
            wrong_bool = isinstance(value, bool) and param.type != "boolean"
            if wrong_bool or not isinstance(value, expected):
                bad.append(f"{where}: {param.name}={value!r} is not {param.type}")
    assert not bad, bad


def test_dependencies_point_strictly_backward() -> None:
    # Every edge goes to an earlier position, so the dependency graph cannot have a cycle.
    bad = []
    for where, step in steps():
        position, deps = int(where.rsplit(" ", 1)[1]), step["dependencies"]
        if any(not 1 <= d < position for d in deps) or len(set(deps)) != len(deps):
            bad.append(f"{where}: dependencies {deps}")
    assert not bad, bad


def test_every_step_reference_is_an_earlier_listed_dependency() -> None:
    bad = []
    for where, step in steps():
        position = int(where.rsplit(" ", 1)[1])
        for n in refs(step["args"]):
            if not 1 <= n < position or n not in step["dependencies"]:
                bad.append(f"{where}: {{step_{n}}} with dependencies {step['dependencies']}")
    assert not bad, bad


def test_alternatives_differ_in_their_agent_tool_sequence() -> None:
    bad = []
    for row in rows():
        sequences = [tuple((s["agent"], s["tool"]) for s in p["steps"]) for p in row["plans"]]
        if len(set(sequences)) != len(sequences):
            bad.append(row["id"])
    assert not bad


def test_format_then_parse_reproduces_every_plan_without_issues() -> None:
    bad = []
    for row in rows():
        for k, plan_dict in enumerate(row["plans"]):
            plan = plan_from_dict(plan_dict)
            parsed = parse_plan(format_plan(plan))
            if parsed.plan != plan or parsed.issues:
                bad.append((row["id"], k, parsed.issue_codes))
    assert not bad, bad


def test_every_work_order_plan_uses_the_work_order_agent() -> None:
    # The paper's gold had no WorkOrderAgent; v2 routes every accepted plan of the 47
    # work-order scenarios through it (419 and 433 only for the failure-code table).
    no_wo = [
        (row["id"], k)
        for row in rows()
        if row["type"] == "Workorder"
        for k, plan in enumerate(row["plans"])
        if not any(s["agent"] == "WorkOrderAgent" for s in plan["steps"])
    ]
    assert not no_wo
    assert sum(row["type"] == "Workorder" for row in rows()) == 47


def test_loader_reads_the_shipped_file_as_the_default_source() -> None:
    assert default_gold_source() == "project"
    gold = load_project_gold()
    assert len(gold) == 152
    assert load_gold() == load_gold("project")
    for row in rows():
        entry = gold[row["id"]]
        assert [a.plan for a in entry.alternatives] == [plan_from_dict(p) for p in row["plans"]]
        assert all(isinstance(a.plan, Plan) and a.text for a in entry.alternatives)


def test_version_is_semver_and_has_a_changelog_entry() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", PROJECT_GOLD_VERSION)
    notes = (resources.files("harness_ext") / "data" / "gold_plans_v2.md").read_text("utf-8")
    assert re.search(rf"^### {re.escape(PROJECT_GOLD_VERSION)} \(\d{{4}}-\d\d-\d\d\)", notes, re.M)
