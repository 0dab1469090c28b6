"""Batched greedy generation that gives batch 1's outputs: per-row stops, shared prefixes.

Two things lm-eval 0.4.13's ``hf`` model does not do, which ``toolplan-hf`` adds:

* **Stop strings per row** (:class:`PerRowStop`). lm-eval's ``MultiTokenEOSCriteria``
  answers one boolean for the whole batch, true only once *every* row has produced that
  same stop string; a row that stopped keeps generating until the others do. Text stops
  are cut off afterwards, but a stop that is a special token (``<|endoftext|>`` for
  SmolLM2) vanishes when the output is decoded with ``skip_special_tokens``, so the
  batched answer keeps whatever the row wrote after it — a different answer than at
  batch 1. Here each row is finished at the step its own stop appears (transformers pads
  it from then on), which is exactly when batch 1 would have stopped.
* **Shared prompt prefixes computed once** (:class:`PrefixStore`). The informed planning
  prompts share a ~1,270-token system turn (the catalog); a CPU spends most of such a
  run re-reading it (prefill is compute-bound, batching does not make it cheaper). The
  key/value cache of a prefix shared by the batch's rows is computed once, kept, copied
  per row and the rows' remaining tokens are generated after it. Layout per row:
  ``[prefix][padding][rest of the prompt]`` with the padding masked, so positions (from
  the attention mask) and the attended tokens are those of the row alone.

Rules (edge cases): a prefix is used only when it is at least ``min_prefix`` tokens and
leaves every row at least one token of its own (the model needs a last position to
predict from); only caches made of plain full-attention layers are reused (sliding
windows, linear attention, quantized or static caches are generated the ordinary way);
a kept prefix is reused, cut to the part the rows share, unless the batch shares more
than ``extend_margin`` tokens beyond it, in which case the longer prefix is computed and
kept too (at most ``keep`` prefixes, most recent first).

Greedy outputs match batch 1 token for token when the arithmetic does: the prefix and
padding change the shapes of fp32 matrix products, and a near-tie between two tokens can
flip. ``benchmarks/bench_generation.py`` and ``tests/scale`` measure how often.

May import: torch and transformers lazily (inside functions).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MIN_PREFIX = 32
EXTEND_MARGIN = 32
KEEP = 4
CPU_AUTO_MAX = 16


def common_prefix_len(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def batch_prefix_len(rows: Sequence[Sequence[int]]) -> int:
    """Tokens shared by every row from the start (a single row: its whole length)."""
    if not rows:
        return 0
    first = rows[0]
    shared = len(first)
    for row in rows[1:]:
        shared = min(shared, common_prefix_len(first, row))
    return shared


def shareable_prefixes(rows: Sequence[Sequence[int]]) -> dict[tuple[int, ...], int]:
    """For each distinct row, the longest prefix it shares with any *other* row.

    Sorted in token order, a row's longest common prefix with any other row is the one
    with a neighbour, so this is O(n log n) comparisons. A row that occurs twice shares
    all of itself. Rows sharing nothing map to 0.
    """
    keyed = sorted({tuple(r) for r in rows})
    counts: dict[tuple[int, ...], int] = {}
    for r in rows:
        key = tuple(r)
        counts[key] = counts.get(key, 0) + 1
    out: dict[tuple[int, ...], int] = {}
    for i, key in enumerate(keyed):
        best = len(key) if counts[key] > 1 else 0
        if i > 0:
            best = max(best, common_prefix_len(keyed[i - 1], key))
        if i + 1 < len(keyed):
            best = max(best, common_prefix_len(key, keyed[i + 1]))
        out[key] = best
    return out


class PerRowStop:
    """A stopping criterion that finishes each row on its own stop strings.

    Called by transformers after every step with the whole sequences; returns one boolean
    per row. A row is done once any stop string appears in the text of its last
    ``max(len(stop tokens)) + 2`` generated tokens (lm-eval's window, for stops a model
    writes in another tokenization); done stays done.
    """

    def __init__(self, tokenizer: Any, stops: Sequence[str], initial_length: int) -> None:
        self.tokenizer = tokenizer
        self.stops = [s for s in stops if s]
        self.initial_length = initial_length
        lengths = [len(tokenizer.encode(s, add_special_tokens=False)) for s in self.stops]
        self.window = max(lengths, default=0) + 2
        self._done: list[bool] | None = None

    def __call__(self, input_ids: Any, scores: Any = None, **kwargs: Any) -> Any:
        import torch

        batch = int(input_ids.shape[0])
        if self._done is None:
            self._done = [False] * batch
        if not self.stops:
            return torch.zeros(batch, dtype=torch.bool, device=input_ids.device)
        tail = input_ids[:, self.initial_length :][:, -self.window :]
        texts = self.tokenizer.batch_decode(tail)
        for i, text in enumerate(texts):
            if not self._done[i]:
                self._done[i] = any(stop in text for stop in self.stops)
        return torch.tensor(self._done, dtype=torch.bool, device=input_ids.device)


def reusable_cache(cache: Any) -> bool:
    """Whether a cache is made only of plain full-attention layers (safe to cut and copy)."""
    try:
        from transformers.cache_utils import DynamicCache, DynamicLayer
    except ImportError:  # transformers without layered caches: no reuse
        return False
    layers: list[Any] = list(getattr(cache, "layers", None) or [])
    return (
        type(cache) is DynamicCache
        and bool(layers)
        and all(type(layer) is DynamicLayer for layer in layers)
    )


def cache_kwarg() -> str:
    """The name ``generate`` takes a cache under (``cache`` since transformers 5.2x)."""
    try:
        from transformers.generation.utils import ALL_CACHE_NAMES
    except ImportError:
        return "past_key_values"
    return "cache" if "cache" in ALL_CACHE_NAMES else "past_key_values"


@dataclass
class PrefixStats:
    """What prefix reuse did over a run (part of the cost record)."""

    batches: int = 0
    computed: int = 0
    computed_tokens: int = 0
    reused_row_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form for ``toolplan_cost.prefix_cache``."""
        return {
            "batches": self.batches,
            "prefixes_computed": self.computed,
            "prefix_tokens_computed": self.computed_tokens,
            "row_tokens_reused": self.reused_row_tokens,
        }


