"""The start-up hook: plain lm-eval sees our tasks and model; the opt-out works."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from harness_ext._hook import MODEL_NAME, with_plugin_tasks
from harness_ext.lm_eval_glue.taskdirs import tasks_dir


def _python(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_include_path_gets_our_folder_first_and_once() -> None:
    ours = str(Path(tasks_dir()).resolve())
    assert with_plugin_tasks(None) == [ours]
    assert with_plugin_tasks("/x") == [ours, "/x"]
    assert with_plugin_tasks([ours, "/x"]) == [ours, "/x"]


def test_the_pth_file_is_installed() -> None:
    assert (Path(sysconfig.get_paths()["purelib"]) / "toolplan_eval_hook.pth").is_file()


CHECK_TASKS = (
    "from lm_eval.tasks import TaskManager;"
    "print('assetops_free' in TaskManager(include_defaults=False).all_tasks)"
)
CHECK_MODEL = (
    "from lm_eval.api.registry import get_model, model_registry;"
    "get_model('hf');"
    f"print('{MODEL_NAME}' in model_registry, 'hf' in model_registry)"
)


def test_plain_lm_eval_task_manager_sees_our_tasks() -> None:
    assert _python(CHECK_TASKS) == "True"


def test_opt_out_leaves_lm_eval_untouched() -> None:
    assert _python(CHECK_TASKS, TOOLPLAN_EVAL_NO_HOOK="1") == "False"
    assert _python(CHECK_MODEL, TOOLPLAN_EVAL_NO_HOOK="1") == "False True"


def test_our_model_name_is_registered_next_to_lm_evals_own() -> None:
    assert _python(CHECK_MODEL) == "True True"


def test_the_hook_imports_nothing_heavy() -> None:
    loaded = _python(
        "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'transformers', 'lm_eval', 'datasets', 'numpy', 'openai')))"
    )
    assert loaded == "[]"


@pytest.mark.slow
def test_no_name_collides_with_an_lm_eval_builtin() -> None:
    import lm_eval.tasks
    from lm_eval.tasks._index import TaskIndex

    builtin = set(TaskIndex().build([Path(lm_eval.tasks.__file__).parent]))
    ours = set(TaskIndex().build([tasks_dir()]))
    assert ours, "no plugin tasks indexed"
    assert not ours & builtin
    prefixes = ("assetops", "forget_", "fc_", "toolplan")
    assert all(name.startswith(prefixes) for name in ours), sorted(ours)
