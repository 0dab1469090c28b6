"""The second domain: BFCL's multi-turn APIs as a catalog, their user turns as scenarios.

``convert(out_dir)`` (``toolplan scenarios bfcl-multi-turn --out DIR``) reads the
installed ``bfcl-eval`` in place (``harness_ext.agents.bfcl``: the one BFCL multi-turn
reader) and writes, into a folder that stays out of git (it quotes bfcl-eval's texts):

* ``bfcl_multi_turn.json`` — the catalog (named after it, as the leaderboard labels a
  catalog file by its stem): the 8 backends' function docs through the ``bfcl`` importer
  (``catalog_import``): each API class an agent named as BFCL names it
  (``GorillaFileSystem``, ``MathAPI``, ...), its functions its tools;
* ``heldout.jsonl`` / ``train.jsonl`` — scenarios in the user format
  (``harness_ext.planning.scenarios``) with their gold as call lists, split by BFCL task
  index exactly as the agent experiment splits them (``bfcl.heldout_indices``: 40 of 200
  indices held out; ``bfcl.training_indices``: the other 160), so the two experiments on
  BFCL multi-turn share their held-out tasks;
* ``manifest.json`` — counts, the rules below, the bfcl-eval version and each file's
  sha256; ``.gitignore`` — ``*``.

**Scenarios.** One per user turn of ``multi_turn_base`` whose ground truth is not empty
(3 of 734 turns ask for no call and are left out): ``question`` = the turn's user text,
``id`` = 100 × task index + turn number (1-based; ``702`` is turn 2 of task 7),
``type`` = the agent of the turn's calls, or ``multiagent`` when they span several.
Earlier turns are not in the question: a scenario is one request, as in AssetOpsBench.

**Gold.** Each ground-truth call of the turn is a step, in order: agent = the backend
class that defines the function, tool = the function, args = the call's keyword
arguments (positional ones bound to their names, as ``agents.env`` does).

**Dependencies** (data flow only; a plan lists its steps in order, so state-only order
such as ``cd`` before ``ls`` is not a dependency). The turn's ground truth is executed
on BFCL's backends (``agents.env.Environment``, from the task's initial state with the
earlier turns' ground truth replayed). Step j depends on an earlier step i of the same
turn when an argument value of j — a string of 2+ characters or a number, alone or as
a list element — equals a value in step i's result (the result read as JSON, every
string and number inside it; a plain-text result as one string) **and** does not occur
in the turn's user text (strings: case-insensitive substring; numbers: as written, or
without ``.0``). That value is replaced by ``{step_i}`` (the latest such i); booleans
never count. The rule is deterministic: same bfcl-eval, same bytes (a test converts
twice).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATEGORY = "multi_turn_base"
DOMAIN = (
    "a computer assistant's apps (file system, math, messaging, social posts, support "
    "tickets, stock trading, travel booking, vehicle control)"
)
CATALOG_FILE, HELDOUT_FILE, TRAIN_FILE, MANIFEST_FILE = (
    "bfcl_multi_turn.json",
    "heldout.jsonl",
    "train.jsonl",
    "manifest.json",
)
FORMAT = "toolplan-second-domain/1"
_NUMBER_TEXT = re.compile(r"\.0$")


@dataclass(frozen=True)
class TurnScenario:
    """One converted user turn: the scenario row and how many steps got a dependency."""

    row: dict[str, Any]
    index: int
    steps: int
    linked_steps: int


def bfcl_version() -> str:
    """The installed bfcl-eval version ("unknown" if its metadata is missing)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bfcl-eval")
    except PackageNotFoundError:
        return "unknown"


def catalog_document() -> dict[str, Any]:
    """The BFCL multi-turn catalog (a ``toolplan-catalog/1`` document).

    Read by the ``bfcl`` importer from the installed doc files, grouped by an explicit
    map class -> functions, so agents carry BFCL's class names.
    """
    from harness_ext.agents.bfcl import BACKENDS, data_dir
    from harness_ext.planning import catalog_import as ci

    folder = data_dir() / "multi_turn_func_doc"
    tools, mapping = [], {}
    for name, backend in BACKENDS.items():
        read = ci.read_tools("bfcl", folder / backend.doc_file)
        tools += read
        mapping[name] = ([t.name for t in read], ci.AgentSpec())
    ci.check_unique(tools)
    groups = ci.group_tools(tools, "map", mapping=mapping, map_source="BACKENDS")
    return ci.catalog_document(
        groups,
        name="bfcl_multi_turn",
        version=bfcl_version(),
        domain=DOMAIN,
        source_format="bfcl",
    )


