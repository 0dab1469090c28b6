"""GRPO without a model: prompt sources, decontamination, reward weights, the trainer's
config, and that the reward the trainer sees is the metric the task reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import DataFileError, ToolplanError, UnknownNameError
from harness_ext.fc.calls import Call, format_json_tool_calls
from harness_ext.fc.data import load_entries
from harness_ext.lm_eval_glue import assetops as assetops_task
from harness_ext.lm_eval_glue import fc as fc_task
from harness_ext.planning.splits import SPLITS
from harness_ext.rewards import reward_parts
from harness_ext.training.grpo import (
    GRPOSettings,
    build_reward,
    grpo_args,
    profile_defaults,
    recording_reward,
    reward_rate,
    reward_weights,
)
from harness_ext.training.grpo_data import (
    canonical_calls,
    fc_row,
    parse_source,
    plan_prompt_set,
    sample_rows,
    warmup_records,
    xlam_entry,
    xlam_type,
)
from harness_ext.training.sft import TrainConfig

XLAM = {
    "id": 7,
    "query": "What is the weather in Paris and in Rome?",
    "tools": json.dumps(
        [
            {
                "name": "weather",
                "description": "Current weather of a city.",
                "parameters": {
                    "city": {"type": "str", "description": "city name"},
                    "unit": {"type": "str, optional", "description": "C or F", "default": "C"},
                },
            }
        ]
    ),
    "answers": json.dumps(
        [
            {"name": "weather", "arguments": {"city": "Paris"}},
            {"name": "weather", "arguments": {"city": "Rome"}},
        ]
    ),
}


# ------------------------------------------------------------------ prompt sources


def test_parse_source_forms_and_held_out_categories(tmp_path: Path) -> None:
    assert parse_source("bfcl").categories == ("live_simple", "live_multiple")
    assert parse_source("bfcl:live_parallel").categories == ("live_parallel",)
    assert parse_source("assetops").reward == "plan"
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(XLAM) + "\n")
    assert parse_source(str(path)).kind == "xlam"
    assert parse_source("Salesforce/xlam-function-calling-60k").location.startswith("Salesforce")
    with pytest.raises(ToolplanError, match="simple is held out for evaluation"):
        parse_source("bfcl:live_simple,simple")
    with pytest.raises(ToolplanError, match="not a GRPO prompt source"):
        parse_source("nonsense")


def test_xlam_record_becomes_a_bfcl_entry() -> None:
    entry = xlam_entry(XLAM, "x.jsonl (record 0)")
    assert entry.id == "xlam_7" and entry.category == "parallel"
    params = entry.functions[0]["parameters"]
    assert params["required"] == ["city"]  # 'unit' is optional and has a default
    assert entry.ground_truth[0] == {"weather": {"city": ["Paris"], "unit": [""]}}
    assert xlam_type("List[int], optional") == (
        {"type": "array", "items": {"type": "integer"}},
        True,
    )
    assert xlam_type("Callable") == ({"type": "any"}, False)
    bad = {**XLAM, "answers": json.dumps([{"name": "nope", "arguments": {}}])}
    with pytest.raises(DataFileError, match=r"record 3.*calls 'nope'"):
        xlam_entry(bad, "record 3")


def test_plan_prompts_never_hold_a_test30_scenario_or_its_twin() -> None:
    prompts = plan_prompt_set()
    test_ids = {str(i) for i in SPLITS["paper_test30"] or ()}
    ids = {r["id"] for r in prompts.rows}
    assert ids and not ids & test_ids
    assert all(r["gold_plan"] for r in prompts.rows)
    # Twins of held-out scenarios (near-copies of their text) are dropped with a reason.
    assert all(d.reason == "text" and d.ratio > 0.8 for d in prompts.dropped)


def test_sample_rows_is_seeded() -> None:
    rows = [{"id": str(i)} for i in range(10)]
    assert sample_rows(rows, 3, 1) == sample_rows(rows, 3, 1)
    assert len(sample_rows(rows, None, 1)) == 10


# ------------------------------------------------------------------ rewards and config


def test_reward_weights_default_override_and_unknown() -> None:
    assert reward_weights("function_call", {}) == {"format": 0.125, "name": 0.375, "args": 0.5}
    assert reward_weights("plan", {"format": 0.0}) == {"format": 0.0, "at_f1": 0.875}
    with pytest.raises(UnknownNameError, match="at_f1"):
        reward_weights("function_call", {"at_f1": 1.0})


def _config(**kw: Any) -> TrainConfig:
    values = {**profile_defaults("cpu"), **kw}
    return TrainConfig(base="smollm2-135m", data="bfcl", out="o", **values)


def test_cpu_profile_turns_off_what_costs_time_on_a_cpu(tmp_path: Path) -> None:
    args = grpo_args(_config(), GRPOSettings(profile="cpu"), tmp_path, "cpu")
    assert (args.bf16, args.use_cpu, args.gradient_checkpointing) == (False, True, False)
    assert args.num_generations == 4 and args.max_completion_length == 96
    assert args.beta == 0.04 and not args.use_vllm
    plan = grpo_args(_config(), GRPOSettings(reward="plan", profile="cpu"), tmp_path, "cpu")
    assert plan.max_completion_length == 256


def test_group_size_errors_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ToolplanError, match="at least 2"):
        grpo_args(_config(), GRPOSettings(num_generations=1), tmp_path, "cpu")
    with pytest.raises(ToolplanError, match="multiple of --num-generations 3"):
        grpo_args(_config(batch_size=4), GRPOSettings(num_generations=3), tmp_path, "cpu")
    with pytest.raises(ToolplanError, match="needs a CUDA device"):
        grpo_args(_config(), GRPOSettings(use_vllm="on"), tmp_path, "cpu")


# ------------------------------------------------------------------ reward == metric


def _chat_template() -> Any:
    from transformers import AutoTokenizer

    from harness_ext.fc.prompts import tokenizer_template
    from harness_ext.models.embedded import embedded_model_path

    return tokenizer_template(AutoTokenizer.from_pretrained(str(embedded_model_path())))


@pytest.mark.parametrize("category", ["live_simple", "live_multiple"])
def test_trainer_reward_is_the_task_metric_for_the_same_completion(
    category: str, tmp_path: Path
) -> None:
    """The rows GRPO trains on are the ``fc_bfcl_live_*`` docs (same prompt, same columns),
    and the reward function the trainer calls reaches the task's verdict on a completion."""
    template = _chat_template()
    entries = load_entries(category)[:25]
    docs = {d["id"]: d for d in fc_task.build_docs(category, "json", None, template)}
    trainer_reward = recording_reward(
        build_reward("function_call", {}, "json"), tmp_path / "rewards.jsonl"
    )
    for entry in entries:
        row, doc = fc_row(entry, "json", template), docs[entry.id]
        assert row["prompt"] == [
            {"role": "system", "content": doc["system"]},
            {"role": "user", "content": doc["user"]},
        ]
        right = format_json_tool_calls(canonical_calls(entry.ground_truth, entry.functions))
        wrong_name = format_json_tool_calls([Call("not_a_function", {})])
        for output in (right, "Sure! " + right, wrong_name, right + "\n" + right, "no call"):
            columns = {k: [row[k]] for k in ("functions", "ground_truth", "category", "fc_format")}
            seen = trainer_reward(prompts=[row["prompt"]], completions=[output], **columns)[0]
            metric = fc_task.process_results(doc, [output])
            parts = reward_parts(
                output, json.loads(doc["functions"]), json.loads(doc["ground_truth"]), category
            )
            assert parts.score.metrics() == metric and seen == parts.total
            assert (seen == 1.0) == (metric["acc"] == 1.0 and not parts.score.decoded.outside_text)
        # The warm-up's canonical answer is a right answer by the task's own metric.
        assert fc_task.process_results(doc, [right])["acc"] == 1.0
    assert reward_rate(tmp_path / "rewards.jsonl")["completions"] == 5 * len(entries)


