"""Write ``harness_ext/data/gold_plans_v2.jsonl``: toolplan-eval's own gold plans (v2).

The plans below are authored by hand, scenario by scenario, against the 5-agent /
23-tool catalog ``assetops_23``; this script only spells them out in JSON and keeps
repeated shapes (an anomaly check, a forecast, a failure-mode/sensor lookup) in one
place so that the same question family always gets the same plan.

Conventions (see ``harness_ext/data/gold_plans_v2.md``):
    * the only IoT site is ``MAIN``; it is used when a question names no site;
    * an asset named in the question is passed as ``asset_id`` directly (no
      ``assets`` lookup: the catalog's ids are the names, e.g. "Chiller 6");
    * time windows are ISO-8601, start at 00:00:00 of the first day and end at
      23:59:59 of the last day; "week of D" is D..D+6;
    * work-order dates are YYYY-MM-DD and inclusive;
    * ``{step_N}`` marks a value taken from step N, and N is always a dependency;
    * a ``none`` step is used only where the question asks for an analysis no tool
      does (merge two files, bundle work orders, decide on a work order).

Deterministic: the output depends only on this file. ``--check`` exits 1 when the
shipped file differs from what this script would write.

Usage::

    python scripts/build_gold_v2.py          # rewrite the JSONL
    python scripts/build_gold_v2.py --check  # verify it is up to date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "harness_ext" / "data" / "gold_plans_v2.jsonl"
SITE = "MAIN"

Step = dict[str, Any]
Plan = list[Step]


# --------------------------------------------------------------------------- steps


def step(
    task: str,
    agent: str,
    tool: str,
    args: dict[str, Any] | None = None,
    deps: tuple[int, ...] = (),
    out: str = "",
) -> Step:
    args = args or {}
    # A value taken from step N makes step N a dependency, whether or not it was listed.
    referenced = {int(n) for n in re.findall(r"\{step_(\d+)\}", json.dumps(args))}
    return {
        "task": task,
        "agent": agent,
        "tool": tool,
        "args": args,
        "dependencies": sorted(set(deps) | referenced),
        "expected_output": out,
    }


def ref(n: int) -> str:
    return f"{{step_{n}}}"


def day(date: str) -> tuple[str, str]:
    return f"{date}T00:00:00", f"{date}T23:59:59"


def span(first: str, last: str) -> tuple[str, str]:
    return f"{first}T00:00:00", f"{last}T23:59:59"


WEEK_0427 = span("2020-04-27", "2020-05-03")


def sites() -> Step:
    return step(
        "List the sites that have telemetry.",
        "IoTAgent",
        "sites",
        out="The site names.",
    )


def assets(site: str = SITE, why: str = "") -> Step:
    return step(
        f"List the assets installed at site {site}{why}.",
        "IoTAgent",
        "assets",
        {"site_name": site},
        out=f"The asset ids at {site}.",
    )


def sensors(asset: str, site: str = SITE, why: str = "", deps: tuple[int, ...] = ()) -> Step:
    return step(
        f"List the sensors recorded for {asset} at {site}{why}.",
        "IoTAgent",
        "sensors",
        {"site_name": site, "asset_id": asset},
        deps,
        f"The sensor names of {asset}.",
    )


def history(
    asset: str,
    window: tuple[str, str],
    site: str = SITE,
    what: str = "all sensors",
    deps: tuple[int, ...] = (),
) -> Step:
    start, final = window
    return step(
        f"Download the readings of {what} of {asset} at {site} from {start} to {final}.",
        "IoTAgent",
        "history",
        {"site_name": site, "asset_id": asset, "start": start, "final": final},
        deps,
        f"A file with the readings of {asset} in that window.",
    )


def failure_modes(asset: str) -> Step:
    return step(
        f"Get the failure modes of {asset}.",
        "FMSRAgent",
        "get_failure_modes",
        {"asset_name": asset},
        out=f"The failure modes of {asset}.",
    )


def mapping(
    asset: str,
    modes: Any,
    sensor_list: Any,
    deps: tuple[int, ...],
    goal: str,
) -> Step:
    return step(
        f"Map failure modes to sensors of {asset} to {goal}.",
        "FMSRAgent",
        "get_failure_mode_sensor_mapping",
        {"asset_name": asset, "failure_modes": modes, "sensors": sensor_list},
        deps,
        "Which sensors reveal which failure modes, with a reason for each pair.",
    )


def none(task: str, deps: tuple[int, ...], out: str) -> Step:
    return step(task, "none", "none", {}, deps, out)


def tsfm_models(why: str = "") -> Step:
    return step(
        f"List the pretrained forecasting checkpoints{why}.",
        "TSFMAgent",
        "get_tsfm_models",
        out="The checkpoints with their context lengths and descriptions.",
    )


def tsfm_tasks(why: str = "") -> Step:
    return step(
        f"List the supported time-series task types{why}.",
        "TSFMAgent",
        "get_ai_tasks",
        out="The supported task types.",
    )


def forecast(
    data: str,
    targets: list[str],
    ts: str = "timestamp",
    deps: tuple[int, ...] = (),
    **extra: Any,
) -> Step:
    args: dict[str, Any] = {
        "dataset_path": data,
        "timestamp_column": ts,
        "target_columns": targets,
    }
    args.update(extra)
    return step(
        f"Forecast {', '.join(targets)} from the data in {data}.",
        "TSFMAgent",
        "run_tsfm_forecasting",
        args,
        deps,
        "A results file with the forecast values.",
    )


def finetune(
    data: str, targets: list[str], ts: str = "timestamp", deps: tuple[int, ...] = (), **extra: Any
) -> Step:
    args: dict[str, Any] = {"dataset_path": data, "timestamp_column": ts, "target_columns": targets}
    args.update(extra)
    return step(
        f"Fine-tune a forecasting checkpoint on {', '.join(targets)} from {data}.",
        "TSFMAgent",
        "run_tsfm_finetuning",
        args,
        deps,
        "The fine-tuned checkpoint and its test metrics.",
    )


def integrated_tsad(
    data: str, targets: list[str], ts: str = "timestamp", deps: tuple[int, ...] = ()
) -> Step:
    return step(
        f"Detect anomalies in {', '.join(targets)} from the data in {data}.",
        "TSFMAgent",
        "run_integrated_tsad",
        {"dataset_path": data, "timestamp_column": ts, "target_columns": targets},
        deps,
        "A file of anomaly labels and scores per reading.",
    )


def tsad(
    data: str,
    forecast_file: str,
    targets: list[str],
    ts: str = "timestamp",
    deps: tuple[int, ...] = (),
) -> Step:
    return step(
        f"Flag anomalies in {', '.join(targets)} by comparing the data with the forecast.",
        "TSFMAgent",
        "run_tsad",
        {
            "dataset_path": data,
            "tsfm_output_json": forecast_file,
            "timestamp_column": ts,
            "target_columns": targets,
        },
        deps,
        "A file of anomaly labels and scores per reading.",
    )


def now() -> Step:
    return step(
        "Get the current date and time to anchor the relative time window.",
        "Utilities",
        "current_date_time",
        out="The current UTC date and time.",
    )


def wo(
    tool: str,
    task: str,
    equipment: str,
    start: str | None = None,
    end: str | None = None,
    deps: tuple[int, ...] = (),
    out: str = "",
    **extra: str,
) -> Step:
    args: dict[str, Any] = {"equipment_id": equipment}
    args.update(extra)
    if start:
        args["start_date"] = start
    if end:
        args["end_date"] = end
    return step(task, "WorkOrderAgent", tool, args, deps, out)


def failure_codes(why: str) -> Step:
    return step(
        f"Get the failure-code table {why}.",
        "WorkOrderAgent",
        "get_failure_codes",
        out="Failure codes with their categories and meanings.",
    )


# ------------------------------------------------------------------ plan families


def iot_download(
    assets_: list[str],
    window: tuple[str, str],
    what: str,
    check_sensors: bool,
    merge: bool = False,
) -> Plan:
    """History per asset; optionally look up the sensor names first; optionally merge."""
    plan: Plan = []
    if check_sensors:
        plan += [sensors(a, why=f" to find the exact {what} sensor name") for a in assets_]
    first_history = len(plan) + 1
    plan += [history(a, window, what=what) for a in assets_]
    if merge:
        plan.append(
            none(
                f"Merge the {what} columns of the downloaded files into one file.",
                tuple(range(first_history, len(plan) + 1)),
                f"One file with the {what} readings of {' and '.join(assets_)}.",
            )
        )
    return plan


def anomaly_plans(
    asset: str, targets: list[str], window: tuple[str, str], vague: bool
) -> list[Plan]:
    """IoT history then TSFM anomaly detection; integrated route first, two-tool route second.

    ``vague``: the question does not name the sensor, so the sensor list is always read
    first; otherwise reading it is an accepted extra.
    """
    plans: list[Plan] = []
    for with_sensors in [True] if vague else [False, True]:
        for integrated in (True, False):
            p: Plan = []
            if with_sensors:
                p.append(sensors(asset, why=" to pick the sensor(s) to analyse"))
            p.append(history(asset, window, what=", ".join(targets)))
            h = len(p)
            deps = tuple(range(1, h + 1))
            if integrated:
                p.append(integrated_tsad(ref(h), targets, deps=deps))
            else:
                p.append(forecast(ref(h), targets, deps=deps))
                p.append(tsad(ref(h), ref(h + 1), targets, deps=(h, h + 1)))
            plans.append(p)
    return plans


def forecast_plans(
    asset: str,
    targets: list[str],
    window: tuple[str, str],
    vague: bool,
    checkpoint: str | None = None,
    list_models: str = "alt",
    extra_alts: list[Plan] | None = None,
) -> list[Plan]:
    """IoT history then a TSFM forecast.

    ``vague``: the sensor must be identified, so the sensor list is always read.
    ``list_models``: "alt" = listing the checkpoints first is an accepted extra, "no" =
    not offered.
    """
    extra = {"model_checkpoint": checkpoint} if checkpoint else {}
    plans: list[Plan] = []
    for with_models in [False, True] if list_models == "alt" else [False]:
        for with_sensors in [True] if vague else [False, True]:
            p: Plan = []
            if with_sensors:
                p.append(sensors(asset, why=" to pick the sensor to forecast"))
            p.append(history(asset, window, what=", ".join(targets)))
            if with_models:
                p.append(tsfm_models(" to choose a suitable checkpoint"))
            deps = tuple(range(1, len(p) + 1))
            h = 2 if with_sensors else 1
            p.append(forecast(ref(h), targets, deps=deps, **extra))
            plans.append(p)
    return plans + (extra_alts or [])


def fm_for_named_mode(asset: str, mode: str, goal: str) -> list[Plan]:
    """A named failure mode -> the sensors that reveal it (listing all modes: accepted extra)."""
    primary: Plan = [
        sensors(asset, why=" (candidate sensors)"),
        mapping(asset, [mode], ref(1), (1,), goal),
    ]
    alt: Plan = [
        sensors(asset, why=" (candidate sensors)"),
        failure_modes(asset),
        mapping(asset, ref(2), ref(1), (1, 2), goal),
    ]
    return [primary, alt]


def fm_for_sensor_set(asset: str, goal: str) -> list[Plan]:
    """A class of the asset's sensors (or all available ones) -> failure modes they detect."""
    return [
        [
            sensors(asset, why=" (the available sensors)"),
            failure_modes(asset),
            mapping(asset, ref(2), ref(1), (1, 2), goal),
        ]
    ]


