"""The ``_nb`` validity rates use the paper notebook's vocabulary, exactly."""

from __future__ import annotations

from harness_ext.metrics.notebook import notebook_steps, notebook_validity, notebook_vocabulary
from harness_ext.planning.catalog import load_catalog

# The names of VALID_AGENTS / VALID_TOOLS in the notebook's evaluation cell
# (Planner_Internalization_Experiment_run_6.ipynb, "Plan parser & structural metrics").
NOTEBOOK_AGENTS = {
    "IoTAgent",
    "FMSRAgent",
    "TSFMAgent",
    "Utilities",
    "WorkOrderAgent",
    "VibrationAgent",
    "none",
}
NOTEBOOK_TOOLS = {
    *("sites", "assets", "sensors", "history"),
    *("get_failure_modes", "get_failure_mode_sensor_mapping"),
    *("get_ai_tasks", "get_tsfm_models", "run_tsfm_forecasting"),
    *("run_tsfm_finetuning", "run_tsad", "run_integrated_tsad"),
    *("json_reader", "current_date_time", "current_time_english"),
    *("get_work_orders", "get_preventive_work_orders", "get_corrective_work_orders"),
    *("get_events", "get_failure_codes", "get_work_order_distribution"),
    *("predict_next_work_order", "analyze_alert_to_failure", "none"),
}


def test_the_paper_catalog_gives_the_notebooks_vocabulary() -> None:
    catalog = load_catalog("assetops_23")
    agents, tools = notebook_vocabulary(catalog.agent_names, catalog.tool_names)
    assert agents == NOTEBOOK_AGENTS
    assert tools == NOTEBOOK_TOOLS


def test_validity_counts_every_task_block_and_matches_exactly() -> None:
    agents, tools = notebook_vocabulary(("IoTAgent",), ("sites",))
    text = (
        "prose before the plan\n"
        "#Task1: a\n#Agent1: IoTAgent\n#Tool1: sites()\n"  # () stripped: valid
        "#Task2: b\n#Agent2: None\n#Tool2: none\n"  # None is not none
        "#Task3: c\n#Agent: IoTAgent\n"  # unnumbered agent is not read; no tool
    )
    assert notebook_validity(notebook_steps(text), agents, tools) == (1, 2, 3)
    assert notebook_validity(notebook_steps(""), agents, tools) == (0, 0, 0)
