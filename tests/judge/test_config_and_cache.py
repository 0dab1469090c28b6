"""Judge configuration from the environment, and the SQLite reply cache."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError, JudgeError
from harness_ext.judge.cache import JudgeCache, cache_key
from harness_ext.judge.config import (
    NO_KEY,
    config_from_env,
    inline_enabled,
    judge_configured,
    redact_url,
)

SECRET = "sk-unit-secret-0123456789"


def test_env_gives_every_setting(tmp_path: Path) -> None:
    env = {
        "TOOLPLAN_JUDGE_MODEL": "m",
        "TOOLPLAN_JUDGE_BASE_URL": "http://127.0.0.1:9/v1",
        "TOOLPLAN_JUDGE_API_KEY": SECRET,
        "TOOLPLAN_JUDGE_CONCURRENCY": "3",
        "TOOLPLAN_JUDGE_TIMEOUT": "2.5",
        "TOOLPLAN_JUDGE_MAX_RETRIES": "1",
        "TOOLPLAN_JUDGE_BACKOFF": "0",
        "TOOLPLAN_JUDGE_MAX_TOKENS": "40",
        "TOOLPLAN_JUDGE_RESPONSE_FORMAT": "none",
        "TOOLPLAN_JUDGE_CACHE": str(tmp_path / "c.sqlite"),
    }
    config = config_from_env(env)
    assert (config.model, config.base_url, config.api_key) == (
        "m",
        env["TOOLPLAN_JUDGE_BASE_URL"],
        SECRET,
    )
    assert (config.concurrency, config.timeout_s, config.max_retries) == (3, 2.5, 1)
    assert (config.backoff_s, config.max_tokens, config.response_format) == (0.0, 40, "none")
    assert config.cache_path == tmp_path / "c.sqlite"


def test_flags_override_env_and_cache_can_be_off() -> None:
    env = {"TOOLPLAN_JUDGE_MODEL": "m", "TOOLPLAN_JUDGE_CACHE": "off"}
    config = config_from_env(env, model="other", concurrency=2, timeout_s=None)
    assert (config.model, config.concurrency, config.timeout_s) == ("other", 2, 60.0)
    assert config.cache_path is None and config.api_key == NO_KEY


def test_key_from_a_named_variable() -> None:
    env = {"TOOLPLAN_JUDGE_MODEL": "m", "MY_KEY": SECRET}
    assert config_from_env(env, api_key_env="MY_KEY").api_key == SECRET
    with pytest.raises(JudgeError, match="NOT_SET"):
        config_from_env(env, api_key_env="NOT_SET")


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({}, "TOOLPLAN_JUDGE_MODEL"),
        ({"TOOLPLAN_JUDGE_BASE_URL": "127.0.0.1:8000"}, "not an http"),
        ({"TOOLPLAN_JUDGE_CONCURRENCY": "0"}, "concurrency"),
        ({"TOOLPLAN_JUDGE_TIMEOUT": "soon"}, "TOOLPLAN_JUDGE_TIMEOUT"),
        ({"TOOLPLAN_JUDGE_RESPONSE_FORMAT": "xml"}, "json_object"),
    ],
)
def test_bad_settings_fail_at_construction(env: dict[str, str], match: str) -> None:
    full = {"TOOLPLAN_JUDGE_MODEL": "m", **env} if env else {}
    with pytest.raises(JudgeError, match=match):
        config_from_env(full)


def test_key_never_shows_in_repr_or_public_settings() -> None:
    env = {
        "TOOLPLAN_JUDGE_MODEL": "m",
        "TOOLPLAN_JUDGE_API_KEY": SECRET,
        "TOOLPLAN_JUDGE_BASE_URL": f"https://user:{SECRET}@host.example:8443/v1?key={SECRET}",
    }
    config = config_from_env(env)
    assert SECRET not in repr(config) and SECRET not in str(config.public())
    assert config.public()["base_url"] == "https://host.example:8443/v1"
    assert redact_url("http://h/v1") == "http://h/v1"


def test_inline_switches() -> None:
    assert not judge_configured({}) and not inline_enabled({})
    assert inline_enabled({"TOOLPLAN_JUDGE_MODEL": "m"})
    assert not inline_enabled({"TOOLPLAN_JUDGE_MODEL": "m", "TOOLPLAN_JUDGE_INLINE": "0"})


def _put(cache: JudgeCache, key: str, reply: str) -> None:
    cache.put(
        key,
        model="m",
        template_version="t/1",
        prompt_hash="p",
        params={},
        reply=reply,
        latency_s=0.5,
    )


def test_cache_key_changes_with_each_part() -> None:
    base = cache_key("m", "t/1", "p", {"temperature": 0})
    others = [
        cache_key("m2", "t/1", "p", {"temperature": 0}),
        cache_key("m", "t/2", "p", {"temperature": 0}),
        cache_key("m", "t/1", "p2", {"temperature": 0}),
        cache_key("m", "t/1", "p", {"temperature": 0.5}),
    ]
    assert len({base, *others}) == 5
    assert base == cache_key("m", "t/1", "p", {"temperature": 0})


def test_cache_round_trip_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.sqlite"
    cache = JudgeCache(path)
    assert cache.get("k") is None
    _put(cache, "k", "reply")
    _put(cache, "k", "second writer is ignored")
    cache.close()
    again = JudgeCache(path)
    hit = again.get("k")
    assert hit is not None and (hit.reply, hit.latency_s) == ("reply", 0.5)
    assert len(again) == 1


def test_cache_is_safe_across_threads(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")
    threads = [
        threading.Thread(target=lambda i=i: [_put(cache, f"{i}-{j}", "r") for j in range(25)])
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 200


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "cache.sqlite"
    bad.write_text("not a database " * 100)
    with pytest.raises(DataFileError, match="TOOLPLAN_JUDGE_CACHE"):
        JudgeCache(bad)
