"""The leaderboard: ``results/LEADERBOARD.md``, its PNG plots and the README table.

Input is only lm-eval's ``results_*.json`` (found recursively under the given paths and
read by ``harness_ext.reporting.results``). One table row per model x adapter x
quantization x condition x split:

* conditions come from the task names ``assetops_{informed,free}[_<split>]``;
* a model x adapter x quantization with forgetting results but no planning results
  gets one row with condition "–";
* forgetting suites are the top-level ``forget_*`` entries of a results file (those
  that are not a member of another group in it); each gets an accuracy and a
  retention column (``harness_ext.forgetting.retention``). A suite found at several
  task versions (its questions changed, e.g. ``forget_probe`` 1.0 → 2.0) is split:
  the newest version keeps the name, older ones are shown as ``<suite> v<version>``
  and are compared only with runs of the same version (``results.suite_labels``).

A planning row also names its catalog and scenarios: runs given ``--metadata catalog=...
scenarios=...`` (a user's own tools, e.g. the BFCL multi-turn second domain) are rows of
their own, with the catalog file's name in the catalog column and the scenario file's name
as the split; the default is the shipped ``assetops_23`` catalog and the task's split.

Each row names its training method (``sft``, ``grpo``, ``sft+grpo``; ``none`` for the
base model), from the adapter manifest's ``kind`` that ``toolplan-hf`` records in the
results (``config.toolplan_adapter``); a run that recorded none shows "–".

Function calling (``fc_bfcl_*``) has its own table: one row per model x adapter x
quantization x output format (``fc_format``, from the tasks' metadata), accuracy per
BFCL category, the non-live overall (the ``fc_bfcl_nonlive_ast`` group's unweighted
mean, BFCL's leaderboard rule), and the decode/JSON validity rates pooled over the
categories the run has. A category the run did not have is "–".

Merging rules (documented because results accumulate): files are read in order of
their ``date`` (then path); for a planning task, later files override earlier ones
metric by metric (so a judge pass written beside a run adds its ``judge_*`` metrics);
its cost is the latest file's that recorded one (``config.toolplan_cost``); for a
forgetting suite the latest file's entry wins as a whole. Anything a run did not
measure is shown as "–", never 0.

Output is deterministic: rows and sources are sorted, no timestamps are written, and
the PNGs are drawn with the Agg renderer and no software/date metadata.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_ext.forgetting.retention import Retention, SuiteScore, compute_retention
from harness_ext.io import replace_marked_block
from harness_ext.judge.rubric import DIMENSIONS as JUDGE_DIMENSIONS
from harness_ext.planning.catalog import DEFAULT_CATALOG
from harness_ext.registry.manifest import training_method
from harness_ext.reporting import plots
from harness_ext.reporting.plots import PLOT_JUDGE, PLOT_RETENTION, PLOT_TOKENS
from harness_ext.reporting.results import (
    Cost,
    RunFile,
    RunKey,
    adapter_kind,
    forgetting_suites,
    metric,
    read_runs,
    skipped_parts,
    suite_labels,
    suite_version,
    task_scope,
)
from harness_ext.reporting.tables import MISSING, fmt, github_table, pct

__all__ = [
    "LEADERBOARD_MD",
    "PLOT_JUDGE",
    "PLOT_RETENTION",
    "PLOT_TOKENS",
    "FcRow",
    "Leaderboard",
    "Row",
    "build",
    "build_from",
    "fc_table",
    "write_leaderboard",
]

LEADERBOARD_MD = "LEADERBOARD.md"
README_START = "<!-- leaderboard:start -->"
README_END = "<!-- leaderboard:end -->"
PREFERRED_SUITES = ("forget_probe", "forget_mmlu", "forget_mmlu_cloze")
_TASK_RE = re.compile(r"^assetops_(informed|free)(?:_(\w+))?$")
_CONDITION_ORDER = {"informed": 0, "free": 1, MISSING: 2}
_METRICS = (
    "at_f1",
    "at_f1_nb",
    "agent_f1",
    "tool_f1",
    "judge_overall",
    "prompt_tokens",
    *(f"judge_{d}" for d in JUDGE_DIMENSIONS),
)

Forgetting = tuple[tuple[str, float | None, float | None], ...]  # suite, acc, retention
PlanningKey = tuple[RunKey, str, str, str | None]  # run, task, catalog, scenarios

FC_PREFIX = "fc_bfcl_"
FC_CATEGORIES = ("simple", "multiple", "parallel", "parallel_multiple", "irrelevance")
"""The non-live categories shown (live ones join when a run has them: see ``fc_table``)."""


@dataclass(frozen=True)
class Row:
    """One leaderboard row (``None`` = not measured)."""

    key: RunKey
    condition: str
    split: str
    n: int | None = None
    catalog: str = DEFAULT_CATALOG
    metrics: dict[str, float | None] = field(default_factory=dict)
    reduction_pct: float | None = None
    cost: Cost = field(default_factory=Cost)
    forgetting: Forgetting = ()

    def get(self, name: str) -> float | None:
        return self.metrics.get(name)


@dataclass(frozen=True)
class FcRow:
    """One function-calling row (``None`` = not measured)."""

    key: RunKey
    fc_format: str
    n: int | None
    accuracy: tuple[float | None, ...]  # in FC_CATEGORIES order
    non_live_overall: float | None
    decode_ok: float | None
    json_valid: float | None


@dataclass(frozen=True)
class Leaderboard:
    """Everything the markdown and the plots are drawn from."""

    rows: tuple[Row, ...]
    suites: tuple[str, ...]
    scores: tuple[SuiteScore, ...]
    retention: dict[SuiteScore, Retention]
    sources: tuple[Path, ...]
    fc_rows: tuple[FcRow, ...] = ()
    methods: dict[RunKey, str] = field(default_factory=dict)

    def method(self, key: RunKey) -> str:
        """The training method of a run key's adapter (``none`` for the base model)."""
        if not key.adapter:
            return "none"
        return self.methods.get(key, MISSING)


