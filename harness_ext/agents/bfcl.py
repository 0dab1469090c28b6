"""BFCL's multi-turn tasks, read in place from the installed ``bfcl-eval`` package.

Files (JSON Lines despite the ``.json`` suffix), never copied into this repository:

* ``bfcl_eval/data/BFCL_v4_<category>.json``: ``id``, ``question`` (one list of messages
  per turn; a ``miss_func`` turn that only releases withheld functions is empty),
  ``initial_config`` (per backend class), ``involved_classes``, ``missed_function``
  (``miss_func`` only: turn index -> function names withheld until that turn);
* ``bfcl_eval/data/possible_answer/BFCL_v4_<category>.json``: ``ground_truth``, one list
  of call strings per turn (``[]`` where the right move is to call nothing);
* ``bfcl_eval/data/multi_turn_func_doc/<backend>.json``: the function docs.

The backends (``bfcl_eval/eval_checker/multi_turn_eval/func_source_code/``) are plain
Python classes; :data:`BACKENDS` names each one's module and doc file (8 classes, those
of the ``multi_turn_*`` categories). Importing a backend module needs ``mpmath``
(``MathAPI``), which torch's own dependency ``sympy`` brings.

**Split.** ``multi_turn_miss_param_7`` and ``multi_turn_miss_func_7`` are variants of
``multi_turn_base_7``, so the split is by the task *index*: :func:`heldout_indices`
(40 of 200, chosen by a salted SHA-256 rank, so the choice mixes backends) is the
evaluation split of every category; :func:`training_indices` is the rest. Training
data is only ever built from training indices.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.resources
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from harness_ext.errors import DataFileError, MissingDependencyError, UnknownNameError
from harness_ext.io import iter_jsonl

INSTALL = "pip install --no-deps bfcl-eval"

Category = Literal["multi_turn_base", "multi_turn_miss_param", "multi_turn_miss_func"]
CATEGORIES: tuple[Category, ...] = get_args(Category)

BACKEND_PACKAGE = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"


@dataclass(frozen=True)
class Backend:
    """One BFCL backend class: where its code and its function docs are."""

    name: str
    module: str
    doc_file: str
    stateless: bool = False


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("GorillaFileSystem", "gorilla_file_system", "gorilla_file_system.json"),
        Backend("MathAPI", "math_api", "math_api.json", stateless=True),
        Backend("MessageAPI", "message_api", "message_api.json"),
        Backend("TwitterAPI", "posting_api", "posting_api.json"),
        Backend("TicketAPI", "ticket_api", "ticket_api.json"),
        Backend("TradingBot", "trading_bot", "trading_bot.json"),
        Backend("TravelAPI", "travel_booking", "travel_booking.json"),
        Backend("VehicleControlAPI", "vehicle_control", "vehicle_control.json"),
    )
}

TASKS_PER_CATEGORY = 200
HELDOUT_SIZE = 40
_SPLIT_SALT = "toolplan-agents/bfcl-multi-turn/v1"


@dataclass(frozen=True)
class FunctionDoc:
    """One function's doc, as BFCL ships it (``parameters`` in BFCL's JSON-schema dialect)."""

    name: str
    backend: str
    description: str
    properties: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]

    @property
    def short_description(self) -> str:
        """The part after ``Tool description:`` (BFCL prefixes every doc with its backend's
        blurb), up to the first sentence end."""
        text = self.description.split("Tool description:", 1)[-1].strip()
        for end in (". ", ".\n"):
            if end in text:
                text = text.split(end, 1)[0] + "."
                break
        return " ".join(text.split())


@dataclass(frozen=True)
class MultiTurnTask:
    """One BFCL multi-turn task with its ground truth.

    Attributes:
        id: BFCL's id, e.g. ``multi_turn_base_7``.
        category: The category (id without the index).
        index: The index shared by a base task and its variants.
        turns: Per turn, the user's text (``""`` for a ``miss_func`` release turn).
        initial_config: Per backend class, its starting state.
        involved_classes: The backend classes of the task.
        missed_function: Turn index -> functions withheld until that turn (``{}`` if none).
        ground_truth: Per turn, the ground-truth call strings.
    """

    id: str
    category: str
    index: int
    turns: tuple[str, ...]
    initial_config: Mapping[str, Any]
    involved_classes: tuple[str, ...]
    missed_function: Mapping[int, tuple[str, ...]]
    ground_truth: tuple[tuple[str, ...], ...]

    def record(self) -> dict[str, Any]:
        """The task as BFCL's checker takes it: ``id``, ``initial_config``, ``involved_classes``."""
        return {
            "id": self.id,
            "initial_config": json.loads(json.dumps(self.initial_config)),
            "involved_classes": list(self.involved_classes),
        }


