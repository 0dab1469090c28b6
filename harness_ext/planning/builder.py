"""The one step/plan builder: every plan the project writes in code is built here.

Two layers:

* ``step`` / ``plan`` / ``ref`` build any catalog's plans. A ``{step_N}`` reference
  inside the arguments makes step N a dependency, whether or not it was listed, and
  dependencies are kept sorted and unique, so a plan cannot say "uses step 2's output"
  without depending on step 2.
* One helper per AssetOpsBench tool of the ``assetops_23`` catalog (``history``,
  ``sensors``, ``integrated_tsad``, ``work_orders``, ...) that knows the tool's argument
  names, in the order the gold plans write them; the agent comes from the catalog and
  the default expected output from ``harness_ext/data/assetops_steps.json``. Task
  wording stays with the caller: each helper has a default task line, ``task=``
  replaces it.

Conventions the AssetOps helpers keep (the gold plans' rules, ``gold_plans_v2.md``):
``history`` windows are ISO-8601 ``start``/``final``; work-order windows are
``YYYY-MM-DD`` ``start_date``/``end_date`` and each bound may be left out; an argument
given as None is left out of the call, never written as ``null``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from harness_ext.errors import UnknownNameError
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.plans import Plan, Step, step_references

CATALOG = "assetops_23"
STEPS_RESOURCE = "assetops_steps.json"


def step(
    task: str,
    agent: str | None,
    tool: str | None,
    args: dict[str, Any] | None = None,
    deps: tuple[int, ...] = (),
    out: str = "",
) -> Step:
    """One plan step.

    Rules: ``agent``/``tool`` None (or ``"none"``) make a reasoning-only step; every
    ``{step_N}`` found anywhere in ``args`` is added to ``deps``; dependencies come out
    sorted and without repeats; ``args`` is copied, so the caller's dict is never shared.
    """
    arguments = dict(args or {})
    return Step(
        task=task,
        agent=agent or "none",
        tool=tool or "none",
        args=arguments,
        dependencies=tuple(sorted(set(deps) | step_references(arguments))),
        expected_output=out,
    )


def plan(*steps: Step) -> Plan:
    """A plan of ``steps``, in order (dependencies are 1-based positions among them)."""
    return Plan(tuple(steps))


def ref(n: int) -> str:
    """The argument value meaning "the output of step ``n``" (``{step_n}``)."""
    return f"{{step_{n}}}"


def reason(task: str, deps: tuple[int, ...], out: str) -> Step:
    """A reasoning-only step (agent and tool ``none``): work no tool does."""
    return step(task, None, None, deps=deps, out=out)


# ------------------------------------------------------------------ AssetOpsBench tools


@cache
def expected_outputs() -> dict[str, str]:
    """The default expected-output line of each ``assetops_23`` tool (from the data file)."""
    text = (resources.files("harness_ext") / "data" / STEPS_RESOURCE).read_text("utf-8")
    return {str(k): str(v) for k, v in json.loads(text)["expected_output"].items()}


def tool_step(
    tool: str,
    task: str,
    args: dict[str, Any] | None = None,
    deps: tuple[int, ...] = (),
    out: str | None = None,
) -> Step:
    """A step calling an ``assetops_23`` tool by name: its agent and, unless ``out`` is
    given, its default expected output are filled in. Arguments whose value is None are
    dropped."""
    agent = load_catalog(CATALOG).owner(tool)
    if agent is None:
        raise UnknownNameError(f"{CATALOG} tool", tool, load_catalog(CATALOG).tool_names)
    kept = {k: v for k, v in (args or {}).items() if v is not None}
    return step(task, agent, tool, kept, deps, expected_outputs()[tool] if out is None else out)


def sites(task: str = "List the available sites.") -> Step:
    """``IoTAgent.sites``."""
    return tool_step("sites", task)


def assets(site: str, task: str | None = None) -> Step:
    """``IoTAgent.assets`` of one site."""
    return tool_step("assets", task or f"List the assets at the {site} site.", {"site_name": site})


def sensors(site: str, asset: str, deps: tuple[int, ...] = (), task: str | None = None) -> Step:
    """``IoTAgent.sensors`` of one asset."""
    return tool_step(
        "sensors",
        task or f"Get the sensors recorded for {asset}.",
        {"site_name": site, "asset_id": asset},
        deps,
    )


def history(
    site: str,
    asset: str,
    start: str,
    final: str,
    task: str | None = None,
    deps: tuple[int, ...] = (),
) -> Step:
    """``IoTAgent.history``: readings of one asset from ``start`` to ``final``."""
    return tool_step(
        "history",
        task or f"Get the sensor readings of {asset} for {start} to {final}.",
        {"site_name": site, "asset_id": asset, "start": start, "final": final},
        deps,
    )


def now(tool: str = "current_date_time", task: str = "Get the current date and time.") -> Step:
    """``Utilities.current_date_time`` (or ``current_time_english``)."""
    return tool_step(tool, task)


def read_json(file: str, task: str | None = None) -> Step:
    """``Utilities.json_reader`` of one file."""
    return tool_step("json_reader", task or f"Read {file}.", {"file_name": file})


def failure_modes(asset: str) -> Step:
    """``FMSRAgent.get_failure_modes`` of an asset (or an asset type)."""
    return tool_step(
        "get_failure_modes", f"Get the failure modes of {asset}.", {"asset_name": asset}
    )


def sensor_mapping(
    asset: str,
    modes: Any,
    sensor_list: Any,
    deps: tuple[int, ...] = (),
    out: str | None = None,
    task: str | None = None,
) -> Step:
    """``FMSRAgent.get_failure_mode_sensor_mapping``: which sensors reveal which modes.

    ``modes`` and ``sensor_list`` are lists or a ``{step_N}`` reference to a step that
    returns one.
    """
    return tool_step(
        "get_failure_mode_sensor_mapping",
        task or f"Map failure modes of {asset} to its sensors.",
        {"asset_name": asset, "failure_modes": modes, "sensors": sensor_list},
        deps,
        out,
    )


def ai_tasks(task: str = "List the supported time-series tasks.") -> Step:
    """``TSFMAgent.get_ai_tasks``."""
    return tool_step("get_ai_tasks", task)


def tsfm_models(task: str = "List the available pre-trained time-series models.") -> Step:
    """``TSFMAgent.get_tsfm_models``."""
    return tool_step("get_tsfm_models", task)


def _series_args(
    dataset: str, timestamp: str, targets: Any, extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "dataset_path": dataset,
        "timestamp_column": timestamp,
        "target_columns": targets,
        **extra,
    }


def forecast(
    dataset: str, timestamp: str, targets: Any, task: str, deps: tuple[int, ...] = (), **extra: Any
) -> Step:
    """``TSFMAgent.run_tsfm_forecasting``; ``extra`` are further arguments, in order."""
    return tool_step(
        "run_tsfm_forecasting", task, _series_args(dataset, timestamp, targets, extra), deps
    )


def finetune(dataset: str, timestamp: str, targets: Any, task: str, **extra: Any) -> Step:
    """``TSFMAgent.run_tsfm_finetuning``; ``extra`` are further arguments, in order."""
    return tool_step("run_tsfm_finetuning", task, _series_args(dataset, timestamp, targets, extra))


def tsad(
    dataset: str,
    forecast_output: str,
    timestamp: str,
    targets: Any,
    task: str,
    deps: tuple[int, ...] = (),
) -> Step:
    """``TSFMAgent.run_tsad``: anomalies of a series against a forecast's output file."""
    args = {"dataset_path": dataset, "tsfm_output_json": forecast_output}
    args.update(_series_args(dataset, timestamp, targets, {}))
    return tool_step("run_tsad", task, args, deps)


