"""Systematic outputs for BFCL entries: built from the possible answers, and perturbed.

Used by the differential test against bfcl-eval's checker and by the checker benchmark.
Every output is a list of ``Call`` (the decoded form both checkers read) with a label
saying how it was made; the labels are the rows of the test's report.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from harness_ext.fc.calls import Call
from harness_ext.fc.data import Entry

_MAX_ORDERS = 24


def _answer_calls(entry: Entry, pick: str) -> list[Call]:
    """One call per expected call; ``pick``: first / last acceptable value, or omit optionals."""
    calls = []
    for expected in entry.ground_truth:
        ((name, params),) = expected.items()
        args: dict[str, Any] = {}
        for pname, values in params.items():
            concrete = [v for v in values if v != ""]
            if not concrete or (pick == "omit" and "" in values):
                continue
            args[pname] = concrete[0] if pick in ("first", "omit") else concrete[-1]
        calls.append(Call(name, args))
    return calls


def _doc(entry: Entry, name: str) -> Mapping[str, Any]:
    return next(f for f in entry.functions if f["name"] == name)


def _mistyped(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return str(value)
    return 0


def _wrong(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 7
    if isinstance(value, float):
        return value * 2 + 1.5
    if isinstance(value, str):
        return value + " zzq"
    if isinstance(value, list):
        return [*value, value[0] if value else "zzq"]
    if isinstance(value, dict):
        return {**value, "zzq": 1}
    return "zzq"


def _replace(calls: list[Call], i: int, args: dict[str, Any]) -> list[Call]:
    out = list(calls)
    out[i] = Call(calls[i].name, args)
    return out


def variants(entry: Entry) -> Iterator[tuple[str, list[Call]]]:
    """``(label, calls)`` outputs for one AST entry (not irrelevance)."""
    base = _answer_calls(entry, "first")
    yield "answer_first_values", base
    yield "answer_last_values", _answer_calls(entry, "last")
    yield "answer_optionals_omitted", _answer_calls(entry, "omit")
    yield "no_call", []
    yield "extra_call", [*base, base[0]]
    if len(base) > 1:
        yield "dropped_call", base[:-1]
        orders = itertools.islice(itertools.permutations(range(len(base))), 1, _MAX_ORDERS)
        for order in orders:
            yield "shuffled_order", [base[k] for k in order]
        last = _answer_calls(entry, "last")
        for order in itertools.islice(itertools.permutations(range(len(base))), 1, _MAX_ORDERS):
            # Mixed value choices in another order: where acceptable values overlap,
            # greedy first-match pairing can fail while an assignment succeeds.
            yield "shuffled_mixed_values", [(base if k % 2 else last)[k] for k in order]
    for i, call in enumerate(base):
        doc = _doc(entry, call.name)
        yield "wrong_name", [*base[:i], Call(call.name + "_v2", dict(call.args)), *base[i + 1 :]]
        required = [p for p in doc["parameters"]["required"] if p in call.args]
        if required:
            args = dict(call.args)
            del args[required[0]]
            yield "missing_required", _replace(base, i, args)
        yield "extra_unknown_param", _replace(base, i, {**call.args, "zzq_unknown": 1})
        documented = [p for p in doc["parameters"]["properties"] if p not in call.args]
        if documented:
            spec = doc["parameters"]["properties"][documented[0]]
            dummy: Any = {
                "integer": 1,
                "float": 1.0,
                "boolean": True,
                "array": [],
                "tuple": [],
                "dict": {},
            }.get(spec["type"], "x")
            yield "extra_documented_param", _replace(base, i, {**call.args, documented[0]: dummy})
        for pname, value in call.args.items():
            ptype = doc["parameters"]["properties"].get(pname, {}).get("type")
            yield "mistyped_value", _replace(base, i, {**call.args, pname: _mistyped(value)})
            yield "wrong_value", _replace(base, i, {**call.args, pname: _wrong(value)})
            if ptype == "float" and isinstance(value, float) and value.is_integer():
                yield "int_for_float", _replace(base, i, {**call.args, pname: int(value)})
            if ptype == "integer" and isinstance(value, int) and not isinstance(value, bool):
                yield "float_for_int", _replace(base, i, {**call.args, pname: float(value)})
                yield "bool_for_int", _replace(base, i, {**call.args, pname: bool(value)})
            if isinstance(value, list):
                yield "tuple_for_list", _replace(base, i, {**call.args, pname: tuple(value)})
            if isinstance(value, str) and value:
                yield (
                    "string_case_and_spaces",
                    _replace(
                        base, i, {**call.args, pname: " " + value.upper().replace(" ", "  ") + "."}
                    ),
                )
            break  # one parameter per call keeps the set at a few dozen outputs per entry


def irrelevance_variants(entry: Entry) -> Iterator[tuple[str, list[Call] | None]]:
    """Outputs for an irrelevance entry: ``None`` stands for a failed decode (prose)."""
    yield "prose_no_call", None
    yield "empty_list", []
    doc = entry.functions[0]
    dummies = {
        "integer": 1,
        "float": 1.5,
        "boolean": False,
        "array": ["a"],
        "tuple": ["a"],
        "dict": {"k": "v"},
    }
    args = {
        p: dummies.get(doc["parameters"]["properties"][p]["type"], "x")
        for p in doc["parameters"]["required"]
    }
    yield "calls_provided_function", [Call(doc["name"], args)]
