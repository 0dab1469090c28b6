"""What every AssetOps intent shares: the two data files, entity pickers, the result type.

The entity pools (``harness_ext/data/datagen/assetops_entities.json``) and the wording
(``assetops_phrasing.json``: question templates, phrases, clarification answers, the
gold-paraphrase word rules) are read once, at import. A pool with weights is a tuple of
``(value, weight)`` pairs for ``phrasing.weighted``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from harness_ext.errors import UnknownNameError
from harness_ext.planning import builder
from harness_ext.planning.plans import Plan, Step
from harness_ext.training.datagen.base import load_data
from harness_ext.training.datagen.phrasing import (
    DateSpan,
    expand,
    pick,
    random_span,
    week_of_span,
    weighted,
)

ENTITIES_RESOURCE = "datagen/assetops_entities.json"
PHRASING_RESOURCE = "datagen/assetops_phrasing.json"


@dataclass(frozen=True)
class AssetKind:
    """An asset type with its sensors and failure modes (project-written facts)."""

    singular: str
    plural: str
    names: tuple[str, ...]
    sensors: tuple[str, ...]
    failure_modes: tuple[str, ...]


@dataclass(frozen=True)
class Asset:
    """An asset: its name (= asset_id), type, a compact file-name slug."""

    name: str
    kind: AssetKind

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]", "", self.name.lower())


@dataclass(frozen=True)
class Drafted:
    """What an intent returns: the question, its plan, the scenario type it imitates."""

    question: str
    plan: Plan
    kind: str
    scenario_type: str


Intent = Callable[[random.Random], Drafted]


def _weighted_pool(rows: list[list[Any]]) -> tuple[tuple[Any, float], ...]:
    return tuple((value, float(weight)) for value, weight in rows)


_E = load_data(ENTITIES_RESOURCE)
ASSET_KINDS = {
    key: AssetKind(
        k["singular"],
        k["plural"],
        tuple(k["names"]),
        tuple(k["sensors"]),
        tuple(k["failure_modes"]),
    )
    for key, k in _E["asset_kinds"].items()
}
KINDS = tuple((ASSET_KINDS[key], float(k["weight"])) for key, k in _E["asset_kinds"].items())
CHILLER, AHU = ASSET_KINDS["chiller"], ASSET_KINDS["ahu"]
SITES: tuple[tuple[str, float], ...] = _weighted_pool(_E["sites"])
# Asset types for failure-mode questions (FMSR answers for any type).
FM_TYPES: tuple[str, ...] = tuple(_E["failure_mode_asset_types"])
EQUIPMENT_IDS: tuple[str, ...] = tuple(_E["equipment_ids"])
CHILLER_EQUIPMENT_IDS = tuple(e for e in EQUIPMENT_IDS if e.startswith("CWC"))
ALERT_RULES: tuple[str, ...] = tuple(_E["alert_rules"])
KPI_ANOMALIES: tuple[str, ...] = tuple(_E["kpi_anomalies"])
COMPONENTS: tuple[str, ...] = tuple(_E["components"])
TIMESTAMP_COLUMNS: tuple[tuple[str, float], ...] = _weighted_pool(_E["timestamp_columns"])
TS_TASKS: tuple[str, ...] = tuple(_E["ts_tasks"])
TS_MODELS: tuple[str, ...] = tuple(_E["ts_models"])
CONTEXT_LENGTHS: tuple[int, ...] = tuple(_E["context_lengths"])
FORECAST_DOMAINS: tuple[str, ...] = tuple(_E["forecast_domains"])
SENSOR_GROUPS: tuple[tuple[str, str], ...] = tuple((w, s) for w, s in _E["sensor_groups"])
YEARS: tuple[int, ...] = tuple(_E["years"])
JSON_FILES: tuple[str, ...] = tuple(_E["json_files"])
ANOMALY_FILES: tuple[str, ...] = tuple(_E["anomaly_files"])
JSON_FILE_KINDS: tuple[str, ...] = tuple(_E["json_file_kinds"])
_DATA_FILE_SUFFIXES: dict[str, tuple[str, ...]] = {
    purpose: tuple(s) for purpose, s in _E["data_file_suffixes"].items()
}

_P = load_data(PHRASING_RESOURCE)
QUESTIONS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _P["questions"].items()}
PHRASES: dict[str, Any] = dict(_P["phrases"])
CLARIFICATION_ANSWERS: dict[str, str] = dict(_P["clarification_answers"])
WORD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (pattern, tuple(options)) for pattern, options in _P["word_rules"]
)


def templates(key: str) -> tuple[str, ...]:
    """The question templates of ``key`` (``intent`` or ``intent.variant``)."""
    if key not in QUESTIONS:
        raise UnknownNameError(
            "question template key", key, QUESTIONS, f"Add it to {PHRASING_RESOURCE}."
        )
    return QUESTIONS[key]


def template(rng: random.Random, key: str) -> str:
    """One template of ``key``. Rule: a key with a single template returns it without
    drawing from ``rng`` (a choice of one is no choice)."""
    found = templates(key)
    return found[0] if len(found) == 1 else str(pick(rng, found))


# ------------------------------------------------------------------ entity pickers


def site(rng: random.Random) -> str:
    """A site name, MAIN most often."""
    return str(weighted(rng, SITES))


def site_arg(name: str | None) -> str:
    """The ``site_name`` argument: MAIN when the question names no site (gold convention)."""
    return name or "MAIN"


def at_site(rng: random.Random, name: str) -> str:
    """How a question places itself at a site ("at the MAIN site", "(MAIN site)", ...)."""
    return expand(pick(rng, PHRASES["at_site"]), rng, {"s": name})


def asset(rng: random.Random, kinds: Sequence[AssetKind] | None = None) -> Asset:
    """An asset of one of ``kinds`` (uniform), or of any kind by the kinds' weights."""
    kind = pick(rng, kinds) if kinds else weighted(rng, KINDS)
    return Asset(pick(rng, kind.names), kind)


