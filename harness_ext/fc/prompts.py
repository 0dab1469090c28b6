"""The prompts of the BFCL tasks: each entry's functions rendered into its own system turn.

**Python format** (``fc_format=python``, BFCL's prompt mode): BFCL's default system
prompt (``ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=plaintext&
style=classic``), built from the template strings of the installed ``bfcl-eval``
(``bfcl_eval.constants.default_prompts``), with the function docs as indented JSON and
BFCL's language hint (" Note that the provided function is in Python 3 syntax.")
appended to each description, as ``bfcl_eval``'s data loader does.

**JSON format** (``fc_format=json``, Hermes/Qwen tool calls): the functions as OpenAI
tool schemas (BFCL's FC-mode conversion: ``dict``→``object``, ``float``→``number`` with
"This is a float type value." added, ``tuple``→``array``, ``any``→``string``; function
names are kept as written, dots included). When the model's chat template renders
``tools=``, the system turn is exactly what that template writes (found by rendering
and checked by re-rendering, see ``template_system_text``); otherwise it is the Hermes
``<tools>`` block that Qwen2.5's template writes, appended to the entry's own system
text.

An entry's own system message (live categories) follows BFCL's system prompt after a
blank line. lm-eval 0.4.13 gives a task one user turn per document, so the rare earlier
user/assistant exchanges of an entry (5 of 884 live_irrelevance entries) are written
into the user turn as ``user: ...`` / ``assistant: ...`` lines before the last question.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from harness_ext.fc.calls import CallFormat
from harness_ext.fc.data import Entry

PYTHON_HINT = " Note that the provided function is in Python 3 syntax."

# Qwen2.5's tools block (its chat template and BFCL's QwenFCHandler write the same text).
HERMES_HEADER = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
HERMES_FOOTER = (
    "\n</tools>\n\nFor each function call, return a json object with function name and "
    "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
)

# A chat template as a function: (messages, tools or None) -> rendered text.
ChatTemplate = Callable[[list[dict[str, str]], "list[dict[str, Any]] | None"], str]

# What rendering a chat template may raise (jinja2's errors become ValueError in
# ``tokenizer_template``); anything else is a bug and propagates.
_TEMPLATE_ERRORS = (ValueError, TypeError, KeyError, IndexError)
_SENTINEL_SYSTEM = "TOOLPLANSYSTEMSENTINEL"
_SENTINEL_USER = "TOOLPLANUSERSENTINEL"


def with_python_hint(functions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the docs with BFCL's Python hint appended to each description."""
    out = copy.deepcopy([dict(f) for f in functions])
    for doc in out:
        doc["description"] = doc["description"] + PYTHON_HINT
    return out


def python_system_prompt(functions: Sequence[Mapping[str, Any]]) -> str:
    """BFCL's default prompt-mode system prompt for these functions."""
    from bfcl_eval.constants import default_prompts as bfcl

    style = bfcl.PROMPT_STYLE_TEMPLATES["classic"]
    template: str = bfcl.PROMPT_TEMPLATE_MAPPING["plaintext"]
    return template.format(
        persona=style["persona"],
        task=style["task"],
        tool_call_format=style["tool_call_no_tag"].format(
            output_format=bfcl.OUTPUT_FORMAT_MAPPING["python"],
            param_types=bfcl.PARAM_TYPE_MAPPING["python"],
        ),
        multiturn_behavior=style["multiturn_behavior"],
        available_tools=style["available_tools"].format(
            format="json", functions=json.dumps(with_python_hint(functions), indent=4)
        ),
    )


_OPENAPI_TYPES = {
    "integer": "integer",
    "float": "number",
    "string": "string",
    "boolean": "boolean",
    "array": "array",
    "dict": "object",
    "tuple": "array",
    "any": "string",
}


def _openapi_properties(properties: dict[str, Any]) -> dict[str, Any]:
    for spec in properties.values():
        kind = spec.get("type", "string")
        if kind == "float":
            spec["format"] = "float"
            spec["description"] = spec.get("description", "") + " This is a float type value."
        spec["type"] = _OPENAPI_TYPES.get(kind, "string")
        if spec["type"] in ("array", "object"):
            if isinstance(spec.get("properties"), dict):
                spec["properties"] = _openapi_properties(spec["properties"])
            elif isinstance(spec.get("items"), dict):
                items = spec["items"]
                items["type"] = _OPENAPI_TYPES.get(items.get("type", "string"), "string")
                if items["type"] == "object" and isinstance(items.get("properties"), dict):
                    items["properties"] = _openapi_properties(items["properties"])
    return properties


