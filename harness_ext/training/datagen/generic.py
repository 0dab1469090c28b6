"""Generators driven only by a catalog: they work for any ``toolplan-catalog/1`` file.

Questions are built from tool and parameter *names* (``get_work_orders`` + ``equipment_id``
→ "Get the work orders for equipment ID EQU-1042"), argument values from the parameter's
type, name and any ``e.g. X`` example in its description. Answers of the tool-knowledge
family quote the catalog's own descriptions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import Any

from harness_ext.planning import builder
from harness_ext.planning.catalog import Agent, Catalog, Parameter, Tool
from harness_ext.planning.plans import format_plan
from harness_ext.training.datagen.base import Candidate, load_data
from harness_ext.training.datagen.phrasing import capitalise, expand, finish, pick, render

# A request generator yields (question, agent, tool) for single-tool requests; the
# routing and hard-negative kinds quote such requests.
RequestSource = Callable[[random.Random], tuple[str, str, str]]
ValueFn = Callable[[random.Random], tuple[Any, str]]

PHRASING_RESOURCE = "datagen/generic_phrasing.json"
KNOWLEDGE_KINDS = ("listing", "ownership", "arguments", "routing", "hard_negative", "clarification")
# Share of each kind inside the tool-knowledge family (the paper's file: listing 7,
# ownership 31, arguments 31, routing 78, hard negatives 52, clarification 45 of 307).
KNOWLEDGE_WEIGHTS = {
    "listing": 0.08,
    "ownership": 0.17,
    "arguments": 0.17,
    "routing": 0.26,
    "hard_negative": 0.17,
    "clarification": 0.15,
}

_VERBS = frozenset(load_data(PHRASING_RESOURCE)["verbs"])
_GET = "[get|retrieve|fetch|look up|pull]"
_EXAMPLE_RE = re.compile(r"(?:e\.g\.|for example|such as)\s*[:,]?\s*([^;,()]+)", re.IGNORECASE)


def name_words(name: str) -> list[str]:
    """``get_workOrders-v2`` -> ``['get', 'work', 'orders', 'v2']``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[\s_\-./]+", spaced) if w]


def param_phrase(param: Parameter) -> str:
    """How a question names a parameter: ``equipment_id`` -> ``equipment ID``,
    ``site_name`` -> ``site`` (a trailing "name" adds nothing in a question)."""
    words = name_words(param.name)
    if len(words) > 1 and words[-1] == "name":
        words = words[:-1]
    return " ".join("ID" if w == "id" else w for w in words)


def tool_clause(tool: Tool, rng: random.Random) -> str:
    """An imperative clause for calling a tool, from its name."""
    words = name_words(tool.name)
    if words[0] in _VERBS:
        verb, rest = words[0], " ".join(words[1:])
        if verb == "get":
            verb = expand(_GET, rng)
        return f"{verb} the {rest}".strip() if rest else verb
    return expand(f"[{_GET[1:-1]}|list|show me] the {' '.join(words)}", rng)


def _first_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") or not text else text + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


