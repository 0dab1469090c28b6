"""TSFMAgent intents: supported tasks and checkpoints, forecasting, fine-tuning, anomaly
detection on a named data file."""

from __future__ import annotations

import random
from typing import Any

from harness_ext.planning import builder
from harness_ext.training.datagen.assetops.common import (
    AHU,
    CHILLER,
    CONTEXT_LENGTHS,
    FORECAST_DOMAINS,
    TS_MODELS,
    TS_TASKS,
    Asset,
    Drafted,
    asset,
    data_file,
    target,
    template,
    timestamp,
)
from harness_ext.training.datagen.phrasing import pick, render

_KINDS = (CHILLER, AHU)


def tsfm_models(rng: random.Random) -> Drafted:
    n = pick(rng, CONTEXT_LENGTHS)
    q = render(
        template(rng, "tsfm_models"),
        rng,
        {"m": pick(rng, TS_MODELS), "n": n, "dom": pick(rng, FORECAST_DOMAINS)},
    )
    return Drafted(q, builder.plan(builder.tsfm_models()), "tsfm_models", "TSFM")


def tsfm_tasks(rng: random.Random) -> Drafted:
    """Supported task types; asking about models too adds the checkpoint list."""
    task = pick(rng, TS_TASKS)
    if rng.random() < 0.2:
        slots = {"t": task.lower(), "n": pick(rng, CONTEXT_LENGTHS)}
        q = render(template(rng, "tsfm_tasks.with_models"), rng, slots)
        models = builder.tsfm_models("List the available pre-trained models.")
        return Drafted(q, builder.plan(builder.ai_tasks(), models), "tsfm_tasks_models", "TSFM")
    q = render(template(rng, "tsfm_tasks"), rng, {"t": task, "tl": task.lower()})
    return Drafted(q, builder.plan(builder.ai_tasks()), "tsfm_tasks", "TSFM")


def _conditional(rng: random.Random, chosen: Asset, target_sensor: str) -> list[str]:
    others = [s for s in chosen.kind.sensors if s != target_sensor]
    return [target(chosen, s) for s in rng.sample(others, min(len(others), rng.randint(2, 6)))]


def tsfm_forecast(rng: random.Random) -> Drafted:
    """A forecast of one column of a named file, sometimes with conditional columns; a
    question that names no timestamp column gets ``Timestamp``."""
    chosen = asset(rng, _KINDS)
    sensor = pick(rng, chosen.kind.sensors)
    t = target(chosen, sensor)
    file = data_file(rng, chosen, "forecast")
    ts = timestamp(rng)
    with_ts = rng.random() < 0.7
    conds = _conditional(rng, chosen, sensor) if rng.random() < 0.45 else []
    parts = [template(rng, "tsfm_forecast.request")]
    if with_ts:
        parts.append(template(rng, "tsfm_forecast.timestamp"))
    if conds:
        parts.append(template(rng, "tsfm_forecast.inputs"))
    q = render("".join(parts), rng, {"t": t, "f": file, "ts": ts, "c": ",".join(conds)})
    forecast = builder.forecast(
        file,
        ts if with_ts else "Timestamp",
        [t],
        f"Forecast {t} from {file}.",
        conditional_columns=conds or None,
    )
    return Drafted(q, builder.plan(forecast), "tsfm_forecast", "TSFM")


def tsfm_finetune(rng: random.Random) -> Drafted:
    chosen = asset(rng, _KINDS)
    t = target(chosen, pick(rng, chosen.kind.sensors))
    file = data_file(rng, chosen, "finetune")
    ts = timestamp(rng)
    pct = pick(rng, (1, 2, 5, 10, 20))
    q = render(template(rng, "tsfm_finetune"), rng, {"t": t, "f": file, "ts": ts, "p": pct})
    task = f"Fine-tune a forecasting model for {t} on {file}."
    finetune = builder.finetune(file, ts, [t], task, n_finetune=pct / 100)
    return Drafted(q, builder.plan(finetune), "tsfm_finetune", "TSFM")


def tsfm_anomaly(rng: random.Random) -> Drafted:
    """Anomalies of one column of a named file: ``run_integrated_tsad``, or (a quarter of
    the time, when the question asks for it) a forecast then ``run_tsad`` on it."""
    chosen = asset(rng, _KINDS)
    t = target(chosen, pick(rng, chosen.kind.sensors))
    file = data_file(rng, chosen, "tsad")
    ts = timestamp(rng)
    slots: dict[str, Any] = {"t": t, "f": file, "ts": ts}
    if rng.random() < 0.25:
        q = render(template(rng, "tsfm_anomaly.two_step"), rng, slots)
        plan = builder.plan(
            builder.forecast(file, ts, [t], f"Forecast {t} from {file}."),
            builder.tsad(
                file, builder.ref(1), ts, [t], f"Detect anomalies in {t} using the forecast."
            ),
        )
        return Drafted(q, plan, "tsfm_tsad", "TSFM")
    q = render(template(rng, "tsfm_anomaly"), rng, slots)
    detect = builder.integrated_tsad(file, ts, [t], f"Detect anomalies in {t} from {file}.")
    return Drafted(q, builder.plan(detect), "tsfm_anomaly", "TSFM")
