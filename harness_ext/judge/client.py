"""Step 2 of 3 (call): the only module in toolplan-eval that does network I/O.

One chat-completion request to any OpenAI-compatible server, through the ``openai``
package (imported lazily). What happens to each kind of failure:

==========================================  ==========================================
429, any 5xx, request timeout               retried with exponential backoff + jitter
                                            (``Retry-After`` honoured, capped at 60 s);
                                            after the last retry: ``CallFailed``
other 4xx (400, 413, 422, ...)              ``CallFailed`` at once (retrying a request
                                            the server rejected cannot help)
a 200 whose body is not a chat completion   ``CallFailed`` (``judge:bad_response``)
connection refused / DNS failure, 401,      ``JudgeUnavailable``: the configuration is
403, 404                                    wrong, so every later call would fail too
==========================================  ==========================================

The API key goes into the ``Authorization`` header and nowhere else: it is scrubbed
from every error text this module produces, and ``JudgeConfig`` never prints it.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from harness_ext.errors import JudgeError, MissingDependencyError
from harness_ext.judge.config import ENV_API_KEY, ENV_BASE_URL, ENV_MODEL, JudgeConfig, redact_url

_MAX_DELAY_S = 60.0


@dataclass(frozen=True)
class Reply:
    """A reply from the judge.

    Attributes:
        text: The assistant message's content ("" when the server sent none).
        latency_s: Wall time of the successful request.
        attempts: HTTP requests sent for it (1 + retries).
    """

    text: str
    latency_s: float
    attempts: int


class CallFailed(Exception):
    """This sample's call failed for good; the sample becomes unscored with ``reason``."""

    def __init__(self, reason: str, detail: str, attempts: int) -> None:
        self.reason, self.detail, self.attempts = reason, detail, attempts
        super().__init__(f"{reason}: {detail}")


class JudgeUnavailable(JudgeError):
    """The judge cannot be used at all (unreachable server, rejected key, unknown model)."""

    def __init__(self, reason: str, message: str, attempts: int) -> None:
        self.reason, self.attempts = reason, attempts
        super().__init__(message)


def response_format(config: JudgeConfig, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The ``response_format`` request field for the configured mode (None: omit it)."""
    if config.response_format == "json_object":
        return {"type": "json_object"}
    if config.response_format == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "plan_verdict", "schema": schema, "strict": True},
        }
    return None


class JudgeClient:
    """Sends chat requests to the configured judge; safe to share between threads.

    Args:
        config: The judge configuration (model, URL, key, timeouts, retries).
        schema: JSON schema of a verdict, sent when ``response_format`` is ``json_schema``.
    """

    def __init__(self, config: JudgeConfig, schema: dict[str, Any]) -> None:
        try:
            import openai
        except ImportError as e:
            raise MissingDependencyError("openai", "The LLM judge", "pip install openai") from e
        self.config = config
        self._openai = openai
        # Retries are ours (429/5xx/timeouts only); the package's own would also retry 409
        # and connection errors.
        self._client = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout_s,
            max_retries=0,
        )
        self._format = response_format(config, schema)
        self._where = redact_url(str(self._client.base_url))

    def _scrub(self, text: str) -> str:
        key = self.config.api_key
        return text.replace(key, "***") if key and len(key) >= 4 else text

    def _delay(self, retry: int, error: Any) -> float:
        delay = self.config.backoff_s * (2**retry) * random.uniform(0.5, 1.0)
        response = getattr(error, "response", None)
        header = response.headers.get("retry-after") if response is not None else None
        # An HTTP-date Retry-After is not parsed; the exponential delay stands in for it.
        if header:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(header))
        return min(delay, _MAX_DELAY_S)

    def complete(
        self, messages: list[dict[str, str]], stop: threading.Event | None = None
    ) -> Reply:
        """Send one chat request, retrying 429/5xx/timeouts.

        Args:
            messages: The chat messages.
            stop: When set (another call found the judge unavailable), no retry starts.

        Raises:
            CallFailed: This request failed for good (reason ``judge:http_<code>``,
                ``judge:timeout`` or ``judge:bad_response``).
            JudgeUnavailable: The server cannot be reached or refuses us.
        """
        oa = self._openai
        extra: dict[str, Any] = {"response_format": self._format} if self._format else {}
        attempts = 0
        while True:
            attempts += 1
            start = time.perf_counter()
            try:
                raw = self._client.chat.completions.with_raw_response.create(
                    model=self.config.model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.config.temperature,
                    max_tokens=self.config.max_tokens,
                    **extra,
                )
                body = raw.http_response.text
                latency = time.perf_counter() - start
            except oa.APITimeoutError as e:
                reason, detail, error = "judge:timeout", f"no reply in {self.config.timeout_s} s", e
            except (oa.RateLimitError, oa.InternalServerError) as e:
                reason, detail, error = f"judge:http_{e.status_code}", self._scrub(e.message), e
            except oa.APIConnectionError as e:
                cause = self._scrub(str(e.__cause__ or e))
                raise JudgeUnavailable(
                    "judge:unreachable",
                    f"Cannot reach the judge at {self._where} ({cause}). Fix: start the server "
                    f"or set {ENV_BASE_URL} / --base-url to its address.",
                    attempts,
                ) from None
            except (oa.AuthenticationError, oa.PermissionDeniedError) as e:
                raise JudgeUnavailable(
                    f"judge:http_{e.status_code}",
                    f"The judge at {self._where} refused the request ({e.status_code}: "
                    f"{self._scrub(e.message)}). Fix: set {ENV_API_KEY} to a valid key.",
                    attempts,
                ) from None
            except oa.NotFoundError as e:
                raise JudgeUnavailable(
                    "judge:http_404",
                    f"The judge at {self._where} answered 404 for model {self.config.model!r} "
                    f"({self._scrub(e.message)}). Fix: check {ENV_MODEL} / --model and that "
                    f"{ENV_BASE_URL} ends with the API root (usually /v1).",
                    attempts,
                ) from None
            except oa.APIStatusError as e:
                raise CallFailed(
                    f"judge:http_{e.status_code}", self._scrub(e.message), attempts
                ) from None
            else:
                return Reply(self._content(body, attempts), latency, attempts)
            if attempts > self.config.max_retries or (stop is not None and stop.is_set()):
                raise CallFailed(reason, f"{detail} (after {attempts} attempts)", attempts)
            time.sleep(self._delay(attempts - 1, error))

    def _content(self, body: str, attempts: int) -> str:
        try:
            data = json.loads(body)
            message = data["choices"][0]["message"]
            content = message.get("content")
        except (json.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError) as e:
            raise CallFailed(
                "judge:bad_response",
                f"the server's 200 reply is not a chat completion ({type(e).__name__}; "
                f"body starts {self._scrub(body[:80])!r})",
                attempts,
            ) from None
        return content if isinstance(content, str) else ""

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()
