"""Every adapter committed under ``adapters/`` is a well-formed registry entry.

`toolplan check` in CI evaluates them; these checks fail fast (no model) on a folder that
could never pass it: unreadable PEFT files, a manifest or baseline that does not parse, a
manifest whose base disagrees with the adapter's own config, a baseline naming a task the
plugin does not ship, a baseline that could never report a regression, or a machine path
in a committed file. The placeholder's training fixture is checked too: it is what its
manifest says it was trained on, its plans parse with catalog names, and none of its
questions is close to a benchmark scenario.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from harness_ext.lm_eval_glue.taskdirs import plugin_task_names
from harness_ext.models.adapter_checks import check_base, inspect_adapter
from harness_ext.models.embedded import EMBEDDED_MODELS
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.plans import parse_plan
from harness_ext.planning.scenarios import load_scenarios
from harness_ext.registry.manifest import MANIFEST, read_manifest
from harness_ext.registry.regression import read_baseline
from harness_ext.training.data import Decontaminator, read_examples
from tests.conftest import REPO_ROOT

COMMITTED = sorted(p.parent for p in (REPO_ROOT / "adapters").glob(f"*/{MANIFEST}"))
PLACEHOLDER = REPO_ROOT / "adapters" / "placeholder-smollm2-r8"
# An absolute POSIX or Windows path, or a home-relative one, inside a JSON/YAML value.
MACHINE_PATH = re.compile(r"""(?:^|[\s"':=])(?:/(?:root|home|tmp|work|Users|var)/|~/|[A-Z]:\\)""")


def test_the_registry_is_not_empty() -> None:
    kinds = {read_manifest(p).kind for p in COMMITTED}
    assert "internalization" in kinds, "the fidelity run's adapter must be committed"
    assert "placeholder" in kinds, "the tests' placeholder adapter must be committed"


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_adapter_is_checkable(folder: Path) -> None:
    manifest = read_manifest(folder)
    assert manifest.name == folder.name
    info = inspect_adapter(folder)
    assert info.tensor_count > 0
    assert check_base(info, manifest.base_model).status == "match"
    baseline = read_baseline(folder)
    assert baseline.adapter == folder.name
    assert set(baseline.eval.tasks) <= set(plugin_task_names())


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_adapter_names_its_base_by_hub_id(folder: Path) -> None:
    manifest = read_manifest(folder)
    hub_id = EMBEDDED_MODELS[manifest.base_model].hub_id
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == hub_id
    assert manifest.base_model_name_or_path == hub_id


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_files_carry_no_machine_path(folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        if path.suffix not in {".json", ".yaml", ".md", ".jsonl"}:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            assert not MACHINE_PATH.search(line), f"{path.name}:{number}: {line.strip()[:120]}"


def test_the_machine_path_pattern_finds_machine_paths() -> None:
    assert MACHINE_PATH.search('"base_model_name_or_path": "/root/.cache/x"')
    assert MACHINE_PATH.search("path: /home/me/data")
    assert MACHINE_PATH.search('"p": "C:\\\\Users\\\\me"')
    assert not MACHINE_PATH.search('"base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M"')
    assert not MACHINE_PATH.search("command: toolplan train --out adapters/x")


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_every_expected_score_can_regress(folder: Path) -> None:
    """A "higher" score at or below its tolerance cannot fall out of it (scores are >= 0),
    so it would pass whatever the adapter does."""
    baseline = read_baseline(folder)
    vacuous = [
        f"{task}/{metric}"
        for task, metrics in baseline.scores.items()
        for metric, exp in metrics.items()
        if exp.direction == "higher" and exp.value <= exp.tolerance
    ]
    assert not vacuous, f"{folder.name}/baseline.json expects scores that cannot regress"


def test_the_placeholder_was_trained_on_its_fixture() -> None:
    manifest = read_manifest(PLACEHOLDER)
    fixture = PLACEHOLDER / "train.jsonl"
    assert manifest.kind == "placeholder"
    assert manifest.training_data["path"] == "adapters/placeholder-smollm2-r8/train.jsonl"
    assert manifest.training_data["sha256"] == hashlib.sha256(fixture.read_bytes()).hexdigest()
    assert manifest.command.startswith("toolplan train --base smollm2-135m --data ")
    assert len(read_examples(fixture)) == manifest.training_data["examples"]


def test_the_placeholder_fixture_is_valid_and_decontaminated(assetops_dir: Path) -> None:
    catalog = load_catalog()
    tools = {(agent.name, tool.name) for agent in catalog.agents for tool in agent.tools}
    records = read_examples(PLACEHOLDER / "train.jsonl")
    assert 40 <= len(records) <= 80
    decontaminator = Decontaminator([s.text for s in load_scenarios()])
    for number, record in enumerate(records, 1):
        question = next(m["content"] for m in record["messages"] if m["role"] == "user")
        ratio, _ = decontaminator.closest(question)
        assert ratio == 0.0, f"train.jsonl:{number}: {question!r} is close to a scenario"
        parsed = parse_plan(record["messages"][-1]["content"])
        assert not parsed.issues, (number, parsed.issues)
        used = {(step.agent, step.tool) for step in parsed.plan.steps}
        assert used <= tools, (number, used - tools)
