"""``toolplan build-data``: generate decontaminated chat-format training data for a catalog."""

from __future__ import annotations

import argparse
import sys

from harness_ext.training.data import (
    AGAINST_ALIASES,
    DEFAULT_SIZES,
    DEFAULT_TOTAL,
    EVAL_FRACTION,
    FAMILIES,
    MANIFEST_FILE,
    REPORT_FILE,
    TEMPLATES,
    THRESHOLD,
    BuildConfig,
    build_dataset,
    parse_family_sizes,
    write_dataset,
)

HELP = "build decontaminated training data (tool knowledge, question->plan, traces)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the build-data options."""
    parser.add_argument(
        "--catalog", default="assetops_23", help="shipped catalog name or catalog file path"
    )
    parser.add_argument(
        "--scenarios",
        default=None,
        help="scenario file or folder (default: $ASSETOPSBENCH_DIR); gives the evaluation "
        "texts to decontaminate against and the training questions of gold plans",
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--family",
        choices=("planning", "agent"),
        default="planning",
        help="planning: the catalog families below; agent: role-labelled alpha-UMi data from "
        "BFCL multi-turn ground truth of training task ids (harness_ext.agents)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--size",
        type=int,
        default=None,
        help=f"total examples, split over the families in the default proportions "
        f"(default {DEFAULT_TOTAL}: "
        + ", ".join(f"{f} {n}" for f, n in DEFAULT_SIZES.items())
        + ")",
    )
    parser.add_argument(
        "--family-size",
        action="append",
        default=[],
        metavar="NAME=N",
        help=f"examples of one family ({', '.join(FAMILIES)}); repeatable; overrides --size",
    )
    parser.add_argument(
        "--decontaminate-against",
        default="test30",
        help=f"{', '.join(AGAINST_ALIASES)} (the paper's 30 test ids), all, any split name, none, "
        "or a path (scenario file, or .txt with one text per line)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        help="difflib ratio above which an example is dropped",
    )
    parser.add_argument(
        "--gold",
        default="auto",
        help="gold plans for training scenarios: auto (the gold fields of a user-format "
        "--scenarios file, else project gold with the AssetOpsBench catalog), project, paper, "
        "none, or a gold file path; never read for evaluation ids",
    )
    parser.add_argument(
        "--templates",
        choices=TEMPLATES,
        default="all",
        help="all: catalog-driven generators plus the hand-written AssetOpsBench templates "
        "when the catalog is assetops_23; generic: catalog-driven generators and the gold "
        "pairs as written only, nothing specific to one catalog",
    )
    parser.add_argument("--eval-fraction", type=float, default=EVAL_FRACTION)
    parser.add_argument(
        "--no-system",
        action="store_true",
        help="omit system turns (user + assistant only, the paper's format)",
    )


def run(args: argparse.Namespace) -> int:
    """Build, write, and print a summary (warnings go to stderr)."""
    if args.family == "agent":
        return _run_agent(args)
    config = BuildConfig(
        catalog=args.catalog,
        scenarios=args.scenarios,
        seed=args.seed,
        sizes=parse_family_sizes(args.family_size, args.size),
        decontaminate_against=args.decontaminate_against,
        threshold=args.threshold,
        eval_fraction=args.eval_fraction,
        system_turns=not args.no_system,
        gold=args.gold,
        templates=args.templates,
    )
    result = build_dataset(config)
    paths = write_dataset(result, args.out)
    m = result.manifest
    print(
        f"catalog {m['catalog']['name']} {m['catalog']['version']}, seed {m['seed']}, "
        f"gold: {m['gold'].get('source')}, templates: {m.get('templates', 'all')}"
    )
    for family in FAMILIES:
        print(
            f"  {family:<15} train {m['counts']['train'][family]:>5}  "
            f"eval {m['counts']['eval'][family]:>4}"
        )
    d = m["decontamination"]
    print(
        f"decontamination against {d['against']} ({d['eval_texts']} texts, ratio > "
        f"{d['threshold']}): {d['dropped']} dropped, listed in {paths[REPORT_FILE]}"
    )
    for family, missing in m["shortfall"].items():
        print(
            f"warning: {family} has {missing} fewer examples than asked: the generators ran out "
            "of distinct questions for this catalog",
            file=sys.stderr,
        )
    if d["eval_texts"] == 0:
        print("warning: no evaluation texts: nothing was decontaminated", file=sys.stderr)
    print(f"wrote {m['counts']['total']} examples to {args.out} (manifest: {paths[MANIFEST_FILE]})")
    return 0


def _run_agent(args: argparse.Namespace) -> int:
    """``--family agent``: per-role data from BFCL trajectories of training task ids."""
    from harness_ext.agents.training_data import (
        AgentDataConfig,
        build_agent_dataset,
        write_agent_dataset,
    )

    data = build_agent_dataset(
        AgentDataConfig(threshold=args.threshold, eval_fraction=args.eval_fraction, seed=args.seed)
    )
    paths = write_agent_dataset(data, args.out)
    m = data.manifest
    print(
        f"agent data from {m['tasks_used']} training tasks of {', '.join(m['categories'])} "
        f"({m['split']['heldout_size']} held-out indices never read)"
    )
    for role, n in m["counts"]["train"].items():
        print(f"  {role:<11} train {n:>5}  eval {m['counts']['eval'][role]:>4}")
    print(
        f"decontamination (ratio > {args.threshold}): {m['tasks_dropped']} training tasks "
        f"dropped, listed in {paths[REPORT_FILE]}"
    )
    print(f"wrote {args.out} (manifest: {paths[MANIFEST_FILE]})")
    return 0
