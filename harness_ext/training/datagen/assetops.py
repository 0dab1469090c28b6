"""AssetOpsBench templates for the ``assetops_23`` catalog (5 agents, 23 tools).

Intents cover the scenario styles of the benchmark — IoT metadata and history, FMSR
failure modes and sensor mapping, TSFM tasks/models/forecast/fine-tune/anomaly, work
order queries and multi-agent combinations — with entity pools (sites, assets, sensors,
equipment ids, failure modes, files, alert rules) written for this project. Each intent
renders a question from paraphrase templates and derives its plan mechanically.

Plan conventions (documented in the README's training section):
    * an asset's name is its ``asset_id`` (``"Chiller 6"``), sensor targets of TSFM tools
      are ``"<asset> <sensor>"`` (``"Chiller 9 Condenser Water Flow"``);
    * these follow the conventions of the project's gold plans (``gold_plans_v2.md``):
      site ``MAIN`` when a question names none, no ``sites``/``assets`` lookup for a
      named asset; ``history`` windows from 00:00:00 of the first day to 23:59:59 of the
      last, a point in time gets a 15-minute window, "last week" without a date starts
      with ``Utilities.current_date_time``; work-order dates ``YYYY-MM-DD``; IoT
      downloads have the timestamp column ``timestamp``; ``history`` returns the file
      that TSFM tools read as ``dataset_path``;
    * reasoning-only steps (agent and tool ``none``) only where no tool does the work:
      merging two downloads, bundling work orders, deciding whether to raise a work
      order.

The gold-paraphrase generator swaps entities (asset numbers, equipment ids, years, AHU
names, sometimes the site) consistently in a training scenario's question and its gold
plan, then applies word-level paraphrase rules to the question.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from harness_ext.planning.plans import Plan, Step, format_plan
from harness_ext.training.datagen.base import Candidate, make_plan, step
from harness_ext.training.datagen.phrasing import (
    DateSpan,
    capitalise,
    expand,
    finish,
    month_span,
    pick,
    random_span,
    range_span,
    render,
    two_month_span,
    week_of_span,
    weighted,
    years_span,
)

CATALOG_NAME = "assetops_23"

# ------------------------------------------------------------------ entity pools

SITES: tuple[tuple[str, float], ...] = (
    ("MAIN", 8.0),
    ("NORTH", 1.0),
    ("EAST", 1.0),
    ("PLANT2", 1.0),
    ("BLDG7", 1.0),
    ("WEST", 1.0),
    ("CAMPUS", 1.0),
    ("DC1", 1.0),
)


@dataclass(frozen=True)
class AssetKind:
    """An asset type with its sensors and failure modes (project-written facts)."""

    singular: str
    plural: str
    names: tuple[str, ...]
    sensors: tuple[str, ...]
    failure_modes: tuple[str, ...]


CHILLER = AssetKind(
    "chiller",
    "chillers",
    tuple(f"Chiller {n}" for n in range(1, 13)),
    (
        "Tonnage",
        "% Loaded",
        "Supply Temperature",
        "Return Temperature",
        "Condenser Water Flow",
        "Power Input",
        "Chiller Efficiency",
        "Setpoint Temperature",
        "Liquid Refrigerant Evaporator Temperature",
        "Condenser Water Supply To Chiller Temperature",
        "Condenser Water Return Temperature",
        "Evaporator Water Flow",
    ),
    (
        "Compressor Overheating",
        "Evaporator Water side fouling",
        "Condenser Water side fouling",
        "Excess purge",
        "Chiller trip",
        "Refrigerant leak",
        "Compressor motor failure",
        "Low refrigerant charge",
        "Condenser fan failure",
        "Oil pressure loss",
        "Expansion valve failure",
        "Tube scaling",
    ),
)
AHU = AssetKind(
    "AHU",
    "AHUs",
    ("CQPA AHU 1", "CQPA AHU 2A", "CQPA AHU 2B", "CQPA AHU 3", "AHU 4", "AHU 7", "RTU 2"),
    (
        "Supply Air Temperature",
        "Return Air Temperature",
        "Supply Temperature",
        "Return Temperature",
        "Supply Fan Speed",
        "Mixed Air Temperature",
        "Chilled Water Valve Position",
        "Duct Static Pressure",
        "Outside Air Damper Position",
    ),
    (
        "Fan belt failure",
        "Filter clogging",
        "Damper stuck",
        "Cooling coil fouling",
        "Supply fan motor failure",
        "Valve actuator failure",
        "Sensor drift",
    ),
)
BOILER = AssetKind(
    "boiler",
    "boilers",
    ("Boiler 1", "Boiler 2", "Boiler 3"),
    (
        "Steam Pressure",
        "Supply Temperature",
        "Return Temperature",
        "Fuel Flow",
        "Flue Gas Temperature",
    ),
    ("Burner failure", "Scale buildup", "Low water level", "Flame failure"),
)
PUMP = AssetKind(
    "pump",
    "pumps",
    ("Pump 2", "Pump 3", "Condenser Pump 1", "Chilled Water Pump 4"),
    ("Discharge Pressure", "Suction Pressure", "Motor Current", "Vibration", "Flow Rate"),
    ("Impeller wear", "Seal leakage", "Cavitation", "Bearing failure", "Motor overload"),
)
COOLING_TOWER = AssetKind(
    "cooling tower",
    "cooling towers",
    ("Cooling Tower 1", "Cooling Tower 2"),
    ("Fan Speed", "Basin Temperature", "Approach Temperature", "Water Flow"),
    ("Fan motor failure", "Fill fouling", "Drift eliminator damage", "Gearbox wear"),
)
KINDS: tuple[tuple[AssetKind, float], ...] = (
    (CHILLER, 6.0),
    (AHU, 2.0),
    (BOILER, 0.7),
    (PUMP, 0.7),
    (COOLING_TOWER, 0.6),
)
# Asset types for failure-mode questions (FMSR answers for any type).
FM_TYPES = (
    "Chiller",
    "Chiller",
    "AHU",
    "Wind Turbine",
    "Pump",
    "Air Compressor",
    "Boiler",
    "Cooling Tower",
    "Transformer",
    "Electric Motor",
    "Centrifugal Pump",
    "Steam Turbine",
    "Gearbox",
    "Heat Exchanger",
    "Diesel Generator",
    "Conveyor",
)
EQUIPMENT_IDS = (
    "CWC04009",
    "CWC04013",
    "CWC04007",
    "CWC04010",
    "CWC04012",
    "CWC04014",
    "CWC04701",
    "CWC04702",
    "CWC04703",
    "CWC05001",
    "CWC05002",
    "CWC03011",
    "CWC03015",
    "CWC06020",
    "AHU01022",
    "AHU01031",
    "PMP02004",
    "BLR00017",
)
ALERT_RULES = ("RUL0012", "RUL0018", "RUL0021", "RUL0007", "RUL0033", "RUL0040", "RUL0102")
KPI_ANOMALIES = (
    "KPI Cooling Load above upper bound",
    "KPI Delta Setpoint above upper bound",
    "KPI Supply Temperature below lower bound",
    "KPI Power Input above upper bound",
    "KPI Efficiency below lower bound",
    "KPI Condenser Flow below lower bound",
    "KPI Return Temperature above upper bound",
)
TIMESTAMP_COLUMNS = (("Timestamp", 5.0), ("timestamp", 2.0), ("time", 1.0), ("DateTime", 1.0))
TS_TASKS = (
    "Anomaly Detection",
    "Time Series Classification",
    "time series regression",
    "forecasting",
    "Time Series Forecasting",
    "imputation",
    "change point detection",
    "multivariate forecasting",
)
TS_MODELS = (
    "TTM (Tiny Time Mixture)",
    "TinyTimeMixer",
    "LSTM",
    "ARIMA",
    "PatchTST",
    "Chronos",
    "ttm_96_28",
    "ttm_512_96",
    "ttm_1024_96",
    "Prophet",
    "TimesFM",
)
CONTEXT_LENGTHS = (96, 512, 1024, 1536, 52, 90)
FORECAST_DOMAINS = (
    "energy forecasting",
    "load forecasting",
    "temperature forecasting",
    "demand forecasting",
    "chiller power forecasting",
)
SENSOR_GROUPS = (
    ("temperature sensors", "Temperature"),
    ("power input sensors", "Power Input"),
    ("flow sensors", "Flow"),
    ("vibration sensors", "Vibration"),
    ("pressure sensors", "Pressure"),
)
YEARS = (2016, 2017, 2018, 2019, 2020, 2021, 2022)

EXPECTED = {
    "sites": "A list of site names.",
    "assets": "The asset ids at the site.",
    "sensors": "The sensor names recorded for the asset.",
    "history": "A file with the asset's sensor readings for the window.",
    "get_failure_modes": "The failure modes of the asset.",
    "get_failure_mode_sensor_mapping": "Which sensors detect which failure modes, with reasons.",
    "get_ai_tasks": "The supported time-series task types.",
    "get_tsfm_models": "The available pre-trained time-series checkpoints.",
    "run_tsfm_forecasting": "A results file with the forecast of the target columns.",
    "run_tsfm_finetuning": "The fine-tuned checkpoint and its forecast metrics.",
    "run_tsad": "Anomaly labels and scores for the target columns.",
    "run_integrated_tsad": "A file with forecasts, anomaly labels and scores.",
    "json_reader": "The content of the file.",
    "current_date_time": "The current date and time.",
    "current_time_english": "The current time as a sentence.",
    "get_work_orders": "The work orders of the equipment in the window.",
    "get_preventive_work_orders": "The preventive work orders of the equipment in the window.",
    "get_corrective_work_orders": "The corrective work orders of the equipment in the window.",
    "get_events": "The work order, alert and anomaly events of the equipment in the window.",
    "get_failure_codes": "The failure codes with their categories and meanings.",
    "get_work_order_distribution": "How the work orders spread over failure codes.",
    "predict_next_work_order": "The probability of each kind of next work order.",
    "analyze_alert_to_failure": "How often the alert leads to a work order, and how soon.",
}


# ------------------------------------------------------------------ slot helpers


@dataclass(frozen=True)
class Asset:
    """An asset: its name (= asset_id), type, a compact file-name slug."""

    name: str
    kind: AssetKind

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]", "", self.name.lower())


def _site(rng: random.Random) -> str:
    return str(weighted(rng, SITES))


def _at_site(rng: random.Random, site: str) -> str:
    return expand(
        pick(
            rng,
            (
                "at the {s} site",
                "at {s}",
                "at site {s}",
                "at the {s} facility",
                "({s} site)",
                "located at the {s} site",
                "at {s} site",
                "in the {s} site",
                "at the {s} location",
            ),
        ),
        rng,
        {"s": site},
    )


def _asset(rng: random.Random, kinds: Sequence[AssetKind] | None = None) -> Asset:
    kind = pick(rng, kinds) if kinds else weighted(rng, KINDS)
    return Asset(pick(rng, kind.names), kind)


def _asset_text(rng: random.Random, asset: Asset) -> str:
    # People write "chiller 6" as often as "Chiller 6".
    return asset.name.lower() if rng.random() < 0.15 else asset.name


def _target(asset: Asset, sensor: str) -> str:
    return f"{asset.name} {sensor}"


def _ts(rng: random.Random) -> str:
    return str(weighted(rng, TIMESTAMP_COLUMNS))


def _data_file(rng: random.Random, asset: Asset, purpose: str) -> str:
    suffix = {
        "forecast": ("annotated_small_test", "sensordata", "test", "june2020", "week17"),
        "finetune": ("finetuning_small", "finetune", "train_small", "history_2020"),
        "tsad": ("tsad", "anomaly_input", "sensordata", "readings"),
    }[purpose]
    return f"{asset.slug}_{pick(rng, suffix)}.csv"


def _span(rng: random.Random, kinds: Sequence[str]) -> DateSpan:
    return random_span(rng, YEARS, kinds)


def _recent_week(rng: random.Random) -> DateSpan:
    start = date(2020, 1, 6) + timedelta(days=7 * rng.randint(0, 40))
    return week_of_span(rng, start)


def _iot_window(span: DateSpan) -> dict[str, str]:
    """``history`` bounds: whole days run from 00:00:00 to 23:59:59."""
    start = span.start if "T" in span.start else f"{span.start}T00:00:00"
    final = span.end if "T" in span.end else f"{span.end}T23:59:59"
    return {"start": start, "final": final}


def _wo_window(span: DateSpan) -> dict[str, str]:
    """Work-order bounds are dates (``YYYY-MM-DD``, inclusive)."""
    return {"start_date": span.start[:10], "end_date": span.end[:10]}


@dataclass(frozen=True)
class Drafted:
    """What an intent returns: the question, its plan, the scenario type it imitates."""

    question: str
    plan: Plan
    kind: str
    scenario_type: str


Intent = Callable[[random.Random], Drafted]


def _site_arg(site: str | None) -> str:
    """The ``site_name`` argument: MAIN when the question names no site (gold convention)."""
    return site or "MAIN"


def _sensors_step(site_arg: str, asset: Asset, deps: tuple[int, ...]) -> Step:
    return step(
        f"Get the sensors recorded for {asset.name}.",
        "IoTAgent",
        "sensors",
        {"site_name": site_arg, "asset_id": asset.name},
        deps,
        EXPECTED["sensors"],
    )


def _history_step(site: str, asset: Asset, span: DateSpan) -> Step:
    return step(
        f"Get the sensor readings of {asset.name} for {span.start} to {span.end}.",
        "IoTAgent",
        "history",
        {"site_name": site, "asset_id": asset.name, **_iot_window(span)},
        out=EXPECTED["history"],
    )


# ------------------------------------------------------------------ IoT intents


def iot_sites(rng: random.Random) -> Drafted:
    q = render(
        pick(
            rng,
            (
                "What [IoT |]sites are available",
                "!list the [IoT |]sites",
                "Which sites [have telemetry|are monitored|can I query]",
                "!show me all [the |]sites[ with IoT data|]",
                "What sites [do we have|are there] [in the IoT system|]",
                "!name every site with sensor data",
            ),
        ),
        rng,
        {},
    )
    plan = make_plan(step("List the available sites.", "IoTAgent", "sites", out=EXPECTED["sites"]))
    return Drafted(q, plan, "iot_sites", "IoT")


def iot_assets(rng: random.Random) -> Drafted:
    site = _site(rng)
    at = _at_site(rng, site)
    kind = weighted(rng, KINDS)
    s1 = step(
        f"List the assets at the {site} site.",
        "IoTAgent",
        "assets",
        {"site_name": site},
        out=EXPECTED["assets"],
    )
    if rng.random() < 0.3:
        q = render(
            pick(
                rng,
                (
                    "!list all the {p} {at}",
                    "Which {p} are [installed|there] {at}",
                    "How many {p} are [there |]{at}",
                ),
            ),
            rng,
            {"p": kind.plural, "at": at},
        )
        return Drafted(q, make_plan(s1), "iot_assets_filtered", "IoT")
    q = render(
        pick(
            rng,
            (
                "What assets [can be found|are there|are installed] {at}",
                "Which assets are located {at}",
                "!list [all |]the assets {at}",
                "What equipment is [installed |]{at}",
                "!show the asset ids {at}",
            ),
        ),
        rng,
        {"at": at},
    )
    return Drafted(q, make_plan(s1), "iot_assets", "IoT")


def iot_sensors(rng: random.Random) -> Drafted:
    asset = _asset(rng)
    site = _site(rng) if rng.random() < 0.85 else None
    a = _asset_text(rng, asset)
    if site:
        at = _at_site(rng, site)
        q = render(
            pick(
                rng,
                (
                    "![retrieve|get|fetch] [the |]metadata for {a} {at}",
                    "!download the metadata for {a} {at}",
                    "What sensors does {a} {at} have",
                    "!list all the [metrics|sensors|points] monitored by {a}[; use site {s}| {at}]",
                    "Which sensors are [installed on|recorded for] {a} {at}",
                    "Can I list all the [metrics|sensors] [monitored|recorded] by {a}? use site "
                    "{s}",
                ),
            ),
            rng,
            {"a": a, "at": at, "s": site},
        )
    elif rng.random() < 0.25:
        # An asset *type* as the asset ("sensors of asset Wind Turbine"): looked up at MAIN.
        kind_name = pick(rng, FM_TYPES)
        asset = Asset(kind_name, asset.kind)
        q = render(
            pick(rng, ("!provide some sensors of asset {a}", "Which sensors does a {a} have")),
            rng,
            {"a": kind_name},
        )
    else:
        q = render(
            pick(
                rng,
                (
                    "!list all installed sensors of asset {a}",
                    "What sensors does {a} have",
                    "!get the metadata of {a}",
                ),
            ),
            rng,
            {"a": a},
        )
    plan = make_plan(_sensors_step(_site_arg(site), asset, ()))
    return Drafted(q, plan, "iot_sensors", "IoT")


def iot_history(rng: random.Random) -> Drafted:
    asset = _asset(rng)
    site = _site(rng) if rng.random() < 0.85 else None
    a = _asset_text(rng, asset)
    sensor = pick(rng, asset.kind.sensors)
    at = _at_site(rng, site) if site else ""
    roll = rng.random()
    if roll < 0.12:
        # No date, only "last week": the window is relative to the current time.
        q = render(
            pick(
                rng,
                (
                    "![retrieve|get] the {sl} data recorded last week for {a} {at}",
                    "!download {a}'s readings from the last [week|7 days] {at}",
                    "What was the {sl} of {a} over the last week {at}",
                ),
            ),
            rng,
            {"sl": sensor.lower(), "a": a, "at": at},
        )
        plan = make_plan(
            step(
                "Get the current date and time.",
                "Utilities",
                "current_date_time",
                out=EXPECTED["current_date_time"],
            ),
            step(
                f"Get the sensor readings of {asset.name} for the last seven days.",
                "IoTAgent",
                "history",
                {
                    "site_name": _site_arg(site),
                    "asset_id": asset.name,
                    "start": "{step_1} minus 7 days",
                    "final": "{step_1}",
                },
                (1,),
                EXPECTED["history"],
            ),
        )
        return Drafted(q, plan, "iot_history_relative", "IoT")
    if roll < 0.3:
        span = _span(rng, ("moment",))
        q = render(
            pick(
                rng,
                (
                    "what was the {sl} [from|of] {a} {d}[, | ]{at}? return [it|the data|data] in "
                    "a file",
                    "What was the {sl} of {a} {d} {at}",
                    "!get the {sl} reading of {a} {d} {at}[ as a file|]",
                ),
            ),
            rng,
            {"sl": sensor.lower(), "a": a, "d": span.text, "at": at},
        )
    else:
        span = _span(
            rng,
            (
                "month",
                "week_of",
                "first_week",
                "last_week",
                "year_last_week",
                "range",
                "two_months",
            ),
        )
        q = render(
            pick(
                rng,
                (
                    "!download [all |]sensor data for {a} {d} {at}",
                    "![retrieve|get] sensor data for {a}'s {se} {d} {at}",
                    "!download sensor data for {a}'s {se} {d} {at}",
                    "![retrieve|get|pull] the {sl} [data|readings] [recorded|logged] {d} for {a} "
                    "{at}",
                    "!get the historical readings of {a} {d} {at}",
                    "What [were|are] the {sl} readings of {a} {d} {at}",
                ),
            ),
            rng,
            {"a": a, "se": sensor, "sl": sensor.lower(), "d": span.text, "at": at},
        )
    return Drafted(q, make_plan(_history_step(_site_arg(site), asset, span)), "iot_history", "IoT")


def iot_history_pair(rng: random.Random) -> Drafted:
    kind = weighted(rng, KINDS)
    first, second = rng.sample(list(kind.names), 2)
    site = _site(rng)
    sensor = pick(rng, kind.sensors)
    span = _span(rng, ("first_week", "last_week", "month", "week_of"))
    q = render(
        pick(
            rng,
            (
                "![get|download] sensor data for both {a} and {b}'s {se} {d} {at}[ in a single "
                "file|]",
                "!get the {se} readings of {a} and {b} {d} {at}",
            ),
        ),
        rng,
        {"a": first, "b": second, "se": sensor, "d": span.text, "at": _at_site(rng, site)},
    )
    steps = [_history_step(site, Asset(name, kind), span) for name in (first, second)]
    steps.append(
        step(
            f"Combine the {sensor} readings of both assets into a single file.",
            None,
            None,
            deps=(1, 2),
            out="One file with both assets' readings.",
        )
    )
    return Drafted(q, make_plan(*steps), "iot_history_pair", "IoT")


# ------------------------------------------------------------------ FMSR intents


def fmsr_modes(rng: random.Random) -> Drafted:
    name = pick(rng, FM_TYPES) if rng.random() < 0.5 else _asset(rng).name
    q = render(
        pick(
            rng,
            (
                "!list all failure modes of asset {n}",
                "What are the failure modes of [a |an |the |]{n}",
                "How can [a |an |the |]{n} fail",
                "![get|list] [the |]failure modes for {n}",
                "Which failure modes [does|can] [a |an |the |]{n} [have|develop]",
                "!tell me the typical failure modes of {n}",
            ),
        ),
        rng,
        {"n": name},
    )
    plan = make_plan(
        step(
            f"Get the failure modes of {name}.",
            "FMSRAgent",
            "get_failure_modes",
            {"asset_name": name},
            out=EXPECTED["get_failure_modes"],
        )
    )
    return Drafted(q, plan, "fmsr_modes", "FMSA")


def _fmsr_site(rng: random.Random) -> str | None:
    # The multi-agent variants of FMSR questions add "at MAIN site".
    return _site(rng) if rng.random() < 0.5 else None


def _with_site(asset_text: str, site: str | None) -> str:
    return f"{asset_text} at {site} site" if site else asset_text


def fmsr_modes_by_sensor(rng: random.Random) -> Drafted:
    asset = _asset(rng, (CHILLER, AHU))
    site = _fmsr_site(rng)
    a = _with_site(_asset_text(rng, asset), site)
    sensor = pick(rng, asset.kind.sensors)
    target = _target(asset, sensor)
    q = render(
        pick(
            rng,
            (
                "!list all failure modes of {a} that can be detected by {t}",
                "Which failure modes of {a} can {t} detect",
                "Are there any failure modes of {a} that can be predicted by monitoring the {sl} "
                "[sensor |]data",
                "What failures of {a} [would|could] show up in {t}",
            ),
        ),
        rng,
        {"a": a, "t": target, "sl": sensor.lower()},
    )
    plan = make_plan(
        step(
            f"Get the failure modes of {asset.name}.",
            "FMSRAgent",
            "get_failure_modes",
            {"asset_name": asset.name},
            out=EXPECTED["get_failure_modes"],
        ),
        step(
            f"Map the failure modes to the sensor {target}.",
            "FMSRAgent",
            "get_failure_mode_sensor_mapping",
            {"asset_name": asset.name, "failure_modes": "{step_1}", "sensors": [target]},
            (1,),
            f"The failure modes that {target} can detect.",
        ),
    )
    return Drafted(q, plan, "fmsr_modes_by_sensor", "multiagent" if site else "FMSA")


def _mapping_step(
    asset: Asset, failure_modes: Any, sensors: Any, deps: tuple[int, ...], out: str
) -> Step:
    return step(
        f"Map failure modes of {asset.name} to its sensors.",
        "FMSRAgent",
        "get_failure_mode_sensor_mapping",
        {"asset_name": asset.name, "failure_modes": failure_modes, "sensors": sensors},
        deps,
        out,
    )


def _modes_step(asset: Asset) -> Step:
    return step(
        f"Get the failure modes of {asset.name}.",
        "FMSRAgent",
        "get_failure_modes",
        {"asset_name": asset.name},
        out=EXPECTED["get_failure_modes"],
    )


def fmsr_modes_by_sensor_group(rng: random.Random) -> Drafted:
    """Modes detectable by the asset's own sensors (or a group of them): sensors, modes,
    mapping of all modes to all sensors."""
    asset = _asset(rng, (CHILLER, AHU))
    site = _fmsr_site(rng)
    a = _with_site(_asset_text(rng, asset), site)
    groups = rng.sample(list(SENSOR_GROUPS), rng.choice((1, 2)))
    words = " and ".join(g for g, _ in groups)
    if rng.random() < 0.45:
        q = render(
            pick(
                rng,
                (
                    "!get failure modes for {a} and only include [in the final response |]those "
                    "that can "
                    "be monitored using the available sensors",
                    "What are the failure modes of {a} that can be identified by analyzing the "
                    "data from "
                    "the available sensors",
                    "Which failure modes of {a} can the installed sensors detect",
                ),
            ),
            rng,
            {"a": a},
        )
    else:
        q = render(
            pick(
                rng,
                (
                    "!list all failure modes of {a} that can be detected by {w}",
                    "Which failure modes of {a} can be [detected|seen] with {w}",
                ),
            ),
            rng,
            {"a": a, "w": words},
        )
    site_arg = _site_arg(site)
    plan = make_plan(
        _sensors_step(site_arg, asset, ()),
        _modes_step(asset),
        _mapping_step(
            asset, "{step_2}", "{step_1}", (1, 2), EXPECTED["get_failure_mode_sensor_mapping"]
        ),
    )
    return Drafted(q, plan, "fmsr_modes_by_sensor_group", "multiagent" if site else "FMSA")


def fmsr_sensors_for_mode(rng: random.Random) -> Drafted:
    """Sensors relevant to a named failure mode: sensors, then the mapping of that mode."""
    asset = _asset(rng, (CHILLER, AHU))
    site = _fmsr_site(rng)
    a = _with_site(_asset_text(rng, asset), site)
    mode = pick(rng, asset.kind.failure_modes)
    if rng.random() < 0.5:
        q = render(
            pick(
                rng,
                (
                    "If {m} occurs for {a}, which sensor should be prioritized for monitoring this "
                    "specific failure",
                    "If {m} occurs for {a}, which sensor is most relevant for monitoring "
                    "[it|this specific "
                    "failure]",
                    "Which single sensor best reveals {m} on {a}",
                ),
            ),
            rng,
            {"m": mode.lower() if rng.random() < 0.5 else mode, "a": a},
        )
    else:
        q = render(
            pick(
                rng,
                (
                    "!list all sensors of {a} that are [potentially |]relevant to {m}",
                    "Which sensors of {a} can reveal {m}",
                    "What sensors should I watch for {m} on {a}",
                ),
            ),
            rng,
            {"m": mode, "a": a},
        )
    site_arg = _site_arg(site)
    plan = make_plan(
        _sensors_step(site_arg, asset, ()),
        _mapping_step(asset, [mode], "{step_1}", (1,), f"The sensors relevant to {mode}."),
    )
    return Drafted(q, plan, "fmsr_sensors_for_mode", "multiagent" if site else "FMSA")


def fmsr_symptom(rng: random.Random) -> Drafted:
    """A sensor's change explained by failure modes: modes, mapping to that sensor."""
    asset = _asset(rng, (CHILLER, AHU))
    site = _fmsr_site(rng)
    a = _with_site(_asset_text(rng, asset), site)
    sensor = pick(rng, asset.kind.sensors)
    move = pick(rng, ("drops", "rises", "spikes", "falls", "increases"))
    q = render(
        pick(
            rng,
            (
                "When [the |]{sl} of {a} {mv}, what is the potential failure that causes it",
                "When the {se} of {a} {mv}, what failure is most likely to occur",
                "{Se} of {a} {mv}: which failure mode could explain it",
            ),
        ),
        rng,
        {"sl": sensor.lower(), "se": sensor, "Se": capitalise(sensor), "a": a, "mv": move},
    )
    target = _target(asset, sensor)
    plan = make_plan(
        _modes_step(asset),
        _mapping_step(asset, "{step_1}", [target], (1,), f"The failure modes linked to {target}."),
    )
    return Drafted(q, plan, "fmsr_symptom", "multiagent" if site else "FMSA")


