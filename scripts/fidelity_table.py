"""The three-condition fidelity table (``results/fidelity_test30.md``) from lm-eval results.

    python scripts/fidelity_table.py [--runs results/runs/fidelity_test30]
        [--adapter assetops-free-smollm2-r16] [--samples out/fidelity_test30]
        [--out results/fidelity_test30.md]

Reads every ``results_*.json`` under ``--runs`` and picks, for each condition, the newest
file (by lm-eval's ``date``) holding its task for its model:

* description-free, fine-tuned: ``assetops_free_test30`` with ``peft=<adapter>``;
* informed, base / description-free, base: ``assetops_{informed,free}_test30``, no adapter;
* informed, fine-tuned (extra): ``assetops_informed_test30`` with the adapter.

It writes every planning metric the tasks report, the paper's reference numbers, the
adapter's training summary (``adapters/<adapter>/training_log.json``) and, per scenario
type, mean AT-F1 / format rate. The per-type numbers need lm-eval's ``--log_samples``
files (they hold the benchmark questions, so they stay out of git): with ``--samples DIR``
they are computed from the ``samples_<task>_*.jsonl`` files under DIR and saved, as
aggregates only, to ``<runs>/per_type.json``; without it that file is read.

Only the text between ``<!-- fidelity:start -->`` and ``<!-- fidelity:end -->`` in
``--out`` is replaced (the analysis around it is written by hand); a missing file is
created with the markers. Same inputs, same bytes. A condition with no results shows
"–" (not measured), never 0.
"""

from __future__ import annotations

import argparse
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabulate import tabulate

from harness_ext.forgetting.retention import NO_ADAPTER
from harness_ext.metrics.planning import score_plan
from harness_ext.planning.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from harness_ext.planning.gold import GoldEntry, load_gold
from harness_ext.reporting.leaderboard import (
    MISSING,
    RunFile,
    find_results,
    fmt,
    metric,
    read_run,
    replace_marked_block,
)

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- fidelity:start -->", "<!-- fidelity:end -->"
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
# arXiv 2605.17774 on its 30 held-out scenarios, scored against its own Gemini gold plans.
PAPER = (
    ("informed, base (Qwen3-4B / Gemma)", "0.47"),
    ("description-free, base", "0.00"),
    ("description-free, fine-tuned Qwen3-4B", "0.605"),
    ("description-free, fine-tuned Gemma", "0.635"),
    ("description-free, best fine-tuned", "0.648"),
)


@dataclass(frozen=True)
class Condition:
    """One row: a label, whether the adapter is on, and the task."""

    label: str
    adapter: bool
    task: str


