"""BFCL single-turn data, read in place from the installed ``bfcl-eval`` package.

Files: ``bfcl_eval/data/BFCL_v4_<category>.json`` (questions) and
``bfcl_eval/data/possible_answer/BFCL_v4_<category>.json`` (answers), both JSON Lines.
Nothing is copied into this repository. ``bfcl_eval.utils`` is never imported (its
import creates folders inside site-packages); only ``importlib.resources`` locates the
files. A different copy of the data (a BFCL checkout, a newer release) can be used by
passing ``data_dir`` (task metadata ``bfcl_data=PATH``): a folder holding the same two
kinds of files.

Categories use the task names' suffixes (``simple``, ``live_multiple``, ...); the BFCL
file names are accepted too (``simple_python``). Our ``simple`` is BFCL's
``simple_python`` only (BFCL's leaderboard "Simple" also averages Java and JavaScript).

Every record is validated when loaded: a malformed function doc or answer is a
``DataFileError`` naming the file, the entry id and the field, never a crash later.
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, MissingDependencyError, UnknownNameError

INSTALL = "pip install --no-deps bfcl-eval"

# Our category name -> BFCL's file category.
CATEGORIES: dict[str, str] = {
    "simple": "simple_python",
    "multiple": "multiple",
    "parallel": "parallel",
    "parallel_multiple": "parallel_multiple",
    "irrelevance": "irrelevance",
    "live_simple": "live_simple",
    "live_multiple": "live_multiple",
    "live_parallel": "live_parallel",
    "live_parallel_multiple": "live_parallel_multiple",
    "live_irrelevance": "live_irrelevance",
}
NON_LIVE = ("simple", "multiple", "parallel", "parallel_multiple", "irrelevance")
LIVE = (
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "live_irrelevance",
)

# Parameter types BFCL's Python checker knows (its PYTHON_TYPE_MAPPING).
PARAM_TYPES = frozenset({"string", "integer", "float", "boolean", "array", "tuple", "dict", "any"})
NESTED_TYPES = frozenset({"array", "tuple"})


@dataclass(frozen=True)
class Entry:
    """One BFCL question with its functions and acceptable answers.

    Attributes:
        id: BFCL id, e.g. ``simple_python_0``.
        category: Our category name (``simple``, ``live_multiple``, ...).
        messages: The question's single turn: ``{"role", "content"}`` messages (a
            ``system`` message and earlier exchanges occur in live categories).
        functions: Function docs as BFCL ships them (no language hint added).
        ground_truth: ``[{name: {param: [acceptable values]}}]``; ``""`` among the values
            means the parameter may be omitted. Empty for irrelevance categories.
    """

    id: str
    category: str
    messages: tuple[dict[str, str], ...]
    functions: tuple[dict[str, Any], ...]
    ground_truth: tuple[dict[str, dict[str, list[Any]]], ...]


def category_name(name: str) -> str:
    """Our category name for ``name`` (ours or BFCL's file category).

    Raises:
        UnknownNameError: not a supported single-turn category (close matches listed).
    """
    if name in CATEGORIES:
        return name
    for ours, theirs in CATEGORIES.items():
        if name == theirs:
            return ours
    raise UnknownNameError(
        "BFCL category name",
        name,
        list(CATEGORIES),
        "Supported: the non-live and live single-turn AST categories (Python only).",
    )


def is_irrelevance(category: str) -> bool:
    """True for categories where the right answer is no call at all."""
    return "irrelevance" in category


def data_dir() -> Path:
    """The installed ``bfcl_eval/data`` folder.

    Raises:
        MissingDependencyError: ``bfcl-eval`` is not installed (names the command).
    """
    if importlib.util.find_spec("bfcl_eval") is None:
        raise MissingDependencyError(
            "bfcl-eval", "The BFCL function-calling tasks (fc_bfcl_*)", INSTALL
        )
    return Path(str(importlib.resources.files("bfcl_eval") / "data"))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DataFileError(
            path, "not found", f"install the BFCL data with `{INSTALL}` or pass a folder holding it"
        )
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataFileError(path, f"line {n} is not JSON ({e.msg})", "restore the file") from e
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            raise DataFileError(path, f"line {n} has no string 'id'", "restore the file")
        rows.append(row)
    return rows


def validate_function(doc: Any, where: str) -> None:
    """Check one function doc has what the checker reads.

    Raises:
        DataFileError: naming ``where`` (file and entry id) and the bad field.
    """
    fix = (
        "each function needs a string 'name' and 'description' and 'parameters' "
        "{'type': 'dict', 'properties': {...}, 'required': [...]} with known parameter types"
    )
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or not doc["name"]:
        raise DataFileError(where, "a function has no string 'name'", fix)
    name = doc["name"]
    if not isinstance(doc.get("description"), str):
        raise DataFileError(where, f"function {name}: 'description' is not a string", fix)
    params = doc.get("parameters")
    if not isinstance(params, dict) or not isinstance(params.get("properties"), dict):
        raise DataFileError(
            where, f"function {name}: 'parameters.properties' is not an object", fix
        )
    required = params.get("required")
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise DataFileError(where, f"function {name}: 'parameters.required' is not a list", fix)
    for pname, spec in params["properties"].items():
        field = f"function {name}: parameter '{pname}'"
        if not isinstance(spec, dict) or spec.get("type") not in PARAM_TYPES:
            got = spec.get("type") if isinstance(spec, dict) else spec
            raise DataFileError(
                where, f"{field} has type {got!r}, not one of {sorted(PARAM_TYPES)}", fix
            )
        if spec["type"] in NESTED_TYPES:
            items = spec.get("items")
            if not isinstance(items, dict) or items.get("type") not in PARAM_TYPES:
                raise DataFileError(where, f"{field}: 'items.type' is missing or unknown", fix)


def validate_ground_truth(answer: Any, where: str) -> None:
    """Check one answer is ``[{name: {param: [values]}}]``.

    Raises:
        DataFileError: naming ``where`` and the bad field.
    """
    fix = "'ground_truth' must be a list of {function name: {parameter: [acceptable values]}}"
    if not isinstance(answer, list):
        raise DataFileError(where, "'ground_truth' is not a list", fix)
    for i, call in enumerate(answer):
        if not isinstance(call, dict) or len(call) != 1:
            raise DataFileError(where, f"ground_truth[{i}] is not a one-key object", fix)
        ((name, params),) = call.items()
        if not isinstance(params, dict) or not all(isinstance(v, list) for v in params.values()):
            raise DataFileError(
                where, f"ground_truth[{i}] ({name}): values must be lists of acceptable values", fix
            )


def _messages(row: dict[str, Any], where: str) -> tuple[dict[str, str], ...]:
    question = row.get("question")
    fix = "'question' must be [[{'role': ..., 'content': ...}, ...]] (one turn)"
    if not isinstance(question, list) or len(question) != 1 or not isinstance(question[0], list):
        raise DataFileError(where, "'question' is not a single turn", fix)
    out = []
    for m in question[0]:
        if not (
            isinstance(m, dict)
            and isinstance(m.get("role"), str)
            and isinstance(m.get("content"), str)
        ):
            raise DataFileError(where, "a message lacks a string 'role' or 'content'", fix)
        out.append({"role": m["role"], "content": m["content"]})
    if not out or out[-1]["role"] != "user":
        raise DataFileError(where, "the turn does not end with a user message", fix)
    return tuple(out)


@functools.lru_cache(maxsize=32)
def _load(category: str, folder: str | None) -> tuple[Entry, ...]:
    base = Path(folder) if folder else data_dir()
    bfcl = CATEGORIES[category]
    qpath = base / f"BFCL_v4_{bfcl}.json"
    questions = _read_jsonl(qpath)
    answers: dict[str, Any] = {}
    if not is_irrelevance(category):
        apath = base / "possible_answer" / f"BFCL_v4_{bfcl}.json"
        answers = {row["id"]: row.get("ground_truth") for row in _read_jsonl(apath)}
    entries = []
    for row in questions:
        where = f"{qpath} (id {row['id']})"
        functions = row.get("function")
        if not isinstance(functions, list):
            raise DataFileError(where, "'function' is not a list", "restore the file")
        for doc in functions:
            validate_function(doc, where)
        truth: Any = []
        if not is_irrelevance(category):
            if row["id"] not in answers:
                raise DataFileError(
                    where, "has no possible answer", "use matching question and answer files"
                )
            truth = answers[row["id"]]
            validate_ground_truth(truth, where)
            names = {f["name"] for f in functions}
            for call in truth:
                if next(iter(call)) not in names:
                    raise DataFileError(
                        where,
                        f"answer calls {next(iter(call))!r}, which no function doc describes",
                        "use matching question and answer files",
                    )
        entries.append(
            Entry(
                id=row["id"],
                category=category,
                messages=_messages(row, where),
                functions=tuple(functions),
                ground_truth=tuple(truth),
            )
        )
    return tuple(entries)


def load_entries(category: str, data_dir: str | Path | None = None) -> tuple[Entry, ...]:
    """All entries of a category, validated, in file order (cached per process).

    Args:
        category: Our category name or BFCL's (``simple`` or ``simple_python``).
        data_dir: A folder with BFCL's files; default: the installed ``bfcl-eval``.

    Raises:
        UnknownNameError: unknown category. MissingDependencyError: no ``bfcl-eval``.
        DataFileError: a file is missing or a record is malformed (names id and field).
    """
    return _load(category_name(category), str(data_dir) if data_dir else None)


def entries_by_id(category: str, data_dir: str | Path | None = None) -> Mapping[str, Entry]:
    """The entries of a category keyed by id."""
    return {e.id: e for e in load_entries(category, data_dir)}
