"""The adapter regression check: ``adapters/<name>/baseline.json`` vs a fresh run.

``baseline.json`` says how to evaluate the adapter and what it scored::

    {
      "format": "toolplan-baseline/1",
      "adapter": "placeholder-smollm2-r8",
      "eval": {"tasks": ["assetops_free_test30"], "limit": 2,
               "gen_kwargs": {"max_gen_toks": 64}, "apply_chat_template": true,
               "model_args": {}},              # optional: "metadata": {"fc_format": "json"}
      "scores": {"assetops_free_test30": {
          "format_ok": {"value": 1.0, "tolerance": 0.05, "direction": "higher"}}},
      "recorded": {"date": "2026-11-21", "command": "...", "device": "cpu"}
    }

The adapter is evaluated on its manifest's ``base_model`` with the manifest's
``quantization`` (``8bit``/``4bit`` → ``load_in_8bit``/``load_in_4bit``); ``eval.model_args``
adds or overrides model args; ``eval.metadata`` is the task metadata lm-eval's
``--metadata`` would give (e.g. ``fc_format`` of the ``fc_bfcl_*`` tasks, ``split``).
Verdict rules per (task, metric), with ``d = current -
baseline`` signed so that positive is better (``direction``): ``d < -tolerance`` →
``REGRESSION``; ``d > tolerance`` → ``better``; else ``ok``; a metric absent from the
results or not a number → ``missing``. ``REGRESSION`` and ``missing`` fail the check.
Metric names without a filter mean the ``none`` filter (``at_f1`` = ``at_f1,none``).

The schema is :class:`Baseline` (pydantic, unknown keys refused so a typo such as
``tolerence`` is an error, not a silent default); an invalid file is a ``DataFileError``
naming the file and every bad field.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from harness_ext.errors import DataFileError, ToolplanError, describe_validation_error
from harness_ext.models.quantize import quantization_options
from harness_ext.registry.manifest import (
    BASELINE,
    AdapterManifest,
    read_manifest,
)

FORMAT: Final = "toolplan-baseline/1"
Direction = Literal["higher", "lower"]
Verdict = Literal["ok", "better", "REGRESSION", "missing"]
FAILING: frozenset[str] = frozenset({"REGRESSION", "missing"})
DEFAULT_TOLERANCE = 0.05
# A plain finite number: no bool, no numeric string, no NaN/inf.
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class EvalSettings(BaseModel):
    """How the adapter is evaluated (lm-eval's ``simple_evaluate`` arguments)."""

    model_config = _FROZEN

    tasks: tuple[str, ...] = Field(min_length=1)
    limit: Number | None = None
    gen_kwargs: dict[str, Any] = Field(default_factory=dict)
    apply_chat_template: bool = True
    model_args: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (``limit`` written as an int when whole; ``metadata`` only when set,
        so baselines recorded without it keep their bytes)."""
        limit: float | int | None = self.limit
        if isinstance(limit, float) and limit.is_integer() and limit >= 1:
            limit = int(limit)
        out: dict[str, Any] = {
            "tasks": list(self.tasks),
            "limit": limit,
            "gen_kwargs": dict(self.gen_kwargs),
            "apply_chat_template": self.apply_chat_template,
            "model_args": dict(self.model_args),
        }
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out


class Expectation(BaseModel):
    """One expected score: ``value`` ± ``tolerance`` (absolute), and which way is better."""

    model_config = _FROZEN

    value: Number
    tolerance: Annotated[Number, Field(ge=0)] = DEFAULT_TOLERANCE
    direction: Direction = "higher"


class Baseline(BaseModel):
    """Contents of ``baseline.json`` (``format`` must be ``toolplan-baseline/1``).

    ``scores`` maps task -> metric -> :class:`Expectation`; neither level may be empty.
    """

    model_config = _FROZEN

    adapter: str = Field(min_length=1)
    eval: EvalSettings
    scores: dict[str, Annotated[dict[str, Expectation], Field(min_length=1)]] = Field(min_length=1)
    recorded: dict[str, Any] = Field(default_factory=dict)
    format: Literal["toolplan-baseline/1"] = FORMAT


@dataclass(frozen=True)
class Row:
    """One line of the check table."""

    adapter: str
    task: str
    metric: str
    baseline: float
    current: float | None
    tolerance: float
    direction: Direction
    verdict: Verdict

    @property
    def delta(self) -> float | None:
        """``current - baseline`` (unsigned by direction), ``None`` when missing."""
        return None if self.current is None else self.current - self.baseline


def parse_baseline(data: Any, path: Path) -> Baseline:
    """Validate the JSON form of a baseline; every problem names its field.

    A missing or null ``adapter`` defaults to the name of the folder holding the file.

    Raises:
        DataFileError: not an object, or fields missing/invalid (all of them named).
    """
    fix = f"correct those fields (the {BASELINE} schema is in harness_ext/registry/regression.py)"
    if not isinstance(data, dict):
        raise DataFileError(path, "must be a JSON object", fix)
    if data.get("adapter") is None:
        data = {**data, "adapter": path.parent.name}
    try:
        return Baseline.model_validate(data)
    except ValidationError as e:
        raise DataFileError(path, describe_validation_error(e), fix) from e


def read_baseline(adapter_dir: str | Path) -> Baseline:
    """Load ``<adapter_dir>/baseline.json``.

    Raises:
        DataFileError: missing, not JSON, or not the schema (the message names the field).
    """
    path = Path(adapter_dir) / BASELINE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(
            path,
            "not found",
            f"record one with `toolplan check {adapter_dir} --record --tasks ... --limit N`",
        ) from e
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DataFileError(path, f"is not valid JSON ({e})", "fix or re-record the file") from e
    return parse_baseline(data, path)


def baseline_dict(baseline: Baseline) -> dict[str, Any]:
    """The JSON form of a baseline (stable key order)."""
    return {
        "format": baseline.format,
        "adapter": baseline.adapter,
        "eval": baseline.eval.as_dict(),
        "scores": {
            task: {
                m: {"value": e.value, "tolerance": e.tolerance, "direction": e.direction}
                for m, e in metrics.items()
            }
            for task, metrics in baseline.scores.items()
        },
        "recorded": dict(baseline.recorded),
    }


def write_baseline(adapter_dir: str | Path, baseline: Baseline) -> Path:
    """Write ``baseline.json`` (indented, trailing newline)."""
    path = Path(adapter_dir) / BASELINE
    path.write_text(json.dumps(baseline_dict(baseline), indent=2) + "\n", "utf-8")
    return path


def _metric_key(task_results: Mapping[str, Any], metric: str) -> str | None:
    if "," in metric:
        return metric if metric in task_results else None
    if f"{metric},none" in task_results:
        return f"{metric},none"
    keys = [k for k in task_results if k.startswith(f"{metric},") and "_stderr" not in k]
    return keys[0] if len(keys) == 1 else None


def current_value(results: Mapping[str, Any], task: str, metric: str) -> float | None:
    """The score of ``task``/``metric`` in lm-eval results; ``None`` if absent or non-numeric."""
    task_results = results.get("results", {}).get(task)
    if not isinstance(task_results, Mapping):
        return None
    key = _metric_key(task_results, metric)
    value = task_results.get(key) if key else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def verdict(exp: Expectation, current: float | None) -> Verdict:
    """Apply the verdict rules of this module's docstring to one score."""
    if current is None:
        return "missing"
    gain = current - exp.value if exp.direction == "higher" else exp.value - current
    # A tiny epsilon keeps float noise at exactly the tolerance from failing.
    if gain < -exp.tolerance - 1e-12:
        return "REGRESSION"
    if gain > exp.tolerance + 1e-12:
        return "better"
    return "ok"


def compare(baseline: Baseline, results: Mapping[str, Any]) -> list[Row]:
    """One row per expected (task, metric), in the baseline's order."""
    rows = []
    for task, metrics in baseline.scores.items():
        for metric, exp in metrics.items():
            cur = current_value(results, task, metric)
            rows.append(
                Row(
                    adapter=baseline.adapter,
                    task=task,
                    metric=metric,
                    baseline=exp.value,
                    current=cur,
                    tolerance=exp.tolerance,
                    direction=exp.direction,
                    verdict=verdict(exp, cur),
                )
            )
    return rows


def format_limit(value: Any) -> str:
    """``3`` for 3.0, ``0.5`` for a fraction, ``none`` for no limit."""
    return "none" if value is None else f"{float(value):g}"


def settings_problems(settings: EvalSettings, results: Mapping[str, Any]) -> list[str]:
    """Ways the results were not made with the baseline's settings (empty = comparable).

    Checked: every baseline task is in the results, the same ``limit``, the same
    ``gen_kwargs`` (compared as strings, since lm-eval may have parsed them) and each
    ``metadata`` key in every task's recorded config.
    """
    problems = []
    config = results.get("config") or {}
    missing = [t for t in settings.tasks if t not in (results.get("results") or {})]
    if missing:
        problems.append(f"tasks {', '.join(missing)} are not in the results")
    got_limit = config.get("limit")
    if (got_limit is None) != (settings.limit is None) or (
        got_limit is not None and settings.limit is not None and float(got_limit) != settings.limit
    ):
        problems.append(
            f"limit is {format_limit(got_limit)}, the baseline used {format_limit(settings.limit)}"
        )
    got_gen = {str(k): str(v) for k, v in (config.get("gen_kwargs") or {}).items()}
    want_gen = {str(k): str(v) for k, v in settings.gen_kwargs.items()}
    if got_gen != want_gen:
        problems.append(f"gen_kwargs are {got_gen}, the baseline used {want_gen}")
    configs = results.get("configs") or {}
    for task in settings.tasks:
        task_meta = (configs.get(task) or {}).get("metadata") or {}
        for key, want in settings.metadata.items():
            if str(task_meta.get(key)) != str(want):
                problems.append(
                    f"{task} ran with metadata {key}={task_meta.get(key)}, the baseline used "
                    f"{key}={want}"
                )
    return problems


def load_results(path: str | Path) -> dict[str, Any]:
    """Read an lm-eval results JSON (a ``results_*.json`` file, or a folder holding exactly one).

    Raises:
        DataFileError: not found, several candidates, or not an lm-eval results file.
    """
    path = Path(path)
    if path.is_dir():
        found = sorted(path.rglob("results*.json"))
        if len(found) != 1:
            raise DataFileError(
                path,
                f"holds {len(found)} results files ({', '.join(map(str, found[:3]))})",
                "pass one results_*.json file",
            )
        path = found[0]
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise DataFileError(path, "not found", "pass the results_*.json that lm-eval wrote") from e
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DataFileError(path, f"is not valid JSON ({e})", "pass an lm-eval results file") from e
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise DataFileError(path, "has no 'results' object", "pass an lm-eval results file")
    return data


def record_baseline(
    adapter_name: str,
    settings: EvalSettings,
    results: Mapping[str, Any],
    previous: Baseline | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    command: str = "",
) -> Baseline:
    """A baseline whose values are the scores in ``results``.

    Metrics come from ``previous`` when given (keeping its tolerances and directions),
    else every numeric metric of each task (stderr excluded), with lm-eval's
    ``higher_is_better`` as direction and ``tolerance`` for all.

    Raises:
        ToolplanError: a metric the previous baseline expects is absent from ``results``.
    """
    from harness_ext import __version__

    scores: dict[str, dict[str, Expectation]] = {}
    hib = results.get("higher_is_better") or {}
    for task in settings.tasks:
        task_results = (results.get("results") or {}).get(task) or {}
        if previous is not None and task in previous.scores:
            names = list(previous.scores[task])
        else:
            names = [
                k.split(",")[0]
                for k, v in task_results.items()
                if "," in k and "_stderr" not in k and isinstance(v, (int, float))
            ]
        scores[task] = {}
        for name in names:
            value = current_value(results, task, name)
            if value is None:
                raise ToolplanError(
                    f"cannot record {task}/{name} for adapter {adapter_name}: it is not in the "
                    "results. Fix: remove it from baseline.json or check the task's metrics."
                )
            old = previous.scores.get(task, {}).get(name) if previous else None
            direction: Direction = "higher" if hib.get(task, {}).get(name, True) else "lower"
            scores[task][name] = (
                old.model_copy(update={"value": value})
                if old
                else Expectation(value=value, tolerance=tolerance, direction=direction)
            )
    config = results.get("config") or {}
    recorded = {
        "date": time.strftime("%Y-%m-%d"),
        "command": command,
        "device": str(config.get("device", "")),
        "toolplan_eval_version": __version__,
        "lm_eval_version": str(results.get("lm_eval_version", "")),
        "transformers_version": str(results.get("transformers_version", "")),
    }
    return Baseline(adapter=adapter_name, eval=settings, scores=scores, recorded=recorded)


def model_args_for(
    adapter_dir: Path, manifest: AdapterManifest, settings: EvalSettings
) -> dict[str, Any]:
    """``toolplan-hf`` model args for evaluating an adapter on its recorded base.

    The base is the manifest's ``base_model`` as written (an alias stays an alias;
    ``toolplan-hf`` resolves it), quantized as its ``quantization`` says
    (``models.quantize.quantization_options``); ``settings.model_args`` come last.
    """
    args: dict[str, Any] = {"pretrained": manifest.base_model, "peft": str(adapter_dir)}
    args.update(quantization_options(manifest.quantization))
    args.update(settings.model_args)
    return args


def evaluate_adapter(
    adapter_dir: str | Path,
    settings: EvalSettings,
    device: str | None = None,
    threads: int | str | None = None,
) -> dict[str, Any]:
    """Run lm-eval on an adapter with ``settings`` through ``toolplan-hf``; return the results.

    The model is built directly (no registry lookup) and tasks come from this plugin's
    task folder only, so no built-in task indexing is paid for. ``threads`` (a number
    or ``auto``) overrides a ``threads`` in ``settings.model_args``; with neither,
    ``toolplan-hf``'s ``auto`` applies (``harness_ext.models.threads``).
    """
    adapter_dir = Path(adapter_dir)
    manifest = read_manifest(adapter_dir)
    model_args = model_args_for(adapter_dir, manifest, settings)
    if threads is not None:
        model_args["threads"] = threads
    import lm_eval
    import torch

    from harness_ext.lm_eval_glue.models import ToolplanHFLM
    from harness_ext.lm_eval_glue.taskdirs import task_manager

    device = device or ("cuda:0" if torch.cuda.is_available() else "cpu")
    lm = ToolplanHFLM(device=device, batch_size=1, **model_args)
    results = lm_eval.simple_evaluate(
        model=lm,
        tasks=list(settings.tasks),
        limit=settings.limit,
        gen_kwargs=dict(settings.gen_kwargs) or None,
        apply_chat_template=settings.apply_chat_template,
        device=device,
        # Tasks read the tokenizer for prompt_tokens from metadata, which simple_evaluate
        # only fills from string model args.
        task_manager=task_manager(
            metadata={**settings.metadata, "pretrained": model_args["pretrained"]}
        ),
        log_samples=False,
    )
    if results is None:
        raise ToolplanError(f"lm-eval returned no results for adapter {adapter_dir}")
    # simple_evaluate names a pre-built model by class; say what was loaded instead.
    results.setdefault("config", {})["model_args"] = model_args
    return dict(results)


def format_table(rows: Sequence[Row]) -> str:
    """The check table: task, metric, baseline, current, delta, tolerance, verdict."""
    from tabulate import tabulate

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:.4g}"

    body = [
        [
            r.task,
            r.metric + (" (↓)" if r.direction == "lower" else ""),
            num(r.baseline),
            num(r.current),
            "—" if r.delta is None else f"{r.delta:+.4g}",
            f"±{r.tolerance:g}",
            r.verdict,
        ]
        for r in rows
    ]
    headers = ["task", "metric", "baseline", "current", "delta", "tolerance", "verdict"]
    return str(tabulate(body, headers=headers, tablefmt="github", disable_numparse=True))
