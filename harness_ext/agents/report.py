"""The α-UMi experiment's table: single-LLM backbone vs three-role agent, beside the paper.

Reads, per system, the two lm-eval results files the experiment keeps
(``<runs>/<system>/results_agent_bfcl_steps.json`` and
``results_agent_bfcl_multi_turn_base.json``, written by ``scripts/reproduce_agents.sh``)
and, when given, the adapters' ``training_log.json``; returns rows and a Markdown table.
Percentages are ×100 as the paper prints them; a value a run did not measure is "–",
never 0. Pure functions: ``benchmarks/bench_agent.py report`` draws the plot and writes
``results/agents.md``'s marked block from these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError

STEPS_TASK = "agent_bfcl_steps"
EPISODE_TASK = "agent_bfcl_multi_turn_base"
BLOCK_START = "<!-- agents:start -->"
BLOCK_END = "<!-- agents:end -->"

# arXiv 2401.07324, Table 1, ToolBench in-domain (Plan ACC, Act. EM, Hallu., Arg. F1).
PAPER: dict[str, dict[str, float]] = {
    "paper: α-UMi 7B (ToolBench in-domain)": {
        "plan_acc": 88.92,
        "act_em": 58.94,
        "hallu_rate": 0.57,
        "arg_f1": 52.24,
    },
    "paper: single-LLM 7B (ToolBench in-domain)": {
        "plan_acc": 81.92,
        "act_em": 53.26,
        "hallu_rate": 2.32,
        "arg_f1": 45.57,
    },
}
STEP_METRICS = ("plan_acc", "act_em", "hallu_rate", "arg_f1")
EPISODE_METRICS = ("task_success", "turn_acc", "steps_used", "calls_made")


@dataclass
class SystemResult:
    """One system's measured numbers (None: not measured)."""

    name: str
    steps: dict[str, float | None] = field(default_factory=dict)
    episodes: dict[str, float | None] = field(default_factory=dict)
    stderr: dict[str, float | None] = field(default_factory=dict)
    samples: dict[str, int | None] = field(default_factory=dict)
    footprint_mb: float | None = None
    peak_rss_mb: float | None = None
    tokens_per_second: float | None = None
    train_steps: int | None = None
    train_wall_min: float | None = None
    adapters: dict[str, str] = field(default_factory=dict)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", "run scripts/reproduce_agents.sh eval-*") from e
    except (OSError, ValueError) as e:
        raise DataFileError(path, f"is not a results JSON ({e})", "rerun the evaluation") from e
    if not isinstance(data, dict) or "results" not in data:
        raise DataFileError(path, "has no 'results'", "use lm-eval's results_*.json")
    return data


def _metric(results: Mapping[str, Any], task: str, name: str) -> float | None:
    """A metric's value (or its ``NAME_stderr``); None when absent, NaN or "N/A"."""
    value = results.get(task, {}).get(f"{name},none")
    return float(value) if isinstance(value, (int, float)) and value == value else None


def read_system(folder: str | Path, name: str | None = None) -> SystemResult:
    """A system's numbers from its two results files."""
    folder = Path(folder)
    out = SystemResult(name or folder.name)
    for task, metrics, target in (
        (STEPS_TASK, STEP_METRICS, out.steps),
        (EPISODE_TASK, EPISODE_METRICS, out.episodes),
    ):
        data = _load(folder / f"results_{task}.json")
        for metric in metrics:
            target[metric] = _metric(data["results"], task, metric)
            out.stderr[metric] = _metric(data["results"], task, f"{metric}_stderr")
        out.samples[task] = data["results"].get(task, {}).get("sample_len")
        config = data.get("config", {})
        agent = config.get("toolplan_agent", {})
        cost = config.get("toolplan_cost", {})
        footprint = agent.get("footprint_mb") or {}
        if footprint:
            out.footprint_mb = float(sum(footprint.values()))
        peak = cost.get("peak_rss_mb")
        if isinstance(peak, (int, float)):
            out.peak_rss_mb = max(out.peak_rss_mb or 0.0, float(peak))
        if task == STEPS_TASK and isinstance(cost.get("tokens_per_second"), (int, float)):
            out.tokens_per_second = float(cost["tokens_per_second"])
        out.adapters = {k: str(v) for k, v in (agent.get("adapters") or {}).items()}
    return out


def training_of(logs: Sequence[tuple[str | Path, float]]) -> tuple[int, float]:
    """Total steps and wall minutes of a system from ``(training_log.json, share)`` pairs;
    ``share`` is the part of that run the system used (0.5: the backbone's first half)."""
    steps, seconds = 0.0, 0.0
    for path, share in logs:
        summary = json.loads(Path(path).read_text("utf-8"))["summary"]
        steps += summary["global_step"] * share
        seconds += float(summary["loop_s"]) * share
    return round(steps), round(seconds / 60, 1)


def _pct(value: float | None, stderr: float | None = None) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.2f}" + ("" if stderr is None else f" ± {100 * stderr:.2f}")


def _num(value: float | None, digits: int = 2, stderr: float | None = None) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" + ("" if stderr is None else f" ± {stderr:.{digits}f}")


def _count(value: int | None) -> str:
    return "–" if value is None else str(value)


def markdown_table(systems: Sequence[SystemResult]) -> str:
    """Our systems, then the paper's rows (their columns only). A value is followed by its
    standard error (lm-eval's ``_stderr``) where lm-eval computed one; ``n`` columns are
    the samples each task scored (static decision points, end-to-end tasks)."""
    head = (
        "| system | train steps | train min | Plan ACC | Act. EM | Hallu. | Arg. F1 "
        "| task success | turn acc | steps/task | calls/task | footprint MB | peak RSS MB "
        "| n steps | n tasks |"
    )
    lines = [head, _rule(head)]
    for s in systems:
        lines.append(
            f"| {s.name} | {'–' if s.train_steps is None else s.train_steps} "
            f"| {_num(s.train_wall_min, 1)} "
            + "".join(f"| {_pct(s.steps.get(m), s.stderr.get(m))} " for m in STEP_METRICS)
            + "".join(
                f"| {_pct(s.episodes.get(m), s.stderr.get(m))} "
                for m in ("task_success", "turn_acc")
            )
            + "".join(
                f"| {_num(s.episodes.get(m), 1, s.stderr.get(m))} "
                for m in ("steps_used", "calls_made")
            )
            + f"| {_num(s.footprint_mb, 1)} | {_num(s.peak_rss_mb, 0)} "
            f"| {_count(s.samples.get(STEPS_TASK))} | {_count(s.samples.get(EPISODE_TASK))} |"
        )
    for name, values in PAPER.items():
        lines.append(
            f"| {name} | – | – "
            + "".join(f"| {values[m]:.2f} " for m in STEP_METRICS)
            + "| – | – | – | – | – | – | – | – |"
        )
    return "\n".join(lines)


def _rule(head: str) -> str:
    cells = head.count("|") - 1
    return "|" + "|".join(["---"] + ["---:"] * (cells - 1)) + "|"


def memory_ratio(multi: SystemResult, single: SystemResult) -> dict[str, float | None]:
    """Three adapters on one base vs one adapter on it: footprint and peak-RSS ratios."""

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or not b else round(a / b, 4)

    return {
        "footprint": ratio(multi.footprint_mb, single.footprint_mb),
        "peak_rss": ratio(multi.peak_rss_mb, single.peak_rss_mb),
    }
