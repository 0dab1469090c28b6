"""Cost accounting for one evaluation run: load time, peak memory, generation speed.

``toolplan-hf`` (:class:`harness_ext.lm_eval_glue.models.ToolplanHFLM`) keeps one :class:`CostMeter`
and reports it through ``get_model_info()``, which lm-eval merges into the results
file, so every run lands it at ``results["config"]["toolplan_cost"]``::

    "toolplan_cost": {
      "load_seconds": 1.9,            # init: config, tokenizer, weights, quantization, adapter
      "adapter_probe_seconds": 0.2,   # the adapter-applied probe (0 without an adapter)
      "model_footprint_mb": 159.1,    # parameters + buffers, as transformers counts them
      "rss_at_start_mb": 612.0,       # process RSS when the model started loading
      "peak_rss_mb": 1420.5,          # highest RSS from model load to the end of the run
      "peak_rss_scope": "run",        # "run" (peak reset at load) or "process" (no reset possible)
      "gpu_peak_allocated_mb": null,  # torch.cuda max_memory_allocated, null without CUDA
      "gpu_peak_reserved_mb": null,
      "generate_calls": 3, "generated_tokens": 96, "generate_seconds": 9.7,
      "tokens_per_second": 9.9,       # null when nothing was generated (log-likelihood tasks)
      "generate_rows": 3,             # sequences generated (rows of all batches); null if untold
      "largest_batch": 1,             # most rows in one generate call (continuous: in
                                      # flight at once); null if untold
      "cpu_threads": 2,               # torch's intra-op threads (toolplan-hf's `threads`)
      "omp_wait_policy": "PASSIVE"    # OMP_WAIT_POLICY, null when unset (models.threads)
    }

The last two are added by ``toolplan-hf`` (``harness_ext.models.threads.thread_report``):
tokens/s on a shared CPU depend on them.

Peak RSS: on Linux the kernel's high-water mark (VmHWM) is reset when the model starts
loading (``/proc/self/clear_refs``), so the peak belongs to this run even inside a
long-lived process (pytest, notebooks). Where that is not possible the process
lifetime peak (``ru_maxrss``) is reported and ``peak_rss_scope`` says ``process``.
Generated tokens exclude padding (and so the EOS token when the pad token is EOS).

Under batching (``--batch_size N``) a ``generate`` call produces several rows at once:
``generated_tokens`` counts every row's tokens up to its own stop (a finished row is
padded, and padding is not counted), ``generate_seconds`` is wall time, so
``tokens_per_second`` is the run's throughput — what batching buys — not one sequence's
speed. Under continuous batching (``harness_ext.models.continuous``) one call is a whole
group of requests with the same generation options; ``largest_batch`` is then the most
rows in flight at once. ``toolplan-hf`` adds ``batch_size`` (as asked: a number or ``auto``) and
``prefix_cache`` (prompt-prefix reuse; ``harness_ext.models.batching``).
"""

from __future__ import annotations

import re
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PROC_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(key: str) -> float | None:
    try:
        text = _PROC_STATUS.read_text()
    except OSError:
        return None
    match = re.search(rf"^{key}:\s+(\d+)\s+kB", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def current_rss_mb() -> float | None:
    """Resident set size now (Linux only; ``None`` elsewhere)."""
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark; ``False`` when the platform cannot."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak RSS: VmHWM where available, else ``ru_maxrss`` (KiB on Linux, bytes on macOS)."""
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb / 1024
    raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return raw / (1024 * 1024) if sys.platform == "darwin" else raw / 1024


def _cuda() -> Any | None:
    if "torch" not in sys.modules:
        return None
    import torch

    return torch.cuda if torch.cuda.is_available() else None


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class CostMeter:
    """Accumulates the cost of one model's life; :meth:`report` gives the JSON form."""

    load_seconds: float = 0.0
    adapter_probe_seconds: float = 0.0
    model_footprint_mb: float | None = None
    rss_at_start_mb: float | None = None
    peak_scope: str = "process"
    generate_calls: int = 0
    generated_tokens: int = 0
    generate_seconds: float = 0.0
    generate_rows: int | None = 0
    largest_batch: int | None = 0
    _load_started: float = field(default=0.0, repr=False)

    def start_load(self) -> None:
        """Mark the start of model loading and reset the peak-memory counters."""
        self.rss_at_start_mb = current_rss_mb()
        self.peak_scope = "run" if reset_peak_rss() else "process"
        cuda = _cuda()
        if cuda is not None:
            cuda.reset_peak_memory_stats()
        self._load_started = time.perf_counter()

    def end_load(self, model: Any) -> None:
        """Mark the end of loading; record the model's footprint when it can tell."""
        self.load_seconds = time.perf_counter() - self._load_started
        footprint = getattr(model, "get_memory_footprint", None)
        if callable(footprint):
            self.model_footprint_mb = float(footprint()) / (1024 * 1024)

    def add_generation(
        self, tokens: int, seconds: float, rows: int | None = None, batch: int | None = None
    ) -> None:
        """Count one ``generate`` call of ``rows`` sequences, at most ``batch`` at a time.

        ``batch`` defaults to ``rows`` (a static batch); a continuous run gives the most
        rows it had in flight.

        A caller that does not tell the rows makes ``generate_rows`` and ``largest_batch``
        unknown (null) for the rest of the run, rather than wrong.
        """
        self.generate_calls += 1
        self.generated_tokens += tokens
        self.generate_seconds += seconds
        if rows is None or self.generate_rows is None or self.largest_batch is None:
            self.generate_rows = self.largest_batch = None
        else:
            self.generate_rows += rows
            self.largest_batch = max(self.largest_batch, rows if batch is None else batch)

    def report(self) -> dict[str, Any]:
        """The ``toolplan_cost`` block (rounded for reading; raw sums kept exact enough)."""
        cuda = _cuda()
        mb = 1024 * 1024
        return {
            "load_seconds": _round(self.load_seconds),
            "adapter_probe_seconds": _round(self.adapter_probe_seconds),
            "model_footprint_mb": _round(self.model_footprint_mb, 1),
            "rss_at_start_mb": _round(self.rss_at_start_mb, 1),
            "peak_rss_mb": _round(peak_rss_mb(), 1),
            "peak_rss_scope": self.peak_scope,
            "gpu_peak_allocated_mb": _round(cuda.max_memory_allocated() / mb, 1) if cuda else None,
            "gpu_peak_reserved_mb": _round(cuda.max_memory_reserved() / mb, 1) if cuda else None,
            "generate_calls": self.generate_calls,
            "generated_tokens": self.generated_tokens,
            "generate_seconds": _round(self.generate_seconds),
            "tokens_per_second": (
                _round(self.generated_tokens / self.generate_seconds, 2)
                if self.generated_tokens and self.generate_seconds > 0
                else None
            ),
            "generate_rows": self.generate_rows if self.generate_calls else None,
            "largest_batch": self.largest_batch if self.generate_calls else None,
        }