class ValueMaker:
    """Argument values (and how a question writes them) for any parameter.

    Order of rules: a per-name override (the AssetOpsBench pools), an ``e.g. X``
    example in the parameter's description, then the parameter's type and name:
    lists get 1-3 items, booleans ``true``, numbers small fractions, integers 1-96,
    names containing date/time/start/end/final an ISO date, path/file a file name,
    ``*_id`` an id like ``EQU-1042``, anything else ``<Stem> <n>``.
    """

    def __init__(
        self, overrides: dict[str, ValueFn] | None = None, catalog: Catalog | None = None
    ) -> None:
        self.overrides = dict(overrides or {})
        # An example given for a parameter anywhere in the catalog serves every parameter
        # of that name (zone_name described once, used by three tools).
        self.examples: dict[str, str] = {}
        for tool in catalog.tools if catalog else ():
            for p in tool.parameters:
                found = _EXAMPLE_RE.search(p.description or "")
                if found:
                    self.examples.setdefault(p.name, found.group(1).strip().rstrip("."))

    def value(self, param: Parameter, rng: random.Random) -> tuple[Any, str]:
        """(argument value, question text) for one parameter."""
        if param.name in self.overrides:
            return self.overrides[param.name](rng)
        kind = param.type.lower()
        if kind.startswith(("list", "array")):
            inner = Parameter(param.name, "string", True, param.description)
            items = [self._scalar(inner, rng)[0] for _ in range(rng.randint(1, 3))]
            items = list(dict.fromkeys(items))
            return items, _join(items)
        return self._scalar(param, rng)

    def _scalar(self, param: Parameter, rng: random.Random) -> tuple[Any, str]:
        kind, name = param.type.lower(), param.name.lower()
        if kind.startswith("bool"):
            return True, "true"
        if kind in ("number", "float", "double"):
            v = pick(rng, (0.01, 0.05, 0.1, 0.2, 0.25, 0.5))
            return v, str(v)
        if kind in ("integer", "int"):
            v = rng.randint(1, 96)
            return v, str(v)
        example = _EXAMPLE_RE.search(param.description or "")
        given = example.group(1).strip().rstrip(".") if example else self.examples.get(param.name)
        if given:
            value = _vary_number(given, rng)
            return value, value
        if "column" in name:  # before the date rule: "timestamp_column" names a column
            v = "Timestamp" if "time" in name else f"Column {rng.randint(1, 9)}"
            return v, v
        if any(k in name for k in ("date", "time", "start", "end", "final", "since", "until")):
            d = date(2019, 1, 1) + timedelta(days=rng.randint(0, 1500))
            return d.isoformat(), d.isoformat()
        if "path" in name or "file" in name:
            stem = pick(rng, ("data", "readings", "export", "report", "batch"))
            ext = ".json" if "json" in name else pick(rng, (".csv", ".csv", ".json"))
            v = f"{stem}_{rng.randint(1, 99)}{ext}"
            return v, v
        words = name_words(param.name)
        if words and words[-1] == "id":
            prefix = (words[0][:3] if words[:-1] else "ID").upper()
            v = f"{prefix}-{rng.randint(1000, 9999)}"
            return v, v
        stem = (words[0] if words and words[0] != "name" else "item").capitalize()
        v = f"{stem} {rng.randint(1, 20)}"
        return v, v


def _vary_number(text: str, rng: random.Random) -> str:
    match = re.search(r"(\d+)\s*$", text)
    if match and rng.random() < 0.6:
        return text[: match.start(1)] + str(rng.randint(1, 12))
    return text


def _join(items: list[Any]) -> str:
    texts = [str(i) for i in items]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def _arg_phrase(param: Parameter, text: str, rng: random.Random) -> str:
    name = param.name.lower()
    if any(k in name for k in ("start", "since", "from")):
        return f"from {text}"
    if any(k in name for k in ("end", "final", "until")):
        return f"to {text}"
    return expand(f"[for|with] {param_phrase(param)} {{t}}", rng, {"t": text})


@dataclass(frozen=True)
class Request:
    """A generated single-tool request: the clause, the call's arguments, the tool."""

    clause: str
    tool: Tool
    args: dict[str, Any]


def single_request(tool: Tool, values: ValueMaker, rng: random.Random) -> Request:
    """An imperative request for one call: required args always, optional ones (about a
    third of them, at most two) sometimes."""
    chosen = [p for p in tool.parameters if p.required]
    optional = [
        p for p in tool.parameters if not p.required and not p.type.lower().startswith("bool")
    ]
    rng.shuffle(optional)
    chosen += [p for p in optional[:2] if rng.random() < 0.33]
    args: dict[str, Any] = {}
    phrases = []
    for p in chosen:
        value, text = values.value(p, rng)
        args[p.name] = value
        phrases.append(_arg_phrase(p, text, rng))
    clause = " ".join([tool_clause(tool, rng), *phrases])
    return Request(clause, tool, args)


def request_step_task(req: Request) -> str:
    """A task line for a request's step."""
    return capitalise(req.clause) + "."


def _expected(tool: Tool) -> str:
    return _first_sentence(tool.description) if tool.description else f"The result of {tool.name}."


