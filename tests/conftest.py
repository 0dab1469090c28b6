"""Shared fixtures: the embedded model, the AssetOpsBench data folder, offline env.

Tests never reach a hub: HF_HUB_OFFLINE / HF_DATASETS_OFFLINE are set for the whole
session. Scenario data is read from ``$ASSETOPSBENCH_DIR`` (CI points it at
``../shared/data/assetopsbench``); when unset, that sibling folder is used. A missing
data folder is an error, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ASSETOPSBENCH_DIR", str(REPO_ROOT.parent / "shared/data/assetopsbench"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def assetops_dir() -> Path:
    path = Path(os.environ["ASSETOPSBENCH_DIR"])
    if not (path / "scenarios").is_dir():
        pytest.fail(
            f"ASSETOPSBENCH_DIR={path} does not hold the AssetOpsBench data "
            "(expected a scenarios/ folder). Point it at ../shared/data/assetopsbench."
        )
    return path


@pytest.fixture(scope="session")
def embedded_model() -> str:
    """The fp32 folder of the embedded SmolLM2-135M-Instruct (converted once per cache)."""
    from harness_ext.models.embedded import embedded_model_path

    return str(embedded_model_path())
