"""Step 1 of 3 (build the prompt): the versioned rubric template and its rendering.

A template is a package-data text file (``templates/<name>.txt``): a ``version:`` line,
``#`` comment lines, then ``=== system ===``, ``=== user ===`` and ``=== reask ===``
sections with ``${placeholder}`` fields (``string.Template``: the candidate may contain
braces and dollar signs, which are inserted verbatim, never re-parsed).

Rendering rules:

* an empty gold plan is shown as ``(no gold plan)``; an empty or whitespace-only
  candidate as ``(empty)`` — the rubric asks for 1 everywhere for the latter;
* the candidate sits between two fence lines that contain a hash of the candidate
  itself, so a candidate cannot forge the closing fence (it would have to contain its
  own hash) while the prompt stays deterministic and cacheable.
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

from harness_ext.errors import DataFileError, UnknownNameError

DEFAULT_TEMPLATE = "plan_judge_v1"
DIMENSIONS: tuple[str, ...] = (
    "correctness",
    "agent_routing",
    "tool_selection",
    "argument_quality",
    "efficiency",
    "dependency_correctness",
)
NO_GOLD = "(no gold plan)"
EMPTY_CANDIDATE = "(empty)"
_SECTIONS = ("system", "user", "reask")

Message = dict[str, str]


@dataclass(frozen=True)
class Template:
    """A parsed rubric template.

    Attributes:
        name: File stem (``plan_judge_v1``).
        version: The file's ``version:`` line (``plan_judge/1``); part of cache keys.
        sha256: Hash of the file's bytes; written into results.
        system, user, reask: The three sections, with ``${...}`` placeholders.
    """

    name: str
    version: str
    sha256: str
    system: str
    user: str
    reask: str

    @property
    def ident(self) -> str:
        """``version#sha256-prefix``: what results show as the template identity."""
        return f"{self.version}#{self.sha256[:12]}"


@dataclass(frozen=True)
class JudgeInput:
    """What the judge sees about one sample.

    Attributes:
        sample_id: For messages and logs (e.g. ``assetops_free:3``).
        question: The scenario text.
        gold: The reference plan text; "" when the scenario has none.
        candidate: The model's plan text; "" when it produced nothing.
        tools: One line per agent: ``Agent: tool1, tool2``.
    """

    sample_id: str
    question: str
    gold: str
    candidate: str
    tools: str


def template_names() -> list[str]:
    """Names of the shipped templates."""
    folder = resources.files("harness_ext.judge") / "templates"
    return sorted(e.name[:-4] for e in folder.iterdir() if e.name.endswith(".txt"))


def parse_template(text: str, name: str, source: str) -> Template:
    """Split a template file into its version and sections (see module docstring)."""
    fix = "start with 'version: <id>' and give '=== system ===', '=== user ===', '=== reask ==='"
    lines = text.splitlines()
    if not lines or not lines[0].startswith("version:"):
        raise DataFileError(source, "the first line is not 'version: <id>'", fix)
    version = lines[0].split(":", 1)[1].strip()
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith("===") and stripped.endswith("===") and len(stripped) > 6:
            key = stripped.strip("= ").lower()
            if key not in _SECTIONS or key in sections:
                raise DataFileError(source, f"unexpected or repeated section {stripped!r}", fix)
            current = sections[key] = []
        elif current is not None:
            current.append(line)
        elif stripped and not stripped.startswith("#"):
            raise DataFileError(source, f"text before the first section: {stripped[:40]!r}", fix)
    missing = [s for s in _SECTIONS if s not in sections]
    if not version or missing:
        raise DataFileError(source, f"missing version or sections {missing}", fix)
    body = {k: "\n".join(v).strip("\n") for k, v in sections.items()}
    return Template(
        name=name,
        version=version,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        system=body["system"],
        user=body["user"],
        reask=body["reask"],
    )


@cache
def load_template(name: str = DEFAULT_TEMPLATE) -> Template:
    """Load a shipped template by name (default ``plan_judge_v1``)."""
    known = template_names()
    if name not in known:
        raise UnknownNameError("judge template", name, known)
    resource = resources.files("harness_ext.judge") / "templates" / f"{name}.txt"
    return parse_template(resource.read_text("utf-8"), name, str(resource))


def candidate_fence(candidate: str) -> str:
    """The delimiter line around a candidate; derived from the candidate's own hash."""
    digest = hashlib.sha256(candidate.encode("utf-8")).hexdigest()[:16]
    return f"----- candidate {digest} -----"


def render(template: Template, item: JudgeInput) -> list[Message]:
    """Build the chat messages for one sample (system + user)."""
    candidate = item.candidate if item.candidate.strip() else EMPTY_CANDIDATE
    fields = {
        "tools": item.tools,
        "question": item.question.strip(),
        "gold": item.gold.strip() or NO_GOLD,
        "candidate": candidate,
        "fence": candidate_fence(candidate),
    }
    return [
        {"role": "system", "content": string.Template(template.system).substitute(fields)},
        {"role": "user", "content": string.Template(template.user).substitute(fields)},
    ]


def reask(template: Template, messages: list[Message], reply: str, problem: str) -> list[Message]:
    """The conversation for the single re-ask: the first exchange plus a correction."""
    correction = string.Template(template.reask).substitute({"problem": problem})
    return [
        *messages,
        {"role": "assistant", "content": reply},
        {"role": "user", "content": correction},
    ]


def prompt_hash(messages: list[Message]) -> str:
    """sha256 of the messages as canonical JSON (the cache's prompt identity)."""
    blob = json.dumps(messages, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
