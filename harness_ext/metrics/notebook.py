"""AT-F1 and the validity rates exactly as the paper's notebook computed them.

``at_f1_nb``, ``agent_valid_nb`` and ``tool_valid_nb`` reproduce the ``parse_plan`` /
``evaluate_plan`` / ``summarize_metrics`` cells of the paper's notebooks.

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
  sets with ``set_f1`` (both empty -> 1, one empty -> 0);
* validity: a step's agent (tool) token is valid when it is *exactly* a name of the
  notebook's vocabulary — the catalog's canonical names, the literal lowercase ``none``
  and, for agents, ``VibrationAgent`` (listed by the notebook though no tool of the
  paper's catalog belongs to it). ``None``, ``NONE``, ``iotagent``, ``sites,`` and an
  absent field (empty token) are invalid. The count is over every ``#Task`` block; the
  notebook pools it over the run (``valid / max(steps, 1)``, which this project reports
  as undefined when there is no step).

None of the parser's repairs (``harness_ext.planning.plans``) apply here: the notebook
never had them. A field reusing a step number (``#Agent1:`` in the second block) is
read by its block, since the notebook's patterns accept any number; ``#Agent:`` with no
number is not read at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from harness_ext.metrics.setf1 import set_f1

_TASK_SPLIT = re.compile(r"(?=#Task\d+:)")
_TASK = re.compile(r"#Task(\d+):\s*(.*)")
_AGENT = re.compile(r"#Agent\d+:\s*(\S+)")
_TOOL = re.compile(r"#Tool\d+:\s*(\S+)")
# Agents the notebook's VALID_AGENTS lists besides the paper catalog's five.
_EXTRA_AGENTS = frozenset({"VibrationAgent"})
_NONE = "none"


def notebook_steps(text: str | None) -> list[tuple[str, str]]:
    """(agent token, tool token) of every ``#Task`` block ("" for an absent field)."""
    if not text:
        return []
    steps = []
    for block in _TASK_SPLIT.split(text):
        block = block.strip()
        if not _TASK.search(block):
            continue
        agent = _AGENT.search(block)
        tool = _TOOL.search(block)
        agent_name = agent.group(1).strip() if agent else ""
        tool_name = tool.group(1).strip().rstrip("()") if tool else ""
        steps.append((agent_name, tool_name))
    return steps


def notebook_pairs(text: str | None) -> list[tuple[str, str]]:
    """(agent token, tool token) of every block with a non-empty tool token."""
    return pairs_of(notebook_steps(text))


def pairs_of(steps: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs of ``notebook_steps`` output: steps with a non-empty tool token."""
    return [(agent, tool) for agent, tool in steps if tool]


@cache
def notebook_vocabulary(
    agent_names: tuple[str, ...], tool_names: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """The notebook's (VALID_AGENTS, VALID_TOOLS) for a catalog's canonical names."""
    agents = frozenset(agent_names) | _EXTRA_AGENTS | {_NONE}
    return agents, frozenset(tool_names) | {_NONE}


def notebook_validity(
    steps: list[tuple[str, str]], agents: frozenset[str], tools: frozenset[str]
) -> tuple[int, int, int]:
    """(steps with a valid agent, steps with a valid tool, steps), as the notebook counts.

    ``steps``: ``notebook_steps`` of the text; ``agents`` / ``tools``: the vocabulary
    from ``notebook_vocabulary``. Membership is exact (case-sensitive, no aliases).
    """
    return (
        sum(agent in agents for agent, _ in steps),
        sum(tool in tools for _, tool in steps),
        len(steps),
    )


def at_f1_notebook(gold_text: str | None, pred_text: str | None) -> float:
    """The notebook's AT-F1 of one scenario (an absent gold plan is an empty one)."""
    return set_f1(notebook_pairs(gold_text), notebook_pairs(pred_text))
