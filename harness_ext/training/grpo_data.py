"""Prompts for GRPO (``toolplan train --method grpo``): who asks what, and what scores it.

A GRPO run needs prompts, not answers: each row holds the chat ``prompt`` (system + user
turns) and the columns its reward reads (``harness_ext.rewards``). Three sources, named
by ``--data``:

* ``bfcl`` or ``bfcl:CAT,CAT`` — BFCL single-turn entries read in place from the
  installed ``bfcl-eval`` (``harness_ext.fc.data``). Default ``live_simple`` +
  ``live_multiple``: the **non-live** categories (simple, multiple, parallel,
  parallel_multiple, irrelevance) are held out for evaluation, and a training category
  among them is an error. The live fc tasks (``fc_bfcl_live_*``) are contaminated for an
  adapter trained this way and must not be reported for it.
* ``Salesforce/xlam-function-calling-60k`` (any hub id, loaded with ``datasets`` where a
  network exists) or the path of a ``.json``/``.jsonl`` file in xLAM's format —
  ``{"id", "query", "answers", "tools"}``, ``answers`` and ``tools`` being JSON text (or
  lists): ``answers = [{"name", "arguments"}]``, ``tools = [{"name", "description",
  "parameters": {param: {"type": "str" | "int, optional" | "List[int]" ..., "description",
  "default"?}}}]``. Each record becomes a BFCL entry (:func:`xlam_entry`) and goes through
  the same code as BFCL's.
* ``assetops`` — AssetOpsBench planning prompts of the **training** scenarios only:
  every loaded scenario whose id is not in ``paper_test30`` (never a test30 id), with the
  description-free system turn the ``assetops_free*`` tasks use and the gold plan
  alternatives of the project's gold set as the ``gold_plan`` column.

Decontamination (every source): a training prompt is dropped when its id is an
evaluation id, or when its question is a near-copy of an evaluation question by the data
builder's own rule (``harness_ext.training.data.Decontaminator``: lower-cased,
whitespace-collapsed ``difflib`` ratio > 0.8). Evaluation questions are those of the
held-out BFCL categories for function calling and of ``paper_test30`` for planning (so a
training scenario that is a *twin* of a held-out one is dropped too). Every drop is
recorded with its closest evaluation text and ratio.

xLAM conversion rules (:func:`xlam_entry`): types map ``str``→string, ``int``→integer,
``float``→float, ``bool``→boolean, ``list``/``List[T]``→array of T,
``dict``/``Dict[...]``/``object``→dict, ``tuple``/``Tuple[...]``→tuple, anything else
→any; a parameter is required unless its type says ``optional`` or it has a
``default``, and unless some expected call of its function leaves it out (the answer
defines the truth). Each answer argument accepts exactly its value; an optional
parameter the answer leaves out accepts only omission (``""``). More than one expected
call makes a ``parallel`` (one function) or ``parallel_multiple`` entry; one call a
``simple`` (one tool) or ``multiple`` entry; none an ``irrelevance`` entry. A record
that cannot be converted is skipped and counted by reason; a source where none converts
is an error.

Rows are JSON-friendly (functions and answers as JSON text, so ``datasets`` needs no
schema for them); same source and seed, same rows in the same order.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness_ext.errors import DataFileError, MissingDependencyError, ToolplanError
from harness_ext.fc.calls import Call, CallFormat, format_json_tool_calls, format_python_calls
from harness_ext.fc.data import (
    LIVE,
    NON_LIVE,
    Entry,
    category_name,
    is_irrelevance,
    load_entries,
    validate_function,
    validate_ground_truth,
)
from harness_ext.fc.prompts import ChatTemplate, system_prompt, user_prompt
from harness_ext.training.data import THRESHOLD, Decontaminator

Reward = Literal["function_call", "plan"]
REWARDS: tuple[Reward, ...] = ("function_call", "plan")
SourceKind = Literal["bfcl", "xlam", "assetops"]

DEFAULT_FC_TRAIN: tuple[str, ...] = ("live_simple", "live_multiple")
FC_HELD_OUT: tuple[str, ...] = NON_LIVE
XLAM_HUB_ID = "Salesforce/xlam-function-calling-60k"
PLAN_HELD_OUT_SPLIT = "paper_test30"
_HUB_ID_RE = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass(frozen=True)
class PromptSource:
    """What ``--data`` names for a GRPO run (see the module docstring)."""

    kind: SourceKind
    categories: tuple[str, ...] = ()
    location: str = ""

    @property
    def reward(self) -> Reward:
        """The reward this source's rows carry columns for."""
        return "plan" if self.kind == "assetops" else "function_call"

    def label(self) -> str:
        """How the source is written in manifests and logs."""
        if self.kind == "bfcl":
            return "bfcl:" + ",".join(self.categories)
        return self.location if self.kind == "xlam" else "assetops"