def openai_tools(functions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The functions as OpenAI tool schemas (BFCL's FC-mode conversion, names kept)."""
    tools = []
    for doc in with_python_hint(functions):
        params = doc["parameters"]
        params["type"] = "object"
        params["properties"] = _openapi_properties(params["properties"])
        tools.append({"type": "function", "function": doc})
    return tools


def hermes_system_prompt(tools: Sequence[Mapping[str, Any]], system: str = "") -> str:
    """``system`` (if any) and the Hermes/Qwen2.5 ``<tools>`` block."""
    block = HERMES_HEADER + "".join("\n" + json.dumps(t, ensure_ascii=False) for t in tools)
    return (system + "\n\n" if system else "") + block + HERMES_FOOTER


def template_system_text(
    template: ChatTemplate, tools: list[dict[str, Any]], system: str = ""
) -> str | None:
    """The system text with which ``template`` renders ``tools``, or None if it cannot.

    Renders ``[system?, user]`` with ``tools=`` and finds the system-turn text T for
    which the same template *without* tools renders the identical prompt; T is returned
    only if that re-rendering check passes (so lm-eval, which never passes ``tools``,
    produces exactly the prompt the template would). None when the template ignores
    ``tools`` or puts them anywhere but the system turn (e.g. into the user turn).
    """
    user = [{"role": "user", "content": _SENTINEL_USER}]
    head = [{"role": "system", "content": system}] if system else []
    try:
        with_tools = template(head + user, tools)
        without_tools = template(head + user, None)
        probe = template([{"role": "system", "content": _SENTINEL_SYSTEM}, *user], None)
    except _TEMPLATE_ERRORS:  # the template cannot render these messages: not this route
        return None
    if with_tools == without_tools or probe.count(_SENTINEL_SYSTEM) != 1:
        return None
    prefix, suffix = probe.split(_SENTINEL_SYSTEM)
    if not (with_tools.startswith(prefix) and with_tools.endswith(suffix)):
        return None
    text = with_tools[len(prefix) : len(with_tools) - len(suffix)]
    try:
        rerendered = template([{"role": "system", "content": text}, *user], None)
    except _TEMPLATE_ERRORS:
        return None
    return text if rerendered == with_tools else None


ROUTES = ("bfcl_prompt", "chat_template", "hermes_block")


def system_prompt(
    entry: Entry, fmt: CallFormat, template: ChatTemplate | None = None
) -> tuple[str, str]:
    """The system turn of one entry in the given format, and how it was made.

    Returns:
        ``(text, route)``; route is ``bfcl_prompt`` (python format),
        ``chat_template`` (json, the model's own tools rendering) or ``hermes_block``
        (json, the template cannot render tools or there is none).
    """
    own = "\n\n".join(m["content"] for m in entry.messages if m["role"] == "system")
    if fmt == "python":
        base = python_system_prompt(entry.functions)
        return base + ("\n\n" + own if own else ""), "bfcl_prompt"
    tools = openai_tools(entry.functions)
    if template is not None:
        text = template_system_text(template, tools, own)
        if text is not None:
            return text, "chat_template"
    return hermes_system_prompt(tools, own), "hermes_block"


def user_prompt(entry: Entry) -> str:
    """The user turn: the last user message, after any earlier exchange of the turn."""
    turns = [m for m in entry.messages if m["role"] != "system"]
    history = "\n".join(f"{m['role']}: {m['content']}" for m in turns[:-1])
    return (history + "\n\n" if history else "") + turns[-1]["content"]


def tokenizer_template(tokenizer: Any) -> ChatTemplate | None:
    """A ``ChatTemplate`` from a transformers tokenizer (None without a chat template)."""
    if not getattr(tokenizer, "chat_template", None):
        return None

    from jinja2 import TemplateError

    def render(messages: list[dict[str, str]], tools: list[dict[str, Any]] | None) -> str:
        try:
            return str(
                tokenizer.apply_chat_template(
                    messages, tools=tools, add_generation_prompt=True, tokenize=False
                )
            )
        except TemplateError as e:  # e.g. raise_exception("System role not supported")
            raise ValueError(f"chat template error: {e}") from e

    return render
