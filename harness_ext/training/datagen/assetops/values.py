"""Argument values from the AssetOps entity pools, for the catalog-driven generators
(``generic.ValueMaker``) when the catalog is AssetOpsBench's."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from harness_ext.training.datagen.assetops.common import (
    AHU,
    ALERT_RULES,
    CHILLER,
    JSON_FILE_KINDS,
    asset,
    data_file,
    equipment,
    site,
    target,
    timestamp,
)
from harness_ext.training.datagen.generic import ValueFn
from harness_ext.training.datagen.phrasing import pick


def _same(draw: Callable[[random.Random], Any]) -> ValueFn:
    """A value that the question writes as it is."""

    def value(rng: random.Random) -> tuple[Any, str]:
        v = draw(rng)
        return v, v

    return value


def _day(rng: random.Random) -> str:
    return (datetime(2017, 1, 1) + timedelta(days=rng.randint(0, 1800))).date().isoformat()


def _csv(rng: random.Random) -> str:
    return data_file(rng, asset(rng, (CHILLER, AHU)), pick(rng, ("forecast", "tsad")))


def _json_file(rng: random.Random) -> str:
    return f"{asset(rng).slug}_{pick(rng, JSON_FILE_KINDS)}.json"


def _targets(rng: random.Random) -> tuple[Any, str]:
    chosen = asset(rng, (CHILLER, AHU))
    t = target(chosen, pick(rng, chosen.kind.sensors))
    return [t], t


def _modes(rng: random.Random) -> tuple[Any, str]:
    m = pick(rng, CHILLER.failure_modes)
    return [m], m


def value_overrides() -> dict[str, ValueFn]:
    """Per-parameter value pools for the generic generators on the AssetOpsBench catalog."""
    day, json_file, asset_name = _same(_day), _same(_json_file), _same(lambda r: asset(r).name)
    return {
        "site_name": _same(site), "asset_id": asset_name, "asset_name": asset_name,
        "equipment_id": _same(equipment), "start": day, "final": day, "start_date": day,
        "end_date": day, "rule_id": _same(lambda r: pick(r, ALERT_RULES)),
        "dataset_path": _same(_csv), "tsfm_output_json": json_file, "file_name": json_file,
        "timestamp_column": _same(timestamp), "target_columns": _targets, "sensors": _targets,
        "failure_modes": _modes,
    }  # fmt: skip
