"""AssetOps planning: what a plan is and what it is judged against — for any catalog.

Holds the plan parser and formatter (``plans``), the one step/plan builder (``builder``,
with a helper per AssetOpsBench tool), tool catalogs (``catalog``), the importers that
turn OpenAI tools, MCP ``tools/list`` answers and BFCL docs into catalogs
(``catalog_import``), scenarios and their splits (``scenarios``, ``splits``), gold plans
(``gold``) and the gold written inside a user's scenario file (``scenario_gold``), the
BFCL multi-turn → catalog/scenarios/gold conversion of the second domain
(``second_domain``), the system prompts of the informed / description-free conditions
(``prompts``) and prompt-token counting (``prompt_tokens``).

May import: ``harness_ext.errors``, ``harness_ext.io``; ``transformers`` lazily (token
counts); ``harness_ext.training.data`` lazily, only for its decontamination rule (the
twin-free split must judge "too close" exactly as the data builder does);
``harness_ext.fc.calls`` lazily (call strings in a user's gold are decoded, never
evaluated); ``harness_ext.agents`` lazily, only in ``second_domain`` (the one BFCL
multi-turn reader, its split and its environment). Never lm-eval.
"""
