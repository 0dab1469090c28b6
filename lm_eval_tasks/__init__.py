"""lm-eval task configs shipped by toolplan-eval (package data; see harness_ext.lm_eval_glue.taskdirs)."""
