"""``toolplan tasks``: list the tasks and groups this plugin adds to lm-eval."""

from __future__ import annotations

import argparse

from harness_ext.lm_eval_glue.taskdirs import task_manager

HELP = "list this plugin's tasks and groups"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    """Print one name per line, with its kind."""
    manager = task_manager()
    groups = set(manager.all_groups)
    tags = set(manager.all_tags)
    for name in manager.all_tasks:
        kind = "group" if name in groups else "tag" if name in tags else "task"
        print(f"{name}\t{kind}")
    return 0