def parse_source(text: str) -> PromptSource:
    """Read a ``--data`` value of a GRPO run.

    ``bfcl`` / ``bfcl:CAT,...`` / ``assetops`` / an existing ``.json``/``.jsonl`` path
    (xLAM format) / a hub id ``org/name`` (xLAM format, needs a network). An existing
    path wins over a hub id of the same spelling.

    Raises:
        UnknownNameError: an unknown BFCL category.
        ToolplanError: a BFCL training category is held out for evaluation, or the
            value is none of the above (the message lists the forms).
    """
    value = text.strip()
    if value == "bfcl" or value.startswith("bfcl:"):
        names = [c.strip() for c in value[5:].split(",") if c.strip()] if ":" in value else []
        categories = tuple(category_name(c) for c in names) or DEFAULT_FC_TRAIN
        held = sorted(set(categories) & set(FC_HELD_OUT))
        if held:
            raise ToolplanError(
                f"--data {text}: {', '.join(held)} is held out for evaluation (the non-live "
                f"categories {', '.join(FC_HELD_OUT)} score the GRPO experiments). Fix: train "
                f"on live categories, e.g. --data bfcl:{','.join(DEFAULT_FC_TRAIN)}."
            )
        return PromptSource("bfcl", categories)
    if value == "assetops":
        return PromptSource("assetops")
    path = Path(value).expanduser()
    if path.is_file():
        return PromptSource("xlam", location=str(path))
    if _HUB_ID_RE.match(value) and not path.exists():
        return PromptSource("xlam", location=value)
    raise ToolplanError(
        f"--data {text!r} is not a GRPO prompt source. Fix: give bfcl, bfcl:CAT,CAT "
        f"(live categories), assetops, {XLAM_HUB_ID} (needs a network) or the path of a "
        "JSON/JSONL file in xLAM's format."
    )


@dataclass(frozen=True)
class Dropped:
    """A training prompt left out by decontamination."""

    id: str
    reason: Literal["id", "text"]
    closest_id: str
    ratio: float


@dataclass(frozen=True)
class PromptSet:
    """The rows of a GRPO run and what was left out on the way."""

    source: PromptSource
    rows: tuple[dict[str, Any], ...]
    dropped: tuple[Dropped, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    held_out: str = ""

    def sha256(self) -> str:
        """Hex SHA-256 of the rows as canonical JSON lines (what the manifest records)."""
        text = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in self.rows)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def summary(self) -> dict[str, Any]:
        """Counts for the manifest and the training log."""
        return {
            "source": self.source.label(),
            "reward": self.source.reward,
            "prompts": len(self.rows),
            "held_out": self.held_out,
            "decontamination": {
                "threshold": THRESHOLD,
                "dropped_by_id": sum(d.reason == "id" for d in self.dropped),
                "dropped_by_text": sum(d.reason == "text" for d in self.dropped),
            },
            "skipped": dict(sorted(self.skipped.items())),
            "sha256": self.sha256(),
        }


# ------------------------------------------------------------------ function calling


def _decontaminate(
    candidates: Sequence[tuple[str, str]], held_ids: Sequence[str], held_texts: Sequence[str]
) -> tuple[set[str], list[Dropped]]:
    """Ids of ``candidates`` (id, question) to drop, and why (id first, then text)."""
    ids = set(held_ids)
    deco = Decontaminator(held_texts)
    drop: set[str] = set()
    report = []
    for cid, text in candidates:
        if cid in ids:
            drop.add(cid)
            report.append(Dropped(cid, "id", cid, 1.0))
            continue
        ratio, index = deco.closest(text)
        if index is not None:
            drop.add(cid)
            report.append(Dropped(cid, "text", held_ids[index], round(ratio, 4)))
    return drop, report


