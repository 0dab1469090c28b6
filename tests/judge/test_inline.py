"""Inline judging in a normal ``lm_eval`` run (real CLI, embedded model, real HTTP judge).

The judge here is the scripted standard-library server: the embedded 135M model as a
judge is covered by ``test_katan.py`` and would cost minutes per run.

A judge that cannot work: a misconfiguration that can be known before generating
fails the run then (nothing is lost); a failure that shows only after generating keeps
the outputs and says ``judge: not run, <reason>`` (see ``lm_eval_glue.judge_filter``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import JudgeError
from harness_ext.judge.rubric import load_template
from harness_ext.lm_eval_glue import judge_filter
from harness_ext.metrics.table import JUDGE_METRICS
from tests.helpers import only_results_json, run_command, samples_jsonl
from tests.judge.scripted_server import free_port_closed, scripted_verdict

KEY = "sk-inline-secret-93c2aa"


@pytest.fixture(autouse=True)
def _no_inherited_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TOOLPLAN_JUDGE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def fresh_filter_state(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """No probe remembered from another test; exit-time banners collected, not printed."""
    registered: list[Any] = []
    monkeypatch.setattr(judge_filter, "_checked", set())
    monkeypatch.setattr(judge_filter, "_failures", [])
    monkeypatch.setattr(judge_filter.atexit, "register", registered.append)
    return registered


def test_the_preflight_passes_a_working_judge_once_and_nothing_when_off(
    scripted_judge: Any, monkeypatch: pytest.MonkeyPatch, fresh_filter_state: list[Any]
) -> None:
    judge_filter.check_inline_judge()  # no judge configured: nothing to check
    server = scripted_judge(api_key=KEY)
    monkeypatch.setenv("TOOLPLAN_JUDGE_MODEL", "scripted")
    monkeypatch.setenv("TOOLPLAN_JUDGE_BASE_URL", server.base_url)
    monkeypatch.setenv("TOOLPLAN_JUDGE_API_KEY", KEY)
    judge_filter.check_inline_judge()
    judge_filter.check_inline_judge()  # a group builds several tasks: one probe
    assert server.gets == ["/v1/models"] and server.requests == []  # no paid call


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TOOLPLAN_JUDGE_TIMEOUT": "soon"}, "TOOLPLAN_JUDGE_TIMEOUT='soon'"),
        ({"TOOLPLAN_JUDGE_INLINE": "maybe"}, "TOOLPLAN_JUDGE_INLINE='maybe'"),
        ({"TOOLPLAN_JUDGE_BASE_URL": "127.0.0.1:8000"}, "TOOLPLAN_JUDGE_BASE_URL"),
        ({"TOOLPLAN_JUDGE_API_KEY": "wrong"}, "TOOLPLAN_JUDGE_API_KEY to a valid key"),
        ({"TOOLPLAN_JUDGE_BASE_URL": "dead"}, "Fix: start the server"),
    ],
)
def test_the_preflight_names_the_variable_and_the_fix(
    scripted_judge: Any,
    monkeypatch: pytest.MonkeyPatch,
    fresh_filter_state: list[Any],
    env: dict[str, str],
    named: str,
) -> None:
    server = scripted_judge(api_key=KEY)
    dead = f"http://127.0.0.1:{free_port_closed()}/v1"
    settings = {
        "TOOLPLAN_JUDGE_MODEL": "scripted",
        "TOOLPLAN_JUDGE_BASE_URL": server.base_url,
        "TOOLPLAN_JUDGE_API_KEY": KEY,
        **{k: dead if v == "dead" else v for k, v in env.items()},
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(JudgeError) as caught:
        judge_filter.check_inline_judge()
    message = str(caught.value)
    assert named in message and "Fix:" in message and "TOOLPLAN_JUDGE_INLINE=0" in message
    assert KEY not in message and server.requests == []


def test_a_config_error_seen_only_by_the_filter_keeps_the_outputs(
    monkeypatch: pytest.MonkeyPatch, fresh_filter_state: list[Any]
) -> None:
    monkeypatch.setenv("TOOLPLAN_JUDGE_MODEL", "scripted")
    monkeypatch.setenv("TOOLPLAN_JUDGE_MAX_RETRIES", "many")
    docs = [{"id": 1, "condition": "free", "question": "q", "gold_plans": []}]
    out = judge_filter.JudgeFilter().apply([["#Task1: plan"]], docs)
    assert out == [["#Task1: plan"]]  # the response itself, unchanged
    values = judge_filter.inline_metrics(out[0][0], at_f1=0.0)
    assert values["judge_unscored_rate"] == ["judge:config"]
    assert "TOOLPLAN_JUDGE_MAX_RETRIES" in values["judge_info"]["detail"]
    assert len(fresh_filter_state) == 1  # the banner repeated at exit


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


@pytest.mark.slow
def test_a_misconfigured_judge_fails_lm_eval_before_it_generates(
    scripted_judge: Any, embedded_model: str, tmp_path: Path
) -> None:
    server = scripted_judge()
    env = {
        "TOOLPLAN_JUDGE_MODEL": "scripted",
        "TOOLPLAN_JUDGE_BASE_URL": server.base_url,
        "TOOLPLAN_JUDGE_TIMEOUT": "soon",
    }
    out = tmp_path / "out"
    result = lm_eval(embedded_model, out, "assetops_free", 1, 8, env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("harness_ext.errors.JudgeError: LLM judge: TOOLPLAN_JUDGE_TIMEOUT=")
    assert "Fix:" in last
    assert "Running generate_until" not in result.stderr  # failed before generating
    assert not out.exists() and server.requests == []


@pytest.mark.slow
def test_an_unreachable_judge_fails_toolplan_eval_with_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port_closed()}/v1"
    out = tmp_path / "out"
    result = run_command(
        [
            "toolplan", "eval",
            "--tasks", "assetops_free",
            "--limit", "1",
            "--gen_kwargs", "max_gen_toks=8",
            "--output_path", str(out),
        ],
        env={"TOOLPLAN_JUDGE_MODEL": "scripted", "TOOLPLAN_JUDGE_BASE_URL": url},
    )  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("toolplan eval: error: LLM judge"), errors
    assert url in errors[0] and "Fix: start the server" in errors[0]
    assert "Running generate_until" not in result.stderr and not out.exists()


@pytest.mark.slow
def test_a_judge_that_fails_after_generation_keeps_the_outputs_and_says_not_run(
    scripted_judge: Any, embedded_model: str, tmp_path: Path
) -> None:
    def no_response_format(body: dict[str, Any], index: int) -> tuple[int, str]:
        if "response_format" in body:
            return 400, "response_format json_object is not supported"
        return 200, scripted_verdict(body["messages"])

    server = scripted_judge(behaviour=no_response_format)  # passes the preflight
    env = {
        "TOOLPLAN_JUDGE_MODEL": "scripted",
        "TOOLPLAN_JUDGE_BASE_URL": server.base_url,
        "TOOLPLAN_JUDGE_CACHE": str(tmp_path / "cache.sqlite"),
    }
    out = tmp_path / "out"
    result = lm_eval(embedded_model, out, "assetops_free", 1, 8, env)
    assert result.returncode == 0, result.stderr[-3000:]  # the outputs are worth keeping

    values = only_results_json(out)["results"]["assetops_free"]
    assert values["judge_info,none"].startswith("judge: not run, judge:http_400 (model=scripted")
    assert values["judge_unscored_rate,none"] == 1.0 and "judge_overall,none" not in values
    assert "at_f1,none" in values
    [sample] = samples_jsonl(out, "assetops_free")
    assert sample["judge_info"]["reason"] == "judge:http_400" and sample["filtered_resps"]

    # Impossible to miss: the last line of the run, after lm-eval's table.
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("toolplan-eval: LLM JUDGE FAILED — free task: the judge scored 0 of 1")
    assert "TOOLPLAN_JUDGE_RESPONSE_FORMAT=none" in last and "toolplan judge" in last
    assert "judge_info" in result.stdout  # the table came before it
