"""The function-calling metric table: every metric the ``fc_bfcl_*`` tasks report.

Same ``Metric`` rows as the planning table (``harness_ext.metrics.table``); the task
YAML's ``metric_list`` is checked against this table in order
(``tests/fc/test_fc_tasks.py``), and ``scoring.SampleScore.metrics`` returns exactly
these names (``json_valid`` only in the JSON format). All are per-sample 0/1 values
averaged by lm-eval's ``mean``.

The ``fail_*`` rates partition the failures: a failed sample has exactly one cause (the
first failing rule in BFCL's order, see ``harness_ext.fc.checker``), so
``acc + sum(fail_*) == 1``.
"""

from __future__ import annotations

from harness_ext.fc import checker
from harness_ext.metrics.table import MEAN, Metric

# Cause -> its rate metric.
CAUSE_METRICS: dict[str, str] = {
    checker.DECODE: "fail_decode",
    checker.CALL_COUNT: "fail_call_count",
    checker.WRONG_NAME: "fail_wrong_name",
    checker.MISSING_REQUIRED: "fail_missing_required",
    checker.UNKNOWN_PARAM: "fail_unknown_param",
    checker.TYPE: "fail_type",
    checker.VALUE: "fail_value",
}

_CAUSE_WORDS = {
    checker.DECODE: "the output did not decode into calls",
    checker.CALL_COUNT: "wrong number of calls (irrelevance: any call)",
    checker.WRONG_NAME: "a call names the wrong function",
    checker.MISSING_REQUIRED: "a required (or answer-needed) parameter is missing",
    checker.UNKNOWN_PARAM: "a parameter the doc or the answer does not have",
    checker.TYPE: "a parameter of the wrong type",
    checker.VALUE: "a parameter value that is not acceptable",
}

FC_METRICS: tuple[Metric, ...] = (
    Metric(
        "acc",
        MEAN,
        True,
        "sample right by BFCL's AST rules (irrelevance: no call), parallel calls optimally matched",
    ),
    Metric("decode_ok", MEAN, True, "the output decoded into calls (zero calls included)"),
    Metric(
        "json_valid",
        MEAN,
        True,
        "json format only: every <tool_call> block (or the bare output) is valid JSON",
    ),
    *(
        Metric(name, MEAN, False, f"share of samples failing first because {_CAUSE_WORDS[cause]}")
        for cause, name in CAUSE_METRICS.items()
    ),
    Metric(
        "bfcl_deviation",
        MEAN,
        False,
        "share of samples whose verdict BFCL's own procedure reverses (greedy matching, decoder)",
    ),
)
