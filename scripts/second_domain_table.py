"""The tables of ``results/second_domain.md`` from lm-eval results (issue 17).

    python scripts/second_domain_table.py [--runs results/runs/second_domain]
        [--adapters out/second_domain] [--fidelity results/runs/fidelity_test30]
        [--ablation results/runs/rank_ablation] [--out results/second_domain.md]

Reads the newest ``results_*.json`` of each run folder under ``--runs`` (``base``, or
``base-informed`` and ``base-free``; ``bfcl-free-r16``; ``bfcl-free-r16-all`` and
``assetops-generic-r16`` when present, the latter beside the committed adapter's run
under ``--fidelity`` and the 40-step all-templates adapter under ``--ablation``); writes
the tables between ``<!-- second-domain:start -->`` and ``<!-- second-domain:end -->`` of
``--out`` (the prose around them is kept).
With ``--adapters DIR`` each adapter's training summary (steps, s/step, losses, data
counts from ``DIR/<adapter>/manifest.yaml``) is saved to ``<runs>/training.json``;
without it that file is read. A metric a run did not record is shown as "–".
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.io import replace_marked_block
from harness_ext.reporting.results import metric
from harness_ext.reporting.tables import MISSING, fmt, github_table

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- second-domain:start -->", "<!-- second-domain:end -->"
ADAPTERS = ("bfcl-free-r16", "assetops-generic-r16")


def newest(folder: Path) -> dict[str, Any]:
    """The newest results file in ``folder`` (by name: lm-eval names them by time)."""
    found = sorted(folder.rglob("results_*.json"))
    if not found:
        raise DataFileError(folder, "holds no results_*.json", "run the matching stage first")
    return dict(json.loads(found[-1].read_text("utf-8")))


def run_of(runs: Path, task: str, *labels: str) -> dict[str, Any]:
    """The newest results file of the first ``runs/<label>`` folder that holds ``task``."""
    for label in labels:
        folder = runs / label
        if folder.is_dir():
            data = newest(folder)
            if task in data.get("results", {}):
                return data
    raise DataFileError(
        runs, f"holds no run of {task} (looked in {', '.join(labels)})", "run its stage first"
    )


def with_stderr(entry: dict[str, Any], name: str) -> str:
    """``mean ± stderr`` of a metric (the stderr left out when the run did not record one)."""
    value, err = metric(entry, name), metric(entry, f"{name}_stderr")
    if value is None:
        return MISSING
    return f"{value:.3f}" + ("" if err is None else f" ± {err:.3f}")


def cells(entry: dict[str, Any]) -> list[str]:
    """n, prompt tokens, AT-F1, agent F1 and tool F1 (± stderr), format rate of one entry."""
    return [
        str(entry.get("sample_len", MISSING)),
        fmt(metric(entry, "prompt_tokens"), 0),
        with_stderr(entry, "at_f1"),
        with_stderr(entry, "agent_f1"),
        with_stderr(entry, "tool_f1"),
        fmt(metric(entry, "format_ok"), 3),
    ]


def max_gen_toks(results: dict[str, Any]) -> str:
    """The answer cap a run generated with (its gen_kwargs, else the task's)."""
    for config in results.get("configs", {}).values():
        value = (config.get("generation_kwargs") or {}).get("max_gen_toks")
        if value is not None:
            return str(value)
    return MISSING


HEADER = [
    "n",
    "prompt tokens",
    "AT-F1 ± stderr",
    "agent F1 ± stderr",
    "tool F1 ± stderr",
    "format ok",
]


def training_summary(adapters: Path | None, runs: Path) -> dict[str, Any]:
    """Per adapter: steps, s/step, losses and data counts (saved beside the runs)."""
    saved = runs / "training.json"
    if adapters is None:
        return dict(json.loads(saved.read_text("utf-8"))) if saved.exists() else {}
    summary = {}
    for name in ADAPTERS:
        manifest = adapters / name / "manifest.yaml"
        if not manifest.exists():
            continue
        data = yaml.safe_load(manifest.read_text("utf-8"))
        training = data.get("training", {})
        summary[name] = {
            "steps": training.get("global_step"),
            "seconds_per_step": training.get("seconds_per_step"),
            "cpu_seconds_per_step": training.get("cpu_seconds_per_step"),
            "wall_s": training.get("wall_s"),
            "train_loss": training.get("train_loss"),
            "eval_loss": training.get("eval_loss"),
            "examples": training.get("examples"),
            "lora": data.get("lora"),
            "quantization": data.get("quantization"),
            "training_data_sha256": data.get("training_data", {}).get("sha256"),
        }
    saved.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", "utf-8")
    return summary


def block(runs: Path, fidelity: Path, training: dict[str, Any], ablation: Path) -> str:
    """The markdown between the markers."""
    ft = run_of(runs, "assetops_free", "bfcl-free-r16")
    informed = run_of(runs, "assetops_informed", "base", "base-informed")
    free = run_of(runs, "assetops_free", "base", "base-free")
    caps = sorted({max_gen_toks(data) for data in (ft, informed, free)})
    title = (
        "**BFCL multi-turn, held-out sample** (n: the held-out scenarios each row scored, "
        "chosen with lm-eval's `--samples` by `scripts/reproduce_second_domain.sh`), "
        f"SmolLM2-135M-Instruct, answers capped at {' / '.join(caps)} tokens:"
    )
    lines = [START, "", title, ""]
    rows = [
        ["description-free, fine-tuned (bfcl-free-r16)", *cells(ft["results"]["assetops_free"])],
        ["informed, base", *cells(informed["results"]["assetops_informed"])],
        ["description-free, base", *cells(free["results"]["assetops_free"])],
    ]
    all_dir = runs / "bfcl-free-r16-all"
    if all_dir.exists():
        rows.append(
            ["description-free, fine-tuned, all 134 held-out",
             *cells(newest(all_dir)["results"]["assetops_free"])]
        )  # fmt: skip
    lines += [github_table(["condition", *HEADER], rows), ""]
    generic_dir = runs / "assetops-generic-r16"
    if generic_dir.exists():
        committed = newest(fidelity / "assetops-free-smollm2-r16")["results"]
        generic = newest(generic_dir)["results"]
        steps = training.get("assetops-generic-r16", {}).get("steps", MISSING)
        rows = [["all templates (committed assetops-free-smollm2-r16)", "130",
                 *cells(committed["assetops_free_test30"])]]  # fmt: skip
        pilot = ablation / "assetops-free-smollm2-r16-s40"
        if pilot.exists():
            rows.append(["all templates (rank ablation's assetops-free-smollm2-r16-s40)", "40",
                         *cells(newest(pilot)["results"]["assetops_free_test30"])])  # fmt: skip
        rows.append(["--templates generic only (assetops-generic-r16)", str(steps),
                     *cells(generic["assetops_free_test30"])])  # fmt: skip
        lines += ["**AssetOps test30, description-free, fine-tuned** (the same recipe and "
                  "data sizes, 8-bit base, r 16; batch 1, 512-token cap):", ""]  # fmt: skip
        lines += [github_table(["training data", "steps", *HEADER], rows), ""]
    else:
        lines += ["AssetOps with `--templates generic`: not measured (no "
                  f"`{generic_dir.name}` run beside these; see Budget).", ""]  # fmt: skip
    if training:
        rows = []
        for name, t in sorted(training.items()):
            wall = t.get("wall_s")
            rows.append(
                [name, str(t.get("steps", MISSING)), fmt(t.get("seconds_per_step"), 1),
                 fmt(t.get("cpu_seconds_per_step"), 1), fmt(wall / 60 if wall else None, 0),
                 fmt(t.get("train_loss"), 3), fmt(t.get("eval_loss"), 3)]
            )  # fmt: skip
        lines += [
            "Training (1 torch thread on 2 CPU cores shared with other jobs):",
            "",
            github_table(
                ["adapter", "steps", "s/step", "CPU s/step", "wall min", "train loss", "eval loss"],
                rows,
            ),
            "",
        ]
    lines.append(END)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, write the block, name the file written (errors: exit 2)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", default="results/runs/second_domain")
    parser.add_argument("--adapters", default=None, help="folder with the trained adapters")
    parser.add_argument("--fidelity", default="results/runs/fidelity_test30")
    parser.add_argument("--ablation", default="results/runs/rank_ablation")
    parser.add_argument("--out", default="results/second_domain.md")
    args = parser.parse_args(argv)
    try:
        runs = Path(args.runs)
        training = training_summary(Path(args.adapters) if args.adapters else None, runs)
        text = block(runs, Path(args.fidelity), training, Path(args.ablation))
        replace_marked_block(args.out, START, END, text, "second-domain", title="Second domain")
    except ToolplanError as e:
        print(f"second_domain_table: error: {e}", file=sys.stderr)
        return 2
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
