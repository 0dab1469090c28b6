"""The metric table: every metric the assetops tasks report, in one place.

Each row says a metric's name (the key ``process_results`` returns and lm-eval reports as
``<name>,none``), the aggregation that combines its per-sample values (a name in lm-eval's
aggregation registry: ``mean`` is lm-eval's own, the ``toolplan_*`` ones are
``harness_ext.metrics.aggregations.AGGREGATIONS``), whether higher is better, and a
one-line definition. Full definitions with every edge rule: ``metrics.planning`` (plan
metrics) and ``judge.report`` (judge metrics).

Everything else derives from or is checked against this table: the task YAML's
``metric_list`` (``tests/unit/test_metric_table.py``), the keys of ``process_results``,
``metrics.planning.PER_SCENARIO_METRICS`` / ``POOLED_METRICS``, the judge's
``toolplan judge`` aggregation, and the leaderboard's directions.

Row order is the order of the task YAML's ``metric_list``. (lm-eval 0.4.13 prints its
table sorted by name, which puts each ``<name>_n`` count right under its metric.) A new
metric = one row here + its value in ``process_results`` + one line in the YAML (the
test says which line is missing).

Undefined values, one rule: a metric that can be undefined is never reported as 0. Per
sample it is left out (``argkey_f1``, ``deps_valid``); over a run it is NaN (a pooled
rate with nothing to pool, ``at_f1_paper`` with no kept row; lm-eval prints ``NaN``,
writes ``NaN`` in its results JSON, and the leaderboard shows "–"). Each such metric
has a companion count ``<name>_n`` (aggregation ``toolplan_count``) saying over how many
units — steps, names, or samples — the value was defined; 0 there is why it is
undefined. ``toolplan score-plans`` writes strict JSON, so it leaves an undefined key
out of its summary and keeps the ``_n`` count.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness_ext.errors import UnknownNameError

MEAN = "mean"
POOLED_RATE = "toolplan_pooled_rate"
ISSUE_RATE = "toolplan_issue_rate"
SUM = "toolplan_sum"
POOLED_MEAN = "toolplan_pooled_mean"
SPEARMAN = "toolplan_spearman"
JUDGE_INFO = "toolplan_judge_info"
COUNT = "toolplan_count"
PAPER_MEAN = "toolplan_paper_mean"
COUNT_SUFFIX = "_n"


@dataclass(frozen=True)
class Metric:
    """One reported metric.

    Attributes:
        name: Key in ``process_results`` output and lm-eval results (``<name>,none``).
        aggregation: Name of the aggregation in lm-eval's registry.
        higher_is_better: Direction, as lm-eval's ``metric_list`` states it.
        definition: One line saying what the per-run value means.
    """

    name: str
    aggregation: str
    higher_is_better: bool
    definition: str


def _count(name: str, units: str) -> Metric:
    """The companion count of ``name`` (see the module docstring)."""
    return Metric(
        f"{name}{COUNT_SUFFIX}",
        COUNT,
        True,
        f"number of {units} {name} is computed over (0: {name} is undefined)",
    )


PLANNING_METRICS: tuple[Metric, ...] = (
    Metric("at_f1", MEAN, True, "F1 of (agent, tool) pair sets over actionable steps (paper text)"),
    Metric(
        "at_f1_nb",
        MEAN,
        True,
        "AT-F1 as the paper's notebook computed it (the paper's numbers)",
    ),
    Metric(
        "at_f1_paper",
        PAPER_MEAN,
        True,
        "mean at_f1 over the samples the paper's script keeps (answered, gold has a step)",
    ),
    _count("at_f1_paper", "samples"),
    Metric("agent_f1", MEAN, True, "F1 of the agent-name sets"),
    Metric("tool_f1", MEAN, True, "F1 of the tool-name sets"),
    Metric(
        "argkey_f1",
        MEAN,
        True,
        "argument-key F1 over steps matching a gold step with arguments "
        "(not scored when the gold has no arguments)",
    ),
    _count("argkey_f1", "samples"),
    Metric("lcs", MEAN, True, "2·LCS / (|gold| + |pred|) of the ordered pair sequences"),
    Metric(
        "agent_valid",
        POOLED_RATE,
        True,
        "share of predicted steps whose agent is in the catalog (or none), pooled over the run",
    ),
    _count("agent_valid", "predicted steps"),
    Metric(
        "tool_valid",
        POOLED_RATE,
        True,
        "share of predicted steps whose tool is in the catalog (or none), pooled over the run",
    ),
    _count("tool_valid", "predicted steps"),
    Metric(
        "agent_valid_nb",
        POOLED_RATE,
        True,
        "agent_valid by the notebook's rule (exact names; only lowercase none), pooled",
    ),
    _count("agent_valid_nb", "#Task blocks"),
    Metric(
        "tool_valid_nb",
        POOLED_RATE,
        True,
        "tool_valid by the notebook's rule (exact names; only lowercase none), pooled",
    ),
    _count("tool_valid_nb", "#Task blocks"),
    Metric(
        "hallucinated_names",
        POOLED_RATE,
        False,
        "share of named agents and tools that are not in the catalog, pooled over the run",
    ),
    _count("hallucinated_names", "named agents and tools"),
    Metric("format_ok", MEAN, True, "output contains #Task and #Agent"),
    Metric(
        "deps_valid",
        MEAN,
        True,
        "every dependency and {step_N} points to an earlier step "
        "(not scored for outputs with no step)",
    ),
    _count("deps_valid", "samples"),
    Metric("parse_issue_rate", ISSUE_RATE, False, "share of outputs with at least one parse issue"),
    Metric(
        "prompt_tokens",
        MEAN,
        False,
        "input tokens of the chat-formatted prompt in the model's tokenizer "
        "(absent when no tokenizer loads)",
    ),
)

# The rubric's words for each dimension (harness_ext/judge/templates/plan_judge_v1.txt).
_DIMENSION_WORDS = {
    "correctness": "carrying out the plan would answer the question",
    "agent_routing": "each step goes to the agent that owns the capability",
    "tool_selection": "suitable tools, and only tools that exist",
    "argument_quality": "each call has the arguments its tool needs, with the right values",
    "efficiency": "no needless, repeated or missing steps",
    "dependency_correctness": "each step declares the earlier steps it uses, and no others",
}

JUDGE_METRICS: tuple[Metric, ...] = (
    *(
        Metric(
            f"judge_{dim}",
            MEAN,
            True,
            f"judge score 1–5: {words}; mean over scored samples",
        )
        for dim, words in _DIMENSION_WORDS.items()
    ),
    Metric("judge_overall", MEAN, True, "mean of the six judge scores; mean over scored samples"),
    Metric(
        "judge_unscored_rate",
        ISSUE_RATE,
        False,
        "share of samples the judge left unscored (each keeps its reason)",
    ),
    Metric("judge_calls", SUM, False, "HTTP requests sent to the judge (retries included)"),
    Metric("judge_cache_hits", SUM, True, "judge replies served from the cache"),
    Metric(
        "judge_latency_s",
        POOLED_MEAN,
        False,
        "mean seconds per judge reply received (NaN when no call was made)",
    ),
    Metric(
        "judge_spearman_at_f1",
        SPEARMAN,
        True,
        "Spearman rho of judge_overall against at_f1 (NaN with < 2 pairs or a constant side)",
    ),
    Metric("judge_info", JUDGE_INFO, True, "provenance: judge model and rubric template"),
)

METRICS: tuple[Metric, ...] = PLANNING_METRICS + JUDGE_METRICS
_BY_NAME = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The table row of ``name``.

    Raises:
        UnknownNameError: ``name`` is not in the table (the message lists close matches).
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownNameError(
            "metric", name, _BY_NAME, "See harness_ext/metrics/table.py for every metric."
        ) from None
