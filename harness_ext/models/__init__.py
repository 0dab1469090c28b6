"""Loading models: the embedded default model, bitsandbytes quantization, adapter checks,
and the cost record (load time, memory, tokens/s).

May import: ``harness_ext.errors``, ``harness_ext.io``, ``harness_ext.registry``;
``transformers``, ``peft``, ``bitsandbytes`` lazily. The lm-eval model class built on these
lives in ``harness_ext.lm_eval_glue.models``.
"""
