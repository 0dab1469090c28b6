"""Copy lm-eval results files into the repo with this checkout's path taken out.

    python scripts/keep_results.py SOURCE.json DEST        # copy one run's results file
                                                            # (DEST: a folder or a .json)
    python scripts/keep_results.py --in-place DIR...       # rewrite every results_*.json

lm-eval records each task's YAML as an absolute ``metadata.config_source``; a committed
results file must not carry the machine's checkout path, so it becomes repo-relative
(``lm_eval_tasks/...``). Values are otherwise untouched (same key order, 2-space indent,
as lm-eval writes them). A file that still holds the checkout path afterwards is an error
naming it. ``tests/leaderboard/test_committed_results.py`` checks what is committed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def portable(data: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """``data`` with every task's ``metadata.config_source`` relative to ``root``."""
    prefix = str(root).rstrip("/") + "/"
    for config in (data.get("configs") or {}).values():
        meta = config.get("metadata") if isinstance(config, dict) else None
        source = meta.get("config_source") if isinstance(meta, dict) else None
        if isinstance(source, str) and source.startswith(prefix):
            meta["config_source"] = source[len(prefix) :]
    return data


def write_portable(source: Path, target: Path, root: Path = ROOT) -> Path:
    """Write ``source`` made portable to ``target``; error if the checkout path remains."""
    original = source.read_text("utf-8")
    text = json.dumps(portable(json.loads(original), root), indent=2, ensure_ascii=False)
    text += "\n" if original.endswith("\n") else ""  # lm-eval writes none; keep the bytes
    if str(root) in text:
        raise SystemExit(f"keep_results: {source} still holds {root} after the rewrite")
    if not (target.is_file() and target.read_text("utf-8") == text):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--in-place", action="store_true")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.in_place:
        for folder in map(Path, args.paths):
            for path in sorted(folder.rglob("results_*.json")):
                write_portable(path, path)
                print(path)
        return 0
    if len(args.paths) != 2:
        parser.error("copy mode takes SOURCE.json DEST")
    source, dest = Path(args.paths[0]), Path(args.paths[1])
    print(write_portable(source, dest if dest.suffix == ".json" else dest / source.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