def fmsr_recipe(rng: random.Random) -> Drafted:
    """A detection recipe for a named failure: sensors and the mapping of that failure; a
    model "for identifying" a failure maps every mode (sensors, modes, mapping)."""
    asset = _asset(rng, (CHILLER, AHU))
    site = _fmsr_site(rng)
    a = _with_site(_asset_text(rng, asset), site)
    mode = pick(rng, asset.kind.failure_modes)
    slots = {
        "ml": mode.lower(),
        "a": a,
        "comp": pick(rng, ("Compressor", "Purge unit", "Condenser", "Evaporator", "Fan")),
    }
    site_arg = _site_arg(site)
    if rng.random() < 0.3:
        q = render(
            pick(
                rng,
                (
                    "I want to build an anomaly model for identifying {ml} for {a}. Provide me a "
                    "list of "
                    "sensors that I should use[, along with the temporal behavior|]",
                    "!generate an anomaly detection recipe for detecting {ml} for {a}",
                ),
            ),
            rng,
            slots,
        )
        plan = make_plan(
            _sensors_step(site_arg, asset, ()),
            _modes_step(asset),
            _mapping_step(
                asset, "{step_2}", "{step_1}", (1, 2), EXPECTED["get_failure_mode_sensor_mapping"]
            ),
        )
    else:
        q = render(
            pick(
                rng,
                (
                    "!generate a machine learning recipe for detecting {ml} for {a}. Result should "
                    "include feature sensors and target sensor",
                    "{comp} of {a} [may|could] develop {ml}; what is the plan [by the "
                    "maintenance experts "
                    "|]to detect [it|the failure] early",
                    "Which sensors should a model use to detect {ml} on {a}",
                ),
            ),
            rng,
            slots,
        )
        plan = make_plan(
            _sensors_step(site_arg, asset, ()),
            _mapping_step(
                asset, [mode], "{step_1}", (1,), f"The sensors relevant to {mode}, with reasons."
            ),
        )
    return Drafted(q, plan, "fmsr_recipe", "multiagent" if site else "FMSA")


