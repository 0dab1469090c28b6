"""Planning prompts: a system turn (format, and in the informed condition the catalog)
and a user turn that is the bare question.

The description-free system turn carries only the output format; the fine-tuned
model is expected to know the agents and tools.

``PROMPT_VERSION`` names the words of these prompts (the task README's changelog says
which tasks release uses "prompts v<N>"). ``PROMPT_SHA256`` is the hash of
``prompt_fingerprint()`` for that version, and ``tests/unit/test_prompts.py`` fails when
a word here changes without it: then bump ``PROMPT_VERSION``, the assetops tasks'
``metadata.version`` and their changelog, and record the new hash.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from harness_ext.planning.catalog import Catalog

PROMPT_VERSION = "1"
PROMPT_SHA256 = "ab494684224ae1c89d2e9abb29dff23150367ad352470ed44a0b09fd6ae7e46e"
Condition = Literal["informed", "free"]

_FORMAT = """\
Answer the user's question with a plan, one block per step, in exactly this format:
#Task1: <what the step does>
#Agent1: <agent name>
#Tool1: <tool name, or none for a reasoning-only step>
#Args1: <JSON object of arguments; write {step_N} for a value produced by step N>
#Dependency1: <None, or the earlier steps it needs, e.g. #S1, #S2>
#ExpectedOutput1: <what the step returns>
Number the steps 1, 2, 3... Use as few steps as the question needs. Output only the plan."""

_ROLE = (
    "You plan tool use for industrial asset operations (IoT data, failure modes, "
    "time-series models, work orders)."
)


def system_prompt(condition: Condition, catalog: Catalog) -> str:
    """The system turn of a planning prompt for one condition.

    The first line is "You plan tool use for <catalog.domain>." when the catalog has a
    ``domain``, else AssetOpsBench's (the shipped ``assetops_23`` has none, so its
    prompts are unchanged).
    """
    role = f"You plan tool use for {catalog.domain.rstrip('.')}." if catalog.domain else _ROLE
    if condition == "free":
        return f"{role}\n{_FORMAT}"
    return (
        f"{role}\nAvailable agents and their tools (arguments ending in ? are optional):\n"
        f"{catalog.render_informed()}\n"
        f"Use only these agents and tools.\n{_FORMAT}"
    )


def prompt_fingerprint() -> str:
    """sha256 of both system turns rendered with an empty catalog: the prompts' own words.

    The catalog's text is left out on purpose: it has its own version (``Catalog.version``).
    """
    empty = Catalog(name="", version="", agents=(), source="")
    text = system_prompt("free", empty) + "\0" + system_prompt("informed", empty)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