def fc_row(entry: Entry, fmt: CallFormat, template: ChatTemplate | None = None) -> dict[str, Any]:
    """One GRPO row for a BFCL entry: the prompt the ``fc_bfcl_*`` tasks build for it
    (``fc.prompts.system_prompt`` and ``user_prompt``, the same functions) and the
    columns ``function_call_reward`` reads."""
    system, _ = system_prompt(entry, fmt, template)
    return {
        "id": entry.id,
        "prompt": [
            {"role": "system", "content": system},
            {"role": "user", "content": user_prompt(entry)},
        ],
        "functions": json.dumps(list(entry.functions), ensure_ascii=False),
        "ground_truth": json.dumps(list(entry.ground_truth), ensure_ascii=False),
        "category": entry.category,
        "fc_format": fmt,
    }


def fc_prompt_set(
    source: PromptSource,
    entries: Sequence[Entry],
    fmt: CallFormat,
    template: ChatTemplate | None = None,
    held_out: Sequence[str] = FC_HELD_OUT,
    skipped: Mapping[str, int] | None = None,
) -> PromptSet:
    """Decontaminate ``entries`` against the held-out BFCL categories and build rows.

    Raises:
        ToolplanError: nothing is left after decontamination.
    """
    held = [e for c in held_out for e in load_entries(c)]
    drop, report = _decontaminate(
        [(e.id, user_prompt(e)) for e in entries],
        [e.id for e in held],
        [user_prompt(e) for e in held],
    )
    rows = tuple(fc_row(e, fmt, template) for e in entries if e.id not in drop)
    if not rows:
        raise ToolplanError(
            f"--data {source.label()}: no prompt is left after decontamination against "
            f"{', '.join(held_out)}. Fix: use another source."
        )
    return PromptSet(source, rows, tuple(report), dict(skipped or {}), ",".join(held_out))


def bfcl_entries(source: PromptSource, data_dir: str | None = None) -> list[Entry]:
    """The entries of the source's BFCL categories, in file order."""
    return [e for c in source.categories for e in load_entries(c, data_dir)]


# ------------------------------------------------------------------ xLAM

_XLAM_SCALARS = {
    "str": "string",
    "string": "string",
    "int": "integer",
    "integer": "integer",
    "float": "float",
    "number": "float",
    "bool": "boolean",
    "boolean": "boolean",
}
_XLAM_CONTAINERS = {
    "list": "array",
    "array": "array",
    "set": "array",
    "dict": "dict",
    "object": "dict",
    "mapping": "dict",
    "tuple": "tuple",
}


def xlam_type(text: str) -> tuple[dict[str, Any], bool]:
    """BFCL parameter spec (type, items) of an xLAM type string, and whether it says optional.

    ``"List[int], optional"`` → ``({"type": "array", "items": {"type": "integer"}}, True)``;
    an unknown type is ``any``.
    """
    raw = str(text or "").strip()
    optional = "optional" in raw.lower()
    core = re.sub(r",?\s*optional\b", "", raw, flags=re.IGNORECASE).strip()
    core = re.sub(r"^(typing\.)?Optional\[(.*)\]$", r"\2", core).strip()
    head, _, inner = core.partition("[")
    head = head.strip().lower()
    if head in _XLAM_SCALARS:
        return {"type": _XLAM_SCALARS[head]}, optional
    kind = _XLAM_CONTAINERS.get(head)
    if kind in ("array", "tuple"):
        element = inner.rstrip("]").split(",")[0].strip() if inner else ""
        item, _ = xlam_type(element) if element else ({"type": "any"}, False)
        if item["type"] in ("array", "tuple"):
            item = {"type": "any"}
        return {"type": kind, "items": {"type": item["type"]}}, optional
    if kind == "dict":
        return {"type": "dict", "properties": {}}, optional
    return {"type": "any"}, optional


def _json_field(record: Mapping[str, Any], name: str, where: str) -> Any:
    value = record.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as e:
            raise DataFileError(where, f"'{name}' is not JSON ({e.msg})", _XLAM_FIX) from e
    if value is None:
        raise DataFileError(where, f"has no '{name}'", _XLAM_FIX)
    return value


_XLAM_FIX = (
    "each record needs 'query' (text), 'tools' (JSON list of {name, description, "
    "parameters: {param: {type, description, default?}}}) and 'answers' (JSON list of "
    "{name, arguments})"
)


