"""``toolplan tasks-path``: the folder to give lm-eval's ``--include_path``."""

from __future__ import annotations

import argparse

from harness_ext.lm_eval_glue.taskdirs import tasks_dir

HELP = "print the task folder for `lm_eval --include_path`"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    """Print the folder path."""
    print(tasks_dir())
    return 0
