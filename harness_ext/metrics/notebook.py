"""AT-F1 exactly as the paper's notebook computed it (``at_f1_nb``).

arXiv 2605.17774's reported AT-F1 numbers come from the ``evaluate_plan`` cell of its
notebooks (runs 2 and 6), not from the definition in the paper's text. This module
reproduces that arithmetic, quirks included, so our numbers are comparable:

* the text is split before every ``#Task<N>:``; a block without one is skipped;
* agent = the first non-space token after ``#Agent<N>:``; tool = the first non-space
  token after ``#Tool<N>:`` with trailing ``(`` / ``)`` characters stripped. ``\\s*``
  may cross a line break, so an empty ``#Tool2:`` captures the next line's first
  token (e.g. ``#Args2:``) — as in the notebook;
* no case folding and no alias mapping; ``none`` is an ordinary name, so a
  ``(none, none)`` reasoning step counts as a pair;
* pairs come from every step whose tool string is non-empty; they are compared as
  sets with ``set_f1`` (both empty -> 1, one empty -> 0).
"""

from __future__ import annotations

import re

from harness_ext.metrics.setf1 import set_f1

_TASK_SPLIT = re.compile(r"(?=#Task\d+:)")
_TASK = re.compile(r"#Task(\d+):\s*(.*)")
_AGENT = re.compile(r"#Agent\d+:\s*(\S+)")
_TOOL = re.compile(r"#Tool\d+:\s*(\S+)")


def notebook_pairs(text: str | None) -> list[tuple[str, str]]:
    """(agent token, tool token) of every block with a non-empty tool token."""
    if not text:
        return []
    pairs = []
    for block in _TASK_SPLIT.split(text):
        block = block.strip()
        if not _TASK.search(block):
            continue
        agent = _AGENT.search(block)
        tool = _TOOL.search(block)
        agent_name = agent.group(1).strip() if agent else ""
        tool_name = tool.group(1).strip().rstrip("()") if tool else ""
        if tool_name:
            pairs.append((agent_name, tool_name))
    return pairs


def at_f1_notebook(gold_text: str | None, pred_text: str | None) -> float:
    """The notebook's AT-F1 of one scenario (an absent gold plan is an empty one)."""
    return set_f1(notebook_pairs(gold_text), notebook_pairs(pred_text))
