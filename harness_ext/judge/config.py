"""Judge configuration: which server, which model, how hard to try (no I/O, no openai import).

Everything comes from environment variables, which CLI flags override. The API key is
only ever read from the environment (``TOOLPLAN_JUDGE_API_KEY``, or the variable named
by ``--api-key-env``): a key on a command line ends up in shell history and ``ps``.

The judge is *configured* when ``TOOLPLAN_JUDGE_MODEL`` is set. Without it, inline
judging is off and ``toolplan judge`` asks for ``--model``.

``JudgeConfig.scrub`` is the one rule for keeping the key out of what is written:
every occurrence of the configured key in a text becomes ``***`` (a key shorter than
4 characters, or the ``no-key`` placeholder, is not a secret and is left alone).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit, urlunsplit

from harness_ext.errors import JudgeError
from harness_ext.io import parse_bool

ENV_MODEL = "TOOLPLAN_JUDGE_MODEL"
ENV_BASE_URL = "TOOLPLAN_JUDGE_BASE_URL"
ENV_API_KEY = "TOOLPLAN_JUDGE_API_KEY"
ENV_CONCURRENCY = "TOOLPLAN_JUDGE_CONCURRENCY"
ENV_TIMEOUT = "TOOLPLAN_JUDGE_TIMEOUT"
ENV_MAX_RETRIES = "TOOLPLAN_JUDGE_MAX_RETRIES"
ENV_BACKOFF = "TOOLPLAN_JUDGE_BACKOFF"
ENV_MAX_TOKENS = "TOOLPLAN_JUDGE_MAX_TOKENS"
ENV_RESPONSE_FORMAT = "TOOLPLAN_JUDGE_RESPONSE_FORMAT"
ENV_CACHE = "TOOLPLAN_JUDGE_CACHE"
ENV_INLINE = "TOOLPLAN_JUDGE_INLINE"

ResponseFormat = Literal["json_object", "json_schema", "none"]
RESPONSE_FORMATS: tuple[str, ...] = get_args(ResponseFormat)
# Servers such as llm-katan reject requests without an Authorization header even when
# they ignore its value; a local judge needs no real key.
NO_KEY = "no-key"
CACHE_OFF = "off"
SCRUBBED = "***"
_MIN_SECRET_LEN = 4


def default_cache_path() -> Path:
    """``$TOOLPLAN_EVAL_CACHE/judge_cache.sqlite`` (default ``~/.cache/toolplan-eval``)."""
    from harness_ext.models.embedded import cache_dir

    return cache_dir() / "judge_cache.sqlite"


@dataclass(frozen=True)
class JudgeConfig:
    """A validated judge configuration.

    Attributes:
        model: Model name sent to the server; part of every cache key.
        base_url: OpenAI-compatible base URL (``.../v1``); None = the openai package's
            default (``OPENAI_BASE_URL`` or api.openai.com).
        api_key: Secret; never printed (``repr=False``) and never written anywhere.
        concurrency: Requests in flight at once (>= 1).
        timeout_s: Per-request timeout; a timeout is retried like a 5xx.
        max_retries: Retries per request after 429, 5xx, a timeout or a dropped
            connection (others: none).
        backoff_s: First retry delay; doubles per retry, with jitter, capped at 60 s.
        max_tokens: Reply budget. The verdict needs ~100 tokens, but a thinking model
            (e.g. Gemini 2.5 behind an OpenAI-compatible endpoint) spends this budget on
            its thoughts too; an answer cut short ends unscored (``judge:not_json``).
        temperature: 0 (the paper's setting); part of the cache key.
        response_format: ``json_object`` (widest support), ``json_schema`` (structured
            output with our schema) or ``none`` (prompt-only JSON).
        cache_path: SQLite cache file; None disables caching.
    """

    model: str
    base_url: str | None = None
    api_key: str = field(default=NO_KEY, repr=False)
    concurrency: int = 8
    timeout_s: float = 60.0
    max_retries: int = 4
    backoff_s: float = 1.0
    max_tokens: int = 1024
    temperature: float = 0.0
    response_format: ResponseFormat = "json_object"
    cache_path: Path | None = None

    def __post_init__(self) -> None:
        fix = f"set {ENV_MODEL} (or --model) to the judge model's name on the server"
        if not self.model.strip():
            raise JudgeError(f"The judge model name is empty. Fix: {fix}.")
        if self.base_url is not None:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise JudgeError(
                    f"Judge base URL {redact_url(self.base_url)!r} is not an http(s) URL. "
                    f"Fix: set {ENV_BASE_URL} (or --base-url) to e.g. http://127.0.0.1:8000/v1."
                )
        checks = (
            (self.concurrency >= 1, f"concurrency must be >= 1 ({ENV_CONCURRENCY})"),
            (self.timeout_s > 0, f"timeout must be > 0 seconds ({ENV_TIMEOUT})"),
            (self.max_retries >= 0, f"max retries must be >= 0 ({ENV_MAX_RETRIES})"),
            (self.backoff_s >= 0, f"backoff must be >= 0 seconds ({ENV_BACKOFF})"),
            (self.max_tokens >= 1, f"max tokens must be >= 1 ({ENV_MAX_TOKENS})"),
            (self.temperature >= 0, "temperature must be >= 0"),
        )
        for ok, problem in checks:
            if not ok:
                raise JudgeError(f"Invalid judge setting: {problem}.")
        if self.response_format not in RESPONSE_FORMATS:
            raise JudgeError(
                f"Unknown judge response format {self.response_format!r} "
                f"({ENV_RESPONSE_FORMAT}); use one of {', '.join(RESPONSE_FORMATS)}."
            )

    def __repr__(self) -> str:
        # The URL may carry user:password or a ?key=; the key field is never shown.
        shown = {**self.public(), "cache_path": self.cache_path}
        return f"JudgeConfig({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the API key replaced by ``***`` (module rule)."""
        key = self.api_key
        if key == NO_KEY or len(key) < _MIN_SECRET_LEN:
            return text
        return text.replace(key, SCRUBBED)

    def decoding_params(self) -> dict[str, Any]:
        """What besides the prompt decides the reply; part of the cache key."""
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "response_format": self.response_format,
        }

    def public(self) -> dict[str, Any]:
        """The settings safe to write into results: no key, no credentials in the URL."""
        return {
            "model": self.model,
            "base_url": redact_url(self.base_url) if self.base_url else None,
            "concurrency": self.concurrency,
            "timeout_s": self.timeout_s,
            "max_retries": self.max_retries,
            **self.decoding_params(),
        }

    def with_overrides(self, **changes: Any) -> JudgeConfig:
        """A copy with the non-None ``changes`` applied (CLI flags over env)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def redact_url(url: str) -> str:
    """Drop user:password and the query string from a URL (both can carry secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def judge_configured(env: Mapping[str, str] | None = None) -> bool:
    """True when a judge model is named in the environment."""
    env = os.environ if env is None else env
    return bool(env.get(ENV_MODEL, "").strip())


def inline_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Inline judging runs when a model is configured and ``TOOLPLAN_JUDGE_INLINE`` is not off.

    Unset or empty ``TOOLPLAN_JUDGE_INLINE`` means on; ``0/false/no/off`` off.

    Raises:
        JudgeError: ``TOOLPLAN_JUDGE_INLINE`` is set to something that is not a boolean
            (a typo must not silently turn the judge on or off).
    """
    env = os.environ if env is None else env
    raw = env.get(ENV_INLINE, "").strip()
    inline = parse_bool(raw) if raw else True
    if inline is None:
        raise JudgeError(
            f"{ENV_INLINE}={raw!r} is not a boolean. Fix: set it to 0 (no inline judging) "
            "or 1, or unset it."
        )
    return inline and judge_configured(env)


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> Any:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return kind(raw)
    except ValueError as e:
        raise JudgeError(
            f"{name}={raw!r} is not a valid {kind.__name__}. Fix: set it to a number or unset it."
        ) from e


def config_from_env(
    env: Mapping[str, str] | None = None, api_key_env: str | None = None, **overrides: Any
) -> JudgeConfig:
    """Build a ``JudgeConfig`` from environment variables, then apply non-None ``overrides``.

    Args:
        env: The environment (default ``os.environ``).
        api_key_env: Read the key from this variable instead of ``TOOLPLAN_JUDGE_API_KEY``.
        **overrides: ``JudgeConfig`` fields from CLI flags; None means "not given".

    Raises:
        JudgeError: No model named, or a setting is invalid.
    """
    env = os.environ if env is None else env
    model = overrides.pop("model", None) or env.get(ENV_MODEL, "").strip()
    if not model:
        raise JudgeError(
            f"No judge model configured. Fix: set {ENV_MODEL} (and {ENV_BASE_URL}, "
            f"{ENV_API_KEY} if the server needs a key), or pass --model."
        )
    key_var = api_key_env or ENV_API_KEY
    if api_key_env and api_key_env not in env:
        raise JudgeError(f"--api-key-env names {api_key_env}, which is not set in the environment.")
    cache_raw = env.get(ENV_CACHE, "").strip()
    cache_path: Path | None = (
        None
        if cache_raw.lower() == CACHE_OFF
        else Path(cache_raw).expanduser()
        if cache_raw
        else default_cache_path()
    )
    values: dict[str, Any] = {
        "model": model,
        "base_url": env.get(ENV_BASE_URL, "").strip() or None,
        "api_key": env.get(key_var, "").strip() or NO_KEY,
        "concurrency": _number(env, ENV_CONCURRENCY, int),
        "timeout_s": _number(env, ENV_TIMEOUT, float),
        "max_retries": _number(env, ENV_MAX_RETRIES, int),
        "backoff_s": _number(env, ENV_BACKOFF, float),
        "max_tokens": _number(env, ENV_MAX_TOKENS, int),
        "response_format": env.get(ENV_RESPONSE_FORMAT, "").strip() or None,
        "cache_path": cache_path,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    base = JudgeConfig(model=values.pop("model"))
    # cache_path None is meaningful ("off"), so it is set even when None.
    cache = values.pop("cache_path")
    return replace(base.with_overrides(**values), cache_path=cache)
