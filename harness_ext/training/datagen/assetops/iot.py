"""IoTAgent intents: sites, assets of a site, sensors of an asset, sensor history."""

from __future__ import annotations

import random

from harness_ext.planning import builder
from harness_ext.training.datagen.assetops.common import (
    FM_TYPES,
    KINDS,
    Asset,
    Drafted,
    asset,
    asset_text,
    at_site,
    history_step,
    site,
    site_arg,
    span,
    template,
)
from harness_ext.training.datagen.phrasing import pick, render, weighted

_WINDOWS = ("month", "week_of", "first_week", "last_week", "year_last_week", "range", "two_months")


def iot_sites(rng: random.Random) -> Drafted:
    q = render(template(rng, "iot_sites"), rng, {})
    return Drafted(q, builder.plan(builder.sites()), "iot_sites", "IoT")


def iot_assets(rng: random.Random) -> Drafted:
    """All assets of a site, or those of one kind (the plan is the same)."""
    name = site(rng)
    at = at_site(rng, name)
    kind = weighted(rng, KINDS)
    plan = builder.plan(builder.assets(name))
    if rng.random() < 0.3:
        q = render(template(rng, "iot_assets.filtered"), rng, {"p": kind.plural, "at": at})
        return Drafted(q, plan, "iot_assets_filtered", "IoT")
    q = render(template(rng, "iot_assets"), rng, {"at": at})
    return Drafted(q, plan, "iot_assets", "IoT")


def iot_sensors(rng: random.Random) -> Drafted:
    """Sensors (metadata) of an asset; an asset *type* as the asset is looked up at MAIN."""
    chosen = asset(rng)
    where = site(rng) if rng.random() < 0.85 else None
    a = asset_text(rng, chosen)
    if where:
        at = at_site(rng, where)
        q = render(template(rng, "iot_sensors.at_site"), rng, {"a": a, "at": at, "s": where})
    elif rng.random() < 0.25:
        kind_name = pick(rng, FM_TYPES)
        chosen = Asset(kind_name, chosen.kind)
        q = render(template(rng, "iot_sensors.asset_type"), rng, {"a": kind_name})
    else:
        q = render(template(rng, "iot_sensors.no_site"), rng, {"a": a})
    plan = builder.plan(builder.sensors(site_arg(where), chosen.name))
    return Drafted(q, plan, "iot_sensors", "IoT")


def iot_history(rng: random.Random) -> Drafted:
    """Readings of an asset over a window, at a moment, or over "last week" (relative to
    the current time, so the plan starts with ``current_date_time``)."""
    chosen = asset(rng)
    where = site(rng) if rng.random() < 0.85 else None
    a = asset_text(rng, chosen)
    sensor = pick(rng, chosen.kind.sensors)
    at = at_site(rng, where) if where else ""
    roll = rng.random()
    if roll < 0.12:
        q = render(
            template(rng, "iot_history.last_week"), rng, {"sl": sensor.lower(), "a": a, "at": at}
        )
        task = f"Get the sensor readings of {chosen.name} for the last seven days."
        last_week = builder.history(
            site_arg(where), chosen.name, "{step_1} minus 7 days", builder.ref(1), task
        )
        return Drafted(q, builder.plan(builder.now(), last_week), "iot_history_relative", "IoT")
    if roll < 0.3:
        window = span(rng, ("moment",))
        slots = {"sl": sensor.lower(), "a": a, "d": window.text, "at": at}
        q = render(template(rng, "iot_history.moment"), rng, slots)
    else:
        window = span(rng, _WINDOWS)
        slots = {"a": a, "se": sensor, "sl": sensor.lower(), "d": window.text, "at": at}
        q = render(template(rng, "iot_history.window"), rng, slots)
    plan = builder.plan(history_step(site_arg(where), chosen, window))
    return Drafted(q, plan, "iot_history", "IoT")


def iot_history_pair(rng: random.Random) -> Drafted:
    """Two assets' readings of one sensor, merged into one file (a reasoning step)."""
    kind = weighted(rng, KINDS)
    first, second = rng.sample(list(kind.names), 2)
    name = site(rng)
    sensor = pick(rng, kind.sensors)
    window = span(rng, ("first_week", "last_week", "month", "week_of"))
    q = render(
        template(rng, "iot_history_pair"),
        rng,
        {"a": first, "b": second, "se": sensor, "d": window.text, "at": at_site(rng, name)},
    )
    merge = builder.reason(
        f"Combine the {sensor} readings of both assets into a single file.",
        (1, 2),
        "One file with both assets' readings.",
    )
    plan = builder.plan(
        history_step(name, Asset(first, kind), window),
        history_step(name, Asset(second, kind), window),
        merge,
    )
    return Drafted(q, plan, "iot_history_pair", "IoT")
