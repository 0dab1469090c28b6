"""The leaderboard on handmade results files (see fixtures.py for the expected numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError
from harness_ext.reporting.leaderboard import (
    LEADERBOARD_MD,
    PLOT_JUDGE,
    PLOT_RETENTION,
    PLOT_TOKENS,
    build,
    write_leaderboard,
)
from harness_ext.reporting.results import Cost, RunKey, read_cost, run_key
from tests.helpers import run_command
from tests.leaderboard.leaderboard_fixtures import BASE, markdown_table, results_file, write_board

_table = markdown_table


def _row(rows: list[dict[str, str]], adapter: str, condition: str) -> dict[str, str]:
    found = [r for r in rows if r["adapter"] == adapter and r["condition"] == condition]
    assert len(found) == 1, (adapter, condition, rows)
    return found[0]


@pytest.fixture(scope="module")
def board_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handmade runs and one build of them (shared: drawing PNGs takes a while)."""
    folder = tmp_path_factory.mktemp("board")
    write_board(folder / "runs")
    write_leaderboard([folder / "runs"], folder / "out")
    return folder


@pytest.fixture(scope="module")
def markdown(board_dir: Path) -> str:
    return (board_dir / "out" / LEADERBOARD_MD).read_text("utf-8")


@pytest.fixture(scope="module")
def main_rows(markdown: str) -> list[dict[str, str]]:
    return _table(markdown)


def test_rebuild_gives_the_same_bytes(board_dir: Path) -> None:
    files = sorted((board_dir / "runs").rglob("results_*.json"))
    second = write_leaderboard(list(reversed(files)), board_dir / "again")
    assert [p.name for p in second] == [LEADERBOARD_MD, PLOT_TOKENS, PLOT_RETENTION, PLOT_JUDGE]
    for path in second:
        assert path.read_bytes() == (board_dir / "out" / path.name).read_bytes(), path.name


def test_missing_metrics_are_dashes_never_zero(main_rows: list[dict[str, str]]) -> None:
    free = _row(main_rows, "(base)", "free")
    assert free["AT-F1"] == "0.000"  # measured 0 stays 0
    assert free["AT-F1 nb"] == "–"  # not reported by that run
    assert free["tool F1"] == "–"
    assert free["tok/s"] == "–" and free["peak RSS MB"] == "–"
    assert _row(main_rows, "(base)", "informed")["tok saved %"] == "–"


def test_a_later_judge_file_adds_its_metric_to_the_run(main_rows: list[dict[str, str]]) -> None:
    free = _row(main_rows, "(base)", "free")
    assert free["judge"] == "1.50"
    assert free["agent F1"] == "0.100"  # kept from the earlier file
    assert _row(main_rows, "(base)", "informed")["judge"] == "2.50"


def test_prompt_token_reduction_informed_to_free(main_rows: list[dict[str, str]]) -> None:
    free = _row(main_rows, "(base)", "free")
    assert (free["prompt tok"], free["tok saved %"]) == ("100", "90.0")
    # The adapter ran only the free condition: no informed run to compare with.
    assert _row(main_rows, "assetops-free-r8", "free")["tok saved %"] == "–"


def test_retention_against_the_matching_base(main_rows: list[dict[str, str]]) -> None:
    adapter = _row(main_rows, "assetops-free-r8", "free")
    assert adapter["quant"] == "8bit"
    assert adapter["forget_probe acc"] == "0.400"
    assert adapter["forget_probe ret %"] == "80.0"  # 0.4 / 0.5, against the fp32 base
    assert _row(main_rows, "(base)", "free")["forget_probe ret %"] == "100.0"
    # 100 questions vs the base's 40: not comparable, so no retention.
    r32 = _row(main_rows, "assetops-free-r32", "–")
    assert (r32["forget_probe acc"], r32["forget_probe ret %"]) == ("0.300", "–")


