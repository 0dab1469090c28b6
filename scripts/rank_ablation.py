"""Rank ablation: planning quality vs retention for LoRA ranks 4, 8, 16, 32.

    python scripts/rank_ablation.py collect --adapter DIR     # after training one rank
    python scripts/rank_ablation.py report [--runs results/runs] [--out results]

``collect`` copies what the table needs from an adapter folder into
``results/runs/rank_ablation/<adapter name>/`` (the ablation adapters themselves are not
committed, only the chosen one under ``adapters/``): ``training_log.json``,
``manifest.yaml`` and ``adapter_info.json`` (rank, trainable parameters counted from the
safetensors file, file size).

``report`` reads those folders and every lm-eval ``results_*.json`` under ``--runs``:
for each collected adapter, its newest ``assetops_free_test30`` run (matched on the
adapter's name, as the leaderboard names it) and its accuracy on each forgetting suite
(``forget_probe``: the paper's 40 offline MMLU questions; ``forget_mmlu`` and
``forget_mmlu_cloze``: run with ``--limit 10``, 10 questions per subject, 570 in all)
with the retention the leaderboard computes (``harness_ext.forgetting.retention``: adapter / base
accuracy over the same questions, the base run with the same quantization preferred).
It writes
``results/rank_ablation.md`` (the table between ``<!-- ablation:start -->`` and
``<!-- ablation:end -->``; the text around it is written by hand) and
``results/rank_ablation.png`` (Agg, no metadata: same input, same bytes). Anything not
measured shows as "–".
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

from tabulate import tabulate

from harness_ext.reporting.leaderboard import (
    MISSING,
    build,
    find_results,
    fmt,
    metric,
    read_run,
    replace_marked_block,
)

ROOT = Path(__file__).resolve().parent.parent
ABLATION_DIR = Path("results/runs/rank_ablation")
START, END = "<!-- ablation:start -->", "<!-- ablation:end -->"
TASK = "assetops_free_test30"
SUITES = ("forget_probe", "forget_mmlu", "forget_mmlu_cloze")


def collect(adapter: Path, into: Path) -> Path:
    """Copy an adapter's training record and size into ``into/<name>/``."""
    import yaml
    from safetensors import safe_open

    manifest = yaml.safe_load((adapter / "manifest.yaml").read_text("utf-8"))
    name = str(manifest["name"])
    weights = adapter / "adapter_model.safetensors"
    params = 0
    with safe_open(str(weights), framework="pt") as f:
        for key in f.keys():  # noqa: SIM118 (safe_open is not a dict)
            params += math.prod(f.get_slice(key).get_shape())
    dest = into / name
    dest.mkdir(parents=True, exist_ok=True)
    for file in ("training_log.json", "manifest.yaml"):
        shutil.copyfile(adapter / file, dest / file)
    info = {
        "name": name,
        "rank": manifest["lora"]["r"],
        "alpha": manifest["lora"]["alpha"],
        "target_modules": manifest["lora"]["target_modules"],
        "quantization": manifest["quantization"],
        "trainable_params": params,
        "adapter_bytes": weights.stat().st_size,
    }
    (dest / "adapter_info.json").write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    return dest


def _fmt(value: float | None, digits: int = 3) -> str:
    return fmt(value, digits)


def _pct(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.1f}"


def gather(runs: Path, ablation: Path) -> list[dict[str, Any]]:
    """One dict per collected adapter, sorted by rank."""
    board = build([runs])
    planning = [read_run(p) for p in find_results([runs])]
    out = []
    for info_path in sorted(ablation.glob("*/adapter_info.json")):
        info = json.loads(info_path.read_text("utf-8"))
        log = json.loads((info_path.parent / "training_log.json").read_text("utf-8"))["summary"]
        name = info["name"]
        runs_of = [r for r in planning if r.key.adapter == name and TASK in r.data["results"]]
        run = max(runs_of, key=lambda r: (r.date, str(r.path))) if runs_of else None
        entry = run.data["results"][TASK] if run else {}
        forgetting = {}
        for suite in SUITES:
            found = [s for s in board.scores if s.adapter == name and s.suite == suite]
            score = found[0] if found else None
            ret = board.retention[score] if score else None
            forgetting[suite] = {
                "acc": score.acc if score else None,
                "n": score.n if score else None,
                "base_acc": ret.base.acc if ret and ret.base else None,
                "base_quant": ret.base.quantization if ret and ret.base else None,
                "retention": ret.value if ret else None,
            }
        out.append(
            {
                **info,
                "steps": log["global_step"],
                "wall_s": log["wall_s"],
                "train_loss": log["train_loss"],
                "eval_loss": log.get("eval_loss"),
                "metrics": {
                    m: metric(entry, m)
                    for m in ("at_f1", "at_f1_nb", "agent_f1", "tool_f1", "format_ok")
                },
                "forgetting": forgetting,
                "planning_source": str(run.path) if run else None,
            }
        )
    return sorted(out, key=lambda d: d["rank"])


