"""Where this plugin's lm-eval tasks live, and a TaskManager that knows them."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness_ext.errors import ToolplanError

if TYPE_CHECKING:
    from lm_eval.tasks.manager import TaskManager


def tasks_dir() -> Path:
    """Return the installed ``lm_eval_tasks`` folder (pass it to ``--include_path``)."""
    spec = find_spec("lm_eval_tasks")
    if spec is None or not spec.submodule_search_locations:
        raise ToolplanError(
            "The lm_eval_tasks package of toolplan-eval is not importable. "
            "Fix: reinstall the plugin with `pip install toolplan-eval` (or `pip install -e .`)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def task_manager(
    metadata: dict[str, Any] | None = None,
    include_path: list[str | Path] | None = None,
    include_defaults: bool = False,
) -> TaskManager:
    """Build a TaskManager that indexes our tasks (and, optionally, lm-eval's built-ins).

    Without the built-ins, indexing takes milliseconds instead of ~10 s.
    """
    from lm_eval.tasks.manager import TaskManager

    paths: list[str | Path] = [tasks_dir(), *(include_path or [])]
    return TaskManager(include_path=paths, include_defaults=include_defaults, metadata=metadata)


def plugin_task_names() -> list[str]:
    """All task, group and tag names this plugin ships, sorted."""
    return list(task_manager().all_tasks)