def fm_for_named_sensor(asset: str, sensor_list: list[str], goal: str) -> list[Plan]:
    """Named sensor(s) -> failure modes; confirming the sensor name first is an accepted extra."""
    primary: Plan = [failure_modes(asset), mapping(asset, ref(1), sensor_list, (1,), goal)]
    alt: Plan = [
        sensors(asset, why=" to confirm the sensor name"),
        failure_modes(asset),
        mapping(asset, ref(2), sensor_list, (1, 2), goal),
    ]
    return [primary, alt]


def fm_recipe(asset: str, what: str, goal: str) -> list[Plan]:
    """A failure that is not in the curated list -> pick the closest modes, then map sensors."""
    primary: Plan = [
        sensors(asset, why=" (candidate sensors)"),
        failure_modes(asset),
        mapping(asset, ref(2), ref(1), (1, 2), goal),
    ]
    alt: Plan = [
        sensors(asset, why=" (candidate sensors)"),
        mapping(asset, [what], ref(1), (1,), goal),
    ]
    return [primary, alt]


def fm_vibration(asset: str) -> list[Plan]:
    goal = "see which failure modes vibration data can predict"
    return [
        [failure_modes(asset), mapping(asset, ref(1), [f"{asset} Vibration"], (1,), goal)],
        [
            sensors(asset, why=" to check whether a vibration sensor is recorded"),
            failure_modes(asset),
            mapping(asset, ref(2), [f"{asset} Vibration"], (1, 2), goal),
        ],
    ]


def fm_temporal(asset: str, sensor: str) -> list[Plan]:
    goal = f"describe how {sensor} behaves as the compressor motor fails"
    return [
        [failure_modes(asset), mapping(asset, ref(1), [sensor], (1,), goal)],
        [mapping(asset, ["Compressor motor failure"], [sensor], (), goal)],
    ]