# ---------------------------------------------------------------- assembling


def build(paths: Sequence[str | Path]) -> Leaderboard:
    """Read every results file under ``paths`` and assemble rows, suites and retention.

    Raises:
        DataFileError: a path is missing, nothing is found, or a file is malformed.
    """
    return build_from(read_runs(paths))


def build_from(runs: Sequence[RunFile]) -> Leaderboard:
    """Assemble rows, suites and retention from parsed runs, merged oldest first.

    ``runs`` must be sorted oldest first (``read_runs`` does): later files win.
    """
    planning: dict[PlanningKey, dict[str, Any]] = {}
    cost: dict[PlanningKey, Cost] = {}
    suites: dict[tuple[RunKey, str], SuiteScore] = {}
    calls: dict[tuple[RunKey, str], dict[str, dict[str, Any]]] = {}
    methods: dict[RunKey, str] = {}
    used: set[Path] = set()
    labels = suite_labels(
        (suite, suite_version(run.data, suite))
        for run in runs
        for suite in forgetting_suites(run.data)
    )
    for run in runs:
        kind = adapter_kind(run.data)
        if kind is not None:
            methods[run.key] = training_method(kind) or kind
        for task, entry in run.results.items():
            if not isinstance(entry, dict) or not _TASK_RE.match(task):
                continue
            where = (run.key, task, *task_scope(run.data, task))
            planning.setdefault(where, {}).update(entry)
            if run.cost != Cost():
                cost[where] = run.cost
            used.add(run.path)
        fc_entries = {
            task: entry
            for task, entry in run.results.items()
            if isinstance(entry, dict) and task.startswith(FC_PREFIX)
        }
        if fc_entries:
            calls.setdefault((run.key, _fc_format(run.data)), {}).update(fc_entries)
            used.add(run.path)
        for suite in forgetting_suites(run.data):
            entry = run.results[suite]
            label = labels[(suite, suite_version(run.data, suite))]
            suites[(run.key, label)] = SuiteScore(
                model=run.key.model,
                adapter=run.key.adapter,
                quantization=run.key.quantization,
                suite=label,
                n=int(entry.get("sample_len") or 0),
                chat=run.chat,
                acc=metric(entry, "acc"),
                skipped=skipped_parts(run.data, suite),
                source=str(run.path),
            )
            used.add(run.path)
    scores = tuple(suites[k] for k in sorted(suites))
    retention = compute_retention(scores)
    suite_names = tuple(sorted({s.suite for s in scores}, key=_suite_order))
    rows = _rows(planning, cost, suites, retention, suite_names)
    fc_rows = tuple(_fc_row(key, fmt_, entries) for (key, fmt_), entries in sorted(calls.items()))
    return Leaderboard(rows, suite_names, scores, retention, tuple(sorted(used)), fc_rows, methods)


def _fc_format(data: dict[str, Any]) -> str:
    """The ``fc_format`` the run's fc tasks were given (lm-eval keeps it per task config)."""
    configs = data.get("configs")
    formats = {
        str(cfg.get("metadata", {}).get("fc_format", "python"))
        for name, cfg in (configs.items() if isinstance(configs, dict) else ())
        if name.startswith(FC_PREFIX) and isinstance(cfg, dict)
    }
    return ",".join(sorted(formats)) or "python"