def _leaves(value: Any) -> Iterator[str | float]:
    """Every string and number inside a decoded result (bools excluded)."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)


def result_values(text: str) -> set[str | float]:
    """The values a result offers to later calls (see the module docstring)."""
    try:
        decoded = json.loads(text)
    except (json.JSONDecodeError, ValueError):
        decoded = text
    return set(_leaves(decoded))


def _in_question(value: str | float, question: str) -> bool:
    q = question.lower()
    if isinstance(value, str):
        return value.lower() in q
    written = {repr(value), _NUMBER_TEXT.sub("", repr(value))}
    return any(w in q for w in written)


def _source(value: Any, earlier: list[set[str | float]], question: str) -> int | None:
    """1-based position of the latest earlier step whose result holds ``value``."""
    if isinstance(value, bool) or value is None:
        return None
    key: str | float
    if isinstance(value, str):
        if len(value) < 2:
            return None
        key = value
    elif isinstance(value, (int, float)):
        key = float(value)
    else:
        return None
    for i in range(len(earlier), 0, -1):
        if key in earlier[i - 1]:
            return None if _in_question(key, question) else i
    return None


def link_args(
    args: dict[str, Any], earlier: list[set[str | float]], question: str
) -> dict[str, Any]:
    """``args`` with each value an earlier result supplies replaced by ``{step_i}``."""
    from harness_ext.planning.builder import ref

    out: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, list):
            items = []
            for item in value:
                i = _source(item, earlier, question)
                items.append(ref(i) if i is not None else item)
            out[key] = items
        else:
            i = _source(value, earlier, question)
            out[key] = ref(i) if i is not None else value
    return out


def _task_rows(task: Any, owner: dict[str, str], catalog: Any) -> Iterator[TurnScenario]:
    from harness_ext.agents.env import Environment
    from harness_ext.planning import builder
    from harness_ext.planning.scenario_gold import default_task, plan_as_calls

    env = Environment(task)
    for t, truth in enumerate(task.ground_truth):
        env.begin_turn(t)
        calls = [c for text in truth for c in env.decode(text)[0]]
        question = task.turns[t].strip()
        earlier: list[set[str | float]] = []
        steps = []
        for call in calls:
            args = link_args(dict(call.args), earlier, question)
            agent = owner[call.name]
            steps.append(
                builder.step(default_task(catalog, agent, call.name), agent, call.name, args)
            )
            earlier.append(result_values(env.dispatch(call).text))
        if not steps or not question:
            continue
        agents = sorted({s.agent for s in steps if s.agent})
        plan = builder.plan(*steps)
        row = {
            "id": 100 * task.index + t + 1,
            "question": question,
            "type": agents[0] if len(agents) == 1 else "multiagent",
            "gold": plan_as_calls(plan),
        }
        yield TurnScenario(row, task.index, len(steps), sum(1 for s in steps if s.dependencies))


def scenarios(category: str = CATEGORY) -> list[TurnScenario]:
    """Every converted turn of a category, in BFCL's task order."""
    from harness_ext.agents.bfcl import BACKENDS, function_docs, load_tasks
    from harness_ext.planning.catalog import parse_catalog

    owner = {d.name: name for name in BACKENDS for d in function_docs(name)}
    catalog = parse_catalog(catalog_document(), "bfcl_multi_turn")
    return [row for task in load_tasks(category) for row in _task_rows(task, owner, catalog)]


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def convert(out_dir: str | Path, category: str = CATEGORY) -> dict[str, Any]:
    """Write the catalog, the held-out and training scenarios and the manifest.

    Returns the manifest. Same bfcl-eval, same bytes.
    """
    from harness_ext.agents.bfcl import HELDOUT_SIZE, heldout_indices

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    held = heldout_indices()
    turns = scenarios(category)
    heldout = [s for s in turns if s.index in held]
    train = [s for s in turns if s.index not in held]
    files = {
        CATALOG_FILE: (
            json.dumps(catalog_document(), indent=2, ensure_ascii=False) + "\n"
        ).encode(),
        HELDOUT_FILE: _jsonl([s.row for s in heldout]),
        TRAIN_FILE: _jsonl([s.row for s in train]),
    }

    def split_info(part: list[TurnScenario]) -> dict[str, Any]:
        return {
            "tasks": len({s.index for s in part}),
            "scenarios": len(part),
            "steps": sum(s.steps for s in part),
            "steps_with_dependency": sum(s.linked_steps for s in part),
            "types": dict(sorted(Counter(str(s.row["type"]) for s in part).items())),
        }

    manifest = {
        "format": FORMAT,
        "source": f"bfcl-eval {bfcl_version()}, {category} (read in place)",
        "split": f"task index: {HELDOUT_SIZE} held-out indices of harness_ext.agents.bfcl."
        "heldout_indices(), the rest training",
        "scenario_rule": "one per user turn with a non-empty ground truth; id = 100 * index "
        "+ turn (1-based)",
        "dependency_rule": "an argument value (string of 2+ chars or number) equal to a value "
        "in an earlier same-turn call's executed result and absent from the turn's text "
        "becomes {step_i}",
        "heldout": split_info(heldout),
        "train": split_info(train),
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in files.items()
        },
    }
    files[MANIFEST_FILE] = (json.dumps(manifest, indent=2) + "\n").encode()
    for name, data in files.items():
        (out / name).write_bytes(data)
    (out / ".gitignore").write_text("# generated from bfcl-eval's data: never committed\n*\n")
    return manifest