CONDITIONS = (
    Condition("description-free, fine-tuned", True, "assetops_free_test30"),
    Condition("informed, base", False, "assetops_informed_test30"),
    Condition("description-free, base", False, "assetops_free_test30"),
    Condition("informed, fine-tuned (extra)", True, "assetops_informed_test30"),
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return fmt(value, digits)


def pick(runs: list[RunFile], adapter: str, cond: Condition) -> RunFile | None:
    """The newest run of ``cond``'s task for the adapter (or the base); ``None`` if none."""
    want = adapter if cond.adapter else NO_ADAPTER
    found = [r for r in runs if r.key.adapter == want and cond.task in r.data["results"]]
    return max(found, key=lambda r: (r.date, str(r.path))) if found else None


def gold_of(run: RunFile, task: str) -> str:
    """The gold source a run was scored against (task metadata ``gold``, default project)."""
    meta = (run.data.get("configs", {}).get(task) or {}).get("metadata") or {}
    return str(meta.get("gold") or "project (gold v2, default)")


def per_type_from_samples(samples_dir: Path, adapter: str) -> dict[str, Any]:
    """Per condition and scenario type: n and mean at_f1 / at_f1_nb / format_ok.

    Each ``samples_<task>_*.jsonl`` is matched to its run by the ``results_*.json`` in the
    same folder (lm-eval writes both there); the newest samples file per condition wins.
    """
    out: dict[str, Any] = {}
    runs = [read_run(path) for path in sorted(samples_dir.rglob("results_*.json"))]
    for cond in CONDITIONS:
        best: tuple[float, str, Path] | None = None
        for run in runs:
            results_path = run.path
            want = adapter if cond.adapter else NO_ADAPTER
            if run.key.adapter != want or cond.task not in run.data["results"]:
                continue
            stamp = results_path.stem.removeprefix("results_")
            sample_file = results_path.parent / f"samples_{cond.task}_{stamp}.jsonl"
            if sample_file.is_file() and (best is None or (run.date, stamp) > best[:2]):
                best = (run.date, stamp, sample_file)
        if best is None:
            continue
        by_type: dict[str, list[dict[str, Any]]] = {}
        for line in best[2].read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["paper_at_f1"] = paper_at_f1(row)
                by_type.setdefault(str(row["doc"]["type"]), []).append(row)
        out[cond.label] = {
            t: {
                "n": len(rows),
                **{
                    m: sum(float(r[m]) for r in rows) / len(rows)
                    for m in ("at_f1", "at_f1_nb", "format_ok", "paper_at_f1")
                },
            }
            for t, rows in sorted(by_type.items())
        }
    return out


def paper_at_f1(sample: dict[str, Any]) -> float:
    """AT-F1 of a logged sample's plan against the paper's own gold plan for its id.

    The paper's headline numbers are scored against its Gemini gold; the tasks score
    against the project's gold v2 by default. Re-scoring the same generated text against
    the paper's gold (``score_plan``, as ``toolplan score-plans --gold paper`` does) puts
    the two side by side.
    """
    gold, catalog = _paper_reference()
    text = sample["filtered_resps"][0]
    alternatives = gold[int(sample["doc"]["id"])].alternatives
    return float(score_plan(text, alternatives, catalog).values["at_f1"])


@functools.cache
def _paper_reference() -> tuple[dict[int, GoldEntry], Catalog]:
    """The paper's gold plans (from ``$ASSETOPSBENCH_DIR``) and the default catalog."""
    return load_gold("paper"), load_catalog(DEFAULT_CATALOG)


def training_summary(adapter: str) -> list[str]:
    """Lines describing how the adapter was trained (from its training_log/manifest)."""
    folder = ROOT / "adapters" / adapter
    log_path = folder / "training_log.json"
    if not log_path.is_file():
        return [f"Adapter `{adapter}`: no training_log.json found in {folder}."]
    summary = json.loads(log_path.read_text("utf-8"))["summary"]
    import yaml

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
        f"{summary['train_loss']:.3f}, eval loss {_fmt(summary.get('eval_loss'))}.",
    ]


