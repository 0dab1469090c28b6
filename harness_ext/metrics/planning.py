"""Plan metrics for one prediction against its gold alternatives (pure functions).

Every metric is computed per scenario from raw values; nothing is rounded.
Names are canonicalised through the catalog (case, spacing, aliases such as MCP
server ids) before comparison, except by the ``_nb`` metrics, which reproduce the
paper's notebook character for character (``metrics.notebook``).

Per-scenario metrics (mean over scenarios):
    at_f1       F1 of the sets of (agent, tool) pairs over actionable steps — steps
                whose agent and tool are both present and not ``none`` (paper text).
                A step is a ``#Task`` block; fields that reuse a step number or have
                none are filed by the parser's rule (``planning.plans.parse_plan``).
    at_f1_nb    The paper notebook's AT-F1 (see ``metrics.notebook``).
    agent_f1    F1 of the sets of agent names (steps whose agent is not none).
    tool_f1     F1 of the sets of tool names (steps whose tool is not none).
    argkey_f1   For each predicted step whose (agent, tool) matches a gold step with
                non-empty args: F1 of the argument-key sets; mean over those steps;
                0.0 when no step matched. Absent (not scored) when no gold step has
                arguments at all — the paper's notebook scored those scenarios 0.0,
                which gave a perfect plan of argument-free tools ArgKey-F1 0.
    lcs         2·LCS / (|gold| + |pred|) over the ordered actionable pair sequences.
    format_ok   1.0 when the raw text contains both ``#Task`` and ``#Agent``.
    deps_valid  1.0 when every dependency and ``{step_N}`` reference points to an
                earlier, existing step; absent (not scored) for a plan with no steps.
The paper's run total:
    at_f1_paper mean ``at_f1`` over the samples the paper's ``evaluate_plan_quality.py``
                keeps: the answer is not empty (``answered``; whitespace counts as an
                answer, as there) and some gold alternative has an actionable step
                (``gold_actionable``; an absent gold plan has none). Per sample it is
                the record ``{at_f1, answered, gold_actionable}``; NaN when no sample
                is kept.
Pooled rates (sum of hits / sum of counts over the run, as the paper reports them):
    agent_valid / tool_valid   share of predicted steps whose agent / tool is in the
                               catalog or written as none (any case, ``null``, ``n/a``:
                               see ``plans.is_none``) — a none marker names no agent,
                               so it cannot name a wrong one.
    agent_valid_nb / ...nb     the notebook's rule: exact names, only lowercase
                               ``none`` (``None`` is invalid), over its ``#Task`` blocks.
    hallucinated_names         share of named agents and tools (none excluded) that
                               are not in the catalog.
A pooled rate with a count of 0 is undefined (NaN), never 0.0; the paper's notebook
printed 0.0 there.
Counts (``<metric>_n``, summed over the run): the steps, names or samples each metric
that can be undefined was computed over (``metrics.table``).
Set-F1 edge rules everywhere: both sets empty -> 1.0, one empty -> 0.0.

With several gold alternatives, the one with the highest ``at_f1`` is used for every
metric (ties: the first listed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness_ext.metrics.aggregations import issue_rate, paper_mean, pooled_rate
from harness_ext.metrics.notebook import (
    notebook_pairs,
    notebook_steps,
    notebook_validity,
    notebook_vocabulary,
    pairs_of,
)
from harness_ext.metrics.setf1 import sequence_similarity, set_f1
from harness_ext.metrics.table import (
    COUNT,
    COUNT_SUFFIX,
    MEAN,
    PAPER_MEAN,
    PLANNING_METRICS,
    POOLED_RATE,
)
from harness_ext.planning.catalog import Catalog
from harness_ext.planning.gold import GoldPlan
from harness_ext.planning.plans import ParsedPlan, Plan, Step, is_none, parse_plan, step_references

# Derived from the metric table (same order): per-scenario floats averaged over the
# scenarios that have them, and [hits, count] items pooled over the run. prompt_tokens is
# a mean too, but of the prompt, not of the plan: ``score_plan`` does not produce it.
PER_SCENARIO_METRICS = tuple(
    m.name for m in PLANNING_METRICS if m.aggregation == MEAN and m.name != "prompt_tokens"
)
POOLED_METRICS = tuple(m.name for m in PLANNING_METRICS if m.aggregation == POOLED_RATE)
PAPER_METRICS = tuple(m.name for m in PLANNING_METRICS if m.aggregation == PAPER_MEAN)
COUNT_METRICS = tuple(m.name for m in PLANNING_METRICS if m.aggregation == COUNT)


@dataclass(frozen=True)
class PlanScore:
    """All metric values of one prediction, plus why it may have scored low.

    ``values``: per-scenario floats (an undefined one is left out); ``pooled``:
    ``(hits, count)`` of each pooled rate; ``answered`` / ``gold_actionable``: what the
    paper's script filters on (``at_f1_paper``).
    """

    values: dict[str, float]
    pooled: dict[str, tuple[int, int]]
    issues: tuple[str, ...]
    gold_alternative: int | None
    answered: bool
    gold_actionable: bool

    @property
    def paper_kept(self) -> bool:
        """Whether the paper's script would average this sample."""
        return self.answered and self.gold_actionable

    def count(self, name: str) -> int:
        """Units behind ``name``: its pooled count, else 1/0 for kept/defined or not."""
        if name in self.pooled:
            return self.pooled[name][1]
        if name in PAPER_METRICS:
            return int(self.paper_kept)
        return int(name in self.values)

    def as_metrics(self) -> dict[str, Any]:
        """Per-sample values by metric-table name: floats for per-scenario metrics,
        [hits, count] for pooled rates, the paper record, and an int per ``_n`` count."""
        out: dict[str, Any] = dict(self.values)
        out.update({k: [h, n] for k, (h, n) in self.pooled.items()})
        for name in PAPER_METRICS:
            out[name] = {
                "at_f1": self.values["at_f1"],
                "answered": self.answered,
                "gold_actionable": self.gold_actionable,
            }
        for name in COUNT_METRICS:
            out[name] = self.count(name.removesuffix(COUNT_SUFFIX))
        return out


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Run-level values from per-scenario metric dicts, as the lm-eval tasks aggregate them.

    Per-scenario metrics: mean over the rows that have the key (``deps_valid`` is
    absent for plans without steps). Pooled metrics: ``pooled_rate``; ``at_f1_paper``:
    ``paper_mean``; counts: their sum. An undefined value (no row has the key, or the
    aggregation gives NaN) is left out — the summary is strict JSON — and its ``_n``
    count says why; never reported as 0.
    """
    summary: dict[str, float] = {}
    for name in (*PER_SCENARIO_METRICS, "prompt_tokens"):
        values = [float(r[name]) for r in rows if name in r]
        if values:
            summary[name] = sum(values) / len(values)
    for names, aggregate in ((POOLED_METRICS, pooled_rate), (PAPER_METRICS, paper_mean)):
        for name in names:
            value = aggregate([r[name] for r in rows if name in r])
            if not math.isnan(value):
                summary[name] = value
    for name in COUNT_METRICS:
        summary[name] = sum(int(r.get(name, 0)) for r in rows)
    rate = issue_rate([r.get("issues") or [] for r in rows])
    if not math.isnan(rate):
        summary["parse_issue_rate"] = rate
    return summary


def _agent(step: Step, catalog: Catalog) -> str | None:
    if is_none(step.agent):
        return None
    return catalog.canonical_agent(step.agent) or (step.agent or "").strip()


def _tool(step: Step, catalog: Catalog) -> str | None:
    if is_none(step.tool):
        return None
    return catalog.canonical_tool(step.tool) or (step.tool or "").strip()


@dataclass(frozen=True)
class _Canonical:
    """A plan's names canonicalised once, so each alternative compares cheaply."""

    names: tuple[tuple[str | None, str | None], ...]  # (agent, tool) per step
    arg_keys: tuple[frozenset[str], ...]  # argument keys per step

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(a, t) for a, t in self.names if a is not None and t is not None]

    @property
    def agents(self) -> set[str]:
        return {a for a, _ in self.names if a is not None}

    @property
    def tools(self) -> set[str]:
        return {t for _, t in self.names if t is not None}


