"""Role-labelled training data for the α-UMi agent (``toolplan build-data --family agent``).

Examples come from the ground-truth trajectories (:mod:`harness_ext.agents.trajectories`,
observations from executing the calls on the real backends) of the **training** task
indices only (``bfcl.training_indices``; the 40 held-out indices are never read). Every
step gives one example per role that acts there, as a chat record
``{"messages": [user: prompt, assistant: target], "family": "agent", "meta": {...}}``:

* ``planner`` — every step (thought ending ``Next: ...``);
* ``caller`` — steps whose reference is a call (``Action``/``Action Input``);
* ``summarizer`` — conclusion steps (the synthetic summary);
* ``backbone`` — every step, single-LLM format (stage 1 of GLPFT, and the baseline).

**Decontamination**, on top of the split by index: a training task is dropped whole when
any of its user turns has a difflib ratio > ``threshold`` (lower-cased, as
``training.data.Decontaminator`` measures it) with a user turn of a held-out task; every
drop is reported with its closest held-out text. Records that repeat exactly (``miss_*``
variants share their first turns with the base task) are kept once per role.

Output folder: ``<role>/train.jsonl`` and ``<role>/eval.jsonl`` for each role (the eval
file holds the examples of 5 % of the training tasks, chosen by id hash), so
``toolplan train --data OUT --stage planner`` reads ``OUT/planner``; ``manifest.json``
(counts, sha256 per file, split, threshold) and ``decontamination.json``. The folder gets
a ``.gitignore``: the data quotes BFCL's texts, which the project never commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_ext import __version__
from harness_ext.agents.bfcl import (
    CATEGORIES,
    HELDOUT_SIZE,
    check_category,
    heldout_indices,
    split_tasks,
)
from harness_ext.agents.formats import ROLES, Role
from harness_ext.agents.trajectories import task_steps, user_text
from harness_ext.errors import DataFileError
from harness_ext.training.data import (
    EVAL_FILE,
    MANIFEST_FILE,
    REPORT_FILE,
    THRESHOLD,
    TRAIN_FILE,
    Decontaminator,
)

DATA_FORMAT = "toolplan-agent-sft/1"
EVAL_FRACTION = 0.05


@dataclass(frozen=True)
class AgentDataConfig:
    """Options of the agent data build."""

    categories: tuple[str, ...] = CATEGORIES
    threshold: float = THRESHOLD
    eval_fraction: float = EVAL_FRACTION
    seed: int = 42


@dataclass
class AgentDataset:
    """Records per role and split, the manifest and the decontamination report."""

    train: dict[Role, list[dict[str, Any]]] = field(default_factory=dict)
    eval: dict[Role, list[dict[str, Any]]] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)


def _user_texts(categories: Sequence[str], split: str) -> list[str]:
    texts: list[str] = []
    for category in categories:
        for task in split_tasks(category, split):
            for t, text in enumerate(task.turns):
                if text.strip():
                    texts.append(text)
                else:
                    texts.append(user_text(task, t, task.missed_function.get(t, ())))
    return list(dict.fromkeys(texts))


def _in_eval(task_id: str, seed: int, fraction: float) -> bool:
    digest = hashlib.sha256(f"{seed}/{task_id.rsplit('_', 1)[-1]}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def build_agent_dataset(config: AgentDataConfig = AgentDataConfig()) -> AgentDataset:
    """Build every role's examples (module docstring); same inputs, same records."""
    categories = tuple(check_category(c) for c in config.categories)
    heldout_texts = _user_texts(categories, "heldout")
    deco = Decontaminator(heldout_texts, config.threshold)
    out = AgentDataset(
        train={r: [] for r in ROLES},
        eval={r: [] for r in ROLES},
    )
    seen: dict[Role, set[str]] = {r: set() for r in ROLES}
    dropped: list[dict[str, Any]] = []
    used_tasks: list[str] = []
    closest_cache: dict[str, tuple[float, int | None]] = {}
    for category in categories:
        for task in split_tasks(category, "train"):
            if task.index in heldout_indices():  # defensive: split_tasks already excludes
                continue
            worst: tuple[float, int | None, str] = (0.0, None, "")
            for text in task.turns:
                if not text.strip():
                    continue
                if text not in closest_cache:
                    closest_cache[text] = deco.closest(text)
                ratio, index = closest_cache[text]
                if index is not None and ratio > worst[0]:
                    worst = (ratio, index, text)
            if worst[1] is not None:
                dropped.append(
                    {
                        "task_id": task.id,
                        "text": worst[2],
                        "closest_heldout_text": heldout_texts[worst[1]],
                        "ratio": round(worst[0], 4),
                    }
                )
                continue
            used_tasks.append(task.id)
            split = out.eval if _in_eval(task.id, config.seed, config.eval_fraction) else out.train
            for step in task_steps(task):
                prompts, targets = step.prompts(), step.targets()
                for role, target in targets.items():
                    prompt = prompts[role]
                    key = hashlib.sha256(f"{prompt}\x00{target}".encode()).hexdigest()
                    if key in seen[role]:
                        continue
                    seen[role].add(key)
                    split[role].append(
                        {
                            "messages": [
                                {"role": "user", "content": prompt},
                                {"role": "assistant", "content": target},
                            ],
                            "family": "agent",
                            "meta": {
                                "role": role,
                                "step": step.id,
                                "label": step.label,
                                "category": step.category,
                            },
                        }
                    )
    out.report = {
        "rule": "drop a training task when a user turn has difflib ratio > threshold "
        "(lower-cased) with a held-out user turn",
        "threshold": config.threshold,
        "heldout_texts": len(heldout_texts),
        "dropped_tasks": dropped,
    }
    out.manifest = {
        "format": DATA_FORMAT,
        "toolplan_eval_version": __version__,
        "source": "bfcl-eval multi-turn ground truth, executed on its backends",
        "categories": list(categories),
        "split": {
            "heldout_indices": sorted(heldout_indices()),
            "heldout_size": HELDOUT_SIZE,
            "rule": "bfcl.heldout_indices (salted SHA-256 rank); training = the other indices",
        },
        "seed": config.seed,
        "eval_fraction": config.eval_fraction,
        "tasks_used": len(used_tasks),
        "tasks_dropped": len(dropped),
        "counts": {
            "train": {r: len(out.train[r]) for r in ROLES},
            "eval": {r: len(out.eval[r]) for r in ROLES},
        },
    }
    return out


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def write_agent_dataset(data: AgentDataset, out_dir: str | Path) -> dict[str, Path]:
    """Write ``<role>/train.jsonl``, ``<role>/eval.jsonl``, the manifest and the report."""
    out = Path(out_dir)
    paths: dict[str, Path] = {}
    files: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        folder = out / role
        folder.mkdir(parents=True, exist_ok=True)
        for name, records in ((TRAIN_FILE, data.train[role]), (EVAL_FILE, data.eval[role])):
            payload = _jsonl(records)
            path = folder / name
            path.write_bytes(payload)
            paths[f"{role}/{name}"] = path
            files[f"{role}/{name}"] = {
                "sha256": hashlib.sha256(payload).hexdigest(),
                "examples": len(records),
                "bytes": len(payload),
            }
    manifest = dict(data.manifest, files=files)
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    (out / REPORT_FILE).write_text(json.dumps(data.report, indent=2, ensure_ascii=False) + "\n")
    paths[MANIFEST_FILE], paths[REPORT_FILE] = out / MANIFEST_FILE, out / REPORT_FILE
    (out / ".gitignore").write_text("# generated training data (quotes BFCL texts)\n*\n")
    return paths


def stage_data(data: str | Path, stage: str) -> str:
    """The data folder of one training stage: ``DATA/<stage>`` of an agent build.

    Raises:
        DataFileError: ``DATA/<stage>/train.jsonl`` does not exist.
    """
    folder = Path(data) / stage
    if not (folder / TRAIN_FILE).is_file():
        raise DataFileError(
            folder / TRAIN_FILE,
            "not found",
            f"point --data at a folder written by `toolplan build-data --family agent` "
            f"(it holds {', '.join(ROLES)}/)",
        )
    return str(folder)
