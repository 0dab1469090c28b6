"""AssetOpsBench scenarios: load, validate, select.

Where the 152 scenarios come from, first match wins:

1. an explicit source (task metadata ``scenarios=...``, or a CLI flag): a ``.jsonl``
   or ``.json`` file, or a folder that holds one of the known layouts below;
2. the environment variable ``ASSETOPSBENCH_DIR`` (same forms);
3. the Hugging Face hub id ``ibm-research/AssetOpsBench`` (config ``scenarios``),
   which needs a network.

Known layouts inside a folder: ``scenarios/hf_scenarios_152/alm_utterance.jsonl``,
``data/scenarios/all_utterance.jsonl`` (a hub snapshot), or a single
``all_utterance.jsonl`` / ``alm_utterance.jsonl`` at its top.

**Your own scenarios** (the user format; any row with a ``question`` key is read this
way, so one file may even mix both), one JSON object per line::

    {"id": 7, "question": "Make a folder reports and move notes.txt into it",
     "type": "files",
     "gold": [{"agent": "FileSystem", "tool": "mkdir", "args": {"dir_name": "reports"}},
              {"tool": "mv", "args": {"source": "notes.txt", "destination": "reports"}}]}
    {"question": "What is 12 times 7?", "gold": "#Task1: Multiply\n#Agent1: MathAPI\n..."}
    {"question": "Book a flight to Paris", "gold": ["book_flight(destination='Paris')"]}

* ``question``: the user's request (non-empty string); ``text`` is the AssetOps name
  of the same field;
* ``id`` (optional): an integer, unique in the file; default the row's 1-based position
  among the file's scenarios;
* ``type`` (optional): a label results can be broken down by; default "";
* ``gold`` (optional): the reference plan, either a plan text in the ``#TaskN`` format
  or a call list whose items are objects ``{"tool", "agent"?, "args"?, "depends_on"?,
  "task"?, "expected_output"?}`` (``agent`` defaults to the tool's owner in the catalog;
  ``depends_on`` lists 1-based positions of earlier calls; ``{step_N}`` inside ``args``
  adds N) or Python call strings ``name(arg=value)`` (decoded, never evaluated). The
  gold is read by ``harness_ext.planning.scenario_gold`` against a catalog;
  ``toolplan scenarios check FILE --catalog C`` reports unknown agents and tools in it
  before any run. Other keys are ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, MissingDependencyError
from harness_ext.io import iter_jsonl

ENV_VAR = "ASSETOPSBENCH_DIR"
HUB_ID = "ibm-research/AssetOpsBench"
HUB_CONFIG = "scenarios"
FOLDER_LAYOUTS = (
    "scenarios/hf_scenarios_152/alm_utterance.jsonl",
    "data/scenarios/all_utterance.jsonl",
    "all_utterance.jsonl",
    "alm_utterance.jsonl",
)
_FIX = (
    f"set {ENV_VAR} to a folder or file with the 152 AssetOpsBench scenarios "
    "(JSON lines with id, type, text), or use the hub id with a network"
)


@dataclass(frozen=True)
class Scenario:
    """One AssetOpsBench scenario."""

    id: int
    type: str
    text: str
    category: str = ""
    characteristic_form: str = ""
    deterministic: bool | None = None
    group: str = ""
    entity: str = ""


def _scenario_from_row(row: Any, where: str) -> Scenario:
    if not isinstance(row, dict):
        raise DataFileError(where, "a scenario must be a JSON object", _FIX)
    missing = [k for k in ("id", "type", "text") if k not in row]
    if missing:
        raise DataFileError(where, f"scenario is missing {', '.join(missing)}", _FIX)
    try:
        scenario_id = int(row["id"])
    except (TypeError, ValueError) as e:
        raise DataFileError(where, f"scenario id {row['id']!r} is not an integer", _FIX) from e
    if not isinstance(row["text"], str) or not row["text"].strip():
        raise DataFileError(where, f"scenario {scenario_id} has an empty 'text'", _FIX)
    deterministic = row.get("deterministic")
    return Scenario(
        id=scenario_id,
        type=str(row["type"] or ""),
        text=row["text"].strip(),
        category=str(row.get("category") or ""),
        characteristic_form=str(row.get("characteristic_form") or ""),
        deterministic=bool(deterministic) if deterministic is not None else None,
        group=str(row.get("group") or ""),
        entity=str(row.get("entity") or ""),
    )


USER_FORMAT_FIX = (
    'write one {"question": "...", "id": <int, optional>, "type": "...", "gold": ...} '
    "object per line (the user format, harness_ext.planning.scenarios)"
)


def is_user_row(row: Any) -> bool:
    """True for a row in the user format (a JSON object with a ``question`` key)."""
    return isinstance(row, dict) and "question" in row


def _user_scenario_from_row(row: dict[str, Any], where: str, position: int) -> Scenario:
    """A user-format row (see the module docstring); ``position`` is its default id."""
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DataFileError(where, "'question' must be a non-empty string", USER_FORMAT_FIX)
    raw_id = row.get("id", position)
    if isinstance(raw_id, bool) or not isinstance(raw_id, int):
        raise DataFileError(where, f"'id' {raw_id!r} is not an integer", USER_FORMAT_FIX)
    kind = row.get("type", "")
    if kind is not None and not isinstance(kind, str):
        raise DataFileError(where, f"'type' {kind!r} is not a string", USER_FORMAT_FIX)
    return Scenario(id=raw_id, type=kind or "", text=question.strip())


def _rows_from_file(path: Path) -> Iterable[tuple[Any, str]]:
    if path.suffix != ".json":
        for line in iter_jsonl(path, _FIX):
            yield line.value, line.where
        return
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", _FIX) from e
    except json.JSONDecodeError as e:
        raise DataFileError(path, f"invalid JSON ({e})", _FIX) from e
    if not isinstance(data, list):
        raise DataFileError(path, "expected a JSON list of scenarios", _FIX)
    for i, row in enumerate(data):
        yield row, f"{path}[{i}]"


def validate(rows: Iterable[tuple[Any, str]], source: str) -> list[Scenario]:
    """Build scenarios from (row, location) pairs; reject duplicates and empties.

    Rows with a ``question`` key are read in the user format (default id: the row's
    1-based position), others in the AssetOpsBench format (``id``, ``type``, ``text``).
    """
    scenarios: list[Scenario] = []
    seen: dict[int, str] = {}
    for position, (row, where) in enumerate(rows, start=1):
        if is_user_row(row):
            scenario = _user_scenario_from_row(row, where, position)
        else:
            scenario = _scenario_from_row(row, where)
        if scenario.id in seen:
            raise DataFileError(
                where, f"duplicate scenario id {scenario.id} (first at {seen[scenario.id]})", _FIX
            )
        seen[scenario.id] = where
        scenarios.append(scenario)
    if not scenarios:
        raise DataFileError(source, "holds no scenarios", _FIX)
    return scenarios


def resolve_local(source: str | Path) -> Path:
    """Turn a file or folder into the scenario file it means.

    Raises:
        DataFileError: the path does not exist, cannot be inspected (``OSError`` such as
            a permission error on a parent folder), or is a folder with none of the
            known layouts.
    """
    path = Path(source).expanduser()
    try:
        if path.is_file():
            return path
        is_dir = path.is_dir()
        layouts = [path / rel for rel in FOLDER_LAYOUTS] if is_dir else []
        found = next((candidate for candidate in layouts if candidate.is_file()), None)
    except OSError as e:
        raise DataFileError(path, f"cannot be inspected ({e})", _FIX) from e
    if found is not None:
        return found
    if is_dir:
        raise DataFileError(
            path, f"holds none of the known scenario files ({', '.join(FOLDER_LAYOUTS)})", _FIX
        )
    raise DataFileError(path, "does not exist", _FIX)


def _load_from_hub() -> list[Scenario]:
    """Load the scenarios from ``HUB_ID`` (config ``HUB_CONFIG``) with ``datasets``.

    Only the failures ``datasets.load_dataset`` documents are turned into a
    ``DataFileError`` naming the hub id and the fix: no network or offline mode
    (``ConnectionError``), a missing or gated dataset or file (other ``OSError``s:
    ``DatasetNotFoundError``, ``HfHubHTTPError``), a config name the dataset lacks
    (``ValueError``), a dataset that ships a loading script (``RuntimeError``) and
    files that cannot be built into a table (``DatasetsError``). Anything else is a
    bug and propagates unchanged.

    Raises:
        MissingDependencyError: ``datasets`` is not installed.
        DataFileError: the hub copy cannot be loaded, or holds no split.
    """
    try:
        import datasets
        from datasets.exceptions import DatasetsError
    except ImportError as e:
        raise MissingDependencyError(
            "datasets", f"loading scenarios from hf://{HUB_ID}", "pip install datasets"
        ) from e
    where = f"hf://{HUB_ID} ({HUB_CONFIG})"
    try:
        dataset_dict = datasets.load_dataset(HUB_ID, HUB_CONFIG)
    except ConnectionError as e:
        raise DataFileError(where, f"cannot be reached, offline or no network ({e})", _FIX) from e
    except (OSError, ValueError, RuntimeError, DatasetsError) as e:
        raise DataFileError(where, f"could not be loaded ({type(e).__name__}: {e})", _FIX) from e
    if not dataset_dict:
        raise DataFileError(where, "holds no split", _FIX)
    split = next(iter(dataset_dict.values()))
    return validate(((dict(r), f"hf://{HUB_ID}#{i}") for i, r in enumerate(split)), HUB_ID)


@cache
def load_scenarios(source: str | None = None) -> tuple[Scenario, ...]:
    """Load and validate all scenarios from ``source``, ``$ASSETOPSBENCH_DIR`` or the hub."""
    source = source or os.environ.get(ENV_VAR) or None
    if source is None or source == HUB_ID:
        return tuple(_load_from_hub())
    path = resolve_local(source)
    return tuple(validate(_rows_from_file(path), str(path)))


def select(scenarios: Sequence[Scenario], ids: Sequence[int] | None) -> list[Scenario]:
    """Keep the scenarios with these ids, in the given id order (None keeps all)."""
    if ids is None:
        return list(scenarios)
    by_id = {s.id: s for s in scenarios}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise DataFileError(
            "scenario selection",
            f"ids {missing} are not in the loaded scenarios ({len(by_id)} loaded)",
            "load the full 152-scenario set (see ASSETOPSBENCH_DIR)",
        )
    return [by_id[i] for i in ids]
