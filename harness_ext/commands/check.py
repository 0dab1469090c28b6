"""``toolplan check``: the adapter regression check (see ``harness_ext.registry.regression``).

::

    toolplan check                                  # every adapters/*/ with a manifest.yaml
    toolplan check adapters/NAME                    # evaluate NAME with its baseline's settings
    toolplan check adapters/NAME --results R.json   # compare results made elsewhere (no model)
    toolplan check adapters/NAME --record           # re-run and rewrite baseline.json's values

Exit codes: 0 every score within tolerance; 1 a regression or a missing metric;
2 an error (bad manifest/baseline/results, adapter that fails its load-time checks).
An error in one adapter does not stop the others; every table is printed.

CPU threads: the check sets ``OMP_WAIT_POLICY=PASSIVE`` before torch is imported (unless
the variable is already set), and ``--threads`` defaults to ``auto`` (one per core with
the passive policy; one thread for an 8/4-bit base under 1B parameters, whose small ops
lose time to a second thread). Without the passive policy, an 8-bit check beside another
model process ran at a small fraction of its alone speed (see ``harness_ext.models.threads`` and
``benchmarks/bench_contention.py``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, ToolplanError
from harness_ext.models.threads import prefer_passive_wait
from harness_ext.registry.manifest import BASELINE, MANIFEST, REGISTRY_FOLDER, read_manifest
from harness_ext.registry.regression import (
    DEFAULT_TOLERANCE,
    FAILING,
    Baseline,
    EvalSettings,
    compare,
    evaluate_adapter,
    format_limit,
    format_table,
    load_results,
    read_baseline,
    record_baseline,
    settings_problems,
    write_baseline,
)

HELP = "evaluate registered adapters and compare with their baseline.json (exit 1 on regression)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Adapters (positional), --results, --root, --device, --output_path, --record (+ settings)."""
    parser.add_argument(
        "adapters",
        nargs="*",
        metavar="ADAPTER",
        help="adapter folders (or names under --root); default: every folder under --root "
        f"with a {MANIFEST}",
    )
    parser.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="JSON",
        help="lm-eval results file to compare instead of evaluating (one per ADAPTER, same order)",
    )
    parser.add_argument(
        "--root", default=REGISTRY_FOLDER, help=f"the registry folder (default: {REGISTRY_FOLDER})"
    )
    parser.add_argument(
        "--device", default=None, help="cpu or cuda:N (default: cuda:0 if available)"
    )
    parser.add_argument(
        "--output_path", default=None, help="write each run's results to OUTPUT_PATH/<adapter>.json"
    )
    parser.add_argument(
        "--threads",
        default=None,
        help="torch CPU threads: a number, or auto (default; one per core, with waiting "
        "OpenMP threads sleeping instead of spinning: OMP_WAIT_POLICY=PASSIVE unless set; "
        "one for an 8/4-bit model under 1B parameters)",
    )
    rec = parser.add_argument_group("recording a baseline")
    rec.add_argument(
        "--record",
        action="store_true",
        help=f"write the current scores into {BASELINE} instead of checking them",
    )
    rec.add_argument("--tasks", default=None, help="tasks for a new baseline (comma-separated)")
    rec.add_argument("--limit", type=float, default=None, help="--limit for a new baseline")
    rec.add_argument(
        "--gen_kwargs", default=None, help="gen_kwargs for a new baseline, e.g. max_gen_toks=64"
    )
    rec.add_argument(
        "--metadata",
        default=None,
        help="task metadata for a new baseline, as lm-eval's --metadata, e.g. fc_format=json",
    )
    rec.add_argument(
        "--tolerance", type=float, default=DEFAULT_TOLERANCE, help="tolerance for new metrics"
    )


def _adapter_dirs(args: argparse.Namespace) -> list[Path]:
    root = Path(args.root)
    if args.adapters:
        dirs = []
        for raw in args.adapters:
            path = Path(raw)
            if not path.is_dir() and (root / raw).is_dir():
                path = root / raw
            if not path.is_dir():
                raise DataFileError(
                    path, "is not an adapter folder", f"pass a folder under {root}/"
                )
            dirs.append(path)
        return dirs
    if not root.is_dir():
        raise DataFileError(root, "not found", "run from the project root or pass --root")
    dirs = sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())
    if not dirs:
        raise DataFileError(
            root, f"holds no adapter folder with a {MANIFEST}", "register one first"
        )
    return dirs


