"""Catalogs: the shipped one, any file of the same format, and clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError, UnknownNameError
from harness_ext.planning.catalog import load_catalog


def test_shipped_catalog_has_five_agents_and_23_tools() -> None:
    catalog = load_catalog()
    assert catalog.agent_names == (
        "IoTAgent",
        "FMSRAgent",
        "TSFMAgent",
        "Utilities",
        "WorkOrderAgent",
    )
    assert len(catalog.tools) == 23
    assert catalog.tool("IoTAgent", "history").required_args == {"site_name", "asset_id", "start"}
    assert catalog.owner("analyze_alert_to_failure") == "WorkOrderAgent"


def test_names_are_matched_loosely_but_only_to_catalog_entries() -> None:
    catalog = load_catalog()
    assert catalog.canonical_agent("iot") == "IoTAgent"
    assert catalog.canonical_agent(" IoT Agent ") == "IoTAgent"
    assert catalog.canonical_agent("wo") == "WorkOrderAgent"
    assert catalog.canonical_tool("Get-Failure-Modes") == "get_failure_modes"
    assert catalog.canonical_agent("WeatherAgent") is None
    assert catalog.canonical_tool(None) is None


def test_informed_rendering_lists_every_tool_and_marks_optional_args() -> None:
    catalog = load_catalog()
    text = catalog.render_informed()
    assert all(f"{t.name}(" in text for t in catalog.tools)
    assert "history(site_name, asset_id, start, final?)" in text
    assert catalog.one_line_per_agent().count("\n") == 4


def test_any_catalog_file_of_the_format_works(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {
                "format": "toolplan-catalog/1",
                "name": "weather",
                "agents": [
                    {
                        "name": "WeatherAgent",
                        "tools": [
                            {
                                "name": "forecast",
                                "parameters": [{"name": "city", "required": True}],
                            }
                        ],
                    }
                ],
            }
        )
    )
    catalog = load_catalog(str(path))
    assert catalog.name == "weather"
    assert catalog.tool("WeatherAgent", "forecast").required_args == {"city"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot be read as JSON"),
        ("[]", "top level must be a JSON object"),
        ('{"format": "other"}', "'format' must be"),
        (
            '{"format": "toolplan-catalog/1", "agents": [{"tools": []}]}',
            "'agents[0].name' is missing",
        ),
        ('{"format": "toolplan-catalog/1", "agents": []}', "'agents' must not be empty"),
        (
            '{"format": "toolplan-catalog/1", "agents": [{"name": "A", "tools": ['
            '{"name": "t", "parameters": [{"name": "x", "required": "false"}]}]}]}',
            # "false" is truthy: read loosely it would have made x required.
            "'agents[0].tools[0].parameters[0].required' must be true or false (found \"false\")",
        ),
        (
            '{"format": "toolplan-catalog/1", "agents": [{"name": "A", "tools": ['
            '{"name": "t"}, {"name": "t"}]}]}',
            "'agents[0].tools' lists t twice",
        ),
        (
            '{"format": "toolplan-catalog/1", "agents": [{"name": "A", "tools": [{"name": 3}]}]}',
            "'agents[0].tools[0].name' must be a string (found 3)",
        ),
    ],
)
def test_malformed_catalog_names_file_and_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DataFileError) as info:
        load_catalog(str(path))
    assert str(path) in str(info.value) and message in str(info.value)
    assert "Fix:" in str(info.value)


def test_unknown_catalog_name_lists_the_shipped_ones() -> None:
    with pytest.raises(UnknownNameError) as info:
        load_catalog("assetops_24")
    assert "assetops_23" in str(info.value)
    assert "Did you mean" in str(info.value)


# Every spelling the plan parser reads as "no agent/tool", and names it reads as names.
NONE_WORDS = ("none", "None", "NULL", "n/a", "na", "-", "nil", "[]", "{}", "", "  ", "`none`")
REAL_NAMES = ("nonexistent", "NA-1", "n", "Nil Agent", "nullable")


@pytest.mark.parametrize("word", NONE_WORDS + REAL_NAMES)
def test_the_catalog_reserves_exactly_what_plans_read_as_none(tmp_path: Path, word: str) -> None:
    from harness_ext.planning.plans import is_none

    for where, agent in (
        ("agents[0].name", {"name": word, "tools": [{"name": "t"}]}),
        ("agents[0].tools[0].name", {"name": "A", "tools": [{"name": word}]}),
    ):
        path = tmp_path / "c.json"
        path.write_text(json.dumps({"format": "toolplan-catalog/1", "agents": [agent]}))
        if is_none(word):
            with pytest.raises(DataFileError, match=re.escape(f"'{where}' is")):
                load_catalog.__wrapped__(str(path))
        else:
            load_catalog.__wrapped__(str(path))
