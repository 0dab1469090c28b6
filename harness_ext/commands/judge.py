"""``toolplan judge <lm_eval output dir>``: judge a finished run's logged samples.

Two-stage judging: generate with ``lm_eval ... --log_samples --output_path DIR`` (the
model is freed when it ends), then run this. It reads every ``samples_<task>_<ts>.jsonl``
under DIR whose docs are assetops planning docs (others are skipped and named), judges
all their samples in one concurrent batch, and writes beside each samples file:

* ``judge_samples_<task>_<ts>.jsonl`` — per sample ``doc_id``, ``filter``, ``doc_hash``
  and the same ``judge_*`` keys an inline run puts in its samples;
* ``judge_results_<ts>.json`` — ``results`` in lm-eval's shape (``"judge_overall,none"``,
  ``"judge_overall_stderr,none"``...) per task, plus ``judge``: the run's provenance
  (model, template version and sha256, decoding settings, calls, cache hits, unscored
  rate and reasons, mean latency, Spearman between judge overall and at_f1).

Re-running costs no calls (replies are cached) and overwrites these files.

Exit codes: 0 when at least one sample got a verdict (unscored ones are counted, and
the summary line gives their causes). 2 with one error line when the judge is
unreachable or refuses the key, or when *no* sample got a verdict — that line counts
the samples by cause and gives each cause's fix (e.g. ``TOOLPLAN_JUDGE_RESPONSE_FORMAT=none``
for a server that answers 400 to ``response_format``); the files are written first,
so nothing computed is lost. 130 on Ctrl-C, with one line instead of a traceback:
every reply received is already cached, so running the same command again resumes
where it stopped and makes only the missing calls.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError, JudgeError
from harness_ext.io import iter_jsonl
from harness_ext.judge.config import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_CACHE,
    ENV_MODEL,
    RESPONSE_FORMATS,
    config_from_env,
)

HELP = "LLM-judge a finished lm_eval run's --log_samples output (scores written beside it)"

_SAMPLES = re.compile(r"^samples_(?P<task>.+)_(?P<ts>\d{4}-\d{2}-\d{2}T[0-9.\-]+)\.jsonl$")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options (each overrides its environment variable)."""
    parser.add_argument("output_dir", type=Path, help="lm_eval --output_path of a finished run")
    parser.add_argument("--model", help=f"judge model name on the server (${ENV_MODEL})")
    parser.add_argument("--base-url", help=f"OpenAI-compatible base URL (${ENV_BASE_URL})")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help=f"read the API key from this environment variable instead of ${ENV_API_KEY} "
        "(keys are never accepted on the command line)",
    )
    parser.add_argument("--concurrency", type=int, help="requests in flight (default 8)")
    parser.add_argument("--timeout", type=float, help="seconds per request (default 60)")
    parser.add_argument(
        "--max-retries", type=int, help="retries on 429/5xx/timeout/dropped connection (default 4)"
    )
    parser.add_argument("--max-tokens", type=int, help="reply token budget (default 1024)")
    parser.add_argument("--response-format", choices=RESPONSE_FORMATS, help="default json_object")
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument("--cache", type=Path, help=f"SQLite reply cache file (${ENV_CACHE})")
    cache.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no table")


@dataclass(frozen=True)
class SamplesFile:
    """One lm-eval samples file and its judgeable lines."""

    path: Path
    task: str
    stamp: str
    rows: tuple[dict[str, Any], ...]


def _is_planning_row(row: dict[str, Any]) -> bool:
    doc = row.get("doc")
    return isinstance(doc, dict) and "question" in doc and "gold_plans" in doc


def read_samples(path: Path) -> SamplesFile | None:
    """Read one samples file; None when it holds no assetops planning samples."""
    match = _SAMPLES.match(path.name)
    if match is None:
        return None
    rows: list[dict[str, Any]] = []
    fix = "re-run lm_eval with --log_samples, or repair that line"
    for _, _, row in iter_jsonl(path, fix):
        if not isinstance(row, dict) or not _is_planning_row(row):
            return None
        rows.append(row)
    return SamplesFile(path, match["task"], match["ts"], tuple(rows)) if rows else None


def _candidate(row: dict[str, Any]) -> str:
    resps = row.get("filtered_resps")
    first = resps[0] if isinstance(resps, list) and resps else resps
    while isinstance(first, list):  # unfiltered shape: [[text]]
        first = first[0] if first else ""
    return first if isinstance(first, str) else ""


