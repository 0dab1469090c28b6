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

Cache layout: one buffer per layer, ``[rows, kv heads, capacity, head dim]``, rows
right-aligned (left padding, zeroed and masked) so every row shares one length ``L``;
the capacity holds the longest remaining answer, so a step writes the new keys/values in
place instead of growing the cache by ``torch.cat`` (which copies the whole cache every
step: at 16 rows × 1,800 tokens that is 1.3 GB per step, mostly page-fault system time
on a CPU). A join or leave rebuilds the buffer once (kept rows and joiners, trimmed to
the longest row's length). Positions come from each row's own length, so a row sees the
positions and the tokens it has alone; greedy outputs equal batch 1's up to fp32 near-ties
(a batched matmul may sum in another order than a single row's).

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
    rebuilds: int = 0
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
        """A full-attention layer whose keys/values live in a buffer with spare room."""

        def __init__(self, keys: Any, values: Any, length: int) -> None:
            super().__init__()
            self.kbuf, self.vbuf = keys, values
            self.device = keys.device
            self.is_initialized = True
            self._view(length)

        def _view(self, length: int) -> None:
            self.length = length
            self.keys = self.kbuf[:, :, :length]
            self.values = self.vbuf[:, :, :length]

        def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> Any:
            start = self.length
            end = start + int(key_states.shape[-2])
            if end > self.kbuf.shape[-2]:  # never with the capacity given; grow to be safe
                import torch

                grow = end - self.kbuf.shape[-2]
                pad = (*self.kbuf.shape[:2], grow, self.kbuf.shape[-1])
                self.kbuf = torch.cat([self.kbuf, self.kbuf.new_zeros(pad)], dim=2)
                self.vbuf = torch.cat([self.vbuf, self.vbuf.new_zeros(pad)], dim=2)
            self.kbuf[:, :, start:end] = key_states
            self.vbuf[:, :, start:end] = value_states
            self._view(end)
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
        self._layers: list[Any] = []  # the batch's cache buffers, one (keys, values) per layer
        self._length = 0

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
        waiting = deque(range(len(rows)))
        active: list[_Row] = []
        self._layers, self._length = [], 0
        with torch.no_grad():
            while waiting or active:
                keep = []
                for i, row in enumerate(active):
                    if rule.done(row.generated):
                        out[row.index] = row.generated
                        stats.finished_at_step[row.index] = stats.steps
                        if on_finish is not None:
                            on_finish(row.index)
                    else:
                        keep.append(i)
                joiners: list[tuple[_Row, list[tuple[Any, Any]]]] = []
                while waiting and len(keep) + len(joiners) < self.size:
                    index = waiting.popleft()
                    row, kv = self._prefill(index, list(rows[index]))
                    stats.prefill_tokens += len(row.prompt)
                    if rule.done(row.generated):
                        out[index] = row.generated
                        stats.finished_at_step[index] = stats.steps
                        if on_finish is not None:
                            on_finish(index)
                    else:
                        joiners.append((row, kv))
                if joiners or len(keep) < len(active):
                    active = self._rebuild(active, keep, joiners, max_new)
                    stats.rebuilds += 1
                if not active:
                    continue
                stats.most_in_flight = max(stats.most_in_flight, len(active))
                self._step(active)
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

    def _rebuild(
        self,
        active: list[_Row],
        keep: list[int],
        joiners: list[tuple[_Row, list[tuple[Any, Any]]]],
        max_new: int,
    ) -> list[_Row]:
        """The batch's cache with the kept rows and the joiners, right-aligned, trimmed."""
        import torch

        rows = [active[i] for i in keep] + [row for row, _ in joiners]
        if not rows:
            self._layers, self._length = [], 0
            return rows
        kept = max((active[i].cached for i in keep), default=0)
        length = max(row.cached for row in rows)
        capacity = length + max(max_new - len(row.generated) for row in rows)
        index = torch.tensor(keep, dtype=torch.long)
        sample = joiners[0][1] if joiners else self._layers
        layers = []
        for layer, (k_like, _) in enumerate(sample):
            shape = (len(rows), k_like.shape[1], capacity, k_like.shape[-1])
            bufs = []
            for part in (0, 1):
                buf = torch.empty(shape, dtype=k_like.dtype, device=k_like.device)
                if keep:
                    old = self._layers[layer][part]
                    buf[: len(keep), :, : length - kept].zero_()
                    buf[: len(keep), :, length - kept : length] = old[
                        index.to(old.device), :, self._length - kept : self._length
                    ]
                for j, (row, kv) in enumerate(joiners):
                    r = len(keep) + j
                    buf[r, :, : length - row.cached].zero_()
                    buf[r, :, length - row.cached : length] = kv[layer][part][0]
                bufs.append(buf)
            layers.append((bufs[0], bufs[1]))
        self._layers, self._length = layers, length
        return rows

    def _step(self, active: list[_Row]) -> None:
        """One forward pass over the active rows' last tokens; appends each row's next token."""
        import torch
        from transformers.cache_utils import Cache

        device = self._layers[0][0].device
        slots: list[Any] = [self._slot(k, v, self._length) for k, v in self._layers]
        cache = Cache(layers=slots)
        lengths = torch.tensor([row.cached for row in active], device=device)
        width = self._length + 1
        columns = torch.arange(width, device=device)[None, :]
        mask = (columns >= (self._length - lengths)[:, None]).long()
        result = self._forward(
            input_ids=torch.tensor([[row.generated[-1]] for row in active], device=device),
            attention_mask=mask,
            position_ids=lengths[:, None],
            **{cache_kwarg(): cache},
        )
        # A layer grows its buffer only past the capacity (never here): keep what it holds.
        self._layers = [(slot.kbuf, slot.vbuf) for slot in slots]
        self._length = width
        tokens = result.logits[:, -1].argmax(dim=-1).tolist()
        for row, token in zip(active, tokens, strict=True):
            row.generated.append(int(token))
            row.cached += 1


class UnsupportedCache(Exception):
    """The model's cache is not made of plain full-attention layers."""
