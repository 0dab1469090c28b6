"""Compare the paper's gold plans with the project's gold v2 and write a Markdown report.

The paper's plans are treated as *predictions* and the project's plans as the
*reference*, exactly as ``toolplan score-plans --gold project`` does when fed the
paper's responses, so the per-type AT-F1 here equals that command's ``by_type``.

Per scenario:
    * ``agree``: the paper's actionable (agent, tool) set equals the set of at least
      one v2 alternative (``agree_primary``: of the first one);
    * ``at_f1``: ``score_plan`` of the paper's raw response (``""`` when it has none)
      against all v2 alternatives (best alternative wins);
    * ``reasons``: why the sets differ, compared with the alternative ``score_plan``
      picked. Reasons are namespaced codes (``paper:...``) so they can be counted.

Run ``python -m harness_ext.reporting.gold_report`` (needs ``ASSETOPSBENCH_DIR``); it rewrites
``results/gold_v2_report.md``. The output depends only on the two gold files, the
catalog and the scenario types, so reruns are byte-identical.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness_ext.errors import DataFileError
from harness_ext.metrics.planning import actionable_pairs, score_plan
from harness_ext.planning.catalog import Catalog, load_catalog
from harness_ext.planning.gold import (
    PAPER_GOLD_RELATIVE,
    PROJECT_GOLD_VERSION,
    GoldEntry,
    load_project_gold,
    read_paper_rows,
)
from harness_ext.planning.plans import parse_plan
from harness_ext.planning.scenarios import ENV_VAR, load_scenarios

TYPE_ORDER = ("IoT", "FMSA", "TSFM", "Workorder", "multiagent")
DEFAULT_OUT = Path("results") / "gold_v2_report.md"
LOOKUP_PAIRS = frozenset({("IoTAgent", "sites"), ("IoTAgent", "assets")})
Pair = tuple[str, str]

# What each reason family means, in the report's words.
EXPLAIN = {
    "paper:no_plan_empty": "the paper's file has no response at all (generation failed).",
    "paper:no_plan_prose": "the paper answered in prose (no steps); the teacher had no "
    "work-order tools and said so.",
    "paper:reasoning_only": "the paper's plan has only `none` steps, so no tool would run.",
    "paper:work_order_routed_elsewhere": "v2 routes the question to WorkOrderAgent; the "
    "paper, generated without that agent, sends it to IoT/FMSR/TSFM tools instead.",
    "paper:extra_id_lookup": "the paper looks up sites/assets to find an id the question "
    "already gives (over-decomposition).",
    "paper:missing_step": "the paper stops before a step v2 needs (listed per tool).",
    "paper:extra_step": "the paper adds a tool v2 does not need (listed per tool).",
}


@dataclass(frozen=True)
class Comparison:
    """The paper's plan for one scenario against the project's gold."""

    scenario_id: int
    type: str
    at_f1: float
    agree: bool
    agree_primary: bool
    alternative: int
    alternatives: int
    reasons: tuple[str, ...]


def paper_responses(path: Path) -> dict[int, str]:
    """Raw response text per id from the paper's gold file ("" when there is none)."""
    return {int(r["id"]): str(r.get("response") or "") for r in read_paper_rows(path)}


def _reasons(
    response: str,
    paper: set[Pair],
    reference: set[Pair],
    paper_has_steps: bool,
) -> tuple[str, ...]:
    if paper == reference:
        return ()
    if not paper:
        if not response.strip():
            return ("paper:no_plan_empty",)
        return ("paper:reasoning_only",) if paper_has_steps else ("paper:no_plan_prose",)
    reference_agents = {a for a, _ in reference}
    if "WorkOrderAgent" in reference_agents and not any(a == "WorkOrderAgent" for a, _ in paper):
        return ("paper:work_order_routed_elsewhere",)
    reasons = []
    if (paper - reference) & LOOKUP_PAIRS:
        reasons.append("paper:extra_id_lookup")
    reasons += [f"paper:missing_step:{a}.{t}" for a, t in sorted(reference - paper)]
    reasons += [f"paper:extra_step:{a}.{t}" for a, t in sorted(paper - reference - LOOKUP_PAIRS)]
    return tuple(reasons)


def compare(
    responses: dict[int, str],
    gold: dict[int, GoldEntry],
    types: dict[int, str],
    catalog: Catalog,
) -> list[Comparison]:
    """One ``Comparison`` per project gold id, in id order."""
    out = []
    for sid in sorted(gold):
        response = responses.get(sid, "")
        parsed = parse_plan(response)
        score = score_plan(response, gold[sid].alternatives, catalog, parsed=parsed)
        paper = set(actionable_pairs(parsed.plan, catalog))
        sets = [set(actionable_pairs(a.plan, catalog)) for a in gold[sid].alternatives]
        chosen = score.gold_alternative or 0
        out.append(
            Comparison(
                scenario_id=sid,
                type=types[sid],
                at_f1=score.values["at_f1"],
                agree=paper in sets,
                agree_primary=paper == sets[0],
                alternative=chosen,
                alternatives=len(sets),
                reasons=_reasons(response, paper, sets[chosen], bool(parsed.plan.steps)),
            )
        )
    return out


def per_type_at_f1(rows: Sequence[Comparison]) -> dict[str, float]:
    """Mean AT-F1 per scenario type (types in report order, unknown types after)."""
    types = sorted({r.type for r in rows}, key=_type_key)
    return {t: _mean([r.at_f1 for r in rows if r.type == t]) for t in types}