# ------------------------------------------------------------------ TSFM intents


def tsfm_models(rng: random.Random) -> Drafted:
    n = pick(rng, CONTEXT_LENGTHS)
    q = render(
        pick(
            rng,
            (
                "What [time series |]pretrained models are available[ in [the |]system|]",
                "!list the [available |]TSFM [models|checkpoints]",
                "Are any time series forecasting models supported",
                "Is {m}[, a time series model,|] supported",
                "Is [the |]{m} model supported in TSFM",
                "Is any model with context length {n} supported[ in TSFM|]",
                "!find a model for {dom}",
                "!find a model for {dom} with context length {n}[ and nothing else|]",
                "!find all models with context length {n}",
                "How many models with context length [exactly |]{n} are supported",
                "Which checkpoints can I use for forecasting",
            ),
        ),
        rng,
        {"m": pick(rng, TS_MODELS), "n": n, "dom": pick(rng, FORECAST_DOMAINS)},
    )
    plan = make_plan(
        step(
            "List the available pre-trained time-series models.",
            "TSFMAgent",
            "get_tsfm_models",
            out=EXPECTED["get_tsfm_models"],
        )
    )
    return Drafted(q, plan, "tsfm_models", "TSFM")


def tsfm_tasks(rng: random.Random) -> Drafted:
    task = pick(rng, TS_TASKS)
    if rng.random() < 0.2:
        q = render(
            "Does TSFM support {t} tasks or any model for forecasting with context length {n}",
            rng,
            {"t": task.lower(), "n": pick(rng, CONTEXT_LENGTHS)},
        )
        plan = make_plan(
            step(
                "List the supported time-series tasks.",
                "TSFMAgent",
                "get_ai_tasks",
                out=EXPECTED["get_ai_tasks"],
            ),
            step(
                "List the available pre-trained models.",
                "TSFMAgent",
                "get_tsfm_models",
                out=EXPECTED["get_tsfm_models"],
            ),
        )
        return Drafted(q, plan, "tsfm_tasks_models", "TSFM")
    q = render(
        pick(
            rng,
            (
                "Is {t} supported in TSFM",
                "What [time series |]tasks does TSFM support",
                "!list the supported [AI|time-series] tasks",
                "Does TSFM support {tl}",
                "Can TSFM do {tl}",
                "Which time series tasks are available",
            ),
        ),
        rng,
        {"t": task, "tl": task.lower()},
    )
    plan = make_plan(
        step(
            "List the supported time-series tasks.",
            "TSFMAgent",
            "get_ai_tasks",
            out=EXPECTED["get_ai_tasks"],
        )
    )
    return Drafted(q, plan, "tsfm_tasks", "TSFM")


