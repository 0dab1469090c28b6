"""Function calling: decoders of model output into calls, BFCL data, the AST checker.

* ``calls``: the shared call primitive (``Call``), BFCL prompt-mode decoding of a Python
  list of calls with ``ast`` only (never ``eval``/``exec``), Hermes/Qwen ``<tool_call>``
  JSON decoding, and rendering a call back to Python source. Decoders never raise.

Pure Python and data; no lm-eval import. May import: ``harness_ext.errors``.
"""
