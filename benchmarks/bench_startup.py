"""Start-up costs of the plugin.

    python benchmarks/bench_startup.py [--repeats 20] [--no-eval]

1. Python start-up with the discovery hook vs without it (TOOLPLAN_EVAL_NO_HOOK=1),
   interleaved runs of ``python -c pass``; medians and the difference.
2. Task indexing: ``TaskManager()`` as plain lm_eval builds it (built-ins + ours) vs
   ``harness_ext.lm_eval_glue.taskdirs.task_manager()`` (ours only).
3. The same ``--limit 1`` run through ``toolplan eval`` and through plain ``lm_eval``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env={**os.environ, **(env or {})}, check=True, capture_output=True)
    return time.perf_counter() - start


def bench_python_startup(repeats: int) -> None:
    """Median ``python -c pass`` with and without the hook."""
    with_hook, without = [], []
    for _ in range(repeats):
        with_hook.append(_wall([sys.executable, "-c", "pass"]))
        without.append(_wall([sys.executable, "-c", "pass"], {"TOOLPLAN_EVAL_NO_HOOK": "1"}))
    a, b = statistics.median(with_hook), statistics.median(without)
    print(
        f"python start-up, median of {repeats}: with hook {a * 1000:.1f} ms, "
        f"without {b * 1000:.1f} ms -> +{(a - b) * 1000:.1f} ms, ratio {a / b:.2f}"
    )


def bench_indexing() -> None:
    """Seconds to build the task index, lm-eval's way vs ours."""
    code = (
        "import time;from lm_eval.tasks import TaskManager;"
        "from harness_ext.lm_eval_glue.taskdirs import task_manager;"
        "t=time.perf_counter();TaskManager();a=time.perf_counter()-t;"
        "t=time.perf_counter();task_manager();b=time.perf_counter()-t;print(a,b)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    full, ours = (float(x) for x in out.stdout.split())
    print(
        f"task index: lm-eval default {full:.2f} s, plugin only {ours * 1000:.1f} ms "
        f"-> {full / ours:.0f}x faster"
    )


def bench_eval(model: str, repeats: int) -> None:
    """Median wall time of one identical --limit 1 run, toolplan eval vs lm_eval.

    One untimed warm-up run first, so neither side pays for a cold disk cache.
    """
    common = [
        "--tasks",
        "assetops_free_test30",
        "--limit",
        "1",
        "--device",
        "cpu",
        "--gen_kwargs",
        "max_gen_toks=8",
        "--apply_chat_template",
    ]
    ours_cmd = [
        str(BIN / "toolplan"),
        "eval",
        "--model",
        "hf",
        "--model_args",
        f"pretrained={model}",
        *common,
    ]
    theirs_cmd = [
        str(BIN / "lm_eval"),
        "--model",
        "hf",
        "--model_args",
        f"pretrained={model}",
        *common,
    ]
    _wall(ours_cmd)
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(_wall(ours_cmd))
        theirs.append(_wall(theirs_cmd))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(
        f"--limit 1 run, median of {repeats}: toolplan eval {a:.1f} s, lm_eval {b:.1f} s "
        f"-> ratio {a / b:.2f}"
    )


def main() -> None:
    """Print every measurement."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--no-eval", action="store_true")
    parser.add_argument("--eval-repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    bench_python_startup(args.repeats)
    bench_indexing()
    if not args.no_eval:
        from harness_ext.models.embedded import embedded_model_path

        bench_eval(str(embedded_model_path()), args.eval_repeats)


if __name__ == "__main__":
    main()
