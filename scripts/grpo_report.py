"""Tables and plots of results/grpo.md from the GRPO experiments' outputs.

    python scripts/grpo_report.py results/runs/grpo               # experiment (a)
    python scripts/grpo_report.py --plan results/runs/grpo_plan   # experiment (b)

(a), from scripts/reproduce_grpo.sh: one markdown row per (model, task): n, acc,
json_valid, decode_ok with lm-eval's standard errors, and ``results/grpo.png`` (GRPO
reward mean and KL per step, and the warm-up's SFT loss).

(b), from scripts/reproduce_grpo_plan.sh: one row per model (SFT, its GRPO checkpoints,
SFT → GRPO, GRPO from the base) with AT-F1 and the validity rates on
``assetops_free_test30`` and ``forget_mmlu_cloze`` accuracy with its retention against the
8-bit base (``results/runs/forget_mmlu_cloze10/base-8bit``; the SFT adapter's test30 run is
its committed one, ``results/runs/fidelity_test30``); the GRPO runs' rows per step;
and ``results/grpo_plan.png`` (reward per step, held-out AT-F1 per checkpoint).

Reads the results JSONs and training logs; writes only the PNGs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MODELS = (("base", "base"), ("fc-warmup-r8", "SFT warm-up"), ("fc-warmup-grpo", "SFT → GRPO"))
METRICS = ("acc", "json_valid", "decode_ok")


def _results(run: Path, name: str) -> dict[str, dict[str, float]]:
    """Every task of the model's results files (oldest first; a later run of a task wins)."""
    out = {}
    for path in sorted((run / f"eval_{name}").rglob("results_*.json")):
        data = json.loads(path.read_text())
        for task, values in data["results"].items():
            row = {"n": data["n-samples"][task]["effective"]}
            for m in METRICS:
                row[m] = values.get(f"{m},none")
                row[m + "_se"] = values.get(f"{m}_stderr,none")
            out[task] = row
    return out


