"""lm-eval aggregations for plan metrics (registered on import).

``toolplan_pooled_rate``: per-doc items are ``[hits, count]``; the result is
sum(hits) / max(sum(count), 1) — the paper's pooled validity rates.
``toolplan_issue_rate``: per-doc items are lists of issue codes; the result is the
share of docs with at least one issue (the codes stay in the logged samples).
"""

from __future__ import annotations

from collections.abc import Sequence

import lm_eval.api.metrics  # noqa: F401  (built-in aggregations must exist first)
from lm_eval.api.registry import aggregation_registry, register_aggregation

from harness_ext.metrics.planning import pooled_rate


def issue_rate(items: Sequence[Sequence[str]]) -> float:
    """Share of samples with at least one issue (0.0 for no samples)."""
    return sum(1 for codes in items if codes) / len(items) if items else 0.0


for _name, _fn in (("toolplan_pooled_rate", pooled_rate), ("toolplan_issue_rate", issue_rate)):
    if _name not in aggregation_registry:
        register_aggregation(_name)(_fn)
