"""The AST checker: are decoded calls right for a BFCL entry? (BFCL's semantics, Python).

One checker serves the lm-eval metrics, ``toolplan score-calls`` and the GRPO reward.
It follows ``bfcl_eval``'s ``ast_checker`` (2026.3.23) rule for rule, with two
deliberate differences, each counted (``Verdict.bfcl_deviation``):

* **Parallel calls are matched by an optimal assignment** (``scipy``'s
  ``linear_sum_assignment``), not greedily. BFCL takes, for each expected call in
  order, the first unused output call that passes; that can reject a correct answer
  whose calls another order would have paired. Where greedy and assignment disagree,
  ``bfcl_deviation`` is ``"greedy_matching"``.
* **Decoding** is ours (``harness_ext.fc.calls``): where BFCL's decoder would have
  failed (a ```` ```python ```` fence, a lambda, a set), ``bfcl_deviation`` names the
  note.

Rules for one call against one expected call (``check_call``), in BFCL's order; the
first failure is the call's cause:

1. the name equals the expected function's name, else ``fc:wrong_name``;
2. every ``required`` parameter of the function doc is present, else
   ``fc:missing_required``;
3. every given parameter is in the doc and in the expected answer, else
   ``fc:unknown_param`` (a documented parameter the answer leaves out is unknown too);
4. its type matches the doc (``integer``→int, ``float``→float, ``string``/``any``→str,
   ``boolean``→bool, ``array``/``tuple``→list, ``dict``→dict; exact types, so ``True``
   is not an integer and ``5.0`` is not an integer; an int is accepted for a float and
   a tuple for a ``tuple`` parameter; array items are checked one level deep; a value
   of the answer's own type is accepted as a "variable" when the answer's values are
   not of the doc's type), else ``fc:type``;
5. its value is acceptable: strings compared after BFCL's normalisation (spaces and
   ``,./-_*^`` removed, lower case, ``'``→``"``), lists element-wise with the same
   normalisation of string elements, dicts key by key, anything else by ``in``;
   else ``fc:value``;
6. every answer parameter not given is optional in the answer (``""`` among its
   values), else ``fc:missing_required``.

Entry rules (``check_entry``): a failed decode is ``fc:decode``; irrelevance entries
pass exactly when no call was decoded (a failed decode or ``[]``), else
``fc:call_count``; otherwise the number of calls must equal the answer's
(``fc:call_count``), and each expected call must be paired with a passing output call.

Per-parameter verdicts are kept for every pair (``CallVerdict.params``), so the GRPO
reward can give partial credit from the very same checks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness_ext.fc.calls import BFCL_DECODE_WOULD_FAIL, Call, Decoded
from harness_ext.fc.data import is_irrelevance

WRONG_NAME = "fc:wrong_name"
MISSING_REQUIRED = "fc:missing_required"
UNKNOWN_PARAM = "fc:unknown_param"
TYPE = "fc:type"
VALUE = "fc:value"
CALL_COUNT = "fc:call_count"
DECODE = "fc:decode"
CAUSES: tuple[str, ...] = (
    WRONG_NAME,
    MISSING_REQUIRED,
    UNKNOWN_PARAM,
    TYPE,
    VALUE,
    CALL_COUNT,
    DECODE,
)

GREEDY_MATCHING = "greedy_matching"

_PYTHON_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "float": float,
    "boolean": bool,
    "array": list,
    "tuple": list,
    "dict": dict,
    "any": str,
}
_NESTED = ("array", "tuple")
_STANDARDIZE_RE = re.compile(r"[ \,\.\/\-\_\*\^]")


@dataclass(frozen=True)
class ParamVerdict:
    """One parameter of one call: ok, or why not (a cause of ``CAUSES``)."""

    name: str
    ok: bool
    cause: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class CallVerdict:
    """One output call checked against one expected call.

    Attributes:
        ok: The call passes every rule.
        name_ok: The function name is right (parameters are judged only then).
        cause: The first failing rule's cause in BFCL's order (None when ok).
        detail: One line about that failure.
        params: Verdicts of every parameter that counts: the required ones, the given
            ones and those the answer needs; an omitted optional one is not listed.
    """

    ok: bool
    name_ok: bool
    cause: str | None
    detail: str
    params: tuple[ParamVerdict, ...] = ()

    @property
    def arg_fraction(self) -> float:
        """Share of ``params`` that are ok; 1.0 when none counts, 0.0 for a wrong name."""
        if not self.name_ok:
            return 0.0
        if not self.params:
            return 1.0
        return sum(p.ok for p in self.params) / len(self.params)


@dataclass(frozen=True)
class Verdict:
    """The checker's decision on one sample.

    Attributes:
        valid: The sample is right by BFCL's rules (with optimal matching).
        cause: None when valid; else one of ``CAUSES``.
        detail: One line saying what failed.
        pairs: ``(expected index, output index, CallVerdict)`` of the optimal
            assignment (most passing pairs, then most partial credit), whatever the
            call counts; empty for irrelevance entries and failed decodes.
        n_expected: Number of expected calls. n_output: number of decoded calls.
        bfcl_deviation: None when BFCL's own procedure reaches the same verdict; else
            why not (``"greedy_matching"`` or the decode note).
    """

    valid: bool
    cause: str | None
    detail: str
    pairs: tuple[tuple[int, int, CallVerdict], ...] = ()
    n_expected: int = 0
    n_output: int = 0
    bfcl_deviation: str | None = None


# ------------------------------------------------------------------ BFCL's value rules


@functools.lru_cache(maxsize=8192)
def standardize_string(text: str) -> str:
    """BFCL's string normalisation: drop spaces and ``,./-_*^``, lower case, ``'``→``"``."""
    return _STANDARDIZE_RE.sub("", text).lower().replace("'", '"')