def _canonical(plan: Plan, catalog: Catalog) -> _Canonical:
    return _Canonical(
        names=tuple((_agent(s, catalog), _tool(s, catalog)) for s in plan.steps),
        arg_keys=tuple(frozenset(s.args or {}) for s in plan.steps),
    )


def actionable_pairs(plan: Plan, catalog: Catalog) -> list[tuple[str, str]]:
    """Ordered (agent, tool) pairs of the steps with both names present and not none."""
    return _canonical(plan, catalog).pairs


def argkey_f1(gold: Plan, pred: Plan, catalog: Catalog) -> float | None:
    """ArgKey-F1 (see module docstring); None when no gold step has arguments."""
    return _argkey_f1(_canonical(gold, catalog), _canonical(pred, catalog))


def _argkey_f1(gold: _Canonical, pred: _Canonical) -> float | None:
    # A later gold step with the same (agent, tool) overwrites an earlier one, as in
    # the paper's notebook.
    gold_args = {name: keys for name, keys in zip(gold.names, gold.arg_keys, strict=True) if keys}
    if not gold_args:
        return None
    scores = [
        set_f1(gold_args[name], keys)
        for name, keys in zip(pred.names, pred.arg_keys, strict=True)
        if name in gold_args
    ]
    return sum(scores) / len(scores) if scores else 0.0


