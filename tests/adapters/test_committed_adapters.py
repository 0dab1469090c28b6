"""Every adapter committed under ``adapters/`` is a well-formed registry entry.

`toolplan check` in CI evaluates them; these checks fail fast (no model) on a folder that
could never pass it: unreadable PEFT files, a manifest or baseline that does not parse, a
manifest whose base disagrees with the adapter's own config, a baseline naming a task the
plugin does not ship.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.models.adapter_checks import check_base, inspect_adapter
from harness_ext.registry.manifest import MANIFEST, read_manifest
from harness_ext.registry.regression import read_baseline
from harness_ext.lm_eval_glue.taskdirs import plugin_task_names
from tests.conftest import REPO_ROOT

COMMITTED = sorted(p.parent for p in (REPO_ROOT / "adapters").glob(f"*/{MANIFEST}"))


def test_the_registry_is_not_empty() -> None:
    kinds = {read_manifest(p).kind for p in COMMITTED}
    assert "internalization" in kinds, "the fidelity run's adapter must be committed"


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_adapter_is_checkable(folder: Path) -> None:
    manifest = read_manifest(folder)
    assert manifest.name == folder.name
    assert manifest.quantization in {"none", "8bit", "4bit"}
    info = inspect_adapter(folder)
    assert info.tensor_count > 0
    assert check_base(info, manifest.base_model).status == "match"
    baseline = read_baseline(folder)
    assert baseline.adapter == folder.name
    assert set(baseline.eval.tasks) <= set(plugin_task_names())
    assert baseline.scores, f"{folder}/baseline.json expects no scores"
