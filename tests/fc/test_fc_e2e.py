"""The real lm_eval CLI and toolplan eval run the BFCL tasks on the embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.fc.table import FC_METRICS
from tests.helpers import only_results_json, run_command, samples_jsonl


@pytest.mark.slow
def test_plain_lm_eval_runs_fc_bfcl_simple_with_no_extra_flag(
    embedded_model: str, tmp_path: Path
) -> None:
    # No --include_path: the plugin's start-up hook makes the task visible.
    result = run_command(
        [
            "lm_eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={embedded_model}",
            "--device",
            "cpu",
            "--tasks",
            "fc_bfcl_simple",
            "--limit",
            "5",
            "--gen_kwargs",
            "max_gen_toks=48",
            "--output_path",
            str(tmp_path),
            "--log_samples",
        ]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = only_results_json(tmp_path)
    values = results["results"]["fc_bfcl_simple"]
    wanted = {f"{m.name},none" for m in FC_METRICS if m.name != "json_valid"}
    assert wanted <= set(values), sorted(values)
    assert "json_valid,none" not in values  # python format: no JSON to be valid
    assert results["n-samples"]["fc_bfcl_simple"]["effective"] == 5
    samples = samples_jsonl(tmp_path, "fc_bfcl_simple")
    assert [s["doc"]["id"] for s in samples] == [f"simple_python_{i}" for i in range(5)]
    assert all(s["doc"]["prompt_route"] == "bfcl_prompt" for s in samples)


@pytest.mark.slow
def test_toolplan_eval_runs_the_json_format(tmp_path: Path) -> None:
    result = run_command(
        [
            "toolplan",
            "eval",
            "--model",
            "smollm2-135m",
            "--tasks",
            "fc_bfcl_parallel",
            "--limit",
            "2",
            "--gen_kwargs",
            "max_gen_toks=32",
            "--metadata",
            "fc_format=json",
            "--output_path",
            str(tmp_path),
            "--log_samples",
        ]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    values = only_results_json(tmp_path)["results"]["fc_bfcl_parallel"]
    assert {"acc,none", "json_valid,none", "decode_ok,none"} <= set(values)
    samples = samples_jsonl(tmp_path, "fc_bfcl_parallel")
    assert {s["doc"]["prompt_route"] for s in samples} == {"hermes_block"}
    assert all(s["doc"]["fc_format"] == "json" for s in samples)
