"""The leaderboard: ``results/LEADERBOARD.md`` and PNG plots from lm-eval results files.

Input is only lm-eval's ``results_*.json`` (found recursively under the given paths).
A run is identified by ``config.model_args``: ``pretrained=`` (the base model) and
``peft=`` (the adapter); its quantization comes from ``config.toolplan_quantization``
(written by ``toolplan-hf``, right for pre-quantized folders too), else from the
``load_in_8bit``/``load_in_4bit``/``quantization=`` model args, else "none".

One table row per model x adapter x quantization x condition x split:

* conditions come from the task names ``assetops_{informed,free}[_<split>]``;
* a model x adapter x quantization with forgetting results but no planning results
  gets one row with condition "–";
* forgetting suites are the top-level ``forget_*`` entries of a results file (those
  that are not a member of another group in it); each gets an accuracy and a
  retention column (``harness_ext.forgetting.retention``).

Merging rules (documented because results accumulate): files are read in order of
their ``date`` (then path); for a planning task, later files override earlier ones
metric by metric (so a judge pass written beside a run adds its ``judge_*`` metrics);
for a forgetting suite the latest file's entry wins as a whole.

Cost columns (tokens/s, peak memory) are read when a results file carries them; the
keys are detected by name (see ``find_cost``), anywhere in the task's results entry or
the file's top level. Anything a run did not measure is shown as "–", never 0.

Output is deterministic: rows and sources are sorted, no timestamps are written, and
the PNGs are drawn with the Agg renderer and no software/date metadata.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.forgetting.retention import NO_ADAPTER, Retention, SuiteScore, compute_retention
from harness_ext.io import parse_bool
from harness_ext.judge.rubric import DIMENSIONS

MISSING = "–"
LEADERBOARD_MD = "LEADERBOARD.md"
PLOT_TOKENS = "at_f1_vs_prompt_tokens.png"
PLOT_RETENTION = "quality_vs_retention.png"
PLOT_JUDGE = "judge_dimensions.png"
JUDGE_DIMENSIONS = DIMENSIONS
PREFERRED_SUITES = ("forget_probe", "forget_mmlu", "forget_mmlu_cloze")
_TASK_RE = re.compile(r"^assetops_(informed|free)(?:_(\w+))?$")
_CONDITION_ORDER = {"informed": 0, "free": 1, MISSING: 2}
# Keys that hold per-task bookkeeping, not run-level measurements.
_NOT_COST = {
    "results",
    "groups",
    "group_subtasks",
    "configs",
    "versions",
    "n-shot",
    "higher_is_better",
    "n-samples",
    "samples",
    "task_hashes",
}
_TPS_RE = re.compile(r"(?:^|_)(?:tok|toks|token|tokens)_?(?:per_?s|per_?sec|per_?second|/s)$")
_UNIT_SCALE_MB = {
    "mb": 1.0,
    "mib": 1.0,
    "gb": 1024.0,
    "gib": 1024.0,
    "kb": 1 / 1024,
    "kib": 1 / 1024,
    "bytes": 1 / 2**20,
    "b": 1 / 2**20,
}


@dataclass(frozen=True, order=True)
class RunKey:
    """Who was evaluated: base model, adapter (``""`` = none) and quantization."""

    model: str
    adapter: str
    quantization: str


@dataclass(frozen=True)
class Cost:
    """Run cost measurements found in a results file (``None`` = not reported)."""

    tokens_per_s: float | None = None
    peak_rss_mb: float | None = None
    peak_gpu_mb: float | None = None


@dataclass(frozen=True)
class RunFile:
    """One parsed results file."""

    path: Path
    date: float
    key: RunKey
    chat: bool
    data: dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One leaderboard row (``None`` = not measured)."""

    key: RunKey
    condition: str
    split: str
    n: int | None = None
    metrics: dict[str, float | None] = field(default_factory=dict)
    reduction_pct: float | None = None
    cost: Cost = Cost()
    forgetting: tuple[tuple[str, float | None, float | None], ...] = ()  # suite, acc, retention

    def get(self, name: str) -> float | None:
        return self.metrics.get(name)


