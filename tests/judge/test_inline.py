"""Inline judging in a normal ``lm_eval`` run (real CLI, embedded model, real HTTP judge).

The judge here is the scripted standard-library server: the embedded 135M model as a
judge is covered by ``test_katan.py`` and would cost minutes per run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harness_ext.judge.rubric import load_template
from harness_ext.metrics.table import JUDGE_METRICS
from tests.helpers import only_results_json, run_command, samples_jsonl

KEY = "sk-inline-secret-93c2aa"


@pytest.fixture(autouse=True)
def _no_inherited_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TOOLPLAN_JUDGE_"):
            monkeypatch.delenv(name)


def lm_eval(
    model: str, out: Path, tasks: str, limit: int, max_tokens: int, env: dict[str, str]
) -> Any:
    return run_command(
        [
            "lm_eval",
            "--model", "hf",
            "--model_args", f"pretrained={model}",
            "--device", "cpu",
            "--tasks", tasks,
            "--apply_chat_template",
            "--limit", str(limit),
            "--gen_kwargs", f"max_gen_toks={max_tokens}",
            "--output_path", str(out),
            "--log_samples",
        ],
        env=env,
    )  # fmt: skip


@pytest.mark.slow
def test_configured_judge_reports_judge_metrics_inline(
    scripted_judge: Any, embedded_model: str, tmp_path: Path
) -> None:
    server = scripted_judge(api_key=KEY)
    env = {
        "TOOLPLAN_JUDGE_MODEL": "scripted",
        "TOOLPLAN_JUDGE_BASE_URL": server.base_url,
        "TOOLPLAN_JUDGE_API_KEY": KEY,
        "TOOLPLAN_JUDGE_CACHE": str(tmp_path / "cache.sqlite"),
    }
    out = tmp_path / "out"
    result = lm_eval(embedded_model, out, "assetops_free", 2, 16, env)
    assert result.returncode == 0, result.stderr[-3000:]

    values = only_results_json(out)["results"]["assetops_free"]
    reported = {k.split(",")[0] for k in values if k.endswith(",none") and "_stderr" not in k}
    # Spearman needs two scored samples with different AT-F1; with 2 samples from an
    # untuned model it may be NaN, but the key is there.
    assert {m.name for m in JUDGE_METRICS} <= reported
    assert "at_f1,none" in values  # the existing metrics keep their keys
    assert values["judge_unscored_rate,none"] == 0.0
    assert values["judge_calls,none"] == 2 == len(server.requests)
    assert 1 <= values["judge_overall,none"] <= 5
    assert values["judge_info,none"] == f"model=scripted template={load_template().ident}"
    assert "LLM judge" in result.stderr  # the progress bar

    samples = samples_jsonl(out, "assetops_free")
    for sample in samples:
        info = sample["judge_info"]
        assert info["status"] == "scored" and info["transcript"][-1]["role"] == "assistant"
        assert sample["filtered_resps"][0] in info["transcript"][1]["content"]

    # Key: sent to the server, absent from everything written or printed.
    assert server.requests[0]["auth"] == f"Bearer {KEY}"
    assert KEY not in result.stdout + result.stderr
    assert not [p for p in out.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]

    # Two-stage on the same output: same keys and values, all from the cache.
    staged = run_command(["toolplan", "judge", str(out), "--quiet"], env=env, timeout=120)
    assert staged.returncode == 0, staged.stderr[-2000:]
    judge_results = json.loads(next(out.rglob("judge_results_*.json")).read_text())
    two_stage = judge_results["results"]["assetops_free"]
    for metric in ("judge_overall", "judge_correctness", "judge_unscored_rate", "judge_info"):
        assert two_stage[f"{metric},none"] == values[f"{metric},none"]
    assert (judge_results["judge"]["calls"], judge_results["judge"]["cache_hits"]) == (0, 2)


@pytest.mark.slow
def test_without_a_judge_metrics_are_absent_with_one_log_line(
    embedded_model: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # Two tasks: the filter runs once per task, the notice appears once per process.
    result = lm_eval(embedded_model, out, "assetops_free,assetops_free_test30", 1, 8, {})
    assert result.returncode == 0, result.stderr[-3000:]
    for task, values in only_results_json(out)["results"].items():
        assert not [k for k in values if k.startswith("judge_")], task
        assert "at_f1,none" in values
    notices = [line for line in result.stderr.splitlines() if "LLM judge not configured" in line]
    assert len(notices) == 1, result.stderr[-3000:]
    assert "TOOLPLAN_JUDGE_MODEL" in notices[0]
