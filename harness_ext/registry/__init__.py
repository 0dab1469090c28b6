"""Registered adapters: the manifest and baseline schemas (pydantic; an invalid file names
the file, the field and the fix) and the regression check that ``toolplan check`` runs.

May import: ``models``, ``harness_ext.io``, ``harness_ext.errors``, ``pydantic``; lm-eval
lazily (the check's own evaluation run).
"""
