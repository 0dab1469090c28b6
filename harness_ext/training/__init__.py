"""Training an internalization adapter: the training-data builder (``data``), its
generators (``datagen``: base, phrasing, generic, AssetOps) and the SFT recipe (``sft``).

May import: ``planning``, ``models``, ``registry``, ``harness_ext.io``; ``trl``, ``peft``
and ``transformers`` lazily. Never lm-eval.
"""
