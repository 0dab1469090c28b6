"""GRPO smoke test: TRL's GRPOTrainer runs one step on CPU with function_call_reward."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.fc.data import load_entries
from harness_ext.fc.prompts import system_prompt, user_prompt
from harness_ext.rewards import function_call_reward


@pytest.mark.slow
def test_grpo_one_step_on_cpu_with_the_function_call_reward(
    embedded_model: str, tmp_path: Path
) -> None:
    from datasets import Dataset
    from peft import LoraConfig
    from trl import GRPOConfig, GRPOTrainer

    rows = []
    for entry in load_entries("simple")[:2]:
        rows.append(
            {
                "prompt": [
                    {"role": "system", "content": system_prompt(entry, "json")[0]},
                    {"role": "user", "content": user_prompt(entry)},
                ],
                "functions": json.dumps(list(entry.functions)),
                "ground_truth": json.dumps(list(entry.ground_truth)),
                "category": "simple",
                "fc_format": "json",
            }
        )
    seen: list[tuple[Any, list[float], dict[str, Any]]] = []

    def reward(
        prompts: Any, completions: Any, completion_ids: Any = None, **kwargs: Any
    ) -> list[float]:
        values = function_call_reward(prompts, completions, completion_ids, **kwargs)
        seen.append((completions, values, kwargs))
        return values

    reward.__name__ = "function_call_reward"
    args = GRPOConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        bf16=False,
        per_device_train_batch_size=2,
        num_generations=2,
        max_completion_length=16,
        max_steps=1,
        gradient_checkpointing=False,
        logging_steps=1,
        report_to=[],
        save_strategy="no",
    )
    trainer = GRPOTrainer(
        model=embedded_model,
        reward_funcs=reward,
        args=args,
        train_dataset=Dataset.from_list(rows),
        peft_config=LoraConfig(
            r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"
        ),
    )
    trainer.train()
    assert trainer.state.global_step == 1
    completions, values, columns = seen[0]
    # Conversational completions, the dataset's columns, one float per completion.
    assert len(completions) == len(values) == 2
    assert completions[0][0]["role"] == "assistant"
    assert {"functions", "ground_truth", "category", "fc_format"} <= set(columns)
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in values)
    logged = {k for entry in trainer.state.log_history for k in entry}
    assert "rewards/function_call_reward/mean" in logged
