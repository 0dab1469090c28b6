"""Tokens/s of toolplan-hf through lm-eval at batch 1, 4, 8, 16 vs raw ``model.generate``.

    OMP_WAIT_POLICY=PASSIVE nice -n 5 python benchmarks/bench_generation.py \\
      [--batches 1,4,8,16] [--max-new-tokens 96] [--threads 1] [--task assetops_free_test30]

One process, one model load. For each batch size ``B`` it runs, on the same ``max(B, 4)``
scenarios of the planning task (``--rows`` overrides):

* **ours**: ``lm_eval.simple_evaluate`` with ``toolplan-hf`` at ``batch_size=B`` and
  ``max_gen_toks=--max-new-tokens`` — the whole lm-eval route (data, chat template,
  ``generate_until`` with per-row stops and prefix reuse, scoring, aggregation), twice:
  **continuous** (the default at ``B`` > 1: ``B`` rows in flight, a finished row leaves,
  a waiting one joins; ``harness_ext.models.continuous``) and **static** (``continuous=False``:
  lm-eval's batches of ``B``, one ``generate`` each; at ``B`` = 1 both are the static route,
  so it runs once). Tokens/s = generated tokens (non-pad, as ``toolplan_cost`` counts them)
  / wall time of ``simple_evaluate``;
* **raw**: the same chat-templated prompts (taken from ours' logged requests), left-padded
  in batches of ``B``, through plain ``model.generate(max_new_tokens=..., do_sample=False)``
  without stop strings (the physical limit); tokens/s = non-pad new tokens / wall.

The plugin's share of ours' wall time is the time spent in this plugin's code that is not
the model: scenario loading and prompt data (``assetops.load_dataset``), scoring
(``assetops.process_results``) and the per-row stop check run after every decoding step
(``PerRowStop.__call__``, or ``StopRule.done`` under continuous batching), each timed by a
wrapper. Printed per batch size: tokens/s of each route per wall second and per CPU second
of this process (with one thread, the CPU figure is what an idle machine gives; others'
jobs slow the wall figures), the system share of that CPU time (page faults of large
allocations show there), continuous/raw, static/raw, continuous vs ours at batch 1, the
plugin's share of the continuous run, and the machine's load average. A short warm-up run comes
first. Nothing is asserted; the issue's targets are printed beside the ratios.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TARGETS = (
    "targets (issue 18): ours@8 >= 4x ours@1, ours >= 0.9x raw at the same batch, plugin <= 3 %"
)


class Timers:
    """Wall seconds spent inside wrapped functions, by name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return timed

    def reset(self) -> None:
        self.seconds = {}


def _install_timers(timers: Timers) -> None:
    """Wrap the plugin's per-run code before any task is built (the YAML resolves names then)."""
    from harness_ext.lm_eval_glue import assetops
    from harness_ext.models import batching, continuous

    assetops.load_dataset = timers.wrap("load_dataset", assetops.load_dataset)
    assetops.process_results = timers.wrap("process_results", assetops.process_results)
    batching.PerRowStop.__call__ = timers.wrap("per_row_stop", batching.PerRowStop.__call__)  # type: ignore[method-assign]
    continuous.StopRule.done = timers.wrap("stop_rule", continuous.StopRule.done)  # type: ignore[method-assign]


