"""The three-condition fidelity table (``results/fidelity_test30.md``) from lm-eval results.

For each condition the newest results file (by lm-eval's ``date``, then path) holding
its task for its model is used:

* description-free, fine-tuned: ``assetops_free_test30`` with ``peft=<adapter>``;
* the same on the twin-free split: ``assetops_free_test30_twinfree`` (the held-out ids
  with no near-copy in training, ``harness_ext.planning.splits``), so the table shows
  how much of the test30 score holds where recall of a seen template cannot help;
* informed, base / description-free, base: ``assetops_{informed,free}_test30``, no adapter;
* informed, fine-tuned (extra): ``assetops_informed_test30`` with the adapter.

The block holds every planning metric the tasks report, the paper's reference numbers,
the adapter's training summary (``<adapters>/<adapter>/training_log.json`` and
``manifest.yaml``) and, per scenario type, mean AT-F1 / format rate. The per-type numbers
need lm-eval's ``--log_samples`` files (they hold the benchmark questions, so they stay
out of git): ``per_type_from_samples`` computes them, ``write_fidelity`` saves them as
aggregates only to ``<runs>/per_type.json`` and reads that file when no samples are
given (no file: no per-type tables).

Only the text between ``<!-- fidelity:start -->`` and ``<!-- fidelity:end -->`` of the
output is replaced (the analysis around it is written by hand); a missing file is created
with the markers. Same inputs, same bytes. A condition with no results shows "–" (not
measured), never 0.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.forgetting.retention import NO_ADAPTER
from harness_ext.io import iter_jsonl, replace_marked_block
from harness_ext.planning.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from harness_ext.planning.gold import GoldEntry, load_gold
from harness_ext.reporting.results import (
    RunFile,
    metric,
    newest_run,
    read_json,
    read_run,
    read_runs,
    shown_path,
)
from harness_ext.reporting.tables import MISSING, fmt, github_table

START, END = "<!-- fidelity:start -->", "<!-- fidelity:end -->"
TITLE = "Fidelity run: AssetOpsBench test30"
PER_TYPE_FILE = "per_type.json"
TYPE_ORDER = ("IoT", "FMSA", "TSFM", "Workorder", "multiagent")
QUALITY = ("at_f1", "at_f1_nb", "agent_f1", "tool_f1", "argkey_f1", "lcs")
VALIDITY = (
    "agent_valid",
    "tool_valid",
    "hallucinated_names",
    "format_ok",
    "deps_valid",
    "parse_issue_rate",
)
SAMPLE_METRICS = ("at_f1", "at_f1_nb", "format_ok", "paper_at_f1")
# arXiv 2605.17774 on its 30 held-out scenarios, scored against its own Gemini gold plans.
PAPER = (
    ("informed, base (Qwen3-4B / Gemma)", "0.47"),
    ("description-free, base", "0.00"),
    ("description-free, fine-tuned Qwen3-4B", "0.605"),
    ("description-free, fine-tuned Gemma", "0.635"),
    ("description-free, best fine-tuned", "0.648"),
)
PerType = dict[str, dict[str, dict[str, float]]]  # condition -> type -> n and means


@dataclass(frozen=True)
class Condition:
    """One row: a label, whether the adapter is on, and the task."""

    label: str
    adapter: bool
    task: str


CONDITIONS = (
    Condition("description-free, fine-tuned", True, "assetops_free_test30"),
    Condition("description-free, fine-tuned, twin-free", True, "assetops_free_test30_twinfree"),
    Condition("informed, base", False, "assetops_informed_test30"),
    Condition("description-free, base", False, "assetops_free_test30"),
    Condition("informed, fine-tuned (extra)", True, "assetops_informed_test30"),
)


def pick(runs: Sequence[RunFile], adapter: str, cond: Condition) -> RunFile | None:
    """The newest run of ``cond``'s task for the adapter (or the base); ``None`` if none."""
    return newest_run(runs, cond.task, adapter if cond.adapter else NO_ADAPTER)


def gold_of(run: RunFile, task: str) -> str:
    """The gold source a run was scored against (task metadata ``gold``, default project)."""
    meta = (run.data.get("configs", {}).get(task) or {}).get("metadata") or {}
    return str(meta.get("gold") or "project (gold v2, default)")


