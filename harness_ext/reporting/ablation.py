"""The LoRA rank ablation: planning quality vs retention per rank (``results/rank_ablation.md``).

``collect`` copies what the table needs from an adapter folder into
``<runs>/rank_ablation/<adapter name>/`` (the ablation adapters themselves are not
committed): ``training_log.json``, ``manifest.yaml`` and ``adapter_info.json`` (rank,
trainable parameters counted from the safetensors file, file size).

``gather`` reads those folders and every lm-eval ``results_*.json`` under the runs
folder: for each collected adapter, its newest ``assetops_free_test30`` run (matched on
the adapter's name, as the leaderboard names it) and, per forgetting suite, its accuracy
and the retention the leaderboard computes (``harness_ext.forgetting.retention``: adapter
/ base accuracy over the same questions, the base run with the same quantization
preferred). ``write_report`` puts the table between ``<!-- ablation:start -->`` and
``<!-- ablation:end -->`` of ``rank_ablation.md`` (the text around it is written by
hand) and draws ``rank_ablation.png``. Anything not measured shows as "–".
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError
from harness_ext.io import replace_marked_block
from harness_ext.reporting.leaderboard import build_from
from harness_ext.reporting.plots import plot_rank_ablation
from harness_ext.reporting.results import metric, newest_run, read_json, read_runs, shown_path
from harness_ext.reporting.tables import MISSING, fmt, github_table, pct

ABLATION_DIR = "rank_ablation"  # under the runs folder
REPORT_MD = "rank_ablation.md"
REPORT_PNG = "rank_ablation.png"
START, END = "<!-- ablation:start -->", "<!-- ablation:end -->"
TITLE = "LoRA rank ablation"
TASK = "assetops_free_test30"
SUITES = ("forget_probe", "forget_mmlu", "forget_mmlu_cloze")
QUALITY = ("at_f1", "at_f1_nb", "agent_f1", "tool_f1", "format_ok")
COLLECT_FIX = "run `python scripts/rank_ablation.py collect --adapter DIR` for that adapter"


@dataclass(frozen=True)
class SuiteResult:
    """One forgetting suite of one adapter (``None`` = not measured / no comparable base)."""

    acc: float | None = None
    n: int | None = None
    base_acc: float | None = None
    base_quant: str | None = None
    retention: float | None = None


@dataclass(frozen=True)
class AblationRow:
    """One collected adapter: its training record, planning metrics and forgetting."""

    name: str
    rank: int
    alpha: int
    trainable_params: int
    adapter_bytes: int
    steps: int
    wall_s: float
    train_loss: float
    eval_loss: float | None
    metrics: dict[str, float | None]
    forgetting: dict[str, SuiteResult]
    planning_source: Path | None


def collect(adapter: Path, into: Path) -> Path:
    """Copy an adapter's training record and size into ``into/<name>/``; return that folder.

    Raises:
        DataFileError: the adapter folder lacks its manifest or weights.
    """
    import yaml

    fix = "pass an adapter folder written by `toolplan train`"
    manifest_path = adapter / "manifest.yaml"
    if not manifest_path.is_file():
        raise DataFileError(manifest_path, "not found", fix)
    manifest = yaml.safe_load(manifest_path.read_text("utf-8"))
    name = str(manifest["name"])
    weights = adapter / "adapter_model.safetensors"
    if not weights.is_file():
        raise DataFileError(weights, "not found", fix)
    params = safetensors_parameters(weights)
    dest = into / name
    dest.mkdir(parents=True, exist_ok=True)
    for file in ("training_log.json", "manifest.yaml"):
        shutil.copyfile(adapter / file, dest / file)
    info = {
        "name": name,
        "rank": manifest["lora"]["r"],
        "alpha": manifest["lora"]["alpha"],
        "target_modules": manifest["lora"]["target_modules"],
        "quantization": manifest["quantization"],
        "trainable_params": params,
        "adapter_bytes": weights.stat().st_size,
    }
    (dest / "adapter_info.json").write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    return dest


def safetensors_parameters(path: Path) -> int:
    """The number of values in a safetensors file, read from its header alone.

    The format: 8 bytes little-endian header length, then a JSON header mapping each
    tensor name to its ``shape`` (plus an optional ``__metadata__`` entry).

    Raises:
        DataFileError: the file is shorter than its header says or the header is not JSON.
    """
    fix = "pass an adapter folder whose adapter_model.safetensors was written completely"
    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        raw = f.read(size)
    try:
        if len(raw) != size:
            raise ValueError(f"header of {size} bytes announced, {len(raw)} found")
        header = json.loads(raw)
        return sum(
            math.prod(entry["shape"]) for name, entry in header.items() if name != "__metadata__"
        )
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise DataFileError(path, f"has no readable safetensors header ({e})", fix) from e


def _field(record: dict[str, Any], key: str, where: Path) -> Any:
    if not isinstance(record, dict) or key not in record:
        raise DataFileError(where, f"has no field '{key}'", COLLECT_FIX)
    return record[key]


def gather(runs: Path) -> list[AblationRow]:
    """One row per adapter collected under ``runs/rank_ablation/``, sorted by rank.

    Raises:
        DataFileError: a collected file is missing or malformed, or a results file is.
    """
    parsed = read_runs([runs])
    board = build_from(parsed)
    out = []
    for info_path in sorted((runs / ABLATION_DIR).glob("*/adapter_info.json")):
        info = read_json(info_path, COLLECT_FIX)
        log_path = info_path.parent / "training_log.json"
        log = _field(read_json(log_path, COLLECT_FIX), "summary", log_path)
        name = str(_field(info, "name", info_path))
        run = newest_run(parsed, TASK, name)
        entry = run.results[TASK] if run else {}
        forgetting = {}
        for suite in SUITES:
            found = [s for s in board.scores if s.adapter == name and s.suite == suite]
            if not found:
                forgetting[suite] = SuiteResult()
                continue
            score = found[0]
            ret = board.retention[score]
            forgetting[suite] = SuiteResult(
                acc=score.acc,
                n=score.n,
                base_acc=ret.base.acc if ret.base else None,
                base_quant=ret.base.quantization if ret.base else None,
                retention=ret.value,
            )
        out.append(
            AblationRow(
                name=name,
                rank=int(_field(info, "rank", info_path)),
                alpha=int(_field(info, "alpha", info_path)),
                trainable_params=int(_field(info, "trainable_params", info_path)),
                adapter_bytes=int(_field(info, "adapter_bytes", info_path)),
                steps=int(_field(log, "global_step", log_path)),
                wall_s=float(_field(log, "wall_s", log_path)),
                train_loss=float(_field(log, "train_loss", log_path)),
                eval_loss=log.get("eval_loss"),
                metrics={m: metric(entry, m) for m in QUALITY},
                forgetting=forgetting,
                planning_source=run.path if run else None,
            )
        )
    return sorted(out, key=lambda d: d.rank)


def table(rows: list[AblationRow]) -> str:
    """The markdown table, one line per rank."""
    headers = [
        "rank", "alpha", "trainable params", "adapter MB", "train wall min", "steps",
        "final train loss", "eval loss", "AT-F1", "AT-F1 nb", "agent F1", "tool F1",
        "format_ok", *(f"{s} {k}" for s in SUITES for k in ("acc", "ret %")),
    ]  # fmt: skip
    body = []
    for d in rows:
        retention = [
            cell
            for s in SUITES
            for cell in (fmt(d.forgetting[s].acc, 3), pct(d.forgetting[s].retention))
        ]
        body.append(
            [
                str(d.rank),
                str(d.alpha),
                f"{d.trainable_params:,}",
                f"{d.adapter_bytes / 1e6:.1f}",
                f"{d.wall_s / 60:.1f}",
                str(d.steps),
                fmt(d.train_loss, 3),
                fmt(d.eval_loss, 3),
                *(fmt(d.metrics[k], 3) for k in QUALITY),
                *retention,
            ]
        )
    return github_table(headers, body)


def render_block(rows: list[AblationRow], root: Path) -> str:
    """The generated block: table and sources (paths relative to ``root``), with markers."""
    sources = [
        f"- r={d.rank}: planning "
        f"`{shown_path(d.planning_source, root) if d.planning_source else MISSING}`; "
        + "; ".join(
            f"{s} over {f.n or MISSING} questions vs the {f.base_quant or MISSING} base "
            f"(acc {fmt(f.base_acc, 3)})"
            for s, f in d.forgetting.items()
        )
        for d in rows
    ]
    return "\n".join([START, "", table(rows), "", "Sources:", "", *sources, "", END])


def write_report(runs: Path, out: Path, root: Path) -> list[Path]:
    """Write ``out/rank_ablation.md`` (its marked block; created when absent) and
    ``out/rank_ablation.png``; return both paths. Source paths are shown relative to
    ``root`` when inside it.

    Raises:
        DataFileError: no adapter was collected under ``runs/rank_ablation``, a file is
            malformed, or an existing report lacks the markers.
    """
    rows = gather(runs)
    if not rows:
        raise DataFileError(runs / ABLATION_DIR, "holds no collected adapters", COLLECT_FIX)
    md, png = out / REPORT_MD, out / REPORT_PNG
    replace_marked_block(md, START, END, render_block(rows, root), "ablation", title=TITLE)
    plot_rank_ablation(rows, SUITES, png)
    return [md, png]
