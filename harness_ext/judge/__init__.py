"""The LLM judge: six 1–5 rubric dimensions on any OpenAI-compatible server.

Three steps, three modules (after inspect_ai's model-graded scorer): ``rubric`` builds
the prompt from a versioned template, ``client`` makes the call (the only network I/O
in the package), ``scoring`` parses and validates the verdict — an unparseable one is
re-asked once, then left *unscored with a reason*, never scored 0. ``cache`` stores
replies in SQLite; ``report`` turns results into lm-eval-shaped per-sample values (their
rows are in ``harness_ext.metrics.table``);
``harness_ext.lm_eval_glue.judge_filter`` judges inline during an lm-eval run;
``harness_ext.commands.judge`` judges a finished run's logged samples.

Importing this package is cheap: openai, lm-eval and tqdm load only when used.

May import: ``harness_ext.errors``, ``harness_ext.io``, pydantic (the verdict schema);
openai, tqdm and ``harness_ext.models.embedded`` (the cache folder) lazily. Never lm-eval
(the inline filter is in ``lm_eval_glue``).
"""
