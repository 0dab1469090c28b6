"""Completion text and per-sample dataset columns as TRL hands them to a reward."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness_ext.errors import ToolplanError
from harness_ext.fc.calls import Call, format_json_tool_calls


def completion_text(completion: Any) -> str:
    """The text of one completion: a string, or the assistant messages of a conversation.

    A message's ``tool_calls`` (TRL's ``parse_response`` may produce them) are written back
    as Hermes ``<tool_call>`` blocks after its content, so the JSON decoder sees them. A
    completion of another shape is ``""`` (it then scores as an empty output).
    """
    if isinstance(completion, str):
        return completion
    if not isinstance(completion, Sequence):
        return ""
    parts = []
    for message in completion:
        if not isinstance(message, dict) or message.get("role", "assistant") != "assistant":
            continue
        content = message.get("content")
        if isinstance(content, str) and content:
            parts.append(content)
        calls = []
        for tc in message.get("tool_calls") or []:
            fn = tc.get("function", tc) if isinstance(tc, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                args = fn.get("arguments")
                calls.append(Call(fn["name"], args if isinstance(args, dict) else {}))
        if calls:
            parts.append(format_json_tool_calls(calls))
    return "\n".join(parts)


def column(kwargs: dict[str, Any], name: str, n: int, reward: str, fix: str) -> list[Any]:
    """A dataset column TRL passed (one value per completion).

    Raises:
        ToolplanError: the column is missing or has the wrong length (names the fix).
    """
    values = kwargs.get(name)
    if values is None:
        raise ToolplanError(f"{reward}: the dataset has no '{name}' column. Fix: {fix}")
    if not isinstance(values, Sequence) or isinstance(values, str) or len(values) != n:
        got = len(values) if isinstance(values, Sequence) else type(values).__name__
        raise ToolplanError(
            f"{reward}: column '{name}' has {got} values for {n} completions. Fix: {fix}"
        )
    return list(values)
