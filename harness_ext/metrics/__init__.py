"""Plan metrics: pure functions, no lm-eval import (aggregations: ``lm_eval_glue``)."""
