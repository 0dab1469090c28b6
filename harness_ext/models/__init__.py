"""Loading models: the embedded default model (and the hub id artifacts record for it),
the one bitsandbytes config builder and the ``Quantization`` modes, adapter checks, the
cost record (load time, memory, tokens/s), CPU thread settings for a shared machine
(``threads``: the OpenMP wait policy and torch's thread count), batched generation that
keeps batch 1's outputs (``batching``: per-row stops, shared-prompt-prefix reuse), and the
model args of the scale-out routes (``serving``: a registered adapter on hf or vLLM, the
vLLM LoRA-rank check, API-server failures).

May import: ``harness_ext.errors``, ``harness_ext.io``, ``harness_ext.registry``, ``filelock``;
``torch``, ``transformers``, ``peft``, ``bitsandbytes`` lazily. The lm-eval model class built
on these lives in ``harness_ext.lm_eval_glue.models``.
"""
