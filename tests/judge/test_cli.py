"""``toolplan judge <dir>`` as a real subprocess against a real HTTP judge on 127.0.0.1.

The samples files are written by the test in lm-eval's ``--log_samples`` shape, with
docs of our own (no AssetOpsBench data).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness_ext.judge.rubric import load_template, prompt_hash
from harness_ext.metrics.table import JUDGE_METRICS
from tests.helpers import run_command
from tests.judge.scripted_server import free_port_closed, scripted_verdict

KEY = "sk-cli-secret-6b1d0e"
STAMP = "2030-01-02T03-04-05.000006"
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _no_inherited_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TOOLPLAN_JUDGE_"):
            monkeypatch.delenv(name)


def write_run(root: Path, n: int, with_at_f1: bool = True) -> Path:
    """An lm-eval output dir: n planning samples (+ one non-planning samples file)."""
    folder = root / "out" / "some__model"
    folder.mkdir(parents=True)
    lines = []
    for i in range(n):
        plan = "".join(
            f"#Task{k}: step\n#Agent{k}: IoTAgent\n#Tool{k}: sites\n" for k in range(1, i % 5 + 1)
        )
        row: dict[str, Any] = {
            "doc_id": i,
            "doc": {
                "id": 1000 + i,
                "question": f"Which sites report data? (variant {i})",
                "gold_plans": ["#Task1: list sites\n#Agent1: IoTAgent\n#Tool1: sites\n#Args1: {}"]
                if i % 3
                else [],
                "catalog": "assetops_23",
                "condition": "free",
            },
            "filtered_resps": [plan],
            "filter": "none",
            "doc_hash": f"h{i}",
        }
        if with_at_f1:
            row["at_f1"] = (i % 5) / 10  # same order as the scripted score (1 + #Agent lines)
        lines.append(json.dumps(row))
    (folder / f"samples_assetops_free_{STAMP}.jsonl").write_text("\n".join(lines) + "\n")
    other = {
        "doc_id": 0,
        "doc": {"question": "2+2?", "choices": ["4", "5"]},
        "filtered_resps": ["4"],
    }
    (folder / f"samples_forget_mmlu_{STAMP}.jsonl").write_text(json.dumps(other) + "\n")
    return root / "out"


def judge_env(base_url: str, cache: Path, key: str = KEY) -> dict[str, str]:
    return {
        "TOOLPLAN_JUDGE_MODEL": "scripted",
        "TOOLPLAN_JUDGE_BASE_URL": base_url,
        "TOOLPLAN_JUDGE_API_KEY": key,
        "TOOLPLAN_JUDGE_CACHE": str(cache),
        "TOOLPLAN_JUDGE_BACKOFF": "0.01",
    }


def outputs(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    folder = out / "some__model"
    results = json.loads((folder / f"judge_results_{STAMP}.json").read_text())
    lines = (folder / f"judge_samples_assetops_free_{STAMP}.jsonl").read_text().splitlines()
    return results, [json.loads(line) for line in lines]


@pytest.mark.slow
def test_scores_written_beside_samples_then_a_rerun_costs_nothing(
    scripted_judge: Any, tmp_path: Path
) -> None:
    server = scripted_judge(api_key=KEY)
    out = write_run(tmp_path, 10)
    env = judge_env(server.base_url, tmp_path / "cache.sqlite")
    first = run_command(["toolplan", "judge", str(out)], env=env, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "skipping non-planning samples" in first.stderr and "forget_mmlu" in first.stderr
    results, samples = outputs(out)

    task = results["results"]["assetops_free"]
    assert {k.split(",")[0] for k in task if k.endswith(",none") and "_stderr" not in k} == {
        m.name for m in JUDGE_METRICS
    }
    assert task["judge_unscored_rate,none"] == 0.0 and task["judge_calls,none"] == 10
    assert task["judge_overall,none"] == pytest.approx(3.0)  # scripted scores 1..5, twice
    assert task["judge_spearman_at_f1,none"] == pytest.approx(1.0)
    judge = results["judge"]
    template = load_template()
    assert judge["template"]["sha256"] == template.sha256 and judge["model"] == "scripted"
    assert (judge["calls"], judge["cache_hits"], judge["unscored_rate"]) == (10, 0, 0.0)
    assert judge["mean_latency_s"] > 0 and judge["spearman_overall_at_f1"] == pytest.approx(1.0)
    assert [s["doc_id"] for s in samples] == list(range(10))
    assert all(s["judge_info"]["status"] == "scored" for s in samples)

    second = run_command(["toolplan", "judge", str(out), "--quiet"], env=env, timeout=120)
    assert second.returncode == 0, second.stderr[-2000:]
    again, _ = outputs(out)
    assert (again["judge"]["calls"], again["judge"]["cache_hits"]) == (0, 10)
    assert len(server.requests) == 10
    assert again["results"]["assetops_free"]["judge_overall,none"] == task["judge_overall,none"]


@pytest.mark.slow
def test_at_f1_is_recomputed_for_predict_only_samples(scripted_judge: Any, tmp_path: Path) -> None:
    server = scripted_judge()
    out = write_run(tmp_path, 3, with_at_f1=False)
    env = judge_env(server.base_url, tmp_path / "cache.sqlite")
    result = run_command(["toolplan", "judge", str(out), "--quiet"], env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    _, samples = outputs(out)
    # Sample 1 has a gold plan and predicts exactly the gold pair: AT-F1 1.0.
    assert samples[1]["judge_spearman_at_f1"] == [2.0, 1.0]


@pytest.mark.slow
def test_a_killed_run_resumes_without_repeating_a_call(scripted_judge: Any, tmp_path: Path) -> None:
    server = scripted_judge(latency_s=0.3)
    out = write_run(tmp_path, 10)
    cache = tmp_path / "cache.sqlite"
    env = {**os.environ, **judge_env(server.base_url, cache), "TOOLPLAN_JUDGE_CONCURRENCY": "1"}
    proc = subprocess.Popen(
        [str(BIN / "toolplan"), "judge", str(out), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _rows(cache) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    cached = {row[0] for row in _query(cache, "SELECT prompt_hash FROM replies")}
    assert 3 <= len(cached) < 10, "the run was not killed half-way"
    asked_before = len(server.requests)

    result = run_command(
        ["toolplan", "judge", str(out), "--quiet"],
        env=judge_env(server.base_url, cache),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    results, samples = outputs(out)
    assert (results["judge"]["calls"], results["judge"]["cache_hits"]) == (
        10 - len(cached),
        len(cached),
    )
    resumed = [prompt_hash(r["body"]["messages"]) for r in server.requests[asked_before:]]
    assert not set(resumed) & cached  # nothing answered before the kill was asked again
    assert all(s["judge_info"]["status"] == "scored" for s in samples)


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # table not created yet
            return []


def _rows(db: Path) -> int:
    rows = _query(db, "SELECT COUNT(*) FROM replies")
    return int(rows[0][0]) if rows else 0


@pytest.mark.slow
def test_dead_judge_writes_unscored_results_and_exits_2(tmp_path: Path) -> None:
    out = write_run(tmp_path, 4)
    url = f"http://127.0.0.1:{free_port_closed()}/v1"
    result = run_command(
        ["toolplan", "judge", str(out), "--quiet"],
        env=judge_env(url, tmp_path / "c.sqlite"),
        timeout=120,
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and url in errors[0] and "Fix:" in errors[0], result.stderr
    results, samples = outputs(out)
    assert results["judge"]["unscored_reasons"] == {"judge:unreachable": 4}
    assert results["results"]["assetops_free"]["judge_unscored_rate,none"] == 1.0
    assert "judge_overall,none" not in results["results"]["assetops_free"]  # no fabricated score
    assert {s["judge_info"]["reason"] for s in samples} == {"judge:unreachable"}


@pytest.mark.slow
def test_the_api_key_never_reaches_files_or_output(scripted_judge: Any, tmp_path: Path) -> None:
    def quoting_errors(body: dict[str, Any], index: int) -> tuple[int, str]:
        # Servers sometimes quote what they were sent; none of it may leak into results.
        return [(200, "not json"), (500, f"upstream said {KEY}"), (400, f"bad key {KEY}")][
            index % 3
        ]

    server = scripted_judge(api_key=KEY, behaviour=quoting_errors)
    out = write_run(tmp_path, 6)
    ok = run_command(
        ["toolplan", "judge", str(out)],
        env=judge_env(server.base_url, tmp_path / "c.sqlite"),
        timeout=120,
    )
    # No sample gets a verdict, so it exits 2; its summary quotes the errors, scrubbed.
    assert ok.returncode == 2, ok.stderr[-2000:]
    assert "the judge scored 0 of 6 samples" in ok.stderr and "bad key ***" in ok.stderr
    wrong = scripted_judge(api_key="another-key")
    bad = run_command(
        ["toolplan", "judge", str(out)],
        env=judge_env(wrong.base_url, tmp_path / "d.sqlite"),
        timeout=120,
    )
    assert bad.returncode == 2 and "TOOLPLAN_JUDGE_API_KEY" in bad.stderr
    assert all(
        r["auth"] == f"Bearer {KEY}" for r in server.requests + wrong.requests
    )  # it was sent
    for text in (ok.stdout, ok.stderr, bad.stdout, bad.stderr):
        assert KEY not in text
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]
    assert leaked == []


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_a_rerun_makes_only_the_missing_calls(
    scripted_judge: Any, tmp_path: Path
) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        if "(variant 0)" not in body["messages"][1]["content"]:
            server.closed.wait(120)  # far slower than the test: these are in flight
        return 200, scripted_verdict(body["messages"])

    server = scripted_judge(behaviour=behaviour)
    out = write_run(tmp_path, 6)
    cache = tmp_path / "cache.sqlite"
    env = {**os.environ, **judge_env(server.base_url, cache), "TOOLPLAN_JUDGE_CONCURRENCY": "4"}
    proc = subprocess.Popen(
        [str(BIN / "toolplan"), "judge", str(out), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if _rows(cache) == 1 and len(server.requests) == 4:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)  # not the 120 s of the slow replies
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and stdout == "", stderr  # no traceback
    assert "interrupted after 1 of 6 samples" in lines[0]
    assert "resumes where it stopped" in lines[0] and str(cache) in lines[0]
    cached = {row[0] for row in _query(cache, "SELECT prompt_hash FROM replies")}
    assert len(cached) == 1  # the one reply that arrived

    asked_before = len(server.requests)
    server.behaviour = lambda body, index: (200, scripted_verdict(body["messages"]))
    again = run_command(
        ["toolplan", "judge", str(out), "--quiet"],
        env=judge_env(server.base_url, cache),
        timeout=120,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    results, _ = outputs(out)
    assert (results["judge"]["calls"], results["judge"]["cache_hits"]) == (5, 1)
    resumed = [prompt_hash(r["body"]["messages"]) for r in server.requests[asked_before:]]
    assert len(resumed) == 5 and not set(resumed) & cached


@pytest.mark.slow
def test_a_run_where_every_call_fails_exits_2_with_the_cause_and_the_fix(
    scripted_judge: Any, tmp_path: Path
) -> None:
    def no_response_format(body: dict[str, Any], index: int) -> tuple[int, str]:
        # A server that does not support response_format answers 400 to every request.
        if "response_format" in body:
            return 400, "response_format json_object is not supported"
        return 200, scripted_verdict(body["messages"])

    server = scripted_judge(behaviour=no_response_format)
    out = write_run(tmp_path, 4)
    result = run_command(
        ["toolplan", "judge", str(out), "--quiet"],
        env=judge_env(server.base_url, tmp_path / "c.sqlite"),
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "the judge scored 0 of 4 samples: 4 judge:http_400" in lines[0]
    assert "Fix: set TOOLPLAN_JUDGE_RESPONSE_FORMAT=none" in lines[0]
    # Written first: nothing computed is lost, each sample keeps its reason.
    results, samples = outputs(out)
    assert results["judge"]["unscored_reasons"] == {"judge:http_400": 4}
    assert str(out / "some__model" / f"judge_results_{STAMP}.json") in lines[0]
    assert {s["judge_info"]["reason"] for s in samples} == {"judge:http_400"}
    assert results["results"]["assetops_free"]["judge_info,none"].startswith(
        "judge: not run, judge:http_400"
    )

    # The fix it names works.
    fixed = run_command(
        ["toolplan", "judge", str(out), "--quiet"],
        env={
            **judge_env(server.base_url, tmp_path / "c.sqlite"),
            "TOOLPLAN_JUDGE_RESPONSE_FORMAT": "none",
        },
        timeout=120,
    )
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    results, _ = outputs(out)
    assert results["judge"]["scored"] == 4 and results["judge"]["calls"] == 4


@pytest.mark.slow
def test_a_key_echoed_by_the_server_is_in_no_file_and_no_output(
    scripted_judge: Any, tmp_path: Path
) -> None:
    def echo(body: dict[str, Any], index: int) -> tuple[int, str]:
        if "(variant 0)" in body["messages"][1]["content"]:
            return 200, f"Authorization: Bearer {KEY}"  # unparseable: kept in the transcript
        verdict = json.loads(scripted_verdict(body["messages"]))
        verdict["rationale"] = f"called with {KEY}"
        return 200, json.dumps(verdict)

    server = scripted_judge(api_key=KEY, behaviour=echo)
    out = write_run(tmp_path, 4)
    result = run_command(
        ["toolplan", "judge", str(out)],
        env=judge_env(server.base_url, tmp_path / "cache.sqlite"),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    _, samples = outputs(out)
    assert samples[1]["judge_info"]["rationale"] == "called with ***"  # it was echoed
    assert KEY not in result.stdout + result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert tmp_path / "cache.sqlite" in written
    assert [p for p in written if KEY.encode() in p.read_bytes()] == []


@pytest.mark.slow
def test_a_folder_without_planning_samples_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_command(
        ["toolplan", "judge", str(tmp_path / "empty")],
        env={"TOOLPLAN_JUDGE_MODEL": "m"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "No assetops planning samples" in result.stderr and "--log_samples" in result.stderr