def generic_requests(catalog: Catalog, values: ValueMaker) -> RequestSource:
    """A request source over every tool of the catalog (for routing questions)."""

    def source(rng: random.Random) -> tuple[str, str, str]:
        tool = pick(rng, catalog.tools)
        req = single_request(tool, values, rng)
        return render("!" + req.clause, rng, {}), tool.agent, tool.name

    return source


# ----------------------------------------------------------------- question -> plan


def generic_plans(catalog: Catalog, values: ValueMaker) -> Callable[[random.Random], Candidate]:
    """Question→plan candidates from tool names alone: one call (60 %), one call plus a
    reasoning step that summarises it (15 %), or two independent calls (25 %)."""
    tools = catalog.tools

    def make(rng: random.Random) -> Candidate:
        roll = rng.random()
        first = single_request(pick(rng, tools), values, rng)
        s1 = builder.step(
            request_step_task(first),
            first.tool.agent,
            first.tool.name,
            first.args,
            out=_expected(first.tool),
        )
        if roll < 0.60 or len(tools) < 2:
            question = render("!" + first.clause, rng, {})
            plan, kind = builder.plan(s1), "generic_single"
        elif roll < 0.75:
            question = render(
                "!" + first.clause + " and [summarize|summarise|explain] the result", rng, {}
            )
            summary = builder.reason(
                "Summarize the result of step 1 for the user.", (1,), "A short summary."
            )
            plan = builder.plan(s1, summary)
            kind = "generic_summary"
        else:
            other = pick(rng, [t for t in tools if t is not first.tool])
            second = single_request(other, values, rng)
            question = render(
                "!" + first.clause + " [and|, and also|; also] " + second.clause, rng, {}
            )
            s2 = builder.step(
                request_step_task(second),
                other.agent,
                other.name,
                second.args,
                out=_expected(other),
            )
            plan, kind = builder.plan(s1, s2), "generic_pair"
        return Candidate(
            "question_plan",
            kind,
            question,
            format_plan(plan),
            "plan",
            {"source": "generic", "steps": len(plan.steps)},
        )

    return make


# ------------------------------------------------------------------ tool knowledge


def _describe_agent(agent: Agent) -> str:
    return f"{agent.name}: {agent.description}" if agent.description else agent.name


def _signature_answer(tool: Tool) -> str:
    if not tool.parameters:
        return f"{tool.agent}.{tool.name} takes no arguments."

    def one(p: Parameter) -> str:
        extra = f", default {p.default!r}" if p.default is not None else ""
        desc = f" — {p.description}" if p.description else ""
        return f"{p.name} ({p.type}{extra}){desc}"

    required = [one(p) for p in tool.parameters if p.required]
    optional = [one(p) for p in tool.parameters if not p.required]
    parts = [f"{tool.agent}.{tool.signature()}."]
    if required:
        parts.append("Required: " + "; ".join(required) + ".")
    if optional:
        parts.append("Optional: " + "; ".join(optional) + ".")
    return " ".join(parts)


def confusable_pairs(catalog: Catalog) -> list[tuple[Tool, Tool]]:
    """For each tool, the other tool most easily mistaken for it: highest name similarity
    plus half the Jaccard overlap of their parameter names (ties: catalog order)."""
    pairs = []
    tools = catalog.tools
    for a in tools:
        best: tuple[float, Tool] | None = None
        for b in tools:
            if b is a:
                continue
            names = SequenceMatcher(None, a.name, b.name).ratio()
            union = a.arg_names | b.arg_names
            overlap = len(a.arg_names & b.arg_names) / len(union) if union else 0.0
            score = names + 0.5 * overlap
            if best is None or score > best[0]:
                best = (score, b)
        if best is not None:
            pairs.append((a, best[1]))
    return pairs


def _resolvable(param: Parameter, catalog: Catalog) -> bool:
    """True when some tool's name says it lists values of this parameter (``sites`` for
    ``site_name``): a plan can look the value up instead of asking the user."""
    stem = name_words(param.name)[0]
    return any(stem in name_words(t.name)[-1] for t in catalog.tools)


