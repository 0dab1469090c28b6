"""Tool catalogs: which agents exist, which tools each owns, and their arguments.

A catalog file is JSON in the ``toolplan-catalog/1`` format (see
``harness_ext/data/catalogs/assetops_23.json``)::

    {"format": "toolplan-catalog/1", "name": "...", "version": "...",
     "agents": [{"name": "IoTAgent", "aliases": ["iot"], "description": "...",
                 "tools": [{"name": "sites", "description": "...",
                            "parameters": [{"name": "site_name", "type": "string",
                                            "required": true, "description": "..."}]}]}]}

Users with their own tools write a file of the same shape and pass its path wherever
a catalog name is accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, UnknownNameError

CATALOG_FORMAT = "toolplan-catalog/1"
DEFAULT_CATALOG = "assetops_23"
NONE_NAMES = frozenset({"none", "null", "n/a", "na", "-", ""})


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


def _require(cond: bool, source: str, problem: str) -> None:
    if not cond:
        raise DataFileError(
            source,
            problem,
            f"make the file follow the {CATALOG_FORMAT} format "
            "(see harness_ext/data/catalogs/assetops_23.json for a complete example)",
        )


def parse_catalog(data: Any, source: str) -> Catalog:
    """Validate a decoded catalog document and build a ``Catalog``."""
    _require(isinstance(data, dict), source, "the top level must be a JSON object")
    _require(
        data.get("format") == CATALOG_FORMAT,
        source,
        f"'format' must be '{CATALOG_FORMAT}' (found {data.get('format')!r})",
    )
    agents_raw = data.get("agents")
    _require(isinstance(agents_raw, list) and bool(agents_raw), source, "'agents' must be a list")
    agents: list[Agent] = []
    seen_tools: set[tuple[str, str]] = set()
    for i, a in enumerate(agents_raw):
        where = f"agents[{i}]"
        _require(isinstance(a, dict), source, f"{where} must be an object")
        name = a.get("name")
        _require(isinstance(name, str) and bool(name.strip()), source, f"{where}.name is missing")
        _require(name.lower() not in NONE_NAMES, source, f"{where}.name '{name}' is reserved")
        tools: list[Tool] = []
        for j, t in enumerate(a.get("tools") or []):
            twhere = f"{where}.tools[{j}]"
            _require(isinstance(t, dict), source, f"{twhere} must be an object")
            tname = t.get("name")
            _require(isinstance(tname, str) and bool(tname), source, f"{twhere}.name is missing")
            _require((name, tname) not in seen_tools, source, f"{twhere}: duplicate tool {tname}")
            seen_tools.add((name, tname))
            params: list[Parameter] = []
            for k, p in enumerate(t.get("parameters") or []):
                pwhere = f"{twhere}.parameters[{k}]"
                _require(
                    isinstance(p, dict) and isinstance(p.get("name"), str),
                    source,
                    f"{pwhere} needs a 'name'",
                )
                params.append(
                    Parameter(
                        name=p["name"],
                        type=str(p.get("type", "string")),
                        required=bool(p.get("required", False)),
                        description=str(p.get("description", "")),
                        default=p.get("default"),
                    )
                )
            tools.append(Tool(tname, name, str(t.get("description", "")), tuple(params)))
        agents.append(
            Agent(
                name=name,
                aliases=tuple(str(x) for x in a.get("aliases") or []),
                description=str(a.get("description", "")),
                tools=tuple(tools),
            )
        )
    return Catalog(
        name=str(data.get("name") or Path(source).stem),
        version=str(data.get("version", "0")),
        agents=tuple(agents),
        source=source,
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
