"""The AST checker on golden cases (``cases/checker_cases.json``), each also put to BFCL's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.fc import checker
from harness_ext.fc.calls import Call, parse_python_calls
from harness_ext.fc.checker import CAUSES, check_call, check_entry, standardize_string
from harness_ext.fc.data import CATEGORIES, validate_function, validate_ground_truth
from harness_ext.fc.scoring import score_output
from tests.fc.bfcl_reference import bfcl_ast_checker, bfcl_entry_verdict

CASES = json.loads((Path(__file__).parent / "cases" / "checker_cases.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    for doc in case["functions"]:
        validate_function(doc, case["name"])
    validate_ground_truth(case["ground_truth"], case["name"])
    score = score_output(
        case["functions"], case["ground_truth"], case["category"], case["output"], "python"
    )
    verdict = score.verdict
    assert (verdict.valid, verdict.cause) == (case["valid"], case["cause"]), verdict.detail
    assert verdict.bfcl_deviation == case.get("bfcl_deviation")
    # The same decoded output through bfcl-eval's own checker: same verdict, except
    # where our verdict says BFCL's procedure reverses it.
    decoded = score.decoded
    theirs = bfcl_entry_verdict(
        bfcl_ast_checker(),
        case["functions"],
        decoded.to_bfcl() if decoded.ok else None,
        case["ground_truth"],
        CATEGORIES[case["category"]],
    )
    assert theirs == (verdict.valid != (verdict.bfcl_deviation is not None))


def test_every_cause_has_a_golden_case() -> None:
    assert {c["cause"] for c in CASES if c["cause"]} == set(CAUSES)


def test_failure_detail_is_one_line() -> None:
    for case in CASES:
        verdict = score_output(
            case["functions"], case["ground_truth"], case["category"], case["output"], "python"
        ).verdict
        assert ("\n" not in verdict.detail) and (bool(verdict.detail) != verdict.valid)


def test_cause_follows_bfcls_order_when_several_rules_fail() -> None:
    doc = CASES[0]["functions"][0]
    expected = CASES[0]["ground_truth"][0]
    # Missing required comes before an unknown parameter and a wrong type.
    verdict = check_call(doc, Call("area", {"color": 1, "height": "5"}), expected)
    assert verdict.cause == checker.MISSING_REQUIRED
    assert [p.cause for p in verdict.params] == [
        checker.MISSING_REQUIRED,
        checker.UNKNOWN_PARAM,
        checker.TYPE,
    ]
    assert verdict.arg_fraction == 0.0
    partial = check_call(doc, Call("area", {"base": 10, "height": 6}), expected)
    assert partial.cause == checker.VALUE and partial.arg_fraction == 0.5
    assert check_call(doc, Call("other", {}), expected).arg_fraction == 0.0


def test_pairs_are_an_optimal_assignment_whatever_the_count() -> None:
    case = next(c for c in CASES if c["name"] == "parallel with a call missing")
    decoded = parse_python_calls(case["output"])
    verdict = check_entry(case["functions"], case["ground_truth"], decoded, "parallel")
    # The one output call is paired with the expected call it satisfies (index 1).
    assert [(i, j, p.ok) for i, j, p in verdict.pairs] == [(1, 0, True)]


def test_standardize_string_is_bfcls() -> None:
    assert standardize_string("New York, NY.") == "newyorkny"
    assert standardize_string("it's a/b-c_d*e^f") == 'it"sabcdef'
