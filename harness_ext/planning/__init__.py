"""AssetOps planning: what a plan is and what it is judged against.

Holds the plan parser and formatter (``plans``), the one step/plan builder (``builder``,
with a helper per AssetOpsBench tool), tool catalogs (``catalog``), scenarios and their
splits (``scenarios``, ``splits``), gold plans (``gold``), the system prompts of the
informed / description-free conditions (``prompts``) and prompt-token counting
(``prompt_tokens``).

May import: ``harness_ext.errors``, ``harness_ext.io``; ``transformers`` lazily (token
counts); ``harness_ext.training.data`` lazily, only for its decontamination rule (the
twin-free split must judge "too close" exactly as the data builder does). Never lm-eval.
"""
