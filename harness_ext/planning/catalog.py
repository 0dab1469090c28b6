"""Tool catalogs: which agents exist, which tools each owns, and their arguments.

A catalog file is JSON in the ``toolplan-catalog/1`` format (see
``harness_ext/data/catalogs/assetops_23.json``)::

    {"format": "toolplan-catalog/1", "name": "...", "version": "...", "domain": "...",
     "agents": [{"name": "IoTAgent", "aliases": ["iot"], "description": "...",
                 "tools": [{"name": "sites", "description": "...",
                            "parameters": [{"name": "site_name", "type": "string",
                                            "required": true, "description": "..."}]}]}]}

Users with their own tools write a file of the same shape (or convert tool definitions
with ``toolplan catalog import``, ``harness_ext.planning.catalog_import``) and pass its
path wherever a catalog name is accepted. ``domain`` (optional) completes the first line
of both planning prompts, "You plan tool use for <domain>."; without it that line is
AssetOpsBench's (``harness_ext.planning.prompts``). The schema is a pydantic model
(``_CatalogDoc``; rules in ``parse_catalog``); a file that breaks it fails with a
``DataFileError`` naming the file, every offending field (``'agents[0].tools[1].name'
must be a string (found 3)``) and the fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
)

from harness_ext.errors import DataFileError, UnknownNameError, describe_validation_error
from harness_ext.planning.plans import is_none

CATALOG_FORMAT = "toolplan-catalog/1"
DEFAULT_CATALOG = "assetops_23"


@dataclass(frozen=True)
class Parameter:
    """One tool argument."""

    name: str
    type: str
    required: bool
    description: str = ""
    default: Any = None


@dataclass(frozen=True)
class Tool:
    """One tool, owned by exactly one agent."""

    name: str
    agent: str
    description: str
    parameters: tuple[Parameter, ...]

    @property
    def required_args(self) -> frozenset[str]:
        """Names of the arguments a call must give."""
        return frozenset(p.name for p in self.parameters if p.required)

    @property
    def arg_names(self) -> frozenset[str]:
        """Names of every argument the tool accepts."""
        return frozenset(p.name for p in self.parameters)

    def signature(self, optional: bool = True) -> str:
        """``name(a, b, c?)``: required args plain, optional ones with ``?``."""
        args = [p.name if p.required else f"{p.name}?" for p in self.parameters]
        if not optional:
            args = [p.name for p in self.parameters if p.required]
        return f"{self.name}({', '.join(args)})"


@dataclass(frozen=True)
class Agent:
    """One agent (an MCP server, in AssetOpsBench terms) and its tools."""

    name: str
    aliases: tuple[str, ...]
    description: str
    tools: tuple[Tool, ...]


@dataclass(frozen=True)
class Catalog:
    """A validated tool catalog with name lookups that tolerate case and aliases."""

    name: str
    version: str
    agents: tuple[Agent, ...]
    source: str
    domain: str | None = None

    @property
    def agent_names(self) -> tuple[str, ...]:
        """Canonical agent names, in file order."""
        return tuple(a.name for a in self.agents)

    @property
    def tools(self) -> tuple[Tool, ...]:
        """Every tool, in file order."""
        return tuple(t for a in self.agents for t in a.tools)

    @property
    def tool_names(self) -> tuple[str, ...]:
        """Every tool name, in file order."""
        return tuple(t.name for t in self.tools)

    def agent(self, name: str) -> Agent:
        """The agent with this canonical name (KeyError-style error if unknown)."""
        for a in self.agents:
            if a.name == name:
                return a
        raise UnknownNameError("agent", name, self.agent_names, f"Catalog: {self.source}")

    def tool(self, agent: str, tool: str) -> Tool | None:
        """The tool ``tool`` of agent ``agent`` (canonical names), or None."""
        return self._tool_index.get((agent, tool))

    def canonical_agent(self, raw: str | None) -> str | None:
        """Map a raw agent string to its canonical name; None if not in the catalog.

        Matching ignores case, spaces, underscores and hyphens, and accepts aliases
        (e.g. MCP server ids such as ``iot``).
        """
        if raw is None:
            return None
        memo = self._agent_memo
        if raw not in memo:
            memo[raw] = self._agent_lookup.get(_key(raw))
        return memo[raw]

    def canonical_tool(self, raw: str | None) -> str | None:
        """Map a raw tool string to its canonical name; None if not in the catalog."""
        if raw is None:
            return None
        memo = self._tool_memo
        if raw not in memo:
            memo[raw] = self._tool_lookup.get(_key(raw))
        return memo[raw]

    def owner(self, tool: str) -> str | None:
        """Canonical agent that owns the canonical tool name (first owner if shared)."""
        for t in self.tools:
            if t.name == tool:
                return t.agent
        return None

    def render_informed(self) -> str:
        """The catalog as the informed prompt shows it: agents, tools, arguments.

        Optional arguments carry a ``?``; one line per tool.
        """
        lines = []
        for a in self.agents:
            lines.append(f"{a.name}: {a.description}")
            for t in a.tools:
                lines.append(f"  - {t.signature()}: {t.description}")
        return "\n".join(lines)

    # Lookup tables, built once per catalog (cached_property works on frozen dataclasses;
    # hashing the whole catalog on every lookup would dominate scoring time).
    @cached_property
    def _agent_lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for a in self.agents:
            for name in (a.name, *a.aliases):
                table.setdefault(_key(name), a.name)
        return table

    @cached_property
    def _tool_lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for t in self.tools:
            table.setdefault(_key(t.name), t.name)
        return table

    # Raw string -> canonical name (or None); model outputs repeat the same few spellings.
    @cached_property
    def _agent_memo(self) -> dict[str, str | None]:
        return {}

    @cached_property
    def _tool_memo(self) -> dict[str, str | None]:
        return {}

    @cached_property
    def _tool_index(self) -> dict[tuple[str, str], Tool]:
        return {(t.agent, t.name): t for t in self.tools}

    def one_line_per_agent(self) -> str:
        """``Agent: tool1, tool2, ...`` lines (what the judge is shown)."""
        return "\n".join(f"{a.name}: {', '.join(t.name for t in a.tools)}" for a in self.agents)


_KEY_DROP = str.maketrans("", "", " _-.`*'\"")


def _key(raw: str) -> str:
    return raw.lower().translate(_KEY_DROP)


def builtin_catalogs() -> dict[str, str]:
    """Names of the catalogs shipped with the package -> resource file name."""
    folder = resources.files("harness_ext") / "data" / "catalogs"
    return {
        Path(entry.name).stem: entry.name
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


_FIX = (
    f"make the file follow the {CATALOG_FORMAT} format "
    "(see harness_ext/data/catalogs/assetops_23.json for a complete example)"
)


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


def _not_a_none_name(value: str) -> str:
    if is_none(value):
        raise ValueError(
            f"is {json.dumps(value)}, which plans write for 'no agent/tool': give a real name"
        )
    return value


_OptionalList = BeforeValidator(_none_as_empty)  # "tools": null reads as no tools
_Name = Annotated[StrictStr, AfterValidator(_not_a_none_name)]


class _Strict(BaseModel):
    # Unknown keys (title, provenance, a tool's "returns"...) are allowed and ignored.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _ParameterDoc(_Strict):
    name: StrictStr
    type: StrictStr = "string"
    required: StrictBool = False
    description: StrictStr = ""
    default: Any = None


class _ToolDoc(_Strict):
    name: _Name
    description: StrictStr = ""
    parameters: Annotated[list[_ParameterDoc], _OptionalList] = []


class _AgentDoc(_Strict):
    name: _Name
    aliases: Annotated[list[StrictStr], _OptionalList] = []
    description: StrictStr = ""
    tools: Annotated[list[_ToolDoc], _OptionalList] = []

    @field_validator("tools")
    @classmethod
    def _unique_tools(cls, tools: list[_ToolDoc]) -> list[_ToolDoc]:
        names = [t.name for t in tools]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} twice: keep one entry per tool")
        return tools


class _CatalogDoc(_Strict):
    """The ``toolplan-catalog/1`` schema (see the module docstring for an example)."""

    format: Literal["toolplan-catalog/1"]
    name: StrictStr | None = None
    # JSON numbers (1, 1.0) are accepted and kept as written by ``str``.
    version: Annotated[
        StrictStr,
        BeforeValidator(
            lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
        ),
    ] = "0"
    domain: StrictStr | None = None
    agents: Annotated[list[_AgentDoc], Field(min_length=1)]


def parse_catalog(data: Any, source: str) -> Catalog:
    """Validate a decoded catalog document and build a ``Catalog``.

    Rules (``_CatalogDoc``): ``format`` is ``toolplan-catalog/1``; ``agents`` is a
    non-empty list; every agent and tool has a string name that is not a "none" word
    (``harness_ext.planning.plans.is_none``: none, null, n/a, -, empty...), because a
    plan writes those for "no agent/tool"; no agent lists a tool twice; parameters need
    a string ``name`` and, when given, a string ``type``/``description`` and a JSON
    boolean ``required``; ``domain``, when given, is a string (blank reads as absent).
    ``null`` lists read as empty; unknown keys are ignored.

    Raises:
        DataFileError: naming ``source``, every offending field (up to 5) and the fix.
    """
    try:
        doc = _CatalogDoc.model_validate(data)
    except ValidationError as e:
        raise DataFileError(source, describe_validation_error(e), _FIX) from None
    agents = tuple(
        Agent(
            name=a.name,
            aliases=tuple(a.aliases),
            description=a.description,
            tools=tuple(
                Tool(
                    t.name,
                    a.name,
                    t.description,
                    tuple(
                        Parameter(p.name, p.type, p.required, p.description, p.default)
                        for p in t.parameters
                    ),
                )
                for t in a.tools
            ),
        )
        for a in doc.agents
    )
    return Catalog(
        name=doc.name or Path(source).stem,
        version=doc.version,
        agents=agents,
        source=source,
        domain=doc.domain.strip() or None if doc.domain is not None else None,
    )


@cache
def load_catalog(name_or_path: str | None = None) -> Catalog:
    """Load a shipped catalog by name (default ``assetops_23``) or any catalog file by path."""
    name_or_path = name_or_path or DEFAULT_CATALOG
    shipped = builtin_catalogs()
    if name_or_path in shipped:
        resource = resources.files("harness_ext") / "data" / "catalogs" / shipped[name_or_path]
        return parse_catalog(json.loads(resource.read_text("utf-8")), str(resource))
    path = Path(name_or_path).expanduser()
    if not path.exists():
        raise UnknownNameError(
            "catalog",
            name_or_path,
            shipped,
            "Give a shipped catalog name or the path of a toolplan-catalog/1 JSON file.",
        )
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataFileError(path, f"cannot be read as JSON ({e})", "fix or re-export it") from e
    return parse_catalog(data, str(path))
