"""``toolplan score-calls``: score function-call outputs made anywhere, without a model.

Input: JSON lines ``{"id": "<BFCL id>", "output": "<model output text>"}`` of one BFCL
category. Output: one JSON line per id (verdict, cause, detail, decoded calls, decoder
notes) and ``{"summary": {...}}`` with the run-level values of the ``fc_bfcl_*`` tasks'
metrics, computed by the same checker (``harness_ext.fc.scoring``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.fc.calls import FORMATS
from harness_ext.fc.data import CATEGORIES, category_name, entries_by_id
from harness_ext.fc.scoring import score_output, summarize

HELP = "score function-call outputs (JSONL of id + output) of one BFCL category; no model"


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options."""
    parser.add_argument("--category", required=True, help=f"BFCL category: {', '.join(CATEGORIES)}")
    parser.add_argument(
        "--predictions", required=True, help='JSONL: {"id": "<BFCL id>", "output": "<text>"}'
    )
    parser.add_argument("--format", choices=FORMATS, default="python", dest="fmt")
    parser.add_argument(
        "--bfcl-data", default=None, help="folder of BFCL data files (default: bfcl-eval's)"
    )
    parser.add_argument("--out", default=None, help="write JSONL here instead of stdout")


def read_outputs(path: Path) -> list[tuple[str, str]]:
    """Read and validate every line first, so a bad line fails before any work is done."""
    fix = 'each line must be a JSON object {"id": "<BFCL id>", "output": "<model output>"}'
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", "check the path") from e
    rows: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: invalid JSON ({e.msg})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            problems.append(f"line {n}: no string 'id'")
            continue
        if not isinstance(row.get("output"), str):
            problems.append(f"line {n} (id {row['id']}): 'output' is not a string")
            continue
        if row["id"] in seen:
            problems.append(f"line {n}: duplicate id {row['id']}")
            continue
        seen.add(row["id"])
        rows.append((row["id"], row["output"]))
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; ... {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise DataFileError(path, f"{len(problems)} bad line(s): {shown}", fix)
    if not rows:
        raise DataFileError(path, "holds no outputs", fix)
    return rows


def run(args: argparse.Namespace) -> int:
    """Score every output and write the JSONL report."""
    category = category_name(args.category)
    outputs = read_outputs(Path(args.predictions))
    entries = entries_by_id(category, args.bfcl_data)
    unknown = [i for i, _ in outputs if i not in entries]
    if unknown:
        raise DataFileError(
            args.predictions,
            f"ids {unknown[:5]} are not in BFCL category '{category}'",
            f"score outputs of one category per run, with --category matching their ids "
            f"(e.g. {next(iter(entries))})",
        )
    rows: list[dict[str, Any]] = []
    metrics = []
    for entry_id, text in outputs:
        entry = entries[entry_id]
        score = score_output(entry.functions, entry.ground_truth, category, text, args.fmt)
        rows.append({"id": entry_id, **score.as_row()})
        metrics.append(score.metrics())
    summary = {"category": category, "format": args.fmt, "n": len(rows), **summarize(metrics)}
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    lines.append(json.dumps({"summary": summary}, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
