"""The α-UMi experiment's report and its memory measurement.

    python benchmarks/bench_agent.py report --runs results/runs/agents --samples out/agents/runs \\
        --adapters out/agents --out results
    python benchmarks/bench_agent.py memory --adapters out/agents

``report`` reads the two systems' results (``harness_ext.agents.report``), writes the
table between the markers of ``results/agents.md``, draws ``results/agents.png`` and
stores the embedded model's end-to-end calls (from the ``--log_samples`` output) in
``tests/agents/fixtures/model_calls.json`` for the differential test. ``memory`` loads
the single-LLM configuration (base + backbone adapter) and the three-role one (base +
planner, caller, summarizer adapters) each in a fresh process, generates one prompt per
role, and prints the footprint and peak RSS of both and their ratio. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "agents" / "fixtures" / "model_calls.json"
PLOT = "agents.png"
REPORT = "agents.md"


def _training(adapters: Path, system: str) -> tuple[int, float] | None:
    from harness_ext.agents.report import training_of

    single = adapters / "single" / "training_log.json"
    if not single.is_file():
        return None
    if system == "single":
        return training_of([(single, 1.0)])
    roles = [adapters / r / "training_log.json" for r in ("planner", "caller", "summarizer")]
    if not all(p.is_file() for p in roles):
        return None
    return training_of([(single, 0.5), *((p, 1.0) for p in roles)])


def moved_from_init(adapters: Path) -> dict[str, dict[str, Any]]:
    """Per role adapter: the init it continued from (its manifest's ``agent.init``), how many
    LoRA tensors differ from that init and the largest absolute change. A role whose
    tensors all equal the init did not train (e.g. one step at learning rate 0)."""
    import torch
    import yaml
    from safetensors.torch import load_file

    out: dict[str, dict[str, Any]] = {}
    for role in ("planner", "caller", "summarizer"):
        folder = adapters / role
        manifest = folder / "manifest.yaml"
        if not manifest.is_file():
            continue
        init = (yaml.safe_load(manifest.read_text("utf-8")).get("agent") or {}).get("init")
        if not init:
            continue
        before = load_file(str(Path(init) / "adapter_model.safetensors"))
        after = load_file(str(folder / "adapter_model.safetensors"))
        changed = [k for k in before if k in after and not torch.equal(before[k], after[k])]
        diff = max((float((after[k] - before[k]).abs().max()) for k in changed), default=0.0)
        out[role] = {
            "init": str(init),
            "tensors": len(before),
            "changed": len(changed),
            "max_abs_change": diff,
        }
    return out


def _plot(systems: list[Any], path: Path) -> None:
    from matplotlib.figure import Figure

    from harness_ext.agents.report import PAPER, STEP_METRICS
    from harness_ext.reporting.plots import save

    labels = {
        "plan_acc": "Plan ACC",
        "act_em": "Act. EM",
        "hallu_rate": "Hallu.",
        "arg_f1": "Arg. F1",
    }
    bars: list[tuple[str, list[float]]] = [
        (s.name, [100 * (s.steps.get(m) or 0.0) for m in STEP_METRICS]) for s in systems
    ]
    bars += [(name, [values[m] for m in STEP_METRICS]) for name, values in PAPER.items()]
    fig = Figure(figsize=(8.5, 4.8), dpi=100)
    ax = fig.subplots()
    width = 0.8 / len(bars)
    for i, (name, values) in enumerate(bars):
        xs = [x + (i - (len(bars) - 1) / 2) * width for x in range(len(STEP_METRICS))]
        ax.bar(xs, values, width, label=name)
    ax.set_xticks(range(len(STEP_METRICS)), [labels[m] for m in STEP_METRICS])
    ax.set_ylabel("% (Hallu.: lower is better)")
    ax.set_ylim(0, 100)
    ax.set_title("α-UMi static metrics: SmolLM2-135M on BFCL held-out vs the paper's 7B")
    ax.legend(fontsize=8)
    save(fig, path)


def step_call(response: str) -> str | None:
    """A static sample's call as a BFCL call string, when the model decided to call and
    wrote a decodable call (else None). The differential test splices it into the task's
    ground truth at the sample's turn and step (``tests/agents/differential.py``), so the
    fixture holds the model's call and the position only, never BFCL's own calls."""
    from harness_ext.agents.runner import read_step_result
    from harness_ext.fc.calls import Call, format_python_call

    out = read_step_result(response)
    if out.label != "caller" or not out.action or out.args_json is None:
        return None
    if not out.action.isidentifier():
        return None
    return format_python_call(Call(out.action, json.loads(out.args_json)))


def _fixture(samples: Path) -> None:
    from harness_ext.agents.runner import bfcl_calls

    lists = []
    systems = sorted(p.name for p in samples.iterdir() if p.is_dir())  # single, multi, multi-3steps
    for system in systems:
        for path in sorted((samples / system).rglob("samples_agent_bfcl_multi_turn_base_*.jsonl")):
            for line in path.read_text().splitlines():
                sample = json.loads(line)
                record = json.loads(sample["resps"][0][0])
                lists.append(
                    {
                        "system": system,
                        "source": "episode",
                        "category": sample["doc"]["category"],
                        "id": sample["doc"]["id"],
                        "calls": bfcl_calls(record),
                    }
                )
        for path in sorted((samples / system).rglob("samples_agent_bfcl_steps_*.jsonl")):
            for line in path.read_text().splitlines():
                sample = json.loads(line)
                call = step_call(sample["resps"][0][0])
                if call is not None:
                    doc = sample["doc"]
                    lists.append(
                        {
                            "system": system,
                            "source": "static step",
                            "category": doc["category"],
                            "id": doc["task_id"],
                            "turn": int(doc["turn"]),
                            "step": int(doc["step"]),
                            "call": call,
                        }
                    )
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": "Calls the embedded model made in the alpha-UMi experiment "
        "(scripts/reproduce_agents.sh), per turn, as BFCL call strings: each episode's calls "
        "(source 'episode'), and the call of each static step where the model decided to call "
        "(source 'static step': the test puts it in the installed ground truth at that turn "
        "and step, in place of the step's gold decision). Ids and the model's calls only. "
        "tests/agents/test_differential.py replays them through bfcl-eval's checker.",
        "lists": lists,
    }
    FIXTURE.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


def report(args: argparse.Namespace) -> int:
    """Write the table block, the plot and the fixture; print the memory ratios."""
    from harness_ext.agents.report import (
        BLOCK_END,
        BLOCK_START,
        markdown_table,
        memory_ratio,
        read_system,
    )
    from harness_ext.io import replace_marked_block

    runs, out = Path(args.runs), Path(args.out)
    names = {
        "single": "single-LLM backbone (ours, 135M)",
        "multi": "α-UMi three roles (ours, 135M)",
    }
    systems = []
    for key, name in names.items():
        system = read_system(runs / key, name)
        trained = _training(Path(args.adapters), key) if args.adapters else None
        if trained is not None:
            system.train_steps, system.train_wall_min = trained
        systems.append(system)
    ratios = memory_ratio(systems[1], systems[0])
    moved = moved_from_init(Path(args.adapters)) if args.adapters else {}
    moved_lines = [
        f"* {role}: {m['changed']} of {m['tensors']} LoRA tensors differ from `{m['init']}` "
        f"(largest change {m['max_abs_change']:.2e})"
        for role, m in moved.items()
    ]
    block = "\n".join(
        [
            BLOCK_START,
            "",
            markdown_table(systems),
            "",
            f"Three role adapters vs one, on the same base: footprint ratio "
            f"{ratios['footprint']}, peak-RSS ratio {ratios['peak_rss']} (lm-eval runs).",
            "",
            *(
                [
                    "Stage 2 trained (each role vs the backbone checkpoint it started from):",
                    *moved_lines,
                    "",
                ]
                if moved_lines
                else []
            ),
            BLOCK_END,
        ]
    )
    replace_marked_block(out / REPORT, BLOCK_START, BLOCK_END, block, "agents", "α-UMi agents")
    _plot(systems, out / PLOT)
    if args.samples and Path(args.samples).is_dir():
        _fixture(Path(args.samples))
    print(block)
    return 0


def _measure(mode: str, adapters: str) -> None:
    """In a fresh process: load one configuration, generate once per role, print costs."""
    import torch

    from harness_ext.agents.model import RoleModel
    from harness_ext.models.cost import peak_rss_mb

    torch.set_num_threads(1)
    folder = Path(adapters)
    if mode == "single":
        model = RoleModel("smollm2-135m", {"backbone": str(folder / "single")}, mode="single")
        roles = ["backbone"]
    else:
        paths = {r: str(folder / r) for r in ("planner", "caller", "summarizer")}
        model = RoleModel("smollm2-135m", paths, mode="multi")
        roles = list(paths)
    for role in roles:
        model.generate(role, ["Role: planner.\nHistory:\nuser: list my files"])  # type: ignore[arg-type]
    footprint = model.footprint()
    print(json.dumps({"footprint_mb": sum(footprint.values()), "peak_rss_mb": peak_rss_mb()}))


def memory(args: argparse.Namespace) -> int:
    """Both configurations in fresh processes; print absolute values and ratios."""
    found = {}
    for mode in ("single", "multi"):
        result = subprocess.run(
            [sys.executable, __file__, "_measure", mode, args.adapters],
            capture_output=True,
            text=True,
            check=True,
        )
        found[mode] = json.loads(result.stdout.strip().splitlines()[-1])
        print(mode, found[mode])
    for key in ("footprint_mb", "peak_rss_mb"):
        print(
            f"{key} ratio (three adapters / one): {found['multi'][key] / found['single'][key]:.4f}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("--runs", default="results/runs/agents")
    rep.add_argument("--samples", default="out/agents/runs")
    rep.add_argument("--adapters", default="out/agents")
    rep.add_argument("--out", default="results")
    mem = sub.add_parser("memory")
    mem.add_argument("--adapters", default="out/agents")
    measure = sub.add_parser("_measure")
    measure.add_argument("mode")
    measure.add_argument("adapters")
    args = parser.parse_args(argv)
    if args.command == "_measure":
        _measure(args.mode, args.adapters)
        return 0
    return report(args) if args.command == "report" else memory(args)


if __name__ == "__main__":
    sys.exit(main())
