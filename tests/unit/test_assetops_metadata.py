"""``--metadata`` keys that the task's ``dataset_kwargs`` also set (lm-eval would crash).

lm-eval 0.4.13 calls ``custom_dataset(**metadata, **dataset_kwargs)``; the assetops task
class merges the two itself. The real CLI run is in ``tests/e2e/test_metadata_split.py``.
"""

from __future__ import annotations

import logging

import pytest

from harness_ext.errors import ToolplanError
from harness_ext.lm_eval_glue.assetops import dataset_call_kwargs

OWN = {"condition": "free", "split": "paper_test30"}


def test_without_overlap_both_reach_the_loader() -> None:
    meta = {"version": 1.0, "pretrained": "smollm2-135m", "gold": "paper"}
    assert dataset_call_kwargs("t", meta, OWN) == {**meta, **OWN}
    assert dataset_call_kwargs("t", None, None) == {}


def test_metadata_split_overrides_the_task_split(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        call = dataset_call_kwargs("assetops_free_test30", {"split": "all"}, OWN)
    assert call == {"condition": "free", "split": "all"}
    assert (
        "assetops_free_test30: --metadata split=all overrides the task's own split=paper_test30"
        in caplog.text
    )


def test_the_same_value_in_both_is_no_conflict(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        call = dataset_call_kwargs("t", {"split": "paper_test30", "condition": "free"}, OWN)
    assert call == OWN
    assert not caplog.text


def test_metadata_condition_that_differs_names_the_fix() -> None:
    with pytest.raises(ToolplanError) as info:
        dataset_call_kwargs("assetops_free_test30", {"condition": "informed"}, OWN)
    message = str(info.value)
    assert "task assetops_free_test30: --metadata condition=informed conflicts" in message
    assert "Fix: drop condition from --metadata" in message