def _answer_type(possible: Sequence[Any]) -> type | None:
    for answer in possible:
        if answer != "":
            return type(answer)
    return None


def _type_ok(
    value: Any, possible: Any, expected: type, nested: type | None
) -> tuple[bool, bool, str]:
    """BFCL's ``type_checker``: (ok, is_variable, detail)."""
    is_variable = False
    answer_type = _answer_type(possible)
    if answer_type is not None and answer_type is not expected:
        is_variable = True
    nested_failed = False
    if type(value) is expected:
        if nested is None:
            return True, is_variable, ""
        elements: Any = value  # a list here (type(value) is list)
        for item in possible:
            fits = True
            if type(item) is list:
                for element in elements:
                    if not _type_ok(element, item, nested, None)[0]:
                        fits = False
                        break
            if fits:
                return True, is_variable, ""
        nested_failed = True
    if answer_type is not None and type(value) is answer_type and not nested_failed:
        return True, True, ""
    if nested_failed:
        return False, is_variable, f"items are not all {nested.__name__}" if nested else ""
    return False, is_variable, f"expected {expected.__name__}, got {type(value).__name__}"


def _string_ok(value: str, possible: Sequence[Any]) -> bool:
    return standardize_string(value) in [standardize_string(p) for p in possible if type(p) is str]


def _list_ok(value: list[Any], possible: Sequence[Any]) -> bool:
    given = [standardize_string(v) if type(v) is str else v for v in value]
    candidates = []
    for answer in possible:
        # BFCL indexes each answer, so "" (may be omitted) becomes [] here. An answer
        # that cannot be indexed (malformed data) would crash BFCL; it matches nothing.
        if not isinstance(answer, (list, tuple, str)):
            continue
        candidates.append([standardize_string(a) if type(a) is str else a for a in answer])
    return given in candidates


def _dict_ok(value: Any, possible: Sequence[Any]) -> bool:
    if not isinstance(value, Mapping):
        return False
    for answer in possible:
        if not isinstance(answer, Mapping):  # "" (may be omitted) or malformed data
            continue
        fits = True
        for key, item in value.items():
            if key not in answer:
                fits = False
                break
            given = standardize_string(item) if type(item) is str else item
            allowed = [standardize_string(a) if type(a) is str else a for a in answer[key]]
            if given not in allowed:
                fits = False
                break
        if fits:
            for key, allowed_values in answer.items():
                if key not in value and "" not in allowed_values:
                    fits = False
                    break
        if fits:
            return True
    return False


def _list_of_dicts_ok(value: list[Any], possible: Sequence[Any]) -> bool:
    for answer in possible:
        if not isinstance(answer, (list, tuple, str)) or len(value) != len(answer):
            continue
        if all(_dict_ok(value[i], [answer[i]]) for i in range(len(value))):
            return True
    return False


def _check_param(
    name: str, value: Any, spec: Mapping[str, Any], possible: list[Any]
) -> ParamVerdict:
    type_name = spec["type"]
    expected = _PYTHON_TYPES[type_name]
    nested = _PYTHON_TYPES[spec["items"]["type"]] if type_name in _NESTED else None
    if type_name == "tuple" and type(value) is tuple:
        value = list(value)
    if type_name == "float" and type(value) is int:
        value = float(value)
    ok, is_variable, why = _type_ok(value, possible, expected, nested)
    if not ok:
        return ParamVerdict(name, False, TYPE, f"parameter {name!r}: {why}")
    bad = ParamVerdict(name, False, VALUE, f"parameter {name!r}: {value!r:.80} is not acceptable")
    if not is_variable:
        if expected is dict:
            return ParamVerdict(name, True) if _dict_ok(value, possible) else bad
        if expected is list and nested is dict:
            return ParamVerdict(name, True) if _list_of_dicts_ok(value, possible) else bad
        if expected is str:
            return ParamVerdict(name, True) if _string_ok(value, possible) else bad
        if expected is list:
            return ParamVerdict(name, True) if _list_ok(value, possible) else bad
    return ParamVerdict(name, True) if value in possible else bad


