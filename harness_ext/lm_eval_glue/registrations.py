"""Every lm-eval registration of this package, in one place (done on import, once).

* aggregations: every ``toolplan_*`` name of the metric table
  (``harness_ext.metrics.aggregations.AGGREGATIONS``);
* filters: ``toolplan_judge`` (the class lives in ``judge_filter``).

The ``toolplan-hf`` model registers itself in ``models`` (lm-eval's model registry is
lazy: ``harness_ext._hook`` and ``toolplan eval`` import that module when it is asked for).

Importing this module again is harmless (a name already bound to the same object is
skipped); a name bound to something else is lm-eval's ValueError naming both, never a
silent replacement.
"""

from __future__ import annotations

from typing import Any

import lm_eval.api.metrics  # noqa: F401  (built-in aggregations must exist first)
from lm_eval.api.registry import (
    aggregation_registry,
    filter_registry,
    register_aggregation,
    register_filter,
)

from harness_ext.lm_eval_glue.judge_filter import FILTER_NAME, JudgeFilter
from harness_ext.metrics.aggregations import AGGREGATIONS


def _register(registry: Any, register: Any, name: str, obj: Any) -> None:
    # Skip a name already bound to this very object; for a name bound to something
    # else, lm-eval's registry raises ValueError naming both (never a silent swap).
    if name in registry and registry.get(name) is obj:
        return
    register(name)(obj)


for _name, _fn in AGGREGATIONS.items():
    _register(aggregation_registry, register_aggregation, _name, _fn)
_register(filter_registry, register_filter, FILTER_NAME, JudgeFilter)
