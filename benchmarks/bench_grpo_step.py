"""Cost of one GRPO step on the embedded model, and where it goes.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_grpo_step.py --threads 1 --steps 3

For 2 and 4 generations per prompt (one prompt per step, BFCL ``live_simple`` prompts in
the JSON format, the recipe's own trainer from ``harness_ext.training.grpo``), prints per
step: wall and CPU seconds, tokens generated and generated tokens/s, and the share of the
step spent generating (``_generate``), scoring (the reward function) and in the rest of
``training_step`` (the reference and policy log-prob forwards and the backward pass). The
first step (warm-up) is left out of the means. CPU seconds are the process's own, so they
hold on a machine that other jobs share; wall seconds do not. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _rows(n: int) -> list[dict[str, Any]]:
    from transformers import AutoTokenizer

    from harness_ext.fc.data import load_entries
    from harness_ext.fc.prompts import tokenizer_template
    from harness_ext.models.embedded import embedded_model_path
    from harness_ext.training.grpo_data import fc_row

    template = tokenizer_template(AutoTokenizer.from_pretrained(str(embedded_model_path())))
    return [fc_row(e, "json", template) for e in load_entries("live_simple")[:n]]


def measure(generations: int, steps: int, max_len: int, threads: int) -> dict[str, float]:
    """Run ``steps`` GRPO steps of one prompt x ``generations`` and time their parts."""
    import torch

    from harness_ext.training import grpo
    from harness_ext.training.sft import TrainConfig, load_base

    torch.set_num_threads(threads)
    timings: dict[str, list[float]] = {"gen": [], "reward": [], "step": [], "cpu": [], "tok": []}
    config = TrainConfig(
        base="smollm2-135m", data="bfcl", out="",
        **{**grpo.profile_defaults("cpu"), "batch_size": generations,
           "max_steps": steps, "save_steps": 10_000},
    )  # fmt: skip
    settings = grpo.GRPOSettings(
        profile="cpu", num_generations=generations, max_completion_length=max_len
    )
    scorer = grpo.build_reward("function_call", {}, "json")

    def reward(*args: Any, **kwargs: Any) -> list[float]:
        started = time.perf_counter()
        out = scorer(*args, **kwargs)
        timings["reward"].append(time.perf_counter() - started)
        return out

    reward.__name__ = scorer.__name__
    model, tokenizer = load_base(config, "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        trainer = grpo.build_grpo_trainer(
            config, settings, model, tokenizer, _rows(steps), Path(tmp), "cpu", reward
        )
        inner_generate = trainer._generate
        inner_step = trainer.training_step

        def generate(prompts: Any) -> Any:
            started = time.perf_counter()
            out = inner_generate(prompts)
            timings["gen"].append(time.perf_counter() - started)
            return out

        def training_step(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            out = inner_step(*args, **kwargs)
            timings["step"].append(time.perf_counter() - wall)
            timings["cpu"].append(time.process_time() - cpu)
            return out

        trainer._generate = generate
        trainer.training_step = training_step
        trainer.train()
        lengths = [h["completions/mean_length"] for h in trainer.state.log_history
                   if "completions/mean_length" in h]  # fmt: skip
    timings["tok"] = [m * generations for m in lengths]
    keep = {k: v[1:] if len(v) > 1 else v for k, v in timings.items()}
    step = statistics.mean(keep["step"])
    gen = statistics.mean(keep["gen"])
    rew = statistics.mean(keep["reward"])
    tokens = statistics.mean(keep["tok"])
    return {
        "generations": generations,
        "s_per_step": round(step, 2),
        "cpu_s_per_step": round(statistics.mean(keep["cpu"]), 2),
        "generated_tokens": round(tokens, 1),
        "gen_tok_per_s": round(tokens / gen, 1),
        "share_generate": round(gen / step, 3),
        "share_reward": round(rew / step, 3),
        "share_logprobs_backward": round(1 - (gen + rew) / step, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=3, help="steps per setting (first skipped)")
    parser.add_argument("--max-completion-length", type=int, default=48)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--generations", default="2,4")
    args = parser.parse_args()
    rows = []
    for g in (int(x) for x in args.generations.split(",")):
        rows.append(measure(g, args.steps, args.max_completion_length, args.threads))
        print(rows[-1], flush=True)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    if len(rows) == 2:
        print(
            f"\n{rows[1]['generations']} vs {rows[0]['generations']} generations: "
            f"step x{rows[1]['s_per_step'] / rows[0]['s_per_step']:.2f}, generated tok/s "
            f"x{rows[1]['gen_tok_per_s'] / rows[0]['gen_tok_per_s']:.2f}"
        )


if __name__ == "__main__":
    main()
