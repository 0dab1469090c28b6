"""CPU thread settings for generating on a machine that other processes share.

Why (measured with ``benchmarks/bench_contention.py``, 2 cores): torch runs one OpenMP
thread per core (bitsandbytes' CPU library links the same ``libgomp``), and at the end of
every parallel region a waiting thread *spins* before it sleeps. When another process
competes for the cores, the threads spin while the peer they wait for is descheduled.
Measured on the 8-bit route beside an fp32 generation (and a machine busy with other
jobs): 0.10-0.11 tok/s at 1.4-2.2 CPU s/token with the old settings; 1.5-1.7 tok/s at
0.2 CPU s/token with passive waits, same 2 threads. The spinning, not bitsandbytes or the
model, is what collapsed (fp32 falls the same way). Two knobs fix it:

* ``OMP_WAIT_POLICY=PASSIVE``: waiting threads sleep at once. The OpenMP runtime reads
  it once, when torch is first imported, so it only works when set before that:
  :func:`prefer_passive_wait` does it for ``toolplan check`` (a user's own
  ``OMP_WAIT_POLICY`` is kept). Setting it later changes nothing, measured.
* ``threads``: ``torch.set_num_threads`` (process-wide). One thread has no peer to wait
  for. ``toolplan-hf`` takes it as a model arg and ``toolplan check`` as ``--threads``.

``threads=auto`` (the default) on CPU: torch's own count (one per core) when the wait
policy is passive; otherwise one core fewer (at least 1), so a spinning runtime never
holds every core. On CUDA, ``auto`` leaves torch's setting alone.

One exception, decided once the model is loaded (:func:`threads_after_load`): a model
quantized by bitsandbytes (8-bit or 4-bit) with fewer than ``SMALL_QUANTIZED_PARAMS``
parameters gets **one** thread on a CPU. Its forward pass is hundreds of small ops per
layer (quantize the activations, integer matmul, rescale), too small to split, and every
one pays the threads' wake-up. Measured with ``benchmarks/bench_threads.py`` (2 cores,
16 rows in flight, ``OMP_WAIT_POLICY=PASSIVE``), wall time at 1 thread / at 2 threads
(above 1: the second thread pays):

=========  ======  ======  =============
shape      fp32    8-bit   8-bit + LoRA
=========  ======  ======  =============
135M       1.03    0.63    0.57
360M       1.17    0.88    0.68
1.7B       1.34    1.24    1.09
=========  ======  ======  =============

README (a)'s adapter run (8-bit base + LoRA, 30 answers): 2.8 min at 2 threads, 1.1 min
at 1. fp32 models and larger quantized ones keep one thread per core.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from typing import Any

WAIT_POLICY_ENV = "OMP_WAIT_POLICY"
AUTO = "auto"
SMALL_QUANTIZED_PARAMS = 1_000_000_000


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def waits_passively(environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether ``OMP_WAIT_POLICY`` says ``PASSIVE`` (case-insensitive)."""
    env = os.environ if environ is None else environ
    return env.get(WAIT_POLICY_ENV, "").strip().upper() == "PASSIVE"


def prefer_passive_wait(environ: MutableMapping[str, str] | None = None) -> bool:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless it is set already or too late to matter.

    Rules: a non-empty value the user set is kept (``ACTIVE`` stays active; an empty one,
    which the runtime rejects, is replaced); when torch is already imported the runtime
    has read its settings, so nothing is set (the environment would otherwise claim a
    policy that is not in effect).

    Returns:
        True when the policy is (now) passive, False otherwise.
    """
    env = os.environ if environ is None else environ
    if not env.get(WAIT_POLICY_ENV, "").strip() and "torch" not in sys.modules:
        env[WAIT_POLICY_ENV] = "PASSIVE"
    return waits_passively(env)


def _is_auto(value: Any) -> bool:
    """Whether a ``threads`` value means ``auto`` (also ``None`` or blank)."""
    return ("" if value is None else str(value).strip().lower()) in ("", AUTO)


def resolve_threads(
    value: Any, device: str = "cpu", environ: MutableMapping[str, str] | None = None
) -> int | None:
    """The intra-op thread count to use; ``None`` means leave torch's setting.

    ``value`` is ``auto`` (also ``None`` or ``""``) or a whole number >= 1 (an int or
    its text, as model args and flags give it). ``auto``: see this module's docstring.

    Raises:
        ModelLoadError: ``value`` is neither ``auto`` nor a whole number >= 1.
    """
    from harness_ext.errors import ModelLoadError

    text = "" if value is None else str(value).strip().lower()
    if _is_auto(value):
        if str(device).startswith("cuda"):
            return None
        return None if waits_passively(environ) else max(1, cpu_count() - 1)
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise ModelLoadError(
            f"threads={value!r} is not a thread count. Fix: use threads=auto or a whole "
            f"number from 1 to {cpu_count()} (CPUs here)."
        )
    return int(text)


def threads_after_load(value: Any, device: str, quantized: bool, parameters: int) -> int | None:
    """The thread count to switch to once the model is loaded; ``None``: keep the current.

    1 when ``value`` is ``auto`` on a CPU and the model is bitsandbytes-quantized with
    fewer than ``SMALL_QUANTIZED_PARAMS`` parameters (module docstring for why).
    ``value`` has passed :func:`resolve_threads` already.
    """
    if not _is_auto(value) or str(device).startswith("cuda"):
        return None
    return 1 if quantized and parameters < SMALL_QUANTIZED_PARAMS else None


def apply_threads(threads: int | None) -> int:
    """Set torch's intra-op threads (``None`` keeps them); return the count in effect."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    return int(torch.get_num_threads())


def thread_report(environ: MutableMapping[str, str] | None = None) -> dict[str, Any]:
    """``cpu_threads`` and ``omp_wait_policy`` now, for the cost record of a run."""
    import torch

    env = os.environ if environ is None else environ
    return {
        "cpu_threads": int(torch.get_num_threads()),
        "omp_wait_policy": env.get(WAIT_POLICY_ENV) or None,
    }
