"""``toolplan``: the command line of toolplan-eval.

Each subcommand lives in its own module under ``harness_ext.commands`` and is
imported only when it runs, so ``toolplan model-path`` does not pay for torch.
A command module defines ``HELP``, ``configure(parser)`` and ``run(args) -> int``,
or ``main(argv) -> int`` when it parses its own arguments (``eval`` reuses lm-eval's).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

from harness_ext import __version__
from harness_ext.errors import ToolplanError, UnknownNameError
from harness_ext.models.threads import prefer_passive_wait

COMMANDS: dict[str, str] = {
    "model-path": "harness_ext.commands.model_path",
    "tasks-path": "harness_ext.commands.tasks_path",
    "tasks": "harness_ext.commands.tasks",
    "eval": "harness_ext.commands.eval",
    "score-plans": "harness_ext.commands.score_plans",
    "score-calls": "harness_ext.commands.score_calls",
    "judge": "harness_ext.commands.judge",
    "quantize": "harness_ext.commands.quantize",
    "check": "harness_ext.commands.check",
    "build-data": "harness_ext.commands.build_data",
    "train": "harness_ext.commands.train",
    "leaderboard": "harness_ext.commands.leaderboard",
    "agent": "harness_ext.commands.agent",
    "catalog": "harness_ext.commands.catalog",
    "scenarios": "harness_ext.commands.scenarios",
}


def _available() -> dict[str, str]:
    found = {}
    for name, module in COMMANDS.items():
        if importlib.util.find_spec(module) is not None:
            found[name] = module
    return found


def _usage() -> str:
    lines = [f"toolplan {__version__} — tool-planning evaluation on lm-evaluation-harness", ""]
    lines.append("usage: toolplan <command> [options]   (toolplan <command> --help)")
    lines.append("")
    for name, module in _available().items():
        help_text = getattr(importlib.import_module(module), "HELP", "")
        lines.append(f"  {name:<13} {help_text}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; ``ToolplanError`` becomes a one-line message and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0
    if args[0] == "--version":
        print(__version__)
        return 0
    name, rest = args[0], args[1:]
    # Before any command imports torch: OpenMP threads that spin while waiting collapse
    # throughput on a shared CPU (harness_ext/models/threads.py); a user's value is kept.
    prefer_passive_wait()
    try:
        module_name = _available().get(name)
        if module_name is None:
            raise UnknownNameError("command", name, _available(), "Run `toolplan --help`.")
        module = importlib.import_module(module_name)
        if hasattr(module, "main"):
            return int(module.main(rest))
        parser = argparse.ArgumentParser(prog=f"toolplan {name}", description=module.HELP)
        module.configure(parser)
        return int(module.run(parser.parse_args(rest)))
    except ToolplanError as e:
        print(f"toolplan {name}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
