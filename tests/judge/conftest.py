"""Judge test servers on 127.0.0.1, started on free ports and always stopped.

* ``scripted_judge``: factory for the standard-library server of ``scripted_server``
  (a thread of the test process; scripted verdicts and failures).
* ``katan``: factory for llm-katan subprocesses (transformers backend on the embedded
  model, or the echo backend with its failure-injection flags).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.judge import scripted_server
from tests.judge.scripted_server import ScriptedJudge

BIN = Path(sys.executable).parent


@pytest.fixture
def scripted_judge() -> Iterator[Callable[..., ScriptedJudge]]:
    stops: list[Callable[[], None]] = []

    def start(**kwargs: Any) -> ScriptedJudge:
        state, stop = scripted_server.start(**kwargs)
        stops.append(stop)
        return state

    yield start
    for stop in stops:
        stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Katan:
    """A running llm-katan server and its log file."""

    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def requests_seen(self) -> int:
        """Chat requests the server accepted (one INFO line each, before any injected fault)."""
        return sum(1 for line in self.log.read_text().splitlines() if "| model=" in line)


@pytest.fixture
def katan(tmp_path: Path) -> Iterator[Callable[..., Katan]]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(model: str, *flags: str, ready_s: float = 90) -> Katan:
        port = free_port()
        log = tmp_path / f"katan_{port}.log"
        cmd = [
            str(BIN / "llm-katan"),
            "--model", model,
            "--served-model-name", "judge",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--disable-dashboard",
            "--stats-file", str(tmp_path / f"katan_{port}_stats.json"),
            "--log-level", "info",
            *flags,
        ]  # fmt: skip
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"}
            )
        procs.append(proc)
        deadline = time.monotonic() + ready_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llm-katan exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    return Katan(port, log)
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"llm-katan not ready after {ready_s} s:\n{log.read_text()[-3000:]}")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            # uvicorn waits for requests in flight (a generation can take a while).
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