def _at_f1(row: dict[str, Any], candidate: str) -> float | None:
    if isinstance(row.get("at_f1"), (int, float)):
        return float(row["at_f1"])
    # --predict_only runs log no metrics; AT-F1 is cheap to recompute from the doc.
    from harness_ext.lm_eval_glue.assetops import process_results

    value = process_results(row["doc"], [candidate]).get("at_f1")
    return float(value) if isinstance(value, (int, float)) else None


def aggregate(per_sample: list[dict[str, Any]], filter_key: str) -> dict[str, Any]:
    """Aggregate judge values the way lm-eval does (same functions, same stderr rules)."""
    import lm_eval.api.metrics as lm_metrics
    from lm_eval.api.registry import get_aggregation

    import harness_ext.lm_eval_glue.registrations  # noqa: F401  (our aggregations)
    from harness_ext.metrics.table import JUDGE_METRICS

    out: dict[str, Any] = {}
    for row in JUDGE_METRICS:
        metric = row.name
        items = [s[metric] for s in per_sample if metric in s]
        if not items:
            continue
        fn = get_aggregation(row.aggregation)
        out[f"{metric},{filter_key}"] = fn(items)
        stderr_fn = lm_metrics.stderr_for_metric(fn, bootstrap_iters=100000)
        stderr = stderr_fn(items) if stderr_fn and len(items) > 1 else "N/A"
        out[f"{metric}_stderr,{filter_key}"] = stderr
    return out


def _print_table(results: dict[str, dict[str, Any]], provenance: dict[str, Any]) -> None:
    from tabulate import tabulate

    rows = []
    for task, values in results.items():
        for key, value in values.items():
            metric, comma, filt = key.partition(",")
            if not comma or metric.endswith("_stderr") or metric == "judge_info":
                continue  # alias, sample_len, stderr (shown beside its metric), provenance
            stderr = values.get(f"{metric}_stderr,{filt}", "N/A")
            rows.append([task, filt, metric, value, stderr])
    print(tabulate(rows, headers=["task", "filter", "metric", "value", "stderr"], floatfmt=".4f"))
    print(
        f"judge {provenance['model']} template {provenance['template']['ident']}: "
        f"{provenance['calls']} calls, {provenance['cache_hits']} cache hits, "
        f"{provenance['unscored']}/{provenance['samples']} unscored"
    )


EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C'd command


def _interrupted(error: KeyboardInterrupt) -> int:
    """One line for a Ctrl-C (module rules), then exit code 130."""
    from harness_ext.judge.scoring import JudgeInterrupted

    with contextlib.suppress(ValueError):  # a second Ctrl-C must not print a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not isinstance(error, JudgeInterrupted):
        what = "replies received so far are cached"
    elif error.cache_path is None:
        what = (
            f"after {error.done} of {error.total} samples; the cache is off, so a re-run "
            "starts over"
        )
    else:
        what = (
            f"after {error.done} of {error.total} samples; the {error.replies} replies "
            f"received are cached in {error.cache_path}"
        )
    resume = (
        ", so running the same command again resumes where it stopped (only the missing "
        "calls are made)"
    )
    if isinstance(error, JudgeInterrupted) and error.cache_path is None:
        resume = ""
    print(f"toolplan judge: interrupted {what}{resume}.", file=sys.stderr, flush=True)
    return EXIT_INTERRUPTED


def run(args: argparse.Namespace) -> int:
    """Judge every planning sample under ``output_dir``; write scores beside them."""
    try:
        return _judge(args)
    except KeyboardInterrupt as e:
        return _interrupted(e)


