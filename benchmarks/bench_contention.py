"""Tokens/s of the 8-bit route alone vs beside another model process, old vs new settings.

    python benchmarks/bench_contention.py [--tokens 24] [--settings old,new,new-lm_eval]

One run measures, for each thread setting, the 8-bit route (``toolplan-hf`` with
``load_in_8bit=True``, as ``toolplan check`` loads an 8-bit adapter's base) twice: alone,
and beside a competitor, a second Python process that generates with the fp32 embedded
model in a loop on torch's default threads (an unrelated job on the same cores). Each
measurement is a fresh process: load, a short warm-up generation, then ``--tokens``
greedy tokens of the description-free planning prompt (``min_new_tokens`` fixes the
count). Settings:

* ``old``: what ran before: torch's own thread count (one per core), ``OMP_WAIT_POLICY``
  unset (libgomp spins before it sleeps);
* ``new``: ``toolplan check``'s defaults: ``OMP_WAIT_POLICY=PASSIVE`` set before torch is
  imported (``models.threads.prefer_passive_wait``), ``threads=auto``;
* ``new-lm_eval``: ``toolplan-hf``'s default under plain ``lm_eval``, where torch is
  imported before the model class can set anything: ``threads=auto``, no wait policy.

Printed per setting: threads and wait policy in effect, tok/s alone and contended, the
contended/alone ratio, CPU seconds per token (all threads; spinning shows up here) and
the load average before each measurement. Other users of the machine disturb absolute
numbers; compare ratios within one run. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("old", "new", "new-lm_eval")
ROUTES: dict[str, dict[str, Any]] = {
    "8bit": {"load_in_8bit": True},
    "4bit": {"load_in_4bit": True, "bnb_4bit_compute_dtype": "float32"},
    "fp32": {},
}
QUESTION = "Which sensors does Pump 12 at site EAST have?"


def _child_env(setting: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1", TRANSFORMERS_VERBOSITY="error")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env["BENCH_SETTING"] = setting
    return env


def _load(route: str, setting: str) -> Any:
    """Build ``ToolplanHFLM`` for ``route`` under ``setting`` (env handled by the caller)."""
    import logging

    logging.disable(logging.WARNING)
    from harness_ext.models.threads import prefer_passive_wait

    if setting == "new":
        prefer_passive_wait()  # before torch is imported, as `toolplan check` does
    import torch

    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    # old: toolplan-hf left torch's own count alone, i.e. the count torch starts with.
    threads: int | str = torch.get_num_threads() if setting == "old" else "auto"
    return ToolplanHFLM(pretrained="smollm2-135m", device="cpu", threads=threads, **ROUTES[route])


def _prompt_ids(lm: Any) -> Any:
    from harness_ext.planning.catalog import load_catalog
    from harness_ext.planning.prompts import system_prompt

    chat = [
        {"role": "system", "content": system_prompt("free", load_catalog())},
        {"role": "user", "content": QUESTION},
    ]
    return lm.tok_encode(lm.apply_chat_template(chat), add_special_tokens=False)


def _generate(lm: Any, ids: list[int], tokens: int) -> None:
    import torch

    context = torch.tensor([ids])
    lm._model_generate(context, context.shape[1] + tokens, [], min_new_tokens=tokens)


def measure(route: str, setting: str, tokens: int) -> dict[str, Any]:
    """Load ``route`` under ``setting``, warm up, time ``tokens`` tokens; return the numbers."""
    load_avg = os.getloadavg()[0]
    lm = _load(route, setting)
    ids = _prompt_ids(lm)
    _generate(lm, ids, 4)
    wall, cpu = time.perf_counter(), time.process_time()
    _generate(lm, ids, tokens)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report = lm.cost_report()
    return {
        "tok_s": tokens / wall,
        "cpu_s_per_token": cpu / tokens,
        "threads": report["cpu_threads"],
        "wait_policy": report["omp_wait_policy"] or "unset",
        "load_avg": load_avg,
    }


def compete() -> None:
    """The competitor: fp32, torch's defaults, generating until it is terminated."""
    lm = _load("fp32", "old")
    ids = _prompt_ids(lm)
    _generate(lm, ids, 8)
    print("ready", flush=True)
    while True:
        _generate(lm, ids, 32)


def _worker(route: str, setting: str, tokens: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--measure", route, "--setting", setting]
    cmd += ["--tokens", str(tokens)]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=_child_env(setting)
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _contended(route: str, setting: str, tokens: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--compete"]
    rival = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=_child_env("old"),
    )
    try:
        assert rival.stdout is not None
        if rival.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the competitor exited with code {rival.wait()}")
        return _worker(route, setting, tokens)
    finally:
        rival.terminate()
        rival.wait(timeout=60)


def main() -> None:
    """Alone and contended for each setting; print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=24, help="timed tokens per measurement")
    parser.add_argument("--settings", default=",".join(SETTINGS), help="comma-separated")
    parser.add_argument("--route", choices=list(ROUTES), default="8bit")
    parser.add_argument("--measure", choices=list(ROUTES), help=argparse.SUPPRESS)
    parser.add_argument("--setting", choices=SETTINGS, help=argparse.SUPPRESS)
    parser.add_argument("--compete", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compete:
        compete()
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.setting, args.tokens)))
        return
    settings = [s.strip() for s in args.settings.split(",") if s.strip()]
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        parser.error(f"unknown settings {unknown}; known: {', '.join(SETTINGS)}")
    rows = {}
    for setting in settings:
        alone = _worker(args.route, setting, args.tokens)
        rows[setting] = (alone, _contended(args.route, setting, args.tokens))
    print(
        f"SmolLM2-135M {args.route} on {os.cpu_count()} CPUs, {args.tokens} timed tokens; "
        "competitor: fp32 generation, torch defaults"
    )
    head = f"{'setting':<12} {'threads':>7} {'wait':>8} {'alone tok/s':>11} {'contended':>9}"
    print(head + f" {'ratio':>6} {'cpu s/tok alone, contended':>27} {'load avg':>13}")
    for setting, (alone, busy) in rows.items():
        cpu = f"{alone['cpu_s_per_token']:.3f}, {busy['cpu_s_per_token']:.3f}"
        load = f"{alone['load_avg']:.1f}, {busy['load_avg']:.1f}"
        print(
            f"{setting:<12} {alone['threads']:>7} {alone['wait_policy']:>8} "
            f"{alone['tok_s']:>11.2f} {busy['tok_s']:>9.2f} "
            f"{busy['tok_s'] / alone['tok_s']:>6.2f} {cpu:>27} {load:>13}"
        )
    if "old" in rows:
        for setting in (s for s in rows if s != "old"):
            print(
                f"{setting} vs old: contended tok/s x"
                f"{rows[setting][1]['tok_s'] / rows['old'][1]['tok_s']:.2f}, "
                f"alone tok/s x{rows[setting][0]['tok_s'] / rows['old'][0]['tok_s']:.2f}"
            )


if __name__ == "__main__":
    main()