def _conditional(rng: random.Random, asset: Asset, target_sensor: str) -> list[str]:
    others = [s for s in asset.kind.sensors if s != target_sensor]
    return [_target(asset, s) for s in rng.sample(others, min(len(others), rng.randint(2, 6)))]


def tsfm_forecast(rng: random.Random) -> Drafted:
    asset = _asset(rng, (CHILLER, AHU))
    sensor = pick(rng, asset.kind.sensors)
    target = _target(asset, sensor)
    file = _data_file(rng, asset, "forecast")
    ts = _ts(rng)
    with_ts = rng.random() < 0.7
    conds = _conditional(rng, asset, sensor) if rng.random() < 0.45 else []
    parts = ["!forecast '{t}' using data in '{f}'"]
    if with_ts:
        parts.append(". Use [parameter |]'{ts}' as [a|the] timestamp")
    if conds:
        parts.append(". Use the following parameters as inputs '{c}'")
    q = render("".join(parts), rng, {"t": target, "f": file, "ts": ts, "c": ",".join(conds)})
    args: dict[str, Any] = {
        "dataset_path": file,
        "timestamp_column": ts if with_ts else "Timestamp",
        "target_columns": [target],
    }
    if conds:
        args["conditional_columns"] = conds
    plan = make_plan(
        step(
            f"Forecast {target} from {file}.",
            "TSFMAgent",
            "run_tsfm_forecasting",
            args,
            out=EXPECTED["run_tsfm_forecasting"],
        )
    )
    return Drafted(q, plan, "tsfm_forecast", "TSFM")


def tsfm_finetune(rng: random.Random) -> Drafted:
    asset = _asset(rng, (CHILLER, AHU))
    target = _target(asset, pick(rng, asset.kind.sensors))
    file = _data_file(rng, asset, "finetune")
    ts = _ts(rng)
    pct = pick(rng, (1, 2, 5, 10, 20))
    q = render(
        pick(
            rng,
            (
                "!finetune a forecasting model for '{t}' using data in '{f}' with '{ts}' as "
                "[a|the] "
                "timestamp. Use {p}% of [the |]data for [tuning|fine-tuning]",
                "!fine-tune the TTM model on '{f}' to forecast '{t}' ([timestamp "
                "column|timestamp] '{ts}', "
                "{p}% of the data for tuning)",
            ),
        ),
        rng,
        {"t": target, "f": file, "ts": ts, "p": pct},
    )
    plan = make_plan(
        step(
            f"Fine-tune a forecasting model for {target} on {file}.",
            "TSFMAgent",
            "run_tsfm_finetuning",
            {
                "dataset_path": file,
                "timestamp_column": ts,
                "target_columns": [target],
                "n_finetune": pct / 100,
            },
            out=EXPECTED["run_tsfm_finetuning"],
        )
    )
    return Drafted(q, plan, "tsfm_finetune", "TSFM")


def tsfm_anomaly(rng: random.Random) -> Drafted:
    asset = _asset(rng, (CHILLER, AHU))
    target = _target(asset, pick(rng, asset.kind.sensors))
    file = _data_file(rng, asset, "tsad")
    ts = _ts(rng)
    two_step = rng.random() < 0.25
    if two_step:
        q = render(
            pick(
                rng,
                (
                    "!forecast '{t}' from '{f}' and then run anomaly detection on the forecast[ "
                    "results|]",
                    "!use a forecast of '{t}' in '{f}' to flag anomalies ([timestamp|timestamp "
                    "column] "
                    "'{ts}')",
                ),
            ),
            rng,
            {"t": target, "f": file, "ts": ts},
        )
        plan = make_plan(
            step(
                f"Forecast {target} from {file}.",
                "TSFMAgent",
                "run_tsfm_forecasting",
                {"dataset_path": file, "timestamp_column": ts, "target_columns": [target]},
                out=EXPECTED["run_tsfm_forecasting"],
            ),
            step(
                f"Detect anomalies in {target} using the forecast.",
                "TSFMAgent",
                "run_tsad",
                {
                    "dataset_path": file,
                    "tsfm_output_json": "{step_1}",
                    "timestamp_column": ts,
                    "target_columns": [target],
                },
                (1,),
                EXPECTED["run_tsad"],
            ),
        )
        return Drafted(q, plan, "tsfm_tsad", "TSFM")
    q = render(
        pick(
            rng,
            (
                "I need to perform [time series |]anomaly detection of '{t}' using data in {f}",
                "!detect anomalies in '{t}' [from|in] '{f}'",
                "!run anomaly detection on '{t}' with the data in '{f}'[ ('{ts}' is the "
                "timestamp)|]",
                "Are there anomalies in '{t}' in the file {f}",
            ),
        ),
        rng,
        {"t": target, "f": file, "ts": ts},
    )
    plan = make_plan(
        step(
            f"Detect anomalies in {target} from {file}.",
            "TSFMAgent",
            "run_integrated_tsad",
            {"dataset_path": file, "timestamp_column": ts, "target_columns": [target]},
            out=EXPECTED["run_integrated_tsad"],
        )
    )
    return Drafted(q, plan, "tsfm_anomaly", "TSFM")


# ------------------------------------------------------------------ work-order intents


def _eq(rng: random.Random) -> str:
    return pick(rng, EQUIPMENT_IDS)


def _eq_text(rng: random.Random, eq: str) -> str:
    return expand(
        "[equipment {e}|equipment {e}|the equipment labeled as {e}|equipment ID {e}|{e}|asset {e}]",
        rng,
        {"e": eq},
    )


def _wo_step(tool: str, eq: str, span: DateSpan | None, deps: tuple[int, ...] = ()) -> Step:
    args: dict[str, Any] = {"equipment_id": eq, **(_wo_window(span) if span else {})}
    what = tool.removeprefix("get_").replace("_", " ")
    window = f" from {span.start} to {span.end}" if span else ""
    return step(
        f"Get the {what} of {eq}{window}.", "WorkOrderAgent", tool, args, deps, EXPECTED[tool]
    )


def wo_lookup(rng: random.Random) -> Drafted:
    eq = _eq(rng)
    span = _span(rng, ("year", "year", "month", "two_months"))
    tool, noun = pick(
        rng,
        (
            ("get_work_orders", "work order[s|]"),
            ("get_work_orders", "work order [records|history]"),
            ("get_preventive_work_orders", "preventive work order[s| details]"),
            ("get_preventive_work_orders", "[PM|planned maintenance] work orders"),
            ("get_corrective_work_orders", "corrective work order[s| details]"),
            ("get_corrective_work_orders", "[CM|repair] work orders"),
            ("get_work_order_distribution", "work order distribution"),
            ("get_events", "events"),
        ),
    )
    q = render(
        pick(
            rng,
            (
                "![get|retrieve|list] the {n} of {e} {d}",
                "I would like to [check|retrieve|see|review] the {n} for {e} {d}",
                "What are the {n} [of|for] {e} {d}",
                "!show me {e}'s {n} {d}",
            ),
        ),
        rng,
        {"n": expand(noun, rng), "e": _eq_text(rng, eq), "d": span.text},
    )
    return Drafted(q, make_plan(_wo_step(tool, eq, span)), f"wo_{tool}", "Workorder")


