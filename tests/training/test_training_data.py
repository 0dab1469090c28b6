"""`toolplan build-data`: determinism, sizes, decontamination, any catalog, input errors.

No model is loaded here; the CLI is called in-process through ``harness_ext.cli.main``.
"""

from __future__ import annotations

import json
import random
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from harness_ext.cli import main
from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.plans import parse_plan
from harness_ext.planning.splits import SPLITS
from harness_ext.training import data
from harness_ext.training.data import (
    FAMILIES,
    KNOWLEDGE_SYSTEM,
    TRACE_SYSTEM,
    BuildConfig,
    Decontaminator,
    GoldPair,
    build_dataset,
    read_examples,
    sizes_for_total,
)
from harness_ext.training.datagen import assetops
from harness_ext.training.datagen.base import plan_problems

DATA = Path(__file__).parent / "data"
TINY_CATALOG = str(DATA / "tiny_catalog.json")
FILES = ("train.jsonl", "eval.jsonl", "manifest.json", "decontamination.json")
SMALL = ["--family-size", "tool_knowledge=40", "--family-size", "question_plan=120",
         "--family-size", "execution=20"]  # fmt: skip


def _build(out: Path, *extra: str) -> None:
    assert main(["build-data", "--out", str(out), *SMALL, *extra]) == 0


def _records(folder: Path) -> list[dict[str, Any]]:
    return [r for name in ("train.jsonl", "eval.jsonl") for r in read_examples(folder / name)]


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    _build(tmp_path / "a", "--seed", "7")
    _build(tmp_path / "b", "--seed", "7")
    _build(tmp_path / "c", "--seed", "8")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "train.jsonl").read_bytes() != (
        tmp_path / "c" / "train.jsonl"
    ).read_bytes()


def test_family_sizes_split_and_manifest_agree(tmp_path: Path) -> None:
    _build(tmp_path / "d")
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    records = _records(tmp_path / "d")
    counts = {f: sum(r["family"] == f for r in records) for f in FAMILIES}
    assert counts == {"tool_knowledge": 40, "question_plan": 120, "execution": 20}
    assert manifest["shortfall"] == {}
    for f in FAMILIES:
        assert manifest["counts"]["train"][f] + manifest["counts"]["eval"][f] == counts[f]
    assert manifest["counts"]["eval"]["question_plan"] == 6  # 5 % of 120
    for name in ("train.jsonl", "eval.jsonl"):
        entry = manifest["files"][name]
        data = (tmp_path / "d" / name).read_bytes()
        assert entry["examples"] == data.count(b"\n")
        import hashlib

        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    questions = [r["messages"][-2]["content"].lower() for r in records]
    assert len(set(questions)) == len(questions), "questions must be unique across families"


def test_sizes_for_total_is_exact_and_proportional() -> None:
    for total in (3, 17, 100, 1700, 2501):
        sizes = sizes_for_total(total)
        assert sum(sizes.values()) == total
    assert sizes_for_total(1700) == {"tool_knowledge": 300, "question_plan": 1300, "execution": 100}


def test_a_size_below_the_family_count_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ToolplanError, match="--size 2 is too small"):
        sizes_for_total(2)
    assert main(["build-data", "--out", str(tmp_path), "--size", "2"]) == 2
    assert "give --size 3 or more" in capsys.readouterr().err


