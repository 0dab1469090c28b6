"""The training-data generators' data files (``harness_ext/data/datagen/``) are valid.

Entity pools, question templates, phrases and rule tables live in JSON; these checks
are what a hand edit of them must pass: the shapes the code reads, the invariants other
code relies on (ids the paraphraser recognises, MAIN among the sites), well-formed
template grammar, and no template key that the code does not use or lacks.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

import pytest

from harness_ext.errors import DataFileError
from harness_ext.planning.catalog import load_catalog
from harness_ext.training.datagen import assetops
from harness_ext.training.datagen.assetops import common
from harness_ext.training.datagen.base import load_data

ENTITIES = load_data(common.ENTITIES_RESOURCE)
PHRASING = load_data(common.PHRASING_RESOURCE)


def slots(template: str) -> set[str]:
    """The ``{slot}`` names of a template (ValueError on a stray brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def balanced(template: str) -> bool:
    depth = 0
    for ch in template:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def words(values: Any, unique: bool = True) -> bool:
    """A non-empty list of non-empty one-line strings (without repeats when ``unique``)."""
    ok = (
        isinstance(values, list)
        and values
        and all(isinstance(v, str) and v.strip() == v and v and "\n" not in v for v in values)
    )
    return bool(ok) and (not unique or len(set(values)) == len(values))


def test_entities_have_exactly_the_pools_the_code_reads() -> None:
    assert set(ENTITIES) == {
        "about", "sites", "asset_kinds", "failure_mode_asset_types", "equipment_ids",
        "alert_rules", "kpi_anomalies", "components", "timestamp_columns", "ts_tasks",
        "ts_models", "context_lengths", "forecast_domains", "sensor_groups", "years",
        "data_file_suffixes", "json_files", "anomaly_files", "json_file_kinds",
    }  # fmt: skip
    for name in ("kpi_anomalies", "components", "ts_tasks", "ts_models", "forecast_domains",
                 "json_file_kinds", "json_files", "anomaly_files"):  # fmt: skip
        assert words(ENTITIES[name]), name
    # Repeats are weights here: "Chiller" is listed twice on purpose.
    assert words(ENTITIES["failure_mode_asset_types"], unique=False)
    assert all(isinstance(n, int) and n > 0 for n in ENTITIES["context_lengths"])
    assert ENTITIES["years"] == sorted(set(ENTITIES["years"]))
    assert all(words(pair) and len(pair) == 2 for pair in ENTITIES["sensor_groups"])
    assert set(ENTITIES["data_file_suffixes"]) == {"forecast", "finetune", "tsad"}
    assert all(words(v) for v in ENTITIES["data_file_suffixes"].values())
    for pattern in ENTITIES["json_files"] + ENTITIES["anomaly_files"]:
        assert slots(pattern) <= {"slug"}, pattern


@pytest.mark.parametrize("pool", ["sites", "timestamp_columns"])
def test_weighted_pools_are_unique_values_with_positive_weights(pool: str) -> None:
    rows = ENTITIES[pool]
    assert words([value for value, _ in rows])
    assert all(isinstance(w, (int, float)) and w > 0 for _, w in rows)


def test_asset_kinds_and_the_ids_other_code_relies_on() -> None:
    kinds = ENTITIES["asset_kinds"]
    assert {"chiller", "ahu"} <= set(kinds)  # the TSFM/FMSR intents draw from these two
    for key, kind in kinds.items():
        assert set(kind) == {"singular", "plural", "names", "sensors", "failure_modes", "weight"}
        assert kind["weight"] > 0 and kind["singular"] and kind["plural"], key
        assert words(kind["names"]) and words(kind["sensors"]) and words(kind["failure_modes"])
    # The gold paraphraser swaps "Chiller N" for N in 1..12 and ids by their 3-letter prefix.
    assert all(re.fullmatch(r"Chiller (1[0-2]|[1-9])", n) for n in kinds["chiller"]["names"])
    assert words(ENTITIES["equipment_ids"])
    assert all(re.fullmatch(r"[A-Z]{3}\d{5}", e) for e in ENTITIES["equipment_ids"])
    assert "CWC04009" in ENTITIES["equipment_ids"]  # the fleet questions' equipment
    assert words(ENTITIES["alert_rules"])
    assert all(re.fullmatch(r"RUL\d{4}", r) for r in ENTITIES["alert_rules"])
    assert "MAIN" in {s for s, _ in ENTITIES["sites"]}  # the gold plans' default site


def test_every_template_is_well_formed() -> None:
    bad = []
    for key, found in PHRASING["questions"].items():
        if not words(found):
            bad.append(f"{key}: not a list of distinct one-line strings")
        for t in found:
            try:
                names = slots(t)
            except ValueError as e:
                bad.append(f"{key}: {t!r}: {e}")
                continue
            if not balanced(t) or not all(n.isidentifier() for n in names):
                bad.append(f"{key}: {t!r}: unbalanced [..] or an odd {{slot}}")
    assert not bad, bad


def test_question_keys_are_exactly_those_the_intents_use(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()
    real = common.templates

    def recording(key: str) -> tuple[str, ...]:
        used.add(key)
        return real(key)

    monkeypatch.setattr(common, "templates", recording)
    for intent, _ in assetops.INTENTS:
        for seed in range(150):
            intent(random.Random(seed))
    for seed in range(150):
        assetops.clarifications(random.Random(seed))
    assert used == set(PHRASING["questions"]), {
        "unused": sorted(set(PHRASING["questions"]) - used),
        "missing": sorted(used - set(PHRASING["questions"])),
    }


def test_phrases_answers_and_word_rules() -> None:
    phrases = PHRASING["phrases"]
    assert set(phrases) == {"at_site", "equipment", "chiller_equipment", "work_order_nouns",
                            "event_groups", "sensor_moves", "top_k"}  # fmt: skip
    assert all("{s}" in p for p in phrases["at_site"]) and words(phrases["at_site"])
    assert slots(phrases["equipment"]) == {"e"}
    assert slots(phrases["chiller_equipment"]) == {"c", "e"}
    wo_tools = {t.name for t in load_catalog("assetops_23").agent("WorkOrderAgent").tools}
    assert all(tool in wo_tools and balanced(noun) for tool, noun in phrases["work_order_nouns"])
    assert words(phrases["event_groups"]) and words(phrases["sensor_moves"])
    assert words(phrases["top_k"])
    answers = PHRASING["clarification_answers"]
    assert set(answers) == {"equipment_id", "dataset_path", "asset"}
    assert all(slots(a) <= {"example"} for a in answers.values())
    for pattern, options in PHRASING["word_rules"]:
        re.compile(pattern)
        assert words(options), pattern


def test_generic_verbs_are_distinct_lower_case_words() -> None:
    verbs = load_data("datagen/generic_phrasing.json")["verbs"]
    assert words(verbs) and all(re.fullmatch(r"[a-z]+", v) for v in verbs)


def test_a_missing_data_file_names_itself() -> None:
    with pytest.raises(DataFileError, match=r"no_such_file\.json: cannot be read"):
        load_data("datagen/no_such_file.json")