def test_plan_reward_the_trainer_sees_is_the_assetops_metric(tmp_path: Path) -> None:
    rows = {r["id"]: r for r in plan_prompt_set().rows}
    docs = [d for d in assetops_task.build_docs("free") if str(d["id"]) in rows][:10]
    assert docs
    at_f1_only = build_reward("plan", {"format": 0.0, "at_f1": 1.0}, "json")
    default = build_reward("plan", {}, "json")
    for doc in docs:
        row = rows[str(doc["id"])]
        assert row["prompt"][0]["content"] == doc["system_prompt"]
        assert row["gold_plan"] == doc["gold_plans"]
        other = dict(zip(rows, rows.values(), strict=True))
        outputs = [doc["gold_plans"][0], next(iter(other.values()))["gold_plan"][0], "no plan"]
        for output in outputs:
            metric = assetops_task.process_results(doc, [output])
            columns = {"gold_plan": [row["gold_plan"]], "catalog": [row["catalog"]]}
            assert at_f1_only(completions=[output], **columns)[0] == metric["at_f1"]
            assert default(completions=[output], **columns)[0] == pytest.approx(
                0.125 * metric["format_ok"] + 0.875 * metric["at_f1"]
            )


def test_canonical_calls_resolve_nested_dicts_and_keep_required_params() -> None:
    truth = [{"f": {"body": [{"mode": ["COOL"], "temp": ["", 22]}], "port": [5432, ""]}}]
    functions = [{"name": "f", "parameters": {"required": ["body", "port"]}}]
    assert canonical_calls(truth, functions) == [
        Call("f", {"body": {"mode": "COOL"}, "port": 5432})
    ]
    assert canonical_calls(truth) == [Call("f", {"body": {"mode": "COOL"}})]


def test_warmup_records_skip_irrelevance_rows() -> None:
    entry = load_entries("live_simple")[0]
    row = fc_row(entry, "json")
    records = warmup_records([row, {**row, "category": "live_irrelevance"}])
    assert len(records) == 1
    assert records[0]["messages"][-1]["role"] == "assistant"
    assert "<tool_call>" in records[0]["messages"][-1]["content"]
