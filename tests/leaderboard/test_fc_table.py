"""The leaderboard's function-calling table, from handmade lm-eval results.

Base model in two formats and an adapter in one:

* base, python: simple 0.5 (n 4), multiple 0.25 (n 4), parallel 0.0 (n 2),
  parallel_multiple 0.5 (n 2), irrelevance 1.0 (n 4); the nonlive_ast group 0.3125;
  decode_ok 1.0, 0.5, 0.5, 0.5, 1.0 → pooled (4 + 2 + 1 + 1 + 4) / 16 = 0.75;
* base, json: simple only, acc 0.25, json_valid 0.5 (n 4);
* r8 adapter, python: simple only, acc 0.75; toolplan-hf recorded its manifest kind
  ``sft+grpo``;
* g4 adapter: simple only, no adapter record (another model wrote the file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness_ext.reporting.leaderboard import LEADERBOARD_MD, build, write_leaderboard
from tests.leaderboard.leaderboard_fixtures import BASE, markdown_table, results_file


def _configs(fc_format: str, tasks: list[str]) -> dict[str, Any]:
    return {"configs": {t: {"metadata": {"fc_format": fc_format}} for t in tasks}}


def _write(folder: Path) -> None:
    python = {
        "fc_bfcl_simple": (0.5, 4, 1.0),
        "fc_bfcl_multiple": (0.25, 4, 0.5),
        "fc_bfcl_parallel": (0.0, 2, 0.5),
        "fc_bfcl_parallel_multiple": (0.5, 2, 0.5),
        "fc_bfcl_irrelevance": (1.0, 4, 1.0),
    }
    results: dict[str, dict[str, Any]] = {
        t: {"sample_len": n, "acc,none": acc, "decode_ok,none": ok}
        for t, (acc, n, ok) in python.items()
    }
    results["fc_bfcl_nonlive_ast"] = {"acc,none": 0.3125}
    results_file(folder, "base-python", {"pretrained": BASE}, results, 10.0,
                 extra=_configs("python", list(python)))  # fmt: skip
    json_results = {
        "fc_bfcl_simple": {
            "sample_len": 4, "acc,none": 0.25, "decode_ok,none": 0.5, "json_valid,none": 0.5
        }
    }  # fmt: skip
    results_file(folder, "base-json", {"pretrained": BASE}, json_results, 20.0,
                 extra=_configs("json", ["fc_bfcl_simple"]))  # fmt: skip
    adapter = {"fc_bfcl_simple": {"sample_len": 4, "acc,none": 0.75, "decode_ok,none": 1.0}}
    results_file(folder, "r8", f"pretrained={BASE},peft=/x/adapters/r8", adapter, 30.0,
                 extra=_configs("python", ["fc_bfcl_simple"]))  # fmt: skip
    record = json.loads((folder / "r8" / "results_r8.json").read_text())
    record["config"]["toolplan_adapter"] = {"path": "/x/adapters/r8", "kind": "sft+grpo"}
    (folder / "r8" / "results_r8.json").write_text(json.dumps(record))
    results_file(folder, "g4", f"pretrained={BASE},peft=/x/adapters/g4", adapter, 40.0,
                 extra=_configs("python", ["fc_bfcl_simple"]))  # fmt: skip


def test_one_row_per_model_adapter_and_format(tmp_path: Path) -> None:
    _write(tmp_path)
    rows = {(r.key.adapter, r.fc_format): r for r in build([tmp_path]).fc_rows}
    assert set(rows) == {("", "python"), ("", "json"), ("r8", "python"), ("g4", "python")}
    base = rows[("", "python")]
    assert base.accuracy == (0.5, 0.25, 0.0, 0.5, 1.0)
    assert (base.n, base.non_live_overall, base.json_valid) == (16, 0.3125, None)
    assert base.decode_ok == pytest.approx(0.75)
    json_row = rows[("", "json")]
    assert json_row.accuracy == (0.25, None, None, None, None)
    assert (json_row.non_live_overall, json_row.json_valid) == (None, 0.5)
    assert rows[("r8", "python")].accuracy[0] == 0.75


def test_the_markdown_has_the_fc_table_and_its_sources(tmp_path: Path) -> None:
    _write(tmp_path / "runs")
    write_leaderboard([tmp_path / "runs"], tmp_path / "out")
    text = (tmp_path / "out" / LEADERBOARD_MD).read_text("utf-8")
    assert "## Function calling (BFCL non-live)" in text
    section = text[text.index("## Function calling (BFCL non-live)") :]
    table = {(r["adapter"], r["format"]): r for r in markdown_table(section, "| model")}
    assert table[("(base)", "python")]["non-live overall"] == "0.312"
    assert table[("(base)", "json")]["multiple"] == "–"
    assert table[("r8", "python")]["simple"] == "0.750"
    methods = {adapter: row["method"] for (adapter, _), row in table.items()}
    assert methods == {"(base)": "none", "r8": "sft+grpo", "g4": "–"}
    assert "runs/base-json/results_base-json.json" in text
