"""α-UMi role formats: plan labels, actions, answers, prompt history."""

from __future__ import annotations

import pytest

from harness_ext.agents.formats import (
    BAD_INPUT,
    MAX_ACTIONS,
    NO_ACTION,
    TOO_MANY_ACTIONS,
    Event,
    parse_actions,
    parse_answer,
    parse_label,
    render_history,
    thought_of,
)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Need a call. Next: caller.", "caller"),
        ("done. next : Conclusion.", "conclusion"),
        ("Missing the file name. Next: give up.", "give up"),
        ("Next: give-up", "give up"),
        ("no marker at all", "caller"),
        ("", "caller"),
        ("Next: conclusion. Next: caller.", "conclusion"),  # the first marker decides
    ],
)
def test_parse_label(text: str, label: str) -> None:
    assert parse_label(text) == label


def test_thought_stops_at_next_line() -> None:
    assert thought_of("ok. Next: caller.\nAction: cd") == "ok. Next: caller."
    assert parse_answer("sure. Next: conclusion.\nAnswer: moved it") == "moved it"
    assert parse_answer("The file was moved.") == "The file was moved."


def test_actions_decoded_with_fc_calls() -> None:
    actions, cause = parse_actions('Action: cd\nAction Input: {"folder": "docs"} trailing')
    assert cause is None and len(actions) == 1
    assert actions[0].call is not None and dict(actions[0].call.args) == {"folder": "docs"}


def test_missing_input_is_empty_object() -> None:
    actions, _ = parse_actions("Action: pwd")
    assert actions[0].call is not None and dict(actions[0].call.args) == {}


@pytest.mark.parametrize(
    "text", ["Action: cd\nAction Input: folder=docs", 'Action: cd\nAction Input: ["docs"]']
)
def test_bad_input_names_a_cause(text: str) -> None:
    actions, _ = parse_actions(text)
    assert actions[0].call is None and actions[0].cause == BAD_INPUT and actions[0].detail


def test_no_action_and_too_many() -> None:
    assert parse_actions("I would rather chat.") == ([], NO_ACTION)
    many = "\n".join("Action: ls\nAction Input: {}" for _ in range(MAX_ACTIONS + 1))
    assert parse_actions(many) == ([], TOO_MANY_ACTIONS)


def test_history_keeps_the_current_request() -> None:
    events = [Event("user", "old " * 200), Event("observation", "x" * 5000)]
    events += [Event("user", "the current request"), Event("observation", "y" * 3000)]
    shown = render_history(events, budget=300)
    assert "user: the current request" in shown
    assert shown.startswith("(earlier history omitted)")
    assert len(shown) < 700  # observations are cut to a few hundred characters
