"""α-UMi's static step metrics and the end-to-end episode metrics.

**Step metrics** (arXiv 2401.07324, Table 1; definitions as in DESIGN.md §5), per step,
from :class:`~harness_ext.agents.formats.StepOutput` and the reference:

=============  ====================================================  =====================
metric         per step                                              over
=============  ====================================================  =====================
``plan_acc``   1 when the plan label equals the reference's          every step
``hallu_rate`` 1 when an action was written whose name is not one    every step
               of the step's available functions
``act_em``     1 when the action name equals the reference's         reference-call steps
               (exact string)
``arg_f1``     :func:`arg_f1` (0 when the action name differs)       reference-call steps
``rouge_l``    :func:`rouge_l` of the answer vs the reference        steps with a
                                                                     reference answer
=============  ====================================================  =====================

A metric is *absent* from a step it is not defined on (never 0); lm-eval's ``mean`` then
runs over the steps that have it. α-UMi's scorer quirks are not copied: no epsilon is
added, an empty set is not a crash, whitespace/case are compared as written (as there).

**Episode metrics**, per task, from :class:`~harness_ext.agents.checks.EpisodeCheck`:
``task_success`` (BFCL's verdict), ``turn_acc`` (``[passed, checked]`` turns, pooled),
``steps_used`` and ``calls_made`` (per task), ``budget_stop_rate`` (the agent hit its
step or call budget), ``refused_call_rate`` (``[refused, calls]``, pooled: calls the
dispatcher did not run).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harness_ext.agents.formats import StepOutput


def arg_f1(reference_json: str, predicted_json: str | None, same_action: bool) -> float:
    """Argument F1 of one reference-call step, α-UMi's rule.

    Rules: a different action name → 0; unparsable or non-object prediction → 0; a
    reference ``{}`` → 1 if the prediction is ``{}`` else 0; otherwise each reference key
    earns 1 when the prediction has it with an equal value (``==`` on the parsed JSON) and
    0.5 when it has it with another value; recall = credit / reference keys, precision =
    credit / predicted keys, F1 their harmonic mean (0 when the credit is 0).
    """
    if not same_action or predicted_json is None:
        return 0.0
    try:
        reference = json.loads(reference_json)
        predicted = json.loads(predicted_json)
    except (json.JSONDecodeError, RecursionError):
        return 0.0
    if not isinstance(reference, dict) or not isinstance(predicted, dict):
        return 0.0
    if not reference:
        return 1.0 if not predicted else 0.0
    credit = 0.0
    for key, value in reference.items():
        if key in predicted:
            credit += 1.0 if predicted[key] == value else 0.5
    if credit == 0 or not predicted:
        return 0.0
    recall, precision = credit / len(reference), credit / len(predicted)
    return 2 * precision * recall / (precision + recall)


def _lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (β = 1) on lower-cased whitespace tokens; 0 when either side is empty."""
    a, b = prediction.lower().split(), reference.lower().split()
    if not a or not b:
        return 0.0
    lcs = _lcs(a, b)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def step_scores(doc: Mapping[str, Any], output: StepOutput) -> dict[str, float]:
    """The step metrics of one static sample (keys only where defined; module docstring).

    ``doc`` is a step document (``trajectories.Step.to_doc``): ``label``, ``ref_action``,
    ``ref_args``, ``function_names``, ``answer`` (``""`` = no reference answer).
    """
    scores = {
        "plan_acc": float(output.label == doc["label"]),
        "hallu_rate": float(
            output.action is not None and output.action not in set(doc["function_names"])
        ),
    }
    if doc["label"] == "caller":
        same = output.action == doc["ref_action"]
        scores["act_em"] = float(same)
        scores["arg_f1"] = arg_f1(doc["ref_args"], output.args_json, same)
    if doc["label"] == "conclusion" and doc.get("answer"):
        scores["rouge_l"] = rouge_l(output.answer or "none", doc["answer"])
    return scores
