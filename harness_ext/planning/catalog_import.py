"""Turn tool definitions written for other systems into a ``toolplan-catalog/1`` file.

Input formats (``toolplan catalog import --from FORMAT FILE...``), each a JSON file
(or, for ``bfcl``, JSON lines):

* ``openai-tools`` — an OpenAI ``tools`` list: ``[{"type": "function", "function":
  {"name", "description", "parameters": <JSON Schema>}}, ...]``, the same list under a
  ``"tools"`` key, or the flat Responses-API items ``{"type": "function", "name", ...}``;
* ``mcp`` — an MCP server's ``tools/list`` answer: ``{"tools": [{"name", "description",
  "inputSchema": <JSON Schema>}]}``, the whole JSON-RPC reply (``{"result": {"tools":
  ...}}``) or a bare list;
* ``bfcl`` — BFCL function docs (``bfcl_eval/data/multi_turn_func_doc/*.json``): one
  ``{"name", "description", "parameters": {"type": "dict", "properties", "required"}}``
  per line, or a JSON list of them. BFCL starts every description with its API's blurb
  ("This tool belongs to the Message API, which is used to ... Tool description: ...");
  the part after ``Tool description:`` is the tool's description, and a blurb shared by
  all tools of an agent becomes the agent's description.

Grouping tools into agents (``--group``): ``file`` (default; one agent per input file,
named after the file's stem), ``prefix`` (the part of the tool name before the first
``--separator``, default ``_``; a tool without it is an error), or ``map`` (a JSON file
``{"Agent": ["tool", ...]}`` or ``{"Agent": {"tools": [...], "description": "...",
"aliases": [...]}}``; every tool must be listed exactly once and every listed name must
be a tool). ``--rename OLD=NEW`` renames agents after grouping.

Rules (each violation is a ``DataFileError`` naming the file, the tool — by name and by
position — the field, and the fix):

* a tool is a JSON object with a non-empty ``name`` that matches ``NAME_RE`` (letters,
  digits, ``_ - . /``; at most 128 characters; a plan's ``#ToolN:`` line must be able to
  carry it) and is not a word plans use for "no tool" (``none``, ``n/a``...);
* ``description``, when present, is a string;
* the argument schema (``parameters`` / ``inputSchema``), when present, is an object of
  type ``object`` (``dict`` in BFCL); ``properties`` is an object of objects; each
  property's ``type`` is a JSON Schema type (BFCL also writes ``dict``, ``float``,
  ``tuple``, ``any``) or a list of them; ``required`` is a list of property names;
* no tool name twice across all input files, and no two names that plans cannot tell
  apart (catalog lookups ignore case and ``_ - .``: ``get_user`` and ``getUser``).

Types become the catalog's words: ``string``, ``integer``, ``number`` (``float``),
``boolean``, ``object`` (``dict``), ``any``; arrays (and BFCL tuples) ``list[<item
type>]``; a type list or ``anyOf``/``oneOf`` of several types ``a|b`` with ``null``
dropped; no type at all: the type of an ``enum``'s values, else ``any``. An ``enum`` is
appended to the parameter's description (``one of: a, b``); ``default`` is kept.

The written file is validated by ``catalog.parse_catalog`` before it is written, its keys
come in a fixed order and it names its input files by base name only, so the same inputs
give the same bytes on any machine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from harness_ext.errors import DataFileError, ToolplanError, UnknownNameError
from harness_ext.planning.catalog import CATALOG_FORMAT, Catalog, parse_catalog
from harness_ext.planning.plans import is_none

SourceFormat = Literal["openai-tools", "mcp", "bfcl"]
SOURCE_FORMATS: tuple[SourceFormat, ...] = get_args(SourceFormat)
Grouping = Literal["file", "prefix", "map"]
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)

NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,127}$")
_JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "object": "object",
    "array": "list",
    "null": "null",
    # BFCL's dialect
    "dict": "object",
    "float": "number",
    "tuple": "list",
    "any": "any",
}
_SCHEMA_KEY = {"openai-tools": "parameters", "mcp": "inputSchema", "bfcl": "parameters"}
_FIX = {
    "openai-tools": 'give a list of {"type": "function", "function": {"name": ..., '
    '"description": ..., "parameters": {"type": "object", "properties": {...}}}}',
    "mcp": 'give an MCP tools/list result: {"tools": [{"name": ..., "description": ..., '
    '"inputSchema": {"type": "object", "properties": {...}}}]}',
    "bfcl": 'give BFCL function docs, one {"name": ..., "description": ..., "parameters": '
    '{"type": "dict", "properties": {...}, "required": [...]}} per line',
}
_BFCL_SPLIT = "Tool description:"
_BLURB_RE = re.compile(r"^This tool belongs to (?:the )?", re.IGNORECASE)


@dataclass(frozen=True)
class ImportedParameter:
    """One argument, already in the catalog's words."""

    name: str
    type: str
    required: bool
    description: str
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class ImportedTool:
    """One tool read from an input file.

    ``file`` is the input file, ``where`` the tool's position in it (``tools[3]``,
    ``line 4``) for messages, ``blurb`` BFCL's agent blurb ("" for other formats).
    """

    name: str
    description: str
    parameters: tuple[ImportedParameter, ...]
    file: Path
    where: str
    blurb: str = ""

    def label(self) -> str:
        """``tool 'name' (tools[3])`` for error messages."""
        return f"tool {self.name!r} ({self.where})"