def wo_single(
    tool: str, task: str, eq: str, start: str | None, end: str | None, out: str
) -> list[Plan]:
    return [[wo(tool, task, eq, start, end, out=out)]]


def events(eq: str, start: str | None, end: str | None, why: str) -> Step:
    when = f" from {start} to {end}" if start and end else (f" up to {end}" if end else "")
    return wo(
        "get_events",
        f"Get every event (work orders, alerts, anomalies) of {eq}{when}{why}.",
        eq,
        start,
        end,
        out="The event records with their group, description and time.",
    )


def alert_analysis(eq: str, deps: tuple[int, ...], why: str) -> Step:
    return wo(
        "analyze_alert_to_failure",
        f"For each alert rule found in step {deps[0]}, measure how often and how soon it "
        f"leads to a work order on {eq}{why}.",
        eq,
        deps=deps,
        out="Per alert rule: share of alerts followed by a work order and mean lead time.",
        rule_id=ref(deps[0]),
    )


def corrective(eq: str, start: str | None, end: str | None, why: str) -> Step:
    when = (
        f" from {start} to {end}"
        if start and end
        else (f" from {start} on" if start else (f" up to {end}" if end else ""))
    )
    return wo(
        "get_corrective_work_orders",
        f"Get the corrective work orders of {eq}{when}{why}.",
        eq,
        start,
        end,
        out="The corrective work orders with dates and failure codes.",
    )


def distribution(eq: str, why: str, start: str | None = None, end: str | None = None) -> Step:
    return wo(
        "get_work_order_distribution",
        f"Get how the work orders of {eq} spread over failure codes{why}.",
        eq,
        start,
        end,
        out="Failure codes with counts and shares, most common first.",
    )


def predict_next(eq: str, end: str | None, why: str, deps: tuple[int, ...] = ()) -> Step:
    return wo(
        "predict_next_work_order",
        f"Predict the probability of each kind of work order coming next for {eq}{why}.",
        eq,
        None,
        end,
        deps=deps,
        out="Next-work-order probabilities per failure code (summing to one).",
    )


# ---------------------------------------------------------------------- scenarios

GOLD: dict[int, tuple[list[Plan], str]] = {}


def add(sid: int, plans: list[Plan], rationale: str) -> None:
    if sid in GOLD:
        raise ValueError(f"scenario {sid} defined twice")
    GOLD[sid] = (plans, rationale)


# IoT ------------------------------------------------------------------------------
for sid in (1, 2):
    add(sid, [[sites()]], "Asks for the list of sites: one sites call.")
for sid in (3, 4):
    add(sid, [[assets()]], "Asks for the assets at MAIN: one assets call.")
for sid, asset in ((5, "Chiller 6"), (6, "Chiller 9"), (7, "Chiller 3")):
    add(
        sid,
        [[sensors(asset, why=" (the asset's metadata)")]],
        f"Asset metadata/details of {asset} = its recorded sensors; the id is given, so no "
        "assets lookup and no failure modes (not asked).",
    )
add(
    8,
    [
        iot_download(["Chiller 6"], span("2020-12-25", "2020-12-31"), "Tonnage", False),
        iot_download(["Chiller 6"], span("2020-12-25", "2020-12-31"), "Tonnage", True),
    ],
    "Download of one named sensor for the last week of 2020 (Dec 25-31): history; "
    "checking the sensor name first is accepted.",
)
add(
    9,
    [
        iot_download(["Chiller 6"], span("2020-06-01", "2020-06-30"), "% Loaded", False),
        iot_download(["Chiller 6"], span("2020-06-01", "2020-06-30"), "% Loaded", True),
    ],
    "Named sensor over June 2020 (CF: June 1-30 inclusive): history; sensor-name check accepted.",
)
add(
    10,
    [
        iot_download(
            ["Chiller 6", "Chiller 9"],
            span("2020-06-01", "2020-06-07"),
            "Tonnage",
            False,
            merge=True,
        ),
        iot_download(
            ["Chiller 6", "Chiller 9"],
            span("2020-06-01", "2020-06-07"),
            "Tonnage",
            True,
            merge=True,
        ),
    ],
    "Two assets, first week of June 2020, one file asked: history per chiller plus a merge step.",
)
add(
    11,
    [iot_download(["Chiller 6"], span("2020-04-24", "2020-04-30"), "all sensors", False)],
    "All sensors of Chiller 6, last week of April 2020 (Apr 24-30): one history call.",
)
add(
    12,
    [iot_download(["Chiller 6"], span("2020-06-01", "2020-06-30"), "all sensors", False)],
    "All sensors of Chiller 6 in June 2020; no site named, MAIN is the only site.",
)
for sid, asset, date, what, note in (
    (41, "CQPA AHU 1", "2015-09-03", "supply humidity", "the latest reading of the day"),
    (43, "CQPA AHU 1", "2020-06-14", "power", "question says 6/14/20 (CF says 2016)"),
    (45, "CQPA AHU 1", "2020-03-13", "power", "question says mar 13 '20 (CF says Jan 13 2023)"),
):
    add(
        sid,
        [
            iot_download([asset], day(date), what, False),
            iot_download([asset], day(date), what, True),
        ],
        f"One sensor of {asset} on {date} ({note}): history for that day; "
        "sensor-name check accepted.",
    )
for sid, asset, moment, what, note in (
    (
        42,
        "CQPA AHU 2B",
        ("2020-09-19T23:45:00", "2020-09-19T23:59:59"),
        "supply temperature",
        "quarter to midnight, Sept 19 2020 as asked (CF says 2015)",
    ),
    (
        48,
        "CQPA AHU 2B",
        ("2020-09-19T19:00:00", "2020-09-19T19:14:59"),
        "return temperature",
        "7pm on Sept 19 2020 as asked (CF says 2015)",
    ),
):
    add(
        sid,
        [
            iot_download([asset], moment, what, False),
            iot_download([asset], moment, what, True),
        ],
        f"One reading of {asset} at one moment ({note}): a short history window; "
        "sensor-name check accepted.",
    )
add(
    44,
    [[sensors("CQPA AHU 2B", why=" (the metrics it monitors)")]],
    "Metrics monitored by an asset = its sensor list.",
)
_last_week = ("{step_1} minus 7 days", ref(1))
add(
    46,
    [
        [now(), history("Chiller 3", _last_week, what="supply temperature", deps=(1,))],
        [
            now(),
            sensors("Chiller 3", why=" to find the supply temperature sensor name"),
            history("Chiller 3", _last_week, what="supply temperature", deps=(1,)),
        ],
    ],
    "'Last week' is relative: get the current date, then history for the 7 days before it.",
)
add(
    47,
    [[assets(why=" and keep the chillers")]],
    "Chillers at MAIN: the assets list, filtered to chillers in the answer.",
)