def require_bfcl() -> Path:
    """The installed ``bfcl_eval`` package folder.

    Raises:
        MissingDependencyError: ``bfcl-eval`` is not installed.
    """
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("bfcl-eval", "The BFCL multi-turn agent tasks", INSTALL)
    return Path(next(iter(spec.submodule_search_locations)))


def data_dir() -> Path:
    """``bfcl_eval/data`` inside the installed package (read in place)."""
    require_bfcl()
    return Path(str(importlib.resources.files("bfcl_eval") / "data"))


def check_category(category: str) -> Category:
    """``category`` as a :data:`Category` (``base`` is accepted for ``multi_turn_base``).

    Raises:
        UnknownNameError: not one of :data:`CATEGORIES`.
    """
    full = category if category.startswith("multi_turn_") else f"multi_turn_{category}"
    for known in CATEGORIES:
        if full == known:
            return known
    raise UnknownNameError(
        "BFCL multi-turn category",
        category,
        CATEGORIES,
        "multi_turn_long_context is not supported (its backends load extra state).",
    )


def _fix(category: str) -> str:
    return f"reinstall bfcl-eval ({INSTALL}); the file must hold BFCL's {category} records"


@functools.lru_cache(maxsize=8)
def load_tasks(category: str) -> tuple[MultiTurnTask, ...]:
    """Every task of a category with its ground truth, in BFCL's order.

    Raises:
        UnknownNameError: unknown category.
        DataFileError: a file is missing or a record is malformed (names file, line, field).
        MissingDependencyError: ``bfcl-eval`` is not installed.
    """
    cat = check_category(category)
    root = data_dir()
    questions = root / f"BFCL_v4_{cat}.json"
    answers = root / "possible_answer" / f"BFCL_v4_{cat}.json"
    truth: dict[str, list[list[str]]] = {}
    for _, where, row in iter_jsonl(answers, _fix(cat)):
        gt = row.get("ground_truth") if isinstance(row, dict) else None
        if not isinstance(gt, list) or not all(
            isinstance(t, list) and all(isinstance(c, str) for c in t) for t in gt
        ):
            raise DataFileError(
                where, "'ground_truth' is not a list of lists of strings", _fix(cat)
            )
        truth[str(row.get("id"))] = gt
    tasks = []
    for _, where, row in iter_jsonl(questions, _fix(cat)):
        tasks.append(_task(row, where, cat, truth))
    return tuple(tasks)


def _task(row: Any, where: str, cat: str, truth: dict[str, list[list[str]]]) -> MultiTurnTask:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise DataFileError(where, "record has no string 'id'", _fix(cat))
    task_id = row["id"]
    prefix, _, index = task_id.rpartition("_")
    if prefix != cat or not index.isdigit():
        raise DataFileError(where, f"id {task_id!r} is not '{cat}_<index>'", _fix(cat))
    question = row.get("question")
    if not isinstance(question, list):
        raise DataFileError(where, f"{task_id}: 'question' is not a list of turns", _fix(cat))
    turns = []
    for t, messages in enumerate(question):
        if not isinstance(messages, list):
            raise DataFileError(where, f"{task_id}: question[{t}] is not a list", _fix(cat))
        texts = [
            str(m.get("content", ""))
            for m in messages
            if isinstance(m, dict) and m.get("role") == "user"
        ]
        turns.append("\n".join(texts))
    classes = row.get("involved_classes")
    if not isinstance(classes, list) or not classes:
        raise DataFileError(where, f"{task_id}: 'involved_classes' is missing", _fix(cat))
    unknown = [c for c in classes if c not in BACKENDS]
    if unknown:
        raise DataFileError(
            where, f"{task_id}: unknown backend class {unknown[0]!r}", "update toolplan-eval"
        )
    config = row.get("initial_config", {})
    if not isinstance(config, dict):
        raise DataFileError(where, f"{task_id}: 'initial_config' is not an object", _fix(cat))
    missed_raw = row.get("missed_function") or {}
    missed = {int(k): tuple(str(n) for n in v) for k, v in dict(missed_raw).items()}
    gt = truth.get(task_id)
    if gt is None:
        raise DataFileError(where, f"{task_id}: no ground truth in possible_answer", _fix(cat))
    if len(gt) != len(turns):
        raise DataFileError(
            where, f"{task_id}: {len(turns)} turns but {len(gt)} ground-truth turns", _fix(cat)
        )
    return MultiTurnTask(
        id=task_id,
        category=cat,
        index=int(index),
        turns=tuple(turns),
        initial_config=config,
        involved_classes=tuple(classes),
        missed_function=missed,
        ground_truth=tuple(tuple(t) for t in gt),
    )


