"""``toolplan catalog``: import tool definitions into a catalog, and show its prompts.

``toolplan catalog import --from openai-tools|mcp|bfcl FILE... --out CATALOG.json``
converts tool definitions (``harness_ext.planning.catalog_import``; grouping with
``--group file|prefix|map``, ``--map``, ``--separator``, ``--rename OLD=NEW``) and prints
one line per agent. ``toolplan catalog show CATALOG`` prints the informed system turn
(what the model sees beside the question) and the prompt tokens of both conditions in
the model's tokenizer (``--model``, default the embedded ``smollm2-135m``; ``--model
none`` skips counting), counted as the tasks count them: system turn + an empty user
turn + the generation prompt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness_ext.errors import ToolplanError

HELP = "import tool definitions (OpenAI tools, MCP tools/list, BFCL docs) into a catalog; show one"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``import`` and ``show`` subcommands."""
    from harness_ext.planning.catalog_import import GROUPINGS, SOURCE_FORMATS

    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="convert tool definitions into a toolplan-catalog/1 file")
    imp.add_argument("files", nargs="+", metavar="FILE", help="tool definition files")
    imp.add_argument("--from", dest="fmt", required=True, choices=SOURCE_FORMATS)
    imp.add_argument("--out", required=True, help="catalog file to write (JSON)")
    imp.add_argument(
        "--group",
        choices=GROUPINGS,
        default="file",
        help="agents: one per input file (default), by tool-name prefix, or from --map",
    )
    imp.add_argument("--separator", default="_", help="prefix separator for --group prefix")
    imp.add_argument("--map", dest="map_file", help='JSON {"Agent": ["tool", ...]} (--group map)')
    imp.add_argument(
        "--rename", action="append", default=[], metavar="OLD=NEW", help="rename an agent"
    )
    imp.add_argument(
        "--name",
        help="catalog name (default: the --out file's stem, so the name matches the file a "
        "run's --metadata catalog=PATH names)",
    )
    imp.add_argument("--version", default="1", help="catalog version (default 1)")
    imp.add_argument(
        "--domain",
        help='what the tools are for: the prompts start "You plan tool use for <domain>." '
        "(without it, AssetOpsBench's first line is used)",
    )
    show = sub.add_parser("show", help="print the informed prompt and both conditions' tokens")
    show.add_argument("catalog", help="shipped catalog name or catalog file")
    show.add_argument(
        "--model",
        default="smollm2-135m",
        help="tokenizer to count with (alias, hub id or folder; 'none' skips counting)",
    )
    show.add_argument("--question", default="", help="a user question to count with")
    show.add_argument("--quiet", action="store_true", help="only the summary lines")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the subcommand."""
    if args.action == "import":
        return _import(args)
    return _show(args)


def _import(args: argparse.Namespace) -> int:
    from harness_ext.planning.catalog_import import import_catalog, parse_renames

    out = Path(args.out)
    if out.suffix != ".json":
        raise ToolplanError(f"--out {out}: a catalog file ends in .json")
    imported = import_catalog(
        args.fmt,
        args.files,
        grouping=args.group,
        separator=args.separator,
        map_file=args.map_file,
        renames=parse_renames(args.rename),
        name=args.name or out.stem,
        version=args.version,
        domain=args.domain,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(imported.text(), "utf-8")
    cat = imported.catalog
    print(f"wrote {out}: catalog {cat.name} {cat.version}, {len(cat.agents)} agents, "
          f"{len(cat.tools)} tools")  # fmt: skip
    for agent in cat.agents:
        print(f"  {agent.name:<24} {len(agent.tools):>4} tools")
    if not cat.domain:
        print(
            "note: no --domain: the prompts' first line will be AssetOpsBench's",
            file=sys.stderr,
        )
    print(f"next: toolplan catalog show {out}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from harness_ext.planning.catalog import load_catalog
    from harness_ext.planning.prompt_tokens import prompt_token_counter
    from harness_ext.planning.prompts import system_prompt

    cat = load_catalog(args.catalog)
    informed = system_prompt("informed", cat)
    free = system_prompt("free", cat)
    if not args.quiet:
        print(informed)
        print()
    print(
        f"catalog {cat.name} {cat.version}: {len(cat.agents)} agents, {len(cat.tools)} tools; "
        f"informed system turn {len(informed):,} characters, description-free {len(free):,}"
    )
    if args.model.lower() == "none":
        return 0
    counter = prompt_token_counter({"pretrained": args.model})
    if counter is None:
        raise ToolplanError(
            f"tokenizer {args.model!r} could not be loaded. Fix: give --model a local model "
            "folder, an alias (smollm2-135m) or --model none"
        )
    n_informed = counter(informed, args.question)
    n_free = counter(free, args.question)
    saved = 100.0 * (n_informed - n_free) / n_informed if n_informed else 0.0
    print(
        f"prompt tokens ({args.model}, chat template, "
        f"{'the given question' if args.question else 'empty question'}): "
        f"informed {n_informed:,}, description-free {n_free:,} ({saved:.1f} % fewer)"
    )
    return 0