def wo_events_summary(rng: random.Random) -> Drafted:
    """Event summaries and daily counts: ``get_events`` alone (the gold convention: the
    summary is the answer's wording, not a tool)."""
    eq = _eq(rng)
    span = _span(rng, ("year", "month", "two_months"))
    if rng.random() < 0.5:
        groups = pick(
            rng,
            (
                "alert, anomaly",
                "alert and anomaly",
                "alert, anomaly and work order",
                "work order and alert",
            ),
        )
        q = render(
            pick(
                rng,
                (
                    "!get the daily count of the events of {g} {d} for {e}",
                    "!get the daily count of {g} events {d} for {e}",
                    "How many {g} events per day did {e} have {d}",
                ),
            ),
            rng,
            {"g": groups, "d": span.text, "e": _eq_text(rng, eq)},
        )
    else:
        q = render(
            pick(
                rng,
                (
                    "!get the events of {e} {d} and provide a summary based on the event group[, "
                    "such as "
                    "work order event, alerts and anomaly events|]",
                    "!get the summary of the events of {e} {d}[ and provide a summary based on "
                    "the event "
                    "group|]",
                    "!summarize the alerts, anomalies and work orders of {e} {d}",
                ),
            ),
            rng,
            {"d": span.text, "e": _eq_text(rng, eq)},
        )
    return Drafted(q, make_plan(_wo_step("get_events", eq, span)), "wo_events_summary", "Workorder")


def wo_predict(rng: random.Random) -> Drafted:
    eq = _eq(rng)
    q = render(
        pick(
            rng,
            (
                "I would like to predict the next work order [probability |]for {e}",
                "What work order is [most |]likely to come next for {e}",
                "!predict the next work order for {e}",
                "Which kind of work order should I expect next on {e}",
            ),
        ),
        rng,
        {"e": _eq_text(rng, eq)},
    )
    return Drafted(
        q, make_plan(_wo_step("predict_next_work_order", eq, None)), "wo_predict", "Workorder"
    )


def wo_alert_failure(rng: random.Random) -> Drafted:
    eq, rule = _eq(rng), pick(rng, ALERT_RULES)
    span = _span(rng, ("year", "two_months")) if rng.random() < 0.3 else None
    q = render(
        pick(
            rng,
            (
                "How often does alert rule {r} on {e} lead to a work order[, and how many hours "
                "later|]",
                "!analyze [the ][alert-to-failure|alert to failure] [behaviour|relationship] "
                "of rule {r} for {e}{d}",
                "After alert {r} fires on {e}, how soon does a work order follow",
            ),
        ),
        rng,
        {"r": rule, "e": _eq_text(rng, eq), "d": f" {span.text}" if span else ""},
    )
    args: dict[str, Any] = {
        "equipment_id": eq,
        "rule_id": rule,
        **(_wo_window(span) if span else {}),
    }
    plan = make_plan(
        step(
            f"Analyze how alert rule {rule} on {eq} leads to work orders.",
            "WorkOrderAgent",
            "analyze_alert_to_failure",
            args,
            out=EXPECTED["analyze_alert_to_failure"],
        )
    )
    return Drafted(q, plan, "wo_alert_failure", "Workorder")


def wo_failure_codes(rng: random.Random) -> Drafted:
    q = render(
        pick(
            rng,
            (
                "What failure codes [exist|are defined]",
                "!list the failure codes[ and their categories|]",
                "Which failure code categories are used in work orders",
                "!show me the table of failure codes",
            ),
        ),
        rng,
        {},
    )
    plan = make_plan(
        step(
            "Get the failure code table.",
            "WorkOrderAgent",
            "get_failure_codes",
            out=EXPECTED["get_failure_codes"],
        )
    )
    return Drafted(q, plan, "wo_failure_codes", "Workorder")


def wo_bundle(rng: random.Random) -> Drafted:
    eq = _eq(rng)
    span = pick(rng, (_span(rng, ("year",)), random_span(rng, (2017,), ("year",))))
    if rng.random() < 0.3:
        first = pick(rng, (2016, 2017, 2018))
        span = years_span(rng, first, first + 2)
    q = render(
        pick(
            rng,
            (
                "Which corrective work orders for {e} {d} can be bundled in the next maintenance "
                "window? "
                "A bundle means that several work orders are executed in a short period, say in "
                "two weeks.",
                "Can you provide guidance on bundling corrective work orders together to "
                "optimize the "
                "maintenance schedule for {e} {d}[, bundle has to happen within two weeks|]",
                "!group the corrective work orders of {e} {d} into bundles done within two weeks",
            ),
        ),
        rng,
        {"e": _eq_text(rng, eq), "d": span.text},
    )
    plan = make_plan(
        _wo_step("get_corrective_work_orders", eq, span),
        step(
            "Group corrective work orders that fall within two weeks of each other into bundles.",
            None,
            None,
            deps=(1,),
            out="The bundles and the work orders in each.",
        ),
    )
    return Drafted(q, plan, "wo_bundle", "Workorder")


def wo_recommend(rng: random.Random) -> Drafted:
    """Work orders to answer an anomaly: events and the work-order distribution; for a
    named KPI anomaly, events and the failure-code table."""
    eq = _eq(rng)
    kpis = rng.sample(list(KPI_ANOMALIES), rng.choice((1, 1, 2)))
    k = pick(rng, ("two", "three", "five", "3"))
    if rng.random() < 0.4:
        q = render(
            pick(
                rng,
                (
                    "When an anomaly happens for {e}, can you recommend a list of candidate work "
                    "orders"
                    "[ and give me a summary of work order as percentage|]",
                    "Which work orders usually follow an anomaly on {e}",
                ),
            ),
            rng,
            {"e": _eq_text(rng, eq), "k": k},
        )
        tools = ("get_events", "get_work_order_distribution")
    else:
        said = " and ".join(f"'{x}'" for x in kpis)
        noun = "anomalies" if len(kpis) > 1 else "an anomaly"
        q = render(
            pick(
                rng,
                (
                    "Just [noticed|notice] {n} {kpi} [happens|happened] for {e}, can you recommend "
                    "[the |]top {k} work orders to address this problem",
                    "{N} {kpi} {v} raised on {e}. Which work orders should we plan",
                ),
            ),
            rng,
            {
                "e": _eq_text(rng, eq),
                "kpi": said,
                "k": k,
                "n": noun,
                "N": capitalise(noun),
                "v": "were" if len(kpis) > 1 else "was",
            },
        )
        tools = ("get_events", "get_failure_codes")
    plan = make_plan(
        *(
            _wo_step(t, eq, None)
            if t != "get_failure_codes"
            else step("Get the failure code table.", "WorkOrderAgent", t, out=EXPECTED[t])
            for t in tools
        )
    )
    return Drafted(q, plan, "wo_recommend", "Workorder")


CHILLER_EQUIPMENT_IDS = tuple(e for e in EQUIPMENT_IDS if e.startswith("CWC"))


def _chiller_with_eq(rng: random.Random) -> tuple[str, str]:
    eq = pick(rng, CHILLER_EQUIPMENT_IDS)
    name = f"chiller {rng.randint(1, 12)}"
    return eq, expand(
        "[{c} with equipment ID {e}|{c} ({e})|equipment {e} ({c})]", rng, {"c": name, "e": eq}
    )


def _wo_partial(tool: str, eq: str, start: str | None, end: str | None) -> Step:
    args: dict[str, Any] = {"equipment_id": eq}
    if start:
        args["start_date"] = start[:10]
    if end:
        args["end_date"] = end[:10]
    what = tool.removeprefix("get_").replace("_", " ")
    return step(f"Get the {what} of {eq}.", "WorkOrderAgent", tool, args, out=EXPECTED[tool])


def wo_review(rng: random.Random) -> Drafted:
    """Reviewing a past month: its events; asking about scheduled corrective work and a new
    work order adds corrective work orders since the month started and the prediction."""
    eq, who = _chiller_with_eq(rng)
    year = pick(rng, (2019, 2020, 2021))
    month = rng.randint(2, 11)
    span = month_span(rng, year, month)
    next_month = date(year, month + 1, 1).strftime("%B %Y")
    roll = rng.random()
    if roll < 0.4:
        q = render(
            pick(
                rng,
                (
                    "Assume today is early {nm}, I would like to review the performance of {w} "
                    "{d} and "
                    "track any anomalies or operation [violations|alerts] as alerts",
                    "!review the alerts and anomalies of {w} {d}",
                ),
            ),
            rng,
            {"nm": next_month, "w": who, "d": span.text},
        )
        return Drafted(q, make_plan(_wo_step("get_events", eq, span)), "wo_review", "Workorder")
    if roll < 0.7:
        q = render(
            pick(
                rng,
                (
                    "Assume today is early {nm}, I would like to review the performance of {w} "
                    "{d} and "
                    "track any anomalies or operation alerts. Tell me what corrective work "
                    "orders have "
                    "been scheduled, and whether [a |]new work order should be [generated|created]",
                    "!review {w} {d}: which corrective work orders are scheduled and is a new "
                    "one needed",
                ),
            ),
            rng,
            {"nm": next_month, "w": who, "d": span.text},
        )
        plan = make_plan(
            _wo_step("get_events", eq, span),
            _wo_partial("get_corrective_work_orders", eq, span.start, None),
            _wo_partial("predict_next_work_order", eq, None, span.end),
        )
        return Drafted(q, plan, "wo_review_cm", "Workorder")
    q = render(
        pick(
            rng,
            (
                "Assume today is early {nm}, I would like to review the alerts for {w} {d} and "
                "the work "
                "order should be generated based on the type of alerts",
                "Which work order should be raised for {w} given its alerts {d}",
            ),
        ),
        rng,
        {"nm": next_month, "w": who, "d": span.text},
    )
    plan = make_plan(
        _wo_step("get_events", eq, span),
        step(
            "Get the failure code table.",
            "WorkOrderAgent",
            "get_failure_codes",
            out=EXPECTED["get_failure_codes"],
        ),
    )
    return Drafted(q, plan, "wo_review_alerts", "Workorder")


