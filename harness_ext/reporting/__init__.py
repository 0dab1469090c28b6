"""Turning results into tables and plots.

Modules:
    results: finding lm-eval ``results_*.json`` files and reading them into typed
        records (run key, metrics, the ``config.toolplan_cost`` record, forgetting suites
        and their versions).
    tables: cell formatting ("–" = not measured) and GitHub-markdown tables.
    leaderboard: leaderboard rows, ``LEADERBOARD.md`` and the README block.
    plots: the PNG plots (matplotlib, imported lazily inside each function).
    fidelity: the three-condition fidelity table (``results/fidelity_test30.md``).
    ablation: the LoRA rank ablation table and plot (``results/rank_ablation.md``).
    gold_report: the paper's gold plans against the project's gold v2.

May import: ``planning``, ``metrics``, ``judge.rubric``, ``forgetting.retention``,
``models.embedded`` (model display names), ``registry.manifest`` (training methods, the
registry folder), ``harness_ext.io``; ``matplotlib``, ``yaml``
and lm-eval's ``model_args`` parser lazily. It reads results files; it never runs lm-eval.
"""
