"""Loading models: the embedded default model (and the hub id artifacts record for it),
the one bitsandbytes config builder and the ``Quantization`` modes, adapter checks, the
cost record (load time, memory, tokens/s), and CPU thread settings for a shared machine
(``threads``: the OpenMP wait policy and torch's thread count).

May import: ``harness_ext.errors``, ``harness_ext.io``, ``harness_ext.registry``, ``filelock``;
``torch``, ``transformers``, ``peft``, ``bitsandbytes`` lazily. The lm-eval model class built
on these lives in ``harness_ext.lm_eval_glue.models``.
"""
