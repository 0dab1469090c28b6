"""Entity-swapped paraphrases of gold (question, plan) pairs of training scenarios.

One paraphrase swaps entities consistently in the question and in every step's task,
arguments and expected output (chiller numbers, equipment ids of the same prefix, CQPA
AHU names, the site MAIN 30 % of the time), may shift every year by the same amount
(``2020`` and ``'20`` alike), then applies the word rules of
``assetops_phrasing.json`` (each with probability 1/2, first match only) and
``phrasing.finish`` to the question.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from harness_ext.planning.plans import Plan
from harness_ext.training.datagen.assetops.common import AHU, EQUIPMENT_IDS, SITES, WORD_RULES
from harness_ext.training.datagen.phrasing import finish, pick


def _swap_pairs(rng: random.Random, question: str) -> list[tuple[str, str]]:
    """Consistent entity replacements for one paraphrase (old -> new, exact strings)."""
    swaps: list[tuple[str, str]] = []
    for num in sorted(set(re.findall(r"(?i)\bchiller\s?(\d+)\b", question))):
        new = str(pick(rng, [n for n in range(1, 13) if str(n) != num]))
        swaps += [
            (f"Chiller {num}", f"Chiller {new}"),
            (f"chiller {num}", f"chiller {new}"),
            (f"chiller{num}", f"chiller{new}"),
            (f"Chiller{num}", f"Chiller{new}"),
        ]
    for eq in sorted(set(re.findall(r"\b[A-Z]{3}\d{5}\b", question))):
        # A chiller's id stays a chiller's id (CWC...), other kinds keep their prefix.
        same_kind = [e for e in EQUIPMENT_IDS if e[:3] == eq[:3] and e != eq]
        if same_kind:
            swaps.append((eq, pick(rng, same_kind)))
    for ahu in sorted(set(re.findall(r"\bCQPA AHU \w+\b", question))):
        swaps.append((ahu, pick(rng, [n for n in AHU.names if n != ahu])))
    if "MAIN" in question and rng.random() < 0.3:
        swaps.append(("MAIN", pick(rng, [s for s, _ in SITES if s != "MAIN"])))
    return swaps


def _year_shift(rng: random.Random, question: str) -> int:
    if re.search(r"\b20[12]\d\b", question) and rng.random() < 0.6:
        return int(pick(rng, (-3, -2, -1, 1, 2)))
    return 0


def _apply(text: str, swaps: list[tuple[str, str]], shift: int) -> str:
    if swaps:
        pattern = re.compile(
            "|".join(re.escape(old) for old, _ in sorted(swaps, key=lambda s: -len(s[0])))
        )
        table = dict(swaps)
        text = pattern.sub(lambda m: table[m.group(0)], text)
    if shift:
        text = re.sub(r"\b(20[12]\d)\b", lambda m: str(int(m.group(1)) + shift), text)
        # '20 style years ("April '20")
        text = re.sub(r"'(\d\d)\b", lambda m: f"'{(int(m.group(1)) + shift) % 100:02d}", text)
    return text


def _apply_value(value: Any, swaps: list[tuple[str, str]], shift: int) -> Any:
    if isinstance(value, str):
        return _apply(value, swaps, shift)
    if isinstance(value, list):
        return [_apply_value(v, swaps, shift) for v in value]
    if isinstance(value, dict):
        return {k: _apply_value(v, swaps, shift) for k, v in value.items()}
    return value


def paraphrase_gold(rng: random.Random, question: str, plan: Plan) -> tuple[str, Plan] | None:
    """An entity-swapped, reworded variant of a (question, gold plan) pair, or None when no
    rule changed the question."""
    swaps = _swap_pairs(rng, question)
    shift = _year_shift(rng, question)
    new_q = _apply(question, swaps, shift)
    for pattern, options in WORD_RULES:
        if re.search(pattern, new_q) and rng.random() < 0.5:
            new_q = re.sub(pattern, pick(rng, options), new_q, count=1)
    new_q = finish(new_q.strip(), rng)
    if new_q == question.strip():
        return None
    steps = tuple(
        replace(
            s,
            task=_apply(s.task, swaps, shift),
            args=_apply_value(s.args, swaps, shift),
            expected_output=_apply(s.expected_output, swaps, shift),
        )
        for s in plan.steps
    )
    return new_q, Plan(steps)