def _fc_row(key: RunKey, fc_format: str, entries: dict[str, dict[str, Any]]) -> FcRow:
    per_category = {}
    counts: dict[str, int] = {}
    for category in FC_CATEGORIES:
        entry = entries.get(FC_PREFIX + category)
        per_category[category] = metric(entry, "acc") if entry else None
        if entry and isinstance(entry.get("sample_len"), int):
            counts[category] = entry["sample_len"]

    def pooled(name: str) -> float | None:
        # Sample-weighted over the categories that report the rate (json_valid: json only).
        pairs = [
            (value, counts[c])
            for c in counts
            if (value := metric(entries[FC_PREFIX + c], name)) is not None
        ]
        total = sum(n for _, n in pairs)
        return sum(v * n for v, n in pairs) / total if total else None

    nonlive = entries.get(FC_PREFIX + "nonlive_ast")
    return FcRow(
        key=key,
        fc_format=fc_format,
        n=sum(counts.values()) or None,
        accuracy=tuple(per_category[c] for c in FC_CATEGORIES),
        non_live_overall=metric(nonlive, "acc") if nonlive else None,
        decode_ok=pooled("decode_ok"),
        json_valid=pooled("json_valid"),
    )


def _suite_order(name: str) -> tuple[int, str]:
    rank = PREFERRED_SUITES.index(name) if name in PREFERRED_SUITES else len(PREFERRED_SUITES)
    return rank, name


def _rows(
    planning: dict[PlanningKey, dict[str, Any]],
    cost: dict[PlanningKey, Cost],
    suites: dict[tuple[RunKey, str], SuiteScore],
    retention: dict[SuiteScore, Retention],
    suite_names: tuple[str, ...],
) -> tuple[Row, ...]:
    tokens: dict[tuple[RunKey, str, str, str], float | None] = {}
    parsed = []
    for where, entry in planning.items():
        key, task, catalog, scenarios = where
        match = _TASK_RE.match(task)
        if match is None:  # build() keeps only assetops tasks; stay safe if that changes
            continue
        condition, split = match.group(1), match.group(2) or scenarios or "all"
        values = {name: metric(entry, name) for name in _METRICS}
        tokens[(key, catalog, condition, split)] = values["prompt_tokens"]
        n = entry.get("sample_len")
        n = int(n) if isinstance(n, int) else None
        parsed.append((where, condition, split, values, n))

    def forgetting(key: RunKey) -> Forgetting:
        out = []
        for suite in suite_names:
            score = suites.get((key, suite))
            ret = retention[score].value if score else None
            out.append((suite, score.acc if score else None, ret))
        return tuple(out)

    rows = []
    for where, condition, split, values, n in parsed:
        key, catalog = where[0], where[2]
        reduction = None
        if condition == "free":
            informed = tokens.get((key, catalog, "informed", split))
            free = values["prompt_tokens"]
            if informed and free is not None and informed > 0:
                reduction = 100.0 * (informed - free) / informed
        rows.append(
            Row(
                key=key,
                condition=condition,
                split=split,
                n=n,
                catalog=catalog,
                metrics=values,
                reduction_pct=reduction,
                cost=cost.get(where, Cost()),
                forgetting=forgetting(key),
            )
        )
    planned = {row.key for row in rows}
    for key in sorted({k for k, _ in suites} - planned):
        rows.append(
            Row(key=key, condition=MISSING, split=MISSING, catalog=MISSING,
                forgetting=forgetting(key))
        )  # fmt: skip
    rows.sort(
        key=lambda r: (
            r.key.model,
            r.key.adapter,
            r.key.quantization,
            r.catalog,
            r.split,
            _CONDITION_ORDER[r.condition],
        )
    )
    return tuple(rows)


# ---------------------------------------------------------------- rendering


def _adapter(key: RunKey) -> str:
    return key.adapter or "(base)"


def main_table(board: Leaderboard) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the main table (all strings, so tabulate keeps them as is).

    The "peak GPU MB" column appears only when some row measured it.
    """
    gpu = any(r.cost.peak_gpu_mb is not None for r in board.rows)
    header = ["model", "adapter", "method", "quant", "catalog", "condition", "split", "n"]
    header += ["AT-F1"]
    header += ["AT-F1 nb"]
    header += ["agent F1", "tool F1", "judge", "prompt tok", "tok saved %"]
    for suite in board.suites:
        header += [f"{suite} acc", f"{suite} ret %"]
    header += ["tok/s", "peak RSS MB"] + (["peak GPU MB"] if gpu else [])
    cells = []
    for r in board.rows:
        line = [r.key.model, _adapter(r.key), board.method(r.key), r.key.quantization]
        line += [r.catalog, r.condition, r.split]
        line.append(str(r.n) if r.n is not None else MISSING)
        line += [fmt(r.get(m), 3) for m in ("at_f1", "at_f1_nb", "agent_f1", "tool_f1")]
        line += [fmt(r.get("judge_overall"), 2), fmt(r.get("prompt_tokens"), 0)]
        line.append(fmt(r.reduction_pct, 1))
        for _, acc, ret in r.forgetting:
            line += [fmt(acc, 3), pct(ret)]
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
                pct(ret.value),
                against,
                ", ".join(f"{p} (skipped)" for p in s.skipped) or "none",
            ]
        )
    return header, cells


def fc_table(board: Leaderboard) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the function-calling table (BFCL non-live categories)."""
    header = ["model", "adapter", "method", "quant", "format", "n"]
    header += [c.replace("_", " ") for c in FC_CATEGORIES]
    header += ["non-live overall", "decode ok", "JSON valid"]
    cells = []
    for r in board.fc_rows:
        line = [r.key.model, _adapter(r.key), board.method(r.key), r.key.quantization]
        line.append(r.fc_format)
        line.append(str(r.n) if r.n is not None else MISSING)
        line += [fmt(a, 3) for a in r.accuracy]
        line += [fmt(r.non_live_overall, 3), fmt(r.decode_ok, 3), fmt(r.json_valid, 3)]
        cells.append(line)
    return header, cells


