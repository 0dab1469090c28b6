"""A tiny OpenAI-compatible judge server (standard library only) for tests and benchmarks.

It is a real HTTP server on 127.0.0.1 (a thread of the test process), answering
``POST /v1/chat/completions`` with replies a test scripts: a valid verdict derived
from the candidate plan, garbage, an HTTP error, or a transport fault, per request.
It records every request so tests can count calls and check headers, and answers
``GET /v1/models`` (the judge's pre-flight check; recorded apart in ``gets``).
llm-katan's echo backend cannot produce a verdict (it answers "[echo] ... User:
<prompt>"), so this server covers the scored path.

Transport faults a behaviour can return (status 0): ``DROP`` closes the connection
without a byte of reply; ``TRUNCATE`` sends the headers of a complete reply and half
its body, then closes.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIMENSIONS = (
    "correctness",
    "agent_routing",
    "tool_selection",
    "argument_quality",
    "efficiency",
    "dependency_correctness",
)
_FENCE = re.compile(r"^(----- candidate [0-9a-f]{16} -----)$", re.MULTILINE)


def candidate_of(messages: list[dict[str, Any]]) -> str:
    """The candidate text between the fence lines of the first user message."""
    user = next(m["content"] for m in messages if m["role"] == "user")
    fences = [m.start() for m in _FENCE.finditer(user)]
    start = user.index("\n", fences[0]) + 1
    return user[start : fences[-1]].strip("\n")


def scripted_verdict(messages: list[dict[str, Any]]) -> str:
    """A verdict that depends on the candidate: 1 + number of '#Agent' lines (max 5)."""
    score = min(5, 1 + candidate_of(messages).count("#Agent"))
    body: dict[str, Any] = {d: score for d in DIMENSIONS}
    body["rationale"] = "scripted"
    return json.dumps(body)


# A behaviour maps (request body, request index) to (HTTP status, reply text or raw body).
Behaviour = Callable[[dict[str, Any], int], tuple[int, str]]
DROP: tuple[int, str] = (0, "drop")
TRUNCATE: tuple[int, str] = (0, "truncate")


def verdict_behaviour(body: dict[str, Any], index: int) -> tuple[int, str]:
    """Always a valid verdict."""
    return 200, scripted_verdict(body["messages"])


@dataclass
class ScriptedJudge:
    """Handle of a running scripted server."""

    port: int
    requests: list[dict[str, Any]] = field(default_factory=list)
    api_key: str | None = None
    latency_s: float = 0.0
    behaviour: Behaviour = verdict_behaviour
    gets: list[str] = field(default_factory=list)
    # Stops the server (set by ``start``); a behaviour may call it to play a dying judge.
    stop: Callable[[], None] = lambda: None
    # Set when the server stops: a behaviour that waits (a slow judge) waits on this.
    closed: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def prompt_hashes(self) -> list[str]:
        """sha256 of each request's messages, in arrival order."""
        return [
            hashlib.sha256(json.dumps(r["body"]["messages"], sort_keys=True).encode()).hexdigest()
            for r in self.requests
        ]


def completion(text: str, model: str) -> dict[str, Any]:
    """A minimal chat.completion body."""
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def start(
    behaviour: Behaviour = verdict_behaviour, api_key: str | None = None, latency_s: float = 0.0
) -> tuple[ScriptedJudge, Callable[[], None]]:
    """Start a server on a free port; returns its handle and a stop function."""
    lock = threading.Lock()
    state = ScriptedJudge(port=0, api_key=api_key, latency_s=latency_s, behaviour=behaviour)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _key_refused(self) -> bool:
            if state.api_key is None or self.headers.get("Authorization") == (
                f"Bearer {state.api_key}"
            ):
                return False
            error = {"error": {"message": "bad key", "type": "invalid_request_error"}}
            self._send(401, json.dumps(error).encode(), "application/json")
            return True

        def do_GET(self) -> None:
            with lock:
                state.gets.append(self.path)
            if self._key_refused():
                return
            if self.path.rstrip("/").endswith("/models"):
                models = {"object": "list", "data": [{"id": "scripted", "object": "model"}]}
                self._send(200, json.dumps(models).encode(), "application/json")
            else:
                self._send(404, b'{"error": {"message": "not found"}}', "application/json")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.loads(raw)
            with lock:
                index = len(state.requests)
                state.requests.append({"body": body, "auth": self.headers.get("Authorization")})
            if self._key_refused():
                return
            if state.latency_s:
                time.sleep(state.latency_s)
            status, text = state.behaviour(body, index)
            if (status, text) == DROP:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif (status, text) == TRUNCATE:
                payload = json.dumps(completion("x" * 200, "?")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif status == 200 and text.startswith("RAW:"):
                self._send(200, text[4:].encode(), "application/json")
            elif status == 200:
                reply = completion(text, body.get("model", "?"))
                self._send(200, json.dumps(reply).encode(), "application/json")
            else:
                error = {"error": {"message": text, "type": "server_error"}}
                self._send(status, json.dumps(error).encode(), "application/json")

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            # A client that hung up (an interrupted judge run) is not a server bug.
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def stop() -> None:
        state.closed.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    state.stop = stop
    return state, stop


def free_port_closed() -> int:
    """A port on 127.0.0.1 with nothing listening (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