def xlam_entry(record: Mapping[str, Any], where: str) -> Entry:
    """One xLAM record as a BFCL entry (rules in the module docstring).

    Raises:
        DataFileError: a field is missing or malformed, or an answer calls a function no
            tool describes (naming ``where`` and the field).
    """
    query = record.get("query")
    if not isinstance(query, str) or not query.strip():
        raise DataFileError(where, "'query' is not a non-empty string", _XLAM_FIX)
    tools = _json_field(record, "tools", where)
    answers = _json_field(record, "answers", where)
    if not isinstance(tools, list) or not tools:
        raise DataFileError(where, "'tools' is not a non-empty list", _XLAM_FIX)
    if not isinstance(answers, list):
        raise DataFileError(where, "'answers' is not a list", _XLAM_FIX)
    calls: list[tuple[str, dict[str, Any]]] = []
    for i, answer in enumerate(answers):
        if not (
            isinstance(answer, dict)
            and isinstance(answer.get("name"), str)
            and isinstance(answer.get("arguments", {}), dict)
        ):
            raise DataFileError(where, f"answers[{i}] is not {{name, arguments}}", _XLAM_FIX)
        calls.append((answer["name"], dict(answer.get("arguments") or {})))
    functions = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise DataFileError(where, f"tools[{i}] has no string 'name'", _XLAM_FIX)
        params = tool.get("parameters") or {}
        if not isinstance(params, dict):
            raise DataFileError(where, f"tools[{i}] 'parameters' is not an object", _XLAM_FIX)
        if params.get("type") in ("object", "dict") and isinstance(params.get("properties"), dict):
            params = params["properties"]  # already JSON-schema shaped
        own_calls = [args for name, args in calls if name == tool["name"]]
        properties: dict[str, Any] = {}
        required = []
        for pname, spec in params.items():
            spec = spec if isinstance(spec, dict) else {}
            bfcl, optional = xlam_type(spec.get("type", "any"))
            bfcl["description"] = str(spec.get("description", ""))
            properties[str(pname)] = bfcl
            left_out = any(pname not in args for args in own_calls)
            if not optional and "default" not in spec and not left_out:
                required.append(str(pname))
        functions.append(
            {
                "name": tool["name"],
                "description": str(tool.get("description", "")),
                "parameters": {"type": "dict", "properties": properties, "required": required},
            }
        )
    for doc in functions:
        validate_function(doc, where)
    by_name = {f["name"]: f for f in functions}
    truth = []
    for name, args in calls:
        if name not in by_name:
            raise DataFileError(where, f"answer calls {name!r}, which no tool describes", _XLAM_FIX)
        accepted: dict[str, list[Any]] = {k: [v] for k, v in args.items()}
        for pname in by_name[name]["parameters"]["properties"]:
            accepted.setdefault(pname, [""])
        truth.append({name: accepted})
    validate_ground_truth(truth, where)
    if not calls:
        category = "irrelevance"
    elif len(calls) > 1:
        category = "parallel" if len({n for n, _ in calls}) == 1 else "parallel_multiple"
    else:
        category = "simple" if len(functions) == 1 else "multiple"
    rid = record.get("id")
    return Entry(
        id=f"xlam_{rid}"
        if rid is not None
        else f"xlam_{hashlib.sha1(query.encode()).hexdigest()[:10]}",
        category=category,
        messages=({"role": "user", "content": query},),
        functions=tuple(functions),
        ground_truth=tuple(truth),
    )