@dataclass(frozen=True)
class Leaderboard:
    """Everything the markdown and the plots are drawn from."""

    rows: tuple[Row, ...]
    suites: tuple[str, ...]
    scores: tuple[SuiteScore, ...]
    retention: dict[SuiteScore, Retention]
    sources: tuple[Path, ...]


# ---------------------------------------------------------------- reading


def find_results(paths: Sequence[str | Path]) -> list[Path]:
    """All ``results_*.json`` files at or under ``paths`` (sorted, duplicates removed).

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
    """``config.model_args`` as a dict (lm-eval stores a dict or ``k=v,k=v`` text)."""
    if isinstance(model_args, dict):
        return dict(model_args)
    if isinstance(model_args, str) and model_args.strip():
        from lm_eval.utils import simple_parse_args_string

        return dict(simple_parse_args_string(model_args))
    return {}


def display_name(name: str) -> str:
    """A model/adapter name for tables: embedded folder -> alias, path -> folder name.

    A hub id (``org/name``) stays as it is; a path (absolute, ``./``, ``~``, or with
    more than one ``/``) is shown by its last component.
    """
    from harness_ext.models.embedded import EMBEDDED_MODELS

    text = name.strip().rstrip("/")
    is_path = text.startswith(("/", ".", "~")) or text.count("/") > 1 or "\\" in text
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


def read_run(path: Path) -> RunFile:
    """Parse one results file.

    Raises:
        DataFileError: not JSON, or no ``results`` mapping — naming the file.
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
    )


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


def _mb(key: str, value: float) -> float:
    lowered = key.lower()
    for unit, scale in _UNIT_SCALE_MB.items():
        if lowered.endswith(f"_{unit}"):
            return value * scale
    return value / 2**20  # psutil and torch report bytes; a unit-less key is read as bytes


def _walk(obj: Any, depth: int = 0) -> Iterable[tuple[str, Any]]:
    if not isinstance(obj, dict) or depth > 3:
        return
    for key in sorted(obj, key=str):
        if depth == 0 and key in _NOT_COST:
            continue
        value = obj[key]
        yield str(key), value
        yield from _walk(value, depth + 1)


def find_cost(data: dict[str, Any], entry: dict[str, Any] | None = None) -> Cost:
    """Detect cost measurements by key name, first in the task entry, then the file.

    Recognized (case-insensitive; the first match in sorted key order wins):
    tokens/s — a key ending in ``tokens_per_second``, ``tokens_per_s``, ``tok_per_s``
    ...; GPU peak — ``peak`` with ``gpu``/``cuda``/``vram`` (``gpu_peak_allocated_mb``
    comes before ``gpu_peak_reserved_mb``); RSS peak — ``peak`` with ``rss``/``mem``.
    The unit comes from the suffix (``_mb``, ``_gb``, ``_bytes`` ...; none = bytes).
    ``toolplan-hf`` runs write these under ``config.toolplan_cost`` (harness_ext.models.cost).
    lm-eval metric keys (``name,filter``) are matched on ``name``.
    """
    found: dict[str, float] = {}
    sources: list[Iterable[tuple[str, Any]]] = []
    if entry:
        sources.append(sorted(entry.items()))
    sources.append(_walk(data))
    for source in sources:
        for raw_key, value in source:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
                continue
            key = raw_key.split(",")[0].lower()
            if "tokens_per_s" not in found and _TPS_RE.search(key):
                found["tokens_per_s"] = float(value)
            elif "peak" in key and any(w in key for w in ("gpu", "cuda", "vram")):
                found.setdefault("gpu", _mb(key, float(value)))
            elif "peak" in key and any(w in key for w in ("rss", "mem")):
                found.setdefault("rss", _mb(key, float(value)))
    return Cost(found.get("tokens_per_s"), found.get("rss"), found.get("gpu"))


# ---------------------------------------------------------------- assembling


