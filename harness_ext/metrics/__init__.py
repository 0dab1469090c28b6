"""Plan metrics and the metric table: pure functions and data, no lm-eval import.

``table`` is the one list of reported metrics (name, aggregation, direction, one-line
definition) and states the rule for undefined values (NaN or absent, with a ``_n``
count, never 0); ``aggregations`` holds the run-level functions it names (registered
with lm-eval by ``harness_ext.lm_eval_glue.registrations``); ``setf1``, ``notebook``
(the paper notebook's AT-F1 and validity rules) and ``planning`` score one plan.

May import: ``harness_ext.errors``, ``harness_ext.planning``; scipy lazily (Spearman).
"""