# FMSA -----------------------------------------------------------------------------
for sid, asset in ((101, "Chiller"), (102, "Chiller 6"), (103, "Wind Turbine")):
    add(sid, [[failure_modes(asset)]], f"Failure modes of {asset}: one FMSR call.")
add(
    104,
    [[sensors("Chiller 6", why=" (installed sensors)")]],
    "Installed sensors of Chiller 6 (CF lists the IoT sensor names): sensors at MAIN.",
)
add(
    105,
    [
        [sensors("Wind Turbine", why=" (if instrumented; else answer from domain knowledge)")],
        [
            sites(),
            assets(ref(1), why=" to find a wind turbine"),
            sensors("Wind Turbine", ref(1), deps=(1, 2)),
        ],
    ],
    "Sensors of an asset type: the sensors tool (CF accepts any sensible names); "
    "locating the turbine first is accepted.",
)
for sid in (106, 604):
    s = "Chiller 6 Supply Temperature" if sid == 106 else "Chiller 6 Chiller Efficiency"
    add(
        sid,
        fm_for_named_sensor("Chiller 6", [s], f"keep the modes {s} detects"),
        f"Failure modes detectable by one named sensor ({s}): modes, then the mapping.",
    )
for sid, cls in (
    (107, "temperature sensors"),
    (108, "temperature and power input sensors"),
    (605, "temperature sensors"),
    (606, "temperature and power input sensors"),
    (616, "temperature and power input sensors"),
):
    add(
        sid,
        fm_for_sensor_set("Chiller 6", f"keep the modes detectable by its {cls}"),
        f"Modes detectable by a class of sensors ({cls}): sensor list, modes, mapping.",
    )
for sid in (109, 114, 607, 612):
    add(
        sid,
        fm_for_sensor_set("Chiller 6", "keep the modes its available sensors can monitor"),
        "Modes monitorable with the available sensors: sensor list, modes, mapping.",
    )
for sid in (110, 608):
    add(
        sid,
        fm_vibration("Chiller 6"),
        "Vibration is not a recorded Chiller 6 sensor: ask FMSR which modes vibration "
        "reveals; checking the sensor list is accepted.",
    )
for sid in (111, 609):
    add(
        sid,
        fm_for_named_mode(
            "Chiller 6",
            "Compressor Overheating",
            "find the sensors relevant to Compressor Overheating",
        ),
        "Sensors relevant to a named failure mode: sensor list then mapping.",
    )
for sid in (112, 610):
    add(
        sid,
        fm_for_named_mode(
            "Chiller 6",
            "Compressor Overheating",
            "rank the sensors for monitoring Compressor Overheating",
        ),
        "Which sensor to prioritise for a named mode: sensor list then mapping.",
    )
for sid in (113, 611):
    add(
        sid,
        fm_for_named_mode(
            "Chiller 6",
            "Evaporator Water side fouling",
            "find the sensor most relevant to Evaporator Water side fouling",
        ),
        "Most relevant sensor for a named mode: sensor list then mapping.",
    )
for sid in (115, 614):
    add(
        sid,
        fm_for_named_mode(
            "Chiller 6",
            "Purge Unit Excessive purge",
            "pick the sensors for early detection of excessive purge",
        ),
        "Early-detection plan for a named mode (CF: must name the sensors): sensor list then "
        "mapping; running a detector is not asked.",
    )
for sid in (116, 615):
    add(
        sid,
        fm_for_named_mode(
            "Chiller 6",
            "Compressor Overheating",
            "choose feature and target sensors for an overheating detector",
        ),
        "ML recipe with feature/target sensors for overheating: sensor list then mapping.",
    )
for sid in (117, 617):
    add(
        sid,
        fm_temporal("Chiller 6", "Chiller 6 Power Input"),
        "Behaviour of a named sensor under compressor-motor failure: FMSR knowledge "
        "(modes then mapping; mapping alone accepted).",
    )
for sid, sensor in (
    (118, "Chiller 6 Power Input"),
    (618, "Chiller 6 Power Input"),
    (119, "Chiller 6 Liquid Refrigerant Evaporator Temperature"),
    (619, "Chiller 6 Liquid Refrigerant Evaporator Temperature"),
):
    add(
        sid,
        fm_for_named_sensor(
            "Chiller 6", [sensor], f"find the failures a drop in {sensor} points to"
        ),
        "Which failure a change in a named sensor indicates: modes then mapping.",
    )
for sid in (120, 620):
    add(
        sid,
        fm_recipe(
            "Chiller 6",
            "Chiller trip",
            "choose the sensors and their temporal behaviour for a chiller-trip anomaly model",
        ),
        "Anomaly model for a chiller trip (not a curated mode): sensors, closest modes, "
        "mapping. Site MAIN: 120 writes POKMAIN, its twin 620 and the data say MAIN.",
    )
add(
    613,
    fm_recipe(
        "Chiller 6",
        "Compressor motor failure",
        "choose the sensors for a compressor motor failure detector",
    ),
    "Anomaly-detection recipe (a description, not a run): sensors, closest modes, mapping.",
)

# TSFM -----------------------------------------------------------------------------
add(201, [[tsfm_tasks()]], "Supported analysis types: get_ai_tasks.")
add(202, [[tsfm_models()]], "Available pretrained models: get_tsfm_models.")
for sid, what in (
    (203, "forecasting models"),
    (204, "TTM models"),
    (205, "an LSTM model"),
    (206, "a Chronos model"),
    (209, "a model with context length 96"),
    (210, "a model with context length 1024"),
    (211, "energy forecasting models"),
    (212, "the energy model with context length 96"),
    (213, "models with context length 96"),
    (214, "models with context length 96 (count)"),
):
    add(sid, [[tsfm_models(f" to look for {what}")]], f"Model question ({what}): get_tsfm_models.")
for sid, what in ((207, "anomaly detection"), (208, "classification")):
    add(
        sid,
        [[tsfm_tasks(f" to see whether {what} is one")]],
        f"Task question ({what}): get_ai_tasks.",
    )