def integrated_tsad(
    dataset: str, timestamp: str, targets: Any, task: str, deps: tuple[int, ...] = ()
) -> Step:
    """``TSFMAgent.run_integrated_tsad``: forecast and anomaly detection in one call."""
    return tool_step(
        "run_integrated_tsad", task, _series_args(dataset, timestamp, targets, {}), deps
    )


def work_orders(
    tool: str,
    equipment: str,
    start: str | None = None,
    end: str | None = None,
    task: str | None = None,
    deps: tuple[int, ...] = (),
) -> Step:
    """A ``WorkOrderAgent`` query of one piece of equipment (``get_work_orders``,
    ``get_events``, ``predict_next_work_order``, ...).

    ``start``/``end`` are cut to their date (``YYYY-MM-DD``); a bound that is None is
    left out. The default task names the window only when both bounds are given.
    """
    what = tool.removeprefix("get_").replace("_", " ")
    window = f" from {start} to {end}" if start and end else ""
    return tool_step(
        tool,
        task or f"Get the {what} of {equipment}{window}.",
        {
            "equipment_id": equipment,
            "start_date": start and start[:10],
            "end_date": end and end[:10],
        },
        deps,
    )


def alert_to_failure(
    equipment: str,
    rule: str,
    task: str,
    start: str | None = None,
    end: str | None = None,
    deps: tuple[int, ...] = (),
) -> Step:
    """``WorkOrderAgent.analyze_alert_to_failure`` of one alert rule (or a ``{step_N}``);
    the window bounds follow ``work_orders``' rules."""
    args = {
        "equipment_id": equipment,
        "rule_id": rule,
        "start_date": start and start[:10],
        "end_date": end and end[:10],
    }
    return tool_step("analyze_alert_to_failure", task, args, deps)


def failure_codes(task: str = "Get the failure code table.") -> Step:
    """``WorkOrderAgent.get_failure_codes``."""
    return tool_step("get_failure_codes", task)