def get_task(category: str, task_id: str | int) -> MultiTurnTask:
    """One task by id (``multi_turn_base_7``) or index (``7``).

    Raises:
        UnknownNameError: no such task in the category.
    """
    cat = check_category(category)
    wanted = f"{cat}_{task_id}" if isinstance(task_id, int) or str(task_id).isdigit() else task_id
    for task in load_tasks(cat):
        if task.id == wanted:
            return task
    raise UnknownNameError(
        "task id", str(task_id), [t.id for t in load_tasks(cat)], f"Ids of {cat} end in 0-199."
    )


@functools.lru_cache(maxsize=16)
def function_docs(backend: str) -> tuple[FunctionDoc, ...]:
    """The function docs of one backend class, in BFCL's order.

    Raises:
        UnknownNameError: unknown backend class.
        DataFileError: the doc file is missing or malformed.
    """
    if backend not in BACKENDS:
        raise UnknownNameError("BFCL backend class", backend, BACKENDS)
    path = data_dir() / "multi_turn_func_doc" / BACKENDS[backend].doc_file
    docs = []
    for _, where, row in iter_jsonl(path, _fix("function doc")):
        params = row.get("parameters") if isinstance(row, dict) else None
        if not isinstance(params, dict) or not isinstance(row.get("name"), str):
            raise DataFileError(where, "doc has no 'name' or 'parameters'", _fix("function doc"))
        docs.append(
            FunctionDoc(
                name=row["name"],
                backend=backend,
                description=str(row.get("description", "")),
                properties=dict(params.get("properties") or {}),
                required=tuple(params.get("required") or ()),
            )
        )
    return tuple(docs)


def backend_class(backend: str) -> type:
    """The backend's Python class (its module imported on first use)."""
    if backend not in BACKENDS:
        raise UnknownNameError("BFCL backend class", backend, BACKENDS)
    require_bfcl()
    module = importlib.import_module(f"{BACKEND_PACKAGE}.{BACKENDS[backend].module}")
    cls: type = getattr(module, backend)
    return cls


def _rank(index: int) -> str:
    return hashlib.sha256(f"{_SPLIT_SALT}/{index}".encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def heldout_indices() -> frozenset[int]:
    """The 40 task indices (of 0-199) held out for evaluation, in every category."""
    ranked = sorted(range(TASKS_PER_CATEGORY), key=_rank)
    return frozenset(ranked[:HELDOUT_SIZE])


def training_indices() -> frozenset[int]:
    """The 160 task indices that training data may come from."""
    return frozenset(range(TASKS_PER_CATEGORY)) - heldout_indices()


Split = Literal["heldout", "train", "all"]
SPLITS: tuple[Split, ...] = get_args(Split)


def split_tasks(category: str, split: str) -> tuple[MultiTurnTask, ...]:
    """The tasks of a category in a split (``heldout``, ``train`` or ``all``).

    Raises:
        UnknownNameError: unknown split or category.
    """
    tasks = load_tasks(category)
    if split == "all":
        return tasks
    if split == "heldout":
        keep = heldout_indices()
    elif split == "train":
        keep = training_indices()
    else:
        raise UnknownNameError("split", split, SPLITS)
    return tuple(t for t in tasks if t.index in keep)