add(
    215,
    [[tsfm_tasks(" (is regression one?)"), tsfm_models(" (any with context length 1024?)")]],
    "Two questions, one about tasks and one about models: both listing tools.",
)
_C9_INPUTS = [
    "Chiller 9 Liquid Refrigerant Evaporator Temperature",
    "Chiller 9 Return Temperature",
    "Chiller 9 Tonnage",
    "Chiller 9 Setpoint Temperature",
    "Chiller 9 Supply Temperature",
    "Chiller 9 Chiller % Loaded",
    "Chiller 9 Condenser Water Supply To Chiller Temperature",
    "Chiller 9 Power Input",
    "Chiller 9 Chiller Efficiency",
]
_C9_FLOW = ["Chiller 9 Condenser Water Flow"]
add(
    216,
    [
        [
            forecast(
                "chiller9_annotated_small_test.csv",
                _C9_FLOW,
                "Timestamp",
                conditional_columns=_C9_INPUTS,
            )
        ]
    ],
    "Forecast from a given file with given timestamp and input columns: one forecasting call.",
)
for sid in (217, 218):
    add(
        sid,
        [[forecast("chiller9_annotated_small_test.csv", _C9_FLOW, "Timestamp")]],
        "Forecast one column of a given file: one forecasting call.",
    )
add(
    219,
    [
        [
            forecast(
                "chiller9_annotated_small_test.csv",
                _C9_FLOW,
                "Timestamp",
                conditional_columns=_C9_INPUTS,
            )
        ]
    ],
    "Forecast with input columns; timestamp column not stated, 'Timestamp' as in that file.",
)
add(
    220,
    [[finetune("chiller9_finetuning_small.csv", _C9_FLOW, "Timestamp")]],
    "Fine-tune on a given file: one fine-tuning call.",
)
add(
    221,
    [[finetune("chiller9_finetuning_small.csv", _C9_FLOW, "Timestamp", n_finetune=0.01)]],
    "Fine-tune using 1% of the data: n_finetune 0.01.",
)
add(
    222,
    [
        [integrated_tsad("chiller9_tsad.csv", _C9_FLOW, "Timestamp")],
        [
            forecast("chiller9_tsad.csv", _C9_FLOW, "Timestamp"),
            tsad("chiller9_tsad.csv", ref(1), _C9_FLOW, "Timestamp", deps=(1,)),
        ],
    ],
    "Anomaly detection on a file: integrated TSAD (forecast + run_tsad accepted).",
)
_TSAD_SMALL = "data/tsfm_test_data/chiller9_tsad-small.csv"
add(
    223,
    [
        [
            tsfm_tasks(" to find the applicable methods"),
            forecast(_TSAD_SMALL, _C9_FLOW, "timestamp", deps=(1,)),
            integrated_tsad(_TSAD_SMALL, _C9_FLOW, "timestamp", deps=(1,)),
        ],
        [
            forecast(_TSAD_SMALL, _C9_FLOW, "timestamp"),
            integrated_tsad(_TSAD_SMALL, _C9_FLOW, "timestamp"),
        ],
        [
            tsfm_tasks(" to find the applicable methods"),
            forecast(_TSAD_SMALL, _C9_FLOW, "timestamp", deps=(1,)),
            tsad(_TSAD_SMALL, ref(2), _C9_FLOW, "timestamp", deps=(1, 2)),
        ],
    ],
    "'Find and run several methods' (CF: forecast JSON + anomaly CSV): list tasks, then "
    "forecast and anomaly detection.",
)

# Workorder ------------------------------------------------------------------------
C13, C09 = "CWC04013", "CWC04009"
add(
    400,
    wo_single(
        "get_work_orders",
        f"Get the work orders of {C13} in 2017.",
        C13,
        "2017-01-01",
        "2017-12-31",
        "The 2017 work orders.",
    ),
    "All work orders of one equipment for 2017.",
)
add(
    401,
    wo_single(
        "get_work_order_distribution",
        f"Get how the 2017 work orders of {C13} spread over failure codes.",
        C13,
        "2017-01-01",
        "2017-12-31",
        "Failure codes with counts, most common first.",
    ),
    "Work-order distribution for 2017 (CF: counts per primary code).",
)
add(
    402,
    wo_single(
        "get_preventive_work_orders",
        f"Get the preventive work orders of {C13} in 2017.",
        C13,
        "2017-01-01",
        "2017-12-31",
        "The 2017 preventive work orders.",
    ),
    "Preventive work orders for 2017.",
)
add(
    403,
    wo_single(
        "get_corrective_work_orders",
        f"Get the corrective work orders of {C13} in 2017.",
        C13,
        "2017-01-01",
        "2017-12-31",
        "The 2017 corrective work orders.",
    ),
    "Corrective work orders for 2017.",
)
for sid, first, last, note in (
    (404, "2019-01-01", "2019-12-31", "2019, summarised by event group"),
    (405, "2020-06-01", "2020-06-30", "June 2020, summarised by event group"),
    (406, "2020-06-01", "2020-06-30", "June 2020, summarised by event group"),
    (407, "2021-01-01", "2021-12-31", "2021, daily counts of alerts and anomalies"),
    (408, "2020-05-01", "2020-05-31", "May 2020, daily counts of alerts and anomalies"),
    (409, "2020-05-01", "2020-05-31", "May 2020, daily counts of all event groups"),
    (410, "2020-06-01", "2020-06-07", "first week of June 2020, by event group"),
):
    add(
        sid,
        [[events(C09, first, last, "")]],
        f"Events of {C09} for {note}: get_events covers work orders, alerts and anomalies; "
        "the grouping/counting is the answer.",
    )
add(
    411,
    [
        [
            corrective(C09, "2017-01-01", "2017-12-31", ""),
            none(
                "Group the corrective work orders that fall within two weeks of each other into "
                "bundles.",
                (1,),
                "The bundles and their work orders.",
            ),
        ]
    ],
    "Bundling 2017 corrective work orders: fetch them, then group by a two-week window.",
)
add(412, [[predict_next(C13, None, "")]], "Next work-order probabilities: predict_next_work_order.")
for sid in (413, 414):
    add(
        sid,
        [[predict_next(C09, "2018-01-02", ", using history up to 2018-01-02")]],
        "Next work-order probabilities as of 2018-01-02 (the assumed current date).",
    )


def _anomaly_recommend(eq: str, anomaly: str, generic: bool) -> list[Plan]:
    ev = events(eq, None, None, f" to see which work orders followed {anomaly}")
    by_events_dist = [ev, distribution(eq, " to rank candidate work orders")]
    by_events_codes = [ev, failure_codes("to name the work orders that address it")]
    by_codes_dist = [
        failure_codes("to find the codes that address it"),
        distribution(eq, " to rank those codes by how often they occur"),
    ]
    if generic:
        return [
            by_events_dist,
            [distribution(eq, " to rank candidate work orders")],
            by_events_codes,
        ]
    return [by_events_codes, by_events_dist, by_codes_dist]


