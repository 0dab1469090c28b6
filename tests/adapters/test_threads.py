"""CPU thread settings of ``toolplan-hf`` and ``toolplan check`` (``models.threads``).

The rules are unit-tested here; their effect on speed beside another process is a
measurement, in ``benchmarks/bench_contention.py``, not a timed test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
import torch

from harness_ext.errors import ModelLoadError
from harness_ext.models.threads import (
    cpu_count,
    prefer_passive_wait,
    resolve_threads,
    thread_report,
    threads_after_load,
)


@pytest.fixture
def keep_torch_threads() -> Iterator[None]:
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_auto_keeps_a_core_free_unless_waits_are_passive() -> None:
    assert resolve_threads("auto", "cpu", {}) == max(1, cpu_count() - 1)
    assert resolve_threads(None, "cpu", {"OMP_WAIT_POLICY": "active"}) == max(1, cpu_count() - 1)
    assert resolve_threads("", "cpu", {"OMP_WAIT_POLICY": "passive"}) is None
    assert resolve_threads("AUTO", "cuda:0", {}) is None


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ("3", 3), (" 2 ", 2)])
def test_a_number_is_used_as_given(value: object, expected: int) -> None:
    assert resolve_threads(value, "cpu", {}) == expected
    assert resolve_threads(value, "cuda:0", {}) == expected


@pytest.mark.parametrize("value", [0, "0", "-1", "two", "1.5", True])
def test_anything_else_names_the_fix(value: object) -> None:
    with pytest.raises(ModelLoadError, match=r"Fix: use threads=auto or a whole number"):
        resolve_threads(value)


def test_auto_gives_small_quantized_models_one_thread_once_loaded() -> None:
    small, large = 134_515_008, 1_711_376_384  # SmolLM2-135M, SmolLM2-1.7B
    assert threads_after_load("auto", "cpu", quantized=True, parameters=small) == 1
    assert threads_after_load(None, "cpu", quantized=True, parameters=small) == 1
    assert threads_after_load("auto", "cpu", quantized=True, parameters=large) is None
    assert threads_after_load("auto", "cpu", quantized=False, parameters=small) is None
    assert threads_after_load("auto", "cuda:0", quantized=True, parameters=small) is None
    assert threads_after_load(2, "cpu", quantized=True, parameters=small) is None  # as given


def test_passive_wait_is_set_only_before_torch_and_never_over_the_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env: dict[str, str] = {}
    assert "torch" in sys.modules  # imported above: too late to set anything
    assert prefer_passive_wait(env) is False and env == {}
    monkeypatch.delitem(sys.modules, "torch")
    assert prefer_passive_wait(env) is True and env == {"OMP_WAIT_POLICY": "PASSIVE"}
    active = {"OMP_WAIT_POLICY": "ACTIVE"}
    assert prefer_passive_wait(active) is False and active == {"OMP_WAIT_POLICY": "ACTIVE"}
    empty = {"OMP_WAIT_POLICY": " "}  # the OpenMP runtime rejects an empty value
    assert prefer_passive_wait(empty) is True and empty == {"OMP_WAIT_POLICY": "PASSIVE"}


def test_toolplan_hf_rejects_a_bad_threads_value_before_loading(
    keep_torch_threads: None,
) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    before = torch.get_num_threads()
    with pytest.raises(ModelLoadError, match="threads='many'"):
        ToolplanHFLM(pretrained="smollm2-135m", device="cpu", threads="many")
    assert torch.get_num_threads() == before


@pytest.mark.slow
def test_toolplan_hf_sets_and_records_the_threads(keep_torch_threads: None) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    lm = ToolplanHFLM(pretrained="smollm2-135m", device="cpu", threads=1)
    assert torch.get_num_threads() == 1
    report = lm.cost_report()
    assert report["cpu_threads"] == 1
    assert report == {**report, **thread_report()}


@pytest.mark.slow
def test_toolplan_hf_runs_a_small_8bit_model_on_one_thread_under_auto(
    keep_torch_threads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    # Passive waits: auto keeps torch's count (2 here) until the model is known.
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    torch.set_num_threads(2)
    fp32 = ToolplanHFLM(pretrained="smollm2-135m", device="cpu")
    assert fp32.cost_report()["cpu_threads"] == 2
    lm = ToolplanHFLM(pretrained="smollm2-135m", device="cpu", load_in_8bit=True)
    assert lm.cost_report()["cpu_threads"] == 1
    explicit = ToolplanHFLM(pretrained="smollm2-135m", device="cpu", load_in_8bit=True, threads=2)
    assert explicit.cost_report()["cpu_threads"] == 2
