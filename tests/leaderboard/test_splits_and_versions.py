"""Leaderboard and fidelity table: a second split beside test30, and a suite whose
questions changed between task versions (forget_probe 1.0 → 2.0).

Handmade runs (adapter r8 on an 8-bit base):

* r8 on ``assetops_free_test30`` (AT-F1 0.6, n 30) and on
  ``assetops_free_test30_twinfree`` (AT-F1 0.4, n 15);
* ``forget_probe`` 1.0: base acc 0.5, r8 0.4 (retention 80 %);
  ``forget_probe`` 2.0: base acc 0.6, r8 0.3 (retention 50 %), all over 40 questions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.reporting.fidelity import render
from harness_ext.reporting.leaderboard import build
from harness_ext.reporting.results import suite_labels, suite_version
from tests.leaderboard.leaderboard_fixtures import BASE, markdown_table, results_file

ADAPTER = "r8"
FT_ARGS = f"pretrained={BASE},peft=/x/adapters/{ADAPTER},load_in_8bit=True"


def _probe(acc: float) -> dict[str, dict[str, float]]:
    return {"forget_probe": {"sample_len": 40, "acc,none": acc}}


def _write(folder: Path) -> None:
    results_file(
        folder,
        "ft",
        FT_ARGS,
        {"assetops_free_test30": {"sample_len": 30, "at_f1,none": 0.6, "at_f1_stderr,none": 0.07}},
        100.0,
    )
    results_file(
        folder,
        "ft_twinfree",
        FT_ARGS,
        {"assetops_free_test30_twinfree": {"sample_len": 15, "at_f1,none": 0.4}},
        110.0,
    )
    for name, args, acc, version, date in (
        ("base_v1", {"pretrained": BASE}, 0.5, "1.0", 10.0),
        ("ft_v1", FT_ARGS, 0.4, "1.0", 20.0),
        ("base_v2", {"pretrained": BASE}, 0.6, "2.0", 30.0),
        ("ft_v2", FT_ARGS, 0.3, "2.0", 40.0),
    ):
        results_file(
            folder, name, args, _probe(acc), date, extra={"versions": {"forget_probe": version}}
        )


def test_the_twinfree_split_is_its_own_row_beside_test30(tmp_path: Path) -> None:
    _write(tmp_path)
    board = build([tmp_path])
    rows = {(r.key.adapter, r.condition, r.split): r for r in board.rows}
    assert rows[(ADAPTER, "free", "test30")].get("at_f1") == 0.6
    twinfree = rows[(ADAPTER, "free", "test30_twinfree")]
    assert (twinfree.get("at_f1"), twinfree.n) == (0.4, 15)


def test_a_suite_at_two_versions_is_never_compared_across_them(tmp_path: Path) -> None:
    _write(tmp_path)
    board = build([tmp_path])
    assert board.suites == ("forget_probe", "forget_probe v1.0")
    retention = {(s.suite, s.adapter): board.retention[s].value for s in board.scores}
    assert retention[("forget_probe", ADAPTER)] == pytest.approx(0.5)  # 0.3 / 0.6 (2.0)
    assert retention[("forget_probe v1.0", ADAPTER)] == pytest.approx(0.8)  # 0.4 / 0.5 (1.0)


def test_a_version_written_as_number_or_text_is_one_version() -> None:
    versions = {"versions": {"a": 1, "b": 1.0, "c": "1.0", "d": "beta"}}
    assert [suite_version(versions, s) for s in "abcde"] == ["1.0", "1.0", "1.0", "beta", ""]


def test_suite_labels_keep_the_name_for_one_version_and_the_newest() -> None:
    assert suite_labels([("forget_mmlu", "1.0"), ("forget_mmlu", "1.0")]) == {
        ("forget_mmlu", "1.0"): "forget_mmlu"
    }
    labels = suite_labels([("s", "10.0"), ("s", "9.0"), ("s", "")])
    assert labels == {("s", "10.0"): "s", ("s", "9.0"): "s v9.0", ("s", ""): "s v"}


def test_the_fidelity_table_shows_the_twinfree_run_beside_test30(tmp_path: Path) -> None:
    _write(tmp_path / "runs")
    block = render(tmp_path / "runs", ADAPTER, {}, tmp_path / "adapters", root=tmp_path)
    rows = {r["condition"]: r for r in markdown_table(block, "| condition ")}
    assert (
        rows["description-free, fine-tuned"]["AT-F1"],
        rows["description-free, fine-tuned"]["n"],
    ) == (
        "0.600",
        "30",
    )
    twinfree = rows["description-free, fine-tuned, twin-free"]
    assert (twinfree["AT-F1"], twinfree["n"], twinfree["± se"]) == ("0.400", "15", "–")
    assert (
        "- description-free, fine-tuned, twin-free: `runs/ft_twinfree/results_ft_twinfree.json`"
        in block
    )


def test_a_users_catalog_is_its_own_row_with_its_own_token_saving(tmp_path: Path) -> None:
    """Runs with ``--metadata catalog=... scenarios=...`` (a user's own tools) are rows of
    their own: catalog and scenario file named, informed→free saving within the catalog."""
    _write(tmp_path)
    own = {"catalog": "data/tools/my_tools.json", "scenarios": "data/tools/heldout.jsonl"}
    for name, task, tokens, at_f1 in (
        ("own_informed", "assetops_informed", 3000.0, 0.1),
        ("own_free", "assetops_free", 300.0, 0.2),
    ):
        results_file(
            tmp_path,
            name,
            FT_ARGS,
            {task: {"sample_len": 20, "at_f1,none": at_f1, "prompt_tokens,none": tokens}},
            120.0,
            extra={"configs": {task: {"metadata": {"version": 1.1, **own}}}},
        )
    board = build([tmp_path])
    rows = {(r.key.adapter, r.catalog, r.condition, r.split): r for r in board.rows}
    free = rows[(ADAPTER, "my_tools", "free", "heldout")]
    assert (free.get("at_f1"), free.n, free.reduction_pct) == (0.2, 20, pytest.approx(90.0))
    assert rows[(ADAPTER, "my_tools", "informed", "heldout")].get("at_f1") == 0.1
    assert rows[(ADAPTER, "assetops_23", "free", "test30")].get("at_f1") == 0.6
    from harness_ext.reporting.leaderboard import render_markdown

    cells = markdown_table(render_markdown(board, tmp_path, ()))
    shown = {(c["catalog"], c["condition"], c["split"], c["tok saved %"]) for c in cells}
    assert ("my_tools", "free", "heldout", "90.0") in shown
    assert ("assetops_23", "free", "test30", "–") in shown


def test_an_adapter_named_by_registry_path_or_folder_is_one_adapter() -> None:
    from harness_ext.reporting.results import display_name

    names = {display_name(n) for n in ("adapters/r16", "./adapters/r16", "/abs/adapters/r16/")}
    assert names == {"r16"}
    assert display_name("org/some-adapter") == "org/some-adapter"  # a hub id stays