def _top_level_forget(data: dict[str, Any]) -> list[str]:
    members = {m for subs in (data.get("group_subtasks") or {}).values() for m in subs}
    return sorted(
        name for name in data["results"] if name.startswith("forget_") and name not in members
    )


def _skipped_parts(data: dict[str, Any], suite: str) -> tuple[str, ...]:
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


def build(paths: Sequence[str | Path]) -> Leaderboard:
    """Read every results file under ``paths`` and assemble rows, suites and retention."""
    runs = sorted((read_run(p) for p in find_results(paths)), key=lambda r: (r.date, str(r.path)))
    planning: dict[tuple[RunKey, str], dict[str, Any]] = {}
    cost: dict[tuple[RunKey, str], Cost] = {}
    suites: dict[tuple[RunKey, str], SuiteScore] = {}
    used: set[Path] = set()
    for run in runs:
        results = run.data["results"]
        for task, entry in results.items():
            if not isinstance(entry, dict) or not _TASK_RE.match(task):
                continue
            planning.setdefault((run.key, task), {}).update(entry)
            found = find_cost(run.data, entry)
            if found != Cost():
                cost[(run.key, task)] = found
            used.add(run.path)
        for suite in _top_level_forget(run.data):
            entry = results[suite]
            suites[(run.key, suite)] = SuiteScore(
                model=run.key.model,
                adapter=run.key.adapter,
                quantization=run.key.quantization,
                suite=suite,
                n=int(entry.get("sample_len") or 0),
                chat=run.chat,
                acc=metric(entry, "acc"),
                skipped=_skipped_parts(run.data, suite),
                source=str(run.path),
            )
            used.add(run.path)
    scores = tuple(suites[k] for k in sorted(suites))
    retention = compute_retention(scores)
    suite_names = tuple(sorted({s.suite for s in scores}, key=_suite_order))
    rows = _rows(planning, cost, suites, retention, suite_names)
    return Leaderboard(rows, suite_names, scores, retention, tuple(sorted(used)))


def _suite_order(name: str) -> tuple[int, str]:
    rank = PREFERRED_SUITES.index(name) if name in PREFERRED_SUITES else len(PREFERRED_SUITES)
    return rank, name


def _rows(
    planning: dict[tuple[RunKey, str], dict[str, Any]],
    cost: dict[tuple[RunKey, str], Cost],
    suites: dict[tuple[RunKey, str], SuiteScore],
    retention: dict[SuiteScore, Retention],
    suite_names: tuple[str, ...],
) -> tuple[Row, ...]:
    names: tuple[str, ...] = ("at_f1", "at_f1_nb", "agent_f1", "tool_f1", "judge_overall")
    names += ("prompt_tokens", *(f"judge_{d}" for d in JUDGE_DIMENSIONS))
    tokens: dict[tuple[RunKey, str, str], float | None] = {}
    parsed = []
    for (key, task), entry in planning.items():
        match = _TASK_RE.match(task)
        if match is None:  # build() keeps only assetops tasks; stay safe if that changes
            continue
        condition, split = match.group(1), match.group(2) or "all"
        values = {name: metric(entry, name) for name in names}
        tokens[(key, condition, split)] = values["prompt_tokens"]
        n = entry.get("sample_len")
        parsed.append((key, condition, split, values, int(n) if isinstance(n, int) else None, task))

    def forgetting(key: RunKey) -> tuple[tuple[str, float | None, float | None], ...]:
        out = []
        for suite in suite_names:
            score = suites.get((key, suite))
            ret = retention[score].value if score else None
            out.append((suite, score.acc if score else None, ret))
        return tuple(out)

    rows = []
    for key, condition, split, values, n, task in parsed:
        reduction = None
        if condition == "free":
            informed = tokens.get((key, "informed", split))
            free = values["prompt_tokens"]
            if informed and free is not None and informed > 0:
                reduction = 100.0 * (informed - free) / informed
        rows.append(
            Row(
                key=key,
                condition=condition,
                split=split,
                n=n,
                metrics=values,
                reduction_pct=reduction,
                cost=cost.get((key, task), Cost()),
                forgetting=forgetting(key),
            )
        )
    planned = {row.key for row in rows}
    for key in sorted({k for k, _ in suites} - planned):
        rows.append(Row(key=key, condition=MISSING, split=MISSING, forgetting=forgetting(key)))
    rows.sort(
        key=lambda r: (
            r.key.model,
            r.key.adapter,
            r.key.quantization,
            r.split,
            _CONDITION_ORDER[r.condition],
        )
    )
    return tuple(rows)


