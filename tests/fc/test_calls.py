"""The call primitive: BFCL prompt-mode and Hermes JSON decoding, rendering, caps."""

from __future__ import annotations

import builtins
import dataclasses
import random
from typing import Any

import pytest

from harness_ext.fc import calls as C
from harness_ext.fc.calls import (
    Call,
    decode_calls,
    format_json_tool_calls,
    format_python_call,
    format_python_calls,
    parse_json_tool_calls,
    parse_python_calls,
)

# (output text, decoded calls in BFCL form, notes)
PYTHON_OK: list[tuple[str, list[dict[str, Any]], tuple[str, ...]]] = [
    ("[f(a=1, b='x')]", [{"f": {"a": 1, "b": "x"}}], ()),
    ("f(a=1), g(b=[1, 2])", [{"f": {"a": 1}}, {"g": {"b": [1, 2]}}], ()),
    ("[f(a=1)", [{"f": {"a": 1}}], ()),  # missing ] repaired, as BFCL does
    ("[]", [], ()),
    ("```\n[f(a=1)]\n```", [{"f": {"a": 1}}], ()),
    ("```python\n[f(a=1)]\n```", [{"f": {"a": 1}}], (C.NOTE_FENCE_TAG,)),
    ("[math.factorial(number=5)]", [{"math.factorial": {"number": 5}}], ()),
    (
        "[f(a=-1.5, b=True, c=None, d=...)]",
        [{"f": {"a": -1.5, "b": True, "c": None, "d": "..."}}],
        (),
    ),
    ("[f(a=(1, 2), b={'k': 'v'})]", [{"f": {"a": (1, 2), "b": {"k": "v"}}}], ()),
    ("[f(a=x, b=true)]", [{"f": {"a": "x", "b": "true"}}], ()),  # names -> identifiers
    ("[f(a=g(k=2))]", [{"f": {"a": {"g": {"k": 2}}}}], ()),  # nested keyword call
    ("[f(a=g(1))]", [{"f": {"a": "g(1)"}}], ()),  # call without keywords -> source
    ("[f(a=b[0])]", [{"f": {"a": "b[0]"}}], ()),
    ("[f(1, a=2)]", [{"f": {"a": 2}}], (C.NOTE_POSITIONAL,)),
    ("[f(a=1, a=2)]", [{"f": {"a": 2}}], (C.NOTE_REPEATED_KEYWORD,)),
    ("[f(a=1+2*3, b=10/4, c='a'+'b')]", [{"f": {"a": 7, "b": 2.5, "c": "ab"}}], (C.NOTE_FOLDED,)),
    ("[f(a=x+1)]", [{"f": {"a": "x + 1"}}], (C.NOTE_EXPRESSION_TEXT,)),
    ("[f(a=2**100000)]", [{"f": {"a": "2 ** 100000"}}], (C.NOTE_EXPRESSION_TEXT,)),
    ("[f(a=1/0)]", [{"f": {"a": "1 / 0"}}], (C.NOTE_EXPRESSION_TEXT,)),
    ("[f(a=lambda x: x ** 2)]", [{"f": {"a": "lambda x: x ** 2"}}], (C.NOTE_LAMBDA,)),
    ("[f(a={1, 2, 1})]", [{"f": {"a": [1, 2]}}], (C.NOTE_SET,)),
    ("[f(a=+3)]", [{"f": {"a": 3}}], (C.NOTE_UNARY_PLUS,)),
]


@pytest.mark.parametrize(("text", "expected", "notes"), PYTHON_OK)
def test_python_decoding(text: str, expected: list[dict[str, Any]], notes: tuple[str, ...]) -> None:
    decoded = parse_python_calls(text)
    assert decoded.ok, decoded.detail
    assert decoded.to_bfcl() == expected
    assert decoded.notes == notes
    assert decoded.json_valid is None and not decoded.outside_text


