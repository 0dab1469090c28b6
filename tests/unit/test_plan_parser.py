"""The plan parser reads every upstream format and the usual model mistakes."""

from __future__ import annotations

from harness_ext.planning.plans import Plan, Step, format_plan, parse_plan, plan_from_dict

PAPER_FORMAT = """#Task1: Find the assets at MAIN.
#Agent1: IoTAgent
#Tool1: assets
#Args1: {"site_name": "MAIN"}
#Dependency1: None
#ExpectedOutput1: asset ids

#Task2: List the sensors of Chiller 6.
#Agent2: IoTAgent
#Tool2: sensors
#Args2: {"site_name": "MAIN", "asset_id": "{step_1}"}
#Dependency2: #S1
#ExpectedOutput2: sensor names"""


def test_paper_format() -> None:
    parsed = parse_plan(PAPER_FORMAT)
    assert parsed.issues == ()
    first, second = parsed.plan.steps
    assert (first.agent, first.tool, first.args) == ("IoTAgent", "assets", {"site_name": "MAIN"})
    assert second.dependencies == (1,)
    assert second.args == {"site_name": "MAIN", "asset_id": "{step_1}"}


def test_agent_level_format_has_no_tools() -> None:
    text = "#Task1: get data\n#Agent1: IoT Data Download\n#Dependency1: None\n#ExpectedOutput1: d"
    step = parse_plan(text).plan.steps[0]
    assert step.agent == "IoT Data Download"
    assert step.tool is None and step.args is None


def test_server_format_counts_as_agent() -> None:
    text = "#Task1: list\n#Server1: iot\n#Tool1: sites\n#Dependency1: None\n#ExpectedOutput1: s"
    step = parse_plan(text).plan.steps[0]
    assert (step.agent, step.tool) == ("iot", "sites")


def test_unnumbered_fields_start_a_step_at_each_task() -> None:
    text = "Task: a\nAgent: IoTAgent\nTool: sites\nTask: b\nAgent: IoTAgent\nTool: assets"
    steps = parse_plan(text).plan.steps
    assert [s.tool for s in steps] == ["sites", "assets"]


def test_multiline_and_python_style_args() -> None:
    text = "#Task1: x\n#Agent1: IoTAgent\n#Tool1: history\n#Args1: {\n  'site_name': 'MAIN',\n  'asset_id': 'Chiller 6',\n}\n#Dependency1: None"
    parsed = parse_plan(text)
    assert parsed.plan.steps[0].args == {"site_name": "MAIN", "asset_id": "Chiller 6"}
    assert "plan:args_repaired@1" in parsed.issue_codes


def test_args_that_are_not_an_object() -> None:
    parsed = parse_plan('#Task1: x\n#Agent1: IoTAgent\n#Tool1: sites\n#Args1: ["MAIN"]')
    assert parsed.plan.steps[0].args is None
    assert parsed.issue_codes == ["plan:args_not_object@1"]


def test_dangling_dependency_is_dropped_and_named() -> None:
    parsed = parse_plan("#Task1: x\n#Agent1: IoTAgent\n#Tool1: sites\n#Dependency1: #S7")
    assert parsed.plan.steps[0].dependencies == ()
    assert parsed.issue_codes == ["plan:dangling_dependency@1"]


def test_duplicate_field_keeps_the_first() -> None:
    parsed = parse_plan("#Task1: x\n#Agent1: IoTAgent\n#Agent1: FMSRAgent\n#Tool1: sites")
    assert parsed.plan.steps[0].agent == "IoTAgent"
    assert "plan:duplicate_field@1" in parsed.issue_codes


def test_agent_with_description_and_dotted_tool() -> None:
    text = "#Task1: x\n#Agent1: IoTAgent (telemetry)\n#Tool1: IoTAgent.sites()\n#Args1: {}"
    step = parse_plan(text).plan.steps[0]
    assert (step.agent, step.tool) == ("IoTAgent", "sites")


def test_format_then_parse_round_trips() -> None:
    plan = plan_from_dict(
        {
            "steps": [
                {"task": "a", "agent": "IoTAgent", "tool": "assets", "args": {"site_name": "MAIN"}},
                {
                    "task": "b",
                    "agent": "none",
                    "tool": "none",
                    "args": {"x": ["{step_1}", 2]},
                    "dependencies": [1],
                    "expected_output": "done",
                },
            ]
        }
    )
    assert parse_plan(format_plan(plan)).plan == plan


def test_empty_and_planless_outputs_are_named() -> None:
    assert parse_plan(None).issue_codes == ["plan:empty_output"]
    assert parse_plan("   \n").issue_codes == ["plan:empty_output"]
    assert parse_plan("The answer is 42.").issue_codes == ["plan:no_steps_found"]


def test_reasoning_only_step() -> None:
    step = Step(agent="none", tool="none")
    assert step.is_reasoning_only
    assert not Step(agent="IoTAgent", tool="sites").is_reasoning_only
    assert Plan().steps == ()