def test_forgetting_table_names_the_base_and_the_skipped_parts(markdown: str) -> None:
    rows = _table(markdown[markdown.index("## Forgetting suites") :])
    r8 = next(r for r in rows if r["adapter"] == "assetops-free-r8")
    assert r8["compared with"] == "smollm2-135m (base, none)"
    assert r8["skipped parts"] == "forget_probe_arc (skipped), forget_probe_hellaswag (skipped)"
    r32 = next(r for r in rows if r["adapter"] == "assetops-free-r32")
    assert r32["skipped parts"] == "none"
    assert "no base run of smollm2-135m on forget_probe with 100 questions" in r32["compared with"]


def test_cost_comes_from_the_toolplan_cost_record(main_rows: list[dict[str, str]]) -> None:
    adapter = _row(main_rows, "assetops-free-r8", "free")
    assert (adapter["tok/s"], adapter["peak RSS MB"]) == ("12.5", "1234")
    # No run measured GPU memory, so there is no GPU column at all.
    assert "peak GPU MB" not in adapter


def _cost(record: object) -> dict[str, object]:
    return {"config": {"toolplan_cost": record}}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            _cost({"tokens_per_second": 3.0, "peak_rss_mb": 1024, "gpu_peak_allocated_mb": None}),
            Cost(3.0, 1024.0, None),
        ),
        # The allocated peak is the GPU figure; the reserved one is not read.
        (
            _cost({"gpu_peak_allocated_mb": 70.0, "gpu_peak_reserved_mb": 99.0}),
            Cost(None, None, 70.0),
        ),
        # A log-likelihood run generates nothing: tokens/s is null, memory still counts.
        (_cost({"tokens_per_second": None, "peak_rss_mb": 1630.0}), Cost(None, 1630.0, None)),
        (_cost({"tokens_per_second": float("nan")}), Cost()),
        (_cost(None), Cost()),
        ({"config": {"batch_size": 1}}, Cost()),
        # Cost-like keys outside the explicit record are not guessed at.
        ({"cost": {"tokens_per_second": 3.0, "peak_rss_mb": 5.0}}, Cost()),
        ({"results": {"assetops_free": {"tokens_per_second,none": 3.0}}}, Cost()),
    ],
)
def test_read_cost_reads_only_the_explicit_record(data: dict[str, object], expected: Cost) -> None:
    assert read_cost(data) == expected


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"peak_rss_mb": "1.2 GB"},
            r"config\.toolplan_cost\.peak_rss_mb is '1\.2 GB', not a number",
        ),
        ({"tokens_per_second": True}, r"config\.toolplan_cost\.tokens_per_second is True"),
        ([1, 2], r"config\.toolplan_cost is not a mapping"),
    ],
)
def test_a_malformed_cost_record_names_the_file_and_field(
    tmp_path: Path, record: object, message: str
) -> None:
    path = results_file(
        tmp_path, "bad_cost", {"pretrained": BASE}, {"assetops_free": {"at_f1,none": 0.5}}, 1.0
    )
    data = json.loads(path.read_text("utf-8"))
    data["config"]["toolplan_cost"] = record
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(DataFileError, match=rf"results_bad_cost\.json: {message}"):
        build([tmp_path])


def test_run_key_from_a_model_args_string() -> None:
    data = {"config": {"model_args": f"pretrained={BASE},peft=./adapters/r4/,load_in_4bit=True"}}
    assert run_key(data) == RunKey("smollm2-135m", "r4", "4bit")
    assert run_key({"config": {"model_args": {"pretrained": "Qwen/Qwen3-4B"}}}) == RunKey(
        "Qwen/Qwen3-4B", "", "none"
    )
    # toolplan-hf's record wins: a pre-quantized folder has no load_in_* argument.
    described = {"method": "bitsandbytes", "bits": 4, "quant_type": "nf4"}
    config = {"model_args": "pretrained=models/smollm2-nf4", "toolplan_quantization": described}
    # "models/x" could be a hub id as well as a folder, so it is shown as given.
    assert run_key({"config": config}) == RunKey("models/smollm2-nf4", "", "4bit")
    config["toolplan_quantization"] = {"method": "none"}
    assert run_key({"config": config}).quantization == "none"


