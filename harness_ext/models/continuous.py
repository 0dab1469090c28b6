"""Continuous batching for greedy generation: finished rows leave, waiting rows join.

A static batch (one ``model.generate`` per batch) lasts as long as its longest answer and
keeps computing the rows that have finished; with ragged answers (the untuned model
writes 20 tokens for one scenario and 512 for the next) most of a batch's work is spent
on rows that are done. Here up to ``size`` rows are in flight:

* **join**: a waiting request is prefilled on its own, exactly as batch 1 prefills it
  (a shared prompt prefix — the informed prompts' ~1,270-token catalog — is taken from
  the :class:`~harness_ext.models.batching.PrefixStore` instead of being recomputed; the
  rest of the prompt is run over the prefix's cache), its first token is the argmax of
  that prefill, and its key/value rows are copied into the batch's cache;
* **step**: one forward pass over the active rows' last tokens; every row gets its next
  token (argmax);
* **leave**: a row whose stop appears — the same rule as ``PerRowStop``: a stop string in
  the text of its last ``max(len(stop tokens)) + 2`` generated tokens, or an EOS token,
  or ``max_new`` tokens — leaves the cache and the mask at once, and the next waiting
  request takes its place.

Cache layout: one buffer per layer, ``[size, kv heads, capacity, head dim]``, allocated
once per run with room for the longest prompt and ``max_new`` tokens; each row in flight
owns a slot (a row of the buffer) and its keys/values are left-aligned in it, so a step
writes each row's new key/value at that row's own length, in place. Nothing is ever
re-laid out: a joiner's prefill is copied into a free slot; a leaver frees its slot for the
next joiner, and when nobody is waiting the last slot's row moves into the gap (one row's
copy) so the rows in flight stay the buffer's first rows. (The layout before 2026-12-03
right-aligned the rows and rebuilt the whole buffer at every join or leave: ~0.8 s and a
fresh 1.4 GB of pages per rebuild on the informed prompts, 18 % of a 16-row run.) A step
attends over the first ``max(length) + 1`` columns; a row's columns past its own length
are masked (stale values of an earlier row, or zeros, never attended). Positions come
from each row's own length, so a row sees the positions and the tokens it has alone;
greedy outputs equal batch 1's up to fp32 near-ties (a batched matmul may sum in another
order than a single row's).

Only caches made of plain full-attention layers are supported
(:func:`~harness_ext.models.batching.reusable_cache`); ``toolplan-hf`` uses its static
batches for others, and for sampling.

May import: torch and transformers lazily (inside functions).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness_ext.models.batching import PrefixStore, cache_kwarg, reusable_cache


@dataclass
class ContinuousStats:
    """What one continuous run did (for the cost record and the tests)."""

    rows: int = 0
    steps: int = 0
    most_in_flight: int = 0
    joins: int = 0  # rows copied into a free slot after their prefill
    moves: int = 0  # rows moved into a gap left by a finished row (nobody was waiting)
    prefill_tokens: int = 0
    finished_at_step: list[int] = field(default_factory=list)
    new_tokens: list[int] = field(default_factory=list)


@dataclass
class _Row:
    index: int
    prompt: list[int]
    generated: list[int]
    cached: int  # tokens of this row in the cache (its prompt and all but its last token)


class StopRule:
    """A row's stop, as ``PerRowStop`` and ``generate`` decide it for one row."""

    def __init__(
        self, tokenizer: Any, stops: Sequence[str], eos_ids: Sequence[int], max_new: int
    ) -> None:
        self.tokenizer = tokenizer
        self.stops = [s for s in stops if s]
        lengths = [len(tokenizer.encode(s, add_special_tokens=False)) for s in self.stops]
        self.window = max(lengths, default=0) + 2
        self.eos = set(eos_ids)
        self.max_new = max_new

    def done(self, generated: Sequence[int]) -> bool:
        """Whether a row with these generated tokens stops now."""
        if len(generated) >= self.max_new or (generated and generated[-1] in self.eos):
            return True
        if not self.stops:
            return False
        text = self.tokenizer.decode(list(generated[-self.window :]))
        return any(stop in text for stop in self.stops)


def eos_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """The EOS ids ``generate`` stops on: the generation config's, else the tokenizer's."""
    config = getattr(model, "generation_config", None)
    eos = getattr(config, "eos_token_id", None)
    if eos is None:
        eos = getattr(tokenizer, "eos_token_id", None)
    if eos is None:
        return []
    return [int(e) for e in eos] if isinstance(eos, (list, tuple)) else [int(eos)]


