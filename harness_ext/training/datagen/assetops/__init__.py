"""AssetOpsBench templates for the ``assetops_23`` catalog (5 agents, 23 tools).

Intents cover the scenario styles of the benchmark, one module per agent:

* ``iot`` — sites, assets, sensors, sensor history;
* ``fmsr`` — failure modes and the sensors that reveal them;
* ``tsfm`` — time-series tasks and checkpoints, forecast, fine-tune, anomaly detection;
* ``workorder`` — work-order lookups, events, predictions, alert analysis, planning;
* ``utilities`` — date and time, reading a JSON file;
* ``multiagent`` — IoT readings into TSFM, work-order decisions on top;

plus ``clarify`` (requests that lack an input), ``paraphrase`` (entity-swapped gold
plans), ``values`` (argument pools for the catalog-driven generators) and ``common``
(data files, entity pickers, the ``Drafted`` result). Each intent draws entities from
``harness_ext/data/datagen/assetops_entities.json``, renders a question from the
templates of ``assetops_phrasing.json`` and builds its plan with
``harness_ext.planning.builder``.

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
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from harness_ext.planning.plans import format_plan
from harness_ext.training.datagen.assetops import fmsr, iot, multiagent, tsfm, utilities, workorder
from harness_ext.training.datagen.assetops.clarify import clarifications
from harness_ext.training.datagen.assetops.common import Drafted, Intent
from harness_ext.training.datagen.assetops.paraphrase import paraphrase_gold
from harness_ext.training.datagen.assetops.values import value_overrides
from harness_ext.training.datagen.base import Candidate
from harness_ext.training.datagen.phrasing import pick, weighted

CATALOG_NAME = "assetops_23"
AGENTS = frozenset({"IoTAgent", "FMSRAgent", "TSFMAgent", "Utilities", "WorkOrderAgent"})

# Weights give roughly the benchmark's type mix: IoT 0.17, FMSA 0.17, TSFM 0.17,
# Workorder 0.27, multiagent 0.22 (FMSR intents with a site count as multiagent).
INTENTS: tuple[tuple[Intent, float], ...] = (
    (iot.iot_sites, 0.02),
    (iot.iot_assets, 0.035),
    (iot.iot_sensors, 0.045),
    (iot.iot_history, 0.065),
    (iot.iot_history_pair, 0.012),
    (fmsr.fmsr_modes, 0.04),
    (fmsr.fmsr_modes_by_sensor, 0.045),
    (fmsr.fmsr_modes_by_sensor_group, 0.045),
    (fmsr.fmsr_sensors_for_mode, 0.05),
    (fmsr.fmsr_symptom, 0.035),
    (fmsr.fmsr_recipe, 0.04),
    (tsfm.tsfm_models, 0.05),
    (tsfm.tsfm_tasks, 0.03),
    (tsfm.tsfm_forecast, 0.04),
    (tsfm.tsfm_finetune, 0.02),
    (tsfm.tsfm_anomaly, 0.035),
    (workorder.wo_lookup, 0.085),
    (workorder.wo_events_summary, 0.03),
    (workorder.wo_predict, 0.02),
    (workorder.wo_alert_failure, 0.015),
    (workorder.wo_failure_codes, 0.01),
    (workorder.wo_bundle, 0.02),
    (workorder.wo_recommend, 0.025),
    (workorder.wo_review, 0.025),
    (workorder.wo_decide_new, 0.01),
    (workorder.wo_prioritize, 0.01),
    (workorder.wo_longterm, 0.025),
    (workorder.wo_alert_reasoning, 0.012),
    (workorder.wo_fleet_analysis, 0.012),
    (utilities.util_time, 0.008),
    (utilities.util_json, 0.008),
    (multiagent.multi_anomaly, 0.045),
    (multiagent.multi_forecast, 0.045),
    (multiagent.multi_anomaly_wo, 0.025),
    (multiagent.multi_early_detection, 0.01),
    (multiagent.multi_fm_workorders, 0.008),
)
# Single-step intents: the requests quoted by routing and hard-negative questions.
SINGLE_STEP_INTENTS: tuple[Intent, ...] = (
    iot.iot_sites,
    iot.iot_assets,
    iot.iot_history,
    iot.iot_sensors,
    tsfm.tsfm_anomaly,
    workorder.wo_events_summary,
    fmsr.fmsr_modes,
    tsfm.tsfm_models,
    tsfm.tsfm_tasks,
    tsfm.tsfm_forecast,
    tsfm.tsfm_finetune,
    workorder.wo_lookup,
    workorder.wo_predict,
    workorder.wo_alert_failure,
    workorder.wo_failure_codes,
    utilities.util_time,
    utilities.util_json,
)


def template_plans(rng: random.Random) -> Candidate:
    """One question→plan candidate from the weighted AssetOpsBench intents."""
    d = template_plan_draft(rng)
    meta = {
        "source": "assetops_template",
        "scenario_type": d.scenario_type,
        "steps": len(d.plan.steps),
    }
    return Candidate("question_plan", d.kind, d.question, format_plan(d.plan), "plan", meta)


def template_plan_draft(rng: random.Random) -> Drafted:
    """A drafted intent (question + Plan object), for the execution-trace family."""
    intent: Intent = weighted(rng, INTENTS)
    return intent(rng)


def requests(rng: random.Random) -> tuple[str, str, str]:
    """A single-tool AssetOpsBench request: (question, agent, tool).

    Draws single-step intents until one yields exactly one tool call (``iot_history``
    sometimes plans two steps); every intent listed yields one most of the time.
    """
    while True:
        d = pick(rng, SINGLE_STEP_INTENTS)(rng)
        actionable = [s for s in d.plan.steps if not s.is_reasoning_only]
        if len(actionable) == 1:
            s = actionable[0]
            return d.question, s.agent or "", s.tool or ""


def is_assetops(catalog_name: str, agent_names: Sequence[str]) -> bool:
    """True when a catalog is (a version of) the AssetOpsBench 5-agent catalog."""
    return catalog_name == CATALOG_NAME or set(agent_names) >= AGENTS


__all__ = [
    "CATALOG_NAME",
    "INTENTS",
    "SINGLE_STEP_INTENTS",
    "Drafted",
    "clarifications",
    "is_assetops",
    "paraphrase_gold",
    "requests",
    "template_plan_draft",
    "template_plans",
    "value_overrides",
]
