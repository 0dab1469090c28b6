"""Clarification questions: a request that lacks something no tool can look up (an
equipment id, a data file, an asset), answered by asking for it (tool-knowledge family)."""

from __future__ import annotations

import random

from harness_ext.training.datagen.assetops.common import (
    CHILLER,
    CLARIFICATION_ANSWERS,
    EQUIPMENT_IDS,
    span,
    template,
)
from harness_ext.training.datagen.base import Candidate
from harness_ext.training.datagen.phrasing import pick, render


def clarifications(rng: random.Random) -> Candidate:
    """A request missing ``equipment_id`` (40 %), ``dataset_path`` (30 %) or the asset."""
    roll = rng.random()
    if roll < 0.4:
        missing = "equipment_id"
        q = render(
            template(rng, "clarification.equipment_id"),
            rng,
            {"d": span(rng, ("year", "month")).text},
        )
        answer = CLARIFICATION_ANSWERS[missing].format(example=pick(rng, EQUIPMENT_IDS))
    elif roll < 0.7:
        missing = "dataset_path"
        q = render(template(rng, "clarification.dataset_path"), rng, {})
        answer = CLARIFICATION_ANSWERS[missing]
    else:
        missing = "asset"
        q = render(template(rng, "clarification.asset"), rng, {})
        answer = CLARIFICATION_ANSWERS[missing].format(example=pick(rng, CHILLER.names))
    meta = {"source": "assetops_template", "missing": missing}
    return Candidate("tool_knowledge", "clarification", q, answer, "knowledge", meta)
