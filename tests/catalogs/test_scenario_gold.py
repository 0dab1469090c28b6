"""Your own scenarios: the user format, its gold in both forms, and ``toolplan scenarios
check`` reporting unknown agents/tools before any run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.cli import main
from harness_ext.errors import DataFileError
from harness_ext.planning.catalog import Catalog
from harness_ext.planning.catalog_import import import_catalog
from harness_ext.planning.gold import default_gold_source, load_gold
from harness_ext.planning.plans import format_plan
from harness_ext.planning.scenario_gold import check_scenarios, load_user_gold
from harness_ext.planning.scenarios import load_scenarios

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIOS = FIXTURES / "scenarios.jsonl"
BAD = FIXTURES / "scenarios_bad.jsonl"


@pytest.fixture(scope="module")
def catalog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cat") / "dev.json"
    imported = import_catalog(
        "openai-tools",
        [FIXTURES / "openai_tools.json"],
        grouping="map",
        map_file=FIXTURES / "map.json",
        name="dev",
        domain="software development chores",
    )
    out.write_text(imported.text())
    return out


@pytest.fixture(scope="module")
def catalog(catalog_path: Path) -> Catalog:
    from harness_ext.planning.catalog import load_catalog

    return load_catalog(str(catalog_path))


def test_user_format_scenarios_load_with_default_id_and_type() -> None:
    loaded = load_scenarios(str(SCENARIOS))
    assert [(s.id, s.type) for s in loaded] == [(1, "code"), (2, ""), (3, ""), (4, "chat")]
    assert loaded[2].text == "Which channels are there?"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"question": " "}, "'question' must be a non-empty string"),
        ({"question": "q", "id": "7"}, "'id' '7' is not an integer"),
        ({"question": "q", "id": True}, "'id' True is not an integer"),
        ({"question": "q", "type": 3}, "'type' 3 is not a string"),
    ],
)
def test_user_format_errors_name_the_line(tmp_path: Path, row: object, message: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(DataFileError) as info:
        load_scenarios(str(path))
    assert f"{path}:1: {message}" in str(info.value)
    assert "user format" in str(info.value)


def test_gold_in_all_three_forms(catalog: Catalog) -> None:
    gold = load_user_gold(SCENARIOS, catalog)
    assert sorted(gold) == [1, 2, 3, 4]
    two = gold[2].alternatives[0].plan
    assert [(s.agent, s.tool) for s in two.steps] == [
        ("Code", "github_list_pulls"),  # agent from the catalog
        ("Chat", "slack_post_message"),
    ]
    assert two.steps[1].dependencies == (1,)  # from {step_1}
    assert two.steps[0].task == "List open pull requests."  # the tool's description
    three = gold[3].alternatives[0]
    assert [(s.agent, s.tool, s.args) for s in three.plan.steps] == [
        ("Chat", "slack_list_channels", {})
    ]
    assert three.text == format_plan(three.plan)
    four = gold[4].alternatives[0]
    assert four.text.startswith("#Task1: Post the greeting")  # a plan text is kept as written
    assert four.plan.steps[0].args == {"channel": "#general", "text": "hello"}


def test_check_reports_every_problem_by_cause(catalog: Catalog) -> None:
    report = check_scenarios(BAD, catalog)
    assert report.scenarios == 6 and report.with_gold == 1  # only id 5 is usable
    assert report.counts() == {
        "gold:bad_dependency": 1,
        "gold:unknown_agent": 1,
        "gold:unknown_arg": 1,
        "gold:unknown_tool": 1,
        "gold:wrong_agent": 1,
        "scenario:no_gold": 1,
    }
    by_id = {p.scenario_id: str(p) for p in report.problems}
    assert "agent 'Jira' is not in catalog dev" in by_id[1]
    assert (
        "tool 'slack_post_mesage' is not in catalog dev (did you mean slack_post_message"
        in by_id[2]
    )
    assert "slack_post_message belongs to Chat, not Code" in by_id[3]
    assert "step 1 depends on step(s) [2]" in by_id[4]
    assert by_id[5].endswith(
        "warning gold:unknown_arg: step 1: github_create_issue has no argument assignee"
    )
    assert by_id[1].startswith(f"{BAD}:1: scenario 1: error gold:unknown_agent")


def test_a_run_stops_at_the_first_error_with_the_fix(catalog: Catalog) -> None:
    with pytest.raises(DataFileError) as info:
        load_user_gold(BAD, catalog)
    message = str(info.value)
    assert message.startswith(f"{BAD}:1: scenario 1: gold:unknown_agent")
    assert "toolplan scenarios check" in message


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        ("not a plan", "holds no #Task step"),
        ([3], "a call is an object or a call string"),
        (["slack_post_message('#dev', 'hi')"], "has positional arguments"),
        (["x = 1"], "is not one call"),
        ([{"tool": "slack_list_channels", "agrs": {}}], "unknown key(s) agrs"),
        ([{"tool": "slack_list_channels", "depends_on": "1"}], "'depends_on' must be a list"),
        ({"steps": []}, "'gold' must be a plan text or a list of calls"),
    ],
)
def test_unreadable_gold(tmp_path: Path, catalog: Catalog, gold: object, message: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"question": "q", "gold": gold}) + "\n")
    (problem,) = check_scenarios(path, catalog).problems
    assert problem.cause == "gold:unreadable" and message in problem.detail


def test_tasks_take_the_gold_of_a_user_file(catalog_path: Path) -> None:
    # No gold named: the scenario file's own gold fields (never AssetOps's project gold,
    # whose ids would collide with the user's).
    assert default_gold_source(str(SCENARIOS)) == str(SCENARIOS)
    assert default_gold_source(None) in ("project", "paper")
    gold = load_gold(str(SCENARIOS), str(SCENARIOS), str(catalog_path))
    assert sorted(gold) == [1, 2, 3, 4]


def test_build_docs_with_your_catalog_and_scenarios(catalog_path: Path) -> None:
    from harness_ext.lm_eval_glue.assetops import build_docs

    docs = build_docs("informed", scenarios=str(SCENARIOS), catalog=str(catalog_path))
    assert [d["id"] for d in docs] == [1, 2, 3, 4]
    assert docs[0]["system_prompt"].startswith("You plan tool use for software development")
    assert (
        "  - github_create_issue(repo, title, labels?, priority?): Open an issue"
        in (docs[0]["system_prompt"])
    )
    assert "#Agent2: Chat\n#Tool2: slack_post_message" in docs[1]["gold_plans"][0]


def test_check_command_exit_codes(catalog_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "check", str(SCENARIOS), "--catalog", str(catalog_path)]) == 0
    assert "4 scenarios, 4 with usable gold (5 steps)" in capsys.readouterr().out
    assert main(["scenarios", "check", str(BAD), "--catalog", str(catalog_path)]) == 1
    out = capsys.readouterr().out
    assert "4 error(s): fix them before a run" in out