def _parse_gen_kwargs(text: str | None) -> dict[str, Any]:
    """``k=v,k2=v2`` as lm-eval parses it (used for --gen_kwargs and --metadata)."""
    if not text:
        return {}
    from lm_eval.utils import simple_parse_args_string

    return dict(simple_parse_args_string(text))


def _new_settings(args: argparse.Namespace, adapter: Path) -> EvalSettings:
    if not args.tasks:
        raise DataFileError(
            adapter / BASELINE,
            "not found, and --tasks was not given to record a new one",
            "add --tasks T1,T2 --limit N --gen_kwargs max_gen_toks=64",
        )
    return EvalSettings(
        tasks=tuple(t.strip() for t in args.tasks.split(",") if t.strip()),
        limit=args.limit,
        gen_kwargs=_parse_gen_kwargs(args.gen_kwargs),
        metadata=_parse_gen_kwargs(args.metadata),
    )


def _cost_line(results: dict[str, Any]) -> str | None:
    cost = (results.get("config") or {}).get("toolplan_cost")
    if not isinstance(cost, dict):
        return None
    tps = cost.get("tokens_per_second")
    line = (
        f"cost: load {cost.get('load_seconds')} s, peak RSS {cost.get('peak_rss_mb')} MB, "
        f"{tps if tps is not None else '—'} generated tok/s"
    )
    if cost.get("cpu_threads") is not None:
        policy = cost.get("omp_wait_policy")
        line += f" ({cost['cpu_threads']} CPU threads, OMP_WAIT_POLICY={policy})"
    return line


def _save(results: dict[str, Any], output_path: str | None, name: str) -> None:
    if not output_path:
        return
    from lm_eval.utils import handle_non_serializable

    out = Path(output_path) / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=handle_non_serializable) + "\n", "utf-8")
    print(f"results: {out}")


def _check_one(adapter: Path, results_file: str | None, args: argparse.Namespace) -> int:
    """Check (or record) one adapter; return 0 (pass) or 1 (regression/missing)."""
    manifest = read_manifest(adapter)
    baseline: Baseline | None = None
    if (adapter / BASELINE).is_file() or not args.record:
        baseline = read_baseline(adapter)
    settings = baseline.eval if baseline is not None else _new_settings(args, adapter)
    print(
        f"== {adapter} ({manifest.kind}; base {manifest.base_model}, quantization "
        f"{manifest.quantization}; {', '.join(settings.tasks)}, "
        f"limit {format_limit(settings.limit)})",
        flush=True,
    )
    if results_file:
        results = load_results(results_file)
        problems = settings_problems(settings, results)
        if problems:
            raise DataFileError(
                results_file,
                "was not made with the baseline's eval settings: " + "; ".join(problems),
                f"re-run with the settings in {adapter / BASELINE}, or drop --results",
            )
    else:
        results = evaluate_adapter(adapter, settings, args.device, threads=args.threads)
        _save(results, args.output_path, adapter.name)
    cost = _cost_line(results)
    if args.record:
        command = "toolplan check " + " ".join(shlex.quote(a) for a in sys.argv[2:])
        new = record_baseline(
            baseline.adapter if baseline else manifest.name,
            settings,
            results,
            previous=baseline,
            tolerance=args.tolerance,
            command=command.strip(),
        )
        print(f"recorded {write_baseline(adapter, new)}")
        baseline = new
    if baseline is None:  # only possible with --record, which set it above
        raise ToolplanError(f"no baseline for {adapter}")
    rows = compare(baseline, results)
    print(format_table(rows))
    if cost:
        print(cost)
    failed = [r for r in rows if r.verdict in FAILING]
    print(
        f"{adapter}: {'FAIL' if failed else 'pass'} ({len(failed)} of {len(rows)} scores failing)"
    )
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    """Check every adapter; 2 if any errored, else 1 if any regressed, else 0."""
    # Before anything imports torch: the OpenMP runtime reads this once, at load.
    prefer_passive_wait()
    adapters = _adapter_dirs(args)
    if args.results and len(args.results) != len(adapters):
        raise ToolplanError(
            f"{len(args.results)} --results file(s) for {len(adapters)} adapter(s). "
            "Fix: give one --results per ADAPTER, in the same order."
        )
    files: list[str | None] = list(args.results) or [None] * len(adapters)
    worst = 0
    for adapter, results_file in zip(adapters, files, strict=True):
        try:
            worst = max(worst, _check_one(adapter, results_file, args))
        except ToolplanError as e:
            # Reported, counted in the exit code, and the other adapters still run.
            print(f"{adapter}: ERROR: {e}", file=sys.stderr)
            worst = 2
    return worst
