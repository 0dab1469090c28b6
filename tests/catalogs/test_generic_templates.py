"""``build-data --templates generic``: nothing written for AssetOps reaches the data, the
defaults keep their bytes, and a user's scenario file supplies the training gold."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml

from harness_ext.cli import main
from harness_ext.planning.catalog_import import import_catalog
from harness_ext.training.data import BuildConfig, build_dataset, sha256_file, write_dataset

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
# The committed adapter's data recipe (scripts/reproduce_fidelity.sh, build_data).
FIDELITY = {"question_plan": 1300, "tool_knowledge": 200, "execution": 0}
GENERIC_KINDS = {"generic_single", "generic_pair", "generic_summary", "gold"}
KNOWLEDGE_KINDS = {"listing", "ownership", "arguments", "routing", "hard_negative",
                   "clarification"}  # fmt: skip


def _fidelity_config(templates: str) -> BuildConfig:
    return BuildConfig(
        catalog="assetops_23",
        sizes=dict(FIDELITY),
        decontaminate_against="test30",
        eval_fraction=0.03,
        templates=templates,  # type: ignore[arg-type]
    )


def test_default_templates_rebuild_the_committed_adapters_data(tmp_path: Path) -> None:
    # The sha256 recorded when adapters/assetops-free-smollm2-r16 was trained: --templates
    # all (the default) must still make exactly that file.
    manifest = yaml.safe_load(
        (REPO / "adapters/assetops-free-smollm2-r16/manifest.yaml").read_text()
    )
    write_dataset(build_dataset(_fidelity_config("all")), tmp_path)
    assert sha256_file(tmp_path / "train.jsonl") == manifest["training_data"]["sha256"]
    assert sha256_file(tmp_path / "eval.jsonl") == manifest["training_data"]["eval_sha256"]
    assert "templates" not in json.loads((tmp_path / "manifest.json").read_text())


def test_generic_assetops_data_has_no_assetops_template(tmp_path: Path) -> None:
    result = build_dataset(_fidelity_config("generic"))
    records = result.train + result.eval
    kinds = Counter(r["meta"]["kind"] for r in records)
    assert set(kinds) <= GENERIC_KINDS | KNOWLEDGE_KINDS, kinds
    assert kinds["gold"] > 0 and kinds["generic_single"] > 0
    sources = {r["meta"]["source"] for r in records}
    assert sources <= {"generic", "gold", "catalog"}, sources  # no paraphrase, no template
    assert result.manifest["templates"] == "generic"
    # Each training gold at most once, as written (kept, or dropped as a near-copy of a
    # test text; two training scenarios with one text count once).
    gold_ids = [r["meta"]["scenario_id"] for r in records if r["meta"]["kind"] == "gold"]
    dropped = [d for d in result.report["dropped"] if d["kind"] == "gold"]
    used = result.manifest["gold"]["training_ids_used"]
    assert len(gold_ids) == len(set(gold_ids))
    assert used - 2 <= len(gold_ids) + len(dropped) <= used


def test_a_user_scenario_file_gives_training_gold_and_its_ids_are_its_own(
    tmp_path: Path,
) -> None:
    cat = tmp_path / "dev.json"
    cat.write_text(
        import_catalog(
            "openai-tools", [FIXTURES / "openai_tools.json"], grouping="map",
            map_file=FIXTURES / "map.json",
        ).text()
    )  # fmt: skip
    rows = [json.loads(line) for line in (FIXTURES / "scenarios.jsonl").read_text().splitlines()]
    # Ids 6 and 41 are AssetOps test ids; here they are training scenarios of another domain.
    for row, new_id in zip(rows, (6, 41, 300, 301), strict=True):
        row["id"] = new_id
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in rows[:3]))
    held = tmp_path / "held.jsonl"
    held.write_text(json.dumps(rows[3]) + "\n")
    out = tmp_path / "data"
    code = main(["build-data", "--catalog", str(cat), "--scenarios", str(train), "--templates",
                 "generic", "--decontaminate-against", str(held), "--out", str(out),
                 "--family-size", "question_plan=40", "--family-size", "tool_knowledge=10",
                 "--family-size", "execution=2"])  # fmt: skip
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["gold"]["source"] == str(train)
    assert manifest["gold"]["training_ids_used"] == 3
    assert manifest["gold"]["excluded_ids"] == [301]  # the held-out id only
    texts = (out / "train.jsonl").read_text() + (out / "eval.jsonl").read_text()
    assert "Post hello to #general" not in texts  # the held-out question never appears