def supports_continuous(model: Any) -> bool:
    """Whether ``model`` takes the inputs used here and its cache is plain full attention.

    A 2-token probe forward with the arguments a step passes (mask, positions,
    ``logits_to_keep``); a model whose forward rejects them is not supported.
    """
    import torch

    device = next(model.parameters()).device
    with torch.no_grad():
        try:
            out = model(
                input_ids=torch.tensor([[1, 2]], device=device),
                attention_mask=torch.ones((1, 2), dtype=torch.long, device=device),
                position_ids=torch.arange(2, device=device)[None, :],
                use_cache=True,
                logits_to_keep=1,
            )
        except TypeError:  # an argument this model's forward does not take
            return False
    cache = getattr(out, "cache", None) or getattr(out, "past_key_values", None)
    return reusable_cache(cache)


def _slot_layer_class() -> type:
    from transformers.cache_utils import DynamicLayer

    class SlotLayer(DynamicLayer):
        """One layer's keys/values of the rows in flight, each row left-aligned in its slot.

        ``rows`` indexes the rows in flight (the buffer's first slots) and ``lengths`` holds
        each one's cached tokens, ``width`` their maximum: a one-token step writes row
        ``i``'s new key/value at column ``lengths[i]`` and attends over ``width + 1``
        columns. The step builds these once and shares them across the layers.
        """

        def __init__(self, keys: Any, values: Any, rows: Any, lengths: Any, width: int) -> None:
            super().__init__()
            self.kbuf, self.vbuf = keys, values
            self.device = keys.device
            self.is_initialized = True
            self.rows, self.lengths = rows, lengths
            self.count, self.width = int(rows.shape[0]), width
            # What the mask is built from (past length): the widest row's cached tokens.
            self.keys = keys[: self.count, :, :width]
            self.values = values[: self.count, :, :width]

        def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> Any:
            self.kbuf[self.rows, :, self.lengths] = key_states[:, :, 0]
            self.vbuf[self.rows, :, self.lengths] = value_states[:, :, 0]
            self.width += 1
            self.keys = self.kbuf[: self.count, :, : self.width]
            self.values = self.vbuf[: self.count, :, : self.width]
            return self.keys, self.values

    return SlotLayer


