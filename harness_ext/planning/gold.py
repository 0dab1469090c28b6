"""Gold plans: the reference a prediction is scored against.

Two sources:

* ``project`` — toolplan-eval's own gold set (package data), written against the full
  5-agent / 23-tool catalog, with acceptable alternatives per scenario;
* ``paper`` — arXiv 2605.17774's reference (Gemini 2.5 Flash informed plans,
  ``gold_plans/hpml-2026-project/gemini_flash_informed_results.json`` under
  ``ASSETOPSBENCH_DIR``), or any file of that shape given by path.

In the paper's file, entries with ``plan_steps`` 0 (ids 401, 402, 446: prose answers)
and id 410 (no response; the generation timed out) have no plan. As in the paper's
notebook, those scenarios stay in the evaluation with an *empty* gold plan: a
prediction then scores AT-F1 1.0 only if it has no step either.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.io import iter_jsonl
from harness_ext.planning.plans import Plan, format_plan, parse_plan, plan_from_dict

PAPER_GOLD_RELATIVE = "gold_plans/hpml-2026-project/gemini_flash_informed_results.json"
PROJECT_GOLD_RESOURCE = "gold_plans_v2.jsonl"
# Version of the shipped project gold set; its changelog is data/gold_plans_v2.md.
# Bump it (and the tasks' metadata.version) whenever a plan changes.
PROJECT_GOLD_VERSION = "2.0.0"
GOLD_SOURCES = ("project", "paper")


@dataclass(frozen=True)
class GoldPlan:
    """One acceptable reference plan and its text (the text feeds ``at_f1_nb`` and the judge)."""

    plan: Plan
    text: str


@dataclass(frozen=True)
class GoldEntry:
    """All acceptable plans of one scenario; no alternatives means "no gold plan"."""

    scenario_id: int
    alternatives: tuple[GoldPlan, ...]

    @property
    def primary_text(self) -> str:
        """Text of the first alternative ("" when there is no gold plan)."""
        return self.alternatives[0].text if self.alternatives else ""


def project_gold_available() -> bool:
    """True once the project's own gold file ships with the package."""
    return (resources.files("harness_ext") / "data" / PROJECT_GOLD_RESOURCE).is_file()


def default_gold_source(scenarios: str | None = None) -> str:
    """The gold a run uses when none is named.

    ``scenarios`` itself when it is a scenario file in the user format (its ``gold``
    fields, ``harness_ext.planning.scenario_gold``); else ``project`` when the project's
    gold file ships, else ``paper``.
    """
    if scenarios is not None:
        from harness_ext.planning.scenario_gold import is_user_file

        if is_user_file(scenarios):
            return scenarios
    return "project" if project_gold_available() else "paper"


def _paper_gold_path(scenarios_dir: str | None) -> Path:
    base = scenarios_dir or os.environ.get("ASSETOPSBENCH_DIR")
    if not base:
        raise DataFileError(
            PAPER_GOLD_RELATIVE,
            "the paper's gold plans need a local AssetOpsBench data folder",
            "set ASSETOPSBENCH_DIR to the folder that holds gold_plans/, "
            "or pass the gold file's path instead of 'paper'",
        )
    root = Path(base).expanduser()
    return (root if root.is_dir() else root.parent) / PAPER_GOLD_RELATIVE


_PAPER_FIX = "point the gold source at the paper's gemini_flash_informed_results.json"


def read_paper_rows(path: str | Path) -> list[dict[str, Any]]:
    """The entries of a gold file in the paper's shape, each with an integer ``id``."""
    path = Path(path)
    try:
        rows = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(path, "file not found", _PAPER_FIX) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataFileError(path, f"not readable JSON ({e})", _PAPER_FIX) from e
    if not isinstance(rows, list):
        raise DataFileError(path, "expected a JSON list of gold entries", _PAPER_FIX)
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            raise DataFileError(path, f"entry {i} has no integer 'id'", _PAPER_FIX)
    return rows


def load_paper_gold(path: str | Path) -> dict[int, GoldEntry]:
    """Read a gold file in the paper's shape (a JSON list of {id, response, plan_steps})."""
    gold: dict[int, GoldEntry] = {}
    for row in read_paper_rows(path):
        text = row.get("response") or ""
        has_plan = bool(text) and int(row.get("plan_steps") or 0) > 0
        alternatives = (GoldPlan(parse_plan(text).plan, text),) if has_plan else ()
        gold[row["id"]] = GoldEntry(row["id"], alternatives)
    return gold


def parse_project_gold_line(row: Any, where: str) -> GoldEntry:
    """One line of the project's gold JSONL: {"id", "plans": [{"steps": [...]}, ...]}."""
    fix = "each line must be {'id': int, 'plans': [{'steps': [...]}, ...]}"
    if not isinstance(row, dict) or not isinstance(row.get("id"), int):
        raise DataFileError(where, "missing integer 'id'", fix)
    plans = row.get("plans")
    if not isinstance(plans, list) or not plans:
        raise DataFileError(where, f"scenario {row['id']} has no 'plans'", fix)
    alternatives = []
    for plan_dict in plans:
        if not isinstance(plan_dict, dict):
            raise DataFileError(where, f"scenario {row['id']}: a plan is not an object", fix)
        plan = plan_from_dict(plan_dict)
        alternatives.append(GoldPlan(plan, format_plan(plan)))
    return GoldEntry(row["id"], tuple(alternatives))


def load_project_gold(path: str | Path | None = None) -> dict[int, GoldEntry]:
    """Read the project's gold JSONL (the shipped one when ``path`` is None)."""
    if path is None:
        resource = resources.files("harness_ext") / "data" / PROJECT_GOLD_RESOURCE
        if not resource.is_file():
            raise DataFileError(
                str(resource),
                "the project's gold set is not shipped in this version",
                "use gold=paper (with ASSETOPSBENCH_DIR set) or a gold file path",
            )
        path = Path(str(resource))
    gold: dict[int, GoldEntry] = {}
    for line in iter_jsonl(path, "fix that line, or regenerate the file"):
        entry = parse_project_gold_line(line.value, line.where)
        gold[entry.scenario_id] = entry
    return gold


@cache
def load_gold(
    source: str | None = None, scenarios_dir: str | None = None, catalog: str | None = None
) -> dict[int, GoldEntry]:
    """Resolve a gold source name or path to {scenario id: GoldEntry}.

    ``source``: ``project`` (default once shipped), ``paper``, or a path to a file in
    either shape (``.jsonl`` = project shape, ``.json`` = paper shape), or a scenario
    file in the user format, whose ``gold`` fields are read against ``catalog`` (a
    name or path; default ``assetops_23``).
    """
    source = source or default_gold_source()
    if source == "project":
        return load_project_gold()
    if source == "paper":
        return load_paper_gold(_paper_gold_path(scenarios_dir))
    path = Path(source).expanduser()
    if not path.exists():
        raise DataFileError(
            source,
            "is neither a gold source name nor an existing file",
            f"use one of {', '.join(GOLD_SOURCES)} or the path of a gold file",
        )
    from harness_ext.planning.scenario_gold import is_user_file

    if is_user_file(path):
        from harness_ext.planning.catalog import load_catalog
        from harness_ext.planning.scenario_gold import load_user_gold

        return load_user_gold(path, load_catalog(catalog))
    return load_project_gold(path) if path.suffix == ".jsonl" else load_paper_gold(path)