def test_planning_rows_come_one_per_model_adapter_quant_condition(board_dir: Path) -> None:
    board = build([board_dir / "runs"])
    keys = [(r.key.adapter, r.key.quantization, r.condition, r.split) for r in board.rows]
    assert keys == [
        ("", "none", "informed", "test30"),
        ("", "none", "free", "test30"),
        ("assetops-free-r32", "none", "–", "–"),
        ("assetops-free-r8", "8bit", "free", "test30"),
    ]


def test_plots_are_png_images_of_the_expected_size(board_dir: Path) -> None:
    import matplotlib.image

    for name in (PLOT_TOKENS, PLOT_RETENTION, PLOT_JUDGE):
        path = board_dir / "out" / name
        image = matplotlib.image.imread(path)
        assert image.shape[:2] == (480, 750), path.name


def test_a_malformed_file_is_one_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "runs" / "results_bad.json"
    bad.parent.mkdir()
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"results_bad\.json: is not JSON"):
        build([tmp_path / "runs"])
    (tmp_path / "runs" / "results_bad.json").write_text(json.dumps({"config": {}}), "utf-8")
    with pytest.raises(DataFileError, match="has no 'results' mapping"):
        build([tmp_path / "runs"])


def test_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no lm-eval results_"):
        build([tmp_path])
    with pytest.raises(DataFileError, match="does not exist"):
        build([tmp_path / "missing"])


def test_a_run_without_any_planning_metric_is_all_dashes(tmp_path: Path) -> None:
    results_file(tmp_path, "empty", {"pretrained": BASE}, {"assetops_free": {"sample_len": 3}}, 1.0)
    write_leaderboard([tmp_path], tmp_path / "out")
    row = _table((tmp_path / "out" / LEADERBOARD_MD).read_text("utf-8"))[0]
    assert row["split"] == "all" and row["n"] == "3"
    assert all(row[c] == "–" for c in ("AT-F1", "AT-F1 nb", "agent F1", "tool F1", "judge"))


@pytest.mark.slow
def test_cli_writes_files_and_reports_bad_input(board_dir: Path) -> None:
    done = run_command(
        ["toolplan", "leaderboard", str(board_dir / "runs"), "--out", str(board_dir / "cli")]
    )
    assert done.returncode == 0, done.stderr
    assert (board_dir / "cli" / LEADERBOARD_MD).is_file()
    bad = run_command(["toolplan", "leaderboard", str(board_dir / "nowhere")])
    assert bad.returncode == 2
    assert "nowhere: does not exist" in bad.stderr


def test_readme_block_is_replaced_between_markers_only(tmp_path: Path) -> None:
    board_dir = tmp_path
    write_board(board_dir / "runs")
    readme = board_dir / "README.md"
    readme.write_text(
        "intro\n<!-- leaderboard:start -->\nold table\n<!-- leaderboard:end -->\noutro\n", "utf-8"
    )
    write_leaderboard([board_dir / "runs"], board_dir / "out", readme=readme)
    first = readme.read_text("utf-8")
    assert first.startswith("intro\n<!-- leaderboard:start -->\n| model ")
    assert first.endswith("<!-- leaderboard:end -->\noutro\n") and "old table" not in first
    write_leaderboard([board_dir / "runs"], board_dir / "out", readme=readme)
    assert readme.read_text("utf-8") == first
    readme.write_text("no markers\n", "utf-8")
    with pytest.raises(DataFileError, match="has no leaderboard markers"):
        write_leaderboard([board_dir / "runs"], board_dir / "out", readme=readme)
    assert readme.read_text("utf-8") == "no markers\n"
