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
* ``--device`` defaults to ``cpu`` when no CUDA device is visible;
* ``--backend vllm`` runs lm-eval's ``vllm`` model instead of ``toolplan-hf``, and
  ``--model_args adapter=adapters/NAME`` fills the model args from a registered
  adapter's manifest for either backend (``harness_ext.models.serving``): base,
  ``peft`` and quantization on ``hf``; ``lora_local_path`` and ``max_lora_rank`` on
  ``vllm``, whose rank is checked against the adapter before vLLM starts;
* ``OMP_WAIT_POLICY=PASSIVE`` is set before torch loads (a value you set is kept), as
  ``toolplan check`` does: on a CPU that other processes share, spinning OpenMP threads
  collapse generation (``harness_ext.models.threads``);
* an API model (``local-chat-completions``, ``local-completions``, ...) whose server dies
  or stalls mid-run ends with one error line (exit 2) instead of a traceback; with
  ``--use_cache PATH`` the answers that arrived are kept and the same command sends only
  the missing requests.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness_ext.errors import ToolplanError, UnknownNameError
from harness_ext.lm_eval_glue.taskdirs import task_manager, tasks_dir
from harness_ext.models.embedded import DEFAULT_ALIAS, EMBEDDED_MODELS, resolve_model
from harness_ext.models.serving import (
    API_MODELS,
    BACKENDS,
    Backend,
    adapter_model_args,
    check_lora_rank,
    is_server_failure,
    server_failure_message,
)
from harness_ext.models.threads import prefer_passive_wait

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
    ours.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="hf (toolplan-hf, the default) or vllm (lm-eval's vllm model); with "
        "--model_args adapter=adapters/NAME the adapter's manifest fills the model args",
    )
    return top, run_parser


def _resolve_model(args: argparse.Namespace, backend: str | None = None) -> None:
    """Apply the model defaults; aliases stay aliases for ``toolplan-hf``.

    ``toolplan-hf`` resolves ``pretrained``/``tokenizer`` aliases itself, so the alias is
    what lm-eval records (``config.model_args``, ``model_name``) and names the output
    folder after (``OUT/smollm2-135m/``), not this machine's cache path. Other models
    (an explicit ``--model hf``, ``vllm``) do not know aliases: they get the resolved
    folder. ``backend`` (``--backend``) picks the model when ``--model`` is not given;
    ``adapter=`` in the model args is expanded from the adapter's manifest.

    Raises:
        ToolplanError: ``--backend`` contradicts ``--model``; a bad adapter or a vLLM
            ``max_lora_rank`` below the adapter's rank.
    """
    model_args: dict[str, Any] = dict(args.model_args or {})
    if backend == "vllm":
        if args.model not in (None, "", "vllm"):
            raise ToolplanError(
                f"--backend vllm and --model {args.model} disagree. Fix: drop one of them."
            )
        args.model = "vllm"
    elif backend == "hf" and args.model not in (None, "", "hf", "toolplan-hf"):
        raise ToolplanError(f"--backend hf and --model {args.model} disagree. Fix: drop one.")
    adapter = model_args.pop("adapter", None)
    if adapter:
        route: Backend = "vllm" if args.model == "vllm" else "hf"
        model_args = adapter_model_args(str(adapter), route, model_args)
    # Defaults use toolplan-hf (HFLM + cost accounting, quantization, adapter checks);
    # an explicit --model hf stays lm-eval's own.
    if args.model in EMBEDDED_MODELS:
        model_args.setdefault("pretrained", args.model)
        args.model = "toolplan-hf"
    if not args.model:
        args.model = "toolplan-hf"
    if args.model in ("hf", "toolplan-hf", "hf-auto", "huggingface", "vllm"):
        model_args.setdefault("pretrained", DEFAULT_ALIAS)
    if args.model != "toolplan-hf":
        for key in ("pretrained", "tokenizer"):
            value = model_args.get(key)
            if isinstance(value, str) and (key == "pretrained" or args.model not in API_MODELS):
                model_args[key] = resolve_model(value)
    if args.model == "vllm":
        check_lora_rank(model_args)
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
    # Before anything imports torch: the OpenMP runtime reads this once, at load.
    prefer_passive_wait()
    top, run_parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        run_parser.print_help()
        return 0
    args = top.parse_args(["run", *argv])
    include_defaults = args.__dict__.pop("with_builtin_tasks")
    no_chat_template = args.__dict__.pop("no_chat_template")
    backend = args.__dict__.pop("backend")
    if not args.tasks:
        run_parser.error("--tasks is required (see `toolplan tasks`)")
    _resolve_model(args, backend)
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
    if args.model in API_MODELS and not args.use_cache:
        logging.getLogger(__name__).warning(
            "--model %s without --use_cache: if the server fails mid-run, the answers "
            "already received are lost. Add --use_cache PATH to keep them.",
            args.model,
        )
    with _plugin_task_manager(include_defaults):
        try:
            args.func(args)
        except Exception as e:  # narrowed below: only an API model's network failures
            if args.model not in API_MODELS or not is_server_failure(_root_cause(e)):
                raise
            base_url = (args.model_args or {}).get("base_url")
            raise ToolplanError(server_failure_message(args.model, base_url, _root_cause(e))) from e
    return 0


def _root_cause(error: BaseException) -> BaseException:
    """The innermost exception (tenacity's RetryError and re-raises wrap the real one)."""
    seen = {id(error)}
    while True:
        inner = getattr(error, "last_attempt", None)
        nxt = inner.exception() if inner is not None else (error.__cause__ or error.__context__)
        if nxt is None or id(nxt) in seen:
            return error
        seen.add(id(nxt))
        error = nxt


__all__ = ["main", "tasks_dir"]