PYTHON_FAIL: list[tuple[object, str]] = [
    ("Sure! I will call f(a=1).", C.SYNTAX),
    ("[f(a=1)]\n\nThis calls f.", C.SYNTAX),
    ("[f(a=1), 3]", C.NOT_A_CALL),
    ("[f(a=1)] [g(b=2)]", C.NOT_A_CALL),
    ("[f()(a=1)]", C.NOT_A_CALL),
    ("[f(a=math.pi)]", C.UNSUPPORTED_VALUE),
    ("[f(a=f'{x}')]", C.UNSUPPORTED_VALUE),
    ("[f(a=1 < 2)]", C.UNSUPPORTED_VALUE),
    ("[f(**kw)]", C.UNSUPPORTED_VALUE),
    ("[f(a={**d})]", C.UNSUPPORTED_VALUE),
    ("[f(a=b'x')]", C.UNSUPPORTED_VALUE),
    ("[f(a=-x)]", C.UNSUPPORTED_VALUE),
    ("[f(a=not True)]", C.UNSUPPORTED_VALUE),
    ("[f(a=" + "[" * 30 + "]" * 30 + ")]", C.TOO_DEEP),
    ("[f(a=" + "(" * 300 + ")" * 300 + ")]", C.SYNTAX),
    ("[" + ", ".join("f(a=1)" for _ in range(100)) + "]", C.TOO_MANY_CALLS),
    ("[f(" + ", ".join(f"a{i}=1" for i in range(200)) + ")]", C.TOO_MANY_ARGS),
    ("[f(" + ", ".join(f"a{i}=1" for i in range(10_000)) + ")]", C.TOO_LONG),
    ("[f(a='" + "x" * 50_000 + "')]", C.TOO_LONG),
    ("[f(a=1)]\x00\x01\x02", C.BINARY),
    (bytes(range(256)).decode("latin-1"), C.BINARY),
    (b"[f(a=1)]", C.NOT_TEXT),
    (None, C.NOT_TEXT),
]


@pytest.mark.parametrize(("text", "cause"), PYTHON_FAIL)
def test_python_decoding_failures_have_a_cause(text: object, cause: str) -> None:
    decoded = parse_python_calls(text)
    assert decoded.cause == cause, decoded
    assert decoded.calls == () and decoded.detail and decoded.outside_text
    assert "\n" not in decoded.detail and len(decoded.detail) <= 300


