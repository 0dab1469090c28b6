"""Cell formatting and GitHub-markdown tables shared by every report.

A value that was not measured is shown as ``MISSING`` ("–"), never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MISSING = "–"


def fmt(value: float | None, digits: int) -> str:
    """A number with ``digits`` decimals, or "–" when it was not measured (``None``, NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal (0.8 -> "80.0"), or "–"."""
    return fmt(None if value is None else 100 * value, 1)


def github_table(header: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    """A GitHub-markdown table of strings, kept as written (no number parsing)."""
    from tabulate import tabulate

    return str(tabulate(cells, headers=header, tablefmt="github", disable_numparse=True))
