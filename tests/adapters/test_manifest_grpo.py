"""Manifests of GRPO adapters: kinds grpo / sft+grpo carry their reward, others may not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from harness_ext.errors import DataFileError
from harness_ext.registry.manifest import MANIFEST, read_manifest, training_method, write_manifest
from tests.conftest import REPO_ROOT

SFT = REPO_ROOT / "adapters" / "placeholder-smollm2-r8"
REWARD = {
    "name": "function_call",
    "weights": {"format": 0.125, "name": 0.375, "args": 0.5},
    "fc_format": "json",
    "init": "adapters/placeholder-smollm2-r8",
}


def _write(tmp_path: Path, **changes: object) -> Path:
    folder = tmp_path / "a"
    shutil.copytree(SFT, folder)
    data = yaml.safe_load((folder / MANIFEST).read_text())
    data.update(changes)
    (folder / MANIFEST).write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def test_a_grpo_manifest_round_trips_with_its_reward(tmp_path: Path) -> None:
    manifest = read_manifest(_write(tmp_path, kind="sft+grpo", reward=REWARD))
    assert manifest.reward is not None and manifest.reward.weights["args"] == 0.5
    write_manifest(tmp_path / "out", manifest)
    data = yaml.safe_load((tmp_path / "out" / MANIFEST).read_text())
    assert data["reward"] == REWARD and "reward" not in data.get("training", {})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "grpo"}, "kind grpo needs a 'reward' block"),
        ({"reward": REWARD}, "'reward' belongs to the GRPO kinds"),
        ({"kind": "grpo", "reward": {**REWARD, "name": "bleu"}}, "reward.name"),
        ({"kind": "grpo", "reward": {**REWARD, "temperature": 1}}, "reward.temperature"),
    ],
)
def test_a_reward_block_is_required_exactly_for_grpo_kinds(
    changes: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(DataFileError, match=message):
        read_manifest(_write(tmp_path, **changes))


def test_kinds_map_to_the_leaderboard_method() -> None:
    assert [training_method(k) for k in ("internalization", "grpo", "sft+grpo")] == [
        "sft",
        "grpo",
        "sft+grpo",
    ]
    assert training_method("agent-caller") == "sft" and training_method("mystery") is None
