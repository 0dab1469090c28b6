"""Every scenario loading route fails with our error naming the source and the fix.

One test per route (hub, ``.json``, ``.jsonl``, folder). The hub failures that
``datasets.load_dataset`` documents are raised by a stand-in for it (the real hub is
never reached in tests); the offline case uses the real ``datasets`` in offline mode.
A failure outside that list is a bug and must propagate unchanged, not be reworded.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import datasets
import pytest
from datasets.exceptions import DatasetGenerationError, DatasetNotFoundError

from harness_ext.errors import DataFileError, MissingDependencyError
from harness_ext.planning.scenarios import HUB_ID, load_scenarios

FIX = "set ASSETOPSBENCH_DIR"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    load_scenarios.cache_clear()
    yield
    load_scenarios.cache_clear()


def _hub_raises(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    def load_dataset(*_: object, **__: object) -> object:
        raise error

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)


def test_hub_offline_names_the_hub_id_and_the_local_fix() -> None:
    # conftest sets HF_HUB_OFFLINE=1: the real datasets raises ConnectionError.
    with pytest.raises(DataFileError) as info:
        load_scenarios(HUB_ID)
    message = str(info.value)
    assert message.startswith(f"hf://{HUB_ID} (scenarios): cannot be reached"), message
    assert FIX in message


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (DatasetNotFoundError(f"Dataset '{HUB_ID}' doesn't exist"), "DatasetNotFoundError"),
        (ValueError("BuilderConfig 'scenarios' not found"), "BuilderConfig 'scenarios'"),
        (RuntimeError("Dataset scripts are no longer supported"), "scripts are no longer"),
        (DatasetGenerationError("An error occurred while generating"), "DatasetGeneration"),
        (PermissionError(13, "Permission denied"), "PermissionError"),
    ],
)
def test_each_documented_hub_failure_is_one_data_file_error(
    monkeypatch: pytest.MonkeyPatch, error: Exception, shown: str
) -> None:
    _hub_raises(monkeypatch, error)
    with pytest.raises(DataFileError) as info:
        load_scenarios(HUB_ID)
    message = str(info.value)
    assert f"hf://{HUB_ID} (scenarios): could not be loaded" in message
    assert shown in message
    assert FIX in message
    assert info.value.__cause__ is error


def test_a_bug_is_not_disguised_as_a_hub_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    _hub_raises(monkeypatch, KeyError("train"))
    with pytest.raises(KeyError):
        load_scenarios(HUB_ID)


def test_hub_without_a_split_and_hub_rows_that_are_invalid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: datasets.DatasetDict())
    with pytest.raises(DataFileError, match="holds no split"):
        load_scenarios(HUB_ID)
    rows = datasets.Dataset.from_list([{"id": 1, "type": "IoT", "text": ""}])
    monkeypatch.setattr(
        datasets, "load_dataset", lambda *a, **k: datasets.DatasetDict({"train": rows})
    )
    with pytest.raises(DataFileError, match=rf"hf://{HUB_ID}#0: scenario 1 has an empty"):
        load_scenarios(HUB_ID)


def test_hub_without_datasets_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(MissingDependencyError, match="pip install datasets"):
        load_scenarios(HUB_ID)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"id": 1', "invalid JSON"),
        (b'{"id": 1, "type": "IoT", "text": "a"}', "expected a JSON list"),
        (b"\xff\xfe[", "cannot be read"),
        (b'[{"id": 1, "type": "IoT", "text": "a"}, 3]', "a scenario must be a JSON object"),
    ],
)
def test_json_file_route(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "scenarios.json"
    path.write_bytes(content)
    with pytest.raises(DataFileError) as info:
        load_scenarios(str(path))
    assert str(info.value).startswith(str(path)), str(info.value)
    assert message in str(info.value)
    assert FIX in str(info.value)


def test_jsonl_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.jsonl"
    path.write_bytes(b'{"id": 1, "type": "IoT", "text": "caf\xe9"}\n')
    with pytest.raises(DataFileError, match=r"scenarios\.jsonl: cannot be read") as info:
        load_scenarios(str(path))
    assert FIX in str(info.value)


def test_folder_that_cannot_be_inspected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root ignores file modes, so the permission error is raised by a stand-in.
    def is_file(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_file", is_file)
    with pytest.raises(DataFileError, match="cannot be inspected") as info:
        load_scenarios(str(tmp_path))
    assert str(info.value).startswith(str(tmp_path))
    assert FIX in str(info.value)
