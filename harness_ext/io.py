"""Small readers and writers shared by every package: JSON-lines files (errors name the
file and line), booleans as users write them, and the marked-block writer that puts a
generated table between two marker lines of a hand-written file."""

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


def replace_marked_block(
    path: str | Path,
    start: str,
    end: str,
    block: str,
    what: str,
    title: str | None = None,
) -> None:
    """Replace ``start`` ... ``end`` (markers included) in ``path`` with ``block``.

    ``block`` should begin with ``start`` and end with ``end`` so the next rebuild finds
    them again; the text around the markers is kept byte for byte (line endings
    included). Only the first ``start`` and the first ``end`` after it count.

    Args:
        path: the file holding the markers (UTF-8).
        start: the opening marker line, e.g. ``<!-- leaderboard:start -->``.
        end: the closing marker line.
        block: the new text, markers included.
        what: what the block holds, for the error message ("leaderboard").
        title: when given and ``path`` does not exist, the file is created as
            ``# <title>``, a blank line, the block and a newline; when ``None``, a
            missing file is an error.

    Raises:
        DataFileError: the file cannot be read (and no ``title`` allows creating it) or
            one of the markers is missing; nothing is written then.
    """
    path = Path(path)
    if title is not None and not path.exists():
        path.write_text(f"# {title}\n\n{block}\n", encoding="utf-8")
        return
    fix = f"put the lines {start} and {end} where the {what} table should go"
    try:
        with path.open(encoding="utf-8", newline="") as f:  # keep line endings as they are
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", fix) from e
    first = text.find(start)
    last = text.find(end, first + len(start)) if first >= 0 else -1
    if first < 0 or last < 0:
        raise DataFileError(path, f"has no {what} markers", fix)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(text[:first] + block + text[last + len(end) :])