def test_decoding_never_evaluates(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import ast

    real_compile = builtins.compile
    called: list[str] = []

    def forbidden(*_: object, **__: object) -> None:
        called.append("eval/exec")

    def ast_only_compile(
        source: Any, filename: Any, mode: Any, flags: int = 0, *a: Any, **k: Any
    ) -> Any:
        # ast.parse compiles to an AST only; anything that makes code objects is forbidden.
        if not flags & ast.PyCF_ONLY_AST:
            called.append("compile")
        return real_compile(source, filename, mode, flags, *a, **k)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    marker = tmp_path / "pwned"
    hostile = [
        f"[f(a=__import__('os').system('touch {marker}'))]",
        f"[f(a=open('{marker}', 'w').write('x') + 1)]",
        "[f(a=(lambda: __import__('os'))())]",
        f"[f(a=[__import__('os').remove('{marker}')][0])]",
    ]
    for text in hostile:
        decoded = parse_python_calls(text)
        assert decoded.ok and isinstance(decoded.calls[0].args["a"], str), decoded
    monkeypatch.undo()
    assert called == [] and not marker.exists()


JSON_OK: list[tuple[str, list[dict[str, Any]], tuple[str, ...], bool]] = [
    (
        '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>',
        [{"f": {"a": 1}}],
        (),
        False,
    ),
    (
        '<tool_call>{"name": "f", "arguments": {}}</tool_call>\n'
        '<tool_call>{"name": "g", "arguments": {"b": [1, 2]}}</tool_call>',
        [{"f": {}}, {"g": {"b": [1, 2]}}],
        (),
        False,
    ),
    (
        'Let me call it. <tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call> Done.',
        [{"f": {"a": 1}}],
        (),
        True,
    ),
    (
        '<tool_call>{"name": "f", "arguments": "{\\"a\\": 2}"}</tool_call>',
        [{"f": {"a": 2}}],
        (C.NOTE_ARGUMENTS_STRING,),
        False,
    ),
    (
        '<tool_call>{"name": "f", "arguments": {"a": 1}}',
        [{"f": {"a": 1}}],
        (C.NOTE_UNCLOSED_TAG,),
        False,
    ),
    ('{"name": "f", "arguments": {"a": 1}}', [{"f": {"a": 1}}], (C.NOTE_BARE_JSON,), False),
    (
        '```json\n[{"name": "f", "arguments": {"a": 1}}, {"name": "g", "arguments": {}}]\n```',
        [{"f": {"a": 1}}, {"g": {}}],
        (C.NOTE_BARE_JSON,),
        False,
    ),
]


@pytest.mark.parametrize(("text", "expected", "notes", "outside"), JSON_OK)
def test_json_decoding(
    text: str, expected: list[dict[str, Any]], notes: tuple[str, ...], outside: bool
) -> None:
    decoded = parse_json_tool_calls(text)
    assert decoded.ok, decoded.detail
    assert decoded.to_bfcl() == expected
    assert decoded.notes == notes
    assert decoded.json_valid is True
    assert decoded.outside_text is outside


JSON_FAIL: list[tuple[object, str, bool, bool]] = [
    # text, cause, json_valid, outside_text
    ("I cannot help with that.", C.NO_TOOL_CALL, False, True),
    ("", C.NO_TOOL_CALL, False, False),
    ("<tool_call>{name: f}</tool_call>", C.INVALID_JSON, False, False),
    (
        '<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call><tool_call>[1,</tool_call>',
        C.INVALID_JSON,
        False,
        False,
    ),
    ('{"name": "f", "arguments": {"a": 1}', C.INVALID_JSON, False, True),
    ('<tool_call>{"arguments": {}}</tool_call>', C.BAD_CALL_SHAPE, True, False),
    ('<tool_call>{"name": "f", "arguments": [1]}</tool_call>', C.BAD_CALL_SHAPE, True, False),
    (
        '<tool_call>{"name": "f", "arguments": "not json"}</tool_call>',
        C.BAD_CALL_SHAPE,
        True,
        False,
    ),
    (
        '<tool_call>{"name": "f", "arguments": {"a": ' + "[" * 40 + "]" * 40 + "}}</tool_call>",
        C.TOO_DEEP,
        True,
        False,
    ),
    (
        '<tool_call>{"name": "f", "arguments": {'
        + ", ".join(f'"a{i}": 1' for i in range(200))
        + "}}</tool_call>",
        C.TOO_MANY_ARGS,
        True,
        False,
    ),
    (
        '<tool_call>{"name": "f", "arguments": {'
        + ", ".join(f'"a{i}": 1' for i in range(10_000))
        + "}}</tool_call>",
        C.TOO_LONG,
        False,
        True,
    ),
    ("<tool_call>" + "[" * 5000 + "</tool_call>", C.INVALID_JSON, False, False),
    ("\x00\x00", C.BINARY, False, True),
    (None, C.NOT_TEXT, False, True),
]


@pytest.mark.parametrize(("text", "cause", "json_valid", "outside"), JSON_FAIL)
def test_json_decoding_failures(text: object, cause: str, json_valid: bool, outside: bool) -> None:
    decoded = parse_json_tool_calls(text)
    assert decoded.cause == cause, decoded
    assert decoded.json_valid is json_valid
    assert decoded.outside_text is outside
    assert decoded.calls == () and decoded.detail


VALUES: list[Any] = [
    0,
    -7,
    3.25,
    -0.5,
    1e-9,
    True,
    False,
    None,
    'it\'s "quoted"\n',
    "",
    [1, "a", [2.0, None]],
    (1,),
    (1, "b"),
    {"k": [1, {"n": False}], "x": ()},
    [],
    {},
]


def test_python_rendering_reads_back_to_the_same_calls() -> None:
    calls = [Call(f"f{i}", {"v": v, "w": 1}) for i, v in enumerate(VALUES)]
    calls.append(Call("mod.sub.fn", {}))
    decoded = parse_python_calls(format_python_calls(calls))
    assert decoded.ok and decoded.notes == ()
    assert list(decoded.calls) == calls


def test_format_python_call_matches_bfcl_ground_truth_strings() -> None:
    # BFCL writes multi-turn ground truth as "cd(folder='document')".
    assert format_python_call(Call("cd", {"folder": "document"})) == "cd(folder='document')"
    assert format_python_call(Call("ls", {})) == "ls()"
    assert format_python_call(Call("f", {"x": float("nan")})) == "f(x='nan')"


def test_json_rendering_reads_back() -> None:
    calls = [Call("f", {"a": [1, 2], "b": {"c": None}}), Call("g", {})]
    decoded = parse_json_tool_calls(format_json_tool_calls(calls))
    assert decoded.ok and not decoded.outside_text and list(decoded.calls) == calls


def test_decode_calls_dispatches_on_format() -> None:
    assert decode_calls("[f(a=1)]", "python").to_bfcl() == [{"f": {"a": 1}}]
    assert decode_calls("[f(a=1)]", "json").cause == C.INVALID_JSON


def test_call_is_frozen_and_round_trips_bfcl_form() -> None:
    call = Call.from_bfcl({"f": {"a": 1}})
    assert call == Call("f", {"a": 1}) and call.to_bfcl() == {"f": {"a": 1}}
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.name = "g"  # type: ignore[misc]


def test_random_garbage_never_raises() -> None:
    rng = random.Random(14)
    pieces = [
        "[",
        "]",
        "(",
        ")",
        "f",
        "=",
        ",",
        "'",
        '"',
        "1",
        "-",
        "+",
        "*",
        "{",
        "}",
        ":",
        "lambda",
        " ",
        "\n",
        "`",
        "<tool_call>",
        "</tool_call>",
        "name",
        "\\",
        "...",
        ".",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for fmt in ("python", "json"):
            decoded = decode_calls(text, fmt)  # type: ignore[arg-type]
            assert decoded.ok or decoded.cause.startswith("fc:decode:")
