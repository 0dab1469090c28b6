"""GRPO rewards: paper (b)'s terms, TRL's call shape, and the same verdicts as the metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import ToolplanError
from harness_ext.fc.calls import format_json_tool_calls, format_python_calls
from harness_ext.fc.data import NON_LIVE, load_entries
from harness_ext.lm_eval_glue.fc import build_docs, process_results
from harness_ext.metrics.planning import score_plan
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.gold import GoldPlan
from harness_ext.planning.plans import parse_plan
from harness_ext.rewards import (
    FunctionCallWeights,
    function_call_reward,
    make_function_call_reward,
    plan_reward,
    reward_parts,
)
from tests.fc.outputs import irrelevance_variants, variants

FUNCTIONS = [
    {
        "name": "area",
        "description": "Triangle area.",
        "parameters": {
            "type": "dict",
            "properties": {
                "base": {"type": "integer", "description": "b"},
                "height": {"type": "integer", "description": "h"},
            },
            "required": ["base", "height"],
        },
    }
]
ONE = [{"area": {"base": [10], "height": [5]}}]
TWO = [{"area": {"base": [10], "height": [5]}}, {"area": {"base": [3], "height": [4]}}]


def _call(base: int, height: int) -> str:
    return f'<tool_call>{{"name": "area", "arguments": {{"base": {base}, "height": {height}}}}}</tool_call>'


def _reward(outputs: list[Any], truth: list[Any] = ONE, **columns: Any) -> list[float]:
    n = len(outputs)
    return function_call_reward(
        prompts=["q"] * n,
        completions=outputs,
        completion_ids=[[1]] * n,
        functions=[FUNCTIONS] * n,
        ground_truth=[truth] * n,
        **columns,
    )


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (_call(10, 5), 1.0),
        ("Sure: " + _call(10, 5), 0.0),  # text outside the calls: gate
        ("<tool_call>{base: 10}</tool_call>", 0.0),  # invalid JSON: gate
        ("", 0.0),  # empty prediction: gate
        ("The area is 25.", 0.0),
        (_call(10, 6), 0.125 + 0.375 + 0.5 * 0.5),  # one of two arguments right
        (_call(1, 2), 0.125 + 0.375),  # right name, no right argument
        (
            '<tool_call>{"name": "volume", "arguments": {"base": 10, "height": 5}}</tool_call>',
            0.125,
        ),
        (_call(10, 5) + "\n" + _call(10, 5), 0.125 + 0.5 * (0.375 + 0.5)),  # over-generation x 1/2
        (
            '<tool_call>{"name": "area", "arguments": {"base": 10}}</tool_call>',
            0.125 + 0.375 + 0.5 * 0.5,
        ),
    ],
)
def test_paper_b_terms(output: str, expected: float) -> None:
    assert _reward([output]) == [pytest.approx(expected)]


def test_parallel_calls_pair_by_assignment_and_missing_calls_cost_their_share() -> None:
    assert _reward([_call(3, 4) + _call(10, 5)], TWO) == [pytest.approx(1.0)]
    assert _reward([_call(3, 4)], TWO) == [pytest.approx(0.125 + 0.375 / 2 + 0.5 / 2)]


def test_conversational_completions_and_tool_calls_messages() -> None:
    conversation = [{"role": "assistant", "content": _call(10, 5)}]
    parsed = [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "type": "function",
                    "function": {"name": "area", "arguments": {"base": 10, "height": 5}},
                }
            ],
        }
    ]
    assert _reward([conversation, parsed]) == [1.0, 1.0]


def test_python_format_and_irrelevance() -> None:
    assert _reward(["[area(base=10, height=5)]"], fc_format=["python"]) == [1.0]
    assert _reward(["[area(base=10, height=5)] done"], fc_format=["python"]) == [0.0]
    # Irrelevance (empty ground truth): 1 for no call, 0 for a call.
    assert _reward(["No function fits.", _call(1, 1)], []) == [1.0, 0.0]


def test_weights_are_parameters() -> None:
    reward = make_function_call_reward(FunctionCallWeights(0.2, 0.3, 0.5))
    assert reward.__name__ == "function_call_reward"
    out = reward(completions=[_call(1, 2)], functions=[FUNCTIONS], ground_truth=[ONE])
    assert out == [pytest.approx(0.2 + 0.3)]


def test_columns_may_be_json_text() -> None:
    assert function_call_reward(
        completions=[_call(10, 5)],
        functions=[json.dumps(FUNCTIONS)],
        ground_truth=[json.dumps(ONE)],
    ) == [1.0]


def test_a_missing_column_names_the_fix() -> None:
    with pytest.raises(ToolplanError, match="no 'ground_truth' column"):
        function_call_reward(completions=["x"], functions=[FUNCTIONS])
    with pytest.raises(ToolplanError, match="has 2 values for 1 completions"):
        function_call_reward(completions=["x"], functions=[FUNCTIONS] * 2, ground_truth=[ONE])


def test_hostile_completions_score_zero_never_raise() -> None:
    hostile = ["x" * 50_000, "\x00\x01", None, 42, [{"role": "assistant", "content": None}]]
    assert _reward(hostile) == [0.0] * len(hostile)


def _outputs(category: str) -> list[tuple[dict[str, Any], str, str]]:
    """(doc, format, output) over systematic and real outputs of one category."""
    real = [
        json.loads(line)
        for line in (Path(__file__).parents[1] / "fc/data/model_outputs.jsonl")
        .read_text()
        .splitlines()
        if line
    ]
    out = []
    for fmt in ("python", "json"):
        docs = {d["id"]: d for d in build_docs(category, fmt)}  # type: ignore[arg-type]
        render = format_python_calls if fmt == "python" else format_json_tool_calls
        for entry in load_entries(category)[:25]:
            made = irrelevance_variants(entry) if not entry.ground_truth else variants(entry)
            for _, calls in made:
                text = "No call fits." if calls is None else render(calls)
                out.append((docs[entry.id], fmt, text))
                out.append((docs[entry.id], fmt, "Here you go: " + text))
        out += [
            (docs[r["id"]], fmt, r["output"])
            for r in real
            if r["format"] == fmt and r["id"] in docs
        ]
    return out


@pytest.mark.parametrize("category", NON_LIVE)
def test_metric_and_reward_reach_identical_verdicts(category: str) -> None:
    checked = 0
    for doc, fmt, output in _outputs(category):
        metric = process_results(doc, [output])
        functions, truth = json.loads(doc["functions"]), json.loads(doc["ground_truth"])
        parts = reward_parts(output, functions, truth, doc["category"], fmt)  # type: ignore[arg-type]
        assert float(parts.score.verdict.valid) == metric["acc"], (doc["id"], output)
        assert parts.score.metrics() == metric
        reward = function_call_reward(
            completions=[output],
            functions=[doc["functions"]],
            ground_truth=[doc["ground_truth"]],
            category=[doc["category"]],
            fc_format=[fmt],
        )[0]
        assert reward == parts.total
        if truth:  # a perfect reward is exactly a valid verdict with nothing outside the calls
            assert (reward == 1.0) == (
                metric["acc"] == 1.0 and not parts.score.decoded.outside_text
            )
        else:
            assert reward == metric["acc"]
        checked += 1
    assert checked > 100


GOLD = (
    "#Task1: list assets\n#Agent1: IoTAgent\n#Tool1: assets\n"
    '#Args1: {"site_name": "MAIN"}\n#Dependency1: None\n#ExpectedOutput1: ids'
)


def test_plan_reward_is_at_f1_plus_a_format_term() -> None:
    other = GOLD.replace("assets\n#Args1", "sites\n#Args1")
    outputs = [GOLD, other, "no plan here", [{"role": "assistant", "content": GOLD}]]
    rewards = plan_reward(prompts=["q"] * 4, completions=outputs, gold_plan=[GOLD] * 4)
    assert rewards == [pytest.approx(1.0), pytest.approx(0.125), 0.0, pytest.approx(1.0)]
    # The same numbers as the assetops metrics.
    score = score_plan(other, [GoldPlan(parse_plan(GOLD).plan, GOLD)], load_catalog(None))
    assert rewards[1] == pytest.approx(
        0.125 * score.values["format_ok"] + 0.875 * score.values["at_f1"]
    )
    with pytest.raises(ToolplanError, match="no 'gold_plan' column"):
        plan_reward(completions=[GOLD])
