"""Function calls as data: decode model output into calls, and render calls back as text.

Two output conventions are decoded:

* **Python** (BFCL prompt mode): a Python list of calls, ``[f(a=1), g(b="x")]``.
  ``parse_python_calls`` mirrors ``bfcl_eval``'s ``default_decode_ast_prompting`` (strip
  backticks, newlines and spaces from both ends; add a missing ``[`` or ``]``; parse)
  but builds every value from the ``ast`` node itself: nothing is ever passed to
  ``eval`` or ``exec``.
* **JSON** (Hermes/Qwen): ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
  blocks. ``parse_json_tool_calls`` also reports whether text lies outside the blocks
  and whether every block was valid JSON (the GRPO reward gates on both).

Decoders never raise: every input ends as ``Decoded`` with calls, or with a namespaced
cause ``fc:decode:<reason>`` and a one-line detail. Size caps make a 50 kB output,
binary data, 10,000 arguments or deep nesting a failed decode, never a crash or a hang.

Value rules of the Python decoder (BFCL's ``resolve_ast_by_type`` in brackets where it
differs; each difference leaves a ``fc:note:*`` on the result so it can be counted):

* constants as themselves; ``...`` as the string ``"..."``; ``-5`` / ``+5`` as numbers
  [BFCL turns ``+5`` into ``-5``: ``NOTE_UNARY_PLUS``];
* lists, tuples and dicts element by element; a set becomes a list in written order
  with duplicates dropped [BFCL fails to decode: ``NOTE_SET``];
* a bare name (``x``, ``true``) becomes its identifier as a string, as in BFCL;
* a call with keywords inside an argument becomes ``{name: {kw: value}}``, as in BFCL; a
  call without keywords becomes its source text, as in BFCL;
* ``a[b]`` becomes its source text, as in BFCL;
* ``+ - * / // % **`` between numbers is folded safely (exponents and results capped;
  ``str + str`` concatenated) [BFCL ``eval``s: same value, ``NOTE_FOLDED``]; any other
  binary expression is kept as its source text [BFCL ``eval``s it:
  ``NOTE_EXPRESSION_TEXT``];
* a lambda is kept as its source text [BFCL fails to decode: ``NOTE_LAMBDA``];
* positional arguments of a call are dropped, as in BFCL (``NOTE_POSITIONAL``); of a
  repeated keyword the last value counts, as in BFCL (``NOTE_REPEATED_KEYWORD``);
* anything else (attributes, f-strings, comparisons, comprehensions, ``**kw``, bytes,
  complex numbers) fails with ``fc:decode:unsupported_value`` [BFCL also fails, except
  for bytes and complex numbers, which it keeps].

A ```` ```python ```` fence is accepted (its language tag dropped) [BFCL fails to decode:
``NOTE_FENCE_TAG``]; a plain ```` ``` ```` fence is accepted by both.
"""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

CallFormat = Literal["python", "json"]
FORMATS: tuple[CallFormat, ...] = ("python", "json")

# Caps: beyond these an output is a failed decode with a cause (never a crash or a hang).
MAX_TEXT_CHARS = 20_000
MAX_CALLS = 64
MAX_ARGS = 128
MAX_DEPTH = 24
MAX_STRING_CHARS = 10_000
_MAX_EXPONENT = 64
_MAX_INT_BITS = 256

# Decode causes (namespace fc:decode; the checker's causes are in harness_ext.fc.checker).
DECODE = "fc:decode"
NOT_TEXT = "fc:decode:not_text"
TOO_LONG = "fc:decode:too_long"
BINARY = "fc:decode:binary"
SYNTAX = "fc:decode:syntax"
NOT_A_CALL = "fc:decode:not_a_call"
UNSUPPORTED_VALUE = "fc:decode:unsupported_value"
TOO_MANY_CALLS = "fc:decode:too_many_calls"
TOO_MANY_ARGS = "fc:decode:too_many_args"
TOO_DEEP = "fc:decode:too_deep"
NO_TOOL_CALL = "fc:decode:no_tool_call"
INVALID_JSON = "fc:decode:invalid_json"
BAD_CALL_SHAPE = "fc:decode:bad_call_shape"