@dataclass
class PrefixStore:
    """Kept prefix caches of one model, most recent first (module docstring for rules)."""

    min_prefix: int = MIN_PREFIX
    extend_margin: int = EXTEND_MARGIN
    keep: int = KEEP
    entries: list[tuple[tuple[int, ...], Any]] = field(default_factory=list)
    stats: PrefixStats = field(default_factory=PrefixStats)
    disabled: bool = False

    def plan(self, rows: Sequence[Sequence[int]], hint: int | None = None) -> tuple[int, int]:
        """Choose the prefix for a batch: ``(length, index of a kept entry or -1)``.

        ``hint`` caps the prefix (the longest the rows share with other requests, for a
        batch of one). Length 0 means: generate without a prefix.
        """
        if self.disabled or not rows:
            return 0, -1
        limit = min(len(r) for r in rows) - 1
        wanted = min(batch_prefix_len(rows), limit)
        if hint is not None:
            wanted = min(wanted, hint)
        if wanted < self.min_prefix:
            return 0, -1
        best, best_len = -1, 0
        for i, (ids, _) in enumerate(self.entries):
            shared = min(wanted, min(common_prefix_len(ids, r) for r in rows))
            if shared > best_len:
                best, best_len = i, shared
        if best >= 0 and best_len >= self.min_prefix and wanted - best_len <= self.extend_margin:
            return best_len, best
        return wanted, -1

    def cache_for(self, model: Any, rows: Sequence[Sequence[int]], length: int, entry: int) -> Any:
        """A fresh cache holding the first ``length`` tokens, one copy per row, or None.

        Computes (and keeps) the prefix when ``entry`` is -1; None when the model's cache
        cannot be reused (then reuse is off for this store from now on).
        """
        import torch

        if entry < 0:
            ids = tuple(rows[0][:length])
            device = next(model.parameters()).device
            with torch.no_grad():
                out = model(input_ids=torch.tensor([ids], device=device), use_cache=True)
            cache = getattr(out, "past_key_values", None) or getattr(out, "cache", None)
            if not reusable_cache(cache):
                self.disabled = True
                return None
            self.entries.insert(0, (ids, cache))
            del self.entries[self.keep :]
            self.stats.computed += 1
            self.stats.computed_tokens += length
            entry = 0
        else:
            self.entries.insert(0, self.entries.pop(entry))
            entry = 0
        ids, kept = self.entries[entry]
        cache = copy.deepcopy(kept)
        if len(ids) > length:
            cache.crop(length - len(ids))
        cache.batch_repeat_interleave(len(rows))
        self.stats.batches += 1
        self.stats.reused_row_tokens += length * len(rows)
        return cache


def prefixed_layout(rows: Sequence[Sequence[int]], prefix: int, pad_id: int) -> tuple[Any, Any]:
    """``input_ids`` and ``attention_mask`` laid out as ``[prefix][padding][rest]``.

    Every row is ``prefix + max(len(row) - prefix)`` wide, the width lm-eval's left-padded
    batch had (its longest row), so lm-eval's cut of the context off the output is the
    same. Padding is masked; positions come from the mask, so each row's tokens keep the
    positions they have on their own.
    """
    import torch

    rest = max(len(r) for r in rows) - prefix
    ids, mask = [], []
    for row in rows:
        gap = rest - (len(row) - prefix)
        ids.append(list(row[:prefix]) + [pad_id] * gap + list(row[prefix:]))
        mask.append([1] * prefix + [0] * gap + [1] * (len(row) - prefix))
    return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)


def unpadded_rows(context: Any, attention_mask: Any | None) -> list[list[int]]:
    """The real tokens of each row of a left-padded batch."""
    rows = context.tolist()
    if attention_mask is None:
        return [list(r) for r in rows]
    masks = attention_mask.tolist()
    return [[t for t, m in zip(r, mk, strict=True) if m] for r, mk in zip(rows, masks, strict=True)]


def cpu_auto_batch_size(max_batch_size: int | None) -> int:
    """``batch_size=auto`` on a CPU: 16, or ``max_batch_size`` if smaller.

    lm-eval's own ``auto`` probes batches of up to 64 sequences of the model's full length
    (8,192 tokens for SmolLM2) until one does not run out of memory — minutes to hours on
    a CPU, and memory is not what limits a CPU. Throughput there stops growing around 16
    (raw ``generate`` on 2 cores: 11.8 tok/s at 1, 53.0 at 8, 62.9 at 16; DESIGN §3).
    """
    cap = CPU_AUTO_MAX if max_batch_size is None else max(1, int(max_batch_size))
    return min(CPU_AUTO_MAX, cap)
