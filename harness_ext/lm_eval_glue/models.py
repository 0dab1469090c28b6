"""``toolplan-hf``: lm-eval's ``hf`` model plus quantization, adapter guards and costs.

Use it like ``--model hf``, with these additions (all optional model args)::

    lm_eval --model toolplan-hf --device cpu --tasks assetops_free_test30 \\
      --model_args pretrained=smollm2-135m,peft=adapters/NAME,load_in_4bit=True

* ``pretrained`` (and ``tokenizer``) accept embedded-model aliases (``smollm2-135m``, also
  the default), resolved here, so lm-eval records the alias — in ``config.model_args``,
  ``model_name`` and the output folder's name — rather than this machine's cache path;
* ``load_in_8bit`` / ``load_in_4bit`` (+ ``bnb_4bit_quant_type``, ``bnb_4bit_compute_dtype``,
  ``bnb_4bit_use_double_quant``, ``llm_int8_*``) quantize on the fly with bitsandbytes;
  lm-eval 0.4.13 passes these straight to ``from_pretrained``, which transformers 5
  rejects, so they become a ``BitsAndBytesConfig`` here (see ``harness_ext.models.quantize``);
* ``threads`` (``auto`` or a number) sets torch's CPU threads before loading; ``auto`` keeps
  one core free unless ``OMP_WAIT_POLICY=PASSIVE`` was set before start, since a spinning
  OpenMP runtime on every core collapses beside another process, and drops to one thread
  once a bitsandbytes-quantized model under 1B parameters is loaded (its small ops lose
  time to a second thread: 2.8 vs 1.1 min for README (a)'s adapter run; see
  ``harness_ext.models.threads``; on a busy machine use ``OMP_WAIT_POLICY=PASSIVE lm_eval ...``);
* with ``peft=ADAPTER`` the adapter's files, its base model and its effect are checked
  before anything is generated (``harness_ext.models.adapter_checks``); ``allow_base_mismatch=True``
  applies an adapter to another base anyway;
* batched generation (``--batch_size N``; ``auto`` is 16 on a CPU instead of lm-eval's
  probe of 64 full-length sequences) gives batch 1's greedy outputs: each row stops on its
  own stop strings, and a prompt prefix the rows share (the catalog of the informed
  prompts) is computed once and reused; ``prefix_cache=False`` turns that off
  (``harness_ext.models.batching`` says why and the rules);
* at a batch size above 1, greedy requests are generated with continuous batching: up to
  ``batch_size`` rows in flight, a finished row leaves at once and a waiting request
  joins (``harness_ext.models.continuous``); ``continuous=False`` keeps lm-eval's static
  batches (sampling and models whose cache is not plain full attention always use them);
* ``accelerate launch --cpu --num_processes N -m lm_eval --model toolplan-hf ...`` splits
  the requests over the N processes (lm-eval 0.4.13 does so only when it counts GPUs;
  on a CPU each process would evaluate everything); give each ``threads=1`` or so;
* the results file gets ``config.toolplan_cost`` (load time, peak memory, tokens/s, CPU
  threads and OpenMP wait policy, batch size and rows, prefix reuse),
  ``config.toolplan_quantization`` and, with an adapter, ``config.toolplan_adapter``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from lm_eval.api.registry import register_model
from lm_eval.models.huggingface import HFLM
from lm_eval.models.utils import normalize_gen_kwargs
from tqdm import tqdm

from harness_ext._hook import MODEL_NAME
from harness_ext.errors import ModelLoadError
from harness_ext.models.adapter_checks import (
    AdapterInfo,
    BaseCheck,
    check_base,
    inspect_adapter,
    probe_adapter,
)
from harness_ext.models.batching import (
    PerRowStop,
    PrefixStore,
    cache_kwarg,
    cpu_auto_batch_size,
    prefixed_layout,
    shareable_prefixes,
    unpadded_rows,
)
from harness_ext.models.continuous import ContinuousBatcher, ContinuousStats, supports_continuous
from harness_ext.models.cost import CostMeter
from harness_ext.models.embedded import DEFAULT_ALIAS, resolve_model
from harness_ext.models.quantize import as_bool, bnb_config, describe, pop_bnb_options
from harness_ext.models.threads import (
    apply_threads,
    resolve_threads,
    thread_report,
    threads_after_load,
)

_BNB_8BIT_LOGGER = "bitsandbytes.autograd._functions"


class _FirstOnly(logging.Filter):
    """Let a repeated log message through once.

    bitsandbytes logs 'MatMul8bitLt: inputs will be cast ...' on every 8-bit matmul
    (once per layer per generated token), which buries lm-eval's own output.
    """

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix
        self._seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(self._prefix):
            return True
        if self._seen:
            return False
        self._seen = True
        return True


def _quiet_8bit_cast_warning() -> None:
    logger = logging.getLogger(_BNB_8BIT_LOGGER)
    if not any(isinstance(f, _FirstOnly) for f in logger.filters):
        logger.addFilter(_FirstOnly("MatMul8bitLt: inputs will be cast"))


@register_model(MODEL_NAME)
class ToolplanHFLM(HFLM):
    """HFLM with on-the-fly bitsandbytes loading, adapter guards and cost accounting."""

    def __init__(
        self,
        pretrained: Any = DEFAULT_ALIAS,
        allow_base_mismatch: bool | str = False,
        threads: int | str | None = "auto",
        prefix_cache: bool | str = True,
        continuous: bool | str = True,
        **kwargs: Any,
    ) -> None:
        """Set the CPU threads, check the adapter (if any), then load like HFLM.

        Raises:
            ModelLoadError / DataFileError: a bad quantization or ``threads`` option, a
                missing or corrupt adapter file, a base mismatch, or an adapter with no
                effect.
        """
        self._cost = CostMeter()
        self._allow_base_mismatch = as_bool("allow_base_mismatch", allow_base_mismatch)
        self._prefixes = PrefixStore(disabled=not as_bool("prefix_cache", prefix_cache))
        self._shareable: dict[tuple[int, ...], int] = {}
        self._continuous = as_bool("continuous", continuous)
        self._continuous_ok: bool | None = None  # the model's cache allows it (probed once)
        self._continuous_size = 0  # rows in flight while a continuous run is on, else 0
        self._continuous_quiet = False  # no progress bar (generate_until's disable_tqdm)
        self._continuous_stats = ContinuousStats()
        self.last_continuous: ContinuousStats | None = None  # the latest group's run
        self._auto_logged = False
        device = str(kwargs.get("device") or "cpu")
        # Before loading: quantization and the adapter probe run on these threads too.
        apply_threads(resolve_threads(threads, device))
        self._bnb = bnb_config(pop_bnb_options(kwargs), device)
        self._adapter: AdapterInfo | None = None
        self._base_check: BaseCheck | None = None
        self._probe_diff: float | None = None
        self._quantization: dict[str, Any] = describe(self._bnb)
        given = pretrained
        if isinstance(pretrained, str):
            pretrained = resolve_model(pretrained)
        if isinstance(kwargs.get("tokenizer"), str):
            kwargs["tokenizer"] = resolve_model(kwargs["tokenizer"])
        peft = kwargs.get("peft")
        if peft:
            if not isinstance(pretrained, str):
                # HFLM skips model creation for a ready model, so peft= would be ignored.
                raise ModelLoadError(
                    "peft= needs pretrained= as a name or folder; with a ready model object, "
                    "wrap it in peft.PeftModel yourself."
                )
            if kwargs.get("delta"):
                raise ModelLoadError("peft= and delta= were both given. Fix: use one of them.")
            # Files and base first: both are cheap and fail before any weights load.
            self._adapter = inspect_adapter(str(peft))
            if isinstance(given, str):
                self._base_check = check_base(self._adapter, given, self._allow_base_mismatch)
            if self._base_check is not None and self._base_check.status == "forced":
                logging.getLogger(__name__).warning(
                    "allow_base_mismatch=True: applying adapter %s to %s although it was made "
                    "for %s",
                    peft,
                    given,
                    self._base_check.recorded,
                )
        self._cost.start_load()
        super().__init__(pretrained, **kwargs)
        self._cost.end_load(getattr(self, "_model", None))
        model = getattr(self, "_model", None)
        parameters = sum(p.numel() for p in model.parameters()) if model is not None else 0
        quantized = self._quantization.get("method") == "bitsandbytes"  # on the fly or a folder
        apply_threads(threads_after_load(threads, device, quantized, parameters))
        self._shard_across_cpu_processes()

    def _shard_across_cpu_processes(self) -> None:
        """Under ``accelerate launch --cpu --num_processes N``: each process takes 1/N of requests.

        lm-eval 0.4.13's HFLM takes rank and world size from the launcher only when it counts
        more than one GPU; on a CPU every process keeps rank 0 of 1 and evaluates every
        request (N times the work, same scores). The evaluator's sharding, padding and
        gathering work on CPU (gloo) once the rank and world size are the launcher's.
        """
        accelerator = getattr(self, "accelerator", None)
        if accelerator is None or accelerator.num_processes <= 1 or self.world_size > 1:
            return
        if getattr(self.device, "type", str(self.device)) != "cpu":
            return
        self._rank = accelerator.process_index
        self._world_size = accelerator.num_processes
        logging.getLogger(__name__).info(
            "accelerate on CPU: process %d of %d evaluates its share of the requests",
            self._rank,
            self._world_size,
        )

    def _create_model(
        self,
        pretrained: str,
        *args: Any,
        peft: str | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if self._bnb is not None and quantization_config is not None:
            raise ModelLoadError(
                f"{pretrained} is already quantized ({describe(quantization_config)}), and "
                f"on-the-fly quantization was asked too ({self._quantization}). Fix: drop "
                "load_in_8bit/load_in_4bit for a pre-quantized folder."
            )
        if quantization_config is not None:
            self._quantization = describe(quantization_config)
        if self._quantization.get("bits") == 8:
            _quiet_8bit_cast_warning()
        super()._create_model(
            pretrained,
            *args,
            peft=None,
            quantization_config=self._bnb if self._bnb is not None else quantization_config,
            **kwargs,
        )
        if peft:
            self._apply_adapter(peft)

    def _apply_adapter(self, peft: str) -> None:
        """Wrap the loaded base in the adapter, then prove the adapter changes the logits."""
        from peft import PeftModel

        adapter = self._adapter if self._adapter is not None else inspect_adapter(peft)
        # As HFLM does: adapters trained with added tokens need the larger embedding.
        base: Any = getattr(self, "_model", None)
        config = base.config
        vocab = getattr(getattr(config, "text_config", config), "vocab_size", None)
        if vocab is not None and vocab != len(self.tokenizer):
            base.resize_token_embeddings(len(self.tokenizer))
        try:
            model: Any = PeftModel.from_pretrained(base, str(adapter.path))
        except (RuntimeError, ValueError, KeyError) as e:
            raise ModelLoadError(
                f"adapter {adapter.path} does not fit base {self._given_name()} ({e}). "
                "Fix: use the base the adapter was trained on."
            ) from e
        model.eval()
        self._model = model
        started = time.perf_counter()
        self._probe_diff = probe_adapter(model, self.tokenizer, adapter.path)
        self._cost.adapter_probe_seconds = time.perf_counter() - started

    def _given_name(self) -> str:
        return self._base_check.given if self._base_check is not None else "(given base)"

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        """HFLM's, after noting which prompts share a prefix with another (for reuse);
        greedy requests go through continuous batching when it is on (class docstring)."""
        if not self._prefixes.disabled and self.backend == "causal" and requests:
            self._shareable = shareable_prefixes([self.tok_encode(r.args[0]) for r in requests])
        try:
            size = self._continuous_batch_size(requests)
            if not size:
                return list(super().generate_until(requests, disable_tqdm=disable_tqdm))
            greedy = [i for i, r in enumerate(requests) if _plain_greedy(r.args[1], self)]
            chosen = set(greedy)
            others = [i for i in range(len(requests)) if i not in chosen]
            out: list[str] = [""] * len(requests)
            if others:
                static = super().generate_until([requests[i] for i in others], disable_tqdm)
                for i, text in zip(others, static, strict=True):
                    out[i] = text
            if greedy:
                # One chunk per gen_kwargs group (n=0); _model_generate keeps `size` in flight.
                saved: Any = getattr(self, "batch_size_per_gpu")  # noqa: B009 (mypy: untyped in HFLM)
                self.batch_size_per_gpu = 0
                self._continuous_size, self._continuous_quiet = size, disable_tqdm
                try:
                    batched = super().generate_until([requests[i] for i in greedy], disable_tqdm)
                finally:
                    self.batch_size_per_gpu, self._continuous_size = saved, 0
                for i, text in zip(greedy, batched, strict=True):
                    out[i] = text
            return out
        finally:
            self._shareable = {}

    def _continuous_batch_size(self, requests: list[Any]) -> int:
        """Rows in flight for a continuous run, or 0 for lm-eval's static batches."""
        if not self._continuous or self.backend != "causal" or not requests:
            return 0
        asked = self.batch_size_per_gpu
        size = self._detect_batch_size() if asked == "auto" else int(asked)
        if size <= 1:
            return 0
        if self._continuous_ok is None:
            self._continuous_ok = supports_continuous(self.model)
            if not self._continuous_ok:
                logging.getLogger(__name__).info(
                    "continuous batching off: the model's cache is not plain full attention"
                )
        return size if self._continuous_ok else 0

    def _detect_batch_size(self, requests: Any = None, pos: int = 0) -> int:
        """``batch_size=auto``: a fixed size on a CPU (see ``cpu_auto_batch_size``)."""
        if getattr(self.device, "type", str(self.device)) != "cpu":
            return int(super()._detect_batch_size(requests, pos))
        size = cpu_auto_batch_size(self.max_batch_size)
        if not self._auto_logged:
            logging.getLogger(__name__).info("batch_size=auto on CPU: %d", size)
            self._auto_logged = True
        return size

    def _model_generate(self, context: Any, max_length: int, stop: list[str], **kwargs: Any) -> Any:
        started = time.perf_counter()
        in_flight = None
        if self._continuous_size:
            out, in_flight = self._generate_continuous(context, max_length, stop, **kwargs)
        else:
            out = self._generate(context, max_length, stop, **kwargs)
        new = out[:, context.shape[1] :]
        pad = self.tokenizer.pad_token_id
        tokens = int((new != pad).sum()) if pad is not None else int(new.numel())
        # .sum() synchronises a CUDA stream, so the time below covers the whole generate.
        self._cost.add_generation(
            tokens, time.perf_counter() - started, rows=int(out.shape[0]), batch=in_flight
        )
        return out

    def _generate_continuous(
        self, context: Any, max_length: int, stop: list[str], **kwargs: Any
    ) -> tuple[Any, int]:
        """A whole gen_kwargs group, ``_continuous_size`` rows in flight; ``generate``'s layout.

        Returns ``[context | each row's tokens, padded]`` (what lm-eval cuts and decodes)
        and the most rows that were in flight.
        """
        import torch

        rows = unpadded_rows(context, kwargs.get("attention_mask"))
        shareable = self._shareable

        def hint(row: Any) -> int:  # as a batch of one: what the prompt shares with others
            return shareable.get(tuple(row), 0)

        batcher = ContinuousBatcher(
            self.model, self.tokenizer, self._continuous_size, self._prefixes, hint
        )
        # lm-eval's bar moves only once the whole group is back: show the rows as they end.
        bar = tqdm(
            total=len(rows),
            desc=f"Continuous batching ({self._continuous_size} in flight)",
            disable=self._continuous_quiet or self.rank != 0,
            leave=False,
        )
        with (
            bar,
            torch.autocast(
                device_type=self.device.type,
                dtype=self.mixed_precision_dtype,
                enabled=self.mixed_precision_dtype is not None,
            ),
        ):
            generated, stats = batcher.generate(
                rows, max_length - context.shape[1], stop, on_finish=lambda _: bar.update(1)
            )
        self._record_continuous(stats)
        pad = self.tokenizer.pad_token_id
        width = max((len(g) for g in generated), default=0)
        tail = torch.full((len(rows), width), pad, dtype=context.dtype)
        for i, g in enumerate(generated):
            tail[i, : len(g)] = torch.tensor(g, dtype=context.dtype)
        return torch.cat([context, tail.to(context.device)], dim=1), stats.most_in_flight

    def _record_continuous(self, stats: ContinuousStats) -> None:
        total = self._continuous_stats
        total.rows += stats.rows
        total.steps += stats.steps
        total.joins += stats.joins
        total.moves += stats.moves
        total.prefill_tokens += stats.prefill_tokens
        total.most_in_flight = max(total.most_in_flight, stats.most_in_flight)
        self.last_continuous = stats

    def _generate(self, context: Any, max_length: int, stop: list[str], **kwargs: Any) -> Any:
        """HFLM's ``_model_generate`` with per-row stops and shared-prefix reuse."""
        import torch
        from transformers import StoppingCriteriaList

        # HFLM's sampling rules, unchanged: temperature 0 without do_sample means greedy.
        kwargs["temperature"] = kwargs.get("temperature", 0.0)
        do_sample = kwargs.get("do_sample")
        if (temp := kwargs.get("temperature")) == 0.0 and do_sample is None:
            kwargs["do_sample"] = do_sample = False
        if do_sample is False and temp == 0.0:
            kwargs.pop("temperature", None)
        mask = kwargs.pop("attention_mask", None)
        inputs: dict[str, Any] = {"input_ids": context, "attention_mask": mask}
        if not self._prefixes.disabled:
            rows = unpadded_rows(context, mask)
            hint = None
            if len(rows) == 1:  # a batch of one shares only what other prompts share
                hint = self._shareable.get(tuple(rows[0]), 0)
            length, entry = self._prefixes.plan(rows, hint)
            cache = self._prefixes.cache_for(self.model, rows, length, entry) if length else None
            if cache is not None:
                ids, prefixed_mask = prefixed_layout(rows, length, self.tokenizer.pad_token_id)
                inputs = {
                    "input_ids": ids.to(context.device),
                    "attention_mask": prefixed_mask.to(context.device),
                    cache_kwarg(): cache,
                }
        criteria = StoppingCriteriaList([PerRowStop(self.tokenizer, stop, context.shape[1])])
        with torch.autocast(
            device_type=self.device.type,
            dtype=self.mixed_precision_dtype,
            enabled=self.mixed_precision_dtype is not None,
        ):
            return self.model.generate(
                **inputs,
                max_length=max_length,
                stopping_criteria=criteria,
                pad_token_id=self.tokenizer.pad_token_id,
                use_cache=True,
                **kwargs,
            )

    def cost_report(self) -> dict[str, Any]:
        """The ``toolplan_cost`` block so far (see ``harness_ext.models.cost``), with the
        CPU threads and OpenMP wait policy it was measured under, the batch size asked
        for and what prompt-prefix reuse did."""
        return {
            **self._cost.report(),
            **thread_report(),
            "batch_size": str(self.batch_size_per_gpu),
            "prefix_cache": {
                "enabled": not self._prefixes.disabled,
                **self._prefixes.stats.as_dict(),
            },
            "continuous": {
                "enabled": self._continuous,
                "rows": self._continuous_stats.rows,
                "steps": self._continuous_stats.steps,
                "most_in_flight": self._continuous_stats.most_in_flight,
                "joins": self._continuous_stats.joins,
                "rows_moved": self._continuous_stats.moves,
            },
        }

    def get_model_info(self) -> dict[str, Any]:
        """HFLM's model info plus the ``toolplan_*`` blocks (cost, quantization, adapter)."""
        info: dict[str, Any] = dict(super().get_model_info())
        info["toolplan_cost"] = self.cost_report()
        info["toolplan_quantization"] = dict(self._quantization)
        if self._adapter is not None:
            info["toolplan_adapter"] = {
                "path": str(self._adapter.path),
                "weights": self._adapter.weights.name,
                "tensors": self._adapter.tensor_count,
                "kind": self._adapter.manifest.kind if self._adapter.manifest else None,
                "base_check": self._base_check.as_dict() if self._base_check else None,
                "probe_max_abs_logit_diff": self._probe_diff,
            }
        return info


_GREEDY_KEYS = {"until", "max_gen_toks", "do_sample", "temperature"}


def _plain_greedy(gen_kwargs: Any, lm: Any) -> bool:
    """Greedy generation with no option beyond stops and a length (continuous batching)."""
    if not isinstance(gen_kwargs, dict):
        return False
    kwargs = normalize_gen_kwargs(gen_kwargs, lm.max_gen_toks)
    return kwargs.get("do_sample") is False and set(kwargs) <= _GREEDY_KEYS
