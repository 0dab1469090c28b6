"""Rank ablation: planning quality vs retention for LoRA ranks 4, 8, 16, 32.

    python scripts/rank_ablation.py collect --adapter DIR     # after training one rank
    python scripts/rank_ablation.py report [--runs results/runs] [--out results]

A thin entry point over ``harness_ext.reporting.ablation`` (what is collected, matched
and written is documented and tested there). ``collect`` copies an adapter's training
record and size into ``results/runs/rank_ablation/<adapter name>/``; ``report`` writes
``results/rank_ablation.md`` (its marked block) and ``results/rank_ablation.png``, with
source paths relative to the repository root.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from harness_ext.errors import ToolplanError
from harness_ext.reporting.ablation import ABLATION_DIR, collect, write_report

ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags and run ``collect`` or ``report`` (errors: exit 2)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect", help="copy an adapter's training record into results/")
    c.add_argument("--adapter", required=True)
    c.add_argument("--into", default=f"results/runs/{ABLATION_DIR}")
    r = sub.add_parser("report", help="write results/rank_ablation.md and .png")
    r.add_argument("--runs", default="results/runs")
    r.add_argument("--out", default="results")
    args = parser.parse_args(argv)
    try:
        if args.command == "collect":
            print(f"collected into {collect(Path(args.adapter), Path(args.into))}")
            return 0
        md, png = write_report(Path(args.runs), Path(args.out), root=ROOT)
    except ToolplanError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {md} and {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