def deps_valid(plan: Plan) -> float | None:
    """1.0 if all dependencies point backwards to existing steps; None for no steps."""
    if not plan.steps:
        return None
    for position, step in enumerate(plan.steps, start=1):
        refs = set(step.dependencies) | step_references(step.args or {})
        if any(ref >= position or ref < 1 for ref in refs):
            return 0.0
    return 1.0


def _pooled(
    plan: Plan, nb_steps: list[tuple[str, str]], catalog: Catalog
) -> dict[str, tuple[int, int]]:
    steps = len(plan.steps)
    agent_ok = tool_ok = named = unknown = 0
    for step in plan.steps:
        if step.agent is not None and (is_none(step.agent) or catalog.canonical_agent(step.agent)):
            agent_ok += 1
        if step.tool is not None and (is_none(step.tool) or catalog.canonical_tool(step.tool)):
            tool_ok += 1
        for raw, known in (
            (step.agent, catalog.canonical_agent(step.agent)),
            (step.tool, catalog.canonical_tool(step.tool)),
        ):
            if not is_none(raw):
                named += 1
                unknown += known is None
    vocabulary = notebook_vocabulary(catalog.agent_names, catalog.tool_names)
    nb_agents, nb_tools, nb_count = notebook_validity(nb_steps, *vocabulary)
    return {
        "agent_valid": (agent_ok, steps),
        "tool_valid": (tool_ok, steps),
        "agent_valid_nb": (nb_agents, nb_count),
        "tool_valid_nb": (nb_tools, nb_count),
        "hallucinated_names": (unknown, named),
    }


def _versus_gold(gold: _Canonical, pred: _Canonical) -> dict[str, float]:
    """Every gold-dependent metric; ``argkey_f1`` is left out when it is undefined."""
    gold_pairs, pred_pairs = gold.pairs, pred.pairs
    scores = {
        "at_f1": set_f1(gold_pairs, pred_pairs),
        "agent_f1": set_f1(gold.agents, pred.agents),
        "tool_f1": set_f1(gold.tools, pred.tools),
        "lcs": sequence_similarity(gold_pairs, pred_pairs),
    }
    argkeys = _argkey_f1(gold, pred)
    if argkeys is not None:
        scores["argkey_f1"] = argkeys
    return scores


def score_plan(
    prediction: str | None,
    gold: tuple[GoldPlan, ...] | list[GoldPlan],
    catalog: Catalog,
    parsed: ParsedPlan | None = None,
) -> PlanScore:
    """Score one prediction against its gold alternatives (empty = no gold plan)."""
    parsed = parsed or parse_plan(prediction)
    pred = parsed.plan
    candidates = list(gold) or [GoldPlan(Plan(()), "")]
    pred_names = _canonical(pred, catalog)
    gold_names = [_canonical(c.plan, catalog) for c in candidates]
    best_index, best = 0, _versus_gold(gold_names[0], pred_names)
    for i, alternative in enumerate(gold_names[1:], start=1):
        scores = _versus_gold(alternative, pred_names)
        if scores["at_f1"] > best["at_f1"]:
            best_index, best = i, scores
    values = dict(best)
    nb_steps = notebook_steps(prediction)
    values["at_f1_nb"] = set_f1(notebook_pairs(candidates[best_index].text), pairs_of(nb_steps))
    text = prediction or ""
    values["format_ok"] = float("#Task" in text and "#Agent" in text)
    deps = deps_valid(pred)
    if deps is not None:
        values["deps_valid"] = deps
    return PlanScore(
        values=values,
        pooled=_pooled(pred, nb_steps, catalog),
        issues=tuple(parsed.issue_codes),
        gold_alternative=best_index if gold else None,
        answered=bool(prediction),
        gold_actionable=bool(gold) and any(g.pairs for g in gold_names),
    )
