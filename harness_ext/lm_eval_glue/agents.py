"""lm-eval glue of the α-UMi agent tasks on BFCL multi-turn (``lm_eval_tasks/agent_bfcl/``).

* ``agent_bfcl_steps`` — static, teacher-forced: one document per decision point of the
  ground-truth trajectories of the held-out tasks (``harness_ext.agents.trajectories``);
  ``doc_to_text`` is the single-LLM prompt, so any model runs it as a backbone; the
  ``toolplan-agent`` model reads the step from the document and runs its planner, then its
  caller (or summarizer). Scored by :func:`harness_ext.agents.metrics.step_scores`.
  Identical samples (``miss_*`` variants repeat the base task's first turns) are kept once;
  documents are in a seeded shuffled order, so ``--limit N`` takes a mixed sample.
* ``agent_bfcl_multi_turn_{base,miss_param,miss_func}`` — end to end: one document per
  held-out task; only ``toolplan-agent`` can act on it (it runs the episode against the
  task's backends and returns the episode record). :func:`process_episode` replays the
  record's calls on fresh backends and applies BFCL's rules
  (``harness_ext.agents.checks``). Another model's text is no episode: the task fails with
  the cause ``agent:no_episode`` (listed in ``failure``), it is not skipped.

Task options (``dataset_kwargs`` in the YAML; ``--metadata`` collides with them, DESIGN §3):
``split`` (``heldout``, ``train``, ``all``), ``categories`` (steps, comma list) or
``category`` (multi-turn), ``seed`` (order).
"""

from __future__ import annotations

import json
from typing import Any

from harness_ext.agents.bfcl import CATEGORIES, check_category, get_task, split_tasks
from harness_ext.agents.checks import check_calls
from harness_ext.agents.metrics import step_scores
from harness_ext.agents.runner import EPISODE_FORMAT, read_step_result, record_calls
from harness_ext.agents.trajectories import stable_order, task_steps
from harness_ext.lm_eval_glue import registrations as _registrations  # noqa: F401  (registers)

NO_EPISODE = "agent:no_episode"
BAD_RECORD = "agent:bad_episode_record"


def _categories(value: Any) -> tuple[str, ...]:
    if value is None:
        return CATEGORIES
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(check_category(str(c).strip()) for c in items if str(c).strip())


def build_step_docs(categories: Any = None, split: str = "heldout", seed: int = 0) -> list[dict]:
    """Step documents of the tasks of ``categories`` in ``split`` (module docstring)."""
    docs: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    for category in _categories(categories):
        for task in split_tasks(category, split):
            for step in task_steps(task):
                doc = step.to_doc()
                key = (doc["prompt"], doc["label"], doc["ref_action"], doc["ref_args"])
                if key in seen:
                    continue
                seen.add(key)
                doc["agent_step"] = True
                docs.append(doc)
    docs.sort(key=lambda d: stable_order(d["id"], seed))
    return docs


def _dataset(docs: list[dict[str, Any]]) -> Any:
    import datasets

    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def load_steps(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``agent_bfcl_steps`` (takes lm-eval's metadata keys too)."""
    return _dataset(
        build_step_docs(
            kwargs.get("categories"),
            str(kwargs.get("split", "heldout")),
            int(kwargs.get("seed", 0)),
        )
    )


def process_step(doc: dict[str, Any], results: list[str]) -> dict[str, float]:
    """Step metrics of one static sample (absent where undefined, never 0)."""
    return step_scores(doc, read_step_result(results[0] if results else ""))


def build_episode_docs(category: str, split: str = "heldout", seed: int = 0) -> list[dict]:
    """One document per task of ``category`` in ``split``, in a seeded shuffled order."""
    docs: list[dict[str, Any]] = []
    for task in split_tasks(category, split):
        docs.append(
            {
                "id": task.id,
                "category": task.category,
                "index": task.index,
                "question": task.turns[0],
                "turns": len(task.turns),
                "checked_turns": sum(1 for t in task.ground_truth if t),
                "agent_episode": True,
            }
        )
    docs.sort(key=lambda d: stable_order(d["id"], seed))
    return docs


def load_multi_turn(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``agent_bfcl_multi_turn_*``."""
    category = check_category(str(kwargs.get("category", "multi_turn_base")))
    return _dataset(
        build_episode_docs(
            category, str(kwargs.get("split", "heldout")), int(kwargs.get("seed", 0))
        )
    )


def _failed(doc: dict[str, Any], cause: str) -> dict[str, Any]:
    return {
        "task_success": 0.0,
        "turn_acc": [0, int(doc["checked_turns"])],
        "steps_used": 0.0,
        "calls_made": 0.0,
        "budget_stop_rate": 0.0,
        "refused_call_rate": [0, 0],
        "failure": [cause],
    }


def process_episode(doc: dict[str, Any], results: list[str]) -> dict[str, Any]:
    """BFCL's verdict on one task from the model's episode record (module docstring)."""
    text = results[0] if results else ""
    try:
        record = json.loads(text) if text.lstrip().startswith("{") else None
    except (json.JSONDecodeError, RecursionError):
        record = None
    if not isinstance(record, dict) or record.get("format") != EPISODE_FORMAT:
        return _failed(doc, NO_EPISODE)
    try:
        if record.get("task_id") != doc["id"]:
            raise ValueError(f"record is for {record.get('task_id')!r}, not {doc['id']!r}")
        calls = record_calls(record)
        turns = record["turns"]
        steps = sum(int(t.get("steps", 0)) for t in turns)
        refused = sum(1 for t in turns for c in t.get("calls", []) if c.get("cause"))
    except (ValueError, TypeError, AttributeError, KeyError):
        return _failed(doc, BAD_RECORD)
    check = check_calls(get_task(doc["category"], doc["id"]), calls)
    made = sum(len(c) for c in calls)
    failure = [] if check.valid else [str(check.cause)]
    if record.get("stopped"):
        failure.append(str(record["stopped"]))
    return {
        "task_success": float(check.valid),
        "turn_acc": [check.passed_turns, check.checked_turns],
        "steps_used": float(steps),
        "calls_made": float(made),
        "budget_stop_rate": float(bool(record.get("stopped"))),
        "refused_call_rate": [refused, made],
        "failure": failure,
    }
