"""FMSRAgent intents: failure modes, and which sensors reveal which failure modes.

A question that places the asset at a site ("Chiller 6 at MAIN site") imitates the
benchmark's multi-agent variants and is typed ``multiagent``; otherwise ``FMSA``.
"""

from __future__ import annotations

import random

from harness_ext.planning import builder
from harness_ext.planning.plans import Step
from harness_ext.training.datagen.assetops.common import (
    AHU,
    CHILLER,
    COMPONENTS,
    FM_TYPES,
    PHRASES,
    SENSOR_GROUPS,
    Asset,
    Drafted,
    asset,
    asset_text,
    site,
    site_arg,
    target,
    template,
)
from harness_ext.training.datagen.phrasing import capitalise, pick, render

_KINDS = (CHILLER, AHU)


def _subject(rng: random.Random) -> tuple[Asset, str | None, str]:
    """A chiller or AHU, a site half of the time (the benchmark's multi-agent variants
    of FMSR questions add "at MAIN site"), and how the question names both."""
    chosen = asset(rng, _KINDS)
    where = site(rng) if rng.random() < 0.5 else None
    text = asset_text(rng, chosen)
    return chosen, where, f"{text} at {where} site" if where else text


def _scenario_type(where: str | None) -> str:
    return "multiagent" if where else "FMSA"


def _all_modes_to_all_sensors(where: str | None, chosen: Asset) -> tuple[Step, ...]:
    """Sensors, failure modes, and the mapping of every mode to every sensor."""
    return (
        builder.sensors(site_arg(where), chosen.name),
        builder.failure_modes(chosen.name),
        builder.sensor_mapping(chosen.name, builder.ref(2), builder.ref(1)),
    )


def _sensors_for_mode(where: str | None, chosen: Asset, mode: str, out: str) -> tuple[Step, ...]:
    """Sensors, and the mapping of one named mode to them."""
    return (
        builder.sensors(site_arg(where), chosen.name),
        builder.sensor_mapping(chosen.name, [mode], builder.ref(1), out=out),
    )


def _modes_for_sensor(
    chosen: Asset, sensor_target: str, out: str, task: str | None
) -> tuple[Step, ...]:
    """Failure modes, and the mapping of all of them to one sensor."""
    return (
        builder.failure_modes(chosen.name),
        builder.sensor_mapping(chosen.name, builder.ref(1), [sensor_target], out=out, task=task),
    )


def fmsr_modes(rng: random.Random) -> Drafted:
    name = pick(rng, FM_TYPES) if rng.random() < 0.5 else asset(rng).name
    q = render(template(rng, "fmsr_modes"), rng, {"n": name})
    return Drafted(q, builder.plan(builder.failure_modes(name)), "fmsr_modes", "FMSA")


def fmsr_modes_by_sensor(rng: random.Random) -> Drafted:
    """Modes one named sensor can detect: modes, then their mapping to that sensor."""
    chosen, where, a = _subject(rng)
    sensor = pick(rng, chosen.kind.sensors)
    t = target(chosen, sensor)
    q = render(template(rng, "fmsr_modes_by_sensor"), rng, {"a": a, "t": t, "sl": sensor.lower()})
    steps = _modes_for_sensor(
        chosen,
        t,
        f"The failure modes that {t} can detect.",
        f"Map the failure modes to the sensor {t}.",
    )
    return Drafted(q, builder.plan(*steps), "fmsr_modes_by_sensor", _scenario_type(where))


def fmsr_modes_by_sensor_group(rng: random.Random) -> Drafted:
    """Modes detectable by the asset's own sensors (or a group of them): sensors, modes,
    mapping of all modes to all sensors."""
    chosen, where, a = _subject(rng)
    groups = rng.sample(list(SENSOR_GROUPS), rng.choice((1, 2)))
    words = " and ".join(g for g, _ in groups)
    if rng.random() < 0.45:
        q = render(template(rng, "fmsr_modes_by_sensor_group.available"), rng, {"a": a})
    else:
        q = render(template(rng, "fmsr_modes_by_sensor_group.groups"), rng, {"a": a, "w": words})
    plan = builder.plan(*_all_modes_to_all_sensors(where, chosen))
    return Drafted(q, plan, "fmsr_modes_by_sensor_group", _scenario_type(where))


def fmsr_sensors_for_mode(rng: random.Random) -> Drafted:
    """Sensors relevant to a named failure mode: sensors, then the mapping of that mode."""
    chosen, where, a = _subject(rng)
    mode = pick(rng, chosen.kind.failure_modes)
    if rng.random() < 0.5:
        key = "fmsr_sensors_for_mode.single"
        q = render(
            template(rng, key), rng, {"m": mode.lower() if rng.random() < 0.5 else mode, "a": a}
        )
    else:
        q = render(template(rng, "fmsr_sensors_for_mode.all"), rng, {"m": mode, "a": a})
    steps = _sensors_for_mode(where, chosen, mode, f"The sensors relevant to {mode}.")
    return Drafted(q, builder.plan(*steps), "fmsr_sensors_for_mode", _scenario_type(where))


def fmsr_symptom(rng: random.Random) -> Drafted:
    """A sensor's change explained by failure modes: modes, mapping to that sensor."""
    chosen, where, a = _subject(rng)
    sensor = pick(rng, chosen.kind.sensors)
    move = pick(rng, PHRASES["sensor_moves"])
    slots = {"sl": sensor.lower(), "se": sensor, "Se": capitalise(sensor), "a": a, "mv": move}
    q = render(template(rng, "fmsr_symptom"), rng, slots)
    t = target(chosen, sensor)
    steps = _modes_for_sensor(chosen, t, f"The failure modes linked to {t}.", None)
    return Drafted(q, builder.plan(*steps), "fmsr_symptom", _scenario_type(where))


def fmsr_recipe(rng: random.Random) -> Drafted:
    """A detection recipe for a named failure: sensors and the mapping of that failure; a
    model "for identifying" a failure maps every mode (sensors, modes, mapping)."""
    chosen, where, a = _subject(rng)
    mode = pick(rng, chosen.kind.failure_modes)
    slots = {"ml": mode.lower(), "a": a, "comp": pick(rng, COMPONENTS)}
    if rng.random() < 0.3:
        q = render(template(rng, "fmsr_recipe.anomaly_model"), rng, slots)
        steps = _all_modes_to_all_sensors(where, chosen)
    else:
        q = render(template(rng, "fmsr_recipe.named"), rng, slots)
        out = f"The sensors relevant to {mode}, with reasons."
        steps = _sensors_for_mode(where, chosen, mode, out)
    return Drafted(q, builder.plan(*steps), "fmsr_recipe", _scenario_type(where))