def _judge(args: argparse.Namespace) -> int:
    from harness_ext import __version__
    from harness_ext.judge.report import failure_summary, sample_metrics, unscored_summary
    from harness_ext.judge.rubric import load_template
    from harness_ext.judge.scoring import judge_all
    from harness_ext.lm_eval_glue.judge_filter import judge_input
    from harness_ext.metrics.aggregations import spearman

    root: Path = args.output_dir
    if not root.is_dir():
        raise DataFileError(root, "is not a folder", "pass the --output_path of an lm_eval run")
    config = config_from_env(
        api_key_env=args.api_key_env,
        model=args.model,
        base_url=args.base_url,
        concurrency=args.concurrency,
        timeout_s=args.timeout,
        max_retries=args.max_retries,
        max_tokens=args.max_tokens,
        response_format=args.response_format,
    )
    if args.no_cache:
        config = replace(config, cache_path=None)
    elif args.cache is not None:
        config = replace(config, cache_path=args.cache)

    found = sorted(root.rglob("samples_*.jsonl"))
    files = [f for f in (read_samples(p) for p in found) if f is not None]
    skipped = sorted(
        {str(p.relative_to(root)) for p in found} - {str(f.path.relative_to(root)) for f in files}
    )
    if not files:
        raise JudgeError(
            f"No assetops planning samples under {root} (found {len(found)} samples files). "
            "Fix: run lm_eval on an assetops_* task with --log_samples --output_path DIR."
        )
    if skipped and not args.quiet:
        print(
            f"toolplan judge: skipping non-planning samples: {', '.join(skipped)}", file=sys.stderr
        )

    template = load_template()
    items, owners = [], []
    for f in files:
        for row in f.rows:
            candidate = _candidate(row)
            items.append(judge_input(row["doc"], candidate, f"{f.task}:{row.get('doc_id')}"))
            owners.append((f, row, candidate))
    run_ = judge_all(items, config, template, progress=None if args.quiet else "LLM judge")

    per_file: dict[Path, list[dict[str, Any]]] = defaultdict(list)
    pairs: list[list[float]] = []
    for (f, row, candidate), result in zip(owners, run_.results, strict=True):
        values = sample_metrics(result, config.model, template.ident, _at_f1(row, candidate))
        if "judge_spearman_at_f1" in values:
            pairs.append(values["judge_spearman_at_f1"])
        per_file[f.path].append(
            {
                "doc_id": row.get("doc_id"),
                "filter": row.get("filter", "none"),
                "doc_hash": row.get("doc_hash"),
                **values,
            }
        )

    by_stamp: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    written: list[Path] = []
    for f in files:
        lines = per_file[f.path]
        out_path = f.path.with_name(f"judge_{f.path.name}")
        out_path.write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8"
        )
        written.append(out_path)
        task_values: dict[str, Any] = by_stamp[f.stamp].setdefault(f.task, {"alias": f.task})
        for filter_key in sorted({str(x["filter"]) for x in lines}):
            task_values.update(
                aggregate([x for x in lines if x["filter"] == filter_key], filter_key)
            )
        task_values["sample_len"] = len(lines)

    latencies = [t for r in run_.results for t in r.latencies]
    provenance: dict[str, Any] = {
        **config.public(),
        "template": {
            "name": template.name,
            "version": template.version,
            "sha256": template.sha256,
            "ident": template.ident,
        },
        "samples": len(run_.results),
        "scored": len(run_.results) - run_.unscored,
        "unscored": run_.unscored,
        "unscored_rate": run_.unscored / len(run_.results),
        "unscored_reasons": dict(Counter(run_.reasons())),
        "calls": run_.calls,
        "cache_hits": run_.cache_hits,
        "mean_latency_s": sum(latencies) / len(latencies) if latencies else None,
        "spearman_overall_at_f1": spearman(pairs),
        "spearman_pairs": len(pairs),
        "fatal": run_.fatal,
        "toolplan_eval_version": __version__,
    }
    for stamp, results in by_stamp.items():
        folder = next(f.path.parent for f in files if f.stamp == stamp)
        out = {
            "results": results,
            "judge": provenance,
            "samples_files": [f.path.name for f in files if f.stamp == stamp],
        }
        path = folder / f"judge_results_{stamp}.json"
        path.write_text(json.dumps(out, indent=2, ensure_ascii=False), "utf-8")
        written.append(path)
        if not args.quiet:
            _print_table(results, provenance)
    if not args.quiet:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    if run_.fatal:
        raise JudgeError(
            f"{run_.fatal} Unscored results were written to {written[-1]}; re-run when the "
            "judge is reachable (cached replies are not requested again)."
        )
    failed = failure_summary(run_, config)
    if failed:
        raise JudgeError(f"{failed}. Unscored results were written to {written[-1]}.")
    if run_.unscored and not args.quiet:
        print(
            f"toolplan judge: {run_.unscored} of {len(run_.results)} samples unscored: "
            f"{unscored_summary(run_, config)}",
            file=sys.stderr,
        )
    return 0