def _cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process so far."""
    t = os.times()
    return t.user, t.system


def run_ours(
    lm: Any, task: str, rows: int, batch: int, max_new: int, continuous: bool = True
) -> dict[str, Any]:
    """One ``simple_evaluate`` at ``batch``; returns tokens, wall, CPU, contexts, scores."""
    import lm_eval

    from harness_ext.lm_eval_glue.taskdirs import task_manager
    from harness_ext.models.batching import PrefixStore
    from harness_ext.models.cost import CostMeter

    lm.batch_size_per_gpu = batch
    lm._cost = CostMeter()
    lm._prefixes = PrefixStore()  # no prefix kept from the previous batch size
    lm._continuous = continuous
    started, (user0, sys0) = time.perf_counter(), _cpu()
    out = lm_eval.simple_evaluate(
        model=lm,
        tasks=[task],
        limit=rows,
        gen_kwargs={"max_gen_toks": max_new},
        apply_chat_template=True,
        task_manager=task_manager(),
        log_samples=True,
        bootstrap_iters=0,
        verbosity="ERROR",
    )
    wall, (user1, sys1) = time.perf_counter() - started, _cpu()
    cpu, system = user1 - user0 + sys1 - sys0, sys1 - sys0
    assert out is not None
    cost = lm.cost_report()
    samples = out["samples"][task]
    return {
        "tokens": cost["generated_tokens"],
        "wall_s": wall,
        "cpu_s": cpu,
        "sys_s": system,
        "generate_s": cost["generate_seconds"],
        "contexts": [s["arguments"][0][0] for s in samples],
        "answers": [s["resps"][0][0] for s in samples],
        "at_f1": out["results"][task].get("at_f1,none"),
    }


def run_raw(
    model: Any, tokenizer: Any, contexts: list[str], batch: int, max_new: int
) -> dict[str, Any]:
    """Plain left-padded ``model.generate`` over ``contexts`` in batches of ``batch``."""
    import torch

    tokenizer.padding_side = "left"
    pad = tokenizer.pad_token_id
    tokens = 0
    started, (user0, sys0) = time.perf_counter(), _cpu()
    with torch.no_grad():
        for i in range(0, len(contexts), batch):
            enc = tokenizer(
                contexts[i : i + batch], return_tensors="pt", padding=True, add_special_tokens=False
            )
            out = model.generate(**enc, max_new_tokens=max_new, do_sample=False, pad_token_id=pad)
            tokens += int((out[:, enc["input_ids"].shape[1] :] != pad).sum())
    wall, (user1, sys1) = time.perf_counter() - started, _cpu()
    return {
        "tokens": tokens,
        "wall_s": wall,
        "cpu_s": user1 - user0 + sys1 - sys0,
        "sys_s": sys1 - sys0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="1,4,8,16")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--task", default="assetops_free_test30")
    parser.add_argument(
        "--rows", type=int, default=None, help="scenarios per batch size (default max(B, 4))"
    )
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]

    import logging

    logging.disable(logging.WARNING)
    timers = Timers()
    _install_timers(timers)
    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    lm = ToolplanHFLM(pretrained="smollm2-135m", device="cpu", threads=args.threads, batch_size=1)
    model, tokenizer = lm.model, lm.tokenizer
    print(
        f"load {lm.cost_report()['load_seconds']} s, threads {args.threads}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, max_new_tokens {args.max_new_tokens}"
    )
    run_ours(lm, args.task, 1, 1, 4)  # warm-up: first-call costs stay out of batch 1
    rows_out = []
    for batch in batches:
        rows = args.rows or max(batch, 4)
        load_before = os.getloadavg()[0]
        timers.reset()
        ours = run_ours(lm, args.task, rows, batch, args.max_new_tokens, continuous=True)
        plugin_s = sum(timers.seconds.values())
        plugin = dict(timers.seconds)
        static = (
            ours
            if batch == 1
            else run_ours(lm, args.task, rows, batch, args.max_new_tokens, continuous=False)
        )
        raw = run_raw(model, tokenizer, ours["contexts"], batch, args.max_new_tokens)
        lengths = [
            len(tokenizer(c, add_special_tokens=False)["input_ids"]) for c in ours["contexts"]
        ]
        r: dict[str, Any] = {
            "batch": batch,
            "rows": rows,
            "mean_prompt_tokens": round(sum(lengths) / rows, 1),
            "same_answers_static": ours["answers"] == static["answers"],
        }
        for name, got in (("ours", ours), ("static", static), ("raw", raw)):
            r.update(
                {
                    f"{name}_tokens": got["tokens"],
                    f"{name}_wall_s": round(got["wall_s"], 2),
                    f"{name}_cpu_s": round(got["cpu_s"], 2),
                    f"{name}_sys_s": round(got["sys_s"], 2),
                    f"{name}_tok_s": round(got["tokens"] / got["wall_s"], 2),
                    f"{name}_tok_cpu_s": round(got["tokens"] / got["cpu_s"], 2),
                }
            )
        r.update(
            {
                "plugin_s": {k: round(v, 3) for k, v in plugin.items()},
                "plugin_share": round(plugin_s / ours["wall_s"], 4),
                "load_avg_1m": round(load_before, 2),
                "at_f1": ours["at_f1"],
            }
        )
        rows_out.append(r)
        print(json.dumps(r), flush=True)
    print(f"\n{TARGETS}")
    print(
        "ours = continuous batching (static at batch 1); static = continuous=False; "
        "tok/cpu-s = generated tokens per CPU second of this process (with "
        f"{args.threads} thread(s), what an idle machine would give; others' jobs slow the "
        "wall figures); sys = system share of that CPU time"
    )
    print(
        "| batch | rows | ours tok/cpu-s | static tok/cpu-s | raw tok/cpu-s | ours/raw | "
        "static/raw | ours/ours@1 | sys ours / static / raw | same answers | "
        "ours tok/s (wall) | plugin share | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    base = rows_out[0]["ours_tok_cpu_s"]
    for r in rows_out:
        shares = " / ".join(
            f"{100 * r[f'{n}_sys_s'] / r[f'{n}_cpu_s']:.0f} %" for n in ("ours", "static", "raw")
        )
        print(
            f"| {r['batch']} | {r['rows']} | {r['ours_tok_cpu_s']:.1f} | "
            f"{r['static_tok_cpu_s']:.1f} | {r['raw_tok_cpu_s']:.1f} | "
            f"{r['ours_tok_cpu_s'] / r['raw_tok_cpu_s']:.2f} | "
            f"{r['static_tok_cpu_s'] / r['raw_tok_cpu_s']:.2f} | "
            f"{r['ours_tok_cpu_s'] / base:.2f} | {shares} | {r['same_answers_static']} | "
            f"{r['ours_tok_s']:.1f} | {100 * r['plugin_share']:.2f} % | {r['load_avg_1m']} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            record = {"threads": args.threads, "max_new_tokens": args.max_new_tokens}
            json.dump({**record, "rows": rows_out}, f, indent=1)


if __name__ == "__main__":
    main()
