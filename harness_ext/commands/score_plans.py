"""``toolplan score-plans``: score plans produced anywhere, without a model.

Input: JSON lines ``{"id": <scenario id>, "prediction": "<plan text>"}`` (a missing or
null prediction is an empty answer).
Output: one JSON line per id with every plan metric, the parse issues and the gold
alternative used, then one summary line ``{"summary": {...}}``:

* ``--aggregate all`` (default): ``"aggregate": "all"``, ``n`` (every row) and the
  run-level values aggregated the way the lm-eval tasks aggregate them
  (``harness_ext.metrics.planning.summarize``; an undefined value is left out and its
  ``_n`` count says why), per scenario type too when the scenarios are available;
* ``--aggregate paper``: the paper's run total, as its ``evaluate_plan_quality.py``
  averages — ``"aggregate": "paper"``, ``at_f1`` (mean over the kept rows; left out
  when none is kept), ``n`` (the rows it kept) and ``skipped`` (rows dropped, by the
  script's first reason: ``empty_answer``, then ``gold_without_actionable_step``).
  The same value is ``at_f1_paper`` / ``at_f1_paper_n`` of the default summary and of
  the lm-eval tasks.

With ``--tokenizer`` each line also gets ``prompt_tokens`` of the ``--condition``
prompt for that scenario (it needs the scenario texts).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.metrics.aggregations import paper_mean
from harness_ext.metrics.planning import score_plan, summarize
from harness_ext.planning.catalog import DEFAULT_CATALOG, load_catalog
from harness_ext.planning.gold import GOLD_SOURCES, default_gold_source, load_gold
from harness_ext.planning.plans import parse_plan

HELP = "score plan predictions (JSONL of id + prediction) against gold plans; no model needed"
AGGREGATES = ("all", "paper")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options."""
    parser.add_argument(
        "--predictions", required=True, help="JSONL: {'id': int, 'prediction': str}"
    )
    parser.add_argument(
        "--gold",
        default=None,
        help=f"{' | '.join(GOLD_SOURCES)} | PATH (default: {default_gold_source()})",
    )
    parser.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog name or file path")
    parser.add_argument(
        "--scenarios", default=None, help="scenario file/folder (default: $ASSETOPSBENCH_DIR)"
    )
    parser.add_argument("--out", default=None, help="write JSONL here instead of stdout")
    parser.add_argument(
        "--tokenizer", default=None, help="also report prompt_tokens in this model's tokenizer"
    )
    parser.add_argument("--condition", choices=("informed", "free"), default="free")
    parser.add_argument(
        "--aggregate",
        choices=AGGREGATES,
        default="all",
        help="summary over every row (all), or the paper script's total: empty answers and "
        "gold plans without an actionable step skipped (paper)",
    )


def read_predictions(path: Path) -> list[tuple[int, str]]:
    """Read and validate every line first, so a bad line fails before any work is done."""
    fix = 'each line must be a JSON object {"id": <scenario id>, "prediction": "<plan text>"}'
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", "check the path") from e
    rows: list[tuple[int, str]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: invalid JSON ({e.msg})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            problems.append(f"line {n}: no integer 'id'")
            continue
        prediction = row.get("prediction")
        if prediction is not None and not isinstance(prediction, str):
            problems.append(f"line {n} (id {row['id']}): 'prediction' is not a string")
            continue
        if row["id"] in seen:
            problems.append(f"line {n}: duplicate id {row['id']}")
            continue
        seen.add(row["id"])
        rows.append((row["id"], prediction or ""))
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; ... {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise DataFileError(path, f"{len(problems)} bad line(s): {shown}", fix)
    if not rows:
        raise DataFileError(path, "holds no predictions", fix)
    return rows


def run(args: argparse.Namespace) -> int:
    """Score every prediction and write the JSONL report."""
    predictions = read_predictions(Path(args.predictions))
    gold = load_gold(args.gold, args.scenarios)
    catalog = load_catalog(args.catalog)
    unknown = [i for i, _ in predictions if i not in gold]
    if unknown:
        raise DataFileError(
            args.predictions,
            f"ids {unknown[:10]} have no gold entry in '{args.gold or default_gold_source()}'",
            "score only AssetOpsBench scenario ids, or pass the matching gold file",
        )
    types, prompt_tokens = _scenario_extras(args, [i for i, _ in predictions])
    rows: list[dict[str, Any]] = []
    for scenario_id, text in predictions:
        parsed = parse_plan(text)
        score = score_plan(text, gold[scenario_id].alternatives, catalog, parsed=parsed)
        row: dict[str, Any] = {"id": scenario_id}
        if scenario_id in types:
            row["type"] = types[scenario_id]
        row.update(score.as_metrics())
        if scenario_id in prompt_tokens:
            row["prompt_tokens"] = prompt_tokens[scenario_id]
        row["issues"] = list(score.issues)
        row["gold_alternative"] = score.gold_alternative
        rows.append(row)
    summary = paper_summary(rows) if args.aggregate == "paper" else _summary(rows, bool(types))
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    lines.append(json.dumps({"summary": summary}, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _summary(rows: list[dict[str, Any]], by_type: bool) -> dict[str, Any]:
    summary: dict[str, Any] = {"aggregate": "all", "n": len(rows), **summarize(rows)}
    if by_type:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row.get("type", ""), []).append(row)
        summary["by_type"] = {t: {"n": len(r), **summarize(r)} for t, r in sorted(groups.items())}
    return summary


def paper_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The paper script's run total over scored rows (each with its ``at_f1_paper`` record).

    Kept: rows with an answer whose gold has an actionable step. ``at_f1`` is their
    mean (left out when no row is kept: undefined, not 0); ``skipped`` counts the others
    by the first reason the script checks (an empty answer before the gold plan).
    """
    records = [row["at_f1_paper"] for row in rows]
    empty = sum(1 for r in records if not r["answered"])
    no_gold = sum(1 for r in records if r["answered"] and not r["gold_actionable"])
    summary: dict[str, Any] = {"aggregate": "paper"}
    value = paper_mean(records)
    if not math.isnan(value):
        summary["at_f1"] = value
    summary["n"] = len(records) - empty - no_gold
    summary["skipped"] = {"empty_answer": empty, "gold_without_actionable_step": no_gold}
    return summary


def _scenario_extras(
    args: argparse.Namespace, ids: list[int]
) -> tuple[dict[int, str], dict[int, int]]:
    """Scenario types (when scenarios are available) and prompt tokens (when asked)."""
    import os

    from harness_ext.planning.scenarios import ENV_VAR, load_scenarios

    if not (args.scenarios or os.environ.get(ENV_VAR) or args.tokenizer):
        return {}, {}
    scenarios = {s.id: s for s in load_scenarios(args.scenarios)}
    types = {i: scenarios[i].type for i in ids if i in scenarios}
    tokens: dict[int, int] = {}
    if args.tokenizer:
        from harness_ext.planning.prompt_tokens import prompt_token_counter
        from harness_ext.planning.prompts import system_prompt

        counter = prompt_token_counter({"pretrained": args.tokenizer})
        if counter is None:
            raise DataFileError(args.tokenizer, "tokenizer could not be loaded", "check the name")
        system = system_prompt(args.condition, load_catalog(args.catalog))
        tokens = {i: counter(system, scenarios[i].text) for i in ids if i in scenarios}
    return types, tokens
