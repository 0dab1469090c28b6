"""Multi-agent intents: IoT readings fed to TSFM anomaly detection or forecasting, and
work-order decisions or failure-mode lookups on top.

``history`` returns the file that TSFM tools read as ``dataset_path`` (``{step_N}``),
with the timestamp column ``timestamp`` of IoT downloads.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from harness_ext.planning import builder
from harness_ext.planning.plans import Step
from harness_ext.training.datagen.assetops.common import (
    ANOMALY_FILES,
    CHILLER,
    CHILLER_EQUIPMENT_IDS,
    Drafted,
    asset,
    at_site,
    history_step,
    recent_week,
    site,
    span,
    target,
    template,
    wo_step,
)
from harness_ext.training.datagen.phrasing import pick, range_span, render

_DECIDE = "Review the anomalies and decide whether to create a work order."
_RECOMMENDATION = "A work order recommendation."


def _detect(targets: Any, history: int, deps: tuple[int, ...] = ()) -> Step:
    """Integrated anomaly detection on the readings downloaded by step ``history``."""
    task = "Detect anomalies in the downloaded readings."
    return builder.integrated_tsad(builder.ref(history), "timestamp", targets, task, deps)


def multi_anomaly(rng: random.Random) -> Drafted:
    """Anomalies of named sensors in a week: history, then integrated anomaly detection."""
    chosen = asset(rng, (CHILLER,))
    where = site(rng)
    week = recent_week(rng)
    sensors = rng.sample(list(chosen.kind.sensors), rng.choice((1, 1, 1, 2)))
    q = render(
        template(rng, "multi_anomaly"),
        rng,
        {"a": chosen.name, "s": " and ".join(sensors), "d": week.text, "at": at_site(rng, where)},
    )
    plan = builder.plan(
        history_step(where, chosen, week), _detect([target(chosen, s) for s in sensors], 1)
    )
    return Drafted(q, plan, "multi_anomaly", "multiagent")


def multi_forecast(rng: random.Random) -> Drafted:
    """Forecast from a week of readings. A sensor named in passing: history, forecast.
    Energy, "performance" or a quoted full sensor name (the sensor is looked up or
    confirmed first): sensors, history, forecast."""
    chosen = asset(rng, (CHILLER,))
    where = site(rng)
    window = recent_week(rng)
    week = "the " + window.text.split("the ", 1)[-1]
    vague = rng.random() < 0.4
    quoted = False
    if vague:
        energy = rng.random() < 0.6
        sensor = "Power Input" if energy else "Tonnage"
        q = render(
            template(rng, "multi_forecast.energy" if energy else "multi_forecast.performance"),
            rng,
            {"a": chosen.name, "d": window.text, "w": week, "s": where, "at": at_site(rng, where)},
        )
    else:
        sensor = pick(rng, chosen.kind.sensors)
        quoted = rng.random() < 0.25
        q = render(
            template(rng, "multi_forecast.quoted" if quoted else "multi_forecast.named"),
            rng,
            {
                "t": target(chosen, sensor),
                "a": chosen.name,
                "se": sensor,
                "d": window.text,
                "s": where,
                "w": week,
                "at": at_site(rng, where),
            },
        )
    look_up = vague or quoted
    steps = [builder.sensors(where, chosen.name)] if look_up else []
    steps.append(history_step(where, chosen, window))
    h = len(steps)
    t = target(chosen, sensor)
    checkpoint = "ttm_96_28" if look_up and rng.random() < 0.6 else None
    steps.append(
        builder.forecast(
            builder.ref(h),
            "timestamp",
            [t],
            f"Forecast {t} from the readings.",
            tuple(range(1, h + 1)),
            model_checkpoint=checkpoint,
        )
    )
    return Drafted(q, builder.plan(*steps), "multi_forecast", "multiagent")


def multi_anomaly_wo(rng: random.Random) -> Drafted:
    """Anomalies then a work-order decision: from a results file the user names, from a
    downloaded window, or (no asset, no date) from the last week of a chiller found at MAIN."""
    chosen = asset(rng, (CHILLER,))
    where = site(rng)
    sensor = pick(rng, chosen.kind.sensors)
    if rng.random() < 0.35:
        f = pick(rng, ANOMALY_FILES).format(slug=chosen.slug)
        q = render(template(rng, "multi_anomaly_wo.file"), rng, {"f": f})
        plan = builder.plan(
            builder.read_json(f, f"Read the anomaly results in {f}."),
            builder.reason(
                "Check the anomalies and decide whether a work order is needed.",
                (1,),
                "The anomalies found and a work order recommendation.",
            ),
        )
        return Drafted(q, plan, "multi_file_wo", "multiagent")
    if rng.random() < 0.25:
        return _unnamed_asset_anomaly_wo(rng, sensor)
    window = span(rng, ("week_of", "month", "range"))
    q = render(
        template(rng, "multi_anomaly_wo"),
        rng,
        {"a": chosen.name, "sl": sensor.lower(), "d": window.text, "at": at_site(rng, where)},
    )
    plan = builder.plan(
        history_step(where, chosen, window),
        _detect([target(chosen, sensor)], 1),
        builder.reason(_DECIDE, (2,), _RECOMMENDATION),
    )
    return Drafted(q, plan, "multi_anomaly_wo", "multiagent")


def _unnamed_asset_anomaly_wo(rng: random.Random, sensor: str) -> Drafted:
    """No asset and no date named: find the asset at MAIN, anchor the window on the
    current time, detect anomalies, decide on a work order."""
    q = render(template(rng, "multi_anomaly_wo.unnamed"), rng, {"sl": sensor.lower()})
    chiller, now = builder.ref(1), builder.ref(2)
    plan = builder.plan(
        builder.assets("MAIN", "List the assets at MAIN to find the chiller."),
        builder.now(),
        builder.history(
            "MAIN",
            chiller,
            f"{now} minus 7 days",
            now,
            "Get the chiller's readings for the last seven days.",
        ),
        _detect([f"{chiller} {sensor}"], 3),
        builder.reason(_DECIDE, (4,), _RECOMMENDATION),
    )
    return Drafted(q, plan, "multi_anomaly_wo_unnamed", "multiagent")


def multi_early_detection(rng: random.Random) -> Drafted:
    """An early-detection study for a named failure over a window: the sensors that reveal
    it, the readings, anomaly detection on those sensors, and the failure codes for the
    work order recommendation."""
    chosen = asset(rng, (CHILLER,))
    where = site(rng)
    mode = pick(rng, chosen.kind.failure_modes)
    start = datetime(
        pick(rng, (2019, 2020, 2021)),
        rng.randint(1, 10),
        rng.randint(1, 25),
        rng.choice((0, 8, 12)),
        rng.choice((0, 30)),
    )
    window = range_span(rng, start, start + timedelta(days=rng.randint(7, 30), hours=7))
    q = render(
        template(rng, "multi_early_detection"),
        rng,
        {"ml": mode.lower(), "a": chosen.name, "at": at_site(rng, where), "d": window.text},
    )
    plan = builder.plan(
        builder.sensors(where, chosen.name),
        builder.sensor_mapping(
            chosen.name, [mode], builder.ref(1), out=f"The sensors that reveal {mode}."
        ),
        history_step(where, chosen, window),
        _detect(builder.ref(2), 3),
        builder.failure_codes(),
    )
    return Drafted(q, plan, "multi_early_detection", "Workorder")


def multi_fm_workorders(rng: random.Random) -> Drafted:
    """Failure modes of a chiller and the corrective work orders of its equipment."""
    chosen = asset(rng, (CHILLER,))
    eq = pick(rng, CHILLER_EQUIPMENT_IDS)
    mode = pick(rng, chosen.kind.failure_modes)
    window = span(rng, ("year", "two_months"))
    q = render(
        template(rng, "multi_fm_workorders"),
        rng,
        {"a": chosen.name, "e": eq, "ml": mode.lower(), "d": window.text},
    )
    plan = builder.plan(
        builder.failure_modes(chosen.name), wo_step("get_corrective_work_orders", eq, window)
    )
    return Drafted(q, plan, "multi_fm_workorders", "multiagent")
