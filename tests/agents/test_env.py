"""The environment: fresh backends per task, and a dispatcher that only runs documented
public methods with valid arguments."""

from __future__ import annotations

import pytest

from harness_ext.agents.bfcl import CATEGORIES, get_task, load_tasks
from harness_ext.agents.env import (
    DECODE,
    MISSING_REQUIRED,
    OUT_OF_RANGE,
    PRIVATE_NAME,
    TOO_MANY_POSITIONAL,
    UNKNOWN_FUNCTION,
    UNKNOWN_PARAM,
    WITHHELD_FUNCTION,
    WRONG_TYPE,
    Environment,
    bind_positional,
    result_text,
)
from harness_ext.fc.calls import Call

# Ground-truth calls our dispatcher refuses, by design, and why (README: deliberate
# differences). Anything else refused would be a dispatcher bug.
KNOWN_REFUSED = {
    ("multi_turn_base_173", "close_ticket(ticket_id='ticket_001')"): WRONG_TYPE,
    ("multi_turn_miss_param_173", "close_ticket(ticket_id='ticket_001')"): WRONG_TYPE,
    ("multi_turn_miss_func_173", "close_ticket(ticket_id='ticket_001')"): WRONG_TYPE,
    ("multi_turn_miss_func_49", "tail(file_name='file3.txt')"): WITHHELD_FUNCTION,
}


@pytest.fixture()
def fs_env() -> Environment:
    return Environment(get_task("base", 0))  # GorillaFileSystem + TwitterAPI


def test_every_ground_truth_call_runs_except_the_known_ones() -> None:
    refused = {}
    for category in CATEGORIES:
        for task in load_tasks(category):
            env = Environment(task)
            for t, calls in enumerate(task.ground_truth):
                env.begin_turn(t)
                for text in calls:
                    for obs in env.execute(text):
                        if not obs.executed:
                            refused[(task.id, text)] = obs.cause
    assert refused == KNOWN_REFUSED


def test_environments_share_no_state() -> None:
    task = get_task("base", 0)
    first, second = Environment(task), Environment(task)
    assert first.execute("mkdir(dir_name='new_dir')")[0].executed
    assert first.snapshot() != second.snapshot()
    assert Environment(task).snapshot() == second.snapshot()


@pytest.mark.parametrize(
    ("call", "cause"),
    [
        (Call("_load_scenario", {"scenario": {}}), PRIVATE_NAME),
        (Call("__init__", {}), PRIVATE_NAME),
        (Call("root.contents.clear", {}), PRIVATE_NAME),
        (Call("format_disk", {}), UNKNOWN_FUNCTION),
        (Call("cd", {}), MISSING_REQUIRED),
        (Call("cd", {"folder": "x", "force": True}), UNKNOWN_PARAM),
        (Call("cd", {"folder": 3}), WRONG_TYPE),
        (Call("ls", {"a": "yes"}), WRONG_TYPE),
        (Call("tail", {"file_name": "a", "lines": 2.5}), WRONG_TYPE),
        (Call("tail", {"file_name": "a", "lines": True}), WRONG_TYPE),
        (Call("tail", {"file_name": "a", "lines": 10**15}), OUT_OF_RANGE),
    ],
)
def test_refused_calls_do_not_run(fs_env: Environment, call: Call, cause: str) -> None:
    before = fs_env.snapshot()
    obs = fs_env.dispatch(call)
    assert (obs.executed, obs.cause) == (False, cause)
    assert obs.text.startswith("Error: ")
    assert fs_env.snapshot() == before


def test_limits_stop_a_hanging_power() -> None:
    task = next(t for t in load_tasks("multi_turn_base") if "MathAPI" in t.involved_classes)
    env = Environment(task)
    obs = env.dispatch(Call("power", {"base": 10, "exponent": 10**9}))
    assert obs.cause == OUT_OF_RANGE
    assert env.dispatch(Call("power", {"base": 2, "exponent": 10})).text == '{"result": 1024}'


def test_precision_does_not_leak_between_calls() -> None:
    import mpmath

    task = next(t for t in load_tasks("multi_turn_base") if "MathAPI" in t.involved_classes)
    before = mpmath.mp.dps
    obs = Environment(task).dispatch(
        Call("logarithm", {"value": 8.0, "base": 2.0, "precision": 50})
    )
    assert obs.executed and mpmath.mp.dps == before


def test_strings_decoded_without_eval_and_positionals_bound(fs_env: Environment) -> None:
    [obs] = fs_env.execute("cd('document')")  # positional, as 40 ground-truth calls are
    assert obs.executed and obs.call == "cd(folder='document')"
    [bad] = fs_env.execute("__import__('os').system('touch /tmp/toolplan_pwned')")
    assert bad.cause == DECODE and not bad.executed
    [many] = fs_env.execute("cd('a', 'b')")
    assert many.cause == TOO_MANY_POSITIONAL
    assert bind_positional("[f(1, y=2)]", {"f": ["x", "y"]}) == "[f(x=1, y=2)]"


def test_arguments_are_copied_into_the_backend() -> None:
    task = next(t for t in load_tasks("multi_turn_base") if "TwitterAPI" in t.involved_classes)
    env = Environment(task)
    config = task.initial_config["TwitterAPI"]
    env.dispatch(
        Call(
            "authenticate_twitter", {"username": config["username"], "password": config["password"]}
        )
    )
    mentions = ["@a"]
    env.dispatch(Call("post_tweet", {"content": "hi", "tags": [], "mentions": mentions}))
    tweet_id = max(env.instances["TwitterAPI"].tweets)
    env.dispatch(Call("mention", {"tweet_id": tweet_id, "mentioned_usernames": ["@b"]}))
    assert mentions == ["@a"]  # the backend changed its own copy, not the call's list


def test_result_text_follows_bfcl() -> None:
    assert result_text("plain") == "plain"
    assert result_text({"a": 1}) == '{"a": 1}'
    assert result_text({"a": object}).startswith("{'a': ")  # not JSON: str() as BFCL does
    assert result_text(None) == "None"


def test_backend_exceptions_become_observations(
    monkeypatch: pytest.MonkeyPatch, fs_env: Environment
) -> None:
    def boom(self: object, folder: str) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(type(fs_env.instances["GorillaFileSystem"]), "cd", boom)
    obs = fs_env.dispatch(Call("cd", {"folder": "x"}))
    assert obs.executed and obs.text == "Error during execution: disk on fire"
