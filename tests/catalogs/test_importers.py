"""``toolplan catalog import``: each input format, the groupings, and the errors that name
the tool and the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness_ext.cli import main
from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.catalog_import import import_catalog, read_tools
from harness_ext.planning.prompts import system_prompt

FIXTURES = Path(__file__).parent / "fixtures"


def test_openai_tools_grouped_by_prefix() -> None:
    imported = import_catalog(
        "openai-tools", [FIXTURES / "openai_tools.json"], grouping="prefix", domain="dev work"
    )
    cat = imported.catalog
    assert cat.agent_names == ("github", "slack")
    assert cat.tool_names == (
        "github_create_issue",
        "github_list_pulls",
        "slack_post_message",
        "slack_list_channels",  # the flat Responses-API item
    )
    issue = cat.tool("github", "github_create_issue")
    assert issue is not None
    params = {p.name: p for p in issue.parameters}
    assert params["labels"].type == "list[string]"
    assert (
        params["priority"].default == "low"
        and "one of: low, high" in params["priority"].description
    )
    assert issue.required_args == {"repo", "title"}
    limit = cat.tool("github", "github_list_pulls").parameters[1]  # type: ignore[union-attr]
    assert (limit.name, limit.type, limit.required) == ("limit", "integer", False)
    assert system_prompt("free", cat).startswith("You plan tool use for dev work.\n")


def test_mcp_tools_list_reply_one_agent_per_file() -> None:
    cat = import_catalog("mcp", [FIXTURES / "mcp_tools_list.json"]).catalog
    assert cat.agent_names == ("mcp_tools_list",)
    write = cat.tool("mcp_tools_list", "write_file")
    assert write is not None
    assert [(p.name, p.type, p.required) for p in write.parameters] == [
        ("path", "string", True),
        ("content", "string", True),
        ("mode", "string", False),  # anyOf string|null
    ]


def test_bfcl_docs_split_the_blurb_from_the_tool_description() -> None:
    cat = import_catalog(
        "bfcl", [FIXTURES / "bfcl_docs.json"], renames={"bfcl_docs": "Weather"}
    ).catalog
    (agent,) = cat.agents
    assert agent.name == "Weather" and agent.aliases == ("bfcl_docs",)
    assert agent.description == "Weather API, which is used to look up forecasts."
    weather, forecast = agent.tools
    assert weather.description == "Current weather of a city."
    assert [(p.name, p.type) for p in forecast.parameters] == [
        ("city", "string"),
        ("days", "integer"),
        ("hours", "list[number]"),  # BFCL's tuple of float
    ]


def test_map_grouping_with_descriptions() -> None:
    cat = import_catalog(
        "openai-tools",
        [FIXTURES / "openai_tools.json"],
        grouping="map",
        map_file=FIXTURES / "map.json",
    ).catalog
    assert cat.agent_names == ("Code", "Chat")
    assert cat.agent("Code").description == "Repositories, issues and pull requests."
    assert cat.owner("slack_list_channels") == "Chat"


@pytest.mark.parametrize(
    ("fmt", "fixture", "expected"),
    [
        (
            "openai-tools",
            "openai_tools_bad_type.json",
            "tool 'slack_post_message' (tools[1]): 'parameters.properties.channel.type' is "
            '"strng", not a JSON Schema type',
        ),
        (
            "mcp",
            "mcp_bad_required.json",
            "tool 'search_files' (tools[1]): 'inputSchema.required' names 'root', which "
            "'inputSchema.properties' does not define",
        ),
        ("bfcl", "bfcl_bad_name.json", "tool 'get forecast' (line 2): 'name' may hold only"),
    ],
)
def test_a_malformed_file_per_format_names_the_tool_and_field(
    fmt: str, fixture: str, expected: str
) -> None:
    with pytest.raises(DataFileError) as info:
        read_tools(fmt, FIXTURES / fixture)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(str(FIXTURES / fixture))
    assert expected in message
    assert "Fix:" in message


def test_duplicates_across_files_and_names_plans_cannot_tell_apart(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"tool 'get_weather' \(line 1\) is defined twice"):
        import_catalog("bfcl", [FIXTURES / "bfcl_docs.json", FIXTURES / "bfcl_docs.json"])
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps([{"name": "get_user"}, {"name": "getUser"}]))
    with pytest.raises(DataFileError, match="read as the same name in plans"):
        import_catalog("mcp", [clash])


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ([{"description": "no name"}], "the tool at [0]: 'name' must be a non-empty string"),
        ([{"name": "none"}], "tool 'none' ([0]): 'name' is a word plans write for 'no tool'"),
        ([{"name": "a", "inputSchema": {"type": "array"}}], "'inputSchema.type' is \"array\""),
        ([{"name": "a", "inputSchema": {"properties": {"x": 3}}}], "'inputSchema.properties.x'"),
        ([{"name": "a", "description": 7}], "tool 'a' ([0]): 'description' must be a string"),
        ({"tools": {}}, "holds no list of tools"),
        ([], "holds no tools"),
    ],
)
def test_mcp_rules(tmp_path: Path, tools: object, expected: str) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps(tools))
    with pytest.raises(DataFileError) as info:
        read_tools("mcp", path)
    assert expected in str(info.value)


def test_grouping_errors_name_the_tool(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"tool 'read_file' .* has no '__'"):
        import_catalog("mcp", [FIXTURES / "mcp_tools_list.json"], grouping="prefix", separator="__")
    partial = tmp_path / "map.json"
    partial.write_text(
        json.dumps({"Code": ["github_create_issue"], "Chat": ["slack_post_message"]})
    )
    with pytest.raises(
        DataFileError, match=r"'github_list_pulls' .* of openai_tools\.json is in no"
    ):
        import_catalog(
            "openai-tools", [FIXTURES / "openai_tools.json"], grouping="map", map_file=partial
        )
    partial.write_text(json.dumps({"Code": ["github_create_issue", "gh_typo"]}))
    with pytest.raises(DataFileError, match="agent 'Code' lists 'gh_typo', which no input"):
        import_catalog(
            "openai-tools", [FIXTURES / "openai_tools.json"], grouping="map", map_file=partial
        )
    with pytest.raises(ToolplanError, match="two agents are named 'x'"):
        import_catalog(
            "openai-tools",
            [FIXTURES / "openai_tools.json"],
            grouping="prefix",
            renames={"github": "x", "slack": "x"},
        )


def test_the_written_file_is_a_catalog_and_the_same_bytes_twice(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "cat.json", tmp_path / "b" / "cat.json"
    for out in (a, b):
        code = main(["catalog", "import", "--from", "openai-tools", "--group", "prefix",
                     str(FIXTURES / "openai_tools.json"), "--out", str(out), "--name", "dev"])  # fmt: skip
        assert code == 0
    assert a.read_bytes() == b.read_bytes()
    assert str(tmp_path) not in a.read_text()  # input files are named by base name only
    assert (
        load_catalog(str(a)).tool_names
        == import_catalog(
            "openai-tools", [FIXTURES / "openai_tools.json"], grouping="prefix"
        ).catalog.tool_names
    )


def test_cli_error_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["catalog", "import", "--from", "mcp", str(FIXTURES / "mcp_bad_required.json"),
                 "--out", str(tmp_path / "c.json")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("toolplan catalog: error: ") and "'search_files'" in err
    assert not (tmp_path / "c.json").exists()


def _many_tools(n: int) -> list[dict[str, object]]:
    verbs = ("get", "list", "create", "update", "delete")
    nouns = [f"thing{i}" for i in range(n // len(verbs) + 1)]
    tools: list[dict[str, object]] = []
    for i in range(n):
        name = f"svc{i % 10}_{verbs[i % len(verbs)]}_{nouns[i // len(verbs)]}"
        tools.append(
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": f"{verbs[i % len(verbs)].title()} one {nouns[i // len(verbs)]}.",
                    "parameters": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "verbose": {"type": "boolean"}},
                        "required": ["id"],
                    },
                },
            }
        )
    return tools


def test_a_500_tool_catalog_imports_and_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "big_tools.json"
    source.write_text(json.dumps(_many_tools(500)))
    out = tmp_path / "big.json"
    assert main(["catalog", "import", "--from", "openai-tools", "--group", "prefix",
                 str(source), "--out", str(out), "--domain", "a large API"]) == 0  # fmt: skip
    cat = load_catalog(str(out))
    assert len(cat.tools) == 500 and len(cat.agents) == 10
    assert cat.name == "big"  # no --name: the --out file's stem, as the leaderboard labels it
    rendered = system_prompt("informed", cat)
    assert rendered.count("\n  - ") == 500
    capsys.readouterr()
    assert main(["catalog", "show", str(out), "--quiet"]) == 0
    shown = capsys.readouterr().out
    assert "10 agents, 500 tools" in shown
    # The token count of the informed prompt in the embedded model's tokenizer.
    line = next(ln for ln in shown.splitlines() if ln.startswith("prompt tokens"))
    print(line)  # the measurement, in the test log (-s)
    found = re.search(r"informed ([\d,]+), description-free ([\d,]+)", line)
    assert found is not None, line
    informed, free = (int(g.replace(",", "")) for g in found.groups())
    assert informed > 500 * 10 > free  # at least ten tokens per tool line; free lists none
