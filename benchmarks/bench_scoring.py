"""Time to score 10,000 plans, and that time as a share of one model generation.

    python benchmarks/bench_scoring.py [--n 10000] [--no-generation]

Plans are the project's gold plans plus perturbed copies (renamed agents, dropped
steps, broken JSON, prose around them), scored against their own gold entries.
"""

from __future__ import annotations

import argparse
import random
import time

from harness_ext.metrics.planning import score_plan
from harness_ext.planning.catalog import load_catalog
from harness_ext.planning.gold import load_gold


def _variants(text: str, rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return text
    if choice == 1:
        return text.replace("IoTAgent", "iot").replace("#Tool", "#Tool")
    if choice == 2:
        return "\n".join(line for line in text.splitlines() if rng.random() > 0.2)
    if choice == 3:
        return text.replace("{", "{{", 1)
    return f"Sure, here is the plan:\n```\n{text}\n```\nDone."


def time_scoring(n: int) -> tuple[float, float]:
    """(wall, CPU) seconds to score ``n`` plans (parse + every metric).

    CPU time is reported too because wall time on a shared machine includes waiting
    for a core.
    """
    rng = random.Random(0)
    catalog = load_catalog()
    gold = load_gold("project")
    entries = list(gold.values())
    work = []
    for i in range(n):
        entry = entries[i % len(entries)]
        work.append((_variants(entry.primary_text, rng), entry.alternatives))
    start, cpu_start = time.perf_counter(), time.process_time()
    for text, alternatives in work:
        score_plan(text, alternatives, catalog)
    return time.perf_counter() - start, time.process_time() - cpu_start


def time_generation() -> tuple[float, int]:
    """Seconds and new tokens of one greedy plan generation by the embedded model."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness_ext.models.embedded import embedded_model_path
    from harness_ext.planning.prompts import system_prompt

    path = embedded_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    messages = [
        {"role": "system", "content": system_prompt("free", load_catalog())},
        {"role": "user", "content": "List the sensors of Chiller 6 at the MAIN site."},
    ]
    inputs = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    start = time.perf_counter()
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=128, do_sample=False)
    seconds = time.perf_counter() - start
    return seconds, int(out.shape[1] - inputs["input_ids"].shape[1])


def main() -> None:
    """Print the scoring time and its share of one generation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--no-generation", action="store_true")
    args = parser.parse_args()
    seconds, cpu = time_scoring(args.n)
    print(
        f"scored {args.n} plans in {seconds:.3f} s wall, {cpu:.3f} s CPU "
        f"({seconds / args.n * 1e6:.1f} us/plan)"
    )
    verdict = "met" if cpu * 10_000 / args.n < 1 else "MISSED"
    print(f"target < 1 s CPU for 10,000 plans: {verdict}")
    if not args.no_generation:
        gen_seconds, tokens = time_generation()
        per_plan = seconds / args.n
        print(f"one generation by the embedded model: {gen_seconds:.2f} s ({tokens} new tokens)")
        print(f"scoring one plan = {per_plan / gen_seconds:.2e} of one generation")
        print(f"scoring all {args.n} plans = {seconds / gen_seconds:.3f} generations")


if __name__ == "__main__":
    main()
