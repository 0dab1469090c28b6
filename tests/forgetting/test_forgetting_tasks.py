"""The forget_ tasks as lm-eval builds them (no model): names, groups, docs, offline skips."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError
from harness_ext.forgetting.mmlu import MMLU_CATEGORIES
from harness_ext.lm_eval_glue.forgetting import SkippedProbePart
from harness_ext.lm_eval_glue.taskdirs import task_manager


def test_index_holds_the_suites_groups_and_subjects() -> None:
    names = set(task_manager().all_tasks)
    ours = {n for n in names if n.startswith("forget_")}
    assert {"forget_mmlu", "forget_probe", "forget_probe_mmlu"} <= ours
    assert {f"forget_mmlu_{c}" for c in MMLU_CATEGORIES} <= ours
    lettered = [n for n in ours if n.startswith("forget_mmlu_") and "cloze" not in n]
    assert len(lettered) == 57 + 4
    assert "forget_mmlu_cloze" in ours
    assert len([n for n in ours if n.startswith("forget_mmlu_cloze_")]) == 57 + 4
    assert {"forget_probe_arc", "forget_probe_hellaswag"} <= ours
    assert {f"forget_probe_v0{p}" for p in ("", "_mmlu", "_arc", "_hellaswag")} <= ours


def test_forget_probe_offline_runs_mmlu_and_marks_hub_parts_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="harness_ext.lm_eval_glue.forgetting"):
        loaded = task_manager().load(["forget_probe"])
    assert list(loaded["tasks"]) == ["forget_probe_mmlu"]
    assert len(loaded["tasks"]["forget_probe_mmlu"].eval_docs) == 40
    skipped = {n: g for n, g in loaded["groups"].items() if isinstance(g, SkippedProbePart)}
    assert set(skipped) == {"forget_probe_arc", "forget_probe_hellaswag"}
    assert loaded["group_map"]["forget_probe"] == [
        "forget_probe_mmlu",
        "forget_probe_arc",
        "forget_probe_hellaswag",
    ]
    # Exactly one line per skipped part, naming the dataset and the fix.
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert "forget_probe_arc skipped: allenai/ai2_arc" in lines[0] and "Fix:" in lines[0]
    # The skipped part's results entry has no score, only the reason.
    entry = skipped["forget_probe_arc"].aggregate({})
    assert entry["sample_len"] == 0 and "unreachable" in entry["skipped,none"]
    assert not any(k.startswith("acc") for k in entry)


def test_forget_mmlu_is_the_whole_test_set_in_four_category_groups() -> None:
    loaded = task_manager().load(["forget_mmlu"])
    assert len(loaded["tasks"]) == 57
    assert sum(len(t.eval_docs) for t in loaded["tasks"].values()) == 14042
    assert loaded["group_map"]["forget_mmlu"] == [f"forget_mmlu_{c}" for c in MMLU_CATEGORIES]


def test_mmlu_prompt_is_lm_evals_zero_shot_format() -> None:
    task = task_manager().load(["forget_mmlu_anatomy"])["tasks"]["forget_mmlu_anatomy"]
    doc = task.eval_docs[0]
    context = task.fewshot_context(doc, num_fewshot=0)
    assert context.startswith(
        "The following are multiple choice questions (with answers) about anatomy.\n\n"
    )
    assert context.endswith(f"\nD. {doc['choices'][3]}\nAnswer:")
    assert task.doc_to_choice(doc) == ["A", "B", "C", "D"]


def test_mmlu_cloze_scores_the_answer_texts_as_continuations() -> None:
    name = "forget_mmlu_cloze_anatomy"
    task = task_manager().load([name])["tasks"][name]
    lettered = task_manager().load(["forget_mmlu_anatomy"])["tasks"]["forget_mmlu_anatomy"]
    doc = task.eval_docs[0]
    assert doc == lettered.eval_docs[0]  # same data, same order
    context = task.fewshot_context(doc, num_fewshot=0)
    assert context == (
        "The following are questions (with answers) about anatomy.\n\n"
        f"Question: {doc['question'].strip()}\nAnswer:"
    )
    requests = task.construct_requests(doc, context)
    assert [r.arguments[1] for r in requests] == [f" {c}" for c in doc["choices"]]
    assert task.doc_to_target(doc) == doc["answer"]


def test_mmlu_file_can_be_overridden_with_metadata(tmp_path: Path) -> None:
    row = {"question": "Q?", "answer_a": "a", "answer_b": "b", "answer_c": "c", "answer_d": "d"}
    path = tmp_path / "mini.jsonl"
    path.write_text(
        "\n".join(json.dumps(row | {"correct_answer": c, "topic": "anatomy"}) for c in "ABC"),
        encoding="utf-8",
    )
    manager = task_manager(metadata={"mmlu_file": str(path)})
    task = manager.load(["forget_mmlu_anatomy"])["tasks"]["forget_mmlu_anatomy"]
    assert [d["answer"] for d in task.eval_docs] == [0, 1, 2]


def _hub_stand_ins(arc_rows: int, hellaswag_rows: int) -> dict[str, object]:
    """Handmade stand-ins for the two hub splits (no network here), of the given lengths."""
    import datasets

    arc = datasets.Dataset.from_list(
        [
            {
                "id": f"A{i}",
                "question": f"arc {i}?",
                "choices": {"text": ["p", "q", "r", "s"], "label": ["A", "B", "C", "D"]},
                "answerKey": "C",
            }
            for i in range(arc_rows)
        ]
    )
    hellaswag = datasets.Dataset.from_list(
        [
            {
                "ind": i,
                "activity_label": "Sport",
                "ctx_a": f"ctx {i}",
                "ctx_b": "then",
                "endings": ["a.", "b.", "c.", "d."],
                "label": "0",
            }
            for i in range(hellaswag_rows)
        ]
    )
    return {"allenai/ai2_arc": arc, "Rowan/hellaswag": hellaswag}


def test_forget_probe_with_reachable_hub_parts_has_the_papers_100_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The online path, on stand-ins as long as the hub splits the paper shuffled."""
    from harness_ext.forgetting import probe

    splits = _hub_stand_ins(1172, 10042)
    monkeypatch.setattr(probe, "_HUB_FAILURES", {})
    monkeypatch.setattr(probe, "_hub_split", lambda path, config, split: splits[path])
    loaded = task_manager().load(["forget_probe"])
    sizes = {name: len(task.eval_docs) for name, task in loaded["tasks"].items()}
    assert sizes == {"forget_probe_mmlu": 40, "forget_probe_arc": 30, "forget_probe_hellaswag": 30}
    assert not any(isinstance(g, SkippedProbePart) for g in loaded["groups"].values())
    draw = probe.paper_draw()
    for part in ("arc_challenge", "hellaswag"):
        task = loaded["tasks"][probe.HUB_PARTS[part].task]
        assert [d["row"] for d in task.eval_docs] == list(draw[part])
        assert {d["draw"] for d in task.eval_docs} == {"paper"}
    task = loaded["tasks"]["forget_probe_arc"]
    doc = task.eval_docs[0]
    assert task.fewshot_context(doc, num_fewshot=0) == f"Question: arc {doc['row']}?\nAnswer:"
    assert task.doc_to_choice(doc) == ["p", "q", "r", "s"] and task.doc_to_target(doc) == 2


def test_forget_probe_v0_keeps_the_first_draw_on_any_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    from harness_ext.forgetting import probe

    splits = _hub_stand_ins(60, 60)
    monkeypatch.setattr(probe, "_HUB_FAILURES", {})
    monkeypatch.setattr(probe, "_hub_split", lambda path, config, split: splits[path])
    loaded = task_manager().load(["forget_probe_v0"])
    assert loaded["group_map"]["forget_probe_v0"] == [
        "forget_probe_v0_mmlu",
        "forget_probe_v0_arc",
        "forget_probe_v0_hellaswag",
    ]
    arc = loaded["tasks"]["forget_probe_v0_arc"].eval_docs
    assert [d["row"] for d in arc] == random.Random(42).sample(range(60), 30)
    assert {d["draw"] for d in arc} == {"v0"}
    assert loaded["tasks"]["forget_probe_v0_mmlu"].config.metadata["version"] == 1.0
    # The paper's draw on those short stand-ins refuses, naming the dataset and the way out.
    with pytest.raises(DataFileError, match=r"allenai/ai2_arc .*has 60 rows.*forget_probe_v0"):
        task_manager().load(["forget_probe_arc"])