@dataclass(frozen=True)
class AgentSpec:
    """What a map file says about one agent besides its tools."""

    description: str = ""
    aliases: tuple[str, ...] = ()


# ------------------------------------------------------------------ reading


def _read_json(path: Path, fmt: SourceFormat) -> Any:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", "give the path of an existing file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot be read ({e})", _FIX[fmt]) from e
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        if fmt != "bfcl":
            raise DataFileError(path, f"invalid JSON ({first})", _FIX[fmt]) from first
    # BFCL ships JSON lines under a .json suffix.
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((json.loads(line), f"line {n}"))
        except json.JSONDecodeError as e:
            raise DataFileError(path, f"line {n} is not JSON ({e.msg})", _FIX[fmt]) from e
    return _Lines(rows)


@dataclass(frozen=True)
class _Lines:
    rows: list[tuple[Any, str]]


def _entries(data: Any, path: Path, fmt: SourceFormat) -> list[tuple[Any, str]]:
    """The tool objects of one decoded file with their positions."""
    if isinstance(data, _Lines):
        return data.rows
    if fmt == "mcp" and isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]
    if isinstance(data, dict) and "tools" in data:
        data = data["tools"]
        prefix = "tools"
    elif fmt == "bfcl" and isinstance(data, dict) and "name" in data:
        return [(data, "the object")]
    else:
        prefix = ""
    if not isinstance(data, list):
        raise DataFileError(path, "holds no list of tools", _FIX[fmt])
    return [(item, f"{prefix}[{i}]") for i, item in enumerate(data)]


