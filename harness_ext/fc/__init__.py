"""Function calling: decoders of model output into calls, BFCL data, the AST checker.

* ``calls``: the shared call primitive (``Call``), BFCL prompt-mode decoding of a Python
  list of calls with ``ast`` only (never ``eval``/``exec``), Hermes/Qwen ``<tool_call>``
  JSON decoding, and rendering a call back to Python source. Decoders never raise.
* ``data``: BFCL single-turn categories read in place from the installed ``bfcl-eval``
  (never ``bfcl_eval.utils``), validated on load.
* ``checker``: BFCL's AST rules with namespaced causes (``fc:wrong_name``, ...) and an
  optimal assignment for parallel calls; ``scoring``: decode + check of one output, the
  one path the metrics, ``toolplan score-calls`` and the GRPO reward share.
* ``prompts``: each entry's system turn (BFCL's prompt, or tools for the JSON format);
  ``table``: the metric table of the ``fc_bfcl_*`` tasks; ``summary``: BFCL's
  leaderboard summaries.

No lm-eval import. May import: ``harness_ext.errors``, ``harness_ext.metrics.table``
(the ``Metric`` row type); ``bfcl_eval.constants`` (prompt templates, lazily) and
``scipy``/``numpy`` (assignment, lazily).
"""
