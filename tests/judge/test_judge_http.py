"""The judge against a real HTTP server on 127.0.0.1 whose replies the test scripts.

Covers the scored path, the single re-ask, retries on 429/5xx/timeouts/dropped
connections only, garbage bodies, unavailable judges, the cache, bounded concurrency,
an interrupted run, and a key echoed back by the server. Every run must account for
every sample: scored + unscored == inputs, and each unscored one has a reason.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harness_ext.judge.config import JudgeConfig
from harness_ext.judge.rubric import DIMENSIONS, JudgeInput
from harness_ext.judge.scoring import JudgeInterrupted, JudgeRun, judge_all
from tests.judge.scripted_server import (
    DROP,
    TRUNCATE,
    ScriptedJudge,
    free_port_closed,
    scripted_verdict,
)

KEY = "sk-test-do-not-leak-7f3a9c"


def items(n: int) -> list[JudgeInput]:
    """n samples whose candidates have 0..4 '#Agent' lines (scripted score = 1 + count)."""
    tools = "IoTAgent: sites, assets"
    return [
        JudgeInput(f"t:{i}", f"question {i}", "#Task1: g", "#Agent1: IoTAgent\n" * (i % 5), tools)
        for i in range(n)
    ]


def config(server: ScriptedJudge, tmp_path: Path, **changes: Any) -> JudgeConfig:
    base = {
        "model": "scripted",
        "base_url": server.base_url,
        "api_key": KEY,
        "concurrency": 4,
        "timeout_s": 5.0,
        "max_retries": 2,
        "backoff_s": 0.01,
        "cache_path": tmp_path / "cache.sqlite",
    }
    return JudgeConfig(**{**base, **changes})


def accounted(run: JudgeRun, n: int) -> None:
    assert len(run.results) == n
    assert (n - run.unscored) + sum(run.reasons().values()) == n
    for r in run.results:
        assert r.scored == (r.reason is None)
        if not r.scored:
            assert r.reason and r.reason.startswith("judge:") and r.detail
            assert r.transcript[0]["role"] == "system"  # kept with its transcript


def test_scored_path_then_a_rerun_costs_no_call(scripted_judge: Any, tmp_path: Path) -> None:
    server = scripted_judge(api_key=KEY)
    first = judge_all(items(6), config(server, tmp_path), progress=None)
    accounted(first, 6)
    assert first.unscored == 0 and first.calls == 6 and first.cache_hits == 0
    assert [r.verdict.overall for r in first.results if r.verdict] == [1, 2, 3, 4, 5, 1]
    assert all(r["auth"] == f"Bearer {KEY}" for r in server.requests)

    again = judge_all(items(6), config(server, tmp_path), progress=None)
    assert again.calls == 0 and again.cache_hits == 6 and len(server.requests) == 6
    assert [r.verdict for r in again.results] == [r.verdict for r in first.results]


def test_one_reask_rescues_a_bad_first_reply(scripted_judge: Any, tmp_path: Path) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        reasked = len(body["messages"]) > 2
        return 200, scripted_verdict(body["messages"]) if reasked else "I think it is fine."

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(3), config(server, tmp_path), progress=None)
    accounted(run, 3)
    assert run.unscored == 0 and run.calls == 6
    transcript = run.results[0].transcript
    assert [m["role"] for m in transcript] == ["system", "user", "assistant", "user", "assistant"]
    assert "not a single JSON object" in transcript[3]["content"]


def test_still_unparseable_after_the_reask_is_unscored_not_zero(
    scripted_judge: Any, tmp_path: Path
) -> None:
    second = ['{"correctness": 9}', "", "still no json", "[1, 2]"]

    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        if len(body["messages"]) == 2:
            return 200, "nope"
        match = re.search(r"question (\d+)", body["messages"][1]["content"])
        return 200, second[int(match.group(1)) if match else 0]

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(4), config(server, tmp_path), progress=None)
    accounted(run, 4)
    assert run.unscored == 4 and run.calls == 8
    assert [r.reason for r in run.results] == [
        "judge:schema",
        "judge:empty_reply",
        "judge:not_json",
        "judge:not_json",
    ]
    assert "after one re-ask" in run.results[0].detail
    # Parse failures are real replies: cached, so a re-run reproduces them for free.
    assert judge_all(items(4), config(server, tmp_path), progress=None).calls == 0


def test_5xx_and_429_are_retried_then_succeed(scripted_judge: Any, tmp_path: Path) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        return (
            (500, "boom")
            if index % 3 == 0
            else (429, "slow down")
            if index % 3 == 1
            else (
                200,
                scripted_verdict(body["messages"]),
            )
        )

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(3), config(server, tmp_path, concurrency=1), progress=None)
    accounted(run, 3)
    assert run.unscored == 0 and run.calls == 9 == len(server.requests)


def test_retries_are_bounded_and_end_unscored(scripted_judge: Any, tmp_path: Path) -> None:
    server = scripted_judge(behaviour=lambda body, index: (503, "overloaded"))
    run = judge_all(items(2), config(server, tmp_path, max_retries=3), progress=None)
    accounted(run, 2)
    assert run.reasons() == {"judge:http_503": 2}
    assert run.calls == 8 == len(server.requests)  # 1 + 3 retries each
    # Failures are not cached: a later run asks again.
    assert judge_all(items(2), config(server, tmp_path, max_retries=0), progress=None).calls == 2


def test_other_4xx_and_garbage_bodies_are_not_retried(scripted_judge: Any, tmp_path: Path) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        question = body["messages"][1]["content"]
        if "question 0" in question:
            return 400, "context too long"
        if "question 1" in question:
            return 200, "RAW:<html>proxy error</html>"
        return 200, 'RAW:{"choices": []}'

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(3), config(server, tmp_path), progress=None)
    accounted(run, 3)
    assert [r.reason for r in run.results] == [
        "judge:http_400",
        "judge:bad_response",
        "judge:bad_response",
    ]
    assert run.calls == 3 == len(server.requests)


@pytest.mark.parametrize("fault", [DROP, TRUNCATE], ids=["drop", "truncate"])
def test_one_dropped_connection_is_retried_and_the_sample_scored(
    scripted_judge: Any, tmp_path: Path, fault: tuple[int, str]
) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        return fault if index == 0 else (200, scripted_verdict(body["messages"]))

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(3), config(server, tmp_path, concurrency=1), progress=None)
    accounted(run, 3)
    assert run.unscored == 0 and run.fatal is None
    assert run.calls == 4 == len(server.requests)  # the dropped one was asked again


def test_a_connection_dropped_on_every_attempt_fails_that_sample_only(
    scripted_judge: Any, tmp_path: Path
) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        cursed = "question 0" in body["messages"][1]["content"]
        return DROP if cursed else (200, scripted_verdict(body["messages"]))

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(4), config(server, tmp_path, max_retries=2), progress=None)
    accounted(run, 4)
    assert run.fatal is None and run.reasons() == {"judge:disconnected": 1}
    assert "after 3 attempts" in run.results[0].detail
    assert run.calls == 3 + 3


def test_a_server_that_answered_then_refuses_every_retry_is_unreachable(
    scripted_judge: Any, tmp_path: Path
) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        if index == 0:
            server.stop()  # the judge dies after its first answer
        return 200, scripted_verdict(body["messages"])

    server = scripted_judge(behaviour=behaviour)
    cfg = config(server, tmp_path, concurrency=1, max_retries=2)
    run = judge_all(items(3), cfg, progress=None)
    accounted(run, 3)
    assert run.results[0].scored
    assert run.reasons() == {"judge:unreachable": 2}
    assert run.fatal and "refused every one of 3 connection attempts" in run.fatal
    assert "Fix: start the server" in run.fatal


def test_a_timeout_is_retried_then_unscored(scripted_judge: Any, tmp_path: Path) -> None:
    server = scripted_judge(latency_s=1.0)
    run = judge_all(items(1), config(server, tmp_path, timeout_s=0.2, max_retries=1), progress=None)
    accounted(run, 1)
    assert run.reasons() == {"judge:timeout": 1} and run.calls == 2


def test_wrong_key_stops_the_run_with_one_clear_message(
    scripted_judge: Any, tmp_path: Path
) -> None:
    server = scripted_judge(api_key="the-right-key")
    run = judge_all(items(20), config(server, tmp_path, concurrency=2), progress=None)
    accounted(run, 20)
    assert run.reasons() == {"judge:http_401": 20}
    assert run.fatal and "TOOLPLAN_JUDGE_API_KEY" in run.fatal and KEY not in run.fatal
    assert len(server.requests) <= 2  # no request after the judge was found unusable


def test_dead_server_names_the_url_and_the_fix(tmp_path: Path) -> None:
    port = free_port_closed()
    cfg = JudgeConfig(
        model="m", base_url=f"http://127.0.0.1:{port}/v1", cache_path=tmp_path / "c.sqlite"
    )
    run = judge_all(items(5), cfg, progress=None)
    accounted(run, 5)
    assert run.reasons() == {"judge:unreachable": 5}
    assert run.fatal and f"127.0.0.1:{port}" in run.fatal and "Fix:" in run.fatal


def test_cached_replies_still_count_when_the_server_is_gone(
    scripted_judge: Any, tmp_path: Path
) -> None:
    server = scripted_judge()
    judge_all(items(3), config(server, tmp_path), progress=None)
    dead = config(server, tmp_path, base_url=f"http://127.0.0.1:{free_port_closed()}/v1")
    run = judge_all(items(4), dead, progress=None)
    accounted(run, 4)
    assert run.cache_hits == 3 and run.unscored == 1
    assert run.results[3].reason == "judge:unreachable"


def test_concurrency_is_bounded(scripted_judge: Any, tmp_path: Path) -> None:
    lock, live, peak = threading.Lock(), [0], [0]

    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        with lock:
            live[0] += 1
            peak[0] = max(peak[0], live[0])
        time.sleep(0.15)
        with lock:
            live[0] -= 1
        return 200, scripted_verdict(body["messages"])

    server = scripted_judge(behaviour=behaviour)
    run = judge_all(items(12), config(server, tmp_path, concurrency=3), progress=None)
    accounted(run, 12)
    assert peak[0] == 3


def test_the_key_is_in_no_result_transcript_or_log(
    scripted_judge: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = scripted_judge(api_key=KEY, behaviour=_mixed)
    with caplog.at_level(logging.DEBUG):
        run = judge_all(items(6), config(server, tmp_path, max_retries=1), progress=None)
    accounted(run, 6)
    assert KEY not in repr(run.results) and KEY not in caplog.text
    assert KEY.encode() not in (tmp_path / "cache.sqlite").read_bytes()


def test_a_key_the_server_echoes_is_scrubbed_from_transcripts_and_cache(
    scripted_judge: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def echo(body: dict[str, Any], index: int) -> tuple[int, str]:
        if "question 0" in body["messages"][1]["content"]:
            return 200, f"I was called with Bearer {KEY}, no verdict"  # unparseable, twice
        verdict = json.loads(scripted_verdict(body["messages"]))
        verdict["rationale"] = f"your key is {KEY}"
        return 200, json.dumps(verdict)

    server = scripted_judge(api_key=KEY, behaviour=echo)
    with caplog.at_level(logging.DEBUG):
        run = judge_all(items(3), config(server, tmp_path), progress=None)
    accounted(run, 3)
    assert [r.scored for r in run.results] == [False, True, True]  # scrubbing kept verdicts
    assert run.results[1].verdict and run.results[1].verdict.rationale == "your key is ***"
    assert "***" in run.results[0].transcript[2]["content"]
    assert KEY not in repr(run.results) and KEY not in caplog.text
    cache = tmp_path / "cache.sqlite"
    with sqlite3.connect(cache) as db:
        replies = [row[0] for row in db.execute("SELECT reply FROM replies")]
    assert len(replies) == 4 and not [r for r in replies if KEY in r]
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]


def test_ctrl_c_returns_at_once_and_keeps_every_reply_that_arrived(
    scripted_judge: Any, tmp_path: Path
) -> None:
    def behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
        match = re.search(r"question (\d+)", body["messages"][1]["content"])
        if match and int(match.group(1)) >= 3:
            server.closed.wait(120)  # a judge far slower than the test
        return 200, scripted_verdict(body["messages"])

    server = scripted_judge(behaviour=behaviour)
    # 4 workers: samples 0-2 answer at once, 3-6 hang in flight, 7-9 wait in the queue.
    cfg = config(server, tmp_path, concurrency=4, timeout_s=300.0)
    main = threading.main_thread().ident
    assert main is not None

    def interrupt_when_three_are_cached() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(server.requests) == 7 and _cached(tmp_path / "cache.sqlite") == 3:
                break
            time.sleep(0.02)
        signal.pthread_kill(main, signal.SIGINT)  # what Ctrl-C delivers

    threading.Thread(target=interrupt_when_three_are_cached, daemon=True).start()
    start = time.monotonic()
    with pytest.raises(JudgeInterrupted) as caught:
        judge_all(items(10), cfg, progress=None)
    waited = time.monotonic() - start
    stopped = caught.value
    assert (stopped.done, stopped.total, stopped.replies) == (3, 10, 3)
    assert stopped.cache_path == tmp_path / "cache.sqlite"
    assert waited < 60, "the interrupt waited for requests in flight"
    assert len(server.requests) == 7  # the three samples still queued were never sent

    server.behaviour = lambda body, index: (200, scripted_verdict(body["messages"]))
    again = judge_all(items(10), cfg, progress=None)
    accounted(again, 10)
    assert (again.cache_hits, again.calls, again.unscored) == (3, 7, 0)


def _cached(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0])
    except sqlite3.OperationalError:  # created but no table yet
        return 0


def _mixed(body: dict[str, Any], index: int) -> tuple[int, str]:
    # Error texts that quote the key must not carry it into results.
    return [(200, scripted_verdict(body["messages"])), (500, f"bad {KEY}"), (400, KEY)][index % 3]


@pytest.mark.parametrize("mode", ["json_object", "json_schema", "none"])
def test_request_carries_decoding_settings_and_response_format(
    scripted_judge: Any, tmp_path: Path, mode: str
) -> None:
    server = scripted_judge()
    cfg = config(server, tmp_path, response_format=mode, max_tokens=77)
    accounted(judge_all(items(1), cfg, progress=None), 1)
    body = server.requests[0]["body"]
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("scripted", 0.0, 77)
    sent = body.get("response_format")
    if mode == "none":
        assert sent is None
    elif mode == "json_object":
        assert sent == {"type": "json_object"}
    else:
        schema = sent["json_schema"]["schema"]
        assert sent["type"] == "json_schema" and schema["additionalProperties"] is False
        assert set(schema["required"]) == {*DIMENSIONS, "rationale"}