def check_call(
    doc: Mapping[str, Any], call: Call, expected: Mapping[str, Mapping[str, list[Any]]]
) -> CallVerdict:
    """Check one output call against one expected call ``{name: {param: [values]}}``.

    Args:
        doc: The function doc of the expected function (BFCL format, validated).
        call: The decoded output call.
        expected: The expected call with its acceptable values.

    Returns:
        The verdict, with per-parameter verdicts for partial credit.
    """
    ((_, answer),) = expected.items()
    name = doc["name"]
    if call.name != name:
        return CallVerdict(False, False, WRONG_NAME, f"called {call.name!r}, expected {name!r}")
    properties = doc["parameters"]["properties"]
    params: list[ParamVerdict] = []
    for required in doc["parameters"]["required"]:
        if required not in call.args:
            params.append(
                ParamVerdict(required, False, MISSING_REQUIRED, f"required {required!r} missing")
            )
    for pname, value in call.args.items():
        if pname not in properties or pname not in answer:
            where = "function doc" if pname not in properties else "expected answer"
            params.append(
                ParamVerdict(pname, False, UNKNOWN_PARAM, f"{pname!r} is not in the {where}")
            )
            continue
        params.append(_check_param(pname, value, properties[pname], answer[pname]))
    for pname, allowed in answer.items():
        if (
            pname not in call.args
            and "" not in allowed
            and pname not in doc["parameters"]["required"]
        ):
            params.append(
                ParamVerdict(
                    pname, False, MISSING_REQUIRED, f"{pname!r} omitted; the answer needs it"
                )
            )
    first = next((p for p in params if not p.ok), None)
    if first is None:
        return CallVerdict(True, True, None, "", tuple(params))
    return CallVerdict(False, True, first.cause, first.detail, tuple(params))


def _description(functions: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any]:
    for doc in functions:
        if doc["name"] == name:
            return doc
    # data.load_entries guarantees every answer's function is described.
    raise KeyError(name)


def _assign(
    matrix: list[list[CallVerdict]],
) -> list[tuple[int, int]]:
    """Optimal pairs: most passing pairs first, then most partial credit."""
    if not matrix or not matrix[0]:
        return []
    if len(matrix) == 1 and len(matrix[0]) == 1:
        return [(0, 0)]
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    score = np.array(
        [
            [(1000.0 if v.ok else 0.0) + (1.0 + v.arg_fraction if v.name_ok else 0.0) for v in row]
            for row in matrix
        ]
    )
    rows, cols = linear_sum_assignment(score, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]


def _greedy_ok(matrix: list[list[CallVerdict]]) -> bool:
    """BFCL's parallel matching: each expected call takes the first unused passing output."""
    used: set[int] = set()
    for row in matrix:
        match = next((j for j, v in enumerate(row) if j not in used and v.ok), None)
        if match is None:
            return False
        used.add(match)
    return True


def check_entry(
    functions: Sequence[Mapping[str, Any]],
    ground_truth: Sequence[Mapping[str, Mapping[str, list[Any]]]],
    decoded: Decoded,
    category: str,
) -> Verdict:
    """Check one decoded output against one BFCL entry.

    Args:
        functions: The entry's function docs.
        ground_truth: Expected calls (empty for irrelevance).
        decoded: The decoder's result for the output.
        category: Our or BFCL's category name; ``irrelevance`` in it means "no call".

    Returns:
        The verdict (see the module docstring for the rules).
    """
    would_fail = next((n for n in decoded.notes if n in BFCL_DECODE_WOULD_FAIL), None)
    n_out = len(decoded.calls)
    if is_irrelevance(category):
        called = decoded.ok and n_out > 0
        deviation = would_fail if would_fail and called else None
        if called:
            return Verdict(
                False, CALL_COUNT, f"{n_out} call(s) where none applies", (), 0, n_out, deviation
            )
        return Verdict(True, None, "", (), 0, n_out, None)
    n_exp = len(ground_truth)
    if not decoded.ok:
        return Verdict(False, DECODE, f"{decoded.cause}: {decoded.detail}", (), n_exp, 0, None)
    matrix = [
        [check_call(_description(functions, next(iter(gt))), call, gt) for call in decoded.calls]
        for gt in ground_truth
    ]
    pairs = tuple((i, j, matrix[i][j]) for i, j in _assign(matrix))
    if n_out != n_exp:
        return Verdict(
            False,
            CALL_COUNT,
            f"{n_out} call(s), expected {n_exp}",
            pairs,
            n_exp,
            n_out,
            None,
        )
    failing = next((p for p in sorted(pairs) if not p[2].ok), None)
    valid = failing is None
    deviation = None
    if valid and would_fail:
        deviation = would_fail
    elif "parallel" in category and _greedy_ok(matrix) != valid:
        deviation = GREEDY_MATCHING
    if failing is None:
        return Verdict(True, None, "", pairs, n_exp, n_out, deviation)
    i, _, verdict = failing
    return Verdict(
        False,
        verdict.cause,
        f"expected call {i}: {verdict.detail}",
        pairs,
        n_exp,
        n_out,
        deviation,
    )
