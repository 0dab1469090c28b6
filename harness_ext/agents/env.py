"""The environment of one BFCL multi-turn task: fresh backend instances and a safe dispatcher.

:class:`Environment` instantiates the task's backend classes and loads each one's
``initial_config`` (a deep copy), so no state is shared between tasks or between two
environments of the same task (BFCL's own executor keeps instances in module globals).
A call reaches a backend only through :meth:`Environment.dispatch`:

1. **parse** — call strings (ground truth, replayed lists) are decoded by
   ``harness_ext.fc.calls.parse_python_calls`` (``ast`` only, never ``eval``); the
   caller's ``Action``/``Action Input`` arrive as a ``Call`` already;
2. **validate** against the function docs of the task's *available* functions (a
   ``miss_func`` function is unavailable until its turn): the name must be a documented
   function of an involved class (never ``_``-prefixed, never dotted), required
   parameters present, no unknown parameters, JSON-schema types as BFCL's docs give them
   (``integer`` refuses bools and floats; ``float`` takes ints, as Python does), and
   numbers within ``data/limits.json`` (so a call cannot make a backend hang);
3. **invoke** the backend's *public bound method* of that name with keyword arguments;
4. **observe**: the return value becomes text the way BFCL's executor writes it (a str
   as is, a dict as JSON, anything else ``str()``), an exception becomes
   ``Error during execution: <message>``; a call refused in steps 1-2 becomes an
   ``Error: ...`` observation with a namespaced cause (``agent:dispatch:<reason>``).

Positional arguments in a call string (the ground truth has 40, e.g.
``sort('final_report.pdf')``) are bound to parameter names by the backend method's
signature — what Python does when BFCL ``eval``s the string. ``fc.calls`` drops
positional arguments, so they are moved into keywords at the syntax-tree level first
(:func:`bind_positional`) and the rewritten text is decoded by ``fc.calls`` again.

``MathAPI`` sets process-wide precision (``mpmath.mp.dps``, the ``decimal`` context); both
are restored after every call, so one task cannot change another's arithmetic.
"""

from __future__ import annotations

import ast
import copy
import decimal
import functools
import importlib.resources
import inspect
import json
import math
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from harness_ext.agents.bfcl import BACKENDS, FunctionDoc, MultiTurnTask, backend_class
from harness_ext.agents.bfcl import function_docs as _docs_of
from harness_ext.errors import DataFileError
from harness_ext.fc.calls import NOTE_POSITIONAL, Call, format_python_call, parse_python_calls

# Causes of a refused call (namespace agent:dispatch).
DECODE = "agent:dispatch:decode"
PRIVATE_NAME = "agent:dispatch:private_name"
UNKNOWN_FUNCTION = "agent:dispatch:unknown_function"
WITHHELD_FUNCTION = "agent:dispatch:withheld_function"
MISSING_REQUIRED = "agent:dispatch:missing_required"
UNKNOWN_PARAM = "agent:dispatch:unknown_param"
WRONG_TYPE = "agent:dispatch:wrong_type"
OUT_OF_RANGE = "agent:dispatch:out_of_range"
TOO_MANY_POSITIONAL = "agent:dispatch:too_many_positional"
NOT_A_METHOD = "agent:dispatch:not_a_method"

EXECUTION_ERROR_PREFIX = "Error during execution: "
MAX_OBSERVATION_CHARS = 20_000

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "float": (int, float),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
    "object": (dict,),
}


@dataclass(frozen=True)
class Limits:
    """Argument bounds (``data/limits.json``)."""

    max_abs_number: float
    params: Mapping[str, tuple[float, float]]


@functools.lru_cache(maxsize=1)
def load_limits() -> Limits:
    """Read ``harness_ext/agents/data/limits.json``.

    Raises:
        DataFileError: the file is malformed (names the field).
    """
    path = importlib.resources.files("harness_ext.agents") / "data" / "limits.json"
    data = json.loads(path.read_text("utf-8"))
    fix = "keep the format of harness_ext/agents/data/limits.json"
    if data.get("format") != "toolplan-agent-limits/1":
        raise DataFileError(str(path), "'format' is not toolplan-agent-limits/1", fix)
    params = {}
    for key, bounds in dict(data.get("params", {})).items():
        if key.count(".") != 2 or not (isinstance(bounds, list) and len(bounds) == 2):
            raise DataFileError(
                str(path), f"params.{key} is not Class.function.param: [lo, hi]", fix
            )
        params[key] = (float(bounds[0]), float(bounds[1]))
    return Limits(float(data["max_abs_number"]), params)


@dataclass(frozen=True)
class Observation:
    """What one call did.

    Attributes:
        call: The call as BFCL writes it (``cd(folder='x')``); for text that did not
            decode, the text itself (cut to 200 characters).
        text: The backend's result as text, or the error text.
        executed: True when a backend method ran (it may still have returned an error).
        cause: None when executed; else ``agent:dispatch:<reason>``.
    """

    call: str
    text: str
    executed: bool
    cause: str | None = None


