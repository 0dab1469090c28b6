"""Tables and the reward plot of results/grpo.md from scripts/reproduce_grpo.sh's outputs.

    python scripts/grpo_report.py results/runs/grpo

Prints one markdown row per (model, task): n, acc, json_valid, decode_ok with lm-eval's
standard errors, and draws ``results/grpo.png`` (GRPO reward mean and KL per step, and
the warm-up's SFT loss). Reads the results JSONs and training logs; writes only the PNG.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MODELS = (("base", "base"), ("fc-warmup-r8", "SFT warm-up"), ("fc-warmup-grpo", "SFT → GRPO"))
METRICS = ("acc", "json_valid", "decode_ok")


def _results(run: Path, name: str) -> dict[str, dict[str, float]]:
    found = sorted((run / f"eval_{name}").rglob("results_*.json"))
    if not found:
        return {}
    data = json.loads(found[-1].read_text())
    out = {}
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


def main() -> None:
    run = Path(sys.argv[1] if len(sys.argv) > 1 else "results/runs/grpo")
    print(table(run))
    if (run / "grpo_training_log.json").is_file():
        plot(run, Path("results/grpo.png"))
        print("wrote results/grpo.png")


if __name__ == "__main__":
    main()
