"""Batched generation at 1 thread vs one thread per core: fp32, 8-bit, 8-bit + LoRA.

    python benchmarks/bench_threads.py [--threads 1,2] [--routes fp32,8bit,8bit-lora]
        [--shapes 135m,360m] [--rows 16] [--max-new-tokens 48]

Why: ``threads=auto`` took one thread per core (2 here) under ``OMP_WAIT_POLICY=PASSIVE``,
and README (a)'s adapter run (8-bit base + LoRA, 16 rows in flight) took 2.8 min with it
against 1.1 min with ``OMP_NUM_THREADS=1`` on the same quiet machine. This measures where
extra threads pay and where they cost.

Each measurement is a fresh process (the OpenMP settings are read once, at start):
``OMP_WAIT_POLICY=PASSIVE``, ``toolplan-hf`` at ``threads=T``, the route's load args, then
``--rows`` scenarios of ``assetops_free_test30`` through ``lm_eval.simple_evaluate`` at
batch ``--rows`` (continuous batching, as the main job runs), after a one-row warm-up.
Shapes: ``135m`` is the embedded SmolLM2-135M-Instruct; ``360m`` and ``1.7b`` are randomly
initialised Llamas of SmolLM2-360M's and SmolLM2-1.7B's shapes (``SHAPES``) with the
embedded tokenizer, written to a temporary folder — their answers are noise that runs to
the token limit, which is what a timing needs (no weights are downloaded). ``8bit-lora``
adds a freshly initialised rank-16 LoRA on every linear layer (``all-linear``, the
training default) over the 8-bit base.

Printed per shape and route: generated tokens per wall second and per CPU second at each
thread count, and wall(1 thread) / wall(T threads) (above 1: the threads pay). The
machine's load average before each run is printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUTES: dict[str, dict[str, Any]] = {
    "fp32": {},
    "8bit": {"load_in_8bit": True},
    "8bit-lora": {"load_in_8bit": True},
}
SHAPES: dict[str, dict[str, Any]] = {  # SmolLM2's larger sizes, random weights
    "360m": {
        "hidden_size": 960,
        "intermediate_size": 2560,
        "num_hidden_layers": 32,
        "num_attention_heads": 15,
        "num_key_value_heads": 5,
    },
    "1.7b": {
        "hidden_size": 2048,
        "intermediate_size": 8192,
        "num_hidden_layers": 24,
        "num_attention_heads": 32,
        "num_key_value_heads": 32,
    },
}


def _random_model(folder: Path, shape: dict[str, Any]) -> str:
    """A random-init Llama of ``shape`` with the embedded model's config and tokenizer."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, LlamaForCausalLM

    from harness_ext.models.embedded import resolve_model

    embedded = resolve_model("smollm2-135m")
    config = AutoConfig.from_pretrained(embedded)
    for key, value in shape.items():
        setattr(config, key, value)
    config.head_dim = shape["hidden_size"] // shape["num_attention_heads"]
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(embedded).save_pretrained(folder)
    return str(folder)


def _lora_adapter(folder: Path, pretrained: str) -> str:
    """A rank-16 LoRA on every projection, B initialised non-zero so it changes outputs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from harness_ext.models.embedded import resolve_model

    base = AutoModelForCausalLM.from_pretrained(resolve_model(pretrained))
    config = LoraConfig(r=16, lora_alpha=32, target_modules="all-linear")  # as `toolplan train`
    model = get_peft_model(base, config)
    torch.manual_seed(0)
    for name, param in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.01)
    model.save_pretrained(str(folder))
    return str(folder)


def measure(pretrained: str, route: str, threads: int, rows: int, max_new: int) -> dict[str, Any]:
    """One fresh process's numbers (called in the child)."""
    import logging

    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_generation import run_ours

    from harness_ext.lm_eval_glue.models import ToolplanHFLM

    kwargs = dict(ROUTES[route])
    if route.endswith("-lora"):
        kwargs["peft"] = os.environ["BENCH_ADAPTER"]
    lm = ToolplanHFLM(
        pretrained=pretrained, device="cpu", threads=threads, batch_size=rows, **kwargs
    )
    run_ours(lm, "assetops_free_test30", 1, 1, 4)
    got = run_ours(lm, "assetops_free_test30", rows, rows, max_new)
    return {
        "tokens": got["tokens"],
        "wall_s": round(got["wall_s"], 2),
        "cpu_s": round(got["cpu_s"], 2),
        "threads": lm.cost_report()["cpu_threads"],
    }


def _child(pretrained: str, route: str, threads: int, args: Any, adapter: str) -> dict[str, Any]:
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", BENCH_ADAPTER=adapter)
    env.pop("OMP_NUM_THREADS", None)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    cmd = [sys.executable, __file__, "--measure", pretrained, "--route", route]
    cmd += ["--threads", str(threads), "--rows", str(args.rows)]
    cmd += ["--max-new-tokens", str(args.max_new_tokens)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{route} at {threads} threads failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--routes", default=",".join(ROUTES))
    parser.add_argument("--shapes", default="135m,360m")
    parser.add_argument("--rows", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--route", help=argparse.SUPPRESS)
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    args = parser.parse_args()
    if args.measure:
        got = measure(args.measure, args.route, int(args.threads), args.rows, args.max_new_tokens)
        print(json.dumps(got))
        return
    counts = [int(t) for t in args.threads.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes.split(","):
            pretrained = (
                "smollm2-135m"
                if shape == "135m"
                else _random_model(Path(tmp) / shape, SHAPES[shape])
            )
            adapter = _lora_adapter(Path(tmp) / f"{shape}-lora", pretrained)
            for route in args.routes.split(","):
                row: dict[str, Any] = {"shape": shape, "route": route}
                for threads in counts:
                    row[f"load_avg_{threads}"] = round(os.getloadavg()[0], 2)
                    started = time.perf_counter()
                    row[f"t{threads}"] = _child(pretrained, route, threads, args, adapter)
                    row[f"t{threads}"]["process_s"] = round(time.perf_counter() - started, 1)
                results.append(row)
                print(json.dumps(row, default=str), flush=True)
    print(
        "\n| shape | route | "
        + " | ".join(f"{t} thr tok/s (wall) | {t} thr tok/CPU-s" for t in counts)
        + " | "
        + " | ".join(f"wall 1 / wall {t}" for t in counts[1:])
        + " |"
    )
    print("|---|---|" + "---|---|" * len(counts) + "---|" * (len(counts) - 1))
    for row in results:
        cells = []
        for t in counts:
            r = row[f"t{t}"]
            cells += [f"{r['tokens'] / r['wall_s']:.1f}", f"{r['tokens'] / r['cpu_s']:.1f}"]
        ratios = [
            f"{row[f't{counts[0]}']['wall_s'] / row[f't{t}']['wall_s']:.2f}" for t in counts[1:]
        ]
        print(f"| {row['shape']} | {row['route']} | " + " | ".join(cells + ratios) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