def _unwrap(item: Any, fmt: SourceFormat, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise DataFileError(path, f"{where} is not a JSON object", _FIX[fmt])
    if fmt == "openai-tools":
        kind = item.get("type", "function")
        if kind != "function":
            raise DataFileError(
                path,
                f"{where} has type {json.dumps(kind)}; only function tools can be planned with",
                "remove built-in tools (web_search, file_search...) from the list",
            )
        if "function" in item:
            inner = item["function"]
            if not isinstance(inner, dict):
                raise DataFileError(path, f"{where}: 'function' is not an object", _FIX[fmt])
            return inner
    return item


def _tool_name(obj: dict[str, Any], fmt: SourceFormat, path: Path, where: str) -> str:
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        found = json.dumps(name, default=str)[:40] if "name" in obj else "nothing"
        raise DataFileError(
            path, f"the tool at {where}: 'name' must be a non-empty string (found {found})",
            _FIX[fmt],
        )  # fmt: skip
    if not NAME_RE.match(name):
        raise DataFileError(
            path,
            f"tool {name!r} ({where}): 'name' may hold only letters, digits and _ - . / "
            "(at most 128 characters, no spaces), so that a plan's #ToolN: line can carry it",
            "rename the tool",
        )
    if is_none(name):
        raise DataFileError(
            path,
            f"tool {name!r} ({where}): 'name' is a word plans write for 'no tool'",
            "rename the tool",
        )
    return name


def _schema_type(
    schema: Mapping[str, Any], label: str, field: str, path: Path, fmt: SourceFormat
) -> str:
    """A property schema's type in the catalog's words (rules in the module docstring)."""
    raw = schema.get("type")
    if raw is None:
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                kinds = [
                    _schema_type(o, label, f"{field}.{key}[{i}]", path, fmt)
                    for i, o in enumerate(options)
                    if isinstance(o, dict)
                ]
                return _join_types(kinds)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            kinds = sorted({_value_type(v) for v in enum})
            return _join_types(kinds)
        return "any"
    names = raw if isinstance(raw, list) else [raw]
    kinds = []
    for name in names:
        if not isinstance(name, str) or name.lower() not in _JSON_TYPES:
            known = ", ".join(sorted(k for k in _JSON_TYPES if k not in ("dict", "float", "tuple")))
            raise DataFileError(
                path,
                f"{label}: '{field}.type' is {json.dumps(name)}, not a JSON Schema type ({known})",
                "fix the type",
            )
        kind = _JSON_TYPES[name.lower()]
        if kind == "list":
            items = schema.get("items")
            inner = (
                _schema_type(items, label, f"{field}.items", path, fmt)
                if isinstance(items, dict)
                else "any"
            )
            kind = f"list[{inner}]"
        kinds.append(kind)
    return _join_types(kinds)


def _join_types(kinds: Sequence[str]) -> str:
    useful = list(dict.fromkeys(k for k in kinds if k != "null"))
    return "|".join(useful) if useful else "null"


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "any"


def _parameters(
    obj: dict[str, Any], fmt: SourceFormat, label: str, path: Path
) -> tuple[ImportedParameter, ...]:
    key = _SCHEMA_KEY[fmt]
    schema = obj.get(key)
    if schema is None:
        return ()
    if not isinstance(schema, dict):
        raise DataFileError(path, f"{label}: '{key}' must be an object (a JSON Schema)", _FIX[fmt])
    kind = schema.get("type", "object")
    if kind not in ("object", "dict"):
        raise DataFileError(
            path,
            f"{label}: '{key}.type' is {json.dumps(kind)}; the arguments must be an object",
            _FIX[fmt],
        )
    props = schema.get("properties") or {}
    if not isinstance(props, dict):
        raise DataFileError(path, f"{label}: '{key}.properties' must be an object", _FIX[fmt])
    required = schema.get("required") or []
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise DataFileError(
            path, f"{label}: '{key}.required' must be a list of argument names", _FIX[fmt]
        )
    unknown = [r for r in required if r not in props]
    if unknown:
        raise DataFileError(
            path,
            f"{label}: '{key}.required' names {', '.join(repr(u) for u in unknown)}, which "
            f"'{key}.properties' does not define",
            "define the argument or drop it from 'required'",
        )
    params = []
    for pname, spec in props.items():
        field = f"{key}.properties.{pname}"
        if not pname.strip():
            raise DataFileError(path, f"{label}: an argument of '{key}' has an empty name", "")
        if not isinstance(spec, dict):
            raise DataFileError(path, f"{label}: '{field}' must be an object", _FIX[fmt])
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise DataFileError(path, f"{label}: '{field}.description' must be a string", "")
        enum = spec.get("enum")
        if isinstance(enum, list) and enum:
            shown = ", ".join(str(v) for v in enum[:12]) + (", ..." if len(enum) > 12 else "")
            description = (description.rstrip(". ") + f" (one of: {shown})").strip()
        params.append(
            ImportedParameter(
                name=pname,
                type=_schema_type(spec, label, field, path, fmt),
                required=pname in required,
                description=" ".join(description.split()),
                default=spec.get("default"),
                has_default="default" in spec,
            )
        )
    return tuple(params)


def _description(obj: dict[str, Any], fmt: SourceFormat, label: str, path: Path) -> tuple[str, str]:
    """(tool description, BFCL blurb)."""
    text = obj.get("description", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise DataFileError(path, f"{label}: 'description' must be a string", _FIX[fmt])
    blurb = ""
    if fmt == "bfcl" and _BFCL_SPLIT in text:
        blurb, text = (part.strip() for part in text.split(_BFCL_SPLIT, 1))
    return " ".join(text.split()), " ".join(blurb.split())


def read_tools(fmt: SourceFormat, path: str | Path) -> list[ImportedTool]:
    """Every tool of one input file, validated (rules in the module docstring).

    Raises:
        UnknownNameError: ``fmt`` is not a known format.
        DataFileError: the file is missing, not JSON, holds no tool list, or a tool
            breaks a rule (the message names the tool, its position and the field).
    """
    if fmt not in SOURCE_FORMATS:
        raise UnknownNameError("tool format", fmt, SOURCE_FORMATS)
    file = Path(path)
    tools = []
    for item, where in _entries(_read_json(file, fmt), file, fmt):
        obj = _unwrap(item, fmt, file, where)
        name = _tool_name(obj, fmt, file, where)
        label = f"tool {name!r} ({where})"
        description, blurb = _description(obj, fmt, label, file)
        tools.append(
            ImportedTool(name, description, _parameters(obj, fmt, label, file), file, where, blurb)
        )
    if not tools:
        raise DataFileError(file, "holds no tools", _FIX[fmt])
    return tools


def _canonical(name: str) -> str:
    # The catalog's own lookup key (case, spaces, _ - . ignored).
    from harness_ext.planning.catalog import _key

    return _key(name)


def check_unique(tools: Sequence[ImportedTool]) -> None:
    """No tool name twice, and no two names a plan cannot tell apart.

    Raises:
        DataFileError: naming both tools and where each was read.
    """
    seen: dict[str, ImportedTool] = {}
    for tool in tools:
        key = _canonical(tool.name)
        first = seen.get(key)
        if first is None:
            seen[key] = tool
            continue
        same = first.name == tool.name
        problem = (
            f"{tool.label()} is defined twice (first in {first.file.name}, {first.where})"
            if same
            else f"{tool.label()} and tool {first.name!r} ({first.file.name}, {first.where}) "
            "read as the same name in plans (case and _ - . are ignored)"
        )
        raise DataFileError(tool.file, problem, "keep one definition per tool name")


# ------------------------------------------------------------------ grouping


def read_map(path: str | Path) -> dict[str, tuple[list[str], AgentSpec]]:
    """A ``--map`` file: agent -> (tool names, description/aliases).

    Raises:
        DataFileError: not JSON, not an object, or an entry of the wrong shape.
    """
    file = Path(path)
    fix = 'write {"Agent": ["tool", ...]} or {"Agent": {"tools": [...], "description": "..."}}'
    try:
        data = json.loads(file.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(file, "not found", fix) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataFileError(file, f"cannot be read as JSON ({e})", fix) from e
    if not isinstance(data, dict) or not data:
        raise DataFileError(file, "must be a non-empty JSON object", fix)
    out: dict[str, tuple[list[str], AgentSpec]] = {}
    for agent, entry in data.items():
        spec = AgentSpec()
        if isinstance(entry, dict):
            desc, aliases = entry.get("description", ""), entry.get("aliases", [])
            if not isinstance(desc, str) or not (
                isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)
            ):
                raise DataFileError(file, f"agent {agent!r}: bad 'description' or 'aliases'", fix)
            spec = AgentSpec(desc, tuple(aliases))
            entry = entry.get("tools")
        if not isinstance(entry, list) or not all(isinstance(t, str) for t in entry):
            raise DataFileError(file, f"agent {agent!r}: 'tools' must be a list of names", fix)
        out[agent] = (entry, spec)
    return out


def _file_agent(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", path.stem).strip("_") or "agent"


def group_tools(
    tools: Sequence[ImportedTool],
    grouping: Grouping = "file",
    separator: str = "_",
    mapping: Mapping[str, tuple[list[str], AgentSpec]] | None = None,
    map_source: str = "--map",
) -> dict[str, list[ImportedTool]]:
    """Tools grouped into agents, agents in order of first appearance (map: map order).

    Raises:
        DataFileError: ``prefix`` and a tool without the separator; ``map`` and a tool
            no agent lists, a tool two agents list, or a listed name that is no tool.
        ToolplanError: ``map`` without a mapping, or an unknown grouping.
    """
    groups: dict[str, list[ImportedTool]] = {}
    if grouping == "file":
        for tool in tools:
            groups.setdefault(_file_agent(tool.file), []).append(tool)
        return groups
    if grouping == "prefix":
        if not separator:
            raise ToolplanError("--separator must not be empty with --group prefix")
        for tool in tools:
            head, sep, rest = tool.name.partition(separator)
            if not sep or not head or not rest:
                raise DataFileError(
                    tool.file,
                    f"{tool.label()} has no {separator!r} to take an agent name from "
                    "(--group prefix)",
                    "rename the tool, choose another --separator, or group with --map",
                )
            groups.setdefault(head, []).append(tool)
        return groups
    if grouping != "map":
        raise UnknownNameError("grouping", grouping, GROUPINGS)
    if mapping is None:
        raise ToolplanError("--group map needs --map MAP.json (agent -> tool names)")
    by_name = {t.name: t for t in tools}
    owner: dict[str, str] = {}
    for agent, (names, _) in mapping.items():
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise DataFileError(
                map_source,
                f"agent {agent!r} lists {', '.join(repr(u) for u in unknown)}, which no input "
                "file defines",
                "fix the tool name in the map or add the file that defines it",
            )
        for n in names:
            if n in owner:
                raise DataFileError(
                    map_source,
                    f"tool {n!r} is listed by both {owner[n]!r} and {agent!r}",
                    "give each tool to one agent",
                )
            owner[n] = agent
        groups[agent] = [by_name[n] for n in names]
    missing = [t for t in tools if t.name not in owner]
    if missing:
        raise DataFileError(
            map_source,
            f"{missing[0].label()} of {missing[0].file.name} is in no agent"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
            "list every tool under one agent",
        )
    return groups


def _agent_description(tools: Sequence[ImportedTool]) -> str:
    blurbs = {t.blurb for t in tools}
    if len(blurbs) != 1:
        return ""
    blurb = _BLURB_RE.sub("", next(iter(blurbs))).strip()
    return blurb[:1].upper() + blurb[1:]


# ------------------------------------------------------------------ the catalog document


def _param_doc(p: ImportedParameter) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": p.name, "type": p.type, "required": p.required}
    if p.description:
        doc["description"] = p.description
    if p.has_default:
        doc["default"] = p.default
    return doc


def catalog_document(
    groups: Mapping[str, Sequence[ImportedTool]],
    *,
    name: str,
    version: str = "1",
    domain: str | None = None,
    source_format: SourceFormat,
    specs: Mapping[str, AgentSpec] | None = None,
    renames: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``toolplan-catalog/1`` document for grouped tools (a JSON-ready dict).

    ``renames`` maps an agent name to its new name (``--rename``); agent descriptions
    come from ``specs`` (a map file), else from BFCL's shared blurb, else "".

    Raises:
        ToolplanError: a rename names no agent, or two agents end up with one name.
    """
    renames = dict(renames or {})
    unknown = sorted(set(renames) - set(groups))
    if unknown:
        raise UnknownNameError("agent", unknown[0], groups, "Check --rename OLD=NEW.")
    agents = []
    taken: set[str] = set()
    files: list[str] = []
    for agent, tools in groups.items():
        final = renames.get(agent, agent)
        if not NAME_RE.match(final) or is_none(final):
            raise ToolplanError(
                f"agent name {final!r} cannot be written in a plan's #AgentN: line (letters, "
                "digits and _ - . / only). Fix: --rename it."
            )
        if final in taken:
            raise ToolplanError(
                f"two agents are named {final!r}. Fix: --rename one of them (--rename OLD=NEW)."
            )
        taken.add(final)
        spec = (specs or {}).get(agent, AgentSpec())
        agents.append(
            {
                "name": final,
                "aliases": list(spec.aliases) or ([agent] if final != agent else []),
                "description": spec.description or _agent_description(tools),
                "tools": [
                    {
                        "name": t.name,
                        "description": t.description,
                        "parameters": [_param_doc(p) for p in t.parameters],
                    }
                    for t in tools
                ],
            }
        )
        for t in tools:
            if t.file.name not in files:
                files.append(t.file.name)
    doc: dict[str, Any] = {"format": CATALOG_FORMAT, "name": name, "version": version}
    if domain:
        doc["domain"] = domain
    doc["provenance"] = (
        f"toolplan catalog import --from {source_format}: {', '.join(files)}; "
        f"{sum(len(a['tools']) for a in agents)} tools in {len(agents)} agents"
    )
    doc["agents"] = agents
    return doc


@dataclass(frozen=True)
class Imported:
    """An import's document (what is written) and the validated catalog it parses to."""

    document: dict[str, Any]
    catalog: Catalog

    def text(self) -> str:
        """The file's text: 2-space JSON, keys in the document's order, a final newline."""
        return json.dumps(self.document, indent=2, ensure_ascii=False) + "\n"


def import_catalog(
    fmt: SourceFormat,
    paths: Sequence[str | Path],
    *,
    grouping: Grouping = "file",
    separator: str = "_",
    map_file: str | Path | None = None,
    renames: Mapping[str, str] | None = None,
    name: str | None = None,
    version: str = "1",
    domain: str | None = None,
) -> Imported:
    """Read, validate, group and convert tool definitions (see the module docstring).

    ``name`` defaults to the first input file's stem.

    Raises:
        DataFileError: an input file or a tool breaks a rule (named).
        ToolplanError: no input file, or a grouping/renaming problem.
    """
    if not paths:
        raise ToolplanError("give at least one tool definition file")
    tools = [tool for p in paths for tool in read_tools(fmt, p)]
    check_unique(tools)
    mapping = read_map(map_file) if map_file is not None else None
    if mapping is not None and grouping != "map":
        raise ToolplanError("--map is only used with --group map")
    groups = group_tools(tools, grouping, separator, mapping, str(map_file or "--map"))
    specs = {a: spec for a, (_, spec) in mapping.items()} if mapping else None
    document = catalog_document(
        groups,
        name=name or _file_agent(Path(paths[0])),
        version=version,
        domain=domain,
        source_format=fmt,
        specs=specs,
        renames=renames,
    )
    catalog = parse_catalog(json.loads(json.dumps(document)), f"{name or 'import'} (import)")
    return Imported(document, catalog)


def parse_renames(items: Sequence[str]) -> dict[str, str]:
    """``--rename OLD=NEW`` items as a dict.

    Raises:
        ToolplanError: an item without ``=`` or with an empty side.
    """
    out = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise ToolplanError(f"--rename {item!r}: write OLD=NEW (e.g. message_api=MessageAPI)")
        out[old.strip()] = new.strip()
    return out
