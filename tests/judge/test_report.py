"""Per-sample judge values, their aggregations, and the task YAML that lists them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from harness_ext.judge.config import JudgeConfig
from harness_ext.judge.report import failure_summary, sample_metrics, unscored_summary
from harness_ext.judge.rubric import DIMENSIONS, load_template
from harness_ext.judge.scoring import JudgeResult, JudgeRun, Verdict
from harness_ext.metrics.aggregations import judge_info, pooled_mean, spearman, total

TRANSCRIPT = ({"role": "user", "content": "q"}, {"role": "assistant", "content": "a"})


def _result(verdict: Verdict | None, reason: str | None = None) -> JudgeResult:
    return JudgeResult("t:0", verdict, reason, "why", TRANSCRIPT, 2, 1, (0.25,))


def test_scored_sample_has_every_dimension_and_a_spearman_pair() -> None:
    verdict = Verdict({d: 4 for d in DIMENSIONS}, "ok")
    values = sample_metrics(_result(verdict), "m", "t#1", at_f1=0.5)
    assert all(values[f"judge_{d}"] == 4 for d in DIMENSIONS)
    assert values["judge_overall"] == 4.0
    assert values["judge_spearman_at_f1"] == [4.0, 0.5]
    assert values["judge_unscored_rate"] == []
    assert (values["judge_calls"], values["judge_cache_hits"]) == (2, 1)
    assert values["judge_latency_s"] == [0.25, 1]
    assert values["judge_info"]["status"] == "scored"


def test_unscored_sample_has_no_score_at_all_and_keeps_reason_and_transcript() -> None:
    values = sample_metrics(_result(None, "judge:not_json"), "m", "t#1", at_f1=0.0)
    scored_keys = {f"judge_{d}" for d in DIMENSIONS} | {"judge_overall", "judge_spearman_at_f1"}
    assert not scored_keys & values.keys()  # excluded from means, never a 0
    assert values["judge_unscored_rate"] == ["judge:not_json"]
    info = values["judge_info"]
    assert (info["status"], info["reason"], info["detail"]) == ("unscored", "judge:not_json", "why")
    assert info["transcript"] == list(TRANSCRIPT)


def test_no_spearman_pair_without_at_f1() -> None:
    verdict = Verdict({d: 4 for d in DIMENSIONS})
    assert "judge_spearman_at_f1" not in sample_metrics(_result(verdict), "m", "t", at_f1=None)


def test_aggregations_and_their_undefined_cases() -> None:
    assert total([1, 2, 0]) == 3.0 and total([]) == 0.0
    assert pooled_mean([[1.0, 2], [2.0, 2]]) == 0.75
    assert math.isnan(pooled_mean([[0.0, 0]]))  # no call made: no latency to report
    assert spearman([[1, 0.1], [2, 0.2], [3, 0.9]]) == pytest.approx(1.0)
    assert spearman([[1, 0.9], [2, 0.2], [3, 0.1]]) == pytest.approx(-1.0)
    assert math.isnan(spearman([[1, 0.5]]))
    assert math.isnan(spearman([[1, 0.0], [2, 0.0]]))  # constant at_f1: undefined
    assert judge_info([{"model": "m", "template": "t"}] * 2) == "model=m template=t"


def test_judge_info_says_not_run_when_no_sample_has_a_verdict() -> None:
    scored = {"model": "m", "template": "t", "status": "scored", "reason": None}
    refused = {"model": "m", "template": "t", "status": "unscored", "reason": "judge:http_400"}
    timeout = {**refused, "reason": "judge:timeout"}
    assert judge_info([scored, refused]) == "model=m template=t"  # one verdict: it ran
    assert judge_info([refused, timeout, refused]) == (
        "judge: not run, judge:http_400|judge:timeout (model=m template=t)"
    )


def _run(*outcomes: tuple[str | None, str]) -> JudgeRun:
    verdict = Verdict({d: 3 for d in DIMENSIONS})
    results = tuple(
        JudgeResult(f"t:{i}", None if reason else verdict, reason, detail, (), 1, 0)
        for i, (reason, detail) in enumerate(outcomes)
    )
    return JudgeRun(results, "m", load_template())


def test_a_run_with_no_verdict_is_one_line_by_cause_with_its_fix() -> None:
    config = JudgeConfig(model="m")
    refused = ("judge:http_400", "response_format json_object is not supported")
    run = _run(refused, refused, ("judge:http_503", "overloaded (after 5 attempts)"))
    line = failure_summary(run, config)
    assert line is not None and "\n" not in line
    assert line.startswith("the judge scored 0 of 3 samples: 2 judge:http_400 (")
    assert "Fix: set TOOLPLAN_JUDGE_RESPONSE_FORMAT=none" in line
    assert "1 judge:http_503 (" in line and "TOOLPLAN_JUDGE_MAX_RETRIES" in line
    # Already without response_format, a 400 points elsewhere.
    bare = failure_summary(run, JudgeConfig(model="m", response_format="none"))
    assert bare is not None and "RESPONSE_FORMAT=none" not in bare
    assert "TOOLPLAN_JUDGE_MAX_TOKENS" in bare


@pytest.mark.parametrize(
    ("reason", "fix"),
    [
        ("judge:http_429", "TOOLPLAN_JUDGE_CONCURRENCY"),
        ("judge:timeout", "TOOLPLAN_JUDGE_TIMEOUT"),
        ("judge:bad_response", "TOOLPLAN_JUDGE_BASE_URL"),
        ("judge:disconnected", "server's log"),
        ("judge:not_json", "TOOLPLAN_JUDGE_RESPONSE_FORMAT=json_schema"),
        ("judge:empty_reply", "TOOLPLAN_JUDGE_MAX_TOKENS"),
    ],
)
def test_every_cause_names_its_fix(reason: str, fix: str) -> None:
    line = failure_summary(_run((reason, "detail")), JudgeConfig(model="m"))
    assert line is not None and f"1 {reason} (" in line and fix in line


def test_one_verdict_or_no_sample_is_not_a_failed_run() -> None:
    config = JudgeConfig(model="m")
    partial = _run((None, ""), ("judge:http_500", "boom"))
    assert failure_summary(partial, config) is None
    assert unscored_summary(partial, config).startswith("1 judge:http_500 (")
    assert failure_summary(_run(), config) is None
    assert unscored_summary(_run((None, "")), config) == ""


def test_the_judge_filter_keeps_the_default_pipeline_name(repo_root: Path) -> None:
    # The metric_list itself is checked against the metric table in tests/unit.
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))
    text = (repo_root / "lm_eval_tasks/assetops/_template_yaml").read_text()
    config = yaml.load(text, Loader=Loader)
    # Named "none", so metric keys stay "<m>,none".
    assert config["filter_list"] == [
        {"name": "none", "filter": [{"function": "toolplan_judge"}, {"function": "take_first"}]}
    ]


def test_judged_text_is_the_response_and_survives_pickling() -> None:
    import pickle

    from harness_ext.lm_eval_glue.judge_filter import JudgedText, inline_metrics

    verdict = Verdict({d: 3 for d in DIMENSIONS})
    text = JudgedText("#Task1: plan", _result(verdict), "m", "t#1")
    assert text == "#Task1: plan" and json.dumps([text]) == '["#Task1: plan"]'
    copy = pickle.loads(pickle.dumps(text))  # lm-eval gathers responses across ranks
    assert copy.judge == text.judge and copy.judge_model == "m"
    assert inline_metrics(copy, 0.5)["judge_overall"] == 3.0
    assert inline_metrics("#Task1: plan", 0.5) == {}  # not judged: no judge_* key at all