# Notes: what the decoder did that BFCL's decoder does differently (or the same, but
# silently). A note never makes a decode fail.
NOTE_FENCE_TAG = "fc:note:fence_language_tag"
NOTE_LAMBDA = "fc:note:lambda_as_text"
NOTE_SET = "fc:note:set_as_list"
NOTE_UNARY_PLUS = "fc:note:unary_plus"
NOTE_FOLDED = "fc:note:arithmetic_folded"
NOTE_EXPRESSION_TEXT = "fc:note:expression_as_text"
NOTE_POSITIONAL = "fc:note:positional_args_dropped"
NOTE_REPEATED_KEYWORD = "fc:note:repeated_keyword_last_wins"
NOTE_BARE_JSON = "fc:note:json_without_tags"
NOTE_UNCLOSED_TAG = "fc:note:unclosed_tool_call"
NOTE_ARGUMENTS_STRING = "fc:note:arguments_as_json_string"

# Notes after which BFCL's own prompt-mode decoder would have failed on the same text.
BFCL_DECODE_WOULD_FAIL = frozenset({NOTE_FENCE_TAG, NOTE_LAMBDA, NOTE_SET})
# Notes after which BFCL's decoder may have produced a different value.
BFCL_VALUE_MAY_DIFFER = frozenset({NOTE_UNARY_PLUS, NOTE_EXPRESSION_TEXT})

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_FENCE_TAG_RE = re.compile(r"\A(?:python|py|python3|json|tool_code)[ \t]*\n", re.IGNORECASE)
_TOOL_CALL_RE = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.DOTALL)
_JSON_FENCE_RE = re.compile(r"\A```(?:json)?\s*\n?(.*?)\n?```\s*\Z", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Call:
    """One function call: its name and keyword arguments (treat ``args`` as read-only).

    Values are plain Python data: str, int, float, bool, None, list, tuple, dict (a
    nested keyword call is ``{name: {kw: value}}``, as BFCL decodes it).
    """

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def to_bfcl(self) -> dict[str, dict[str, Any]]:
        """BFCL's decoded form, ``{name: {param: value}}``."""
        return {self.name: dict(self.args)}

    @classmethod
    def from_bfcl(cls, item: Mapping[str, Mapping[str, Any]]) -> Call:
        """From BFCL's decoded form ``{name: {param: value}}`` (exactly one key)."""
        ((name, args),) = item.items()
        return cls(str(name), dict(args))


@dataclass(frozen=True)
class Decoded:
    """What a decoder made of one output.

    Attributes:
        calls: The decoded calls, in written order (empty on failure, and for ``[]``).
        cause: None when decoded; else ``fc:decode:<reason>``.
        detail: One line saying what went wrong (empty when decoded).
        notes: ``fc:note:*`` codes for choices that differ from BFCL's decoder.
        json_valid: JSON format only: every ``<tool_call>`` block (or the bare output)
            parsed as JSON. None for the Python format.
        outside_text: Non-whitespace text lies outside the calls (JSON format: outside
            the ``<tool_call>`` blocks; Python format: the text did not decode).
    """

    calls: tuple[Call, ...] = ()
    cause: str | None = None
    detail: str = ""
    notes: tuple[str, ...] = ()
    json_valid: bool | None = None
    outside_text: bool = False

    @property
    def ok(self) -> bool:
        """True when the output decoded (possibly into zero calls)."""
        return self.cause is None

    def to_bfcl(self) -> list[dict[str, dict[str, Any]]]:
        """The calls in BFCL's decoded form, ``[{name: {param: value}}, ...]``."""
        return [c.to_bfcl() for c in self.calls]


class _DecodeFailure(Exception):
    """Internal: stops a decode with a cause (never escapes this module)."""

    def __init__(self, cause: str, detail: str) -> None:
        super().__init__(detail)
        self.cause, self.detail = cause, detail


def _fail(cause: str, detail: str, **extra: Any) -> Decoded:
    return Decoded(cause=cause, detail=detail[:300], **extra)


def _guard(text: object) -> str | Decoded:
    """The text itself, or a failure for what no decoder should look at: non-text,
    oversized or binary output."""
    if not isinstance(text, str):
        return _fail(NOT_TEXT, f"output is {type(text).__name__}, not str", outside_text=True)
    if len(text) > MAX_TEXT_CHARS:
        return _fail(
            TOO_LONG,
            f"output has {len(text)} characters (cap {MAX_TEXT_CHARS})",
            outside_text=True,
        )
    bad = _CONTROL_RE.search(text)
    if bad:
        return _fail(
            BINARY,
            f"output holds control/binary character {bad.group()!r} at {bad.start()}",
            outside_text=True,
        )
    return text


# ---------------------------------------------------------------- Python (BFCL prompt mode)


def parse_python_calls(text: object) -> Decoded:
    """Decode BFCL prompt-mode output, a Python list of calls, without evaluating it.

    Edge rules: ``[]`` decodes to zero calls; a single call without brackets and a
    missing final ``]`` are accepted (as BFCL does); a list element that is not a call
    fails with ``fc:decode:not_a_call``; see the module docstring for values. Never
    raises.

    Args:
        text: The model's output.

    Returns:
        ``Decoded`` with the calls, or with a ``fc:decode:*`` cause.
    """
    guarded = _guard(text)
    if isinstance(guarded, Decoded):
        return guarded
    text = guarded
    notes: list[str] = []
    body = text.strip("`\n ")
    if text.lstrip(" \n").startswith("`"):
        tag = _FENCE_TAG_RE.match(body)
        if tag:
            body = body[tag.end() :].strip("`\n ")
            notes.append(NOTE_FENCE_TAG)
    if not body.startswith("["):
        body = "[" + body
    if not body.endswith("]"):
        body = body + "]"
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence" in model text
            warnings.simplefilter("ignore")
            tree = ast.parse(body, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        return _fail(
            SYNTAX, f"not a Python list of calls ({type(e).__name__}: {e})", outside_text=True
        )
    node = tree.body
    elements = [node] if isinstance(node, ast.Call) else getattr(node, "elts", None)
    if not isinstance(node, (ast.Call, ast.List, ast.Tuple, ast.Set)) or elements is None:
        return _fail(
            NOT_A_CALL, f"output is a {type(node).__name__}, not a list of calls", outside_text=True
        )
    if len(elements) > MAX_CALLS:
        return _fail(TOO_MANY_CALLS, f"{len(elements)} calls (cap {MAX_CALLS})", outside_text=True)
    calls: list[Call] = []
    try:
        for i, element in enumerate(elements):
            if not isinstance(element, ast.Call):
                raise _DecodeFailure(
                    NOT_A_CALL, f"element {i} is a {type(element).__name__}, not a call"
                )
            name, args = _call(element, notes, depth=0)
            calls.append(Call(name, args))
    except _DecodeFailure as e:
        return _fail(e.cause, e.detail, notes=tuple(dict.fromkeys(notes)), outside_text=True)
    except RecursionError:
        return _fail(TOO_DEEP, "value nesting too deep", outside_text=True)
    return Decoded(calls=tuple(calls), notes=tuple(dict.fromkeys(notes)))


def _call_name(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise _DecodeFailure(NOT_A_CALL, f"called object is a {type(node).__name__}, not a name")
    parts.append(node.id)
    return ".".join(reversed(parts))


def _call(node: ast.Call, notes: list[str], depth: int) -> tuple[str, dict[str, Any]]:
    name = _call_name(node.func)
    if len(node.keywords) > MAX_ARGS:
        raise _DecodeFailure(
            TOO_MANY_ARGS, f"call {name} has {len(node.keywords)} arguments (cap {MAX_ARGS})"
        )
    if node.args:
        notes.append(NOTE_POSITIONAL)
    args: dict[str, Any] = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise _DecodeFailure(
                UNSUPPORTED_VALUE, f"call {name} unpacks **{ast.unparse(kw.value)}"
            )
        if kw.arg in args:
            notes.append(NOTE_REPEATED_KEYWORD)
        args[kw.arg] = _value(kw.value, notes, depth + 1)
    return name, args


def _value(node: ast.expr, notes: list[str], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _DecodeFailure(TOO_DEEP, f"values nested deeper than {MAX_DEPTH}")
    if isinstance(node, ast.Constant):
        value = node.value
        if value is Ellipsis:
            return "..."
        if isinstance(value, (bytes, complex)):
            raise _DecodeFailure(UNSUPPORTED_VALUE, f"{type(value).__name__} literal")
        if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            raise _DecodeFailure(TOO_LONG, f"string of {len(value)} characters")
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = node.operand
        number = operand.value if isinstance(operand, ast.Constant) else None
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            if isinstance(node.op, ast.UAdd):
                notes.append(NOTE_UNARY_PLUS)
                return number
            return -number
        raise _DecodeFailure(UNSUPPORTED_VALUE, f"unary operator on {ast.unparse(node)[:60]}")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if len(node.elts) > MAX_ARGS * 8:
            raise _DecodeFailure(TOO_MANY_ARGS, f"a collection of {len(node.elts)} items")
        items = [_value(e, notes, depth + 1) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(items)
        if isinstance(node, ast.Set):
            notes.append(NOTE_SET)
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            return unique
        return items
    if isinstance(node, ast.Dict):
        if len(node.keys) > MAX_ARGS * 8:
            raise _DecodeFailure(TOO_MANY_ARGS, f"a dict of {len(node.keys)} items")
        out: dict[Any, Any] = {}
        for k, v in zip(node.keys, node.values, strict=True):
            if k is None:
                raise _DecodeFailure(UNSUPPORTED_VALUE, "dict unpacking (**)")
            key = _value(k, notes, depth + 1)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise _DecodeFailure(UNSUPPORTED_VALUE, f"dict key of type {type(key).__name__}")
            out[key] = _value(v, notes, depth + 1)
        return out
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        if not node.keywords:
            return ast.unparse(node)
        name, args = _call(node, notes, depth)
        return {name: args}
    if isinstance(node, ast.Subscript):
        return ast.unparse(node)
    if isinstance(node, ast.BinOp):
        folded = _fold(node, depth)
        if folded is not _NOT_FOLDED:
            notes.append(NOTE_FOLDED)
            return folded
        notes.append(NOTE_EXPRESSION_TEXT)
        return ast.unparse(node)
    if isinstance(node, ast.Lambda):
        notes.append(NOTE_LAMBDA)
        return ast.unparse(node)
    raise _DecodeFailure(
        UNSUPPORTED_VALUE, f"{type(node).__name__} value {ast.unparse(node)[:60]!r}"
    )


_NOT_FOLDED = object()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fold(node: ast.expr, depth: int) -> Any:
    """Value of plain arithmetic on number literals (or str + str); else _NOT_FOLDED."""
    if depth > MAX_DEPTH:
        return _NOT_FOLDED
    if isinstance(node, ast.Constant) and (_is_number(node.value) or isinstance(node.value, str)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _fold(node.operand, depth + 1)
        if _is_number(inner):
            return -inner if isinstance(node.op, ast.USub) else inner
        return _NOT_FOLDED
    if not isinstance(node, ast.BinOp):
        return _NOT_FOLDED
    left, right = _fold(node.left, depth + 1), _fold(node.right, depth + 1)
    if left is _NOT_FOLDED or right is _NOT_FOLDED:
        return _NOT_FOLDED
    if isinstance(left, str) or isinstance(right, str):
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            joined = left + right
            return joined if len(joined) <= MAX_STRING_CHARS else _NOT_FOLDED
        return _NOT_FOLDED
    op = node.op
    try:
        if isinstance(op, ast.Add):
            result = left + right
        elif isinstance(op, ast.Sub):
            result = left - right
        elif isinstance(op, ast.Mult):
            result = left * right
        elif isinstance(op, ast.Div):
            result = left / right
        elif isinstance(op, ast.FloorDiv):
            result = left // right
        elif isinstance(op, ast.Mod):
            result = left % right
        elif isinstance(op, ast.Pow):
            if abs(right) > _MAX_EXPONENT or abs(left) > 2**_MAX_EXPONENT:
                return _NOT_FOLDED
            result = left**right
        else:
            return _NOT_FOLDED
    except (ZeroDivisionError, OverflowError, ValueError):
        return _NOT_FOLDED
    if isinstance(result, complex):
        return _NOT_FOLDED
    if isinstance(result, int) and result.bit_length() > _MAX_INT_BITS:
        return _NOT_FOLDED
    if isinstance(result, float) and not math.isfinite(result):
        return _NOT_FOLDED
    return result


# ---------------------------------------------------------------- JSON (Hermes/Qwen)


def parse_json_tool_calls(text: object) -> Decoded:
    """Decode Hermes/Qwen ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` calls.

    Edge rules: every ``<tool_call>`` block is one call (a final block cut off before
    ``</tool_call>`` still counts, with ``NOTE_UNCLOSED_TAG``); ``arguments`` may be an
    object or a JSON string holding one; without any tag, an output that is as a whole
    a JSON call object or a list of them (optionally in a ```` ```json ```` fence) is
    accepted with ``NOTE_BARE_JSON``; otherwise it is ``fc:decode:no_tool_call``.
    ``outside_text`` is True when non-whitespace text lies outside the blocks; it does
    not fail the decode (the lm-eval metric ignores such text, as BFCL's Qwen handler
    does; the GRPO reward gates on it). Never raises.

    Args:
        text: The model's output.

    Returns:
        ``Decoded`` with calls, ``json_valid`` and ``outside_text`` set.
    """
    guarded = _guard(text)
    if isinstance(guarded, Decoded):
        return Decoded(
            cause=guarded.cause, detail=guarded.detail, json_valid=False, outside_text=True
        )
    text = guarded
    notes: list[str] = []
    blocks = [m.group(1) for m in _TOOL_CALL_RE.finditer(text)]
    if not blocks:
        return _bare_json(text)
    if not text.rstrip().endswith("</tool_call>"):
        last = text.rfind("<tool_call>")
        if "</tool_call>" not in text[last:]:
            notes.append(NOTE_UNCLOSED_TAG)
    outside = _TOOL_CALL_RE.sub("", text).replace("</tool_call>", "").strip()
    if len(blocks) > MAX_CALLS:
        return _fail(
            TOO_MANY_CALLS,
            f"{len(blocks)} tool calls (cap {MAX_CALLS})",
            json_valid=True,
            outside_text=bool(outside),
        )
    objects: list[Any] = []
    for i, block in enumerate(blocks):
        try:
            objects.append(json.loads(block))
        except (json.JSONDecodeError, RecursionError) as e:
            return _fail(
                INVALID_JSON,
                f"<tool_call> block {i} is not JSON ({e})",
                json_valid=False,
                outside_text=bool(outside),
                notes=tuple(notes),
            )
    return _calls_from_objects(objects, notes, outside_text=bool(outside))


def _bare_json(text: str) -> Decoded:
    stripped = text.strip()
    fenced = _JSON_FENCE_RE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    if not stripped.startswith(("{", "[")):
        return _fail(
            NO_TOOL_CALL,
            "no <tool_call> block and no JSON call object",
            json_valid=False,
            outside_text=bool(stripped),
        )
    try:
        data = json.loads(stripped)
    except (json.JSONDecodeError, RecursionError) as e:
        return _fail(INVALID_JSON, f"output is not JSON ({e})", json_valid=False, outside_text=True)
    objects = data if isinstance(data, list) else [data]
    if len(objects) > MAX_CALLS:
        return _fail(TOO_MANY_CALLS, f"{len(objects)} calls (cap {MAX_CALLS})", json_valid=True)
    return _calls_from_objects(objects, [NOTE_BARE_JSON], outside_text=False)


def _calls_from_objects(objects: list[Any], notes: list[str], outside_text: bool) -> Decoded:
    calls: list[Call] = []
    for i, obj in enumerate(objects):
        try:
            calls.append(_json_call(obj, i, notes))
        except _DecodeFailure as e:
            return _fail(
                e.cause,
                e.detail,
                json_valid=True,
                outside_text=outside_text,
                notes=tuple(dict.fromkeys(notes)),
            )
    return Decoded(
        calls=tuple(calls),
        notes=tuple(dict.fromkeys(notes)),
        json_valid=True,
        outside_text=outside_text,
    )


def _json_call(obj: Any, i: int, notes: list[str]) -> Call:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise _DecodeFailure(BAD_CALL_SHAPE, f"call {i} is not an object with a string 'name'")
    args = obj.get("arguments")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except (json.JSONDecodeError, RecursionError) as e:
            raise _DecodeFailure(
                BAD_CALL_SHAPE, f"call {i} ({obj['name']}): 'arguments' string is not JSON ({e})"
            ) from None
        notes.append(NOTE_ARGUMENTS_STRING)
    if not isinstance(args, dict):
        raise _DecodeFailure(
            BAD_CALL_SHAPE, f"call {i} ({obj['name']}): 'arguments' is not an object"
        )
    if len(args) > MAX_ARGS:
        raise _DecodeFailure(
            TOO_MANY_ARGS, f"call {i} ({obj['name']}) has {len(args)} arguments (cap {MAX_ARGS})"
        )
    if _depth(args) > MAX_DEPTH:
        raise _DecodeFailure(TOO_DEEP, f"call {i} ({obj['name']}): values nested too deep")
    return Call(obj["name"], args)


def _depth(value: Any) -> int:
    """Nesting depth of JSON data, iteratively (so no recursion limit is involved)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def decode_calls(text: object, fmt: CallFormat) -> Decoded:
    """Decode ``text`` in the given output format (``python`` or ``json``); never raises."""
    return parse_json_tool_calls(text) if fmt == "json" else parse_python_calls(text)


# ---------------------------------------------------------------- rendering


def format_python_value(value: Any) -> str:
    """Python source of a decoded value, such that ``parse_python_calls`` reads it back.

    A dict of exactly one key whose value is a dict is written as a dict, not as the
    nested call it may stand for (the decoded form cannot tell the two apart).
    """
    if isinstance(value, (list, tuple)):
        inner = ", ".join(format_python_value(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{format_python_value(k)}: {format_python_value(v)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        return repr(str(value))
    return repr(value)


def format_python_call(call: Call) -> str:
    """One call as BFCL writes it, e.g. ``cd(folder='x')`` (keyword arguments only)."""
    args = ", ".join(f"{k}={format_python_value(v)}" for k, v in call.args.items())
    return f"{call.name}({args})"


def format_python_calls(calls: list[Call] | tuple[Call, ...]) -> str:
    """A list of calls in BFCL's prompt-mode output format, e.g. ``[f(a=1), g(b=2)]``."""
    return "[" + ", ".join(format_python_call(c) for c in calls) + "]"


def format_json_tool_calls(calls: list[Call] | tuple[Call, ...]) -> str:
    """Calls as Hermes/Qwen ``<tool_call>`` blocks, one per line."""
    return "\n".join(
        "<tool_call>\n"
        + json.dumps({"name": c.name, "arguments": dict(c.args)}, ensure_ascii=False)
        + "\n</tool_call>"
        for c in calls
    )
