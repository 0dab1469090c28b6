"""lm-eval task configs shipped by toolplan-eval (package data; see harness_ext.taskdirs)."""
