"""``toolplan leaderboard RESULTS_DIR...``: LEADERBOARD.md and plots from lm-eval results."""

from __future__ import annotations

import argparse

HELP = "write results/LEADERBOARD.md and PNG plots from lm-eval results_*.json files"


def configure(parser: argparse.ArgumentParser) -> None:
    """Input folders/files and the output folder."""
    parser.add_argument(
        "results",
        nargs="+",
        metavar="RESULTS_DIR",
        help="lm-eval --output_path folders (searched recursively) or results_*.json files",
    )
    parser.add_argument(
        "--out",
        default="results",
        help="folder for LEADERBOARD.md and the PNGs (default: results)",
    )
    parser.add_argument(
        "--readme",
        metavar="FILE",
        help="also put the table into FILE between <!-- leaderboard:start --> and "
        "<!-- leaderboard:end -->",
    )


def run(args: argparse.Namespace) -> int:
    """Build, write, and say what was written."""
    from harness_ext.reporting.leaderboard import write_leaderboard

    written = write_leaderboard(args.results, args.out, readme=args.readme)
    for path in written:
        print(path)
    return 0
