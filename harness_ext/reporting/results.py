"""Finding and reading lm-eval ``results_*.json`` files into typed records.

A run is identified by ``config.model_args``: ``pretrained=`` (the base model) and
``peft=`` (the adapter); its quantization comes from ``config.toolplan_quantization``
(written by ``toolplan-hf``, right for pre-quantized folders too), else from the
``load_in_8bit``/``load_in_4bit``/``quantization=`` model args, else "none".

Its cost (tokens/s, peak memory) is read from ``config.toolplan_cost``, the explicit
record ``toolplan-hf`` writes (``harness_ext.models.cost``); a file without that record
(e.g. lm-eval's own ``hf`` model) has no cost, shown as "not measured", never 0.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.forgetting.retention import NO_ADAPTER
from harness_ext.io import parse_bool
from harness_ext.planning.catalog import DEFAULT_CATALOG
from harness_ext.registry.manifest import REGISTRY_FOLDER

COST_RECORD = "toolplan_cost"


@dataclass(frozen=True, order=True)
class RunKey:
    """Who was evaluated: base model, adapter (``""`` = none) and quantization."""

    model: str
    adapter: str
    quantization: str


@dataclass(frozen=True)
class Cost:
    """A run's cost from ``config.toolplan_cost`` (``None`` = not reported)."""

    tokens_per_s: float | None = None
    peak_rss_mb: float | None = None
    peak_gpu_mb: float | None = None


@dataclass(frozen=True)
class RunFile:
    """One parsed results file (``date`` 0.0 when lm-eval wrote none)."""

    path: Path
    date: float
    key: RunKey
    chat: bool
    data: dict[str, Any]
    cost: Cost = Cost()

    @property
    def results(self) -> dict[str, Any]:
        """The file's ``results`` mapping (task name -> metric entry)."""
        results: dict[str, Any] = self.data["results"]
        return results


def find_results(paths: Sequence[str | Path]) -> list[Path]:
    """All ``results_*.json`` files at or under ``paths`` (sorted, duplicates removed).

    A path that is a file is taken whatever its name; a folder is searched recursively.

    Raises:
        DataFileError: a path does not exist, or nothing was found under all of them.
    """
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            found.update(p for p in path.rglob("results_*.json") if p.is_file())
        else:
            raise DataFileError(path, "does not exist", "pass lm-eval --output_path folders")
    if not found:
        shown = ", ".join(str(p) for p in paths)
        raise DataFileError(
            shown,
            "no lm-eval results_*.json files found",
            "pass the --output_path folders of lm_eval / toolplan eval runs",
        )
    return sorted(found)


def parse_model_args(model_args: Any) -> dict[str, Any]:
    """``config.model_args`` as a dict (lm-eval stores a dict or ``k=v,k=v`` text).

    Anything else (``None``, blank text) is an empty dict.
    """
    if isinstance(model_args, dict):
        return dict(model_args)
    if isinstance(model_args, str) and model_args.strip():
        from lm_eval.utils import simple_parse_args_string

        return dict(simple_parse_args_string(model_args))
    return {}


def display_name(name: str) -> str:
    """A model/adapter name for tables: embedded folder -> alias, path -> folder name.

    A hub id (``org/name``) stays as it is; a path (absolute, ``./``, ``~``, with more
    than one ``/``, or ``adapters/NAME``: the registry folder the README's commands use,
    never read as a hub owner) is shown by its last component, so ``peft=adapters/NAME``
    and ``peft=./adapters/NAME`` are one adapter.
    """
    from harness_ext.models.embedded import EMBEDDED_MODELS

    text = name.strip().rstrip("/")
    is_path = (
        text.startswith(("/", ".", "~", f"{REGISTRY_FOLDER}/"))
        or text.count("/") > 1
        or "\\" in text
    )
    base = re.split(r"[\\/]", text)[-1] if is_path else text
    for alias, model in EMBEDDED_MODELS.items():
        if base in (model.folder, alias):
            return alias
    return base


