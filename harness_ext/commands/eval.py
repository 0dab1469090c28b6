"""``toolplan eval``: lm-eval's own ``run`` command, aimed at this plugin's tasks.

The flags are lm-eval's (same names, same parser), with four differences:

* the task index holds only our tasks (plus ``--include_path``), so start-up skips
  indexing lm-eval's ~14k built-ins; ``--with_builtin_tasks`` brings them back;
* model aliases work: ``--model smollm2-135m`` or ``pretrained=smollm2-135m``, and with
  no model at all the embedded default model is used; both run as ``toolplan-hf``, so the
  results carry ``config.toolplan_cost`` (see ``harness_ext.lm_eval_glue.models``) and
  name the model by its alias (output folder ``OUT/smollm2-135m/``, ``model_name``,
  ``config.model_args``), never by this machine's cache path;
* ``--apply_chat_template`` is on by default (our prompts are system + user turns);
  ``--no_chat_template`` turns it off;
* ``--device`` defaults to ``cpu`` when no CUDA device is visible.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness_ext.errors import UnknownNameError
from harness_ext.lm_eval_glue.taskdirs import task_manager, tasks_dir
from harness_ext.models.embedded import DEFAULT_ALIAS, EMBEDDED_MODELS, resolve_model

HELP = "run lm-eval on this plugin's tasks (lm-eval's flags; fast start-up; model aliases)"


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Return (top parser, lm-eval's ``run`` parser extended with our flags)."""
    from lm_eval._cli.run import Run

    top = argparse.ArgumentParser(prog="toolplan eval")
    subparsers = top.add_subparsers(dest="command")
    run_parser: argparse.ArgumentParser = Run.create(subparsers)._parser
    run_parser.prog = "toolplan eval"
    ours = run_parser.add_argument_group("toolplan-eval")
    ours.add_argument(
        "--with_builtin_tasks",
        action="store_true",
        help="also index lm-eval's built-in tasks (adds ~10 s of start-up)",
    )
    ours.add_argument(
        "--no_chat_template",
        action="store_true",
        help="do not apply the model's chat template (it is applied by default)",
    )
    return top, run_parser


def _resolve_model(args: argparse.Namespace) -> None:
    """Apply the model defaults; aliases stay aliases for ``toolplan-hf``.

    ``toolplan-hf`` resolves ``pretrained``/``tokenizer`` aliases itself, so the alias is
    what lm-eval records (``config.model_args``, ``model_name``) and names the output
    folder after (``OUT/smollm2-135m/``), not this machine's cache path. Other models
    (an explicit ``--model hf``) do not know aliases: they get the resolved folder.
    """
    model_args: dict[str, Any] = dict(args.model_args or {})
    # Defaults use toolplan-hf (HFLM + cost accounting, quantization, adapter checks);
    # an explicit --model hf stays lm-eval's own.
    if args.model in EMBEDDED_MODELS:
        model_args.setdefault("pretrained", args.model)
        args.model = "toolplan-hf"
    if not args.model:
        args.model = "toolplan-hf"
    if args.model in ("hf", "toolplan-hf", "hf-auto", "huggingface"):
        model_args.setdefault("pretrained", DEFAULT_ALIAS)
    if args.model != "toolplan-hf":
        for key in ("pretrained", "tokenizer"):
            value = model_args.get(key)
            if isinstance(value, str):
                model_args[key] = resolve_model(value)
    args.model_args = model_args


def _check_task_names(names: Sequence[str], known: Sequence[str]) -> None:
    for raw in names:
        for name in raw.split(","):
            name = name.strip()
            if not name or name.endswith(".yaml") or Path(name).is_dir() or "*" in name:
                continue
            if name not in known:
                raise UnknownNameError(
                    "task",
                    name,
                    known,
                    "List them with `toolplan tasks`. For lm-eval's built-in tasks add "
                    "--with_builtin_tasks (or use plain `lm_eval`).",
                )


@contextlib.contextmanager
def _plugin_task_manager(include_defaults: bool) -> Iterator[None]:
    """Make lm-eval's CLI build our TaskManager (it looks the class up at call time)."""
    import lm_eval.tasks

    original = lm_eval.tasks.TaskManager

    def factory(*args: Any, include_path: Any = None, metadata: Any = None, **_: Any) -> Any:
        extra = include_path if isinstance(include_path, list) else [include_path]
        return task_manager(
            metadata=metadata,
            include_path=[p for p in extra if p],
            include_defaults=include_defaults,
        )

    lm_eval.tasks.TaskManager = functools.wraps(original)(factory)
    try:
        yield
    finally:
        lm_eval.tasks.TaskManager = original


def _register_plugin_model() -> None:
    import lm_eval.models  # noqa: F401  (fills the registry first, so "hf" stays known)
    from lm_eval.api.registry import model_registry

    from harness_ext._hook import MODEL_NAME, MODEL_TARGET

    if MODEL_NAME not in model_registry:
        model_registry.register(MODEL_NAME, target=MODEL_TARGET)


def main(argv: Sequence[str]) -> int:
    """Parse lm-eval's flags, apply our defaults, and run lm-eval's own ``run``."""
    top, run_parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        run_parser.print_help()
        return 0
    args = top.parse_args(["run", *argv])
    include_defaults = args.__dict__.pop("with_builtin_tasks")
    no_chat_template = args.__dict__.pop("no_chat_template")
    if not args.tasks:
        run_parser.error("--tasks is required (see `toolplan tasks`)")
    _resolve_model(args)
    if not no_chat_template and not hasattr(args, "apply_chat_template"):
        args.apply_chat_template = True
    if not args.device:
        import torch

        args.device = "cuda:0" if torch.cuda.is_available() else "cpu"
    if not include_defaults:
        extra = [args.include_path] if args.include_path else []
        _check_task_names(args.tasks, task_manager(include_path=extra).all_tasks)
    _register_plugin_model()
    from lm_eval.utils import setup_logging

    setup_logging()
    with _plugin_task_manager(include_defaults):
        args.func(args)
    return 0


__all__ = ["main", "tasks_dir"]