class ContinuousBatcher:
    """Greedy continuous batching over one model (module docstring for the rules)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        size: int,
        prefixes: PrefixStore | None = None,
        hint: Callable[[Sequence[int]], int | None] | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.size = max(1, int(size))
        self.prefixes = prefixes if prefixes is not None else PrefixStore(disabled=True)
        self.hint = hint
        self._slot = _slot_layer_class()
        self._layers: list[Any] = []  # the slots' buffers, one (keys, values) per layer

    def generate(
        self,
        rows: Sequence[Sequence[int]],
        max_new: int,
        stops: Sequence[str],
        on_finish: Callable[[int], None] | None = None,
    ) -> tuple[list[list[int]], ContinuousStats]:
        """Each row's generated tokens (its stop or EOS token included, as ``generate``).

        Rows join in the given order; the result is in that order too. ``on_finish`` is
        called with a row's index when it finishes (progress bars).
        """
        import torch

        stats = ContinuousStats(rows=len(rows), finished_at_step=[-1] * len(rows))
        out: list[list[int]] = [[] for _ in rows]
        if max_new <= 0 or not rows:
            return out, stats
        rule = StopRule(self.tokenizer, stops, eos_token_ids(self.model, self.tokenizer), max_new)
        # A row caches at most its prompt and all but its last generated token.
        capacity = max(len(row) for row in rows) + max_new
        waiting = deque(range(len(rows)))
        active: list[_Row | None] = []  # active[i] owns slot i; None: a free slot

        def finish(row: _Row) -> None:
            out[row.index] = row.generated
            stats.finished_at_step[row.index] = stats.steps
            if on_finish is not None:
                on_finish(row.index)

        self._layers = []
        with torch.no_grad():
            while waiting or active:
                for slot, row in enumerate(active):
                    if row is not None and rule.done(row.generated):
                        finish(row)
                        active[slot] = None
                in_flight = sum(row is not None for row in active)
                while waiting and in_flight < self.size:
                    index = waiting.popleft()
                    row, kv = self._prefill(index, list(rows[index]))
                    stats.prefill_tokens += len(row.prompt)
                    if rule.done(row.generated):
                        finish(row)
                        continue
                    slot = active.index(None) if None in active else len(active)
                    if slot == len(active):
                        active.append(None)
                    self._join(slot, kv, capacity)
                    active[slot] = row
                    in_flight += 1
                    stats.joins += 1
                stats.moves += self._close_gaps(active)
                if not active:
                    continue
                stats.most_in_flight = max(stats.most_in_flight, len(active))
                self._step([row for row in active if row is not None])
                stats.steps += 1
        self._layers = []
        stats.new_tokens = [len(tokens) for tokens in out]
        return out, stats

    def _forward(self, **inputs: Any) -> Any:
        return self.model(use_cache=True, logits_to_keep=1, **inputs)

    def _prefill(self, index: int, prompt: list[int]) -> tuple[_Row, list[tuple[Any, Any]]]:
        """Run one prompt as batch 1 does (prefix from the store); its first token and cache."""
        import torch

        device = next(self.model.parameters()).device
        hint = self.hint(prompt) if self.hint is not None else None
        length, entry = self.prefixes.plan([prompt], hint)
        cache = self.prefixes.cache_for(self.model, [prompt], length, entry) if length else None
        if cache is None:
            length = 0
        inputs: dict[str, Any] = {
            "input_ids": torch.tensor([prompt[length:]], device=device),
            "attention_mask": torch.ones((1, len(prompt)), dtype=torch.long, device=device),
            "position_ids": torch.arange(length, len(prompt), device=device)[None, :],
        }
        if cache is not None:
            inputs[cache_kwarg()] = cache
        result = self._forward(**inputs)
        first = int(result.logits[0, -1].argmax())
        full: Any = getattr(result, "cache", None) or getattr(result, "past_key_values", None)
        if not reusable_cache(full):
            raise UnsupportedCache(type(full).__name__)
        kv = [(layer.keys, layer.values) for layer in full.layers]
        return _Row(index, prompt, [first], len(prompt)), kv

    def _join(self, slot: int, kv: list[tuple[Any, Any]], capacity: int) -> None:
        """Copy a prefilled row's keys/values into ``slot`` (the buffers made at the first)."""
        import torch

        if not self._layers:
            self._layers = [
                tuple(
                    torch.zeros(
                        (self.size, k.shape[1], capacity, k.shape[-1]),
                        dtype=k.dtype,
                        device=k.device,
                    )
                    for _ in (0, 1)
                )
                for k, _ in kv
            ]
        for (kbuf, vbuf), (keys, values) in zip(self._layers, kv, strict=True):
            length = int(keys.shape[-2])
            kbuf[slot, :, :length] = keys[0]
            vbuf[slot, :, :length] = values[0]

    def _close_gaps(self, active: list[_Row | None]) -> int:
        """Move the last slots' rows into the free slots before them; the rows moved."""
        moves = 0
        while True:
            while active and active[-1] is None:
                active.pop()
            if None not in active:
                return moves
            hole, last = active.index(None), len(active) - 1
            row = active[last]
            assert row is not None
            for kbuf, vbuf in self._layers:
                kbuf[hole, :, : row.cached] = kbuf[last, :, : row.cached]
                vbuf[hole, :, : row.cached] = vbuf[last, :, : row.cached]
            active[hole] = active.pop()
            moves += 1

    def _step(self, active: list[_Row]) -> None:
        """One forward pass over the active rows' last tokens; appends each row's next token."""
        import torch
        from transformers.cache_utils import Cache

        device = self._layers[0][0].device
        lengths = torch.tensor([row.cached for row in active], device=device)
        cached = max(row.cached for row in active)
        width = cached + 1
        if width > self._layers[0][0].shape[2]:  # never with the capacity given
            raise RuntimeError(f"continuous batching: a row outgrew its slot ({width} tokens)")
        rows = torch.arange(len(active), device=device)
        slots: list[Any] = [self._slot(k, v, rows, lengths, cached) for k, v in self._layers]
        columns = torch.arange(width, device=device)[None, :]
        result = self._forward(
            input_ids=torch.tensor([[row.generated[-1]] for row in active], device=device),
            attention_mask=(columns <= lengths[:, None]).long(),
            position_ids=lengths[:, None],
            **{cache_kwarg(): Cache(layers=slots)},
        )
        tokens = result.logits[:, -1].argmax(dim=-1).tolist()
        for row, token in zip(active, tokens, strict=True):
            row.generated.append(int(token))
            row.cached += 1


class UnsupportedCache(Exception):
    """The model's cache is not made of plain full-attention layers."""
