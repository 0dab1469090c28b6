"""``toolplan agent``: the BFCL multi-turn environment without a model.

``toolplan agent replay --category multi_turn_base --id ID --calls CALLS.json`` executes a
given call list per turn (``[["cd(folder='x')", ...], ...]``, as BFCL's result files hold
them; an episode record of ``toolplan-agent`` is accepted too) on a fresh environment and
prints, as JSON, BFCL's verdict and per turn the state and response checks, the calls'
observations and the ground truth's (``harness_ext.agents.checks``). ``--calls
ground-truth`` replays the task's own ground truth. Exit code 0 when the task passes,
1 when it fails, 2 on an error (a missing file, an unknown id).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError

HELP = "replay a call list on a BFCL multi-turn task and print BFCL's state/response checks"

_FIX = "give a JSON list with one list of call strings per turn, e.g. [[\"cd(folder='x')\"], []]"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``replay`` subcommand."""
    sub = parser.add_subparsers(dest="action", required=True)
    replay = sub.add_parser("replay", help="execute a call list and print the checks as JSON")
    replay.add_argument("--category", default="multi_turn_base", help="multi_turn_base, ...")
    replay.add_argument("--id", required=True, help="task id (multi_turn_base_7) or index (7)")
    replay.add_argument(
        "--calls", required=True, help="CALLS.json, or 'ground-truth' for the task's own"
    )
    replay.add_argument(
        "--states", action="store_true", help="add each turn's backend state to the output"
    )


def read_calls(path: str) -> list[list[Any]]:
    """Per-turn call lists from a JSON file: a list of lists of strings, or an episode record.

    Raises:
        DataFileError: the file is missing, not JSON, or not of either shape.
    """
    from harness_ext.agents.runner import EPISODE_FORMAT, record_calls

    file = Path(path)
    try:
        data = json.loads(file.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(file, "not found", _FIX) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataFileError(file, f"is not JSON ({e})", _FIX) from e
    if isinstance(data, dict) and data.get("format") == EPISODE_FORMAT:
        try:
            return [list(turn) for turn in record_calls(data)]
        except ValueError as e:
            raise DataFileError(file, str(e), _FIX) from e
    if not isinstance(data, list) or not all(
        isinstance(turn, list) and all(isinstance(c, str) for c in turn) for turn in data
    ):
        raise DataFileError(file, "is not a list of lists of call strings", _FIX)
    return data


def run(args: argparse.Namespace) -> int:
    """Replay and print the verdict as JSON."""
    from harness_ext.agents.bfcl import get_task
    from harness_ext.agents.checks import check_calls

    task = get_task(args.category, args.id)
    if args.calls == "ground-truth":
        calls: list[list[Any]] = [list(turn) for turn in task.ground_truth]
    else:
        calls = read_calls(args.calls)
    check = check_calls(task, calls, with_states=args.states)
    print(json.dumps(check.as_dict(with_states=args.states), indent=2, ensure_ascii=False))
    return 0 if check.valid else 1
