"""One error family for everything a user can get wrong.

Every message names the thing that is wrong (task, sample id, file) and the fix.
The CLI prints ``ToolplanError`` messages without a traceback and exits with code 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


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
