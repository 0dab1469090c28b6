"""Start-up hook that lets plain ``lm_eval`` find this plugin, with no extra flag.

lm-eval 0.4.13 only indexes its own task folder plus ``--include_path``, and only
knows the models in its own registry. The wheel ships ``toolplan_eval_hook.pth``,
which imports this module at every interpreter start. The module imports nothing
heavy: it puts a finder on ``sys.meta_path`` that waits for lm-eval's own modules to
be imported, then

* wraps ``lm_eval.tasks.manager.TaskManager.__init__`` so our task folder is added to
  ``include_path`` (ahead of the user's own paths, so theirs still override ours), and
* registers the ``toolplan-hf`` and ``toolplan-agent`` models as lazy ``module:attr``
  placeholders right after ``lm_eval.models`` fills the model registry.

Opt out with ``TOOLPLAN_EVAL_NO_HOOK=1``; then use ``--include_path $(toolplan tasks-path)``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

OPT_OUT_ENV = "TOOLPLAN_EVAL_NO_HOOK"
MODEL_NAME = "toolplan-hf"
MODEL_TARGET = "harness_ext.lm_eval_glue.models:ToolplanHFLM"
AGENT_MODEL_NAME = "toolplan-agent"
AGENT_MODEL_TARGET = "harness_ext.lm_eval_glue.agent_model:ToolplanAgentLM"


def _tasks_dir() -> str:
    # lm_eval_tasks is a sibling top-level package; find it without importing it.
    from importlib.util import find_spec

    spec = find_spec("lm_eval_tasks")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("toolplan-eval is installed without its lm_eval_tasks package")
    return str(next(iter(spec.submodule_search_locations)))


def _as_list(include_path: Any) -> list[Any]:
    if include_path is None:
        return []
    if isinstance(include_path, (list, tuple)):
        return list(include_path)
    return [include_path]


def _patch_task_manager(module: ModuleType) -> None:
    cls = module.TaskManager
    original = cls.__init__
    if getattr(original, "_toolplan_wrapped", False):
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # Signature: (verbosity, include_path, include_defaults, metadata)
        if len(args) >= 2:
            args = (args[0], with_plugin_tasks(args[1]), *args[2:])
        else:
            kwargs["include_path"] = with_plugin_tasks(kwargs.get("include_path"))
        original(self, *args, **kwargs)

    __init__._toolplan_wrapped = True  # type: ignore[attr-defined]
    __init__.__doc__ = original.__doc__
    cls.__init__ = __init__


def with_plugin_tasks(include_path: Any) -> list[Any]:
    """Return ``include_path`` with this plugin's task folder first (no duplicates)."""
    ours = os.path.realpath(_tasks_dir())
    paths = _as_list(include_path)
    if any(os.path.realpath(str(p)) == ours for p in paths):
        return paths
    return [ours, *paths]


def _register_model(module: ModuleType) -> None:
    from lm_eval.api.registry import model_registry

    if MODEL_NAME not in model_registry:
        model_registry.register(MODEL_NAME, target=MODEL_TARGET)
    if AGENT_MODEL_NAME not in model_registry:
        model_registry.register(AGENT_MODEL_NAME, target=AGENT_MODEL_TARGET)


_PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "lm_eval.tasks.manager": _patch_task_manager,
    "lm_eval.models": _register_model,
}


class _PatchingLoader:
    """Delegates to the real loader, then applies our patch to the fresh module."""

    def __init__(self, inner: Any, patch: Callable[[ModuleType], None]) -> None:
        self._inner = inner
        self._patch = patch

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        result: ModuleType | None = self._inner.create_module(spec)
        return result

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        self._patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _PostImportFinder:
    """A ``sys.meta_path`` finder that only ever wraps the loaders of ``_PATCHES``."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        patch = _PATCHES.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader, patch)  # type: ignore[assignment]
                return spec
        return None


def install() -> None:
    """Install the finder once; patch modules that were imported before us."""
    if os.environ.get(OPT_OUT_ENV, "").strip() not in ("", "0"):
        return
    if any(isinstance(f, _PostImportFinder) for f in sys.meta_path):
        return
    for name, patch in _PATCHES.items():
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, _PostImportFinder())


install()
