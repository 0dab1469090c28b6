"""The α-UMi multi-LLM agent (planner, caller, summarizer) on BFCL's stateful multi-turn tools.

* ``bfcl``: BFCL multi-turn tasks, function docs and backend classes, read in place from
  ``bfcl-eval``; the held-out / training split by task index;
* ``env``: a task's fresh backend instances and the dispatcher (parse with ``fc.calls``,
  validate against the docs, invoke a public method by name, observation text; never
  ``eval``), per-turn state snapshots; ``data/limits.json`` bounds arguments;
* ``checks``: BFCL's multi-turn rules (state and response checks, per turn and per task)
  on our environment — the checker without a model;
* ``formats``: α-UMi's role prompts and output parsers (``Next: caller.``, ``Action:``...);
* ``trajectories``: ground-truth trajectories as decision steps with true observations;
* ``metrics``: Plan ACC, Act. EM, Hallu. rate, Arg. F1, ROUGE-L;
* ``runner``: the agent loop (multi-role or single-LLM) with a step budget, run in lockstep;
* ``model``: one base with one LoRA adapter per role, switched per batch;
* ``training_data``: role-labelled training data from training task ids only.

May import: ``harness_ext.fc``, ``harness_ext.models``, ``harness_ext.training``,
``harness_ext.errors``, ``harness_ext.io``; ``bfcl_eval`` (data and backend classes
only, never its executor), ``torch``/``transformers``/``peft`` lazily. Never lm-eval: the
task loaders and the ``toolplan-agent`` model live in ``harness_ext.lm_eval_glue``.
"""