def per_type_from_samples(samples_dir: Path, adapter: str) -> PerType:
    """Per condition and scenario type: n and mean at_f1 / at_f1_nb / format_ok /
    paper_at_f1 (the same generation scored against the paper's gold).

    Each ``samples_<task>_<stamp>.jsonl`` is matched to its run by the
    ``results_<stamp>.json`` in the same folder (lm-eval writes both there); the newest
    samples file per condition wins (by the run's ``date``, then the stamp). A condition
    without a samples file is left out.

    Raises:
        DataFileError: a samples line is not JSON or lacks a field, naming file and line.
    """
    out: PerType = {}
    runs = [read_run(path) for path in sorted(samples_dir.rglob("results_*.json"))]
    for cond in CONDITIONS:
        want = adapter if cond.adapter else NO_ADAPTER
        best: tuple[float, str, Path] | None = None
        for run in runs:
            if run.key.adapter != want or cond.task not in run.results:
                continue
            stamp = run.path.stem.removeprefix("results_")
            sample_file = run.path.parent / f"samples_{cond.task}_{stamp}.jsonl"
            if sample_file.is_file() and (best is None or (run.date, stamp) > best[:2]):
                best = (run.date, stamp, sample_file)
        if best is None:
            continue
        by_type: dict[str, list[dict[str, float]]] = {}
        fix = "pass the --output_path of an lm-eval run made with --log_samples"
        for line in iter_jsonl(best[2], fix):
            try:
                sample = line.value
                values = {m: float(sample[m]) for m in SAMPLE_METRICS[:3]}
                values["paper_at_f1"] = paper_at_f1(sample)
                scenario_type = str(sample["doc"]["type"])
            except (KeyError, TypeError, IndexError, ValueError) as e:
                raise DataFileError(line.where, f"is not an assetops sample ({e!r})", fix) from e
            by_type.setdefault(scenario_type, []).append(values)
        out[cond.label] = {
            t: {
                "n": len(rows),
                **{m: sum(r[m] for r in rows) / len(rows) for m in SAMPLE_METRICS},
            }
            for t, rows in sorted(by_type.items())
        }
    return out


def paper_at_f1(sample: dict[str, Any]) -> float:
    """AT-F1 of a logged sample's plan against the paper's own gold plan for its id.

    The paper's headline numbers are scored against its Gemini gold; the tasks score
    against the project's gold v2 by default. Re-scoring the same generated text against
    the paper's gold (``score_plan``, as ``toolplan score-plans --gold paper`` does) puts
    the two side by side. Needs ``$ASSETOPSBENCH_DIR``.
    """
    from harness_ext.metrics.planning import score_plan

    gold, catalog = _paper_reference()
    text = sample["filtered_resps"][0]
    alternatives = gold[int(sample["doc"]["id"])].alternatives
    return float(score_plan(text, alternatives, catalog).values["at_f1"])


@functools.cache
def _paper_reference() -> tuple[dict[int, GoldEntry], Catalog]:
    """The paper's gold plans (from ``$ASSETOPSBENCH_DIR``) and the default catalog."""
    return load_gold("paper"), load_catalog(DEFAULT_CATALOG)


def training_summary(adapters_dir: Path, adapter: str) -> list[str]:
    """Lines describing how the adapter was trained (from its training_log/manifest).

    An adapter folder without ``training_log.json`` gets one line saying so.
    """
    import yaml

    folder = adapters_dir / adapter
    log_path = folder / "training_log.json"
    if not log_path.is_file():
        return [f"Adapter `{adapter}`: no training_log.json found in {folder}."]
    fix = "the adapter folder is written by `toolplan train`; retrain or restore it"
    summary = read_json(log_path, fix)["summary"]
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text("utf-8"))
    lora = manifest.get("lora") or {}
    training = (manifest.get("extra") or {}).get("training") or manifest.get("training") or {}
    tokens = summary.get("tokens") or {}
    return [
        f"Adapter `{adapter}` (LoRA r={lora.get('r')}, alpha={lora.get('alpha')}, "
        f"{lora.get('target_modules')}, {manifest.get('quantization')} base): "
        f"{summary['global_step']} optimizer steps of batch "
        f"{training.get('batch_size')} × {training.get('grad_accum')} on "
        f"{summary['examples']['train']} training examples "
        f"({summary['epochs_done']:.2f} epochs, mean {tokens.get('mean')} tokens), "
        f"lr {training.get('lr')}, train wall time {summary['wall_s'] / 60:.1f} min "
        f"({summary['seconds_per_step']} s/step on {summary['device']}), final train loss "
        f"{summary['train_loss']:.3f}, eval loss {fmt(summary.get('eval_loss'), 3)}.",
    ]