def table(run: Path) -> str:
    lines = ["| model | task | n | acc | json_valid | decode_ok |", "|---|---|---|---|---|---|"]
    for name, label in MODELS:
        for task, r in sorted(_results(run, name).items()):
            cells = [
                f"{r[m]:.3f} ± {r[m + '_se']:.3f}" if isinstance(r[m + "_se"], float) else "—"
                for m in METRICS
            ]
            lines.append(f"| {label} | {task} | {r['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(run: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    warm = json.loads((run / "warmup_training_log.json").read_text())["log_history"]
    steps = [h["step"] for h in warm if "loss" in h]
    axes[0].plot(steps, [h["loss"] for h in warm if "loss" in h], marker="o")
    axes[0].set(title="SFT warm-up", xlabel="step", ylabel="loss")
    grpo = json.loads((run / "grpo_training_log.json").read_text())["log_history"]
    rows = [h for h in grpo if "reward" in h]
    steps = [h["step"] for h in rows]
    axes[1].plot(steps, [h["reward"] for h in rows], marker="o", label="reward (mean of 4)")
    axes[1].set(title="GRPO from the warm-up: one new prompt per step", xlabel="step")
    axes[1].set_ylabel("reward")
    kl = axes[1].twinx()
    kl.plot(steps, [h["kl"] for h in rows], marker="x", color="tab:orange", label="KL")
    kl.set_ylabel("KL to the warm-up", color="tab:orange")
    axes[1].legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


# Experiment (b): label under the run folder, row name, GRPO step (None: not on the curve).
PLAN_MODELS = (
    ("assetops-free-smollm2-r16", "SFT (committed adapter)", 0),
    ("assetops-sft-grpo-step4", "SFT → GRPO, step 4", 4),
    ("assetops-sft-grpo", "SFT → GRPO, step 8", 8),
    ("assetops-grpo", "GRPO from the base", None),
)
PLAN_METRICS = ("at_f1", "agent_f1", "tool_f1", "format_ok", "tool_valid", "hallucinated_names")
CLOZE_BASE = Path("results/runs/forget_mmlu_cloze10/base-8bit")
# The SFT adapter's test30 run: its committed row (same batch 1, cap and 8-bit base).
SFT_PLAN = Path("results/runs/fidelity_test30/assetops-free-smollm2-r16")


def _plan_folder(run: Path, label: str) -> Path:
    if label == PLAN_MODELS[0][0] and not (run / label / "assetops_free_test30").is_dir():
        return SFT_PLAN
    return run / label / "assetops_free_test30"


def _task_entry(folder: Path, task: str) -> tuple[dict[str, Any], int] | None:
    found = sorted(folder.rglob("results_*.json"))
    if not found:
        return None
    data = json.loads(found[-1].read_text())
    entry = data["results"][task]
    n = entry.get("sample_len") or data["n-samples"].get(task, {}).get("effective")
    return entry, int(n or 0)


def _value(entry: dict[str, Any], name: str, se: bool = True) -> str:
    value, err = entry.get(f"{name},none"), entry.get(f"{name}_stderr,none")
    if not isinstance(value, (int, float)):
        return "–"
    return f"{value:.3f} ± {err:.3f}" if se and isinstance(err, (int, float)) else f"{value:.3f}"


def plan_table(run: Path) -> str:
    base = _task_entry(CLOZE_BASE, "forget_mmlu_cloze")
    base_acc = base[0]["acc,none"] if base else None
    head = ["model", "n", "AT-F1", "agent F1", "tool F1", "format ok", "tool names valid",
            "hallucinated names", "forget_mmlu_cloze acc (n)", "retention %"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    if base:
        acc = _value(base[0], "acc")
        lines.append("| 8-bit base | – | – | – | – | – | – | – | " + f"{acc} ({base[1]}) | 100.0 |")
    for label, name, _ in PLAN_MODELS:
        plan = _task_entry(_plan_folder(run, label), "assetops_free_test30")
        cloze = _task_entry(run / label / "forget_mmlu_cloze", "forget_mmlu_cloze")
        if plan is None and cloze is None:
            continue
        cells = [name, str(plan[1]) if plan else "–"]
        cells += [_value(plan[0], m, se=m == "at_f1") if plan else "–" for m in PLAN_METRICS]
        if cloze:
            acc = cloze[0]["acc,none"]
            cells.append(f"{_value(cloze[0], 'acc')} ({cloze[1]})")
            cells.append(f"{100 * acc / base_acc:.1f}" if base_acc else "–")
        else:
            cells += ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _grpo_rows(log: Path) -> list[dict[str, Any]]:
    if not log.is_file():
        return []
    return [h for h in json.loads(log.read_text())["log_history"] if "reward" in h]


def plan_steps_table(run: Path) -> str:
    head = ["run", "step", "reward mean (4)", "reward std", "KL", "mean length",
            "zero-spread groups"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for log, name in (("sft_grpo_training_log.json", "SFT → GRPO"),
                      ("grpo_training_log.json", "GRPO from the base")):  # fmt: skip
        for h in _grpo_rows(run / log):
            lines.append(
                f"| {name} | {h['step']} | {h['reward']:.3f} | {h['reward_std']:.3f} | "
                f"{h['kl']:.4f} | {h['completions/mean_length']:.1f} | "
                f"{h['frac_reward_zero_std']:.0f} |"
            )
    return "\n".join(lines)


def plan_plot(run: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for log, name in (("sft_grpo_training_log.json", "SFT → GRPO"),
                      ("grpo_training_log.json", "GRPO from the base")):  # fmt: skip
        rows = _grpo_rows(run / log)
        if rows:
            axes[0].plot([h["step"] for h in rows], [h["reward"] for h in rows], marker="o",
                         label=name)  # fmt: skip
    axes[0].set(title="plan_reward per GRPO step (mean of 4)", xlabel="step", ylabel="reward")
    axes[0].set_ylim(-0.05, 1.05)
    axes[0].legend(loc="upper right", fontsize=8)
    points = []
    for label, _, step in PLAN_MODELS:
        plan = _task_entry(_plan_folder(run, label), "assetops_free_test30")
        if plan is not None and step is not None:
            entry = plan[0]
            points.append((step, entry["at_f1,none"], entry["at_f1_stderr,none"]))
    if points:
        axes[1].errorbar([p[0] for p in points], [p[1] for p in points],
                         yerr=[p[2] for p in points], marker="o", capsize=4)  # fmt: skip
    axes[1].set(title="held-out AT-F1 (test30, n 30) per checkpoint", xlabel="GRPO step",
                ylabel="AT-F1 ± stderr")  # fmt: skip
    axes[1].set_ylim(0, 1)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--plan":
        run = Path(args[1] if len(args) > 1 else "results/runs/grpo_plan")
        print(plan_table(run), "", plan_steps_table(run), sep="\n")
        plan_plot(run, Path("results/grpo_plan.png"))
        print("wrote results/grpo_plan.png")
        return
    run = Path(args[0] if args else "results/runs/grpo")
    print(table(run))
    if (run / "grpo_training_log.json").is_file():
        plot(run, Path("results/grpo.png"))
        print("wrote results/grpo.png")


if __name__ == "__main__":
    main()