def wo_decide_new(rng: random.Random) -> Drafted:
    """Whether to raise a new work order: events of the period, the prediction, a decision."""
    eq, who = _chiller_with_eq(rng)
    year = pick(rng, (2019, 2020, 2021))
    month = rng.randint(1, 10)
    span = two_month_span(rng, year, month)
    after = date(year, month + 2, 1).strftime("%B %Y")
    q = render(
        pick(
            rng,
            (
                "After checking existing work orders, anomalies and alerts {d} for {w}, should I "
                "recommend a new work order or is it too early to decide for {a}",
                "Given the alerts and anomalies of {w} {d}, is a new work order needed for {a}",
            ),
        ),
        rng,
        {"d": span.text, "w": who, "a": after},
    )
    plan = make_plan(
        _wo_step("get_events", eq, span),
        _wo_partial("predict_next_work_order", eq, None, span.end),
        step(
            "Decide whether a new work order is needed now or it is too early.",
            None,
            None,
            deps=(1, 2),
            out="A recommendation: raise a work order now, or wait.",
        ),
    )
    return Drafted(q, plan, "wo_decide_new", "Workorder")


def wo_prioritize(rng: random.Random) -> Drafted:
    eq, who = _chiller_with_eq(rng)
    year = pick(rng, (2019, 2020, 2021))
    end = f"{year}-06-30"
    q = render(
        pick(
            rng,
            (
                "I am using historical work order information up to [the |]end of June {y} for "
                "prioritizing maintenance. Which work orders should I prioritize first for {w} "
                "in July {y}",
                "Which work orders should come first for {w} in July {y}, given its history",
            ),
        ),
        rng,
        {"y": year, "w": who},
    )
    plan = make_plan(
        _wo_partial("get_work_orders", eq, None, end),
        _wo_partial("predict_next_work_order", eq, None, end),
    )
    return Drafted(q, plan, "wo_prioritize", "Workorder")


def _alert_analysis(eq: str) -> tuple[Step, Step]:
    return (
        _wo_step("get_events", eq, None),
        step(
            f"Analyze how the alert rules found in the events lead to work orders on {eq}.",
            "WorkOrderAgent",
            "analyze_alert_to_failure",
            {"equipment_id": eq, "rule_id": "{step_1}"},
            (1,),
            EXPECTED["analyze_alert_to_failure"],
        ),
    )


def wo_longterm(rng: random.Random) -> Drafted:
    """Life-cycle and budgeting questions over the whole history of one piece of equipment."""
    eq = _eq(rng)
    e = _eq_text(rng, eq)
    variant = rng.randrange(7)
    steps: tuple[Step, ...]
    if variant == 0:
        q = render(
            "!build a predictive model from historical alerts and work orders of {e} to "
            "forecast failures [and replacement needs |]over the [forthcoming|next] {n}-year "
            "horizon",
            rng,
            {"e": e, "n": pick(rng, (5, 10))},
        )
        steps = (_wo_step("get_events", eq, None), _wo_step("predict_next_work_order", eq, None))
    elif variant == 1:
        q = render(
            "!rank alert descriptions for {e} by how strongly they predict subsequent "
            "corrective work orders",
            rng,
            {"e": e},
        )
        steps = _alert_analysis(eq)
    elif variant == 2:
        q = render(
            "Using historical counts, project how many preventive and corrective work "
            "orders {e} is likely to [generate|need] over the coming [decade|five years]",
            rng,
            {"e": e},
        )
        steps = (
            _wo_step("get_preventive_work_orders", eq, None),
            _wo_step("get_corrective_work_orders", eq, None),
        )
    elif variant == 3:
        q = render(
            "!measure typical time gaps between alerts and the corrective work orders they "
            "precede for {e}",
            rng,
            {"e": e},
        )
        steps = _alert_analysis(eq)
    elif variant == 4:
        q = render(
            "Which alert or work-order descriptions for {e} [show the fastest growth|account "
            "for the most events] and should drive the [capital|maintenance] budget",
            rng,
            {"e": e},
        )
        steps = (_wo_step("get_events", eq, None),)
    elif variant == 5:
        q = render(
            "Does the year-over-year [increase|change] in corrective maintenance for {e} "
            "justify planning a replacement",
            rng,
            {"e": e},
        )
        steps = (_wo_step("get_corrective_work_orders", eq, None),)
    else:
        q = render(
            "How often do alerts and corrective work orders cluster together for {e}", rng, {"e": e}
        )
        steps = (_wo_step("get_events", eq, None), _wo_step("get_corrective_work_orders", eq, None))
    return Drafted(q, make_plan(*steps), "wo_longterm", "Workorder")


def wo_fleet_analysis(rng: random.Random) -> Drafted:
    """Alert/anomaly analysis that names no equipment: grounded on CWC04009, the chiller of
    the benchmark's alert and anomaly scenarios (the gold convention), with the
    failure-code table when the question asks for causes or actions."""
    eq = "CWC04009"
    with_codes = rng.random() < 0.5
    q = render(
        pick(
            rng,
            (
                "How can I [analyze|study] anomalies across [multiple|several] KPIs to [better "
                "|]diagnose [their|the] root cause",
                "Which KPI anomalies tend to [occur|happen] together, and what do they say about "
                "the cause",
                "Can you find the alerts that matter among the many spurious ones for our chillers",
                "How severe and connected are the anomalies we see across [the |]KPIs",
            )
            if with_codes
            else (
                "Could you identify [any |]causal links between anomalies across KPIs",
                "Which alerts of our chillers are [meaningful|worth a closer look]",
                "How often do anomalies on different KPIs show up [together|at the same time]",
            ),
        ),
        rng,
        {},
    )
    steps = [_wo_step("get_events", eq, None)]
    if with_codes:
        steps.append(
            step("Get the failure code table.", "WorkOrderAgent", "get_failure_codes",
                 out=EXPECTED["get_failure_codes"])
        )  # fmt: skip
    return Drafted(q, make_plan(*steps), "wo_fleet_analysis", "Workorder")


def wo_alert_reasoning(rng: random.Random) -> Drafted:
    """Using alerts to improve maintenance: events, then alert-to-failure on their rules."""
    eq, who = _chiller_with_eq(rng)
    q = render(
        pick(
            rng,
            (
                "How can reasoning on operation alerts help in generating significant warning "
                "messages "
                "to improve maintenance recommendations for {w}",
                "Which alerts of {w} are worth acting on, judging by the work orders that "
                "followed them",
                "Since most alerts are likely spurious, can you identify the meaningful ones for "
                "{w}",
            ),
        ),
        rng,
        {"w": who},
    )
    return Drafted(q, make_plan(*_alert_analysis(eq)), "wo_alert_reasoning", "Workorder")


# ------------------------------------------------------------------ utilities


def util_time(rng: random.Random) -> Drafted:
    if rng.random() < 0.5:
        q = render(
            pick(
                rng,
                (
                    "What is the current date and time",
                    "What is today's date",
                    "!give me the current UTC date and time",
                ),
            ),
            rng,
            {},
        )
        tool = "current_date_time"
    else:
        q = render(
            pick(rng, ("What time is it[ now|]", "!tell me the current time in words")), rng, {}
        )
        tool = "current_time_english"
    plan = make_plan(step("Get the current date and time.", "Utilities", tool, out=EXPECTED[tool]))
    return Drafted(q, plan, "util_time", "Utilities")


def util_json(rng: random.Random) -> Drafted:
    asset = _asset(rng)
    f = pick(
        rng,
        (
            f"{asset.slug}_forecast.json",
            f"/tmp/{asset.slug}_results.json",
            "tsfm_output.json",
            f"{asset.slug}_metrics.json",
        ),
    )
    q = render(
        pick(
            rng,
            (
                "!read the JSON file '{f}'[ and tell me what it contains|]",
                "What is in {f}",
                "!open {f} and summarize it",
            ),
        ),
        rng,
        {"f": f},
    )
    plan = make_plan(
        step(
            f"Read {f}.", "Utilities", "json_reader", {"file_name": f}, out=EXPECTED["json_reader"]
        )
    )
    return Drafted(q, plan, "util_json", "Utilities")


# ------------------------------------------------------------------ multi-agent


def _tsad_step(targets: Any, history_step: int, deps: tuple[int, ...]) -> Step:
    return step(
        "Detect anomalies in the downloaded readings.",
        "TSFMAgent",
        "run_integrated_tsad",
        {
            "dataset_path": f"{{step_{history_step}}}",
            "timestamp_column": "timestamp",
            "target_columns": targets,
        },
        deps,
        EXPECTED["run_integrated_tsad"],
    )


def multi_anomaly(rng: random.Random) -> Drafted:
    """Anomalies of named sensors in a week: history, then integrated anomaly detection."""
    asset = _asset(rng, (CHILLER,))
    site = _site(rng)
    span = _recent_week(rng)
    sensors = rng.sample(list(asset.kind.sensors), rng.choice((1, 1, 1, 2)))
    said = " and ".join(sensors)
    q = render(
        pick(
            rng,
            (
                "Is there any anomaly detected in {a}'s {s} {d} {at}",
                "Have there been any anomalies in {a}'s {s} {d} {at}",
                "Can you detect any anomalies in {a}'s {s} {d} {at}",
                "What are the anomaly detection results for {a}'s {s} {d} {at}",
                "Has any anomaly been detected in {a}'s {s} {d} {at}",
            ),
        ),
        rng,
        {"a": asset.name, "s": said, "d": span.text, "at": _at_site(rng, site)},
    )
    plan = make_plan(
        _history_step(site, asset, span), _tsad_step([_target(asset, s) for s in sensors], 1, (1,))
    )
    return Drafted(q, plan, "multi_anomaly", "multiagent")