def result_text(value: Any) -> str:
    """A backend's return value as BFCL's executor writes it: str as is, dict as JSON
    (``str()`` when it does not serialise), anything else ``str()``."""
    if type(value) is str:
        return value
    if type(value) is dict:
        try:
            return json.dumps(value)
        except (TypeError, ValueError, OverflowError):
            return str(value)
    return str(value)


def _type_ok(value: Any, kind: str | None) -> bool:
    if kind is None or kind == "any":
        return True
    allowed = _TYPES.get(kind)
    if allowed is None:
        return True
    if isinstance(value, bool) and bool not in allowed:
        return False
    return isinstance(value, allowed)


def _numbers(value: Any, depth: int = 0) -> Iterator[float]:
    if depth > 32:
        return
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item, depth + 1)


@contextmanager
def _isolated_precision() -> Iterator[None]:
    """Restore ``mpmath.mp.dps`` and the ``decimal`` context after a backend call."""
    mpmath = sys.modules.get("mpmath")
    dps = mpmath.mp.dps if mpmath is not None else None
    try:
        with decimal.localcontext():
            yield
    finally:
        if mpmath is not None and dps is not None:
            mpmath.mp.dps = dps


@functools.lru_cache(maxsize=512)
def _parameters(backend: str, name: str) -> tuple[str, ...]:
    """A backend method's parameter names in order (``self`` left out)."""
    method = getattr(backend_class(backend), name)
    return tuple(p for p in inspect.signature(method).parameters if p != "self")