# ---------------------------------------------------------------- rendering


def fmt(value: float | None, digits: int) -> str:
    """A number with ``digits`` decimals, or "–" when it was not measured."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value:.{digits}f}"


def _adapter(key: RunKey) -> str:
    return key.adapter or "(base)"


def main_table(board: Leaderboard) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the main table (all strings, so tabulate keeps them as is)."""
    gpu = any(r.cost.peak_gpu_mb is not None for r in board.rows)
    header = ["model", "adapter", "quant", "condition", "split", "n", "AT-F1", "AT-F1 nb"]
    header += ["agent F1", "tool F1", "judge", "prompt tok", "tok saved %"]
    for suite in board.suites:
        header += [f"{suite} acc", f"{suite} ret %"]
    header += ["tok/s", "peak RSS MB"] + (["peak GPU MB"] if gpu else [])
    cells = []
    for r in board.rows:
        line = [r.key.model, _adapter(r.key), r.key.quantization, r.condition, r.split]
        line.append(str(r.n) if r.n is not None else MISSING)
        line += [fmt(r.get(m), 3) for m in ("at_f1", "at_f1_nb", "agent_f1", "tool_f1")]
        line += [fmt(r.get("judge_overall"), 2), fmt(r.get("prompt_tokens"), 0)]
        line.append(fmt(r.reduction_pct, 1))
        for _, acc, ret in r.forgetting:
            line += [fmt(acc, 3), fmt(None if ret is None else 100 * ret, 1)]
        line += [fmt(r.cost.tokens_per_s, 1), fmt(r.cost.peak_rss_mb, 0)]
        if gpu:
            line.append(fmt(r.cost.peak_gpu_mb, 0))
        cells.append(line)
    return header, cells


