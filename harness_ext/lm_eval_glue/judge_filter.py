"""Inline judging inside a normal lm-eval run: the ``toolplan_judge`` filter.

lm-eval hands a filter *all* responses of a task at once, so the ``toolplan_judge``
filter is where the batched, concurrent judge calls happen (behind one progress bar
per task). It returns each response unchanged as text — a ``JudgedText``, a ``str``
that also carries the judge's result — so every other metric sees the same plan,
and ``process_results`` (``harness_ext.lm_eval_glue.assetops``) adds the judge's per-sample
values with ``inline_metrics``. The task YAML names the filter pipeline ``none``, so
the existing metric keys (``at_f1,none``...) stay as they were.

No judge configured (``TOOLPLAN_JUDGE_MODEL`` unset, or ``TOOLPLAN_JUDGE_INLINE=0``):
the filter passes responses through, ``process_results`` adds no ``judge_*`` key, the
judge rows are absent from lm-eval's table, and one warning per process says why.
Note that ``--predict_only`` does not stop lm-eval from running filters: set
``TOOLPLAN_JUDGE_INLINE=0`` for a generate-now, judge-later run.

The filter and the judge's aggregations are registered with lm-eval by
``harness_ext.lm_eval_glue.registrations`` (the one place that registers anything).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from lm_eval.api.filter import Filter

from harness_ext.errors import JudgeError
from harness_ext.judge.config import ENV_INLINE, ENV_MODEL, config_from_env, inline_enabled
from harness_ext.judge.report import sample_metrics
from harness_ext.judge.rubric import JudgeInput, load_template
from harness_ext.judge.scoring import JudgeResult, judge_all
from harness_ext.planning.catalog import load_catalog

log = logging.getLogger(__name__)

FILTER_NAME = "toolplan_judge"
_announced: set[str] = set()


def _once(key: str, level: int, message: str) -> None:
    """Log ``message`` once per process (a group of tasks applies the filter per task)."""
    if key not in _announced:
        _announced.add(key)
        log.log(level, message)


class JudgedText(str):
    """A model response (the ``str`` itself) plus the judge's outcome for it."""

    judge: JudgeResult
    judge_model: str
    judge_template: str

    def __new__(cls, text: str, result: JudgeResult, model: str, template: str) -> JudgedText:
        obj = super().__new__(cls, text)
        obj.judge, obj.judge_model, obj.judge_template = result, model, template
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        # str's default pickling would call __new__ with the text only (multi-GPU gather).
        return (JudgedText, (str(self), self.judge, self.judge_model, self.judge_template))


def judge_input(doc: dict[str, Any], candidate: str, sample_id: str) -> JudgeInput:
    """What the judge sees for one assetops doc (first gold plan; the doc's catalog)."""
    gold_plans = doc.get("gold_plans") or []
    return JudgeInput(
        sample_id=sample_id,
        question=str(doc.get("question", "")),
        gold=str(gold_plans[0]) if gold_plans else "",
        candidate=candidate,
        tools=load_catalog(doc.get("catalog")).one_line_per_agent(),
    )


class JudgeFilter(Filter):
    """Judge the first response of every doc of a task in one concurrent batch."""

    def apply(self, resps: Iterable[Any], docs: list[dict[str, Any]]) -> list[Any]:
        """Return the responses, each first one wrapped as ``JudgedText`` when judged."""
        resps = [list(r) for r in resps]
        if not inline_enabled():
            _once(
                "off",
                logging.WARNING,
                f"LLM judge not configured: judge_* metrics are not reported. Set {ENV_MODEL} "
                "(see README, 'LLM judge') to judge inline, or run `toolplan judge <output dir>` "
                f"on --log_samples output later. ({ENV_INLINE}=0 also turns inline judging off.)",
            )
            return resps
        try:
            config = config_from_env()
        except JudgeError as e:
            _once("config", logging.ERROR, f"LLM judge not run: {e}")
            return resps
        template = load_template()
        items = [
            judge_input(
                doc, str(r[0]) if r else "", f"scenario {doc.get('id')}/{doc.get('condition')}"
            )
            for r, doc in zip(resps, docs, strict=True)
        ]
        condition = docs[0].get("condition", "") if docs else ""
        run = judge_all(items, config, template, progress=f"LLM judge ({condition})")
        if run.fatal:
            _once("fatal", logging.ERROR, f"LLM judge failed; samples left unscored: {run.fatal}")
        return [
            [JudgedText(r[0] if r else "", result, config.model, template.ident), *r[1:]]
            for r, result in zip(resps, run.results, strict=True)
        ]


def inline_metrics(prediction: Any, at_f1: float | None) -> dict[str, Any]:
    """The judge's per-sample values for ``process_results``; {} when not judged."""
    if not isinstance(prediction, JudgedText):
        return {}
    return sample_metrics(
        prediction.judge, prediction.judge_model, prediction.judge_template, at_f1
    )