def render(runs_dir: Path, adapter: str, per_type: PerType, adapters_dir: Path, root: Path) -> str:
    """The generated block, markers included (source paths relative to ``root``)."""
    runs = read_runs([runs_dir])
    picked = [(c, pick(runs, adapter, c)) for c in CONDITIONS]
    header_q = ["condition", "quant", "n", "AT-F1", "± se", *QUALITY[1:], "prompt tok"]
    rows_q, rows_v, sources = [], [], []
    for cond, run in picked:
        entry = run.results[cond.task] if run else {}
        quant = run.key.quantization if run else MISSING
        n = entry.get("sample_len")
        rows_q.append(
            [
                cond.label,
                quant,
                str(n) if n is not None else MISSING,
                fmt(metric(entry, "at_f1"), 3),
                fmt(metric(entry, "at_f1_stderr"), 3),
                *(fmt(metric(entry, m), 3) for m in QUALITY[1:]),
                fmt(metric(entry, "prompt_tokens"), 0),
            ]
        )
        rows_v.append([cond.label, *(fmt(metric(entry, m), 3) for m in VALIDITY)])
        if run:
            where = shown_path(run.path, root)
            sources.append(f"- {cond.label}: `{where}` (gold: {gold_of(run, cond.task)})")
        else:
            sources.append(f"- {cond.label}: not measured")
    lines = [START, "", *training_summary(adapters_dir, adapter), ""]
    lines += ["**Plan quality** (mean over scenarios; `± se` is lm-eval's stderr of AT-F1)", ""]
    lines += [github_table(header_q, rows_q), ""]
    lines += [
        "**Validity and format** (pooled rates; `hallucinated_names` and "
        "`parse_issue_rate`: lower is better)",
        "",
    ]
    lines += [github_table(["condition", *VALIDITY], rows_v), ""]
    lines += ["Sources:", "", *sources, ""]
    if per_type:
        lines += _per_type_tables(per_type)
    lines += [
        "**Paper** (arXiv 2605.17774, its 30 held-out scenarios, AT-F1 against its own "
        "Gemini gold plans; 4B models):",
        "",
        github_table(["condition", "AT-F1"], PAPER),
        "",
        END,
    ]
    return "\n".join(lines)


def _per_type_tables(per_type: PerType) -> list[str]:
    types = sorted(
        {t for v in per_type.values() for t in v},
        key=lambda t: (TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER), t),
    )
    labels = [c.label for c in CONDITIONS if c.label in per_type]
    header = ["condition", *(f"{t} (n={_type_n(per_type, t)})" for t in types)]
    body = [[label, *(_cell(per_type[label].get(t)) for t in types)] for label in labels]
    regold = [
        [
            label,
            _pooled_mean(per_type[label], "at_f1"),
            _pooled_mean(per_type[label], "paper_at_f1"),
        ]
        for label in labels
    ]
    return [
        "**Per scenario type**: AT-F1 / format rate",
        "",
        github_table(header, body),
        "",
        "**The same generations against the paper's gold** (its Gemini plans, as in the "
        "paper's numbers below; id 410 has no paper plan and scores 0 there)",
        "",
        github_table(["condition", "AT-F1 vs project gold v2", "AT-F1 vs paper's gold"], regold),
        "",
    ]


def _type_n(per_type: PerType, t: str) -> str:
    ns = {int(v[t]["n"]) for v in per_type.values() if t in v}
    return "/".join(str(n) for n in sorted(ns))


def _pooled_mean(by_type: dict[str, dict[str, float]], key: str) -> str:
    """Mean of ``key`` over all scenarios of a condition (types weighted by their n)."""
    rows = [v for v in by_type.values() if key in v]
    n = sum(v["n"] for v in rows)
    return fmt(sum(v[key] * v["n"] for v in rows) / n, 3) if n else MISSING


def _cell(values: dict[str, float] | None) -> str:
    if not values:
        return MISSING
    return f"{values['at_f1']:.2f} / {values['format_ok']:.2f}"


def write_fidelity(
    runs_dir: Path,
    adapter: str,
    out: Path,
    adapters_dir: Path,
    root: Path,
    samples: Path | None = None,
) -> list[Path]:
    """Write the fidelity block into ``out``; return the files written.

    With ``samples``, the per-type aggregates are computed from its ``--log_samples``
    files and saved to ``runs_dir/per_type.json`` (also returned); without, that file is
    read when present.

    Raises:
        DataFileError: malformed results, samples or per-type file, or an existing
            ``out`` without the markers.
    """
    per_type_path = runs_dir / PER_TYPE_FILE
    written = []
    per_type: PerType
    if samples is not None:
        per_type = per_type_from_samples(samples, adapter)
        per_type_path.write_text(json.dumps(per_type, indent=2, sort_keys=True) + "\n", "utf-8")
        written.append(per_type_path)
    elif per_type_path.is_file():
        fix = "rerun with --samples to rewrite it from the --log_samples files"
        per_type = read_json(per_type_path, fix)
    else:
        per_type = {}
    block = render(runs_dir, adapter, per_type, adapters_dir, root)
    replace_marked_block(out, START, END, block, "fidelity", title=TITLE)
    return [out, *written]