def multi_forecast(rng: random.Random) -> Drafted:
    """Forecast from a week of readings. A sensor named in passing: history, forecast.
    Energy, "performance" or a quoted full sensor name (the sensor is looked up or
    confirmed first): sensors, history, forecast."""
    asset = _asset(rng, (CHILLER,))
    site = _site(rng)
    span = _recent_week(rng)
    week = "the " + span.text.split("the ", 1)[-1]
    vague = rng.random() < 0.4
    quoted = False
    if vague:
        energy = rng.random() < 0.6
        sensor = "Power Input" if energy else "Tonnage"
        q = render(
            pick(
                rng,
                (
                    "What is the predicted energy consumption for {a} {d} based on data from the "
                    "{s} site",
                    "Can you predict {a}'s energy usage for next week based on data from {w} {at}",
                    "Can you forecast energy usage for {a} for next week using data from {w} {at}",
                    "What's the forecast for {a}'s future energy consumption for next week based "
                    "on data "
                    "from {w} {at}",
                )
                if energy
                else (
                    "Can you forecast {a}'s performance for next week based on the data from {w} "
                    "{at}",
                    "Can you predict {a}'s performance for next week based on data from {w} {at}",
                ),
            ),
            rng,
            {"a": asset.name, "d": span.text, "w": week, "s": site, "at": _at_site(rng, site)},
        )
    else:
        sensor = pick(rng, asset.kind.sensors)
        quoted = rng.random() < 0.25
        q = render(
            pick(
                rng,
                (
                    "What is the forecast for '{t}' {d} based on data from the {s} site",
                    "!forecast '{t}' {d} using the readings from the {s} site",
                )
                if quoted
                else (
                    "What's the forecast for {a}'s {se} for next week based on the data from {w} "
                    "{at}",
                    "What is the forecast for {a}'s {se} for next week based on {w} data",
                    "!forecast {a}'s {se} for the next week from the data of {w} {at}",
                ),
            ),
            rng,
            {
                "t": _target(asset, sensor),
                "a": asset.name,
                "se": sensor,
                "d": span.text,
                "s": site,
                "w": week,
                "at": _at_site(rng, site),
            },
        )
    target = _target(asset, sensor)
    look_up = vague or quoted
    steps = [_sensors_step(site, asset, ())] if look_up else []
    steps.append(_history_step(site, asset, span))
    h = len(steps)
    args: dict[str, Any] = {
        "dataset_path": f"{{step_{h}}}",
        "timestamp_column": "timestamp",
        "target_columns": [target],
    }
    if look_up and rng.random() < 0.6:
        args["model_checkpoint"] = "ttm_96_28"
    steps.append(
        step(
            f"Forecast {target} from the readings.",
            "TSFMAgent",
            "run_tsfm_forecasting",
            args,
            tuple(range(1, h + 1)),
            EXPECTED["run_tsfm_forecasting"],
        )
    )
    return Drafted(q, make_plan(*steps), "multi_forecast", "multiagent")


def multi_anomaly_wo(rng: random.Random) -> Drafted:
    """Anomalies then a work-order decision (from a downloaded window or a results file)."""
    asset = _asset(rng, (CHILLER,))
    site = _site(rng)
    sensor = pick(rng, asset.kind.sensors)
    if rng.random() < 0.35:
        f = pick(
            rng,
            (
                f"/tmp/{asset.slug}_tsad.json",
                "/tmp/tsad_output.json",
                f"{asset.slug}_anomalies.json",
                f"/tmp/{asset.slug}_conformal.csv",
            ),
        )
        q = render(
            "Here is [an |the |]output of [an |the |]anomaly model in [a |]file [with "
            "[absolute |]path |]'{f}', can you check if there are any anomalies, and [do you "
            "think I should|should I] create a work order after reviewing [them|the "
            "anomalies]",
            rng,
            {"f": f},
        )
        plan = make_plan(
            step(
                f"Read the anomaly results in {f}.",
                "Utilities",
                "json_reader",
                {"file_name": f},
                out=EXPECTED["json_reader"],
            ),
            step(
                "Check the anomalies and decide whether a work order is needed.",
                None,
                None,
                deps=(1,),
                out="The anomalies found and a work order recommendation.",
            ),
        )
        return Drafted(q, plan, "multi_file_wo", "multiagent")
    if rng.random() < 0.25:
        return _unnamed_asset_anomaly_wo(rng, asset, sensor)
    span = _span(rng, ("week_of", "month", "range"))
    q = render(
        pick(
            rng,
            (
                "Can you check if there are any anomalies for {a}'s {sl} {d} {at}, and do you "
                "think I "
                "should create a work order after reviewing the anomalies",
                "!check {a}'s {sl} {d} {at} for anomalies and tell me whether a work order is "
                "needed",
            ),
        ),
        rng,
        {"a": asset.name, "sl": sensor.lower(), "d": span.text, "at": _at_site(rng, site)},
    )
    plan = make_plan(
        _history_step(site, asset, span),
        _tsad_step([_target(asset, sensor)], 1, (1,)),
        step(
            "Review the anomalies and decide whether to create a work order.",
            None,
            None,
            deps=(2,),
            out="A work order recommendation.",
        ),
    )
    return Drafted(q, plan, "multi_anomaly_wo", "multiagent")


def _unnamed_asset_anomaly_wo(rng: random.Random, asset: Asset, sensor: str) -> Drafted:
    """No asset and no date named: find the asset at MAIN, anchor the window on the
    current time, detect anomalies, decide on a work order."""
    q = render(
        pick(
            rng,
            (
                "Can you check if there are any anomalies for chiller {sl}, and do you think I "
                "should create a work order after reviewing [them|the anomalies]",
                "Are there [recent |]anomalies in the chiller {sl}? Should I open a work order",
            ),
        ),
        rng,
        {"sl": sensor.lower()},
    )
    plan = make_plan(
        step("List the assets at MAIN to find the chiller.", "IoTAgent", "assets",
             {"site_name": "MAIN"}, out=EXPECTED["assets"]),
        step("Get the current date and time.", "Utilities", "current_date_time",
             out=EXPECTED["current_date_time"]),
        step("Get the chiller's readings for the last seven days.", "IoTAgent", "history",
             {"site_name": "MAIN", "asset_id": "{step_1}", "start": "{step_2} minus 7 days",
              "final": "{step_2}"}, (1, 2), EXPECTED["history"]),
        _tsad_step([f"{{step_1}} {sensor}"], 3, (1, 3)),
        step("Review the anomalies and decide whether to create a work order.", None, None,
             deps=(4,), out="A work order recommendation."),
    )  # fmt: skip
    return Drafted(q, plan, "multi_anomaly_wo_unnamed", "multiagent")


def multi_early_detection(rng: random.Random) -> Drafted:
    """An early-detection study for a named failure over a window: the sensors that reveal
    it, the readings, anomaly detection on those sensors, and the failure codes for the
    work order recommendation."""
    asset = _asset(rng, (CHILLER,))
    site = _site(rng)
    mode = pick(rng, asset.kind.failure_modes)
    start = datetime(
        pick(rng, (2019, 2020, 2021)),
        rng.randint(1, 10),
        rng.randint(1, 25),
        rng.choice((0, 8, 12)),
        rng.choice((0, 30)),
    )
    span = range_span(rng, start, start + timedelta(days=rng.randint(7, 30), hours=7))
    q = render(
        pick(
            rng,
            (
                "We are building an early detection system for [a potential failure |]{ml} for "
                "{a}. "
                "Monitor {a} {at} {d}, identify anomalous behaviors and provide a work order "
                "recommendation",
                "!watch {a} {at} {d} for early signs of {ml} and recommend a work order if needed",
            ),
        ),
        rng,
        {"ml": mode.lower(), "a": asset.name, "at": _at_site(rng, site), "d": span.text},
    )
    plan = make_plan(
        _sensors_step(site, asset, ()),
        _mapping_step(asset, [mode], "{step_1}", (1,), f"The sensors that reveal {mode}."),
        _history_step(site, asset, span),
        _tsad_step("{step_2}", 3, (2, 3)),
        step(
            "Get the failure code table.",
            "WorkOrderAgent",
            "get_failure_codes",
            out=EXPECTED["get_failure_codes"],
        ),
    )
    return Drafted(q, plan, "multi_early_detection", "Workorder")


def multi_fm_workorders(rng: random.Random) -> Drafted:
    asset = _asset(rng, (CHILLER,))
    eq = pick(rng, CHILLER_EQUIPMENT_IDS)
    mode = pick(rng, asset.kind.failure_modes)
    span = _span(rng, ("year", "two_months"))
    q = render(
        pick(
            rng,
            (
                "{a} (equipment {e}) may have {ml}. Which corrective work orders were done {d}, "
                "and "
                "what are its failure modes",
                "!list the failure modes of {a} and the corrective work orders of equipment {e} "
                "{d}",
            ),
        ),
        rng,
        {"a": asset.name, "e": eq, "ml": mode.lower(), "d": span.text},
    )
    plan = make_plan(_modes_step(asset), _wo_step("get_corrective_work_orders", eq, span))
    return Drafted(q, plan, "multi_fm_workorders", "multiagent")


# Weights give roughly the benchmark's type mix: IoT 0.17, FMSA 0.17, TSFM 0.17,
# Workorder 0.27, multiagent 0.22 (FMSR intents with a site count as multiagent).
INTENTS: tuple[tuple[Intent, float], ...] = (
    (iot_sites, 0.02),
    (iot_assets, 0.035),
    (iot_sensors, 0.045),
    (iot_history, 0.065),
    (iot_history_pair, 0.012),
    (fmsr_modes, 0.04),
    (fmsr_modes_by_sensor, 0.045),
    (fmsr_modes_by_sensor_group, 0.045),
    (fmsr_sensors_for_mode, 0.05),
    (fmsr_symptom, 0.035),
    (fmsr_recipe, 0.04),
    (tsfm_models, 0.05),
    (tsfm_tasks, 0.03),
    (tsfm_forecast, 0.04),
    (tsfm_finetune, 0.02),
    (tsfm_anomaly, 0.035),
    (wo_lookup, 0.085),
    (wo_events_summary, 0.03),
    (wo_predict, 0.02),
    (wo_alert_failure, 0.015),
    (wo_failure_codes, 0.01),
    (wo_bundle, 0.02),
    (wo_recommend, 0.025),
    (wo_review, 0.025),
    (wo_decide_new, 0.01),
    (wo_prioritize, 0.01),
    (wo_longterm, 0.025),
    (wo_alert_reasoning, 0.012),
    (wo_fleet_analysis, 0.012),
    (util_time, 0.008),
    (util_json, 0.008),
    (multi_anomaly, 0.045),
    (multi_forecast, 0.045),
    (multi_anomaly_wo, 0.025),
    (multi_early_detection, 0.01),
    (multi_fm_workorders, 0.008),
)
# Single-step intents: the requests quoted by routing and hard-negative questions.
SINGLE_STEP_INTENTS: tuple[Intent, ...] = (
    iot_sites,
    iot_assets,
    iot_history,
    iot_sensors,
    tsfm_anomaly,
    wo_events_summary,
    fmsr_modes,
    tsfm_models,
    tsfm_tasks,
    tsfm_forecast,
    tsfm_finetune,
    wo_lookup,
    wo_predict,
    wo_alert_failure,
    wo_failure_codes,
    util_time,
    util_json,
)


