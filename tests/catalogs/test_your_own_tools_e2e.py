"""The README's "Your own tools" road through the real CLIs: ``toolplan catalog import``,
``toolplan scenarios check``, then plain ``lm_eval`` with the imported catalog and the
user's scenario file (its gold inside) on the embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import only_results_json, run_command, samples_jsonl

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.slow
def test_import_check_and_evaluate_both_conditions(embedded_model: str, tmp_path: Path) -> None:
    catalog = tmp_path / "dev.json"
    imported = run_command(
        ["toolplan", "catalog", "import", "--from", "openai-tools", str(FIXTURES / "openai_tools.json"),
         "--group", "map", "--map", str(FIXTURES / "map.json"), "--name", "dev",
         "--domain", "software development chores", "--out", str(catalog)]
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    checked = run_command(
        ["toolplan", "scenarios", "check", str(FIXTURES / "scenarios.jsonl"), "--catalog",
         str(catalog)]
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    out = tmp_path / "run"
    result = run_command(
        ["lm_eval", "--model", "hf", "--model_args", f"pretrained={embedded_model}",
         "--device", "cpu", "--tasks", "assetops_informed,assetops_free", "--apply_chat_template",
         "--metadata", f"catalog={catalog},scenarios={FIXTURES / 'scenarios.jsonl'}",
         "--limit", "2", "--gen_kwargs", "max_gen_toks=8", "--output_path", str(out),
         "--log_samples"]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = only_results_json(out)["results"]
    informed = results["assetops_informed"]["prompt_tokens,none"]
    free = results["assetops_free"]["prompt_tokens,none"]
    assert informed > free > 0
    assert "at_f1,none" in results["assetops_free"]
    docs = [s["doc"] for s in samples_jsonl(out, "assetops_informed")]
    assert [d["id"] for d in docs] == [1, 2]
    assert docs[0]["system_prompt"].startswith("You plan tool use for software development")
    # The gold came from the scenario file, agents resolved by the catalog.
    assert "#Agent1: Code\n#Tool1: github_list_pulls" in docs[1]["gold_plans"][0]
