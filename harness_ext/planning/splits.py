"""Named scenario subsets.

``paper_test30``: the 30 held-out test scenarios of arXiv 2605.17774 (its notebook's
pattern-aware stratified 80/20 split with seed 42; IoT 4, FMSA 4, TSFM 5,
Workorder 9, multiagent 8). Every other scenario was in its training pool.
"""

from __future__ import annotations

from harness_ext.errors import UnknownNameError

SPLITS: dict[str, tuple[int, ...] | None] = {
    "all": None,
    "paper_test30": (
        6,
        41,
        43,
        45,
        102,
        107,
        117,
        119,
        201,
        206,
        218,
        220,
        223,
        405,
        410,
        413,
        414,
        416,
        419,
        428,
        430,
        439,
        508,
        517,
        520,
        601,
        605,
        607,
        608,
        617,
    ),
}


def split_ids(name: str) -> tuple[int, ...] | None:
    """Ids of a named split (None = every scenario)."""
    if name not in SPLITS:
        raise UnknownNameError("scenario split", name, SPLITS)
    return SPLITS[name]
