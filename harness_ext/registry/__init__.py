"""Registered adapters: the manifest schema, baselines and the regression check that
``toolplan check`` runs.

May import: ``models``, ``harness_ext.io``, ``harness_ext.errors``; lm-eval lazily (the
check's own evaluation run).
"""