def table(rows: list[dict[str, Any]]) -> str:
    """The markdown table."""
    headers = [
        "rank", "alpha", "trainable params", "adapter MB", "train wall min", "steps",
        "final train loss", "eval loss", "AT-F1", "AT-F1 nb", "agent F1", "tool F1",
        "format_ok", *(f"{s} {k}" for s in SUITES for k in ("acc", "ret %")),
    ]  # fmt: skip
    body = []
    for d in rows:
        m = d["metrics"]
        retention = [
            cell
            for s in SUITES
            for cell in (
                _fmt(d["forgetting"][s]["acc"]),
                _pct(d["forgetting"][s]["retention"]),
            )
        ]
        body.append(
            [
                str(d["rank"]),
                str(d["alpha"]),
                f"{d['trainable_params']:,}",
                f"{d['adapter_bytes'] / 1e6:.1f}",
                f"{d['wall_s'] / 60:.1f}",
                str(d["steps"]),
                _fmt(d["train_loss"]),
                _fmt(d["eval_loss"]),
                *(_fmt(m[k]) for k in ("at_f1", "at_f1_nb", "agent_f1", "tool_f1", "format_ok")),
                *retention,
            ]
        )
    return str(tabulate(body, headers=headers, tablefmt="github", disable_numparse=True))


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Left: AT-F1 vs retention, labelled by rank. Right: quality and retention vs rank."""
    import matplotlib
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.4), dpi=100)
    left, right = fig.subplots(1, 2)
    styles = {
        "forget_probe": ("o", "tab:red"),
        "forget_mmlu": ("s", "tab:purple"),
        "forget_mmlu_cloze": ("D", "tab:brown"),
    }
    for suite in SUITES:
        marker, color = styles[suite]
        pts = [
            (100 * d["forgetting"][suite]["retention"], d["metrics"]["at_f1"], d["rank"])
            for d in rows
            if d["metrics"]["at_f1"] is not None and d["forgetting"][suite]["retention"] is not None
        ]
        if not pts:
            continue
        n = next(d["forgetting"][suite]["n"] for d in rows if d["forgetting"][suite]["n"])
        left.scatter(
            [x for x, _, _ in pts], [y for _, y, _ in pts], marker=marker, color=color,
            zorder=3, label=f"{suite} ({n} questions)",
        )  # fmt: skip
        for x, y, rank in pts:
            left.annotate(f"r={rank}", (x, y), textcoords="offset points", xytext=(6, 4))
    left.axvline(100, color="grey", lw=0.8, ls="--", label="base model (100 %)")
    left.set_xlabel("retention, % of the 8-bit base model's accuracy")
    left.set_ylabel("AT-F1, description-free (test30)")
    left.set_title("Planning quality vs retention")
    # Below the axes: the points spread over the whole panel.
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
    left.grid(alpha=0.3)
    ranks = [d["rank"] for d in rows]
    for key, label, style in (
        ("at_f1", "AT-F1", "o-"),
        ("at_f1_nb", "AT-F1 (notebook)", "s--"),
        ("tool_f1", "tool F1", "^:"),
    ):
        ys = [d["metrics"][key] for d in rows]
        xs = [r for r, y in zip(ranks, ys, strict=True) if y is not None]
        right.plot(xs, [y for y in ys if y is not None], style, label=label)
    for suite in SUITES:
        marker, color = styles[suite]
        accs = [(d["rank"], d["forgetting"][suite]["acc"]) for d in rows]
        accs = [(r, a) for r, a in accs if a is not None]
        if accs:
            right.plot(*zip(*accs, strict=True), marker + "-", color=color, mfc="none",
                       label=f"{suite} acc")  # fmt: skip
        base = next((d["forgetting"][suite]["base_acc"] for d in rows
                     if d["forgetting"][suite]["base_acc"] is not None), None)  # fmt: skip
        if base is not None:
            right.axhline(base, color=color, lw=0.8, ls="--", label=f"{suite} acc, base")
    right.set_xscale("log", base=2)
    right.set_xticks(ranks, [str(r) for r in ranks])
    right.set_xlabel("LoRA rank r (alpha = 2r)")
    right.set_ylim(0, 1)
    right.set_title("Quality and retention vs rank")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=7)
    right.grid(alpha=0.3)
    with matplotlib.rc_context({"svg.hashsalt": "toolplan-eval"}):
        fig.tight_layout()
        fig.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight")


def report(runs: Path, out: Path) -> int:
    rows = gather(runs, runs / ABLATION_DIR.relative_to("results/runs"))
    if not rows:
        sys.exit(f"no collected adapters under {runs / 'rank_ablation'}; run `collect` first")
    md = out / "rank_ablation.md"
    sources = [
        f"- r={d['rank']}: planning `{d['planning_source'] or MISSING}`; "
        + "; ".join(
            f"{s} over {f['n'] or MISSING} questions vs the {f['base_quant'] or MISSING} base "
            f"(acc {_fmt(f['base_acc'])})"
            for s, f in d["forgetting"].items()
        )
        for d in rows
    ]
    block = "\n".join([START, "", table(rows), "", "Sources:", "", *sources, "", END])
    if md.is_file():
        replace_marked_block(md, START, END, block, "ablation")
    else:
        md.write_text(f"# LoRA rank ablation\n\n{block}\n", "utf-8")
    plot(rows, out / "rank_ablation.png")
    print(f"wrote {md} and {out / 'rank_ablation.png'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect", help="copy an adapter's training record into results/")
    c.add_argument("--adapter", required=True)
    c.add_argument("--into", default=str(ABLATION_DIR))
    r = sub.add_parser("report", help="write results/rank_ablation.md and .png")
    r.add_argument("--runs", default="results/runs")
    r.add_argument("--out", default="results")
    args = parser.parse_args()
    if args.command == "collect":
        print(f"collected into {collect(Path(args.adapter), Path(args.into))}")
        return 0
    return report(Path(args.runs), Path(args.out))


if __name__ == "__main__":
    raise SystemExit(main())