add(
    415,
    _anomaly_recommend(C09, "anomalies", True),
    "Candidate work orders after an anomaly, as percentages: events that followed anomalies "
    "plus the failure-code distribution.",
)
add(
    416,
    _anomaly_recommend(C09, "anomalies", True),
    "Top three work orders after an anomaly: events plus the failure-code distribution.",
)
add(
    417,
    _anomaly_recommend(C09, "'KPI Cooling Load above upper bound'", False),
    "Top three work orders for a named KPI anomaly: its history in the events, then the "
    "failure codes to name them.",
)
add(
    418,
    _anomaly_recommend(C09, "the two KPI anomalies", False),
    "Top three work orders for two named KPI anomalies: events, then failure codes.",
)
add(
    419,
    [
        [
            failure_modes("Chiller"),
            failure_codes("to pick the work order for a low cooling delta T at high load"),
        ],
        [failure_codes("to pick the work order for a low cooling delta T at high load")],
    ],
    "Alert RUL0014 on a generic chiller, no equipment id: domain knowledge (chiller failure "
    "modes) mapped to a failure code.",
)
add(
    420,
    [[events(C09, "2020-06-01", "2020-06-30", " to review its anomalies and alerts")]],
    "June 2020 review of alerts and anomalies (CF counts both): get_events.",
)
add(
    421,
    [
        [
            events(C09, "2020-05-01", "2020-06-30", ""),
            failure_codes("to name the work orders to suggest"),
        ],
        [
            events(C09, "2020-05-01", "2020-06-30", ""),
            alert_analysis(C09, (1,), " to judge which alerts call for action"),
        ],
    ],
    "Review May-June 2020 anomalies/alerts and suggest work orders (CF: failure codes).",
)
add(
    422,
    [
        [
            events(C09, "2020-05-01", "2020-06-30", " (work orders, anomalies, alerts)"),
            predict_next(C09, "2020-06-30", ", as of end of June 2020"),
            none(
                "Decide whether a July 2020 work order is warranted or it is too early.",
                (1, 2),
                "A recommendation with its reason.",
            ),
        ],
        [
            wo(
                "get_work_orders",
                f"Get the work orders of {C09} from 2020-05-01 to 2020-06-30.",
                C09,
                "2020-05-01",
                "2020-06-30",
                out="The existing work orders.",
            ),
            events(C09, "2020-05-01", "2020-06-30", " (anomalies, alerts)"),
            predict_next(C09, "2020-06-30", ", as of end of June 2020"),
            none(
                "Decide whether a July 2020 work order is warranted or it is too early.",
                (1, 2, 3),
                "A recommendation with its reason.",
            ),
        ],
    ],
    "New work order for July or too early: May-June events plus the next-work-order "
    "prediction, then a decision.",
)
add(
    423,
    [
        [
            wo(
                "get_work_orders",
                f"Get the work orders of {C09} up to 2020-06-30.",
                C09,
                None,
                "2020-06-30",
                out="The work-order history.",
            ),
            predict_next(C09, "2020-06-30", " to rank July 2020 work orders"),
        ],
        [predict_next(C09, "2020-06-30", " to rank July 2020 work orders")],
    ],
    "Prioritise July 2020 work orders from history up to June 2020: history and the "
    "next-work-order probabilities.",
)
add(
    424,
    [
        [
            corrective(C09, "2017-01-01", "2019-12-31", ""),
            none(
                "Group corrective work orders within two weeks of each other into bundles of at "
                "least two.",
                (1,),
                "The bundles with the details of each work order.",
            ),
        ]
    ],
    "Bundling 2017-2019 corrective work orders: fetch them, then group them.",
)
add(
    425,
    [
        [
            events(C09, None, None, " (KPI anomalies, alerts, work orders)"),
            failure_codes("to relate co-occurring anomalies to root-cause categories"),
        ],
        [
            events(C09, None, None, " (KPI anomalies, alerts, work orders)"),
            corrective(C09, None, None, " that followed the anomalies"),
            failure_codes("to relate co-occurring anomalies to root-cause categories"),
        ],
    ],
    "Method for cross-KPI root cause; no equipment named, grounded on CWC04009 (the KPI "
    "anomalies of 417-418 are on it).",
)
add(
    426,
    [
        [events(C09, None, None, " (KPI anomalies and the work orders after them)")],
        [
            events(C09, None, None, " (KPI anomalies and the work orders after them)"),
            failure_codes("to name the failure categories the linked work orders fall in"),
        ],
    ],
    "Causal links between KPI anomalies (CF: linked to work-order failure codes), grounded "
    "on CWC04009.",
)
_ALERT_RATIONALE = {
    427: "Meaningful alerts = those that lead to work orders: events for the alert rules, then "
    "alert-to-failure analysis (no equipment named; grounded on CWC04009, the chiller of the "
    "neighbouring alert scenarios).",
    428: "Rules separating meaningful from spurious alerts from how often each rule leads to a "
    "work order: events, then alert-to-failure analysis (grounded on CWC04009 as in 427).",
    429: "Significant warnings from alert reasoning (CF: alert rule codes): events for the rules, "
    "then alert-to-failure analysis.",
}
for sid, why in (
    (427, " to separate meaningful alerts from spurious ones"),
    (428, " to derive rules that separate meaningful alerts"),
    (429, " to turn alerts into significant warnings"),
):
    add(
        sid,
        [[events(C09, None, None, " to list its alert rules"), alert_analysis(C09, (1,), why)]],
        _ALERT_RATIONALE[sid],
    )
add(
    430,
    [
        [
            events(C09, "2020-05-01", "2022-06-30", " to review anomalies and alerts"),
            failure_codes("to tie condenser fouling to the work orders to generate"),
        ],
        [
            events(C09, "2020-05-01", "2022-06-30", " to review anomalies and alerts"),
            alert_analysis(C09, (1,), " to see which alerts precede work orders"),
            failure_codes("to tie condenser fouling to the work orders to generate"),
        ],
    ],
    "Review anomalies/alerts in the stated window (dates as written) and give work-order "
    "guidelines (CF: failure codes with work-order types).",
)
for sid in (431, 432):
    add(
        sid,
        [
            [
                events(C09, "2020-06-01", "2020-06-30", " (anomalies and alerts)"),
                corrective(C09, "2020-06-01", None, " (scheduled ones)"),
                predict_next(C09, "2020-06-30", " to judge whether a new one is due"),
            ],
            [
                events(C09, "2020-06-01", "2020-06-30", " (anomalies and alerts)"),
                corrective(C09, "2020-06-01", None, " (scheduled ones)"),
                failure_codes("to name a new work order if one is needed"),
            ],
        ],
        "June 2020 review: events, scheduled corrective work orders, then whether a new one "
        "should be generated.",
    )
