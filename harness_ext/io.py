"""Small readers shared by every package: JSON-lines files (errors name the file and line)
and booleans as users write them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from harness_ext.errors import DataFileError


class JsonLine(NamedTuple):
    """One decoded line: its 1-based number, ``"<path>:<line>"`` for messages, the value."""

    number: int
    where: str
    value: Any


def iter_jsonl(path: str | Path, fix: str, missing_fix: str | None = None) -> Iterator[JsonLine]:
    """Yield every non-blank line of a JSONL file, decoded.

    Raises:
        DataFileError: the file is missing (with ``missing_fix`` when given) or
            unreadable, or a line is not JSON — naming ``<path>:<line>`` and ``fix``.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", missing_fix or fix) from e
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", fix) from e
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataFileError(where, f"invalid JSON ({e.msg})", fix) from e
        yield JsonLine(n, where, value)


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def parse_bool(value: Any) -> bool | None:
    """A boolean as written in model args, environment variables or stored configs.

    ``True``/``False`` pass through; text is matched case-insensitively against
    ``1/true/yes/on`` and ``0/false/no/off``. Anything else, the empty string included,
    is ``None``: the caller decides whether that is a default or an error.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None
