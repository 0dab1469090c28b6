"""The prompts' version means something: a changed word without a new version fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.planning import prompts
from harness_ext.planning.prompts import PROMPT_SHA256, PROMPT_VERSION, prompt_fingerprint


def test_the_prompt_words_are_those_of_prompt_version() -> None:
    assert prompt_fingerprint() == PROMPT_SHA256, (
        "a word of harness_ext/planning/prompts.py changed: bump PROMPT_VERSION, the "
        "assetops tasks' metadata.version and their README changelog, then set "
        f"PROMPT_SHA256 = {prompt_fingerprint()!r}"
    )


def test_the_task_changelog_names_the_prompt_version(repo_root: Path) -> None:
    readme = (repo_root / "lm_eval_tasks/assetops/README.md").read_text("utf-8")
    changelog = readme.split("## Changelog", 1)[1]
    assert f"prompts v{PROMPT_VERSION}" in changelog


@pytest.mark.parametrize("part", ["_ROLE", "_FORMAT"])
def test_changing_any_part_of_the_prompts_changes_the_fingerprint(
    part: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, part, getattr(prompts, part).replace("plan", "plan."))
    assert prompt_fingerprint() != PROMPT_SHA256