def knowledge(
    catalog: Catalog, requests: RequestSource, values: ValueMaker
) -> dict[str, Callable[[random.Random], Candidate]]:
    """One candidate maker per tool-knowledge kind (see ``KNOWLEDGE_KINDS``)."""
    agents, tools = catalog.agents, catalog.tools
    pairs = confusable_pairs(catalog)
    partner = {a.name: b for a, b in pairs}

    def cand(
        kind: str, question: str, answer: str, probes: tuple[str, ...] = (), **meta: Any
    ) -> Candidate:
        return Candidate(
            "tool_knowledge",
            kind,
            question,
            answer,
            "knowledge",
            {"source": "catalog", **meta},
            probes,
        )

    def listing(rng: random.Random) -> Candidate:
        roll = rng.random()
        if roll < 0.35 or len(agents) == 1:
            q = render(
                pick(
                    rng,
                    (
                        "[Which|What] agents [are available|can you use|can you call|can you "
                        "plan with]",
                        "!list [all |every |]the agents [you can use|in the catalog|available]",
                        "How many agents are there[, and which are they|]",
                        "!name the agents [you can route to|available for planning]",
                    ),
                ),
                rng,
                {},
            )
            lines = "\n".join(f"- {_describe_agent(a)}" for a in agents)
            return cand("listing", q, f"There are {len(agents)} agents:\n{lines}", target="agents")
        if roll < 0.85:
            agent = pick(rng, agents)
            name = pick(rng, (agent.name, agent.name, *agent.aliases))
            q = render(
                pick(
                    rng,
                    (
                        "What tools does {a} [have|offer|provide]",
                        "Which tools belong to {a}",
                        "!list the tools of {a}",
                        "What can [the |]{a} do",
                        "How many tools does {a} have",
                    ),
                ),
                rng,
                {"a": name},
            )
            lines = "\n".join(f"- {t.name}: {t.description}" for t in agent.tools)
            n = len(agent.tools)
            answer = (
                f"{agent.name} has {n} tool{'s' if n != 1 else ''}:\n{lines}"
                if n
                else f"{agent.name} has no tools."
            )
            return cand("listing", q, answer, target=agent.name)
        q = render(
            pick(
                rng,
                (
                    "!list every tool [and the agent that owns it|grouped by agent]",
                    "Which tools [are available|can you call], by agent",
                    "!give me the full list of agents and their tools",
                ),
            ),
            rng,
            {},
        )
        return cand("listing", q, catalog.one_line_per_agent(), target="all")

    def ownership(rng: random.Random) -> Candidate:
        tool = pick(rng, tools)
        others = [a for a in agents if a.name != tool.agent]
        if others and rng.random() < 0.25:
            wrong = pick(rng, others)
            q = render(
                pick(
                    rng,
                    (
                        "Is {t} a tool of {w}",
                        "Does {w} have [a tool called |]{t}",
                        "Can {w} run {t}",
                    ),
                ),
                rng,
                {"t": tool.name, "w": wrong.name},
            )
            answer = (
                f"No. {tool.name} belongs to {tool.agent}, not {wrong.name}. "
                + _first_sentence(tool.description)
            )
            return cand("ownership", q, answer.strip(), tool=tool.name, negative=True)
        q = render(
            pick(
                rng,
                (
                    "Which agent [owns|provides|has] [the |]{t}[ tool|]",
                    "Who provides {t}",
                    "{t} belongs to which agent",
                    "Which agent do I call for {t}",
                    "Which agent is {t} part of",
                ),
            ),
            rng,
            {"t": tool.name},
        )
        answer = f"{tool.name} belongs to {tool.agent}. {_first_sentence(tool.description)}"
        return cand("ownership", q, answer.strip(), tool=tool.name)

    def arguments(rng: random.Random) -> Candidate:
        tool = pick(rng, tools)
        name = pick(rng, (tool.name, f"{tool.agent}.{tool.name}"))
        if tool.required_args and rng.random() < 0.3:
            q = render(
                pick(rng, ("Which arguments of {t} are required", "What must I pass to {t}")),
                rng,
                {"t": name},
            )
            req = [p.name for p in tool.parameters if p.required]
            answer = f"{tool.agent}.{tool.name} requires {', '.join(req)}."
        else:
            q = render(
                pick(
                    rng,
                    (
                        "What arguments does {t} take",
                        "Which parameters does {t} [need|accept]",
                        "What is the signature of {t}",
                        "How do I call {t}",
                    ),
                ),
                rng,
                {"t": name},
            )
            answer = _signature_answer(tool)
        return cand("arguments", q, answer, tool=tool.name)

    def routing(rng: random.Random) -> Candidate:
        request, agent, tool_name = requests(rng)
        tool = catalog.tool(agent, tool_name)
        desc = _first_sentence(tool.description) if tool else ""
        quoted = request.rstrip("?.! ")
        q = expand(
            pick(
                rng,
                (
                    'Which agent and tool should handle this request: "{r}"',
                    "Route this request to an agent and a tool: {r}",
                    'Which tool answers "{r}"',
                    'Who should handle "{r}"',
                ),
            ),
            rng,
            {"r": quoted},
        )
        q = finish(q, rng, "?")
        return cand(
            "routing", q, f"{agent}.{tool_name}. {desc}".strip(), (request,), tool=tool_name
        )

    def hard_negative(rng: random.Random) -> Candidate:
        right, wrong = pick(rng, pairs)
        roll = rng.random()
        if roll < 0.35:
            q = render(
                "What is the difference between {a} and {b}",
                rng,
                {"a": right.name, "b": wrong.name},
            )
            answer = (
                f"{right.name} ({right.agent}): {right.description} "
                f"{wrong.name} ({wrong.agent}): {wrong.description}"
            )
            return cand("hard_negative", q, answer.strip(), tool=right.name, versus=wrong.name)
        # A realistic request for a tool (the catalog's request source), put to its most
        # confusable neighbour.
        request, agent, tool_name = requests(rng)
        right = catalog.tool(agent, tool_name) or right
        wrong = partner.get(right.name, wrong)
        q = expand(
            pick(
                rng,
                (
                    'The request "{r}" was routed to {wa}.{w}. Is that right',
                    'Should I use {w} for "{r}"',
                    'For "{r}", is {wa}.{w} the right tool',
                ),
            ),
            rng,
            {"r": request.rstrip("?.! "), "w": wrong.name, "wa": wrong.agent},
        )
        q = finish(q, rng, "?")
        answer = (
            f"No. Use {right.agent}.{right.name}: {right.description} "
            f"{wrong.name} is for something else: {wrong.description}"
        )
        return cand(
            "hard_negative", q, answer.strip(), (request,), tool=right.name, versus=wrong.name
        )

    askable = [
        (t, p) for t in tools for p in t.parameters if p.required and not _resolvable(p, catalog)
    ]

    def clarification(rng: random.Random) -> Candidate:
        if not askable:
            return listing(rng)
        tool, missing = pick(rng, askable)
        given = [p for p in tool.parameters if p.required and p is not missing]
        phrases = []
        for p in given:
            _, text = values.value(p, rng)
            phrases.append(_arg_phrase(p, text, rng))
        q = render("!" + " ".join([tool_clause(tool, rng), *phrases]), rng, {})
        example = values.value(missing, rng)[1]
        what = param_phrase(missing)
        answer = (
            f"I need the {what} to plan this: {tool.agent}.{tool.name} requires "
            f"{missing.name}. Which {what} do you mean (for example {example})?"
        )
        return cand("clarification", q, answer, tool=tool.name, missing=missing.name)

    return {
        "listing": listing,
        "ownership": ownership,
        "arguments": arguments,
        "routing": routing,
        "hard_negative": hard_negative,
        "clarification": clarification,
    }


def cycle_kinds(rng: random.Random, weights: dict[str, float]) -> Iterator[str]:
    """An endless stream of kind names drawn with the given weights."""
    names = list(weights)
    w = [weights[n] for n in names]
    while True:
        yield rng.choices(names, weights=w, k=1)[0]
