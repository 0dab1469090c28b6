"""Judge throughput at concurrency 1 vs 8, and the wall time of a fully cached re-run.

    python benchmarks/bench_judge.py [--samples 32] [--latency-ms 250]
    python benchmarks/bench_judge.py --backend transformers --samples 4

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
"""

from __future__ import annotations

import argparse
import os
import socket
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("echo", "transformers"), default="echo")
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--latency-ms", type=int, default=250, help="echo backend reply delay")
    parser.add_argument("--max-tokens", type=int, default=24, help="transformers reply budget")
    args = parser.parse_args()

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
