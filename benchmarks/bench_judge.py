"""Judge throughput at concurrency 1 vs 8, the wall time of a fully cached re-run, and Ctrl-C.

    python benchmarks/bench_judge.py [--samples 32] [--latency-ms 250]
    python benchmarks/bench_judge.py --backend transformers --samples 4
    python benchmarks/bench_judge.py --interrupt [--samples 12] [--slow-s 20]

The judge server is llm-katan on 127.0.0.1, started and stopped here:

* ``echo`` (default): answers after ``--latency-ms`` — a stand-in for a hosted judge,
  where time goes to waiting on the network and concurrency pays off. llm-katan runs
  with ``--max-concurrent 16`` so the server itself does not serialize requests.
  Echo replies are never verdicts, so every sample costs two calls (ask + re-ask).
* ``transformers``: the embedded SmolLM2-135M as the judge, CPU-bound on this machine;
  concurrency cannot beat the cores, which the ratio shows. On a shared machine the
  load average (printed) moves this ratio more than concurrency does.

Each concurrency level starts from an empty cache, so every reply is a real call.
Printed: samples/s and calls/s per level, their ratio, and the cached re-run's wall
time next to the uncached run's.

``--interrupt`` measures Ctrl-C on ``toolplan judge`` (concurrency 8) against the
scripted test server: the first 4 samples answer at once, the others after
``--slow-s``. Once the fast replies are in, SIGINT; printed: seconds from SIGINT to
exit, exit code, stderr lines, replies cached, and what the resumed run pays.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from harness_ext.judge.config import JudgeConfig
from harness_ext.judge.rubric import JudgeInput
from harness_ext.judge.scoring import JudgeRun, judge_all
from harness_ext.planning.catalog import load_catalog


def _items(n: int) -> list[JudgeInput]:
    tools = load_catalog().one_line_per_agent()
    gold = (
        "#Task1: list the sites\n#Agent1: IoTAgent\n#Tool1: sites\n#Args1: {}\n#Dependency1: None"
    )
    return [
        JudgeInput(
            f"bench:{i}",
            f"Which sites are available? (variant {i})",
            gold,
            "#Task1: list sites\n#Agent1: IoTAgent\n#Tool1: sites\n" * (1 + i % 3),
            tools,
        )
        for i in range(n)
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_katan(backend: str, latency_ms: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [
        str(Path(sys.executable).parent / "llm-katan"),
        "--served-model-name", "judge",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--disable-dashboard",
        "--stats-file", str(log.with_suffix(".stats.json")),
        "--log-level", "warning",
        "--max-concurrent", "16",
    ]  # fmt: skip
    if backend == "echo":
        cmd += ["--model", "echo", "--backend", "echo", "--latency-ms", str(latency_ms)]
    else:
        from harness_ext.models.embedded import embedded_model_path

        cmd += ["--model", str(embedded_model_path()), "--device", "cpu", "--no-quantize"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llm-katan exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("llm-katan did not become ready in 120 s")


def _timed(items: list[JudgeInput], config: JudgeConfig) -> tuple[float, JudgeRun]:
    start = time.perf_counter()
    run = judge_all(items, config, progress=None)
    return time.perf_counter() - start, run


def _cached(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _interrupt(samples: int, slow_s: float) -> None:
    # The scripted server is the test suite's; this script runs from anywhere.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.judge import scripted_server

    fast = 4

    def behaviour(body: dict[str, object], index: int) -> tuple[int, str]:
        messages = body["messages"]
        assert isinstance(messages, list)
        match = re.search(r"\(variant (\d+)\)", messages[1]["content"])
        if match and int(match.group(1)) >= fast:
            server.closed.wait(slow_s)
        return 200, scripted_server.scripted_verdict(messages)

    server, stop = scripted_server.start(behaviour=behaviour)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "out" / "model"
        folder.mkdir(parents=True)
        items = _items(samples)
        rows = [
            {
                "doc_id": i,
                "doc": {
                    "id": i,
                    "question": items[i].question,
                    "gold_plans": [items[i].gold],
                    "catalog": "assetops_23",
                    "condition": "free",
                },
                "filtered_resps": [items[i].candidate],
                "filter": "none",
                "doc_hash": str(i),
                "at_f1": 0.0,
            }
            for i in range(samples)
        ]
        name = "samples_assetops_free_2030-01-01T00-00-00.000000.jsonl"
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
        cache = Path(tmp) / "cache.sqlite"
        env = {
            **os.environ,
            "TOOLPLAN_JUDGE_MODEL": "scripted",
            "TOOLPLAN_JUDGE_BASE_URL": server.base_url,
            "TOOLPLAN_JUDGE_CACHE": str(cache),
            "TOOLPLAN_JUDGE_CONCURRENCY": "8",
            "TOOLPLAN_JUDGE_TIMEOUT": str(slow_s * 3),
        }
        cmd = [str(Path(sys.executable).parent / "toolplan"), "judge", str(folder.parent)]
        proc = subprocess.Popen(
            [*cmd, "--quiet"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
        )
        in_flight = min(samples, 8 + fast)
        while proc.poll() is None and not (
            _cached(cache) == fast and len(server.requests) == in_flight
        ):
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        sent = time.perf_counter()
        _, err = proc.communicate()
        exit_s = time.perf_counter() - sent
        cached = _cached(cache)
        asked = len(server.requests)
        server.behaviour = scripted_server.verdict_behaviour
        subprocess.run([*cmd, "--quiet"], env=env, check=True)
        resumed = len(server.requests) - asked
    stop()
    lines = err.decode().strip().splitlines()
    print(
        f"Ctrl-C on toolplan judge: {samples} samples, concurrency 8, {fast} answer at once, "
        f"the rest after {slow_s:.0f} s"
    )
    print(
        f"exit {exit_s:.1f} s after SIGINT, code {proc.returncode}, {len(lines)} stderr "
        f"line(s); {cached} of {fast} replies that arrived are cached; the resumed run "
        f"made {resumed} calls for the {samples - cached} missing samples"
    )
    if lines:
        print(f"stderr: {lines[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("echo", "transformers"), default="echo")
    parser.add_argument("--samples", type=int, help="default 32 (12 with --interrupt)")
    parser.add_argument("--latency-ms", type=int, default=250, help="echo backend reply delay")
    parser.add_argument("--max-tokens", type=int, default=24, help="transformers reply budget")
    parser.add_argument("--interrupt", action="store_true", help="measure Ctrl-C instead")
    parser.add_argument("--slow-s", type=float, default=20.0, help="--interrupt: slow replies")
    args = parser.parse_args()
    if args.interrupt:
        _interrupt(args.samples or 12, args.slow_s)
        return
    args.samples = args.samples or 32

    items = _items(args.samples)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _start_katan(args.backend, args.latency_ms, Path(tmp) / "katan.log")
        try:
            # Warm-up (first-call costs: connection, torch kernels), not timed, not cached.
            warm = JudgeConfig(model="judge", base_url=url, max_tokens=args.max_tokens)
            judge_all(_items(1), replace(warm, timeout_s=600, cache_path=None), progress=None)
            rows = {}
            for concurrency in (1, 8):
                config = JudgeConfig(
                    model="judge",
                    base_url=url,
                    concurrency=concurrency,
                    timeout_s=600,
                    max_tokens=args.max_tokens,
                    response_format="none",
                    cache_path=Path(tmp) / f"cache_c{concurrency}.sqlite",
                )
                wall, run = _timed(items, config)
                cached_wall, cached = _timed(items, config)
                rows[concurrency] = (wall, run, cached_wall, cached)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()

    detail = f"{args.latency_ms} ms latency" if args.backend == "echo" else "SmolLM2-135M on CPU"
    load = f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    print(
        f"judge benchmark: llm-katan {args.backend} ({detail}), {args.samples} samples, "
        f"{os.cpu_count()} CPUs, {load}"
    )
    print(f"{'concurrency':>11}  {'wall s':>8}  {'samples/s':>9}  {'calls':>5}  {'calls/s':>7}")
    for concurrency, (wall, run, _, _) in rows.items():
        print(
            f"{concurrency:>11}  {wall:>8.2f}  {args.samples / wall:>9.2f}  {run.calls:>5}  "
            f"{run.calls / wall:>7.2f}"
        )
    ratio = rows[1][0] / rows[8][0]
    print(f"throughput ratio, concurrency 8 vs 1: {ratio:.2f}x")
    wall, run, cached_wall, cached = rows[8]
    print(
        f"fully cached re-run: {cached_wall:.3f} s for {args.samples} samples "
        f"({cached.calls} calls, {cached.cache_hits} cache hits) vs {wall:.2f} s uncached "
        f"-> {wall / cached_wall:.0f}x faster"
    )


if __name__ == "__main__":
    main()
