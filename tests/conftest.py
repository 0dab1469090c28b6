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


@pytest.fixture(autouse=True)
def _ctrl_c_reaches_each_test(request: pytest.FixtureRequest) -> None:
    """Give every test Python's own Ctrl-C: SIGINT unblocked and handled by
    ``signal.default_int_handler``.

    A library that blocks or ignores SIGINT in the main thread (and does not put it back)
    changes what later tests see: children inherit a blocked mask or an ignored
    disposition. The judge's Ctrl-C tests then time out while they test nothing of the
    judge. Reset both, and say so, naming the test that finds them changed.
    """
    import signal
    import warnings

    changed = []
    if hasattr(signal, "pthread_sigmask") and signal.SIGINT in signal.pthread_sigmask(
        signal.SIG_BLOCK, []
    ):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
        changed.append("blocked")
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        changed.append("not Python's handler")
    if changed:
        warnings.warn(
            f"SIGINT was {' and '.join(changed)} before {request.node.nodeid}; reset "
            "(an earlier test or library left it so)",
            stacklevel=1,
        )
