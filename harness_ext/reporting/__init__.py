"""Turning results into tables and plots: lm-eval results reading, the leaderboard,
plots, the gold-plan report, the fidelity and rank-ablation tables.

May import: ``planning``, ``metrics``, ``judge.rubric``, ``forgetting``, ``harness_ext.io``;
``matplotlib`` lazily. Never lm-eval: it reads results files only.
"""
