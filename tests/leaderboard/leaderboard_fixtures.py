"""Handmade lm-eval results files for the leaderboard tests.

They follow lm-eval 0.4.13's layout (``results`` entries with ``metric,filter`` keys,
``group_subtasks``, ``config.model_args``, ``date``, ``chat_template``) with made-up
numbers chosen so every expected cell can be worked out by hand:

* base, informed (test30): AT-F1 0.2, prompt 1000 tokens, judge overall 2.5 (+ dims);
* base, free (test30): AT-F1 0.0, prompt 100 tokens, no at_f1_nb (must show "–");
  a later, separate file adds judge_overall 1.5 to it (two-stage judge);
* base, forget_probe: acc 0.5 over 40 questions, ARC and HellaSwag skipped;
* adapter r8 over an 8-bit base: free AT-F1 0.6, forget_probe acc 0.4 over 40
  -> retention 80.0 % against the unquantized base; cost block with tokens/s and RSS;
* adapter r32: forget_probe only, acc 0.3 over 100 questions -> no comparable base.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASE = "/somewhere/cache/toolplan-eval/models/smollm2-135m-instruct-fp32"


def results_file(
    folder: Path,
    name: str,
    model_args: dict[str, Any] | str,
    results: dict[str, dict[str, Any]],
    date: float,
    group_subtasks: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
    chat: bool = True,
    cost: dict[str, Any] | None = None,
) -> Path:
    """Write one lm-eval-shaped results file under ``folder/name/`` and return its path."""
    entries = {}
    for task, metrics in results.items():
        entry: dict[str, Any] = {"name": task, "alias": task}
        entry.update(metrics)
        entries[task] = entry
    data: dict[str, Any] = {
        "results": entries,
        "group_subtasks": group_subtasks or {},
        "config": {"model": "hf", "model_args": model_args, "limit": None},
        "date": date,
        "chat_template": "{{ chat }}" if chat else None,
    }
    if cost is not None:  # where toolplan-hf puts it (harness_ext/models/cost.py)
        data["config"]["toolplan_cost"] = cost
    data.update(extra or {})
    path = folder / name / f"results_{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _probe(acc: float, n: int, skipped: bool) -> tuple[dict[str, Any], dict[str, list[str]]]:
    results: dict[str, dict[str, Any]] = {
        "forget_probe": {"sample_len": n, "acc,none": acc, "acc_norm,none": acc},
        "forget_probe_mmlu": {"sample_len": 40, "acc,none": acc, "acc_norm,none": acc},
    }
    members = ["forget_probe_mmlu", "forget_probe_arc", "forget_probe_hellaswag"]
    subtasks = {"forget_probe": members}
    for part in members[1:]:
        if skipped:
            results[part] = {"sample_len": 0, "skipped,none": "hub unreachable"}
            subtasks[part] = []
        else:
            results[part] = {"sample_len": 30, "acc,none": acc, "acc_norm,none": acc}
    return results, subtasks


def write_board(folder: Path) -> list[Path]:
    """Write the whole handmade set (see the module docstring); return the files."""
    judge_dims = {
        "judge_correctness,none": 3.0,
        "judge_agent_routing,none": 2.0,
        "judge_tool_selection,none": 2.5,
        "judge_argument_quality,none": 2.0,
        "judge_efficiency,none": 3.5,
        "judge_dependency_correctness,none": 2.0,
    }
    informed = {
        "sample_len": 30,
        "at_f1,none": 0.2,
        "at_f1_nb,none": 0.25,
        "agent_f1,none": 0.5,
        "tool_f1,none": 0.3,
        "prompt_tokens,none": 1000.0,
        "judge_overall,none": 2.5,
        **judge_dims,
    }
    free = {"sample_len": 30, "at_f1,none": 0.0, "agent_f1,none": 0.1, "prompt_tokens,none": 100.0}
    probe, probe_subtasks = _probe(0.5, 40, skipped=True)
    adapter_probe, adapter_subtasks = _probe(0.4, 40, skipped=True)
    r32_probe, r32_subtasks = _probe(0.3, 100, skipped=False)
    adapter_args = f"pretrained={BASE},peft=/x/adapters/assetops-free-r8,load_in_8bit=True"
    return [
        results_file(
            folder,
            "base_planning",
            {"pretrained": BASE},
            {"assetops_informed_test30": informed, "assetops_free_test30": free},
            date=100.0,
            group_subtasks={
                "assetops_test30": ["assetops_informed_test30", "assetops_free_test30"]
            },
        ),
        results_file(
            folder,
            "base_free_judged",
            {"pretrained": BASE},
            {"assetops_free_test30": {"sample_len": 30, "judge_overall,none": 1.5}},
            date=200.0,
        ),
        results_file(folder, "base_probe", {"pretrained": BASE}, probe, 50.0, probe_subtasks),
        results_file(
            folder,
            "r8",
            adapter_args,
            {
                "assetops_free_test30": {
                    "sample_len": 30,
                    "at_f1,none": 0.6,
                    "prompt_tokens,none": 100.0,
                }
            },
            date=300.0,
            cost={
                "load_seconds": 1.9,
                "model_footprint_mb": 159.1,
                "rss_at_start_mb": 612.0,
                "peak_rss_mb": 1234.4,
                "peak_rss_scope": "run",
                "gpu_peak_allocated_mb": None,
                "tokens_per_second": 12.5,
            },
        ),
        results_file(folder, "r8_probe", adapter_args, adapter_probe, 310.0, adapter_subtasks),
        results_file(
            folder,
            "r32_probe",
            {"pretrained": BASE, "peft": "/x/adapters/assetops-free-r32"},
            r32_probe,
            400.0,
            r32_subtasks,
        ),
    ]


def markdown_table(markdown: str, first_header: str = "| model ") -> list[dict[str, str]]:
    """The first github table whose header starts with ``first_header``, as dicts."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_header))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)))
    return rows
