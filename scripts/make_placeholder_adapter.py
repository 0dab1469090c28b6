"""Train the small placeholder LoRA committed under ``adapters/`` for the CI regression check.

It is a stand-in: a rank-8 LoRA on the embedded SmolLM2-135M-Instruct, trained for a
few dozen steps on a handful of question→plan examples written for this script (no
benchmark text). It teaches the plan *format*, not the catalog; the internalization
recipe (``toolplan train``) will replace it with a real adapter. The script

1. builds the examples (the description-free system prompt + a question → a plan in
   the canonical format, names from the project's catalog) and refuses to train if any
   question is close to a benchmark scenario (difflib ratio > 0.8);
2. trains with TRL's SFTTrainer (loss on the plan only) on CPU;
3. saves the adapter, a manifest (``kind: placeholder``) and records ``baseline.json``
   by evaluating it with cheap settings (the ones ``toolplan check`` reuses).

Run from the repository root (~3-5 min on 2 CPU cores)::

    ASSETOPSBENCH_DIR=../shared/data/assetopsbench python scripts/make_placeholder_adapter.py
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from harness_ext import __version__
from harness_ext.models.embedded import DEFAULT_ALIAS, resolve_model
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.plans import Plan, Step, format_plan
from harness_ext.planning.prompts import system_prompt
from harness_ext.planning.scenarios import load_scenarios
from harness_ext.registry.manifest import AdapterManifest, write_manifest
from harness_ext.registry.regression import (
    EvalSettings,
    Expectation,
    evaluate_adapter,
    record_baseline,
    write_baseline,
)

NAME = "placeholder-smollm2-r8"
TARGET_MODULES = ["q_proj", "v_proj", "o_proj"]
RANK, ALPHA, DROPOUT = 8, 16, 0.05
BASELINE_SETTINGS = EvalSettings(
    tasks=("assetops_free_test30",), limit=3, gen_kwargs={"max_gen_toks": 64}
)
# Plan-level metrics only: prompt_tokens describes the task's prompt, not the adapter.
BASELINE_METRICS = (
    "at_f1",
    "at_f1_nb",
    "agent_f1",
    "tool_f1",
    "format_ok",
    "agent_valid",
    "tool_valid",
    "hallucinated_names",
    "parse_issue_rate",
)
# With --limit 3 one flipped sample moves a mean by 1/3; the tolerance absorbs a
# partial flip from CPU float differences, not a lost format.
TOLERANCE = 0.2


def _step(
    task: str, agent: str, tool: str, args: dict[str, Any], deps: tuple[int, ...], out: str
) -> Step:
    return Step(
        task=task, agent=agent, tool=tool, args=args, dependencies=deps, expected_output=out
    )


def examples() -> list[tuple[str, Plan]]:
    """Question → plan pairs written for this script (sites and assets are invented)."""
    s = _step
    return [
        (
            "Which plants report telemetry to the IoT store?",
            Plan(
                (s("List every site with telemetry.", "IoTAgent", "sites", {}, (), "Site names."),)
            ),
        ),
        (
            "Give me the asset identifiers installed at the NORTH plant.",
            Plan(
                (
                    s(
                        "List assets at NORTH.",
                        "IoTAgent",
                        "assets",
                        {"site_name": "NORTH"},
                        (),
                        "Asset ids.",
                    ),
                )
            ),
        ),
        (
            "What sensors does Pump 12 at site EAST have?",
            Plan(
                (
                    s(
                        "List the sensors of Pump 12.",
                        "IoTAgent",
                        "sensors",
                        {"site_name": "EAST", "asset_id": "Pump 12"},
                        (),
                        "Sensor names.",
                    ),
                )
            ),
        ),
        (
            "Fetch the readings of Boiler 2 at WEST since 2021-03-01.",
            Plan(
                (
                    s(
                        "Get Boiler 2 readings from 2021-03-01.",
                        "IoTAgent",
                        "history",
                        {
                            "site_name": "WEST",
                            "asset_id": "Boiler 2",
                            "start": "2021-03-01T00:00:00",
                        },
                        (),
                        "A file of readings.",
                    ),
                )
            ),
        ),
        (
            "How can a cooling tower fail?",
            Plan(
                (
                    s(
                        "List failure modes of a cooling tower.",
                        "FMSRAgent",
                        "get_failure_modes",
                        {"asset_name": "cooling tower"},
                        (),
                        "Failure modes.",
                    ),
                )
            ),
        ),
        (
            "For a compressor, which sensors would reveal bearing wear?",
            Plan(
                (
                    s(
                        "Map bearing wear to compressor sensors.",
                        "FMSRAgent",
                        "get_failure_mode_sensor_mapping",
                        {"asset_name": "compressor", "failure_modes": ["bearing wear"]},
                        (),
                        "Sensors per failure mode.",
                    ),
                )
            ),
        ),
        (
            "Which forecasting models can I pick from?",
            Plan(
                (
                    s(
                        "List time-series models.",
                        "TSFMAgent",
                        "get_tsfm_models",
                        {},
                        (),
                        "Model names.",
                    ),
                )
            ),
        ),
        (
            "What kinds of analysis can the time-series agent run?",
            Plan(
                (s("List supported AI tasks.", "TSFMAgent", "get_ai_tasks", {}, (), "Task names."),)
            ),
        ),
        (
            "What is the date today?",
            Plan(
                (
                    s(
                        "Get the current date and time.",
                        "Utilities",
                        "current_date_time",
                        {},
                        (),
                        "Date and time.",
                    ),
                )
            ),
        ),
        (
            "Open the file readings_boiler2.json and show me what is in it.",
            Plan(
                (
                    s(
                        "Read the JSON file.",
                        "Utilities",
                        "json_reader",
                        {"file_name": "readings_boiler2.json"},
                        (),
                        "File contents.",
                    ),
                )
            ),
        ),
        (
            "List the work orders of equipment FAN-7 during 2019.",
            Plan(
                (
                    s(
                        "Get FAN-7 work orders in 2019.",
                        "WorkOrderAgent",
                        "get_work_orders",
                        {
                            "equipment_id": "FAN-7",
                            "start_date": "2019-01-01",
                            "end_date": "2019-12-31",
                        },
                        (),
                        "Work orders.",
                    ),
                )
            ),
        ),
        (
            "Show the corrective maintenance done on MOTOR-3 in the first half of 2018.",
            Plan(
                (
                    s(
                        "Get corrective work orders of MOTOR-3.",
                        "WorkOrderAgent",
                        "get_corrective_work_orders",
                        {
                            "equipment_id": "MOTOR-3",
                            "start_date": "2018-01-01",
                            "end_date": "2018-06-30",
                        },
                        (),
                        "Corrective work orders.",
                    ),
                )
            ),
        ),
        (
            "Which failure codes exist in the maintenance system?",
            Plan(
                (
                    s(
                        "List failure codes.",
                        "WorkOrderAgent",
                        "get_failure_codes",
                        {},
                        (),
                        "Failure codes.",
                    ),
                )
            ),
        ),
        (
            "When will VALVE-9 probably need its next work order, judging by 2017 to 2020?",
            Plan(
                (
                    s(
                        "Predict the next work order of VALVE-9.",
                        "WorkOrderAgent",
                        "predict_next_work_order",
                        {
                            "equipment_id": "VALVE-9",
                            "start_date": "2017-01-01",
                            "end_date": "2020-12-31",
                        },
                        (),
                        "Predicted work order type.",
                    ),
                )
            ),
        ),
        (
            "List the sensors of every asset at SOUTH.",
            Plan(
                (
                    s(
                        "List assets at SOUTH.",
                        "IoTAgent",
                        "assets",
                        {"site_name": "SOUTH"},
                        (),
                        "Asset ids.",
                    ),
                    s(
                        "List the sensors of each asset.",
                        "IoTAgent",
                        "sensors",
                        {"site_name": "SOUTH", "asset_id": "{step_1}"},
                        (1,),
                        "Sensor names per asset.",
                    ),
                )
            ),
        ),
        (
            "Find the failure modes of a heat pump and the sensors that detect them.",
            Plan(
                (
                    s(
                        "List heat pump failure modes.",
                        "FMSRAgent",
                        "get_failure_modes",
                        {"asset_name": "heat pump"},
                        (),
                        "Failure modes.",
                    ),
                    s(
                        "Map them to sensors.",
                        "FMSRAgent",
                        "get_failure_mode_sensor_mapping",
                        {"asset_name": "heat pump", "failure_modes": "{step_1}"},
                        (1,),
                        "Sensors per failure mode.",
                    ),
                )
            ),
        ),
        (
            "Forecast the supply temperature of Boiler 2 at WEST "
            "from its readings since 2021-03-01.",
            Plan(
                (
                    s(
                        "Get Boiler 2 readings.",
                        "IoTAgent",
                        "history",
                        {
                            "site_name": "WEST",
                            "asset_id": "Boiler 2",
                            "start": "2021-03-01T00:00:00",
                        },
                        (),
                        "A file of readings.",
                    ),
                    s(
                        "Forecast supply temperature.",
                        "TSFMAgent",
                        "run_tsfm_forecasting",
                        {
                            "dataset_path": "{step_1}",
                            "timestamp_column": "timestamp",
                            "target_columns": ["supply temperature"],
                        },
                        (1,),
                        "Forecast values.",
                    ),
                )
            ),
        ),
        (
            "Check Pump 12 at EAST for anomalies in its pressure since 2022-05-01.",
            Plan(
                (
                    s(
                        "Get Pump 12 readings.",
                        "IoTAgent",
                        "history",
                        {
                            "site_name": "EAST",
                            "asset_id": "Pump 12",
                            "start": "2022-05-01T00:00:00",
                        },
                        (),
                        "A file of readings.",
                    ),
                    s(
                        "Detect anomalies in pressure.",
                        "TSFMAgent",
                        "run_integrated_tsad",
                        {
                            "dataset_path": "{step_1}",
                            "timestamp_column": "timestamp",
                            "target_columns": ["pressure"],
                        },
                        (1,),
                        "Anomaly flags.",
                    ),
                )
            ),
        ),
        (
            "Summarise the work order types of FAN-7 over the last year.",
            Plan(
                (
                    s("Get today's date.", "Utilities", "current_date_time", {}, (), "Date."),
                    s(
                        "Get the FAN-7 work order distribution.",
                        "WorkOrderAgent",
                        "get_work_order_distribution",
                        {"equipment_id": "FAN-7", "start_date": "{step_1}", "end_date": "{step_1}"},
                        (1,),
                        "Counts per work order type.",
                    ),
                )
            ),
        ),
        (
            "Did alert rule R-22 on MOTOR-3 lead to failures between 2018 and 2019?",
            Plan(
                (
                    s(
                        "Analyse alert R-22 against failures.",
                        "WorkOrderAgent",
                        "analyze_alert_to_failure",
                        {
                            "equipment_id": "MOTOR-3",
                            "rule_id": "R-22",
                            "start_date": "2018-01-01",
                            "end_date": "2019-12-31",
                        },
                        (),
                        "Alert-to-failure statistics.",
                    ),
                )
            ),
        ),
    ]


def decontaminate(questions: list[str], threshold: float = 0.8) -> None:
    """Stop if a question is near a benchmark scenario text (the design's 0.8 rule)."""
    texts = [sc.text for sc in load_scenarios()]
    for q in questions:
        for t in texts:
            ratio = difflib.SequenceMatcher(None, q.lower(), t.lower()).ratio()
            if ratio > threshold:
                sys.exit(f"refusing to train: {q!r} is {ratio:.2f} similar to scenario {t!r}")


def build_dataset() -> tuple[list[dict[str, Any]], str]:
    """Prompt/completion chat rows and the sha256 of their JSON-lines form."""
    system = system_prompt("free", load_catalog())
    rows = [
        {
            "prompt": [{"role": "system", "content": system}, {"role": "user", "content": q}],
            "completion": [{"role": "assistant", "content": format_plan(plan)}],
        }
        for q, plan in examples()
    ]
    blob = "\n".join(json.dumps(r, sort_keys=True) for r in rows).encode()
    return rows, hashlib.sha256(blob).hexdigest()


def train(
    rows: list[dict[str, Any]], out: Path, epochs: int, lr: float, seed: int
) -> dict[str, Any]:
    """LoRA-train the embedded model on ``rows``; save the adapter to ``out``."""
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    base = resolve_model(DEFAULT_ALIAS)
    model = AutoModelForCausalLM.from_pretrained(base, dtype="float32")
    tokenizer = AutoTokenizer.from_pretrained(base)
    lora = LoraConfig(
        r=RANK,
        lora_alpha=ALPHA,
        lora_dropout=DROPOUT,
        target_modules=TARGET_MODULES,
        task_type="CAUSAL_LM",
    )
    config = SFTConfig(
        output_dir=str(out.with_name(out.name + ".trainer")),
        num_train_epochs=epochs,
        per_device_train_batch_size=2,
        # Checkpointing trades compute for memory; a 135M model fits without it.
        gradient_checkpointing=False,
        learning_rate=lr,
        lr_scheduler_type="cosine",
        warmup_steps=2,
        max_length=384,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=seed,
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        peft_config=lora,
    )
    started = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - started
    peft_model = trainer.model
    # Record the alias, not this machine's cache path, so the base check works anywhere.
    peft_model.peft_config["default"].base_model_name_or_path = DEFAULT_ALIAS
    peft_model.save_pretrained(str(out))
    shutil.rmtree(out.with_name(out.name + ".trainer"), ignore_errors=True)
    # PEFT writes a generic model card; the manifest and our README describe this adapter.
    (out / "README.md").unlink(missing_ok=True)
    return {
        "epochs": epochs,
        "steps": int(result.global_step),
        "learning_rate": lr,
        "batch_size": 2,
        "seed": seed,
        "final_loss": round(float(result.training_loss), 4),
        "seconds": round(seconds, 1),
    }


README = """\
# {name} (placeholder)

A stand-in adapter for the CI regression check (`toolplan check adapters/{name}`), made by
`scripts/make_placeholder_adapter.py`: LoRA r={r} on {modules} of the embedded
SmolLM2-135M-Instruct, trained for {steps} steps on {n} hand-written question→plan examples.
It learns the plan format, not the tool catalog. The internalization recipe (`toolplan train`)
will replace it with a real adapter. `manifest.yaml` says how it was made; `baseline.json`
holds its expected scores and the eval settings the check reuses.
"""


def main() -> int:
    """Build data, train, write manifest and baseline."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=f"adapters/{NAME}")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    out = Path(args.out)
    rows, sha = build_dataset()
    decontaminate([r["prompt"][1]["content"] for r in rows])
    if out.exists():
        shutil.rmtree(out)
    training = train(rows, out, args.epochs, args.lr, args.seed)
    command = "python scripts/make_placeholder_adapter.py " + " ".join(sys.argv[1:])
    write_manifest(
        out,
        AdapterManifest(
            name=NAME,
            kind="placeholder",
            description="Briefly trained stand-in LoRA (plan format only) for the CI regression "
            "check; the internalization recipe (toolplan train) will replace it.",
            base_model=DEFAULT_ALIAS,
            base_model_name_or_path=DEFAULT_ALIAS,
            quantization="none",
            lora={"r": RANK, "alpha": ALPHA, "dropout": DROPOUT, "target_modules": TARGET_MODULES},
            training_data={
                "path": "scripts/make_placeholder_adapter.py (examples(), hand-written)",
                "sha256": sha,
                "examples": len(rows),
            },
            command=command.strip(),
            created=time.strftime("%Y-%m-%d"),
            toolplan_eval_version=__version__,
            extra={"training": training},
        ),
    )
    (out / "README.md").write_text(
        README.format(
            name=NAME,
            r=RANK,
            modules=", ".join(TARGET_MODULES),
            steps=training["steps"],
            n=len(rows),
        )
    )
    results = evaluate_adapter(out, BASELINE_SETTINGS)
    recorded = record_baseline(NAME, BASELINE_SETTINGS, results, command=command.strip())
    kept = {
        task: {
            m: Expectation(e.value, TOLERANCE, e.direction)
            for m, e in metrics.items()
            if m in BASELINE_METRICS
        }
        for task, metrics in recorded.scores.items()
    }
    path = write_baseline(
        out, type(recorded)(recorded.adapter, recorded.eval, kept, recorded.recorded)
    )
    print(f"wrote {out} (training {training}); baseline {path}:")
    print(json.dumps(kept, default=lambda e: e.__dict__, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
