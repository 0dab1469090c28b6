"""Scenario splits: the fixed paper_test30 and the derived paper_test30_twinfree.

The twin rule is checked twice: on a handmade fixture (exact twins, the 0.8 boundary,
texts that differ only in case and spacing) and on the real 152 scenarios, where the
expected twins are recomputed here with plain ``difflib`` (no quick-ratio shortcuts).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest

from harness_ext.errors import DataFileError, UnknownNameError
from harness_ext.planning.scenarios import Scenario, load_scenarios
from harness_ext.planning.splits import (
    SPLITS,
    find_twins,
    paper_test30_twinfree,
    split_ids,
    split_names,
)

TEST30 = SPLITS["paper_test30"] or ()


def _scenario(i: int, text: str) -> Scenario:
    return Scenario(id=i, type="IoT", text=text)


def _fixture() -> list[Scenario]:
    """All 30 held-out ids with texts of their own, and five training scenarios:

    * 900 repeats held-out 6 with other case and spacing (a twin, ratio 1.0);
    * 901 is "abcdex" against held-out 41's "abcdef" (ratio 10/12 = 0.833: a twin);
    * 902 is "vwxyQ" against held-out 43's "vwxyz" (ratio 8/10 = 0.8 exactly: not one);
    * 903 and 904 resemble nothing.
    """
    held = {
        i: f"{i} held-out question on topic {chr(65 + n % 26)}{n}" for n, i in enumerate(TEST30)
    }
    held[6] = "List the  sensors of Chiller 6 at site MAIN."
    held[41], held[43] = "abcdef", "vwxyz"
    training = {
        900: "list the sensors of chiller 6   at site main.",
        901: "abcdex",
        902: "vwxyQ",
        903: "Forecast the energy use of the east wing for next week, hourly.",
        904: "Which work orders on pump 3 were corrective in 2019?",
    }
    return [_scenario(i, t) for i, t in {**held, **training}.items()]


def test_twins_on_a_fixture_follow_the_builders_rule() -> None:
    twins = find_twins(_fixture(), TEST30)
    assert {h: (t.training, round(t.ratio, 3)) for h, t in twins.items()} == {
        6: (900, 1.0),
        41: (901, 0.833),
    }
    derived = paper_test30_twinfree(_fixture())
    assert derived == tuple(i for i in TEST30 if i not in (6, 41))  # 43 (exactly 0.8) stays
    assert split_ids("paper_test30_twinfree", _fixture()) == derived


def test_the_closest_twin_wins_and_ties_go_to_the_lower_id() -> None:
    scenarios = [
        _scenario(1, "abcdefghij"),
        _scenario(7, "abcdefghiX"),  # 0.9
        _scenario(5, "abcdefghiY"),  # 0.9, lower id
        _scenario(9, "abcdefghij"),  # 1.0
    ]
    assert find_twins(scenarios, [1])[1].training == 9
    assert find_twins(scenarios[:3], [1])[1].training == 5


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def test_on_the_real_scenarios_half_of_test30_has_a_twin(assetops_dir: Path) -> None:
    scenarios = load_scenarios(str(assetops_dir))
    assert len(scenarios) == 152
    twins = find_twins(scenarios, TEST30)
    # Known twins named in issue 13 (601 and 602 are the same text).
    assert twins[601].training == 602 and twins[601].ratio == 1.0
    for held, train in ((102, 101), (607, 109), (517, 501), (119, 619)):
        assert twins[held].training == train and twins[held].ratio >= 0.94
    # Plain difflib, every pair, in the builder's direction (training text first).
    by_id = {s.id: s for s in scenarios}
    training = [s for s in scenarios if s.id not in TEST30]
    best = {
        h: max(SequenceMatcher(None, _norm(t.text), _norm(by_id[h].text)).ratio() for t in training)
        for h in TEST30
    }
    assert {h for h, r in best.items() if r > 0.8} == set(twins)
    for h, twin in twins.items():
        assert twin.ratio == pytest.approx(best[h])
    twinfree = split_ids("paper_test30_twinfree", scenarios)
    assert twinfree is not None and len(twinfree) == 15 and len(twins) == 15
    assert all(best[h] <= 0.8 for h in twinfree) and 601 not in twinfree


def test_the_twinfree_tasks_build_their_docs_from_the_derived_ids(assetops_dir: Path) -> None:
    from harness_ext.lm_eval_glue.assetops import build_docs

    scenarios = load_scenarios(str(assetops_dir))
    docs = build_docs("free", "paper_test30_twinfree", scenarios=str(assetops_dir))
    assert tuple(d["id"] for d in docs) == paper_test30_twinfree(scenarios)


def test_split_errors_name_the_problem_and_the_fix() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean: paper_test30_twinfree"):
        split_ids("paper_test30_twinfre")
    assert "paper_test30_twinfree" in split_names()
    with pytest.raises(DataFileError, match=r"derived from the scenario texts.*Fix: pass"):
        split_ids("paper_test30_twinfree")
    with pytest.raises(DataFileError, match=r"ids \[41, 43\] are not in the loaded"):
        find_twins([_scenario(6, "a"), _scenario(900, "b")], [6, 41, 43])
    with pytest.raises(DataFileError, match="no training scenarios are loaded"):
        find_twins([_scenario(6, "a")], [6])