def asset_text(rng: random.Random, chosen: Asset) -> str:
    """The asset as a question writes it: "chiller 6" about as often as "Chiller 6"."""
    return chosen.name.lower() if rng.random() < 0.15 else chosen.name


def target(chosen: Asset, sensor: str) -> str:
    """A TSFM target column: ``"<asset> <sensor>"``."""
    return f"{chosen.name} {sensor}"


def timestamp(rng: random.Random) -> str:
    """A timestamp column name as data files spell it."""
    return str(weighted(rng, TIMESTAMP_COLUMNS))


def data_file(rng: random.Random, chosen: Asset, purpose: str) -> str:
    """A CSV file name for ``purpose`` (forecast, finetune, tsad)."""
    return f"{chosen.slug}_{pick(rng, _DATA_FILE_SUFFIXES[purpose])}.csv"


def span(rng: random.Random, kinds: Sequence[str]) -> DateSpan:
    """A time window of one of ``kinds`` (see ``phrasing.random_span``) in ``YEARS``."""
    return random_span(rng, YEARS, kinds)


def recent_week(rng: random.Random) -> DateSpan:
    """A week starting on a Monday of 2020."""
    start = date(2020, 1, 6) + timedelta(days=7 * rng.randint(0, 40))
    return week_of_span(rng, start)


def equipment(rng: random.Random) -> str:
    """A work-order equipment id."""
    return str(pick(rng, EQUIPMENT_IDS))


def equipment_text(rng: random.Random, eq: str) -> str:
    """How a question names equipment ("equipment CWC04009", "asset CWC04009", ...)."""
    return expand(PHRASES["equipment"], rng, {"e": eq})


def chiller_with_equipment(rng: random.Random) -> tuple[str, str]:
    """A chiller's equipment id and a text naming both ("chiller 6 (CWC04009)")."""
    eq = str(pick(rng, CHILLER_EQUIPMENT_IDS))
    name = f"chiller {rng.randint(1, 12)}"
    return eq, expand(PHRASES["chiller_equipment"], rng, {"c": name, "e": eq})


# ------------------------------------------------------------------ steps in the generators' words


def history_step(site_name: str, chosen: Asset, window: DateSpan) -> Step:
    """``history`` over a window; whole days run from 00:00:00 to 23:59:59."""
    start = window.start if "T" in window.start else f"{window.start}T00:00:00"
    final = window.end if "T" in window.end else f"{window.end}T23:59:59"
    task = f"Get the sensor readings of {chosen.name} for {window.start} to {window.end}."
    return builder.history(site_name, chosen.name, start, final, task)


def wo_step(tool: str, eq: str, window: DateSpan | None = None) -> Step:
    """A work-order query over a window (dates, inclusive), or over all time."""
    if window is None:
        return builder.work_orders(tool, eq)
    return builder.work_orders(tool, eq, window.start, window.end)
