"""Batched generation helpers: per-row stops, shared-prefix reuse, the CPU auto size.

The last test puts the prefix route against plain ``generate`` on the real embedded
model (three short prompts with a shared 40+-token system turn, 12 new tokens).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness_ext.models.batching import (
    PerRowStop,
    PrefixStore,
    batch_prefix_len,
    common_prefix_len,
    cpu_auto_batch_size,
    prefixed_layout,
    shareable_prefixes,
    unpadded_rows,
)


def test_prefix_lengths() -> None:
    assert common_prefix_len([1, 2, 3], [1, 2, 4]) == 2
    assert common_prefix_len([], [1]) == 0
    assert batch_prefix_len([[1, 2, 3], [1, 2], [1, 2, 9]]) == 2
    assert batch_prefix_len([[5, 6]]) == 2
    assert batch_prefix_len([]) == 0


def test_shareable_prefixes_take_the_best_neighbour() -> None:
    rows = [[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 9], [7, 8], [7, 8]]
    shared = shareable_prefixes(rows)
    assert shared[(1, 2, 3, 4)] == 3
    assert shared[(1, 2, 3, 5)] == 3
    assert shared[(1, 2, 9)] == 2
    assert shared[(7, 8)] == 2  # a duplicate shares all of itself
    assert shareable_prefixes([[4, 5]]) == {(4, 5): 0}


def test_prefixed_layout_keeps_width_and_masks_the_gap() -> None:
    ids, mask = prefixed_layout([[1, 2, 3, 4, 5], [1, 2, 3, 9]], prefix=3, pad_id=0)
    assert ids.tolist() == [[1, 2, 3, 4, 5], [1, 2, 3, 0, 9]]
    assert mask.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 1]]


def test_unpadded_rows_drop_left_padding() -> None:
    import torch

    context = torch.tensor([[0, 0, 7, 8], [5, 6, 7, 8]])
    mask = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    assert unpadded_rows(context, mask) == [[7, 8], [5, 6, 7, 8]]
    assert unpadded_rows(context, None) == [[0, 0, 7, 8], [5, 6, 7, 8]]


def _store_with(ids: list[int]) -> PrefixStore:
    store = PrefixStore(min_prefix=4, extend_margin=3)
    store.entries.append((tuple(ids), object()))
    return store


def test_plan_rules() -> None:
    rows = [[*list(range(20)), 100], [*list(range(20)), 200, 201]]
    empty = PrefixStore(min_prefix=4, extend_margin=3)
    assert empty.plan(rows) == (20, -1)  # nothing kept: compute the shared 20
    assert empty.plan([[1, 2, 3], [1, 2, 4]]) == (0, -1)  # below min_prefix
    assert empty.plan(rows, hint=10) == (10, -1)  # the hint caps it
    # a single row leaves itself one token: never the whole prompt
    assert empty.plan([list(range(30))], hint=30) == (29, -1)
    # a kept prefix within the margin is reused, cut to what the rows share
    assert _store_with([*list(range(18)), 55]).plan(rows) == (18, 0)
    # the rows share more than the margin beyond it: compute the longer one
    assert _store_with(list(range(10))).plan(rows) == (20, -1)
    assert PrefixStore(disabled=True).plan(rows) == (0, -1)


def test_cpu_auto_batch_size() -> None:
    assert cpu_auto_batch_size(None) == 16
    assert cpu_auto_batch_size(64) == 16
    assert cpu_auto_batch_size(4) == 4
    assert cpu_auto_batch_size(0) == 1


@pytest.fixture(scope="module")
def tokenizer(embedded_model: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(embedded_model)


def test_per_row_stop_finishes_rows_on_their_own(tokenizer: Any) -> None:
    import torch

    prompt = tokenizer("Hi", add_special_tokens=False)["input_ids"]
    a = prompt + tokenizer("one two", add_special_tokens=False)["input_ids"]
    b = prompt + tokenizer("one<|endoftext|>", add_special_tokens=False)["input_ids"]
    width = max(len(a), len(b))
    pad = tokenizer.pad_token_id
    batch = torch.tensor([[pad] * (width - len(a)) + a, [pad] * (width - len(b)) + b])
    stop = PerRowStop(tokenizer, ["<|endoftext|>", "<|im_end|>", ""], len(prompt))
    assert stop(batch).tolist() == [False, True]
    # done stays done even once the stop has scrolled out of the window
    longer = torch.cat([batch, torch.full((2, 8), 28)], dim=1)
    assert stop(longer).tolist() == [False, True]
    assert PerRowStop(tokenizer, [], len(prompt))(batch).tolist() == [False, False]


@pytest.mark.slow
def test_prefix_route_gives_plain_generate_outputs(embedded_model: str, tokenizer: Any) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from harness_ext.models.batching import cache_kwarg

    model = AutoModelForCausalLM.from_pretrained(embedded_model).eval()
    # One thread: a spinning OpenMP runtime on a shared CPU makes this minutes, not seconds.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    system = (
        "You plan tool calls for industrial assets. Answer with numbered steps, one tool "
        "per step, and name the agent that owns the tool. Never invent a tool."
    )
    questions = ["List the sensors of chiller 6.", "What failed on pump 3 last week?", "Hi"]
    texts = [
        tokenizer.apply_chat_template(
            [{"role": "system", "content": system}, {"role": "user", "content": q}],
            add_generation_prompt=True,
            tokenize=False,
        )
        for q in questions
    ]
    rows = [list(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
    pad = tokenizer.pad_token_id

    def plain(row: list[int]) -> list[int]:
        out = model.generate(
            input_ids=torch.tensor([row]), max_new_tokens=12, do_sample=False, pad_token_id=pad
        )
        return list(out[0, len(row) :].tolist())

    store = PrefixStore()
    length, entry = store.plan(rows)
    assert length >= 40, length
    with torch.no_grad():
        expected = [plain(r) for r in rows]
        cache = store.cache_for(model, rows, length, entry)
        assert cache is not None
        ids, mask = prefixed_layout(rows, length, pad)
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            max_new_tokens=12,
            do_sample=False,
            pad_token_id=pad,
            **{cache_kwarg(): cache},
        )
    torch.set_num_threads(threads)
    got = [r[ids.shape[1] :] for r in out.tolist()]
    # rows that finish early are padded: compare up to each plain output's length
    assert [g[: len(e)] for g, e in zip(got, expected, strict=True)] == expected
    assert store.stats.as_dict()["prefixes_computed"] == 1
    # a second batch reuses the kept prefix instead of computing it again
    again, kept = store.plan(rows[:2])
    assert kept == 0 and again == length
