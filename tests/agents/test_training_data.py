"""Role-labelled agent training data: training ids only, decontaminated, readable by the trainer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.agents.bfcl import heldout_indices
from harness_ext.agents.formats import ROLES
from harness_ext.agents.training_data import (
    AgentDataConfig,
    AgentDataset,
    build_agent_dataset,
    stage_data,
    write_agent_dataset,
)
from harness_ext.errors import DataFileError
from harness_ext.training.data import read_examples


@pytest.fixture(scope="module")
def base_data() -> AgentDataset:
    return build_agent_dataset(AgentDataConfig(categories=("multi_turn_base",)))


def _index(record: dict) -> int:
    return int(record["meta"]["step"].split("/")[0].rsplit("_", 1)[1])


def test_no_heldout_task_is_ever_used(base_data: AgentDataset) -> None:
    records = [
        r for split in (base_data.train, base_data.eval) for rs in split.values() for r in rs
    ]
    assert records
    assert not {_index(r) for r in records} & heldout_indices()


def test_decontamination_drops_near_copies_and_says_why(base_data: AgentDataset) -> None:
    report = base_data.report
    assert report["dropped_tasks"], "some BFCL training turns are near copies of held-out ones"
    used = {r["meta"]["step"].split("/")[0] for rs in base_data.train.values() for r in rs}
    for drop in report["dropped_tasks"]:
        assert drop["ratio"] > report["threshold"] and drop["closest_heldout_text"]
        assert drop["task_id"] not in used


def test_each_role_gets_its_own_targets(base_data: AgentDataset) -> None:
    train = base_data.train
    assert all(
        r["messages"][-1]["content"].endswith(
            ("Next: caller.", "Next: conclusion.", "Next: give up.")
        )
        for r in train["planner"]
    )
    assert all(r["messages"][-1]["content"].startswith("Action: ") for r in train["caller"])
    assert len(train["backbone"]) == len(train["planner"])
    assert {r["meta"]["label"] for r in train["summarizer"]} == {"conclusion"}


def test_written_folders_feed_the_trainer(base_data: AgentDataset, tmp_path: Path) -> None:
    write_agent_dataset(base_data, tmp_path)
    for role in ROLES:
        assert read_examples(Path(stage_data(tmp_path, role)) / "train.jsonl")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["split"]["heldout_indices"] == sorted(heldout_indices())
    assert (tmp_path / ".gitignore").read_text().strip().endswith("*")
    with pytest.raises(DataFileError, match="build-data --family agent"):
        stage_data(tmp_path / "nowhere", "planner")


def test_same_inputs_same_records(base_data: AgentDataset) -> None:
    again = build_agent_dataset(AgentDataConfig(categories=("multi_turn_base",)))
    assert again.train == base_data.train
