"""Continuous batching: rows leave when they stop, waiting rows join, answers stay batch 1's.

* a tiny random Llama (2 layers, made here) runs 7 prompts of different lengths — some
  sharing a prefix kept in a ``PrefixStore`` — 3 in flight; each row's tokens equal
  ``model.generate`` on that row alone, EOS (a token the rows write at different steps)
  and the length limit included; the bookkeeping (rows in flight, finish steps, joins
  into free slots, rows moved into gaps) is checked;
* the embedded model through ``toolplan-hf`` and ``lm_eval.simple_evaluate`` on 5 planning
  scenarios, stop at the first newline: 2 rows in flight (continuous) gives the batch-1
  (static) answers and scores, and the rows finished at different steps; a sampled
  request beside greedy ones takes the static route while the greedy ones stay continuous.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from harness_ext.models.batching import PrefixStore
from harness_ext.models.continuous import ContinuousBatcher, StopRule


class _NoTextTokenizer:
    """Stop rules without stop strings never decode; they only need ``encode``."""

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [0] * len(text)

    def decode(self, tokens: list[int]) -> str:
        return " ".join(str(t) for t in tokens)


def _tiny_model() -> Any:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=40,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
    )
    return LlamaForCausalLM(config).eval()


def test_stop_rule_window_eos_and_length() -> None:
    rule = StopRule(_NoTextTokenizer(), ["7 8", ""], eos_ids=[3], max_new=5)
    assert rule.window == len("7 8") + 2
    assert not rule.done([1, 2])
    assert rule.done([1, 3])  # EOS
    assert rule.done([1, 7, 8])  # the stop string in the decoded tail
    assert rule.done([1, 2, 4, 5, 6])  # max_new
    assert not StopRule(_NoTextTokenizer(), [], [], 9).done([7, 8])


def test_rows_leave_and_join_with_batch_one_outputs() -> None:
    import torch

    model = _tiny_model()
    shared = [5, 6, 7, 8, 9, 10, 11, 12]
    prompts = [
        [*shared, 13, 14, 15],
        [*shared, 16],
        [20, 21],
        [*shared, 17, 18, 19, 20, 21, 22],
        [30, 31, 32, 33, 34],
        [*shared, 23, 24],
        [1],
    ]
    max_new = 10

    def alone(prompt: list[int], eos: int | None) -> list[int]:
        with torch.no_grad():
            out = model.generate(
                input_ids=torch.tensor([prompt]),
                max_new_tokens=max_new,
                do_sample=False,
                eos_token_id=eos,
                pad_token_id=0,
            )
        return list(out[0, len(prompt) :].tolist())

    # EOS: a token that some rows write early and others late or never
    model.generation_config.eos_token_id = None
    free = [alone(p, None) for p in prompts]
    counts: dict[int, int] = {}
    for row in free:
        for t in set(row[1:-1]):
            counts[t] = counts.get(t, 0) + 1
    eos = max(counts, key=lambda t: (0 < counts[t] < len(prompts), counts[t]))
    model.generation_config.eos_token_id = eos
    expected = [alone(p, eos) for p in prompts]
    assert len({len(e) for e in expected}) > 1, expected  # rows really end at different steps

    store = PrefixStore(min_prefix=4)

    def hint(row: Sequence[int]) -> int:  # what the row shares with the others
        return len(shared) if list(row[: len(shared)]) == shared else 0

    batcher = ContinuousBatcher(model, _NoTextTokenizer(), 3, store, hint=hint)
    ended: list[int] = []
    got, stats = batcher.generate(prompts, max_new, stops=[], on_finish=ended.append)
    assert got == expected
    assert sorted(ended) == list(range(len(prompts)))  # each row reported once, as it ends
    assert stats.rows == len(prompts)
    assert stats.most_in_flight == 3
    assert stats.joins == len(prompts)  # every row joined (none ended at its prefill)
    assert stats.moves > 0  # the tail: finished rows' gaps closed by the last slots' rows
    finished = stats.finished_at_step
    assert all(step >= 0 for step in finished)
    assert len(set(finished)) > 2
    assert stats.new_tokens == [len(e) for e in expected]
    assert store.stats.computed == 1 and store.stats.batches == 4  # one prefix, reused
    # nothing to generate: nothing computed
    assert batcher.generate(prompts, 0, [])[0] == [[] for _ in prompts]


@pytest.mark.slow
def test_toolplan_hf_continuous_gives_batch_one_answers(embedded_model: str) -> None:
    import lm_eval
    import torch

    from harness_ext.lm_eval_glue.models import ToolplanHFLM
    from harness_ext.lm_eval_glue.taskdirs import task_manager
    from harness_ext.models.cost import CostMeter

    threads = torch.get_num_threads()
    lm = ToolplanHFLM(pretrained="smollm2-135m", device="cpu", threads=1, batch_size=1)
    task = "assetops_free_test30"

    def run(batch: int) -> tuple[dict[str, Any], dict[int, str], dict[str, Any]]:
        lm.batch_size_per_gpu = batch
        lm._cost = CostMeter()
        out = lm_eval.simple_evaluate(
            model=lm,
            tasks=[task],
            limit=5,
            gen_kwargs={"max_gen_toks": 24, "until": ["\n"]},
            apply_chat_template=True,
            task_manager=task_manager(),
            log_samples=True,
            bootstrap_iters=0,
            verbosity="ERROR",
        )
        assert out is not None
        answers = {s["doc_id"]: s["resps"][0][0] for s in out["samples"][task]}
        return out["results"][task], answers, lm.cost_report()

    def direct(batch: int, kwargs: list[dict[str, Any]]) -> list[str]:
        from lm_eval.api.instance import Instance

        lm.batch_size_per_gpu = batch
        prompts = ["Plan: check pump 3.", "List the sensors of chiller 6.", "Hi"]
        return list(
            lm.generate_until(
                [
                    Instance("generate_until", {}, (p, k), i)
                    for i, (p, k) in enumerate(zip(prompts, kwargs, strict=True))
                ],
                disable_tqdm=True,
            )
        )

    greedy = {"max_gen_toks": 4, "until": ["\n\n"], "do_sample": False}
    sampled = {"max_gen_toks": 4, "until": ["\n\n"], "do_sample": True, "temperature": 0.7}
    try:
        one, one_answers, one_cost = run(1)
        assert lm.last_continuous is None  # batch 1: lm-eval's static route
        two, two_answers, two_cost = run(2)
        stats = lm.last_continuous
        # a sampled request beside greedy ones: it takes the static route, the others
        # stay continuous, and every answer lands in its request's place
        alone = direct(1, [greedy, greedy, greedy])
        mixed = direct(2, [greedy, sampled, greedy])
        assert lm.last_continuous is not None and lm.last_continuous.rows == 2
    finally:
        torch.set_num_threads(threads)
    assert [mixed[0], mixed[2]] == [alone[0], alone[2]]
    assert isinstance(mixed[1], str)
    assert two_answers == one_answers
    for key, value in one.items():
        if isinstance(value, float):
            assert two[key] == pytest.approx(value, nan_ok=True), key
        else:
            assert two[key] == value, key
    assert stats is not None and stats.rows == 5 and stats.most_in_flight == 2
    # rows left at different steps: some on the newline, before the 24-token limit
    assert len(set(stats.new_tokens)) > 1 and min(stats.new_tokens) < 24, stats
    assert two_cost["largest_batch"] == 2 and two_cost["generate_rows"] == 5
    assert two_cost["continuous"]["rows"] == 5
    assert two_cost["generated_tokens"] == one_cost["generated_tokens"]


def test_only_plain_greedy_requests_go_continuous() -> None:
    from types import SimpleNamespace

    from harness_ext.lm_eval_glue.models import _plain_greedy

    lm = SimpleNamespace(max_gen_toks=256)
    assert _plain_greedy({"until": ["\n"], "max_gen_toks": 32}, lm)
    assert _plain_greedy({"do_sample": False, "temperature": 0.0}, lm)
    assert not _plain_greedy({"do_sample": True, "temperature": 0.7}, lm)
    assert not _plain_greedy({"temperature": 0.5}, lm)  # lm-eval makes that sampling
    assert not _plain_greedy({"do_sample": False, "repetition_penalty": 1.2}, lm)
    assert not _plain_greedy("max_gen_toks=32", lm)


def test_support_probe() -> None:
    from harness_ext.models.continuous import supports_continuous

    model = _tiny_model()
    assert supports_continuous(model)

    class NoLogitsToKeep(type(model)):  # type: ignore[misc]
        def forward(self, input_ids: Any, attention_mask: Any = None, **kwargs: Any) -> Any:
            if "logits_to_keep" in kwargs:
                raise TypeError("forward() got an unexpected keyword argument 'logits_to_keep'")
            return super().forward(input_ids, attention_mask=attention_mask, **kwargs)

    model.__class__ = NoLogitsToKeep
    assert not supports_continuous(model)
