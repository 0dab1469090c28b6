"""One error family for everything a user can get wrong.

Every message names the thing that is wrong (task, sample id, file) and the fix.
The CLI prints ``ToolplanError`` messages without a traceback and exits with code 2.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class ToolplanError(Exception):
    """Base class of every error this package raises on purpose."""


class UnknownNameError(ToolplanError, KeyError):
    """A name (task, model alias, catalog, gold source, metric...) is not known."""

    def __init__(self, kind: str, name: str, known: Iterable[str], fix: str = "") -> None:
        known_sorted = sorted(set(known))
        close = difflib.get_close_matches(name, known_sorted, n=3, cutoff=0.75)
        parts = [f"Unknown {kind} '{name}'."]
        if close:
            parts.append(f"Did you mean: {', '.join(close)}?")
        shown = ", ".join(known_sorted[:30]) + (" ..." if len(known_sorted) > 30 else "")
        parts.append(f"Known {kind}s: {shown or '(none)'}.")
        if fix:
            parts.append(fix)
        self.kind, self.name, self.known = kind, name, known_sorted
        super().__init__(" ".join(parts))

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class DataFileError(ToolplanError):
    """A data file (scenarios, catalog, gold plans, predictions...) is missing or malformed."""

    def __init__(self, path: str | Path, problem: str, fix: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: {problem}. Fix: {fix}")


class ModelLoadError(ToolplanError):
    """A model, adapter or quantization setting cannot be used as asked."""


class JudgeError(ToolplanError):
    """The LLM judge is misconfigured (not: a single reply was unparseable)."""


class MissingDependencyError(ToolplanError):
    """An optional package that this feature needs is not installed."""

    def __init__(self, package: str, feature: str, install: str) -> None:
        super().__init__(f"{feature} needs the package '{package}'. Install it with: {install}")


# ---- schema errors (pydantic) as one readable line

_PLAIN = {
    "missing": "is missing",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "too_short": "must not be empty",
}


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _explain(error: Any) -> str:
    """One pydantic error as ``'agents[0].tools[1].name' must be a string (found 3)``."""
    where = _location(error["loc"])
    kind = error["type"]
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
    elif kind == "literal_error":
        text = f"must be {error.get('ctx', {}).get('expected', '')}"
    else:
        text = _PLAIN.get(kind, error["msg"][:1].lower() + error["msg"][1:])
    if not where:
        return "the top level must be a JSON object" if kind == "model_type" else text
    if kind in ("missing", "value_error"):
        return f"'{where}' {text}"
    found = f" (found {json.dumps(error['input'], default=str)[:60]})"
    return f"'{where}' {text}{found}"


def describe_validation_error(error: ValidationError, limit: int = 5) -> str:
    """Every field a pydantic schema refused, as one line for a ``DataFileError``.

    Each part names the field as a path (``agents[0].tools[1].name``), what is wrong and
    the value found (``must be a string (found 3)``); after ``limit`` parts the rest are
    counted (``... 3 more``).
    """
    problems = [_explain(err) for err in error.errors()]
    more = f"; ... {len(problems) - limit} more" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more