_FOUL_WIN = ("2020-04-20T12:30:00", "2020-05-12T19:30:00")
_FOUL = "Condenser Water side fouling"


def _fouling(check_existing: bool) -> list[Plan]:
    full: Plan = [
        sensors("Chiller 9", why=" (candidate sensors)"),
        mapping("Chiller 9", [_FOUL], ref(1), (1,), "find the sensors that reveal fouling"),
        history("Chiller 9", _FOUL_WIN, what="the fouling-related sensors"),
        integrated_tsad(ref(3), ref(2), deps=(2, 3)),
    ]
    short: Plan = [
        history("Chiller 9", _FOUL_WIN, what="all sensors"),
        integrated_tsad(ref(1), ["Chiller 9 Condenser Water Flow"], deps=(1,)),
    ]
    plans = []
    for base in (full, short):
        p = list(base)
        if check_existing:
            p.append(
                corrective(C09, None, "2020-05-12", " to see whether a fouling work order exists")
            )
        p.append(failure_codes("to recommend the fouling work order"))
        plans.append(p)
    return plans


add(
    433,
    _fouling(False),
    "Monitor Chiller 9 for fouling in a window with times: sensors relevant to fouling, "
    "history, anomaly detection, then a work-order code.",
)
add(
    434,
    _fouling(True),
    "As 433, plus check existing corrective work orders (CWC04009 = Chiller 9) before "
    "recommending.",
)
add(
    435,
    [
        [
            events(C09, "2020-06-01", "2020-06-30", " (its alerts)"),
            failure_codes("to map alert types to work orders"),
        ],
        [
            events(C09, "2020-06-01", "2020-06-30", " (its alerts)"),
            alert_analysis(C09, (1,), " to see which alert types lead to work orders"),
        ],
    ],
    "Work orders by type of June 2020 alerts (CF: recommends codes M010, M003): events then "
    "failure codes.",
)
add(
    436,
    [
        [
            events(C09, None, None, " (alert and work-order history)"),
            predict_next(C09, None, " as the model of what comes next"),
        ],
        [
            events(C09, None, None, " (alert and work-order history)"),
            none(
                "Fit a failure/replacement model on the event history and project ten years.",
                (1,),
                "Projected failures and replacements.",
            ),
        ],
    ],
    "Predictive model from alerts and work orders: event history, then a next-work-order "
    "model (or a custom one).",
)
add(
    437,
    [
        [events(C09, None, None, " (alert and work-order times)")],
        [
            events(C09, None, None, " (alert and work-order times)"),
            alert_analysis(C09, (1,), " to weigh clusters by how often alerts become failures"),
        ],
    ],
    "Clusters of alerts and work orders over time (CF: burst analysis of event_time): events.",
)
for sid, why in (
    (438, " to rank alerts by how strongly they predict corrective work"),
    (439, " to measure alert-to-corrective lead times"),
    (443, " to measure alert-to-corrective time gaps"),
):
    add(
        sid,
        [
            [events(C09, None, None, " to list its alert rules"), alert_analysis(C09, (1,), why)],
            [events(C09, None, None, " (alerts)"), corrective(C09, None, None, "")],
        ],
        "Alerts followed by corrective work orders (CF: conditional probability / lead time): "
        "alert-to-failure analysis per rule, or events joined with corrective work orders.",
    )
add(
    440,
    [
        [
            wo(
                "get_preventive_work_orders",
                f"Get the preventive work orders of {C09}.",
                C09,
                out="All PM work orders.",
            ),
            corrective(C09, None, None, ""),
        ],
        [wo("get_work_orders", f"Get all work orders of {C09}.", C09, out="All work orders.")],
    ],
    "Project PM and CM counts per description: both work-order kinds, then extrapolate.",
)
add(
    441,
    [[events(C09, None, None, " (alert and work-order descriptions over the years)")]],
    "Fastest-growing alert or work-order descriptions: yearly counts from the events.",
)
add(
    442,
    [[corrective(C09, None, None, " to count them per year")]],
    "Year-over-year corrective maintenance trend: corrective work orders.",
)
add(
    444,
    [
        [events(C09, None, None, " (alert times)"), corrective(C09, None, None, "")],
        [
            events(C09, None, None, " to list its alert rules"),
            alert_analysis(C09, (1,), " to count alerts that lead to work orders"),
        ],
    ],
    "Co-occurrence of alerts and corrective work orders in rolling windows: events and "
    "corrective work orders.",
)
add(
    445,
    [[events(C09, None, None, " (alert descriptions per year)")]],
    "Alert descriptions with the steepest yearly trend: events.",
)
add(
    446,
    [
        [events(C09, None, None, " (alert and work-order descriptions)")],
        [events(C09, None, None, " (alerts)"), distribution(C09, " (work-order counts per code)")],
    ],
    "Highest event counts by description across alerts and work orders: events.",
)

# multiagent: IoT + TSFM ------------------------------------------------------------
for sid, asset, targets in (
    (501, "Chiller 6", ["Chiller 6 Tonnage"]),
    (503, "Chiller 6", ["Chiller 6 Tonnage"]),
    (506, "Chiller 9", ["Chiller 9 Condenser Water Flow"]),
    (509, "Chiller 6", ["Chiller 6 Condenser Water Flow"]),
    (510, "Chiller 9", ["Chiller 9 Tonnage", "Chiller 9 Power Input"]),
    (512, "Chiller 6", ["Chiller 6 Return Temperature"]),
    (514, "Chiller 9", ["Chiller 9 Condenser Water Flow"]),
    (517, "Chiller 9", ["Chiller 9 Tonnage"]),
    (519, "Chiller 9", ["Chiller 9 Power Input"]),
):
    add(
        sid,
        anomaly_plans(asset, targets, WEEK_0427, vague=False),
        "Anomalies in a named sensor, week of 2020-04-27 (CF: IoTAgent download, then "
        "TSFMAgent): history then anomaly detection.",
    )