def _type_key(name: str) -> tuple[int, str]:
    return (TYPE_ORDER.index(name) if name in TYPE_ORDER else len(TYPE_ORDER), name)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _family(code: str) -> str:
    parts = code.split(":")
    return ":".join(parts[:2])


def render(rows: Sequence[Comparison]) -> str:
    """The Markdown report (numbers to 4 decimals; the test compares at that precision)."""
    lines = [
        "# Project gold v2 vs the paper's gold",
        "",
        f"Generated by `python -m harness_ext.reporting.gold_report` from `harness_ext/data/"
        f"gold_plans_v2.jsonl` (version {PROJECT_GOLD_VERSION}) and the paper's "
        f"`{PAPER_GOLD_RELATIVE}` (read from `$ASSETOPSBENCH_DIR`). Do not edit by hand.",
        "",
        "The paper's plans are scored as predictions against v2 as the reference (best v2 "
        "alternative per scenario, the rule of `score_plan`); a scenario whose paper "
        'response is missing is scored with the prediction `""`. The same numbers come from',
        "",
        "```",
        "toolplan score-plans --predictions paper_as_predictions.jsonl --gold project",
        "```",
        "",
        "(`summary.by_type.<type>.at_f1`), which `tests/gold/test_gold_v2_report.py` checks.",
        "",
        "## Per type",
        "",
        "`agree`: the paper's actionable (agent, tool) set equals that of some v2 "
        "alternative (`agree (first)`: of the preferred one).",
        "",
        "| type | scenarios | v2 plans (with alternatives) | agree | agree (first) "
        "| AT-F1 (paper vs v2) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    types = per_type_at_f1(rows)
    for t, value in types.items():
        group = [r for r in rows if r.type == t]
        lines.append(
            f"| {t} | {len(group)} | {sum(r.alternatives for r in group)} "
            f"| {sum(r.agree for r in group)} "
            f"| {sum(r.agree_primary for r in group)} | {value:.4f} |"
        )
    lines.append(
        f"| **all** | {len(rows)} | {sum(r.alternatives for r in rows)} "
        f"| {sum(r.agree for r in rows)} "
        f"| {sum(r.agree_primary for r in rows)} | {_mean([r.at_f1 for r in rows]):.4f} |"
    )
    lines += [
        "",
        "## Why they disagree",
        "",
        "Each disagreeing scenario gets one or more reasons, found by comparing the paper's "
        "(agent, tool) set with the v2 alternative it matched best. A work-order scenario "
        "routed away from WorkOrderAgent gets only that reason.",
        "",
        "| reason | scenarios | examples | meaning |",
        "|---|---:|---|---|",
    ]
    codes: dict[str, list[int]] = {}
    for r in rows:
        for code in r.reasons:
            codes.setdefault(code, []).append(r.scenario_id)
    for code in sorted(codes, key=lambda c: (list(EXPLAIN).index(_family(c)), c)):
        ids = codes[code]
        meaning = EXPLAIN[_family(code)]
        if code.count(":") == 2:
            tool = code.rsplit(":", 1)[1]
            verb = "lacks" if _family(code) == "paper:missing_step" else "adds"
            meaning = f"the paper {verb} `{tool}`."
        examples = ", ".join(str(i) for i in ids[:2])
        lines.append(f"| `{code}` | {len(ids)} | {examples} | {meaning} |")
    disagree = [r for r in rows if not r.agree]
    lines += [
        "",
        f"{len(disagree)} of {len(rows)} scenarios disagree. Reason families:",
        "",
    ]
    for family, meaning in EXPLAIN.items():
        ids = sorted({r.scenario_id for r in rows if any(_family(c) == family for c in r.reasons)})
        if ids:
            shown = ", ".join(str(i) for i in ids[:2])
            lines.append(f"* `{family}` ({len(ids)} scenarios, e.g. {shown}): {meaning}")
    lines += [
        "",
        "## Per scenario",
        "",
        "| id | type | AT-F1 | agree | v2 alternative used | reasons |",
        "|---:|---|---:|---|---:|---|",
    ]
    for r in rows:
        reasons = ", ".join(f"`{c}`" for c in r.reasons) or "-"
        lines.append(
            f"| {r.scenario_id} | {r.type} | {r.at_f1:.4f} | {'yes' if r.agree else 'no'} "
            f"| {r.alternative} | {reasons} |"
        )
    return "\n".join(lines) + "\n"


def build(scenarios_dir: str | None = None, gold_path: str | None = None) -> list[Comparison]:
    """Load both gold sets, the catalog and the scenario types, and compare them."""
    base = scenarios_dir or os.environ.get(ENV_VAR)
    if not base:
        raise DataFileError(
            PAPER_GOLD_RELATIVE,
            "the report needs the paper's gold file",
            f"set {ENV_VAR} to the AssetOpsBench data folder",
        )
    responses = paper_responses(Path(base) / PAPER_GOLD_RELATIVE)
    gold = load_project_gold(gold_path)
    types = {s.id: s.type for s in load_scenarios(base)}
    missing = sorted(set(gold) - set(types))
    if missing:
        raise DataFileError(base, f"has no scenarios {missing[:10]}", "use the 152-scenario set")
    return compare(responses, gold, types, load_catalog())


def main(argv: Sequence[str] | None = None) -> int:
    """Write the report (default ``results/gold_v2_report.md``)."""
    parser = argparse.ArgumentParser(prog="python -m harness_ext.reporting.gold_report")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="Markdown file to write")
    parser.add_argument("--scenarios", default=None, help=f"data folder (default: ${ENV_VAR})")
    args = parser.parse_args(argv)
    text = render(build(args.scenarios))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
