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

A configured judge that cannot work — when does the run fail? Filters run after the
whole generation, and lm-eval writes nothing until the end, so an error raised in a
filter would throw away every generated output. Hence two moments:

* **before generating** (``check_inline_judge``, called by the assetops task loader
  when lm-eval builds the tasks): a setting that does not parse, a server that
  refuses connections, or a rejected key fails the run with one ``JudgeError`` that
  names the variable and the fix. Nothing has been generated yet, so nothing is lost;
* **after generating** (the filter): the judge may still fail — a server that dies
  mid-run, or answers every call with 400/429/5xx, or never writes a verdict. Then
  the outputs and every other metric are kept, each sample is unscored with its
  reason (``judge_unscored_rate`` 1.0, no fabricated score), the results' ``judge_info``
  reads ``judge: not run, <reason> (...)``, and the cause with its fix is logged at
  ERROR *and* printed again as the last lines of the run (after lm-eval's table), so
  it cannot scroll away. ``toolplan judge <output dir>`` judges the kept outputs later.

The filter and the judge's aggregations are registered with lm-eval by
``harness_ext.lm_eval_glue.registrations`` (the one place that registers anything).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import sys
from collections.abc import Iterable
from typing import Any

from lm_eval.api.filter import Filter

from harness_ext.errors import JudgeError
from harness_ext.judge.client import JudgeClient
from harness_ext.judge.config import (
    ENV_INLINE,
    ENV_MODEL,
    JudgeConfig,
    config_from_env,
    inline_enabled,
)
from harness_ext.judge.report import failure_summary, sample_metrics
from harness_ext.judge.rubric import JudgeInput, load_template
from harness_ext.judge.scoring import RESPONSE_SCHEMA, JudgeResult, JudgeRun, judge_all
from harness_ext.planning.catalog import load_catalog

log = logging.getLogger(__name__)

FILTER_NAME = "toolplan_judge"
_announced: set[str] = set()
_checked: set[tuple[str, str | None, str]] = set()
_failures: list[str] = []
_LATER = (
    "The generated outputs and every other metric were kept; judge them later with "
    "`toolplan judge <--output_path>` (the run needs --log_samples)"
)
_OFF = f"(Or set {ENV_INLINE}=0 to generate now and judge later with `toolplan judge`.)"


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


def check_inline_judge() -> None:
    """Fail an lm-eval run before it generates anything when the inline judge cannot work.

    Called when a task's docs are built (``custom_dataset``), i.e. after lm-eval loads
    the model and before it generates. Does nothing when inline judging is off.
    Checks, once per process and configuration: the settings parse, and the server
    accepts a connection and the key (``JudgeClient.probe``; a server without
    ``/models`` passes).

    Raises:
        JudgeError: The judge is configured but cannot work; the message names the
            variable and the fix.
    """
    try:
        if not inline_enabled():
            return
        config = config_from_env()
    except JudgeError as e:
        raise JudgeError(f"LLM judge: {e} {_OFF}") from None
    ident = (
        config.model,
        config.base_url,
        hashlib.sha256(config.api_key.encode("utf-8")).hexdigest(),
    )
    if ident in _checked:
        return
    client = JudgeClient(config, RESPONSE_SCHEMA)
    try:
        client.probe()
    except JudgeError as e:
        raise JudgeError(f"LLM judge ({ENV_MODEL}={config.model}): {e} {_OFF}") from None
    finally:
        client.close()
    _checked.add(ident)


def _print_failures() -> None:
    """At exit: repeat every judge failure after lm-eval's table (the last thing shown)."""
    for line in _failures:
        print(f"toolplan-eval: LLM JUDGE FAILED — {line}", file=sys.stderr, flush=True)


def _announce_failure(message: str) -> None:
    """Log a failed inline judge at ERROR now, and print it again when the run ends."""
    if not _failures:
        atexit.register(_print_failures)
    _failures.append(message)
    log.error("LLM judge failed: %s", message)


def _failure(run: JudgeRun, config: JudgeConfig, condition: str) -> str | None:
    """The one-line failure of a judged batch (no verdict at all, or a fatal stop)."""
    summary = failure_summary(run, config)
    if summary is None and run.fatal is None:
        return None
    what = summary or (
        f"the judge stopped ({run.fatal}); {run.unscored} of {len(run.results)} samples unscored"
    )
    return f"{condition or 'assetops'} task: {what}. {_LATER}."


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
        """Return the responses, each first one wrapped as ``JudgedText`` when judged.

        Never raises for a judge problem (module docstring): the outputs are kept.
        """
        resps = [list(r) for r in resps]
        template = load_template()
        condition = str(docs[0].get("condition", "")) if docs else ""
        try:
            enabled = inline_enabled()
            config = config_from_env() if enabled else None
        except JudgeError as e:
            # check_inline_judge stops the run on this before generation; a task that
            # uses this filter without our loader only learns it now.
            model = os.environ.get(ENV_MODEL, "").strip() or "?"
            _announce_failure(f"{condition or 'assetops'} task: {e}. {_LATER}.")
            return [
                [JudgedText(r[0] if r else "", _unscored(doc, e), model, template.ident), *r[1:]]
                for r, doc in zip(resps, docs, strict=True)
            ]
        if config is None:
            _once(
                "off",
                logging.WARNING,
                f"LLM judge not configured: judge_* metrics are not reported. Set {ENV_MODEL} "
                "(see README, 'LLM judge') to judge inline, or run `toolplan judge <output dir>` "
                f"on --log_samples output later. ({ENV_INLINE}=0 also turns inline judging off.)",
            )
            return resps
        items = [
            judge_input(doc, str(r[0]) if r else "", _sample_id(doc))
            for r, doc in zip(resps, docs, strict=True)
        ]
        run = judge_all(items, config, template, progress=f"LLM judge ({condition})")
        failure = _failure(run, config, condition)
        if failure:
            _announce_failure(failure)
        return [
            [JudgedText(r[0] if r else "", result, config.model, template.ident), *r[1:]]
            for r, result in zip(resps, run.results, strict=True)
        ]


def _sample_id(doc: dict[str, Any]) -> str:
    return f"scenario {doc.get('id')}/{doc.get('condition')}"


def _unscored(doc: dict[str, Any], error: JudgeError) -> JudgeResult:
    """A sample left unscored because the judge configuration does not parse."""
    return JudgeResult(_sample_id(doc), None, "judge:config", str(error), (), 0, 0)


def inline_metrics(prediction: Any, at_f1: float | None) -> dict[str, Any]:
    """The judge's per-sample values for ``process_results``; {} when not judged."""
    if not isinstance(prediction, JudgedText):
        return {}
    return sample_metrics(
        prediction.judge, prediction.judge_model, prediction.judge_template, at_f1
    )
