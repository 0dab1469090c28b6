"""Named scenario subsets.

``paper_test30``: the 30 held-out test scenarios of arXiv 2605.17774 (its notebook's
pattern-aware stratified 80/20 split with seed 42; IoT 4, FMSA 4, TSFM 5,
Workorder 9, multiagent 8). Every other scenario was in its training pool. A fixed list:
it is the paper's choice, reproduced from its notebook.

``paper_test30_twinfree``: the ``paper_test30`` ids that have no *twin* in training,
**derived at run time from the loaded scenario texts** (never a stored list), so it follows
the data it is run on. A held-out scenario ``h`` has a twin when some training scenario
``t`` (every loaded scenario whose id is not in ``paper_test30``) is closer to it than the
data builder's decontamination threshold allows: the builder's own rule
(``harness_ext.training.data.Decontaminator``: both texts lower-cased and
whitespace-collapsed, ``difflib.SequenceMatcher(None, t, h).ratio() > 0.8``), i.e. when
the builder, decontaminating against ``h``, would have dropped ``t`` as a copy of it.
Edge rules: a ratio of exactly 0.8 is not a twin (the builder keeps it too); the ids keep
``paper_test30``'s order; held-out ids missing from the loaded scenarios, or no training
scenario loaded at all, raise ``DataFileError`` (a twin-free claim needs both sides). On
the 152 AssetOpsBench scenarios 15 of the 30 have a twin (ids 601/602 are the same text)
and 15 are twin-free.

Why the twin-free split exists: the paper's 30 held-out ids were split from their
templates, not from their texts, so half of them have a near-copy in the training pool.
The builder drops generated questions that are near-copies of held-out texts, but a
twin's *template* still reaches training through paraphrases just under the threshold; a
score on the twin-free 15 is the part of a test30 score that cannot be recall of a seen
template.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness_ext.errors import DataFileError, UnknownNameError
from harness_ext.planning.scenarios import Scenario, select

SPLITS: dict[str, tuple[int, ...] | None] = {
    "all": None,
    "paper_test30": (
        6,
        41,
        43,
        45,
        102,
        107,
        117,
        119,
        201,
        206,
        218,
        220,
        223,
        405,
        410,
        413,
        414,
        416,
        419,
        428,
        430,
        439,
        508,
        517,
        520,
        601,
        605,
        607,
        608,
        617,
    ),
}


@dataclass(frozen=True)
class Twin:
    """A held-out scenario's closest training scenario above the threshold."""

    held_out: int
    training: int
    ratio: float


def find_twins(
    scenarios: Sequence[Scenario], held_out: Sequence[int], threshold: float | None = None
) -> dict[int, Twin]:
    """The held-out ids that have a twin among the training scenarios, with their twin.

    Training scenarios are every scenario of ``scenarios`` whose id is not in
    ``held_out``. Similarity is the data builder's decontamination rule (see the module
    docstring; ``threshold`` defaults to the builder's, 0.8): a twin has ratio strictly
    above it. When several training scenarios qualify, the closest is kept (the lowest
    id on a tie).

    Raises:
        DataFileError: a held-out id is not in ``scenarios``, or no training scenario
            is left.
    """
    # The builder's function, not a second copy of it: the split and the training data
    # must agree on what "too close" means.
    from harness_ext.training.data import THRESHOLD, Decontaminator

    limit = THRESHOLD if threshold is None else threshold
    held = select(scenarios, held_out)
    held_ids = set(held_out)
    training = sorted((s for s in scenarios if s.id not in held_ids), key=lambda s: s.id)
    if not training:
        raise DataFileError(
            "scenario selection",
            f"no training scenarios are loaded besides the {len(held)} held-out ones, so "
            "twins cannot be looked for",
            "load the full 152-scenario set (see ASSETOPSBENCH_DIR)",
        )
    twins: dict[int, Twin] = {}
    for h in held:
        against = Decontaminator([h.text], limit)
        best: Twin | None = None
        for t in training:
            ratio, index = against.closest(t.text)
            if index is not None and (best is None or ratio > best.ratio):
                best = Twin(h.id, t.id, ratio)
        if best is not None:
            twins[h.id] = best
    return twins


def paper_test30_twinfree(scenarios: Sequence[Scenario]) -> tuple[int, ...]:
    """``paper_test30`` without the ids that have a twin in training (``find_twins``)."""
    test30 = SPLITS["paper_test30"] or ()
    twins = find_twins(scenarios, test30)
    return tuple(i for i in test30 if i not in twins)


# Splits computed from the loaded scenarios (their texts decide the ids).
DERIVED_SPLITS: dict[str, Callable[[Sequence[Scenario]], tuple[int, ...]]] = {
    "paper_test30_twinfree": paper_test30_twinfree,
}


def split_names() -> tuple[str, ...]:
    """Every split name: the fixed ones, then the derived ones."""
    return (*SPLITS, *DERIVED_SPLITS)


def split_ids(name: str, scenarios: Sequence[Scenario] | None = None) -> tuple[int, ...] | None:
    """Ids of a named split (None = every scenario).

    A derived split needs the loaded ``scenarios`` to derive its ids from.

    Raises:
        UnknownNameError: ``name`` is not a split.
        DataFileError: a derived split without ``scenarios``, or its derivation fails
            (see ``find_twins``).
    """
    if name in SPLITS:
        return SPLITS[name]
    if name in DERIVED_SPLITS:
        if scenarios is None:
            raise DataFileError(
                f"split {name}",
                "is derived from the scenario texts, and no scenarios were given",
                "pass the loaded scenarios: split_ids(name, load_scenarios(...))",
            )
        return DERIVED_SPLITS[name](scenarios)
    raise UnknownNameError("scenario split", name, split_names())
