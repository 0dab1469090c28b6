"""lm-eval glue for the AssetOpsBench planning tasks (``lm_eval_tasks/assetops_*``).

The YAMLs point here with ``!function``, which also makes plain ``lm_eval`` import
this module and so ``registrations`` (our aggregations and the judge filter). Task
options come from the YAML's ``dataset_kwargs`` (``condition``, ``split``) and from
``metadata`` — which the user can override with ``--metadata``: ``scenarios``
(file/folder/hub id), ``gold`` (``project``, ``paper`` or a path), ``catalog`` (name or
path), and ``split``, which replaces the task's own (``AssetOpsTask``; lm-eval's own
dataset call would crash on a key set twice).

``prompt_tokens`` counts the chat-formatted prompt (system + user, generation prompt
added) in the tokenizer of ``tokenizer=`` or ``pretrained=`` from ``--model_args``;
without a chat template the plain ``system + blank line + question`` text. When no
tokenizer can be loaded (an API model), the metric is absent and one warning says why.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from lm_eval.api.task import ConfigurableTask

from harness_ext.errors import ToolplanError
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
    gold_source = gold or default_gold_source(scenarios)
    gold_entries = load_gold(gold_source, scenarios, catalog)
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
    """``custom_dataset`` entry point: the run's metadata and the task's dataset_kwargs.

    Keys: ``condition`` (``free``/``informed``, default ``free``), ``split`` (default
    ``all``), ``scenarios``, ``gold``, ``catalog``; every key, the model args included,
    is also handed to the prompt token counter. Called by :class:`AssetOpsTask`, which
    settles keys that both ``--metadata`` and the YAML set (see :func:`dataset_call_kwargs`).
    """
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


METADATA_OVERRIDABLE = frozenset({"split"})
"""``dataset_kwargs`` keys that ``--metadata`` may override (any other one names the task)."""


def dataset_call_kwargs(
    task: str, metadata: Mapping[str, Any] | None, dataset_kwargs: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The keyword arguments of :func:`load_dataset` for one task.

    lm-eval 0.4.13 itself calls ``custom_dataset(**metadata, **dataset_kwargs)``, which
    raises ``TypeError: got multiple values for keyword argument 'split'`` as soon as
    ``--metadata`` names a key the YAML's ``dataset_kwargs`` also sets. Rules here: a
    metadata ``split`` overrides the task's own split (one warning names both); the same
    value in both is no conflict; any other key set in both with different values is an
    error, since it is what the task is (``condition``: pick the other task instead).

    Raises:
        ToolplanError: ``--metadata`` sets a non-overridable key of the task differently.
    """
    meta = dict(metadata or {})
    own = dict(dataset_kwargs or {})
    for key in sorted(meta.keys() & own.keys()):
        if meta[key] == own[key]:
            continue
        if key in METADATA_OVERRIDABLE:
            log.warning(
                "%s: --metadata %s=%s overrides the task's own %s=%s",
                task, key, meta[key], key, own[key],
            )  # fmt: skip
            own[key] = meta[key]
            continue
        raise ToolplanError(
            f"task {task}: --metadata {key}={meta[key]} conflicts with the task's own "
            f"{key}={own[key]}, which defines the task. Fix: drop {key} from --metadata "
            f"and run the task made for {key}={meta[key]} (`toolplan tasks` lists them); "
            f"only {', '.join(sorted(METADATA_OVERRIDABLE))} can be overridden."
        )
    return {**meta, **own}


class AssetOpsTask(ConfigurableTask):
    """The task class of every ``assetops_`` task (``class:`` in ``_template_yaml``).

    lm-eval's ``ConfigurableTask`` with its dataset call replaced by
    :func:`dataset_call_kwargs` + :func:`load_dataset`, so ``--metadata split=...``
    works. The split actually used is written back to ``dataset_kwargs``, so the
    results file's task config says which scenarios were run.
    """

    def __init__(self, config: dict[str, Any] | None = None, **kwargs: Any) -> None:
        # lm-eval hands the whole YAML to the class, including the `class` key itself.
        cfg = {k: v for k, v in (config or {}).items() if k != "class"}
        super().__init__(config=cfg, **kwargs)

    def download(self, dataset_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Build the dataset from the run's metadata and the task's ``dataset_kwargs``."""
        call = dataset_call_kwargs(str(self.config.task), self.config.metadata, dataset_kwargs)
        if dataset_kwargs is not None:
            self.config.dataset_kwargs = {k: call[k] for k in dataset_kwargs}
        loader = self.config.custom_dataset
        self.dataset = (loader if callable(loader) else load_dataset)(**call)


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