def template_plans(rng: random.Random) -> Candidate:
    """One question→plan candidate from the weighted AssetOpsBench intents."""
    intent = weighted(rng, INTENTS)
    d = intent(rng)
    return Candidate(
        "question_plan",
        d.kind,
        d.question,
        format_plan(d.plan),
        "plan",
        {
            "source": "assetops_template",
            "scenario_type": d.scenario_type,
            "steps": len(d.plan.steps),
        },
    )


def template_plan_draft(rng: random.Random) -> Drafted:
    """A drafted intent (question + Plan object), for the execution-trace family."""
    return weighted(rng, INTENTS)(rng)


def requests(rng: random.Random) -> tuple[str, str, str]:
    """A single-tool AssetOpsBench request: (question, agent, tool)."""
    while True:
        d = pick(rng, SINGLE_STEP_INTENTS)(rng)
        actionable = [s for s in d.plan.steps if not s.is_reasoning_only]
        if len(actionable) == 1:
            s = actionable[0]
            return d.question, s.agent or "", s.tool or ""


def clarifications(rng: random.Random) -> Candidate:
    """A request that lacks something no tool can look up (equipment id, data file, asset)."""
    roll = rng.random()
    if roll < 0.4:
        q = render(
            pick(
                rng,
                (
                    "!get the [corrective |preventive |]work orders {d}",
                    "!predict the next work order",
                    "What happened to the equipment {d}",
                    "!show the events {d}",
                ),
            ),
            rng,
            {"d": _span(rng, ("year", "month")).text},
        )
        answer = (
            "Which equipment do you mean? Work order tools need an equipment id (for "
            f"example {pick(rng, EQUIPMENT_IDS)}); a time window is optional."
        )
        missing = "equipment_id"
    elif roll < 0.7:
        q = render(
            pick(
                rng,
                (
                    "!forecast the condenser water flow",
                    "!run anomaly detection on the chiller data",
                    "!finetune a forecasting model for the tonnage",
                ),
            ),
            rng,
            {},
        )
        answer = (
            "Which data file should I use, and which column holds the timestamps? The "
            "time-series tools read a data file (dataset_path) and need the target columns."
        )
        missing = "dataset_path"
    else:
        q = render(
            pick(
                rng,
                (
                    "!check the pressure readings",
                    "!download the sensor data",
                    "Is the asset healthy",
                    "!list the failure modes",
                ),
            ),
            rng,
            {},
        )
        answer = (
            "Which asset do you mean (and at which site)? For example "
            f"{pick(rng, CHILLER.names)} at MAIN."
        )
        missing = "asset"
    return Candidate(
        "tool_knowledge",
        "clarification",
        q,
        answer,
        "knowledge",
        {"source": "assetops_template", "missing": missing},
    )


# ------------------------------------------------------------------ gold paraphrases

_WORD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bList all\b", ("Show all", "Give me all", "Enumerate all", "List every")),
    (r"\bList\b", ("Show", "Give me", "Name")),
    (r"\bRetrieve\b", ("Get", "Fetch", "Pull")),
    (r"\bretrieve\b", ("get", "fetch", "pull")),
    (r"\bDownload\b", ("Get", "Retrieve", "Fetch")),
    (r"\bGet\b", ("Retrieve", "Fetch", "Show me")),
    (r"\bCan you\b", ("Could you", "Would you")),
    (r"\bI would like to\b", ("I want to", "I'd like to", "I need to")),
    (r"\bWhat are\b", ("Which are", "Tell me")),
    (r"\bavailable\b", ("on hand", "there")),
    (r"\bequipment labeled as\b", ("equipment with id", "equipment")),
    (r"\bfor year\b", ("for the year", "in")),
    (r"\bpotentially relevant\b", ("relevant", "possibly relevant")),
    (r"\bprovide\b", ("give", "share")),
    (r"\bProvide\b", ("Give", "Share")),
)


def _swap_pairs(rng: random.Random, question: str) -> list[tuple[str, str]]:
    """Consistent entity replacements for one paraphrase (old -> new, exact strings)."""
    swaps: list[tuple[str, str]] = []
    for num in sorted(set(re.findall(r"(?i)\bchiller\s?(\d+)\b", question))):
        new = str(pick(rng, [n for n in range(1, 13) if str(n) != num]))
        swaps += [
            (f"Chiller {num}", f"Chiller {new}"),
            (f"chiller {num}", f"chiller {new}"),
            (f"chiller{num}", f"chiller{new}"),
            (f"Chiller{num}", f"Chiller{new}"),
        ]
    for eq in sorted(set(re.findall(r"\b[A-Z]{3}\d{5}\b", question))):
        # A chiller's id stays a chiller's id (CWC...), other kinds keep their prefix.
        same_kind = [e for e in EQUIPMENT_IDS if e[:3] == eq[:3] and e != eq]
        if same_kind:
            swaps.append((eq, pick(rng, same_kind)))
    for ahu in sorted(set(re.findall(r"\bCQPA AHU \w+\b", question))):
        swaps.append((ahu, pick(rng, [n for n in AHU.names if n != ahu])))
    if "MAIN" in question and rng.random() < 0.3:
        swaps.append(("MAIN", pick(rng, [s for s, _ in SITES if s != "MAIN"])))
    return swaps


def _year_shift(rng: random.Random, question: str) -> int:
    if re.search(r"\b20[12]\d\b", question) and rng.random() < 0.6:
        return int(pick(rng, (-3, -2, -1, 1, 2)))
    return 0


def _apply(text: str, swaps: list[tuple[str, str]], shift: int) -> str:
    if swaps:
        pattern = re.compile(
            "|".join(re.escape(old) for old, _ in sorted(swaps, key=lambda s: -len(s[0])))
        )
        table = dict(swaps)
        text = pattern.sub(lambda m: table[m.group(0)], text)
    if shift:
        text = re.sub(r"\b(20[12]\d)\b", lambda m: str(int(m.group(1)) + shift), text)
        # '20 style years ("April '20")
        text = re.sub(r"'(\d\d)\b", lambda m: f"'{(int(m.group(1)) + shift) % 100:02d}", text)
    return text


def _apply_value(value: Any, swaps: list[tuple[str, str]], shift: int) -> Any:
    if isinstance(value, str):
        return _apply(value, swaps, shift)
    if isinstance(value, list):
        return [_apply_value(v, swaps, shift) for v in value]
    if isinstance(value, dict):
        return {k: _apply_value(v, swaps, shift) for k, v in value.items()}
    return value


def paraphrase_gold(rng: random.Random, question: str, plan: Plan) -> tuple[str, Plan] | None:
    """An entity-swapped, reworded variant of a (question, gold plan) pair, or None when no
    rule changed the question."""
    swaps = _swap_pairs(rng, question)
    shift = _year_shift(rng, question)
    new_q = _apply(question, swaps, shift)
    for pattern, options in _WORD_RULES:
        if re.search(pattern, new_q) and rng.random() < 0.5:
            new_q = re.sub(pattern, pick(rng, options), new_q, count=1)
    new_q = finish(new_q.strip(), rng)
    if new_q == question.strip():
        return None
    steps = tuple(
        replace(
            s,
            task=_apply(s.task, swaps, shift),
            args=_apply_value(s.args, swaps, shift),
            expected_output=_apply(s.expected_output, swaps, shift),
        )
        for s in plan.steps
    )
    return new_q, Plan(steps)


def is_assetops(catalog_name: str, agent_names: Sequence[str]) -> bool:
    """True when a catalog is (a version of) the AssetOpsBench 5-agent catalog."""
    return catalog_name == CATALOG_NAME or {
        "IoTAgent",
        "FMSRAgent",
        "TSFMAgent",
        "Utilities",
        "WorkOrderAgent",
    } <= set(agent_names)


def value_overrides() -> dict[str, Callable[[random.Random], tuple[Any, str]]]:
    """Per-parameter value pools for the generic generators on the AssetOpsBench catalog."""

    def site(rng: random.Random) -> tuple[Any, str]:
        s = _site(rng)
        return s, s

    def asset(rng: random.Random) -> tuple[Any, str]:
        a = _asset(rng).name
        return a, a

    def equipment(rng: random.Random) -> tuple[Any, str]:
        e = _eq(rng)
        return e, e

    def day(rng: random.Random) -> tuple[Any, str]:
        d = (datetime(2017, 1, 1) + timedelta(days=rng.randint(0, 1800))).date().isoformat()
        return d, d

    def rule(rng: random.Random) -> tuple[Any, str]:
        r = pick(rng, ALERT_RULES)
        return r, r

    def csv(rng: random.Random) -> tuple[Any, str]:
        f = _data_file(rng, _asset(rng, (CHILLER, AHU)), pick(rng, ("forecast", "tsad")))
        return f, f

    def json_file(rng: random.Random) -> tuple[Any, str]:
        f = f"{_asset(rng).slug}_{pick(rng, ('forecast', 'results', 'output'))}.json"
        return f, f

    def timestamp(rng: random.Random) -> tuple[Any, str]:
        t = _ts(rng)
        return t, t

    def targets(rng: random.Random) -> tuple[Any, str]:
        a = _asset(rng, (CHILLER, AHU))
        t = _target(a, pick(rng, a.kind.sensors))
        return [t], t

    def modes(rng: random.Random) -> tuple[Any, str]:
        m = pick(rng, CHILLER.failure_modes)
        return [m], m

    return {
        "site_name": site, "asset_id": asset, "asset_name": asset, "equipment_id": equipment,
        "start": day, "final": day, "start_date": day, "end_date": day, "rule_id": rule,
        "dataset_path": csv, "tsfm_output_json": json_file, "file_name": json_file,
        "timestamp_column": timestamp, "target_columns": targets, "sensors": targets,
        "failure_modes": modes,
    }  # fmt: skip
