"""forget_probe's offline part through the real lm_eval CLI, then the leaderboard from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.reporting.leaderboard import LEADERBOARD_MD
from tests.helpers import only_results_json, run_command

LIMIT = 6  # questions of forget_probe_mmlu: enough to score, cheap on 2 cores


@pytest.mark.slow
def test_forget_probe_offline_through_lm_eval_and_leaderboard(
    tmp_path: Path, embedded_model: str
) -> None:
    runs = tmp_path / "runs"
    done = run_command(
        [
            "lm_eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={embedded_model}",
            "--device",
            "cpu",
            "--batch_size",
            "4",
            "--tasks",
            "forget_probe",
            "--limit",
            str(LIMIT),
            "--output_path",
            str(runs),
        ],
        env={"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = only_results_json(runs)
    results = data["results"]
    mmlu, probe = results["forget_probe_mmlu"], results["forget_probe"]
    assert mmlu["sample_len"] == LIMIT and probe["sample_len"] == LIMIT
    assert 0.0 <= mmlu["acc,none"] <= 1.0
    assert probe["acc,none"] == pytest.approx(mmlu["acc,none"])  # the only part that ran
    for part, dataset in (("arc", "allenai/ai2_arc"), ("hellaswag", "Rowan/hellaswag")):
        entry = results[f"forget_probe_{part}"]
        assert entry["sample_len"] == 0 and entry["alias"].endswith("(skipped)")
        assert entry["skipped,none"].startswith(dataset)
        assert not any(key.startswith("acc") for key in entry)
        assert done.stderr.count(f"forget_probe_{part} skipped: {dataset}") == 1
    assert "(skipped)" in done.stdout  # the printed table shows the marker too

    out = tmp_path / "board"
    board = run_command(["toolplan", "leaderboard", str(runs), "--out", str(out)])
    assert board.returncode == 0, board.stderr
    text = (out / LEADERBOARD_MD).read_text("utf-8")
    assert f"| {mmlu['acc,none']:.3f} " in text
    assert "forget_probe_arc (skipped), forget_probe_hellaswag (skipped)" in text
    assert "itself (base run)" in text
