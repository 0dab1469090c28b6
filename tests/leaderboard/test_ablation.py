"""The rank ablation (harness_ext.reporting.ablation) on handmade adapters and results.

Collected adapters: r4 and r8 (written out of order: rows come sorted by rank).

* r8: ``assetops_free_test30`` AT-F1 0.3 [date 100] and 0.5 [200] -> 0.5 is used;
  ``forget_probe`` acc 0.4 over 40 questions against the 8-bit base's 0.5 -> 80.0 %.
* r4: nothing measured -> every quality and forgetting cell is "–".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError
from harness_ext.reporting.ablation import (
    ABLATION_DIR,
    END,
    REPORT_MD,
    REPORT_PNG,
    START,
    TITLE,
    collect,
    gather,
    render_block,
    write_report,
)
from tests.leaderboard.leaderboard_fixtures import BASE, markdown_table, results_file

TASK = "assetops_free_test30"


def _args(adapter: str | None) -> str:
    peft = f",peft=/x/out/{adapter}" if adapter else ""
    return f"pretrained={BASE}{peft},load_in_8bit=True"


def _collected(runs: Path, name: str, rank: int, **log: object) -> None:
    folder = runs / ABLATION_DIR / name
    folder.mkdir(parents=True)
    info = {
        "name": name,
        "rank": rank,
        "alpha": 2 * rank,
        "target_modules": "all-linear",
        "quantization": "8bit",
        "trainable_params": 1000 * rank,
        "adapter_bytes": 250_000 * rank,
    }
    (folder / "adapter_info.json").write_text(json.dumps(info), "utf-8")
    summary = {"global_step": 40, "wall_s": 540.0, "train_loss": 0.7, "eval_loss": 0.6, **log}
    (folder / "training_log.json").write_text(json.dumps({"summary": summary}), "utf-8")


def _probe(acc: float) -> dict[str, dict[str, float]]:
    return {"forget_probe": {"sample_len": 40, "acc,none": acc}}


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    runs = tmp_path / "results" / "runs"
    _collected(runs, "r8", 8)
    _collected(runs, "r4", 4, eval_loss=None)
    planning = runs / ABLATION_DIR / "r8" / "planning"
    results_file(planning, "old", _args("r8"), {TASK: {"at_f1,none": 0.3}}, 100.0)
    results_file(planning, "new", _args("r8"), {TASK: {"at_f1,none": 0.5}}, 200.0)
    results_file(runs / "forget_probe", "r8", _args("r8"), _probe(0.4), 300.0)
    results_file(runs / "forget_probe", "base", _args(None), _probe(0.5), 50.0)
    return runs


def test_rows_by_rank_with_the_newest_planning_run_and_retention(runs: Path) -> None:
    rows = gather(runs)
    assert [d.rank for d in rows] == [4, 8]
    r4, r8 = rows
    assert r8.metrics["at_f1"] == 0.5
    assert r8.planning_source == runs / ABLATION_DIR / "r8" / "planning/new/results_new.json"
    probe = r8.forgetting["forget_probe"]
    assert (probe.acc, probe.n, probe.base_acc, probe.base_quant) == (0.4, 40, 0.5, "8bit")
    assert probe.retention == pytest.approx(0.8)
    assert r8.forgetting["forget_mmlu"].acc is None
    assert r4.planning_source is None and r4.metrics["at_f1"] is None


def test_table_cells_and_sources(runs: Path) -> None:
    block = render_block(gather(runs), root=runs.parent.parent)
    assert block.startswith(START + "\n") and block.endswith("\n" + END)
    table = {r["rank"]: r for r in markdown_table(block, "| rank ")}
    r8 = table["8"]
    assert (r8["alpha"], r8["trainable params"], r8["adapter MB"]) == ("16", "8,000", "2.0")
    assert (r8["train wall min"], r8["final train loss"], r8["eval loss"]) == (
        "9.0",
        "0.700",
        "0.600",
    )
    assert (r8["AT-F1"], r8["forget_probe acc"], r8["forget_probe ret %"]) == (
        "0.500",
        "0.400",
        "80.0",
    )
    assert r8["forget_mmlu ret %"] == "–" and r8["format_ok"] == "–"
    r4 = table["4"]
    assert r4["eval loss"] == "–" and r4["AT-F1"] == "–" and r4["forget_probe acc"] == "–"
    assert (
        "- r=8: planning `results/runs/rank_ablation/r8/planning/new/results_new.json`; "
        "forget_probe over 40 questions vs the 8bit base (acc 0.500); "
        "forget_mmlu over – questions vs the – base (acc –)"
    ) in block
    assert "- r=4: planning `–`;" in block


def test_report_is_created_with_a_title_and_then_only_its_block_changes(
    runs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert write_report(runs, out, root=tmp_path) == [out / REPORT_MD, out / REPORT_PNG]
    first = (out / REPORT_MD).read_text("utf-8")
    assert first.startswith(f"# {TITLE}\n\n{START}\n") and first.endswith(f"{END}\n")
    assert (out / REPORT_PNG).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    png = (out / REPORT_PNG).read_bytes()
    (out / REPORT_MD).write_text("intro\n" + first + "analysis\n", "utf-8")
    write_report(runs, out, root=tmp_path)
    assert (out / REPORT_MD).read_text("utf-8") == "intro\n" + first + "analysis\n"
    assert (out / REPORT_PNG).read_bytes() == png  # same input, same bytes


def test_no_collected_adapter_is_an_error(tmp_path: Path) -> None:
    results_file(tmp_path / "runs", "base", _args(None), _probe(0.5), 50.0)
    with pytest.raises(DataFileError, match="rank_ablation: holds no collected adapters"):
        write_report(tmp_path / "runs", tmp_path, root=tmp_path)


def test_a_collected_file_without_a_field_names_it(runs: Path) -> None:
    log = runs / ABLATION_DIR / "r4" / "training_log.json"
    log.write_text(json.dumps({"summary": {"global_step": 40}}), "utf-8")
    with pytest.raises(DataFileError, match=r"r4/training_log\.json: has no field 'wall_s'"):
        gather(runs)


def test_collect_counts_parameters_and_copies_the_record(tmp_path: Path) -> None:
    import numpy as np
    from safetensors.numpy import save_file

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "manifest.yaml").write_text(
        "name: tiny-r2\nquantization: 8bit\n"
        "lora: {r: 2, alpha: 4, target_modules: [q_proj, v_proj]}\n",
        "utf-8",
    )
    (adapter / "training_log.json").write_text('{"summary": {}}', "utf-8")
    tensors = {"a": np.zeros((2, 8)), "b": np.zeros((8, 2)), "c": np.zeros(3, np.float16)}
    save_file(tensors, str(adapter / "adapter_model.safetensors"))
    dest = collect(adapter, tmp_path / "runs" / ABLATION_DIR)
    assert dest == tmp_path / "runs" / ABLATION_DIR / "tiny-r2"
    info = json.loads((dest / "adapter_info.json").read_text("utf-8"))
    assert info == {
        "name": "tiny-r2",
        "rank": 2,
        "alpha": 4,
        "target_modules": ["q_proj", "v_proj"],
        "quantization": "8bit",
        "trainable_params": 16 + 16 + 3,
        "adapter_bytes": (adapter / "adapter_model.safetensors").stat().st_size,
    }
    assert (dest / "manifest.yaml").read_bytes() == (adapter / "manifest.yaml").read_bytes()
    assert (dest / "training_log.json").is_file()


def test_collect_names_a_missing_weights_file(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text("name: x\n", "utf-8")
    with pytest.raises(DataFileError, match=r"adapter_model\.safetensors: not found"):
        collect(tmp_path, tmp_path / "into")


def test_a_truncated_weights_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text("name: x\n", "utf-8")
    (tmp_path / "adapter_model.safetensors").write_bytes((1000).to_bytes(8, "little") + b"{}")
    with pytest.raises(DataFileError, match="has no readable safetensors header"):
        collect(tmp_path, tmp_path / "into")