def bind_positional(text: str, signatures: Mapping[str, list[str]]) -> str | None:
    """Rewrite positional arguments of the calls in ``text`` as keywords.

    ``signatures`` maps a function name to its parameter names in order. Returns the
    rewritten source, or None when a call has more positional arguments than its
    function has parameters (or names a function not in ``signatures`` while using
    positionals). Only call it on text ``parse_python_calls`` already decoded.
    """
    body = text.strip("`\n ")
    if not body.startswith("["):
        body = "[" + body
    if not body.endswith("]"):
        body += "]"
    try:
        tree = ast.parse(body, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return None
    node = tree.body
    elements = [node] if isinstance(node, ast.Call) else list(getattr(node, "elts", []))
    for element in elements:
        if not isinstance(element, ast.Call) or not element.args:
            continue
        name = element.func.id if isinstance(element.func, ast.Name) else None
        params = signatures.get(name or "")
        if params is None or len(element.args) > len(params):
            return None
        taken = {kw.arg for kw in element.keywords}
        extra = [
            ast.keyword(arg=param, value=arg)
            for param, arg in zip(params, element.args, strict=False)
            if param not in taken
        ]
        element.keywords = extra + list(element.keywords)
        element.args = []
    return ast.unparse(ast.List(elts=elements, ctx=ast.Load()))


class Environment:
    """Fresh backend instances of one task, its available functions and the dispatcher.

    Args:
        task: The BFCL task; its ``initial_config`` is deep-copied into each backend.
        limits: Argument bounds (default: ``data/limits.json``).
    """

    def __init__(self, task: MultiTurnTask, limits: Limits | None = None) -> None:
        self.task = task
        self.limits = limits or load_limits()
        self.instances: dict[str, Any] = {}
        for name in task.involved_classes:
            instance = backend_class(name)()
            if not BACKENDS[name].stateless:
                config = copy.deepcopy(dict(task.initial_config.get(name, {})))
                instance._load_scenario(config, long_context=False)
            self.instances[name] = instance
        self._docs: dict[str, FunctionDoc] = {
            d.name: d for name in task.involved_classes for d in _docs_of(name)
        }
        self._release: dict[str, int] = {
            fn: turn for turn, names in task.missed_function.items() for fn in names
        }
        self.turn = 0

    # ------------------------------------------------------------------ functions

    def begin_turn(self, turn: int) -> tuple[str, ...]:
        """Enter turn ``turn`` (0-based); return the functions released by it (miss_func)."""
        self.turn = turn
        return tuple(fn for fn, at in self._release.items() if at == turn)

    def is_available(self, name: str) -> bool:
        """A documented function of the task that is not withheld at the current turn."""
        return name in self._docs and self._release.get(name, -1) <= self.turn

    def available(self) -> tuple[FunctionDoc, ...]:
        """Docs of the functions the model may call now, in BFCL's order."""
        return tuple(d for d in self._docs.values() if self.is_available(d.name))

    def available_names(self) -> tuple[str, ...]:
        """Names of :meth:`available`."""
        return tuple(d.name for d in self.available())

    def _signature(self, name: str) -> list[str]:
        return list(_parameters(self._docs[name].backend, name))

    # ------------------------------------------------------------------ dispatch

    def refuse(self, call: str, cause: str, detail: str) -> Observation:
        """An observation for a call that was not run."""
        return Observation(call=call[:200], text=f"Error: {detail}", executed=False, cause=cause)

    def validate(self, call: Call) -> tuple[str, str] | None:
        """Why ``call`` may not run (cause, detail), or None when it may."""
        name = call.name
        if name.startswith("_") or "." in name:
            return PRIVATE_NAME, f"'{name}' is not a function you can call"
        doc = self._docs.get(name)
        if doc is None:
            return UNKNOWN_FUNCTION, (
                f"no function '{name}'. Available: {', '.join(self.available_names())}"
            )
        if not self.is_available(name):
            return WITHHELD_FUNCTION, f"'{name}' is not available yet"
        missing = [p for p in doc.required if p not in call.args]
        if missing:
            return MISSING_REQUIRED, f"{name}: missing required argument(s) {', '.join(missing)}"
        for key, value in call.args.items():
            spec = doc.properties.get(key)
            if spec is None:
                known = ", ".join(doc.properties) or "(none)"
                return UNKNOWN_PARAM, f"{name}: unknown argument '{key}' (arguments: {known})"
            if value is None and key not in doc.required:
                continue
            kind = spec.get("type")
            if not _type_ok(value, kind):
                return WRONG_TYPE, (
                    f"{name}: argument '{key}' must be {kind}, got {type(value).__name__}"
                )
            bounds = self.limits.params.get(f"{doc.backend}.{name}.{key}")
            for number in _numbers(value):
                if not math.isfinite(number) or abs(number) > self.limits.max_abs_number:
                    return OUT_OF_RANGE, f"{name}: argument '{key}' is out of range"
                if bounds is not None and not bounds[0] <= number <= bounds[1]:
                    return OUT_OF_RANGE, (
                        f"{name}: argument '{key}' must be within [{bounds[0]:g}, {bounds[1]:g}]"
                    )
        return None

    def dispatch(self, call: Call) -> Observation:
        """Validate ``call`` and run it on its backend; never raises for model input."""
        rendered = format_python_call(call) if call.name.isidentifier() else call.name
        problem = self.validate(call)
        if problem is not None:
            return self.refuse(rendered, *problem)
        doc = self._docs[call.name]
        instance = self.instances[doc.backend]
        # Look the name up on the class: it must be a plain function defined there
        # (not an attribute, property or something reached through __getattr__).
        attr = inspect.getattr_static(type(instance), call.name, None)
        method = getattr(instance, call.name, None)
        if not inspect.isfunction(attr) or not inspect.ismethod(method):
            return self.refuse(rendered, NOT_A_METHOD, f"'{call.name}' is not a method")
        try:
            # A deep copy: backends keep argument objects in their state (a tweet keeps
            # its ``mentions`` list), which must never alias the caller's Call.
            with _isolated_precision():
                text = result_text(method(**copy.deepcopy(dict(call.args))))
        # A backend is third-party code fed model arguments: any exception it raises is
        # the observation the model sees, exactly as in BFCL's executor.
        except Exception as e:
            text = f"{EXECUTION_ERROR_PREFIX}{e}"
        return Observation(call=rendered, text=text[:MAX_OBSERVATION_CHARS], executed=True)

    def decode(self, text: str) -> tuple[list[Call], Observation | None]:
        """Decode a BFCL call string (or a list of them) into calls.

        Returns the calls and None, or no calls and the refusal observation.
        """
        decoded = parse_python_calls(text)
        if decoded.ok and NOTE_POSITIONAL in decoded.notes:
            signatures = {name: self._signature(name) for name in self._docs}
            bound = bind_positional(text, signatures)
            if bound is None:
                return [], self.refuse(
                    str(text), TOO_MANY_POSITIONAL, "positional arguments do not fit"
                )
            decoded = parse_python_calls(bound)
        if not decoded.ok:
            return [], self.refuse(
                str(text), DECODE, f"not a call ({decoded.cause}: {decoded.detail})"
            )
        return list(decoded.calls), None

    def execute(self, text: str) -> list[Observation]:
        """Decode ``text`` (one call string or a list) and dispatch each call in order."""
        calls, refused = self.decode(text)
        if refused is not None:
            return [refused]
        return [self.dispatch(c) for c in calls]

    # ------------------------------------------------------------------ state

    def public_state(self, backend: str) -> dict[str, Any]:
        """The live public attributes of one backend (what BFCL's state check compares)."""
        return {k: v for k, v in vars(self.instances[backend]).items() if not k.startswith("_")}

    def snapshot(self) -> dict[str, Any]:
        """A JSON-safe copy of every stateful backend's public attributes."""
        return {
            name: to_plain(self.public_state(name))
            for name in self.instances
            if not BACKENDS[name].stateless
        }


def to_plain(value: Any, _seen: frozenset[int] = frozenset(), _depth: int = 0) -> Any:
    """JSON-safe form of backend state: objects become their public attributes; a cycle
    (a directory's ``parent``) or nesting beyond 24 levels becomes a short marker."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if id(value) in _seen or _depth > 24:
        return "<...>"
    seen = _seen | {id(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v, seen, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v, seen, _depth + 1) for v in value]
    if hasattr(value, "__dict__"):
        return {
            k: to_plain(v, seen, _depth + 1)
            for k, v in vars(value).items()
            if not k.startswith("_") and k != "parent"
        }
    return str(value)