def read_xlam_records(location: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(where, record) pairs of an xLAM-format file or hub dataset.

    Raises:
        DataFileError: the file is not JSON/JSONL of objects, or the hub cannot be
            reached (offline: download the dataset and pass its file path).
        MissingDependencyError: a hub id without ``datasets`` installed.
    """
    path = Path(location).expanduser()
    if path.is_file():
        text = path.read_text("utf-8")
        try:
            data = json.loads(text)
            records = data if isinstance(data, list) else [data]
        except json.JSONDecodeError:
            records = []
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise DataFileError(f"{path}:{n}", f"invalid JSON ({e.msg})", _XLAM_FIX) from e
        if not all(isinstance(r, dict) for r in records):
            raise DataFileError(path, "is not a list of JSON objects", _XLAM_FIX)
        return [(f"{path} (record {i})", r) for i, r in enumerate(records)]
    try:
        import datasets
    except ImportError as e:
        raise MissingDependencyError(
            "datasets", f"--data {location}", "pip install datasets"
        ) from e
    try:
        dataset = datasets.load_dataset(location, split="train")
    except (OSError, ValueError, ConnectionError, RuntimeError) as e:
        raise DataFileError(
            f"hf://{location}",
            f"cannot be loaded ({type(e).__name__}: {str(e)[:200]})",
            "with a network, accept the dataset's terms on the hub and log in "
            "(`huggingface-cli login`); offline, download it and pass the JSON file's path",
        ) from e
    return [(f"hf://{location} (row {i})", dict(r)) for i, r in enumerate(dataset)]


def xlam_entries(location: str) -> tuple[list[Entry], dict[str, int]]:
    """Every convertible record as an entry, and the skipped ones counted by reason.

    Raises:
        DataFileError: no record converts (the first reason is named).
    """
    entries, skipped, first = [], Counter[str](), None
    for where, record in read_xlam_records(location):
        try:
            entries.append(xlam_entry(record, where))
        except DataFileError as e:
            reason = str(e).split(": ", 1)[-1].split(". Fix:")[0]
            skipped[re.sub(r"\[\d+\]|'[^']*'", "", reason)[:80]] += 1
            first = first or e
    if not entries:
        raise DataFileError(
            location, f"no record could be converted (first: {first})", _XLAM_FIX
        ) from first
    return entries, dict(skipped)


# ------------------------------------------------------------------ planning


def plan_prompt_set(
    scenarios: str | None = None, catalog: str | None = None, gold: str | None = None
) -> PromptSet:
    """Planning prompts of the training scenarios (never ``paper_test30``), decontaminated
    against the held-out texts; ``gold_plan`` holds each scenario's gold alternatives.

    Scenarios without a gold plan are skipped (counted).

    Raises:
        ToolplanError: no training scenario is left.
    """
    from harness_ext.planning.catalog import load_catalog
    from harness_ext.planning.gold import default_gold_source, load_gold
    from harness_ext.planning.prompts import system_prompt as plan_system_prompt
    from harness_ext.planning.scenarios import load_scenarios, select
    from harness_ext.planning.splits import SPLITS

    cat = load_catalog(catalog)
    loaded = load_scenarios(scenarios)
    test_ids = SPLITS[PLAN_HELD_OUT_SPLIT] or ()
    held = select(loaded, test_ids)
    training = [s for s in loaded if s.id not in set(test_ids)]
    gold_entries = load_gold(gold or default_gold_source(scenarios), scenarios, catalog)
    drop, report = _decontaminate(
        [(str(s.id), s.text) for s in training],
        [str(h.id) for h in held],
        [h.text for h in held],
    )
    system = plan_system_prompt("free", cat)
    rows, skipped = [], Counter[str]()
    for s in training:
        if str(s.id) in drop:
            continue
        entry = gold_entries.get(s.id)
        if entry is None or not entry.alternatives:
            skipped["no gold plan"] += 1
            continue
        rows.append(
            {
                "id": str(s.id),
                "prompt": [
                    {"role": "system", "content": system},
                    {"role": "user", "content": s.text},
                ],
                "gold_plan": [g.text for g in entry.alternatives],
                "catalog": catalog or cat.name,
            }
        )
    if not rows:
        raise ToolplanError(
            "--data assetops: no training scenario with a gold plan is left after holding out "
            f"{PLAN_HELD_OUT_SPLIT} and its twins. Fix: load the full scenario set "
            "(ASSETOPSBENCH_DIR) or give --gold."
        )
    return PromptSet(
        PromptSource("assetops"), tuple(rows), tuple(report), dict(skipped), PLAN_HELD_OUT_SPLIT
    )


# ------------------------------------------------------------------ entry points


def load_prompt_set(
    source: PromptSource,
    fmt: CallFormat = "json",
    template: ChatTemplate | None = None,
    scenarios: str | None = None,
    catalog: str | None = None,
) -> PromptSet:
    """The decontaminated prompt set of ``source`` (see the module docstring)."""
    if source.kind == "assetops":
        return plan_prompt_set(scenarios, catalog)
    if source.kind == "bfcl":
        return fc_prompt_set(source, bfcl_entries(source), fmt, template)
    entries, skipped = xlam_entries(source.location)
    return fc_prompt_set(source, entries, fmt, template, skipped=skipped)


def sample_rows(
    rows: Sequence[dict[str, Any]], limit: int | None, seed: int
) -> list[dict[str, Any]]:
    """The rows in a seeded shuffled order, the first ``limit`` of them (all when None).

    The order is fixed by ``seed`` alone, so a resumed run sees the same prompts.
    """
    order = list(rows)
    random.Random(seed).shuffle(order)
    return order if limit is None or limit <= 0 else order[:limit]


def _first_value(value: Any) -> Any:
    """A value of BFCL's ground truth with its nested dicts resolved: a dict inside an
    answer maps each key to *its* list of acceptable values, like a parameter does."""
    if isinstance(value, dict):
        return _first_args(value, ())
    if isinstance(value, list):
        return [_first_value(v) for v in value]
    return value


def _first_args(params: Mapping[str, Any], required: Sequence[str]) -> dict[str, Any]:
    args = {}
    for name, values in params.items():
        if not isinstance(values, list):
            continue
        given = [v for v in values if v != ""]
        # Leave out what may be omitted, unless the function's doc requires it (BFCL's
        # answers sometimes allow omitting a required parameter; its checker does not).
        if given and ("" not in values or name in required):
            args[name] = _first_value(given[0])
    return args


def canonical_calls(
    ground_truth: Iterable[Mapping[str, Mapping[str, list[Any]]]],
    functions: Sequence[Mapping[str, Any]] = (),
) -> list[Call]:
    """The shortest right answer: per expected call, the first acceptable value of each
    parameter, leaving out every parameter that may be omitted (``""`` among its values)
    and that ``functions`` (the BFCL docs) do not require; the same rule inside dict values."""
    required = {
        str(f.get("name")): tuple((f.get("parameters") or {}).get("required") or ())
        for f in functions
    }
    calls = []
    for expected in ground_truth:
        ((name, params),) = expected.items()
        calls.append(Call(name, _first_args(params, required.get(name, ()))))
    return calls


def warmup_records(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """SFT chat records teaching the output *format* on the training prompts: each row's
    prompt and its canonical answer (:func:`canonical_calls`) as the assistant turn.

    Rows without an expected call (irrelevance) are left out: their right answer is
    "no call", which a format warm-up does not need to teach. So are the few rows whose
    canonical answer the task's checker rejects (6 of 1,311 live rows: acceptable-value
    lists that are empty inside nested dicts), so every record is a right answer.
    """
    from harness_ext.fc.scoring import score_output

    records = []
    for row in rows:
        truth = json.loads(row["ground_truth"])
        category = str(row.get("category", ""))
        if is_irrelevance(category) or not truth:
            continue
        functions = json.loads(row["functions"])
        calls = canonical_calls(truth, functions)
        fmt: CallFormat = "python" if row.get("fc_format") == "python" else "json"
        text = format_python_calls(calls) if fmt == "python" else format_json_tool_calls(calls)
        if not score_output(functions, truth, category, text, fmt).verdict.valid:
            continue  # a few BFCL answers have no shortest form the checker accepts
        records.append(
            {
                "messages": [*row["prompt"], {"role": "assistant", "content": text}],
                "family": "fc_warmup",
                "meta": {"id": row["id"], "category": row.get("category")},
            }
        )
    return records


def write_warmup_data(prompt_set: PromptSet, out_dir: str | Path) -> Path:
    """Write the warm-up SFT data as ``out_dir/train.jsonl`` (+ a ``.gitignore``: it quotes
    benchmark prompts) and return the file's path.

    Raises:
        ToolplanError: the set has no row with an expected call.
    """
    records = warmup_records(prompt_set.rows)
    if not records:
        raise ToolplanError(
            f"--data {prompt_set.source.label()}: no prompt has an expected call to warm up on."
        )
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".gitignore").write_text("*\n")
    path = folder / "train.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


__all__ = [
    "DEFAULT_FC_TRAIN",
    "FC_HELD_OUT",
    "LIVE",
    "REWARDS",
    "XLAM_HUB_ID",
    "PromptSet",
    "PromptSource",
    "canonical_calls",
    "load_prompt_set",
    "parse_source",
    "sample_rows",
    "warmup_records",
    "write_warmup_data",
    "xlam_entries",
    "xlam_entry",
    "xlam_type",
]