def render(runs_dir: Path, adapter: str, per_type: dict[str, Any]) -> str:
    """The generated block (between the markers)."""
    runs = [read_run(p) for p in find_results([runs_dir])]
    picked = [(c, pick(runs, adapter, c)) for c in CONDITIONS]
    header_q = ["condition", "quant", "n", "AT-F1", "± se", *QUALITY[1:], "prompt tok"]
    rows_q, rows_v, sources = [], [], []
    for cond, run in picked:
        entry = run.data["results"][cond.task] if run else {}
        quant = run.key.quantization if run else MISSING
        n = entry.get("sample_len")
        rows_q.append(
            [
                cond.label,
                quant,
                str(n) if n is not None else MISSING,
                _fmt(metric(entry, "at_f1")),
                _fmt(metric(entry, "at_f1_stderr")),
                *(_fmt(metric(entry, m)) for m in QUALITY[1:]),
                _fmt(metric(entry, "prompt_tokens"), 0),
            ]
        )
        rows_v.append([cond.label, *(_fmt(metric(entry, m)) for m in VALIDITY)])
        if run:
            rel = run.path.relative_to(ROOT) if run.path.is_relative_to(ROOT) else run.path
            sources.append(f"- {cond.label}: `{rel}` (gold: {gold_of(run, cond.task)})")
        else:
            sources.append(f"- {cond.label}: not measured")
    lines = [START, "", *training_summary(adapter), ""]
    lines += ["**Plan quality** (mean over scenarios; `± se` is lm-eval's stderr of AT-F1)", ""]
    lines += [tabulate(rows_q, headers=header_q, tablefmt="github", disable_numparse=True), ""]
    lines += ["**Validity and format** (pooled rates; `hallucinated_names` and "
              "`parse_issue_rate`: lower is better)", ""]  # fmt: skip
    lines += [
        tabulate(rows_v, headers=["condition", *VALIDITY], tablefmt="github",
                 disable_numparse=True),
        "",
    ]  # fmt: skip
    lines += ["Sources:", "", *sources, ""]
    if per_type:
        types = sorted(
            {t for v in per_type.values() for t in v},
            key=lambda t: (TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER), t),
        )
        header = ["condition", *(f"{t} (n={_type_n(per_type, t)})" for t in types)]
        body = [
            [label, *(_cell(per_type[label].get(t)) for t in types)]
            for label in (c.label for c in CONDITIONS)
            if label in per_type
        ]
        lines += ["**Per scenario type**: AT-F1 / format rate", ""]
        lines += [tabulate(body, headers=header, tablefmt="github", disable_numparse=True), ""]
        regold = [
            [
                label,
                _pooled_mean(per_type[label], "at_f1"),
                _pooled_mean(per_type[label], "paper_at_f1"),
            ]
            for label in (c.label for c in CONDITIONS)
            if label in per_type
        ]
        lines += [
            "**The same generations against the paper's gold** (its Gemini plans, as in the "
            "paper's numbers below; id 410 has no paper plan and scores 0 there)",
            "",
            tabulate(regold, headers=["condition", "AT-F1 vs project gold v2",
                                      "AT-F1 vs paper's gold"],
                     tablefmt="github", disable_numparse=True),
            "",
        ]  # fmt: skip
    lines += [
        "**Paper** (arXiv 2605.17774, its 30 held-out scenarios, AT-F1 against its own "
        "Gemini gold plans; 4B models):",
        "",
        tabulate(list(PAPER), headers=["condition", "AT-F1"], tablefmt="github",
                 disable_numparse=True),
        "",
        END,
    ]  # fmt: skip
    return "\n".join(lines)


def _type_n(per_type: dict[str, Any], t: str) -> str:
    ns = {v[t]["n"] for v in per_type.values() if t in v}
    return "/".join(str(n) for n in sorted(ns))


def _pooled_mean(by_type: dict[str, Any], key: str) -> str:
    """Mean of ``key`` over all scenarios of a condition (types weighted by their n)."""
    rows = [v for v in by_type.values() if key in v]
    n = sum(v["n"] for v in rows)
    return _fmt(sum(v[key] * v["n"] for v in rows) / n) if n else MISSING


def _cell(values: dict[str, Any] | None) -> str:
    if not values:
        return MISSING
    return f"{values['at_f1']:.2f} / {values['format_ok']:.2f}"


def write_between_markers(path: Path, block: str, title: str) -> None:
    """Replace the marked block in ``path`` (create the file with the block if absent)."""
    if path.is_file():
        replace_marked_block(path, START, END, block, "fidelity")
    else:
        path.write_text(f"# {title}\n\n{block}\n", "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="results/runs/fidelity_test30")
    parser.add_argument("--adapter", default="assetops-free-smollm2-r16")
    parser.add_argument("--samples", default=None, help="folder with --log_samples outputs")
    parser.add_argument("--out", default="results/fidelity_test30.md")
    args = parser.parse_args()
    runs_dir = Path(args.runs)
    per_type_path = runs_dir / PER_TYPE_FILE
    if args.samples:
        per_type = per_type_from_samples(Path(args.samples), args.adapter)
        per_type_path.write_text(json.dumps(per_type, indent=2, sort_keys=True) + "\n", "utf-8")
    elif per_type_path.is_file():
        per_type = json.loads(per_type_path.read_text("utf-8"))
    else:
        per_type = {}
    block = render(runs_dir, args.adapter, per_type)
    write_between_markers(Path(args.out), block, "Fidelity run: AssetOpsBench test30")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
