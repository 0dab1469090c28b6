"""The three-condition fidelity table (``results/fidelity_test30.md``) from lm-eval results.

    python scripts/fidelity_table.py [--runs results/runs/fidelity_test30]
        [--adapter assetops-free-smollm2-r16] [--samples out/fidelity_test30]
        [--out results/fidelity_test30.md]

A thin entry point: what is picked, computed and written is documented (and tested) in
``harness_ext.reporting.fidelity``. Source paths are shown relative to the repository
root; the adapter's training summary is read from ``adapters/<adapter>/``. With
``--samples DIR`` the per-type numbers are computed from the ``--log_samples`` files
under DIR and saved to ``<runs>/per_type.json``; without it that file is read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from harness_ext.errors import ToolplanError
from harness_ext.reporting.fidelity import write_fidelity

ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, write the block, name the file written (errors: exit 2)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", default="results/runs/fidelity_test30")
    parser.add_argument("--adapter", default="assetops-free-smollm2-r16")
    parser.add_argument("--samples", default=None, help="folder with --log_samples outputs")
    parser.add_argument("--out", default="results/fidelity_test30.md")
    args = parser.parse_args(argv)
    try:
        write_fidelity(
            Path(args.runs),
            args.adapter,
            Path(args.out),
            adapters_dir=ROOT / "adapters",
            root=ROOT,
            samples=Path(args.samples) if args.samples else None,
        )
    except ToolplanError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
