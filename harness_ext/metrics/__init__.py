"""Plan metrics: pure functions (no lm-eval import) plus their lm-eval aggregations."""
