"""BFCL multi-turn data read in place, the split by task index, and the argument limits."""

from __future__ import annotations

import inspect

import pytest

from harness_ext.agents.bfcl import (
    BACKENDS,
    CATEGORIES,
    HELDOUT_SIZE,
    backend_class,
    function_docs,
    get_task,
    heldout_indices,
    load_tasks,
    split_tasks,
    training_indices,
)
from harness_ext.agents.env import load_limits
from harness_ext.errors import UnknownNameError


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_200_tasks_with_ground_truth(category: str) -> None:
    tasks = load_tasks(category)
    assert len(tasks) == 200
    assert all(len(t.turns) == len(t.ground_truth) for t in tasks)
    assert {t.index for t in tasks} == set(range(200))


def test_split_is_by_index_and_disjoint() -> None:
    held, train = heldout_indices(), training_indices()
    assert len(held) == HELDOUT_SIZE and not held & train and len(held | train) == 200
    for category in CATEGORIES:
        assert {t.index for t in split_tasks(category, "heldout")} == held
        assert not {t.index for t in split_tasks(category, "train")} & held


def test_heldout_mixes_backends() -> None:
    classes = {c for t in split_tasks("multi_turn_base", "heldout") for c in t.involved_classes}
    assert len(classes) >= 6


def test_unknown_names_are_errors_with_choices() -> None:
    with pytest.raises(UnknownNameError, match="multi_turn_base"):
        load_tasks("multi_turn_basic")
    with pytest.raises(UnknownNameError, match="task id"):
        get_task("base", "multi_turn_base_999")
    assert get_task("base", 7).id == "multi_turn_base_7"


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_docs_name_exactly_the_public_methods(backend: str) -> None:
    cls = backend_class(backend)
    public = {n for n, f in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}
    assert {d.name for d in function_docs(backend)} == public


def test_limits_name_real_parameters() -> None:
    limits = load_limits()
    assert limits.params, "the limits file should bound at least one parameter"
    for key, (low, high) in limits.params.items():
        backend, function, param = key.split(".")
        doc = next(d for d in function_docs(backend) if d.name == function)
        assert param in doc.properties, key
        assert low < high
