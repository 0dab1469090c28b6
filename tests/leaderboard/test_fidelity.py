"""The fidelity table (harness_ext.reporting.fidelity) on handmade results and samples.

Runs (dates in brackets; the newest run of a condition wins):

* adapter ``r8`` (8-bit), ``assetops_free_test30``: AT-F1 0.3 [100] and 0.6 [200];
* base, ``assetops_test30`` with both conditions: informed AT-F1 0.2 / 1000 prompt
  tokens, free AT-F1 0.0 / 100 tokens [150];
* nothing for the adapter with the catalog: that row is "not measured", all dashes.

Samples (for the per-type table) of the newest adapter run: ids 1 and 2 (IoT) and 101
(FMSA). Ids 1 and 101 answer with the paper's own plan (AT-F1 1.0 against the paper's
gold), id 2 answers in prose (0.0).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError
from harness_ext.planning.gold import PAPER_GOLD_RELATIVE, read_paper_rows
from harness_ext.reporting.fidelity import (
    END,
    PER_TYPE_FILE,
    START,
    TITLE,
    per_type_from_samples,
    render,
    training_summary,
    write_fidelity,
)
from tests.leaderboard.leaderboard_fixtures import BASE, markdown_table, results_file

ADAPTER = "r8"
FT_ARGS = f"pretrained={BASE},peft=/x/adapters/{ADAPTER},load_in_8bit=True"


def _entry(at_f1: float, prompt_tokens: float, **more: float) -> dict[str, float]:
    return {"sample_len": 3, "at_f1,none": at_f1, "prompt_tokens,none": prompt_tokens, **more}


def write_runs(folder: Path) -> None:
    """The handmade runs of the module docstring."""
    free = "assetops_free_test30"
    results_file(folder, "ft_old", FT_ARGS, {free: _entry(0.3, 100.0)}, 100.0)
    results_file(folder, "ft_new", FT_ARGS, {free: _entry(0.6, 100.0, format_ok=1.0)}, 200.0)
    results_file(
        folder,
        "base",
        {"pretrained": BASE},
        {"assetops_informed_test30": _entry(0.2, 1000.0), free: _entry(0.0, 100.0)},
        150.0,
    )


def write_samples(folder: Path, assetops_dir: Path) -> None:
    """Samples beside the newest adapter run, plus an older one that must be ignored."""
    paper = {
        int(r["id"]): str(r.get("response") or "")
        for r in read_paper_rows(assetops_dir / PAPER_GOLD_RELATIVE)
    }
    samples = [
        (1, "IoT", paper[1], 0.5, 1.0),
        (2, "IoT", "I would look at the sites first.", 0.0, 0.0),
        (101, "FMSA", paper[101], 1.0, 1.0),
    ]
    lines = [
        json.dumps(
            {
                "doc": {"id": sid, "type": stype},
                "filtered_resps": [text],
                "at_f1": at_f1,
                "at_f1_nb": at_f1,
                "format_ok": format_ok,
            }
        )
        for sid, stype, text, at_f1, format_ok in samples
    ]
    (folder / "ft_new" / "samples_assetops_free_test30_ft_new.jsonl").write_text(
        "\n".join(lines) + "\n\n", "utf-8"
    )
    old = {"doc": {"id": 1, "type": "IoT"}, "filtered_resps": [""], "at_f1": 0.0}
    (folder / "ft_old" / "samples_assetops_free_test30_ft_old.jsonl").write_text(
        json.dumps({**old, "at_f1_nb": 0.0, "format_ok": 0.0}) + "\n", "utf-8"
    )


def write_adapter(adapters: Path) -> None:
    """An adapter folder with a training record whose summary line is checked below."""
    folder = adapters / ADAPTER
    folder.mkdir(parents=True)
    summary = {
        "global_step": 40,
        "examples": {"train": 100},
        "epochs_done": 1.6,
        "tokens": {"mean": 250.5},
        "wall_s": 600.0,
        "seconds_per_step": 15.0,
        "device": "cpu",
        "train_loss": 0.5,
        "eval_loss": None,
    }
    (folder / "training_log.json").write_text(json.dumps({"summary": summary}), "utf-8")
    (folder / "manifest.yaml").write_text(
        "name: r8\nquantization: 8bit\nlora: {r: 8, alpha: 16, target_modules: all-linear}\n"
        "training: {batch_size: 1, grad_accum: 4, lr: 0.004}\n",
        "utf-8",
    )


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    write_runs(tmp_path / "runs")
    return tmp_path / "runs"


def test_each_condition_takes_its_newest_run_and_a_missing_one_is_dashes(
    runs: Path, tmp_path: Path
) -> None:
    block = render(runs, ADAPTER, {}, tmp_path / "adapters", root=tmp_path)
    assert block.startswith(START + "\n") and block.endswith("\n" + END)
    rows = {r["condition"]: r for r in markdown_table(block, "| condition ")}
    assert rows["description-free, fine-tuned"]["AT-F1"] == "0.600"  # 200 beats 100
    assert rows["description-free, fine-tuned"]["quant"] == "8bit"
    assert rows["informed, base"]["AT-F1"] == "0.200"
    assert rows["informed, base"]["prompt tok"] == "1000"
    assert (rows["description-free, base"]["AT-F1"], rows["description-free, base"]["n"]) == (
        "0.000",
        "3",
    )
    extra = rows["informed, fine-tuned (extra)"]
    assert set(extra.values()) - {"informed, fine-tuned (extra)"} == {"–"}
    # Metrics the runs did not report are dashes, never 0.
    assert rows["informed, base"]["lcs"] == "–"
    assert "- description-free, fine-tuned: `runs/ft_new/results_ft_new.json`" in block
    assert "- informed, fine-tuned (extra): not measured" in block
    assert f"Adapter `{ADAPTER}`: no training_log.json found in" in block
    assert "**Per scenario type**" not in block  # no per-type numbers given


def test_training_summary_line(tmp_path: Path) -> None:
    write_adapter(tmp_path)
    assert training_summary(tmp_path, ADAPTER) == [
        "Adapter `r8` (LoRA r=8, alpha=16, all-linear, 8bit base): 40 optimizer steps of "
        "batch 1 × 4 on 100 training examples (1.60 epochs, mean 250.5 tokens), lr 0.004, "
        "train wall time 10.0 min (15.0 s/step on cpu), final train loss 0.500, eval loss –."
    ]


def test_per_type_means_from_the_newest_samples(runs: Path, assetops_dir: Path) -> None:
    write_samples(runs, assetops_dir)
    per_type = per_type_from_samples(runs, ADAPTER)
    # Only the adapter's free run has samples; the base conditions are left out.
    assert list(per_type) == ["description-free, fine-tuned"]
    assert per_type["description-free, fine-tuned"] == {
        "FMSA": {"n": 1, "at_f1": 1.0, "at_f1_nb": 1.0, "format_ok": 1.0, "paper_at_f1": 1.0},
        "IoT": {"n": 2, "at_f1": 0.25, "at_f1_nb": 0.25, "format_ok": 0.5, "paper_at_f1": 0.5},
    }


def test_samples_are_saved_as_aggregates_and_read_back_the_same(
    runs: Path, tmp_path: Path, assetops_dir: Path
) -> None:
    write_samples(runs, assetops_dir)
    write_adapter(tmp_path / "adapters")
    out = tmp_path / "fidelity.md"
    written = write_fidelity(runs, ADAPTER, out, tmp_path / "adapters", root=tmp_path, samples=runs)
    assert written == [out, runs / PER_TYPE_FILE]
    first = out.read_text("utf-8")
    assert first.startswith(f"# {TITLE}\n\n{START}\n")  # created with a title
    saved = json.loads((runs / PER_TYPE_FILE).read_text("utf-8"))
    assert "filtered_resps" not in json.dumps(saved)  # aggregates only, no generations
    assert markdown_table(first[first.index("**Per scenario type**") :], "| condition")[0] == {
        "condition": "description-free, fine-tuned",
        "IoT (n=2)": "0.25 / 0.50",
        "FMSA (n=1)": "1.00 / 1.00",
    }
    regold = markdown_table(first[first.index("**The same generations") :], "| condition")[0]
    # Pooled over the 3 scenarios: (0.5 + 0 + 1) / 3 vs the paper's gold (1 + 0 + 1) / 3.
    assert (regold["AT-F1 vs project gold v2"], regold["AT-F1 vs paper's gold"]) == (
        "0.500",
        "0.667",
    )
    # Without samples the saved aggregates give the same bytes; the text around stays.
    out.write_text("hand-written intro\n" + first + "hand-written analysis\n", "utf-8")
    assert write_fidelity(runs, ADAPTER, out, tmp_path / "adapters", root=tmp_path) == [out]
    assert out.read_text("utf-8") == "hand-written intro\n" + first + "hand-written analysis\n"


def test_an_existing_report_without_markers_is_left_alone(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "fidelity.md"
    out.write_text("notes only\n", "utf-8")
    with pytest.raises(DataFileError, match="has no fidelity markers"):
        write_fidelity(runs, ADAPTER, out, tmp_path / "adapters", root=tmp_path)
    assert out.read_text("utf-8") == "notes only\n"


def test_a_sample_without_its_fields_names_the_file_and_line(runs: Path) -> None:
    (runs / "ft_new" / "samples_assetops_free_test30_ft_new.jsonl").write_text(
        '{"doc": {"id": 1, "type": "IoT"}, "filtered_resps": ["x"], "at_f1": 1.0}\n', "utf-8"
    )
    with pytest.raises(DataFileError, match=r"samples_assetops_free_test30_ft_new\.jsonl:1: "):
        per_type_from_samples(runs, ADAPTER)