def run_key(data: dict[str, Any]) -> RunKey:
    """The ``RunKey`` of a results file (from ``config.model_args``)."""
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    args = parse_model_args((config or {}).get("model_args"))
    pretrained = args.get("pretrained") or data.get("model_name") or "unknown"
    peft = args.get("peft")
    described = (config or {}).get("toolplan_quantization")
    if isinstance(described, dict) and described.get("method"):
        # toolplan-hf's own record; also right for pre-quantized folders (models.quantize)
        bits, method = described.get("bits"), str(described["method"])
        quantization = f"{bits}bit" if bits else method
    elif parse_bool(args.get("load_in_4bit")):
        quantization = "4bit"
    elif parse_bool(args.get("load_in_8bit")):
        quantization = "8bit"
    elif args.get("quantization") not in (None, "", "none", "None"):
        quantization = str(args["quantization"])
    else:
        quantization = "none"
    adapter = display_name(str(peft)) if peft else NO_ADAPTER
    return RunKey(display_name(str(pretrained)), adapter, quantization)


def read_cost(data: dict[str, Any], where: str | Path = "results file") -> Cost:
    """The cost a ``toolplan-hf`` run recorded at ``config.toolplan_cost``.

    Read: ``tokens_per_second``, ``peak_rss_mb`` and ``gpu_peak_allocated_mb`` (all in
    the units ``harness_ext.models.cost`` writes). A missing or ``null`` record or field,
    and NaN, mean "not measured" (``None``).

    Raises:
        DataFileError: the record is not a mapping or a field is not a number, naming
            ``where`` and the field.
    """
    config = data.get("config")
    record = config.get(COST_RECORD) if isinstance(config, dict) else None
    if record is None:
        return Cost()
    fix = "rerun with toolplan-hf, or delete the malformed cost record from this file"
    if not isinstance(record, dict):
        raise DataFileError(where, f"config.{COST_RECORD} is not a mapping", fix)

    def number(name: str) -> float | None:
        value = record.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DataFileError(
                where, f"config.{COST_RECORD}.{name} is {value!r}, not a number", fix
            )
        return None if math.isnan(value) else float(value)

    return Cost(
        tokens_per_s=number("tokens_per_second"),
        peak_rss_mb=number("peak_rss_mb"),
        peak_gpu_mb=number("gpu_peak_allocated_mb"),
    )


def read_run(path: Path) -> RunFile:
    """Parse one results file.

    Raises:
        DataFileError: not JSON, no ``results`` mapping, or a malformed cost record —
            naming the file.
    """
    fix = "pass only results_*.json files written by lm_eval (or move this file away)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", fix) from e
    except json.JSONDecodeError as e:
        raise DataFileError(path, f"is not JSON ({e.msg}, line {e.lineno})", fix) from e
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise DataFileError(path, "has no 'results' mapping", fix)
    date = data.get("date")
    return RunFile(
        path=path,
        date=float(date) if isinstance(date, (int, float)) else 0.0,
        key=run_key(data),
        chat=data.get("chat_template") is not None,
        data=data,
        cost=read_cost(data, path),
    )


def read_runs(paths: Sequence[str | Path]) -> list[RunFile]:
    """Every results file under ``paths``, oldest first (by ``date``, then path)."""
    runs = (read_run(p) for p in find_results(paths))
    return sorted(runs, key=lambda r: (r.date, str(r.path)))


def newest_run(runs: Iterable[RunFile], task: str, adapter: str) -> RunFile | None:
    """The newest run (by ``date``, then path) holding ``task`` for ``adapter``.

    ``adapter`` is the display name (``""`` = the base model); ``None`` when no run fits.
    """
    found = [r for r in runs if r.key.adapter == adapter and task in r.results]
    return max(found, key=lambda r: (r.date, str(r.path))) if found else None


def metric(entry: dict[str, Any], name: str) -> float | None:
    """The value of metric ``name`` in a results entry (filter ``none`` first).

    Non-numeric values ("N/A", a skip reason), booleans and NaN count as not measured.
    """
    keys = [f"{name},none", *sorted(k for k in entry if k.startswith(f"{name},"))]
    for key in keys:
        value = entry.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isnan(value):
                return None
            return float(value)
    return None


