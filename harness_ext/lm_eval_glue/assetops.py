"""lm-eval glue for the AssetOpsBench planning tasks (``lm_eval_tasks/assetops_*``).

The YAMLs point here with ``!function``, which also makes plain ``lm_eval`` import
this module and so ``registrations`` (our aggregations and the judge filter). Task
options come from the YAML's ``dataset_kwargs`` (``condition``, ``split``) and from
``metadata`` — which the user can override with ``--metadata``: ``scenarios``
(file/folder/hub id), ``gold`` (``project``, ``paper`` or a path), ``catalog`` (name or
path).

``prompt_tokens`` counts the chat-formatted prompt (system + user, generation prompt
added) in the tokenizer of ``tokenizer=`` or ``pretrained=`` from ``--model_args``;
without a chat template the plain ``system + blank line + question`` text. When no
tokenizer can be loaded (an API model), the metric is absent and one warning says why.
"""

from __future__ import annotations

import logging
from typing import Any

from harness_ext.lm_eval_glue import registrations as _registrations  # noqa: F401  (registers)
from harness_ext.lm_eval_glue.judge_filter import check_inline_judge, inline_metrics
from harness_ext.metrics.planning import score_plan
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.gold import GoldPlan, default_gold_source, load_gold
from harness_ext.planning.plans import parse_plan
from harness_ext.planning.prompt_tokens import prompt_token_counter
from harness_ext.planning.prompts import Condition, system_prompt
from harness_ext.planning.scenarios import load_scenarios, select
from harness_ext.planning.splits import split_ids

log = logging.getLogger(__name__)


def build_docs(
    condition: Condition,
    split: str = "all",
    scenarios: str | None = None,
    gold: str | None = None,
    catalog: str | None = None,
    model_kwargs: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One doc per scenario: question, system prompt, gold plan texts, prompt tokens."""
    cat = load_catalog(catalog)
    gold_source = gold or default_gold_source()
    gold_entries = load_gold(gold_source, scenarios)
    loaded = load_scenarios(scenarios)
    chosen = select(loaded, split_ids(split, loaded))
    system = system_prompt(condition, cat)
    counter = prompt_token_counter(model_kwargs or {})
    docs = []
    for s in chosen:
        entry = gold_entries.get(s.id)
        doc: dict[str, Any] = {
            "id": s.id,
            "type": s.type,
            "category": s.category,
            "question": s.text,
            "characteristic_form": s.characteristic_form,
            "condition": condition,
            "system_prompt": system,
            "catalog": catalog or cat.name,
            "gold_source": gold_source,
            "gold_plans": [g.text for g in entry.alternatives] if entry else [],
        }
        if counter is not None:
            doc["prompt_tokens"] = counter(system, s.text)
        docs.append(doc)
    return docs


def load_dataset(**kwargs: Any) -> Any:
    """``custom_dataset`` entry point: lm-eval passes metadata and dataset_kwargs here."""
    import datasets

    check_inline_judge()  # a judge that cannot work fails the run before it generates
    docs = build_docs(
        condition=kwargs.get("condition", "free"),
        split=kwargs.get("split", "all"),
        scenarios=kwargs.get("scenarios"),
        gold=kwargs.get("gold"),
        catalog=kwargs.get("catalog"),
        model_kwargs=kwargs,
    )
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def doc_to_target(doc: dict[str, Any]) -> str:
    """The first gold plan's text ("" when the scenario has no gold plan)."""
    plans = doc.get("gold_plans") or []
    return str(plans[0]) if plans else ""


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, Any]:
    """Score one generated plan; see ``harness_ext.metrics.planning`` for definitions."""
    prediction = results[0] if results else ""
    gold = [GoldPlan(parse_plan(text).plan, text) for text in doc.get("gold_plans") or []]
    parsed = parse_plan(prediction)
    score = score_plan(prediction, gold, load_catalog(doc.get("catalog")), parsed=parsed)
    out = score.as_metrics()
    out["parse_issue_rate"] = list(score.issues)
    if doc.get("prompt_tokens") is not None:
        out["prompt_tokens"] = doc["prompt_tokens"]
    # judge_* values when the toolplan_judge filter judged this response (else none).
    out.update(inline_metrics(prediction, out.get("at_f1")))
    return out
