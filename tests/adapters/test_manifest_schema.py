"""The manifest schema: committed files round-trip byte for byte; invalid ones name the
file, the field and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness_ext.errors import DataFileError
from harness_ext.registry.manifest import MANIFEST, read_manifest, write_manifest
from tests.conftest import REPO_ROOT

COMMITTED = sorted(p.parent for p in (REPO_ROOT / "adapters").glob(f"*/{MANIFEST}"))


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_manifests_round_trip_unchanged(folder: Path, tmp_path: Path) -> None:
    write_manifest(tmp_path, read_manifest(folder))
    assert (tmp_path / MANIFEST).read_text() == (folder / MANIFEST).read_text()


def test_unknown_keys_are_kept_in_order(tmp_path: Path) -> None:
    data = yaml.safe_load((COMMITTED[0] / MANIFEST).read_text())
    data.update(zeta={"b": 1}, alpha_note="kept")
    (tmp_path / MANIFEST).write_text(yaml.safe_dump(data, sort_keys=False))
    manifest = read_manifest(tmp_path)
    assert list(manifest.extra)[-2:] == ["zeta", "alpha_note"]
    out = tmp_path / "out"
    write_manifest(out, manifest)
    assert yaml.safe_load((out / MANIFEST).read_text()) == data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("lora"), "'lora' is missing"),
        (
            lambda d: d.update(quantization="16bit"),
            "'quantization' must be 'none', '8bit' or '4bit' (found \"16bit\")",
        ),
        (lambda d: d["lora"].update(r=0), "'lora.r' input should be greater than 0 (found 0)"),
        (lambda d: d["lora"].update(dropout=1.5), "'lora.dropout' input should be less than 1"),
        (lambda d: d.update(base_model=""), "'base_model' string should have at least 1 character"),
        (lambda d: d.update(name=None), "'name' must be a string (found null)"),
    ],
)
def test_an_invalid_manifest_names_file_field_and_fix(
    edit: Any, message: str, tmp_path: Path
) -> None:
    folder = tmp_path / "a"
    shutil.copytree(COMMITTED[0], folder)
    data = yaml.safe_load((folder / MANIFEST).read_text())
    edit(data)
    (folder / MANIFEST).write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(DataFileError) as err:
        read_manifest(folder)
    text = str(err.value)
    assert text.startswith(f"{folder / MANIFEST}: ")
    assert message in text and "Fix: correct those fields" in text


def test_a_manifest_that_is_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("- just\n- a list\n")
    with pytest.raises(DataFileError, match=r"manifest\.yaml: must be a YAML mapping"):
        read_manifest(tmp_path)
    (tmp_path / MANIFEST).write_text("name: [unclosed\n")
    with pytest.raises(DataFileError, match="not readable YAML"):
        read_manifest(tmp_path)