def test_gold_stream_ends_when_no_paraphrase_changes_a_question(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "42?" has no entity, no word rule and no letter to re-case: nothing can change it.
    calls = []

    def counted(rng: random.Random, question: str, plan: Any) -> Any:
        calls.append(question)
        assert len(calls) <= data.MAX_UNCHANGED_PARAPHRASES, "the gold stream does not end"
        return real(rng, question, plan)

    real = assetops.paraphrase_gold
    monkeypatch.setattr(assetops, "paraphrase_gold", counted)
    plan = parse_plan("#Task1: t\n#Agent1: A\n#Tool1: x").plan
    made = list(data._gold_stream(random.Random(0), [GoldPair(1, "42?", plan)]))
    assert [c.kind for c in made] == ["gold"]
    assert len(calls) == data.MAX_UNCHANGED_PARAPHRASES


def test_system_turns_follow_the_family(tmp_path: Path) -> None:
    _build(tmp_path / "s")
    from harness_ext.planning.prompts import system_prompt

    free = system_prompt("free", load_catalog("assetops_23"))
    expected = {"question_plan": free, "tool_knowledge": KNOWLEDGE_SYSTEM,
                "execution": TRACE_SYSTEM}  # fmt: skip
    for r in _records(tmp_path / "s"):
        roles = [m["role"] for m in r["messages"]]
        assert roles == ["system", "user", "assistant"]
        assert r["messages"][0]["content"] == expected[r["family"]]
    _build(tmp_path / "n", "--no-system")
    assert all(
        [m["role"] for m in r["messages"]] == ["user", "assistant"]
        for r in _records(tmp_path / "n")
    )


def test_plans_parse_cleanly_and_are_valid_for_the_catalog(tmp_path: Path) -> None:
    _build(tmp_path / "p")
    catalog = load_catalog("assetops_23")
    for r in _records(tmp_path / "p"):
        answer = r["messages"][-1]["content"]
        if r["family"] == "execution":
            assert answer.startswith("PLANNING_STEPS:") and "EXECUTION_LINKS:" in answer
            answer = answer.split("\n\nEXECUTION_STEPS:")[0].removeprefix("PLANNING_STEPS:\n")
        if r["family"] == "tool_knowledge":
            continue
        parsed = parse_plan(answer)
        assert parsed.issues == (), (r["messages"][-2]["content"], parsed.issue_codes)
        if r["meta"]["source"] not in ("gold", "gold_paraphrase"):
            assert plan_problems(parsed.plan, catalog) == [], answer


@pytest.mark.parametrize("intent", [i for i, _ in assetops.INTENTS], ids=lambda i: i.__name__)
def test_every_assetops_template_yields_valid_plans(intent: Any) -> None:
    catalog = load_catalog("assetops_23")
    for seed in range(60):
        drafted = intent(random.Random(seed))
        assert drafted.question.strip()
        assert plan_problems(drafted.plan, catalog) == [], (drafted.question, drafted.plan)


def test_decontaminator_matches_plain_difflib() -> None:
    # The quick-ratio prefilters must never change which pairs exceed the threshold.
    rng = random.Random(3)
    words = [
        "list",
        "the",
        "failure",
        "modes",
        "of",
        "chiller",
        "6",
        "at",
        "main",
        "site",
        "sensors",
        "detect",
        "which",
    ]
    evals = [" ".join(rng.choices(words, k=rng.randint(4, 12))) for _ in range(40)]
    deco = Decontaminator(evals, 0.8)
    for _ in range(300):
        text = " ".join(rng.choices(words, k=rng.randint(4, 12)))
        ratios = [SequenceMatcher(None, text.lower(), e.lower()).ratio() for e in evals]
        best, index = deco.closest(text)
        if max(ratios) > 0.8:
            assert index is not None and best == pytest.approx(max(ratios))
        else:
            assert index is None and best == 0.0


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_planted_near_duplicate_is_dropped_and_reported(tmp_path: Path) -> None:
    held_out = "Which zones of the EAST greenhouse had humidity above 80 percent in May 2021?"
    planted = "Which zones of the WEST greenhouse had humidity above 80 percent in May 2021?"
    unrelated = "Water valve V-12 for ten minutes as a dry run."
    assert SequenceMatcher(None, planted.lower(), held_out.lower()).ratio() > 0.8
    evals = _write_jsonl(tmp_path / "eval.jsonl", [{"id": 900, "type": "x", "text": held_out}])
    scenarios = _write_jsonl(
        tmp_path / "scen.jsonl",
        [{"id": 901, "type": "x", "text": planted}, {"id": 902, "type": "x", "text": unrelated}],
    )
    step = {"task": "t", "agent": "ClimateAgent", "tool": "list_zones", "args": {},
            "dependencies": [], "expected_output": "zones"}  # fmt: skip
    gold = _write_jsonl(
        tmp_path / "gold.jsonl",
        [{"id": 901, "plans": [{"steps": [step]}]}, {"id": 902, "plans": [{"steps": [step]}]}],
    )
    config = BuildConfig(
        catalog=TINY_CATALOG,
        scenarios=str(scenarios),
        decontaminate_against=str(evals),
        gold=str(gold),
        sizes={"tool_knowledge": 10, "question_plan": 30, "execution": 5},
    )
    result = build_dataset(config)
    questions = [r["messages"][-2]["content"] for r in result.train + result.eval]
    assert planted not in questions
    assert unrelated in questions
    dropped = [d for d in result.report["dropped"] if d["question"] == planted]
    assert len(dropped) == 1
    assert dropped[0]["eval_text"] == held_out and dropped[0]["eval_id"] == 900
    assert dropped[0]["ratio"] > 0.8
    assert result.manifest["decontamination"]["dropped"] >= 1


def test_real_build_has_no_question_close_to_a_test_scenario(tmp_path: Path) -> None:
    _build(tmp_path / "r")
    from harness_ext.planning.scenarios import load_scenarios, select

    tests = [s.text.lower() for s in select(load_scenarios(), SPLITS["paper_test30"])]
    test_ids = set(SPLITS["paper_test30"] or ())
    for r in _records(tmp_path / "r"):
        q = r["messages"][-2]["content"].lower()
        assert max(SequenceMatcher(None, " ".join(q.split()), t).ratio() for t in tests) <= 0.8
        assert r["meta"].get("scenario_id") not in test_ids
    report = json.loads((tmp_path / "r" / "decontamination.json").read_text())
    assert report["dropped_count"] == len(report["dropped"]) > 0
    assert all(d["ratio"] > 0.8 and d["eval_id"] in test_ids for d in report["dropped"])


def test_unchangeable_gold_leaves_the_mix_and_the_build_finishes(tmp_path: Path) -> None:
    scenarios = _write_jsonl(tmp_path / "scen.jsonl", [{"id": 901, "type": "x", "text": "42?"}])
    step = {"task": "t", "agent": "ClimateAgent", "tool": "list_zones", "args": {},
            "dependencies": [], "expected_output": "zones"}  # fmt: skip
    gold = _write_jsonl(tmp_path / "gold.jsonl", [{"id": 901, "plans": [{"steps": [step]}]}])
    config = BuildConfig(catalog=TINY_CATALOG, scenarios=str(scenarios), gold=str(gold),
                         decontaminate_against="none",
                         sizes={"tool_knowledge": 5, "question_plan": 40, "execution": 3})  # fmt: skip
    result = build_dataset(config)
    kinds = [r["meta"]["kind"] for r in result.train + result.eval]
    assert kinds.count("gold") == 1 and "gold_paraphrase" not in kinds
    assert result.manifest["shortfall"] == {}


def test_tiny_handmade_catalog(tmp_path: Path) -> None:
    evals = tmp_path / "evals.txt"
    evals.write_text("List the greenhouse zones.\nSchedule watering for valve V-1.\n")
    out = tmp_path / "tiny"
    assert main(["build-data", "--catalog", TINY_CATALOG, "--out", str(out),
                 "--decontaminate-against", str(evals), *SMALL]) == 0  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["catalog"]["name"] == "tiny_greenhouse"
    assert manifest["gold"] == {"source": "none"}
    assert set(manifest["kinds"]["tool_knowledge"]) == {
        "listing", "ownership", "arguments", "routing", "hard_negative", "clarification"
    }  # fmt: skip
    catalog = load_catalog(TINY_CATALOG)
    for r in _records(out):
        text = json.dumps(r["messages"][1:])
        assert "IoTAgent" not in text and "Chiller" not in text
        if r["family"] == "question_plan":
            plan = parse_plan(r["messages"][-1]["content"]).plan
            assert plan_problems(plan, catalog) == []


def test_read_examples_names_file_and_line(tmp_path: Path) -> None:
    good = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(DataFileError, match=r"bad\.jsonl:2: invalid JSON"):
        read_examples(bad)
    no_answer = tmp_path / "no_answer.jsonl"
    no_answer.write_text(json.dumps({"messages": [{"role": "user", "content": "q"}]}) + "\n")
    with pytest.raises(DataFileError, match=r"no_answer\.jsonl:1: the last message"):
        read_examples(no_answer)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataFileError, match="holds no examples"):
        read_examples(empty)


def test_cli_reports_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build-data", "--out", str(tmp_path), "--decontaminate-against", "test31"]) == 2
    assert "Did you mean: test30" in capsys.readouterr().err
    assert main(["build-data", "--out", str(tmp_path), "--family-size", "plans=3"]) == 2
    assert "Unknown data family 'plans'" in capsys.readouterr().err
