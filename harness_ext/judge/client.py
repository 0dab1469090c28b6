"""Step 2 of 3 (call): the only module in toolplan-eval that does network I/O.

One chat-completion request to any OpenAI-compatible server, through the ``openai``
package (imported lazily). What happens to each kind of failure:

==========================================  ==========================================
429, any 5xx, request timeout               retried with exponential backoff + jitter
                                            (``Retry-After`` honoured, capped at 60 s);
                                            after the last retry: ``CallFailed``
connection dropped or reply body cut short  retried like a 5xx (``judge:disconnected``);
(the server had accepted the connection)    a live server that hiccups once must not
                                            stop the run
connection refused / DNS failure            ``JudgeUnavailable`` (``judge:unreachable``)
                                            when the server never answered this client
                                            yet (the first contact), or when every
                                            attempt of a request was refused; a refusal
                                            after earlier answers is retried (restart)
other 4xx (400, 413, 422, ...)              ``CallFailed`` at once (retrying a request
                                            the server rejected cannot help)
a 200 whose body is not a chat completion   ``CallFailed`` (``judge:bad_response``)
401, 403, 404                               ``JudgeUnavailable``: the configuration is
                                            wrong, so every later call would fail too
==========================================  ==========================================

``JudgeClient.probe`` is a pre-flight check (``GET <base>/models``) that finds a
server that is not there or refuses the key before anything is generated.

The API key goes into the ``Authorization`` header and nowhere else: it is scrubbed
(``JudgeConfig.scrub``) from every error text this module produces *and* from every
reply text it returns (a server may echo what it was sent), and ``JudgeConfig`` never
prints it.
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
        # Set once any HTTP response (whatever its status) came back: from then on a
        # refused connection is a server restarting, not a wrong address.
        self._answered = threading.Event()

    def _scrub(self, text: str) -> str:
        return self.config.scrub(text)

    def _unreachable(self, cause: str, attempts: int) -> JudgeUnavailable:
        if attempts > 1:
            what = f"refused every one of {attempts} connection attempts ({cause})"
        else:
            what = f"cannot be reached ({cause})"
        return JudgeUnavailable(
            "judge:unreachable",
            f"The judge at {self._where} {what}. Fix: start the server or set "
            f"{ENV_BASE_URL} / --base-url to its address.",
            attempts,
        )

    def probe(self) -> None:
        """Check that the server answers and accepts the key (``GET <base>/models``).

        Only two outcomes fail: no connection at all, and 401/403. Anything else — a
        list, a 404 from a server without ``/models``, a 5xx, a slow reply — passes:
        the real calls will tell, and a probe must not block a judge that works.

        Raises:
            JudgeUnavailable: The server refuses connections or rejects the key.
        """
        oa = self._openai
        try:
            self._client.with_options(timeout=min(self.config.timeout_s, 10.0)).models.list()
        except oa.APITimeoutError:
            return
        except oa.APIConnectionError as e:
            if self._refused(e):
                raise self._unreachable(self._scrub(str(e.__cause__ or e)), 1) from None
        except (oa.AuthenticationError, oa.PermissionDeniedError) as e:
            raise self._refused_key(e, 1) from None
        except oa.APIStatusError:
            pass
        self._answered.set()

    @staticmethod
    def _refused(error: BaseException) -> bool:
        """True when a connection error means nothing accepted the connection.

        openai wraps the transport's error; which HTTP package that is varies by openai
        version (httpx, httpx2), so the cause is recognised by its class name
        ``ConnectError`` (refused, DNS failure, no route) anywhere in the chain.
        """
        seen: BaseException | None = error
        for _ in range(8):  # a chain is short; the bound guards against a cycle
            if seen is None:
                break
            if isinstance(seen, ConnectionRefusedError) or any(
                c.__name__ == "ConnectError" for c in type(seen).__mro__
            ):
                return True
            seen = seen.__cause__ or seen.__context__
        return False

    def _refused_key(self, e: Any, attempts: int) -> JudgeUnavailable:
        return JudgeUnavailable(
            f"judge:http_{e.status_code}",
            f"The judge at {self._where} refused the request ({e.status_code}: "
            f"{self._scrub(e.message)}). Fix: set {ENV_API_KEY} to a valid key.",
            attempts,
        )

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
        """Send one chat request, retrying 429/5xx/timeouts/dropped connections.

        Args:
            messages: The chat messages.
            stop: When set (another call found the judge unavailable, or the run was
                interrupted), no retry starts and a backoff wait ends at once.

        Returns:
            The reply, its text scrubbed of the API key.

        Raises:
            CallFailed: This request failed for good (reason ``judge:http_<code>``,
                ``judge:timeout``, ``judge:disconnected`` or ``judge:bad_response``).
            JudgeUnavailable: The server cannot be reached or refuses us.
        """
        oa = self._openai
        extra: dict[str, Any] = {"response_format": self._format} if self._format else {}
        attempts = refusals = 0
        cause = ""
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
                self._answered.set()
                reason, detail, error = f"judge:http_{e.status_code}", self._scrub(e.message), e
            except oa.APIConnectionError as e:
                cause = self._scrub(str(e.__cause__ or e))
                if self._refused(e):
                    refusals += 1
                    if not self._answered.is_set():
                        raise self._unreachable(cause, attempts) from None
                    reason, detail = "judge:unreachable", f"connection refused ({cause})"
                else:
                    # The server took the connection, then dropped it or cut the body
                    # short: a hiccup of a live server, retried like a 5xx.
                    reason, detail = "judge:disconnected", cause
                error = e
            except (oa.AuthenticationError, oa.PermissionDeniedError) as e:
                raise self._refused_key(e, attempts) from None
            except oa.NotFoundError as e:
                raise JudgeUnavailable(
                    "judge:http_404",
                    f"The judge at {self._where} answered 404 for model {self.config.model!r} "
                    f"({self._scrub(e.message)}). Fix: check {ENV_MODEL} / --model and that "
                    f"{ENV_BASE_URL} ends with the API root (usually /v1).",
                    attempts,
                ) from None
            except oa.APIStatusError as e:
                self._answered.set()
                raise CallFailed(
                    f"judge:http_{e.status_code}", self._scrub(e.message), attempts
                ) from None
            else:
                self._answered.set()
                return Reply(self._scrub(self._content(body, attempts)), latency, attempts)
            halted = stop is not None and stop.is_set()
            if attempts > self.config.max_retries or halted:
                if refusals == attempts and not halted:
                    raise self._unreachable(cause, attempts)
                raise CallFailed(reason, f"{detail} (after {attempts} attempts)", attempts)
            # An interrupt or a fatal error elsewhere ends the wait at once.
            if stop is not None:
                stop.wait(self._delay(attempts - 1, error))
            else:
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
                f"body starts {self._scrub(body)[:80]!r})",
                attempts,
            ) from None
        return content if isinstance(content, str) else ""

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()
