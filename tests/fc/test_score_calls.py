"""``toolplan score-calls``: the tasks' checker on outputs made elsewhere; clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.cli import main
from harness_ext.fc.scoring import summarize
from harness_ext.fc.summary import summaries, summaries_from_results
from harness_ext.lm_eval_glue.fc import build_docs, process_results
from tests.fc.bfcl_reference import bfcl_source_functions


def _run(tmp_path: Path, rows: list[Any], *args: str) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    code = main(["score-calls", "--predictions", str(path), "--out", str(out), *args])
    lines = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
    return code, lines


OUTPUTS = {
    "parallel_0": "[spotify.play(artist='Maroon 5', duration=15), spotify.play(artist='Taylor Swift', duration=20)]",
    "parallel_1": "I cannot do that.",
    "parallel_2": "[]",
}


@pytest.mark.parametrize("fmt", ["python", "json"])
def test_rows_and_summary_are_the_tasks_numbers(tmp_path: Path, fmt: str) -> None:
    outputs = dict(OUTPUTS)
    if fmt == "json":
        outputs["parallel_0"] = (
            '<tool_call>{"name": "spotify.play", "arguments": {"artist": "Taylor Swift", "duration": 20}}</tool_call>\n'
            '<tool_call>{"name": "spotify.play", "arguments": {"artist": "Maroon 5", "duration": 15}}</tool_call>'
        )
    rows = [{"id": i, "output": o} for i, o in outputs.items()]
    code, lines = _run(tmp_path, rows, "--category", "parallel", "--format", fmt)
    assert code == 0
    *per_id, summary = lines
    assert [r["id"] for r in per_id] == list(outputs)
    assert per_id[0]["valid"] and per_id[0]["calls"][0] == {
        "spotify.play": {
            "artist": "Maroon 5" if fmt == "python" else "Taylor Swift",
            "duration": 15 if fmt == "python" else 20,
        }
    }
    assert per_id[1]["cause"] == "fc:decode" and not per_id[1]["valid"]
    docs = {d["id"]: d for d in build_docs("parallel", fmt)}  # type: ignore[arg-type]
    expected = summarize([process_results(docs[i], [o]) for i, o in outputs.items()])
    assert summary["summary"] == {"category": "parallel", "format": fmt, "n": 3, **expected}


def test_bfcls_own_category_name_is_accepted(tmp_path: Path) -> None:
    rows = [{"id": "simple_python_0", "output": "[calculate_triangle_area(base=10, height=5)]"}]
    code, lines = _run(tmp_path, rows, "--category", "simple_python")
    assert code == 0 and lines[0]["valid"]


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        (
            [{"id": "parallel_0", "output": "x"}],
            ["--category", "paralel"],
            "Did you mean: parallel",
        ),
        (
            [{"id": "simple_python_0", "output": "x"}],
            ["--category", "parallel"],
            "not in BFCL category 'parallel'",
        ),
        (["{not json"], ["--category", "parallel"], "line 1: invalid JSON"),
        ([{"id": 3, "output": "x"}], ["--category", "parallel"], "no string 'id'"),
        (
            [{"id": "parallel_0", "output": None}],
            ["--category", "parallel"],
            "'output' is not a string",
        ),
        (
            [{"id": "parallel_0", "output": "x"}] * 2,
            ["--category", "parallel"],
            "duplicate id parallel_0",
        ),
    ],
)
def test_bad_input_is_one_clear_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rows: list[Any],
    args: list[str],
    message: str,
) -> None:
    code, lines = _run(tmp_path, rows, *args)
    assert code == 2 and lines == []
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_hostile_outputs_are_failed_samples(tmp_path: Path) -> None:
    rows = [
        {"id": "simple_python_0", "output": "y" * 50_000},
        {"id": "simple_python_1", "output": bytes(range(256)).decode("latin-1")},
        {
            "id": "simple_python_2",
            "output": "[f(" + ", ".join(f"a{i}=1" for i in range(10_000)) + ")]",
        },
    ]
    code, lines = _run(tmp_path, rows, "--category", "simple")
    assert code == 0
    assert [r["decode_cause"] for r in lines[:3]] == [
        "fc:decode:too_long",
        "fc:decode:binary",
        "fc:decode:too_long",
    ]


def test_summaries_are_bfcls_aggregation() -> None:
    names = ("calculate_weighted_accuracy", "calculate_unweighted_accuracy")
    funcs = bfcl_source_functions("bfcl_eval.eval_checker.eval_runner_helper", names)
    weighted, unweighted = funcs[names[0]], funcs[names[1]]
    acc = {
        "simple": 0.6,
        "multiple": 0.5,
        "parallel": 0.25,
        "parallel_multiple": 0.1,
        "irrelevance": 0.9,
        "live_simple": 0.4,
        "live_multiple": 0.3,
        "live_parallel": 0.2,
        "live_parallel_multiple": 0.0,
        "live_irrelevance": 0.7,
    }
    counts = {
        "live_simple": 258,
        "live_multiple": 1053,
        "live_parallel": 16,
        "live_parallel_multiple": 24,
    }

    def row(c: str) -> dict[str, Any]:
        return {"accuracy": acc[c], "total_count": counts.get(c, 200), "display_accuracy": acc[c]}

    ours = summaries(acc, counts)
    # BFCL's Simple is mean(python, java, js); given python alone, it is python.
    bfcl_simple = unweighted([row("simple")])
    nonlive = unweighted([bfcl_simple, row("multiple"), row("parallel"), row("parallel_multiple")])
    live = weighted(
        [
            row(c)
            for c in ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
        ]
    )
    irrelevance = unweighted([row("irrelevance"), row("live_irrelevance")])
    assert ours == {
        "non_live_overall": pytest.approx(nonlive["accuracy"]),
        "live_overall": pytest.approx(live["accuracy"]),
        "irrelevance": pytest.approx(irrelevance["accuracy"]),
    }
    assert summaries({"simple": 1.0}, {})["non_live_overall"] is None  # never a partial mean
    results = {
        "results": {f"fc_bfcl_{c}": {"acc,none": a} for c, a in acc.items()},
        "n-samples": {f"fc_bfcl_{c}": {"effective": n} for c, n in counts.items()},
    }
    assert summaries_from_results(results) == ours
