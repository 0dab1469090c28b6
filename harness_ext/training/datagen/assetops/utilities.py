"""Utilities intents: the current date and time, reading a JSON file."""

from __future__ import annotations

import random

from harness_ext.planning import builder
from harness_ext.training.datagen.assetops.common import JSON_FILES, Drafted, asset, template
from harness_ext.training.datagen.phrasing import pick, render


def util_time(rng: random.Random) -> Drafted:
    """The date and time (``current_date_time``) or the time in words
    (``current_time_english``)."""
    if rng.random() < 0.5:
        q = render(template(rng, "util_time.date"), rng, {})
        tool = "current_date_time"
    else:
        q = render(template(rng, "util_time.time"), rng, {})
        tool = "current_time_english"
    return Drafted(q, builder.plan(builder.now(tool)), "util_time", "Utilities")


def util_json(rng: random.Random) -> Drafted:
    slug = asset(rng).slug
    f = pick(rng, JSON_FILES).format(slug=slug)
    q = render(template(rng, "util_json"), rng, {"f": f})
    return Drafted(q, builder.plan(builder.read_json(f)), "util_json", "Utilities")
