"""``toolplan scenarios``: check your own scenarios; convert BFCL multi-turn into scenarios.

``toolplan scenarios check FILE --catalog C`` reads a scenario file in the user format
(``harness_ext.planning.scenarios``) and its gold against a catalog, and prints every
problem with its namespaced cause (``harness_ext.planning.scenario_gold``): unknown
agents and tools, a tool under the wrong agent, bad dependencies, unreadable gold
(errors, exit 1), unknown or missing arguments and scenarios without gold (warnings,
exit 0). ``toolplan scenarios bfcl-multi-turn --out DIR`` writes the second domain
(``harness_ext.planning.second_domain``): catalog, held-out and training scenarios with
gold, manifest, and a ``.gitignore`` that keeps it all out of git.
"""

from __future__ import annotations

import argparse

HELP = "check a scenario file's gold against a catalog; convert BFCL multi-turn to scenarios"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``check`` and ``bfcl-multi-turn`` subcommands."""
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="report unknown agents/tools in a scenario file's gold")
    check.add_argument("file", help="scenario JSONL in the user format")
    check.add_argument("--catalog", required=True, help="shipped catalog name or catalog file")
    check.add_argument("--max-lines", type=int, default=50, help="problems printed (default 50)")
    bfcl = sub.add_parser(
        "bfcl-multi-turn", help="write BFCL multi-turn as catalog + scenarios + gold (not in git)"
    )
    bfcl.add_argument("--out", required=True, help="output folder (gets a .gitignore)")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the subcommand."""
    if args.action == "check":
        return _check(args)
    return _bfcl(args)


def _check(args: argparse.Namespace) -> int:
    from harness_ext.planning.catalog import load_catalog
    from harness_ext.planning.scenario_gold import check_scenarios

    catalog = load_catalog(args.catalog)
    report = check_scenarios(args.file, catalog)
    for problem in report.problems[: args.max_lines]:
        print(problem)
    hidden = len(report.problems) - args.max_lines
    if hidden > 0:
        print(f"... {hidden} more")
    counts = ", ".join(f"{cause} {n}" for cause, n in report.counts().items()) or "none"
    print(
        f"{report.path}: {report.scenarios} scenarios, {report.with_gold} with usable gold "
        f"({report.steps} steps) against catalog {catalog.name}; problems: {counts}"
    )
    if report.errors:
        print(f"{len(report.errors)} error(s): fix them before a run (the gold would not score)")
        return 1
    return 0


def _bfcl(args: argparse.Namespace) -> int:
    from harness_ext.planning.second_domain import convert

    manifest = convert(args.out)
    for split in ("heldout", "train"):
        info = manifest[split]
        print(
            f"  {split:<8} {info['tasks']:>4} tasks  {info['scenarios']:>4} scenarios  "
            f"{info['steps']:>5} steps ({info['steps_with_dependency']} with a dependency)"
        )
    print(f"wrote {args.out} ({manifest['source']}); it holds a .gitignore: never commit it")
    return 0
