"""Discovery: plain lm-eval sees our tasks and model (the opt-out works), the task folders
are one per family, and no name collides with an lm-eval built-in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

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
    prefixes = ("assetops", "forget_", "fc_", "agent_", "toolplan")
    assert all(name.startswith(prefixes) for name in ours), sorted(ours)


def _our_index() -> dict[str, Any]:
    from lm_eval.tasks._index import TaskIndex

    return dict(TaskIndex().build([tasks_dir()]))


def _families() -> list[Path]:
    return sorted(p for p in tasks_dir().iterdir() if p.is_dir() and p.name != "__pycache__")


def test_the_assetops_family_keeps_its_names_kinds_and_members() -> None:
    index = _our_index()
    kinds = {n: e.kind.name for n, e in index.items() if n.startswith("assetops")}
    tasks = [
        "assetops_informed",
        "assetops_free",
        "assetops_informed_test30",
        "assetops_free_test30",
        "assetops_informed_test30_twinfree",
        "assetops_free_test30_twinfree",
    ]
    # PY_TASK: the template's `class:` (AssetOpsTask, so --metadata split=... works);
    # lm-eval lists and builds PY_TASK and TASK alike.
    assert kinds == dict.fromkeys(tasks, "PY_TASK") | {
        "assetops": "GROUP",
        "assetops_test30": "GROUP",
        "assetops_test30_twinfree": "GROUP",
        "assetops_tasks": "TAG",
    }
    assert index["assetops"].cfg["task"] == tasks[:2]
    assert index["assetops_test30"].cfg["task"] == tasks[2:4]
    assert index["assetops_test30_twinfree"].cfg["task"] == tasks[4:]


def test_every_task_and_group_lives_in_the_one_folder_of_its_family() -> None:
    """A family folder's name prefixes its names, and no other family's name does."""
    families = _families()
    for name, entry in _our_index().items():
        path = entry.yaml_path
        if path is None:  # a tag: no file of its own
            continue
        owners = [f.name for f in families if name.startswith(f.name)]
        assert len(owners) == 1, f"{name}: family folders {owners} all prefix it"
        assert Path(path).relative_to(tasks_dir()).parts[0] == owners[0], (name, path)


def test_every_family_has_one_readme_with_a_dated_changelog() -> None:
    families = _families()
    assert families
    for family in families:
        assert [p.relative_to(family) for p in family.rglob("README.md")] == [Path("README.md")]
        text = (family / "README.md").read_text("utf-8")
        changelog = text[text.index("## Changelog") :]
        assert re.search(r"\(\d{4}-\d{2}-\d{2}\)", changelog), family.name
