"""The committed results files rebuild byte for byte from the committed runs.

``toolplan leaderboard results/runs --readme README.md``, ``scripts/fidelity_table.py``
and ``scripts/rank_ablation.py report`` are run into a temporary folder (no model, no
network) and their outputs compared with ``results/`` and the README's leaderboard
block. A failure means either the code changed what it writes or a committed file was
edited by hand: regenerate with the commands above and review the diff.

PNGs: matplotlib writes the same bytes for the same input with the same matplotlib
(checked here). Across matplotlib releases rendering may change, so the PNG byte check
runs only under the version that drew the committed PNGs; the data behind them (AT-F1,
prompt tokens, retention, the ablation rows) is in the Markdown tables checked above,
and ``test_plots_are_drawn_twice_to_the_same_bytes`` checks determinism on any version.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from harness_ext.cli import main as toolplan
from harness_ext.reporting.leaderboard import (
    LEADERBOARD_MD,
    PLOT_JUDGE,
    PLOT_RETENTION,
    PLOT_TOKENS,
    README_END,
    README_START,
)

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "results"
# The matplotlib release that drew the committed PNGs (rebuild them when this changes).
PNG_MATPLOTLIB = "3.11.2"
LEADERBOARD_PNGS = (PLOT_TOKENS, PLOT_RETENTION, PLOT_JUDGE)


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of results/runs and the README, and every report rebuilt beside them.

    The leaderboard names its sources relative to its output folder, so the runs are
    copied to keep ``runs/...``; the two scripts name theirs relative to the repository,
    so they read the committed runs in place and write into the copy.
    """
    root = tmp_path_factory.mktemp("rebuilt")
    shutil.copytree(RESULTS / "runs", root / "results" / "runs")
    shutil.copyfile(REPO / "README.md", root / "README.md")
    for name in ("fidelity_test30.md", "rank_ablation.md"):
        shutil.copyfile(RESULTS / name, root / "results" / name)
    code = toolplan(
        [
            "leaderboard",
            str(root / "results" / "runs"),
            "--out",
            str(root / "results"),
            "--readme",
            str(root / "README.md"),
        ]
    )
    assert code == 0
    fidelity = _script("fidelity_table").main(
        [
            "--runs",
            str(RESULTS / "runs" / "fidelity_test30"),
            "--out",
            str(root / "results" / "fidelity_test30.md"),
        ]
    )
    assert fidelity == 0
    ablation = _script("rank_ablation").main(
        ["report", "--runs", str(RESULTS / "runs"), "--out", str(root / "results")]
    )
    assert ablation == 0
    return root


@pytest.mark.parametrize("name", [LEADERBOARD_MD, "fidelity_test30.md", "rank_ablation.md"])
def test_markdown_reports_rebuild_byte_identically(rebuilt: Path, name: str) -> None:
    assert (rebuilt / "results" / name).read_bytes() == (RESULTS / name).read_bytes(), (
        f"results/{name} differs from what the generator writes; regenerate and review"
    )


def test_readme_leaderboard_block_rebuilds_byte_identically(rebuilt: Path) -> None:
    committed = (REPO / "README.md").read_text("utf-8")
    assert README_START in committed and README_END in committed
    assert (rebuilt / "README.md").read_text("utf-8") == committed


@pytest.mark.parametrize("name", [*LEADERBOARD_PNGS, "rank_ablation.png"])
def test_pngs_rebuild_byte_identically(rebuilt: Path, name: str) -> None:
    import matplotlib

    if matplotlib.__version__ != PNG_MATPLOTLIB:
        pytest.skip(
            f"committed PNGs were drawn by matplotlib {PNG_MATPLOTLIB}, this is "
            f"{matplotlib.__version__}: pixels may differ across releases; the data behind "
            "them is checked by test_markdown_reports_rebuild_byte_identically"
        )
    assert (rebuilt / "results" / name).read_bytes() == (RESULTS / name).read_bytes(), name


def test_plots_are_drawn_twice_to_the_same_bytes(rebuilt: Path, tmp_path: Path) -> None:
    code = toolplan(["leaderboard", str(rebuilt / "results" / "runs"), "--out", str(tmp_path)])
    assert code == 0
    for name in LEADERBOARD_PNGS:
        assert (tmp_path / name).read_bytes() == (rebuilt / "results" / name).read_bytes(), name


@pytest.mark.parametrize(
    ("script", "argv"),
    [
        ("fidelity_table", ["--runs", "{missing}", "--out", "{tmp}/f.md"]),
        ("rank_ablation", ["report", "--runs", "{missing}", "--out", "{tmp}"]),
    ],
)
def test_scripts_name_a_bad_runs_folder_and_exit_2(
    script: str, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.format(missing=tmp_path / "missing", tmp=tmp_path) for a in argv]
    assert _script(script).main(args) == 2
    assert f"{tmp_path / 'missing'}: does not exist" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing written


def test_committed_results_files_hold_no_checkout_path() -> None:
    """lm-eval writes each task's YAML path as an absolute ``config_source``; committed
    results carry it repo-relative (``scripts/keep_results.py``), never a machine's path."""
    import json

    absolute = []
    for path in sorted(RESULTS.rglob("*.json")):
        configs = json.loads(path.read_text("utf-8")).get("configs")
        for task, config in configs.items() if isinstance(configs, dict) else ():
            meta = config.get("metadata") if isinstance(config, dict) else None
            source = str((meta or {}).get("config_source", ""))
            if source.startswith("/") or str(REPO) in source:
                absolute.append(f"{path.relative_to(REPO)}: {task}: {source}")
    assert not absolute, "run `python scripts/keep_results.py --in-place results`:\n" + "\n".join(
        absolute
    )
