"""parse_verdict: one named case per rule of ``harness_ext.judge.scoring``."""

from __future__ import annotations

import json

import pytest

from harness_ext.judge.rubric import DIMENSIONS
from harness_ext.judge.scoring import (
    VERDICT_SCHEMA,
    ParseProblem,
    Verdict,
    VerdictDoc,
    parse_verdict,
)

GOOD = {d: i % 5 + 1 for i, d in enumerate(DIMENSIONS)}  # 1, 2, 3, 4, 5, 1


def _with(**changes: object) -> str:
    return json.dumps({**GOOD, **changes})


def test_valid_verdict_overall_is_the_unrounded_mean() -> None:
    verdict = parse_verdict(_with(rationale="fine"))
    assert isinstance(verdict, Verdict)
    assert verdict.scores == GOOD and verdict.rationale == "fine"
    assert verdict.overall == pytest.approx(16 / 6)


def test_judges_own_overall_and_extra_keys_are_ignored() -> None:
    verdict = parse_verdict(_with(overall=5, confidence="high"))
    assert isinstance(verdict, Verdict) and verdict.overall == pytest.approx(16 / 6)


def test_a_single_code_fence_is_accepted() -> None:
    assert isinstance(parse_verdict(f"```json\n{_with()}\n```"), Verdict)
    assert isinstance(parse_verdict(f"  ```\n{_with()}\n```\n"), Verdict)


@pytest.mark.parametrize(
    ("name", "reply", "reason"),
    [
        ("empty", "", "judge:empty_reply"),
        ("whitespace", "  \n ", "judge:empty_reply"),
        ("prose", "Scores: 5 5 5 5 5 5", "judge:not_json"),
        # Prose around a valid object is refused: an echoing judge must not be scored
        # by JSON that sits in the candidate it echoes.
        ("prose around json", f"Here you go: {_with()}", "judge:not_json"),
        ("two fences", f"```\n{_with()}\n```\n```\n{_with()}\n```", "judge:not_json"),
        ("json array", json.dumps([GOOD]), "judge:not_json"),
        ("json string", json.dumps("5"), "judge:not_json"),
        ("missing dimension", json.dumps({d: 3 for d in DIMENSIONS[:-1]}), "judge:schema"),
        ("zero", _with(correctness=0), "judge:schema"),
        ("six", _with(efficiency=6), "judge:schema"),
        ("float", _with(correctness=4.0), "judge:schema"),
        ("half", _with(correctness=3.5), "judge:schema"),
        ("numeric string", _with(correctness="4"), "judge:schema"),
        ("boolean", _with(correctness=True), "judge:schema"),
        ("null", _with(correctness=None), "judge:schema"),
        ("rationale not a string", _with(rationale=3), "judge:schema"),
    ],
)
def test_unusable_replies_name_their_reason(name: str, reply: str, reason: str) -> None:
    parsed = parse_verdict(reply)
    assert isinstance(parsed, ParseProblem), name
    assert parsed.reason == reason, (name, parsed)
    assert parsed.problem  # the re-ask tells the judge what was wrong


def test_schema_problem_names_the_key_and_value() -> None:
    parsed = parse_verdict(_with(efficiency=7))
    assert isinstance(parsed, ParseProblem)
    assert "'efficiency'" in parsed.problem and "7" in parsed.problem


def test_the_validator_and_the_schema_sent_to_the_judge_say_the_same() -> None:
    # VerdictDoc (pydantic) parses; VERDICT_SCHEMA is what json_schema mode sends.
    generated = VerdictDoc.model_json_schema()
    assert generated["required"] == VERDICT_SCHEMA["required"] == list(DIMENSIONS)
    kept = ("type", "minimum", "maximum")
    assert {
        key: {k: v for k, v in prop.items() if k in kept}
        for key, prop in generated["properties"].items()
    } == VERDICT_SCHEMA["properties"]


def test_every_problem_is_listed_missing_keys_first() -> None:
    reply = json.dumps({"correctness": 0, "agent_routing": "4", "rationale": 3})
    parsed = parse_verdict(reply)
    assert isinstance(parsed, ParseProblem) and parsed.reason == "judge:schema"
    assert parsed.problem.split("; ") == [
        "'tool_selection' is missing",
        "'argument_quality' is missing",
        "'efficiency' is missing",
        "'dependency_correctness' is missing",
        "'correctness' must be from 1 to 5 (got 0)",
        "'agent_routing' must be a whole number from 1 to 5 (got \"4\")",
        "'rationale' must be a string (got 3)",
    ]