def forgetting_suites(data: dict[str, Any]) -> list[str]:
    """The top-level ``forget_*`` entries of a results file (members of none of its
    groups), sorted."""
    members = {m for subs in (data.get("group_subtasks") or {}).values() for m in subs}
    return sorted(
        name for name in data["results"] if name.startswith("forget_") and name not in members
    )


def adapter_kind(data: dict[str, Any]) -> str | None:
    """The adapter's manifest ``kind`` as ``toolplan-hf`` recorded it (``config.toolplan_adapter``).

    None when the run had no adapter, or was made by a model that does not record one.
    """
    config = data.get("config")
    record = config.get("toolplan_adapter") if isinstance(config, dict) else None
    kind = record.get("kind") if isinstance(record, dict) else None
    return str(kind) if kind else None


def _file_label(value: str) -> str:
    """A catalog or scenario file given by path -> its file name without extension; a
    shipped name stays as it is."""
    return Path(value).stem if ("/" in value or value.endswith((".json", ".jsonl"))) else value


def task_scope(data: dict[str, Any], task: str) -> tuple[str, str | None]:
    """The catalog and scenario set a planning task ran on: its ``--metadata catalog=`` and
    ``scenarios=`` as lm-eval recorded them in the task config (a path shown by its file
    name), else the shipped ``assetops_23`` catalog and the task's own scenarios (None)."""
    configs = data.get("configs")
    config = configs.get(task) if isinstance(configs, dict) else None
    meta = config.get("metadata") if isinstance(config, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    catalog = str(meta.get("catalog") or DEFAULT_CATALOG)
    scenarios = meta.get("scenarios")
    return _file_label(catalog), _file_label(str(scenarios)) if scenarios else None


def suite_version(data: dict[str, Any], suite: str) -> str:
    """The version lm-eval recorded for ``suite`` (``versions``), as text; "" if none.

    Numbers are written as floats, so ``1``, ``1.0`` and ``"1.0"`` (lm-eval stores group
    versions as text and task versions as numbers) are one version, ``"1.0"``.
    """
    versions = data.get("versions")
    value = versions.get(suite) if isinstance(versions, dict) else None
    if value is None:
        return ""
    try:
        return str(float(value))
    except (TypeError, ValueError):
        return str(value)


def suite_labels(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A display name per (suite, version) seen together.

    A suite seen at one version keeps its name. A suite seen at several versions (a task
    whose questions or scoring changed, e.g. ``forget_probe`` 1.0 and 2.0) keeps its name
    for the newest version and gets `` v<version>`` for the others, so scores over
    different questions never share a column or a retention base. Versions compare as
    numbers when they parse as numbers, else as text.
    """

    def order(version: str) -> tuple[int, float, str]:
        try:
            return (1, float(version), version)
        except ValueError:
            return (0, 0.0, version)

    by_suite: dict[str, set[str]] = {}
    for suite, version in pairs:
        by_suite.setdefault(suite, set()).add(version)
    labels = {}
    for suite, versions in by_suite.items():
        newest = max(versions, key=order)
        for version in versions:
            labels[(suite, version)] = suite if version == newest else f"{suite} v{version}"
    return labels


def skipped_parts(data: dict[str, Any], suite: str) -> tuple[str, ...]:
    """The parts of ``suite`` (itself or its nested subtasks) reported as skipped."""
    results = data["results"]
    todo, skipped = [suite], []
    subtasks = data.get("group_subtasks") or {}
    while todo:
        name = todo.pop()
        entry = results.get(name) or {}
        if "skipped,none" in entry:
            skipped.append(name)
        todo.extend(subtasks.get(name, []))
    return tuple(sorted(skipped))


def read_json(path: Path, fix: str) -> Any:
    """A JSON file's value.

    Raises:
        DataFileError: the file is missing, unreadable or not JSON, naming it and ``fix``.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", fix) from e
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", fix) from e
    except json.JSONDecodeError as e:
        raise DataFileError(path, f"is not JSON ({e.msg}, line {e.lineno})", fix) from e


def shown_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (posix) when it lies inside it, else as given."""
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    if absolute.is_relative_to(base):
        return absolute.relative_to(base).as_posix()
    return str(path)
