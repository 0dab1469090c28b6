"""BFCL's own checker, imported the way research note §2 describes (tests and benchmarks only).

``bfcl_eval``'s ``ast_checker`` imports ``constants.model_config``, which pulls in every
API client BFCL supports; a stub module with a ``MODEL_CONFIG_MAPPING`` whose entries say
``underscore_to_dot=False`` (prompt-mode models) replaces it. ``bfcl_eval.utils`` is never
imported (its import creates folders inside site-packages). Production code never imports
this module: it installs a stub into ``sys.modules``.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

STUB = "bfcl_eval.constants.model_config"


class _Config:
    underscore_to_dot = False


class _Mapping(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> _Config:
        return _Config()


def bfcl_ast_checker() -> Callable[..., dict[str, Any]]:
    """``ast_checker(functions, decoded, ground_truth, bfcl_category)`` of bfcl-eval (Python)."""
    if STUB not in sys.modules:
        stub = types.ModuleType(STUB)
        stub.MODEL_CONFIG_MAPPING = _Mapping()  # type: ignore[attr-defined]
        sys.modules[STUB] = stub
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    def check(
        functions: Sequence[Mapping[str, Any]],
        decoded: list[dict[str, Any]],
        ground_truth: Sequence[Mapping[str, Any]],
        bfcl_category: str,
    ) -> dict[str, Any]:
        return ast_checker(
            list(functions), decoded, list(ground_truth), Language.PYTHON, bfcl_category, "toolplan"
        )

    return check


def bfcl_entry_verdict(
    check: Callable[..., dict[str, Any]],
    functions: Sequence[Mapping[str, Any]],
    decoded: list[dict[str, Any]] | None,
    ground_truth: Sequence[Mapping[str, Any]],
    bfcl_category: str,
) -> bool:
    """BFCL's eval_runner verdict for one entry, given its decoded output (None = failed).

    Irrelevance passes when decoding failed or yielded no call
    (``_evaluate_single_relevance_entry``); other categories fail on a failed decode and
    otherwise ask ``ast_checker`` (``_evaluate_single_ast_entry``).
    """
    if "irrelevance" in bfcl_category:
        return decoded is None or len(decoded) == 0
    if decoded is None:
        return False
    return bool(check(functions, decoded, ground_truth, bfcl_category)["valid"])


class EvalDisabled(Exception):
    """Raised where BFCL's code would call ``eval`` (disabled in functions loaded here)."""


def _no_eval(*_: object, **__: object) -> None:
    raise EvalDisabled


def bfcl_source_functions(module: str, names: tuple[str, ...], **namespace: Any) -> dict[str, Any]:
    """Top-level functions of a bfcl-eval module, compiled from its source, ``eval`` disabled.

    For modules that cannot be imported here (``bfcl_eval.model_handler.utils`` needs
    tree_sitter and imports ``bfcl_eval.utils``): the named functions are taken from the
    installed source and run in ``namespace``. This is BFCL's library code, never model
    output; where it would ``eval`` model output, ``EvalDisabled`` is raised instead.
    """
    import ast
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    tree = ast.parse(Path(spec.origin).read_text("utf-8"))
    wanted = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    assert {n.name for n in wanted} == set(names), f"{module} no longer defines {names}"
    scope: dict[str, Any] = {"eval": _no_eval, **namespace}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), spec.origin, "exec"), scope)
    return {name: scope[name] for name in names}