def render_markdown(
    board: Leaderboard, out_dir: Path, plot_files: Sequence[tuple[str, str]]
) -> str:
    """The text of ``LEADERBOARD.md`` (source paths relative to ``out_dir``).

    ``plot_files`` are (file name, title) pairs, linked in that order.
    """
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
        lines.append(github_table(*main_table(board)))
    else:
        lines.append("No assetops or forget_ results in these files.")
    lines += [
        "",
        "Columns: method = how the adapter was trained (sft, grpo, sft+grpo; none = the base "
        "model; – = the run did not record it); catalog = the tool catalog the planning task "
        "ran on (assetops_23 = the shipped AssetOpsBench one; otherwise the file given as "
        "--metadata catalog=..., whose scenario file then names the split); AT-F1 / AT-F1 nb = "
        "paper-text and notebook AT-F1; agent/tool F1 = set F1 of agent and tool names; judge ="
        " LLM-judge overall (1–5); prompt tok = mean prompt tokens; tok saved % = informed→free"
        " prompt-token reduction (free rows); `<suite> acc` = accuracy on a forgetting suite, "
        "`ret %` = that accuracy / the base model's; tok/s and peak memory come from the run's "
        "cost accounting when present.",
        "",
    ]
    if board.scores:
        lines += ["## Forgetting suites", "", github_table(*forgetting_table(board)), ""]
    if board.fc_rows:
        lines += [
            "## Function calling (BFCL non-live)",
            "",
            github_table(*fc_table(board)),
            "",
            "Columns: accuracy per category by BFCL's AST rules (`fc_bfcl_<category>`; "
            "simple = Python only); non-live overall = the unweighted mean of the four AST "
            "categories, as BFCL's leaderboard computes it (– when one is missing); decode ok / "
            "JSON valid = sample-weighted over the categories run (JSON valid: json format "
            "only); n = samples over all categories.",
            "",
        ]
    if plot_files:
        lines += ["## Plots", ""]
        for name, title in plot_files:
            lines += [f"![{title}]({name})", ""]
    lines += ["## Sources", ""]
    lines += [f"- `{Path(os.path.relpath(p, out_dir)).as_posix()}`" for p in board.sources]
    return "\n".join(lines) + "\n"


def readme_block(board: Leaderboard) -> str:
    """The README's leaderboard block: the main table between the two markers."""
    return f"{README_START}\n{github_table(*main_table(board))}\n{README_END}"


def update_readme(readme: str | Path, board: Leaderboard) -> None:
    """Replace the text between the two leaderboard markers of ``readme`` with the table.

    Raises:
        DataFileError: the file or one of the markers is missing (nothing is written).
    """
    replace_marked_block(readme, README_START, README_END, readme_block(board), "leaderboard")


def write_leaderboard(
    paths: Sequence[str | Path], out_dir: str | Path, readme: str | Path | None = None
) -> list[Path]:
    """Write ``LEADERBOARD.md`` and the three PNGs into ``out_dir`` (and the table into
    ``readme`` between its markers, when given); return the files written.

    Raises:
        DataFileError: unreadable results, or a ``readme`` without the markers.
    """
    board = build(paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plot_files = [
        (PLOT_TOKENS, plots.plot_tokens(board, out / PLOT_TOKENS)),
        (PLOT_RETENTION, plots.plot_retention(board, out / PLOT_RETENTION)),
        (PLOT_JUDGE, plots.plot_judge(board, out / PLOT_JUDGE)),
    ]
    md = out / LEADERBOARD_MD
    md.write_text(render_markdown(board, out, plot_files), encoding="utf-8")
    written = [md] + [out / name for name, _ in plot_files]
    if readme is not None:
        update_readme(readme, board)
        written.append(Path(readme))
    return written