add(
    508,
    anomaly_plans("Chiller 6", ["Chiller 6 Tonnage"], WEEK_0427, vague=True),
    "Anomalies in 'performance metrics' (CF: Tonnage): pick the sensor, history, detection.",
)
add(
    502,
    forecast_plans(
        "Chiller 9",
        ["Chiller 9 Condenser Water Flow"],
        WEEK_0427,
        vague=True,
        checkpoint="ttm_96_28",
        list_models="no",
    ),
    "Forecast a named sensor (CF: identified the sensor first, ttm_96_28, data of that week).",
)
add(
    504,
    forecast_plans(
        "Chiller 6",
        ["Chiller 6 Tonnage"],
        WEEK_0427,
        vague=True,
        checkpoint="ttm_96_28",
        list_models="no",
    ),
    "Forecast 'performance' (CF: Tonnage, ttm_96_28): pick the sensor, history, forecast.",
)
add(
    505,
    forecast_plans("Chiller 6", ["Chiller 6 Tonnage"], WEEK_0427, vague=False),
    "Forecast a named sensor next week: history, forecast; listing checkpoints accepted "
    "(CF: queried the models).",
)
add(
    507,
    forecast_plans(
        "Chiller 9", ["Chiller 9 Power Input"], span("2020-04-20", "2020-04-26"), vague=True
    ),
    "Energy for the week of 2020-04-27 (CF: power input sensor, data from the week before).",
)
add(
    511,
    forecast_plans(
        "Chiller 9",
        ["Chiller 9 Power Input"],
        WEEK_0427,
        vague=True,
        extra_alts=[
            [
                sensors("Chiller 9", why=" to pick the sensor to forecast"),
                history("Chiller 9", WEEK_0427, what="Chiller 9 Power Input"),
                finetune(ref(2), ["Chiller 9 Power Input"], deps=(1, 2)),
                forecast(ref(2), ["Chiller 9 Power Input"], deps=(2, 3), model_checkpoint=ref(3)),
            ]
        ],
    ),
    "Energy usage next week (CF: power input sensor; a fine-tuned model is also accepted).",
)
add(
    513,
    forecast_plans("Chiller 6", ["Chiller 6 Setpoint Temperature"], WEEK_0427, vague=False),
    "Forecast a named sensor; no site named, MAIN; listing checkpoints accepted (CF).",
)
add(
    515,
    forecast_plans(
        "Chiller 9",
        ["Chiller 9 Tonnage"],
        WEEK_0427,
        vague=True,
        checkpoint="ttm_96_28",
        list_models="no",
    ),
    "Forecast 'performance' (Tonnage, ttm_96_28 per CF): pick the sensor, history, forecast.",
)


def _energy(asset: str, checkpoint: str, read_back: bool) -> list[Plan]:
    target = [f"{asset} Power Input"]
    plans = forecast_plans(asset, target, WEEK_0427, vague=True, checkpoint=checkpoint)
    if read_back:
        p = [dict(s) for s in plans[0]]
        p.append(
            step(
                "Read the forecast results file.",
                "Utilities",
                "json_reader",
                {"file_name": ref(len(p))},
                (len(p),),
                "The forecast values.",
            )
        )
        plans.append(p)
    return plans


add(
    516,
    _energy("Chiller 6", "ttm_96_28", True),
    "Future energy = Power Input (CF: sensor-name issue, ttm_96_28, read the forecast file).",
)
add(
    518,
    _energy("Chiller 9", "ttm_96_28", False),
    "Energy usage next week = Power Input (CF: ttm_96_28 after corrections).",
)
add(
    520,
    _energy("Chiller 6", "ttm_energy_96_28", False),
    "Energy consumption next week = Power Input (CF: identified the sensor, ttm_energy_96_28).",
)

# multiagent: FMSR (same questions as 101-120, at MAIN) -----------------------------
for sid in (601, 602):
    add(sid, [[failure_modes("Chiller 6")]], "Failure modes of Chiller 6: one FMSR call.")
add(
    603,
    [[sensors("Chiller 6", why=" (installed sensors)")]],
    "Installed sensors of Chiller 6 at MAIN: sensors.",
)

# multiagent: anomaly review + work-order decision ---------------------------------
_TONNAGE = "Tonnage of each chiller"
add(
    621,
    [
        [
            assets(why=" to find the chillers"),
            now(),
            history(ref(1), ("{step_2} minus 7 days", ref(2)), what=_TONNAGE, deps=(1, 2)),
            integrated_tsad(ref(3), [f"{ref(1)} Tonnage"], deps=(1, 3)),
            none(
                "Review the anomalies and decide whether a work order should be created.",
                (4,),
                "A yes/no recommendation with its reason.",
            ),
        ],
        [
            sites(),
            assets(ref(1), why=" to find the chillers"),
            now(),
            history(ref(2), ("{step_3} minus 7 days", ref(3)), ref(1), _TONNAGE, deps=(1, 2, 3)),
            integrated_tsad(ref(4), [f"{ref(2)} Tonnage"], deps=(2, 4)),
            none(
                "Review the anomalies and decide whether a work order should be created.",
                (5,),
                "A yes/no recommendation with its reason.",
            ),
        ],
    ],
    "No chiller, site or time given (CF: IoT data, TSAD, then the work-order decision): find "
    "the chillers, recent Tonnage, detect, decide.",
)
_TSAD_FILE = "/tmp/tsad_conformal.csv"
add(
    622,
    [
        [
            step(
                "Read the anomaly model's output file.",
                "Utilities",
                "json_reader",
                {"file_name": _TSAD_FILE},
                (),
                "The anomaly labels and scores, or an error if the file is missing.",
            ),
            none(
                "Count the flagged anomalies and decide whether a work order should be created.",
                (1,),
                "A yes/no recommendation with its reason.",
            ),
        ],
        [
            step(
                "Read the anomaly model's output file.",
                "Utilities",
                "json_reader",
                {"file_name": _TSAD_FILE},
                (),
                "The file's columns and rows.",
            ),
            integrated_tsad(_TSAD_FILE, ref(1), deps=(1,)),
            none(
                "Count the flagged anomalies and decide whether a work order should be created.",
                (2,),
                "A yes/no recommendation with its reason.",
            ),
        ],
    ],
    "Given an anomaly output file (CF: check the file, detect if needed, decide): read it, "
    "then decide; json_reader is the catalog's only file reader.",
)

TYPES = (
    ((1, 99), "IoT"),
    ((100, 199), "FMSA"),
    ((200, 299), "TSFM"),
    ((400, 499), "Workorder"),
    ((500, 699), "multiagent"),
)


def scenario_type(sid: int) -> str:
    for (low, high), name in TYPES:
        if low <= sid <= high:
            return name
    raise ValueError(f"no type for scenario {sid}")


def render() -> str:
    lines = []
    for sid in sorted(GOLD):
        plans, rationale = GOLD[sid]
        row = {
            "id": sid,
            "type": scenario_type(sid),
            "plans": [{"steps": p} for p in plans],
            "rationale": rationale,
        }
        lines.append(json.dumps(row, ensure_ascii=False, separators=(", ", ": ")))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text("utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run python scripts/build_gold_v2.py", file=sys.stderr)
            return 1
        print(f"{OUT}: up to date ({len(GOLD)} scenarios)")
        return 0
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT} ({len(GOLD)} scenarios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
