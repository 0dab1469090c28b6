"""``harness_ext.planning.builder``: the one step/plan builder and its AssetOps helpers."""

from __future__ import annotations

import pytest

from harness_ext.errors import UnknownNameError
from harness_ext.planning import builder
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.plans import Step, format_plan, parse_plan
from harness_ext.training.datagen.base import plan_problems


def test_step_references_become_sorted_unique_dependencies() -> None:
    s = builder.step("t", "A", "x", {"a": "{step_3}", "b": ["{step_1}", {"c": "{step_3}"}]}, (2,))
    assert s.dependencies == (1, 2, 3)
    assert builder.step("t", "A", "x", deps=(2, 1, 2)).dependencies == (1, 2)


def test_step_copies_args_and_none_makes_a_reasoning_step() -> None:
    args = {"a": 1}
    s = builder.step("t", None, None, args, out="o")
    args["a"] = 2
    assert s == Step("t", "none", "none", {"a": 1}, (), "o") and s.is_reasoning_only
    assert builder.reason("why", (1,), "o") == Step("why", "none", "none", {}, (1,), "o")
    assert builder.ref(4) == "{step_4}"


def test_tool_step_takes_the_agent_from_the_catalog_and_drops_none_args() -> None:
    s = builder.tool_step("history", "t", {"site_name": "MAIN", "asset_id": None})
    assert (s.agent, s.args) == ("IoTAgent", {"site_name": "MAIN"})
    assert s.expected_output == builder.expected_outputs()["history"]
    assert builder.tool_step("sites", "t", out="mine").expected_output == "mine"
    with pytest.raises(UnknownNameError, match="Did you mean: history"):
        builder.tool_step("histroy", "t")


def test_work_order_windows_are_dates_and_either_bound_may_be_missing() -> None:
    s = builder.work_orders("get_events", "CWC04009", "2020-01-01T00:00:00", "2020-02-29")
    assert s.args == {
        "equipment_id": "CWC04009",
        "start_date": "2020-01-01",
        "end_date": "2020-02-29",
    }
    assert s.task == "Get the events of CWC04009 from 2020-01-01T00:00:00 to 2020-02-29."
    half = builder.work_orders("predict_next_work_order", "CWC04009", end="2021-06-30")
    assert half.args == {"equipment_id": "CWC04009", "end_date": "2021-06-30"}
    assert half.task == "Get the predict next work order of CWC04009."


def test_every_assetops_helper_builds_a_valid_plan_that_round_trips() -> None:
    r = builder.ref
    plan = builder.plan(
        builder.sites(),
        builder.assets("MAIN"),
        builder.sensors("MAIN", r(2)),
        builder.now(),
        builder.history("MAIN", "Chiller 6", f"{r(4)} minus 7 days", r(4)),
        builder.failure_modes("Chiller 6"),
        builder.sensor_mapping("Chiller 6", r(6), r(3)),
        builder.ai_tasks(),
        builder.tsfm_models(),
        builder.forecast(
            r(5), "timestamp", ["Chiller 6 Tonnage"], "f", model_checkpoint="ttm_96_28"
        ),
        builder.finetune("c6.csv", "Timestamp", ["Chiller 6 Tonnage"], "ft", n_finetune=0.05),
        builder.tsad(r(5), r(10), "timestamp", ["Chiller 6 Tonnage"], "a"),
        builder.integrated_tsad(r(5), "timestamp", ["Chiller 6 Tonnage"], "i"),
        builder.read_json("/tmp/out.json"),
        builder.work_orders("get_corrective_work_orders", "CWC04009", "2020-01-01", "2020-12-31"),
        builder.alert_to_failure("CWC04009", "RUL0012", "x", "2020-01-01", None),
        builder.failure_codes(),
        builder.reason("Decide.", (15, 16), "A decision."),
    )
    assert plan_problems(plan, load_catalog("assetops_23")) == []
    assert [s.dependencies for s in plan.steps][2:7] == [(2,), (), (4,), (), (3, 6)]
    parsed = parse_plan(format_plan(plan))
    assert parsed.plan == plan and parsed.issues == ()


def test_expected_outputs_cover_exactly_the_catalog_tools() -> None:
    outputs = builder.expected_outputs()
    assert set(outputs) == set(load_catalog(builder.CATALOG).tool_names)
    assert all(o.strip() and o.endswith(".") and "\n" not in o for o in outputs.values())