def forgetting_table(board: Leaderboard) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the per-suite forgetting table (with the base run used)."""
    header = ["model", "adapter", "quant", "suite", "questions", "chat template", "acc"]
    header += ["retention %", "compared with", "skipped parts"]
    cells = []
    for s in board.scores:
        ret = board.retention[s]
        if ret.base is None:
            against = ret.reason
        elif ret.base == s:
            against = "itself (base run)"
        else:
            against = f"{ret.base.model} (base, {ret.base.quantization})"
        cells.append(
            [
                s.model,
                s.adapter or "(base)",
                s.quantization,
                s.suite,
                str(s.n),
                "on" if s.chat else "off",
                fmt(s.acc, 3),
                fmt(None if ret.value is None else 100 * ret.value, 1),
                against,
                ", ".join(f"{p} (skipped)" for p in s.skipped) or "none",
            ]
        )
    return header, cells


def render_markdown(board: Leaderboard, out_dir: Path, plots: Sequence[tuple[str, str]]) -> str:
    """The text of ``LEADERBOARD.md`` (paths relative to ``out_dir``)."""
    from tabulate import tabulate

    def table(header: list[str], cells: list[list[str]]) -> str:
        return tabulate(cells, headers=header, tablefmt="github", disable_numparse=True)

    lines = [
        "# Leaderboard",
        "",
        "<!-- Generated by `toolplan leaderboard`; edit the results, not this file. -->",
        "",
        f"Built from {len(board.sources)} lm-eval results files (listed at the end). "
        f"{MISSING} = not measured in these runs (never a 0).",
        "",
        "## Planning, forgetting and cost",
        "",
    ]
    if board.rows:
        lines.append(table(*main_table(board)))
    else:
        lines.append("No assetops or forget_ results in these files.")
    lines += [
        "",
        "Columns: AT-F1 / AT-F1 nb = paper-text and notebook AT-F1; agent/tool F1 = set F1 of "
        "agent and tool names; judge = LLM-judge overall (1–5); prompt tok = mean prompt "
        "tokens; tok saved % = informed→free prompt-token reduction (free rows); "
        "`<suite> acc` = accuracy on a forgetting suite, `ret %` = that accuracy / the base "
        "model's; tok/s and peak memory come from the run's cost accounting when present.",
        "",
    ]
    if board.scores:
        lines += ["## Forgetting suites", "", table(*forgetting_table(board)), ""]
    if plots:
        lines += ["## Plots", ""]
        for name, title in plots:
            lines += [f"![{title}]({name})", ""]
    lines += ["## Sources", ""]
    lines += [f"- `{Path(os.path.relpath(p, out_dir)).as_posix()}`" for p in board.sources]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- plots


def _label(key: RunKey) -> str:
    parts = [key.model]
    if key.adapter:
        parts.append(key.adapter)
    if key.quantization != "none":
        parts.append(key.quantization)
    return " / ".join(parts)


def _figure(title: str) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.8), dpi=100)
    ax = fig.subplots()
    ax.set_title(title)
    return fig, ax


def _no_data(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def _save(fig: Any, path: Path) -> None:
    import matplotlib

    # No software/date metadata and a fixed hash salt: same input, same bytes.
    with matplotlib.rc_context({"svg.hashsalt": "toolplan-eval"}):
        fig.tight_layout()
        fig.savefig(path, format="png", metadata={"Software": None})


def plot_tokens(board: Leaderboard, path: Path) -> str:
    """AT-F1 against mean prompt tokens; informed and free of one model joined by a line."""
    title = "AT-F1 vs prompt tokens"
    fig, ax = _figure(title)
    points = [r for r in board.rows if r.get("at_f1") is not None and r.get("prompt_tokens")]
    if not points:
        _no_data(ax, "no run reports both at_f1 and prompt_tokens yet")
    else:
        colors = {"informed": "tab:blue", "free": "tab:orange"}
        pairs: dict[tuple[RunKey, str], list[Row]] = {}
        for r in points:
            pairs.setdefault((r.key, r.split), []).append(r)
        for group in pairs.values():
            if len(group) == 2:
                ax.plot(
                    [g.get("prompt_tokens") for g in group],
                    [g.get("at_f1") for g in group],
                    color="0.6",
                    linestyle="--",
                    linewidth=1,
                )
        for condition, color in colors.items():
            chosen = [r for r in points if r.condition == condition]
            if chosen:
                ax.scatter(
                    [r.get("prompt_tokens") for r in chosen],
                    [r.get("at_f1") for r in chosen],
                    color=color,
                    label=condition,
                    zorder=3,
                )
        for r in points:
            ax.annotate(
                f"{_label(r.key)} ({r.split})",
                (r.get("prompt_tokens"), r.get("at_f1")),
                textcoords="offset points",
                xytext=(5, 5),
                fontsize=8,
            )
        ax.set_xscale("log")
        ax.set_xlabel("mean prompt tokens (log scale)")
        ax.set_ylabel("AT-F1")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
        ax.legend(title="condition")
    _save(fig, path)
    return title


def primary_suite(board: Leaderboard) -> str | None:
    """The suite retention is plotted on: forget_probe, else forget_mmlu, else the first."""
    return board.suites[0] if board.suites else None


def plot_retention(board: Leaderboard, path: Path) -> str:
    """Planning quality (free-condition AT-F1) against retention — the rank trade-off."""
    suite = primary_suite(board)
    title = f"Planning quality vs retention ({suite or 'no forgetting suite'})"
    fig, ax = _figure(title)
    points = []
    for r in board.rows:
        ret = dict((s, ret) for s, _, ret in r.forgetting).get(suite or "")
        if r.condition == "free" and r.get("at_f1") is not None and ret is not None:
            points.append((100 * ret, r.get("at_f1"), r))
    if not points:
        _no_data(ax, "no run has both free-condition AT-F1 and a retention yet")
    else:
        for x, y, r in points:
            color = "tab:gray" if not r.key.adapter else "tab:green"
            ax.scatter([x], [y], color=color, zorder=3)
            ax.annotate(
                f"{_label(r.key)} ({r.split})",
                (x, y),
                textcoords="offset points",
                xytext=(5, 5),
                fontsize=8,
            )
        ax.axvline(100, color="0.6", linestyle="--", linewidth=1)
        ax.set_xlabel(f"retention on {suite} (% of the base model's accuracy)")
        ax.set_ylabel("AT-F1, description-free")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
    _save(fig, path)
    return title


def plot_judge(board: Leaderboard, path: Path) -> str:
    """Mean LLM-judge score per rubric dimension, one bar group per row."""
    title = "LLM-judge dimensions (1–5)"
    fig, ax = _figure(title)
    rows = [r for r in board.rows if any(r.get(f"judge_{d}") is not None for d in JUDGE_DIMENSIONS)]
    if not rows:
        _no_data(ax, "no judge scores in these results yet")
    else:
        width = 0.8 / len(rows)
        for i, r in enumerate(rows):
            values = [r.get(f"judge_{d}") for d in JUDGE_DIMENSIONS]
            xs = [j + i * width for j, v in enumerate(values) if v is not None]
            ax.bar(
                xs,
                [v for v in values if v is not None],
                width=width,
                label=f"{_label(r.key)} {r.condition} ({r.split})",
            )
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(JUDGE_DIMENSIONS))])
        ax.set_xticklabels([d.replace("_", "\n") for d in JUDGE_DIMENSIONS], fontsize=8)
        ax.set_ylim(0, 5.2)
        ax.set_ylabel("mean score")
        ax.legend(fontsize=7)
    _save(fig, path)
    return title


README_START = "<!-- leaderboard:start -->"
README_END = "<!-- leaderboard:end -->"


def replace_marked_block(path: str | Path, start: str, end: str, block: str, what: str) -> None:
    """Replace ``start`` ... ``end`` (markers included) in ``path`` with ``block``.

    ``block`` should begin with ``start`` and end with ``end`` so the next rebuild finds
    them again; the text around the markers is kept byte for byte.

    Raises:
        DataFileError: the file or one of the markers is missing (nothing is written).
    """
    path = Path(path)
    fix = f"put the lines {start} and {end} where the {what} table should go"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataFileError(path, f"cannot be read ({e})", fix) from e
    first, last = text.find(start), text.find(end)
    if first < 0 or last < first:
        raise DataFileError(path, f"has no {what} markers", fix)
    path.write_text(text[:first] + block + text[last + len(end) :], encoding="utf-8")


def update_readme(readme: str | Path, board: Leaderboard) -> None:
    """Replace the text between the two leaderboard markers of ``readme`` with the table.

    Raises:
        DataFileError: the file or one of the markers is missing (nothing is written).
    """
    from tabulate import tabulate

    header, cells = main_table(board)
    table = tabulate(cells, headers=header, tablefmt="github", disable_numparse=True)
    block = f"{README_START}\n{table}\n{README_END}"
    replace_marked_block(readme, README_START, README_END, block, "leaderboard")


def write_leaderboard(
    paths: Sequence[str | Path], out_dir: str | Path, readme: str | Path | None = None
) -> list[Path]:
    """Write ``LEADERBOARD.md`` and the three PNGs into ``out_dir`` (and the table into
    ``readme`` between its markers, when given); return the files written."""
    board = build(paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plots = [
        (PLOT_TOKENS, plot_tokens(board, out / PLOT_TOKENS)),
        (PLOT_RETENTION, plot_retention(board, out / PLOT_RETENTION)),
        (PLOT_JUDGE, plot_judge(board, out / PLOT_JUDGE)),
    ]
    md = out / LEADERBOARD_MD
    md.write_text(render_markdown(board, out, plots), encoding="utf-8")
    written = [md] + [out / name for name, _ in plots]
    if readme is not None:
        update_readme(readme, board)
        written.append(Path(readme))
    return written
